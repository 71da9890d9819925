"""mlprofctl export: a live daemon's profile of a known workload exported as
pprof, folded stacks and speedscope agrees with its own raw report (go tool
pprof shows the same top functions in the same proportions, folded counts
and speedscope weights add up to the samples), and an mlpy run's ML frames
carry their .ml file and lines in every format."""
import gzip
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mlproftest import MLPROFCTL, MLPROFD, WORKLOADS, require_root  # noqa: E402
from test_daemon import Daemon  # noqa: E402
from test_mlpy import MlpyRun, ml_defs  # noqa: E402

PY = "/usr/bin/python3.11"
POINTS = 2.0


class GoPprof:
    """`go tool pprof` (Debian's golang-go) with a private HOME and cache,
    and no network."""

    def __init__(self):
        self.go = shutil.which("go") or "/usr/bin/go"
        self.home = tempfile.mkdtemp(prefix="mlprof-gohome-")
        self.env = dict(os.environ, HOME=self.home, GOCACHE=os.path.join(self.home, "cache"),
                        GOPATH=os.path.join(self.home, "gopath"), GOPROXY="off",
                        GOFLAGS="", GO111MODULE="off")

    def run(self, *args):
        p = subprocess.run([self.go, "tool", "pprof", *args], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, env=self.env, timeout=120)
        if p.returncode != 0:
            raise AssertionError("go tool pprof %s: %s" % (" ".join(args), p.stderr))
        return p.stdout

    def top(self, path, index="samples", *opts):
        """({name: flat}, total shown) of `-top` for a sample index; with
        every node shown, the total is that of the samples kept by opts."""
        out = self.run("-top", "-sample_index=" + index, "-nodefraction=0", "-edgefraction=0",
                       "-nodecount=1000000", *opts, path)
        total = re.search(r"accounting for (\d+),", out)
        if not total:
            raise AssertionError("no total in pprof -top:\n" + out)
        rows, started = {}, False
        for line in out.splitlines():
            if re.match(r"\s+flat\s+flat%", line):
                started = True
                continue
            m = re.match(r"\s*(\d+)\s+[\d.]+%\s+[\d.]+%\s+\d+\s+[\d.]+%\s+(.+)$", line)
            if started and m:
                rows[m.group(2)] = rows.get(m.group(2), 0) + int(m.group(1))
        return rows, int(total.group(1))

    def locations(self, path):
        """[(function, file, line, start_line)] of `-raw`."""
        out = self.run("-raw", path)
        locs = []
        for line in out.splitlines():
            m = re.match(r"\s+\d+: 0x[0-9a-f]+ M=\d+ (\S+) (.+):(-?\d+) s=(\d+)", line)
            if m:
                locs.append((m.group(1), m.group(2), int(m.group(3)), int(m.group(4))))
        return locs

    def close(self):
        shutil.rmtree(self.home, ignore_errors=True)


def folded(path):
    """[(frames, count)] of a folded-stacks file; fails on a bad line."""
    rows = []
    with open(path) as f:
        for line in f:
            m = re.match(r"^(.+) (\d+)\n$", line)
            if not m:
                raise AssertionError("bad folded line: %r" % line)
            rows.append((m.group(1).split(";"), int(m.group(2))))
    return rows


def speedscope(path):
    with open(path) as f:
        doc = json.load(f)
    frames = doc["shared"]["frames"]
    for p in doc["profiles"]:
        assert p["type"] == "sampled"
        assert len(p["samples"]) == len(p["weights"])
        for s in p["samples"]:
            assert all(0 <= i < len(frames) for i in s)
    return doc


def py_defs(path):
    """{name: line} of the `def NAME(` lines of a Python file."""
    with open(path) as f:
        return {m.group(1): no for no, line in enumerate(f, 1)
                for m in [re.match(r"def (\w+)\(", line)] if m}


def settled(d, pid):
    """The raw report of pid once the daemon has read all its samples (the
    ring buffer is drained asynchronously): exited, and the same twice."""
    last = None
    # A deadline, not a pace: it settles within a second here, also beside
    # stress-ng; 60 s is far more than 3x that.
    deadline = time.time() + 60
    while time.time() < deadline:
        raw = d.json("report", "raw", "--pid", str(pid))
        done = all(p["exit_time"] is not None for p in raw["processes"])
        if done and last is not None and raw["samples"] == last["samples"]:
            return raw
        last = raw
        time.sleep(0.3)
    raise AssertionError("the profile of pid %d did not settle" % pid)


class ExportTests(unittest.TestCase):
    def setUp(self):
        require_root(self)
        for tool in (MLPROFD, MLPROFCTL):
            if not os.access(tool, os.X_OK):
                self.fail("%s is not built: run make first" % tool)
        self.go = GoPprof()
        if not os.access(self.go.go, os.X_OK):
            self.fail("go is missing: scripts/install-deps.sh installs golang-go")
        self.tmp = tempfile.mkdtemp(prefix="mlprof-export-")

    def tearDown(self):
        self.go.close()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def test_daemon_exports_agree_with_raw_report(self):
        d = Daemon("--target", "python")
        try:
            # Its own pid: other users' ratio.py runs may be profiled too.
            w = subprocess.Popen([PY, os.path.join(WORKLOADS, "ratio.py"), "1.5", "0.7"],
                                 stdout=subprocess.PIPE, text=True)
            out, _ = w.communicate(timeout=60)
            self.assertIn("MLPROF_SPLIT", out)
            pid = w.pid
            raw = settled(d, pid)
            self.assertTrue(any("ratio.py" in p["command"] for p in raw["processes"]))
            paths = {}
            for fmt in ("collapsed", "speedscope", "pprof"):
                paths[fmt] = os.path.join(self.tmp, "prof." + fmt)
                p = d.ctl("export", fmt, "--pid", str(pid), "--output", paths[fmt])
                self.assertIn(paths[fmt], p.stderr)
        finally:
            d.stop()
        total = raw["samples"]
        self.assertGreater(total, 800)
        want, want_self = {}, {}
        for f in raw["functions"]:  # pprof names Python functions by qualname
            name = f["qualname"] if f["kind"] == "python" else f["name"]
            # Its interpreter time: pprof shows native and kernel time as
            # leaf functions of their own (design decision 26).
            own = f["self_samples"] * f["interp_s"] / f["self_s"] if f["self_s"] else 0
            want[name] = want.get(name, 0) + own
            want_self[name] = want_self.get(name, 0) + f["self_samples"]

        # pprof, read by go tool pprof: same total, same top functions in the
        # same proportions.
        with open(paths["pprof"], "rb") as f:
            gzip.decompress(f.read())  # really gzip
        got, got_total = self.go.top(paths["pprof"], "samples")
        self.assertEqual(got_total, total, "%s\n%s" % (got, want))
        top_want = sorted(want, key=lambda n: -want[n])[:5]
        top_got = sorted(got, key=lambda n: -got[n])[:5]
        self.assertEqual(top_got[:2], top_want[:2])
        self.assertEqual(set(top_got[:2]), {"hot_a", "hot_b"})
        for name in top_want:
            if want[name] * 100.0 / total < 1.0:
                continue
            self.assertLess(abs(100.0 * got.get(name, 0) / got_total - 100.0 * want[name] / total),
                            POINTS, name)
        out = self.go.run("-top", "-unit=ns", "-nodecount=3", paths["pprof"])
        self.assertIn("Type: cpu", out)  # the default sample type
        m = re.search(r"of (\d+)ns total", out)
        period = 1000000000 // raw["freq_hz"]
        self.assertTrue(m, out)
        self.assertEqual(int(m.group(1)), total * period)
        tags = self.go.run("-tags", paths["pprof"])
        self.assertIn(str(pid), tags)
        self.assertIn("python3.11", tags)
        self.assertIn("category", tags)
        # Lines: hot_a's locations lie inside hot_a in ratio.py.
        defs = py_defs(os.path.join(WORKLOADS, "ratio.py"))
        locs = [l for l in self.go.locations(paths["pprof"]) if l[0] == "hot_a"]
        self.assertTrue(locs)
        for name, path, line, start in locs:
            self.assertTrue(path.endswith("/ratio.py"), path)
            self.assertEqual(start, defs["hot_a"])
            self.assertTrue(defs["hot_a"] <= line < defs["hot_b"], line)

        # Folded stacks: counts add up to the samples, leaves match.
        rows = folded(paths["collapsed"])
        self.assertEqual(sum(n for _, n in rows), total)
        leaf = {}
        for frames, n in rows:
            self.assertRegex(frames[0], r"\[%d\]$" % pid)
            # A where leaf (<native: X>, <kernel: X>) is the self time of
            # the frame above it, as in the raw report (design decision 26).
            top = frames[-2] if (len(frames) > 2 and frames[-1].startswith(
                ("<native: ", "<kernel: ", "<wait: "))) else frames[-1]
            leaf[top] = leaf.get(top, 0) + n
        self.assertEqual(leaf["hot_a (ratio.py:%d)" % defs["hot_a"]], want_self["hot_a"])
        self.assertEqual(leaf["hot_b (ratio.py:%d)" % defs["hot_b"]], want_self["hot_b"])

        # speedscope: JSON, CPU weights add up to samples x period.
        doc = speedscope(paths["speedscope"])
        cpu_profiles = [p for p in doc["profiles"] if p["unit"] == "nanoseconds"]
        self.assertEqual(sum(sum(p["weights"]) for p in cpu_profiles), total * period)
        for p in cpu_profiles:
            self.assertEqual(p["endValue"], sum(p["weights"]))
        active = doc["profiles"][doc["activeProfileIndex"]]
        self.assertIn("ratio.py", active["name"])

    def test_mlpy_frames_carry_ml_files_and_lines(self):
        run = MlpyRun([PY], "hotspots.ml", "--source-map", reports=("ml-details",))
        try:
            self.assertEqual(run.proc.returncode, 0, run.proc.stderr)
            defs = ml_defs(run.program)
            with open(run.program) as f:
                nlines = sum(1 for _ in f)
            paths = {}
            for fmt in ("collapsed", "speedscope", "pprof"):
                paths[fmt] = os.path.join(self.tmp, "ml." + fmt)
                p = subprocess.run([MLPROFCTL, "export", fmt, "-i", run.snap_path, "--last",
                                    "-o", paths[fmt]], stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True, timeout=60)
                self.assertEqual(p.returncode, 0, p.stderr)
            dev = run.report("dev-summary")
            total = dev["samples"]
            # pprof: hot_a is a function of hotspots.ml, starting at its
            # definition, its sampled lines inside the file.
            locs = [l for l in self.go.locations(paths["pprof"]) if l[0] in ("hot_a", "hot_b")]
            self.assertTrue(locs)
            for name, path, line, start in locs:
                self.assertTrue(path.endswith("/examples/hotspots.ml"), path)
                self.assertEqual(start, defs[name])
                self.assertTrue(start <= line <= nlines, (name, line))
            self.assertTrue(any(l[2] > l[3] for l in locs), "no statement line beyond the def")
            got, got_total = self.go.top(paths["pprof"])
            self.assertEqual(got_total, total)
            # The category label matches the developer report's split.
            cats = {c["category"]: c["samples"] for c in dev["categories"]}
            for cat in ("ml_code", "parsing", "sandbox_startup"):
                _, n = self.go.top(paths["pprof"], "samples", "-tagfocus=category=" + cat)
                self.assertEqual(n, cats[cat], cat)
            tags = self.go.run("-tags", paths["pprof"])
            self.assertIn("sandbox", tags)  # the mlpy label of the sandbox child
            # Folded stacks and speedscope name ML frames by .ml file and line.
            rows = folded(paths["collapsed"])
            self.assertEqual(sum(n for _, n in rows), total)
            want = "hot_a (hotspots.ml:%d)" % defs["hot_a"]
            self.assertTrue(any(want in fr for fr, _ in rows), want)
            doc = speedscope(paths["speedscope"])
            fr = [f for f in doc["shared"]["frames"] if f["name"] == want]
            self.assertEqual(len(fr), 1)
            self.assertTrue(fr[0]["file"].endswith("/examples/hotspots.ml"))
            self.assertEqual(fr[0]["line"], defs["hot_a"])
        finally:
            run.close()

    def test_bad_arguments(self):
        p = subprocess.run([MLPROFCTL, "export", "svg", "-i", "/nonexistent"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.assertEqual(p.returncode, 2)
        self.assertIn("unknown export format 'svg'", p.stderr)
        p = subprocess.run([MLPROFCTL, "export", "pprof", "-i", "/nonexistent/snap.json",
                            "-o", os.path.join(self.tmp, "x.pb.gz")],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.assertEqual(p.returncode, 1)
        self.assertIn("/nonexistent/snap.json", p.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "x.pb.gz")))


if __name__ == "__main__":
    unittest.main(verbosity=2)

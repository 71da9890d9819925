"""The HTML report, its differential form and the live page, loaded in a
real browser (Debian's chromium, headless, over the DevTools pipe): no
console error, no network request, flame graph widths in the sampled
ratio, zoom, ML names, the diff's order, and the render time of a profile
with 100,000 distinct stacks. Run as root (the daemon profiles real runs)."""
import copy
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cdp import CHROMIUM, Browser  # noqa: E402
from mlproftest import clock_args  # noqa: E402
from mlproftest import MLPROFCTL, MLPROFD, TOP, Profile, WORKLOADS, require_root, run_oneshot  # noqa: E402
from test_mlpy import MlpyRun, ml_defs  # noqa: E402
from test_http import TOKEN, Daemon, busy_workload, free_port  # noqa: E402
from test_mlpy_real import need_mlpy  # noqa: E402

PY = "/usr/bin/python3.11"
POINTS = 2.0
# Screenshots of the pages the tests drive go to build/screenshots; to
# refresh the README's pictures: MLPROF_SCREENSHOTS=docs/img make priv-test
# (a test run leaves the tracked files alone).
IMG = os.path.join(TOP, os.environ.get("MLPROF_SCREENSHOTS", os.path.join("build", "screenshots")))


def ctl(*args):
    p = subprocess.run([MLPROFCTL, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, timeout=120)
    if p.returncode != 0:
        raise AssertionError("mlprofctl %s: %s" % (" ".join(args), p.stderr))
    return p.stdout


def py_defs(path):
    with open(path) as f:
        return {l.split()[1].split("(")[0]: i for i, l in enumerate(f, 1)
                if l.startswith("def ")}


class HtmlCase(unittest.TestCase):
    def setUp(self):
        require_root(self)
        if not os.access(CHROMIUM, os.X_OK):
            self.fail("chromium is not installed (scripts/install-deps.sh)")
        self.tmp = tempfile.mkdtemp(prefix="mlprof-html-")
        self.browser = None

    def tearDown(self):
        if self.browser:
            self.browser.close()
        subprocess.run(["rm", "-rf", self.tmp])

    def load(self, path):
        self.browser = self.browser or Browser()
        self.browser.open("file://" + path)
        return self.browser

    def assert_clean(self, b, path):
        self.assertEqual(b.errors(), [])
        self.assertEqual(b.requests(), ["file://" + path])

    def frames(self, b):
        return b.eval("window.mlprof.frames()")

    def snap(self, share, seconds, name):
        prof = run_oneshot([PY, os.path.join(WORKLOADS, "ratio.py"), str(seconds), str(share)])
        self.assertEqual(prof.returncode, 0, prof.stderr)
        path = os.path.join(self.tmp, name)
        with open(path, "w") as f:
            json.dump(prof.snap, f)
        return prof, path

    def test_page_widths_zoom_and_no_network(self):
        prof, snap = self.snap(0.7, 2.0, "ratio.json")
        page = os.path.join(self.tmp, "ratio.html")
        ctl("report", "all", "-i", snap, "--format", "html", "-o", page)
        b = self.load(page)
        self.assert_clean(b, page)
        defs = py_defs(os.path.join(WORKLOADS, "ratio.py"))
        names = {k: "%s (ratio.py:%d)" % (k, defs[k]) for k in ("hot_a", "hot_b")}
        b.eval("window.mlprof.view('full')")
        fr = self.frames(b)
        width = {k: sum(f["width"] for f in fr if f["name"] == n) for k, n in names.items()}
        sampled = {k: prof.total_samples(k) for k in names}
        self.assertGreater(sampled["hot_a"] + sampled["hot_b"], 500)
        got = 100.0 * width["hot_a"] / (width["hot_a"] + width["hot_b"])
        want = 100.0 * sampled["hot_a"] / (sampled["hot_a"] + sampled["hot_b"])
        self.assertLess(abs(got - want), POINTS, (got, want, width, sampled))
        # Zoom: hot_b fills the whole width, hot_a is gone.
        self.assertTrue(b.eval("window.mlprof.zoom(%s)" % json.dumps(names["hot_b"])))
        fr = self.frames(b)
        full = b.eval("window.mlprof.width()")
        hb = [f for f in fr if f["name"] == names["hot_b"]]
        self.assertEqual(len(hb), 1)
        self.assertAlmostEqual(hb[0]["width"], full, delta=0.5)
        self.assertFalse([f for f in fr if f["name"] == names["hot_a"]])
        # The text reports are on the page.
        self.assertIn("hot_a", b.eval("document.getElementById('reports').textContent"))
        self.assertEqual(b.errors(), [])

    def test_oneshot_format_html(self):
        # mlprofd -f html -o page -- cmd: the page is written at the exit,
        # with the hot functions in their sampled ratio (the snapshot saved
        # by the same run is the reference).
        page = os.path.join(self.tmp, "oneshot.html")
        snap = os.path.join(self.tmp, "oneshot.json")
        p = subprocess.run([MLPROFD, *clock_args(), "-f", "html", "-o", page, "--save", snap, "--",
                            PY, os.path.join(WORKLOADS, "ratio.py"), "2.0", "0.7"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           timeout=180)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("report written to " + page, p.stderr)
        self.assertEqual(os.stat(page).st_mode & 0o777, 0o600)
        with open(snap) as f:
            prof = Profile(json.load(f), None, p.stdout, p.returncode)
        b = self.load(page)
        self.assert_clean(b, page)
        defs = py_defs(os.path.join(WORKLOADS, "ratio.py"))
        names = {k: "%s (ratio.py:%d)" % (k, defs[k]) for k in ("hot_a", "hot_b")}
        b.eval("window.mlprof.view('full')")
        fr = self.frames(b)
        width = {k: sum(f["width"] for f in fr if f["name"] == n) for k, n in names.items()}
        sampled = {k: prof.total_samples(k) for k in names}
        self.assertGreater(sampled["hot_a"] + sampled["hot_b"], 500)
        got = 100.0 * width["hot_a"] / (width["hot_a"] + width["hot_b"])
        want = 100.0 * sampled["hot_a"] / (sampled["hot_a"] + sampled["hot_b"])
        self.assertLess(abs(got - want), POINTS, (got, want, width, sampled))
        self.assertEqual(b.eval("window.mlprof.frames()[0].samples"), prof.samples())
        self.assertIn("hot_a", b.eval("document.getElementById('reports').textContent"))

    def test_oneshot_timeline_phases_real_mlpy(self):
        # A one-shot run's buckets are 100 ms: the timeline of a real mlpy
        # run (a few seconds) shows its phases in order, not one column.
        need_mlpy(self)
        shutil.copy(os.path.join(WORKLOADS, "ml", "split.ml"), self.tmp)
        page = os.path.join(self.tmp, "split.html")
        p = subprocess.run([MLPROFD, *clock_args(), "-f", "html", "-o", page, "--", "/usr/bin/python3.11",
                            "-m", "mlpy", "run", "split.ml"], cwd=self.tmp,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           timeout=300)
        self.assertEqual(p.returncode, 0, p.stderr)
        b = self.load(page)
        self.assert_clean(b, page)
        rows = b.eval("window.mlprof.timeline()")

        def first(row, cat):
            return row["cats"].index(cat) if cat in row["cats"] else None

        cli = [r for r in rows if first(r, "parsing") is not None]
        sandbox = [r for r in rows if first(r, "ml_code") is not None]
        self.assertEqual((len(cli), len(sandbox)), (1, 1), rows)
        cli, sandbox = cli[0], sandbox[0]
        used = [i for r in rows for i, c in enumerate(r["cats"]) if c]
        self.assertGreaterEqual(len(set(used)), 10, rows)  # a 1 s+ run in 100 ms buckets
        # CLI start-up and parsing, then the sandbox's ML code, then the
        # CLI again after it (shutdown).
        self.assertLess(first(cli, "parsing"), first(sandbox, "ml_code"), rows)
        self.assertLess(min(i for i, c in enumerate(cli["cats"]) if c),
                        first(cli, "parsing"), rows)
        last_ml = max(i for i, c in enumerate(sandbox["cats"]) if c == "ml_code")
        self.assertTrue([c for c in cli["cats"][last_ml:] if c], rows)
        mains = {c for r in rows for c in r["cats"] if c}
        self.assertLessEqual({"parsing", "ml_code", "interpreter", "mlpy_other"}, mains, mains)
        legend = b.eval("document.getElementById('tllegend').textContent")
        for name in ("Parsing", "Transpilation", "Sandbox Startup", "ML Code Execution"):
            self.assertIn(name, legend)
        b.eval("window.scrollTo(0, document.getElementById('tlsec').offsetTop - 8)")
        os.makedirs(IMG, exist_ok=True)
        b.screenshot(os.path.join(IMG, "html-timeline.png"))

    def test_ml_view_names(self):
        run = MlpyRun([PY], "hotspots.ml", "--source-map")
        try:
            self.assertEqual(run.proc.returncode, 0, run.proc.stderr)
            defs = ml_defs(run.program)
            page = os.path.join(self.tmp, "ml.html")
            ctl("export", "html", "-i", run.snap_path, "--last", "-o", page)
            b = self.load(page)
            self.assert_clean(b, page)
            names = {f["name"] for f in self.frames(b)}
            for fn in ("hot_a", "hot_b"):
                self.assertIn("%s (hotspots.ml:%d)" % (fn, defs[fn]), names)
            # mlpy's internals are folded into their categories: no .py frame.
            self.assertFalse([n for n in names if ".py:" in n], names)
            self.assertIn("Parsing", names)
            os.makedirs(IMG, exist_ok=True)
            b.screenshot(os.path.join(IMG, "html-ml-view.png"))
            b.eval("window.mlprof.view('full')")
            self.assertTrue([f for f in self.frames(b) if ".py:" in f["name"]])
        finally:
            run.close()

    def test_diff_changed_function_first(self):
        # A: 1 s at 50/50; B: 2 s at 75/25: hot_a +1 s, hot_b about 0.
        _, a = self.snap(0.5, 1.0, "a.json")
        _, b_path = self.snap(0.75, 2.0, "b.json")
        rows = json.loads(ctl("diff", a, b_path, "-f", "json"))["functions"]
        self.assertTrue(rows[0]["name"].startswith("hot_a ("), rows[:3])
        self.assertGreater(rows[0]["self_delta_s"], 0.6)
        hb = [r for r in rows if r["name"].startswith("hot_b (")][0]
        self.assertLess(abs(hb["self_delta_s"]), rows[0]["self_delta_s"] / 2)
        text = ctl("diff", a, b_path).splitlines()
        self.assertIn("hot_a (", text[1])
        page = os.path.join(self.tmp, "diff.html")
        ctl("diff", a, b_path, "-f", "html", "-o", page)
        br = self.load(page)
        self.assert_clean(br, page)
        self.assertEqual(br.eval("document.getElementById('title').textContent"), "mlprof diff")
        os.makedirs(IMG, exist_ok=True)
        br.screenshot(os.path.join(IMG, "html-diff.png"))

    def test_diff_of_two_daemon_ranges(self):
        # One process, two phases 2.5 s apart (more than the 1 s bucket, so
        # no bucket holds both): A 1 s of CPU at 50/50, B 2 s at 75/25, so
        # hot_a grows by about 1 s and hot_b stays.
        work = subprocess.Popen([PY, os.path.join(WORKLOADS, "phases.py"),
                                 "1.0", "0.5", "2.5", "2.0", "0.75"],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        d = Daemon("--pid", str(work.pid), "--bucket", "1s")
        try:
            deadline = time.monotonic() + 60  # attaching on a busy 2-CPU machine
            while not any(t["pid"] == work.pid for t in d.status()["targets"]):
                self.assertLess(time.monotonic(), deadline, d.output())
                time.sleep(0.1)
            out, _ = work.communicate("go\n", timeout=300)
            self.assertEqual(work.returncode, 0)
            ph = dict(kv.split("=") for kv in out.split("MLPROF_PHASES ")[1].split("\n")[0].split())
            ra = "@%s..%s" % (ph["a0"], ph["a1"])
            rb = "@%s..%s" % (ph["b0"], ph["b1"])
            rows = json.loads(ctl("-s", d.sock, "diff", ra, rb, "-f", "json"))["functions"]
            self.assertTrue(rows[0]["name"].startswith("hot_a ("), rows[:3])
            self.assertGreater(rows[0]["self_delta_s"], 0.6)
            hb = [r for r in rows if r["name"].startswith("hot_b (")][0]
            self.assertLess(abs(hb["self_delta_s"]), rows[0]["self_delta_s"] / 2)
            # The whole history against phase B alone: hot_b lost phase A's
            # share (about 0.5 s), hot_a phase A's 0.5 s: both shrink.
            rows = json.loads(ctl("-s", d.sock, "diff", "-", rb, "-f", "json"))["functions"]
            hot = {r["name"].split(" ")[0]: r["self_delta_s"] for r in rows}
            self.assertLess(hot["hot_a"], -0.3, rows[:3])
            self.assertLess(hot["hot_b"], -0.3, rows[:3])
            text = ctl("-s", d.sock, "diff", ra, rb).splitlines()
            self.assertIn("hot_a (", text[1])
            page = os.path.join(self.tmp, "ranges.html")
            ctl("-s", d.sock, "diff", ra, rb, "-f", "html", "-o", page)
            b = self.load(page)
            self.assert_clean(b, page)
            self.assertEqual(b.eval("document.getElementById('title').textContent"),
                             "mlprof diff")
            # A range the wrong way round is refused, naming the range.
            p = subprocess.run([MLPROFCTL, "-s", d.sock, "diff", rb, "@%s..%s" % (ph["b1"], ph["b0"])],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               timeout=60)
            self.assertEqual(p.returncode, 1)
            self.assertIn("invalid time range '@%s..%s'" % (ph["b1"], ph["b0"]), p.stderr)
        finally:
            if work.poll() is None:
                work.kill()
                work.wait()
            d.stop()

    def test_100k_stacks_render_time(self):
        prof, _ = self.snap(0.7, 0.3, "small.json")
        snap = copy.deepcopy(prof.snap)
        base = len(snap["functions"])
        for i in range(200):
            snap["functions"].append({"name": "f%d" % i, "qualname": "f%d" % i,
                                      "file": "/srv/app/mod%d.py" % (i % 20), "line": i + 1,
                                      "kind": 0, "py_file": "", "py_line": 0})
        stacks = []
        for i in range(100000):  # distinct: the digits of i pick the frames
            fr = [base + 100 + i % 100, 0, base + (i // 100) % 100, 0,
                  base + 100 + (i // 10000) % 100, 0, base + i % 7, 0]
            stacks.append({"p": 0, "n": 1 + i % 3, "f": fr})
        snap["stacks"] = stacks
        path = os.path.join(self.tmp, "big.json")
        with open(path, "w") as f:
            json.dump(snap, f)
        page = os.path.join(self.tmp, "big.html")
        ctl("export", "html", "-i", path, "-o", page)
        size = os.path.getsize(page)
        # The page's time, not the shared machine's load: the browser gets
        # a CPU first (a session of its own at nice -20).
        self.browser = Browser(favoured=True)
        b = self.load(page)
        self.assert_clean(b, page)
        ms = b.eval("window.mlprof.readyMs")
        print("\n100k stacks: %d bytes, ready %.0f ms after navigation start" % (size, ms),
              file=sys.stderr)
        print(b.eval("[window.mlprof.scriptMs, window.mlprof.times]"), file=sys.stderr)
        self.assertLess(ms, 2000)
        self.assertEqual(b.eval("window.mlprof.frames()[0].samples"),
                         sum(s["n"] for s in stacks))

    def test_live_page(self):
        work = busy_workload(60)
        port = free_port()
        base = "http://127.0.0.1:%d" % port
        d = Daemon("--pid", str(work.pid), "--http", "127.0.0.1:%d" % port, wait_http=base)
        try:
            self.browser = Browser()
            # hot_a and hot_b both sampled: poll (the page reloads on
            # demand) with a generous deadline for a busy machine.
            deadline = time.monotonic() + 90
            while True:
                # The page takes the token from its URL's fragment and
                # sends it as a Bearer header to /html-data.
                self.browser.open(base + "/#token=" + TOKEN)
                names = {f["name"] for f in self.frames(self.browser)}
                if any(n.startswith("hot_a (") for n in names) and \
                        any(n.startswith("hot_b (") for n in names):
                    break
                self.assertLess(time.monotonic(), deadline, names)
                time.sleep(0.5)
            self.assertEqual(self.browser.errors(), [])
            reqs = self.browser.requests()
            self.assertEqual(set(reqs), {base + "/", base + "/html-data?seconds=0"}, reqs)
            # The time range: the last minute reloads from the daemon.
            self.browser.eval("document.getElementById('since').value='60';"
                              "document.getElementById('reload').click()")
            self.browser.wait("window.mlprof.frames().some(f => f.name.startsWith('hot_a ('))"
                              " && document.getElementById('info').textContent.includes('samples')")
            self.assertIn(base + "/html-data?seconds=60", self.browser.requests())
            self.assertEqual(self.browser.errors(), [])
        finally:
            work.kill()
            work.wait()
            d.stop()


if __name__ == "__main__":
    unittest.main()

"""A saved snapshot file read by mlprofctl: a large one costs about its own
size in memory (it is taken apart one element at a time; a whole JSON tree
cost 15-19 times the file), and what is rendered from it is exactly what
the file holds, however it is laid out."""
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mlproftest import MLPROFCTL  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURE = os.path.join(ROOT, "tests", "fuzz", "corpus", "snapload", "fixture.json")


def big_snapshot(nstacks, nfuncs=3000, seed=1):
    """The fixture snapshot grown to nstacks stacks over nfuncs functions."""
    with open(FIXTURE) as f:
        d = json.load(f)
    rnd = random.Random(seed)
    base = d["functions"][0]
    d["functions"] = [dict(base, name="f%d" % i, qualname="mod.Class.f%d" % i,
                           file="/app/pkg/module_%d.py" % (i % 200), line=i)
                      for i in range(nfuncs)]
    d["stacks"] = [{"p": i % len(d["processes"]), "n": rnd.randint(1, 50),
                    "f": [x for _ in range(rnd.randint(10, 40))
                          for x in (rnd.randrange(nfuncs), rnd.randrange(1, 900))]}
                   for i in range(nstacks)]
    return d


def write_big(path, nstacks):
    """big_snapshot(nstacks) as compact JSON (as the daemon saves it)."""
    with open(path, "w") as f:
        json.dump(big_snapshot(nstacks), f, separators=(",", ":"))


def peak_rss(*args):
    """(exit code, peak RSS in bytes) of `mlprofctl args`, from wait4 on
    that child alone (subprocess starts it with vfork: the child's figure
    is mlprofctl's own, not a copy of this test's memory)."""
    p = subprocess.Popen([MLPROFCTL, *args], stdout=subprocess.DEVNULL)
    _, status, ru = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    return p.returncode, ru.ru_maxrss * 1024


class SnapshotFileTests(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="mlprof-snapfile-")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def write(self, name, obj, **kw):
        path = os.path.join(self.tmp, name)
        with open(path, "w") as f:
            json.dump(obj, f, **kw)
        return path

    def test_large_file_costs_about_its_size(self):
        # Made by another process: a child's peak RSS starts from what its
        # parent had resident when it forked, so this test stays small,
        # and a small file's run is the baseline subtracted.
        sizes, rss = [], []
        for n in (50, 60000):
            path = os.path.join(self.tmp, "s%d.json" % n)
            subprocess.run([sys.executable, "-c", "import sys, test_snapfile as t; "
                            "t.write_big(sys.argv[1], int(sys.argv[2]))", path, str(n)],
                           cwd=os.path.dirname(os.path.abspath(__file__)), check=True,
                           timeout=300)
            code, r = peak_rss("report", "dev-summary", "--input", path)
            self.assertEqual(code, 0)
            sizes.append(os.path.getsize(path))
            rss.append(r)
        grown = rss[1] - rss[0]
        print("\n  %d-byte snapshot: mlprofctl peak RSS %d bytes, %d over a %d-byte one "
              "(%.2fx the file)" % (sizes[1], rss[1], grown, sizes[0], grown / sizes[1]),
              file=sys.stderr)
        # About 1.0x here (the text read whole, the snapshot, the report);
        # the whole cJSON tree cost 19x. Memory does not depend on the
        # machine's speed or load.
        self.assertLess(grown, 3 * sizes[1])

    def test_rendered_numbers_are_the_files(self):
        d = big_snapshot(3000, nfuncs=300, seed=2)
        compact = self.write("c.json", d, separators=(",", ":"))
        # Saved form: {"snapshot": {...}}, pretty, stacks before the
        # functions they refer to.
        wrapped = self.write("w.json", {"ok": True, "snapshot": dict(
            [("stacks", d["stacks"])] + [(k, v) for k, v in d.items() if k != "stacks"])},
            indent=2)
        reports = []
        for path in (compact, wrapped):
            p = subprocess.run([MLPROFCTL, "report", "raw", "--format", "json", "--input", path],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               timeout=120)
            self.assertEqual(p.returncode, 0, p.stderr)
            reports.append(json.loads(p.stdout))
        self.assertEqual(reports[0], reports[1])
        r = reports[0]
        self.assertEqual(r["samples"], sum(s["n"] for s in d["stacks"]))
        self_n = {}
        for s in d["stacks"]:
            f = d["functions"][s["f"][0]]["qualname"]  # frames[0] is the innermost
            self_n[f] = self_n.get(f, 0) + s["n"]
        got = {f["qualname"]: f["self_samples"] for f in r["functions"]}
        for name, n in self_n.items():
            self.assertEqual(got.get(name), n, name)

    def test_broken_files_refused_with_the_reason(self):
        d = big_snapshot(50)
        text = json.dumps(d)
        cases = {"truncated": text[: len(text) // 2], "trailing": text + " {}",
                 "empty": "", "not-a-snapshot": json.dumps({"format": "pstats"}),
                 "bad-frame": text.replace('"f": [', '"f": [99999, ', 1)}
        for name, body in cases.items():
            path = os.path.join(self.tmp, name)
            with open(path, "w") as f:
                f.write(body)
            p = subprocess.run([MLPROFCTL, "report", "ml-summary", "--input", path],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               timeout=60)
            self.assertNotEqual(p.returncode, 0, name)
            self.assertIn(path + ": ", p.stderr, name)
            self.assertEqual(p.stdout, "", name)


if __name__ == "__main__":
    unittest.main()

"""mlprof on the mlpy-shaped test application: the sandbox child is seen,
user functions carry their .ml file and ML line, hot spots match the
program's own measurements, categories add up and land where they belong,
and bad ML inputs are reported without breaking the report."""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mlproftest import clock_args, tick_clock  # noqa: E402
from mlproftest import (MLPROFCTL, MLPROFD, TOP, InterpreterCase, chroot_interpreters,  # noqa: E402
                        chroot_of, require_root, selected)

APP = os.path.join(TOP, "tests", "mlpy_app")
POINTS = 5.0


def ml_defs(path):
    """{name: line} of `function NAME(` definitions in an .ml file."""
    defs = {}
    with open(path) as f:
        for no, line in enumerate(f, 1):
            m = re.match(r"\s*function\s+([A-Za-z_]\w*)\s*\(", line)
            if m:
                defs[m.group(1)] = no
    return defs


class MlpyRun:
    """One profiled `mlpy run` in a scratch copy of the examples."""

    def __init__(self, prefix, program, *mlpy_args, reports=("ml-summary",)):
        self.tmp = tempfile.mkdtemp(prefix="mlprof-mlpy-")
        self.root = chroot_of(prefix) or ""
        # Inside a chroot the app and examples must be reachable.
        self.work = os.path.join(self.root + "/tmp" if self.root else self.tmp, "mlpy-work")
        shutil.rmtree(self.work, ignore_errors=True)
        shutil.copytree(APP, os.path.join(self.work, "app"),
                        ignore=shutil.ignore_patterns("*.py.map", "__pycache__"))
        inner = self.work[len(self.root):] if self.root else self.work
        self.examples = os.path.join(self.work, "app", "examples")
        for f in os.listdir(self.examples):
            if f.endswith(".py") or f.endswith(".py.map"):
                os.unlink(os.path.join(self.examples, f))
        self.program = os.path.join(self.examples, program)
        if tick_clock() and program == "hotspots.ml":
            # 4x the rounds under the tick's 250 samples/s (work_secs).
            with open(self.program) as f:
                text = f.read()
            with open(self.program, "w") as f:
                f.write(text.replace("rounds: 10,", "rounds: 40,", 1))
        self.snap_path = os.path.join(self.tmp, "snap.json")
        cmd = [MLPROFD, *clock_args(), "--save", self.snap_path, "-f", "json",
               "-o", os.path.join(self.tmp, "out.json")]
        for r in reports:
            cmd += ["-r", r]
        cmd += ["--", *prefix, inner + "/app/bin/mlpy", "run", "--no-cache", *mlpy_args,
                inner + "/app/examples/" + program]
        self.proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   text=True, timeout=180)
        if not os.path.exists(self.snap_path):
            raise AssertionError("no snapshot: " + self.proc.stderr)
        with open(self.snap_path) as f:
            self.snap = json.load(f)
        self.funcs = self.snap["functions"]

    def report(self, rtype, fmt="json"):
        out = subprocess.run([MLPROFCTL, "report", rtype, "-f", fmt, "-i", self.snap_path],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             timeout=60)
        if out.returncode != 0:
            raise AssertionError(out.stderr)
        return json.loads(out.stdout) if fmt == "json" else out.stdout

    def split(self):
        m = re.search(r"MLPY_SPLIT (.*)", self.proc.stdout)
        if not m:
            raise AssertionError("program printed no MLPY_SPLIT:\n" + self.proc.stdout[-2000:])
        return {k: float(v) for k, v in (kv.split("=") for kv in m.group(1).split())}

    def ml_funcs(self):
        return [f for f in self.funcs if f["kind"] == 3]

    def close(self):
        shutil.rmtree(self.tmp, ignore_errors=True)
        shutil.rmtree(self.work, ignore_errors=True)


def interpreters():
    found = [("debian-3.11", ["/usr/bin/python3.11"])]
    sid = [i for i in chroot_interpreters() if i[0] in ("sid-3.14", "sid-3.15-pidns")]
    return selected(found + sid)


class MlpyTests(InterpreterCase):
    interpreters = interpreters()

    def test_hotspots_attribution_and_split(self):
        def check(label, py):
            run = MlpyRun(py, "hotspots.ml")
            try:
                self.assertEqual(run.proc.returncode, 0, run.proc.stderr)
                defs = ml_defs(run.program)
                ml = run.ml_funcs()
                self.assertTrue(ml, label)
                for f in ml:
                    self.assertTrue(f["file"].endswith("/examples/hotspots.ml"), f)
                    if f["name"] != "<top level>":
                        self.assertEqual(f["line"], defs[f["name"]], f)
                    self.assertIn("mlpy_sandbox_", f["py_file"])
                rep = run.report("ml-summary")
                got = {f["name"]: f["samples"] for f in rep["functions"]}
                truth = run.split()
                share = 100.0 * got["hot_a"] / (got["hot_a"] + got["hot_b"])
                want = 100.0 * truth["hot_a"] / (truth["hot_a"] + truth["hot_b"])
                self.assertLess(abs(share - want), POINTS, "%s: %.1f vs %.1f" % (label, share, want))
                self.assertEqual(rep["functions"][0]["name"], "hot_a")
                # The sandbox child was profiled and is part of the run.
                kinds = {p["mlpy"] for p in run.snap["processes"]}
                self.assertEqual(kinds >= {1, 2}, True, kinds)
            finally:
                run.close()
        self.each(check)

    def test_categories_add_up_and_land_right(self):
        def check(label, py):
            run = MlpyRun(py, "hotspots.ml")
            try:
                dev = run.report("dev-summary")
                cats = {c["category"]: c["samples"] for c in dev["categories"]}
                self.assertEqual(sum(cats.values()), dev["samples"], label)
                self.assertEqual(set(cats), {"parsing", "security_analysis", "transpilation",
                                             "sandbox_startup", "runtime_overhead", "ml_code",
                                             "ml_stdlib", "mlpy_other", "python_stdlib",
                                             "interpreter", "unclassified"})
                # --no-cache: the front end really ran, and shows.
                for c in ("parsing", "security_analysis", "transpilation", "sandbox_startup"):
                    self.assertGreater(cats[c], 5, "%s: %s" % (label, c))
                self.assertGreater(cats["ml_code"], 0.4 * dev["samples"], label)
                details = run.report("dev-details")
                by = {c["category"]: c for c in details["categories"]}
                parse_files = {f["file"] for f in by["parsing"]["functions"]}
                self.assertTrue(all("/mlpy/ml/grammar/" in f for f in parse_files), parse_files)
                trans_files = {f["file"] for f in by["transpilation"]["functions"]}
                self.assertTrue(all("/mlpy/ml/codegen/" in f or "/mlpy/ml/transpiler.py" in f
                                    or "/mlpy/ml/resolution/" in f for f in trans_files),
                                trans_files)
                # Nothing from the stdlib is called ML code.
                for f in run.ml_funcs():
                    self.assertTrue(f["file"].endswith(".ml"), f)
                    self.assertNotIn("/lib/python3", f["py_file"])
            finally:
                run.close()
        self.each(check)

    def test_safe_call_is_runtime_overhead(self):
        def check(label, py):
            run = MlpyRun(py, "recursion.ml")
            try:
                details = run.report("dev-details")
                rt = [c for c in details["categories"] if c["category"] == "runtime_overhead"][0]
                names = {f["name"] for f in rt["functions"]}
                self.assertIn("safe_call", names, label)
                self.assertGreater(rt["samples"], 0)
            finally:
                run.close()
        self.each(check)

    def test_imported_module_and_source_map_lines(self):
        def check(label, py):
            run = MlpyRun(py, "modules.ml", "--source-map", reports=("ml-details",))
            try:
                utils = ml_defs(os.path.join(run.examples, "math_utils.ml"))
                main = ml_defs(run.program)
                files = set()
                for f in run.ml_funcs():
                    base = os.path.basename(f["file"])
                    files.add(base)
                    if f["name"] != "<top level>":
                        defs = utils if base == "math_utils.ml" else main
                        self.assertEqual(f["line"], defs[f["name"]], f)
                self.assertEqual(files, {"math_utils.ml", "modules.ml"}, label)
                rep = run.report("ml-details")
                hot = [f for f in rep["functions"] if f["hot_line"] > 0]
                self.assertTrue(hot, "source map gave no statement lines")
                for f in hot:  # statement lines lie inside the .ml file
                    n = sum(1 for _ in open(os.path.join(run.examples, os.path.basename(f["file"]))))
                    self.assertGreaterEqual(f["hot_line"], f["line"])
                    self.assertLessEqual(f["hot_line"], n)
            finally:
                run.close()
        self.each(check)


class MlpyBadInputTests(unittest.TestCase):
    def setUp(self):
        require_root(self)

    def test_malformed_source_map_is_reported_and_report_intact(self):
        run = MlpyRun(["/usr/bin/python3.11"], "hotspots.ml", "--source-map")
        try:
            # A second run reuses the cached prog.py with a broken map.
            with open(os.path.join(run.examples, "hotspots.py.map"), "w") as f:
                f.write('{"sourceMap": {"version": 3, "sources": ["x"], "mappings": "@@@"}}')
            os.utime(os.path.join(run.examples, "hotspots.py"))
            snap = os.path.join(run.tmp, "snap2.json")
            p = subprocess.run([MLPROFD, *clock_args(), "--save", snap, "--", "/usr/bin/python3.11",
                                run.work + "/app/bin/mlpy", "run", "--source-map", run.program],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               timeout=120)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertIn("ML CODE PERFORMANCE SUMMARY", p.stdout)
            self.assertIn("hot_a (hotspots.ml:56)", p.stdout)
            with open(snap) as f:
                procs = json.load(f)["processes"]
            notes = [x["ml_note"] for x in procs if x["ml_note"]]
            self.assertTrue(any("hotspots.py.map" in n for n in notes), notes)
        finally:
            run.close()

    def test_unknown_report_and_unwritable_output(self):
        run = MlpyRun(["/usr/bin/python3.11"], "small.ml")
        try:
            p = subprocess.run([MLPROFCTL, "report", "ml-sumary", "-i", run.snap_path],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            self.assertEqual(p.returncode, 2)
            self.assertIn("unknown report type", p.stderr)
            p = subprocess.run([MLPROFCTL, "report", "all", "-i", run.snap_path, "-o",
                                "/nonexistent/dir/report.txt"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            self.assertNotEqual(p.returncode, 0)
            self.assertIn("/nonexistent/dir/report.txt", p.stderr)
            out = os.path.join(run.tmp, "all.txt")
            p = subprocess.run([MLPROFCTL, "report", "all", "-i", run.snap_path, "-o", out],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertIn(out, p.stderr)
            with open(out) as f:
                text = f.read()
            for title in ("ML CODE PERFORMANCE SUMMARY", "ML CODE DETAILED ANALYSIS",
                          "MLPY PERFORMANCE SUMMARY REPORT", "MLPY INTERNAL PERFORMANCE ANALYSIS",
                          "mlprof raw profile"):
                self.assertIn(title, text)
        finally:
            run.close()


if __name__ == "__main__":
    unittest.main(verbosity=2)

"""mlprof on the real mlpy (MLPY_SRC, default ../shared/mlpy/src, made
importable by scripts/mlpy-real.sh / `make real-mlpy`): breadth over mlpy's
own ML integration programs and depth on tests/workloads/ml/split.ml, on
Debian's python3.11 and the sid root's python3.14.

Without the mlpy folder the tests skip with one line saying what is missing;
under CI=true they fail instead."""
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
from mlproftest import clock_args, tick_clock  # noqa: E402
from mlproftest import MLPROFCTL, MLPROFD, TOP, WORKLOADS, require_root, sid_root  # noqa: E402

MLPY_SRC = os.path.abspath(os.path.join(TOP, os.environ.get("MLPY_SRC", "../shared/mlpy/src")))
MLPY_TESTS = os.path.join(os.path.dirname(MLPY_SRC), "tests", "ml_integration")
ROOT_SRC = "/opt/mlprof-mlpy/src"  # where scripts/mlpy-real.sh copies it in the root
FUNC_ML = 3
POINTS = 5.0
HOST = ("debian-3.11", ["/usr/bin/python3.11"])
SID = ("sid-3.14", ["chroot", sid_root(), "/usr/bin/python3.14"])


def need_mlpy(test):
    """Skip (fail under CI=true) when the real mlpy is not there."""
    missing = None
    if not os.path.isfile(os.path.join(MLPY_SRC, "mlpy", "__init__.py")):
        missing = ("real mlpy missing: no %s/mlpy; set MLPY_SRC to the src folder of an mlpy "
                   "checkout and run `make real-mlpy`" % MLPY_SRC)
    elif subprocess.run(["/usr/bin/python3.11", "-c", "import mlpy, lark"],
                        capture_output=True, cwd="/").returncode:
        missing = "real mlpy not importable by /usr/bin/python3.11: run `make real-mlpy`"
    if missing and os.environ.get("CI") == "true":
        test.fail(missing)
    if missing:
        test.skipTest(missing)


def need_sid(test):
    root = sid_root()
    if not os.path.exists(root + "/usr/bin/python3.14") or \
            not os.path.isfile(root + ROOT_SRC + "/mlpy/__init__.py"):
        msg = "sid root %s without python3.14 or mlpy: run `make real-mlpy`" % root
        if os.environ.get("CI") == "true" or os.environ.get("MLPROF_REQUIRE_SID") == "1":
            test.fail(msg)
        test.skipTest(msg)


def ml_defs(path):
    """{name: [lines]} of `function NAME(` in an .ml file."""
    defs = {}
    with open(path, errors="replace") as f:
        for no, line in enumerate(f, 1):
            m = re.match(r"\s*function\s+([A-Za-z_]\w*)\s*\(", line)
            if m:
                defs.setdefault(m.group(1), []).append(no)
    return defs


class RealRun:
    """One daemon (one-shot) around a shell running `python3 -m mlpy run`
    of each program in turn, in a scratch copy (mlpy writes prog.py beside
    prog.ml)."""

    def __init__(self, interp, programs, timeout, prepare=None):
        self.prefix = interp[1]
        root = self.prefix[1] if self.prefix[0] == "chroot" else ""
        self.tmp = tempfile.mkdtemp(prefix="mlprof-real-")
        self.work = tempfile.mkdtemp(prefix="mlprof-real-w-", dir=(root + "/tmp") if root else None)
        self.inner = self.work[len(root):]
        self.programs = []
        for src in programs:
            sub = os.path.basename(os.path.dirname(src))
            os.makedirs(os.path.join(self.work, sub), exist_ok=True)
            dst = os.path.join(self.work, sub, os.path.basename(src))
            shutil.copy(src, dst)
            self.programs.append(dst)
        # ml_module programs import user modules beside them.
        for src in programs:
            mods = os.path.join(os.path.dirname(src), "user_modules")
            dst = os.path.join(self.work, os.path.basename(os.path.dirname(src)), "user_modules")
            if os.path.isdir(mods) and not os.path.exists(dst):
                shutil.copytree(mods, dst)
        if prepare:
            prepare(self.programs)
        script = "".join("cd %s && %s -m mlpy run %s >/dev/null 2>&1; echo rc=$?\n" % (
            os.path.dirname(p)[len(root):], self.prefix[-1], os.path.basename(p))
            for p in self.programs)
        self.snap_path = os.path.join(self.tmp, "snap.json")
        shell = (self.prefix[:-1] + ["/bin/sh", "-c", script]) if root else ["/bin/sh", "-c", script]
        self.proc = subprocess.run([MLPROFD, *clock_args(), "--save", self.snap_path, "-f", "json", "-o",
                                    os.path.join(self.tmp, "out.json"), "--", *shell],
                                   capture_output=True, text=True, timeout=timeout)
        if not os.path.exists(self.snap_path):
            raise AssertionError("no snapshot: " + self.proc.stderr[-2000:])
        with open(self.snap_path) as f:
            self.snap = json.load(f)
        self.funcs = self.snap["functions"]
        self.root = root

    def host_path(self, path):
        return self.root + path if self.root and not path.startswith(self.root) else path

    def report(self, rtype, fmt="json"):
        out = subprocess.run([MLPROFCTL, "report", rtype, "-f", fmt, "-i", self.snap_path],
                             capture_output=True, text=True, timeout=60)
        if out.returncode:
            raise AssertionError(out.stderr)
        return json.loads(out.stdout) if fmt == "json" else out.stdout

    def ml_on_stacks(self):
        """{func index: samples with it on the stack} of ML functions, on
        stacks that were sampled (a memory-only stack, n 0, charges its
        innermost ML function; one further out may have no time at all)."""
        seen = {}
        for st in self.snap["stacks"]:
            if not st["n"]:
                continue
            f = st["f"]
            for i in sorted({f[k] for k in range(0, len(f), 2)}):
                if self.funcs[i]["kind"] == FUNC_ML:
                    seen[i] = seen.get(i, 0) + st["n"]
        return seen

    def line_samples(self, name):
        """{ML line: samples} of function `name` where it is innermost ML."""
        lines = {}
        for st in self.snap["stacks"]:
            f = st["f"]
            for k in range(0, len(f), 2):
                fn = self.funcs[f[k]]
                if fn["kind"] == FUNC_ML:
                    if fn["name"] == name:
                        lines[f[k + 1]] = lines.get(f[k + 1], 0) + st["n"]
                    break
        return lines

    def cleanup(self):
        shutil.rmtree(self.tmp, ignore_errors=True)
        shutil.rmtree(self.work, ignore_errors=True)


def integration_programs(suites):
    progs = []
    for suite in suites:
        d = os.path.join(MLPY_TESTS, suite)
        progs += sorted(os.path.join(d, f) for f in os.listdir(d) if f.endswith(".ml"))
    return progs


class RealMlpyBreadth(unittest.TestCase):
    """Every program of mlpy's integration suites under one daemon."""

    def check_breadth(self, interp, suites, timeout):
        require_root(self)
        need_mlpy(self)
        progs = integration_programs(suites)
        run = RealRun(interp, progs, timeout)
        self.addCleanup(run.cleanup)
        label = interp[0]
        self.assertEqual(run.proc.returncode, 0, run.proc.stderr[-2000:])
        # Every run seen: one sandbox child per program that got that far,
        # and one `mlpy run` per program.
        procs = run.snap["processes"]
        runs = [p for p in procs if p["mlpy"] == 1 and " run " in p["cmdline"]]
        sandboxes = [p for p in procs if "sandbox_execution.py" in p["cmdline"]]
        run_files = {os.path.basename(p["ml_file"]) for p in runs if p["ml_file"]}
        missing = {os.path.basename(p) for p in progs} - run_files
        self.assertFalse(missing, "%s: no mlpy run seen for %s; their processes: %s; stats %s" % (
            label, sorted(missing),
            [{k: p.get(k) for k in ("pid", "ppid", "exec_seq", "comm", "cmdline", "mlpy", "ml_file",
                                    "status", "message", "ended", "samples")}
             for p in procs if any(m in (p.get("cmdline") or "") for m in missing)],
            {k: v for k, v in run.snap["stats"].items() if v}) +
            "; exit codes %s; mlprofd said %s" % (
                run.proc.stdout.split(), run.proc.stderr[-1500:]))
        self.assertEqual(run_files, {os.path.basename(p) for p in progs}, label)
        self.assertGreaterEqual(len(sandboxes), len(progs) * 0.8, label)
        # No <unknown code object>.
        self.assertEqual(run.snap["stats"]["unresolved_frames"], 0, label)
        unknown = [st for st in run.snap["stacks"]
                   if any("unknown code object" in run.funcs[st["f"][k]]["name"]
                          for k in range(0, len(st["f"]), 2))]
        self.assertFalse(unknown, label)
        # Every ML function's line holds its definition.
        defs = {}
        for f in run.funcs:
            if f["kind"] != FUNC_ML or f["name"] == "<top level>":
                continue
            path = run.host_path(f["file"])
            if path not in defs:
                defs[path] = ml_defs(path)
            if f["name"] == "<lambda>":
                # An arrow function (`fn(x) => ...`) has no `function NAME(`
                # line: unknown (-1) unless a line holding `fn(` is known.
                if f["line"] > 0:
                    with open(path, errors="replace") as mlf:
                        self.assertIn("fn", mlf.read().split("\n")[f["line"] - 1], label)
                continue
            self.assertIn(f["line"], defs[path].get(f["name"], []),
                          "%s: %s (%s:%d) is not its definition" % (label, f["name"], path, f["line"]))
        # Every ML function on a sampled stack is listed in ml-details.
        details = run.report("ml-details")
        listed = {(f["name"], f["file"], f["line"]) for f in details["functions"]}
        on_stacks = run.ml_on_stacks()
        for i in on_stacks:
            f = run.funcs[i]
            self.assertIn((f["name"], f["file"], f["line"]), listed, label)
        # Categories add up to the samples.
        dev = run.report("dev-summary")
        self.assertEqual(sum(c["samples"] for c in dev["categories"]), dev["samples"], label)
        # The sandbox script is never named in ml-summary.
        summary = run.report("ml-summary", "text")
        self.assertNotIn("sandbox_execution", summary,
                         "%s: %s" % (label, [ln for ln in summary.split("\n")
                                             if "sandbox_execution" in ln]))
        # Module bodies are named by their module, never a bare <module>.
        dev_text = run.report("dev-details", "text")
        self.assertNotIn("<module> (", dev_text, label)
        self.assertIn("<module mlpy.", dev_text, label)
        folded = subprocess.run([MLPROFCTL, "export", "collapsed", "-i", run.snap_path],
                                capture_output=True, text=True, timeout=60)
        self.assertEqual(folded.returncode, 0, folded.stderr)
        self.assertNotIn("<module> (", folded.stdout, label)
        self.assertIn("<module mlpy.", folded.stdout, label)
        # Every ML frame has its .ml line but a rare few: the transpiler's
        # preamble (mlpy's runtime imports) is not the program's (before
        # it was told apart, 5,553 of 39,126 samples here had no line).
        self.assertLessEqual(run.snap["stats"].get("ml_lines_unmapped", 0),
                             max(5, dev["samples"] // 200), label)
        print("\n%s: %d programs, %d runs seen, %d sandbox children, %d ML functions on "
              "stacks, %d listed, %d samples, %d ML frames without a line" % (
                  label, len(progs), len(runs), len(sandboxes), len(on_stacks),
                  len(details["functions"]), dev["samples"],
                  run.snap["stats"].get("ml_lines_unmapped", 0)), file=sys.stderr)
        return run

    def test_host_all_suites(self):
        # A hang check, not a pace: the 74 programs took 117-150 s here
        # on this VM, also while other jobs loaded it; 900 s is 6x that.
        self.check_breadth(HOST, ["ml_core", "ml_builtin", "ml_stdlib", "ml_module"], 900)

    def test_sid_314_ml_core(self):
        need_sid(self)
        # 26 programs, under 3 min here: 600 s is a hang check (>3x).
        self.check_breadth(SID, ["ml_core"], 600)


class RealMlpyDepth(unittest.TestCase):
    """split.ml: two identical loops run 2:1 under run_all()."""

    def check_split(self, interp):
        require_root(self)
        need_mlpy(self)
        run = RealRun(interp, [os.path.join(WORKLOADS, "ml", "split.ml")], 300)
        self.addCleanup(run.cleanup)
        label = interp[0]
        details = run.report("ml-details")
        by_name = {f["name"]: f for f in details["functions"]}
        a, b = by_name["loop_a"]["samples"], by_name["loop_b"]["samples"]
        # The program cannot time itself in the real sandbox (no clock it
        # may import): its split is the 2:1 iteration ratio of identical loops.
        self.assertGreater(a + b, 300, label)
        self.assertAlmostEqual(100.0 * a / (a + b), 200.0 / 3.0, delta=POINTS,
                               msg="%s: loop_a %d, loop_b %d" % (label, a, b))
        # run_all ran only through its callees: listed, total >= both loops.
        ra = by_name["run_all"]
        self.assertGreaterEqual(ra["total_samples"], a + b, label)
        self.assertIn("run_all", [f["name"] for f in run.report("ml-summary")["by_total"][:3]])
        # Hot lines: the `acc = ...` statement of each loop, exactly.
        defs = ml_defs(run.programs[0])
        self.assertEqual(by_name["loop_a"]["hot_line"], defs["loop_a"][0] + 4, label)
        self.assertEqual(by_name["loop_b"]["hot_line"], defs["loop_b"][0] + 4, label)
        for name in ("loop_a", "loop_b"):
            lines = run.line_samples(name)
            # Every line a sample got is one of the loop's statements, its
            # `function` line or -1. The function line is the entry: CPython
            # reports the def line for RESUME, which checks the eval breaker,
            # so a GIL hand-off or a signal there is real time on that line
            # (one sample of 1,097 in a CI run); rare, never the bulk.
            start = defs[name][0]
            self.assertFalse([ln for ln in lines if ln != -1 and not start <= ln <= start + 7],
                             "%s: %s lines %s" % (label, name, lines))
            self.assertLessEqual(lines.get(start, 0), max(2, sum(lines.values()) // 50),
                                 "%s: %s lines %s" % (label, name, lines))
        # The transpiler's preamble (its imports of mlpy's runtime, ~20 ms
        # per sandbox here) is mlpy starting up, not the program: charged
        # to <mlpy preamble> (Sandbox Startup), no ML frame left without a
        # line, and ml-summary says nothing of lines it could not align.
        pre = {i for i, f in enumerate(run.funcs) if f["name"] == "<mlpy preamble>"}
        self.assertTrue(pre, label)
        self.assertFalse([i for i in pre if run.funcs[i]["kind"] == FUNC_ML], label)
        pre_n = sum(st["n"] for st in run.snap["stacks"] if pre & set(st["f"][0::2]))
        # ~17 ms of imports: 17 samples expected at 999 Hz, 4 with the
        # tick (MLPROF_CLOCK=tick), where none is too likely to assert on.
        if not tick_clock():
            self.assertGreater(pre_n, 0, label)
        self.assertEqual(run.snap["stats"].get("ml_lines_unmapped", 0), 0, label)
        self.assertNotIn("aligned", run.report("ml-summary", "text"), label)
        self.assertNotIn("<mlpy preamble>", run.report("ml-summary", "text"), label)
        dev = run.report("dev-details")
        print("\n%s: preamble %d samples; dev-details rows named <mlpy preamble>: %s" % (
            label, pre_n, [(f.get("category"), f.get("self_samples")) for f in
                           dev.get("functions", []) if f.get("name") == "<mlpy preamble>"]),
            file=sys.stderr)
        print("\n%s: loop_a %d, loop_b %d samples = %.1f%% (want 66.7%%), run_all total %d, "
              "hot lines %d/%d" % (label, a, b, 100.0 * a / (a + b), ra["total_samples"],
                                   by_name["loop_a"]["hot_line"],
                                   by_name["loop_b"]["hot_line"]), file=sys.stderr)

    def test_host_311(self):
        self.check_split(HOST)

    def split_run(self, prepare, ml_lines, note):
        """split.ml on host 3.11 after prepare(programs): every sandbox
        child's lines came from ml_lines and its note holds note ("" none);
        returns the run and ml-details' functions by name."""
        require_root(self)
        need_mlpy(self)
        run = RealRun(HOST, [os.path.join(WORKLOADS, "ml", "split.ml")], 300, prepare)
        self.addCleanup(run.cleanup)
        procs = [p for p in run.snap["processes"] if p.get("mlpy") == 2]
        self.assertTrue(procs, "no sandbox child in the snapshot")
        for p in procs:
            self.assertEqual(p.get("ml_lines"), ml_lines, p)
            if note:
                self.assertIn(note, p.get("ml_note"), p)
            else:
                self.assertEqual(p.get("ml_note"), "", p)
        if note:
            self.assertIn(note, run.report("ml-summary", fmt="text"))
        return run, {f["name"]: f for f in run.report("ml-details")["functions"]}

    def transpile(self, d, name):
        """`mlpy transpile --sourcemap NAME.ml` in d: NAME.py.map."""
        out = subprocess.run(["/usr/bin/python3.11", "-m", "mlpy", "transpile", "--sourcemap",
                              name + ".ml"], cwd=d, capture_output=True, text=True, timeout=300)
        path = os.path.join(d, name + ".py.map")
        self.assertTrue(os.path.exists(path), out.stdout + out.stderr)
        return path

    def test_host_311_mlpy_source_map(self):
        """With the .py.map `mlpy transpile --sourcemap` writes (mlpy's own
        form), the ML lines come from it and are the same exact lines."""
        def with_map(progs):
            for prog in progs:
                self.transpile(os.path.dirname(prog), "split")
        run, by_name = self.split_run(with_map, "source map", "")
        defs = ml_defs(run.programs[0])
        for name in ("loop_a", "loop_b"):
            self.assertEqual(by_name[name]["hot_line"], defs[name][0] + 4, name)

    def test_host_311_mismatched_source_map(self):
        """A .py.map of another version of the program (its .ml had five
        more lines on top): a data note, and the lines still come from the
        generated Python, never from the stale map."""
        def stale_map(progs):
            for prog in progs:
                d = os.path.dirname(prog)
                with open(prog) as f:
                    text = f.read()
                with open(os.path.join(d, "old.ml"), "w") as f:
                    f.write("// an older version\n" * 5 + text)
                os.rename(self.transpile(d, "old"), prog[:-3] + ".py.map")
        run, by_name = self.split_run(stale_map, "generated Python", "does not match")
        defs = ml_defs(run.programs[0])
        for name in ("loop_a", "loop_b"):
            self.assertEqual(by_name[name]["hot_line"], defs[name][0] + 4, name)

    def test_host_311_ml_changed_after_the_run_began(self):
        """An .ml modified after the mlpy run began (its time stamp in the
        future here, so no race decides it) is not the source of the code
        that runs: a data note, and no line from it at all."""
        def edit_later(progs):
            for prog in progs:
                later = time.time() + 3600
                os.utime(prog, (later, later))
        run, by_name = self.split_run(edit_later, "none", "changed after the run began")
        for name in ("loop_a", "loop_b", "run_all"):
            self.assertEqual(by_name[name]["hot_line"], -1, by_name[name])
            self.assertEqual(by_name[name]["line"], -1, by_name[name])
        self.assertGreater(by_name["loop_a"]["samples"], 0)

    def test_sid_314(self):
        need_sid(self)
        self.check_split(SID)


if __name__ == "__main__":
    unittest.main()

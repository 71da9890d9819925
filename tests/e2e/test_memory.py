"""Memory per function against tracemalloc's truth, peak RSS against the
kernel's VmHWM, and the sandbox child's memory landing in ML functions."""
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mlproftest import clock_args, wait_teardowns  # noqa: E402
from mlproftest import (MLPROFD, TOP, InterpreterCase, chroot_interpreters,  # noqa: E402
                        chroot_of, run_oneshot, selected, workload_path)
from test_daemon import Daemon  # noqa: E402

TOLERANCE = 0.15
ALLOC_ML = """// Builds a large list of strings in one function, only computes in another.
function build(n) {
    out = [];
    for (i in range(n)) {
        append(out, str(i) + "-item");
    }
    return out;
}

function crunch(n) {
    total = 0;
    for (i in range(n)) {
        total = total + i % 7;
    }
    return total;
}

data = build(400000);
print(len(data));
print(crunch(300000));
"""


def interpreters():
    sid = [i for i in chroot_interpreters() if i[0] in ("sid-3.14", "sid-3.13-pidns")]
    return selected([("debian-3.11", ["/usr/bin/python3.11"])] + sid)


def total_alloc(prof, name):
    """Bytes mapped with `name` anywhere on the stack (once per stack)."""
    return sum(st.get("a", 0) for st in prof.snap["stacks"]
               if any(prof.funcs[st["f"][i]]["name"] == name for i in range(0, len(st["f"]), 2)))


class MemoryTests(InterpreterCase):
    interpreters = interpreters()

    def test_functions_against_tracemalloc_and_peak_rss(self):
        def check(label, py):
            truth_out = subprocess.run(py + [workload_path(py, "memory_truth.py"), "64", "96"],
                                       stdout=subprocess.PIPE, text=True, check=True,
                                       timeout=120).stdout
            workload_path(py, "memory.py")  # the truth script imports it
            truth = json.loads(truth_out)
            prof = run_oneshot(py + [workload_path(py, "memory.py"), "64", "96"],
                               extra=("--memory",))
            self.assertEqual(prof.snap["memory"], 1)
            for name in ("small_objects", "big_buffer"):
                got = total_alloc(prof, name)
                self.assertLess(abs(got - truth[name]) / truth[name], TOLERANCE,
                                "%s: %s mapped %.1f MB, tracemalloc says %.1f MB" %
                                (label, name, got / 2**20, truth[name] / 2**20))
            self.assertLess(total_alloc(prof, "cpu_only"), 1 << 20, label)
            m = re.search(r"MLPROF_MEM vmhwm_kb=(\d+)", prof.stdout)
            self.assertTrue(m, prof.stdout)
            procs = [p for p in prof.raw["processes"] if "memory.py" in p["command"]
                     and p["python"]]
            peak = procs[-1]["peak_rss_bytes"] / 1024
            self.assertLess(abs(peak - int(m.group(1))) / int(m.group(1)), 0.05,
                            "%s: peak RSS %d KiB vs VmHWM %s KiB" % (label, peak, m.group(1)))
            # The raw report carries the memory fields per function.
            big = [f for f in prof.raw["functions"] if f["name"] == "big_buffer"][0]
            self.assertGreater(big["resident_bytes_total"], 0.5 * truth["big_buffer"])
            self.assertGreaterEqual(big["alloc_count_total"], 1)
        self.each(check)

    def test_sandbox_memory_lands_in_ml_functions(self):
        def check(label, py):
            root = chroot_of(py) or ""
            work = tempfile.mkdtemp(prefix="mlprof-mlmem-", dir=(root + "/tmp") if root else None)
            inner = work[len(root):] if root else work
            try:
                subprocess.run(["cp", "-r", os.path.join(TOP, "tests", "mlpy_app"), work],
                               check=True)
                with open(os.path.join(work, "alloc.ml"), "w") as f:
                    f.write(ALLOC_ML)
                out = os.path.join(work, "ml.json")
                # How early the sandbox child's probes are in place is the
                # point here: not behind the last subtest's teardown.
                wait_teardowns()
                p = subprocess.run([MLPROFD, *clock_args(), "--memory", "-r", "ml-summary", "-f", "json", "-o",
                                    out, "--",
                                    *py, inner + "/mlpy_app/bin/mlpy", "run", "--no-cache",
                                    inner + "/alloc.ml"],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                   timeout=180)
                self.assertEqual(p.returncode, 0, p.stderr)
                with open(out) as f:
                    rep = json.load(f)
                funcs = {f["name"]: f for f in rep["functions"]}
                truth = json.loads(subprocess.run(
                    py + ["-c", "import tracemalloc, json; tracemalloc.start()\n"
                          "out=[]\nfor i in range(400000): out.append(str(i)+'-item')\n"
                          "print(json.dumps(tracemalloc.get_traced_memory()[0]))"],
                    stdout=subprocess.PIPE, text=True, check=True).stdout)
                # The same list built by plain Python, under tracemalloc: the
                # ML version (through append()/str() bridges, pymalloc size
                # classes and arena slack) maps the same order of memory.
                got = funcs["build"]["alloc_bytes"]
                self.assertGreater(got, 0.85 * truth, "%s: build mapped %.1f MB, tracemalloc "
                                   "%.1f MB" % (label, got / 2**20, truth / 2**20))
                self.assertLess(got, 1.5 * truth, label)
                self.assertGreater(got, 0.8 * rep["ml_alloc_bytes"], label)
                self.assertLess(funcs.get("crunch", {"alloc_bytes": 0})["alloc_bytes"], 1 << 20)
                self.assertGreaterEqual(rep["ml_alloc_bytes"], got)
            finally:
                subprocess.run(["rm", "-rf", work])
        self.each(check)

    def test_live_bytes_held_at_the_end(self):
        """--memory=live: bytes still held when the program is done (at
        Py_FinalizeEx, before the interpreter frees everything), by the
        function that mapped them, against tracemalloc's own count."""
        def check(label, py):
            truth_out = subprocess.run(py + [workload_path(py, "memory_live.py"), "--truth"],
                                       stdout=subprocess.PIPE, text=True, check=True,
                                       timeout=120).stdout
            m = re.search(r"MLPROF_LIVE_TRUTH (.*)", truth_out)
            self.assertTrue(m, truth_out)
            truth = json.loads(m.group(1))
            prof = run_oneshot(py + [workload_path(py, "memory_live.py")],
                               extra=("--memory=live",))
            self.assertEqual(prof.snap["memory"], 2)
            self.assertTrue(prof.raw["memory_live"])
            funcs = {f["qualname"]: f for f in prof.raw["functions"]}
            live = {n: funcs[n]["live_bytes_total"] for n in truth if n in funcs}
            mapped = {n: funcs[n]["alloc_bytes_total"] for n in truth if n in funcs}
            for name in ("keep_buffer", "keep_objects"):
                self.assertLess(abs(live.get(name, 0) - truth[name]) / truth[name], TOLERANCE,
                                "%s: %s holds %.1f MB at the end, tracemalloc says %.1f MB" %
                                (label, name, live.get(name, 0) / 2**20, truth[name] / 2**20))
            # Mapped and given back: nothing held, though much was mapped.
            self.assertGreater(mapped["drop_buffer"], 60 << 20, label)
            self.assertLess(abs(live["drop_buffer"]), 1 << 20, label)
            self.assertGreater(mapped["churn_objects"], 40 << 20, label)
            self.assertLess(live["churn_objects"], 0.1 * mapped["churn_objects"], label)
            self.assertEqual(prof.snap["stats"].get("memop_drops", 0), 0, label)
            self.assertEqual(prof.snap["stats"].get("live_untracked_bytes", 0), 0, label)
        self.each(check)

    def test_peak_rss_and_largest_heap_while_running(self):
        """A process that built 160 MB and gave it back, still running:
        its peak RSS (the kernel's VmHWM, read when the report is made)
        and its largest heap (anonymous resident memory, seen where page
        faults are sampled) against what it read itself at the peak; after
        it exits, the kernel's own peak."""
        def check(label, py):
            d = Daemon("--target", "python")
            w = subprocess.Popen(py + [workload_path(py, "memory_peak.py"), "64", "96"],
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
            try:
                peak = re.search(r"hwm_kb=(\d+) anon_kb=(\d+)", w.stdout.readline())
                after = re.search(r"anon_kb=(\d+)", w.stdout.readline())
                self.assertTrue(peak and after, label)
                hwm, anon, anon_after = (int(peak.group(1)), int(peak.group(2)),
                                         int(after.group(1)))
                self.assertLess(anon_after, 0.5 * anon, "%s: nothing given back" % label)
                rep = d.json("report", "raw")
                def mine(procs):
                    return [q for q in procs if "memory_peak.py" in q["command"] and q["python"]]
                p = [q for q in mine(rep["processes"]) if q["exit_time"] is None]
                self.assertEqual(len(p), 1, rep["processes"])
                got_rss, got_heap = p[0]["peak_rss_bytes"] / 1024, p[0]["peak_heap_bytes"] / 1024
                self.assertLess(abs(got_rss - hwm) / hwm, 0.05,
                                "%s: running peak RSS %d KiB vs VmHWM %d KiB" % (label, got_rss, hwm))
                self.assertLess(abs(got_heap - anon) / anon, 0.05,
                                "%s: largest heap %d KiB vs RssAnon at the peak %d KiB (%d after)"
                                % (label, got_heap, anon, anon_after))
                summary = d.json("report", "ml-summary", "--pid", str(p[0]["pid"]))
                self.assertEqual(summary["peak_heap_bytes"], p[0]["peak_heap_bytes"])
                text = d.ctl("report", "ml-summary", "--pid", str(p[0]["pid"])).stdout
                self.assertIn("Largest Heap (anonymous resident memory of one process): %.1f MB"
                              % (got_heap / 1024), text)
                w.stdin.write("\n")
                w.stdin.flush()
                self.assertEqual(w.wait(timeout=60), 0)
                # The same image once it has exited: its pid, the Python
                # image of it whose start time is closest (the image it
                # exec'd from ended when this one started).
                me = (p[0]["pid"], p[0]["start_time"])
                # A deadline, not a pace: the exit is seen within a second.
                deadline = time.time() + 60
                while time.time() < deadline:
                    procs = d.json("report", "raw")["processes"]
                    p = sorted((q for q in mine(procs) if q["pid"] == me[0]),
                               key=lambda q: abs(q["start_time"] - me[1]))[:1]
                    if p and p[0]["exit_time"] is not None:
                        break
                    time.sleep(0.1)
                self.assertTrue(p and p[0]["exit_time"] is not None, (label, procs))
                self.assertLess(abs(p[0]["peak_rss_bytes"] / 1024 - hwm) / hwm, 0.05,
                                (label, [q for q in procs if q["pid"] == me[0]]))
                self.assertGreaterEqual(p[0]["peak_heap_bytes"] / 1024, got_heap, label)
            finally:
                if w.poll() is None:
                    w.kill()
                    w.wait()
                self.assertEqual(d.stop(), 0)
        self.each(check)

    def test_memory_is_on_by_default_and_no_memory_turns_it_off(self):
        argv = ["/usr/bin/python3.11", workload_path(["x"], "memory.py"), "8", "8"]
        prof = run_oneshot(argv)
        self.assertEqual(prof.snap["memory"], 1)
        self.assertGreater(total_alloc(prof, "big_buffer"), 4 << 20)
        prof = run_oneshot(argv, extra=("--no-memory",))
        self.assertEqual(prof.snap["memory"], 0)
        self.assertFalse(any(st.get("a") or st.get("r") for st in prof.snap["stacks"]))


if __name__ == "__main__":
    unittest.main(verbosity=2)

"""Flake hunting: runs the privileged e2e tests (all of tests/e2e/test_*.py,
or the modules / test ids given) N times, each run in a fresh interpreter,
optionally beside a CPU hog on every CPU (stress-ng --cpu <ncpu>), and
prints per test its pass count over the runs and its median and slowest
wall time; writes the same as JSON (--json). Not part of `make test`:
`make test-repeat N=5 HOG=1 TESTS="test_churn test_service"`.
usage: repeat.py [-n N] [--hog] [--json FILE] [--logs DIR] [TEST ...]"""
import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))


class TimingResult(unittest.TextTestResult):
    """Records each test's outcome and wall time (startTest to stopTest)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.records, self._t0, self._outcome = {}, {}, {}

    def startTest(self, test):
        self._t0[test.id()] = time.monotonic()
        self._outcome[test.id()] = "pass"
        super().startTest(test)

    def _set(self, test, outcome):
        self._outcome[test.id()] = outcome

    def addFailure(self, test, err):
        self._set(test, "fail")
        super().addFailure(test, err)

    def addError(self, test, err):
        # Errors of a class or module fixture carry no startTest.
        self._set(test, "error")
        super().addError(test, err)

    def addSkip(self, test, reason):
        self._set(test, "skip")
        super().addSkip(test, reason)

    def addSubTest(self, test, subtest, err):
        # A failed subtest fails its test (unittest calls no addFailure).
        if err is not None:
            self._set(test, "fail")
        super().addSubTest(test, subtest, err)

    def addUnexpectedSuccess(self, test):
        self._set(test, "fail")
        super().addUnexpectedSuccess(test)

    def stopTest(self, test):
        super().stopTest(test)
        t0 = self._t0.get(test.id(), time.monotonic())
        self.records[test.id()] = {"outcome": self._outcome.get(test.id(), "error"),
                                   "seconds": round(time.monotonic() - t0, 3)}


def interrupt(signum, frame):
    # SIGTERM as ^C: tests' finally blocks stop their daemons and targets
    # (unittest lets KeyboardInterrupt through), the hog is stopped.
    raise KeyboardInterrupt


def child(names, out):
    """One run, in this interpreter: the results as JSON into out."""
    signal.signal(signal.SIGTERM, interrupt)
    sys.path.insert(0, HERE)
    loader = unittest.TestLoader()
    if names:
        suite = loader.loadTestsFromNames(names)
    else:
        suite = loader.discover(HERE, pattern="test_*.py")
    runner = unittest.TextTestRunner(verbosity=2, resultclass=TimingResult)
    res = runner.run(suite)
    records = dict(res.records)
    for test, _ in res.errors:  # fixture errors: no startTest/stopTest
        records.setdefault(test.id(), {"outcome": "error", "seconds": 0.0})
    with open(out, "w") as f:
        json.dump(records, f)
    return 0 if res.wasSuccessful() else 1


def start_hog():
    n = os.cpu_count() or 1
    try:
        p = subprocess.Popen(["stress-ng", "--cpu", str(n), "--quiet"], start_new_session=True,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    except FileNotFoundError:
        sys.exit("repeat: stress-ng is missing (scripts/install-deps.sh installs it)")
    print("repeat: stress-ng --cpu %d (pid %d)" % (n, p.pid), flush=True)
    return p


def stop_hog(p):
    # stress-ng and its workers, the session this script started.
    try:
        os.killpg(p.pid, signal.SIGTERM)
        p.wait(timeout=30)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(p.pid, signal.SIGKILL)
        p.wait()


def summarize(runs):
    tests = {}
    for i, rec in enumerate(runs):
        for tid, r in rec.items():
            t = tests.setdefault(tid, {"runs": 0, "passed": 0, "skipped": 0, "seconds": [],
                                       "failed_runs": []})
            t["runs"] += 1
            t["passed"] += r["outcome"] == "pass"
            t["skipped"] += r["outcome"] == "skip"
            t["seconds"].append(r["seconds"])
            if r["outcome"] in ("fail", "error"):
                t["failed_runs"].append(i + 1)
    for t in tests.values():
        t["median_s"] = round(statistics.median(t["seconds"]), 3)
        t["max_s"] = max(t["seconds"])
    return tests


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=3, help="runs (default 3)")
    ap.add_argument("--hog", action="store_true", help="stress-ng --cpu <ncpu> beside the runs")
    ap.add_argument("--json", help="write the summary here")
    ap.add_argument("--logs", help="keep each run's output here (default: a temporary dir)")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("tests", nargs="*", help="modules or test ids (default: all test_*.py)")
    a = ap.parse_args()
    if a.child:
        return child(a.tests, a.child)
    if os.geteuid() != 0:
        sys.exit("repeat: the privileged tests need root")
    env = dict(os.environ)
    # As `make priv-test`: the sid interpreters must be there, not skipped.
    env.setdefault("MLPROF_SID_ROOT", "/var/cache/mlprof/sid-root")
    env.setdefault("MLPROF_REQUIRE_SID", "1")
    # The runs work in tests/e2e: every path given is made absolute.
    logs = os.path.abspath(a.logs or tempfile.mkdtemp(prefix="mlprof-repeat-"))
    summary_path = os.path.abspath(a.json) if a.json else None
    os.makedirs(logs, exist_ok=True)
    signal.signal(signal.SIGTERM, interrupt)
    hog = start_hog() if a.hog else None
    runs, walls = [], []
    try:
        for i in range(a.n):
            out = os.path.join(logs, "run-%d.json" % (i + 1))
            log = os.path.join(logs, "run-%d.log" % (i + 1))
            if os.path.exists(out):
                os.unlink(out)
            t0 = time.monotonic()
            with open(log, "w") as lf:
                p = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--child", out,
                                      *a.tests], cwd=HERE, env=env, stdout=lf,
                                     stderr=subprocess.STDOUT)
                try:
                    rc = p.wait()
                except KeyboardInterrupt:
                    p.send_signal(signal.SIGTERM)  # it stops its daemons
                    p.wait()
                    raise
            walls.append(round(time.monotonic() - t0, 1))
            rec = {}
            if os.path.exists(out):
                with open(out) as f:
                    rec = json.load(f)
            runs.append(rec)
            bad = sorted(t for t, r in rec.items() if r["outcome"] in ("fail", "error"))
            print("run %d/%d: %d tests, %d failed, %.0f s, exit %d%s (log %s)" %
                  (i + 1, a.n, len(rec), len(bad), walls[-1], rc,
                   "".join("\n  FAILED " + t for t in bad), log), flush=True)
    finally:
        if hog:
            stop_hog(hog)
    tests = summarize(runs)
    print("\n%-78s %7s %8s %8s" % ("test", "passed", "median", "slowest"))
    flaky = 0
    for tid in sorted(tests, key=lambda k: -tests[k]["max_s"]):
        t = tests[tid]
        flaky += t["passed"] + t["skipped"] < t["runs"]
        print("%-78s %3d/%-3d %7.1fs %7.1fs%s" %
              (tid[-78:], t["passed"], t["runs"], t["median_s"], t["max_s"],
               "  skipped %d" % t["skipped"] if t["skipped"] else ""))
    print("\n%d run(s)%s, wall %s s; %d test(s) failed at least once; logs in %s" %
          (a.n, " beside stress-ng" if a.hog else "", walls, flaky, logs))
    if summary_path:
        with open(summary_path, "w") as f:
            json.dump({"runs": a.n, "hog": a.hog, "run_wall_s": walls, "logs": logs,
                       "tests": tests}, f, indent=1)
    return 1 if flaky or any(not r for r in runs) else 0


if __name__ == "__main__":
    sys.exit(main())

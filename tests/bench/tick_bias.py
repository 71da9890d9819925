"""Where the tick clock's split goes wrong (docs/design.md decision 28):
tests/workloads/ratio.py's hot_a share as sampled by --clock tick and by
--clock timer --freq 999, against the share it measured itself, with the
thread's CPU clock read around every call (BLOCK 1) or once per 25 pairs of
calls (BLOCK 25), on an idle machine and beside one busy process per CPU.

Beside busy tasks the scheduler ends a thread's slice at its next clock
update, and reading its own CPU clock is one: the thread's runs then start
at those calls and the next tick lands a fixed CPU time later, so the tick
sees one phase of the loop. The timer's period runs on the thread's CPU
time across switches and does not care.
usage: tick_bias.py [--runs N] [--python EXE] [--seconds S]
Needs root; prints one line per run and the mean absolute error per row."""
import argparse
import os
import statistics
import subprocess
import sys

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(TOP, "tests", "e2e"))
from mlproftest import run_oneshot  # noqa: E402

RATIO = os.path.join(TOP, "tests", "workloads", "ratio.py")
CLOCKS = {"tick": ["--clock", "tick"], "timer 999": ["--clock", "timer", "--freq", "999"]}


def error(py, secs, block, clock):
    """Sampled minus measured hot_a share, in percentage points."""
    prof = run_oneshot([py, RATIO, str(secs), "0.7", str(block)], extra=["--no-memory", *clock])
    truth = prof.split()
    a, b = prof.self_samples("hot_a"), prof.self_samples("hot_b")
    want = 100.0 * truth["hot_a"] / (truth["hot_a"] + truth["hot_b"])
    return (100.0 * a / (a + b) if a + b else 0.0) - want


def measure(runs, python, secs):
    """[(load, block, clock, [errors])], printing each row as it ends."""
    rows = []
    for load in ("idle", "busy"):
        hogs = []
        if load == "busy":
            hogs = [subprocess.Popen([sys.executable, "-c", "while True: pass"])
                    for _ in range(os.cpu_count() or 1)]
        try:
            for block in (1, 25):
                for cname, clock in CLOCKS.items():
                    errs = [error(python, secs, block, clock) for _ in range(runs)]
                    print("%-5s BLOCK %-2d %-9s errors %s" % (load, block, cname, " ".join(
                        "%+.1f" % e for e in errs)), file=sys.stderr, flush=True)
                    rows.append((load, block, cname, errs))
        finally:
            for h in hogs:
                h.kill()
                h.wait()
    return rows


def collect(runs=3, python="/usr/bin/python3.11", secs=3.0):
    """The markdown section for BENCHMARKS.md (bench.py)."""
    out = ["## Tick clock beside busy tasks (`tests/bench/tick_bias.py`)", "",
           "`ratio.py`'s hot_a share as sampled minus as measured, in points, one-shot "
           "`--no-memory` runs of %.0f s (%s), the clock read around every call or once per 25 "
           "pairs of calls; busy: one busy process per CPU beside it (docs/design.md "
           "decision 28)." % (secs, python), "",
           "| machine | clock reads | clock | mean abs. error | errors |", "|---|---|---|---|---|"]
    for load, block, cname, errs in measure(runs, python, secs):
        out.append("| %s | %s | %s | %.1f | %s |" % (
            load, "every call" if block == 1 else "per 25 pairs", cname,
            statistics.mean(abs(e) for e in errs), " ".join("%+.1f" % e for e in errs)))
    return out + [""]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--python", default="/usr/bin/python3.11")
    ap.add_argument("--seconds", type=float, default=3.0)
    a = ap.parse_args()
    print("\n".join(collect(a.runs, a.python, a.seconds)))


if __name__ == "__main__":
    main()

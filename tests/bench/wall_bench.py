"""Cost of the wall view (issue 14, `--mode wall`): the workload's CPU
ratio and the machine's (workload + mlprofd) against the same round's
unprofiled run, in interleaved rounds (each round runs every configuration
once, in a shuffled order), for
- cpu: a CPU-bound target (it never blocks: wall mode adds no walk);
- pingpong: a target that blocks on a pipe 2 x N times (every switch-out
  is walked and every wake-up sent: the most wall mode can cost);
- pingpong-nontarget: the same process, not a target, while the daemon
  profiles an idle interpreter in wall mode with the tick clock (the
  daemon's default): the sched_switch and sched_stat_runtime programs run
  for every task of the machine and must return at once for it;
- mlpy: the real mlpy (MLPY_SRC, default ../shared/mlpy/src) running
  tests/workloads/ml/split.ml (CLI and sandbox child), if present.
Runs are clock_bench.run: daemon mode, `--pid`, `--no-memory`.
usage: wall_bench.py [--rounds N] [--workloads cpu,pingpong,...] [--python EXE]
Needs root."""
import argparse
import os
import statistics
import sys
import tempfile

import clock_bench  # beside this file

TOP = clock_bench.TOP
TIMER = ["--clock", "timer", "--freq", "999"]
WALL = ["--mode", "wall"]

# name: (argv after the interpreter, {config: mlprofd args}, target?)
WORKLOADS = {
    "cpu": ([os.path.join(TOP, "tests/workloads/cpubound.py"), "33", "30", "3"],
            {"timer 999 cpu": TIMER, "timer 999 wall": TIMER + WALL}, True),
    "pingpong": ([os.path.join(TOP, "tests/bench/pingpong.py"), "60000"],
                 {"timer 999 cpu": TIMER, "timer 999 wall": TIMER + WALL}, True),
    "pingpong-nontarget": ([os.path.join(TOP, "tests/bench/pingpong.py"), "60000"],
                           {"tick cpu": ["--clock", "tick"], "tick wall": ["--clock", "tick"] + WALL},
                           False),
    "mlpy": (["-m", "mlpy", "run", "split.ml"],
             {"timer 999 cpu": TIMER, "timer 999 wall": TIMER + WALL}, True),
}


def measure(rounds, names, python):
    rows = []
    with tempfile.TemporaryDirectory(prefix="mlprof-wall-") as tmp:
        for wname in names:
            work, configs, target = WORKLOADS[wname]
            space = clock_bench.workspace(wname, tmp)
            if space is None:
                continue
            env, cwd = space
            cfgs = dict(configs, none=None)
            res = clock_bench.interleaved(
                rounds, cfgs, lambda c: clock_bench.run(python, work, cfgs[c], tmp, env=env,
                                                        cwd=cwd, target=target))
            base = [r[0] for r in res["none"]]
            for c in configs:
                w = [r[0] / b for r, b in zip(res[c], base)]
                m = [(r[0] + r[1]) / b for r, b in zip(res[c], base)]
                bpf = []
                if not target:
                    # The kernel's BPF statistics cost time of their own
                    # (two clock reads per program run): a separate run.
                    was = bpf_stats(True)
                    try:
                        r = clock_bench.run(python, work, cfgs[c], tmp, env=env, cwd=cwd,
                                            target=False)
                    finally:
                        bpf_stats(was)
                    bpf = [r[3] / r[0]]
                rows.append((wname, c, statistics.median(w), min(w), max(w),
                             statistics.median(m), statistics.median(base), rounds,
                             ("%.2f%%" % (100 * statistics.median(bpf))) if bpf else "-"))
                print("%-18s %-15s workload CPU x%.3f (%.3f-%.3f)  machine CPU x%.3f  "
                      "(unprofiled %.2f s CPU, %d pairs)  BPF for it %s" % rows[-1],
                      file=sys.stderr, flush=True)
    return rows


def bpf_stats(on):
    """Sets kernel.bpf_stats_enabled; returns the previous value."""
    path = "/proc/sys/kernel/bpf_stats_enabled"
    with open(path) as f:
        old = f.read().strip()
    with open(path, "w") as f:
        f.write("1" if on else "0")
    return old == "1"


def collect(rounds, names=("cpu", "pingpong", "pingpong-nontarget", "mlpy"),
            python="/usr/bin/python3.11"):
    """The markdown section for BENCHMARKS.md (bench.py)."""
    rows = measure(rounds, names, python)
    out = ["## Wall view (`tests/bench/wall_bench.py`)", "",
           "CPU time of the workload with mlprofd (daemon mode, `--pid`, `--no-memory`) over the "
           "same round's unprofiled run, and of the machine (workload + mlprofd); median of the "
           "pairs (range). `pingpong-nontarget`: the workload is not a target; the daemon "
           "profiles an idle interpreter; *BPF for it* is the time the daemon's programs ran "
           "meanwhile (kernel BPF statistics, in one extra run: they add two clock reads per "
           "program run; nearly all of it on the workload's context switches and ticks) over "
           "the workload's CPU time, a measure that the VM's noise does not blur.", "",
           "| workload | configuration | workload CPU ratio | machine CPU ratio | unprofiled CPU s "
           "| pairs | BPF for it |",
           "|---|---|---|---|---|---|---|"]
    for w, c, med, lo, hi, mach, base, n, bpf in rows:
        out.append(f"| {w} | {c} | {med:.3f} ({lo:.3f}-{hi:.3f}) | {mach:.3f} | {base:.2f} | {n} "
                   f"| {bpf} |")
    return out + [""]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--workloads", default="cpu,pingpong,pingpong-nontarget,mlpy")
    ap.add_argument("--python", default="/usr/bin/python3.11")
    args = ap.parse_args()
    print("\n".join(collect(args.rounds, args.workloads.split(","), args.python)))


if __name__ == "__main__":
    main()

"""What each piece of a sample costs (issue 14): the interpreter phases
with garbage collection (`phase_flags`: two or three reads of interpreter
state per sample) and where a sample's own time went (`where_capture`: the
task's registers, and for IPs outside the interpreter a `bpf_find_vma`),
priced by their absence: mlprofd with MLPROF_BENCH_OFF=phases, =where and
=phases,where beside the full sampler and an unprofiled run, in
interleaved rounds (each round runs every configuration once, shuffled).

Per configuration: the workload's CPU ratio against the same round's
unprofiled run (median and range), and the BPF programs' own time per
sample (kernel BPF statistics, the median of up to three extra runs per
configuration with kernel.bpf_stats_enabled=1, interleaved: the statistics cost two clock reads per
program run, so they are kept out of the ratio runs). The time per
sample is the number the VM's noise blurs least: a piece's price is the
difference between two rows of it.

Workloads: cpu (cpubound.py, pure Python), gc (gcwork.py, a third or more
of its time in the cyclic collector: phases at their dearest), where
(where.py: a Python loop, hashlib and os.read: where at its dearest, a
bpf_find_vma per sample outside the interpreter) and mlpy (the real mlpy
running tests/workloads/ml/split.ml, if MLPY_SRC holds it). Runs are
clock_bench.run: daemon mode, `--pid`, `--no-memory`, timer at 999 Hz.
usage: pieces_bench.py [--rounds N] [--workloads cpu,gc,where,mlpy] [--python EXE]
Needs root."""
import argparse
import os
import statistics
import sys
import tempfile

import clock_bench  # beside this file
import wall_bench  # beside this file: bpf_stats()

TOP = clock_bench.TOP
TIMER = ["--clock", "timer", "--freq", "999"]

WORKLOADS = {
    "cpu": [os.path.join(TOP, "tests/workloads/cpubound.py"), "33", "30", "3"],
    "gc": [os.path.join(TOP, "tests/workloads/gcwork.py"), "3.0"],
    "where": [os.path.join(TOP, "tests/workloads/where.py"), "3.0"],
    "mlpy": ["-m", "mlpy", "run", "split.ml"],
}
# name: MLPROF_BENCH_OFF (None: unprofiled)
CONFIGS = {
    "all pieces": "",
    "no phases": "phases",
    "no where": "where",
    "neither": "phases,where",
    "none": None,
}


def one(python, work, off, tmp, env, cwd, bpf=False):
    denv = None if off is None else dict(os.environ, MLPROF_BENCH_OFF=off)
    return clock_bench.run(python, work, None if off is None else TIMER, tmp, env=env, cwd=cwd,
                           denv=denv, bpf=bpf)


def measure(rounds, names, python):
    rows = []
    with tempfile.TemporaryDirectory(prefix="mlprof-pieces-") as tmp:
        for wname in names:
            work, space = WORKLOADS[wname], clock_bench.workspace(wname, tmp)
            if space is None:
                continue
            env, cwd = space
            res = clock_bench.interleaved(
                rounds, CONFIGS, lambda c: one(python, work, CONFIGS[c], tmp, env, cwd))
            base = [r[0] for r in res["none"]]
            per_sample = {c: [] for c, off in CONFIGS.items() if off is not None}
            was = wall_bench.bpf_stats(True)
            try:
                runs = clock_bench.interleaved(
                    min(3, rounds), list(per_sample),
                    lambda c: one(python, work, CONFIGS[c], tmp, env, cwd, bpf=True))
                for c, rs in runs.items():
                    per_sample[c] = [1e9 * r[3] / r[2] for r in rs if r[2]]
            finally:
                wall_bench.bpf_stats(was)
            per_sample = {c: statistics.median(v) if v else float("nan")
                          for c, v in per_sample.items()}
            for c in CONFIGS:
                if c == "none":
                    continue
                w = [r[0] / b for r, b in zip(res[c], base)]
                rows.append((wname, c, statistics.median(w), min(w), max(w),
                             statistics.median(r[2] / r[0] for r in res[c] if r[0]),
                             per_sample[c], statistics.median(base), rounds))
                print("%-6s %-11s workload CPU x%.3f (%.3f-%.3f)  %.0f samples/CPU s  "
                      "BPF %.0f ns/sample  (unprofiled %.2f s CPU, %d pairs)" % rows[-1],
                      file=sys.stderr, flush=True)
    return rows


def collect(rounds, names=("cpu", "gc", "where", "mlpy"), python="/usr/bin/python3.11"):
    """The markdown section for BENCHMARKS.md (bench.py)."""
    rows = measure(rounds, names, python)
    out = ["## What each piece of a sample costs (`tests/bench/pieces_bench.py`)", "",
           "The sampler (timer, 999 Hz, daemon mode, `--pid`, `--no-memory`) with every piece, "
           "without the interpreter phases and garbage collection (`MLPROF_BENCH_OFF=phases`), "
           "without where a sample's own time went (`=where`) and without both; the workload's "
           "CPU over the same round's unprofiled run, median of the pairs (range), and the BPF "
           "programs' own time per sample (kernel BPF statistics, median of three extra runs "
           "each, interleaved): a "
           "piece's price is the difference between its rows.", "",
           "| workload | configuration | workload CPU ratio | samples / CPU s "
           "| BPF ns / sample | unprofiled CPU s | pairs |",
           "|---|---|---|---|---|---|---|"]
    for w, c, med, lo, hi, rate, ns, base, n in rows:
        out.append(f"| {w} | {c} | {med:.3f} ({lo:.3f}-{hi:.3f}) | {rate:.0f} | {ns:.0f} "
                   f"| {base:.2f} | {n} |")
    return out + [""]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--workloads", default="cpu,gc,where,mlpy")
    ap.add_argument("--python", default="/usr/bin/python3.11")
    args = ap.parse_args()
    print("\n".join(collect(args.rounds, args.workloads.split(","), args.python)))


if __name__ == "__main__":
    main()

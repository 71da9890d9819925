#!/usr/bin/python3
"""What measuring memory costs.  Overhead of mlprof with and without
--memory, against tracemalloc, on the allocation-heavy workload and the mlpy
test application (parent + sandbox child); and the speed of a process that
is not a target (malloc/free in a loop) while the daemon measures memory of
a running target.  Runs are interleaved (one of each configuration per
round) and each ratio is the median over rounds of profiled / unprofiled.
Two ratios: CPU time (user + system of the workload's processes, which is
where every probe and sample handler runs; robust on a shared VM) and wall
time.  Measures only; asserts nothing.
Run as root from the repository:  tests/bench/memory_bench.py [--reps N]"""
import argparse
import json
import random
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402
from bench import BENCH, HOST_PY, TOP  # noqa: E402


def run_measured(argv, cwd=None):
    """(CPU s, wall s) of ARGV and its descendants."""
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=cwd,
                   check=True, timeout=600)
    wall = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime), wall


def prog_times():
    """{prog id: (name, run_time_ns)} of every loaded BPF program (the
    kernel accounts run time while kernel.bpf_stats_enabled is 1)."""
    out = subprocess.run(["bpftool", "-j", "prog", "show"], capture_output=True, text=True,
                         check=True).stdout
    return {p["id"]: (p.get("name", ""), p.get("run_time_ns", 0)) for p in json.loads(out)}


def bpf_ms(before, after):
    """(sampler ms, memory programs ms) run between two prog_times()."""
    cpu = mem = 0
    for pid, (name, ns) in after.items():
        d = ns - before.get(pid, (name, 0))[1]
        if name == "on_sample":
            cpu += d
        elif name == "on_fault" or name.startswith(("on_mmap", "on_mremap", "on_munmap",
                                                    "on_brk", "on_finalize")):
            mem += d
    return cpu / 1e6, mem / 1e6


CONFIGS = [  # (label, daemon freq or None, memory, extra python flags, daemon flags)
    ("unprofiled", None, False, [], []),
    ("mlprof 99 Hz", 99, False, [], []),
    ("mlprof 99 Hz + memory", 99, True, [], []),
    ("mlprof 999 Hz", 999, False, [], []),
    ("mlprof 999 Hz + memory", 999, True, [], []),
    ("mlprof 999 Hz + memory, `--fault-period 32`", 999, True, [], ["--fault-period", "32"]),
    ("mlprof 999 Hz + memory=live", 999, "live", [], []),
    ("tracemalloc (`-X tracemalloc`)", None, False, ["-X", "tracemalloc"], []),
]


def overhead(name, py_argv, reps, cwd=None):
    """Rows (workload, config, cpu ratio, its quartiles, wall ratio, cpu s,
    wall s, sampler BPF ms, memory BPF ms)."""
    res = {c[0]: [] for c in CONFIGS}
    progs = {c[0]: [] for c in CONFIGS}
    run_measured(py_argv, cwd)  # warm-up
    rng = random.Random(1)
    for rep in range(reps):
        # A new order each round: what one configuration leaves behind (a
        # daemon's teardown) must not always precede the same next one.
        for label, freq, memory, flags, dflags in rng.sample(CONFIGS, len(CONFIGS)):
            bench.log(f"memory: {name}: round {rep + 1}/{reps}: {label}")
            d = bench.Daemon(freq, memory=memory, extra=dflags) if freq else None
            try:
                t0 = prog_times()
                res[label].append(run_measured(py_argv[:1] + flags + py_argv[1:], cwd))
                progs[label].append(bpf_ms(t0, prog_times()))
            finally:
                if d:
                    d.stop()
    rows = []
    base = res["unprofiled"]
    for label, *_ in CONFIGS:
        ratios = sorted(c / b[0] for (c, _), b in zip(res[label], base))
        cpu_r = statistics.median(ratios)
        q = statistics.quantiles(ratios, n=4) if len(ratios) > 1 else [cpu_r, cpu_r, cpu_r]
        wall_r = statistics.median(w / b[1] for (_, w), b in zip(res[label], base))
        rows.append((name, label, cpu_r, (q[0], q[2]), wall_r,
                     statistics.median(c for c, _ in res[label]),
                     statistics.median(w for _, w in res[label]),
                     statistics.median(x for x, _ in progs[label]),
                     statistics.median(y for _, y in progs[label])))
    return rows


def non_target(reps, rounds):
    """malloc_loop's CPU and wall time beside a running allocation-heavy
    Python process: without the daemon, with the daemon sampling that
    process (--no-memory), and with the daemon also measuring its memory
    (probes installed). The last two differ only by the memory probes."""
    tmp = tempfile.mkdtemp(prefix="mlprof-membench-")
    exe = os.path.join(tmp, "malloc_loop")
    subprocess.run(["cc", "-O2", "-o", exe, os.path.join(BENCH, "malloc_loop.c")], check=True)
    runs = {None: [], False: [], True: []}
    try:
        for rep in range(reps):
            bench.log(f"memory: non-target malloc loop: round {rep + 1}/{reps}")
            for mode in random.Random(rep).sample([None, False, True], 3):
                t = subprocess.Popen([HOST_PY, os.path.join(BENCH, "alloc_heavy.py"), "100000"],
                                     stdout=subprocess.DEVNULL)
                # That process alone is the target (--target python would
                # also take this script, and malloc_loop as its child).
                d = bench.Daemon(999, memory=mode, target="mlpy",
                                 extra=["--pid", str(t.pid)]) if mode is not None else None
                try:
                    time.sleep(0.3)
                    runs[mode].append(run_measured([exe, str(rounds)]))
                finally:
                    t.kill()
                    t.wait()
                    if d:
                        d.stop()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    def ratio(a, b, k):
        return statistics.median(y[k] / x[k] for x, y in zip(a, b))
    return {"cpu": [statistics.median(r[0] for r in runs[m]) for m in (None, False, True)],
            "mem_vs_nomem": (ratio(runs[False], runs[True], 0), ratio(runs[False], runs[True], 1)),
            "daemon_vs_none": (ratio(runs[None], runs[False], 0),
                               ratio(runs[None], runs[False], 1))}


def collect(reps, rounds):
    """The memory section of BENCHMARKS.md, as markdown lines."""
    with open("/proc/sys/kernel/bpf_stats_enabled") as f:
        stats_was = f.read().strip()
    with open("/proc/sys/kernel/bpf_stats_enabled", "w") as f:
        f.write("1")
    try:
        return collect_lines(reps, rounds)
    finally:
        with open("/proc/sys/kernel/bpf_stats_enabled", "w") as f:
            f.write(stats_was)


def collect_lines(reps, rounds):
    rows = overhead("allocation-heavy", [HOST_PY, os.path.join(BENCH, "alloc_heavy.py"), "30"],
                    reps)
    scratch = tempfile.mkdtemp(prefix="mlprof-membench-mlpy-")
    try:
        ex_dir = os.path.join(scratch, "examples")
        shutil.copytree(os.path.join(TOP, "tests", "mlpy_app", "examples"), ex_dir)
        rows += overhead("mlpy app `run --no-cache hotspots.ml`",
                         [HOST_PY, os.path.join(TOP, "tests", "mlpy_app", "bin", "mlpy"), "run",
                          "--no-cache", os.path.join(ex_dir, "hotspots.ml")], reps, cwd=ex_dir)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    nt = non_target(reps, rounds)
    L = ["## Memory measurement (`tests/bench/memory_bench.py`)\n",
         f"Host `/usr/bin/python3.11`; {reps} interleaved rounds (one run of each configuration "
         "per round, in a shuffled order, the daemon started fresh for each); ratios are medians "
         "of profiled / unprofiled pairs, with their quartiles. CPU = user + system time of the workload's processes, where every "
         "sample handler and memory probe runs (steadier than wall time on a shared VM).\n",
         "BPF ms: the kernel's own account of the time the sampler's program and the memory "
         "programs ran during the workload (`kernel.bpf_stats_enabled`; medians): a floor of "
         "the cost that VM noise does not move (trap, perf-event and cache costs come on "
         "top).\n",
         "| workload | configuration | CPU ratio (quartiles) | wall ratio | CPU s | wall s "
         "| BPF ms sampler | BPF ms memory |",
         "|---|---|---|---|---|---|---:|---:|"]
    for wl, label, cr, (q1, q3), wr, c, w, bs, bm in rows:
        L.append(f"| {wl} | {label} | {cr:.3f} ({q1:.3f}-{q3:.3f}) | {wr:.3f} | {c:.2f} "
                 f"| {w:.2f} | {bs:.1f} | {bm:.1f} |")
    L.append(f"\nA process that is not a target, `malloc_loop {rounds}` (malloc/free, every 64th "
             f"block through mmap/munmap), run beside an allocation-heavy Python target; CPU s "
             f"(median): {nt['cpu'][0]:.3f} without the daemon, {nt['cpu'][1]:.3f} with the "
             f"daemon sampling the target (`--no-memory`), {nt['cpu'][2]:.3f} with memory "
             f"measured too. Memory probes on vs off: CPU ratio {nt['mem_vs_nomem'][0]:.3f}, "
             f"wall ratio {nt['mem_vs_nomem'][1]:.3f} (the programs never run in it: "
             f"`tests/e2e/test_memory_isolation.py`). Daemon (sampling the target) vs none: CPU "
             f"ratio {nt['daemon_vs_none'][0]:.3f}, wall ratio {nt['daemon_vs_none'][1]:.3f}.\n")
    return L


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--rounds", type=int, default=400000, help="malloc_loop iterations")
    a = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("memory_bench: must run as root")
    print("\n".join(collect(a.reps, a.rounds)))


if __name__ == "__main__":
    main()

"""Cost of the sampling clocks (issue 15): the workload's CPU ratio and the
machine's CPU ratio (workload + mlprofd) against an unprofiled run, for
--clock tick, --clock timer --freq 99 and --freq 999, in interleaved
rounds (each round runs every config once, in a shuffled order).

A run: a held child (`sh -c 'read x; exec PY WORKLOAD'`) is made a target
with `mlprofd --pid` (daemon mode, --no-memory), then released. Workload
CPU: the child's rusage (wait4: user + sys, which includes the BPF
programs run in its context). Profiler CPU: mlprofd's utime + stime from
/proc between the release and the child's exit (its start-up excluded).
Not counted: the tick program's runs for other tasks (see the non-target
rows of bpf_cost.py). Also prints samples per second of CPU.
usage: clock_bench.py [--rounds N] [--workloads cpu,threads8,alloc] [--python EXE]
Needs root."""
import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MLPROFD = os.path.join(TOP, "build", "mlprofd")
MLPROFCTL = os.path.join(TOP, "build", "mlprofctl")
HZ = os.sysconf("SC_CLK_TCK")

WORKLOADS = {
    "cpu": [os.path.join(TOP, "tests/workloads/cpubound.py"), "33", "30", "3"],
    "threads8": [os.path.join(TOP, "tests/bench/threads8.py"), "1500000", "8"],
    "alloc": [os.path.join(TOP, "tests/bench/alloc_heavy.py"), "40", "20000"],
}
CONFIGS = {
    "none": None,
    "tick": ["--clock", "tick"],
    "timer 99": ["--clock", "timer", "--freq", "99"],
    "timer 999": ["--clock", "timer", "--freq", "999"],
}


def proc_cpu(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / HZ


def bpf_run_ns(pid):
    """Summed run_time_ns of the BPF programs process pid holds (kernel BPF
    statistics: kernel.bpf_stats_enabled must be 1)."""
    import bpf_cost  # beside this file
    ids = bpf_cost.held_ids(pid)
    out = subprocess.run(["bpftool", "-j", "prog", "show"], capture_output=True, text=True,
                         check=True).stdout
    return sum(p.get("run_time_ns", 0) for p in json.loads(out) if p.get("id") in ids)


def run(py, work, cfg, tmp, env=None, cwd=None, target=True):
    """One run of PY WORK with mlprofd started with cfg (None: unprofiled);
    (workload CPU s, mlprofd CPU s, samples, BPF s). target=False: the
    daemon's target is an idle interpreter and the workload is not a target
    (what a process that is not profiled pays); BPF s is then the time all
    of the daemon's programs ran while the workload did (with
    kernel.bpf_stats_enabled=1), else 0."""
    child = subprocess.Popen(["sh", "-c", 'read x; exec "$0" "$@"', py, *work],
                             stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, env=env, cwd=cwd)
    idle = None
    d = None
    samples = 0
    try:
        if cfg is not None:
            pid = child.pid
            if not target:
                idle = subprocess.Popen([py, "-c", "import time; time.sleep(3600)"])
                pid = idle.pid
            sock = os.path.join(tmp, "s.sock")
            d = subprocess.Popen([MLPROFD, "--no-memory", "--socket", sock, "--pid",
                                  str(pid), *cfg],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            deadline = time.time() + 120
            while not os.path.exists(sock):
                if d.poll() is not None or time.time() > deadline:
                    raise RuntimeError("mlprofd did not start")
                time.sleep(0.02)
            d_cpu0 = proc_cpu(d.pid)
            bpf0 = bpf_run_ns(d.pid) if not target else 0
        child.stdin.write(b"go\n")
        child.stdin.close()
        _, st, ru = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(st)
        if child.returncode:
            raise RuntimeError("workload %s failed (%d)" % (work, child.returncode))
        work_cpu = ru.ru_utime + ru.ru_stime
        prof_cpu = bpf_s = 0.0
        if d is not None:
            prof_cpu = proc_cpu(d.pid) - d_cpu0
            if not target:
                bpf_s = (bpf_run_ns(d.pid) - bpf0) / 1e9
            out = subprocess.run([MLPROFCTL, "-s", sock, "status", "-f", "json"],
                                 stdout=subprocess.PIPE, text=True, timeout=60).stdout
            samples = json.loads(out)["counters"]["samples"]
    finally:
        if d is not None:
            d.terminate()
            d.wait(timeout=60)
            try:
                os.unlink(os.path.join(tmp, "s.sock"))
            except OSError:
                pass
        if idle is not None:
            idle.kill()
            idle.wait()
    return work_cpu, prof_cpu, samples, bpf_s


def measure(rounds, workloads, python):
    rows = []
    with tempfile.TemporaryDirectory(prefix="mlprof-clock-") as tmp:
        for wname in workloads:
            res = {c: [] for c in CONFIGS}
            for _ in range(rounds):
                order = list(CONFIGS)
                random.shuffle(order)
                for c in order:
                    res[c].append(run(python, WORKLOADS[wname], CONFIGS[c], tmp))
            # Pair each run with the same round's unprofiled run.
            base = [r[0] for r in res["none"]]
            for c in CONFIGS:
                if c == "none":
                    continue
                w = [r[0] / b for r, b in zip(res[c], base)]
                m = [(r[0] + r[1]) / b for r, b in zip(res[c], base)]
                rate = [r[2] / r[0] for r in res[c] if r[0]]
                rows.append((wname, c, statistics.median(w), min(w), max(w),
                             statistics.median(m), statistics.median(rate),
                             statistics.median(base), rounds))
                print("%-9s %-10s workload CPU x%.3f (%.3f-%.3f)  machine CPU x%.3f  "
                      "%.0f samples/s of CPU  (unprofiled %.2f s CPU, %d pairs)" % rows[-1],
                      file=sys.stderr, flush=True)
    return rows


def collect(rounds, workloads=("cpu", "threads8", "alloc"), python="/usr/bin/python3.11"):
    """The markdown section for BENCHMARKS.md (bench.py)."""
    rows = measure(rounds, workloads, python)
    out = ["## Sampling clocks (`tests/bench/clock_bench.py`)", "",
           "CPU time of the workload with mlprofd (daemon mode, `--pid`, `--no-memory`) over "
           "the same round's unprofiled run, and of the machine (workload + mlprofd while the "
           "workload ran); median of the pairs (range); samples per second of the workload's "
           "CPU time. Tick: `--clock tick` (the scheduler tick, CONFIG_HZ=250 here).", "",
           "| workload | clock | workload CPU ratio | machine CPU ratio | samples/s of CPU "
           "| unprofiled CPU s | pairs |",
           "|---|---|---|---|---|---|---|"]
    for w, c, med, lo, hi, mach, rate, base, n in rows:
        out.append(f"| {w} | {c} | {med:.3f} ({lo:.3f}-{hi:.3f}) | {mach:.3f} | {rate:.0f} "
                   f"| {base:.2f} | {n} |")
    return out + [""]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--workloads", default="cpu,threads8,alloc")
    ap.add_argument("--python", default="/usr/bin/python3.11")
    args = ap.parse_args()
    print("\n".join(collect(args.rounds, args.workloads.split(","), args.python)))


if __name__ == "__main__":
    main()

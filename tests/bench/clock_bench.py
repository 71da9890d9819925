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
mlpy: `python -m mlpy run split.ml` of the real mlpy (MLPY_SRC), its
sandbox child included (wait4's rusage holds the children it reaped).
Accuracy: tests/workloads/ratio.py 3.0 0.7 25 (its clock read once per 25
pairs of calls) one-shot under each clock, --accuracy-runs times: sampled
minus measured hot_a share in points, and their mean absolute error.
usage: clock_bench.py [--rounds N] [--accuracy-runs N]
                      [--workloads cpu,threads8,alloc,mlpy] [--python EXE]
Needs root."""
import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MLPROFD = os.path.join(TOP, "build", "mlprofd")
MLPROFCTL = os.path.join(TOP, "build", "mlprofctl")
HZ = os.sysconf("SC_CLK_TCK")
MLPY_SRC = os.path.abspath(os.path.join(TOP, os.environ.get("MLPY_SRC", "../shared/mlpy/src")))

WORKLOADS = {
    "cpu": [os.path.join(TOP, "tests/workloads/cpubound.py"), "33", "30", "3"],
    "threads8": [os.path.join(TOP, "tests/bench/threads8.py"), "1500000", "8"],
    "alloc": [os.path.join(TOP, "tests/bench/alloc_heavy.py"), "40", "20000"],
    "mlpy": ["-m", "mlpy", "run", "split.ml"],
}
RATIO = [os.path.join(TOP, "tests/workloads/ratio.py"), "3.0", "0.7", "25"]
CONFIGS = {
    "none": None,
    "tick": ["--clock", "tick"],
    "timer 99": ["--clock", "timer", "--freq", "99"],
    "timer 999": ["--clock", "timer", "--freq", "999"],
}


def mlpy_workspace(tmp):
    """(env, cwd) for `python -m mlpy run split.ml` of the real mlpy in a
    scratch folder under tmp (mlpy writes split.py beside split.ml), or
    None, said on stderr, when MLPY_SRC holds no mlpy."""
    if not os.path.isfile(os.path.join(MLPY_SRC, "mlpy", "__init__.py")):
        print("mlpy: no real mlpy at %s, skipped" % MLPY_SRC, file=sys.stderr)
        return None
    cwd = os.path.join(tmp, "ml")
    os.makedirs(cwd, exist_ok=True)
    shutil.copy(os.path.join(TOP, "tests/workloads/ml/split.ml"), cwd)
    return dict(os.environ, PYTHONPATH=MLPY_SRC), cwd


def workspace(wname, tmp):
    """(env, cwd) to run workload wname in ((None, None): ours), or None
    when it cannot run here (the real mlpy missing, said on stderr)."""
    return mlpy_workspace(tmp) if wname == "mlpy" else (None, None)


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


def run(py, work, cfg, tmp, env=None, cwd=None, target=True, denv=None, bpf=None):
    """One run of PY WORK with mlprofd started with cfg (None: unprofiled)
    and environment denv (default ours); (workload CPU s, mlprofd CPU s,
    samples, BPF s). target=False: the daemon's target is an idle
    interpreter and the workload is not a target (what a process that is
    not profiled pays). BPF s (when bpf, by default when not target): the
    time all of the daemon's programs ran while the workload did (with
    kernel.bpf_stats_enabled=1), else 0."""
    child = subprocess.Popen(["sh", "-c", 'read x; exec "$0" "$@"', py, *work],
                             stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, env=env, cwd=cwd)
    idle = None
    d = None
    samples = 0
    bpf = (not target) if bpf is None else bpf
    try:
        if cfg is not None:
            pid = child.pid
            if not target:
                idle = subprocess.Popen([py, "-c", "import time; time.sleep(3600)"])
                pid = idle.pid
            sock = os.path.join(tmp, "s.sock")
            d = subprocess.Popen([MLPROFD, "--no-memory", "--socket", sock, "--pid",
                                  str(pid), *cfg],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=denv)
            deadline = time.time() + 120
            while not os.path.exists(sock):
                if d.poll() is not None or time.time() > deadline:
                    raise RuntimeError("mlprofd did not start")
                time.sleep(0.02)
            d_cpu0 = proc_cpu(d.pid)
            bpf0 = bpf_run_ns(d.pid) if bpf else 0
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
            if bpf:
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


def accuracy(runs, python):
    """{clock: [sampled - measured hot_a share, points]} of one-shot runs
    of ratio.py under each clock, interleaved."""
    sys.path.insert(0, os.path.join(TOP, "tests", "e2e"))
    from mlproftest import run_oneshot  # noqa: E402
    out = {c: [] for c in CONFIGS if CONFIGS[c] is not None}
    for _ in range(runs):
        for c in out:
            prof = run_oneshot([python, *RATIO], extra=["--no-memory", *CONFIGS[c]])
            truth = prof.split()
            a, b = prof.self_samples("hot_a"), prof.self_samples("hot_b")
            out[c].append(100.0 * a / max(a + b, 1) -
                          100.0 * truth["hot_a"] / (truth["hot_a"] + truth["hot_b"]))
    return out


def interleaved(rounds, configs, one):
    """one(config) for every config once a round, in a new random order
    each round (the VM's drift spreads over all of them): {config:
    [results, a round each]}."""
    res = {c: [] for c in configs}
    for _ in range(rounds):
        order = list(configs)
        random.shuffle(order)
        for c in order:
            res[c].append(one(c))
    return res


def measure(rounds, workloads, python):
    rows = []
    with tempfile.TemporaryDirectory(prefix="mlprof-clock-") as tmp:
        for wname in workloads:
            space = workspace(wname, tmp)
            if space is None:
                continue
            env, cwd = space
            res = interleaved(rounds, CONFIGS,
                              lambda c: run(python, WORKLOADS[wname], CONFIGS[c], tmp,
                                            env=env, cwd=cwd))
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


def collect(rounds, workloads=("cpu", "threads8", "alloc", "mlpy"), python="/usr/bin/python3.11",
            acc_runs=3):
    """The markdown section for BENCHMARKS.md (bench.py)."""
    rows = measure(rounds, workloads, python)
    acc = accuracy(acc_runs, python) if acc_runs else {}
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
    if acc:
        out += ["", "Accuracy: `ratio.py 3.0 0.7 25` one-shot (`--no-memory`) under each clock, "
                "sampled minus measured hot_a share (points).", "",
                "| clock | accuracy MAE (points) | errors |", "|---|---|---|"]
        for c, errs in acc.items():
            out.append("| %s | %.1f | %s |" % (c, statistics.mean(abs(e) for e in errs),
                                                " ".join("%+.1f" % e for e in errs)))
    return out + [""]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--accuracy-runs", type=int, default=3)
    ap.add_argument("--workloads", default="cpu,threads8,alloc,mlpy")
    ap.add_argument("--python", default="/usr/bin/python3.11")
    args = ap.parse_args()
    print("\n".join(collect(args.rounds, args.workloads.split(","), args.python,
                            args.accuracy_runs)))


if __name__ == "__main__":
    main()

"""mlprof beside a peer on one interpreter (issue 15): CPython 3.15's own
sampler (`python3.15 -m profiling.sampling`, a separate process reading
the target's memory, 1 kHz, `--mode cpu`), mlprof's timer at 999 Hz and its
tick clock, all on the sid chroot's python3.15 (MLPROF_SID_ROOT, default
/var/cache/mlprof/sid-root).

- Cost: tests/workloads/cpubound.py (fixed work) in interleaved rounds
  (each round runs every configuration once, shuffled): the workload's CPU
  time over the same round's unprofiled run, and the machine's (workload +
  the profiler's own process: mlprofd, or the sampler) over it. mlprof runs
  are clock_bench.run (daemon mode, --pid, --no-memory); the sampler
  attaches to the released workload.
- Accuracy: tests/workloads/ratio.py (its clock read once per 25 pairs of
  calls) run under each profiler: sampled minus measured hot_a share, in
  points.

Austin has no row: Debian 12's austin 1.0.1 finds no interpreter state in
Python 3.11 or later ("Interpreter state search timed out").
usage: peers_bench.py [--rounds N] [--accuracy-runs N]
Needs root."""
import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile

import clock_bench  # beside this file

TOP = clock_bench.TOP
sys.path.insert(0, os.path.join(TOP, "tests", "e2e"))
from mlproftest import run_oneshot  # noqa: E402

ROOT = os.environ.get("MLPROF_SID_ROOT", "/var/cache/mlprof/sid-root")
PY = "/usr/bin/python3.15"
INNER = "/tmp/mlprof-peers"  # the workloads' directory inside the chroot
CPU_WORK = ["cpubound.py", "30", "30", "3"]
SAMPLER = ["-m", "profiling.sampling"]
SAMPLER_ARGS = ["--mode", "cpu", "-r", "1khz", "--collapsed"]
CONFIGS = {
    "none": None,
    "mlprof timer 999": ["--clock", "timer", "--freq", "999"],
    "mlprof tick": ["--clock", "tick"],
    "3.15 sampler 1 kHz": "sampler",
}


def inner(name):
    return os.path.join(INNER, name)


def run_sampler(work):
    """(workload CPU s, sampler CPU s, samples) of one run with the 3.15
    sampler attached."""
    child = subprocess.Popen(["sh", "-c", 'read x; exec "$0" "$@"', "chroot", ROOT, PY, *work],
                             stdin=subprocess.PIPE, stdout=subprocess.DEVNULL)
    child.stdin.write(b"go\n")
    child.stdin.close()
    s = subprocess.Popen(["chroot", ROOT, PY, *SAMPLER, "attach", str(child.pid), *SAMPLER_ARGS,
                          "-o", inner("attach.txt")],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, st, ru = os.wait4(child.pid, 0)
    if os.waitstatus_to_exitcode(st):
        raise RuntimeError("workload failed")
    _, _, rs = os.wait4(s.pid, 0)
    samples = 0
    try:
        with open(os.path.join(ROOT, inner("attach.txt").lstrip("/"))) as f:
            samples = sum(int(line.rsplit(" ", 1)[1]) for line in f if line.strip())
    except (OSError, ValueError, IndexError):
        pass
    return ru.ru_utime + ru.ru_stime, rs.ru_utime + rs.ru_stime, samples


def cost(rounds):
    """{config: [(workload ratio, machine ratio, samples/s)]}."""
    work = [inner(CPU_WORK[0]), *CPU_WORK[1:]]
    out = {c: [] for c in CONFIGS if c != "none"}
    with tempfile.TemporaryDirectory(prefix="mlprof-peers-") as tmp:
        for r in range(rounds):
            order = list(CONFIGS)
            random.shuffle(order)
            got = {}
            for c in order:
                cfg = CONFIGS[c]
                if cfg == "sampler":
                    got[c] = run_sampler(work)
                else:
                    w, p, n, _ = clock_bench.run("chroot", [ROOT, PY, *work], cfg, tmp)
                    got[c] = (w, p, n)
            base = got["none"][0]
            for c in out:
                w, p, n = got[c]
                rate = n / w  # samples per second of workload CPU
                out[c].append((w / base, (w + p) / base, rate))
            print("round %d: %s" % (r + 1, {c: "%.3f" % (got[c][0] / base) for c in out}),
                  file=sys.stderr, flush=True)
    return out


def split_of_collapsed(path):
    a = b = 0
    with open(path) as f:
        for line in f:
            stack, _, n = line.strip().rpartition(" ")
            leaf = stack.rsplit(";", 1)[-1].split(":")
            if len(leaf) >= 2 and leaf[-2] in ("hot_a", "hot_b"):
                a += int(n) if leaf[-2] == "hot_a" else 0
                b += int(n) if leaf[-2] == "hot_b" else 0
    return a, b


def accuracy(runs):
    """{config: [errors in points]} on ratio.py (BLOCK 25)."""
    work = [inner("ratio.py"), "3.0", "0.7", "25"]
    out = {c: [] for c in CONFIGS if c != "none"}
    for _ in range(runs):
        for c, cfg in CONFIGS.items():
            if cfg is None:
                continue
            if cfg == "sampler":
                p = subprocess.run(["chroot", ROOT, PY, *SAMPLER, "run", *SAMPLER_ARGS, "-o",
                                    inner("run.txt"), *work], stdout=subprocess.PIPE, text=True,
                                   stderr=subprocess.DEVNULL, timeout=300)
                truth = dict(kv.split("=") for kv in
                             p.stdout.split("MLPROF_SPLIT ", 1)[1].splitlines()[0].split())
                a, b = split_of_collapsed(os.path.join(ROOT, inner("run.txt").lstrip("/")))
            else:
                prof = run_oneshot(["chroot", ROOT, PY, *work], extra=["--no-memory", *cfg])
                truth = prof.split()
                a, b = prof.self_samples("hot_a"), prof.self_samples("hot_b")
            ta, tb = float(truth["hot_a"]), float(truth["hot_b"])
            out[c].append(100.0 * a / max(a + b, 1) - 100.0 * ta / (ta + tb))
    return out


def collect(rounds=15, acc_runs=3):
    """The markdown section for BENCHMARKS.md (bench.py)."""
    if not os.access(os.path.join(ROOT, PY.lstrip("/")), os.X_OK):
        return ["## Peers on python3.15 (`tests/bench/peers_bench.py`)", "",
                "Not run: no %s in %s." % (PY, ROOT), ""]
    os.makedirs(os.path.join(ROOT, INNER.lstrip("/")), exist_ok=True)
    for name in ("cpubound.py", "ratio.py"):
        shutil.copy(os.path.join(TOP, "tests", "workloads", name),
                    os.path.join(ROOT, INNER.lstrip("/")))
    c = cost(rounds)
    acc = accuracy(acc_runs)
    out = ["## Peers on python3.15 (`tests/bench/peers_bench.py`)", "",
           "CPython 3.15's own sampler (1 kHz, `--mode cpu`, out of process) beside mlprof's "
           "clocks on the sid chroot's python3.15. Cost: `cpubound.py 30 30 3`, median (range) "
           "of %d interleaved pairs against the same round's unprofiled run; machine = workload "
           "+ the profiler's process. Accuracy: `ratio.py 3.0 0.7 25`, sampled minus measured "
           "hot_a share over %d runs. Austin: no row (Debian 12's austin 1.0.1 does not find "
           "3.11+ interpreters)." % (rounds, acc_runs), "",
           "| profiler | workload CPU ratio | machine CPU ratio | samples / CPU s "
           "| accuracy MAE (points) | errors |", "|---|---|---|---|---|---|"]
    for name, rows in c.items():
        wr = [x[0] for x in rows]
        mr = [x[1] for x in rows]
        errs = acc[name]
        out.append("| %s | %.3f (%.3f-%.3f) | %.3f (%.3f-%.3f) | %.0f | %.1f | %s |" % (
            name, statistics.median(wr), min(wr), max(wr), statistics.median(mr), min(mr),
            max(mr), statistics.median(x[2] for x in rows),
            statistics.mean(abs(e) for e in errs), " ".join("%+.1f" % e for e in errs)))
    return out + [""]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=15)
    ap.add_argument("--accuracy-runs", type=int, default=3)
    a = ap.parse_args()
    print("\n".join(collect(a.rounds, a.accuracy_runs)))


if __name__ == "__main__":
    main()

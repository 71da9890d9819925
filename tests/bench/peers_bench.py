"""mlprof beside its peers (issue 15), each on an interpreter it supports,
in the sid chroot (MLPROF_SID_ROOT, default /var/cache/mlprof/sid-root):
CPython 3.15's own sampler (`python3.15 -m profiling.sampling`, a separate
process reading the target's memory, 1 kHz, `--mode cpu`) on python3.15,
and Austin 3.7 (`-s -i 1ms`: 1 kHz, idle samples dropped) on python3.13,
each beside mlprof's timer at 999 Hz and its tick clock on the same
interpreter. Austin is sid's package, unpacked by scripts/get-austin.sh
(it cannot be installed there: it depends on python3 < 3.14); without it
that group has no Austin row.

- Cost: tests/workloads/cpubound.py (fixed work) in interleaved rounds
  (each round runs every configuration once, shuffled): the workload's CPU
  time over the same round's unprofiled run, and the machine's (workload +
  the profiler's own process: mlprofd, or the sampler) over it. mlprof runs
  are clock_bench.run (daemon mode, --pid, --no-memory); the sampler
  attaches to the released workload.
- Accuracy: tests/workloads/ratio.py (its clock read once per 25 pairs of
  calls) run under each profiler: sampled minus measured hot_a share, in
  points.

Debian 12's own austin 1.0.1 finds no interpreter state in Python 3.11 or
later ("Interpreter state search timed out").
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
AUSTIN = "/opt/austin/usr/bin/austin"  # inside the chroot
INNER = "/tmp/mlprof-peers"  # the workloads' directory inside the chroot
CPU_WORK = ["cpubound.py", "30", "30", "3"]
MLPROF = {
    "mlprof timer 999": ["--clock", "timer", "--freq", "999"],
    "mlprof tick": ["--clock", "tick"],
}


class Peer:
    """A profiler of the interpreter py: argv to attach to a pid and to run
    a command, both writing OUT (lines "frame;...;file:func:line N")."""

    def __init__(self, name, py, attach, run, counts_are_samples):
        self.name, self.py = name, py
        self.attach, self.run = attach, run
        self.counts_are_samples = counts_are_samples  # else one line per sample


SAMPLER_ARGS = ["--mode", "cpu", "-r", "1khz", "--collapsed"]
PEERS = [
    Peer("3.15 sampler 1 kHz", "/usr/bin/python3.15",
         lambda py, pid, out: [py, "-m", "profiling.sampling", "attach", str(pid), *SAMPLER_ARGS,
                               "-o", out],
         lambda py, cmd, out: [py, "-m", "profiling.sampling", "run", *SAMPLER_ARGS, "-o", out,
                               *cmd], True),
    Peer("Austin 3.7 1 kHz", "/usr/bin/python3.13",
         lambda py, pid, out: [AUSTIN, "-s", "-i", "1ms", "-o", out, "-p", str(pid)],
         lambda py, cmd, out: [AUSTIN, "-s", "-i", "1ms", "-o", out, py, *cmd], False),
]


def inner(name):
    return os.path.join(INNER, name)


def host(path):
    return os.path.join(ROOT, path.lstrip("/"))


def read_out(path, counts_are_samples):
    """(hot_a, hot_b, samples) of a peer's output."""
    a = b = n = 0
    with open(host(path)) as f:
        for line in f:
            stack, _, k = line.strip().rpartition(" ")
            if not stack or line.startswith("#") or not k.isdigit():
                continue
            n += int(k) if counts_are_samples else 1
            leaf = stack.rsplit(";", 1)[-1].split(":")
            if len(leaf) >= 2 and leaf[-2] == "hot_a":
                a += int(k)
            elif len(leaf) >= 2 and leaf[-2] == "hot_b":
                b += int(k)
    return a, b, n


def run_peer(peer, work):
    """(workload CPU s, peer CPU s, samples) of one run with the peer
    attached to the released workload."""
    child = subprocess.Popen(["sh", "-c", 'read x; exec "$0" "$@"', "chroot", ROOT, peer.py,
                              *work], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL)
    child.stdin.write(b"go\n")
    child.stdin.close()
    s = subprocess.Popen(["chroot", ROOT, *peer.attach(peer.py, child.pid, inner("attach.txt"))],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, st, ru = os.wait4(child.pid, 0)
    if os.waitstatus_to_exitcode(st):
        raise RuntimeError("workload failed")
    _, _, rs = os.wait4(s.pid, 0)
    try:
        n = read_out(inner("attach.txt"), peer.counts_are_samples)[2]
    except OSError:
        n = 0
    return ru.ru_utime + ru.ru_stime, rs.ru_utime + rs.ru_stime, n


def cost(peer, rounds):
    """{config: [(workload ratio, machine ratio, samples per workload CPU s)]}
    for the peer and mlprof's clocks on the peer's interpreter."""
    work = [inner(CPU_WORK[0]), *CPU_WORK[1:]]
    configs = ["none", *MLPROF, peer.name]
    out = {c: [] for c in configs[1:]}
    with tempfile.TemporaryDirectory(prefix="mlprof-peers-") as tmp:
        for r in range(rounds):
            random.shuffle(configs)
            got = {}
            for c in configs:
                if c == peer.name:
                    got[c] = run_peer(peer, work)
                else:
                    w, p, n, _ = clock_bench.run("chroot", [ROOT, peer.py, *work], MLPROF.get(c),
                                                 tmp)
                    got[c] = (w, p, n)
            base = got["none"][0]
            for c in out:
                w, p, n = got[c]
                out[c].append((w / base, (w + p) / base, n / w))
            print("%s round %d: %s" % (peer.py, r + 1, {c: "%.3f" % (got[c][0] / base)
                                                         for c in out}),
                  file=sys.stderr, flush=True)
    return out


def accuracy(peer, runs):
    """{config: [errors in points]} on ratio.py (BLOCK 25)."""
    work = [inner("ratio.py"), "3.0", "0.7", "25"]
    out = {c: [] for c in [*MLPROF, peer.name]}
    for _ in range(runs):
        for c in out:
            if c == peer.name:
                p = subprocess.run(["chroot", ROOT, *peer.run(peer.py, work, inner("run.txt"))],
                                   stdout=subprocess.PIPE, text=True, stderr=subprocess.DEVNULL,
                                   timeout=300)
                truth = dict(kv.split("=") for kv in
                             p.stdout.split("MLPROF_SPLIT ", 1)[1].splitlines()[0].split())
                a, b, _ = read_out(inner("run.txt"), peer.counts_are_samples)
            else:
                prof = run_oneshot(["chroot", ROOT, peer.py, *work],
                                   extra=["--no-memory", *MLPROF[c]])
                truth = prof.split()
                a, b = prof.self_samples("hot_a"), prof.self_samples("hot_b")
            ta, tb = float(truth["hot_a"]), float(truth["hot_b"])
            out[c].append(100.0 * a / max(a + b, 1) - 100.0 * ta / (ta + tb))
    return out


def available(peer):
    exe = peer.attach(peer.py, 1, "x")[0]
    return all(os.access(host(x), os.X_OK) for x in (peer.py, exe))


def collect(rounds=15, acc_runs=3):
    """The markdown section for BENCHMARKS.md (bench.py)."""
    out = ["## Peers (`tests/bench/peers_bench.py`)", "",
           "CPython 3.15's own sampler (1 kHz, `--mode cpu`) on the sid chroot's python3.15 and "
           "Austin 3.7 (1 kHz, `-s`) on its python3.13, each beside mlprof's clocks on the same "
           "interpreter; both peers are separate processes reading the target's memory. Cost: "
           "`cpubound.py 30 30 3`, median (range) of %d interleaved pairs against the same "
           "round's unprofiled run; machine = workload + the profiler's process. Accuracy: "
           "`ratio.py 3.0 0.7 25`, sampled minus measured hot_a share over %d runs."
           % (rounds, acc_runs), "",
           "| interpreter | profiler | workload CPU ratio | machine CPU ratio | samples / CPU s "
           "| accuracy MAE (points) | errors |", "|---|---|---|---|---|---|---|"]
    os.makedirs(host(INNER), exist_ok=True)
    for name in ("cpubound.py", "ratio.py"):
        shutil.copy(os.path.join(TOP, "tests", "workloads", name), host(INNER))
    for peer in PEERS:
        if not available(peer):
            out.append("| %s | %s | not run: %s or the profiler missing in %s%s | | | | |" % (
                os.path.basename(peer.py), peer.name, peer.py, ROOT,
                " (scripts/get-austin.sh)" if "Austin" in peer.name else ""))
            continue
        c = cost(peer, rounds)
        acc = accuracy(peer, acc_runs)
        for name, rows in c.items():
            wr = [x[0] for x in rows]
            mr = [x[1] for x in rows]
            errs = acc[name]
            out.append("| %s | %s | %.3f (%.3f-%.3f) | %.3f (%.3f-%.3f) | %.0f | %.1f | %s |" % (
                os.path.basename(peer.py), name, statistics.median(wr), min(wr), max(wr),
                statistics.median(mr), min(mr), max(mr), statistics.median(x[2] for x in rows),
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

"""Process churn around one long-lived process with a known split.

Waits for a line on stdin (so a profiler can attach to this process first),
then starts tests/workloads/ratio_live.py (a 70/30 split it measures
itself). With --burst B it then waits for the next time bucket (--bucket S:
CLOCK_MONOTONIC multiples of S, as the daemon's) so that the long-lived
process has samples in an older bucket, and runs B short-lived interpreters
(at most 4 at a time), each calling --burst-funcs K functions of names of
their own, each spinning 2 ms of its thread's CPU time: about K sampled
stacks per process at 999 Hz whatever the machine's speed, so a daemon
with smaller tables must drop buckets early (the caps are hit by
construction, not by pace). Then, while the long-lived process runs, N
short-lived interpreters paced over DURATION seconds (at most 4 at a time;
later if the machine is slower), each running a function of its own name
(so functions and stacks churn too). Then it lets ratio_live.py run alone
for TAIL seconds and prints CHURN spawned=<n> failed=<n> burst=<b>
burst_failed=<n> wall=<s>. With --hold it then waits for a line on stdin
(the harness looks at the daemon while the long-lived process still runs).
Then it stops ratio_live.py (SIGTERM) and prints its MLPROF_SPLIT line.
usage: churn.py DURATION N [TAIL=0] [PYTHON] [--burst B] [--burst-funcs K]
                [--bucket S] [--hold]"""
import ctypes
import os
import signal
import subprocess
import sys
import time

PR_SET_PDEATHSIG = 1


def die_with_parent():
    """In the child: SIGTERM when churn.py goes (a test that kills it on
    a timeout must not leave ratio_live.py spinning on the machine)."""
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)

HERE = os.path.dirname(os.path.abspath(__file__))
PARALLEL = 4  # short-lived interpreters at a time
SPIN_S = 0.002  # thread CPU time per burst function: 2 samples at 999 Hz


def parse(argv):
    opts = {"--burst": 0, "--burst-funcs": 40, "--bucket": 0.0, "--hold": False}
    pos = []
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "--hold":
            opts[a] = True
        elif a in opts:
            i += 1
            opts[a] = type(opts[a])(argv[i])
        else:
            pos.append(a)
        i += 1
    return pos, opts


def burst_code(i, k):
    """A program calling k functions of its own (b<i>_<j>), each spinning
    SPIN_S of thread CPU time (not wall time: a busy machine only makes it
    slower, never sampled less)."""
    lines = ["import time"]
    for j in range(k):
        lines += ["def b%d_%d():" % (i, j),
                  "    end = time.thread_time() + %r" % SPIN_S,
                  "    while time.thread_time() < end:",
                  "        pass"]
    lines += ["b%d_%d()" % (i, j) for j in range(k)]
    return "\n".join(lines) + "\n"


def run_all(py, codes, ratio, due=None):
    """Runs the programs, PARALLEL at a time, program i not before due(i)
    when given; returns (spawned, failed)."""
    spawned = failed = 0
    running = []
    while spawned < len(codes) and ratio.poll() is None:
        for r in [r for r in running if r.poll() is not None]:
            failed += r.returncode != 0
            running.remove(r)
        wait = (due(spawned) - time.monotonic()) if due else 0.0
        if wait > 0 or len(running) >= PARALLEL:
            time.sleep(min(max(wait, 0.005), 0.5))
            continue
        running.append(subprocess.Popen([py, "-S", "-c", codes[spawned]],
                                        stdout=subprocess.DEVNULL))
        spawned += 1
    for r in running:
        failed += r.wait() != 0
    return spawned, failed


def main():
    pos, opts = parse(sys.argv[1:])
    duration, n = float(pos[0]), int(pos[1])
    tail = float(pos[2]) if len(pos) > 2 else 0.0
    py = pos[3] if len(pos) > 3 else "/usr/bin/python3.11"
    sys.stdin.readline()
    start = time.monotonic()
    ratio = subprocess.Popen([py, os.path.join(HERE, "ratio_live.py"), "0.7"],
                             stdout=subprocess.PIPE, text=True, preexec_fn=die_with_parent)
    ratio.stdout.readline()  # ready: its signal handlers are set
    print("CHURN ratio_pid=%d" % ratio.pid, flush=True)
    burst = burst_failed = 0
    if opts["--burst"]:
        b = opts["--bucket"]
        if b > 0:
            # The next bucket boundary at least half a second away: the
            # spinning long-lived process has samples in an older bucket,
            # which the full tables then make the daemon drop.
            now = time.monotonic()
            time.sleep((int((now + 0.5) / b) + 1) * b - now)
        codes = [burst_code(i, opts["--burst-funcs"]) for i in range(opts["--burst"])]
        burst, burst_failed = run_all(py, codes, ratio)
        print("CHURN burst done: %d failed=%d after %.1f s" %
              (burst, burst_failed, time.monotonic() - start), flush=True)
    t0 = time.monotonic()
    codes = ["def f_%d(k):\n    x = 0\n    for i in range(k):\n        x += i\n"
             "    return x\nf_%d(%d)\n" % (i, i, 20000 + i % 7 * 5000) for i in range(n)]
    spawned, failed = run_all(py, codes, ratio, lambda i: t0 + duration * i / n)
    time.sleep(tail)
    alive = ratio.poll() is None
    print("CHURN spawned=%d failed=%d burst=%d burst_failed=%d ratio_alive=%d wall=%.1f" %
          (spawned, failed, burst, burst_failed, alive, time.monotonic() - start), flush=True)
    if opts["--hold"]:
        sys.stdin.readline()
    ratio.terminate()
    out, _ = ratio.communicate()
    sys.stdout.write(out)
    sys.stdout.flush()


if __name__ == "__main__":
    main()

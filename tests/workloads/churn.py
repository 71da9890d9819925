"""Process churn around one long-lived process with a known split.

Waits for a line on stdin (so a profiler can attach to this process first),
then starts tests/workloads/ratio_live.py (a 70/30 split it measures
itself) and, while it runs, N short-lived interpreters paced over DURATION
seconds (at most 4 at a time; later if the machine is slower), each
running a function of its own name (so functions and stacks churn too).
Then it lets ratio_live.py run alone for TAIL seconds, stops it (SIGTERM),
prints its MLPROF_SPLIT line and CHURN spawned=<n> failed=<n> wall=<s>.
usage: churn.py DURATION N [TAIL=0] [PYTHON]"""
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PARALLEL = 4  # short-lived interpreters at a time


def main():
    duration, n = float(sys.argv[1]), int(sys.argv[2])
    tail = float(sys.argv[3]) if len(sys.argv) > 3 else 0.0
    py = sys.argv[4] if len(sys.argv) > 4 else "/usr/bin/python3.11"
    sys.stdin.readline()
    start = time.monotonic()
    ratio = subprocess.Popen([py, os.path.join(HERE, "ratio_live.py"), "0.7"],
                             stdout=subprocess.PIPE, text=True)
    ratio.stdout.readline()  # ready: its signal handlers are set
    print("CHURN ratio_pid=%d" % ratio.pid, flush=True)
    spawned = failed = 0
    running = []
    while spawned < n and ratio.poll() is None:
        for r in [r for r in running if r.poll() is not None]:
            failed += r.returncode != 0
            running.remove(r)
        due = start + duration * spawned / n
        now = time.monotonic()
        if due > now or len(running) >= PARALLEL:
            time.sleep(min(max(due - now, 0.005), 0.5))
            continue
        code = ("def f_%d(k):\n    x = 0\n    for i in range(k):\n        x += i\n"
                "    return x\nf_%d(%d)\n" % (spawned, spawned, 20000 + spawned % 7 * 5000))
        running.append(subprocess.Popen([py, "-S", "-c", code], stdout=subprocess.DEVNULL))
        spawned += 1
    for r in running:
        failed += r.wait() != 0
    time.sleep(tail)
    ratio.terminate()
    out, _ = ratio.communicate()
    sys.stdout.write(out)
    print("CHURN spawned=%d failed=%d wall=%.1f" % (spawned, failed, time.monotonic() - start),
          flush=True)


if __name__ == "__main__":
    main()

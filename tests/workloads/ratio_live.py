"""ratio.py's two functions (SHARE_A of the time in hot_a), run until
SIGTERM or SIGINT instead of for a fixed CPU time, for long runs that
another program ends. On the signal it prints the split it measured with
time.perf_counter:  MLPROF_SPLIT hot_a=<s> hot_b=<s>
usage: ratio_live.py [SHARE_A=0.7]"""
import os
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ratio import hot_a, hot_b  # noqa: E402

stop = False


def on_signal(signum, frame):
    global stop
    stop = True


def main():
    share_a = float(sys.argv[1]) if len(sys.argv) > 1 else 0.7
    chunk = 20000
    ta = tb = 0.0
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    print("RATIO ready", flush=True)
    while not stop:
        t0 = time.perf_counter()
        hot_a(int(chunk * share_a / (1 - share_a)))
        t1 = time.perf_counter()
        hot_b(chunk)
        t2 = time.perf_counter()
        ta += t1 - t0
        tb += t2 - t1
    print(f"MLPROF_SPLIT hot_a={ta:.6f} hot_b={tb:.6f}", flush=True)


if __name__ == "__main__":
    main()

"""ratio.py's loop (SHARE_A of the time in live_a), run until SIGTERM or
SIGINT instead of for a fixed CPU time, for long runs that another program
ends. Its functions have names of their own, so a daemon profiling every
Python process on the machine does not mistake it for ratio.py. On the
signal it prints the split it measured with time.perf_counter:
MLPROF_SPLIT live_a=<s> live_b=<s>
usage: ratio_live.py [SHARE_A=0.7]"""
import signal
import sys
import time


def live_a(n):
    x = 0
    for i in range(n):
        x += i * i % 7
    return x


def live_b(n):
    x = 0
    for i in range(n):
        x += i * i % 7
    return x


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
        live_a(int(chunk * share_a / (1 - share_a)))
        t1 = time.perf_counter()
        live_b(chunk)
        t2 = time.perf_counter()
        ta += t1 - t0
        tb += t2 - t1
    print(f"MLPROF_SPLIT live_a={ta:.6f} live_b={tb:.6f}", flush=True)


if __name__ == "__main__":
    main()

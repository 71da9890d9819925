"""Two functions doing their own CPU work in a known ratio. Prints the split
it measured itself in CPU time (time.thread_time: what a CPU sampler sees,
unaffected by a busy machine), the truth a profiler is checked
against:  MLPROF_SPLIT hot_a=<s> hot_b=<s>
usage: ratio.py [SECONDS=1.0] [SHARE_A=0.7]"""
import sys
import time


def hot_a(n):
    x = 0
    for i in range(n):
        x += i * i % 7
    return x


def hot_b(n):
    x = 0
    for i in range(n):
        x += i * i % 7
    return x


def main():
    total = float(sys.argv[1]) if len(sys.argv) > 1 else 1.0
    share_a = float(sys.argv[2]) if len(sys.argv) > 2 else 0.7
    chunk = 20000
    ta = tb = 0.0
    start = time.process_time()  # CPU time: a busy machine still gets a full run
    while time.process_time() - start < total:
        t0 = time.thread_time()
        hot_a(int(chunk * share_a / (1 - share_a)))
        t1 = time.thread_time()
        hot_b(chunk)
        t2 = time.thread_time()
        ta += t1 - t0
        tb += t2 - t1
    print(f"MLPROF_SPLIT hot_a={ta:.6f} hot_b={tb:.6f}", flush=True)


if __name__ == "__main__":
    main()

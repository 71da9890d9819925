"""Two functions doing their own CPU work in a known ratio. Prints the split
it measured itself in CPU time (time.thread_time: what a CPU sampler sees,
unaffected by a busy machine), the truth a profiler is checked
against:  MLPROF_SPLIT hot_a=<s> hot_b=<s>
usage: ratio.py [SECONDS=1.0] [SHARE_A=0.7] [BLOCK=1]

BLOCK=1 reads the thread's CPU clock around each call. That is a system call
which updates the scheduler's clock, and beside other busy tasks the
scheduler ends the thread's slice there, so its runs start at those calls
(what --clock tick cannot sample evenly: docs/design.md decision 28).
BLOCK=N>1 reads the clock once per N pairs of calls, each pair of a random
length (0.5-1.5x, the same split), and splits each block's CPU time by the
calls' iterations: the two functions are the same code, so an iteration
costs both the same."""
import random
import sys
import time


def hot_a(n):
    x = 0
    for i in range(n):
        x += i % 7 * (i % 11)  # small ints: every iteration costs the same
    return x


def hot_b(n):
    x = 0
    for i in range(n):
        x += i % 7 * (i % 11)  # small ints: every iteration costs the same
    return x


def main():
    total = float(sys.argv[1]) if len(sys.argv) > 1 else 1.0
    share_a = float(sys.argv[2]) if len(sys.argv) > 2 else 0.7
    block = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    chunk = 20000
    na = int(chunk * share_a / (1 - share_a))
    ta = tb = 0.0
    rng = random.Random(1)
    start = time.process_time()  # CPU time: a busy machine still gets a full run
    while time.process_time() - start < total:
        if block == 1:
            t0 = time.thread_time()
            hot_a(na)
            t1 = time.thread_time()
            hot_b(chunk)
            t2 = time.thread_time()
            ta += t1 - t0
            tb += t2 - t1
            continue
        # Pairs of random length (same split): a loop of one fixed period
        # is sampled at the same few phases by a clock whose period is
        # commensurate with it (the scheduler tick, decision 28).
        sizes = [rng.uniform(0.5, 1.5) for _ in range(block)]
        t0 = time.thread_time()
        for f in sizes:
            hot_a(int(na * f))
            hot_b(int(chunk * f))
        spent = time.thread_time() - t0
        ia = sum(int(na * f) for f in sizes)
        ib = sum(int(chunk * f) for f in sizes)
        ta += spent * ia / (ia + ib)
        tb += spent * ib / (ia + ib)
    print(f"MLPROF_SPLIT hot_a={ta:.6f} hot_b={tb:.6f}", flush=True)


if __name__ == "__main__":
    main()

"""Two phases of hot_a/hot_b work in different ratios, apart in time, for
comparing two time ranges of a daemon's history. Waits for a line on stdin
(the daemon attaches first), then runs phase A (SECONDS_A of CPU, hot_a's
share SHARE_A), sleeps GAP seconds, runs phase B, and prints the wall-clock
times of the phases and the CPU time split it measured itself:
  MLPROF_PHASES a0=<t> a1=<t> b0=<t> b1=<t>
  MLPROF_SPLIT a_hot_a=<s> a_hot_b=<s> b_hot_a=<s> b_hot_b=<s>
usage: phases.py SECONDS_A SHARE_A GAP SECONDS_B SHARE_B"""
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


def phase(total, share_a):
    chunk = 20000
    ta = tb = 0.0
    start = time.process_time()  # CPU time: a busy machine still gets a full phase
    while time.process_time() - start < total:
        t0 = time.thread_time()
        hot_a(int(chunk * share_a / (1 - share_a)))
        t1 = time.thread_time()
        hot_b(chunk)
        t2 = time.thread_time()
        ta += t1 - t0
        tb += t2 - t1
    return ta, tb


def main():
    sec_a, share_a, gap, sec_b, share_b = (float(v) for v in sys.argv[1:6])
    sys.stdin.readline()
    a0 = time.time()
    a = phase(sec_a, share_a)
    a1 = time.time()
    time.sleep(gap)
    b0 = time.time()
    b = phase(sec_b, share_b)
    b1 = time.time()
    print(f"MLPROF_PHASES a0={a0:.3f} a1={a1:.3f} b0={b0:.3f} b1={b1:.3f}")
    print(f"MLPROF_SPLIT a_hot_a={a[0]:.6f} a_hot_b={a[1]:.6f} "
          f"b_hot_a={b[0]:.6f} b_hot_b={b[1]:.6f}", flush=True)


main()

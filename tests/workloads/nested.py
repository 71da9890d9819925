"""Nested calls with measured shares (thread CPU time, what a CPU sampler
measures): outer() does some work itself and
calls mid(), which calls leaf(). Prints
  MLPROF_SPLIT outer_self=<s> mid_self=<s> leaf=<s> mid_total=<s> outer_total=<s>
The totals are measured around the whole calls (bookkeeping included), as a
sampler's total time sees them; the parts leave the bookkeeping out. Each
round's sizes vary at random, so the rounds never keep step with a
sampler's fixed period (in step, a 1 s run was 6.6 points off its truth)."""
import random
import sys
import time


def work(n):
    x = 0
    for i in range(n):
        x += i % 3
    return x


def leaf(n):
    x = 0
    for i in range(n):
        x += i % 3
    return x


def mid(n, acc):
    t0 = time.thread_time()
    acc["_entered"] = t0
    x = 0
    for i in range(n):
        x += i % 3
    t1 = time.thread_time()
    leaf(2 * n)
    t2 = time.thread_time()
    acc["mid_self"] += t1 - t0
    acc["leaf"] += t2 - t1
    acc["mid_total"] += time.thread_time() - acc["_entered"]


def outer(seconds, acc):
    rng = random.Random(7)
    start = time.thread_time()
    while time.thread_time() - start < seconds:
        t0 = time.thread_time()
        x = 0
        for i in range(rng.randrange(10000, 30000)):
            x += i % 3
        acc["outer_self"] += time.thread_time() - t0
        mid(rng.randrange(10000, 30000), acc)
    acc["outer_total"] = time.thread_time() - start


def main():
    acc = {"outer_self": 0.0, "mid_self": 0.0, "leaf": 0.0, "mid_total": 0.0,
           "outer_total": 0.0, "_entered": 0.0}
    outer(float(sys.argv[1]) if len(sys.argv) > 1 else 1.0, acc)
    print("MLPROF_SPLIT " + " ".join(f"{k}={v:.6f}" for k, v in acc.items() if k[0] != "_"), flush=True)


if __name__ == "__main__":
    main()

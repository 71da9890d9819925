"""Three threads, each running its own function; each measures its own CPU
time with time.thread_time. Prints
  MLPROF_SPLIT worker_a=<s> worker_b=<s> worker_c=<s>"""
import sys
import threading
import time

results = {}


def spin(n):
    x = 0
    for i in range(n):
        x += i % 7
    return x


def worker_a(seconds):
    t0, start = time.thread_time(), time.perf_counter()
    while time.perf_counter() - start < seconds:
        spin(3000)
    results["worker_a"] = time.thread_time() - t0


def worker_b(seconds):
    t0, start = time.thread_time(), time.perf_counter()
    while time.perf_counter() - start < seconds:
        spin(3000)
    results["worker_b"] = time.thread_time() - t0


def worker_c(seconds):
    t0, start = time.thread_time(), time.perf_counter()
    while time.perf_counter() - start < seconds:
        spin(3000)
    results["worker_c"] = time.thread_time() - t0


def main():
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 1.0
    ts = [threading.Thread(target=f, args=(seconds,)) for f in (worker_a, worker_b, worker_c)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    print("MLPROF_SPLIT " + " ".join(f"{k}={results[k]:.6f}" for k in sorted(results)),
          flush=True)


if __name__ == "__main__":
    main()

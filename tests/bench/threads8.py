"""Fixed CPU work split over 8 threads (not time-bounded), for overhead and
sample-rate benchmarks: each thread runs N iterations of its own loop.
usage: threads8.py [N=150000] [THREADS=8]"""
import sys
import threading


def spin(n):
    x = 0
    for i in range(n):
        x += i * i % 7
    return x


def worker(n, out, k):
    out[k] = spin(n)


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 150000
    nthreads = int(sys.argv[2]) if len(sys.argv) > 2 else 8
    out = [0] * nthreads
    ts = [threading.Thread(target=worker, args=(n, out, k)) for k in range(nthreads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    print("threads8", sum(out))


if __name__ == "__main__":
    main()

"""Fixed CPU work (not time-bounded), for overhead measurements: naive
recursive fib (stacks ~N deep) called from a stack of EXTRA frames.
usage: cpubound.py [N=27] [EXTRA=0] [REPEAT=1]"""
import sys


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def nest(k, n):
    return fib(n) if k <= 0 else nest(k - 1, n)


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 27
    extra = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    repeat = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    sys.setrecursionlimit(extra + n + 200)
    for _ in range(repeat):
        nest(extra, n)


if __name__ == "__main__":
    main()

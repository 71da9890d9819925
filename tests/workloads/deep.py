"""Recursion to a fixed depth with all the work at the bottom.
usage: deep.py DEPTH SECONDS"""
import sys
import time


def bottom(seconds):
    start = time.process_time()
    x = 0
    while time.process_time() - start < seconds:
        for i in range(10000):
            x += i % 5
    return x


def rec(depth, seconds):
    if depth <= 1:
        return bottom(seconds)
    return rec(depth - 1, seconds) + 0


def main():
    depth = int(sys.argv[1]) if len(sys.argv) > 1 else 150
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 0.5
    sys.setrecursionlimit(depth + 100)
    rec(depth, seconds)
    print(f"MLPROF_DEPTH {depth}", flush=True)


if __name__ == "__main__":
    main()

"""Context-switch heavy workload: a parent and a forked child bounce a byte
over two pipes N times (each round trip is two blocking reads, two
switches per side). The parent waits for the child, so wait4 on the parent
counts both processes' CPU time.
usage: pingpong.py ROUND_TRIPS"""
import os
import sys


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    a_r, a_w = os.pipe()
    b_r, b_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        for _ in range(n):
            os.read(a_r, 1)
            os.write(b_w, b"y")
        os._exit(0)
    for _ in range(n):
        os.write(a_w, b"x")
        os.read(b_r, 1)
    os.waitpid(pid, 0)


if __name__ == "__main__":
    main()

"""Known allocations: small_objects() keeps many small Python objects
(pymalloc arenas), big_buffer() one large buffer, cpu_only() nothing.
Prints what tracemalloc-free measurements it can, and its own VmHWM just
before exiting:  MLPROF_MEM vmhwm_kb=<n>
usage: memory.py [SMALL_MB=64] [BIG_MB=96]"""
import sys
import time


def small_objects(n):
    return [(i, str(i)) for i in range(n)]


def big_buffer(nbytes):
    buf = bytearray(nbytes)
    for i in range(0, nbytes, 4096):  # make it resident
        buf[i] = 1
    return buf


def cpu_only(n):
    x = 0
    for i in range(n):
        x += i % 7
    return x


def vmhwm_kb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def main():
    # An exec into another C library (a chroot) is probed a few ms after
    # it happens (README, Memory: limits): start after that.
    time.sleep(0.2)
    small_mb = float(sys.argv[1]) if len(sys.argv) > 1 else 64
    big_mb = float(sys.argv[2]) if len(sys.argv) > 2 else 96
    # About 100 bytes per item (tuple 56, str ~50, int reused or 28).
    keep = [small_objects(int(small_mb * 1024 * 1024 / 130))]
    keep.append(big_buffer(int(big_mb * 1024 * 1024)))
    cpu_only(2_000_000)
    print(f"MLPROF_MEM vmhwm_kb={vmhwm_kb()}", flush=True)


if __name__ == "__main__":
    main()

"""Allocation-heavy fixed work (not time-bounded), for overhead benchmarks:
many small objects (tuples, dicts, lists, short strings) built and dropped
in rounds, plus some large buffers (1-8 MiB bytearrays) filled and freed.
usage: alloc_heavy.py [ROUNDS=40] [SMALL=20000]"""
import sys


def small_objects(n, seed):
    rows = []
    for i in range(n):
        key = "k%d" % (i ^ seed)
        rows.append({"id": i, "key": key, "pair": (i, seed), "tags": [key, i & 7]})
    total = 0
    for r in rows:
        total += r["pair"][0] + len(r["tags"])
    return total


def large_buffers(seed):
    total = 0
    for mib in (1, 2, 4, 8):
        buf = bytearray(mib << 20)
        buf[::4096] = bytes([seed & 0xFF]) * len(buf[::4096])
        chunk = bytes(buf[: 64 << 10])
        total += len(buf) + chunk[0]
        del buf, chunk
    return total


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 40
    small = int(sys.argv[2]) if len(sys.argv) > 2 else 20000
    acc = 0
    for r in range(rounds):
        acc += small_objects(small, r)
        if r % 4 == 0:
            acc += large_buffers(r)
    print("alloc_heavy", acc)


if __name__ == "__main__":
    main()

"""The truth for memory.py: bytes each of its functions allocates, measured
with tracemalloc in a separate run (tracemalloc slows the workload; the
profiled run does not use it). Prints JSON {function: bytes}.
usage: memory_truth.py [SMALL_MB] [BIG_MB]"""
import json
import os
import sys
import tracemalloc

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import memory  # noqa: E402


def measured(fn, *args):
    before = tracemalloc.get_traced_memory()[0]
    kept = fn(*args)
    return kept, tracemalloc.get_traced_memory()[0] - before


def main():
    small_mb = float(sys.argv[1]) if len(sys.argv) > 1 else 64
    big_mb = float(sys.argv[2]) if len(sys.argv) > 2 else 96
    tracemalloc.start()
    keep, small = measured(memory.small_objects, int(small_mb * 1024 * 1024 / 130))
    keep2, big = measured(memory.big_buffer, int(big_mb * 1024 * 1024))
    _, cpu = measured(memory.cpu_only, 200_000)
    print(json.dumps({"small_objects": small, "big_buffer": big, "cpu_only": cpu}))


if __name__ == "__main__":
    main()

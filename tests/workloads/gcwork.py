"""Cyclic garbage, and the time the cyclic collector takes measured by the
program itself: gc.callbacks "start"/"stop" read time.thread_time (CPU time
of this thread, what a CPU sampler sees), summed over every collection that
runs inside loop() on the main thread (a collection another thread runs
is not in loop()'s stacks: counted apart as other=). Keeps a heap of live container objects so the older
generations' collections take time. With "hash", a second thread hashes
large buffers meanwhile (hashlib releases the GIL: that thread runs C code
while the main one collects, and none of its time is collection). Prints
  MLPROF_SPLIT gc=<s> loop=<s> collections=<n> other=<n> [hasher=<s>]
usage: gcwork.py [SECONDS=1.5] [hash]"""
import gc
import hashlib
import random
import sys
import threading
import time

state = {"gc": 0.0, "t0": None, "n": 0, "other": 0, "on": False}
RNG = random.Random(11)
# Each collection's threshold is drawn anew: with a fixed one the
# collections came every ~1.0 ms, in step with a 999 Hz sampler for
# hundreds of periods at a time, and a run's GC share came out 5.5 points
# off on some runs (the phase at which the samples fell drifted slowly).
THRESHOLD = (5000, 9000)
MAIN = threading.get_ident()


def on_gc(phase, info):
    if not state["on"]:
        return
    # Since 3.12 a collection is scheduled and runs in the thread that
    # next checks the eval breaker (the hashing thread too, between
    # buffers): its time is that thread's, not loop()'s.
    if threading.get_ident() != MAIN:
        state["other"] += phase == "start"
        return
    if phase == "start":
        state["t0"] = time.thread_time()
    elif state["t0"] is not None:
        state["gc"] += time.thread_time() - state["t0"]
        state["t0"] = None
        state["n"] += 1
        gc.set_threshold(RNG.randrange(*THRESHOLD), 10, 10)


class Node:
    def __init__(self, parent):
        self.parent = parent
        self.children = []


def make_cycles(n):
    root = Node(None)
    for _ in range(n):
        child = Node(root)
        root.children.append(child)
        child.children.append(root)
    return len(root.children)


def loop(total):
    start = time.thread_time()
    x = 0
    while time.thread_time() - start < total:
        x += make_cycles(50)
    return x


def hasher(stop, out):
    data = b"\x5a" * (8 << 20)
    t0 = time.thread_time()
    while not stop.is_set():
        hashlib.sha256(data).digest()
    out["hasher"] = time.thread_time() - t0


def main():
    total = float(sys.argv[1]) if len(sys.argv) > 1 else 1.5
    keep = [[{} for _ in range(10)] for _ in range(20000)]  # long-lived containers
    stop, out = threading.Event(), {}
    th = threading.Thread(target=hasher, args=(stop, out))
    if "hash" in sys.argv[2:]:
        th.start()
    # Ten times fewer, larger collections than by default: the callbacks'
    # own cost (run while `collecting` is set, outside what they time)
    # stays well under a point of the loop.
    gc.set_threshold(RNG.randrange(*THRESHOLD), 10, 10)
    gc.callbacks.append(on_gc)
    state["on"] = True
    t0 = time.thread_time()
    loop(total)
    t1 = time.thread_time()
    state["on"] = False
    stop.set()
    if th.is_alive():
        th.join()
    extra = " hasher=%.6f" % out["hasher"] if out else ""
    print("MLPROF_SPLIT gc=%.6f loop=%.6f collections=%d other=%d%s" % (
        state["gc"], t1 - t0, state["n"], state["other"], extra), flush=True)
    del keep


if __name__ == "__main__":
    main()

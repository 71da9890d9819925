"""Cyclic garbage, and the time the cyclic collector takes measured by the
program itself: gc.callbacks "start"/"stop" read time.thread_time (CPU time
of this thread, what a CPU sampler sees), summed over every collection that
runs inside loop(). Keeps a heap of live container objects so the older
generations' collections take time. Prints
  MLPROF_SPLIT gc=<s> loop=<s> collections=<n>
usage: gcwork.py [SECONDS=1.5]"""
import gc
import sys
import time

state = {"gc": 0.0, "t0": None, "n": 0, "on": False}


def on_gc(phase, info):
    if not state["on"]:
        return
    if phase == "start":
        state["t0"] = time.thread_time()
    elif state["t0"] is not None:
        state["gc"] += time.thread_time() - state["t0"]
        state["t0"] = None
        state["n"] += 1


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


def main():
    total = float(sys.argv[1]) if len(sys.argv) > 1 else 1.5
    keep = [[{} for _ in range(10)] for _ in range(20000)]  # long-lived containers
    gc.callbacks.append(on_gc)
    state["on"] = True
    t0 = time.thread_time()
    loop(total)
    t1 = time.thread_time()
    state["on"] = False
    print("MLPROF_SPLIT gc=%.6f loop=%.6f collections=%d" % (state["gc"], t1 - t0, state["n"]),
          flush=True)
    del keep


if __name__ == "__main__":
    main()

"""A program whose interpreter shutdown is long: it fills module globals
with a million objects (a list of small instances, a dict of strings),
then ends normally (MODE=exit: Py_FinalizeEx tears the modules down) or
with os._exit(0) (MODE=_exit: no teardown). Prints the CPU time it used up
to its end, so a test can tell the CPU the end itself costs:
  MLPROF_SPLIT cpu_before_end=<s>
usage: shutdown.py MODE [N=1000000]"""
import os
import sys
import time


class Item:
    __slots__ = ("a", "b")

    def __init__(self, a, b):
        self.a = a
        self.b = b


def fill(n):
    g = globals()
    g["ITEMS"] = [Item(i, str(i)) for i in range(n // 2)]
    g["NAMES"] = {str(i): (i, i + 1) for i in range(n // 2)}


def main():
    mode = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 1000000
    fill(n)
    print("MLPROF_SPLIT cpu_before_end=%.6f" % time.process_time(), flush=True)
    if mode == "_exit":
        os._exit(0)


if __name__ == "__main__":
    main()

"""A program whose interpreter shutdown is long: it fills module globals
with a million objects (a list of small instances, a dict of strings),
then ends normally (MODE=exit: Py_FinalizeEx tears the modules down) or
with os._exit(0) (MODE=_exit: no teardown).

Run as `shutdown.py MODE`, it runs itself as a child (`--child MODE`) and
waits for it with os.wait4, so the child's CPU time is the kernel's exact
count for that very run; the child prints the CPU it used up to its end,
and the parent prints what the child used after its last line of Python:
  MLPROF_SPLIT cpu_before_end=<s> cpu_total=<s> tail=<s> child=<pid>
usage: shutdown.py MODE [N=1000000]"""
import os
import subprocess
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


def child(mode, n):
    fill(n)
    print("%.6f" % time.process_time(), flush=True)
    if mode == "_exit":
        os._exit(0)


def parent(mode, n):
    p = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--child", mode, str(n)],
                         stdout=subprocess.PIPE, text=True)
    before = float(p.stdout.read().strip())
    p.stdout.close()
    _, status, ru = os.wait4(p.pid, 0)
    p.returncode = status
    total = ru.ru_utime + ru.ru_stime
    print("MLPROF_SPLIT cpu_before_end=%.6f cpu_total=%.6f tail=%.6f child=%d" % (
        before, total, total - before, p.pid), flush=True)
    sys.exit(1 if status else 0)


if __name__ == "__main__":
    if sys.argv[1] == "--child":
        child(sys.argv[2], int(sys.argv[3]))
    else:
        parent(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 1000000)

"""What a process still holds at its end, by allocating function (for
--memory=live). Prints, with --truth, what tracemalloc says each function
left allocated:  MLPROF_LIVE_TRUTH {json}
usage: memory_live.py [--truth]"""
import json
import sys
import time

KEPT = []


def keep_buffer():
    KEPT.append(bytearray(48 << 20))       # held to the end


def drop_buffer():
    buf = bytearray(64 << 20)              # given back at once
    buf[::4096] = b"x" * len(buf[::4096])
    del buf


def keep_objects(n):
    KEPT.append([(i, str(i)) for i in range(n)])   # small objects, held


def churn_objects(n):
    rows = [{"i": i, "s": str(i)} for i in range(n)]   # built and dropped
    return len(rows)


def main():
    # An exec into another C library (a chroot) is probed a few ms after
    # it happens (README, Memory: limits): start after that.
    time.sleep(0.2)
    truth = "--truth" in sys.argv
    if truth:
        import tracemalloc
        tracemalloc.start()
    out = {}
    for name, fn, args in (("keep_buffer", keep_buffer, ()), ("drop_buffer", drop_buffer, ()),
                           ("keep_objects", keep_objects, (400000,)),
                           ("churn_objects", churn_objects, (300000,))):
        before = tracemalloc.get_traced_memory()[0] if truth else 0
        fn(*args)
        if truth:
            out[name] = tracemalloc.get_traced_memory()[0] - before
    if truth:
        print("MLPROF_LIVE_TRUTH " + json.dumps(out), flush=True)


if __name__ == "__main__":
    main()

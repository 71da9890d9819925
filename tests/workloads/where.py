"""Own time in three places: a pure Python loop (the interpreter),
hashlib.sha256 over large buffers (native code: OpenSSL's libcrypto via
_hashlib), and os.read of /dev/zero (the kernel: the read system call).
Prints what it measured itself per part, the truth a profiler is checked
against (CPU time from os.times(): user and system, per part):
  MLPROF_SPLIT loop_user=<s> loop_sys=<s> hash_user=<s> hash_sys=<s> read_user=<s> read_sys=<s>
usage: where.py [SECONDS=1.5]  (CPU seconds in all, about a third each)"""
import hashlib
import os
import sys
import time


def py_loop(n):
    x = 0
    for i in range(n):
        x = (x * 31 + i) & 0xFFFF
    return x


def hash_part(buf, n):
    h = hashlib.sha256()
    for _ in range(n):
        h.update(buf)
    return h.digest()


def read_part(fd, n):
    got = 0
    for _ in range(n):
        got += len(os.read(fd, 65536))
    return got


def timed(acc, key, fn, *args):
    t0 = os.times()
    fn(*args)
    t1 = os.times()
    acc[key + "_user"] += t1.user - t0.user
    acc[key + "_sys"] += t1.system - t0.system


def main():
    total = float(sys.argv[1]) if len(sys.argv) > 1 else 1.5
    buf = b"\x5a" * (1 << 20)
    fd = os.open("/dev/zero", os.O_RDONLY)
    acc = {k + s: 0.0 for k in ("loop", "hash", "read") for s in ("_user", "_sys")}
    start = time.process_time()  # CPU time: a busy machine still gets a full run
    # Rounds of about 130 ms each part on this machine, so each part gets
    # about a third. Long parts: the kernel splits a process's CPU time
    # into user and system by the mode of the ticks, to a tick or so at
    # each measurement; fewer boundaries, less of that error.
    while time.process_time() - start < total:
        timed(acc, "loop", py_loop, 3000000)
        timed(acc, "hash", hash_part, buf, 160)
        timed(acc, "read", read_part, fd, 50000)
    os.close(fd)
    print("MLPROF_SPLIT " + " ".join("%s=%.6f" % kv for kv in sorted(acc.items())), flush=True)


if __name__ == "__main__":
    main()

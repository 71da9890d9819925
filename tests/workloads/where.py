"""Own time in three places: a pure Python loop (the interpreter),
hashlib.sha256 over large buffers (native code: OpenSSL's libcrypto via
_hashlib), and os.read of /dev/zero (the kernel: the read system call).
Each part runs in a child process of its own (see part()). Prints what it
measured itself per part, the truth a profiler is checked against (CPU
time from os.times(): user and system, per part):
  MLPROF_SPLIT loop_user=<s> loop_sys=<s> hash_user=<s> hash_sys=<s> read_user=<s> read_sys=<s>
usage: where.py [SECONDS=1.5]  (CPU seconds in all: a quarter each for the loop
and hashing, half for reading)"""
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
        got += len(os.read(fd, 262144))
    return got


def part(acc, key, secs, fn, *args):
    """Runs fn(*args) for secs of CPU time in a child process of its own,
    which notes its own user and system time at the end (before its exit,
    whose teardown is not the part's). The kernel splits a process's CPU
    time into user and system by the mode of its ticks, scaled to its
    precise total and kept from going backwards, over the whole life of
    the process: measured in between two os.times() calls of a process
    that did other things before, the split of one part was seen 14
    points off; a process that does one thing has it right."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        c0 = time.thread_time()  # CPU time: a busy machine still gets a full part
        while time.thread_time() - c0 < secs:
            fn(*args)
        t = os.times()
        os.write(w, ("%.6f %.6f" % (t.user, t.system)).encode())
        os._exit(0)
    os.close(w)
    with os.fdopen(r) as f:
        user, system = (float(x) for x in f.read().split())
    os.waitpid(pid, 0)
    acc[key + "_user"] = user
    acc[key + "_sys"] = system


def main():
    total = float(sys.argv[1]) if len(sys.argv) > 1 else 1.5
    buf = b"\x5a" * (1 << 20)
    fd = os.open("/dev/zero", os.O_RDONLY)
    acc = {}
    # Reading gets half: its user/system split is the one in between (about
    # 80/20), and the kernel counts it in ticks (250 Hz here), a sampler
    # of its own: 3 s make 750 ticks, 1.5 points of standard error.
    part(acc, "loop", total / 4, py_loop, 300000)
    part(acc, "hash", total / 4, hash_part, buf, 16)
    part(acc, "read", total / 2, read_part, fd, 1000)
    os.close(fd)
    print("MLPROF_SPLIT " + " ".join("%s=%.6f" % kv for kv in sorted(acc.items())), flush=True)


if __name__ == "__main__":
    main()

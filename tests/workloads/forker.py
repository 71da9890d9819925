"""Forks children while it has many threads, so that a daemon setting it up
(a perf event per thread) is still at it when forks come.

    forker.py OUT THREADS CHILD_CPU_S STOPFILE

Starts THREADS idle threads, then forks children from one more thread,
started last (a daemon opening events thread by thread reaches it last),
at most 6 alive at once, until STOPFILE exists. Each child spins until it has used CHILD_CPU_S of
CPU time in its loop and reports its pid, its start (epoch seconds, taken
first thing after the fork returns in it: after the interpreter's own
after-fork work, which with many threads takes a while) and its whole CPU
time (from the fork). OUT gets them as JSON, one object
per child, when the run ends."""
import json
import os
import sys
import threading
import time


def spin(cpu_s):
    x = 0
    t0 = time.process_time()
    while time.process_time() - t0 < cpu_s:
        x += 1
    return time.process_time()  # a new process's CPU clock starts at its fork


def child(wfd, cpu_s):
    start = time.time()
    used = spin(cpu_s)
    os.write(wfd, ("%d %.6f %.6f\n" % (os.getpid(), start, used)).encode())
    os._exit(0)


def drain(rfd, lines):
    buf = b""
    while True:
        chunk = os.read(rfd, 65536)
        if not chunk:
            break
        buf += chunk
    lines.extend(buf.decode().split("\n"))


def fork_loop(rfd, wfd, cpu_s, stopfile):
    alive = 0
    while not os.path.exists(stopfile):
        if alive >= 6:
            os.wait()
            alive -= 1
        if os.fork() == 0:
            os.close(rfd)
            child(wfd, cpu_s)
        alive += 1
    while alive:
        os.wait()
        alive -= 1


def main():
    out, nthreads, cpu_s, stopfile = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
    idle = threading.Event()
    threads = [threading.Thread(target=idle.wait, daemon=True) for _ in range(nthreads)]
    for t in threads:
        t.start()
    rfd, wfd = os.pipe()
    lines = []
    reader = threading.Thread(target=drain, args=(rfd, lines))
    reader.start()
    forking = threading.Thread(target=fork_loop, args=(rfd, wfd, cpu_s, stopfile))
    forking.start()
    forking.join()
    os.close(wfd)
    reader.join()
    idle.set()
    kids = []
    for ln in lines:
        if ln.strip():
            pid, start, used = ln.split()
            kids.append({"pid": int(pid), "start": float(start), "cpu_s": float(used)})
    with open(out, "w") as f:
        json.dump(kids, f)


main()

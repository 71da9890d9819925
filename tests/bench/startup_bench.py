"""One-shot start-up cost (issue 15 part 3): the wall time `mlprofd -- CMD`
adds to CMD, measured in interleaved runs (bare, then each build), median
over the pairs.  Needs root.

  startup_bench.py [--pairs N] [--py PYTHON] BUILD [BUILD...]

Each BUILD is an mlprofd binary; every row is printed for default options and
for --no-memory, for /bin/true and a 1 s busy Python loop.

mlprofd leaves the kernel's teardown of its probes to a detached child
(docs/design.md decision 30): 1-2 s of grace periods with memory on,
during which the kernel serializes every other uprobe event's set-up
behind it (perf_uprobe_init and perf_uprobe_destroy share a mutex). Each
run here waits for the previous one's teardown to end (and prints how long
it took), so a row is what one one-shot adds on a machine that is not
tearing down another profiler's probes; --back-to-back leaves that wait
out (what a loop of one-shots of short commands sees)."""
import os
import argparse
import statistics
import subprocess
import time

BUSY = "import time\nt=time.time()\nwhile time.time()-t<1: pass"


def wall(argv):
    t = time.monotonic()
    r = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    dt = time.monotonic() - t
    if r.returncode != 0:
        raise SystemExit(f"{argv} exited {r.returncode}")
    return dt


def teardowns(builds):
    """Pids of running processes named like one of builds (by comm: an
    exiting process's exe link is gone once its memory is)."""
    names = {os.path.basename(b)[:15] for b in builds}
    pids = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/comm") as f:
                    if f.read().strip() in names:
                        pids.append(int(d))
            except OSError:
                pass
    return pids


def settle(builds, waits):
    """Waits (up to 30 s) until no detached mlprofd child is left."""
    t = time.monotonic()
    while teardowns(builds) and time.monotonic() - t < 30:
        time.sleep(0.005)
    waits.append(time.monotonic() - t)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pairs", type=int, default=7)
    ap.add_argument("--py", default="/usr/bin/python3.11")
    ap.add_argument("--back-to-back", action="store_true")
    ap.add_argument("builds", nargs="+")
    a = ap.parse_args()
    waits = []
    cmds = {"/bin/true": ["/bin/true"], "python 1 s loop": [a.py, "-c", BUSY]}
    optsets = {"default": [], "--no-memory": ["--no-memory"]}
    added = {}
    for _ in range(a.pairs):
        for cname, cmd in cmds.items():
            for oname, opts in optsets.items():
                for b in a.builds:
                    if not a.back_to_back:
                        settle(a.builds, waits)
                    bare = wall(cmd)
                    prof = wall([b, "-o", "/dev/null"] + opts + ["--"] + cmd)
                    added.setdefault((cname, oname, b), []).append(prof - bare)
    print(f"| command | options | build | added wall s, median of {a.pairs} | min | max |")
    print("|---|---|---|---|---|---|")
    for (cname, oname, b), v in added.items():
        print(f"| {cname} | {oname} | {b} | {statistics.median(v):.3f} | {min(v):.3f} | "
              f"{max(v):.3f} |")
    if waits:
        print(f"\nwaited for the previous run's detached teardown: median "
              f"{statistics.median(waits):.3f} s, max {max(waits):.3f} s")


if __name__ == "__main__":
    main()

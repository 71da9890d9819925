"""One-shot start-up cost (issue 15 part 3): the wall time `mlprofd -- CMD`
adds to CMD, measured in interleaved runs (bare, then each build), median
over the pairs.  Needs root.

  startup_bench.py [--pairs N] [--py PYTHON] BUILD [BUILD...]

Each BUILD is an mlprofd binary; every row is printed for default options and
for --no-memory, for /bin/true and a 1 s busy Python loop."""
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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pairs", type=int, default=7)
    ap.add_argument("--py", default="/usr/bin/python3.11")
    ap.add_argument("builds", nargs="+")
    a = ap.parse_args()
    cmds = {"/bin/true": ["/bin/true"], "python 1 s loop": [a.py, "-c", BUSY]}
    optsets = {"default": [], "--no-memory": ["--no-memory"]}
    added = {}
    for _ in range(a.pairs):
        for cname, cmd in cmds.items():
            for oname, opts in optsets.items():
                for b in a.builds:
                    bare = wall(cmd)
                    prof = wall([b, "-o", "/dev/null"] + opts + ["--"] + cmd)
                    added.setdefault((cname, oname, b), []).append(prof - bare)
    print(f"| command | options | build | added wall s, median of {a.pairs} | min | max |")
    print("|---|---|---|---|---|---|")
    for (cname, oname, b), v in added.items():
        print(f"| {cname} | {oname} | {b} | {statistics.median(v):.3f} | {min(v):.3f} | "
              f"{max(v):.3f} |")


if __name__ == "__main__":
    main()

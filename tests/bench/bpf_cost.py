"""The BPF sampler's own time per sample, from the kernel's BPF statistics
(kernel.bpf_stats_enabled): run_time_ns / run_cnt of the sampling program
while `mlprofd -- python3 deep.py DEPTH SECONDS` profiles a deep stack.
usage: bpf_cost.py [--clock timer|tick] [--freq HZ] [--depth N] [--seconds S] [--reps N]
Needs root. Prints one line per rep and the median."""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PROGS = ("on_sample", "on_tick")


def prog_ids(pid):
    """Ids of the BPF programs process pid holds (from /proc/PID/fdinfo)."""
    ids = set()
    d = f"/proc/{pid}/fdinfo"
    for fd in os.listdir(d):
        try:
            with open(os.path.join(d, fd)) as f:
                for line in f:
                    if line.startswith("prog_id:"):
                        ids.add(int(line.split()[1]))
        except OSError:
            pass
    return ids


def prog_stats(pid):
    """{name: (run_time_ns, run_cnt)} of mlprof's sampling programs held by pid."""
    ids = prog_ids(pid)
    out = subprocess.run(["bpftool", "-j", "prog", "show"], capture_output=True, text=True,
                         check=True).stdout
    res = {}
    for p in json.loads(out):
        name = p.get("name", "")
        if name in PROGS and p.get("id") in ids:
            res[name] = (p.get("run_time_ns", 0), p.get("run_cnt", 0))
    return res


def one(args):
    cmd = [os.path.join(ROOT, "build/mlprofd"), "--no-memory"]
    if not args.no_clock_flag:
        cmd += ["--clock", args.clock]
    if args.clock == "timer":
        cmd += ["--freq", str(args.freq)]
    cmd += ["--", sys.executable, os.path.join(ROOT, "tests/workloads/deep.py"),
            str(args.depth), str(args.seconds)]
    d = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    last = {}
    while d.poll() is None:
        try:
            st = prog_stats(d.pid)
        except (subprocess.CalledProcessError, ValueError, OSError):
            st = {}
        for k, v in st.items():
            if v[1] >= last.get(k, (0, 0))[1]:
                last[k] = v
        time.sleep(0.05)
    if d.returncode:
        sys.exit(f"mlprofd failed ({d.returncode})")
    return last


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--clock", default="timer")
    ap.add_argument("--freq", type=int, default=999)
    ap.add_argument("--depth", type=int, default=35)
    ap.add_argument("--seconds", type=float, default=2.0)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--no-clock-flag", action="store_true",
                    help="for a build older than --clock (timer only)")
    args = ap.parse_args()
    with open("/proc/sys/kernel/bpf_stats_enabled") as f:
        old = f.read().strip()
    with open("/proc/sys/kernel/bpf_stats_enabled", "w") as f:
        f.write("1")
    per = []
    try:
        for _ in range(args.reps):
            st = one(args)
            for name, (ns, cnt) in sorted(st.items()):
                print(f"{name}: {cnt} runs, {ns / max(cnt, 1):.0f} ns/run")
            name = "on_tick" if args.clock == "tick" else "on_sample"
            if name in st and st[name][1]:
                per.append(st[name][0] / st[name][1])
    finally:
        with open("/proc/sys/kernel/bpf_stats_enabled", "w") as f:
            f.write(old)
    if per:
        print(f"median {statistics.median(per):.0f} ns/run over {len(per)} reps "
              f"({args.clock}, depth {args.depth})")


if __name__ == "__main__":
    main()

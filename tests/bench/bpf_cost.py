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


def held_ids(pid, what="prog_id:"):
    """Ids of the BPF programs (or maps: "map_id:") process pid holds."""
    ids = set()
    d = f"/proc/{pid}/fdinfo"
    for fd in os.listdir(d):
        try:
            with open(os.path.join(d, fd)) as f:
                for line in f:
                    if line.startswith(what):
                        ids.add(int(line.split()[1]))
        except OSError:
            pass
    return ids


# include/mlprof_abi.h enum mlprof_stat
STAT_SAMPLES, STAT_TICK_OTHER, STAT_TICK_REMOTE, STAT_TICK_SHORT = 0, 12, 13, 14


def stats_of(pid):
    """mlprof's BPF counters (summed over CPUs) of the daemon pid."""
    for m in held_ids(pid, "map_id:"):
        info = json.loads(subprocess.run(["bpftool", "-j", "map", "show", "id", str(m)],
                                         capture_output=True, text=True, check=True).stdout)
        if info.get("name") != "stats":
            continue
        dump = json.loads(subprocess.run(["bpftool", "-j", "map", "dump", "id", str(m)],
                                         capture_output=True, text=True, check=True).stdout)
        return [sum(v["value"] for v in e["formatted"]["values"]) for e in dump]
    return []


def prog_stats(pid):
    """{name: (run_time_ns, run_cnt)} of mlprof's sampling programs held by pid."""
    ids = held_ids(pid)
    out = subprocess.run(["bpftool", "-j", "prog", "show"], capture_output=True, text=True,
                         check=True).stdout
    res = {}
    for p in json.loads(out):
        name = p.get("name", "")
        if name in PROGS and p.get("id") in ids:
            res[name] = (p.get("run_time_ns", 0), p.get("run_cnt", 0))
    return res


def one(args):
    cmd = [args.mlprofd, "--no-memory"]
    if not args.no_clock_flag:
        cmd += ["--clock", args.clock]
    if args.clock == "timer":
        cmd += ["--freq", str(args.freq)]
    cmd += ["--", sys.executable, os.path.join(ROOT, "tests/workloads/deep.py"),
            str(args.depth), str(args.seconds)]
    d = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    last, counters = {}, []
    while d.poll() is None:
        try:
            st = prog_stats(d.pid)
            counters = stats_of(d.pid) or counters
        except (subprocess.CalledProcessError, ValueError, OSError):
            st = {}
        for k, v in st.items():
            if v[1] >= last.get(k, (0, 0))[1]:
                last[k] = v
        time.sleep(0.05)
    last["counters"] = counters
    if d.returncode:
        sys.exit(f"mlprofd failed ({d.returncode})")
    return last


def idle_tick_cost(seconds):  # shown for reference only
    """ns per run of the tick program with no target at all (every event
    returns at once): a daemon with nothing to profile."""
    idle = subprocess.Popen(["sleep", str(seconds + 5)])
    d = subprocess.Popen([os.path.join(ROOT, "build/mlprofd"), "--no-memory", "--clock", "tick",
                          "--pid", str(idle.pid),
                          "--socket", f"/tmp/mlprof-bpfcost-{os.getpid()}.sock"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    best = (0, 0)
    t_end = time.monotonic() + seconds
    while time.monotonic() < t_end and d.poll() is None:
        try:
            best = prog_stats(d.pid).get("on_tick", best)
        except (subprocess.CalledProcessError, ValueError, OSError):
            pass
        time.sleep(0.2)
    d.terminate()
    d.wait()
    idle.kill()
    idle.wait()
    return best[0] / best[1] if best[1] else 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--clock", default="timer")
    ap.add_argument("--freq", type=int, default=999)
    ap.add_argument("--depth", type=int, default=35)
    ap.add_argument("--seconds", type=float, default=2.0)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--mlprofd", default=os.path.join(ROOT, "build/mlprofd"))
    ap.add_argument("--no-clock-flag", action="store_true",
                    help="for a build older than --clock (timer only)")
    args = ap.parse_args()
    with open("/proc/sys/kernel/bpf_stats_enabled") as f:
        old = f.read().strip()
    with open("/proc/sys/kernel/bpf_stats_enabled", "w") as f:
        f.write("1")
    per = []
    try:
        idle = idle_tick_cost(args.seconds + 1) if args.clock == "tick" else 0
        if args.clock == "tick":
            print(f"tick program with no target: {idle:.0f} ns/run")
        for _ in range(args.reps):
            st = one(args)
            counters = st.pop("counters")
            for name, (ns, cnt) in sorted(st.items()):
                print(f"{name}: {cnt} runs, {ns / max(cnt, 1):.0f} ns/run")
            name = "on_tick" if args.clock == "tick" else "on_sample"
            if name in st and st[name][1] and args.clock == "tick" and counters:
                # The tick program runs for every task on every tick and
                # switch; only some runs walk. All of its time over its walks
                # is an upper bound of a walk's cost (the other runs cost
                # more than nothing). Subtracting them at an idle daemon's
                # cost per run was tried and gave negative numbers: with no
                # target, its runs land on cold, short-lived processes.
                walks = counters[STAT_SAMPLES]
                others = st[name][1] - walks
                print(f"  {walks} walks, {others} other runs: at most "
                      f"{st[name][0] / max(walks, 1):.0f} ns/walk")
                per.append(st[name][0] / max(walks, 1))
            elif name in st and st[name][1]:
                per.append(st[name][0] / st[name][1])
    finally:
        with open("/proc/sys/kernel/bpf_stats_enabled", "w") as f:
            f.write(old)
    if per:
        what = "ns/walk at most" if args.clock == "tick" else "ns/run"
        print(f"median {statistics.median(per):.0f} {what} over {len(per)} reps "
              f"({args.clock}, depth {args.depth})")


if __name__ == "__main__":
    main()

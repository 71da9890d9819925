"""make soak: process churn for ten minutes or more against mlprofd (as
root, nice'd by the Makefile). Prints the daemon's RSS and status over
time, then the checks of tests/e2e/test_churn.py at full length.
usage: soak.py [DURATION_S=600] [PROCS=6000] [extra mlprofd args...]"""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "e2e"))
from churnlib import ChurnRun  # noqa: E402

RSS_CAP_KB = 64 * 1024


def main():
    duration = float(sys.argv[1]) if len(sys.argv) > 1 else 600
    procs = int(sys.argv[2]) if len(sys.argv) > 2 else 6000
    # Memory is measured (the default), as on a server.
    args = sys.argv[3:] or ["--bucket", "10s", "--retention", "2m", "--max-procs", "1000"]
    if os.geteuid() != 0:
        sys.exit("soak: needs root (BPF, perf events)")
    print("soak: %d s, %d short-lived processes, mlprofd %s" % (duration, procs, " ".join(args)),
          flush=True)
    started = time.time()
    run = ChurnRun(duration=duration, procs=procs, daemon_args=args,
                   every=1.0, status_every=30.0, log=lambda m: print(m, flush=True))
    rc = run.run()
    c = run.status["counters"]
    share, n = run.profiled_share()
    s = run.snapshot["stats"]
    kept = sum(x["n"] for x in run.snapshot["stacks"])
    accounted = kept + s["sample_drops"] + s["lost_samples"] + s["evicted_bucket_samples"] + \
        s["evicted_samples"]
    first_min = [kb for t, kb in run.rss if t <= 60]
    print("\nsoak summary (%.0f s wall, started %s)" %
          (time.time() - started, time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(started))))
    print("  processes spawned %s (failed %s)" % (run.churn["spawned"], run.churn["failed"]))
    print("  daemon RSS KiB: after 1 min %d, max %d, end %d (cap %d)" %
          (max(first_min or [0]), run.max_rss(), run.rss[-1][1], RSS_CAP_KB))
    print("  samples seen %d = kept %d + ring drops %d + lost %d + dropped with buckets %d "
          "+ with evicted processes %d (%s)" %
          (s["samples"], kept, s["sample_drops"], s["lost_samples"],
           s["evicted_bucket_samples"], s["evicted_samples"],
           "adds up" if accounted == s["samples"] else "OFF BY %d" % (s["samples"] - accounted)))
    print("  buckets dropped %d (%d early), processes evicted %d, freed: %d stacks, "
          "%d processes, %d functions" %
          (c["evicted_buckets"], c["cap_evicted_buckets"], c["evicted_procs"],
           c["expired_stacks"], c["expired_procs"], c["expired_funcs"]))
    print("  long-lived process: live_a %.1f%% profiled (%d samples) vs %.1f%% measured" %
          (100 * share, n, 100 * run.measured_share()))
    ok = (rc == 0 and run.max_rss() < RSS_CAP_KB and accounted == s["samples"] and
          abs(share - run.measured_share()) < 0.05 and c["evicted_buckets"] > 0)
    print("soak: %s" % ("PASS" if ok else "FAIL"))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()

"""Sampling overhead of mlprofd on a CPU-bound workload: wall time of the
workload with and without the daemon, interleaved runs, median ratio; plus
the daemon's own CPU, RSS and ring-buffer drops. Needs root.
usage: overhead.py [--reps N] [--freqs 99,999] [--python EXE] [--workload FILE ARGS...]"""
import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MLPROFD = os.path.join(TOP, "build", "mlprofd")
MLPROFCTL = os.path.join(TOP, "build", "mlprofctl")


def timed(cmd):
    t0 = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - t0


def start_daemon(freq, sock):
    p = subprocess.Popen([MLPROFD, "--target", "python", "--freq", str(freq), "--socket", sock],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while not os.path.exists(sock):
        time.sleep(0.02)
    return p


def status(sock):
    out = subprocess.run([MLPROFCTL, "-s", sock, "status", "-f", "json"],
                         stdout=subprocess.PIPE, check=True, text=True).stdout
    return json.loads(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=7)
    ap.add_argument("--freqs", default="99,999")
    ap.add_argument("--python", default="/usr/bin/python3.11")
    ap.add_argument("workload", nargs="*",
                    default=[os.path.join(TOP, "tests", "workloads", "cpubound.py"), "32", "0", "3"])
    a = ap.parse_args()
    cmd = [a.python, *a.workload]
    rows = []
    for freq in [int(f) for f in a.freqs.split(",")]:
        base, prof, cpu, rss, drops, samples = [], [], [], [], 0, 0
        for _ in range(a.reps):
            base.append(timed(cmd))
            with tempfile.TemporaryDirectory() as tmp:
                sock = os.path.join(tmp, "s.sock")
                d = start_daemon(freq, sock)
                st0 = status(sock)["daemon"]
                prof.append(timed(cmd))
                st = status(sock)
                cpu.append(st["daemon"]["cpu_s"] - st0["cpu_s"])
                rss.append(st["daemon"]["rss_kb"])
                drops += st["counters"]["sample_drops"]
                samples += st["counters"]["samples"]
                d.send_signal(signal.SIGTERM)
                d.wait()
        ratios = [p / b for p, b in zip(prof, base)]
        rows.append((freq, statistics.median(base), statistics.median(prof),
                     statistics.median(ratios), statistics.median(cpu),
                     statistics.median(prof), max(rss), drops, samples))
    print("| freq | median plain s | median profiled s | median ratio | daemon CPU s/run "
          "| daemon RSS KiB (max) | drops / samples |")
    print("|---|---|---|---|---|---|---|")
    for f, b, p, r, c, w, m, dr, sa in rows:
        print(f"| {f} Hz | {b:.3f} | {p:.3f} | {r:.4f} | {c:.3f} ({100*c/w:.1f}% of run) "
              f"| {m} | {dr} / {sa} |")


if __name__ == "__main__":
    sys.exit(main())

"""A peak that does not last: builds many small objects and a large buffer,
reads its own VmHWM and RssAnon at the peak, gives everything back, reads
RssAnon again, then waits for a line on stdin (so a profiler can be asked
while it still runs) and exits.
Prints:  MLPROF_PEAK hwm_kb=<n> anon_kb=<n>
         MLPROF_AFTER anon_kb=<n>
usage: memory_peak.py [SMALL_MB=64] [BIG_MB=96]"""
import gc
import sys
import time


def status_kb(*keys):
    out = {}
    with open("/proc/self/status") as f:
        for line in f:
            k = line.split(":")[0]
            if k in keys:
                out[k] = int(line.split()[1])
    return [out.get(k, 0) for k in keys]


def build(small_mb, big_mb):
    objs = [(i, str(i)) for i in range(int(small_mb * 1024 * 1024 / 130))]
    buf = bytearray(int(big_mb * 1024 * 1024))
    for i in range(0, len(buf), 4096):  # make it resident
        buf[i] = 1
    return objs, buf


def main():
    time.sleep(0.2)  # memory probes of a chroot's C library (README, Memory: limits)
    small_mb = float(sys.argv[1]) if len(sys.argv) > 1 else 64
    big_mb = float(sys.argv[2]) if len(sys.argv) > 2 else 96
    held = build(small_mb, big_mb)
    hwm, anon = status_kb("VmHWM", "RssAnon")
    print(f"MLPROF_PEAK hwm_kb={hwm} anon_kb={anon}", flush=True)
    del held
    gc.collect()
    print(f"MLPROF_AFTER anon_kb={status_kb('RssAnon')[0]}", flush=True)
    sys.stdin.readline()


if __name__ == "__main__":
    main()

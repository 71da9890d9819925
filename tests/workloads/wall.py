"""Wall-clock view: one function sleeps, one computes, about as long each.
Prints what it measured itself (time.perf_counter around each call: wall
time; time.thread_time: CPU time), the truth a profiler is checked against:
  MLPROF_SPLIT sleeper_wall=<s> computer_wall=<s> sleeper_cpu=<s> computer_cpu=<s>
usage: wall.py [SECONDS=0.5] [ROUNDS=2]  (each function, each round)"""
import sys
import time


def sleeper(secs):
    time.sleep(secs)


def computer(secs):
    x = 0
    c0 = time.thread_time()
    while time.thread_time() - c0 < secs:
        for i in range(1000):
            x += i * i % 7
    return x


def main():
    secs = float(sys.argv[1]) if len(sys.argv) > 1 else 0.5
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    acc = {"sleeper_wall": 0.0, "computer_wall": 0.0, "sleeper_cpu": 0.0, "computer_cpu": 0.0}
    for _ in range(rounds):
        for name, fn in (("sleeper", sleeper), ("computer", computer)):
            w0, c0 = time.perf_counter(), time.thread_time()
            fn(secs)
            acc[name + "_wall"] += time.perf_counter() - w0
            acc[name + "_cpu"] += time.thread_time() - c0
    print("MLPROF_SPLIT " + " ".join("%s=%.6f" % kv for kv in sorted(acc.items())), flush=True)


if __name__ == "__main__":
    main()

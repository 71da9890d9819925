"""Tiny fixed workload for the exec-to-first-sample proxy: does a little CPU
work, prints the process's whole CPU time (all threads, counted from the
fork, so exec and interpreter start-up included) and exits at once with
os._exit, so no interpreter finalisation runs after the number is taken:
  MLPROF_CPU process_s=<s>"""
import os
import time


def work(n):
    x = 0
    for i in range(n):
        x += i % 7
    return x


work(200000)
print(f"MLPROF_CPU process_s={time.process_time():.6f}", flush=True)
os._exit(0)

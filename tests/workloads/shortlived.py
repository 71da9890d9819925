"""Creates its hot function at the very end (a code object nobody has seen
before), runs it briefly and exits at once, as a sandbox child does."""
import os
import sys
import time

SRC = '''
def late_hot(seconds):
    start = time.process_time()
    x = 0
    while time.process_time() - start < seconds:
        for i in range(5000):
            x += i % 7
    return x
'''


def main():
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 0.2
    ns = {"time": time}
    exec(compile(SRC, "/tmp/mlprof_late_module.py", "exec"), ns)
    ns["late_hot"](seconds)
    sys.stdout.flush()
    os._exit(0)  # no interpreter teardown: gone right after the loop


if __name__ == "__main__":
    main()

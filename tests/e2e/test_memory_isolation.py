"""Memory probes run in target processes only: while the daemon measures
memory of a live target, a process that is not a target (a C program doing
malloc/free, large blocks through mmap/munmap, faulting pages in) never runs
mlprof's memory programs. Counted with the kernel's BPF run counters
(kernel.bpf_stats_enabled), not timed."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mlproftest import clock_args  # noqa: E402
from mlproftest import MLPROFCTL, MLPROFD, TOP, bpf_prog_ids, bpftool_show, require_root  # noqa: E402

MEM_PROGS = ("on_mmap", "on_mremap", "on_brk", "on_fault")
TARGET = """import sys, time
blocks = []
for line in sys.stdin:          # one line: allocate 8 MiB more
    blocks.append(bytearray(8 << 20))
    print(len(blocks), flush=True)
"""


def prog_counts(daemon_pid):
    """run_cnt of the daemon's memory programs, by name."""
    mine = bpf_prog_ids(daemon_pid)
    counts = {}
    for p in bpftool_show("prog"):
        if p.get("name") in MEM_PROGS and p.get("id") in mine:
            counts[p["name"]] = counts.get(p["name"], 0) + p.get("run_cnt", 0)
    return counts


class MemoryIsolationTests(unittest.TestCase):
    def setUp(self):
        require_root(self)
        self.tmp = tempfile.mkdtemp(prefix="mlprof-memiso-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        with open("/proc/sys/kernel/bpf_stats_enabled") as f:
            old = f.read().strip()
        subprocess.run(["sysctl", "-qw", "kernel.bpf_stats_enabled=1"], check=True)
        self.addCleanup(subprocess.run, ["sysctl", "-qw", "kernel.bpf_stats_enabled=" + old])

    def test_non_target_never_runs_memory_programs(self):
        exe = os.path.join(self.tmp, "malloc_loop")
        subprocess.run(["cc", "-O2", "-o", exe,
                        os.path.join(TOP, "tests", "bench", "malloc_loop.c")], check=True)
        sock = os.path.join(self.tmp, "s.sock")
        log = open(os.path.join(self.tmp, "log"), "w+")
        # The only target: this process (--target mlpy with no mlpy run on
        # the machine adds none; --target python would take every Python
        # process, this test runner included).
        target = subprocess.Popen(["/usr/bin/python3.11", "-c", TARGET], text=True,
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        d = subprocess.Popen([MLPROFD, *clock_args(), "--target", "mlpy", "--pid", str(target.pid),
                              "--socket", sock], stdout=log, stderr=subprocess.STDOUT)
        try:
            # Deadlines, not paces (about 1 s here): 120 s.
            deadline = time.time() + 120
            while not os.path.exists(sock):
                self.assertIsNone(d.poll(), "mlprofd exited")
                self.assertLess(time.time(), deadline, "mlprofd did not start")
                time.sleep(0.05)
            # Wait until the daemon has taken the target (its probes exist).
            deadline = time.time() + 120
            while True:
                st = json.loads(subprocess.run([MLPROFCTL, "-s", sock, "status", "-f", "json"],
                                               stdout=subprocess.PIPE, text=True,
                                               check=True).stdout)
                # Its memory probes open on a worker after it is taken:
                # mmap, mremap and sbrk at least.
                if any(t["pid"] == target.pid and t.get("python") for t in st["targets"]) \
                        and st["daemon"]["memory_probes"] >= 3:
                    break
                self.assertLess(time.time(), deadline, "target not taken: %s" % st)
                time.sleep(0.1)
            self.assertTrue(st["daemon"]["memory"])
            self.assertEqual(st["daemon"]["memory_unprobed"], 0)
            # Control: the target's own allocation runs the programs.
            c0 = prog_counts(d.pid)
            self.assertEqual(set(c0), set(MEM_PROGS), c0)
            target.stdin.write("go\n")
            target.stdin.flush()
            self.assertEqual(target.stdout.readline().strip(), "1")
            # The target goes on a moment after its line (its print and
            # readline buffers): until its counts stop moving (0.5 s still),
            # at most 60 s, so its tail is not taken for the non-target's.
            c1, still, deadline = prog_counts(d.pid), time.time(), time.time() + 60
            while time.time() - still < 0.5 and time.time() < deadline:
                time.sleep(0.1)
                c = prog_counts(d.pid)
                if c != c1:
                    c1, still = c, time.time()
            self.assertGreater(c1["on_mmap"] + c1["on_mremap"] + c1["on_brk"],
                               c0["on_mmap"] + c0["on_mremap"] + c0["on_brk"], (c0, c1))
            # 8 MiB made resident: 2048 faults, one walk in 128 (the
            # default --fault-period); at least half of those.
            self.assertGreaterEqual(c1["on_fault"] - c0["on_fault"], (8 << 20) // 4096 // 128 // 2,
                                    (c0, c1))
            # The non-target: 20000 malloc/free, 313 of them 256 KiB blocks
            # through mmap/munmap, each touched (page faults).
            p = subprocess.run([exe, "20000"], stdout=subprocess.PIPE, text=True, check=True)
            self.assertIn("malloc_loop", p.stdout)
            c2 = prog_counts(d.pid)
            if c2 != c1:
                st = json.loads(subprocess.run([MLPROFCTL, "-s", sock, "status", "-f", "json"],
                                               stdout=subprocess.PIPE, text=True).stdout)
                self.fail("a non-target process ran mlprof's memory programs: %s -> %s; "
                          "the daemon's targets (another mlpy run on the machine is one): %s" %
                          (c1, c2, [(t["pid"], t.get("command")) for t in st["targets"]]))
        finally:
            if target.poll() is None:
                target.kill()
                target.wait()
            d.terminate()
            d.wait(timeout=30)
            log.close()


if __name__ == "__main__":
    unittest.main()

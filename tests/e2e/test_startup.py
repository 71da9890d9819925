"""The one-shot's end (issue 15, decision 30): mlprofd exits with the
command's code and report right after the command and leaves the kernel's
teardown to a detached child; its BPF programs are gone after. The memory
uprobes tail call one shared walk program: their events still carry the
Python stack."""
import json
import os
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mlproftest import (MLPROFD, Profile, bpf_prog_ids, clock_args,  # noqa: E402
                        loaded_bpf_prog_ids, require_root)

PY = "/usr/bin/python3.11"

# Maps 32 MiB in grab() (an mmap: one memory uprobe event), says it is
# ready, waits to be let go, spends 0.3 s of CPU in spin_work, exits 7.
WORKLOAD = r'''
import os, sys, time

def grab():
    return bytearray(32 << 20)

def spin_work(secs):
    t = time.process_time()
    x = 0
    while time.process_time() - t < secs:
        x += 1
    return x

keep = grab()
open(sys.argv[1], "w").close()
while not os.path.exists(sys.argv[2]):
    time.sleep(0.01)
spin_work(0.3)
print("MLPROF_DONE", len(keep), flush=True)
sys.exit(7)
'''


def wait_for(cond, secs, what):
    """Polls cond until true; secs is a deadline, not a pace."""
    deadline = time.time() + secs
    while not cond():
        if time.time() > deadline:
            raise AssertionError("timed out waiting for " + what)
        time.sleep(0.05)


def total_alloc(prof, name):
    return sum(st.get("a", 0) for st in prof.snap["stacks"]
               if any(prof.funcs[st["f"][i]]["name"] == name for i in range(0, len(st["f"]), 2)))


class OneShotEndTests(unittest.TestCase):
    def setUp(self):
        require_root(self)

    def run_case(self, extra):
        with tempfile.TemporaryDirectory(prefix="mlprof-startup-") as tmp:
            script = os.path.join(tmp, "work.py")
            ready, go = os.path.join(tmp, "ready"), os.path.join(tmp, "go")
            raw_path, snap_path = os.path.join(tmp, "raw.json"), os.path.join(tmp, "snap.json")
            with open(script, "w") as f:
                f.write(WORKLOAD)
            proc = subprocess.Popen([MLPROFD, "-f", "json", "-o", raw_path, "--save", snap_path,
                                     *clock_args(), *extra, "--", PY, script, ready, go],
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            try:
                # Start-up is ~1 s here; BPF verification on a busy VM more.
                wait_for(lambda: os.path.exists(ready) or proc.poll() is not None, 120,
                         "the command to start")
                # The programs are loaded before the command runs.
                mine = bpf_prog_ids(proc.pid)
                open(go, "w").close()
                # The detached child closed the caller's pipes: EOF comes
                # with mlprofd's exit, not after the kernel's teardown.
                out, err = proc.communicate(timeout=120)
            finally:
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()
            with open(snap_path) as f:
                snap = json.load(f)
            with open(raw_path) as f:
                raw = json.load(f)
        prof = Profile(snap, raw, out, proc.returncode, err)
        return prof, mine

    def check_gone(self, mine):
        # Programs are freed after the detached child's closes and an RCU
        # grace period each: ~0.3 s here; 60 s is a deadline, not a pace.
        wait_for(lambda: not (mine & loaded_bpf_prog_ids()), 60,
                 "the one-shot's BPF programs to go")

    def test_exit_code_report_and_no_programs_left(self):
        for extra in ((), ("--no-memory",)):
            with self.subTest(options=extra):
                prof, mine = self.run_case(extra)
                self.assertEqual(prof.returncode, 7, prof.stderr)
                self.assertIn("MLPROF_DONE %d" % (32 << 20), prof.stdout)
                self.assertIn("report written to", prof.stderr)
                procs = [p for p in prof.raw["processes"] if p["python"]]
                self.assertTrue(procs, prof.stderr)
                self.assertEqual(procs[-1]["exit_code"] >> 8, 7)
                # 0.3 s of CPU in spin_work: at least half of it sampled.
                self.assertGreater(prof.self_samples("spin_work") / prof.hz, 0.15)
                self.assertEqual(prof.raw["dropped"], 0)
                if extra:
                    self.assertEqual(prof.snap["memory"], 0)
                    self.assertEqual(total_alloc(prof, "grab"), 0)
                else:
                    # The mmap's event went through the tail call to the
                    # shared walk and kept its Python stack.
                    self.assertEqual(prof.snap["memory"], 1)
                    self.assertGreaterEqual(total_alloc(prof, "grab"), 32 << 20)
                    self.assertEqual(prof.snap["stats"].get("mem_drops", 0), 0)
                self.assertGreaterEqual(len(mine), 4)
                self.check_gone(mine)

    def test_control_socket_gone_at_exit(self):
        """Sockets are closed by mlprofd itself, not left to the detached
        child: the control socket's path is gone when mlprofd has exited."""
        with tempfile.TemporaryDirectory(prefix="mlprof-startup-") as tmp:
            sock = os.path.join(tmp, "s.sock")
            p = subprocess.run([MLPROFD, *clock_args(), "--socket", sock, "-o", os.devnull, "--",
                                "/bin/sh", "-c", 'test -S "$0" && exit 5', sock],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               timeout=120)
            self.assertEqual(p.returncode, 5, p.stderr)  # the socket was there
            self.assertFalse(os.path.exists(sock))


if __name__ == "__main__":
    unittest.main()

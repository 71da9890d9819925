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
from mlproftest import (MLPROFD, WORKLOADS, Profile, bpf_prog_ids, bpftool_show,  # noqa: E402
                        clock_args, loaded_bpf_prog_ids, require_root, run_oneshot,
                        work_secs)

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


def verified_insns(pid):
    """{program id: instructions the verifier processed} of the BPF programs
    process pid holds (their fdinfo)."""
    counts = {}
    fd_dir = "/proc/%d/fd" % pid
    try:
        fds = os.listdir(fd_dir)
    except OSError:
        return counts
    for fd in fds:
        try:
            if os.readlink(os.path.join(fd_dir, fd)) != "anon_inode:bpf-prog":
                continue
            with open("/proc/%d/fdinfo/%s" % (pid, fd)) as f:
                info = dict(line.split(":", 1) for line in f if ":" in line)
        except OSError:
            continue
        if "prog_id" in info and "verified_insns" in info:
            counts[int(info["prog_id"])] = int(info["verified_insns"])
    return counts


def prog_names(ids):
    """{program id: name} (bpftool)."""
    return {p["id"]: p.get("name", "") for p in bpftool_show("prog") if p["id"] in ids}


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

    def test_walks_verified_in_few_instructions(self):
        """Every program, each walk included, is verified in at most 30,000
        instructions (decision 30): the kernel's count, from the program's
        fdinfo, while the one-shot's command waits. A frame walk whose
        bpf_loop state the verifier can tell apart step by step (a constant
        kept on the stack) took 80,000 and ~70 ms of start-up; after, the
        largest is ~10,500 (on_switch): 30,000 is ~3x that."""
        for extra in ((), ("--clock", "tick", "--mode", "wall", "--memory=live")):
            with self.subTest(options=extra), \
                    tempfile.TemporaryDirectory(prefix="mlprof-startup-") as tmp:
                ready, go = os.path.join(tmp, "ready"), os.path.join(tmp, "go")
                proc = subprocess.Popen([MLPROFD, "-o", os.devnull, *extra, "--", "/bin/sh", "-c",
                                         ': > "$0"; while [ ! -e "$1" ]; do sleep 0.05; done',
                                         ready, go],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                        text=True)
                try:
                    # Every program is loaded before the command runs; 120 s
                    # is a deadline for a busy VM, not a pace.
                    wait_for(lambda: os.path.exists(ready) or proc.poll() is not None, 120,
                             "the command to start")
                    counts = verified_insns(proc.pid)
                    open(go, "w").close()
                    _, err = proc.communicate(timeout=120)
                finally:
                    if proc.poll() is None:
                        proc.kill()
                        proc.wait()
                self.assertEqual(proc.returncode, 0, err)
                names = prog_names(counts)
                walks = [n for n in names.values() if n in ("perf_walk", "mem_walk", "on_tick",
                                                              "on_switch")]
                self.assertGreaterEqual(len(walks), 3 if extra else 2, names)
                for pid_, n in counts.items():
                    self.assertLessEqual(n, 30000, "%s: %d instructions" % (names.get(pid_), n))

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


# The cache file's header (user/btfkey.h): magic 8, id length 4, id 64,
# zero 4, object hash, object length, BTF length, BTF checksum (8 each).
HDR_ID, HDR_LEN = 12, 112
POINTS = 5.0  # the sampler suite's tolerance, percentage points


def read(path):
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError:
        return b""


class BtfCacheTests(unittest.TestCase):
    """A one-shot takes its kernel BTF, minimized for its BPF object, from a
    root-only cache keyed by the kernel's build id (decision 30); the cache
    is made after a run that missed it; anything wrong with it (corrupt,
    another kernel's, not root's, a symlink) is a miss: the kernel's BTF is
    used and the profile is the same."""

    def setUp(self):
        require_root(self)
        self.tmp = tempfile.mkdtemp(prefix="mlprof-btfcache-")
        self.cache = os.path.join(self.tmp, "btf")

    def tearDown(self):
        subprocess.run(["rm", "-rf", self.tmp], check=False)

    def files(self):
        try:
            return [os.path.join(self.cache, n) for n in os.listdir(self.cache)
                    if n.endswith(".btf") and not n.startswith(".")]
        except OSError:
            return []

    def profile(self, expect_log):
        """A 70/30 split of 1 s of CPU (ratio.py, as test_sampler): sampled
        within POINTS of what it measured, with the verbose line expected."""
        prof = run_oneshot([PY, os.path.join(WORKLOADS, "ratio.py"), work_secs(1.0), "0.7"],
                           extra=("-v", "--btf-cache", self.cache))
        self.assertEqual(prof.returncode, 0, prof.stderr)
        self.assertIn(expect_log, prof.stderr)
        self.assertNotIn("loading with the cached BTF failed", prof.stderr)
        truth = prof.split()
        a, b = prof.self_samples("hot_a"), prof.self_samples("hot_b")
        self.assertGreater(a + b, 0.5 * prof.hz, "too little CPU time sampled for 1 s")
        got = 100.0 * a / (a + b)
        want = 100.0 * truth["hot_a"] / (truth["hot_a"] + truth["hot_b"])
        self.assertLess(abs(got - want), POINTS, "hot_a %.1f%% vs measured %.1f%%" % (got, want))
        self.assertEqual(prof.raw["dropped"], 0)
        self.assertEqual(prof.snap["stats"]["unresolved_frames"], 0)
        return prof

    def wait_made(self):
        # bpftool takes ~0.1 s here, after the run; 60 s is a deadline.
        wait_for(lambda: self.files(), 60, "the BTF cache file")
        return self.files()[0]

    def test_made_after_a_miss_then_used(self):
        self.profile("no file for this kernel and object; the kernel's BTF is used")
        path = self.wait_made()
        self.assertEqual(os.stat(self.cache).st_mode & 0o777, 0o700)
        st = os.stat(path)
        self.assertEqual((st.st_uid, st.st_mode & 0o777), (0, 0o600))
        with open(path, "rb") as f:
            data = f.read()
        self.assertEqual(data[:8], b"MLPBTF01")
        # minimized: a few KiB, not the kernel's megabytes (2.2 KiB here)
        self.assertLess(len(data), 256 << 10)
        # no temporary left behind
        wait_for(lambda: len(os.listdir(self.cache)) == 1, 60, "temporary files to go")
        self.profile("kernel BTF from the cache in " + self.cache)

    def test_bad_cache_falls_back(self):
        self.profile("the kernel's BTF is used")
        path = self.wait_made()
        good = read(path)

        def corrupt():
            b = bytearray(good)
            b[HDR_LEN + 20] ^= 0x40
            with open(path, "wb") as f:
                f.write(b)

        def foreign():
            # another kernel's build id in an otherwise valid file
            b = bytearray(good)
            b[HDR_ID] ^= 0xff
            with open(path, "wb") as f:
                f.write(b)

        def not_roots():
            with open(path, "wb") as f:
                f.write(good)
            os.chown(path, 65534, 65534)

        def symlink():
            other = os.path.join(self.tmp, "elsewhere.btf")
            with open(other, "wb") as f:
                f.write(good)
            os.unlink(path)
            os.symlink(other, path)

        cases = ((corrupt, "corrupt"), (foreign, "made for another kernel or object"),
                 (not_roots, "directory or file not root's alone"),
                 (symlink, "Too many levels of symbolic links"))
        for spoil, words in cases:
            with self.subTest(case=spoil.__name__):
                spoil()
                self.profile("BTF cache in %s: %s; the kernel's BTF is used" % (self.cache, words))
                # the run remade it: the next one takes it
                # (bpftool's output for one kernel and object is the same)
                wait_for(lambda: not os.path.islink(path) and os.stat(path).st_uid == 0
                         and read(path) == good, 60, "the cache file to be remade")
                self.profile("kernel BTF from the cache in " + self.cache)
        with self.subTest(case="directory open to others"):
            os.chmod(self.cache, 0o755)
            self.profile("BTF cache in %s: directory or file not root's alone" % self.cache)


if __name__ == "__main__":
    unittest.main()

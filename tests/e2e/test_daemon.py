"""mlprofd as a daemon with mlprofctl: reports over the socket, scoping,
reset, bad requests, bad targets, clean shutdown."""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mlproftest import clock_args  # noqa: E402
from mlproftest import (MLPROFCTL, MLPROFD, WORKLOADS, bpf_prog_ids, loaded_bpf_prog_ids,  # noqa: E402
                        require_root, run_oneshot)

PY = "/usr/bin/python3.11"


class Daemon:
    def __init__(self, *args):
        self.tmp = tempfile.mkdtemp(prefix="mlprof-daemon-")
        self.sock = os.path.join(self.tmp, "mlprofd.sock")
        self.log = open(os.path.join(self.tmp, "log"), "w+")
        self.proc = subprocess.Popen([MLPROFD, *clock_args(), "--socket", self.sock, *args],
                                     stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 60  # a start takes ~1 s; BPF verification on a busy VM more
        while not os.path.exists(self.sock):
            if self.proc.poll() is not None or time.time() > deadline:
                raise AssertionError("mlprofd did not start:\n" + self.output())
            time.sleep(0.05)

    def output(self):
        self.log.flush()
        self.log.seek(0)
        return self.log.read()

    def ctl(self, *args, check=True):
        p = subprocess.run([MLPROFCTL, "-s", self.sock, *args], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, timeout=60)
        if check and p.returncode != 0:
            raise AssertionError("mlprofctl %s failed: %s" % (args, p.stderr))
        return p

    def json(self, *args):
        return json.loads(self.ctl(*args, "--format", "json").stdout)

    def raw_request(self, data, shutdown=True):
        s = socket.socket(socket.AF_UNIX)
        s.settimeout(10)
        s.connect(self.sock)
        s.sendall(data)
        if shutdown:
            s.shutdown(socket.SHUT_WR)
        out = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            out += chunk
        s.close()
        return [json.loads(line) for line in out.decode().splitlines()]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=30)
        self.log.close()
        shutil.rmtree(self.tmp, ignore_errors=True)
        return self.proc.returncode


def run_workload(*args):
    """Runs PY ARGS to its end; the result has .pid too."""
    p = subprocess.Popen([PY, *args], stdout=subprocess.PIPE, text=True)
    out, _ = p.communicate(timeout=60)
    res = subprocess.CompletedProcess(p.args, p.returncode, out)
    res.pid = p.pid
    return res


class DaemonTests(unittest.TestCase):
    def setUp(self):
        require_root(self)

    def test_report_scope_reset_and_status(self):
        d = Daemon("--target", "python")
        try:
            w = run_workload(os.path.join(WORKLOADS, "ratio.py"), "0.6", "0.7")
            self.assertIn("MLPROF_SPLIT", w.stdout)
            rep = d.json("report", "raw")
            # This run's functions (another ratio.py on the machine is a
            # target too under --target python).
            names = {f["qualname"]: f for f in rep["functions"]
                     if f["file"] == os.path.join(WORKLOADS, "ratio.py")}
            self.assertIn("hot_a", names)
            self.assertGreater(names["hot_a"]["self_samples"], 200)
            self.assertAlmostEqual(names["hot_a"]["self_s"],
                                   names["hot_a"]["self_samples"] / rep["freq_hz"], places=6)
            # This run's process (not another ratio.py run on the machine).
            procs = [p for p in rep["processes"]
                     if p["pid"] == w.pid and "ratio.py" in p["command"]]
            self.assertEqual(len(procs), 1)
            pid = procs[0]["pid"]
            self.assertEqual(procs[0]["python"].split(".")[:2], ["3", "11"])
            self.assertIsNotNone(procs[0]["exit_time"])
            # Scope: another process, then --pid selects only the first.
            run_workload("-c", "import time\nx=0\nfor i in range(3*10**6): x+=i")
            scoped = d.json("report", "raw", "--pid", str(pid))
            everything = d.json("report", "raw")
            self.assertEqual({p["pid"] for p in scoped["processes"]}, {pid})
            # The pid may have two images: the fork of this (profiled) test
            # runner, and the exec of ratio.py.
            mine = sum(p["samples"] for p in everything["processes"] if p["pid"] == pid)
            self.assertEqual(scoped["samples"], mine)
            self.assertGreater(everything["samples"], scoped["samples"])
            # Text report and status.
            txt = d.ctl("report", "raw").stdout
            self.assertIn("ratio.py", txt)
            self.assertIn("(hot_a)", txt)
            st = d.json("status")
            self.assertEqual(st["daemon"]["mode"], "python")
            self.assertGreater(st["counters"]["samples"], 0)
            # Reset forgets everything (processes still running, like this
            # test runner itself under --target python, start again at 0).
            d.ctl("reset")
            after = d.json("report", "raw")
            self.assertNotIn(pid, {p["pid"] for p in after["processes"]})
            self.assertNotIn("hot_a", {f["qualname"] for f in after["functions"]
                                       if f["file"] == os.path.join(WORKLOADS, "ratio.py")})
            self.assertLess(after["samples"], everything["samples"] / 10)
        finally:
            self.assertEqual(d.stop(), 0)

    def test_bad_requests_get_errors_and_daemon_keeps_serving(self):
        d = Daemon("--target", "mlpy")
        try:
            replies = d.raw_request(b"garbage\n[1,2]\n{\"v\":1}\n{\"v\":2,\"cmd\":\"status\"}\n"
                                    b"{\"v\":1,\"cmd\":\"fly\"}\n{\"v\":1,\"cmd\":\"snapshot\",\"pid\":-4}\n")
            self.assertEqual([r["ok"] for r in replies], [False] * 6)
            self.assertEqual([r["error"]["code"] for r in replies],
                             ["bad_json", "bad_request", "bad_request", "bad_version",
                              "unknown_command", "bad_request"])
            self.assertTrue(all(r["v"] == 1 for r in replies))
            # Truncated: no newline before the client closes.
            r = d.raw_request(b"{\"v\":1,\"cmd\":\"sta")
            self.assertEqual(r[0]["error"]["code"], "truncated")
            # Oversized: more than 64 KiB without a newline.
            r = d.raw_request(b"x" * (70 * 1024), shutdown=False)
            self.assertEqual(r[0]["error"]["code"], "too_large")
            # Still serving, over the same socket, in order.
            r = d.raw_request(b"{\"v\":1,\"cmd\":\"status\"}\n{\"v\":1,\"cmd\":\"status\"}\n")
            self.assertEqual([x["ok"] for x in r], [True, True])
            self.assertEqual(d.ctl("status").returncode, 0)
        finally:
            self.assertEqual(d.stop(), 0)

    def test_non_python_target_is_reported(self):
        sleeper = subprocess.Popen(["sleep", "30"])
        d = Daemon("--pid", str(sleeper.pid))
        try:
            st = d.json("status")
            t = [x for x in st["targets"] if x["pid"] == sleeper.pid]
            self.assertEqual(len(t), 1)
            self.assertEqual(t[0]["status"], "not-python")
            self.assertIn("no CPython", t[0]["message"])
        finally:
            sleeper.kill()
            sleeper.wait()
            self.assertEqual(d.stop(), 0)

    def test_missing_pid_is_an_error(self):
        p = subprocess.run([MLPROFD, *clock_args(), "--socket", "/tmp/mlprof-none.sock", "--pid", "4194000"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=30)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("4194000", p.stderr)

    def test_bad_options_are_usage_errors(self):
        for args in (["--freq", "0"], ["--freq", "12x"], ["--target", "ruby"],
                     ["--ringbuf-mb", "3"], ["--bogus"], ["stray"]):
            p = subprocess.run([MLPROFD, *clock_args(), *args], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, timeout=30)
            self.assertEqual(p.returncode, 2, args)
            self.assertIn("mlprofd", p.stderr)
        p = subprocess.run([MLPROFD, *clock_args(), "--help"], stdout=subprocess.PIPE, text=True)
        self.assertEqual(p.returncode, 0)
        self.assertIn("Examples:", p.stdout)
        p = subprocess.run([MLPROFCTL, "report", "nonsense"], stderr=subprocess.PIPE, text=True)
        self.assertEqual(p.returncode, 2)
        self.assertIn("unknown report type", p.stderr)

    def test_many_short_processes_and_clean_detach(self):
        d = Daemon("--target", "python")
        # The daemon's own programs (other daemons may run on the machine).
        mine = bpf_prog_ids(d.proc.pid)
        self.assertGreaterEqual(len(mine), 4)
        self.assertLessEqual(mine, loaded_bpf_prog_ids())
        try:
            for _ in range(25):
                subprocess.run([PY, "-c", "pass"], timeout=30)
            st = d.json("status")
            self.assertEqual(st["daemon"]["bad_events"], 0)
            rep = d.json("report", "raw")
            done = [p for p in rep["processes"] if p["command"].endswith("-c pass")]
            self.assertGreaterEqual(len(done), 25)
        finally:
            self.assertEqual(d.stop(), 0)
        # Programs are freed after an RCU grace period: a deadline, not a
        # pace (well under a second here, also beside stress-ng).
        deadline = time.time() + 60
        while mine & loaded_bpf_prog_ids() and time.time() < deadline:
            time.sleep(0.2)
        self.assertEqual(mine & loaded_bpf_prog_ids(), set(), "mlprofd left BPF programs behind")

    def test_stripped_interpreter_copy_is_profiled(self):
        tmp = tempfile.mkdtemp(prefix="mlprof-strip-")
        try:
            exe = os.path.join(tmp, "python3.11")
            shutil.copy(PY, exe)
            subprocess.run(["strip", "--strip-all", exe], check=True)
            prof = run_oneshot([exe, os.path.join(WORKLOADS, "ratio.py"), "0.4"])
            self.assertGreater(prof.self_samples("hot_a"), 100)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    def test_corrupted_libpython_is_reported(self):
        root = os.environ.get("PYENV_ROOT") or os.path.expanduser("~/.pyenv")
        lib = os.path.join(root, "versions", "3.12.1", "lib", "libpython3.12.so.1.0")
        exe = os.path.join(root, "versions", "3.12.1", "bin", "python3.12")
        if not os.path.exists(lib):
            self.fail("pyenv 3.12.1 is needed for this test")
        tmp = tempfile.mkdtemp(prefix="mlprof-corrupt-")
        try:
            bad = os.path.join(tmp, "libpython3.12.so.1.0")
            shutil.copy(lib, bad)
            with open(bad, "r+b") as f:  # section header table offset -> past EOF
                f.seek(0x28)
                f.write((2 ** 40).to_bytes(8, "little"))
            env = dict(os.environ, LD_LIBRARY_PATH=tmp)
            p = subprocess.run([MLPROFD, *clock_args(), "-f", "json", "--", exe, "-c",
                                "x=0\nfor i in range(2*10**6): x+=i"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env=env, timeout=60)
            self.assertEqual(p.returncode, 0, p.stderr)
            rep = json.loads(p.stdout)
            proc = [x for x in rep["processes"] if "python3.12" in x["command"]]
            self.assertTrue(proc)
            self.assertIn(proc[-1]["status"], ("error", "unsupported", "not-python"))
            self.assertIn("libpython3.12.so.1.0", proc[-1]["message"])
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    unittest.main(verbosity=2)

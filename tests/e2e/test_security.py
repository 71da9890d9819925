"""Issue 16: attacks by a local user on the root daemon, each reproduced and
shown to fail. The user is a real unprivileged account made by the test
(mlprof-test-user); targets run under it with setpriv (same pid, so the
daemon sees the user's credentials)."""
import os
import pty
import pwd
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mlproftest import MLPROFCTL, require_root, run_oneshot  # noqa: E402

USER = "mlprof-test-user"
PY = "/usr/bin/python3.11"
SECRET_DEFS = "\n" * 5 + "function SECRET_NAME(x) {\n  return x\n}\n"

# A module with a hot function; NAME is its function. Runs ~1.5 s of CPU.
MODULE = """
import time
def {name}():
    t = time.process_time() + 1.5
    n = 0
    while time.process_time() < t:
        n += 1
    return n
"""


def test_user():
    try:
        return pwd.getpwnam(USER)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin",
                        USER], check=True)
        return pwd.getpwnam(USER)


def as_user(pw, argv):
    return ["setpriv", "--reuid=%d" % pw.pw_uid, "--regid=%d" % pw.pw_gid, "--clear-groups",
            "--", *argv]


class TargetFileTests(unittest.TestCase):
    """Findings 1 and 2: files beside a target's code, read for the target."""

    def setUp(self):
        require_root(self)
        self.pw = test_user()
        self.secret_dir = tempfile.mkdtemp(prefix="mlprof-secret-")  # root, 0700
        os.chmod(self.secret_dir, 0o700)
        self.secret = os.path.join(self.secret_dir, "secret.ml")
        with open(self.secret, "w") as f:
            f.write(SECRET_DEFS)
        os.chmod(self.secret, 0o600)
        self.work = tempfile.mkdtemp(prefix="mlprof-attack-")
        os.chmod(self.work, 0o755)
        self.fds = []

    def tearDown(self):
        for fd in self.fds:
            os.close(fd)
        shutil.rmtree(self.secret_dir, ignore_errors=True)
        shutil.rmtree(self.work, ignore_errors=True)

    def module(self, name, fn):
        with open(os.path.join(self.work, name + ".py"), "w") as f:
            f.write(MODULE.format(name=fn))

    def main(self, mods):
        # A fake `mlpy` CLI: the daemon turns on ML attribution for it.
        path = os.path.join(self.work, "mlpy")
        with open(path, "w") as f:
            f.write("import sys\nsys.path.insert(0, %r)\n" % self.work)
            for mod, fn in mods:
                f.write("import %s\n%s.%s()\n" % (mod, mod, fn))
        for n in os.listdir(self.work):
            os.lchown(os.path.join(self.work, n), self.pw.pw_uid, self.pw.pw_gid)
        return path

    def assert_no_secret(self, prof):
        text = prof.stdout + prof.stderr + repr(prof.snap) + repr(prof.raw)
        self.assertNotIn(self.secret_dir, text)
        self.assertNotIn("secret.ml", text)
        # evil.ml was not read: evil.py's function is plain Python, no ML line
        for f in prof.funcs:
            self.assertFalse(f["file"].endswith("evil.ml"), f)

    def test_symlink_to_root_only_ml_is_not_read_for_a_user(self):
        self.module("evil", "SECRET_NAME")
        os.symlink(self.secret, os.path.join(self.work, "evil.ml"))
        os.symlink(self.secret, os.path.join(self.work, "evil.py.map"))
        main = self.main([("evil", "SECRET_NAME")])
        prof = run_oneshot(as_user(self.pw, [PY, main]))
        self.assertEqual(prof.returncode, 0, prof.stderr)
        self.assertGreater(prof.self_samples("SECRET_NAME"), 50)  # ~1.5 s at 99 Hz
        self.assert_no_secret(prof)

    def test_fifo_pty_and_device_ml_neither_stall_nor_stop_the_daemon(self):
        for mod in ("fifo", "tty", "zero"):
            self.module(mod, mod + "_hot")
        os.mkfifo(os.path.join(self.work, "fifo.ml"))
        master, slave = pty.openpty()
        self.fds += [master, slave]
        os.symlink(os.ttyname(slave), os.path.join(self.work, "tty.ml"))
        # a real device node (the symlink case is refused by O_NOFOLLOW alone)
        os.mknod(os.path.join(self.work, "zero.ml"), 0o666 | stat.S_IFCHR, os.makedev(1, 5))
        main = self.main([(m, m + "_hot") for m in ("fifo", "tty", "zero")])
        t0 = time.monotonic()
        # Run as root: credentials do not help here, only the open rules do.
        prof = run_oneshot([PY, main], timeout=120)
        took = time.monotonic() - t0
        self.assertEqual(prof.returncode, 0, prof.stderr)
        for fn in ("fifo_hot", "tty_hot", "zero_hot"):
            self.assertGreater(prof.self_samples(fn), 50, fn)
            for f in prof.funcs:
                if f["name"] == fn:
                    self.assertFalse(f["file"].endswith(".ml"), f)
        # 4.5 s of work; an open() stalled on the FIFO never returned before.
        # 60 s is >10x the slowest run seen (6 s) on a busy 2-CPU machine.
        self.assertLess(took, 60)
        # the pty did not become the daemon's terminal: nothing was written
        os.set_blocking(master, False)
        try:
            got = os.read(master, 4096)
        except BlockingIOError:
            got = b""
        self.assertEqual(got, b"")


def stuck_helpers(uid, sock):
    """{pid: [fd targets]} of the tfread helpers of the daemon serving sock:
    forks of it (same command line) running as uid (they take the
    target's ids). Another daemon on the machine may have its own."""
    out = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                if sock.encode() not in f.read().split(b"\0"):
                    continue
            if os.stat("/proc/" + pid).st_uid != uid:
                continue
            fdd = "/proc/%s/fd" % pid
            out[int(pid)] = [os.readlink(os.path.join(fdd, n)) for n in os.listdir(fdd)]
        except OSError:
            continue  # gone meanwhile
    return out


class StallingFileTests(unittest.TestCase):
    """Finding 2, a file that never answers: the .ml beside a user's module
    lies on a FUSE mount the user serves (fusestall.py) whose reads, or
    lookups, never return. A read costs the daemon at most
    TFREAD_TIMEOUT_MS (0.5 s) and after one, that user's files are not read
    for 10 minutes: three runs stall it once, and status answers within a
    second throughout. Before: the daemon waited for its helper, which the
    kernel does not let die while the server holds its request, for good."""

    def setUp(self):
        require_root(self)
        self.pw = test_user()
        self.mnt = tempfile.mkdtemp(prefix="mlprof-fuse-")
        os.chmod(self.mnt, 0o755)
        self.mlpy = os.path.join(self.mnt, "mlpy")

    def tearDown(self):
        os.rmdir(self.mnt)

    def attack(self, **fuse):
        """Three runs of a fake mlpy CLI on the mount, one after the other,
        as the user, profiled by a daemon polled for status meanwhile.
        (raw report, the mount's unanswered requests)."""
        from fusestall import StallFS
        from test_daemon import Daemon
        files = {"mlpy": b"import stall\nstall.stall_hot()\n",
                 "stall.py": MODULE.format(name="stall_hot").encode(),
                 "stall.ml": SECRET_DEFS.encode()}
        statuses, worst = 0, 0.0
        with StallFS(self.mnt, files, uid=self.pw.pw_uid, gid=self.pw.pw_gid, **fuse) as fs:
            holder = subprocess.Popen(as_user(self.pw, [
                "sh", "-c", 'read x; for i in 1 2 3; do "$0" "$1" || exit 1; done', PY,
                self.mlpy]), stdin=subprocess.PIPE)
            d = Daemon("--pid", str(holder.pid), "--freq", "99")
            try:
                holder.stdin.close()  # go
                while holder.poll() is None:
                    t0 = time.monotonic()
                    d.ctl("status")
                    worst = max(worst, time.monotonic() - t0)
                    statuses += 1
                    time.sleep(0.05)
                raw = d.json("report", "raw")
                stalled = fs.stalled
            finally:
                if holder.poll() is None:
                    holder.kill()
                holder.wait()
                self.assertEqual(d.stop(), 0)
            # The helper still waits (until the unmount) and outlived the
            # daemon: it holds none of its BPF objects, perf events or
            # sockets.
            helpers = stuck_helpers(self.pw.pw_uid, d.sock)
            self.assertTrue(helpers, "no helper waiting in the stalled request")
            for pid, fds in helpers.items():
                # its two pipes, and the file if the open went through
                self.assertEqual([f for f in fds if not f.startswith("pipe:")
                                  and f != self.mnt + "/stall.ml"], [],
                                 "helper %d holds %s" % (pid, fds))
        print("status answered %d times, the slowest in %.3f s" % (statuses, worst),
              file=sys.stderr)
        self.assertEqual(holder.returncode, 0)
        # ~10-30 ms each; a status that waited for the 0.5 s read still
        # comes in under the 1 s bound.
        self.assertGreater(statuses, 10)
        self.assertLess(worst, 1.0)
        runs = [p for p in raw["processes"] if p["python"] and self.mlpy in p["command"]]
        self.assertEqual(len(runs), 3, [p["command"] for p in raw["processes"]])
        hot = [f for f in raw["functions"] if f["name"] == "stall_hot"]
        # 4.5 s of CPU at 99 Hz: the runs were sampled through the stall.
        self.assertGreater(sum(f["self_samples"] for f in hot), 3 * 50)
        return [p["ml_note"] for p in runs], hot, stalled

    def test_stalling_ml_read_costs_one_timeout_per_user(self):
        notes, hot, stalled = self.attack(stall={"stall.ml"})
        # The first run's read timed out; the user was then held: the other
        # two runs read nothing and say why.
        self.assertEqual(stalled, 1, notes)
        self.assertEqual(sum("took over 500 ms" in n for n in notes), 1, notes)
        self.assertEqual(sum("stalled a read in the last 10 min" in n for n in notes), 2, notes)
        # The first run found stall.ml (its user can open it) but could not
        # read it: named by it, lines unknown; the others are plain Python.
        for f in hot:
            self.assertIn(f["file"], (self.mnt + "/stall.py", self.mnt + "/stall.ml"), f)
            if f["file"].endswith(".ml"):
                self.assertEqual(f["line"], -1, f)

    def test_stalling_lookup_on_a_mount_root_may_use(self):
        # allow_other: root's own lookups reach the server too, so the
        # daemon must not look there as root (mntlocal.c): the helper does,
        # bounded.
        notes, hot, stalled = self.attack(stall_lookup={"stall.ml"}, allow_other=True)
        self.assertEqual(stalled, 1, notes)
        self.assertEqual(sum("looking up" in n and "took over 500 ms" in n for n in notes), 1,
                         notes)
        self.assertEqual(sum("stalled a read in the last 10 min" in n for n in notes), 2, notes)
        for f in hot:
            self.assertEqual(f["file"], self.mnt + "/stall.py", f)


class WrittenFileTests(unittest.TestCase):
    """Finding 4: one-shot outputs through planted symlinks and files."""

    def setUp(self):
        require_root(self)
        self.pw = test_user()
        self.dir = tempfile.mkdtemp(prefix="mlprof-shared-")
        os.chmod(self.dir, 0o1777)  # a shared, sticky directory like /tmp
        self.victim = os.path.join(self.dir, "victim")
        with open(self.victim, "w") as f:
            f.write("root's data\n")
        os.chmod(self.victim, 0o600)

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def plant(self, name, target=None):
        path = os.path.join(self.dir, name)
        if target:
            os.symlink(target, path)
        else:
            with open(path, "w") as f:
                f.write("user's file\n")
            os.chmod(path, 0o666)
        os.lchown(path, self.pw.pw_uid, self.pw.pw_gid)
        return path

    def test_outputs_refuse_planted_symlinks_and_user_files(self):
        link = self.plant("out.txt", self.victim)
        save = self.plant("save.json", self.victim)
        owned = self.plant("owned.txt")
        prof = run_oneshot([PY, "-c", "pass"])
        with tempfile.TemporaryDirectory() as tmp:
            snap = os.path.join(tmp, "snap.json")
            p = subprocess.run(["/usr/bin/env", os.path.dirname(MLPROFCTL) + "/mlprofd",
                                "--save", save, "-o", link, "--", PY, "-c", "pass"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               timeout=120)
            self.assertIn("cannot write", p.stderr)
            self.assertIn("cannot save", p.stderr)
            import json
            with open(snap, "w") as f:
                json.dump(prof.snap, f)
            for out in (link, owned):
                p = subprocess.run([MLPROFCTL, "report", "raw", "-i", snap, "-o", out],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                   timeout=60)
                self.assertNotEqual(p.returncode, 0, out)
            ok = os.path.join(tmp, "fresh.txt")
            p = subprocess.run([MLPROFCTL, "report", "raw", "-i", snap, "-o", ok],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               timeout=60)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertEqual(stat.S_IMODE(os.stat(ok).st_mode), 0o600)
            self.assertGreater(os.path.getsize(ok), 0)
        with open(self.victim) as f:
            self.assertEqual(f.read(), "root's data\n")
        with open(owned) as f:
            self.assertEqual(f.read(), "user's file\n")


class NameEscapeTests(unittest.TestCase):
    """Finding 6: a function name with terminal escapes and a newline."""

    def setUp(self):
        require_root(self)

    def test_text_report_escapes_names_json_keeps_them(self):
        name = "evil\\x1b]0;pwned\\x07\\nforged_line"
        code = ("import time\n"
                "def f():\n"
                "    t = time.process_time() + 1.0\n"
                "    while time.process_time() < t: pass\n"
                "f.__code__ = f.__code__.replace(co_name=%r, co_qualname=%r)\n"
                "f()\n") % (eval('"' + name + '"'), eval('"' + name + '"'))
        prof = run_oneshot([PY, "-c", code], extra=("-r", "raw"))
        raw_name = eval('"' + name + '"')
        self.assertGreater(prof.self_samples(raw_name), 30)  # JSON: the real name
        with tempfile.TemporaryDirectory() as tmp:
            import json
            snap = os.path.join(tmp, "snap.json")
            with open(snap, "w") as f:
                json.dump(prof.snap, f)
            p = subprocess.run([MLPROFCTL, "report", "all", "-i", snap],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertNotIn(b"\x1b", p.stdout)
        self.assertNotIn(b"\x07", p.stdout)
        self.assertIn(b"evil\\x1b]0;pwned\\x07\\x0aforged_line", p.stdout)
        for line in p.stdout.split(b"\n"):
            self.assertFalse(line.startswith(b"forged_line"), line)


STATUS_REQ = b'{"v":1,"cmd":"status"}\n'


def status_rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class ControlLimitTests(unittest.TestCase):
    """Finding 5, control socket: idle connections and a client that never
    reads its replies."""

    def setUp(self):
        require_root(self)
        from test_daemon import Daemon
        # One idle target of its own: other users' programs on this machine
        # are not profiled meanwhile, so RSS measures the connections only.
        self.sleeper = subprocess.Popen(["sleep", "600"])
        self.d = Daemon("--pid", str(self.sleeper.pid))
        self.socks = []

    def tearDown(self):
        for s in self.socks:
            s.close()
        self.sleeper.kill()
        self.sleeper.wait()
        self.assertEqual(self.d.stop(), 0)

    def counters(self):
        return self.d.json("status")["counters"]

    def timed_status(self):
        t0 = time.monotonic()
        p = self.d.ctl("status")
        elapsed = time.monotonic() - t0
        self.assertEqual(p.returncode, 0, p.stderr)
        # Answers in ~10-30 ms here (one process start and one request); 1 s
        # is the bound, 30x the slowest seen under stress-ng.
        self.assertLess(elapsed, 1.0)

    def wait_for(self, what, cond, timeout=60):
        deadline = time.monotonic() + timeout
        while not cond():
            if time.monotonic() > deadline:
                self.fail("timed out waiting for " + what)
            time.sleep(0.2)

    def test_idle_connections_do_not_lock_out_status(self):
        # 80 connections that never send a byte (the cap is 64).
        for _ in range(80):
            s = socket.socket(socket.AF_UNIX)
            s.connect(self.d.sock)
            self.socks.append(s)
        self.wait_for("the daemon to take the 80 connections",
                      lambda: self.counters()["ctl_evicted"] >= 16)
        self.timed_status()
        c = self.counters()
        self.assertLessEqual(c["ctl_clients"], 64)
        # The idle ones are closed after 10 s without a request: each sees EOF.
        self.wait_for("idle connections to be cut", lambda: self.counters()["ctl_cut_idle"] >= 60)
        s = self.socks[-1]
        s.settimeout(30)
        try:
            self.assertEqual(s.recv(100), b"")
        except ConnectionResetError:
            pass  # closed by the daemon either way
        self.timed_status()

    def test_client_that_never_reads_is_cut_off(self):
        rss0 = status_rss_kb(self.d.proc.pid)
        for _ in range(3):
            s = socket.socket(socket.AF_UNIX)
            s.connect(self.d.sock)
            s.settimeout(2)
            self.socks.append(s)
            cut = False
            deadline = time.monotonic() + 120
            while not cut and time.monotonic() < deadline:
                try:
                    s.sendall(STATUS_REQ * 500)
                except (BrokenPipeError, ConnectionResetError):
                    cut = True  # the daemon closed it: the expected outcome
                except socket.timeout:
                    pass  # the daemon is busy answering; keep pushing
                self.timed_status()
            self.assertTrue(cut, "the daemon never cut off a client that does not read")
        c = self.counters()
        self.assertGreaterEqual(c["ctl_cut_unread"], 3)
        # Each cut-off client held at most 1 MiB of unread replies (plus one
        # reply); without the cap one client grew the daemon by 450 MB.
        grown = status_rss_kb(self.d.proc.pid) - rss0
        print("\n  3 clients that never read: cut off (%d), daemon RSS %d -> %d kB"
              % (c["ctl_cut_unread"], rss0, rss0 + grown), file=sys.stderr)
        self.assertLess(grown, 32 * 1024, "RSS grew by %d kB" % grown)
        self.timed_status()


# 80 connections that send a request one byte a second and never finish
# it, reconnecting when closed; prints how many times it reconnected.
SLOWLORIS = r"""
import socket, sys, time
port, n, seconds = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
head = b"GET /metrics HTTP/1.1\r\nHost: x\r\n" + b"X-Slow: " + b"a" * 10000
socks, pos, reconnects = [None] * n, [0] * n, 0
end = time.monotonic() + seconds
while time.monotonic() < end:
    for i in range(n):
        try:
            if socks[i] is None:
                socks[i] = socket.create_connection(("127.0.0.1", port), timeout=2)
                pos[i] = 0
            socks[i].send(head[pos[i]:pos[i] + 1])
            pos[i] += 1
        except OSError:
            if socks[i] is not None:
                socks[i].close()
                reconnects += 1
            socks[i] = None
    time.sleep(1.0)
print(reconnects)
"""


HOLD = r"""
import socket, sys
port, n = int(sys.argv[1]), int(sys.argv[2])
socks = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(n)]
for s in socks:
    s.setblocking(False)  # a timeout would make recv wait for data
print("opened", flush=True)
for line in sys.stdin:
    alive = 0
    for s in socks:
        try:
            alive += s.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) != b""
        except BlockingIOError:
            alive += 1
        except OSError:
            pass
    print(alive, flush=True)
"""


def open_socket(s):
    """1 if the server has not closed connected socket s."""
    s.setblocking(False)  # a timeout would make recv wait for data
    try:
        return s.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) != b""
    except BlockingIOError:
        return True
    except OSError:
        return False


class HttpAccessTests(unittest.TestCase):
    """Findings 3 and 5 over HTTP: profiles for anyone, slowloris, a
    profile slot held after its client left."""

    def setUp(self):
        require_root(self)
        import test_http
        self.h = test_http
        self.port = test_http.free_port()
        self.base = "http://127.0.0.1:%d" % self.port
        self.d = None
        # One idle target of its own: what is measured is HTTP, not the
        # profiling of other programs running on this machine meanwhile.
        self.sleeper = subprocess.Popen(["sleep", "600"])

    def tearDown(self):
        self.sleeper.kill()
        self.sleeper.wait()
        if self.d:
            self.assertEqual(self.d.stop()[0], 0)

    def start(self, **kw):
        self.d = self.h.Daemon("--pid", str(self.sleeper.pid), "--http",
                               "127.0.0.1:%d" % self.port, wait_http=self.base, **kw)

    def test_data_needs_the_token(self):
        get, token = self.h.get, self.h.TOKEN
        # No token configured: nothing about processes, and the log says so.
        self.start(token=None)
        self.assertIn("need a token", self.d.output())
        for path in ("/metrics", "/debug/pprof/profile?seconds=1", "/html-data"):
            st, body, hdr = get(self.base + path, token=None)
            self.assertEqual(st, 401, path)
            self.assertEqual(hdr["WWW-Authenticate"], "Bearer")
            self.assertEqual(get(self.base + path, token=token)[0], 401, path)
        self.assertEqual(get(self.base + "/healthz", token=None)[:2], (200, b"ok\n"))
        self.assertEqual(self.d.stop()[0], 0)
        # With a token: 401 without it or with a wrong one, 200 with it.
        self.start()
        for path in ("/metrics", "/debug/pprof/profile?seconds=1", "/html-data"):
            self.assertEqual(get(self.base + path, token=None)[0], 401, path)
            self.assertEqual(get(self.base + path, token=token[:-1] + "X")[0], 401, path)
            self.assertEqual(get(self.base + path, token=token[:-1])[0], 401, path)
            self.assertEqual(get(self.base + path)[0], 200, path)
        self.assertGreaterEqual(self.d.status()["http"]["unauthorized"], 9)

    def test_https_with_a_root_key(self):
        """--http-tls-cert/--http-tls-key: the data over HTTPS with the token,
        plain HTTP gets no answer, a key that group or others may read is
        refused at start."""
        import http.client
        import ssl
        import urllib.request
        from mlproftest import MLPROFD
        tmp = tempfile.mkdtemp(prefix="mlprof-tls-")
        try:
            cert, key = os.path.join(tmp, "cert.pem"), os.path.join(tmp, "key.pem")
            subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                            "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1",
                            "-addext", "subjectAltName=IP:127.0.0.1"],
                           check=True, capture_output=True, timeout=120)
            tls = ("--http-tls-cert", cert, "--http-tls-key", key)
            os.chmod(key, 0o644)
            bad = subprocess.run([MLPROFD, "--pid", str(self.sleeper.pid), "--socket",
                                  os.path.join(tmp, "s.sock"), "--http",
                                  "127.0.0.1:%d" % self.port, *tls],
                                 capture_output=True, text=True, timeout=120)
            self.assertNotEqual(bad.returncode, 0)
            self.assertIn("--http-tls-key %s: mode 0644" % key, bad.stderr)
            os.chmod(key, 0o600)
            self.d = self.h.Daemon("--pid", str(self.sleeper.pid), "--http",
                                   "127.0.0.1:%d" % self.port, *tls)
            ctx = ssl.create_default_context(cafile=cert)
            base = "https://127.0.0.1:%d" % self.port

            def get(path, token=self.h.TOKEN):
                req = urllib.request.Request(base + path)
                if token:
                    req.add_header("Authorization", "Bearer " + token)
                try:
                    with urllib.request.urlopen(req, timeout=10, context=ctx) as r:
                        return r.status, r.read()
                except urllib.error.HTTPError as e:
                    return e.code, e.read()

            deadline = time.monotonic() + 60  # the listener comes up after BPF loads
            while True:
                try:
                    if get("/healthz")[0] == 200:
                        break
                except OSError:
                    pass
                self.assertLess(time.monotonic(), deadline, self.d.output())
                time.sleep(0.1)
            st, body = get("/metrics")
            self.assertEqual(st, 200)
            self.assertIn(b"mlprofd_samples_total", body)
            self.assertEqual(get("/metrics", token=None)[0], 401)
            with self.assertRaises((OSError, http.client.HTTPException)):
                self.h.get(self.base + "/healthz", timeout=10)  # plain HTTP: no answer
            self.assertIn("on https://127.0.0.1:%d" % self.port, self.d.output())
            self.assertTrue(self.d.status()["http"]["tls"])
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    def test_token_file_rules(self):
        pw = test_user()
        with tempfile.TemporaryDirectory(prefix="mlprof-token-") as tmp:
            good = os.path.join(tmp, "good")
            with open(good, "w") as f:
                f.write(self.h.TOKEN + "\n")
            os.chmod(good, 0o600)
            cases = {"group-readable": 0o640, "world-readable": 0o604, "user-owned": 0o600,
                     "symlink": None, "short": 0o600}
            for name, mode in cases.items():
                path = os.path.join(tmp, name)
                if mode is None:
                    os.symlink(good, path)
                    continue
                with open(path, "w") as f:
                    f.write("short\n" if name == "short" else self.h.TOKEN + "\n")
                os.chmod(path, mode)
                if name == "user-owned":
                    os.chown(path, pw.pw_uid, pw.pw_gid)
            for name in cases:
                p = subprocess.run([self.h.MLPROFD, "--socket", os.path.join(tmp, "s.sock"),
                                    "--target", "mlpy", "--http", "127.0.0.1:%d" % self.port,
                                    "--http-token-file", os.path.join(tmp, name)],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                   timeout=120)
                self.assertNotEqual(p.returncode, 0, name)
                self.assertIn("--http-token-file", p.stderr, name)

    def test_slowloris_does_not_starve_metrics(self):
        self.start()
        pw = test_user()
        loris = subprocess.Popen(as_user(pw, [PY, "-c", SLOWLORIS, str(self.port), "80", "20"]),
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            # Let all 80 connect (16 per client: its own oldest make room).
            deadline = time.monotonic() + 60
            while self.d.status()["http"]["client_cap"] < 16:
                self.assertLess(time.monotonic(), deadline, self.d.status()["http"])
                time.sleep(0.2)
            times = []
            while loris.poll() is None:
                t0 = time.monotonic()
                st, body, _ = self.h.get(self.base + "/metrics", timeout=30)
                times.append(time.monotonic() - t0)
                self.assertEqual(st, 200)
                self.assertIn(b"mlprofd_samples_total", body)
                time.sleep(0.5)
            out, err = loris.communicate(timeout=30)
        finally:
            if loris.poll() is None:
                loris.kill()
                loris.wait()
        self.assertEqual(loris.returncode, 0, err)
        print("\n  /metrics during slowloris: %d requests, slowest %.3f s; slowloris "
              "reconnected %s times; http %s" % (len(times), max(times), out.strip(),
                                                 self.d.status()["http"]), file=sys.stderr)
        self.assertGreaterEqual(len(times), 10)
        # ~5-20 ms here; was 36 s before the limits. 1 s is the bound.
        self.assertLess(max(times), 1.0)
        http = self.d.status()["http"]
        self.assertGreater(http["cut_slow"] + http["evicted"] + http["client_cap"], 80)

    def test_one_user_cannot_push_out_another(self):
        """A local user's connections are counted against that user (the
        socket's owner), not against 127.0.0.1 that every local user
        shares: 40 from the test user leave it 16, and root's 16 opened
        after them (15 held, one request) all stay."""
        self.start()
        pw = test_user()
        hold = subprocess.Popen(as_user(pw, [PY, "-c", HOLD, str(self.port), "40"]),
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        mine = []
        try:
            if hold.stdout.readline().strip() != "opened":
                self.fail("the connections were not opened: " + hold.stderr.read())
            # The daemon accepts them on its loop: wait until it has. Every
            # cut is then the per-client cap (evicted stays 0: 16 + 16 is
            # below the 64 of the global cap).
            deadline = time.monotonic() + 60
            while self.d.status()["http"]["client_cap"] < 24:
                self.assertLess(time.monotonic(), deadline, self.d.status()["http"])
                time.sleep(0.1)
            hold.stdin.write("count\n")
            hold.stdin.flush()
            theirs = int(hold.stdout.readline())
            cap_before = self.d.status()["http"]["client_cap"]
            for _ in range(15):
                mine.append(socket.create_connection(("127.0.0.1", self.port), timeout=10))
            # A request on a 16th connection is answered after the 15 were
            # accepted (one listen queue, taken in order).
            self.assertEqual(self.h.get(self.base + "/healthz", token=None)[0], 200)
            alive = sum(1 for s in mine if open_socket(s))
            http = self.d.status()["http"]
        finally:
            for s in mine:
                s.close()
            if hold.poll() is None:
                hold.kill()
            hold.wait()
        print("\n  per client: test user holds %d of 40, root %d of 15; http %s"
              % (theirs, alive, http), file=sys.stderr)
        self.assertLessEqual(theirs, 16)
        self.assertEqual(alive, 15)
        self.assertEqual(http["evicted"], 0, http)
        # Root's 16 cut nobody: root had room of its own.
        self.assertEqual(http["client_cap"], cap_before, http)

    def test_profile_slot_released_when_client_leaves(self):
        self.start()
        socks = []
        for _ in range(4):  # all 4 slots, then the clients go away
            s = socket.create_connection(("127.0.0.1", self.port), timeout=10)
            s.sendall(b"GET /debug/pprof/profile?seconds=120 HTTP/1.1\r\nHost: x\r\n"
                      b"Authorization: Bearer " + self.h.TOKEN.encode() + b"\r\n\r\n")
            socks.append(s)
        deadline = time.monotonic() + 60
        while self.h.get(self.base + "/debug/pprof/profile?seconds=1")[0] != 429:
            self.assertLess(time.monotonic(), deadline, "the 4 slots never filled")
            time.sleep(0.2)
        for s in socks:
            s.close()
        # Within a few checks (every 0.5 s) the slots are free again, long
        # before the 120 s windows would have ended.
        deadline = time.monotonic() + 30
        while self.d.status()["http"]["abandoned"] < 4:
            self.assertLess(time.monotonic(), deadline, self.d.status()["http"])
            time.sleep(0.2)
        self.assertEqual(self.h.get(self.base + "/debug/pprof/profile?seconds=1")[0], 200)


GOOD_DEFS = "\n" * 5 + "function GOOD_NAME(x) {\n  return x\n}\n"

# The unit's mount settings, as systemd makes them, for the daemon alone:
# ProtectHome=yes (an empty /home), PrivateTmp=yes (a /tmp of its own),
# PrivateDevices=yes (a /dev with only the basic nodes).
SANDBOX = r"""
set -e
mount -t tmpfs tmpfs /home
mount -t tmpfs tmpfs /tmp
d=$(mktemp -d /run/mlprof-dev.XXXXXX)
mount -t tmpfs tmpfs "$d"
for n in null zero full random urandom tty; do
    touch "$d/$n"; mount --bind "/dev/$n" "$d/$n"
done
mount --move "$d" /dev
rmdir "$d" 2>/dev/null || true
exec "$@"
"""


class UnitSandboxTests(unittest.TestCase):
    """The systemd unit's hardening leaves ML attribution working: the
    daemon with the unit's capabilities, NoNewPrivileges and its own
    /home, /tmp and /dev still reads a user's .ml under /home (through the
    target's /proc/PID/root) for a program started from /tmp."""

    def setUp(self):
        require_root(self)
        self.pw = test_user()
        os.makedirs("/home", exist_ok=True)
        self.home = tempfile.mkdtemp(prefix="mlprof-unit-", dir="/home")
        self.tmp = tempfile.mkdtemp(prefix="mlprof-unit-", dir="/tmp")
        for d in (self.home, self.tmp):
            os.chmod(d, 0o755)
        self.sock = "/run/mlprof-unit-%d.sock" % os.getpid()
        self.d = None

    def tearDown(self):
        if self.d and self.d.poll() is None:
            self.d.terminate()
            self.d.wait(timeout=60)
        shutil.rmtree(self.home, ignore_errors=True)
        shutil.rmtree(self.tmp, ignore_errors=True)

    def test_unit_settings_keep_target_files_readable(self):
        import re
        from mlproftest import MLPROFD, TOP
        with open(os.path.join(TOP, "scripts", "mlprofd.service")) as f:
            unit = f.read()
        for setting in ("NoNewPrivileges=yes", "ProtectHome=yes", "PrivateTmp=yes",
                        "PrivateDevices=yes", "ProtectSystem=strict", "RestrictSUIDSGID=yes"):
            self.assertIn("\n" + setting + "\n", unit)
        caps = re.search(r"^CapabilityBoundingSet=(.*)$", unit, re.M).group(1).split()
        bounding = "-all," + ",".join("+" + c[4:].lower() for c in caps)
        with open(os.path.join(self.home, "good.py"), "w") as f:
            f.write(MODULE.format(name="GOOD_NAME"))
        with open(os.path.join(self.home, "good.ml"), "w") as f:
            f.write(GOOD_DEFS)
        main = os.path.join(self.tmp, "mlpy")  # a fake mlpy CLI, from /tmp
        with open(main, "w") as f:
            f.write("import sys\nsys.path.insert(0, %r)\nimport good\ngood.GOOD_NAME()\n"
                    % self.home)
        for d in (self.home, self.tmp):
            for n in os.listdir(d):
                os.chown(os.path.join(d, n), self.pw.pw_uid, self.pw.pw_gid)
        log = open(os.path.join(self.home, "daemon.log"), "w+")
        self.addCleanup(log.close)
        self.d = subprocess.Popen(
            ["unshare", "-m", "--propagation", "private", "sh", "-c", SANDBOX, "sh",
             "setpriv", "--no-new-privs", "--bounding-set", bounding, "--",
             MLPROFD, "--target", "mlpy", "--socket", self.sock],
            stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while not os.path.exists(self.sock):
            log.seek(0)
            self.assertIsNone(self.d.poll(), log.read())
            self.assertLess(time.monotonic(), deadline, "the daemon did not start")
            time.sleep(0.1)
        p = subprocess.run(as_user(self.pw, [PY, main]), stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr)
        snap_path = os.path.join(self.home, "snap.json")
        p = subprocess.run([MLPROFCTL, "-s", self.sock, "snapshot", "-o", snap_path],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        import json
        with open(snap_path) as f:
            snap = json.load(f)
        funcs = snap["functions"]
        ml = {i for i, fn in enumerate(funcs)
              if fn["name"] == "GOOD_NAME" and fn["file"].endswith("good.ml")}
        n = sum(st["n"] for st in snap["stacks"] if st["f"] and st["f"][0] in ml)
        log.seek(0)
        # ~1.5 s of CPU at 999 Hz; 50 is far below any run seen.
        self.assertGreater(n, 50, ([fn for fn in funcs if "GOOD" in fn["name"]], log.read()))
        self.d.terminate()
        self.assertEqual(self.d.wait(timeout=60), 0)


# Exports CPython's names with a plausible 3.11.2 version and code object
# size (co_code_adaptive 184), but _PyRuntime is all zero (in .bss, or in
# .data with SECTION), or PyCode_Type's item size is not a code unit's.
FAKE_CPYTHON = r"""
#include <unistd.h>
const unsigned long Py_Version = 0x030b02f0UL;
struct fake_type { long head[4]; long basicsize, itemsize; long rest[50]; };
struct fake_type PyCode_Type = { { 1, 0, 0, 0 }, 184, ITEMSIZE, { 0 } };
char _PyRuntime[4096] SECTION;
int main(void) { for (;;) pause(); }
"""


class FakeInterpreterTests(unittest.TestCase):
    """Finding 7: a binary that only exports CPython's names is not taken
    for CPython 3.11."""

    def setUp(self):
        require_root(self)
        self.tmp = tempfile.mkdtemp(prefix="mlprof-fake-")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def test_names_alone_are_not_cpython(self):
        from test_daemon import Daemon
        src = os.path.join(self.tmp, "fake.c")
        with open(src, "w") as f:
            f.write(FAKE_CPYTHON)
        for name, itemsize, section in (("bss", 2, ""), ("data", 2, '__attribute__((section(".data")))'),
                                        ("itemsize", 0, '__attribute__((section(".data")))')):
            exe = os.path.join(self.tmp, "python3.11-" + name)
            subprocess.run(["cc", "-O0", "-rdynamic", "-DITEMSIZE=%d" % itemsize,
                            "-DSECTION=" + section, "-o", exe, src], check=True, timeout=120)
            proc = subprocess.Popen([exe])
            d = Daemon("--pid", str(proc.pid))
            try:
                t = [x for x in d.json("status")["targets"] if x["pid"] == proc.pid]
                self.assertEqual(len(t), 1, name)
                self.assertEqual(t[0]["status"], "not-python", (name, t[0]))
                self.assertIn("CPython", t[0]["message"], name)  # says why
            finally:
                proc.kill()
                proc.wait()
                self.assertEqual(d.stop(), 0)


class PidNamespaceTests(unittest.TestCase):
    """Finding 7: a root given by --pid in a PID namespace has its pid
    inside (was 0: only exec events carried it)."""

    def setUp(self):
        require_root(self)

    def test_pid_inside_a_namespace(self):
        from test_daemon import Daemon
        # unshare forks: the Python below is pid 1 inside, its host pid is
        # unshare's child.
        proc = subprocess.Popen(["unshare", "--pid", "--fork", "--mount-proc", PY, "-c",
                                 "import os, time\nprint(os.getpid(), flush=True)\n"
                                 "time.sleep(120)"], stdout=subprocess.PIPE, text=True)
        kids = []
        try:
            self.assertEqual(proc.stdout.readline().strip(), "1")
            kids = subprocess.run(["pgrep", "-P", str(proc.pid)], stdout=subprocess.PIPE,
                                  text=True, timeout=30).stdout.split()
            self.assertEqual(len(kids), 1)
            d = Daemon("--pid", kids[0])
            try:
                p = d.ctl("report", "raw")
                self.assertIn("pid 1 inside", p.stdout)
                self.assertNotIn("pid 0 inside", p.stdout)
            finally:
                self.assertEqual(d.stop(), 0)
        finally:
            for k in kids:  # pid 1 inside: its namespace ends with it
                os.kill(int(k), 9)
            proc.kill()
            proc.wait()
            proc.stdout.close()


if __name__ == "__main__":
    unittest.main()

"""Helpers for mlprof's privileged end-to-end tests: run the real daemon
(with its real BPF programs) against real interpreters and read what it
reports. Standard library only."""
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
BUILD = os.environ.get("MLPROF_BUILD", os.path.join(TOP, "build"))
MLPROFD = os.path.join(BUILD, "mlprofd")
MLPROFCTL = os.path.join(BUILD, "mlprofctl")
WORKLOADS = os.path.join(TOP, "tests", "workloads")


def require_root(test):
    """Privileged tests fail loudly without root: CI runs them as root."""
    if os.geteuid() != 0:
        test.fail("privileged end-to-end tests need root (BPF, perf events); "
                  "run them with sudo")


def host_interpreters():
    """(label, argv prefix) for every CPython 3.11+ on this machine."""
    found = []
    if os.path.exists("/usr/bin/python3.11"):
        found.append(("debian-3.11", ["/usr/bin/python3.11"]))
    root = os.environ.get("PYENV_ROOT") or os.path.expanduser("~/.pyenv")
    for vdir in sorted(glob.glob(os.path.join(root, "versions", "3.*"))):
        m = re.match(r"3\.(\d+)", os.path.basename(vdir))
        exe = os.path.join(vdir, "bin", "python3.%s" % m.group(1)) if m else ""
        if m and int(m.group(1)) >= 11 and os.path.exists(exe):
            found.append(("pyenv-" + os.path.basename(vdir), [exe]))
    return found


def sid_root():
    return os.environ.get("MLPROF_SID_ROOT", "/var/cache/mlprof/sid-root")


def chroot_interpreters(pidns=True):
    """Interpreters of the Debian sid root (scripts/sid-root.sh), each also
    in its own PID namespace (what a container looks like to the host).
    With MLPROF_REQUIRE_SID=1 (make priv-test) a missing root is an error,
    not a silent skip."""
    root = sid_root()
    found = []
    for minor in (13, 14, 15):
        exe = "/usr/bin/python3.%d" % minor
        if not os.path.exists(root + exe):
            if os.environ.get("MLPROF_REQUIRE_SID") == "1":
                raise RuntimeError("%s%s missing: run scripts/sid-root.sh" % (root, exe))
            continue
        found.append(("sid-3.%d" % minor, ["chroot", root, exe]))
        if pidns:
            found.append(("sid-3.%d-pidns" % minor,
                          ["unshare", "--pid", "--fork", "--mount-proc=%s/proc" % root,
                           "chroot", root, exe]))
    return found


def selected(interps):
    """MLPROF_E2E_PYTHONS=label,label restricts the interpreters tested."""
    want = os.environ.get("MLPROF_E2E_PYTHONS")
    if not want:
        return interps
    keep = set(want.split(","))
    return [i for i in interps if i[0] in keep]


def chroot_of(argv_prefix):
    """The root directory a command prefix chroots into, or None."""
    if "chroot" not in argv_prefix:
        return None
    return argv_prefix[argv_prefix.index("chroot") + 1]


def workload_path(argv_prefix, name):
    """Path of a workload as the interpreter sees it (copied into a chroot)."""
    src = os.path.join(WORKLOADS, name)
    root = chroot_of(argv_prefix)
    if not root:
        return src
    dst_dir = os.path.join(root, "tmp", "mlprof-workloads")
    os.makedirs(dst_dir, exist_ok=True)
    shutil.copy(src, dst_dir)
    if name == "memory_truth.py":  # imports its workload
        shutil.copy(os.path.join(WORKLOADS, "memory.py"), dst_dir)
    return "/tmp/mlprof-workloads/" + name


def bpf_prog_ids(pid):
    """Ids of the BPF programs process pid holds open (/proc/PID/fdinfo)."""
    ids = set()
    fd_dir = "/proc/%d/fd" % pid
    for fd in os.listdir(fd_dir):
        try:
            if os.readlink(os.path.join(fd_dir, fd)) != "anon_inode:bpf-prog":
                continue
            with open("/proc/%d/fdinfo/%s" % (pid, fd)) as f:
                for line in f:
                    if line.startswith("prog_id:"):
                        ids.add(int(line.split()[1]))
        except OSError:
            continue
    return ids


def bpftool_show(what):
    """`bpftool -j WHAT show`: every BPF object of a kind on the machine,
    as a list of dicts. An answer that is not one is printed and asked
    again. (The empty answers with status 0 that made this a helper were
    not bpftool's: a leftover FUSE server thread of test_security read the
    pipe; fusestall.py now ends its thread. A retry that fires again points
    at the same kind of leak.)"""
    for _ in range(10):
        p = subprocess.run(["bpftool", "-j", what, "show"], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
        try:
            objs = json.loads(p.stdout)
        except ValueError:
            objs = None
        if p.returncode == 0 and isinstance(objs, list) and all("id" in x for x in objs):
            return objs
        print("\n  bpftool -j %s show: status %d, output %r, errors %r: asked again"
              % (what, p.returncode, p.stdout[:200], p.stderr[:300]), file=sys.stderr)
        time.sleep(0.1)
    raise AssertionError("bpftool -j %s show: status %d, output %r, errors %r"
                         % (what, p.returncode, p.stdout[:200], p.stderr[:500]))


def loaded_bpf_prog_ids():
    """Ids of every BPF program loaded on the machine."""
    return {p["id"] for p in bpftool_show("prog")}


class Profile:
    """A snapshot saved by mlprofd, with the sums tests need."""

    def __init__(self, snap, raw, stdout, returncode, stderr=""):
        self.snap = snap
        self.raw = raw
        self.stdout = stdout
        self.stderr = stderr
        self.returncode = returncode
        self.funcs = snap["functions"]
        # Counts per second of CPU: the timer's frequency, or 1e6 (tick
        # clock: counts are microseconds).
        self.hz = snap["freq_hz"]

    def func_ids(self, name):
        return {i for i, f in enumerate(self.funcs) if f["name"] == name}

    def stacks(self):
        """(samples, [(name, file, line)...] innermost first)."""
        for st in self.snap["stacks"]:
            f = st["f"]
            frames = [(self.funcs[f[i]]["name"], self.funcs[f[i]]["file"], f[i + 1])
                      for i in range(0, len(f), 2)]
            yield st["n"], frames

    WHERE_LEAVES = ("<native: ", "<kernel: ", "<wait: ")

    def self_samples(self, name):
        """Samples with name innermost; a where leaf (<native: X>,
        <kernel: X>, <wait: X>) under it is its own time too."""
        return sum(n for n, fr in self.stacks() if fr and (
            fr[0][0] == name or (len(fr) > 1 and fr[0][0].startswith(self.WHERE_LEAVES)
                                 and fr[1][0] == name)))

    def total_samples(self, name):
        return sum(n for n, fr in self.stacks() if any(x[0] == name for x in fr))

    def samples(self):
        return sum(n for n, _ in self.stacks())

    def split(self):
        """The MLPROF_SPLIT line a workload printed, as a dict."""
        m = re.search(r"MLPROF_SPLIT (.*)", self.stdout)
        if not m:
            raise AssertionError("workload printed no MLPROF_SPLIT:\n" + self.stdout)
        return {k: float(v) for k, v in (kv.split("=") for kv in m.group(1).split())}


def steal_s():
    """CPU time the hypervisor has taken from this VM's CPUs since boot,
    all CPUs together (/proc/stat): a task's cpu-clock perf event runs on
    a timer that goes on while its vCPU is stolen, but the kernel's CPU
    time of the task leaves steal out (PARAVIRT_TIME_ACCOUNTING), so
    timer samples of a run can exceed its CPU time by up to the steal of
    that run. 0 where the kernel does not say."""
    try:
        with open("/proc/stat") as f:
            fields = f.readline().split()
        return int(fields[8]) / os.sysconf("SC_CLK_TCK") if fields[0] == "cpu" else 0.0
    except (OSError, IndexError, ValueError):
        return 0.0


def wait_teardowns(timeout=30):
    """Waits until no mlprofd process is left (a one-shot's detached child
    tears its probes down for 1-2 s after the report). The kernel makes
    every uprobe's opening wait behind such a teardown (perf_uprobe_init
    and perf_uprobe_destroy share a mutex held across grace periods), so a
    test of how early a new run's memory probes are in place waits for the
    machine to be quiet first: README, "Memory", limits."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        busy = False
        for d in os.listdir("/proc"):
            if d.isdigit():
                try:
                    with open("/proc/%s/comm" % d) as f:
                        busy = busy or f.read().strip() == "mlprofd"
                except OSError:
                    pass
        if not busy:
            return
        time.sleep(0.02)


def clock_args():
    """--clock for the daemon under test: MLPROF_CLOCK=tick runs the suites
    with the scheduler-tick sampler (default: the timer, whose sample
    counts the tests' rates are written for)."""
    return ["--clock", os.environ.get("MLPROF_CLOCK", "timer")]


def tick_clock():
    return os.environ.get("MLPROF_CLOCK") == "tick"


def work_secs(seconds):
    """CPU seconds for a split workload: 4x under MLPROF_CLOCK=tick. The
    tick samples at CONFIG_HZ (250 here) instead of 999 Hz: a 1 s run of a
    75/25 split has a standard error of 2.7 points there, 1.4 with the
    timer; 4x the time gives the tick the timer's number of samples."""
    return "%g" % (seconds * (4 if tick_clock() else 1))


def run_oneshot(argv, extra=(), timeout=120, env=None):
    """mlprofd [extra] -- argv (environment env, default ours); returns a
    Profile."""
    with tempfile.TemporaryDirectory(prefix="mlprof-e2e-") as tmp:
        snap_path = os.path.join(tmp, "snap.json")
        raw_path = os.path.join(tmp, "raw.json")
        cmd = [MLPROFD, "-f", "json", "-o", raw_path, "--save", snap_path, *clock_args(), *extra,
               "--", *argv]
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           timeout=timeout, env=env)
        if not os.path.exists(snap_path):
            raise AssertionError("mlprofd saved no snapshot (exit %d):\n%s" %
                                 (p.returncode, p.stderr))
        with open(snap_path) as f:
            snap = json.load(f)
        with open(raw_path) as f:
            raw = json.load(f)
        return Profile(snap, raw, p.stdout, p.returncode, p.stderr)


class InterpreterCase(unittest.TestCase):
    """Runs each test once per interpreter, as subtests."""

    interpreters = []

    def setUp(self):
        require_root(self)
        for tool in (MLPROFD, MLPROFCTL):
            if not os.access(tool, os.X_OK):
                self.fail("%s is not built: run make first" % tool)
        if not self.interpreters:
            self.fail("no interpreter to test")

    def each(self, check):
        """Runs check(label, argv_prefix) for every interpreter."""
        for label, prefix in self.interpreters:
            with self.subTest(python=label):
                check(label, prefix)

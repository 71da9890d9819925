"""Process churn against a running mlprofd: the harness shared by
tests/e2e/test_churn.py (about a minute) and `make soak` (tests/soak.py,
ten minutes and more). Standard library only."""
import json
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time

from mlproftest import clock_args  # noqa: E402
from mlproftest import MLPROFCTL, MLPROFD, WORKLOADS

PY = "/usr/bin/python3.11"


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class ChurnRun:
    """Runs tests/workloads/churn.py under `mlprofd --pid` (only the churn
    tree is profiled, not the rest of a shared machine) and records the
    daemon's RSS and status while it runs.

    Attributes after run(): rss [(seconds, KiB)], timeline [(seconds,
    status)], status (right after the churn), report (raw JSON of the
    long-lived process), text (raw text report of everything), split (the
    long-lived process's own MLPROF_SPLIT), churn (CHURN counts)."""

    def __init__(self, duration, procs, daemon_args, tail=8, every=1.0, status_every=10.0,
                 log=None, burst=0, bucket_s=0.0):
        self.duration, self.procs, self.tail = duration, procs, tail
        self.burst, self.bucket_s = burst, bucket_s
        self.daemon_args, self.every, self.status_every = daemon_args, every, status_every
        self.log = log
        self.rss, self.timeline = [], []
        self.lines = []
        self.tmp = tempfile.mkdtemp(prefix="mlprof-churn-")
        self.sock = os.path.join(self.tmp, "mlprofd.sock")

    def say(self, msg):
        if self.log:
            self.log(msg)

    def ctl(self, *args):
        p = subprocess.run([MLPROFCTL, "-s", self.sock, *args], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, timeout=120)
        if p.returncode != 0:
            raise AssertionError("mlprofctl %s failed: %s" % (args, p.stderr))
        return p.stdout

    def ctl_json(self, *args):
        return json.loads(self.ctl(*args, "--format", "json"))

    def _read(self, f):
        for line in f:
            self.lines.append(line.rstrip("\n"))

    def run(self, linger=0):
        """Runs the churn; while the long-lived process still runs (after
        the churn and its tail) records report, text and the range check
        (range_check); once the whole tree has exited, status and snapshot
        (nothing in flight: exact accounting). linger: then waits up to
        that long for the retention to free the tree and records
        status_late, text_late and linger_s."""
        cmd = [PY, os.path.join(WORKLOADS, "churn.py"), str(self.duration), str(self.procs),
               str(self.tail), PY, "--hold"]
        if self.burst:
            cmd += ["--burst", str(self.burst), "--bucket", str(self.bucket_s)]
        churn = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        daemon_log = open(os.path.join(self.tmp, "mlprofd.log"), "w+")
        self.daemon = subprocess.Popen([MLPROFD, *clock_args(), "--socket", self.sock, "--pid", str(churn.pid),
                                        *self.daemon_args],
                                       stdout=daemon_log, stderr=subprocess.STDOUT)
        try:
            # Generous: a daemon start takes about 1 s here, more when busy.
            deadline = time.time() + 60
            while not os.path.exists(self.sock):
                if self.daemon.poll() is not None or time.time() > deadline:
                    daemon_log.seek(0)
                    raise AssertionError("mlprofd did not start:\n" + daemon_log.read())
                time.sleep(0.05)
            reader = threading.Thread(target=self._read, args=(churn.stdout,), daemon=True)
            reader.start()
            churn.stdin.write("go\n")
            churn.stdin.flush()
            t0 = time.monotonic()
            next_status = 0.0
            # The churn ends with a line of counts, then holds the
            # long-lived process until told to stop.
            while not self.has("CHURN spawned="):
                if churn.poll() is not None:
                    raise AssertionError("churn.py exited early:\n" + "\n".join(self.lines))
                now = time.monotonic() - t0
                self.rss.append((now, rss_kb(self.daemon.pid)))
                if now >= next_status:
                    st = self.ctl_json("status")
                    self.timeline.append((now, st))
                    next_status = now + self.status_every
                    self.say("%6.0f s  rss %6d KiB  %s" % (now, self.rss[-1][1],
                                                          summary(st)))
                time.sleep(self.every)
            self.churn = dict(kv.split("=") for kv in self.field("CHURN spawned=").split()[1:])
            self.ratio_pid = int(self.field("CHURN ratio_pid=").split("=")[1])
            # The long-lived process still runs: its newest buckets are held.
            self.status_live = self.ctl_json("status")
            self.report = self.ctl_json("report", "raw", "--pid", str(self.ratio_pid))
            self.text = self.ctl("report", "raw")
            self.range_check()
            churn.stdin.write("stop\n")
            churn.stdin.flush()
            churn.wait(timeout=120)
            reader.join(timeout=60)
            self.wall = time.monotonic() - t0
            # The whole tree has exited: nothing is in flight.
            self.status = self.ctl_json("status")
            self.snapshot = json.loads(self.ctl("snapshot"))
            self.rss.append((self.wall, rss_kb(self.daemon.pid)))
            self.split = dict(kv.split("=") for kv in self.field("MLPROF_SPLIT ").split()[1:])
            self.say("churn done after %.0f s: %s; %s" % (self.wall, self.churn,
                                                         summary(self.status)))
            if linger:
                # Until the retention has freed everything of the tree (its
                # buckets, then stacks and processes), at most linger s.
                t1 = time.monotonic()
                while True:
                    self.status_late = self.ctl_json("status")
                    late = self.status_late["daemon"]
                    if (late["entries_kept"] == 0 and late["stacks_kept"] == 0 and
                            late["processes_kept"] == 0) or time.monotonic() - t1 > linger:
                        break
                    time.sleep(0.5)
                self.linger_s = time.monotonic() - t1
                self.text_late = self.ctl("report", "raw")
                self.say("%.1f s later: %s" % (self.linger_s, summary(self.status_late)))
        finally:
            if churn.poll() is None:
                churn.kill()
                churn.wait()
            churn.stdin.close()
            churn.stdout.close()
            if self.daemon.poll() is None:
                t = time.monotonic()
                self.daemon.send_signal(signal.SIGTERM)
                try:
                    self.daemon.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    self.daemon.kill()  # do not leave it to later tests
                    self.daemon.wait()
                    daemon_log.seek(0)
                    raise AssertionError("mlprofd still running 60 s after SIGTERM:\n" +
                                         daemon_log.read()[-4000:])
                self.stop_s = time.monotonic() - t
                self.say("mlprofd exited %.1f s after SIGTERM" % self.stop_s)
            daemon_log.close()
            shutil.rmtree(self.tmp, ignore_errors=True)
        return self.daemon.returncode

    def range_check(self):
        """While the long-lived process runs: takes a snapshot (live_snapshot)
        and reports the newest bucket the daemon holds samples of that
        process in and that is complete (older than the snapshot's current
        bucket: its counts no longer grow), asked for with absolute times
        (Unix seconds) inside it: recent, recent_text, and what the
        snapshot holds there: bucket_samples, buckets."""
        snap = self.live_snapshot = json.loads(self.ctl("snapshot"))
        bns = snap["bucket_ns"]
        current = snap["now_ns"] // bns * bns
        mine = {i for i, p in enumerate(snap["processes"]) if p["pid"] == self.ratio_pid}
        held = {}
        for st in snap["stacks"]:
            if st["p"] in mine:
                held[st["t"]] = held.get(st["t"], 0) + st["n"]
        # Complete: ended a tenth of a second before the snapshot (no sample
        # of it is still on its way through the ring buffer).
        done = sorted(t for t in held if t + bns + 10 ** 8 <= snap["now_ns"])
        if not done:
            raise AssertionError(
                "the daemon holds no complete bucket of the long-lived process %d "
                "(current bucket %d ns): its buckets %s; its images %s; counters %s; "
                "buckets kept %d" %
                (self.ratio_pid, current, sorted(held.items()),
                 [snap["processes"][i] for i in sorted(mine)], snap["stats"],
                 len({st.get("t") for st in snap["stacks"]})))
        self.buckets = len(held)
        self.bucket_t = done[-1]
        self.bucket_samples = held[done[-1]]
        self.bucket_start_unix_s = (done[-1] + snap["mono_to_real_ns"]) / 1e9
        since = self.bucket_start_unix_s + 0.001
        until = since + bns / 1e9 / 4
        rng = ["--pid", str(self.ratio_pid), "--since", "%.3f" % since, "--until", "%.3f" % until]
        self.recent = self.ctl_json("report", "raw", *rng)
        self.recent_text = self.ctl("report", "raw", *rng)

    def has(self, prefix):
        return any(line.startswith(prefix) for line in self.lines)

    def field(self, prefix):
        for line in self.lines:
            if line.startswith(prefix):
                return line
        raise AssertionError("churn.py printed no %r:\n%s" % (prefix, "\n".join(self.lines)))

    def measured_share(self):
        a, b = float(self.split["live_a"]), float(self.split["live_b"])
        return a / (a + b)

    def profiled_share(self):
        self_n = {f["qualname"]: f["self_samples"] for f in self.report["functions"]}
        a, b = self_n.get("live_a", 0), self_n.get("live_b", 0)
        return a / (a + b) if a + b else 0.0, a + b

    def max_rss(self):
        return max(kb for _, kb in self.rss)


def summary(st):
    d, c = st["daemon"], st["counters"]
    return ("kept %d procs %d stacks %d funcs %d buckets %d counts; dropped %d buckets "
            "(%d early) %d samples; evicted %d procs; freed %d stacks %d procs %d funcs; "
            "ring drops %d, lost %d" %
            (d["processes_kept"], d["stacks_kept"], d["functions_kept"], d["buckets_kept"],
             d["entries_kept"], c["evicted_buckets"], c["cap_evicted_buckets"],
             c["evicted_bucket_samples"], c["evicted_procs"], c["expired_stacks"],
             c["expired_procs"], c["expired_funcs"], c["sample_drops"], c["lost_samples"]))

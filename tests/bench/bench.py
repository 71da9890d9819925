#!/usr/bin/python3
"""mlprof benchmarks: overhead and accuracy against the profilers users would
pick instead, and the daemon's own costs.  Measures only: nothing here asserts
a timing.  Prints a markdown report to stdout and writes it to BENCHMARKS.md.

Run as root from the repository (normally through `make bench`):
  tests/bench/bench.py [--out BENCHMARKS.md]
Environment:
  BENCH_QUICK=1      3 repetitions, fewer rows and shorter runs (a try-out)
  BENCH_REPS=N       repetitions of each overhead pair (default 5)
  BENCH_NO_ROOTS=1   skip the Debian sid / trixie chroot rows
  MLPROF_SID_ROOT, MLPROF_TRIXIE_ROOT   where the chroots are
Progress goes to stderr.  Python stdlib only."""
import argparse
import datetime
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BENCH = os.path.join(TOP, "tests", "bench")
WORKLOADS = os.path.join(TOP, "tests", "workloads")
MLPROFD = os.path.join(TOP, "build", "mlprofd")
MLPROFCTL = os.path.join(TOP, "build", "mlprofctl")
HOST_PY = "/usr/bin/python3.11"
SID_ROOT = os.environ.get("MLPROF_SID_ROOT", "/var/cache/mlprof/sid-root")
TRIXIE_ROOT = os.environ.get("MLPROF_TRIXIE_ROOT", "/var/cache/mlprof/trixie-root")
IN_ROOT = "/opt/mlprof-bench"  # where the workloads are copied inside a chroot

QUICK = os.environ.get("BENCH_QUICK") == "1"
REPS = 3 if QUICK else max(5, int(os.environ.get("BENCH_REPS", "5")))
T_START = time.monotonic()


def log(*a):
    print(f"bench [{time.monotonic() - T_START:6.1f}s]:", *a, file=sys.stderr, flush=True)


def median(xs):
    return statistics.median(xs) if xs else float("nan")


# ---------------------------------------------------------------------------
# Environments: the host's Python, or an interpreter inside a Debian chroot
# ---------------------------------------------------------------------------

class Env:
    def __init__(self, name, root, python):
        self.name, self.root, self.python = name, root, python
        self.version = "?"

    def argv(self, argv):
        """argv run in this environment (chroot prefix if any)."""
        return (["chroot", self.root] + argv) if self.root else argv

    def script(self, host_path):
        """The path of a workload script as seen from inside this env."""
        return os.path.join(IN_ROOT, os.path.basename(host_path)) if self.root else host_path

    def outside(self, path):
        """Host path of a file the env wrote at PATH."""
        return (self.root + path) if self.root else path

    def tmpfile(self, name):
        """A scratch path usable both inside the env (returned) and outside."""
        d = "/tmp/mlprof-bench"
        os.makedirs(self.outside(d), exist_ok=True)
        return os.path.join(d, name)

    def label(self):
        where = "host" if not self.root else os.path.basename(self.root).replace("-root", "")
        return f"{where} CPython {self.version}"

    def detect(self):
        r = subprocess.run(self.argv([self.python, "-c",
                                      "import sys; print(sys.version.split()[0])"]),
                           capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError(f"{self.python} does not run: {r.stderr.strip()[-200:]}")
        self.version = r.stdout.strip()


def prepare_root(env):
    os.makedirs(env.root + IN_ROOT, exist_ok=True)
    for f in ("cpubound.py", "ratio.py"):
        shutil.copy(os.path.join(WORKLOADS, f), env.root + IN_ROOT)
    for f in ("alloc_heavy.py", "threads8.py", "cprofile_tracemalloc.py", "startup_probe.py"):
        shutil.copy(os.path.join(BENCH, f), env.root + IN_ROOT)


def setup_roots(notes):
    """Build or reuse the chroots; returns {name: Env or None}."""
    envs = {"sid315": None, "sid314": None, "trixie313": None, "memray": False}
    if os.environ.get("BENCH_NO_ROOTS") == "1":
        notes.append("chroot rows skipped (BENCH_NO_ROOTS=1)")
        return envs
    for script, root in (("sid-root.sh", SID_ROOT), ("trixie-root.sh", TRIXIE_ROOT)):
        log(f"scripts/{script} {root} (reused if complete)")
        r = subprocess.run([os.path.join(TOP, "scripts", script), root],
                           stdout=sys.stderr, stderr=sys.stderr)
        if r.returncode != 0:
            notes.append(f"scripts/{script} failed (exit {r.returncode}): its rows are missing")
            continue
        if script == "sid-root.sh":
            for key, py in (("sid315", "/usr/bin/python3.15"), ("sid314", "/usr/bin/python3.14")):
                e = Env(key, root, py)
                try:
                    e.detect()
                    envs[key] = e
                except RuntimeError as ex:
                    notes.append(f"sid {py}: {ex}")
            prepare_root(Env("sid", root, ""))
            envs["memray"] = ensure_memray(root, notes)
        else:
            e = Env("trixie313", root, "/usr/bin/python3.13")
            try:
                e.detect()
                envs["trixie313"] = e
                prepare_root(e)
            except RuntimeError as ex:
                notes.append(f"trixie: {ex}")
    return envs


def ensure_memray(root, notes):
    probe = ["chroot", root, "/usr/bin/python3.14", "-c", "import memray"]
    if subprocess.run(probe, capture_output=True).returncode == 0:
        return True
    log("installing python3-memray in the sid root")
    opt = ["-o", "Acquire::Check-Valid-Until=false"]
    r = subprocess.run(["chroot", root, "apt-get", *opt, "update", "-q"],
                       stdout=sys.stderr, stderr=sys.stderr)
    if r.returncode == 0:
        r = subprocess.run(["chroot", root, "apt-get", *opt, "install", "-y", "-q",
                            "--no-install-recommends", "python3-memray"],
                           stdout=sys.stderr, stderr=sys.stderr,
                           env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
    if subprocess.run(probe, capture_output=True).returncode == 0:
        return True
    notes.append("memray: python3-memray could not be installed in the sid root")
    return False


# ---------------------------------------------------------------------------
# The daemon
# ---------------------------------------------------------------------------

class Daemon:
    def __init__(self, freq, ringbuf_mb=None, target="python", memory=False, extra=()):
        self.dir = tempfile.mkdtemp(prefix="mlprof-bench-")
        self.sock = os.path.join(self.dir, "s.sock")
        argv = [MLPROFD, "--target", target, "--freq", str(freq), "--socket", self.sock]
        if memory:
            argv.append("--memory=live" if memory == "live" else "--memory")
        else:
            argv.append("--no-memory")
        if ringbuf_mb:
            argv += ["--ringbuf-mb", str(ringbuf_mb)]
        argv += list(extra)
        self.err = open(os.path.join(self.dir, "err"), "w+")
        t0 = time.perf_counter()
        self.p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=self.err)
        while not os.path.exists(self.sock):
            if self.p.poll() is not None or time.perf_counter() - t0 > 20:
                self.err.seek(0)
                raise RuntimeError("mlprofd did not start: " + self.err.read().strip()[-300:])
            time.sleep(0.01)
        self.start_s = time.perf_counter() - t0

    def status(self):
        out = subprocess.run([MLPROFCTL, "-s", self.sock, "status", "-f", "json"],
                             capture_output=True, text=True, check=True).stdout
        return json.loads(out)

    def stop(self):
        self.p.send_signal(signal.SIGTERM)
        try:
            self.p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
        self.err.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def delta(st1, st0):
    return {"cpu_s": st1["daemon"]["cpu_s"] - st0["daemon"]["cpu_s"],
            "rss_kb": st1["daemon"]["rss_kb"],
            "samples": st1["counters"]["samples"] - st0["counters"]["samples"],
            "drops": st1["counters"]["sample_drops"] - st0["counters"]["sample_drops"],
            "lost": st1["counters"]["lost_samples"] - st0["counters"]["lost_samples"]}


# ---------------------------------------------------------------------------
# Profilers for the overhead table.  Each turns the plain argv (python script
# args...) into the profiled one; mlprof's daemon rows start the daemon first
# and time only the workload.
# ---------------------------------------------------------------------------

class Plain:
    name = "none"

    def argv(self, env, py_argv, tag):
        return env.argv(py_argv)

    def before(self):
        pass

    def after(self, pid):
        return None


class MlprofDaemon(Plain):
    def __init__(self, freq, memory=False):
        self.freq = freq
        self.memory = memory
        self.name = f"mlprof {freq} Hz{' + --memory' if memory else ''} (daemon already running)"
        self.d = None

    def before(self):
        self.d = Daemon(self.freq, memory=self.memory)
        self.st0 = self.d.status()

    def after(self, pid):
        try:
            st = self.d.status()
            x = delta(st, self.st0)
            x["wl_samples"] = None
            if pid:
                x["wl_samples"] = self.tree_samples(pid)
        finally:
            self.d.stop()
        return x


    def tree_samples(self, pid):
        """Samples of PID's process records and all their descendants, from the
        snapshot's parent indices.  (`mlprofctl report raw --pid PID` would do,
        but it leaves out the children of a PID that was forked by a Python
        process and then exec'd: seen with this build, reported to the lead.)"""
        snap = os.path.join(self.d.dir, "snap.json")
        r = subprocess.run([MLPROFCTL, "-s", self.d.sock, "snapshot", "-o", snap],
                           capture_output=True, text=True)
        if r.returncode != 0:
            return None
        with open(snap) as f:
            procs = json.load(f)["processes"]
        inside = [p["pid"] == pid for p in procs]
        changed = True
        while changed:
            changed = False
            for i, p in enumerate(procs):
                par = p.get("parent", -1)
                if not inside[i] and 0 <= par < len(procs) and inside[par]:
                    inside[i] = changed = True
        return sum(p["samples"] for i, p in enumerate(procs) if inside[i])


class MlprofOneShot(Plain):
    def __init__(self, freq):
        self.freq = freq
        self.name = f"mlprof {freq} Hz one-shot (`mlprofd -- CMD`, incl. daemon start-up + report)"

    def argv(self, env, py_argv, tag):
        return [MLPROFD, "--freq", str(self.freq), "-f", "json", "-o",
                f"/tmp/mlprof-bench-oneshot-{tag}.json", "--"] + env.argv(py_argv)


class CProfile(Plain):
    name = "cProfile (`-m cProfile -o /dev/null`)"

    def argv(self, env, py_argv, tag):
        return env.argv([py_argv[0], "-m", "cProfile", "-o", "/dev/null"] + py_argv[1:])


class CProfileTracemalloc(Plain):
    name = "cProfile + tracemalloc (what mlpy ships)"

    def argv(self, env, py_argv, tag):
        return env.argv([py_argv[0], env.script(os.path.join(BENCH, "cprofile_tracemalloc.py"))]
                        + py_argv[1:])


class SamplerCPython(Plain):
    name = "CPython 3.15 `profiling.sampling` 1 kHz, --mode cpu -a, collapsed"

    def argv(self, env, py_argv, tag):
        return env.argv([py_argv[0], "-m", "profiling.sampling", "run", "--mode", "cpu", "-a",
                         "-r", "1khz", "--collapsed", "-o", env.tmpfile(f"samp-{tag}.txt")]
                        + py_argv[1:])


class Austin(Plain):
    name = "Austin 3.7 `-s -i 1ms -t 2s` (CPU, 1 kHz)"

    def argv(self, env, py_argv, tag):
        return env.argv(["austin", "-s", "-i", "1ms", "-t", "2s",
                         "-o", env.tmpfile(f"austin-{tag}.txt")]
                        + py_argv)


class Memray(Plain):
    name = "memray 1.20 `run` (memory)"

    def argv(self, env, py_argv, tag):
        return env.argv([py_argv[0], "-m", "memray", "run", "-q", "-f", "-o",
                         env.tmpfile(f"memray-{tag}.bin")] + py_argv[1:])


def timed(argv, cwd=None, want_pid=False, timeout=300):
    """Wall time of ARGV (and its pid if WANT_PID); raises on a non-zero exit
    or after TIMEOUT s (the whole process group is killed then)."""
    with tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=err, cwd=cwd,
                             start_new_session=True)
        try:
            rc = p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            kill_group(p)
            raise RuntimeError(f"still running after {timeout:.0f} s: killed")
        dt = time.perf_counter() - t0
        if rc != 0:
            err.seek(0)
            raise RuntimeError(f"exit {rc}: " + " ".join(
                err.read().decode(errors="replace").split())[-240:])
    return (dt, p.pid) if want_pid else dt


def kill_group(p):
    try:
        os.killpg(p.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    p.wait()


def run_capture(argv, timeout=300):
    """subprocess.run(argv, capture_output=True, text=True) in its own process
    group, killed whole after TIMEOUT s (raises RuntimeError then)."""
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         start_new_session=True)
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        kill_group(p)
        raise RuntimeError(f"still running after {timeout:.0f} s: killed")
    return subprocess.CompletedProcess(argv, p.returncode, out, err)


def workloads():
    q = QUICK
    return [
        ("CPU-bound recursion", os.path.join(WORKLOADS, "cpubound.py"), ["32", "0", "3" if q else "4"]),
        ("allocation-heavy", os.path.join(BENCH, "alloc_heavy.py"), ["20" if q else "30"]),
        ("8 threads", os.path.join(BENCH, "threads8.py"), ["1500000" if q else "2000000"]),
    ]


def overhead_block(wl_name, env, script, args, profs, rows, extras, cwd=None, py_argv=None):
    if py_argv is None:
        py_argv = [env.python, env.script(script)] + args
    log(f"overhead: {wl_name} on {env.label()}: warm-up")
    try:
        timed(env.argv(py_argv), cwd)
    except RuntimeError as ex:
        for p in profs:
            rows.append((wl_name, env.label(), p.name, None, None, None, f"workload failed: {ex}"))
        return
    res = {p.name: {"base": [], "prof": [], "ratio": [], "extra": [], "err": None, "fails": []}
           for p in profs}
    for rep in range(REPS):
        for p in profs:
            r = res[p.name]
            if r["err"]:
                continue
            log(f"overhead: {wl_name} on {env.label()}: rep {rep + 1}/{REPS}: {p.name}")
            try:
                b = timed(env.argv(py_argv), cwd)
                for attempt in (1, 2):  # one retry; a failed run is reported under Gaps
                    p.before()
                    pid = None
                    try:
                        t, pid = timed(p.argv(env, py_argv, f"{env.name}-{rep}"), cwd,
                                       want_pid=True, timeout=max(60, 30 * b))
                        break
                    except RuntimeError as ex:
                        if attempt == 2:
                            raise
                        log(f"overhead: {p.name} failed, running it again: {ex}")
                        NOTES.append(f"overhead, {wl_name}, {env.label()}, {p.name}: one "
                                     f"profiled run failed and was run again: {str(ex)[:200]}")
                    finally:
                        x = p.after(pid)
            except (RuntimeError, subprocess.CalledProcessError, OSError) as ex:
                # this pair is lost; give the row up after 3 lost pairs
                r["fails"].append(str(ex))
                if len(r["fails"]) >= 3 or not isinstance(ex, RuntimeError):
                    r["err"] = str(ex)
                continue
            r["base"].append(b)
            r["prof"].append(t)
            r["ratio"].append(t / b)
            if x:
                x["wall"] = t
                r["extra"].append(x)
    for p in profs:
        r = res[p.name]
        if r["err"] or not r["ratio"]:
            rows.append((wl_name, env.label(), p.name, None, None, None,
                         "failed: " + (r["err"] or r["fails"][-1])))
            continue
        if r["fails"]:
            NOTES.append(f"overhead, {wl_name}, {env.label()}, {p.name}: {len(r['fails'])} of "
                         f"{REPS} pairs lost (the profiled run failed twice), the row has "
                         f"{len(r['ratio'])}: {r['fails'][-1][:200]}")
        rows.append((wl_name, env.label(), p.name, median(r["base"]), median(r["prof"]),
                     r["ratio"], None))
        if r["extra"]:
            extras[(wl_name, env.label(), p.name)] = r["extra"]


def run_overhead(envs, notes):
    rows, extras = [], {}
    host = Env("host", None, HOST_PY)
    host.detect()
    host_profs = [MlprofDaemon(999), MlprofDaemon(999, memory=True), CProfile(),
                  CProfileTracemalloc()]
    if not QUICK:
        host_profs = [MlprofDaemon(99)] + host_profs[:1] + [MlprofOneShot(999)] + host_profs[1:]
    for wl_name, script, args in workloads():
        overhead_block(wl_name, host, script, args, host_profs, rows, extras)
        if envs["sid315"]:
            overhead_block(wl_name, envs["sid315"], script, args,
                           [MlprofDaemon(999), SamplerCPython()], rows, extras)
        if envs["trixie313"]:
            overhead_block(wl_name, envs["trixie313"], script, args,
                           [MlprofDaemon(999), Austin()], rows, extras)
        if envs["sid314"] and envs["memray"] and (not QUICK or wl_name == "allocation-heavy"):
            overhead_block(wl_name, envs["sid314"], script, args, [Memray()], rows, extras)
    # the mlpy test application, end to end (parent + sandbox child), host only
    wl_name = "mlpy app `run --no-cache hotspots.ml`"
    scratch = tempfile.mkdtemp(prefix="mlprof-bench-mlpy-")
    try:
        ex_dir = os.path.join(scratch, "examples")
        shutil.copytree(os.path.join(TOP, "tests", "mlpy_app", "examples"), ex_dir)
        py_argv = [HOST_PY, os.path.join(TOP, "tests", "mlpy_app", "bin", "mlpy"), "run",
                   "--no-cache", os.path.join(ex_dir, "hotspots.ml")]
        profs = [MlprofDaemon(999), MlprofDaemon(999, memory=True), CProfile(),
                 CProfileTracemalloc()]
        if not QUICK:
            profs = [MlprofDaemon(99)] + profs
        overhead_block(wl_name, host, None, None, profs, rows, extras, cwd=ex_dir,
                       py_argv=py_argv)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return rows, extras


# ---------------------------------------------------------------------------
# Accuracy: ratio.py's self-measured split of hot_a vs hot_b
# ---------------------------------------------------------------------------

SPLIT_RE = re.compile(r"MLPROF_SPLIT hot_a=([0-9.]+) hot_b=([0-9.]+)")


def truth_of(stdout):
    m = SPLIT_RE.search(stdout)
    if not m:
        raise RuntimeError("no MLPROF_SPLIT line in the output")
    a, b = float(m.group(1)), float(m.group(2))
    return a / (a + b)


def leaf_counts_collapsed(path):
    """hot_a / hot_b self weight from collapsed stacks whose frames are
    file:function:line (CPython's sampler and Austin both write that)."""
    w = {"hot_a": 0, "hot_b": 0}
    with open(path, errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#") or " " not in line:
                continue
            stack, count = line.rsplit(" ", 1)
            leaf = stack.split(";")[-1]
            parts = leaf.rsplit(":", 2)
            fn = parts[1] if len(parts) == 3 else leaf
            if fn in w:
                w[fn] += int(count)
    return w


def acc_mlprof(env, freq, seconds, share, tag):
    out = f"/tmp/mlprof-bench-acc-{tag}.json"
    r = run_capture([MLPROFD, "--freq", str(freq), "-f", "json", "-o", out, "--"]
                    + env.argv([env.python, env.script(os.path.join(WORKLOADS, "ratio.py")),
                                str(seconds), str(share)]), timeout=120)
    if r.returncode != 0:
        raise RuntimeError(f"mlprofd exit {r.returncode}: {r.stderr.strip()[-200:]}")
    with open(out) as f:
        fns = json.load(f)["functions"]
    os.unlink(out)
    w = {"hot_a": 0, "hot_b": 0}
    for fn in fns:
        if fn.get("qualname") in w:
            w[fn["qualname"]] += fn["self_samples"]
    return truth_of(r.stdout), w


def acc_cprofile(env, seconds, share, tag):
    import pstats
    out = f"/tmp/mlprof-bench-acc-{tag}.pstats"
    r = run_capture(env.argv([env.python, "-m", "cProfile", "-o", out,
                                 env.script(os.path.join(WORKLOADS, "ratio.py")),
                                 str(seconds), str(share)]), timeout=120)
    if r.returncode != 0:
        raise RuntimeError(f"exit {r.returncode}: {r.stderr.strip()[-200:]}")
    st = pstats.Stats(out)
    w = {"hot_a": 0.0, "hot_b": 0.0}
    for (fname, line, fn), (cc, nc, tt, ct, callers) in st.stats.items():
        if fn in w and fname.endswith("ratio.py"):
            w[fn] += tt
    os.unlink(out)
    return truth_of(r.stdout), w


def acc_sampler(env, seconds, share, tag):
    out = env.tmpfile(f"acc-{tag}.txt")
    r = run_capture(env.argv([env.python, "-m", "profiling.sampling", "run", "--mode", "cpu",
                                 "-a", "-r", "1khz", "--collapsed", "-o", out,
                                 env.script(os.path.join(WORKLOADS, "ratio.py")),
                                 str(seconds), str(share)]), timeout=120)
    if r.returncode != 0:
        raise RuntimeError(f"exit {r.returncode}: {r.stderr.strip()[-200:]}")
    w = leaf_counts_collapsed(env.outside(out))
    os.unlink(env.outside(out))
    return truth_of(r.stdout), w


def acc_austin(env, seconds, share, tag):
    out = env.tmpfile(f"acc-{tag}.txt")
    r = run_capture(env.argv(["austin", "-s", "-i", "1ms", "-t", "2s", "-o", out, env.python,
                                 env.script(os.path.join(WORKLOADS, "ratio.py")),
                                 str(seconds), str(share)]), timeout=120)
    if r.returncode != 0:
        raise RuntimeError(f"exit {r.returncode}: {r.stderr.strip()[-200:]}")
    w = leaf_counts_collapsed(env.outside(out))
    os.unlink(env.outside(out))
    return truth_of(r.stdout), w


def run_accuracy(envs):
    host = Env("host", None, HOST_PY)
    host.detect()
    seconds = 1.0 if QUICK else 1.5
    reps = 1 if QUICK else 2
    shares = (0.5, 0.7, 0.9)
    tools = [(f"mlprof 999 Hz", host, lambda e, s, sh, t: acc_mlprof(e, 999, s, sh, t)),
             (f"mlprof 99 Hz", host, lambda e, s, sh, t: acc_mlprof(e, 99, s, sh, t)),
             ("cProfile (tottime)", host, acc_cprofile)]
    if QUICK:
        del tools[1]
    if envs["sid315"]:
        tools += [("mlprof 999 Hz", envs["sid315"], lambda e, s, sh, t: acc_mlprof(e, 999, s, sh, t)),
                  ("CPython 3.15 profiling.sampling 1 kHz cpu", envs["sid315"], acc_sampler)]
    if envs["trixie313"]:
        tools += [("mlprof 999 Hz", envs["trixie313"],
                   lambda e, s, sh, t: acc_mlprof(e, 999, s, sh, t)),
                  ("Austin 3.7 -s -i 1ms -t 2s", envs["trixie313"], acc_austin)]
    res = {(n, e.label()): {"err": None, "runs": [], "retries": []} for n, e, _ in tools}
    for share in shares:
        for rep in range(reps):
            for n, e, fn in tools:
                r = res[(n, e.label())]
                if r["err"]:
                    continue
                log(f"accuracy: share {share} rep {rep + 1}/{reps}: {n} on {e.label()}")
                for attempt in (1, 2, 3):  # retries: a failed run is reported, not hidden
                    try:
                        truth, w = fn(e, seconds, share, f"{e.name}-{share}-{rep}")
                        tot = w["hot_a"] + w["hot_b"]
                        if tot <= 0:
                            raise RuntimeError("no hot_a/hot_b samples in its output")
                        r["runs"].append((share, truth, w["hot_a"] / tot, tot))
                        break
                    except (RuntimeError, OSError, ValueError, KeyError) as ex:
                        msg = " ".join(str(ex).split())
                        log(f"accuracy: {n} on {e.label()} failed (attempt {attempt}): {msg}")
                        if attempt < 3:
                            r["retries"].append(msg)
                        else:
                            r["err"] = msg
    return res, tools, seconds, reps, shares


# ---------------------------------------------------------------------------
# The daemon itself
# ---------------------------------------------------------------------------

def run_daemon_costs():
    out = {}
    idle_s = 5 if QUICK else 10
    log(f"daemon: idle for {idle_s} s")
    d = Daemon(999)
    try:
        st0 = d.status()
        time.sleep(idle_s)
        st1 = d.status()
    finally:
        d.stop()
    out["start_s"] = d.start_s
    out["start_cpu_s"] = st0["daemon"]["cpu_s"]
    out["idle_cpu_s"] = st1["daemon"]["cpu_s"] - st0["daemon"]["cpu_s"]
    out["idle_s"] = idle_s
    out["idle_rss_kb"] = st1["daemon"]["rss_kb"]

    # exec-to-first-sample proxy: a tiny one-shot run, process CPU vs samples
    log("daemon: start-up coverage (startup_probe.py one-shot)")
    runs = []
    for rep in range(REPS):
        rep_out = f"/tmp/mlprof-bench-probe-{rep}"
        try:
            r = run_capture([MLPROFD, "--freq", "999", "-f", "json", "-o", rep_out + ".json",
                             "--save", rep_out + ".snap", "--", HOST_PY,
                             os.path.join(BENCH, "startup_probe.py")], timeout=120)
        except RuntimeError as ex:
            out["probe_err"] = str(ex)
            break
        m = re.search(r"MLPROF_CPU process_s=([0-9.]+)", r.stdout)
        if r.returncode != 0 or not m:
            out["probe_err"] = f"exit {r.returncode}: {r.stderr.strip()[-200:]}"
            break
        with open(rep_out + ".json") as f:
            rep_json = json.load(f)
        with open(rep_out + ".snap") as f:
            snap = json.load(f)
        for p in (rep_out + ".json", rep_out + ".snap"):
            os.unlink(p)
        py = [p for p in snap["processes"] if p.get("python")]
        startup = sum(fn["self_samples"] for fn in rep_json["functions"]
                      if fn["name"] == "<interpreter start-up>")
        pre = sum(p["samples"] for p in snap["processes"] if not p.get("python"))
        runs.append({"cpu_ms": float(m.group(1)) * 1000,
                     "samples": sum(p["samples"] for p in py),
                     "pre_exec": pre, "startup": startup})
    out["probe"] = runs

    # ring buffer: highest sample rate without drops
    log("daemon: ring-buffer drops vs sample rate")
    freqs = (999, 20000) if QUICK else (999, 5000, 10000, 20000)
    mbs = (1,) if QUICK else (1, 16)
    n = "1000000" if QUICK else "2000000"
    drops = []
    nproc = 2
    for mb in mbs:
        for freq in freqs:
            log(f"daemon: --ringbuf-mb {mb} --freq {freq}: 2 x threads8.py in parallel")
            try:
                d = Daemon(freq, ringbuf_mb=mb)
            except RuntimeError as ex:
                drops.append((mb, freq, None, str(ex)))
                continue
            try:
                st0 = d.status()
                t0 = time.perf_counter()
                ps = [subprocess.Popen([HOST_PY, os.path.join(BENCH, "threads8.py"), n],
                                       stdout=subprocess.DEVNULL) for _ in range(nproc)]
                for p in ps:
                    p.wait()
                wall = time.perf_counter() - t0
                x = delta(d.status(), st0)
                x["wall"] = wall
                drops.append((mb, freq, x, None))
            finally:
                d.stop()
    out["drops"] = drops
    return out


# ---------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------

def machine():
    model, flags = "?", ""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name") and model == "?":
                    model = line.split(":", 1)[1].strip()
                if line.startswith("flags") and not flags:
                    flags = line
    except OSError:
        pass
    virt = []
    if shutil.which("systemd-detect-virt"):
        for opt, what in (("--vm", "VM"), ("--container", "container")):
            v = subprocess.run(["systemd-detect-virt", opt], capture_output=True,
                               text=True).stdout.strip()
            if v and v != "none":
                virt.append(f"{what}: {v}")
    if not virt and " hypervisor" in flags:
        virt.append("VM (hypervisor flag)")
    try:
        pmus = sorted(os.listdir("/sys/bus/event_source/devices"))
    except OSError:
        pmus = []
    hw = "cpu" in pmus or any(p.startswith("cpu_") for p in pmus)
    return (f"{os.cpu_count()} CPUs (nproc), {model}; {', '.join(virt) or 'bare metal?'}; "
            f"perf PMUs: {', '.join(pmus) or '?'} ({'hardware PMU present' if hw else 'no hardware PMU'})")


def render(over, extras, acc, dm, notes, elapsed):
    L = []
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    L.append("# mlprof benchmarks\n")
    L.append(f"Generated by `make bench`{' (BENCH_QUICK=1)' if QUICK else ''} on {now}, "
             f"in {elapsed / 60:.1f} min.\n")
    L.append(f"- Machine: {machine()}")
    L.append(f"- Kernel: {platform.release()}")
    L.append(f"- Repetitions: {REPS} interleaved pairs per overhead row")
    L.append("")
    L.append("The machine is a small shared VM: 2 vCPUs, other tenants' load, no hardware "
             "PMU (perf falls back to the `cpu-clock` software event, a timer interrupt). "
             "On such a machine timer interrupts dominate a kernel sampler's cost: a bare "
             "1 kHz `cpu-clock` perf event with no BPF attached already slows the interrupted "
             "task by about 5-10% here. Runs are noisy (a few % between identical runs); the "
             "ratio range shows how much. Numbers measure; nothing in the test suite asserts "
             "on them.\n")

    L.append("## 1. Overhead: wall time with the profiler / without\n")
    L.append("Each row: the workload run plain, then under the profiler, repeated "
             f"{REPS} times (plain, profiled, plain, profiled, ...); *ratio* is the median of "
             "the per-pair ratios profiled/plain (1.00 = no overhead), with the smallest and "
             "largest pair ratio. Plain runs use the same interpreter in the same chroot as the "
             "profiled ones. mlprof daemon rows: `mlprofd --target python --freq F --socket S` "
             "is started (and its BPF loaded) before the run and stopped after it; only the "
             "workload's own wall time is timed. The one-shot row times `mlprofd --freq 999 -- "
             "CMD` whole: daemon start-up, the run, and the JSON report. Other profilers are "
             "timed as the command a user types (their start-up and output writing included). "
             "cProfile (and the cProfile + tracemalloc wrapper `tests/bench/cprofile_tracemalloc"
             ".py`) profile only the main thread, and in the mlpy app only the CLI parent, not "
             "the sandbox child where the ML code runs; mlprof profiles both processes and all "
             "threads; CPython's sampler runs with `-a` (all threads), Austin samples all "
             "threads.\n")
    L.append("Workloads (fixed work, not time-bounded): CPU-bound = `tests/workloads/cpubound.py "
             f"{workloads()[0][2][0]} 0 {workloads()[0][2][2]}` (recursive fib); "
             f"allocation-heavy = `tests/bench/alloc_heavy.py {workloads()[1][2][0]}` (small "
             "dicts/tuples/lists in rounds, and 1-8 MiB buffers); 8 threads = "
             f"`tests/bench/threads8.py {workloads()[2][2][0]}` (a fixed loop in each of 8 "
             "threads); mlpy app = `tests/mlpy_app/bin/mlpy run --no-cache hotspots.ml` in a "
             "scratch copy of the examples (parse, security analysis, transpile, then the "
             "sandbox child runs a fixed number of iterations: 10 rounds of 455000 + 195000).\n")
    L.append("| workload | interpreter | profiler | plain s | profiled s | ratio (min-max) |")
    L.append("|---|---|---|---:|---:|---|")
    for wl, env, prof, b, p, ratios, err in over:
        if err:
            L.append(f"| {wl} | {env} | {prof} | | | {err} |")
        else:
            L.append(f"| {wl} | {env} | {prof} | {b:.3f} | {p:.3f} | **{median(ratios):.3f}** "
                     f"({min(ratios):.3f}-{max(ratios):.3f}) |")
    L.append("")

    L.append("## 2. Accuracy: hot_a's share of hot_a + hot_b against the truth\n")
    res, tools, seconds, reps, shares = acc
    L.append(f"`tests/workloads/ratio.py {seconds} SHARE` alternates two identical loops "
             "hot_a and hot_b, with hot_a getting SHARE of the iterations, and measures each "
             "call with `time.perf_counter` (the truth it prints). A profiler's answer is "
             "hot_a's self weight / (hot_a + hot_b) (mlprof: `self_samples` from `mlprofd -f "
             "json`; cProfile: pstats `tottime`; CPython 3.15 sampler and Austin: leaf frames "
             "of their collapsed stacks, Austin's weights are CPU µs). Error = |answer - truth| "
             f"in percentage points; {reps} run(s) per share; MAE = mean absolute error over all "
             "runs. A sampler's answer is a count, so it carries statistical error of about "
             "sqrt(p(1-p)/n): with n = 1500 samples (999 Hz) that is about 1.3 pp at p = 0.5, "
             "with n = 150 (99 Hz) about 4 pp; cProfile measures every call, so its error is "
             "only its own timer overhead split evenly between two identical loops.\n")
    hdr = " | ".join(f"share {s}: truth / answer" for s in shares)
    L.append(f"| profiler | interpreter | {hdr} | MAE pp | max pp | samples/run |")
    L.append("|---|---|" + "---|" * len(shares) + "---:|---:|---:|")
    for n, e, _ in tools:
        r = res[(n, e.label())]
        if r["err"]:
            L.append(f"| {n} | {e.label()} | " + " | ".join("" for _ in shares)
                     + f" | could not be measured: {r['err']} | | |")
            continue
        cells = []
        for s in shares:
            rr = [x for x in r["runs"] if x[0] == s]
            cells.append(f"{100 * statistics.mean(x[1] for x in rr):.1f}% / "
                         f"{100 * statistics.mean(x[2] for x in rr):.1f}%" if rr else "")
        errs = [100 * abs(x[2] - x[1]) for x in r["runs"]]
        tot = [x[3] for x in r["runs"]]
        unit = "s (tottime)" if n.startswith("cProfile") else (
            "CPU µs" if n.startswith("Austin") else "samples")
        totfmt = f"{median(tot):.2f} {unit}" if unit.startswith("s ") else f"{median(tot):.0f} {unit}"
        L.append(f"| {n} | {e.label()} | " + " | ".join(cells)
                 + f" | **{statistics.mean(errs):.2f}** | {max(errs):.2f} | {totfmt} |")
    L.append("")
    for n, e, _ in tools:
        r = res[(n, e.label())]
        for msg in r["retries"]:
            L.append(f"- {n} on {e.label()}: one run failed and was run again: {msg[:200]}")
    L.append("")

    L.append("## 3. The daemon itself\n")
    L.append(f"- **Idle** (`mlprofd --target python --freq 999`, no target, {dm['idle_s']} s): "
             f"{100 * dm['idle_cpu_s'] / dm['idle_s']:.2f}% of one CPU "
             f"({dm['idle_cpu_s'] * 1000:.0f} ms CPU), RSS {dm['idle_rss_kb'] / 1024:.1f} MiB. "
             f"Start-up (process start to control socket up, BPF loaded): {dm['start_s']:.2f} s "
             f"wall, {dm['start_cpu_s']:.2f} s CPU.")
    L.append("")
    L.append("**While sampling** (the overhead runs above, mlprof daemon rows; medians over the "
             "runs): daemon CPU as % of one CPU over the workload's wall time; daemon CPU per "
             "sample; samples/s of the workload itself (`mlprofctl report raw --pid`) and of "
             "everything the daemon sampled (with `--target python` it samples every CPython "
             "process on the machine, so anything else running then counts too).\n")
    L.append("µs/sample is the daemon's CPU during the run / samples, so daemon CPU that does "
             "not grow with the sample count (process events, naming each code object once) "
             "weighs more at 99 Hz.\n")
    L.append("| workload | interpreter | freq | daemon CPU % | daemon µs/sample | workload "
             "samples/s | all samples/s | daemon RSS MiB (max) | drops / samples |")
    L.append("|---|---|---:|---:|---:|---:|---:|---:|---|")
    for key, ex in extras.items():
        wl, env, prof = key
        if not prof.startswith("mlprof") or not ex:
            continue
        freq = prof.split()[1]
        cpu = median([x["cpu_s"] / x["wall"] for x in ex])
        us = median([1e6 * x["cpu_s"] / x["samples"] for x in ex if x["samples"]])
        rate = median([x["samples"] / x["wall"] for x in ex])
        wls = [x["wl_samples"] / x["wall"] for x in ex if x.get("wl_samples") is not None]
        L.append(f"| {wl} | {env} | {freq} | {100 * cpu:.1f} | {us:.0f} | "
                 f"{median(wls):.0f} | {rate:.0f} | {max(x['rss_kb'] for x in ex) / 1024:.1f} | "
                 f"{sum(x['drops'] for x in ex)} / {sum(x['samples'] for x in ex)} |")
    L.append("")
    L.append("**Exec to first sample (proxy).** The time of the first walked sample is not "
             "recorded anywhere, so the proxy is coverage: `tests/bench/startup_probe.py` does "
             "~30 ms of work, prints its whole process CPU time (`time.process_time()`: all "
             "threads, counted from the fork, so the exec and interpreter start-up are in it) "
             "and leaves with `os._exit` at once; `mlprofd --freq 999 -- python3.11 "
             "startup_probe.py` counts the samples it took of that process, before the exec "
             "(mlprofd's forked child waiting to exec: the per-task perf event is already on) "
             "and after it. Each sample stands for 1/999 s of CPU, so *uncovered* = CPU time - "
             "samples x 1.001 ms is the CPU time that went by without a sample: a late start "
             "would show here as a positive number of ms (the last, partial period adds < 1 ms; "
             "noise is ± a sample or two). `<interpreter start-up>` samples were taken before "
             "the interpreter had a Python frame to walk: the sampler is on from the exec, "
             "before any Python code.\n")
    if dm.get("probe_err"):
        L.append(f"Could not be measured: {dm['probe_err']}\n")
    if dm["probe"]:
        L.append("| run | process CPU ms | samples before exec | samples after exec | "
                 "uncovered CPU ms | of which `<interpreter start-up>` |")
        L.append("|---:|---:|---:|---:|---:|---:|")
        unc = []
        for i, r in enumerate(dm["probe"]):
            u = r["cpu_ms"] - (r["samples"] + r["pre_exec"]) * 1000 / 999
            unc.append(u)
            L.append(f"| {i + 1} | {r['cpu_ms']:.1f} | {r['pre_exec']} | {r['samples']} | "
                     f"{u:.1f} | {r['startup']} |")
        L.append(f"| median | | | | {median(unc):.1f} | |")
        L.append("")
    L.append("**Ring buffer: sample rate vs drops.** Two `threads8.py` processes (8 threads "
             "each) in parallel under the daemon, at each `--freq` and `--ringbuf-mb`; samples/s "
             "= samples taken / wall time of the pair; drops = `counters.sample_drops` (ring "
             "buffer full), lost = `counters.lost_samples` (profile tables full), from "
             "`mlprofctl status -f json`. A CPU-time sampler gives at most freq x busy CPUs "
             "samples/s, here 2 CPUs.\n")
    L.append("| --ringbuf-mb | --freq | samples | samples/s | drops | lost | daemon CPU % |")
    L.append("|---:|---:|---:|---:|---:|---:|---:|")
    best = None
    for mb, freq, x, err in dm["drops"]:
        if err:
            L.append(f"| {mb} | {freq} | | | | | failed: {err} |")
            continue
        rate = x["samples"] / x["wall"]
        if x["drops"] == 0 and x["lost"] == 0:
            best = max(best or 0, rate)
        L.append(f"| {mb} | {freq} | {x['samples']} | {rate:.0f} | {x['drops']} | {x['lost']} | "
                 f"{100 * x['cpu_s'] / x['wall']:.1f} |")
    L.append("")
    if best is not None:
        L.append(f"Highest rate seen without a drop: {best:.0f} samples/s (the machine has "
                 "no more CPU to give the targets; drops would need more cores or a slower "
                 "consumer).\n" if all(x and x["drops"] == 0 for _, _, x, _ in dm["drops"])
                 else f"Highest rate seen without a drop: {best:.0f} samples/s.\n")
    L.append("## Gaps and caveats\n")
    for n in notes + [
            "Third-party profilers only run where Debian packages them for a Python they "
            "support: CPython's own sampler (`profiling.sampling`) is new in 3.15 (sid root); "
            "Austin 3.7 comes from trixie, for its python3.13 (bookworm's austin 1.0.1 predates "
            "Python 3.11); memray comes from sid, built only for its python3.14; py-spy and "
            "pyinstrument are not in Debian. Hence each comparison row has its own plain "
            "baseline and mlprof row on the same interpreter in the same chroot.",
            "memray runs in its default mode (system allocator calls, not pymalloc's small "
            "objects: `--trace-python-allocators` would cost more) and has no accuracy row "
            "(it measures memory, not CPU time).",
            "The mlpy app is measured on the host (Python 3.11) only: the chroot profilers were "
            "not run on it. cProfile and cProfile + tracemalloc there see only the CLI parent, "
            "not the sandbox child where the ML code runs.",
            "Exec-to-first-sample is a proxy (CPU time not covered by samples), not a "
            "timestamp: the snapshot does not record sample times.",
            "The machine is shared: other work running at the same time (builds, tests) shows "
            "as noise in the ratio ranges and, for `--target python`, as extra samples in "
            "\"all samples/s\"."]:
        L.append(f"- {n}")
    L.append("")
    return "\n".join(L)


def on_term(signum, frame):
    raise KeyboardInterrupt  # so the finally blocks stop any daemon this run started


def main():
    global MLPROFD, MLPROFCTL
    signal.signal(signal.SIGTERM, on_term)
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=os.path.join(TOP, "BENCHMARKS.md"))
    a = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("bench: must run as root (BPF, chroot)")
    for exe in (MLPROFD, MLPROFCTL, HOST_PY):
        if not os.access(exe, os.X_OK):
            sys.exit(f"bench: {exe} is missing (run make first)")
    # Run private copies: a rebuild of build/ during the run must not break it.
    bindir = tempfile.mkdtemp(prefix="mlprof-bench-bin-")
    MLPROFD = shutil.copy2(MLPROFD, bindir)
    MLPROFCTL = shutil.copy2(MLPROFCTL, bindir)
    try:
        run(a)
    finally:
        shutil.rmtree(bindir, ignore_errors=True)


NOTES = []


def run(a):
    notes = NOTES
    log(f"{'quick' if QUICK else 'full'} run, {REPS} reps")
    envs = setup_roots(notes)
    over, extras = run_overhead(envs, notes)
    acc = run_accuracy(envs)
    dm = run_daemon_costs()
    import memory_bench  # beside this file
    mem = memory_bench.collect(REPS, 400000)
    import clock_bench  # beside this file
    clk = clock_bench.collect(REPS)
    import wall_bench  # beside this file
    wall = wall_bench.collect(REPS)
    import pieces_bench  # beside this file
    pieces = pieces_bench.collect(REPS)
    import tick_bias  # beside this file
    bias = tick_bias.collect(REPS)
    import peers_bench  # beside this file
    peers = peers_bench.collect(3 if QUICK else 15, REPS)
    text = render(over, extras, acc, dm, notes, time.monotonic() - T_START)
    extra = "\n".join(mem + [""] + clk + [""] + wall + [""] + pieces + [""] + bias + [""] + peers)
    text = text.replace("## Gaps and caveats", extra + "\n## Gaps and caveats", 1)
    print(text)
    with open(a.out, "w") as f:
        f.write(text + "\n")
    log(f"wrote {a.out} in {(time.monotonic() - T_START) / 60:.1f} min")


if __name__ == "__main__":
    main()

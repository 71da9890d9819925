"""Where a function's own time went (docs/design.md decision 26): the
interpreter, a native object named by its shared object, or the kernel
named by its system call; checked against what the workload measures
itself (os.times() user and system time, per part)."""
import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mlproftest import (MLPROFD, InterpreterCase, host_interpreters,  # noqa: E402
                        chroot_interpreters, run_oneshot, selected, workload_path)

POINTS = 5.0  # tolerance, percentage points


def share(part, whole):
    return 100.0 * part / whole if whole else 0.0


def raw_func(prof, name):
    rows = [f for f in prof.raw["functions"] if f["name"] == name]
    if len(rows) != 1:
        raise AssertionError("%d raw rows named %s" % (len(rows), name))
    return rows[0]


def leaves(prof, name):
    """{leaf name: samples} of the where leaves right under function name."""
    out = {}
    for n, fr in prof.stacks():
        if len(fr) > 1 and fr[1][0] == name and fr[0][0].startswith(("<native: ", "<kernel: ")):
            out[fr[0][0]] = out.get(fr[0][0], 0) + n
    return out


def wall_diagnosis(prof, names):
    """What explains a wrong wall view: the daemon's pairing counts (its
    `mlprofd: wall:` line), the store's losses, and every stack with one of
    names in its three innermost frames (innermost first, samples)."""
    line = [ln for ln in prof.stderr.splitlines() if ln.startswith("mlprofd: wall:")]
    stats = {k: v for k, v in prof.snap["stats"].items()
             if v and k in ("expired_funcs", "lost_samples", "sample_drops", "stack_overflow")}
    stacks = {}
    for n, fr in prof.stacks():
        key = " < ".join(x[0] for x in fr[:3])
        if any(x[0] in names for x in fr[:3]):
            stacks[key] = stacks.get(key, 0) + n
    return "daemon %s, store %s, stacks %s" % (line[0][len("mlprofd: "):] if line else "(no wall line)",
                                               stats, stacks)


class WhereTests(InterpreterCase):
    # Host 3.11 and the sid interpreters (one PID namespace variant is
    # enough here: the sampler tests cover namespaces).
    interpreters = selected([i for i in host_interpreters() + chroot_interpreters(pidns=False)
                             if not i[0].startswith("pyenv-")])

    def test_interp_native_kernel(self):
        def check(label, py):
            prof = run_oneshot(py + [workload_path(py, "where.py"), "6.0"])
            self.assertEqual(prof.returncode, 0, prof.stderr)
            truth = prof.split()
            parts = {"py_loop": "loop", "hash_part": "hash", "read_part": "read"}
            rows = {fn: raw_func(prof, fn) for fn in parts}
            cpu = {fn: truth[p + "_user"] + truth[p + "_sys"] for fn, p in parts.items()}
            self_all = sum(r["self_s"] for r in rows.values())
            self.assertGreater(self_all, 4.0, "%s: too few samples for 6 s of CPU" % label)
            msg = "%s: profile %s, measured %s" % (
                label, {fn: (round(r["interp_s"], 3), round(r["native_s"], 3),
                             round(r["kernel_s"], 3)) for fn, r in rows.items()}, truth)
            if os.environ.get("MLPROF_E2E_VERBOSE"):
                print(msg, file=sys.stderr)
            for fn, r in rows.items():
                # Each part's share of the three, and the three add up.
                self.assertLess(abs(share(r["self_s"], self_all) - share(cpu[fn], sum(cpu.values()))),
                                POINTS, fn + " share; " + msg)
                self.assertAlmostEqual(r["interp_s"] + r["native_s"] + r["kernel_s"], r["self_s"],
                                       places=6)
            # The loop is the interpreter's own time.
            loop = rows["py_loop"]
            self.assertLess(abs(share(loop["interp_s"], loop["self_s"])
                                - share(truth["loop_user"], cpu["py_loop"])), POINTS, msg)
            # Hashing is native (user) time, in OpenSSL's libcrypto.
            h = rows["hash_part"]
            self.assertLess(abs(share(h["native_s"], h["self_s"])
                                - share(truth["hash_user"], cpu["hash_part"])), POINTS, msg)
            hl = leaves(prof, "hash_part")
            self.assertEqual(max(hl, key=hl.get), "<native: libcrypto>", "%s: %s" % (label, hl))
            # Reading /dev/zero: its system time is the kernel's, in read.
            rd = rows["read_part"]
            self.assertLess(abs(share(rd["kernel_s"], rd["self_s"])
                                - share(truth["read_sys"], cpu["read_part"])), POINTS, msg)
            rl = leaves(prof, "read_part")
            kern = {k: v for k, v in rl.items() if k.startswith("<kernel: ")}
            self.assertEqual(max(kern, key=kern.get), "<kernel: read>", "%s: %s" % (label, rl))
            self.assertGreater(share(kern["<kernel: read>"], sum(kern.values())), 90, rl)
            self.assertEqual(prof.raw["dropped"], 0)
        self.each(check)

    def test_wall_mode(self):
        def check(label, py):
            prof = run_oneshot(py + [workload_path(py, "wall.py"), "0.5", "2"],
                               extra=("--mode", "wall"))
            self.assertEqual(prof.returncode, 0, prof.stderr)
            truth = prof.split()
            freq = prof.snap["freq_hz"]
            waits = {}
            cpu = {"sleeper": 0, "computer": 0}
            for n, fr in prof.stacks():
                if len(fr) > 1 and fr[0][0].startswith("<wait: ") and fr[1][0] in cpu:
                    waits[(fr[1][0], fr[0][0])] = waits.get((fr[1][0], fr[0][0]), 0) + n
                elif fr and (fr[0][0] in cpu or (len(fr) > 1 and fr[1][0] in cpu and
                                                 fr[0][0].startswith(("<native: ", "<kernel: ")))):
                    cpu[fr[0][0] if fr[0][0] in cpu else fr[1][0]] += n
            wall = {f: prof.self_samples(f) for f in cpu}
            msg = "%s: wall %s, cpu %s, waits %s, measured %s; %s" % (
                label, wall, cpu, waits, truth, wall_diagnosis(prof, cpu))
            if os.environ.get("MLPROF_E2E_VERBOSE"):
                print(msg, file=sys.stderr)
            # The wall view: each about half. Waiting for a CPU (runnable,
            # preempted) is not off-CPU time here (decision 27), so the
            # computer's truth is its CPU time, the sleeper's its wall time.
            want = share(truth["sleeper_wall"], truth["sleeper_wall"] + truth["computer_cpu"])
            got = share(wall["sleeper"], wall["sleeper"] + wall["computer"])
            self.assertLess(abs(got - want), POINTS, msg)
            self.assertGreater(wall["sleeper"], 0.8 * truth["sleeper_wall"] * freq, msg)
            # Why it waited: sleeping, in clock_nanosleep.
            top = max((k for k in waits if k[0] == "sleeper"), key=waits.get)
            self.assertEqual(top[1], "<wait: sleep (clock_nanosleep)>", msg)
            # The CPU view is unchanged: the computer's CPU samples are its
            # CPU time, the sleeper has next to none.
            self.assertLess(abs(share(cpu["computer"], cpu["computer"] + cpu["sleeper"]) -
                                share(truth["computer_cpu"],
                                      truth["computer_cpu"] + truth["sleeper_cpu"])), POINTS, msg)
            self.assertLess(abs(cpu["computer"] / freq - truth["computer_cpu"]),
                            0.05 * truth["computer_cpu"] + 0.02, msg)
            self.assertAlmostEqual(prof.raw["wait_s"] + prof.raw["cpu_s"],
                                   prof.samples() / freq, places=6)
            self.assertEqual(prof.raw["dropped"], 0)
        self.each(check)


class BenchOffTests(InterpreterCase):
    """MLPROF_BENCH_OFF (the benchmark's per-piece prices): each piece
    named is left out of every sample, and nothing else; a word that names
    no piece is a start-up error."""
    interpreters = selected(host_interpreters()[:1])

    def test_pieces_left_out(self):
        def check(label, py):
            env = dict(os.environ, MLPROF_BENCH_OFF="where")
            prof = run_oneshot(py + [workload_path(py, "where.py"), "2.0"], env=env)
            self.assertEqual(prof.returncode, 0, prof.stderr)
            rows = {fn: raw_func(prof, fn) for fn in ("py_loop", "hash_part", "read_part")}
            # Sampled as ever (about 2 s of CPU) ...
            self.assertGreater(sum(r["self_s"] for r in rows.values()), 1.0, label)
            for fn, r in rows.items():
                # ... with no where: no native or kernel time, no leaf
                # under the function (a sample that says nothing of where
                # counts as the interpreter's, as the raw report does with
                # any sample whose where is unknown).
                self.assertEqual((r["native_s"], r["kernel_s"]), (0, 0), "%s: %s" % (label, fn))
                self.assertEqual(leaves(prof, fn), {}, "%s: %s" % (label, fn))
            # Phases off: gcwork.py's collections (649 samples of about
            # 1,500 in a run with phases on, here) are named by nothing.
            env = dict(os.environ, MLPROF_BENCH_OFF="phases")
            prof = run_oneshot(py + [workload_path(py, "gcwork.py"), "1.5"], env=env)
            self.assertEqual(prof.returncode, 0, prof.stderr)
            phases = {"<garbage collection>", "<interpreter shutdown>"}
            held = {fr[0][0]: n for n, fr in prof.stacks() if fr and fr[0][0] in phases}
            self.assertEqual(held, {}, label)
            self.assertGreater(sum(n for n, _ in prof.stacks()), 0.5 * prof.hz, label)
        self.each(check)

    def test_unknown_piece_is_an_error(self):
        env = dict(os.environ, MLPROF_BENCH_OFF="where,bogus")
        p = subprocess.run([MLPROFD, "-o", "/dev/null", "--", "/bin/true"], env=env,
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("'bogus' is not a piece", p.stderr)


if __name__ == "__main__":
    unittest.main()

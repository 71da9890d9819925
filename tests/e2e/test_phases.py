"""Interpreter phases against every interpreter (3.11-3.15): time the
runtime spends finalizing is <interpreter shutdown>, time the cyclic
collector runs is <garbage collection> on top of the stack that triggered
it. Truths come from the workloads themselves (CPU time they measured)."""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mlproftest import (InterpreterCase, host_interpreters, chroot_interpreters,  # noqa: E402
                        run_oneshot, selected, steal_s, workload_path, require_root,
                        WORKLOADS)
from test_mlpy_real import HOST, SID, RealRun, need_mlpy, need_sid  # noqa: E402

HZ = 999.0    # mlprofd's default frequency: one sample stands for 1/999 s of CPU
POINTS = 5.0  # tolerance, percentage points
SHUTDOWN = "<interpreter shutdown>"
GC = "<garbage collection>"


def share(part, whole):
    return 100.0 * part / whole if whole else 0.0


class PhaseTests(InterpreterCase):
    # Every version; not again in a PID namespace (the phase reads compare
    # addresses, and test_sampler walks stacks there): a third less time.
    interpreters = selected(host_interpreters() + chroot_interpreters(pidns=False))

    def shutdown_run(self, label, py, mode):
        """shutdown.py MODE under mlprofd: (CPU seconds its child used after
        its last line of Python, as the kernel counted them for this very
        run, the child's <interpreter shutdown> samples, the profile, the
        VM's steal during the run in seconds)."""
        steal = steal_s()
        prof = run_oneshot(py + [workload_path(py, "shutdown.py"), mode])
        steal = steal_s() - steal
        self.assertEqual(prof.returncode, 0, "%s %s: %s" % (label, mode, prof.stderr))
        child = {i for i, p in enumerate(prof.snap["processes"])
                 if "--child" in (p.get("cmdline") or "")}
        self.assertEqual(len(child), 1, "%s: %s" % (label, prof.snap["processes"]))
        got = sum(st["n"] for st in prof.snap["stacks"] if st["p"] in child and
                  any(prof.funcs[st["f"][k]]["name"] == SHUTDOWN
                      for k in range(0, len(st["f"]), 2)))
        return prof.split()["tail"], got, prof, steal

    def test_shutdown_is_named(self):
        """A million objects in module globals: what ending normally costs
        over os._exit(0) (CPU after the last line of Python, counted by
        the kernel for the profiled runs themselves) is at least 80%
        <interpreter shutdown>; after os._exit nothing is."""
        def check(label, py):
            tail_n, got_n, prof, steal = self.shutdown_run(label, py, "exit")
            tail_x, got_x, _, _ = self.shutdown_run(label, py, "_exit")
            saved, got = tail_n - tail_x, got_n / HZ
            msg = "%s: shutdown %.3f s (%d samples); CPU after the last line %.3f s, after " \
                  "os._exit %.3f s; the VM's steal during the run %.3f s" % (
                      label, got, got_n, tail_n, tail_x, steal)
            # The teardown of a million objects takes 0.15-0.35 s here; a
            # tenth of that would mean the workload no longer measures one.
            self.assertGreater(saved, 0.05, msg)
            self.assertGreaterEqual(got, 0.8 * saved, msg)
            # Never more than that run's own end (a sample stands for 1/HZ
            # s of the task's CPU clock: two of slack), but for time the
            # hypervisor stole meanwhile: the timer runs on through it, the
            # kernel's CPU time of the task leaves it out (steal_s, read in
            # 10 ms steps, so 3% more). One repeated run here had all five
            # interpreters of one test 1-4% over at once, the other runs none.
            self.assertLessEqual(got, tail_n * 1.03 + 2 / HZ + steal, msg)
            self.assertLessEqual(got_x, 2, msg)
            print("\n" + msg, file=sys.stderr)
            # Shutdown is only ever the root of a stack (no Python frame).
            for _, fr in prof.stacks():
                names = [x[0] for x in fr]
                if SHUTDOWN in names:
                    self.assertEqual(names[-1], SHUTDOWN, "%s: %s" % (label, names))
                    self.assertTrue(set(names[:-1]) <= {GC}, "%s: %s" % (label, names))
        self.each(check)

    def gc_run(self, label, py, *extra):
        """gcwork.py under mlprofd: (profile, its measurements); checks the
        GC share of loop() against the callbacks' and that GC is always
        the innermost frame."""
        prof = run_oneshot(py + [workload_path(py, "gcwork.py"), "1.5", *extra])
        self.assertEqual(prof.returncode, 0, prof.stderr)
        truth = prof.split()
        loop = prof.total_samples("loop")
        gc_in_loop = sum(n for n, fr in prof.stacks()
                         if fr and fr[0][0] == GC and any(x[0] == "loop" for x in fr))
        self.assertGreater(loop, 0.7 * 1.5 * HZ, "%s: %d samples in loop" % (label, loop))
        self.assertGreater(truth["collections"], 100, label)
        got, want = share(gc_in_loop, loop), share(truth["gc"], truth["loop"])
        # The workload spends about half its time collecting: a share
        # near 0 or 100 would mean the flag is misread.
        self.assertGreater(want, 20, "%s: workload measured %s" % (label, truth))
        self.assertLess(abs(got - want), POINTS, "%s: GC %.1f%% of loop (%d of %d samples), "
                        "callbacks measured %.1f%% (%s)" % (label, got, gc_in_loop, loop,
                                                            want, truth))
        for _, fr in prof.stacks():
            self.assertNotIn(GC, [x[0] for x in fr[1:]], label)
        print("\n%s: GC %.1f%% of loop (%d of %d samples), callbacks %.1f%%%s" % (
            label, got, gc_in_loop, loop, want, " (hash thread beside)" if extra else ""),
            file=sys.stderr)
        return prof, truth

    def test_gc_share_matches_callbacks(self):
        """Cyclic garbage: <garbage collection> self time inside loop()
        within 5 points of what gc.callbacks measured; the frame sits on
        top of the Python stack that triggered the collection."""
        self.each(lambda label, py: self.gc_run(label, py))

    def test_gc_not_charged_to_other_threads(self):
        """A second thread hashing without the GIL while the main one
        collects: none of its time is GC (it holds no GIL), the main
        thread's share still matches. Without the GIL-holder check half of
        the hashing thread's samples were GC (518 of 1,080 on 3.11)."""
        def check(label, py):
            prof, truth = self.gc_run(label, py, "hash")
            hasher = prof.total_samples("hasher")
            hasher_gc = sum(n for n, fr in prof.stacks()
                            if fr and fr[0][0] == GC and any(x[0] == "hasher" for x in fr))
            self.assertGreater(hasher, 0.5 * truth["hasher"] * HZ, "%s: hasher %d samples for "
                               "%.3f s" % (label, hasher, truth["hasher"]))
            # It holds the GIL for a moment between buffers and may
            # collect itself then: a few samples, not a share.
            self.assertLess(share(hasher_gc, hasher), 3.0, "%s: %d of the hashing thread's %d "
                            "samples charged to GC" % (label, hasher_gc, hasher))
            print("%s: hashing thread %d of %d samples GC" % (label, hasher_gc, hasher),
                  file=sys.stderr)
        self.each(check)


class RealMlpyPhases(unittest.TestCase):
    """The real mlpy CLI (`python3 -m mlpy run split.ml`): its frameless
    time is named; what is left as <no Python frame> is under 2%."""

    def check(self, interp):
        require_root(self)
        need_mlpy(self)
        run = RealRun(interp, [os.path.join(WORKLOADS, "ml", "split.ml")], 300)
        self.addCleanup(run.cleanup)
        label = interp[0]
        cli = {i for i, p in enumerate(run.snap["processes"])
               if "-m mlpy run" in (p.get("cmdline") or "")}
        self.assertTrue(cli, "%s: no mlpy CLI process in %s" % (
            label, [p.get("cmdline") for p in run.snap["processes"]]))
        whole = cli_n = no_frame = no_frame_cli = shutdown_cli = 0
        for st in run.snap["stacks"]:
            names = [run.funcs[st["f"][k]]["name"] for k in range(0, len(st["f"]), 2)]
            whole += st["n"]
            no_frame += st["n"] if "<no Python frame>" in names else 0
            if st["p"] in cli:
                cli_n += st["n"]
                no_frame_cli += st["n"] if "<no Python frame>" in names else 0
                shutdown_cli += st["n"] if SHUTDOWN in names else 0
        msg = "%s: <no Python frame> %d of %d samples (CLI: %d of %d), CLI shutdown %d" % (
            label, no_frame, whole, no_frame_cli, cli_n, shutdown_cli)
        # Enough CLI samples for the shares below to mean something: its
        # CPU is fixed work (imports, parsing, transpiling), 0.26-0.34 s on
        # a fast machine, more on a slower one.
        self.assertGreater(cli_n, 150, msg)
        self.assertLess(share(no_frame, whole), 2.0, msg)
        self.assertLess(share(no_frame_cli, cli_n), 2.0, msg)
        # The CLI's teardown is a fifth of it on this machine (the issue
        # saw 17%): named, not anonymous.
        self.assertGreater(share(shutdown_cli, cli_n), 5.0, msg)
        print("\n" + msg, file=sys.stderr)

    def test_host_311(self):
        self.check(HOST)

    def test_sid_314(self):
        need_sid(self)
        self.check(SID)


if __name__ == "__main__":
    unittest.main(verbosity=2)

"""A headless Chromium driven over the DevTools protocol on a pipe
(--remote-debugging-pipe: the browser reads NUL-terminated JSON messages on
fd 3 and writes them on fd 4). Standard library only. Collects console
errors, exceptions and every network request of the page."""
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time

CHROMIUM = os.environ.get("MLPROF_CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")


class Browser:
    def __init__(self, width=1200, height=800, favoured=False):
        """favoured: in a session (so an autogroup) of its own at nice -20,
        renderer processes included, for timing a page on a shared
        machine (other sessions' load would otherwise be timed too)."""
        self.profile = tempfile.mkdtemp(prefix="mlprof-chromium-")
        to_r, to_w = os.pipe()    # we write, the browser reads (its fd 3)
        from_r, from_w = os.pipe()  # the browser writes (its fd 4), we read

        def fds():
            # Through fresh copies: dup2 of an fd onto itself would keep
            # its close-on-exec flag.
            a, b = os.dup(to_r), os.dup(from_w)
            os.dup2(a, 3)
            os.dup2(b, 4)
            if favoured:
                os.setsid()
                os.nice(-20)
                try:
                    with open("/proc/self/autogroup", "w") as f:
                        f.write("-20")
                except OSError:
                    pass  # no autogroups: the nice value is enough

        self.proc = subprocess.Popen(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--no-default-browser-check", "--disable-extensions", "--disable-sync",
             "--disable-background-networking", "--disable-component-update",
             "--user-data-dir=" + self.profile, "--remote-debugging-pipe",
             "--window-size=%d,%d" % (width, height), "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, preexec_fn=fds,
            close_fds=False)
        os.close(to_r)
        os.close(from_w)
        self.w = to_w
        self.r = from_r
        self.next_id = 0
        self.replies = {}
        self.events = []
        self.cond = threading.Condition()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        self.session = None
        self.width, self.height = width, height

    def _read(self):
        buf = b""
        while True:
            try:
                chunk = os.read(self.r, 1 << 20)
            except OSError:
                chunk = b""
            if not chunk:
                break
            buf += chunk
            while b"\0" in buf:
                msg, buf = buf.split(b"\0", 1)
                m = json.loads(msg)
                with self.cond:
                    if "id" in m:
                        self.replies[m["id"]] = m
                    else:
                        self.events.append(m)
                    self.cond.notify_all()
        with self.cond:
            self.replies[-1] = {"closed": True}
            self.cond.notify_all()

    def call(self, method, params=None, session=True, timeout=120):
        """One command; its result, or AssertionError with the error. The
        generous timeout: chromium can take several seconds on a busy
        2-CPU machine."""
        self.next_id += 1
        mid = self.next_id
        msg = {"id": mid, "method": method, "params": params or {}}
        if session and self.session:
            msg["sessionId"] = self.session
        data = json.dumps(msg).encode() + b"\0"
        while data:
            data = data[os.write(self.w, data):]
        deadline = time.monotonic() + timeout
        with self.cond:
            while mid not in self.replies:
                if -1 in self.replies:
                    raise AssertionError("chromium closed the pipe")
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError("no reply to %s in %d s" % (method, timeout))
                self.cond.wait(left)
            m = self.replies.pop(mid)
        if "error" in m:
            raise AssertionError("%s: %s" % (method, m["error"]))
        return m.get("result", {})

    def open(self, url, timeout=120):
        """A new tab with the domains enabled, then url; waits until the
        page says window.mlprof.ready."""
        tid = self.call("Target.createTarget", {"url": "about:blank"}, session=False)["targetId"]
        self.session = self.call("Target.attachToTarget", {"targetId": tid, "flatten": True},
                                 session=False)["sessionId"]
        for d in ("Runtime", "Log", "Network", "Page"):
            self.call(d + ".enable")
        self.call("Emulation.setDeviceMetricsOverride",
                  {"width": self.width, "height": self.height, "deviceScaleFactor": 1,
                   "mobile": False})
        with self.cond:
            self.events.clear()
        self.call("Page.navigate", {"url": url})
        self.wait("window.mlprof && window.mlprof.ready", timeout)

    def eval(self, expr):
        r = self.call("Runtime.evaluate", {"expression": expr, "returnByValue": True,
                                           "awaitPromise": True})
        if "exceptionDetails" in r:
            raise AssertionError("%s: %s" % (expr, r["exceptionDetails"]))
        return r["result"].get("value")

    def wait(self, expr, timeout=120):
        deadline = time.monotonic() + timeout
        while not self.eval("!!(%s)" % expr):
            if time.monotonic() > deadline:
                raise AssertionError("page never got %s; errors: %s" % (expr, self.errors()))
            time.sleep(0.05)

    def errors(self):
        """Console errors, uncaught exceptions and log errors."""
        out = []
        with self.cond:
            evs = list(self.events)
        for e in evs:
            p = e.get("params", {})
            if e["method"] == "Runtime.exceptionThrown":
                out.append(json.dumps(p.get("exceptionDetails", {}))[:500])
            elif e["method"] == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
                out.append(json.dumps(p.get("args", []))[:500])
            elif e["method"] == "Log.entryAdded" and p["entry"].get("level") == "error":
                out.append(p["entry"].get("text", "")[:500])
        return out

    def requests(self):
        """URLs of every request the page made (its own file included)."""
        with self.cond:
            return [e["params"]["request"]["url"] for e in self.events
                    if e["method"] == "Network.requestWillBeSent"]

    def screenshot(self, path):
        import base64
        data = self.call("Page.captureScreenshot", {"format": "png"})["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))

    def close(self):
        try:
            self.call("Browser.close", session=False, timeout=10)
        except AssertionError:
            pass
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self.w)
        # The reader ends at the browser's EOF; closed under it, its next
        # read would take whatever file got the number next (a later
        # subprocess's pipe). A reader still waiting (a browser helper
        # holding the pipe) keeps the descriptor: left open, not reused.
        self.reader.join(timeout=10)
        if not self.reader.is_alive():
            os.close(self.r)
        shutil.rmtree(self.profile, ignore_errors=True)

"""Resource limits for the sandbox child, and a monitor that samples its usage.

ResourceMonitor polls /proc/PID/stat and /proc/PID/status of the child from
a thread of the parent while the child runs (peak RSS, CPU time).
"""

import os
import threading
from dataclasses import dataclass

_CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


@dataclass
class ResourceLimits:
    memory_limit: int = 256 * 1024 * 1024  # bytes of address space (RLIMIT_AS)
    cpu_timeout: float = 30.0  # seconds
    file_size_limit: int = 10 * 1024 * 1024
    temp_dir_limit: int = 50 * 1024 * 1024


def parse_size(text):
    """'100MB' -> 104857600."""
    text = text.strip().upper()
    for suffix, factor in (("KB", 1 << 10), ("MB", 1 << 20), ("GB", 1 << 30)):
        if text.endswith(suffix):
            return int(float(text[: -len(suffix)]) * factor)
    return int(text)


class ResourceMonitor:
    def __init__(self, interval=0.02):
        self.interval = interval
        self.limits = ResourceLimits()
        self._usage = {"memory": 0, "cpu": 0.0, "cpu_seconds": 0.0, "samples": 0}
        self._stop = threading.Event()

    def set_limits(self, limits):
        self.limits = limits

    def start_monitoring(self, pid):
        """Sample the process until it exits or stop_monitoring() is called."""
        self._stop.clear()
        while not self._stop.is_set():
            if not self._sample(pid):
                break
            self._stop.wait(self.interval)

    def stop_monitoring(self):
        self._stop.set()

    def get_usage(self):
        return dict(self._usage)

    def _sample(self, pid):
        try:
            with open(f"/proc/{pid}/stat", "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()
            with open(f"/proc/{pid}/status", "rb") as f:
                status = f.read()
        except OSError:
            return False
        if fields[0] == b"Z":
            return False
        cpu_seconds = (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS
        for line in status.splitlines():
            if line.startswith(b"VmHWM:"):
                self._usage["memory"] = max(self._usage["memory"], int(line.split()[1]) * 1024)
        self._usage["cpu_seconds"] = cpu_seconds
        self._usage["samples"] += 1
        return True

"""ML `time` module: clocks for ML programs (import time; time.perf_counter())."""

import time as _py_time

from mlpy.stdlib.decorators import ml_function, ml_module


@ml_module(name="time", description="Clocks and timing", capabilities=["time.read"])
class Time:
    @ml_function(description="High-resolution monotonic clock, in seconds",
                 capabilities=["time.read"])
    def perf_counter(self):
        return _py_time.perf_counter()

    @ml_function(description="Wall-clock time, in seconds since the epoch",
                 capabilities=["time.read"])
    def now(self):
        return _py_time.time()

    @ml_function(description="CPU time of this process, in seconds", capabilities=["time.read"])
    def process_time(self):
        return _py_time.process_time()


time = Time()

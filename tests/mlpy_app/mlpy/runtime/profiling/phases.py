"""CPU and wall time per toolchain phase (parsing, security, transpilation, ...).

Phases nest: time spent in an inner phase (parsing an imported module while
generating code) is charged to the inner phase only.  `mlpy run --phase-times`
(or MLPY_PHASE_TIMES=1) prints the totals to stderr.
"""

import time
from contextlib import contextmanager

_totals = {}  # name -> [cpu seconds, wall seconds]
_stack = []  # [name, cpu start, wall start, child cpu, child wall]


def reset_phases():
    _totals.clear()


@contextmanager
def phase(name):
    frame = [name, time.process_time(), time.perf_counter(), 0.0, 0.0]
    _stack.append(frame)
    try:
        yield
    finally:
        _stack.pop()
        cpu = time.process_time() - frame[1]
        wall = time.perf_counter() - frame[2]
        total = _totals.setdefault(name, [0.0, 0.0])
        total[0] += cpu - frame[3]
        total[1] += wall - frame[4]
        if _stack:
            _stack[-1][3] += cpu
            _stack[-1][4] += wall


def phase_report():
    parts = [f"{name}={cpu * 1e3:.1f}ms(wall {wall * 1e3:.1f}ms)" for name, (cpu, wall) in _totals.items()]
    return "mlpy phases (cpu): " + " ".join(parts)

"""Generated Python code from mlpy ML transpiler."""

# This code was automatically generated from ML source
# Modifications to this file may be lost on regeneration

# ============================================================================
# Runtime Whitelist Enforcement
# ============================================================================
from mlpy.runtime.whitelist_validator import safe_call as _safe_call

from mlpy.stdlib.builtin import builtin

from mlpy.stdlib.runtime_helpers import safe_attr_access as _safe_attr_access, safe_method_call as _safe_method_call, get_safe_length

from mlpy.stdlib.time_bridge import time as ml_time

def make_config():
    config = {'name': 'hotspots', 'rounds': 10, 'iterations_a': 455000, 'iterations_b': 195000, 'seed_a': 12345, 'seed_b': 67890, 'modulus': 2147483648, 'multiplier': 1103515245, 'increment': 12345}
    return config

def check_positive(label, value):
    if (value <= 0):
        _safe_call(builtin.print, (str((str('configuration error: ') + str(label))) + str(' must be positive')))
        return False
    return True

def validate_config(config):
    ok = True
    ok = (_safe_call(check_positive, 'rounds', _safe_attr_access(config, 'rounds')) and ok)
    ok = (_safe_call(check_positive, 'iterations_a', _safe_attr_access(config, 'iterations_a')) and ok)
    ok = (_safe_call(check_positive, 'iterations_b', _safe_attr_access(config, 'iterations_b')) and ok)
    ok = (_safe_call(check_positive, 'modulus', _safe_attr_access(config, 'modulus')) and ok)
    if (_safe_attr_access(config, 'seed_a') == _safe_attr_access(config, 'seed_b')):
        _safe_call(builtin.print, 'configuration warning: identical seeds')
    return ok

def hot_a(n, seed):
    acc = seed
    total = 0
    i = 0
    while (i < n):
        acc = (((acc * 1103515245) + 12345) % 2147483648)
        x = (acc % 1000)
        if (x < 500):
            total = (total + x)
        else:
            total = (total - (x // 3))
        i = (i + 1)
    return total

def hot_b(n, seed):
    acc = seed
    total = 0
    i = 0
    while (i < n):
        acc = (((acc * 1103515245) + 12345) % 2147483648)
        y = (acc % 997)
        if (y > 400):
            total = (total + y)
        else:
            total = (total - (y // 5))
        i = (i + 1)
    return total

def sum_of(values):
    s = 0
    for v in values:
        s = (s + v)
    return s

def mean_of(values):
    if (_safe_call(builtin.len, values) == 0):
        return 0
    return (_safe_call(sum_of, values) / _safe_call(builtin.len, values))

def max_of(values):
    best = values[0]
    for v in values:
        if (v > best):
            best = v
    return best

def min_of(values):
    best = values[0]
    for v in values:
        if (v < best):
            best = v
    return best

def spread(values):
    m = _safe_call(mean_of, values)
    acc = 0
    for v in values:
        acc = (acc + ((v - m) * (v - m)))
    return ((acc / (_safe_call(builtin.len, values) - 1)) if (_safe_call(builtin.len, values) > 1) else 0)

def percent(part, whole):
    if (whole == 0):
        return 0
    return _safe_call(builtin.round, ((100 * part) / whole), 1)

def describe(label, values):
    return ((str(((str(((str(((str(((str(label) + str(': n=')) + _safe_call(builtin.str, _safe_call(builtin.len, values)))) + str(' mean=')) + _safe_call(builtin.str, _safe_call(builtin.round, _safe_call(mean_of, values), 4)))) + str(' min=')) + _safe_call(builtin.str, _safe_call(builtin.round, _safe_call(min_of, values), 4)))) + str(' max=')) + _safe_call(builtin.str, _safe_call(builtin.round, _safe_call(max_of, values), 4)))) + str(' var=')) + _safe_call(builtin.str, _safe_call(builtin.round, _safe_call(spread, values), 8)))

def checksum(values):
    h = 17
    for v in values:
        h = (((h * 31) + v) % 1000000007)
    return h

def run_rounds(config):
    times_a = []
    times_b = []
    results = []
    r = 0
    while (r < _safe_attr_access(config, 'rounds')):
        t0 = _safe_call(ml_time.perf_counter)
        ra = _safe_call(hot_a, _safe_attr_access(config, 'iterations_a'), (_safe_attr_access(config, 'seed_a') + r))
        t1 = _safe_call(ml_time.perf_counter)
        rb = _safe_call(hot_b, _safe_attr_access(config, 'iterations_b'), (_safe_attr_access(config, 'seed_b') + r))
        t2 = _safe_call(ml_time.perf_counter)
        _safe_call(builtin.append, times_a, (t1 - t0))
        _safe_call(builtin.append, times_b, (t2 - t1))
        _safe_call(builtin.append, results, ra)
        _safe_call(builtin.append, results, rb)
        r = (r + 1)
    return {'a': times_a, 'b': times_b, 'results': results}

def report(config, outcome):
    total_a = _safe_call(sum_of, _safe_attr_access(outcome, 'a'))
    total_b = _safe_call(sum_of, _safe_attr_access(outcome, 'b'))
    _safe_call(builtin.print, (str(((str((str('program ') + str(_safe_attr_access(config, 'name')))) + str(': ')) + _safe_call(builtin.str, _safe_attr_access(config, 'rounds')))) + str(' rounds')))
    _safe_call(builtin.print, _safe_call(describe, 'hot_a seconds', _safe_attr_access(outcome, 'a')))
    _safe_call(builtin.print, _safe_call(describe, 'hot_b seconds', _safe_attr_access(outcome, 'b')))
    _safe_call(builtin.print, (str((str('share hot_a=') + str(_safe_call(builtin.str, _safe_call(percent, total_a, (total_a + total_b)))))) + str('%')))
    _safe_call(builtin.print, (str('checksum ') + str(_safe_call(builtin.str, _safe_call(checksum, _safe_attr_access(outcome, 'results'))))))
    _safe_call(builtin.print, ((str((str('MLPY_SPLIT hot_a=') + str(_safe_call(builtin.str, _safe_call(builtin.round, total_a, 6))))) + str(' hot_b=')) + _safe_call(builtin.str, _safe_call(builtin.round, total_b, 6))))

config = _safe_call(make_config)
if _safe_call(validate_config, config):
    outcome = _safe_call(run_rounds, config)
    _safe_call(report, config, outcome)
else:
    _safe_call(builtin.exit, 2)

# End of generated code

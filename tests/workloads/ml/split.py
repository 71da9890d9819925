"""Generated Python code from mlpy ML transpiler."""

# This code was automatically generated from ML source
# Modifications to this file may be lost on regeneration

# ============================================================================
# Runtime Whitelist Enforcement
# ============================================================================
from mlpy.runtime.whitelist_validator import safe_call as _safe_call

from mlpy.stdlib.builtin import builtin

def loop_a(n):
    i = 0
    acc = 0
    while (i < n):
        acc = (((((acc * 31) + (i * 7)) + ((acc % 13) * (i % 11))) + 17) % 1000003)
        i = (i + 1)
    return acc

def loop_b(n):
    i = 0
    acc = 0
    while (i < n):
        acc = (((((acc * 31) + (i * 7)) + ((acc % 13) * (i % 11))) + 17) % 1000003)
        i = (i + 1)
    return acc

def run_all(rounds, chunk):
    r = 0
    a = 0
    b = 0
    while (r < rounds):
        a = (a + loop_a((chunk * 2)))
        b = (b + loop_b(chunk))
        r = (r + 1)
    _safe_call(builtin.print, (str((str((str('MLPY_SPLIT loop_a=') + str(_safe_call(builtin.str, (200.0 / 3.0))))) + str(' loop_b='))) + str(_safe_call(builtin.str, (100.0 / 3.0)))))
    return (a + b)

run_all(20, 400000)

# End of generated code
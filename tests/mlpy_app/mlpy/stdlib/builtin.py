"""Builtin ML functions, available without import (print, len, range, ...).

The code generator turns an ML call such as print(x) into
_safe_call(builtin.print, x).
"""

from mlpy.stdlib.decorators import ml_function, ml_module


def _ml_str(value):
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    if isinstance(value, list):
        return "[" + ", ".join(_ml_str(v) for v in value) + "]"
    return str(value)


@ml_module(name="builtin", description="Core builtin functions", capabilities=[])
class Builtin:
    @ml_function(description="Print values separated by spaces")
    def print(self, *values):
        print(*(_ml_str(v) for v in values))

    @ml_function(description="Convert a value to its ML string form")
    def str(self, value):
        return _ml_str(value)

    @ml_function(description="Convert to integer (0 on failure)")
    def int(self, value):
        try:
            return int(float(value)) if isinstance(value, str) else int(value)
        except (TypeError, ValueError):
            return 0

    @ml_function(description="Convert to float (0.0 on failure)")
    def float(self, value):
        try:
            return float(value)
        except (TypeError, ValueError):
            return 0.0

    @ml_function(description="Length of a string, array or object")
    def len(self, value):
        try:
            return len(value)
        except TypeError:
            return 0

    @ml_function(description="Array of numbers: range(stop), range(start, stop[, step])")
    def range(self, *args):
        return range(*args)

    @ml_function(description="Absolute value")
    def abs(self, x):
        return abs(x)

    @ml_function(description="Smallest argument")
    def min(self, *values):
        return min(values[0]) if len(values) == 1 else min(values)

    @ml_function(description="Largest argument")
    def max(self, *values):
        return max(values[0]) if len(values) == 1 else max(values)

    @ml_function(description="Round to a number of decimals")
    def round(self, x, digits=0):
        return round(x, digits) if digits else round(x)

    @ml_function(description="Append a value to an array and return the array")
    def append(self, array, value):
        array.append(value)
        return array

    @ml_function(description="Type name of a value")
    def typeof(self, value):
        if isinstance(value, bool):
            return "boolean"
        if isinstance(value, (int, float)):
            return "number"
        if isinstance(value, str):
            return "string"
        if isinstance(value, list):
            return "array"
        if isinstance(value, dict):
            return "object"
        return "function" if callable(value) else "null" if value is None else "unknown"

    @ml_function(description="Stop the program with an exit status")
    def exit(self, status=0):
        raise SystemExit(status)


builtin = Builtin()

# ML names that resolve to builtin.<name>
BUILTIN_NAMES = frozenset(builtin._ml_module_metadata.functions)

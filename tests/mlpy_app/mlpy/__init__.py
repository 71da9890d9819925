"""mlpy test application: a security-first ML language transpiled to Python.

A small, dependency-free stand-in for the real mlpy (github.com/duns-scotus/mlpy)
with the same module layout and the same process shape (CLI parent + sandbox
child), used to test the mlprof profiler.
"""

__version__ = "2.0.0-mlprof-test"

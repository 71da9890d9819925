"""Subprocess sandbox that runs transpiled ML code.

The names below are loaded lazily: the sandbox child imports
mlpy.runtime.sandbox.context_serializer and should not pay for the parent-side
machinery (subprocess, tempfile, threads) in its start-up time.
"""

_EXPORTS = ("MLSandbox", "SandboxConfig", "SandboxError", "SandboxResult", "SandboxTimeoutError")
__all__ = list(_EXPORTS)


def __getattr__(name):
    if name in _EXPORTS:
        from . import sandbox

        return getattr(sandbox, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

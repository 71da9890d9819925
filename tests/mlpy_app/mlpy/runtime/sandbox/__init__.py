"""Subprocess sandbox that runs transpiled ML code."""

from .sandbox import MLSandbox, SandboxConfig, SandboxError, SandboxResult, SandboxTimeoutError

__all__ = ["MLSandbox", "SandboxConfig", "SandboxError", "SandboxResult", "SandboxTimeoutError"]

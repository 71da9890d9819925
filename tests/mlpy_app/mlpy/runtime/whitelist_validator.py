"""Runtime whitelist: every call in generated ML code goes through safe_call.

Allowed callees: @ml_function bridge functions (after a capability check),
functions defined in ML code (module __main__ in the sandbox, or a module
transpiled from ML), and methods of safe built-in types.  Anything else, such
as Python's eval or open, raises SecurityError.
"""

import sys

from .capabilities.context import get_current_context, set_current_context

GENERATED_MARKER = "Generated Python code from mlpy ML transpiler."
_SAFE_BUILTIN_TYPES = (str, list, dict, int, float, bool, tuple)
_ml_modules = {"__main__"}  # module names known to hold transpiled ML code


class SecurityError(Exception):
    """A call to a function outside the whitelist."""


class CapabilityError(Exception):
    """A whitelisted function needs a capability the program was not granted."""


def get_current_capability_context():
    return get_current_context()


def set_capability_context(context):
    set_current_context(context)


def check_capabilities(required):
    if not required:
        return
    context = get_current_capability_context()
    if context is None:
        raise CapabilityError(f"capabilities {required} required but no capability context is active")
    missing = [cap for cap in required if not context.has_capability(cap)]
    if missing:
        granted = sorted(context.get_all_capabilities())
        raise CapabilityError(f"missing capabilities {missing} (granted: {granted})")


def _is_ml_module(module_name):
    if module_name in _ml_modules:
        return True
    module = sys.modules.get(module_name)
    if module is not None and getattr(module, "__doc__", None) == GENERATED_MARKER:
        _ml_modules.add(module_name)
        return True
    return False


def safe_call(func, *args, **kwargs):
    """Validate func against the whitelist, then call it."""
    if not callable(func):
        raise TypeError(f"cannot call object of type '{type(func).__name__}'")
    metadata = getattr(func, "_ml_function_metadata", None)
    if metadata is not None:
        check_capabilities(metadata.capabilities)
        return func(*args, **kwargs)
    module_name = getattr(func, "__module__", None)
    if module_name is None or _is_ml_module(module_name):
        return func(*args, **kwargs)
    owner = getattr(func, "__self__", None)
    if owner is not None and type(owner) in _SAFE_BUILTIN_TYPES:
        return func(*args, **kwargs)
    name = getattr(func, "__name__", "<unknown>")
    raise SecurityError(f"cannot call '{name}' from module '{module_name}': not whitelisted for ML")


__all__ = ["safe_call", "SecurityError", "CapabilityError", "check_capabilities",
           "get_current_capability_context", "set_capability_context"]

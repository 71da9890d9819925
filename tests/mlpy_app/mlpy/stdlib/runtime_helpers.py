"""Runtime helpers imported by generated code for member access.

`obj.name` in ML (when obj is not a module) becomes
_safe_attr_access(obj, "name"); the check itself lives in
mlpy.ml.codegen.safe_attribute_registry.
"""

from mlpy.ml.codegen.safe_attribute_registry import SecurityError, get_safe_registry


def is_ml_object(obj):
    """ML objects ({a: 1}) are dicts with string keys."""
    return isinstance(obj, dict)


def safe_attr_access(obj, attr_name):
    if is_ml_object(obj) and not attr_name.startswith("_"):
        return obj.get(attr_name)
    return get_safe_registry().safe_attr_access(obj, attr_name)


def safe_method_call(obj, method_name, *args):
    method = safe_attr_access(obj, method_name)
    if not callable(method):
        raise TypeError(f"'{method_name}' is not callable")
    return method(*args)


def get_safe_length(obj):
    return len(obj)


__all__ = ["safe_attr_access", "safe_method_call", "get_safe_length", "SecurityError"]

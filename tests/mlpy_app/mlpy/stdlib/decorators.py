"""@ml_module / @ml_function: metadata that marks Python code as callable from ML.

safe_call() in mlpy.runtime.whitelist_validator only lets ML code call
functions that carry _ml_function_metadata (plus user-defined ML functions),
and checks the capabilities listed in that metadata.
"""

from functools import wraps

_MODULE_REGISTRY = {}


class FunctionMetadata:
    def __init__(self, name, description, capabilities=None):
        self.name = name
        self.description = description
        self.capabilities = list(capabilities or [])


class ModuleMetadata:
    def __init__(self, name, description, capabilities=None, version="1.0.0"):
        self.name = name
        self.description = description
        self.capabilities = list(capabilities or [])
        self.version = version
        self.functions = {}


def ml_function(description, capabilities=None):
    """Mark a bridge method as an ML-callable function."""

    def decorator(func):
        metadata = FunctionMetadata(func.__name__, description, capabilities)

        @wraps(func)
        def wrapper(*args, **kwargs):
            return func(*args, **kwargs)

        wrapper._ml_function_metadata = metadata
        return wrapper

    return decorator


def ml_module(name, description, capabilities=None, version="1.0.0"):
    """Mark a class as an ML module and register it."""

    def decorator(cls):
        metadata = ModuleMetadata(name, description, capabilities, version)
        for attr_name in dir(cls):
            attr = getattr(cls, attr_name)
            if not attr_name.startswith("_") and hasattr(attr, "_ml_function_metadata"):
                metadata.functions[attr_name] = attr._ml_function_metadata
        cls._ml_module_metadata = metadata
        _MODULE_REGISTRY[name] = cls
        return cls

    return decorator


def get_module_metadata(name):
    cls = _MODULE_REGISTRY.get(name)
    return cls._ml_module_metadata if cls is not None else None

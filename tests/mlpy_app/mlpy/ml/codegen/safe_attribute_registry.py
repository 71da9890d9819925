"""Whitelist of attributes ML code may touch on Python objects.

Generated code reaches attributes only through safe_attr_access (see
mlpy/stdlib/runtime_helpers.py), which asks this registry first.
Everything not listed is denied; dunder and private names always are.
"""

from types import ModuleType


class SecurityError(Exception):
    """Raised when ML code tries to reach a forbidden attribute."""


class AttributeAccessType:
    METHOD = "method"
    PROPERTY = "property"


class SafeAttribute:
    __slots__ = ("name", "access_type", "description", "getter")

    def __init__(self, name, access_type, description="", getter=None):
        self.name = name
        self.access_type = access_type
        self.description = description
        self.getter = getter  # computes a virtual property such as .length


DANGEROUS_ATTRIBUTES = frozenset({
    "__class__", "__dict__", "__globals__", "__bases__", "__mro__", "__subclasses__", "__code__",
    "__closure__", "__defaults__", "__kwdefaults__", "__builtins__", "__import__", "__getattribute__",
    "__reduce__", "__reduce_ex__", "__module__", "__self__", "__func__", "gi_frame", "f_globals",
    "f_locals", "f_back", "tb_frame", "co_code", "func_globals",
})

_SAFE_METHODS = {
    str: ("upper", "lower", "strip", "lstrip", "rstrip", "split", "replace", "find", "startswith",
          "endswith", "join", "count", "index", "isdigit", "isalpha", "title", "capitalize"),
    list: ("append", "extend", "insert", "remove", "pop", "index", "count", "sort", "reverse",
           "clear", "copy"),
    dict: ("get", "keys", "values", "items", "pop", "update", "clear", "setdefault", "copy"),
    tuple: ("index", "count"),
}


class SafeAttributeRegistry:
    def __init__(self):
        self._safe_attributes = {}
        self._custom_classes = {}
        self._dangerous_patterns = DANGEROUS_ATTRIBUTES
        for typ, names in _SAFE_METHODS.items():
            table = {n: SafeAttribute(n, AttributeAccessType.METHOD, f"{typ.__name__}.{n}")
                     for n in names if hasattr(typ, n)}
            table["length"] = SafeAttribute("length", AttributeAccessType.PROPERTY,
                                            "number of elements", getter=len)
            self._safe_attributes[typ] = table

    def register_custom_class(self, class_name, attributes):
        self._custom_classes[class_name] = dict(attributes)

    def get_attribute_info(self, obj_type, attr_name):
        table = self._safe_attributes.get(obj_type)
        if table is None:
            table = self._custom_classes.get(obj_type.__name__)
        return table.get(attr_name) if table else None

    def is_safe_access(self, obj_type, attr_name):
        if attr_name.startswith("_") or attr_name in self._dangerous_patterns:
            return False
        if issubclass(obj_type, ModuleType):
            return True  # ML modules and bridges: attributes checked again by safe_call
        meta = getattr(obj_type, "_ml_module_metadata", None)
        if meta is not None:
            return attr_name in meta.functions or not callable(getattr(obj_type, attr_name, None))
        return self.get_attribute_info(obj_type, attr_name) is not None

    def safe_attr_access(self, obj, attr_name):
        obj_type = type(obj)
        if not self.is_safe_access(obj_type, attr_name):
            if attr_name.startswith("__"):
                raise SecurityError(f"access to dangerous attribute '{attr_name}' is forbidden")
            raise AttributeError(f"'{obj_type.__name__}' has no accessible attribute '{attr_name}'")
        info = self.get_attribute_info(obj_type, attr_name)
        if info is not None and info.getter is not None:
            return info.getter(obj)
        return getattr(obj, attr_name)


_registry = None


def get_safe_registry():
    global _registry
    if _registry is None:
        _registry = SafeAttributeRegistry()
    return _registry


def safe_attr_access(obj, attr_name):
    """Module-level entry point (same check as SafeAttributeRegistry.safe_attr_access)."""
    return get_safe_registry().safe_attr_access(obj, attr_name)

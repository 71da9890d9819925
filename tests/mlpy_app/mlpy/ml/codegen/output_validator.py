"""Defense in depth: check the generated Python before anyone runs it.

The generated module is parsed back into a Python AST and walked; it must
only call through the runtime guards (_safe_call, _safe_method_call,
_safe_attr_access) or a few pure helpers, never name dunders, only read
attributes of the runtime/bridge modules and imported ML modules, and only
import what the code generator itself emits.  Finally it is compiled, so a
code-generation bug surfaces here rather than in the sandbox.
"""

import ast as pyast

from mlpy.ml.errors.exceptions import MLCodeGenError

ALLOWED_CALLEES = {"_safe_call", "_safe_method_call", "_safe_attr_access", "str", "MLUserException"}
ALLOWED_IMPORT_PREFIXES = ("mlpy.runtime.", "mlpy.stdlib.", "mlpy.ml.errors.")
ALLOWED_PLAIN_IMPORTS = {"sys"}
ALLOWED_DUNDERS = {"__name__"}


class GeneratedCodeValidator:
    def __init__(self, module_names, filename="<generated>"):
        self.module_names = set(module_names) | {"builtin", "_sys"}
        self.filename = filename
        self.nodes_checked = 0

    def validate(self, code):
        try:
            tree = compile(code, self.filename, "exec", pyast.PyCF_ONLY_AST)
        except SyntaxError as e:
            raise MLCodeGenError(f"generated code does not parse: {e.msg}", self.filename,
                                 e.lineno, e.offset) from e
        self._walk(tree)
        return compile(tree, self.filename, "exec")

    def _walk(self, root):
        stack = [root]
        while stack:
            node = stack.pop()
            self.nodes_checked += 1
            check = getattr(self, "_check_" + type(node).__name__, None)
            if check is not None:
                check(node)
            for field in node._fields:
                value = getattr(node, field, None)
                if isinstance(value, pyast.AST):
                    stack.append(value)
                elif isinstance(value, list):
                    stack.extend(v for v in value if isinstance(v, pyast.AST))

    def _fail(self, node, message):
        raise MLCodeGenError(f"generated code violates sandbox rules: {message}", self.filename,
                             getattr(node, "lineno", None))

    def _check_Call(self, node):
        func = node.func
        if isinstance(func, pyast.Name) and func.id in ALLOWED_CALLEES:
            return
        if (isinstance(func, pyast.Attribute) and isinstance(func.value, pyast.Name)
                and func.value.id == "_sys" and func.attr == "insert"):
            return
        if isinstance(func, pyast.Attribute) and isinstance(func.value, pyast.Attribute):
            if func.value.attr == "path" and getattr(func.value.value, "id", None) == "_sys":
                return  # _sys.path.insert(...) from the module path setup
        self._fail(node, f"unguarded call of {pyast.dump(func)[:60]}")

    def _check_Name(self, node):
        if node.id.startswith("__") and node.id not in ALLOWED_DUNDERS:
            self._fail(node, f"dunder name {node.id}")

    def _check_Attribute(self, node):
        if node.attr.startswith("_"):
            self._fail(node, f"private attribute .{node.attr}")
        base = node.value
        if isinstance(base, pyast.Attribute) and getattr(base.value, "id", None) == "_sys":
            return
        if not (isinstance(base, pyast.Name) and base.id in self.module_names):
            self._fail(node, f"attribute .{node.attr} read outside the runtime guards")

    def _check_Import(self, node):
        for alias in node.names:
            if alias.name not in ALLOWED_PLAIN_IMPORTS and alias.name.split(".")[0] not in self.module_names:
                self._fail(node, f"import of {alias.name}")

    def _check_ImportFrom(self, node):
        if not (node.module or "").startswith(ALLOWED_IMPORT_PREFIXES):
            self._fail(node, f"import from {node.module}")

    def _check_Global(self, node):
        self._fail(node, "global statement")

    def _check_Nonlocal(self, node):
        self._fail(node, "nonlocal statement")

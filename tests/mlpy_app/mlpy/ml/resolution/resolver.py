"""Module resolution for the code generator.

Like real mlpy's module registry, the resolver discovers the stdlib bridges
by reading mlpy/stdlib/*_bridge.py (and builtin.py) as source, without
importing them: it parses each file and looks for the @ml_module class, its
@ml_function methods (arity, capabilities) and the module-level instance.
The index is built lazily, once per process.  ML modules are looked up as
NAME.ml in the import paths and beside the program.
"""

import ast as pyast
from pathlib import Path

STDLIB_DIR = Path(__file__).resolve().parents[2] / "stdlib"


class FunctionSignature:
    __slots__ = ("name", "min_args", "max_args", "capabilities", "description")

    def __init__(self, name, min_args, max_args, capabilities, description):
        self.name = name
        self.min_args = min_args
        self.max_args = max_args  # None: variadic
        self.capabilities = capabilities
        self.description = description

    def accepts(self, count):
        return count >= self.min_args and (self.max_args is None or count <= self.max_args)

    def describe(self):
        if self.max_args is None:
            return f"at least {self.min_args}"
        if self.min_args == self.max_args:
            return str(self.min_args)
        return f"{self.min_args} to {self.max_args}"


class BridgeInfo:
    def __init__(self, name, python_module, file_path, instance, capabilities, functions):
        self.name = name
        self.python_module = python_module  # e.g. mlpy.stdlib.time_bridge
        self.file_path = file_path
        self.instance = instance  # name of the module-level instance, e.g. time
        self.capabilities = capabilities
        self.functions = functions  # name -> FunctionSignature


def _literal(node):
    """Value of a constant / list-of-constants AST node, else None."""
    if isinstance(node, pyast.Constant):
        return node.value
    if isinstance(node, (pyast.List, pyast.Tuple)):
        values = [_literal(item) for item in node.elts]
        return values if all(v is not None for v in values) else None
    return None


def _decorator_call(node, name):
    for decorator in node.decorator_list:
        if (isinstance(decorator, pyast.Call) and isinstance(decorator.func, pyast.Name)
                and decorator.func.id == name):
            return decorator
    return None


def _keywords(call):
    return {kw.arg: _literal(kw.value) for kw in call.keywords if kw.arg}


def _signature(method, meta):
    args = method.args
    positional = [a.arg for a in args.posonlyargs + args.args][1:]  # drop self
    defaults = len(args.defaults)
    max_args = None if args.vararg is not None else len(positional)
    return FunctionSignature(method.name, len(positional) - defaults, max_args,
                             meta.get("capabilities") or [], meta.get("description") or "")


def _walk(tree):
    """Every node of a Python AST (explicit stack, no recursion)."""
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        for field in node._fields:
            value = getattr(node, field, None)
            if isinstance(value, pyast.AST):
                stack.append(value)
            elif isinstance(value, list):
                stack.extend(v for v in value if isinstance(v, pyast.AST))


def scan_bridge_file(path):
    """Parse one bridge source file into a BridgeInfo (None if it defines no ML module)."""
    source = path.read_text(encoding="utf-8")
    tree = compile(source, str(path), "exec", pyast.PyCF_ONLY_AST)
    module_class, module_meta, functions, instance = None, None, {}, None
    for node in _walk(tree):
        if isinstance(node, pyast.ClassDef):
            call = _decorator_call(node, "ml_module")
            if call is None:
                continue
            module_class, module_meta = node.name, _keywords(call)
            for item in node.body:
                if isinstance(item, pyast.FunctionDef):
                    fn_call = _decorator_call(item, "ml_function")
                    if fn_call is not None:
                        functions[item.name] = _signature(item, _keywords(fn_call))
    if module_class is None:
        return None
    for node in tree.body:
        if (isinstance(node, pyast.Assign) and isinstance(node.value, pyast.Call)
                and getattr(node.value.func, "id", None) == module_class):
            instance = node.targets[0].id
    name = module_meta.get("name")
    return BridgeInfo(name, f"mlpy.stdlib.{path.stem}", str(path), instance or name,
                      module_meta.get("capabilities") or [], functions)


class ModuleResolver:
    def __init__(self, stdlib_dir=STDLIB_DIR):
        self.stdlib_dir = Path(stdlib_dir)
        self._bridges = None
        self._builtin = None

    def _scan(self):
        bridges = {}
        for path in sorted(self.stdlib_dir.glob("*_bridge.py")):
            info = scan_bridge_file(path)
            if info is not None and info.name not in bridges:
                bridges[info.name] = info
        self._bridges = bridges
        self._builtin = scan_bridge_file(self.stdlib_dir / "builtin.py")

    @property
    def bridges(self):
        if self._bridges is None:
            self._scan()
        return self._bridges

    @property
    def builtin(self):
        if self._builtin is None:
            self._scan()
        return self._builtin

    def find_ml_module(self, parts, search_dirs):
        for base in search_dirs:
            candidate = Path(base).joinpath(*parts[:-1]) / f"{parts[-1]}.ml"
            if candidate.is_file():
                return candidate
        return None


_resolver = None


def get_resolver():
    global _resolver
    if _resolver is None:
        _resolver = ModuleResolver()
    return _resolver

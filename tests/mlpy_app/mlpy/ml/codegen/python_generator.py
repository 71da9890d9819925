"""Python code generator: ML AST -> Python source (+ source map).

Steps of generate():
  1. optimizer.py folds constants and drops dead code
  2. symbols, imports (resolution/resolver.py) and undefined names
  3. type_inference.py: where `+` means string concatenation
  4. a dry-run emission pass that records which runtime helpers are used,
     then the real emission pass (like real mlpy's two accept() passes)
  5. output_validator.py re-parses the Python, checks sandbox rules, compiles
Every call becomes _safe_call(callee, args...); member access on anything
but a module becomes _safe_attr_access(obj, "name").  Imported ML modules
are compiled to sibling .py files ('separate' mode).
"""

import keyword
from pathlib import Path

from mlpy.ml.errors.exceptions import MLCodeGenError
from mlpy.ml.grammar import ast_nodes as ast
from mlpy.ml.resolution import get_resolver
from mlpy.runtime.profiling import phase
from mlpy.stdlib.builtin import BUILTIN_NAMES

from .formatter import wrap_line
from .optimizer import optimize_program
from .output_validator import GeneratedCodeValidator
from .source_map_helpers import SourceMapping, build_map_file
from .type_inference import STRING, TypeInference

HEADER_RULE = "# " + "=" * 76
BINARY_OPS = {"&&": "and", "||": "or"}
# Python names the generated code relies on; ML names that collide get an ml_ prefix.
RESERVED_PYTHON_NAMES = set(keyword.kwlist) | {
    "str", "int", "float", "len", "print", "range", "list", "dict", "builtin", "lambda",
    "Exception", "True", "False", "None", "sys", "math", "time",
}


class Scope:
    def __init__(self, parent=None, names=()):
        self.parent = parent
        self.names = set(names)

    def defines(self, name):
        scope = self
        while scope is not None:
            if name in scope.names:
                return True
            scope = scope.parent
        return False


class PythonCodeGenerator(ast.ASTVisitor):
    def __init__(self, source_file=None, generate_source_maps=True, import_paths=None,
                 allow_current_dir=True, force_modules=False, security_check=None):
        self.source_file = source_file
        self.generate_source_maps = generate_source_maps
        self.import_paths = [str(p) for p in (import_paths or [])]
        self.allow_current_dir = allow_current_dir
        self.force_modules = force_modules
        self.security_check = security_check  # callable(ast, source, file) for imported modules
        self.module_py_files = {}  # module path -> generated .py
        self.module_functions = {}  # module path -> {function: parameter count}
        self.resolver = get_resolver()

    # ------------------------------------------------------------------ driver
    def generate(self, program):
        with phase("transpilation"):
            return self._generate(program)

    def _generate(self, program):
        self._reset()
        program, self.optimization_stats = optimize_program(program)
        self._analyze(program)  # symbols, imports, undefined names
        bridge_modules = {local: info.name for local, info in self.bridge_locals.items()}
        self.types = TypeInference(program, bridge_modules).run()
        for item in program.items:  # first pass: dry run, records the helpers used
            self._statement(item)
        used = self.used
        self._reset_output()
        self.used = used
        self._emit_header()
        for item in program.items:  # second pass: the real output
            self._statement(item)
        self._emit_line("")
        self._emit_line("# End of generated code")
        code = "\n".join(self.lines) + "\n"
        modules = set(self.bridges.values()) | {self._name(m) for m in self.user_modules}
        filename = str(Path(self.source_file).with_suffix(".py")) if self.source_file else "<ml>"
        GeneratedCodeValidator(modules, filename).validate(code)
        return code, self._source_map(program)

    def _reset_output(self):
        self.lines, self.mappings, self.indent = [], [], 0
        self.pending_defs = []
        self.arrow_count = 0
        self.used = set()  # runtime helpers the code needs: builtin, attr, throw

    def _reset(self):
        self._reset_output()
        self.bridges = {}  # ML name -> python name, e.g. time -> ml_time
        self.bridge_imports = {}  # ML module -> python name
        self.bridge_locals = {}  # python name -> BridgeInfo
        self.user_modules = {}  # ML name -> module path
        self.functions = {}  # name -> line, for the symbol table
        self.function_params = {}  # name -> parameter count
        self.scope = Scope()

    # ------------------------------------------------------------ first pass
    def _analyze(self, program):
        self.scope = Scope(names=self._defined_names(program.items))
        for item in program.items:
            if isinstance(item, ast.ImportStatement):
                self._resolve_import(item)
        self._check_body(program.items, self.scope)

    def _defined_names(self, body):
        names = set()
        for node in body:
            if isinstance(node, ast.FunctionDefinition):
                names.add(node.name)
                self.functions.setdefault(node.name, node.line)
                self.function_params.setdefault(node.name, len(node.params))
            elif isinstance(node, ast.Assignment):
                names.add(node.target)
            elif isinstance(node, ast.ForStatement):
                names.add(node.var)
            elif isinstance(node, ast.ImportStatement):
                names.add(node.alias or node.path[0])
            elif isinstance(node, ast.TryStatement):
                names.update(name for name, _ in node.handlers if name)
            for child_body in self._nested_bodies(node):
                names |= self._defined_names(child_body)
        return names

    @staticmethod
    def _nested_bodies(node):
        if isinstance(node, ast.IfStatement):
            yield node.body
            for _, body in node.elifs:
                yield body
            if node.else_body:
                yield node.else_body
        elif isinstance(node, (ast.WhileStatement, ast.ForStatement)):
            yield node.body
        elif isinstance(node, ast.TryStatement):
            yield node.body
            for _, body in node.handlers:
                yield body
            if node.finally_body:
                yield node.finally_body

    def _check_body(self, body, scope):
        for node in body:
            if isinstance(node, ast.FunctionDefinition):
                inner = Scope(scope, set(node.params) | self._defined_names(node.body))
                self._check_body(node.body, inner)
                continue
            for child in node.iter_children():
                self._check_expr_or_stmt(child, scope)

    def _check_expr_or_stmt(self, node, scope):
        if isinstance(node, ast.STATEMENT_TYPES):
            self._check_body([node], scope)
        elif isinstance(node, ast.ArrowFunction):
            inner = Scope(scope, node.params)
            if isinstance(node.body, list):
                inner.names |= self._defined_names(node.body)
                self._check_body(node.body, inner)
            else:
                self._check_expr_or_stmt(node.body, inner)
        elif isinstance(node, ast.Identifier):
            if not (scope.defines(node.name) or node.name in BUILTIN_NAMES):
                raise MLCodeGenError(f"undefined identifier '{node.name}'", self.source_file,
                                     node.line, node.column)
        else:
            for child in node.iter_children():
                self._check_expr_or_stmt(child, scope)

    def _resolve_import(self, node):
        dotted = ".".join(node.path)
        local = node.alias or node.path[0]
        bridge = self.resolver.bridges.get(dotted)
        if bridge is not None:
            self.bridges[local] = f"ml_{local}" if local == dotted else local
            self.bridge_imports[dotted] = self.bridges[local]
            self.bridge_locals[local] = bridge
            return
        ml_file = self.resolver.find_ml_module(node.path, self._module_search_dirs())
        if ml_file is None:
            raise MLCodeGenError(f"cannot find module '{dotted}'", self.source_file, node.line,
                                 node.column)
        self.user_modules[local] = dotted
        self._compile_module_to_file(dotted, ml_file)

    # --------------------------------------------------------- user modules
    def _module_search_dirs(self):
        dirs = list(self.import_paths)
        if self.allow_current_dir and self.source_file:
            dirs.append(str(Path(self.source_file).resolve().parent))
        return dirs

    def _compile_module_to_file(self, dotted, ml_file):
        """Transpile an imported ML module to a sibling .py (cached by mtime)."""
        from mlpy.ml.grammar.parser import MLParser

        py_file = ml_file.with_suffix(".py")
        map_file = ml_file.with_suffix(".py.map")
        fresh = py_file.exists() and py_file.stat().st_mtime >= ml_file.stat().st_mtime
        if fresh and self.generate_source_maps and not map_file.exists():
            fresh = False
        if not fresh or self.force_modules:
            source = ml_file.read_text(encoding="utf-8")
            module_ast = MLParser().parse(source, str(ml_file))
            if self.security_check is not None:
                self.security_check(module_ast, source, str(ml_file))
            generator = PythonCodeGenerator(str(ml_file), self.generate_source_maps,
                                            self.import_paths, self.allow_current_dir,
                                            self.force_modules, self.security_check)
            code, source_map = generator.generate(module_ast)
            if not self.generate_source_maps:
                source_map = None
            self.module_functions[dotted] = {
                n.name: len(n.params) for n in module_ast.items if isinstance(n, ast.FunctionDefinition)}
            py_file.write_text(code, encoding="utf-8")
            if source_map is not None:
                import json

                map_file.write_text(json.dumps(source_map, indent=2), encoding="utf-8")
        self.module_py_files[dotted] = str(py_file)

    # ------------------------------------------------------------ emission
    def _emit_line(self, text, node=None, name=None):
        first = len(self.lines) + 1
        self.lines.extend(wrap_line("    " * self.indent + text) if text else [""])
        if node is not None:
            self.mappings.append(SourceMapping(first, 4 * self.indent, node.line,
                                               max(node.column - 1, 0), name))

    def _emit_header(self):
        self._emit_line('"""Generated Python code from mlpy ML transpiler."""')
        self._emit_line("")
        self._emit_line("# This code was automatically generated from ML source")
        self._emit_line("# Modifications to this file may be lost on regeneration")
        self._emit_line("")
        self._emit_line(HEADER_RULE)
        self._emit_line("# Runtime Whitelist Enforcement")
        self._emit_line(HEADER_RULE)
        self._emit_line("from mlpy.runtime.whitelist_validator import safe_call as _safe_call")
        self._emit_line("")
        if "builtin" in self.used:
            self._emit_line("from mlpy.stdlib.builtin import builtin")
            self._emit_line("")
        if "attr" in self.used:
            self._emit_line("from mlpy.stdlib.runtime_helpers import safe_attr_access as _safe_attr_access, "
                            "safe_method_call as _safe_method_call, get_safe_length")
            self._emit_line("")
        if "throw" in self.used:
            self._emit_line("from mlpy.ml.errors.exceptions import MLUserException")
            self._emit_line("")
        for dotted, local in sorted(self.bridge_imports.items()):
            bridge = self.resolver.bridges[dotted]
            self._emit_line(f"from {bridge.python_module} import {bridge.instance} as {local}")
            self._emit_line("")
        if self.user_modules:
            dirs = self._module_search_dirs()
            self._emit_line(HEADER_RULE)
            self._emit_line("# User Module Path Setup")
            self._emit_line(HEADER_RULE)
            self._emit_line("import sys as _sys")
            for directory in dirs:
                self._emit_line(f"if {directory!r} not in _sys.path:")
                self._emit_line(f"    _sys.path.insert(0, {directory!r})")
            self._emit_line("")

    def _statement(self, node):
        getattr(self, "_stmt_" + type(node).__name__)(node)

    def _body(self, body):
        self.indent += 1
        if not body:
            self._emit_line("pass")
        for stmt in body:
            self._statement(stmt)
        self.indent -= 1

    def _emit_statement(self, text, node, name=None):
        """Emit one statement line, preceded by any hoisted arrow-function defs."""
        pending, self.pending_defs = self.pending_defs, []
        for fn_name, params, body, fn_node in pending:
            self._emit_line(f"def {fn_name}({', '.join(params)}):", fn_node, fn_name)
            self._body(body)
        self._emit_line(text, node, name)

    # statements ------------------------------------------------------------
    def _stmt_FunctionDefinition(self, node):
        params = ", ".join(self._name(p) for p in node.params)
        self._emit_statement(f"def {self._name(node.name)}({params}):", node, node.name)
        local_names = set(node.params) | self._defined_names(node.body)
        outer, self.scope = self.scope, Scope(self.scope, local_names)
        self._body(node.body)
        self.scope = outer
        self._emit_line("")

    def _stmt_ImportStatement(self, node):
        local = node.alias or node.path[0]
        dotted = ".".join(node.path)
        if local in self.user_modules:
            alias = f" as {self._name(local)}" if node.alias or "." in dotted else ""
            self._emit_statement(f"import {dotted}{alias}", node)

    def _stmt_CapabilityDeclaration(self, node):
        grants = ", ".join(f"{kind}:{target or '*'}" for kind, target in node.permissions)
        self._emit_statement(f"# capability {node.name}: resources={node.resources} allow={grants}",
                             node)

    def _stmt_Assignment(self, node):
        self._emit_statement(f"{self._name(node.target)} = {self._expr(node.value)}", node)

    def _stmt_IndexAssignment(self, node):
        self._emit_statement(
            f"{self._expr(node.obj)}[{self._expr(node.index)}] = {self._expr(node.value)}", node)

    def _stmt_MemberAssignment(self, node):
        self._emit_statement(f"{self._expr(node.obj)}[{node.name!r}] = {self._expr(node.value)}", node)

    def _stmt_ExpressionStatement(self, node):
        self._emit_statement(self._expr(node.expr), node)

    def _stmt_ReturnStatement(self, node):
        value = self._expr(node.value) if node.value is not None else "None"
        self._emit_statement(f"return {value}", node)

    def _stmt_IfStatement(self, node):
        self._emit_statement(f"if {self._expr(node.condition)}:", node)
        self._body(node.body)
        for condition, body in node.elifs:
            self._emit_line(f"elif {self._expr(condition)}:", condition)
            self._body(body)
        if node.else_body is not None:
            self._emit_line("else:")
            self._body(node.else_body)

    def _stmt_WhileStatement(self, node):
        self._emit_statement(f"while {self._expr(node.condition)}:", node)
        self._body(node.body)

    def _stmt_ForStatement(self, node):
        self._emit_statement(f"for {self._name(node.var)} in {self._expr(node.iterable)}:", node)
        self._body(node.body)

    def _stmt_TryStatement(self, node):
        self._emit_statement("try:", node)
        self._body(node.body)
        for name, body in node.handlers:
            self._emit_line(f"except Exception as {self._name(name)}:" if name else "except Exception:")
            self._body(body)
        if node.finally_body is not None or not node.handlers:
            self._emit_line("finally:")
            self._body(node.finally_body or [])

    def _stmt_ThrowStatement(self, node):
        self.used.add("throw")
        self._emit_statement(f"raise MLUserException({self._expr(node.value)})", node)

    def _stmt_BreakStatement(self, node):
        self._emit_statement("break", node)

    def _stmt_ContinueStatement(self, node):
        self._emit_statement("continue", node)

    # expressions ---------------------------------------------------------------
    def _expr(self, node):
        return getattr(self, "_expr_" + type(node).__name__)(node)

    def _name(self, name):
        if name in self.bridges:
            return self.bridges[name]
        if name in RESERVED_PYTHON_NAMES or name.startswith("_"):
            return f"ml_{name}"
        return name

    def _expr_Identifier(self, node):
        if node.name in BUILTIN_NAMES and not self.scope.defines(node.name):
            self.used.add("builtin")
            return f"builtin.{node.name}"
        return self._name(node.name)

    def _expr_NumberLiteral(self, node):
        return repr(node.value)

    def _expr_StringLiteral(self, node):
        return repr(node.value)

    def _expr_BooleanLiteral(self, node):
        return "True" if node.value else "False"

    def _expr_NullLiteral(self, node):
        return "None"

    def _expr_ArrayLiteral(self, node):
        return "[" + ", ".join(self._expr(e) for e in node.elements) + "]"

    def _expr_ObjectLiteral(self, node):
        return "{" + ", ".join(f"{k!r}: {self._expr(v)}" for k, v in node.properties) + "}"

    def _expr_BinaryOp(self, node):
        left, right = self._expr(node.left), self._expr(node.right)
        if node.op == "+":
            left_type, right_type = self.types.type_of(node.left), self.types.type_of(node.right)
            if STRING in (left_type, right_type) and left_type != right_type:
                left = left if left_type == STRING else f"str({left})"
                right = right if right_type == STRING else f"str({right})"
                return f"({left} + {right})"
        return f"({left} {BINARY_OPS.get(node.op, node.op)} {right})"

    def _expr_UnaryOp(self, node):
        operand = self._expr(node.operand)
        return f"(not {operand})" if node.op == "!" else f"(-{operand})"

    def _expr_Ternary(self, node):
        return (f"({self._expr(node.then)} if {self._expr(node.condition)} "
                f"else {self._expr(node.otherwise)})")

    def _expr_Index(self, node):
        return f"{self._expr(node.obj)}[{self._expr(node.index)}]"

    def _expr_Slice(self, node):
        start = self._expr(node.start) if node.start is not None else ""
        stop = self._expr(node.stop) if node.stop is not None else ""
        return f"{self._expr(node.obj)}[{start}:{stop}]"

    def _is_module(self, node):
        return isinstance(node, ast.Identifier) and (
            node.name in self.bridges or node.name in self.user_modules
        ) and not self._shadowed(node.name)

    def _shadowed(self, name):
        scope = self.scope
        while scope.parent is not None:  # only local scopes can shadow a module
            if name in scope.names:
                return True
            scope = scope.parent
        return False

    def _expr_Member(self, node):
        if self._is_module(node.obj):
            return f"{self._expr(node.obj)}.{node.name}"
        self.used.add("attr")
        return f"_safe_attr_access({self._expr(node.obj)}, {node.name!r})"

    def _check_arity(self, node):
        """Compile-time check of argument counts for calls whose callee is known."""
        func, count = node.func, len(node.args)
        signature, what = None, None
        if isinstance(func, ast.Identifier) and not self._shadowed(func.name):
            if func.name in self.functions and func.name in self.function_params:
                expected = self.function_params[func.name]
                if count != expected:
                    what = f"function {func.name}() takes {expected} argument(s), {count} given"
            elif func.name in BUILTIN_NAMES and not self.scope.defines(func.name):
                signature = self.resolver.builtin.functions.get(func.name)
        elif isinstance(func, ast.Member) and self._is_module(func.obj):
            bridge = self.bridge_locals.get(func.obj.name)
            if bridge is not None:
                signature = bridge.functions.get(func.name)
                if signature is None:
                    what = f"module {bridge.name} has no function '{func.name}'"
            else:
                known = self.module_functions.get(self.user_modules.get(func.obj.name), {})
                if func.name in known and known[func.name] != count:
                    what = (f"function {func.obj.name}.{func.name}() takes {known[func.name]} "
                            f"argument(s), {count} given")
        if signature is not None and not signature.accepts(count):
            what = f"{signature.name}() takes {signature.describe()} argument(s), {count} given"
        if what is not None:
            raise MLCodeGenError(what, self.source_file, node.line, node.column)

    def _expr_Call(self, node):
        self._check_arity(node)
        args = [self._expr(a) for a in node.args]
        func = node.func
        if isinstance(func, ast.Member) and not self._is_module(func.obj):
            self.used.add("attr")
            return f"_safe_method_call({', '.join([self._expr(func.obj), repr(func.name)] + args)})"
        return f"_safe_call({', '.join([self._expr(func)] + args)})"

    def _expr_ArrowFunction(self, node):
        params = [self._name(p) for p in node.params]
        if isinstance(node.body, list):
            self.arrow_count += 1
            fn_name = f"_arrow_{self.arrow_count}"
            self.pending_defs.append((fn_name, params, node.body, node))
            return fn_name
        outer, self.scope = self.scope, Scope(self.scope, set(node.params))
        body = self._expr(node.body)
        self.scope = outer
        return f"(lambda {', '.join(params)}: {body})"

    # ----------------------------------------------------------- source map
    def _source_map(self, program):
        """Map-file content (always built: the CLI also uses it for tracebacks)."""
        source_path = Path(self.source_file) if self.source_file else Path("unknown.ml")
        try:
            content = source_path.read_text(encoding="utf-8")
        except OSError:
            content = None
        return build_map_file(self.mappings, source_path.with_suffix(".py").name, source_path.name,
                              content, self._scope_information(program))

    def _scope_information(self, program):
        """Per-function debug info: parameters, locals, free names, ML and Python lines."""
        generated = {m.name: m.generated_line for m in self.mappings if m.name}
        info = {}
        for fn in ast.walk(program):
            if not isinstance(fn, ast.FunctionDefinition):
                continue
            local, used, last = set(fn.params), set(), fn.line
            for node in ast.walk(fn):
                last = max(last, node.line)
                if isinstance(node, ast.Assignment):
                    local.add(node.target)
                elif isinstance(node, ast.Identifier):
                    used.add(node.name)
            info[fn.name] = {
                "type": "function", "line": fn.line, "end_line": last, "params": list(fn.params),
                "locals": sorted(local - set(fn.params)),
                "free": sorted(used - local - BUILTIN_NAMES),
                "generated_line": generated.get(fn.name),
            }
        return info


def generate_python_code(program, source_file=None, generate_source_maps=False, **options):
    """Generate Python source (and the .py.map content when asked)."""
    return PythonCodeGenerator(source_file, generate_source_maps, **options).generate(program)

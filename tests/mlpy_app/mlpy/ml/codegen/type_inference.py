"""Static type inference for code generation.

ML's `+` concatenates when either side is a string ("n=" + 5 gives "n=5"),
while Python's raises TypeError; the generator therefore wraps operands in
str() when a string is involved.  This pass infers a coarse type for every
expression so that wrap is emitted exactly where needed: a flow-insensitive
fixpoint per function over its assignments, inside an interprocedural
fixpoint in which parameter types come from all call sites and call results
from the callee's return type.  None is the "no information yet" bottom.
"""

from mlpy.ml.grammar import ast_nodes as ast

NUMBER, STRING, BOOL, ARRAY, OBJECT, FUNCTION, NULL, UNKNOWN = (
    "number", "string", "boolean", "array", "object", "function", "null", "unknown")

BUILTIN_RESULTS = {
    "str": STRING, "typeof": STRING, "len": NUMBER, "int": NUMBER, "float": NUMBER, "abs": NUMBER,
    "round": NUMBER, "min": NUMBER, "max": NUMBER, "range": ARRAY, "append": ARRAY, "print": NULL,
}
NUMERIC_BRIDGES = {"math", "time"}  # every function of these bridges returns a number
_ARITHMETIC = {"-", "*", "/", "//", "%"}
_BOOLEAN = {"<", "<=", ">", ">=", "==", "!="}


def join(a, b):
    if a is None:
        return b
    if b is None or a == b:
        return a
    if {a, b} <= {NUMBER, BOOL}:
        return NUMBER
    return UNKNOWN


class TypeInference:
    def __init__(self, program, bridge_modules=None, max_rounds=12):
        self.program = program
        self.bridge_modules = dict(bridge_modules or {})  # ML name -> bridge module name
        self.max_rounds = max_rounds
        self.functions = [n for n in ast.walk(program) if isinstance(n, ast.FunctionDefinition)]
        self.by_name = {fn.name: fn for fn in self.functions}
        self.params = {fn.name: [None] * len(fn.params) for fn in self.functions}
        self.returns = {fn.name: None for fn in self.functions}
        self.expr_types = {}  # id(expression) -> type
        self.globals = {}
        self.rounds = 0

    def run(self):
        for _ in range(self.max_rounds):
            self.rounds += 1
            before = ({k: list(v) for k, v in self.params.items()}, dict(self.returns))
            self.new_returns = {name: None for name in self.returns}
            self.expr_types = {}
            self.globals = self._infer_scope(self.program.items, self._assigned(self.program.items))
            for fn in self.functions:
                env = self._assigned(fn.body)
                env.update(zip(fn.params, self.params[fn.name]))
                self._infer_scope(fn.body, env, fn.name)
            self.returns = self.new_returns
            if (self.params, self.returns) == before:
                break
        return self

    @staticmethod
    def _assigned(body):
        """Every name a scope assigns, starting at bottom (None)."""
        names, stack = {}, list(body)
        while stack:
            node = stack.pop()
            if isinstance(node, ast.Assignment):
                names[node.target] = None
            if not isinstance(node, (ast.FunctionDefinition, ast.ArrowFunction)):
                stack.extend(node.iter_children())
        return names

    def type_of(self, node):
        return self.expr_types.get(id(node)) or UNKNOWN

    # -- scopes ------------------------------------------------------------------
    def _infer_scope(self, body, env, function=None):
        """Iterate the (flow-insensitive) assignments of a scope to a fixpoint."""
        for _ in range(self.max_rounds):
            before = dict(env)
            self._block(body, env, function)
            if env == before:
                break
        return env

    def _block(self, body, env, function):
        for stmt in body:
            if isinstance(stmt, ast.FunctionDefinition):
                env[stmt.name] = FUNCTION
            elif isinstance(stmt, ast.Assignment):
                env[stmt.target] = join(env.get(stmt.target), self._expr(stmt.value, env))
            elif isinstance(stmt, ast.ReturnStatement):
                value = self._expr(stmt.value, env) if stmt.value is not None else NULL
                if function is not None:
                    self.new_returns[function] = join(self.new_returns[function], value)
            elif isinstance(stmt, ast.ForStatement):
                self._expr(stmt.iterable, env)
                env[stmt.var] = UNKNOWN
                self._block(stmt.body, env, function)
            elif isinstance(stmt, ast.IfStatement):
                self._expr(stmt.condition, env)
                self._block(stmt.body, env, function)
                for condition, body in stmt.elifs:
                    self._expr(condition, env)
                    self._block(body, env, function)
                self._block(stmt.else_body or [], env, function)
            elif isinstance(stmt, ast.WhileStatement):
                self._expr(stmt.condition, env)
                self._block(stmt.body, env, function)
            elif isinstance(stmt, ast.TryStatement):
                for name, _ in stmt.handlers:
                    if name:
                        env[name] = UNKNOWN
                for body in [stmt.body, stmt.finally_body or []] + [b for _, b in stmt.handlers]:
                    self._block(body, env, function)
            else:
                for child in stmt.iter_children():
                    self._expr(child, env)

    # -- expressions ---------------------------------------------------------------
    def _expr(self, node, env):
        kind = self._infer(node, env)
        self.expr_types[id(node)] = kind
        return kind

    def _infer(self, node, env):
        if isinstance(node, ast.NumberLiteral):
            return NUMBER
        if isinstance(node, ast.StringLiteral):
            return STRING
        if isinstance(node, ast.BooleanLiteral):
            return BOOL
        if isinstance(node, ast.NullLiteral):
            return NULL
        if isinstance(node, ast.Identifier):
            if node.name in env:
                return env[node.name]
            return self.globals.get(node.name, UNKNOWN)
        if isinstance(node, ast.BinaryOp):
            left, right = self._expr(node.left, env), self._expr(node.right, env)
            if left is None or right is None:
                return None
            if node.op == "+":
                if STRING in (left, right):
                    return STRING
                return NUMBER if left in (NUMBER, BOOL) and right in (NUMBER, BOOL) else UNKNOWN
            if node.op in _ARITHMETIC:
                return NUMBER
            if node.op in _BOOLEAN:
                return BOOL
            return join(left, right)  # && and || return one of their operands
        if isinstance(node, ast.UnaryOp):
            operand = self._expr(node.operand, env)
            if node.op == "!":
                return BOOL
            return None if operand is None else NUMBER if operand in (NUMBER, BOOL) else UNKNOWN
        if isinstance(node, ast.Ternary):
            self._expr(node.condition, env)
            return join(self._expr(node.then, env), self._expr(node.otherwise, env))
        if isinstance(node, ast.Call):
            for arg in node.args:
                self._expr(arg, env)
            return self._call_type(node, env)
        if isinstance(node, ast.ArrayLiteral):
            for element in node.elements:
                self._expr(element, env)
            return ARRAY
        if isinstance(node, ast.ObjectLiteral):
            for _, value in node.properties:
                self._expr(value, env)
            return OBJECT
        if isinstance(node, ast.ArrowFunction):
            inner = dict(env, **{p: UNKNOWN for p in node.params})
            if isinstance(node.body, list):
                self._block(node.body, inner, None)
            else:
                self._expr(node.body, inner)
            return FUNCTION
        if isinstance(node, ast.Slice):
            self._expr(node.obj, env)
            kind = self.expr_types.get(id(node.obj))
            return kind if kind in (STRING, ARRAY, None) else UNKNOWN
        for child in node.iter_children():
            self._expr(child, env)
        if isinstance(node, ast.Member) and node.name == "length":
            return NUMBER
        return UNKNOWN

    def _call_type(self, node, env):
        func = node.func
        if isinstance(func, ast.Identifier):
            if func.name in self.returns and env.get(func.name, FUNCTION) == FUNCTION:
                params = self.params[func.name]
                for i, arg in enumerate(node.args[:len(params)]):
                    params[i] = join(params[i], self.expr_types.get(id(arg)))
                return self.returns[func.name]
            if func.name in BUILTIN_RESULTS and func.name not in env:
                return BUILTIN_RESULTS[func.name]
            return UNKNOWN
        if isinstance(func, ast.Member) and isinstance(func.obj, ast.Identifier):
            if func.obj.name in self.bridge_modules:
                return NUMBER if self.bridge_modules[func.obj.name] in NUMERIC_BRIDGES else UNKNOWN
        self._expr(func, env)
        return UNKNOWN

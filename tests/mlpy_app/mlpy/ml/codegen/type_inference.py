"""Static type inference for code generation.

ML's `+` concatenates when either side is a string ("n=" + 5 gives "n=5"),
while Python's raises TypeError; the generator therefore wraps operands in
str() when a string is involved.  This pass infers a coarse type for every
expression so that wrap is emitted exactly where needed: a flow-insensitive
fixpoint per function over its assignments, inside an interprocedural
fixpoint over the functions' return types.
"""

from mlpy.ml.grammar import ast_nodes as ast

NUMBER, STRING, BOOL, ARRAY, OBJECT, FUNCTION, NULL, UNKNOWN = (
    "number", "string", "boolean", "array", "object", "function", "null", "unknown")

BUILTIN_RESULTS = {
    "str": STRING, "typeof": STRING, "len": NUMBER, "int": NUMBER, "float": NUMBER, "abs": NUMBER,
    "round": NUMBER, "min": NUMBER, "max": NUMBER, "range": ARRAY, "append": ARRAY, "print": NULL,
}
BRIDGE_RESULTS = NUMBER  # math.* and time.* all return numbers
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
    def __init__(self, program, bridge_names=(), max_rounds=10):
        self.program = program
        self.bridge_names = set(bridge_names)
        self.max_rounds = max_rounds
        self.functions = [n for n in ast.walk(program) if isinstance(n, ast.FunctionDefinition)]
        self.returns = {fn.name: None for fn in self.functions}
        self.expr_types = {}  # id(expression) -> type
        self.rounds = 0

    def run(self):
        changed = True
        while changed and self.rounds < self.max_rounds:
            self.rounds += 1
            before = dict(self.returns)
            self.globals = self._infer_scope(self.program.items, {})
            for fn in self.functions:
                env = {param: UNKNOWN for param in fn.params}
                env = self._infer_scope(fn.body, env, fn.name)
            changed = before != self.returns
        return self

    def type_of(self, node):
        return self.expr_types.get(id(node), UNKNOWN)

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
                    self.returns[function] = join(self.returns[function], value)
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
            return env.get(node.name, self.globals_type(node.name))
        if isinstance(node, ast.BinaryOp):
            left, right = self._expr(node.left, env), self._expr(node.right, env)
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
            return BOOL if node.op == "!" else (NUMBER if operand in (NUMBER, BOOL) else UNKNOWN)
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
            return self.type_of(node.obj) if self.type_of(node.obj) in (STRING, ARRAY) else UNKNOWN
        for child in node.iter_children():
            self._expr(child, env)
        if isinstance(node, ast.Member) and node.name == "length":
            return NUMBER
        return UNKNOWN

    def _call_type(self, node, env):
        func = node.func
        if isinstance(func, ast.Identifier):
            if func.name in self.returns and env.get(func.name, FUNCTION) == FUNCTION:
                return self.returns[func.name] or UNKNOWN
            if func.name in BUILTIN_RESULTS and func.name not in env:
                return BUILTIN_RESULTS[func.name]
            return UNKNOWN
        if isinstance(func, ast.Member) and isinstance(func.obj, ast.Identifier):
            if func.obj.name in self.bridge_names:
                return BRIDGE_RESULTS
        self._expr(func, env)
        return UNKNOWN

    def globals_type(self, name):
        return getattr(self, "globals", {}).get(name, UNKNOWN)

"""Semantics-preserving AST optimizations run before code generation.

  * constant folding of arithmetic, comparisons and logic on literals
  * branch pruning: if (true)/if (false), while (false), constant ternaries
  * dead code after return / break / continue / throw in a block
Folded nodes keep the line and column of the expression they replace, so
source maps still point at the right ML line.
"""

import operator

from mlpy.ml.grammar import ast_nodes as ast

_ARITH = {"+": operator.add, "-": operator.sub, "*": operator.mul, "%": operator.mod,
          "//": operator.floordiv, "/": operator.truediv}
_COMPARE = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
            "==": operator.eq, "!=": operator.ne}
_TERMINATORS = (ast.ReturnStatement, ast.BreakStatement, ast.ContinueStatement, ast.ThrowStatement)
_MAX_FOLDED_LENGTH = 256  # never fold "x" * 10**9 into a huge literal


class OptimizationStats:
    def __init__(self):
        self.folded = 0
        self.pruned_branches = 0
        self.dead_statements = 0


class ASTOptimizer:
    def __init__(self):
        self.stats = OptimizationStats()

    def optimize(self, program):
        program.items = self._block(program.items)
        return program

    # -- statements ----------------------------------------------------------
    def _block(self, body):
        out = []
        for position, stmt in enumerate(body):
            out.extend(self._statement(stmt))
            if out and isinstance(out[-1], _TERMINATORS):
                self.stats.dead_statements += len(body) - position - 1
                break
        return out

    def _statement(self, stmt):
        """Returns the list of statements that replace stmt."""
        if isinstance(stmt, ast.FunctionDefinition):
            stmt.body = self._block(stmt.body)
        elif isinstance(stmt, ast.IfStatement):
            return self._if(stmt)
        elif isinstance(stmt, ast.WhileStatement):
            stmt.condition = self._expr(stmt.condition)
            if _is_literal(stmt.condition) and not _truthy(stmt.condition):
                self.stats.pruned_branches += 1
                return []
            stmt.body = self._block(stmt.body)
        elif isinstance(stmt, ast.ForStatement):
            stmt.iterable = self._expr(stmt.iterable)
            stmt.body = self._block(stmt.body)
        elif isinstance(stmt, ast.TryStatement):
            stmt.body = self._block(stmt.body)
            stmt.handlers = [(name, self._block(body)) for name, body in stmt.handlers]
            if stmt.finally_body is not None:
                stmt.finally_body = self._block(stmt.finally_body)
        else:
            for field in stmt._fields:
                value = getattr(stmt, field)
                if isinstance(value, ast.ASTNode):
                    setattr(stmt, field, self._expr(value))
        return [stmt]

    def _if(self, stmt):
        branches = [(self._expr(stmt.condition), stmt.body)]
        branches += [(self._expr(c), b) for c, b in stmt.elifs]
        kept = []
        for condition, body in branches:
            if _is_literal(condition):
                self.stats.pruned_branches += 1
                if not _truthy(condition):
                    continue  # branch can never run
                if not kept:
                    return self._block(body)  # first live branch is always taken
                stmt.else_body = body
                break
            kept.append((condition, self._block(body)))
        if not kept:
            return self._block(stmt.else_body or [])
        stmt.condition, stmt.body = kept[0]
        stmt.elifs = kept[1:]
        if stmt.else_body is not None:
            stmt.else_body = self._block(stmt.else_body)
        return [stmt]

    # -- expressions -------------------------------------------------------------
    def _expr(self, node):
        if isinstance(node, ast.BinaryOp):
            node.left, node.right = self._expr(node.left), self._expr(node.right)
            return self._fold_binary(node)
        if isinstance(node, ast.UnaryOp):
            node.operand = self._expr(node.operand)
            return self._fold_unary(node)
        if isinstance(node, ast.Ternary):
            node.condition = self._expr(node.condition)
            node.then, node.otherwise = self._expr(node.then), self._expr(node.otherwise)
            if _is_literal(node.condition):
                self.stats.pruned_branches += 1
                return node.then if _truthy(node.condition) else node.otherwise
            return node
        if isinstance(node, ast.ArrowFunction):
            if isinstance(node.body, list):
                node.body = self._block(node.body)
            else:
                node.body = self._expr(node.body)
            return node
        for field in node._fields:
            value = getattr(node, field)
            if isinstance(value, ast.ASTNode):
                setattr(node, field, self._expr(value))
            elif isinstance(value, list):
                setattr(node, field, [self._expr_item(v) for v in value])
        return node

    def _expr_item(self, value):
        if isinstance(value, ast.ASTNode):
            return self._expr(value)
        if isinstance(value, tuple):
            return tuple(self._expr(v) if isinstance(v, ast.ASTNode) else v for v in value)
        return value

    def _fold_binary(self, node):
        left, right = node.left, node.right
        if node.op in ("&&", "||") and _is_literal(left):
            self.stats.folded += 1
            if node.op == "&&":
                return right if _truthy(left) else left
            return left if _truthy(left) else right
        if not (_is_literal(left) and _is_literal(right)):
            return node
        a, b = _value(left), _value(right)
        try:
            if node.op in _COMPARE:
                if type(a) is not type(b) and not (_is_number(a) and _is_number(b)):
                    return node
                return self._literal(_COMPARE[node.op](a, b), node)
            if node.op in _ARITH and _is_number(a) and _is_number(b):
                return self._literal(_ARITH[node.op](a, b), node)
            if node.op == "+" and isinstance(a, str) and isinstance(b, str):
                return self._literal(a + b, node)
        except (ArithmeticError, ValueError):
            return node  # leave the runtime error where the program can see it
        return node

    def _fold_unary(self, node):
        operand = node.operand
        if not _is_literal(operand):
            return node
        value = _value(operand)
        if node.op == "!":
            return self._literal(not _truthy(operand), node)
        if _is_number(value):
            return self._literal(-value, node)
        return node

    def _literal(self, value, like):
        if isinstance(value, str) and len(value) > _MAX_FOLDED_LENGTH:
            return like
        self.stats.folded += 1
        if isinstance(value, bool):
            return ast.BooleanLiteral(like.line, like.column, value=value)
        if isinstance(value, str):
            return ast.StringLiteral(like.line, like.column, value=value)
        return ast.NumberLiteral(like.line, like.column, value=value)


def _is_literal(node):
    return isinstance(node, (ast.NumberLiteral, ast.StringLiteral, ast.BooleanLiteral, ast.NullLiteral))


def _value(node):
    return None if isinstance(node, ast.NullLiteral) else node.value


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _truthy(node):
    return bool(_value(node))


def optimize_program(program, max_passes=4):
    """Optimize until a pass changes nothing (folding can expose more folding)."""
    optimizer = ASTOptimizer()
    for _ in range(max_passes):
        before = (optimizer.stats.folded, optimizer.stats.pruned_branches,
                  optimizer.stats.dead_statements)
        program = optimizer.optimize(program)
        after = (optimizer.stats.folded, optimizer.stats.pruned_branches,
                 optimizer.stats.dead_statements)
        if after == before:
            break
    return program, optimizer.stats

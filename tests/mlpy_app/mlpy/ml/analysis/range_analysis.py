"""Interval (value range) analysis: possible division by zero (CWE-369).

Abstract interpretation over the control-flow graph of each function: every
numeric variable is tracked as an interval [lo, hi]; branch conditions such
as `x > 0` or `n != 0 && d < 10` narrow the intervals on the edges they
guard; loops are iterated to a fixpoint, widening bounds that keep growing.
A division or modulo whose divisor interval contains 0 is reported.
"""

from mlpy.ml.grammar import ast_nodes as ast

from .data_flow_tracker import CFGBuilder

INF = float("inf")
TOP = (-INF, INF)
BOOL = (0, 1)
_NEGATED = {"<": ">=", "<=": ">", ">": "<=", ">=": "<", "==": "!=", "!=": "=="}
_MIRRORED = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}
WIDEN_AFTER = 3


def _mul(x, y):
    return 0 if x == 0 or y == 0 else x * y


def hull(a, b):
    return (min(a[0], b[0]), max(a[1], b[1]))


def widen(old, new):
    return (old[0] if new[0] >= old[0] else -INF, old[1] if new[1] <= old[1] else INF)


class RangeAnalyzer:
    def __init__(self):
        self.findings = []  # (severity, category, message, line, column)
        self._reported = set()
        self.block_visits = 0

    def analyze(self, params, body):
        builder = CFGBuilder()
        blocks = builder.build(body)
        state_in = [None] * len(blocks)
        state_in[0] = {}
        visits = [0] * len(blocks)
        work = [0]
        while work:
            index = work.pop(0)
            self.block_visits += 1
            state = dict(state_in[index])
            for item in blocks[index].items:
                self._transfer(item, state, report=False)
            for succ in sorted(blocks[index].succ):
                edge = self._refine(state, builder.edge_conditions.get((index, succ)))
                if edge is None:
                    continue  # condition can never hold on this edge
                old = state_in[succ]
                new = edge if old is None else self._join(old, edge)
                visits[succ] += 1
                if old is not None and visits[succ] > WIDEN_AFTER:
                    new = {k: widen(old[k], v) for k, v in new.items() if k in old}
                if new != old:
                    state_in[succ] = new
                    if succ not in work:
                        work.append(succ)
        for index, block in enumerate(blocks):
            if state_in[index] is not None:
                state = dict(state_in[index])
                for item in block.items:
                    self._transfer(item, state, report=True)

    @staticmethod
    def _join(a, b):
        return {k: hull(a[k], b[k]) for k in a.keys() & b.keys()}

    # -- transfer functions --------------------------------------------------------
    def _transfer(self, item, state, report):
        kind, node = item
        if kind == "cond":
            self._eval(node, state, report)
        elif kind == "def-for":
            state[node.var] = self._range_of(node.iterable, state, report)
        elif kind == "def-except":
            state.pop(node, None)
        elif isinstance(node, ast.Assignment):
            value = self._eval(node.value, state, report)
            if value == TOP:
                state.pop(node.target, None)
            else:
                state[node.target] = value
        elif isinstance(node, ast.FunctionDefinition):
            state.pop(node.name, None)
        else:
            for child in node.iter_children():
                if not isinstance(child, ast.STATEMENT_TYPES):
                    self._eval(child, state, report)

    def _range_of(self, iterable, state, report):
        if (isinstance(iterable, ast.Call) and isinstance(iterable.func, ast.Identifier)
                and iterable.func.name == "range" and 1 <= len(iterable.args) <= 2):
            bounds = [self._eval(a, state, report) for a in iterable.args]
            if len(bounds) == 1:
                return (0, bounds[0][1] - 1)
            return (bounds[0][0], bounds[1][1] - 1)
        self._eval(iterable, state, report)
        return TOP

    # -- expressions -------------------------------------------------------------------
    def _eval(self, node, state, report):
        if isinstance(node, ast.NumberLiteral):
            return (node.value, node.value)
        if isinstance(node, ast.BooleanLiteral):
            return (int(node.value), int(node.value))
        if isinstance(node, ast.Identifier):
            return state.get(node.name, TOP)
        if isinstance(node, ast.UnaryOp):
            value = self._eval(node.operand, state, report)
            return BOOL if node.op == "!" else (-value[1], -value[0])
        if isinstance(node, ast.BinaryOp):
            return self._binary(node, state, report)
        if isinstance(node, ast.Ternary):
            self._eval(node.condition, state, report)
            return hull(self._eval(node.then, state, report), self._eval(node.otherwise, state, report))
        if isinstance(node, ast.Call):
            for arg in node.args:
                self._eval(arg, state, report)
            if isinstance(node.func, ast.Identifier) and node.func.name in ("len", "abs"):
                return (0, INF)
            return TOP
        if isinstance(node, (ast.ArrowFunction, ast.FunctionDefinition)):
            return TOP
        for child in node.iter_children():
            if not isinstance(child, ast.STATEMENT_TYPES):
                self._eval(child, state, report)
        return TOP

    def _binary(self, node, state, report):
        a = self._eval(node.left, state, report)
        b = self._eval(node.right, state, report)
        op = node.op
        if op == "+":
            return (a[0] + b[0], a[1] + b[1])
        if op == "-":
            return (a[0] - b[1], a[1] - b[0])
        if op == "*":
            products = [_mul(x, y) for x in a for y in b]
            return (min(products), max(products))
        if op in ("/", "//", "%"):
            if b[0] <= 0 <= b[1] and not isinstance(node.right, ast.NumberLiteral):
                if report and id(node) not in self._reported:
                    self._reported.add(id(node))
                    self.findings.append(("low", "division_by_zero",
                                          f"divisor of '{op}' may be zero", node.line, node.column))
            if op == "%" and b[0] > 0 and b[1] < INF:
                return (0, b[1])
            return TOP
        if op in _NEGATED:
            return BOOL
        return hull(a, b)  # && and || yield one of their operands

    # -- branch refinement -----------------------------------------------------------
    def _refine(self, state, guard):
        if guard is None:
            return state
        condition, when = guard
        refined = dict(state)
        return refined if self._assume(condition, when, refined) else None

    def _assume(self, cond, truth, state):
        """Narrow state assuming cond evaluates to truth; False if impossible."""
        if isinstance(cond, ast.UnaryOp) and cond.op == "!":
            return self._assume(cond.operand, not truth, state)
        if isinstance(cond, ast.BinaryOp) and cond.op in ("&&", "||"):
            if (cond.op == "&&") == truth:  # both sides hold
                return self._assume(cond.left, truth, state) and self._assume(cond.right, truth, state)
            return True  # one side holds: nothing certain about either
        if not (isinstance(cond, ast.BinaryOp) and cond.op in _NEGATED):
            return True
        op = cond.op if truth else _NEGATED[cond.op]
        left, right = cond.left, cond.right
        if isinstance(right, ast.Identifier) and not isinstance(left, ast.Identifier):
            left, right, op = right, left, _MIRRORED[op]
        if not isinstance(left, ast.Identifier):
            return True
        bound = self._eval(right, state, False)
        lo, hi = state.get(left.name, TOP)
        if op == "<":
            hi = min(hi, bound[1] - 1 if isinstance(bound[1], int) else bound[1])
        elif op == "<=":
            hi = min(hi, bound[1])
        elif op == ">":
            lo = max(lo, bound[0] + 1 if isinstance(bound[0], int) else bound[0])
        elif op == ">=":
            lo = max(lo, bound[0])
        elif op == "==":
            lo, hi = max(lo, bound[0]), min(hi, bound[1])
        if lo > hi:
            return False
        if (lo, hi) != TOP:
            state[left.name] = (lo, hi)
        return True

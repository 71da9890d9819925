"""Deep (whole-program) security checks.

  * call graph and recursion (Tarjan's strongly connected components)
  * stdlib bridges each function uses, closed over the call graph (the
    capabilities the program will need)
  * loops that can never terminate (CWE-835)
  * cyclomatic complexity per function (resource-exhaustion review hint)
  * "Trojan Source" characters in the text: bidirectional controls,
    invisible characters and non-ASCII identifiers (CVE-2021-42574)
Each finding is returned as (severity, category, message, line, column).
"""

import unicodedata

from mlpy.ml.grammar import ast_nodes as ast
from mlpy.stdlib import BRIDGE_MODULES

BIDI_CONTROLS = {"\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068",
                 "\u2069", "\u200e", "\u200f"}
INVISIBLE = {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"}


class DeepSecurityAnalyzer:
    def __init__(self, program, source_code=None):
        self.program = program
        self.source_code = source_code or ""
        self.findings = []
        self.functions = {n.name: n for n in ast.walk(program) if isinstance(n, ast.FunctionDefinition)}
        self.bridge_names = {
            (n.alias or n.path[0]): ".".join(n.path) for n in program.items
            if isinstance(n, ast.ImportStatement) and ".".join(n.path) in BRIDGE_MODULES
        }

    def run(self):
        self.call_graph = self._call_graph()
        self._recursion()
        self.bridges_used = self._bridges_used()
        self._loops()
        self.complexity = {name: self._complexity(fn) for name, fn in self.functions.items()}
        for name, value in self.complexity.items():
            if value > 40:
                fn = self.functions[name]
                self._add("low", "complexity", f"function {name} has cyclomatic complexity {value}",
                          fn.line, fn.column)
        self._trojan_source()
        return self.findings

    def _add(self, severity, category, message, line=0, column=0):
        self.findings.append((severity, category, message, line, column))

    # -- call graph ------------------------------------------------------------
    def _call_graph(self):
        graph = {}
        for name, fn in self.functions.items():
            callees = set()
            for node in ast.walk(fn):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Identifier):
                    if node.func.name in self.functions:
                        callees.add(node.func.name)
            graph[name] = callees
        return graph

    def _recursion(self):
        index, low, stack, on_stack = {}, {}, [], set()
        counter = 0

        def visit(name):
            nonlocal counter
            index[name] = low[name] = counter
            counter += 1
            stack.append(name)
            on_stack.add(name)
            for callee in self.call_graph[name]:
                if callee not in index:
                    visit(callee)
                    low[name] = min(low[name], low[callee])
                elif callee in on_stack:
                    low[name] = min(low[name], index[callee])
            if low[name] == index[name]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == name:
                        break
                if len(component) > 1 or name in self.call_graph[name]:
                    fn = self.functions[name]
                    self._add("low", "recursion", "recursive function(s) "
                              f"{', '.join(sorted(component))}: depth bounded only by the interpreter",
                              fn.line, fn.column)

        for name in self.functions:
            if name not in index:
                visit(name)

    # -- bridges / capabilities ------------------------------------------------------
    def _direct_bridges(self, fn):
        used = set()
        for node in ast.walk(fn):
            if isinstance(node, ast.Member) and isinstance(node.obj, ast.Identifier):
                module = self.bridge_names.get(node.obj.name)
                if module is not None:
                    used.add(module)
        return used

    def _bridges_used(self):
        caps = {name: self._direct_bridges(fn) for name, fn in self.functions.items()}
        changed = True
        while changed:
            changed = False
            for name, callees in self.call_graph.items():
                for callee in callees:
                    if not caps[callee] <= caps[name]:
                        caps[name] |= caps[callee]
                        changed = True
        return caps

    # -- loops -----------------------------------------------------------------------
    def _loops(self):
        for node in ast.walk(self.program):
            if isinstance(node, ast.WhileStatement):
                self._check_while(node)

    def _check_while(self, loop):
        read = {n.name for n in ast.walk(loop.condition) if isinstance(n, ast.Identifier)}
        written, exits = set(), False
        for node in self._walk_body(loop.body):
            if isinstance(node, (ast.BreakStatement, ast.ReturnStatement, ast.ThrowStatement)):
                exits = True
            elif isinstance(node, ast.Assignment):
                written.add(node.target)
            elif isinstance(node, (ast.IndexAssignment, ast.MemberAssignment, ast.Call)):
                written |= read  # may change the condition's state through a reference
        constant = isinstance(loop.condition, ast.BooleanLiteral) and loop.condition.value
        if not exits and (constant or not (read & written)):
            self._add("medium", "infinite_loop",
                      "while loop condition never changes inside the loop", loop.line, loop.column)

    @staticmethod
    def _walk_body(body):
        for stmt in body:
            yield from ast.walk(stmt)

    # -- complexity ------------------------------------------------------------------
    @staticmethod
    def _complexity(fn):
        decisions = 1
        for node in ast.walk(fn):
            if isinstance(node, (ast.IfStatement, ast.WhileStatement, ast.ForStatement,
                                 ast.Ternary)):
                decisions += 1 + (len(node.elifs) if isinstance(node, ast.IfStatement) else 0)
            elif isinstance(node, ast.BinaryOp) and node.op in ("&&", "||"):
                decisions += 1
        return decisions

    # -- source text ---------------------------------------------------------------
    def _trojan_source(self):
        line, column = 1, 0
        for ch in self.source_code:
            column += 1
            if ch == "\n":
                line, column = line + 1, 0
                continue
            if ch.isascii():
                continue
            if ch in BIDI_CONTROLS:
                self._add("critical", "trojan_source", f"bidirectional control U+{ord(ch):04X}",
                          line, column)
            elif ch in INVISIBLE or unicodedata.category(ch) in ("Cf", "Cc"):
                self._add("high", "invisible_character", f"invisible character U+{ord(ch):04X}",
                          line, column)
            elif unicodedata.category(ch).startswith("L"):
                self._add("medium", "confusable_identifier",
                          f"non-ASCII letter {unicodedata.name(ch, '?')} (possible homoglyph)",
                          line, column)

"""Security analysis of a parsed ML program (runs before code generation).

SecurityAnalyzer.analyze() makes several passes over the AST:
  1. symbols and call graph (functions, parameters, locals, callees)
  2. imports: only ML stdlib bridges and .ml modules beside the program
  3. calls, attribute names and identifiers against dangerous-API tables
  4. capability declarations (over-broad resources, system permissions)
  5. string literals and the raw text through AdvancedPatternDetector
  6. taint/data-flow: do function parameters reach a dangerous sink?
     (intra-procedural fixpoint per function, then a call-graph fixpoint)
  7. recursion (strongly connected components of the call graph)
Issues of severity "critical" or "high" stop transpilation in strict mode.
"""

from dataclasses import dataclass
from pathlib import Path

from mlpy.ml.grammar import ast_nodes as ast
from mlpy.runtime.profiling import phase
from mlpy.stdlib import BRIDGE_MODULES

from .pattern_detector import AdvancedPatternDetector, ThreatLevel

DANGEROUS_CALLS = {
    "eval": ("critical", "CWE-94"), "exec": ("critical", "CWE-94"),
    "compile": ("critical", "CWE-94"), "__import__": ("critical", "CWE-94"),
    "open": ("high", "CWE-73"), "getattr": ("high", "CWE-470"), "setattr": ("high", "CWE-470"),
    "delattr": ("high", "CWE-470"), "globals": ("high", "CWE-470"), "locals": ("high", "CWE-470"),
    "vars": ("high", "CWE-470"), "input": ("medium", "CWE-20"), "breakpoint": ("high", "CWE-94"),
}
SINKS = {"eval", "exec", "compile", "__import__", "open", "system", "popen", "getattr", "setattr"}
BLOCKING = ("critical", "high")


@dataclass
class SecurityIssue:
    severity: str  # critical, high, medium, low
    category: str
    message: str
    line: int = 0
    column: int = 0
    cwe: str | None = None
    source_file: str | None = None

    def __str__(self):
        where = f"{self.source_file or '<ml>'}:{self.line}:{self.column}"
        cwe = f" [{self.cwe}]" if self.cwe else ""
        return f"{where}: {self.severity}: {self.message}{cwe}"


class FunctionInfo:
    def __init__(self, node):
        self.node = node
        self.params = list(node.params)
        self.locals = set(node.params)
        self.callees = set()
        self.tainted_return_params = set()  # params whose taint reaches the return value


class SecurityAnalyzer:
    def __init__(self, source_file=None, source_code=None, import_paths=None):
        self.source_file = source_file
        self.source_code = source_code
        self.import_paths = [Path(p) for p in (import_paths or [])]
        self.detector = AdvancedPatternDetector()

    def analyze(self, program):
        with phase("security"):
            return self._analyze(program)

    def _analyze(self, program):
        self.issues = []
        self.functions = {}
        self.ml_modules = set()
        self._collect_symbols(program)
        self._check_imports(program)
        self._check_nodes(program)
        self._check_capabilities(program)
        self._check_strings(program)
        if self.source_code:
            self._scan_text(self.source_code)
        self._data_flow()
        self._recursion()
        return self._deduplicated()

    def _report(self, severity, category, message, node=None, cwe=None, line=0, column=0):
        if node is not None:
            line, column = node.line, node.column
        self.issues.append(SecurityIssue(severity, category, message, line, column, cwe,
                                         self.source_file))

    def _deduplicated(self):
        seen, out = set(), []
        order = {"critical": 0, "high": 1, "medium": 2, "low": 3}
        for issue in sorted(self.issues, key=lambda i: (i.line, i.column, order[i.severity])):
            key = (issue.line, issue.category)
            if key not in seen:
                seen.add(key)
                out.append(issue)
        return out

    # -- pass 1: symbols and call graph --------------------------------------------
    def _collect_symbols(self, program):
        for node in ast.walk(program):
            if isinstance(node, ast.FunctionDefinition):
                info = self.functions.setdefault(node.name, FunctionInfo(node))
                for inner in ast.walk(node):
                    if isinstance(inner, ast.Assignment):
                        info.locals.add(inner.target)
                    elif isinstance(inner, ast.ForStatement):
                        info.locals.add(inner.var)
                    elif isinstance(inner, ast.Call) and isinstance(inner.func, ast.Identifier):
                        info.callees.add(inner.func.name)

    # -- pass 2: imports ------------------------------------------------------------
    def _module_file(self, parts):
        dirs = list(self.import_paths)
        if self.source_file:
            dirs.append(Path(self.source_file).resolve().parent)
        for base in dirs:
            if base.joinpath(*parts[:-1], parts[-1] + ".ml").is_file():
                return True
        return False

    def _check_imports(self, program):
        for node in program.items:
            if not isinstance(node, ast.ImportStatement):
                continue
            dotted = ".".join(node.path)
            if dotted in BRIDGE_MODULES:
                continue
            if self._module_file(node.path):
                self.ml_modules.add(dotted)
                continue
            self._report("critical", "unsafe_import",
                         f"import of '{dotted}': not an ML stdlib module or a .ml file", node, "CWE-829")

    # -- pass 3: calls, attributes, identifiers ----------------------------------------
    def _check_nodes(self, program):
        for node in ast.walk(program):
            if isinstance(node, ast.Call):
                self._check_call(node)
            elif isinstance(node, (ast.Member, ast.MemberAssignment)):
                if node.name.startswith("_"):
                    severity = "critical" if node.name.startswith("__") else "high"
                    self._report(severity, "reflection_abuse",
                                 f"access to private attribute '{node.name}'", node, "CWE-470")
            elif (isinstance(node, ast.Identifier) and node.name in DANGEROUS_CALLS
                  and node.name not in self.functions):
                severity, cwe = DANGEROUS_CALLS[node.name]
                self._report(severity, "dangerous_reference",
                             f"reference to dangerous builtin '{node.name}'", node, cwe)
            elif isinstance(node, (ast.Assignment, ast.FunctionDefinition)):
                name = node.target if isinstance(node, ast.Assignment) else node.name
                if name.startswith("__"):
                    self._report("high", "reflection_abuse", f"dunder name '{name}' defined", node,
                                 "CWE-470")

    def _check_call(self, node):
        func = node.func
        if isinstance(func, ast.Identifier) and func.name in DANGEROUS_CALLS:
            if func.name in self.functions:
                return  # the program defines its own function of that name
            severity, cwe = DANGEROUS_CALLS[func.name]
            self._report(severity, "code_injection", f"call of dangerous builtin '{func.name}'",
                         node, cwe)
        elif isinstance(func, ast.Member) and func.name in SINKS:
            self._report("high", "dangerous_method", f"call of dangerous method '.{func.name}()'",
                         node, "CWE-78")

    # -- pass 4: capability declarations ------------------------------------------------
    def _check_capabilities(self, program):
        for node in program.items:
            if not isinstance(node, ast.CapabilityDeclaration):
                continue
            for resource in node.resources:
                if resource in ("*", "/*", "/**") or resource.startswith("/etc"):
                    self._report("medium", "broad_capability",
                                 f"capability {node.name} grants broad resource '{resource}'", node)
            for kind, target in node.permissions:
                if kind in ("system", "execute"):
                    self._report("high", "dangerous_capability",
                                 f"capability {node.name} requests '{kind}' permission", node)

    # -- pass 5: strings and raw text ------------------------------------------------
    def _check_strings(self, program):
        for node in ast.walk(program):
            if isinstance(node, ast.StringLiteral):
                for match in self.detector.scan_string(node.value):
                    self._report_match(match, node.line, node.column)

    def _scan_text(self, source):
        for match in self.detector.scan_code(source, self.source_file):
            if match.pattern.context == "import" and match.matched_text in self.ml_modules:
                continue
            if match.pattern.context == "call" and match.matched_text in self.functions:
                continue
            self._report_match(match, match.location["line"], match.location["column"])

    def _report_match(self, match, line, column):
        p = match.pattern
        self._report(p.threat_level.value, p.name, f"{p.description}: '{match.matched_text}'",
                     cwe=p.cwe_id, line=line, column=column)

    # -- pass 6: taint / data flow --------------------------------------------------
    def _data_flow(self):
        changed = True
        while changed:  # call-graph fixpoint on "param reaches return" summaries
            changed = False
            for info in self.functions.values():
                before = set(info.tainted_return_params)
                for index, param in enumerate(info.params):
                    tainted = self._flow_function(info, {param})
                    if tainted.get("$return"):
                        info.tainted_return_params.add(index)
                if info.tainted_return_params != before:
                    changed = True
        for info in self.functions.values():
            self._flow_function(info, set(info.params), report=True)

    def _flow_function(self, info, sources, report=False):
        """Iterate the function body until the tainted-variable set is stable."""
        tainted = {name: True for name in sources}
        while True:
            before = dict(tainted)
            self._flow_block(info.node.body, tainted, report)
            if tainted == before:
                return tainted

    def _flow_block(self, body, tainted, report):
        for stmt in body:
            if isinstance(stmt, ast.Assignment):
                if self._expr_tainted(stmt.value, tainted, report):
                    tainted[stmt.target] = True
            elif isinstance(stmt, ast.ReturnStatement) and stmt.value is not None:
                if self._expr_tainted(stmt.value, tainted, report):
                    tainted["$return"] = True
            elif isinstance(stmt, ast.ForStatement):
                if self._expr_tainted(stmt.iterable, tainted, report):
                    tainted[stmt.var] = True
                self._flow_block(stmt.body, tainted, report)
            elif isinstance(stmt, (ast.WhileStatement, ast.IfStatement)):
                self._expr_tainted(stmt.condition, tainted, report)
                self._flow_block(stmt.body, tainted, report)
                if isinstance(stmt, ast.IfStatement):
                    for condition, body in stmt.elifs:
                        self._expr_tainted(condition, tainted, report)
                        self._flow_block(body, tainted, report)
                    self._flow_block(stmt.else_body or [], tainted, report)
            elif isinstance(stmt, ast.TryStatement):
                for body in [stmt.body, stmt.finally_body or []] + [b for _, b in stmt.handlers]:
                    self._flow_block(body, tainted, report)
            else:
                for child in stmt.iter_children():
                    if not isinstance(child, ast.STATEMENT_TYPES):
                        self._expr_tainted(child, tainted, report)

    def _expr_tainted(self, node, tainted, report):
        if isinstance(node, ast.Identifier):
            return tainted.get(node.name, False)
        if isinstance(node, ast.Call):
            args = [self._expr_tainted(a, tainted, report) for a in node.args]
            name = node.func.name if isinstance(node.func, (ast.Identifier, ast.Member)) else None
            if report and name in SINKS and any(args):
                self._report("high", "tainted_sink", f"function parameter flows into '{name}'", node,
                             "CWE-20")
            callee = self.functions.get(name) if isinstance(node.func, ast.Identifier) else None
            if callee is not None:
                return any(args[i] for i in callee.tainted_return_params if i < len(args))
            return any(args)
        result = False
        for child in node.iter_children():
            if self._expr_tainted(child, tainted, report):
                result = True
        return result

    # -- pass 7: recursion ------------------------------------------------------------
    def _recursion(self):
        index, low, stack, on_stack, counter = {}, {}, [], set(), [0]

        def strongconnect(name):
            index[name] = low[name] = counter[0]
            counter[0] += 1
            stack.append(name)
            on_stack.add(name)
            for callee in self.functions[name].callees:
                if callee not in self.functions:
                    continue
                if callee not in index:
                    strongconnect(callee)
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
                recursive = len(component) > 1 or name in self.functions[name].callees
                if recursive:
                    node = self.functions[name].node
                    self._report("low", "recursion",
                                 f"recursive function(s) {', '.join(sorted(component))}: "
                                 "depth is bounded only by the interpreter", node)

        for name in self.functions:
            if name not in index:
                strongconnect(name)


def blocking_issues(issues):
    return [i for i in issues if i.severity in BLOCKING]


__all__ = ["SecurityAnalyzer", "SecurityIssue", "ThreatLevel", "blocking_issues"]

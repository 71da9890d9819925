"""Security analysis of a parsed ML program (runs before code generation).

SecurityAnalyzer.analyze() makes several passes over the AST:
  1. symbols (the program's functions and their parameters)
  2. imports: only ML stdlib bridges and .ml modules beside the program
  3. calls, attribute names and identifiers against dangerous-API tables
  4. capability declarations (over-broad resources, system permissions)
  5. string literals and the raw text through AdvancedPatternDetector, plus
     content_analysis.py (secrets, entropy, injections built by concatenation)
  6. data flow (data_flow_tracker.py): control-flow graphs, reaching
     definitions, taint from function parameters to dangerous sinks
  7. value ranges (range_analysis.py): interval abstract interpretation,
     divisions whose divisor may be zero
  8. whole-program checks (security_deep.py): call graph and recursion,
     bridges/capabilities used, non-terminating loops, Trojan Source text
Issues of severity "critical" or "high" stop transpilation in strict mode.
"""

from dataclasses import dataclass
from pathlib import Path

from mlpy.ml.grammar import ast_nodes as ast
from mlpy.runtime.profiling import phase
from mlpy.stdlib import BRIDGE_MODULES

from mlpy.stdlib.builtin import BUILTIN_NAMES

from .content_analysis import ContentAnalyzer
from .data_flow_tracker import SINKS, DataFlowTracker, FlowResult
from .pattern_detector import AdvancedPatternDetector, ConfusableChecker, ThreatLevel
from .range_analysis import RangeAnalyzer
from .security_deep import DeepSecurityAnalyzer

DANGEROUS_CALLS = {
    "eval": ("critical", "CWE-94"), "exec": ("critical", "CWE-94"),
    "compile": ("critical", "CWE-94"), "__import__": ("critical", "CWE-94"),
    "open": ("high", "CWE-73"), "getattr": ("high", "CWE-470"), "setattr": ("high", "CWE-470"),
    "delattr": ("high", "CWE-470"), "globals": ("high", "CWE-470"), "locals": ("high", "CWE-470"),
    "vars": ("high", "CWE-470"), "input": ("medium", "CWE-20"), "breakpoint": ("high", "CWE-94"),
}
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
        self._data_flow(program)
        self._ranges(program)
        self._deep(program)
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

    # -- pass 1: symbols ----------------------------------------------------------------
    def _collect_symbols(self, program):
        for node in ast.walk(program):
            if isinstance(node, ast.FunctionDefinition):
                self.functions.setdefault(node.name, FunctionInfo(node))

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
        for severity, category, message, line, column in ContentAnalyzer(self.detector).run(program):
            self._report(severity, category, message, line=line, column=column, cwe="CWE-798"
                         if category == "hardcoded_secret" else None)

    def _scan_text(self, source):
        dangerous = set(DANGEROUS_CALLS) | SINKS | {"__class__", "__globals__", "__builtins__"}
        starts = self.detector._line_starts(source)
        for name, target, offset in ConfusableChecker(dangerous).scan(source):
            line = next(i for i in range(len(starts), 0, -1) if starts[i - 1] <= offset)
            self._report("medium", "confusable_identifier",
                         f"identifier '{name}' looks like '{target}'", line=line,
                         column=offset - starts[line - 1] + 1, cwe="CWE-1007")
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

    # -- pass 6: data flow (CFG, reaching definitions, taint) --------------------------
    def _data_flow(self, program):
        known = set(BUILTIN_NAMES) | set(DANGEROUS_CALLS) | set(SINKS)
        for node in ast.walk(program):
            if isinstance(node, ast.FunctionDefinition):
                known.add(node.name)
                known.update(node.params)
            elif isinstance(node, ast.Assignment):
                known.add(node.target)
            elif isinstance(node, ast.ForStatement):
                known.add(node.var)
            elif isinstance(node, ast.ImportStatement):
                known.add(node.alias or node.path[0])
            elif isinstance(node, ast.ArrowFunction):
                known.update(node.params)
            elif isinstance(node, ast.TryStatement):
                known.update(name for name, _ in node.handlers if name)
        tracker = DataFlowTracker(known)
        result = FlowResult()
        tracker.track_function([], program.items, result)
        for info in self.functions.values():
            tracker.track_function(info.params, info.node.body, result)
        for name, call in result.tainted_sinks:
            self._report("high", "tainted_sink", f"function parameter flows into '{name}'", call,
                         "CWE-20")
        for use in result.undefined_uses:
            self._report("low", "undefined_name", f"'{use.name}' may be used before it is defined",
                         use)
        for node in result.dead_stores:
            self._report("low", "dead_store", f"value assigned to '{node.target}' is never read",
                         node, "CWE-563")
        self.flow_result = result

    # -- pass 7: value ranges (division by zero) -------------------------------------------
    def _ranges(self, program):
        ranges = RangeAnalyzer()
        ranges.analyze([], program.items)
        for info in self.functions.values():
            ranges.analyze(info.params, info.node.body)
        for severity, category, message, line, column in ranges.findings:
            self._report(severity, category, message, line=line, column=column, cwe="CWE-369")

    # -- pass 8: whole-program checks ----------------------------------------------------
    def _deep(self, program):
        deep = DeepSecurityAnalyzer(program, self.source_code)
        for severity, category, message, line, column in deep.run():
            self._report(severity, category, message, line=line, column=column)
        self.bridges_used = deep.bridges_used


def blocking_issues(issues):
    return [i for i in issues if i.severity in BLOCKING]


__all__ = ["SecurityAnalyzer", "SecurityIssue", "ThreatLevel", "blocking_issues"]

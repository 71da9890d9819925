"""ML -> Python transpiler with integrated security analysis and sandbox execution.

execute_with_sandbox() is what `mlpy run` uses:
  cache check (prog.py newer than prog.ml) -> parse -> security analysis ->
  code generation -> write prog.py (+ prog.py.map) -> run in MLSandbox.
"""

import json
import re
from pathlib import Path

from mlpy.ml.analysis.security_analyzer import SecurityAnalyzer, blocking_issues
from mlpy.ml.codegen.python_generator import PythonCodeGenerator
from mlpy.ml.errors.exceptions import MLSecurityError
from mlpy.ml.grammar.parser import MLParser
from mlpy.runtime.capabilities.context import CapabilityContext, CapabilityToken
from mlpy.runtime.profiling import phase
from mlpy.runtime.sandbox import MLSandbox, SandboxConfig
from mlpy.ml.resolution import get_resolver
from mlpy.runtime.whitelist_validator import GENERATED_MARKER

_BRIDGE_IMPORT = re.compile(r"^from (mlpy\.stdlib\.\w+_bridge) import", re.MULTILINE)
_USER_IMPORT = re.compile(r"^import (\w+)", re.MULTILINE)


class MLTranspiler:
    def __init__(self, import_paths=None):
        self.parser = MLParser()
        self.import_paths = list(import_paths or [])
        self.default_sandbox_config = SandboxConfig()

    # -- front end ---------------------------------------------------------------
    def parse_with_security_analysis(self, source_code, source_file=None):
        """Parse, then analyze.  Returns (AST, list of SecurityIssue)."""
        program = self.parser.parse(source_code, source_file)
        return program, self._analyze_security(program, source_code, source_file)

    def _analyze_security(self, program, source_code, source_file):
        with phase("security"):
            analyzer = SecurityAnalyzer(source_file, source_code, self.import_paths)
            return analyzer.analyze(program)

    def _module_security_check(self, strict):
        def check(program, source_code, source_file):
            issues = self._analyze_security(program, source_code, source_file)
            if strict and blocking_issues(issues):
                raise MLSecurityError("imported module failed security analysis:\n  "
                                      + "\n  ".join(str(i) for i in blocking_issues(issues)),
                                      source_file)
        return check

    def transpile_to_python(self, source_code, source_file=None, strict_security=True,
                            generate_source_maps=False, force_modules=False):
        """Returns (python_code or None, issues, map-file dict or None)."""
        program, issues = self.parse_with_security_analysis(source_code, source_file)
        if strict_security and blocking_issues(issues):
            return None, issues, None
        generator = PythonCodeGenerator(
            source_file, generate_source_maps, import_paths=self.import_paths,
            force_modules=force_modules, security_check=self._module_security_check(strict_security),
        )
        python_code, source_map = generator.generate(program)
        return python_code, issues, source_map

    # -- files and cache -----------------------------------------------------------
    @staticmethod
    def _cached_python(source_path, generate_source_maps):
        """prog.py beside prog.ml, if it is newer than prog.ml (real mlpy's cache rule)."""
        py_file = source_path.with_suffix(".py")
        map_file = source_path.with_suffix(".py.map")
        try:
            if py_file.stat().st_mtime < source_path.stat().st_mtime:
                return None
            if generate_source_maps and not map_file.exists():
                return None
            code = py_file.read_text(encoding="utf-8")
        except OSError:
            return None
        return code if code.startswith(f'"""{GENERATED_MARKER}"""') else None

    def transpile_file(self, file_path, strict_security=True, generate_source_maps=False,
                       force_transpile=False):
        """Transpile prog.ml to prog.py (and prog.py.map when asked).

        Returns (python code or None, issues, map-file dict or None, cache hit?)."""
        source_path = Path(file_path)
        if not force_transpile:
            cached = self._cached_python(source_path, generate_source_maps)
            if cached is not None:
                return cached, [], self._cached_map(source_path), True
        source_code = source_path.read_text(encoding="utf-8")
        python_code, issues, source_map = self.transpile_to_python(
            source_code, str(source_path), strict_security, generate_source_maps,
            force_modules=force_transpile)
        if python_code is not None:
            source_path.with_suffix(".py").write_text(python_code, encoding="utf-8")
            if generate_source_maps:
                source_path.with_suffix(".py.map").write_text(json.dumps(source_map, indent=2),
                                                              encoding="utf-8")
        return python_code, issues, source_map, False

    @staticmethod
    def _cached_map(source_path):
        try:
            return json.loads(source_path.with_suffix(".py.map").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    # -- execution -------------------------------------------------------------------
    def required_capabilities(self, python_code, source_dir, seen=None):
        """Capabilities of the stdlib bridges the program (and its ML modules) import."""
        seen = set() if seen is None else seen
        caps = set()
        by_module = {b.python_module: b for b in get_resolver().bridges.values()}
        for python_module in _BRIDGE_IMPORT.findall(python_code):
            bridge = by_module.get(python_module)
            if bridge is not None:
                caps.update(bridge.capabilities)
        for name in _USER_IMPORT.findall(python_code):
            module_py = Path(source_dir) / f"{name}.py"
            if name not in seen and module_py.is_file():
                seen.add(name)
                caps |= self.required_capabilities(module_py.read_text(encoding="utf-8"),
                                                   source_dir, seen)
        return caps

    def execute_with_sandbox(self, source_file, sandbox_config=None, strict_security=True,
                             force_transpile=False, generate_source_maps=False):
        """Returns (SandboxResult or None, issues)."""
        python_code, issues, source_map, _cached = self.transpile_file(
            source_file, strict_security, generate_source_maps, force_transpile)
        if python_code is None:
            return None, issues
        context = CapabilityContext("sandbox_execution")
        for cap in sorted(self.required_capabilities(python_code, Path(source_file).parent)):
            context.add_capability(CapabilityToken(cap))
        with MLSandbox(sandbox_config or self.default_sandbox_config) as sandbox:
            result = sandbox._execute_python_code(python_code, context)
        result.source_map = source_map
        return result, issues


ml_transpiler = None


def _default_transpiler():
    global ml_transpiler
    if ml_transpiler is None:
        ml_transpiler = MLTranspiler()
    return ml_transpiler


def transpile_ml_code(source_code, source_file=None, strict_security=True,
                      generate_source_maps=False):
    return _default_transpiler().transpile_to_python(source_code, source_file, strict_security,
                                                     generate_source_maps)


def transpile_ml_file(file_path, strict_security=True, generate_source_maps=False):
    return _default_transpiler().transpile_file(file_path, strict_security, generate_source_maps,
                                                force_transpile=True)


def execute_ml_code_sandbox(source_file, **options):
    return _default_transpiler().execute_with_sandbox(source_file, **options)

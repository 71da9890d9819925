"""MLSandbox: runs transpiled ML code in a separate Python process.

For each execution the sandbox
  1. creates tempfile.TemporaryDirectory(prefix="mlpy_sandbox_"),
  2. writes <tmp>/sandbox_execution.py from SCRIPT_TEMPLATE, pasting the
     whole transpiled module, indented by 8 spaces, inside main()'s try:,
  3. starts [sys.executable, <tmp>/sandbox_execution.py] with a copied,
     cleaned environment (PYTHONPATH gets the mlpy package root), cwd=<tmp>,
     and rlimits applied in preexec_fn,
  4. waits for it (communicate), parses the __MLPY_RESULT__ line, and
  5. deletes <tmp> on exit from the `with MLSandbox(...)` block, right after
     the child has exited.
"""

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from mlpy.runtime.profiling import phase

from .context_serializer import CapabilityContextSerializer
from .resource_monitor import ResourceLimits, ResourceMonitor, parse_size

RESULT_MARKER = "__MLPY_RESULT__"
SCRIPT_NAME = "sandbox_execution.py"
PACKAGE_ROOT = Path(__file__).resolve().parents[3]  # directory that contains mlpy/
DANGEROUS_ENV_VARS = ("LD_PRELOAD", "DYLD_INSERT_LIBRARIES", "PYTHONSTARTUP")

SCRIPT_TEMPLATE = '''#!/usr/bin/env python3
"""MLPy Sandbox Execution Script"""

import sys
import json as _stdlib_json
import traceback
from pathlib import Path

# The mlpy runtime must be importable before user code runs (module level, so
# user imports inside main() cannot shadow these names).
sys.path.insert(0, {runtime_path!r})

# Capability context granted by the parent (base64, or None)
CAPABILITY_CONTEXT_DATA = {context_data}

def setup_capabilities():
    """Activate the serialized capability context in this process."""
    if CAPABILITY_CONTEXT_DATA and CAPABILITY_CONTEXT_DATA != "None":
        try:
            from mlpy.runtime.sandbox.context_serializer import CapabilityContextSerializer
            from mlpy.runtime.capabilities.context import set_current_context

            serializer = CapabilityContextSerializer()
            set_current_context(serializer.deserialize_from_subprocess(CAPABILITY_CONTEXT_DATA))
        except Exception as e:
            print(f"Warning: capability setup failed: {{e}}", file=sys.stderr)

def main():
    """Run the transpiled ML program."""
    try:
        setup_capabilities()

        result = None

        # ---- transpiled ML program (indented by 8 spaces) ----
{code_block}

        # ---- end of transpiled ML program ----
        output = {{
            "success": True,
            "result": result,
            "type": type(result).__name__ if result is not None else None,
        }}
        print("{marker}", _stdlib_json.dumps(output, default=str))

    except Exception as e:
        error_output = {{
            "success": False,
            "error": str(e),
            "error_type": type(e).__name__,
            "traceback": traceback.format_exc(),
        }}
        print("{marker}", _stdlib_json.dumps(error_output, default=str))
        sys.exit(1)

if __name__ == "__main__":
    main()
'''

# Lines of the template above the pasted module: module line 1 is script line CODE_OFFSET + 1.
CODE_OFFSET = SCRIPT_TEMPLATE.split("{code_block}")[0].count("\n")


@dataclass
class SandboxConfig:
    memory_limit: str = "256MB"
    cpu_timeout: float = 30.0
    file_size_limit: str = "10MB"
    temp_dir_limit: str = "50MB"
    network_disabled: bool = True
    strict_mode: bool = True
    python_executable: str | None = None
    extra_env: dict = field(default_factory=dict)


@dataclass
class SandboxResult:
    success: bool
    return_value: object = None
    stdout: str = ""
    stderr: str = ""
    exit_code: int = 0
    execution_time: float = 0.0
    memory_usage: int = 0
    cpu_usage: float = 0.0
    error: str | None = None
    error_type: str | None = None
    error_traceback: str | None = None
    script_path: str | None = None
    code_offset: int = 0  # sandbox script line = transpiled module line + code_offset
    source_map: dict | None = None


class SandboxError(Exception):
    pass


class SandboxTimeoutError(SandboxError):
    pass


class MLSandbox:
    def __init__(self, config=None):
        self.config = config or SandboxConfig()
        self.resource_monitor = ResourceMonitor()
        self.context_serializer = CapabilityContextSerializer()
        self._process = None
        self._temp_dir = None
        self._lock = threading.Lock()

    def __enter__(self):
        self._temp_dir = tempfile.TemporaryDirectory(prefix="mlpy_sandbox_")
        self.resource_monitor.set_limits(self._parse_resource_limits())
        return self

    def __exit__(self, exc_type, exc, tb):
        self._cleanup_sandbox()

    def _cleanup_sandbox(self):
        with self._lock:
            if self._process is not None and self._process.poll() is None:
                self._process.kill()
                self._process.wait()
            if self._temp_dir is not None:
                self._temp_dir.cleanup()
                self._temp_dir = None

    def _parse_resource_limits(self):
        return ResourceLimits(
            memory_limit=parse_size(self.config.memory_limit),
            cpu_timeout=self.config.cpu_timeout,
            file_size_limit=parse_size(self.config.file_size_limit),
            temp_dir_limit=parse_size(self.config.temp_dir_limit),
        )

    # -- script --------------------------------------------------------------
    def _create_execution_script(self, python_code, context=None):
        context_data = "None"
        if context is not None:
            context_data = repr(self.context_serializer.serialize_for_subprocess(context))
        code_block = "\n".join("        " + line for line in python_code.split("\n"))
        script = SCRIPT_TEMPLATE.format(runtime_path=str(PACKAGE_ROOT), context_data=context_data,
                                        code_block=code_block, marker=RESULT_MARKER)
        script_path = Path(self._temp_dir.name) / SCRIPT_NAME
        script_path.write_text(script, encoding="utf-8")
        return script_path

    def _prepare_environment(self):
        env = os.environ.copy()
        env.update(self.config.extra_env)
        python_path = env.get("PYTHONPATH", "")
        env["PYTHONPATH"] = f"{PACKAGE_ROOT}:{python_path}" if python_path else str(PACKAGE_ROOT)
        if self.config.strict_mode:
            for name in DANGEROUS_ENV_VARS:
                env.pop(name, None)
        return env

    def _setup_subprocess_limits(self):
        """preexec_fn: runs in the forked child just before exec."""
        import resource

        limits = self._parse_resource_limits()
        if limits.memory_limit > 0:
            resource.setrlimit(resource.RLIMIT_AS, (limits.memory_limit, limits.memory_limit))
        if limits.cpu_timeout > 0:
            cpu = int(limits.cpu_timeout) + 5
            resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
        if limits.file_size_limit > 0:
            resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_size_limit, limits.file_size_limit))

    # -- execution -------------------------------------------------------------
    def _execute_python_code(self, python_code, context=None):
        if self._temp_dir is None:
            raise SandboxError("sandbox used outside of a 'with MLSandbox()' block")
        started = time.perf_counter()
        with phase("sandbox"):
            script_path = self._create_execution_script(python_code, context)
            env = self._prepare_environment()
            with self._lock:
                self._process = subprocess.Popen(
                    [self.config.python_executable or sys.executable, str(script_path)],
                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                    cwd=self._temp_dir.name, preexec_fn=self._setup_subprocess_limits,
                )
            monitor = threading.Thread(target=self.resource_monitor.start_monitoring,
                                       args=(self._process.pid,), daemon=True)
            monitor.start()
        try:
            stdout, stderr = self._process.communicate(timeout=self.config.cpu_timeout)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.communicate()
            raise SandboxTimeoutError(f"execution timed out after {self.config.cpu_timeout} s")
        finally:
            self.resource_monitor.stop_monitoring()
            monitor.join()
        usage = self.resource_monitor.get_usage()
        elapsed = time.perf_counter() - started
        result = SandboxResult(
            success=self._process.returncode == 0, stdout=stdout, stderr=stderr,
            exit_code=self._process.returncode, execution_time=elapsed,
            memory_usage=usage["memory"],
            cpu_usage=100.0 * usage["cpu_seconds"] / elapsed if elapsed else 0.0,
            script_path=str(script_path), code_offset=CODE_OFFSET,
        )
        self._parse_execution_result(result)
        return result

    @staticmethod
    def _parse_execution_result(result):
        kept = []
        for line in result.stdout.splitlines(keepends=True):
            if not line.startswith(RESULT_MARKER):
                kept.append(line)
                continue
            try:
                data = json.loads(line[len(RESULT_MARKER):])
            except json.JSONDecodeError:
                continue
            if data.get("success"):
                result.return_value = data.get("result")
            else:
                result.success = False
                result.error = data.get("error")
                result.error_type = data.get("error_type")
                result.error_traceback = data.get("traceback")
        result.stdout = "".join(kept)

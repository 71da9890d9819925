"""mlpy command line: `mlpy run FILE`, `mlpy transpile FILE`.

Real mlpy's CLI is built with click and rich; this one uses argparse and
plain text so it needs nothing outside the standard library.  `run` prints
the program's own output unchanged and exits with the program's status
(1 when mlpy itself refuses or fails).
"""

import argparse
import os
import re
import sys
from pathlib import Path

from mlpy import __version__


def _build_parser():
    parser = argparse.ArgumentParser(prog="mlpy", description="Security-first ML language compiler")
    parser.add_argument("--version", action="version", version=f"mlpy {__version__}")
    sub = parser.add_subparsers(dest="command")

    run = sub.add_parser("run", help="transpile and execute an ML program in the sandbox")
    run.add_argument("source_file")
    run.add_argument("--source-map", "--sourcemap", dest="source_map", action="store_true",
                     help="also write prog.py.map (source map v3)")
    run.add_argument("--no-cache", "--force-transpile", dest="no_cache", action="store_true",
                     help="re-transpile even if prog.py is newer than prog.ml")
    run.add_argument("--no-strict", dest="strict", action="store_false",
                     help="run even when security analysis reports critical issues")
    run.add_argument("--memory-limit", default="256MB")
    run.add_argument("--cpu-timeout", type=float, default=30.0)
    run.add_argument("--phase-times", action="store_true",
                     help="print CPU time per mlpy phase to stderr")

    transpile = sub.add_parser("transpile", help="transpile an ML program to Python")
    transpile.add_argument("source_file")
    transpile.add_argument("--source-map", "--sourcemap", dest="source_map", action="store_true")
    transpile.add_argument("--no-strict", dest="strict", action="store_false")
    return parser


def _print_issues(issues, minimum=("critical", "high", "medium")):
    for issue in issues:
        if issue.severity in minimum:
            print(f"mlpy: security {issue}", file=sys.stderr)


def run_command(args):
    from mlpy.ml.errors.exceptions import MLError
    from mlpy.ml.transpiler import MLTranspiler
    from mlpy.runtime.sandbox import SandboxConfig, SandboxError

    source = Path(args.source_file)
    if not source.is_file():
        print(f"mlpy: no such file: {source}", file=sys.stderr)
        return 1
    config = SandboxConfig(memory_limit=args.memory_limit, cpu_timeout=args.cpu_timeout,
                           strict_mode=args.strict)
    try:
        result, issues = MLTranspiler().execute_with_sandbox(
            str(source), sandbox_config=config, strict_security=args.strict,
            force_transpile=args.no_cache, generate_source_maps=args.source_map)
    except (MLError, SandboxError) as e:
        print(f"mlpy: {e}", file=sys.stderr)
        return 1
    _print_issues(issues)
    if result is None:
        print("mlpy: transpilation refused by security analysis", file=sys.stderr)
        return 1
    sys.stdout.write(result.stdout)
    sys.stdout.flush()
    sys.stderr.write(result.stderr)
    if result.error:
        print(f"mlpy: {result.error_type}: {result.error}", file=sys.stderr)
        if result.error_traceback:
            sys.stderr.write(_translate_traceback(result, source))
    code = result.exit_code
    return 128 - code if code < 0 else code


def _translate_traceback(result, source):
    """Annotate sandbox-script frames of a traceback with the ML file and line."""
    from mlpy.ml.codegen.source_map_helpers import original_line

    out = []
    for line in result.error_traceback.splitlines(keepends=True):
        out.append(line)
        if result.source_map is None or result.script_path is None:
            continue
        m = re.match(r'\s*File "(.*)", line (\d+)', line)
        if m and m.group(1) == result.script_path:
            ml_line = original_line(result.source_map, int(m.group(2)) - result.code_offset)
            if ml_line is not None:
                out.append(f"    [ML] {source}:{ml_line}\n")
    return "".join(out)


def transpile_command(args):
    from mlpy.ml.errors.exceptions import MLError
    from mlpy.ml.transpiler import transpile_ml_file

    try:
        code, issues, _map, _cached = transpile_ml_file(args.source_file, args.strict,
                                                        args.source_map)
    except MLError as e:
        print(f"mlpy: {e}", file=sys.stderr)
        return 1
    _print_issues(issues)
    if code is None:
        return 1
    print(f"mlpy: wrote {Path(args.source_file).with_suffix('.py')}", file=sys.stderr)
    return 0


def cli(argv=None):
    args = _build_parser().parse_args(argv)
    if args.command is None:
        _build_parser().print_help()
        return 0
    handler = run_command if args.command == "run" else transpile_command
    status = handler(args)
    if getattr(args, "phase_times", False) or os.environ.get("MLPY_PHASE_TIMES"):
        from mlpy.runtime.profiling import phase_report

        print(phase_report(), file=sys.stderr)
    return status

#!/usr/bin/env python3
"""Check a transpiled module against its source map (used by selftest.sh).

usage: check_sourcemap.py PROG.ml

Reads PROG.py and PROG.py.map beside PROG.ml and checks that the map is a
source map v3 (version, sources, sourcesContent equal to PROG.ml, VLQ
mappings), and that every `def NAME(` line in PROG.py maps to the line of
`function NAME(` in PROG.ml.  The VLQ decoder here is independent of
mlpy's encoder on purpose.  Exit status 0 when everything matches.
"""

import json
import re
import sys
from pathlib import Path

B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def decode_segment(segment):
    values, value, shift = [], 0, 0
    for ch in segment:
        digit = B64.index(ch)
        value |= (digit & 0x1F) << shift
        if digit & 0x20:
            shift += 5
        else:
            values.append(-(value >> 1) if value & 1 else value >> 1)
            value, shift = 0, 0
    return values


def line_table(mappings):
    """generated line (1-based) -> original line (1-based) of its first segment."""
    table, src_line = {}, 0
    for gen_line, group in enumerate(mappings.split(";"), start=1):
        for segment in filter(None, group.split(",")):
            fields = decode_segment(segment)
            if len(fields) >= 4:
                src_line += fields[2]
                table.setdefault(gen_line, src_line + 1)
    return table


def main(ml_path):
    ml_path = Path(ml_path)
    py_path, map_path = ml_path.with_suffix(".py"), ml_path.with_suffix(".py.map")
    errors = []
    ml_text = ml_path.read_text(encoding="utf-8")
    py_lines = py_path.read_text(encoding="utf-8").splitlines()
    source_map = json.loads(map_path.read_text(encoding="utf-8"))["sourceMap"]
    if source_map.get("version") != 3:
        errors.append("version is not 3")
    if source_map.get("sources") != [ml_path.name]:
        errors.append(f"sources is {source_map.get('sources')}, expected [{ml_path.name!r}]")
    if source_map.get("sourcesContent") != [ml_text]:
        errors.append("sourcesContent differs from the .ml file")
    table = line_table(source_map["mappings"])

    ml_functions = {}
    for number, line in enumerate(ml_text.splitlines(), start=1):
        m = re.match(r"\s*function\s+(\w+)\s*\(", line)
        if m:
            ml_functions.setdefault(m.group(1), number)
    checked = 0
    for number, line in enumerate(py_lines, start=1):
        m = re.match(r"\s*def\s+(\w+)\s*\(", line)
        if not m or m.group(1).startswith("_arrow_"):
            continue
        name = m.group(1)
        expected = ml_functions.get(name)
        got = table.get(number)
        checked += 1
        if expected is None:
            errors.append(f"{py_path.name}:{number} def {name}: no 'function {name}(' in {ml_path.name}")
        elif got != expected:
            errors.append(f"{py_path.name}:{number} def {name} maps to {ml_path.name}:{got}, "
                          f"expected {expected}")
    if checked == 0:
        errors.append(f"no def lines found in {py_path.name}")
    for error in errors:
        print("sourcemap: " + error)
    if not errors:
        print(f"sourcemap: {py_path.name}: {checked} function(s) map to their .ml lines")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))

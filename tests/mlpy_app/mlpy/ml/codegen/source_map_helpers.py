"""Source maps (version 3) linking generated Python lines to ML lines.

The .py.map file written next to a transpiled module is JSON of the form
{"sourceMap": {version, file, sourceRoot, sources, names, mappings,
sourcesContent}, "debugInfo": {...}}, where mappings uses the standard
base64 VLQ encoding: one ';'-separated group per generated line (0-based),
each segment [generated column, source index, source line, source column,
name index], every field but the first column delta-encoded across the file.
"""

from dataclasses import dataclass

_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_B64_INDEX = {ch: i for i, ch in enumerate(_B64)}


@dataclass
class SourceMapping:
    generated_line: int  # 1-based line in the .py file
    generated_column: int  # 0-based
    original_line: int  # 1-based line in the .ml file
    original_column: int  # 0-based
    name: str | None = None


def vlq_encode(value):
    """Encode one signed integer as base64 VLQ."""
    bits = (-value << 1) | 1 if value < 0 else value << 1
    out = []
    while True:
        digit = bits & 31
        bits >>= 5
        if bits:
            digit |= 32
        out.append(_B64[digit])
        if not bits:
            return "".join(out)


def vlq_decode_segment(segment):
    """Decode one segment ("AAgBC") into its list of signed integers."""
    values, shift, acc = [], 0, 0
    for ch in segment:
        digit = _B64_INDEX[ch]
        acc += (digit & 31) << shift
        if digit & 32:
            shift += 5
            continue
        values.append(-(acc >> 1) if acc & 1 else acc >> 1)
        shift, acc = 0, 0
    return values


def encode_mappings(mappings, names):
    """VLQ-encode SourceMappings (single source, index 0)."""
    by_line = {}
    for m in mappings:
        by_line.setdefault(m.generated_line, []).append(m)
    last_line = max(by_line, default=0)
    groups = []
    prev_src_line = prev_src_col = prev_name = 0
    for line in range(1, last_line + 1):
        segments, prev_col = [], 0
        for m in sorted(by_line.get(line, ()), key=lambda m: m.generated_column):
            fields = [m.generated_column - prev_col, 0, (m.original_line - 1) - prev_src_line,
                      m.original_column - prev_src_col]
            prev_col = m.generated_column
            prev_src_line, prev_src_col = m.original_line - 1, m.original_column
            if m.name is not None:
                index = names.index(m.name)
                fields.append(index - prev_name)
                prev_name = index
            segments.append("".join(vlq_encode(f) for f in fields))
        groups.append(",".join(segments))
    return ";".join(groups)


def decode_mappings(text):
    """Inverse of encode_mappings: list of (gen_line, gen_col, src, src_line, src_col, name)
    with 1-based lines, for checks and tests."""
    out = []
    src = src_line = src_col = name = 0
    for gen_line, group in enumerate(text.split(";"), start=1):
        col = 0
        for segment in filter(None, group.split(",")):
            fields = vlq_decode_segment(segment)
            col += fields[0]
            if len(fields) >= 4:
                src += fields[1]
                src_line += fields[2]
                src_col += fields[3]
                name_index = None
                if len(fields) == 5:
                    name += fields[4]
                    name_index = name
                out.append((gen_line, col, src, src_line + 1, src_col, name_index))
    return out


def original_line(map_file, generated_line):
    """ML line for a line of the generated .py, from .py.map content (None if unmapped)."""
    best = None
    for gen_line, _col, _src, src_line, _src_col, _name in decode_mappings(
            map_file["sourceMap"]["mappings"]):
        if gen_line > generated_line:
            break
        best = src_line
    return best


def build_source_map(mappings, generated_file, source_name, source_content):
    """The standard source map v3 object."""
    names = []
    for m in mappings:
        if m.name is not None and m.name not in names:
            names.append(m.name)
    return {
        "version": 3,
        "file": generated_file,
        "sourceRoot": "",
        "sources": [source_name],
        "names": names,
        "mappings": encode_mappings(mappings, names),
        "sourcesContent": [source_content],
    }


def build_map_file(mappings, generated_file, source_name, source_content, symbols):
    """Content of a .py.map file: the v3 map plus mlpy's debug information."""
    return {
        "sourceMap": build_source_map(mappings, generated_file, source_name, source_content),
        "debugInfo": {
            "symbolTable": symbols,
            "detailedMappings": [
                {"generated": {"line": m.generated_line, "column": m.generated_column},
                 "original": {"line": m.original_line, "column": m.original_column},
                 "name": m.name}
                for m in mappings
            ],
        },
    }

"""Keeps generated Python readable: wraps long lines at top-level commas.

A call such as _safe_call(builtin.print, a, b, c) longer than the limit is
broken after the commas of its outermost open bracket, continuation lines
aligned under the first argument.  Brackets inside string literals are
ignored.  Only whole statements are passed in, so every piece stays inside
the bracket it started in and the result is still valid Python.
"""

LIMIT = 99
_OPEN, _CLOSE = "([{", ")]}"


def _split_points(line):
    """(column after the outermost opening bracket, [top-level comma columns])."""
    depth, quote, escaped = 0, None, False
    anchor, commas = None, []
    for col, ch in enumerate(line):
        if quote is not None:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == quote:
                quote = None
            continue
        if ch in "'\"":
            quote = ch
        elif ch in _OPEN:
            depth += 1
            if depth == 1 and anchor is None:
                anchor = col + 1
        elif ch in _CLOSE:
            depth -= 1
        elif ch == "," and depth == 1 and anchor is not None:
            commas.append(col)
    return anchor, commas


def wrap_line(line, limit=LIMIT):
    """Return the physical lines for one logical line of generated code."""
    if len(line) <= limit or line.lstrip().startswith("#"):
        return [line]
    anchor, commas = _split_points(line)
    if anchor is None or not commas:
        return [line]
    pieces, start = [], 0
    for comma in commas:
        pieces.append(line[start:comma + 1])
        start = comma + 1
    pieces.append(line[start:])
    out, current = [], pieces[0]
    indent = " " * anchor
    for piece in pieces[1:]:
        piece = piece.lstrip()
        if len(current) + 1 + len(piece) > limit:
            out.append(current)
            current = indent + piece
        else:
            current += " " + piece
    out.append(current)
    return out

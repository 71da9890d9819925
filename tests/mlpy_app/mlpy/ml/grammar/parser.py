"""ML language parser: lexer + table-driven LALR(1) parser.

Mirrors real mlpy's MLParser, which wraps a lark LALR parser: the grammar
file (ml.grammar here, ml.lark there) is compiled into parse tables lazily, on
the first parse, then each program is lexed and parsed into a parse tree that
MLTransformer (transformer.py) turns into the AST of ast_nodes.py.
"""

import re
from pathlib import Path

from mlpy.ml.errors.exceptions import MLParseError, MLSyntaxError
from mlpy.runtime.profiling import phase

from .ast_nodes import Program
from .lalr import END, build_parse_table, load_grammar
from .transformer import MLTransformer


class Token:
    __slots__ = ("type", "value", "line", "column")

    def __init__(self, type_, value, line, column):
        self.type, self.value, self.line, self.column = type_, value, line, column

    def __repr__(self):
        return f"Token({self.type}, {self.value!r}, {self.line}:{self.column})"


class Tree:
    """Parse-tree node: rule (or alias) name and children (Trees or Tokens)."""

    __slots__ = ("data", "children", "line", "column", "spliced")

    def __init__(self, data, children, line, column, spliced=False):
        self.data, self.children = data, children
        self.line, self.column, self.spliced = line, column, spliced

    def __repr__(self):
        return f"Tree({self.data}, {self.children!r})"


class Lexer:
    """Regex lexer built from the grammar's terminals and literals.

    Keywords ("while", "function", ...) are lexed as NAME and re-typed.  An
    ignored terminal (COMMENT) that also matches a literal ("//", floor
    division) yields the literal when the parser can accept it there, like
    lark's contextual lexer with FLOORDIV/COMMENT priorities.
    """

    def __init__(self, grammar):
        self.keywords = {lit for lit in grammar.literals if re.fullmatch(r"[A-Za-z_]\w*", lit)}
        punct = sorted(grammar.literals - self.keywords, key=len, reverse=True)
        parts = [f"(?P<{name}>{grammar.terminals[name]})" for name in grammar.ignore]
        parts += [
            f"(?P<{name}>{src})" for name, src in grammar.terminals.items() if name not in grammar.ignore
        ]
        self.punct_groups = {}
        for i, lit in enumerate(punct):
            group = f"P{i}"
            self.punct_groups[group] = lit
            parts.append(f"(?P<{group}>{re.escape(lit)})")
        self.master = re.compile("|".join(parts))
        self.ignore = set(grammar.ignore)
        self.shadowed = {
            name: [lit for lit in punct if re.fullmatch(grammar.terminals[name], lit)]
            for name in grammar.ignore
        }

    def tokens(self, text, accepts):
        """Yield Tokens; accepts(type) tells whether the parser can shift type now."""
        pos, line, line_start = 0, 1, 0
        n = len(text)
        while pos < n:
            m = self.master.match(text, pos)
            if m is None:
                raise MLSyntaxError(
                    f"unexpected character {text[pos]!r}", line_number=line, column=pos - line_start + 1
                )
            kind, value = m.lastgroup, m.group()
            if kind in self.ignore:
                literal = next(
                    (lit for lit in self.shadowed[kind] if value.startswith(lit) and accepts(lit)), None
                )
                if literal is None:
                    newlines = value.count("\n")
                    if newlines:
                        line += newlines
                        line_start = pos + value.rindex("\n") + 1
                    pos = m.end()
                    continue
                kind, value = literal, literal
            elif kind in self.punct_groups:
                kind = self.punct_groups[kind]
            elif kind == "NAME" and value in self.keywords:
                kind = value
            yield Token(kind, value, line, pos - line_start + 1)
            pos += len(value)
        yield Token(END, "", line, pos - line_start + 1)


class LALRParser:
    """Drives the ACTION/GOTO tables and builds the parse tree."""

    def __init__(self, grammar, table):
        self.grammar = grammar
        self.table = table
        self.lexer = Lexer(grammar)
        self.literals = grammar.literals
        self.options = grammar.options

    def parse(self, text):
        action, goto, prods = self.table.action, self.table.goto, self.table.productions
        states, values = [0], []
        tokens = self.lexer.tokens(text, lambda t: t in action[states[-1]])
        tok = next(tokens)
        while True:
            entry = action[states[-1]].get(tok.type)
            if entry is None:
                self._syntax_error(tok, action[states[-1]])
            kind, arg = entry
            if kind == "shift":
                states.append(arg)
                values.append(tok)
                tok = next(tokens)
            elif kind == "reduce":
                lhs, rhs, alias = prods[arg]
                n = len(rhs)
                children = values[len(values) - n:] if n else []
                if n:
                    del values[-n:]
                    del states[-n:]
                values.append(self._make_node(lhs, rhs, alias, children, tok))
                states.append(goto[states[-1]][lhs])
            else:
                return values[-1]

    def _make_node(self, lhs, rhs, alias, items, lookahead):
        children = []
        for sym, item in zip(rhs, items):
            if sym in self.literals:
                continue
            if isinstance(item, Tree) and item.spliced:
                children.extend(item.children)
            else:
                children.append(item)
        opts = self.options.get(lhs)
        if alias is None and opts is not None:
            if opts.inline_single and len(children) == 1:
                return children[0]
            spliced = opts.splice
        else:
            spliced = False
        first = items[0] if items else lookahead
        return Tree(alias or lhs, children, first.line, first.column, spliced)

    @staticmethod
    def _syntax_error(tok, row):
        expected = sorted(t for t in row if not t.startswith("$"))
        shown = ", ".join(repr(t) for t in expected[:8]) + (" ..." if len(expected) > 8 else "")
        got = "end of input" if tok.type == END else repr(tok.value)
        raise MLSyntaxError(f"unexpected {got}; expected one of {shown}", line_number=tok.line,
                            column=tok.column)


_GRAMMAR_PATH = Path(__file__).parent / "ml.grammar"
_compiled = {}  # grammar path -> LALRParser, built once per process


class MLParser:
    """Security-first ML language parser (same interface as real mlpy's)."""

    def __init__(self):
        self._transformer = MLTransformer()
        self._grammar_path = _GRAMMAR_PATH

    @property
    def parser(self):
        """The LALR parser, compiled from the grammar file on first use."""
        key = str(self._grammar_path)
        if key not in _compiled:
            try:
                grammar = load_grammar(self._grammar_path.read_text(encoding="utf-8"))
                _compiled[key] = LALRParser(grammar, build_parse_table(grammar))
            except Exception as e:
                raise MLParseError(f"failed to initialize parser: {e}") from e
        return _compiled[key]

    def parse(self, source_code, source_file=None):
        """Parse ML source into a Program AST (raises MLSyntaxError)."""
        if not source_code.strip():
            return Program(items=[], line=1, column=1)
        with phase("parsing"):
            try:
                tree = self.parser.parse(source_code)
                return self._transformer.transform(tree, source_file)
            except MLSyntaxError as e:
                e.source_file = source_file
                raise

    def parse_file(self, file_path):
        path = Path(file_path)
        return self.parse(path.read_text(encoding="utf-8"), source_file=str(path))


ml_parser = MLParser()


def parse_ml_code(source_code, source_file=None):
    return ml_parser.parse(source_code, source_file)

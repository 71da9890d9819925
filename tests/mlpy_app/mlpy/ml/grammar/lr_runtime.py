"""Run-time half of the LALR machinery: tokens, trees, lexer, parser driver.

Used twice, like lark: once to read grammar files with the EBNF
meta-grammar (grammar_loader.py), once to parse ML programs (parser.py).
Trees carry positions of their first and last token (lark's
propagate_positions=True).
"""

import re

from mlpy.ml.errors.exceptions import MLSyntaxError

from .lalr import END


class Token:
    __slots__ = ("type", "value", "line", "column", "end_line", "end_column", "start_pos", "end_pos")

    def __init__(self, type_, value, line, column, start_pos):
        self.type, self.value = type_, value
        self.line, self.column, self.start_pos = line, column, start_pos
        self.end_pos = start_pos + len(value)
        newlines = value.count("\n")
        self.end_line = line + newlines
        self.end_column = (len(value) - value.rindex("\n") if newlines else column + len(value))

    def __repr__(self):
        return f"Token({self.type}, {self.value!r}, {self.line}:{self.column})"


class Tree:
    """Parse-tree node: rule (or alias) name and children (Trees or Tokens)."""

    __slots__ = ("data", "children", "line", "column", "end_line", "end_column", "start_pos",
                 "end_pos", "spliced")

    def __init__(self, data, children, first, last, spliced=False):
        self.data, self.children, self.spliced = data, children, spliced
        self.line, self.column, self.start_pos = first.line, first.column, first.start_pos
        self.end_line, self.end_column, self.end_pos = last.end_line, last.end_column, last.end_pos

    def __repr__(self):
        return f"Tree({self.data}, {self.children!r})"


class Lexer:
    """Regex lexer built from a grammar's terminals and literals.

    Keywords ("while", "function", ...) are lexed as NAME and re-typed.  An
    ignored terminal (COMMENT) that also matches a literal ("//", floor
    division) yields the literal when the parser can accept it there, like
    lark's contextual lexer with FLOORDIV/COMMENT priorities.
    """

    def __init__(self, grammar, name_terminal="NAME"):
        self.keywords = {lit for lit in grammar.literals if re.fullmatch(r"[A-Za-z_]\w*", lit)}
        self.name_terminal = name_terminal
        punct = sorted(grammar.literals - self.keywords, key=len, reverse=True)
        parts = [f"(?P<{name}>{grammar.terminals[name]})" for name in grammar.ignore]
        parts += [f"(?P<{name}>{src})" for name, src in grammar.terminals.items()
                  if name not in grammar.ignore]
        self.punct_groups = {}
        for i, lit in enumerate(punct):
            self.punct_groups[f"P{i}"] = lit
            parts.append(f"(?P<P{i}>{re.escape(lit)})")
        self.master = re.compile("|".join(parts))
        self.ignore = set(grammar.ignore)
        self.shadowed = {
            name: [lit for lit in punct if re.fullmatch(grammar.terminals[name], lit)]
            for name in grammar.ignore
        }

    def tokens(self, text, accepts):
        """Yield Tokens; accepts(type) tells whether the parser can take type now."""
        pos, line, line_start, n = 0, 1, 0, len(text)
        while pos < n:
            m = self.master.match(text, pos)
            if m is None:
                raise MLSyntaxError(f"unexpected character {text[pos]!r}", line_number=line,
                                    column=pos - line_start + 1)
            kind, value = m.lastgroup, m.group()
            if kind in self.ignore:
                literal = next((lit for lit in self.shadowed[kind]
                                if value.startswith(lit) and accepts(lit)), None)
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
            elif kind == self.name_terminal and value in self.keywords:
                kind = value
            token = Token(kind, value, line, pos - line_start + 1, pos)
            yield token
            if token.end_line != line:
                line, line_start = token.end_line, pos + value.rindex("\n") + 1
            pos += len(value)
        yield Token(END, "", line, pos - line_start + 1, pos)


class LALRParser:
    """Drives ACTION/GOTO tables and builds the parse tree."""

    def __init__(self, grammar, table, name_terminal="NAME"):
        self.grammar = grammar
        self.table = table
        self.lexer = Lexer(grammar, name_terminal)
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
                items = values[len(values) - n:] if n else []
                if n:
                    del values[-n:]
                    del states[-n:]
                values.append(self._make_node(lhs, rhs, alias, items, tok))
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
        spliced = False
        if alias is None and opts is not None:
            if opts.inline_single and len(children) == 1:
                return children[0]
            spliced = opts.splice
        first = items[0] if items else lookahead
        last = items[-1] if items else lookahead
        return Tree(alias or lhs, children, first, last, spliced)

    @staticmethod
    def _syntax_error(tok, row):
        expected = sorted(t for t in row if not t.startswith("$"))
        shown = ", ".join(repr(t) for t in expected[:8]) + (" ..." if len(expected) > 8 else "")
        got = "end of input" if tok.type == END else repr(tok.value)
        raise MLSyntaxError(f"unexpected {got}; expected one of {shown}", line_number=tok.line,
                            column=tok.column)

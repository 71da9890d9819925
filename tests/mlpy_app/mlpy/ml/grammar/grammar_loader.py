"""Reads EBNF grammar files (ml.grammar) into plain LALR productions.

Like lark, the grammar language itself is parsed with an LALR parser: the
meta-grammar below is turned into parse tables on first use (cached for the
process), each grammar definition is parsed into a tree, and the trees are
compiled into productions: ? and * / + become optional items and helper
repetition rules, ( ... ) groups become helper rules.
"""

import itertools

from .lalr import Grammar, GrammarError, RuleOptions, build_parse_table
from .lr_runtime import LALRParser

_META_RULES = [
    # (lhs, rhs, alias)
    ("definition", ("RULE", ":", "_expansions"), "rule_def"),
    ("definition", ("?", "RULE", ":", "_expansions"), "inline_rule_def"),
    ("definition", ("TERM", ":", "REGEXP"), "term_def"),
    ("definition", ("TERM", ":", "STRING"), "term_def"),
    ("definition", ("%ignore", "_terms"), "ignore_def"),
    ("_terms", ("TERM",), None),
    ("_terms", ("_terms", "TERM"), None),
    ("_expansions", ("alias",), None),
    ("_expansions", ("_expansions", "|", "alias"), None),
    ("alias", ("_expansion",), None),
    ("alias", ("_expansion", "->", "RULE"), "aliased"),
    ("_expansion", (), None),
    ("_expansion", ("_expansion", "expr"), None),
    ("expr", ("atom",), None),
    ("expr", ("atom", "?"), "opt"),
    ("expr", ("atom", "*"), "star"),
    ("expr", ("atom", "+"), "plus"),
    ("atom", ("(", "_expansions", ")"), "group"),
    ("atom", ("RULE",), "rule_ref"),
    ("atom", ("TERM",), "term_ref"),
    ("atom", ("STRING",), "literal"),
]
_META_TERMINALS = {
    "WS": r"[ \t]+",
    "COMMENT": r"//[^\n]*",
    "RULE": r"[_a-z][_a-z0-9]*",
    "TERM": r"[A-Z][_A-Z0-9]*",
    "STRING": r'"(?:[^"\\]|\\.)*"',
    "REGEXP": r"/(?:[^/\\\n]|\\.)+/",
}
_meta_parser = None


def _get_meta_parser():
    """LALR parser for the grammar language (built once per process)."""
    global _meta_parser
    if _meta_parser is None:
        meta = Grammar()
        meta.start = "definition"
        meta.productions = list(_META_RULES)
        meta.terminals = dict(_META_TERMINALS)
        meta.ignore = ["WS", "COMMENT"]
        meta.literals = {":", "|", "->", "(", ")", "?", "*", "+", "%ignore"}
        for lhs, _, _ in _META_RULES:
            meta.options[lhs] = RuleOptions(inline_single=lhs in ("expr", "atom"),
                                            splice=lhs.startswith("_"))
        _meta_parser = LALRParser(meta, build_parse_table(meta), name_terminal="RULE")
    return _meta_parser


def _logical_lines(text):
    """One definition per logical line: '|' continuation lines are joined."""
    lines = []
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not stripped or stripped.startswith("//"):
            continue
        if stripped.startswith("|") and lines:
            lines[-1][1] += " " + stripped
        else:
            lines.append([number, stripped])
    return lines


class _Compiler:
    """Turns definition trees into Grammar productions."""

    def __init__(self, grammar):
        self.g = grammar
        self.counter = 0

    def definition(self, tree):
        kind = tree.data
        if kind == "ignore_def":
            self.g.ignore.extend(tok.value for tok in tree.children)
        elif kind == "term_def":
            name, body = tree.children
            source = body.value[1:-1]
            self.g.terminals[name.value] = source if body.type == "REGEXP" else _escape(source)
        else:
            name, *alternatives = tree.children
            self.g.options[name.value] = RuleOptions(inline_single=kind == "inline_rule_def",
                                                     splice=name.value.startswith("_"))
            self._rule(name.value, alternatives)

    def _rule(self, name, alternatives):
        for alt in alternatives:
            items = alt.children
            alias = None
            if alt.data == "aliased":
                items, alias = items[:-1], items[-1].value
            self._emit(name, [self._item(expr) for expr in items], alias)

    def _item(self, expr):
        """-> (symbol, optional?)"""
        if expr.data in ("opt", "star", "plus"):
            symbol = self._atom(expr.children[0])
            if expr.data == "opt":
                return symbol, True
            return self._repeat_rule(symbol), expr.data == "star"
        return self._atom(expr), False

    def _atom(self, atom):
        if atom.data == "group":
            self.counter += 1
            name = f"__group_{self.counter}"
            self.g.options[name] = RuleOptions(splice=True)
            self._rule(name, atom.children)
            return name
        token = atom.children[0]
        if atom.data == "literal":
            literal = token.value[1:-1].encode().decode("unicode_escape")
            self.g.literals.add(literal)
            return literal
        return token.value

    def _repeat_rule(self, symbol):
        # X+  ==>  __rep: __rep X | X   (spliced, so the parent sees a flat list)
        self.counter += 1
        name = f"__rep_{self.counter}"
        self.g.options[name] = RuleOptions(splice=True)
        self.g.productions.append((name, (name, symbol), None))
        self.g.productions.append((name, (symbol,), None))
        return name

    def _emit(self, name, items, alias):
        """Expand optional items into separate productions."""
        optional = [i for i, (_, opt) in enumerate(items) if opt]
        for present in itertools.product((True, False), repeat=len(optional)):
            keep = dict(zip(optional, present))
            rhs = tuple(sym for i, (sym, _) in enumerate(items) if keep.get(i, True))
            self.g.productions.append((name, rhs, alias))


def _escape(text):
    import re

    return re.escape(text.encode().decode("unicode_escape"))


def load_grammar(text):
    """Read an EBNF grammar text into a Grammar of plain productions."""
    parser = _get_meta_parser()
    grammar = Grammar()
    compiler = _Compiler(grammar)
    for number, line in _logical_lines(text):
        try:
            compiler.definition(parser.parse(line))
        except Exception as e:
            raise GrammarError(f"grammar line {number}: {e}") from e
    _check_symbols(grammar)
    return grammar


def _check_symbols(g):
    nonterminals = g.nonterminals()
    for name in g.ignore:
        if name not in g.terminals:
            raise GrammarError(f"%ignore of unknown terminal {name}")
    for lhs, rhs, _ in g.productions:
        for sym in rhs:
            if sym not in nonterminals and sym not in g.terminals and sym not in g.literals:
                raise GrammarError(f"rule {lhs} uses undefined symbol {sym}")
    if g.start not in nonterminals:
        raise GrammarError(f"no rule for start symbol {g.start}")

"""Grammar loading and LALR(1) table construction for the ML parser.

Real mlpy hands ml.lark to the lark library (parser="lalr"), which reads the
grammar and builds LALR(1) tables the first time the parser is used.  lark is
not available here, so this module does the same job: it reads ml.grammar
(an EBNF dialect, see the header of that file), expands ?, *, + and groups
into plain productions, and builds the ACTION/GOTO tables with the classic
"spontaneous + propagated lookahead" LALR(1) construction.
"""

import itertools
import re
from collections import defaultdict

END = "$END"
AUGMENTED_START = "$start"
PROPAGATE = "#"


class GrammarError(Exception):
    """The grammar file is malformed or not LALR(1)."""


class RuleOptions:
    """How reductions of a rule become parse-tree nodes."""

    __slots__ = ("inline_single", "splice")

    def __init__(self, inline_single=False, splice=False):
        self.inline_single = inline_single  # "?rule": drop node if one child
        self.splice = splice  # "_rule": children go into the parent


class Grammar:
    """Plain productions plus terminal definitions."""

    def __init__(self):
        self.productions = []  # (lhs, rhs tuple, alias or None)
        self.options = {}  # rule name -> RuleOptions
        self.terminals = {}  # NAME -> regex source
        self.literals = set()  # anonymous literal tokens, e.g. "(" or "while"
        self.ignore = []  # terminal names skipped by the lexer
        self.start = "start"

    def nonterminals(self):
        return {lhs for lhs, _, _ in self.productions}


# --------------------------------------------------------------------------
# Reading the EBNF grammar file
# --------------------------------------------------------------------------

_GRAMMAR_TOKEN = re.compile(
    r"""
      (?P<WS>[ \t]+)
    | (?P<COMMENT>//[^\n]*)
    | (?P<STRING>"(?:[^"\\]|\\.)*")
    | (?P<REGEX>/(?:[^/\\\n]|\\.)+/)
    | (?P<ARROW>->)
    | (?P<DIRECTIVE>%[a-z]+)
    | (?P<NAME>[A-Za-z_][A-Za-z0-9_]*)
    | (?P<OP>[:|()?*+])
    """,
    re.VERBOSE,
)


def _logical_lines(text):
    """Join alternatives written on '|' continuation lines to their rule."""
    lines = []
    for raw in text.splitlines():
        stripped = raw.strip()
        if not stripped or stripped.startswith("//"):
            continue
        if stripped.startswith("|") and lines:
            lines[-1] += " " + stripped
        else:
            lines.append(stripped)
    return lines


def _tokenize_line(line):
    pos, out = 0, []
    while pos < len(line):
        m = _GRAMMAR_TOKEN.match(line, pos)
        if m is None:
            raise GrammarError(f"cannot read grammar near {line[pos:pos + 20]!r}")
        kind = m.lastgroup
        if kind not in ("WS", "COMMENT"):
            out.append((kind, m.group()))
        pos = m.end()
    return out


class _RuleReader:
    """Recursive-descent reader for one rule body; emits plain productions."""

    def __init__(self, grammar, counter):
        self.g = grammar
        self.counter = counter
        self.toks = []
        self.pos = 0

    def _peek(self):
        return self.toks[self.pos] if self.pos < len(self.toks) else (None, None)

    def _take(self):
        tok = self._peek()
        self.pos += 1
        return tok

    def read_rule(self, name, tokens):
        self.toks, self.pos = tokens, 0
        for seq, alias in self._alternatives():
            self._emit(name, seq, alias)
        if self.pos != len(self.toks):
            raise GrammarError(f"unexpected {self._peek()[1]!r} in rule {name}")

    def _alternatives(self):
        alts = [self._sequence()]
        while self._peek() == ("OP", "|"):
            self._take()
            alts.append(self._sequence())
        return alts

    def _sequence(self):
        items, alias = [], None
        while True:
            kind, value = self._peek()
            if kind is None or value in ("|", ")"):
                break
            if kind == "ARROW":
                self._take()
                alias = self._take()[1]
                break
            items.append(self._item())
        return items, alias

    def _item(self):
        kind, value = self._take()
        if kind == "STRING":
            literal = value[1:-1].encode().decode("unicode_escape")
            self.g.literals.add(literal)
            symbol = literal
        elif kind == "NAME":
            symbol = value
        elif (kind, value) == ("OP", "("):
            symbol = self._helper_rule("group", self._alternatives())
            if self._take() != ("OP", ")"):
                raise GrammarError("missing ')' in grammar")
        else:
            raise GrammarError(f"unexpected {value!r} in grammar")
        kind, value = self._peek()
        if kind == "OP" and value in "?*+":
            self._take()
            if value == "?":
                return (symbol, True)
            repeated = self._repeat_rule(symbol)
            return (repeated, value == "*")
        return (symbol, False)

    def _helper_rule(self, what, alternatives):
        self.counter[0] += 1
        name = f"__{what}_{self.counter[0]}"
        self.g.options[name] = RuleOptions(splice=True)
        for seq, _alias in alternatives:
            self._emit(name, seq, None)
        return name

    def _repeat_rule(self, symbol):
        # X+  ==>  __rep: __rep X | X   (spliced, so the parent sees a flat list)
        self.counter[0] += 1
        name = f"__rep_{self.counter[0]}"
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


def load_grammar(text):
    """Read an EBNF grammar text into a Grammar of plain productions."""
    g = Grammar()
    counter = [0]
    reader = _RuleReader(g, counter)
    for line in _logical_lines(text):
        toks = _tokenize_line(line)
        if toks[0] == ("DIRECTIVE", "%ignore"):
            g.ignore.extend(v for _, v in toks[1:])
            continue
        inline = toks[0] == ("OP", "?")
        if inline:
            toks = toks[1:]
        if len(toks) < 3 or toks[0][0] != "NAME" or toks[1] != ("OP", ":"):
            raise GrammarError(f"bad grammar line: {line}")
        name, body = toks[0][1], toks[2:]
        if name.isupper():
            if len(body) != 1 or body[0][0] not in ("REGEX", "STRING"):
                raise GrammarError(f"terminal {name} needs one /regex/ or string")
            src = body[0][1][1:-1]
            g.terminals[name] = src if body[0][0] == "REGEX" else re.escape(src)
            continue
        g.options[name] = RuleOptions(inline_single=inline, splice=name.startswith("_"))
        reader.read_rule(name, body)
    for name in g.ignore:
        if name not in g.terminals:
            raise GrammarError(f"%ignore of unknown terminal {name}")
    _check_symbols(g)
    return g


def _check_symbols(g):
    nonterminals = g.nonterminals()
    for lhs, rhs, _ in g.productions:
        for sym in rhs:
            if sym in nonterminals or sym in g.terminals or sym in g.literals:
                continue
            raise GrammarError(f"rule {lhs} uses undefined symbol {sym}")
    if g.start not in nonterminals:
        raise GrammarError(f"no rule for start symbol {g.start}")


# --------------------------------------------------------------------------
# LALR(1) construction
# --------------------------------------------------------------------------


class ParseTable:
    """ACTION/GOTO tables.  action[state][terminal] is one of
    ("shift", state), ("reduce", production index) or ("accept", None)."""

    def __init__(self, productions, action, goto):
        self.productions = productions
        self.action = action
        self.goto = goto


class LALRBuilder:
    """Builds LALR(1) tables for a Grammar."""

    def __init__(self, grammar):
        self.g = grammar
        self.prods = [(AUGMENTED_START, (grammar.start,), None)] + list(grammar.productions)
        self.nonterms = {lhs for lhs, _, _ in self.prods}
        self.by_lhs = defaultdict(list)
        for index, (lhs, _, _) in enumerate(self.prods):
            self.by_lhs[lhs].append(index)

    def build(self):
        self._compute_nullable_and_first()
        self._compute_suffix_first()
        self._build_lr0_states()
        lookaheads = self._compute_lookaheads()
        return self._build_actions(lookaheads)

    # -- FIRST sets ------------------------------------------------------
    def _compute_nullable_and_first(self):
        nullable = set()
        first = {nt: set() for nt in self.nonterms}
        changed = True
        while changed:
            changed = False
            for lhs, rhs, _ in self.prods:
                if lhs not in nullable and all(s in nullable for s in rhs):
                    nullable.add(lhs)
                    changed = True
                before = len(first[lhs])
                for sym in rhs:
                    if sym in self.nonterms:
                        first[lhs] |= first[sym]
                        if sym not in nullable:
                            break
                    else:
                        first[lhs].add(sym)
                        break
                if len(first[lhs]) != before:
                    changed = True
        self.nullable, self.first = nullable, first

    def _compute_suffix_first(self):
        """suffix[p][i] = (FIRST(rhs[i:]), rhs[i:] is nullable)."""
        self.suffix = []
        for _, rhs, _ in self.prods:
            table = [None] * (len(rhs) + 1)
            acc, nullable = frozenset(), True
            table[len(rhs)] = (acc, True)
            for i in range(len(rhs) - 1, -1, -1):
                sym = rhs[i]
                if sym in self.nonterms:
                    acc = self.first[sym] | acc if sym in self.nullable else frozenset(self.first[sym])
                    nullable = nullable and sym in self.nullable
                else:
                    acc, nullable = frozenset((sym,)), False
                table[i] = (frozenset(acc), nullable)
            self.suffix.append(table)

    # -- LR(0) automaton ---------------------------------------------------
    def _closure0(self, kernel):
        items, seen = list(kernel), set(kernel)
        for p, d in items:
            rhs = self.prods[p][1]
            if d < len(rhs) and rhs[d] in self.nonterms:
                for q in self.by_lhs[rhs[d]]:
                    if (q, 0) not in seen:
                        seen.add((q, 0))
                        items.append((q, 0))
        return items

    def _build_lr0_states(self):
        start = ((0, 0),)
        self.kernels = [start]
        self.index = {start: 0}
        self.transitions = []
        i = 0
        while i < len(self.kernels):
            moves = defaultdict(list)
            for p, d in self._closure0(self.kernels[i]):
                rhs = self.prods[p][1]
                if d < len(rhs):
                    moves[rhs[d]].append((p, d + 1))
            edges = {}
            for sym, items in moves.items():
                kernel = tuple(sorted(set(items)))
                if kernel not in self.index:
                    self.index[kernel] = len(self.kernels)
                    self.kernels.append(kernel)
                edges[sym] = self.index[kernel]
            self.transitions.append(edges)
            i += 1

    # -- lookaheads ----------------------------------------------------------
    def _closure1(self, seeds):
        """LR(1) closure with lookahead sets: {item: set(lookaheads)}."""
        la = {item: set(las) for item, las in seeds.items()}
        work = list(la)
        while work:
            p, d = work.pop()
            rhs = self.prods[p][1]
            if d >= len(rhs) or rhs[d] not in self.nonterms:
                continue
            firsts, nullable = self.suffix[p][d + 1]
            new = set(firsts)
            if nullable:
                new |= la[(p, d)]
            for q in self.by_lhs[rhs[d]]:
                cur = la.get((q, 0))
                if cur is None:
                    la[(q, 0)] = set(new)
                    work.append((q, 0))
                elif not new <= cur:
                    cur |= new
                    work.append((q, 0))
        return la

    def _compute_lookaheads(self):
        lookaheads = {(s, k): set() for s, kern in enumerate(self.kernels) for k in kern}
        lookaheads[(0, (0, 0))].add(END)
        propagate = defaultdict(list)
        for s, kernel in enumerate(self.kernels):
            edges = self.transitions[s]
            for k in kernel:
                for (p, d), las in self._closure1({k: {PROPAGATE}}).items():
                    rhs = self.prods[p][1]
                    if d >= len(rhs):
                        continue
                    target = (edges[rhs[d]], (p, d + 1))
                    for a in las:
                        if a == PROPAGATE:
                            propagate[(s, k)].append(target)
                        else:
                            lookaheads[target].add(a)
        work = list(lookaheads)
        while work:
            src = work.pop()
            for dst in propagate.get(src, ()):
                if not lookaheads[src] <= lookaheads[dst]:
                    lookaheads[dst] |= lookaheads[src]
                    work.append(dst)
        return lookaheads

    # -- tables ----------------------------------------------------------------
    def _build_actions(self, lookaheads):
        action, goto, conflicts = [], [], []
        for s, kernel in enumerate(self.kernels):
            row, gos = {}, {}
            seeds = {k: lookaheads[(s, k)] for k in kernel}
            for (p, d), las in self._closure1(seeds).items():
                rhs = self.prods[p][1]
                if d < len(rhs):
                    continue
                for a in las:
                    entry = ("accept", None) if p == 0 else ("reduce", p)
                    old = row.get(a)
                    if old is not None and old != entry:
                        conflicts.append((s, a, old, entry))
                    row[a] = entry
            for sym, target in self.transitions[s].items():
                if sym in self.nonterms:
                    gos[sym] = target
                    continue
                old = row.get(sym)
                if old is not None and old[0] == "reduce":
                    conflicts.append((s, sym, old, ("shift", target)))
                row[sym] = ("shift", target)
            action.append(row)
            goto.append(gos)
        if conflicts:
            lines = [f"state {s} on {a!r}: {o} vs {n}" for s, a, o, n in conflicts[:10]]
            raise GrammarError("grammar is not LALR(1):\n  " + "\n  ".join(lines))
        return ParseTable(self.prods, action, goto)


def build_parse_table(grammar):
    return LALRBuilder(grammar).build()

"""LALR(1) table construction (the part of lark that real mlpy relies on).

Real mlpy hands ml.lark to the lark library (parser="lalr"), which builds
LALR(1) tables when the parser is first used.  lark is not available here,
so this module builds the ACTION/GOTO tables itself, with the classic
"spontaneous + propagated lookahead" construction over LR(0) item sets.
grammar_loader.py produces the Grammar it works on.
"""

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

    def _closure1_items(self, kernel_item):
        """Dragon-book LR(1) closure of [kernel_item, #] as (p, d, lookahead) items."""
        p0, d0 = kernel_item
        items = {(p0, d0, PROPAGATE)}
        work = [(p0, d0, PROPAGATE)]
        while work:
            p, d, a = work.pop()
            rhs = self.prods[p][1]
            if d >= len(rhs) or rhs[d] not in self.nonterms:
                continue
            firsts, nullable = self.suffix[p][d + 1]
            lookaheads = firsts | {a} if nullable else firsts
            for q in self.by_lhs[rhs[d]]:
                for b in lookaheads:
                    item = (q, 0, b)
                    if item not in items:
                        items.add(item)
                        work.append(item)
        return items

    def _compute_lookaheads(self):
        """Determine spontaneous lookaheads and propagation links (dragon book
        algorithm 4.62/4.63), then propagate to a fixpoint."""
        lookaheads = {(s, k): set() for s, kern in enumerate(self.kernels) for k in kern}
        lookaheads[(0, (0, 0))].add(END)
        propagate = defaultdict(list)
        for s, kernel in enumerate(self.kernels):
            edges = self.transitions[s]
            for k in kernel:
                for p, d, a in self._closure1_items(k):
                    rhs = self.prods[p][1]
                    if d >= len(rhs):
                        continue
                    target = (edges[rhs[d]], (p, d + 1))
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

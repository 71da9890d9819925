"""Data-flow tracking for security analysis.

For each function (and the top-level code) DataFlowTracker builds a control
flow graph of basic blocks, computes reaching definitions with the classic
iterative algorithm, links every variable use to the definitions that reach
it, and then propagates taint along those def-use links: function
parameters are untrusted sources; a tainted value reaching a dangerous sink
(eval, open, ...) is reported.  Uses that no definition reaches are reported
as possibly undefined.
"""

from mlpy.ml.grammar import ast_nodes as ast

SINKS = {"eval", "exec", "compile", "__import__", "open", "system", "popen", "getattr", "setattr"}


class Block:
    __slots__ = ("index", "items", "succ", "pred")

    def __init__(self, index):
        self.index = index
        self.items = []  # (kind, node): "stmt", "cond", "def-for", "def-except"
        self.succ = set()
        self.pred = set()


class CFGBuilder:
    """Basic blocks for one statement list (a function body or the program)."""

    def __init__(self):
        self.blocks = []
        self.loops = []  # (continue target, break target)
        self.exit = None
        self.edge_conditions = {}  # (from, to) -> (condition expression, taken when true?)

    def new_block(self):
        block = Block(len(self.blocks))
        self.blocks.append(block)
        return block

    def link(self, a, b, condition=None, when=True):
        a.succ.add(b.index)
        b.pred.add(a.index)
        if condition is not None:
            self.edge_conditions[(a.index, b.index)] = (condition, when)

    def build(self, body):
        entry = self.new_block()
        self.exit = self.new_block()
        last = self._body(body, entry)
        if last is not None:
            self.link(last, self.exit)
        return self.blocks

    def _body(self, body, current):
        for stmt in body:
            if current is None:  # unreachable code after return/break
                current = self.new_block()
            current = self._statement(stmt, current)
        return current

    def _statement(self, stmt, current):
        if isinstance(stmt, ast.IfStatement):
            return self._if(stmt, current)
        if isinstance(stmt, (ast.WhileStatement, ast.ForStatement)):
            return self._loop(stmt, current)
        if isinstance(stmt, ast.TryStatement):
            return self._try(stmt, current)
        current.items.append(("stmt", stmt))
        if isinstance(stmt, (ast.ReturnStatement, ast.ThrowStatement)):
            self.link(current, self.exit)
            return None
        if isinstance(stmt, (ast.BreakStatement, ast.ContinueStatement)) and self.loops:
            target = self.loops[-1][1 if isinstance(stmt, ast.BreakStatement) else 0]
            self.link(current, target)
            return None
        return current

    def _if(self, stmt, current):
        join = self.new_block()
        branches = [(stmt.condition, stmt.body)] + list(stmt.elifs)
        for condition, body in branches:
            current.items.append(("cond", condition))
            then = self.new_block()
            self.link(current, then, condition, True)
            end = self._body(body, then)
            if end is not None:
                self.link(end, join)
            nxt = self.new_block()
            self.link(current, nxt, condition, False)
            current = nxt
        end = self._body(stmt.else_body or [], current)
        if end is not None:
            self.link(end, join)
        return join

    def _loop(self, stmt, current):
        header = self.new_block()
        self.link(current, header)
        after = self.new_block()
        if isinstance(stmt, ast.WhileStatement):
            header.items.append(("cond", stmt.condition))
        else:
            header.items.append(("cond", stmt.iterable))
        body = self.new_block()
        if isinstance(stmt, ast.ForStatement):
            body.items.append(("def-for", stmt))
            self.link(header, body)
            self.link(header, after)
        else:
            self.link(header, body, stmt.condition, True)
            self.link(header, after, stmt.condition, False)
        self.loops.append((header, after))
        end = self._body(stmt.body, body)
        self.loops.pop()
        if end is not None:
            self.link(end, header)
        return after

    def _try(self, stmt, current):
        join = self.new_block()
        body = self.new_block()
        self.link(current, body)
        end = self._body(stmt.body, body)
        ends = [end] if end is not None else []
        for name, handler_body in stmt.handlers:
            handler = self.new_block()
            self.link(current, handler)  # an exception may come from anywhere in the body
            if end is not None:
                self.link(end, handler)
            if name:
                handler.items.append(("def-except", name))
            handler_end = self._body(handler_body, handler)
            if handler_end is not None:
                ends.append(handler_end)
        finally_block = self.new_block()
        for e in ends:
            self.link(e, finally_block)
        end = self._body(stmt.finally_body or [], finally_block)
        if end is not None:
            self.link(end, join)
        return join


def _uses(node):
    """Identifiers read by an expression (not descending into nested functions)."""
    out, stack = [], [node]
    while stack:
        current = stack.pop()
        if isinstance(current, ast.Identifier):
            out.append(current)
        elif isinstance(current, (ast.ArrowFunction, ast.FunctionDefinition)):
            continue
        else:
            stack.extend(current.iter_children())
    return out


def _item_defs_and_uses(kind, node):
    """(names defined, Identifier nodes used) by one block item."""
    if kind == "cond":
        return [], _uses(node)
    if kind == "def-for":
        return [node.var], []
    if kind == "def-except":
        return [node], []
    if isinstance(node, ast.Assignment):
        return [node.target], _uses(node.value)
    if isinstance(node, ast.FunctionDefinition):
        return [node.name], []
    if isinstance(node, ast.ImportStatement):
        return [node.alias or node.path[0]], []
    uses = []
    for child in node.iter_children():
        if not isinstance(child, ast.STATEMENT_TYPES):
            uses.extend(_uses(child))
    return [], uses


class FlowResult:
    def __init__(self):
        self.tainted_sinks = []  # (sink name, Call node)
        self.undefined_uses = []  # Identifier nodes
        self.dead_stores = []  # Assignment nodes whose value is never read
        self.definitions = 0
        self.iterations = 0


class DataFlowTracker:
    def __init__(self, known_names):
        self.known_names = set(known_names)  # globals, builtins, imports

    def track_function(self, params, body, result):
        blocks = CFGBuilder().build(body)
        defs, block_defs = self._number_definitions(blocks, params)
        reach_in = self._reaching_definitions(blocks, defs, block_defs, len(params), result)
        flows, sinks = self._def_use_chains(blocks, defs, reach_in, params, result)
        self._propagate_taint(flows, sinks, params, result)
        self._dead_stores(blocks, result)
        result.definitions += len(defs)

    @staticmethod
    def _number_definitions(blocks, params):
        defs = [(name, None, None) for name in params]  # (name, block, item) ; params first
        block_defs = []
        for block in blocks:
            mine = []
            for position, (kind, node) in enumerate(block.items):
                for name in _item_defs_and_uses(kind, node)[0]:
                    mine.append(len(defs))
                    defs.append((name, block.index, position))
            block_defs.append(mine)
        return defs, block_defs

    @staticmethod
    def _reaching_definitions(blocks, defs, block_defs, n_params, result):
        by_name = {}
        for index, (name, _, _) in enumerate(defs):
            by_name.setdefault(name, set()).add(index)
        gen, kill = [], []
        for block in blocks:
            g, k = {}, set()
            for d in block_defs[block.index]:
                name = defs[d][0]
                g[name] = d
                k |= by_name[name]
            gen.append(set(g.values()))
            kill.append(k)
        reach_in = [set() for _ in blocks]
        reach_out = [set(gen[b.index]) for b in blocks]
        reach_in[0] = set(range(n_params))
        reach_out[0] = gen[0] | (reach_in[0] - kill[0])
        changed = True
        while changed:
            changed = False
            result.iterations += 1
            for block in blocks:
                i = block.index
                incoming = set(range(n_params)) if i == 0 else set()
                for p in block.pred:
                    incoming |= reach_out[p]
                out = gen[i] | (incoming - kill[i])
                if incoming != reach_in[i] or out != reach_out[i]:
                    reach_in[i], reach_out[i] = incoming, out
                    changed = True
        return reach_in

    def _def_use_chains(self, blocks, defs, reach_in, params, result):
        """For every definition: the definitions whose values flow into it."""
        flows = {index: set() for index in range(len(defs))}
        sinks = []
        for block in blocks:
            live = {}
            for d in reach_in[block.index]:
                live.setdefault(defs[d][0], set()).add(d)
            next_def = iter(d for d in range(len(params), len(defs)) if defs[d][1] == block.index)
            for kind, node in block.items:
                names, uses = _item_defs_and_uses(kind, node)
                sources = set()
                for use in uses:
                    reaching = live.get(use.name)
                    if reaching:
                        sources |= reaching
                    elif use.name not in self.known_names:
                        result.undefined_uses.append(use)
                for call in self._calls(node) if kind in ("stmt", "cond") else ():
                    self._record_sink(call, live, sinks)
                for name in names:
                    d = next(next_def)
                    flows[d] = sources
                    live[name] = {d}
        return flows, sinks

    @staticmethod
    def _calls(node):
        if isinstance(node, ast.FunctionDefinition):
            return []
        return [n for n in ast.walk(node) if isinstance(n, ast.Call)]

    @staticmethod
    def _record_sink(call, live, sinks):
        func = call.func
        name = func.name if isinstance(func, (ast.Identifier, ast.Member)) else None
        if name in SINKS:
            feeding = set()
            for arg in call.args:
                for use in _uses(arg):
                    feeding |= live.get(use.name, set())
            sinks.append((name, call, feeding))

    @staticmethod
    def _propagate_taint(flows, sinks, params, result):
        tainted = set(range(len(params)))
        changed = True
        while changed:
            changed = False
            for d, sources in flows.items():
                if d not in tainted and sources & tainted:
                    tainted.add(d)
                    changed = True
        result.tainted_sinks.extend((name, call) for name, call, feeding in sinks
                                    if feeding & tainted)

    @staticmethod
    def _dead_stores(blocks, result):
        """Backward liveness analysis; assignments to variables that are dead after them."""
        summaries = []
        for block in blocks:
            use, define = set(), set()
            for kind, node in reversed(block.items):
                names, uses = _item_defs_and_uses(kind, node)
                define.update(names)
                use.difference_update(names)
                use.update(u.name for u in uses)
            summaries.append((use, define))
        live_in = [set() for _ in blocks]
        live_out = [set() for _ in blocks]
        changed = True
        while changed:
            changed = False
            for block in reversed(blocks):
                out = set()
                for s in block.succ:
                    out |= live_in[s]
                use, define = summaries[block.index]
                new_in = use | (out - define)
                if out != live_out[block.index] or new_in != live_in[block.index]:
                    live_out[block.index], live_in[block.index] = out, new_in
                    changed = True
        for block in blocks:
            live = set(live_out[block.index])
            for kind, node in reversed(block.items):
                names, uses = _item_defs_and_uses(kind, node)
                if isinstance(node, ast.Assignment) and node.target not in live:
                    result.dead_stores.append(node)
                live.difference_update(names)
                live.update(u.name for u in uses)

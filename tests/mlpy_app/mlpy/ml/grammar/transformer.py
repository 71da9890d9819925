"""Parse tree -> AST (the role of real mlpy's lark Transformer subclass).

transform() works bottom-up: each Tree's children are transformed first, then
the method named after the tree (rule or alias name) builds the AST node.
"""

from mlpy.ml.errors.exceptions import MLSyntaxError

from . import ast_nodes as ast

BINARY_OPERATORS = {
    "or_op": "||", "and_op": "&&", "eq_op": "==", "ne_op": "!=", "lt_op": "<", "le_op": "<=",
    "gt_op": ">", "ge_op": ">=", "add_op": "+", "sub_op": "-", "mul_op": "*", "div_op": "/",
    "floordiv_op": "//", "mod_op": "%",
}
UNARY_OPERATORS = {"not_op": "!", "neg_op": "-"}
PERMISSION_TYPES = {"read", "write", "execute", "network", "system"}
STRING_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"', "'": "'", "0": "\0"}


class _Bound:
    """One end of a slice, tagged so slice() knows which end it is."""

    __slots__ = ("data", "children")

    def __init__(self, data, children):
        self.data, self.children = data, children


class MLTransformer:
    def transform(self, tree, source_file=None):
        self.source_file = source_file
        return self._transform(tree)

    def _transform(self, tree):
        if not hasattr(tree, "children"):
            return tree  # a Token
        children = [self._transform(child) for child in tree.children]
        if tree.data in BINARY_OPERATORS:
            left, right = children
            return ast.BinaryOp(tree.line, tree.column, op=BINARY_OPERATORS[tree.data], left=left,
                                right=right)
        if tree.data in UNARY_OPERATORS:
            return ast.UnaryOp(tree.line, tree.column, op=UNARY_OPERATORS[tree.data], operand=children[0])
        method = getattr(self, tree.data, None)
        if method is None:
            raise MLSyntaxError(f"no transformation for parse node {tree.data!r}",
                                self.source_file, tree.line, tree.column)
        return method(tree, children)

    # -- program structure -------------------------------------------------
    def start(self, tree, children):
        return ast.Program(1, 1, items=children)

    def capability_decl(self, tree, children):
        name, *items = children
        resources = [value for kind, value in items if kind == "resource"]
        permissions = [value for kind, value in items if kind == "allow"]
        return ast.CapabilityDeclaration(tree.line, tree.column, name=name.value, resources=resources,
                                         permissions=permissions)

    def resource_pattern(self, tree, children):
        return ("resource", self._unescape(children[0].value[1:-1]))

    def permission_grant(self, tree, children):
        kind = children[0].value
        if kind not in PERMISSION_TYPES:
            raise MLSyntaxError(f"unknown permission {kind!r}", self.source_file, tree.line, tree.column)
        target = self._unescape(children[1].value[1:-1]) if len(children) > 1 else None
        return ("allow", (kind, target))

    def import_stmt(self, tree, children):
        alias = children[1].value if len(children) > 1 else None
        return ast.ImportStatement(tree.line, tree.column, path=children[0], alias=alias)

    def dotted_name(self, tree, children):
        return [tok.value for tok in children]

    def function_def(self, tree, children):
        name, *rest = children
        params = rest[0] if len(rest) == 2 else []
        return ast.FunctionDefinition(tree.line, tree.column, name=name.value, params=params,
                                      body=rest[-1])

    def params(self, tree, children):
        if len(set(children)) != len(children):
            raise MLSyntaxError("duplicate parameter name", self.source_file, tree.line, tree.column)
        return children

    def param(self, tree, children):
        return children[0].value  # a type annotation (second child) is not enforced

    def block(self, tree, children):
        return children

    # -- statements ----------------------------------------------------------
    def assign_stmt(self, tree, children):
        target, value = children
        return ast.Assignment(tree.line, tree.column, target=target.value, value=value)

    def index_assign(self, tree, children):
        obj, index, value = children
        return ast.IndexAssignment(tree.line, tree.column, obj=obj, index=index, value=value)

    def member_assign(self, tree, children):
        obj, name, value = children
        return ast.MemberAssignment(tree.line, tree.column, obj=obj, name=name.value, value=value)

    def expr_stmt(self, tree, children):
        return ast.ExpressionStatement(tree.line, tree.column, expr=children[0])

    def return_stmt(self, tree, children):
        return ast.ReturnStatement(tree.line, tree.column, value=children[0] if children else None)

    def break_stmt(self, tree, children):
        return ast.BreakStatement(tree.line, tree.column)

    def continue_stmt(self, tree, children):
        return ast.ContinueStatement(tree.line, tree.column)

    def if_stmt(self, tree, children):
        condition, body, *rest = children
        elifs = [c for c in rest if isinstance(c, tuple)]
        else_body = next((c for c in rest if isinstance(c, list)), None)
        return ast.IfStatement(tree.line, tree.column, condition=condition, body=body, elifs=elifs,
                               else_body=else_body)

    def elif_clause(self, tree, children):
        return (children[0], children[1])

    def else_clause(self, tree, children):
        return children[0]

    def try_stmt(self, tree, children):
        body, *rest = children
        handlers = [c for c in rest if isinstance(c, tuple)]
        finally_body = next((c for c in rest if isinstance(c, list)), None)
        return ast.TryStatement(tree.line, tree.column, body=body, handlers=handlers,
                                finally_body=finally_body)

    def except_clause(self, tree, children):
        return (children[0].value if len(children) == 2 else None, children[-1])

    def finally_clause(self, tree, children):
        return children[0]

    def throw_stmt(self, tree, children):
        return ast.ThrowStatement(tree.line, tree.column, value=children[0])

    def while_stmt(self, tree, children):
        return ast.WhileStatement(tree.line, tree.column, condition=children[0], body=children[1])

    def for_stmt(self, tree, children):
        var, iterable, body = children
        return ast.ForStatement(tree.line, tree.column, var=var.value, iterable=iterable, body=body)

    # -- expressions -----------------------------------------------------------
    def ternary_op(self, tree, children):
        condition, then, otherwise = children
        return ast.Ternary(tree.line, tree.column, condition=condition, then=then, otherwise=otherwise)

    def arrow_fn(self, tree, children):
        params = children[0] if len(children) == 2 else []
        return ast.ArrowFunction(tree.line, tree.column, params=params, body=children[-1])

    def arrow_block(self, tree, children):
        return children

    def slice(self, tree, children):
        bounds = {c.data: c.children[0] for c in children[1:]}
        return ast.Slice(tree.line, tree.column, obj=children[0], start=bounds.get("slice_lo"),
                         stop=bounds.get("slice_hi"))

    def slice_lo(self, tree, children):
        return _Bound("slice_lo", children)

    def slice_hi(self, tree, children):
        return _Bound("slice_hi", children)

    def object(self, tree, children):
        return ast.ObjectLiteral(tree.line, tree.column, properties=children)

    def property(self, tree, children):
        key, value = children
        name = key.value if key.type == "NAME" else self._unescape(key.value[1:-1])
        return (name, value)

    def call(self, tree, children):
        args = children[1] if len(children) > 1 else []
        return ast.Call(tree.line, tree.column, func=children[0], args=args)

    def index(self, tree, children):
        return ast.Index(tree.line, tree.column, obj=children[0], index=children[1])

    def member(self, tree, children):
        return ast.Member(tree.line, tree.column, obj=children[0], name=children[1].value)

    def args(self, tree, children):
        return children

    def var(self, tree, children):
        return ast.Identifier(tree.line, tree.column, name=children[0].value)

    def number(self, tree, children):
        text = children[0].value
        value = float(text) if ("." in text or "e" in text or "E" in text) else int(text)
        return ast.NumberLiteral(tree.line, tree.column, value=value)

    def string(self, tree, children):
        return ast.StringLiteral(tree.line, tree.column, value=self._unescape(children[0].value[1:-1]))

    def true_lit(self, tree, children):
        return ast.BooleanLiteral(tree.line, tree.column, value=True)

    def false_lit(self, tree, children):
        return ast.BooleanLiteral(tree.line, tree.column, value=False)

    def null_lit(self, tree, children):
        return ast.NullLiteral(tree.line, tree.column)

    def array(self, tree, children):
        return ast.ArrayLiteral(tree.line, tree.column, elements=children[0] if children else [])

    @staticmethod
    def _unescape(body):
        out, i = [], 0
        while i < len(body):
            ch = body[i]
            if ch == "\\" and i + 1 < len(body):
                out.append(STRING_ESCAPES.get(body[i + 1], body[i + 1]))
                i += 2
            else:
                out.append(ch)
                i += 1
        return "".join(out)

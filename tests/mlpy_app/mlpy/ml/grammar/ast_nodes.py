"""AST node classes for the ML subset.

Every node has a line and column (1-based, in the .ml file) and lists its
fields in _fields, so analyzers can walk the tree generically (iter_children)
and visitors can dispatch on the class name (ASTVisitor).
"""


class ASTNode:
    _fields = ()

    def __init__(self, line=0, column=0, **fields):
        self.line = line
        self.column = column
        for name in self._fields:
            setattr(self, name, fields.get(name))

    def iter_children(self):
        for name in self._fields:
            value = getattr(self, name)
            if isinstance(value, ASTNode):
                yield value
            elif isinstance(value, list):
                for item in value:
                    if isinstance(item, ASTNode):
                        yield item
                    elif isinstance(item, tuple):
                        yield from (x for x in item if isinstance(x, ASTNode))

    def accept(self, visitor):
        return getattr(visitor, "visit_" + type(self).__name__)(self)

    def __repr__(self):
        inner = ", ".join(f"{n}={getattr(self, n)!r}" for n in self._fields)
        return f"{type(self).__name__}({inner})"


def _node(name, *fields):
    return type(name, (ASTNode,), {"_fields": fields})


# Program structure
Program = _node("Program", "items")
FunctionDefinition = _node("FunctionDefinition", "name", "params", "body")
ImportStatement = _node("ImportStatement", "path", "alias")  # path: list of names
CapabilityDeclaration = _node("CapabilityDeclaration", "name", "resources", "permissions")

# Statements
Assignment = _node("Assignment", "target", "value")
IndexAssignment = _node("IndexAssignment", "obj", "index", "value")
MemberAssignment = _node("MemberAssignment", "obj", "name", "value")
ExpressionStatement = _node("ExpressionStatement", "expr")
ReturnStatement = _node("ReturnStatement", "value")
IfStatement = _node("IfStatement", "condition", "body", "elifs", "else_body")  # elifs: [(cond, body)]
WhileStatement = _node("WhileStatement", "condition", "body")
ForStatement = _node("ForStatement", "var", "iterable", "body")
TryStatement = _node("TryStatement", "body", "handlers", "finally_body")  # handlers: [(name, body)]
ThrowStatement = _node("ThrowStatement", "value")
BreakStatement = _node("BreakStatement")
ContinueStatement = _node("ContinueStatement")

# Expressions
Ternary = _node("Ternary", "condition", "then", "otherwise")
BinaryOp = _node("BinaryOp", "op", "left", "right")
UnaryOp = _node("UnaryOp", "op", "operand")
Call = _node("Call", "func", "args")
Index = _node("Index", "obj", "index")
Slice = _node("Slice", "obj", "start", "stop")
Member = _node("Member", "obj", "name")
Identifier = _node("Identifier", "name")
NumberLiteral = _node("NumberLiteral", "value")
StringLiteral = _node("StringLiteral", "value")
BooleanLiteral = _node("BooleanLiteral", "value")
NullLiteral = _node("NullLiteral")
ArrayLiteral = _node("ArrayLiteral", "elements")
ObjectLiteral = _node("ObjectLiteral", "properties")  # [(key, value)]
ArrowFunction = _node("ArrowFunction", "params", "body")  # body: expression or [statements]

STATEMENT_TYPES = (
    FunctionDefinition, ImportStatement, CapabilityDeclaration, Assignment, IndexAssignment,
    MemberAssignment, ExpressionStatement, ReturnStatement, IfStatement, WhileStatement,
    ForStatement, TryStatement, ThrowStatement, BreakStatement, ContinueStatement,
)


def walk(node):
    """Yield node and all its descendants, depth first."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(list(current.iter_children())))


class ASTVisitor:
    """Base visitor: visit_<Class> methods, generic_visit walks children."""

    def visit(self, node):
        return getattr(self, "visit_" + type(node).__name__, self.generic_visit)(node)

    def generic_visit(self, node):
        for child in node.iter_children():
            self.visit(child)

"""The abstract syntax tree, with source spans.

Pipeline position: built by parser.py, annotated by resolve.py, read by compiler.py.
Imports nothing of Axiom's (the build hook imports the parser with only ply present).

Every node carries `start` and `end`: character offsets into the source text (end
exclusive); errors turn them into line:col with `Source.position`. Fields marked
"(resolver)" are filled in by resolve.py and start as None.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Any


class ParseError(Exception):
    """A syntax error: message and the offsets of the offending text; `related` is an
    extra position to mention (where an unclosed bracket was opened); `help` is a
    one-line suggestion shown under the source line (`help: did you mean '=='?`)."""

    def __init__(self, message: str, start: int, end: int, related: int | None = None,
                 help: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.start = start
        self.end = end
        self.related = related
        self.help = help


class Source:
    """A source text and its file name, mapping offsets to (line, col), both 1-based."""

    __slots__ = ("text", "filename", "_starts", "_last")

    def __init__(self, text: str, filename: str) -> None:
        self.text = text
        self.filename = filename
        starts = [0]  # where each line starts (found by str.find: a loop per line, not per char)
        find = text.find
        i = find("\n")
        while i >= 0:
            starts.append(i + 1)
            i = find("\n", i + 1)
        self._starts = starts
        self._last = 0  # the line index span() found last (the compiler goes line by line)

    def position(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self._starts, offset) - 1
        return line + 1, offset - self._starts[line] + 1

    def span(self, start: int, end: int) -> tuple[int, int, int]:
        """(line, col, end col) of the text from `start` to `end`: the end column is the
        end of the first line when the text goes on past it (what the line table keeps)."""
        starts = self._starts
        line = self._last
        if not (starts[line] <= start and (line + 1 == len(starts) or start < starts[line + 1])):
            line = self._last = bisect.bisect_right(starts, start) - 1
        col = start - starts[line] + 1
        last = max(end - 1, start)
        if line + 1 < len(starts) and last >= starts[line + 1]:  # it goes past this line
            end_col = len(self.line_text(line + 1))
        else:
            end_col = last - starts[line] + 1
        return line + 1, col, max(end_col, col)

    def line_text(self, line: int) -> str:
        if not 1 <= line <= len(self._starts):
            return ""
        start = self._starts[line - 1]
        end = self.text.find("\n", start)
        return self.text[start:end if end >= 0 else len(self.text)].rstrip("\r")


@dataclass(slots=True, eq=False)
class Node:
    start: int
    end: int


# --- expressions -----------------------------------------------------------------

@dataclass(slots=True, eq=False)
class Literal(Node):
    value: Any


@dataclass(slots=True, eq=False)
class Name(Node):
    name: str
    ref: Any = None          # (resolver) a Ref saying where the value lives


@dataclass(slots=True, eq=False)
class Interp(Node):
    """An interpolation string: parts are str or (expr, format spec or None)."""
    parts: list[Any]


@dataclass(slots=True, eq=False)
class Render(Node):
    """`@ expr`: the display form of expr."""
    expr: Node


@dataclass(slots=True, eq=False)
class ListLit(Node):
    items: list[Node]


@dataclass(slots=True, eq=False)
class ListRepeat(Node):
    """`[item; count]`."""
    item: Node
    count: Node


@dataclass(slots=True, eq=False)
class DictLit(Node):
    pairs: list[tuple[Node, Node]]


@dataclass(slots=True, eq=False)
class Unary(Node):
    op: str                  # "-" or "!"
    operand: Node


@dataclass(slots=True, eq=False)
class Binary(Node):
    op: str                  # + - * / % == != < > <= >= in .. ..=
    left: Node
    right: Node


@dataclass(slots=True, eq=False)
class Logical(Node):
    op: str                  # "and" | "or"
    left: Node
    right: Node


@dataclass(slots=True, eq=False)
class Call(Node):
    func: Node
    args: list[Node]
    kwargs: list[tuple[str, Node]]


@dataclass(slots=True, eq=False)
class MethodCall(Node):
    obj: Node
    name: str
    args: list[Node]
    kwargs: list[tuple[str, Node]]


@dataclass(slots=True, eq=False)
class Index(Node):
    obj: Node
    index: Node


@dataclass(slots=True, eq=False)
class Slice(Node):
    obj: Node
    lo: Node | None
    hi: Node | None


@dataclass(slots=True, eq=False)
class Attr(Node):
    obj: Node
    name: str


@dataclass(slots=True, eq=False)
class SuperAttr(Node):
    """`super.name` inside a method."""
    name: str
    cls_ref: Any = None      # (resolver) the hidden variable holding the class
    self_ref: Any = None     # (resolver) the method's first parameter


@dataclass(slots=True, eq=False)
class Param:
    name: str
    default: Node | None
    start: int
    end: int
    var: Any = None          # (resolver)


@dataclass(slots=True, eq=False)
class FnExpr(Node):
    """A function: `fn name(params) { body }`, `fn(params) {...}` or `|params| body`.
    `body` is a Block, or an expression for `|x| expr`."""
    name: str | None
    params: list[Param]
    body: Node
    scope: Any = None        # (resolver) the FunctionScope


@dataclass(slots=True, eq=False)
class IfExpr(Node):
    """`if c then a else b` or `if c { } else ...`; `orelse` may be None (block form)."""
    cond: Node
    then: Node
    orelse: Node | None


# --- statements --------------------------------------------------------------------

@dataclass(slots=True, eq=False)
class Block(Node):
    stmts: list[Node]
    scope: Any = None        # (resolver) the BlockScope


@dataclass(slots=True, eq=False)
class ExprStmt(Node):
    expr: Node


@dataclass(slots=True, eq=False)
class PName(Node):
    """A name in a binding pattern."""
    name: str
    var: Any = None          # (resolver)


@dataclass(slots=True, eq=False)
class PList(Node):
    """`(a, b)` or `[a, b]` in a binding pattern."""
    items: list[Node]


@dataclass(slots=True, eq=False)
class Let(Node):
    target: Node             # PName or PList
    value: Node
    spec: Any = None         # fixed allocation: int capacity or a type name


@dataclass(slots=True, eq=False)
class Assign(Node):
    target: Node             # Name, Attr or Index
    value: Node
    declares: Any = None     # (resolver) the Var when `x = v` declares x


@dataclass(slots=True, eq=False)
class AugAssign(Node):
    op: str
    target: Node
    value: Node


@dataclass(slots=True, eq=False)
class FnDecl(Node):
    name: str
    fn: FnExpr
    var: Any = None          # (resolver)


@dataclass(slots=True, eq=False)
class ClassDecl(Node):
    name: str
    parent: Node | None
    methods: list[FnDecl]
    var: Any = None          # (resolver) the class's name
    cls_var: Any = None      # (resolver) hidden variable the methods' `super` reads


@dataclass(slots=True, eq=False)
class While(Node):
    cond: Node
    body: Block


@dataclass(slots=True, eq=False)
class For(Node):
    target: Node             # PName or PList, declared in the body's scope
    iterable: Node
    body: Block


@dataclass(slots=True, eq=False)
class Return(Node):
    value: Node | None


@dataclass(slots=True, eq=False)
class Break(Node):
    pass


@dataclass(slots=True, eq=False)
class Continue(Node):
    pass


@dataclass(slots=True, eq=False)
class Throw(Node):
    value: Node


@dataclass(slots=True, eq=False)
class Try(Node):
    body: Block
    name: str | None
    handler: Block
    var: Any = None          # (resolver) the catch variable


@dataclass(slots=True, eq=False)
class Free(Node):
    name: Name


@dataclass(slots=True, eq=False)
class Out(Node):
    value: Node
    stderr: bool


@dataclass(slots=True, eq=False)
class Import(Node):
    """`import a, b as c`: (module name, binding name, PName for the binding)."""
    items: list[tuple[str, str, PName]]


@dataclass(slots=True, eq=False)
class FromImport(Node):
    module: str
    names: list[tuple[str, str, PName]]


@dataclass(slots=True, eq=False)
class Program(Node):
    body: Block
    source: Any = field(default=None)

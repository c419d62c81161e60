"""What the JIT uses of Python's `ast` module, over the C module `_ast`: the node
classes, and `walk`, `fix_missing_locations`, `copy_location` and `clone` (a deep copy of
a tree). Importing `ast` itself cost 3.5 ms of every run that compiles anything (its
`unparse` needs enum, contextlib and functools); code that shows generated code imports
`ast` for `unparse` when it does.

Pipeline position: imported by jit/emit.py and jit/units.py. Imports `_ast` only.
"""

from __future__ import annotations

from _ast import *  # noqa: F403 (every node class, as `ast` re-exports them)
from _ast import AST

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any


def iter_child_nodes(node: AST) -> Iterator[AST]:
    for name in node._fields:
        field = getattr(node, name, None)
        if isinstance(field, AST):
            yield field
        elif isinstance(field, list):
            for item in field:
                if isinstance(item, AST):
                    yield item


def walk(node: AST) -> Iterator[AST]:
    todo = [node]
    while todo:
        node = todo.pop()
        todo.extend(iter_child_nodes(node))
        yield node


def copy_location(new: Any, old: Any) -> Any:
    for attr in _POSITION:
        if attr in old._attributes and attr in new._attributes:
            value = getattr(old, attr, None)
            if value is not None or (hasattr(old, attr) and attr.startswith("end_")):
                setattr(new, attr, value)
    return new


def fix_missing_locations(node: AST) -> AST:
    """As ast.fix_missing_locations: a node without a position takes its parent's."""
    def fix(node: Any, where: tuple[int, ...]) -> None:
        here = list(where)
        for k, attr in enumerate(_POSITION):
            if attr in node._attributes:
                value = getattr(node, attr, None)
                if value is None:
                    setattr(node, attr, here[k])
                else:
                    here[k] = value
        for child in iter_child_nodes(node):
            fix(child, tuple(here))
    fix(node, (1, 0, 1, 0))
    return node


_POSITION = ("lineno", "col_offset", "end_lineno", "end_col_offset")


def clone(node: Any) -> Any:
    """A deep copy of a tree (lists and nodes new, constants shared), as copy.deepcopy
    makes of one."""
    if isinstance(node, list):
        return [clone(x) for x in node]
    if not isinstance(node, AST):
        return node
    new = type(node)()
    for name in node._fields:
        if hasattr(node, name):
            setattr(new, name, clone(getattr(node, name)))
    for name in node._attributes:
        if hasattr(node, name):
            setattr(new, name, getattr(node, name))
    return new

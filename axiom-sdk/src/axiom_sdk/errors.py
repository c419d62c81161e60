"""Axiom errors as Python exceptions: the one error tree shared by the SDK and the core.

An `AxiomError` is both the exception a module raises and the error *value* a script
sees in `catch e` (`e.kind`, `e.message`, `e.trace`). The core adds the source span and
the stack trace when the error passes through the VM. This file imports nothing of
Axiom's and nothing heavy.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Final


# Every runtime error kind of LANGUAGE.md §8, plus SyntaxError (compile time).
KINDS: Final = frozenset({
    "UndefinedVariable", "TypeError", "ValueError", "DivisionByZero", "Overflow",
    "IndexOutOfBounds", "KeyError", "AttributeError", "CapacityExceeded",
    "UnsupportedOperation", "ModuleNotFound", "SymbolNotFound", "AssertionError",
    "IOError", "PermissionDenied", "LimitExceeded", "StackOverflow", "ImportError",
    "Error", "SyntaxError",
})

_NO_PAYLOAD: Final = object()


class AxiomError(Exception):
    """An Axiom error: `kind` (one of KINDS, or a user's own word), `message`.

    Fields filled by the core as the error travels:
      span     -- (file, line, col, end_col) where it was raised, or None
      trace    -- list of (function name, file, line), most recent call first
      frame_vars -- [(name, display)] of the innermost Axiom frame
      payload  -- the thrown value when a script threw a non-error value
                  (`throw {"code": 7}`); `catch e` then binds the payload itself.
    """

    def __init__(self, kind: str, message: str, *, payload: Any = _NO_PAYLOAD) -> None:
        super().__init__(f"{kind}: {message}")
        self.kind = kind
        self.message = message
        self.span: tuple[str, int, int, int] | None = None
        self.trace: list[tuple[str, str, int]] = []
        self.frame_vars: list[tuple[str, str]] = []
        self.payload = payload
        self.source_line: str | None = None

    @property
    def has_payload(self) -> bool:
        return self.payload is not _NO_PAYLOAD

    def __str__(self) -> str:
        return f"{self.kind}: {self.message}"

    def __repr__(self) -> str:
        return f"AxiomError({self.kind!r}, {self.message!r})"


def error(kind: str, message: str) -> AxiomError:
    """Make an Axiom error of `kind` to raise: `raise error("ValueError", "bad")`."""
    return AxiomError(kind, message)

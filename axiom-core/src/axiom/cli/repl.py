"""`axiom repl` (and plain `axiom`): read, evaluate, print.

Lines are gathered until they parse (an open bracket or a trailing operator asks for
more); each input runs in the same globals; a value other than nil is shown. Errors are
reported and the session goes on. prompt_toolkit gives line editing and history when
standard input is a terminal; otherwise lines are read plainly (for pipes and tests).
"""

from __future__ import annotations

import sys
from typing import Any


def _reader() -> Any:
    if sys.stdin.isatty():
        try:
            from prompt_toolkit import PromptSession
            session: Any = PromptSession()
            return lambda prompt: session.prompt(prompt)
        except Exception:
            pass

    def plain(prompt: str) -> str:
        if sys.stdin.isatty():
            sys.stdout.write(prompt)
            sys.stdout.flush()
        line = sys.stdin.readline()
        if not line:
            raise EOFError
        return line.rstrip("\n")
    return plain


def _incomplete(message: str) -> bool:
    return "end of input" in message or "never closed" in message


def repl() -> int:
    from axiom_sdk import AxiomError, display

    from .. import __version__
    from ..errors import render
    from ..runtime import ALL_CAPABILITIES, Runtime
    rt = Runtime(grants=ALL_CAPABILITIES)
    read = _reader()
    if sys.stdin.isatty():
        print(f"Axiom {__version__} — Ctrl-D to leave")
    buffer: list[str] = []
    n = 0
    while True:
        try:
            line = read("... " if buffer else ">>> ")
        except EOFError:
            break
        except KeyboardInterrupt:
            buffer.clear()
            continue
        buffer.append(line)
        source = "\n".join(buffer)
        if not source.strip():
            buffer.clear()
            continue
        n += 1
        try:
            value = rt.eval(source, f"<repl {n}>")
        except AxiomError as e:
            if e.kind == "SyntaxError" and _incomplete(e.message) and line.strip():
                n -= 1
                continue
            sys.stdout.flush()
            sys.stderr.write(render(e))
        else:
            if value is not None:
                print(display(value))
        buffer.clear()
    rt.close()
    return 0

"""`axiom repl` (and plain `axiom`): read, evaluate, print.

Two halves, kept apart so that the line editor can change without touching evaluation:

* `Session` evaluates. Lines are fed one at a time and gathered until they parse (an
  open bracket or a trailing operator asks for more; so does an `if` block that ends a
  line with `}`, which waits for a possible `else` on the next line, as in a file: an
  empty line or any other line runs it). Every input runs in the same globals. A value
  other than nil is shown in its literal form (`"hi"` shows as "hi", as Python and Node
  do; `out` keeps printing display forms). Errors are reported and the session goes
  on. `:help` and `:quit` are commands; a bare `exit`, `quit` or `help` gets a hint.
* `repl()` reads lines (prompt_toolkit with line editing and history on a terminal,
  plain lines otherwise, for pipes and tests) and feeds them. Ctrl-C while code runs
  interrupts it ("Interrupted") and keeps every binding; Ctrl-C at the prompt clears
  the line; Ctrl-D (end of input) leaves.
"""

from __future__ import annotations

import sys
from typing import Any, TextIO

HELP = """\
Enter Axiom code as in a file; its value is shown unless it is nil.
A line that is not finished (an open bracket, a trailing operator, an `if` block that
may get an `else`) continues on the next; an empty line ends it.
  :help         this help
  :quit  :q     leave (also Ctrl-D)
Ctrl-C stops running code and keeps every variable; at the prompt it clears the line."""

_QUIT = (":quit", ":q", ":exit")
_HINTS = {
    "exit": "Use :quit or Ctrl-D to leave.", "quit": "Use :quit or Ctrl-D to leave.",
    "exit()": "Use :quit or Ctrl-D to leave.", "quit()": "Use :quit or Ctrl-D to leave.",
    "help": "Type :help for help.", "help()": "Type :help for help.",
}


class Quit(Exception):
    """`:quit` was entered."""


class Session:
    """The evaluating half of the REPL: feed it lines, it runs complete inputs."""

    def __init__(self, runtime: Any, out: TextIO | None = None, err: TextIO | None = None) -> None:
        self.rt = runtime
        self.out = out or sys.stdout
        self.err = err or sys.stderr
        self.buffer: list[str] = []
        self.awaiting_else = False  # the buffer is a complete `if` that may get an `else`
        self.count = 0

    @property
    def prompt(self) -> str:
        return "... " if self.buffer else ">>> "

    def clear(self) -> None:
        """Drop a partly typed input (Ctrl-C at the prompt)."""
        self.buffer.clear()
        self.awaiting_else = False

    def feed(self, line: str) -> None:
        """One line of input. Raises Quit for `:quit`."""
        if self.awaiting_else:
            if _starts_with_else(line):
                self.awaiting_else = False
            else:
                self.run("\n".join(self.buffer))
                if not line.strip():
                    return
        if not self.buffer:
            word = line.strip()
            if word in _QUIT:
                raise Quit
            if word == ":help":
                self.say(HELP)
                return
            if word in _HINTS and word.rstrip("()") not in self.rt.globals:
                self.say(_HINTS[word])
                return
        self.buffer.append(line)
        source = "\n".join(self.buffer)
        if not source.strip():
            self.buffer.clear()
            return
        state = self.status(source)
        if state == "more" and line.strip():
            return
        if state == "else?":
            self.awaiting_else = True
            return
        self.run(source)

    def end(self) -> None:
        """End of input: run what is waiting for an `else`."""
        if self.awaiting_else:
            self.run("\n".join(self.buffer))

    def status(self, source: str) -> str:
        """"more" when the input is unfinished, "else?" when it is a complete `if` block
        ending with `}` (the next line may be its `else`), else "run"."""
        from .. import ast as A
        from ..parser import parse
        try:
            program = parse(source, "<repl>")
        except A.ParseError as e:
            return "more" if "end of input" in e.message or "never closed" in e.message else "run"
        stmts = program.body.stmts
        last = stmts[-1] if stmts else None
        if (isinstance(last, A.ExprStmt) and isinstance(last.expr, A.IfExpr)
                and source.rstrip().endswith("}")):
            node = last.expr
            while isinstance(node.orelse, A.IfExpr):
                node = node.orelse
            if node.orelse is None and isinstance(node.then, A.Block):
                return "else?"
        return "run"

    def run(self, source: str) -> None:
        """Evaluate one complete input and show its value or its error."""
        from axiom_sdk import AxiomError
        from axiom_sdk._values import _display

        from ..errors import render
        self.buffer.clear()
        self.awaiting_else = False
        self.count += 1
        try:
            value = self.rt.eval(source, f"<repl {self.count}>")
            if value is not None:
                self.out.write(_display(value, True, set(), 0) + "\n")  # the literal form
        except AxiomError as e:
            self.out.flush()
            self.err.write(render(e))
        except KeyboardInterrupt:
            self.out.flush()
            self.err.write("Interrupted\n")
        self.out.flush()

    def say(self, text: str) -> None:
        self.out.write(text + "\n")
        self.out.flush()


def _starts_with_else(line: str) -> bool:
    word = line.lstrip()
    return word.startswith("else") and (len(word) == 4 or not (word[4].isalnum() or word[4] == "_"))


def _reader() -> Any:
    """A function prompt -> line; raises EOFError at the end, KeyboardInterrupt on Ctrl-C."""
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


def repl() -> int:
    from .. import __version__
    from ..runtime import ALL_CAPABILITIES, Runtime
    rt = Runtime(grants=ALL_CAPABILITIES)
    session = Session(rt)
    read = _reader()
    if sys.stdin.isatty():
        print(f"Axiom {__version__} — :help for help, Ctrl-D to leave")
    try:
        while True:
            try:
                line = read(session.prompt)
            except EOFError:
                session.end()
                break
            except KeyboardInterrupt:  # at the prompt: clear the line
                session.clear()
                continue
            try:
                session.feed(line)
            except Quit:
                break
            except KeyboardInterrupt:  # between reading and running: drop the input
                session.clear()
                sys.stderr.write("Interrupted\n")
    finally:
        rt.close()
    return 0

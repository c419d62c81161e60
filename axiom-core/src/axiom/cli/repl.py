"""`axiom repl` (and plain `axiom`): read, evaluate, print.

Two halves, kept apart so that the line editor can change without touching evaluation:

* `Session` evaluates. Lines are fed one at a time and gathered until they parse (an
  open bracket or a trailing operator asks for more; so does an `if` block that ends a
  line with `}`, which waits for a possible `else` on the next line, as in a file: an
  empty line or any other line runs it). Every input runs in the same globals. A value
  other than nil is shown in its literal form (`"hi"` shows as "hi", as Python and Node
  do; `out` keeps printing display forms). Errors are reported and the session goes
  on. Commands start with `:` (`:help` lists them); a bare `exit`, `quit` or `help`
  gets a hint.
* `repl()` reads. On a terminal it is a prompt_toolkit editor (`Editor`): history kept
  between sessions in the Axiom home (`repl_history`), highlighting as you type (the
  Pygments lexer of highlight.py), Tab completion of the names in scope, keywords and
  a module's exports after `name.` (lsp/analysis.py, as the language server and the
  kernel complete), and multi-line editing: Enter inserts a new line while the input
  is unfinished, so a block can be edited as a whole before it runs. Off a terminal
  (pipes, tests) it reads plain lines. Ctrl-C while code runs interrupts it
  ("Interrupted") and keeps every binding; Ctrl-C at the prompt drops the input;
  Ctrl-D (end of input) leaves.

prompt_toolkit and Pygments are imported only here, when the REPL starts on a terminal.
"""

from __future__ import annotations

import os
import sys
from typing import Any, TextIO

HELP = """\
Enter Axiom code as in a file; its value is shown unless it is nil.
A line that is not finished (an open bracket, a trailing operator, an `if` block that
may get an `else`) continues on the next; an empty line ends it.
  :help         this help
  :mods         the installed modules
  :info NAME    what NAME is: a module (mth), an export (mth.sqrt), a built-in or a variable
  :load FILE    run FILE here: its functions and variables stay defined
  :reset        forget every variable and loaded module
  :quit  :q     leave (also Ctrl-D)
Tab completes names, keywords and module exports (after `mod.`); Up and Down walk the
history, which is kept between sessions. Ctrl-C stops running code and keeps every
variable; at the prompt it clears the input."""

_QUIT = (":quit", ":q", ":exit")
_HINTS = {
    "exit": "Use :quit or Ctrl-D to leave.", "quit": "Use :quit or Ctrl-D to leave.",
    "exit()": "Use :quit or Ctrl-D to leave.", "quit()": "Use :quit or Ctrl-D to leave.",
    "help": "Type :help for help.", "help()": "Type :help for help.",
}
COMMANDS = (":help", ":mods", ":info", ":load", ":reset", ":quit")


class Quit(Exception):
    """`:quit` was entered."""


class Session:
    """The evaluating half of the REPL: feed it lines, it runs complete inputs."""

    def __init__(self, runtime: Any, out: TextIO | None = None, err: TextIO | None = None,
                 new_runtime: Any = None) -> None:
        self.rt = runtime
        self.out = out or sys.stdout
        self.err = err or sys.stderr
        self.buffer: list[str] = []
        self.awaiting_else = False  # the buffer is a complete `if` that may get an `else`
        self.count = 0
        self.new_runtime = new_runtime  # makes the Runtime `:reset` starts again with

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
            if word.startswith(":"):
                self.command(word)
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

    def submit(self, text: str) -> None:
        """A whole input from the line editor (it may span lines): fed line by line,
        then run if it is still waiting (for an `else`, or unfinished: its error shows)."""
        for line in text.split("\n"):
            self.feed(line)
        if self.buffer:
            self.run("\n".join(self.buffer))

    def complete(self, text: str) -> bool:
        """Whether Enter should run `text` (the line editor's whole input) rather than
        open a new line: yes for a command, an empty last line, or an input that parses
        and is not an `if` block that may still get an `else`."""
        if not text.strip() or text.lstrip().startswith(":"):
            return True
        if "\n" in text and not text.rsplit("\n", 1)[1].strip():
            return True
        return self.status(text) == "run"

    def command(self, line: str) -> None:
        """A `:command` (see HELP)."""
        name, _, arg = line.partition(" ")
        arg = arg.strip()
        if name == ":help":
            self.say(HELP)
        elif name == ":mods":
            self.say(modules_text())
        elif name == ":info":
            self.say(self.info(arg) if arg else "Usage: :info NAME (a module, mod.export, a "
                                                 "built-in or a variable)")
        elif name == ":load":
            if arg:
                self.load(arg)
            else:
                self.say("Usage: :load FILE")
        elif name == ":reset":
            self.reset()
        else:
            import difflib
            near = difflib.get_close_matches(name, COMMANDS, 1)
            hint = f" (did you mean {near[0]}?)" if near else ""
            self.say(f"Unknown command {name}{hint}; :help lists the commands.")

    def info(self, name: str) -> str:
        """`:info NAME`: a module's description, an export's signature and doc (as
        `axiom mod info` shows them), or what a built-in or a variable is."""
        from axiom_sdk import AxiomError

        from ..loader import Loader
        from ..lsp.analysis import live_info
        module_name, dot, member = name.partition(".")
        if module_name not in self.rt.globals or getattr(
                type(self.rt.globals[module_name]), "axiom_type", None) == "module":
            value = self.rt.globals.get(module_name)
            real = value.metadata()[0] if value is not None else module_name
            try:
                mod = Loader().find(real)
            except AxiomError as e:
                return f"{e.kind}: {e.message}"
            if mod is not None:
                from .mod_cmd import describe, describe_member
                try:
                    if dot:
                        return describe_member(mod, member)
                    return describe(mod, Loader().index.modules.get(real, {}))
                except AxiomError as e:
                    return f"{e.kind}: {e.message}"
        found = live_info(name, len(name), self.rt.globals)
        if found is None:
            return f"{name} is not defined here (not a variable, built-in or installed module)"
        return found.title + (f"\n{found.doc}" if found.doc else "")

    def load(self, path: str) -> None:
        """`:load FILE`: run a script in this session's globals."""
        from axiom_sdk import AxiomError

        from ..errors import render, use_colour
        path = os.path.expanduser(path)
        try:
            text = self.rt.read_source(path)
            self.rt.eval(text, path)
        except AxiomError as e:
            self.out.flush()
            self.err.write(render(e, use_colour(self.err)))
        except KeyboardInterrupt:
            self.out.flush()
            self.err.write("Interrupted\n")
        self.out.flush()

    def reset(self) -> None:
        """`:reset`: a fresh Runtime (no variables, no loaded modules)."""
        if self.new_runtime is None:
            self.say("This session cannot be reset.")
            return
        self.rt.close()
        self.rt = self.new_runtime()
        self.count = 0
        self.say("Session reset: every variable and module is forgotten.")

    def end(self) -> None:
        """End of input: run what is waiting for an `else`."""
        if self.awaiting_else:
            self.run("\n".join(self.buffer))

    def status(self, source: str) -> str:
        """"more" when the input is unfinished, "else?" when it is a complete `if` block
        ending with `}` (the next line may be its `else`), else "run"."""
        from .. import ast as A
        from ..lsp.analysis import unfinished
        from ..parser import parse
        try:
            program = parse(source, "<repl>")
        except A.ParseError:
            return "more" if unfinished(source) else "run"
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

        from ..errors import render, use_colour
        self.buffer.clear()
        self.awaiting_else = False
        self.count += 1
        try:
            value = self.rt.eval(source, f"<repl {self.count}>")
            if value is not None:
                self.out.write(_display(value, True, set(), 0) + "\n")  # the literal form
        except AxiomError as e:
            self.out.flush()
            self.err.write(render(e, use_colour(self.err)))
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


def modules_text() -> str:
    """`:mods`: the installed modules, one a line with its summary (nothing imported)."""
    from ..loader import Index
    modules = Index.load().modules
    if not modules:
        return "No modules are installed."
    width = max(len(n) for n in modules)
    lines = [f"  {name.ljust(width)}  {modules[name].get('summary', '')}".rstrip()
             for name in sorted(modules)]
    return "\n".join(["Installed modules (import NAME; :info NAME for details):", *lines])


def history_path() -> str:
    from .. import conf
    return os.path.join(conf.home(), "repl_history")


class Editor:
    """The line editor on a terminal: prompt_toolkit with Axiom's lexer, history and
    completion. `read()` returns one whole input (possibly several lines)."""

    def __init__(self, session: Session) -> None:
        from prompt_toolkit import PromptSession
        from prompt_toolkit.history import FileHistory, InMemoryHistory
        from prompt_toolkit.key_binding import KeyBindings
        from prompt_toolkit.lexers import PygmentsLexer

        from ..highlight import AxiomLexer
        self.session = session
        history: Any
        try:
            os.makedirs(os.path.dirname(history_path()), exist_ok=True)
            history = FileHistory(history_path())
        except OSError:  # a read-only home: history for this session only
            history = InMemoryHistory()
        keys = KeyBindings()

        @keys.add("enter")
        def _enter(event: Any) -> None:
            buf = event.current_buffer
            if buf.complete_state is not None and buf.complete_state.current_completion:
                buf.apply_completion(buf.complete_state.current_completion)
                return
            at_end = buf.document.is_cursor_at_the_end or "\n" not in buf.text
            if at_end and session.complete(buf.text):
                buf.validate_and_handle()
            else:
                buf.insert_text("\n" + _indent_after(buf.document.current_line_before_cursor))

        @keys.add("}")
        @keys.add("]")
        @keys.add(")")
        def _close(event: Any) -> None:  # a closing bracket alone on its line: one level out
            buf = event.current_buffer
            before = buf.document.current_line_before_cursor
            if before and not before.strip() and before.endswith("    "):
                buf.delete_before_cursor(4)
            buf.insert_text(event.data)

        self.prompt: Any = PromptSession(
            history=history, lexer=PygmentsLexer(AxiomLexer), completer=_completer(session),
            complete_while_typing=False, multiline=True, key_bindings=keys,
            prompt_continuation=lambda width, line, wrap: "... ".rjust(width),
            include_default_pygments_style=True)

    def read(self) -> str:
        return self.prompt.prompt(">>> ")


def _indent_after(line: str) -> str:
    """The indentation of the line after `line`: the same, one level more after an
    opening bracket."""
    indent = line[:len(line) - len(line.lstrip())]
    return indent + "    " if line.rstrip().endswith(("{", "(", "[")) else indent


def _completer(session: Session) -> Any:
    """A prompt_toolkit Completer: Tab completion from lsp/analysis.py with the session's
    live globals, and the `:commands`."""
    from prompt_toolkit.completion import Completer, Completion

    from ..lsp.analysis import live_completions

    class AxiomCompleter(Completer):
        def get_completions(self, document: Any, complete_event: Any) -> Any:
            text, offset = document.text, document.cursor_position
            if text.lstrip().startswith(":"):
                word = text.strip()
                for c in COMMANDS:
                    if c.startswith(word) and " " not in word:
                        yield Completion(c, start_position=-len(word))
                return
            try:
                start, items = live_completions(text, offset, session.rt.globals)
            except Exception:  # completion must never break the prompt
                return
            for item in sorted(items, key=lambda i: (i.label.startswith("_"), i.label)):
                yield Completion(item.label, start_position=start - offset,
                                 display_meta=item.detail or item.kind)

    return AxiomCompleter()


def _plain_reader() -> Any:
    """Lines from standard input (pipes and tests): prompt -> line."""
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

    def new_runtime() -> Any:
        return Runtime(grants=ALL_CAPABILITIES)

    session = Session(new_runtime(), new_runtime=new_runtime)
    editor = None
    if sys.stdin.isatty() and sys.stdout.isatty():
        try:
            editor = Editor(session)
        except Exception:  # no usable terminal for prompt_toolkit: plain lines
            editor = None
    if sys.stdin.isatty():
        print(f"Axiom {__version__} — :help for help, Ctrl-D to leave")
    try:
        if editor is not None:
            _edit_loop(session, editor)
        else:
            _line_loop(session, _plain_reader())
    finally:
        session.rt.close()
    return 0


def _edit_loop(session: Session, editor: Editor) -> None:
    while True:
        try:
            text = editor.read()
        except EOFError:
            return
        except KeyboardInterrupt:  # at the prompt: drop the input
            session.clear()
            continue
        try:
            session.submit(text)
        except Quit:
            return
        except KeyboardInterrupt:  # between reading and running: drop the input
            session.clear()
            sys.stderr.write("Interrupted\n")


def _line_loop(session: Session, read: Any) -> None:
    while True:
        try:
            line = read(session.prompt)
        except EOFError:
            session.end()
            return
        except KeyboardInterrupt:  # at the prompt: clear the line
            session.clear()
            continue
        try:
            session.feed(line)
        except Quit:
            return
        except KeyboardInterrupt:  # between reading and running: drop the input
            session.clear()
            sys.stderr.write("Interrupted\n")

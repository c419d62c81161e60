"""The REPL on prompt_toolkit, driven through a real pseudo-terminal as a user types:
history kept between sessions, highlighting as you type, Tab completion, multi-line
editing and the `:` commands. (Ctrl-C and Ctrl-D are pinned in test_first_contact.py.)"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests"))

from support.terminal import Terminal  # noqa: E402


def _repl(home: Path, cwd: Path, colour: bool = False) -> Terminal:
    env = dict(os.environ, AXIOM_HOME=str(home), TERM="xterm-256color")
    env.pop("PROMPT_TOOLKIT_NO_CPR", None)
    if colour:
        env.pop("NO_COLOR", None)
    else:
        env["NO_COLOR"] = "1"
    return Terminal([sys.executable, "-m", "axiom.cli", "repl"], env, cwd=str(cwd))


def _enter(term: Terminal, line: str) -> None:
    """Type `line` and Enter, and wait until the editor has taken it and the screen is
    still (its redraws of the line could be taken for the next prompt)."""
    term.send(line + "\r")
    term.expect(line + "\n")
    term.settle()
    assert term.text().rstrip().endswith((">>>", "...")), term.text()[-500:]


def test_history_is_kept_between_sessions_and_input_is_highlighted(tmp_path):
    home = tmp_path / "home"
    term = _repl(home, tmp_path, colour=True)
    try:
        term.prompt()
        _enter(term, "let secret = 6 * 7")
        raw = term.raw
        # typed text is coloured by the Pygments lexer: `let` (a declaration keyword) is
        # bold green in Pygments' default style, the number another colour
        assert re.search(r"\x1b\[0;38;5;28;1mlet\x1b\[0m secret ", raw), raw
        assert re.search(r"\x1b\[0;38;5;241m6\x1b\[0m", raw), raw
        term.send(":quit\r")
        assert term.wait() == 0
    finally:
        term.kill()
    assert "let secret = 6 * 7" in (home / "repl_history").read_text()

    term = _repl(home, tmp_path)
    try:
        term.prompt()
        term.send("\x1b[A")  # Up: the inputs of the previous session come back, newest first
        term.expect(":quit")
        term.send("\x1b[A")
        term.expect("let secret = 6 * 7")
        term.send("\r")
        term.expect("let secret = 6 * 7\n")
        term.settle()
        term.send("secret\r")
        term.expect("42\n")
        term.prompt()
        term.send("\x04")
        assert term.wait() == 0
    finally:
        term.kill()


def test_tab_completes_names_keywords_and_module_exports(tmp_path):
    term = _repl(tmp_path / "home", tmp_path)
    try:
        term.prompt()
        _enter(term, "let counter = 40")
        term.send("cou\t")  # one candidate: completed in place
        term.expect("counter")
        term.send(" + 2\r")
        term.expect("42\n")
        term.prompt()
        _enter(term, "import mth")
        term.send("mth.sqr\t")
        term.expect("mth.sqrt")
        term.send("(16)\r")
        term.expect("4.0\n")
        term.prompt()
        term.send("whi\t")  # a keyword
        term.expect("while")
        term.send("\x03")  # Ctrl-C drops the input
        term.prompt()
        term.send("mth.\t")  # several candidates: a menu with signatures
        term.expect("acos       mth.acos(x: float) -> float")
        term.send("\x03")
        term.prompt()
        term.send(":quit\r")
        assert term.wait() == 0
        assert "Traceback" not in term.text()
    finally:
        term.kill()


def test_multi_line_editing_continues_while_input_is_unfinished(tmp_path):
    term = _repl(tmp_path / "home", tmp_path)
    try:
        term.prompt()
        term.send("fn add(a, b) {\r")  # an open block: Enter opens a new line
        term.expect("...")
        term.send("a + b\r")
        term.expect("...")
        _enter(term, "}")
        term.send("let total = 1 +\r")  # a trailing operator continues
        term.expect("...")
        _enter(term, "add(2, 3)")
        term.send("let xs = [total,\r")  # an open bracket continues
        term.expect("...")
        _enter(term, "total * 2]")
        term.send("xs\r")
        assert term.expect("[6, 12]\n").endswith("xs\n")
        term.prompt()
        term.send(":quit\r")
        assert term.wait() == 0
        text = term.text()
        assert "Error" not in text and "Traceback" not in text
    finally:
        term.kill()


def test_commands_mods_info_load_and_reset(tmp_path):
    (tmp_path / "lib.ax").write_text("fn triple(x) { x * 3 }\nlet loaded = true\n")
    term = _repl(tmp_path / "home", tmp_path)
    try:
        term.prompt()
        term.send(":mods\r")
        term.expect("Installed modules (import NAME; :info NAME for details):")
        term.expect("  mth ")
        term.prompt()
        term.send(":info mth\r")
        term.expect("Module: mth (Math)")
        term.prompt()
        term.send(":info mth.sqrt\r")
        term.expect("mth.sqrt(x: float) -> float")
        term.expect("Square root of x; x must not be negative.")
        term.prompt()
        term.send(":info len\r")
        term.expect("len(x) -> int")
        term.prompt()
        _enter(term, ":load lib.ax")
        term.send("triple(14)\r")
        term.expect("42\n")
        term.prompt()
        term.send(":info triple\r")
        term.expect("triple(x)")
        term.prompt()
        term.send(":reset\r")
        term.expect("Session reset: every variable and module is forgotten.")
        term.prompt()
        term.send("loaded\r")
        term.expect("Error: UndefinedVariable: undefined variable 'loaded'")
        term.prompt()
        term.send(":load missing.ax\r")
        term.expect("Error: IOError: cannot read missing.ax")
        term.prompt()
        term.send(":lod x\r")
        term.expect("Unknown command :lod (did you mean :load?); :help lists the commands.")
        term.prompt()
        term.send(":help\r")
        term.expect(":load FILE    run FILE here")
        term.prompt()
        term.send(":quit\r")
        assert term.wait() == 0
        assert "Traceback" not in term.text()
    finally:
        term.kill()

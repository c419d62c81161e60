"""tui on rich: exact headless frames, and the app in a real pseudo-terminal (pty)."""

import fcntl
import os
import pty
import re
import struct
import sys
import termios
import threading
import time

import pytest

from axiom_sdk import AxiomError, Function, display
from axiom_sdk.testing import call, end_run, raises
from axiom_tui import module, parse_keys


def c(name, *args, **kwargs):
    return call(module, name, *args, **kwargs)


def text(s):
    return c("widget_text", s)


# -- headless frames ----------------------------------------------------------------------

@pytest.mark.parametrize("make, width, height, frame", [
    (lambda: text("hello world\nsecond line"), 12, 4,
     "hello world \nsecond line \n            \n            "),
    (lambda: text("long words wrap around"), 8, 3, "long    \nwords   \nwrap    "),
    (lambda: text(""), 3, 2, "   \n   "),
    (lambda: text("\x1b[31mred\x1b[39m"), 5, 1, "red  "),
    (lambda: c("widget_table", [["ada", 36], ["alan", 41.5]], header=["name", "age"]), 20, 7,
     "┌─────────┬────────┐\n"
     "│ name    │    age │\n"
     "├─────────┼────────┤\n"
     "│ ada     │     36 │\n"
     "│ alan    │   41.5 │\n"
     "└─────────┴────────┘\n"
     "                    "),
    (lambda: c("widget_table", [["x"], ["y", "z"]]), 12, 5,
     "┌─────┬────┐\n"
     "│ x   │    │\n"
     "│ y   │ z  │\n"
     "└─────┴────┘\n"
     "            "),
    (lambda: c("widget_list", ["one", "two", "three"], selected=1), 10, 4,
     "  one     \n> two     \n  three   \n          "),
    (lambda: c("widget_list", ["one", "two"]), 6, 2, "> one \n  two "),
    (lambda: c("widget_list", ["a", "b", "c", "d", "e"], selected=4), 6, 2, "  d   \n> e   "),
    (lambda: c("widget_list", [1, 2], selected=None), 6, 2, "  1   \n  2   "),
    (lambda: c("widget_list", [], selected=3), 4, 1, "    "),
    (lambda: c("widget_panel", text("hi"), title="T"), 10, 4,
     "╭── T ───╮\n│ hi     │\n│        │\n╰────────╯"),
    (lambda: c("widget_panel", text("hi")), 6, 3, "╭────╮\n│ hi │\n╰────╯"),
    (lambda: c("widget_panel", c("widget_list", list(range(10)), selected=8)), 8, 5,
     "╭──────╮\n│   6  │\n│   7  │\n│ > 8  │\n╰──────╯"),
    (lambda: c("widget_progress", 0.5), 14, 1, "████░░░░░  50%"),
    (lambda: c("widget_progress", 0), 10, 1, "░░░░░   0%"),
    (lambda: c("widget_progress", 1.0), 10, 2, "█████ 100%\n          "),
    (lambda: c("layout_create", "row", [text("left"), text("right")], sizes=[6, None]), 14, 2,
     "left  right   \n              "),
    (lambda: c("layout_create", "column", [text("top"), text("bottom")], sizes=[None, 1]), 8, 4,
     "top     \n        \n        \nbottom  "),
    (lambda: c("layout_create", "row", [text("a"), text("b")]), 8, 1, "a   b   "),
    (lambda: c("layout_create", "row", []), 3, 2, "   \n   "),
    (lambda: c("widget_panel", c("layout_create", "column", [text("a"), text("b")]), title="T"), 6, 6,
     "╭─ T─╮\n│ a  │\n│    │\n│ b  │\n│    │\n╰────╯"),
])
def test_render_text(make, width, height, frame):
    got = c("render_text", make(), width, height)
    assert got == frame
    assert len(got.split("\n")) == height


def test_render_text_of_a_nested_screen():
    table = c("widget_panel", c("widget_table", [["cpu", 2]], header=["k", "v"]), title="Stats")
    menu = c("widget_panel", c("widget_list", ["a", "b"], selected=1), title="Menu")
    body = c("layout_create", "row", [table, menu], sizes=[None, 10])
    screen = c("layout_create", "column", [text("title"), body, c("widget_progress", 0.25)],
               sizes=[1, None, 1])
    assert c("render_text", screen, 30, 9).split("\n") == [
        "title                         ",
        "╭───── Stats ──────╮╭─ Menu ─╮",
        "│ ┌─────────┬────┐ ││   a    │",
        "│ │ k       │  v │ ││ > b    │",
        "│ ├─────────┼────┤ ││        │",
        "│ │ cpu     │  2 │ ││        │",
        "│ └─────────┴────┘ ││        │",
        "╰──────────────────╯╰────────╯",
        "██████░░░░░░░░░░░░░░░░░░░  25%",
    ]


def test_values_and_their_attributes():
    w = text("x")
    assert (w.kind, display(w)) == ("text", "<widget text>")
    lay = c("layout_create", "column", [w, w])
    assert (lay.direction, display(lay)) == ("column", "<layout column of 2>")
    app = c("app_new")
    assert (app.running, display(app)) == (True, "<app running>")
    c("app_quit", app)
    assert (app.running, display(app)) == (False, "<app quit>")


@pytest.mark.parametrize("name, args, kind, message", [
    ("layout_create", ("diagonal", []), "ValueError",
     "tui.layout_create: direction must be \"row\" or \"column\" (got 'diagonal')"),
    ("layout_create", ("row", [1]), "TypeError",
     "tui.layout_create: children[0] is int, expected a widget or layout"),
    ("layout_create", ("row", [], [1]), "ValueError", "tui.layout_create: 1 sizes for 0 children"),
    ("widget_table", ([1],), "TypeError", "tui.widget_table: rows[0] is int, expected a list"),
    ("widget_table", ([[1, 2, 3]], ["a"]), "ValueError",
     "tui.widget_table: rows[0] has 3 cells but the header has 1"),
    ("widget_list", (["a"], 1), "IndexOutOfBounds",
     "tui.widget_list: selected 1 is out of range for 1 items"),
    ("widget_list", (["a"], -1), "IndexOutOfBounds",
     "tui.widget_list: selected -1 is out of range for 1 items"),
    ("widget_progress", (1.5,), "ValueError", "tui.widget_progress: ratio must be between 0 and 1 (got 1.5)"),
    ("widget_progress", ("x",), "TypeError", "tui.widget_progress: argument 'ratio' expects float, got str"),
    ("widget_panel", ("x",), "TypeError", "tui.widget_panel: argument 'child' expects widget or layout, got str"),
    ("render_text", (None, 10, 2), "TypeError", "tui.render_text: argument 'layout' expects widget or layout, got nil"),
    ("draw_frame", (None, None), "TypeError", "tui.draw_frame: argument 'app' expects app, got nil"),
])
def test_errors(name, args, kind, message):
    err = raises(module, name, *args)
    assert (err.kind, err.message) == (kind, message)


def test_layout_size_errors():
    w = text("x")
    err = raises(module, "layout_create", "row", [w], [0])
    assert (err.kind, err.message) == ("ValueError", "tui.layout_create: sizes[0] must be a positive int or nil (got 0)")
    err = raises(module, "render_text", w, 0, 5)
    assert (err.kind, err.message) == ("ValueError", "tui.render_text: width and height must be at least 1 (got 0 and 5)")
    err = raises(module, "input_handler", c("app_new"), "f")
    assert err.message == "tui.input_handler: argument 'fn' expects function, got str"
    err = raises(module, "poll", c("app_new"), -1)
    assert err.message == "tui.poll: timeout must not be negative (got -1.0)"


# -- key names ----------------------------------------------------------------------------

@pytest.mark.parametrize("data, final, keys, rest", [
    (b"abc", False, ["a", "b", "c"], b""),
    (b" Q1", False, [" ", "Q", "1"], b""),
    (b"\x1b[A\x1b[B\x1b[C\x1b[D", False, ["up", "down", "right", "left"], b""),
    (b"\x1bOA\x1bOB", False, ["up", "down"], b""),
    (b"\r\t\x7f\x08\n", False, ["enter", "tab", "backspace", "backspace", "enter"], b""),
    (b"\x1b[H\x1b[F\x1b[5~\x1b[6~\x1b[2~\x1b[3~", False,
     ["home", "end", "pageup", "pagedown", "insert", "delete"], b""),
    (b"\x1bOP\x1b[15~\x1b[24~\x1b[Z", False, ["f1", "f5", "f12", "shift+tab"], b""),
    (b"\x1b[1;5A\x1b[1;2D\x1bx", False, ["ctrl+up", "shift+left", "alt+x"], b""),
    (b"\x01\x1a", False, ["ctrl+a", "ctrl+z"], b""),
    (b"\x1b\x1b[A", False, ["escape", "up"], b""),
    (b"a\x1b", False, ["a"], b"\x1b"),
    (b"\x1b", True, ["escape"], b""),
    (b"\x1b[1;", False, [], b"\x1b[1;"),
    (b"\x1b[", True, ["escape", "["], b""),
    (b"\x1b[99~x", False, ["x"], b""),
    ("é".encode(), False, ["é"], b""),
    ("aé".encode()[:2], False, ["a"], b"\xc3"),
])
def test_parse_keys(data, final, keys, rest):
    assert parse_keys(data, final) == (keys, rest)


# -- the app in a pseudo-terminal -----------------------------------------------------------

class Keys(Function):
    """A script function stand-in: records keys; quits on "q"; raises on "!"."""

    def __init__(self, app=None):
        self.name = "keys"
        self.keys = []
        self.app = app

    def __call__(self, key):
        self.keys.append(key)
        if key == "q" and self.app is not None:
            c("app_quit", self.app)
        if key == "!":
            raise AxiomError("ValueError", "bad key")


class Terminal:
    """A pty of 40x10 as stdin and stdout; what the program writes is collected."""

    def __init__(self, monkeypatch):
        self.master, self.slave = pty.openpty()
        fcntl.ioctl(self.slave, termios.TIOCSWINSZ, struct.pack("HHHH", 10, 40, 0, 0))
        self.out = os.fdopen(self.slave, "w", closefd=False)
        self.inp = os.fdopen(self.slave, "r", closefd=False)
        self.monkeypatch = monkeypatch
        self.data = b""
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self._drain, daemon=True)
        self.thread.start()

    def attach(self):
        """Make the pty stdin and stdout (inside the test: pytest's capture replaces
        sys.stdout again after fixtures ran)."""
        self.monkeypatch.setattr(sys, "stdout", self.out)
        self.monkeypatch.setattr(sys, "stdin", self.inp)
        return self

    def _drain(self):
        while True:
            try:
                chunk = os.read(self.master, 65536)
            except OSError:
                return
            if not chunk:
                return
            with self.lock:
                self.data += chunk

    def output(self, settle=0.2):
        time.sleep(settle)
        with self.lock:
            return self.data.decode("utf-8", errors="replace").replace("\r\n", "\n")

    def screen_text(self):
        """The output without escape sequences."""
        return re.sub(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>78]", "", self.output())

    def type(self, data):
        os.write(self.master, data)

    def lflag(self):
        return termios.tcgetattr(self.slave)[3]

    def close(self):
        self.out.close()
        self.inp.close()
        os.close(self.slave)  # the drain thread's read fails now (EIO): it ends
        self.thread.join(5)  # before the master's fd number can be reused
        os.close(self.master)


@pytest.fixture
def terminal(monkeypatch):
    for name in ("FORCE_COLOR", "NO_COLOR", "TTY_COMPATIBLE", "COLUMNS", "LINES", "TTY_INTERACTIVE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    t = Terminal(monkeypatch)
    yield t
    end_run(module)
    t.close()


def screen():
    return c("layout_create", "column", [
        c("widget_panel", c("widget_list", ["alpha", "beta"], selected=0), title="Pick"),
        c("widget_progress", 0.5)], sizes=[None, 1])


def test_draw_frame_shows_the_frame_on_the_alternate_screen(terminal):
    terminal.attach()
    app = c("app_new")
    echo_and_canonical = termios.ECHO | termios.ICANON
    assert terminal.lflag() & echo_and_canonical == echo_and_canonical
    c("draw_frame", app, screen())
    out = terminal.output()
    assert "\x1b[?1049h" in out and "\x1b[?25l" in out  # alternate screen, cursor hidden
    assert terminal.lflag() & echo_and_canonical == 0  # cbreak: keys at once, no echo
    assert c("render_text", screen(), 40, 10) in terminal.screen_text()
    c("app_quit", app)
    out = terminal.output()
    assert out.rstrip().endswith("\x1b[?1049l") and "\x1b[?25h" in out
    assert terminal.lflag() & echo_and_canonical == echo_and_canonical
    assert c("app_running", app) is False
    c("draw_frame", app, screen())  # a quit app draws nothing
    assert c("poll", app, 5) is False  # and polls at once


def test_poll_calls_the_handler_with_each_key(terminal):
    terminal.attach()
    app = c("app_new")
    keys = Keys(app)
    c("input_handler", app, keys)
    c("draw_frame", app, screen())
    terminal.type(b"ab\x1b[B\r\t\x7f")
    assert c("poll", app, 2) is True
    assert keys.keys == ["a", "b", "down", "enter", "tab", "backspace"]
    start = time.monotonic()
    assert c("poll", app, 0.2) is True  # nothing typed: waits out the timeout
    assert time.monotonic() - start >= 0.19
    terminal.type(b"\x1b")
    assert c("poll", app, 2) is True
    terminal.type(b"\x1b[")
    time.sleep(0.01)
    terminal.type(b"A")
    assert c("poll", app, 2) is True
    assert keys.keys[6:] == ["escape", "up"]
    terminal.type(b"qz")
    assert c("poll", app, 2) is False  # quit: the rest of the batch is not handled
    assert keys.keys[-1] == "q" and c("app_running", app) is False
    assert terminal.output().rstrip().endswith("\x1b[?1049l")


def test_the_screen_changes_with_the_frame(terminal):
    terminal.attach()
    app = c("app_new")
    c("draw_frame", app, c("widget_list", ["alpha", "beta"], selected=0))
    c("draw_frame", app, c("widget_list", ["alpha", "beta"], selected=1))
    assert c("render_text", c("widget_list", ["alpha", "beta"], selected=1), 40, 10) in terminal.screen_text()
    c("app_quit", app)


def test_output_while_on_screen_is_held_until_the_terminal_is_restored(terminal):
    terminal.attach()
    app = c("app_new")
    c("draw_frame", app, text("frame"))
    print("printed during the app")
    sys.stderr.write("to stderr\n")
    assert "printed during" not in terminal.output()
    c("app_quit", app)
    out = terminal.output()
    assert out.index("\x1b[?1049l") < out.index("printed during the app\n")
    assert sys.stdout is terminal.out


def test_a_failing_handler_restores_the_terminal(terminal):
    terminal.attach()
    app = c("app_new")
    c("input_handler", app, Keys())
    c("draw_frame", app, text("frame"))
    terminal.type(b"!")
    with pytest.raises(AxiomError, match="bad key"):
        c("poll", app, 2)
    assert terminal.output().rstrip().endswith("\x1b[?1049l")
    assert terminal.lflag() & termios.ECHO
    assert c("app_running", app) is True  # the script may catch the error and go on
    c("draw_frame", app, text("again"))
    assert terminal.output().count("\x1b[?1049h") == 2
    c("app_quit", app)


def test_the_run_end_restores_the_terminal(terminal):
    terminal.attach()
    app = c("app_new")
    c("draw_frame", app, text("frame"))
    print("held")
    end_run(module)
    out = terminal.output()
    assert out.rstrip().endswith("held") and "\x1b[?1049l" in out
    assert terminal.lflag() & termios.ECHO
    assert c("app_running", app) is False


def test_only_one_app_on_screen(terminal):
    terminal.attach()
    a, b = c("app_new"), c("app_new")
    c("draw_frame", a, text("a"))
    err = raises(module, "draw_frame", b, text("b"))
    assert (err.kind, err.message) == ("ValueError", "tui.draw_frame: another app is on screen; quit it first")
    c("app_quit", a)
    c("draw_frame", b, text("b"))
    c("app_quit", b)


def test_draw_frame_needs_a_terminal(monkeypatch, tmp_path):
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.delenv("TTY_COMPATIBLE", raising=False)
    with open(tmp_path / "out.txt", "w") as f:
        monkeypatch.setattr(sys, "stdout", f)
        err = raises(module, "draw_frame", c("app_new"), text("x"))
    assert (err.kind, err.message) == (
        "IOError", "tui.draw_frame: standard output is not a terminal (tui.render_text renders without one)")


def test_poll_reads_keys_from_a_pipe(monkeypatch):
    r, w = os.pipe()
    with os.fdopen(r, "r") as inp:
        monkeypatch.setattr(sys, "stdin", inp)
        app = c("app_new")
        keys = Keys()
        c("input_handler", app, keys)
        os.write(w, b"x\x1b[A")
        assert c("poll", app, 2) is True
        os.close(w)
        start = time.monotonic()
        assert c("poll", app, 0.1) is True  # end of input: no keys, the timeout is kept
        assert c("poll", app, 0.1) is True
        assert time.monotonic() - start >= 0.19
        assert keys.keys == ["x", "up"]
        c("app_quit", app)


def test_poll_ends_at_the_runs_deadline(monkeypatch):
    from axiom_sdk.testing import deadline
    r, w = os.pipe()  # open, and nothing typed
    with os.fdopen(r, "r") as inp:
        monkeypatch.setattr(sys, "stdin", inp)
        app = c("app_new")
        start = time.monotonic()
        with deadline(0.2):
            err = raises(module, "poll", app, 100)
        assert time.monotonic() - start < 2
        assert (err.kind, err.message) == ("LimitExceeded", "tui.poll: the run's time limit "
                                                            "ended the wait (--timeout)")
        c("app_quit", app)
    os.close(w)


def test_every_export_is_documented():
    assert set(module.list_exports()) == {
        "app_new", "layout_create", "widget_text", "widget_table", "widget_list", "widget_panel",
        "widget_progress", "draw_frame", "input_handler", "poll", "app_quit", "app_running",
        "render_text"}
    for name in module.list_exports():
        _, doc = module.describe(name)
        assert doc, name

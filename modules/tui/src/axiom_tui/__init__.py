"""Axiom module `tui`: immediate-mode terminal interfaces on rich (Live + Layout).

A script builds its whole screen every frame from widgets and layouts, draws it, then
polls for keys:

    let app = tui.app_new()
    tui.input_handler(app, |key| { if key == "q" { tui.app_quit(app) } })
    while tui.app_running(app) {
        tui.draw_frame(app, tui.widget_panel(tui.widget_text("hi"), title="demo"))
        tui.poll(app, 0.1)
    }

The terminal. The first `draw_frame` switches stdout to the alternate screen (rich
`Live(screen=True, auto_refresh=False)`), hides the cursor and puts stdin in cbreak
mode (`tty.setcbreak`: keys arrive at once, unechoed; Ctrl+C still interrupts). The
terminal is restored (normal screen, cursor, termios settings) by `app_quit`, when a
tui call fails or a key handler raises, and when the run ends (the on_stop hook).
While the app is on screen the script's stdout and stderr output (`out`, `err`, log
lines, an uncaught error's report) is held and written once the terminal is restored,
so it is neither drawn over nor lost with the alternate screen.
`draw_frame` needs stdout to be a terminal (IOError otherwise; `render_text` renders
without one); drawing an app that has quit does nothing.

Keys. `poll(app, timeout)` waits up to `timeout` seconds for input, calls the handler
once per key, in order, and returns as soon as it has handled a batch of keys (or the
timeout passed); it returns `app_running(app)`. Key names: a printable character as
itself (`"a"`, `"Q"`, `" "`), `"enter" "tab" "backspace" "escape" "up" "down" "left"
"right" "home" "end" "pageup" "pagedown" "insert" "delete" "shift+tab" "f1"`..`"f12"`,
`"ctrl+a"`..`"ctrl+z"` for control characters, and `"ctrl+up"`, `"shift+left"`, `"alt+x"`
... for modified keys. Escape sequences split over several reads are joined.
stdin that is not a terminal (a pipe) is read the same way, without cbreak.

Widgets and layouts are immutable values. `layout_create("row" | "column", children,
sizes)` puts children side by side ("row") or stacked ("column"); `sizes` gives each
child a fixed width (row) or height (column) in cells, `nil` (or a nil entry) shares
the rest equally. Tables right-align a column whose cells are all numbers. A list
highlights the selected item (reverse video and a `>` marker) and scrolls to keep it
visible. `render_text(layout, width, height)` gives the plain text of a frame: exactly
`height` lines of exactly `width` cells (padded with spaces), joined by "\\n".

rich is imported when this module is; tty, termios and select only on a first frame.
"""

from __future__ import annotations

import io
import os
import sys
import time
import weakref
from collections.abc import Callable
from typing import Any, Final

from rich import box
from rich.console import Console, ConsoleOptions, RenderResult
from rich.layout import Layout as RichLayout
from rich.panel import Panel
from rich.segment import Segment
from rich.style import Style
from rich.table import Table
from rich.text import Text

from axiom_sdk import Module, bounded_wait, display, typeof

module = Module("tui", summary="Terminal UI: immediate-mode widgets, layouts and keys",
                title="Terminal UI")

ESCAPE_WAIT: Final = 0.05  # seconds to wait for the rest of a split escape sequence


# -- widgets ------------------------------------------------------------------------------

class _ListView:
    """Items one per line, the selected one marked and kept in view."""

    def __init__(self, items: list[str], selected: int | None) -> None:
        self.items = items
        self.selected = selected

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width
        height = options.height if options.height is not None else len(self.items)
        start = 0
        if self.selected is not None and self.selected >= height:
            start = self.selected - height + 1
        marked = Style(reverse=True, bold=True)
        for i, item in enumerate(self.items[start:start + height], start):
            mark = ">" if i == self.selected else " "
            line = Text(f"{mark} {item}", no_wrap=True, overflow="ellipsis",
                        style=marked if i == self.selected else "")
            line.truncate(width, overflow="ellipsis", pad=True)
            yield line


class _Bar:
    """A horizontal bar `████░░░░  42%` filling the width."""

    def __init__(self, ratio: float) -> None:
        self.ratio = ratio

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width
        label = f" {round(self.ratio * 100):>3}%"
        bar_width = max(0, width - len(label))
        filled = round(self.ratio * bar_width)
        yield Segment("█" * filled, Style(color="green"))
        yield Segment("░" * (bar_width - filled), Style(color="bright_black"))
        yield Segment(label[:width])
        yield Segment.line()


@module.foreign_type("widget", attrs=["kind"], display=lambda w: f"<widget {w.kind}>")
class Widget:
    """A widget: `kind` is "text", "table", "list", "panel" or "progress"."""

    def __init__(self, kind: str, make: Callable[[], Any]) -> None:
        self.kind = kind
        self.make = make  # () -> a fresh rich renderable


@module.foreign_type("layout", attrs=["direction"],
                     display=lambda lay: f"<layout {lay.direction} of {len(lay.children)}>")
class Layout:
    """Children side by side ("row") or stacked ("column"), with optional fixed sizes."""

    def __init__(self, direction: str, children: list[Widget | Layout],
                 sizes: list[int | None]) -> None:
        self.direction = direction
        self.children = children
        self.sizes = sizes

    def make(self) -> RichLayout:
        parts = []
        for child, size in zip(self.children, self.sizes):
            parts.append(RichLayout(_Region(child.make()), size=size))
        root = RichLayout(_Region(Text("")))
        if parts:
            if self.direction == "row":
                root.split_row(*parts)
            else:
                root.split_column(*parts)
        return root


Node = Widget | Layout


class _Region:
    """Holds a renderable for a rich Layout region: the layout shows a placeholder for
    any falsy renderable (such as an empty Text), and a renderable yielded from
    __rich_console__ loses the region's height, so render it here with the options."""

    def __init__(self, renderable: Any) -> None:
        self.renderable = renderable

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        new_line = Segment.line()
        for line in console.render_lines(self.renderable, options, pad=True):
            yield from line
            yield new_line


def _frame(node: Widget | Layout) -> RichLayout:
    """The node as a rich Layout filling whatever region it is given."""
    r = node.make()
    return r if isinstance(r, RichLayout) else RichLayout(_Region(r))


@module.export
def widget_text(text: str) -> Widget:
    """A block of text, wrapped to the width (ANSI colours from clr are kept)."""
    return Widget("text", lambda: Text.from_ansi(text) if "\x1b" in text else Text(text))


def _is_number(v: Any) -> bool:
    return type(v) is int or type(v) is float


@module.export
def widget_table(rows: list, header: list | None = None) -> Widget:
    """A table of rows (lists of values), with an optional header row."""
    cells: list[list[Any]] = []
    for i, row in enumerate(rows):
        if not isinstance(row, list):
            raise module.error("TypeError", f"tui.widget_table: rows[{i}] is "
                                            f"{typeof(row)}, expected a list")
        cells.append(list(row))
    ncols = max([len(r) for r in cells] + [len(header) if header is not None else 0])
    if header is not None:
        for i, row in enumerate(cells):
            if len(row) > len(header):
                raise module.error("ValueError", f"tui.widget_table: rows[{i}] has {len(row)} "
                                                 f"cells but the header has {len(header)}")
    numeric = [bool(cells) and all(j < len(r) and _is_number(r[j]) for r in cells)
               for j in range(ncols)]
    head = [display(h) for h in header] if header is not None else [""] * ncols
    body = [[display(v) for v in r] + [""] * (ncols - len(r)) for r in cells]

    def make() -> Table:
        table = Table(box=box.SQUARE, expand=True, show_header=header is not None)
        for j in range(ncols):
            table.add_column(head[j], justify="right" if numeric[j] else "left")
        for r in body:
            table.add_row(*r)
        return table
    return Widget("table", make)


@module.export
def widget_list(items: list, selected: int | None = 0) -> Widget:
    """A list of items, one per line, with the item at index `selected` highlighted."""
    texts = [display(v) for v in items]
    if selected is not None and texts and not 0 <= selected < len(texts):
        raise module.error("IndexOutOfBounds", f"tui.widget_list: selected {selected} is out of "
                                               f"range for {len(texts)} items")
    sel = selected if texts else None
    return Widget("list", lambda: _ListView(texts, sel))


@module.export
def widget_panel(child: Node, title: str = "") -> Widget:
    """A box with rounded corners around a widget or layout, with an optional title."""
    return Widget("panel", lambda: Panel(child.make(), title=title or None,
                                         box=box.ROUNDED, expand=True))


@module.export
def widget_progress(ratio: float) -> Widget:
    """A progress bar filled to `ratio` (0 to 1) with its percentage."""
    if not 0.0 <= ratio <= 1.0:
        raise module.error("ValueError", f"tui.widget_progress: ratio must be between 0 and 1 "
                                         f"(got {ratio!r})")
    return Widget("progress", lambda: _Bar(ratio))


@module.export
def layout_create(direction: str, children: list, sizes: list | None = None) -> Layout:
    """Children side by side ("row") or stacked ("column"); sizes fix widths or heights."""
    if direction not in ("row", "column"):
        raise module.error("ValueError", f"tui.layout_create: direction must be \"row\" or "
                                         f"\"column\" (got {direction!r})")
    for i, child in enumerate(children):
        if not isinstance(child, (Widget, Layout)):
            raise module.error("TypeError", f"tui.layout_create: children[{i}] is "
                                            f"{typeof(child)}, expected a widget or layout")
    if sizes is None:
        sizes = [None] * len(children)
    if len(sizes) != len(children):
        raise module.error("ValueError", f"tui.layout_create: {len(sizes)} sizes for "
                                         f"{len(children)} children")
    for i, size in enumerate(sizes):
        if size is not None and (type(size) is not int or size < 1):
            raise module.error("ValueError", f"tui.layout_create: sizes[{i}] must be a positive "
                                             f"int or nil (got {display(size)})")
    return Layout(direction, list(children), list(sizes))


@module.export
def render_text(layout: Node, width: int, height: int) -> str:
    """The plain text of a frame: exactly `height` lines of `width` cells, joined by "\\n"."""
    if width < 1 or height < 1:
        raise module.error("ValueError", f"tui.render_text: width and height must be at least 1 "
                                         f"(got {width} and {height})")
    console = Console(file=io.StringIO(), width=width, height=height, color_system=None,
                      force_terminal=False, legacy_windows=False, emoji=False, highlight=False)
    options = console.options.update_dimensions(width, height)
    lines = console.render_lines(_frame(layout), options, pad=True)
    lines = Segment.set_shape(lines, width, height)
    return "\n".join("".join(seg.text for seg in line) for line in lines)


# -- the app and the terminal -------------------------------------------------------------

class _Held(io.TextIOBase):
    """Stands in for sys.stdout or sys.stderr while an app is on screen: keeps what is
    written, in one log shared by both streams (so their order survives), to be
    written to the real streams when the terminal is restored."""

    def __init__(self, real: Any, log: list[tuple[Any, str]]) -> None:
        self.real = real
        self.log = log

    def write(self, s: str) -> int:
        self.log.append((self.real, s))
        return len(s)

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return bool(self.real.isatty())

    def fileno(self) -> int:
        return int(self.real.fileno())

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self.real, "encoding", "utf-8")


def _release(log: list[tuple[Any, str]]) -> None:
    """Write what was held to the real streams, in the order it was written."""
    items = list(log)
    log.clear()
    for stream, text in items:
        stream.write(text)
        stream.flush()  # before the other stream writes: both may be one terminal


@module.foreign_type("app", attrs=["running"],
                     display=lambda a: "<app running>" if a.running else "<app quit>")
class App:
    """A terminal app: `running` is false once it has quit."""

    def __init__(self) -> None:
        self.running = True
        self.handler: Any = None
        self.live: Any = None  # rich Live, while on screen
        self.held: list[tuple[str, _Held]] = []  # the sys streams held while on screen
        self.held_log: list[tuple[Any, str]] = []  # what they were given
        self.in_fd: int | None = None  # stdin's fd while keys are read
        self.saved_tty: Any = None  # termios attributes to restore
        self.eof = False
        self.pending = b""
        module.state().apps.append(self)
        _every_app.add(self)

    # -- entering and leaving the terminal ------------------------------------------------
    def start_screen(self, fname: str) -> None:
        if self.live is not None:
            return
        for app in list(_every_app):  # the terminal is the whole process's
            if app is not self and app.live is not None:
                raise module.error("ValueError", f"tui.{fname}: another app is on screen; "
                                                 "quit it first")
        console = Console(file=sys.stdout)
        if not console.is_terminal:
            raise module.error("IOError", f"tui.{fname}: standard output is not a terminal "
                                          "(tui.render_text renders without one)")
        from rich.live import Live
        live = Live(console=console, screen=True, auto_refresh=False, transient=False,
                    redirect_stdout=False, redirect_stderr=False)
        live.start()
        self.live = live
        for name in ("stdout", "stderr"):
            held = _Held(getattr(sys, name), self.held_log)
            setattr(sys, name, held)
            self.held.append((name, held))
        self.start_keys()

    def fit(self) -> None:
        """Size the frame to the terminal stdout is on now (rich would ask fds 0-2)."""
        console = self.live.console
        try:
            size = os.get_terminal_size(console.file.fileno())
        except (AttributeError, OSError, ValueError):
            return
        if size.columns > 0 and size.lines > 0:
            console.size = (size.columns, size.lines)

    def start_keys(self) -> None:
        if self.in_fd is not None or self.eof:
            return
        try:
            fd = sys.stdin.fileno()
        except (AttributeError, OSError, ValueError):
            self.eof = True  # no stdin to read
            return
        if os.isatty(fd):
            import termios
            import tty
            self.saved_tty = termios.tcgetattr(fd)
            tty.setcbreak(fd)
        self.in_fd = fd

    def restore(self) -> None:
        """Leave the screen and give the terminal back as it was (safe to call again)."""
        live, self.live = self.live, None
        try:
            if live is not None:
                live.stop()
        finally:
            if self.saved_tty is not None and self.in_fd is not None:
                import termios
                try:
                    termios.tcsetattr(self.in_fd, termios.TCSADRAIN, self.saved_tty)
                except (OSError, termios.error):
                    pass
            self.saved_tty = None
            self.in_fd = None
            self.pending = b""
            held, self.held = self.held, []
            for name, stream in held:
                if getattr(sys, name) is stream:
                    setattr(sys, name, stream.real)
            _release(self.held_log)

    # -- reading keys -----------------------------------------------------------------
    def read_keys(self, timeout: float) -> list[str]:
        """Keys typed within `timeout` seconds (returns at the first batch)."""
        import select
        if self.in_fd is None:
            time.sleep(timeout)
            return []
        deadline = time.monotonic() + timeout
        keys: list[str] = []
        wait = timeout
        while True:
            ready, _, _ = select.select([self.in_fd], [], [], wait)
            if not ready:
                if self.pending:  # the rest of a split sequence never came
                    more, self.pending = parse_keys(self.pending, final=True)
                    keys += more
                if keys:
                    return keys
                left = deadline - time.monotonic()
                if left <= 0:
                    return keys
                wait = left
                continue
            data = os.read(self.in_fd, 1024)
            if not data:  # end of input (a pipe): no more keys, ever
                self.eof = True
                self.in_fd = None
                more, self.pending = parse_keys(self.pending, final=True)
                keys += more
                if not keys:
                    time.sleep(max(0.0, deadline - time.monotonic()))
                return keys
            more, self.pending = parse_keys(self.pending + data, final=False)
            keys += more
            if not self.pending and keys:
                return keys
            # a sequence split over reads: wait a moment for its rest
            wait = ESCAPE_WAIT if self.pending else max(0.0, deadline - time.monotonic())


@module.per_run
class _Apps:
    """The apps this run made (its end restores the terminal for those still on screen)."""

    def __init__(self) -> None:
        self.apps: list[App] = []


_every_app: weakref.WeakSet[App] = weakref.WeakSet()  # of every run: one terminal per process


def _guard(app: App, fn: Callable[[], Any]) -> Any:
    """Run fn; on any failure give the terminal back first, then raise."""
    try:
        return fn()
    except BaseException:
        app.restore()
        raise


@module.export
def app_new() -> App:
    """A new terminal app (nothing is drawn until draw_frame)."""
    return App()


@module.export
def draw_frame(app: App, layout: Node) -> None:
    """Draw a widget or layout over the whole terminal (the first frame enters it)."""
    if not app.running:
        return

    def draw() -> None:
        app.start_screen("draw_frame")
        app.fit()
        app.live.update(_frame(layout), refresh=True)
    _guard(app, draw)


@module.export
def input_handler(app: App, fn: Callable) -> None:
    """Set the function that poll calls with each key's name."""
    app.handler = fn


@module.export
def poll(app: App, timeout: float) -> bool:
    """Read keys for up to `timeout` seconds, calling the handler; true while running."""
    if timeout < 0:
        raise module.error("ValueError", f"tui.poll: timeout must not be negative (got {timeout!r})")
    if not app.running:
        return False

    def run() -> bool:
        app.start_keys()
        keys = bounded_wait(lambda t: app.read_keys(timeout if t is None else t), timeout,
                            where="tui.poll")  # the run's time limit also ends the wait
        for key in keys:
            if app.handler is not None:
                app.handler(key)
            if not app.running:
                break
        return app.running
    return bool(_guard(app, run))


@module.export
def app_quit(app: App) -> None:
    """Stop the app and restore the terminal."""
    app.running = False
    app.restore()


@module.export
def app_running(app: App) -> bool:
    """Whether the app is still running (it has not quit)."""
    return app.running


@module.on_stop
def _stop() -> None:
    """At the run's end: restore the terminal for every app still on screen."""
    state: _Apps = module.state()
    apps = list(state.apps)
    state.apps.clear()
    for app in apps:
        app.running = False
        app.restore()


# -- key names ----------------------------------------------------------------------------

_CSI_LETTERS: Final = {"A": "up", "B": "down", "C": "right", "D": "left", "H": "home",
                       "F": "end", "P": "f1", "Q": "f2", "R": "f3", "S": "f4"}
_CSI_NUMBERS: Final = {1: "home", 2: "insert", 3: "delete", 4: "end", 5: "pageup",
                       6: "pagedown", 7: "home", 8: "end", 11: "f1", 12: "f2", 13: "f3",
                       14: "f4", 15: "f5", 17: "f6", 18: "f7", 19: "f8", 20: "f9", 21: "f10",
                       23: "f11", 24: "f12"}
_MODIFIERS: Final = {2: "shift+", 3: "alt+", 4: "shift+alt+", 5: "ctrl+", 6: "ctrl+shift+",
                     7: "ctrl+alt+", 8: "ctrl+shift+alt+"}
_CONTROL: Final = {"\r": "enter", "\n": "enter", "\t": "tab", "\x7f": "backspace",
                   "\x08": "backspace", "\x00": "ctrl+space"}


def _sequence(text: str, i: int) -> tuple[str | None, int] | None:
    """The key of the escape sequence at text[i] (an ESC) and the index after it; None
    when the sequence is not complete yet."""
    if i + 1 >= len(text):
        return None
    intro = text[i + 1]
    if intro == "O":  # SS3: ESC O letter
        if i + 2 >= len(text):
            return None
        return _CSI_LETTERS.get(text[i + 2]), i + 3
    if intro == "[":  # CSI: ESC [ params final
        j = i + 2
        while j < len(text) and "\x30" <= text[j] <= "\x3f":
            j += 1
        while j < len(text) and "\x20" <= text[j] <= "\x2f":
            j += 1
        if j >= len(text):
            return None
        final, params = text[j], text[i + 2:j].split(";")
        mod = _MODIFIERS.get(int(params[1]), "") if len(params) > 1 and params[1].isdigit() else ""
        if final == "~":
            name = _CSI_NUMBERS.get(int(params[0])) if params[0].isdigit() else None
        elif final == "Z":
            name = "shift+tab"
        else:
            name = _CSI_LETTERS.get(final)
        return (mod + name if name else None), j + 1
    if intro == "\x1b":
        return "escape", i + 1
    return "alt+" + _single(intro), i + 2


def _single(ch: str) -> str:
    name = _CONTROL.get(ch)
    if name is not None:
        return name
    if ch < " ":
        return "ctrl+" + chr(ord(ch) + 96)
    return ch


def _decode(data: bytes, final: bool) -> tuple[str, bytes]:
    """The text of `data` and the bytes of a character split at its end (kept for the
    next read unless `final`)."""
    if not final:
        for cut in range(min(4, len(data) + 1)):
            try:
                return data[:len(data) - cut].decode("utf-8"), data[len(data) - cut:]
            except UnicodeDecodeError:
                continue
    return data.decode("utf-8", errors="ignore"), b""


def parse_keys(data: bytes, final: bool) -> tuple[list[str], bytes]:
    """Key names in `data` (bytes read from the terminal) and the bytes of an incomplete
    trailing sequence or character; with `final`, nothing is left over (a lone ESC is
    "escape")."""
    text, rest = _decode(data, final)
    keys: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\x1b":
            seq = _sequence(text, i)
            if seq is None:
                if not final:
                    return keys, text[i:].encode("utf-8") + rest
                keys.append("escape")
                i += 1
                continue
            name, i = seq
            if name is not None:
                keys.append(name)
            continue
        keys.append(_single(ch))
        i += 1
    return keys, rest


__all__ = ["App", "Layout", "Widget", "module", "parse_keys"]

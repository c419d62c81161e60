"""Axiom module `log`: levelled log lines, progress bars and spinners on stderr (rich).

Everything goes to sys.stderr (looked up at each call, so a redirected stderr is
honoured). Two renderings:

- stderr is a terminal (or FORCE_COLOR / TTY_COMPATIBLE=1 says so, as rich decides):
  log lines are coloured; progress bars and spinners are drawn live, all of them in one
  rich `Progress` display at the bottom, with log lines and the script's own output
  printed above them. A bar or spinner that ends leaves its final line on screen.
  NO_COLOR removes the colours (bold stays).
- otherwise plain lines, one per event, nothing redrawn:
    log line:         `2026-11-23 16:50:01 INFO  message` (local time; level padded to 5)
    progress finish:  `label 10/10` (the count reached, even when short of the total)
    spinner stop:     `label done`, or `label stopped` when the run ended first
  A progress bar or spinner writes nothing until it ends.

Levels: debug < info < warn < error; the default is info and `set_level` changes it
until the run ends. Log functions take any values and join their display forms with
spaces, like `out`: `log.info("loaded", n, "rows")`.

The run's end (the module's on_stop hook) finishes every open progress bar and spinner
and stops the live display, so the cursor and terminal come back even when the script
fails.

rich is imported when this module is.
"""

from __future__ import annotations

import sys
import time
from typing import Any, Final

from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text

from axiom_sdk import Module, display

module = Module("log", summary="Logging: levelled log lines, progress bars and spinners",
                title="Logging")

LEVELS: Final = {"debug": 10, "info": 20, "warn": 30, "error": 40}
_ALIASES: Final = {"warning": "warn"}
_STYLES: Final = {"debug": "dim", "info": "cyan", "warn": "yellow", "error": "bold red"}
DEFAULT_LEVEL: Final = "info"


class _State:
    """The module's run state: the level, the open bars and spinners, the live display."""

    def __init__(self) -> None:
        self.level = LEVELS[DEFAULT_LEVEL]
        self.open: list[ProgressBar | Spinner] = []  # in creation order
        self.progress: Progress | None = None  # the live display, while something is open


_state = _State()


def _console() -> Console:
    """The console log lines use now: the live display's while it runs."""
    if _state.progress is not None:
        return _state.progress.console
    return Console(file=sys.stderr, highlight=False)


def _plain_line(line: str) -> None:
    stream = sys.stderr
    stream.write(line + "\n")
    stream.flush()


def _number(x: int | float) -> str:
    return str(x) if type(x) is int or not float(x).is_integer() else str(int(x))


# -- live display -----------------------------------------------------------------------

class _Body(ProgressColumn):
    """A bar for a progress task, a spinner (or its end mark) for a spinner task."""

    def __init__(self) -> None:
        super().__init__()
        self.bar = BarColumn(bar_width=30)
        self.spinner = SpinnerColumn()

    def render(self, task: Task) -> Any:
        if not task.fields.get("spinner"):
            return self.bar.render(task)
        if task.finished:
            return Text("✓", style="green") if task.fields.get("ok") else Text("✗", style="red")
        return self.spinner.render(task)


class _Count(ProgressColumn):
    """`completed/total` for a progress task; nothing for a spinner."""

    def render(self, task: Task) -> Text:
        if task.fields.get("spinner"):
            return Text("")
        total = task.total or 0
        return Text(f"{_number(task.completed)}/{_number(total)}", style="progress.download")


def _live() -> Progress:
    """The shared live display, started on first use."""
    if _state.progress is None:
        console = Console(file=sys.stderr)
        # The script's own stdout is printed above the bars only when it is a terminal
        # too; redirected to a file or pipe it must stay there, not move to stderr.
        progress = Progress(TextColumn("{task.description}"), _Body(), _Count(),
                            TimeElapsedColumn(), console=console, transient=True,
                            redirect_stdout=_isatty(sys.stdout))
        progress.start()
        _state.progress = progress
    return _state.progress


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


def _end_live_task(task_id: TaskID) -> None:
    """Print a task's final line above the display and drop it; stop the display when
    nothing is left."""
    progress = _state.progress
    if progress is None:
        return
    progress.stop_task(task_id)
    task = next(t for t in progress.tasks if t.id == task_id)
    progress.console.print(progress.make_tasks_table([task]))
    progress.remove_task(task_id)
    if not progress.tasks:
        progress.stop()
        _state.progress = None


def _is_terminal() -> bool:
    return _console().is_terminal


# -- foreign types ----------------------------------------------------------------------

@module.foreign_type("progress", attrs=["label", "total", "completed", "finished"],
                     methods=["update", "finish"],
                     display=lambda p: f'<progress "{p.label}" {_number(p.completed)}/{_number(p.total)}>')
class ProgressBar:
    """A progress bar: `label`, `total`, `completed` (numbers) and `finished` (bool)."""

    def __init__(self, total: int | float, label: str) -> None:
        self.label = label
        self.total = total
        self.completed: int | float = 0
        self.finished = False
        self.task_id: TaskID | None = None
        if _is_terminal():
            self.task_id = _live().add_task(label, total=total, spinner=False)
        _state.open.append(self)

    def update(self, advance: int | float = 1) -> None:
        """Advance the bar by `advance` (default 1)."""
        if self.finished:
            raise module.error("ValueError", f"log.progress_update: the progress bar "
                                             f"{self.label!r} is already finished")
        self.completed += advance
        if self.task_id is not None and _state.progress is not None:
            _state.progress.update(self.task_id, completed=self.completed)

    def finish(self) -> None:
        """End the bar, leaving its final line (calling it again does nothing)."""
        if self.finished:
            return
        self.finished = True
        if self in _state.open:
            _state.open.remove(self)
        if self.task_id is not None:
            _end_live_task(self.task_id)
        else:
            count = f"{_number(self.completed)}/{_number(self.total)}"
            _plain_line(f"{self.label} {count}" if self.label else count)


@module.foreign_type("spinner", attrs=["label", "running"], methods=["stop"],
                     display=lambda s: f'<spinner "{s.label}">')
class Spinner:
    """A spinner for work of unknown length: `label` and `running` (bool)."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.running = True
        self.task_id: TaskID | None = None
        if _is_terminal():
            self.task_id = _live().add_task(label, total=1, spinner=True, ok=True)
        _state.open.append(self)

    def stop(self) -> None:
        """Stop the spinner, leaving a final "done" line (calling it again does nothing)."""
        self._end(ok=True)

    def _end(self, ok: bool) -> None:
        if not self.running:
            return
        self.running = False
        if self in _state.open:
            _state.open.remove(self)
        if self.task_id is not None and _state.progress is not None:
            _state.progress.update(self.task_id, completed=1, ok=ok)
            _end_live_task(self.task_id)
        else:
            word = "done" if ok else "stopped"
            _plain_line(f"{self.label} {word}" if self.label else word)


# -- progress ---------------------------------------------------------------------------

@module.export
def progress_bar(total: int | float, label: str = "") -> ProgressBar:
    """A progress bar counting up to `total`, shown with `label`."""
    if total < 0:
        raise module.error("ValueError", f"log.progress_bar: total must not be negative (got {total})")
    return ProgressBar(total, label)


@module.export
def progress_update(p: ProgressBar, advance: int | float = 1) -> None:
    """Advance a progress bar by `advance` (default 1)."""
    p.update(advance)


@module.export
def progress_finish(p: ProgressBar) -> None:
    """End a progress bar, leaving its final line; ending it again does nothing."""
    p.finish()


@module.export
def spinner(label: str) -> Spinner:
    """A spinner shown with `label` until its stop() is called."""
    return Spinner(label)


# -- log lines --------------------------------------------------------------------------

def _log(level: str, values: tuple[Any, ...]) -> None:
    if LEVELS[level] < _state.level:
        return
    message = " ".join(display(v) for v in values)
    stamp = time.strftime("%Y-%m-%d %H:%M:%S")
    name = level.upper().ljust(5)
    console = _console()
    if not console.is_terminal:
        _plain_line(f"{stamp} {name} {message}")
        return
    text = Text.assemble((stamp, "dim"), " ", (name, _STYLES[level]), " ",
                         Text.from_ansi(message) if "\x1b" in message else message)
    console.print(text, soft_wrap=True)


@module.export
def debug(*values: Any) -> None:
    """Log a debug line (shown only after set_level("debug"))."""
    _log("debug", values)


@module.export
def info(*values: Any) -> None:
    """Log an info line: the values' display forms joined by spaces."""
    _log("info", values)


@module.export
def warn(*values: Any) -> None:
    """Log a warning line."""
    _log("warn", values)


@module.export
def error(*values: Any) -> None:
    """Log an error line (it does not raise: use `throw` for that)."""
    _log("error", values)


@module.export
def set_level(level: str) -> None:
    """Show only lines at `level` or above: "debug", "info" (default), "warn", "error"."""
    key = level.strip().lower()
    key = _ALIASES.get(key, key)
    if key not in LEVELS:
        raise module.error("ValueError", f"log.set_level: unknown level {level!r} "
                                         "(use debug, info, warn or error)")
    _state.level = LEVELS[key]


@module.on_stop
def _stop() -> None:
    """At the run's end: finish what is open, stop the live display, reset the level."""
    for item in list(_state.open):
        if isinstance(item, ProgressBar):
            item.finish()
        else:
            item._end(ok=False)
    if _state.progress is not None:
        _state.progress.stop()
        _state.progress = None
    _state.level = LEVELS[DEFAULT_LEVEL]


__all__ = ["LEVELS", "ProgressBar", "Spinner", "module"]

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
spaces, like `out`: `log.info("loaded", n, "rows")`, plus key/value fields:
`log.info("saved", rows=12)` adds ` rows=12` to the line.

Structured logs: `log.configure(format="json")` (or `AXIOM_LOG_FORMAT=json` in the
environment) writes each record as one JSON object per line:
    {"time": "2026-11-23T16:50:01.123+01:00", "level": "info", "message": "saved",
     "file": "etl.ax", "line": 12, "rows": 12}
`time` is local ISO 8601 with milliseconds and the offset, `file` and `line` are the
script statement that logged (null outside a script), fields follow as JSON (a value
JSON cannot hold is written as its display form). `time level message file line` are
the record's own keys: a field may not use them. `configure(level=...)` is set_level;
`configure(file=PATH)` appends the records to PATH instead of stderr (needs fs.write;
progress bars and spinners stay on stderr). Human lines stay the default, on a terminal
and off one. Settings last until the run ends; each Runtime has its own.

The run's end (the module's on_stop hook) finishes every open progress bar and spinner
and stops the live display, so the cursor and terminal come back even when the script
fails.

rich is imported when this module is.
"""

from __future__ import annotations

import json
import math
import os
import sys
import time
from typing import IO, Any, Final

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

from axiom_sdk import AxiomError, Module, display, require, script_position

module = Module("log", summary="Logging: levelled log lines, progress bars and spinners",
                title="Logging")

LEVELS: Final = {"debug": 10, "info": 20, "warn": 30, "error": 40}
_ALIASES: Final = {"warning": "warn"}
_STYLES: Final = {"debug": "dim", "info": "cyan", "warn": "yellow", "error": "bold red"}
DEFAULT_LEVEL: Final = "info"
FORMATS: Final = ("human", "json")
RECORD_KEYS: Final = ("time", "level", "message", "file", "line")


@module.per_run
class _State:
    """The module's state in one run: the level, the format and file of log records,
    the open bars and spinners, the live display."""

    def __init__(self) -> None:
        self.level = LEVELS[DEFAULT_LEVEL]
        self.format = _env_format()
        self.file: IO[str] | None = None  # configure(file=...): where records go instead
        self.open: list[ProgressBar | Spinner] = []  # in creation order
        self.progress: Progress | None = None  # the live display, while something is open


def _env_format() -> str:
    raw = os.environ.get("AXIOM_LOG_FORMAT", "").strip().lower()
    if raw and raw not in FORMATS:
        raise AxiomError("ValueError", f"AXIOM_LOG_FORMAT is {raw!r}; use json or human")
    return raw or "human"


def _st() -> _State:
    return module.state()  # type: ignore[no-any-return]


def _console() -> Console:
    """The console log lines use now: the live display's while it runs."""
    progress = _st().progress
    if progress is not None:
        return progress.console
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
    st = _st()
    if st.progress is None:
        console = Console(file=sys.stderr)
        # The script's own stdout is printed above the bars only when it is a terminal
        # too; redirected to a file or pipe it must stay there, not move to stderr.
        progress = Progress(TextColumn("{task.description}"), _Body(), _Count(),
                            TimeElapsedColumn(), console=console, transient=True,
                            redirect_stdout=_isatty(sys.stdout))
        progress.start()
        st.progress = progress
    return st.progress


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


def _end_live_task(task_id: TaskID) -> None:
    """Print a task's final line above the display and drop it; stop the display when
    nothing is left."""
    st = _st()
    progress = st.progress
    if progress is None:
        return
    progress.stop_task(task_id)
    task = next(t for t in progress.tasks if t.id == task_id)
    progress.console.print(progress.make_tasks_table([task]))
    progress.remove_task(task_id)
    if not progress.tasks:
        progress.stop()
        st.progress = None


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
        _st().open.append(self)

    def update(self, advance: int | float = 1) -> None:
        """Advance the bar by `advance` (default 1)."""
        if self.finished:
            raise module.error("ValueError", f"log.progress_update: the progress bar "
                                             f"{self.label!r} is already finished")
        self.completed += advance
        progress = _st().progress
        if self.task_id is not None and progress is not None:
            progress.update(self.task_id, completed=self.completed)

    def finish(self) -> None:
        """End the bar, leaving its final line (calling it again does nothing)."""
        if self.finished:
            return
        self.finished = True
        if self in _st().open:
            _st().open.remove(self)
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
        _st().open.append(self)

    def stop(self) -> None:
        """Stop the spinner, leaving a final "done" line (calling it again does nothing)."""
        self._end(ok=True)

    def _end(self, ok: bool) -> None:
        if not self.running:
            return
        self.running = False
        st = _st()
        if self in st.open:
            st.open.remove(self)
        if self.task_id is not None and st.progress is not None:
            st.progress.update(self.task_id, completed=1, ok=ok)
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

def _log(level: str, values: tuple[Any, ...], fields: dict[str, Any]) -> None:
    st = _st()
    if LEVELS[level] < st.level:
        return
    message = " ".join(display(v) for v in values)
    if st.format == "json":
        _emit(st, _json_record(level, message, fields))
        return
    stamp = time.strftime("%Y-%m-%d %H:%M:%S")
    name = level.upper().ljust(5)
    extra = "".join(f" {k}={_field_text(v)}" for k, v in fields.items())
    if st.file is not None:
        _emit(st, f"{stamp} {name} {message}{extra}")
        return
    console = _console()
    if not console.is_terminal:
        _plain_line(f"{stamp} {name} {message}{extra}")
        return
    text = Text.assemble((stamp, "dim"), " ", (name, _STYLES[level]), " ",
                         Text.from_ansi(message) if "\x1b" in message else message,
                         (extra, "dim"))
    console.print(text, soft_wrap=True)


def _emit(st: _State, line: str) -> None:
    """One whole record line to the configured file, or to stderr (above a live display)."""
    if st.file is not None:
        try:
            st.file.write(line + "\n")
            st.file.flush()
        except OSError as e:
            raise module.error("IOError", f"log: cannot write to {st.file.name}: "
                                          f"{e.strerror or e}") from None
    elif st.progress is not None:
        st.progress.console.print(line, markup=False, highlight=False, soft_wrap=True)
    else:
        _plain_line(line)


def _json_record(level: str, message: str, fields: dict[str, Any]) -> str:
    from datetime import datetime
    where = script_position()
    record: dict[str, Any] = {
        "time": datetime.now().astimezone().isoformat(timespec="milliseconds"),
        "level": level, "message": message,
        "file": where[0] if where else None, "line": where[1] if where else None,
    }
    for key, value in fields.items():
        record[key] = _jsonable(value, 0)
    return json.dumps(record, ensure_ascii=False, allow_nan=False)


def _jsonable(v: Any, depth: int) -> Any:
    """v as JSON can hold it: lists and dicts (keys as text) kept, finite numbers, strs,
    bools and nil as they are, anything else (a set, a function, NaN, data nested too
    deep) as its display form."""
    t = type(v)
    if v is None or t is bool or t is int or t is str:
        return v
    if t is float:
        return v if math.isfinite(v) else display(v)
    if depth < 100 and isinstance(v, list):
        return [_jsonable(x, depth + 1) for x in v]
    if depth < 100 and isinstance(v, dict):
        return {k if type(k) is str else display(k): _jsonable(x, depth + 1) for k, x in v.items()}
    return display(v)


def _field_text(v: Any) -> str:
    """A field's value on a human line: a str quoted when it has spaces, quotes or `=`."""
    if type(v) is str:
        if not v or any(c.isspace() or c in '"=' for c in v):
            return json.dumps(v, ensure_ascii=False)
        return v
    return display(v)


def _check_fields(fname: str, fields: dict[str, Any]) -> None:
    taken = [k for k in fields if k in RECORD_KEYS]
    if taken:
        raise module.error("ValueError", f"log.{fname}: the field name {taken[0]!r} is the "
                                         f"record's own ({', '.join(RECORD_KEYS)}); use another")


@module.export
def debug(*values: Any, **fields: Any) -> None:
    """Log a debug line (shown only after set_level("debug"))."""
    _check_fields("debug", fields)
    _log("debug", values, fields)


@module.export
def info(*values: Any, **fields: Any) -> None:
    """Log an info line: the values' display forms joined by spaces, then key=value fields."""
    _check_fields("info", fields)
    _log("info", values, fields)


@module.export
def warn(*values: Any, **fields: Any) -> None:
    """Log a warning line."""
    _check_fields("warn", fields)
    _log("warn", values, fields)


@module.export
def error(*values: Any, **fields: Any) -> None:
    """Log an error line (it does not raise: use `throw` for that)."""
    _check_fields("error", fields)
    _log("error", values, fields)


def _level(fname: str, level: str) -> int:
    key = level.strip().lower()
    key = _ALIASES.get(key, key)
    if key not in LEVELS:
        raise module.error("ValueError", f"log.{fname}: unknown level {level!r} "
                                         "(use debug, info, warn or error)")
    return LEVELS[key]


@module.export
def set_level(level: str) -> None:
    """Show only lines at `level` or above: "debug", "info" (default), "warn", "error"."""
    _st().level = _level("set_level", level)


@module.export
def configure(*, format: str | None = None, level: str | None = None,
              file: str | None = None) -> None:
    """Set how records are written until the run ends: format "human" (default) or "json"
    (one JSON object per line), the level, and a file to append them to (needs fs.write)."""
    st = _st()
    if format is not None and format.strip().lower() not in FORMATS:
        raise module.error("ValueError", f"log.configure: unknown format {format!r} "
                                         "(use human or json)")
    new_level = _level("configure", level) if level is not None else st.level
    handle = None
    if file is not None:
        require("fs.write", file)
        try:
            handle = open(file, "a", encoding="utf-8")
        except OSError as e:
            from axiom_sdk import io_error
            raise io_error("log.configure", file, e) from None
    if format is not None:
        st.format = format.strip().lower()
    st.level = new_level
    if handle is not None:
        if st.file is not None:
            st.file.close()
        st.file = handle


@module.on_stop
def _stop() -> None:
    """At the run's end: finish what is open, stop the live display, close the log file
    (the run's state, level and format included, is then dropped)."""
    st = _st()
    for item in list(st.open):
        if isinstance(item, ProgressBar):
            item.finish()
        else:
            item._end(ok=False)
    if st.progress is not None:
        st.progress.stop()
        st.progress = None
    if st.file is not None:
        st.file.close()
        st.file = None


__all__ = ["LEVELS", "ProgressBar", "Spinner", "module"]

"""Axiom module `aut`: automation — cron schedules (croniter) and file watching (watchfiles).

Cron expressions have exactly five fields, `minute hour day-of-month month day-of-week`
(names such as `MON-FRI` and `JAN` work, as do ranges, lists and steps such as `*/15`).
A sixth field, which cron libraries read differently, and `@hourly`-style shorthands
are refused; so is any expression croniter rejects (always a ValueError). Times are
float seconds since the epoch, and the fields are matched in the local time zone (the
`TZ` environment variable when set, else the system's), with its daylight-saving
rules: a time skipped by a spring-forward runs at the first instant after the gap.

Background work. `schedule_cron` and the watches each run in their own daemon thread
and call the script's function there:
- a job calls `fn()` (no arguments) at each matching minute; when a call runs past
  the next match, that match is skipped (runs never overlap or pile up);
- a watch calls `fn(event)` for each change, `event` being
  `{"path": absolute path, "change": "added" | "modified" | "deleted"}`; changes are
  grouped for 50 ms and each group is delivered sorted by path. Every file is
  reported, hidden and temporary ones included.
An error raised by the function is printed on stderr as
`aut: callback failed: Kind: message` and the job or watch carries on; the run's exit
status is then 1, as for a task's error that no one joined.

`wait(handle, timeout=nil)` keeps the script alive while the job or watch runs: it
returns (nil) when the handle is cancelled — by `cancel_job` / `cancel_watch`, also
from inside its own callback — or when `timeout` seconds have passed; with no timeout
it waits until the cancel. `cancel_job` and `cancel_watch` stop the thread (waiting for
a running callback to finish) and may be called again harmlessly. When the run ends
every job and watch still active is cancelled.

Capabilities: a watch needs `fs.read` on its path. Callbacks run under the script's
own capabilities.
"""

from __future__ import annotations

import contextvars
import os
import sys
import threading
import time
from collections.abc import Callable
from datetime import datetime, tzinfo
from typing import Any

from axiom_sdk import AxiomError, Module, bounded_wait

module = Module("aut", summary="Automation: cron schedules and file watching", title="Automation")

MAX_RUNS = 100_000
JOIN_SECONDS = 5.0


def _clock() -> float:
    """Now, in seconds since the epoch (tests replace it to stand just before a minute)."""
    return time.time()


# -- cron --------------------------------------------------------------------------------

def _zone() -> tzinfo:
    """The local time zone with its rules: TZ when set, else /etc/localtime."""
    from zoneinfo import ZoneInfo

    tz = os.environ.get("TZ")
    try:
        if tz:
            key = tz[1:] if tz.startswith(":") else tz
            if os.path.isabs(key):
                with open(key, "rb") as f:
                    return ZoneInfo.from_file(f, key=key)
            return ZoneInfo(key)
        with open("/etc/localtime", "rb") as f:
            return ZoneInfo.from_file(f, key="localtime")
    except (OSError, ValueError, LookupError):
        pass  # a POSIX rule like "UTC0", or no zone data: the current fixed offset
    return datetime.now().astimezone().tzinfo  # type: ignore[return-value]


class _Schedule:
    """A checked cron expression and the time zone it is matched in."""

    __slots__ = ("expr", "zone")

    def __init__(self, qualname: str, expr: str) -> None:
        fields = expr.split()
        if len(fields) != 5:
            raise AxiomError("ValueError", f"{qualname}: a cron expression has exactly 5 fields "
                                           "(minute hour day-of-month month day-of-week), "
                                           f"got {len(fields)} in {expr!r}")
        self.expr = " ".join(fields)
        self.zone = _zone()
        self.runs(qualname, _clock(), 1)  # reports a bad expression now, not at the first run

    def runs(self, qualname: str, start: float, n: int) -> list[float]:
        """The next n matching times strictly after `start`."""
        from croniter import CroniterBadDateError, CroniterError, croniter

        try:
            it = croniter(self.expr, datetime.fromtimestamp(start, self.zone))
            return [it.get_next(datetime).timestamp() for _ in range(n)]
        except CroniterBadDateError:
            raise AxiomError("ValueError", f"{qualname}: no date matches {self.expr!r}") from None
        except (CroniterError, ValueError, KeyError) as e:
            raise AxiomError("ValueError", f"{qualname}: invalid cron expression {self.expr!r} "
                                           f"({str(e).strip() or type(e).__name__})") from None

    def after(self, t: float) -> float:
        return self.runs("aut.schedule_cron", t, 1)[0]


@module.export
def next_runs(expr: str, n: int = 5, start: float | None = None) -> list:
    """The next n times (float seconds since the epoch) matching a 5-field cron expression after start (default: now)."""
    q = "aut.next_runs"
    if not 0 <= n <= MAX_RUNS:
        raise AxiomError("ValueError", f"{q}: n must be from 0 to {MAX_RUNS} (got {n})")
    if start is not None:
        try:
            datetime.fromtimestamp(start)
        except (OverflowError, ValueError, OSError):
            raise AxiomError("ValueError", f"{q}: start is not a usable time (got {start!r})") from None
    schedule = _Schedule(q, expr)
    return schedule.runs(q, _clock() if start is None else start, n)


# -- handles -----------------------------------------------------------------------------

@module.per_run
class _Live:
    """This run's handles whose thread has not ended yet (each Runtime stops only its own)."""

    def __init__(self) -> None:
        self.handles: set[_Handle] = set()
        self.lock = threading.Lock()
        self.failed = 0  # callbacks that raised: the run's exit status is then 1


def _report(text: str) -> None:
    try:
        sys.stderr.write(f"aut: {text}\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass


def _invoke(fn: Callable[..., Any], *args: Any) -> None:
    """Call a script function from a background thread; an error is reported, not raised."""
    try:
        fn(*args)
    except AxiomError as e:
        _failed()
        _report(f"callback failed: {e.kind}: {e.message}")
    except Exception as e:
        _failed()
        _report(f"callback failed: Error: {type(e).__name__}: {e}")


def _failed() -> None:
    live: _Live = module.state()
    with live.lock:
        live.failed += 1


class _Handle:
    """A background thread that runs until cancelled. The thread runs in a copy of the
    creating call's context, so the script's capability checks stay in force."""

    def __init__(self, fn: Callable[..., Any]) -> None:
        self.fn = fn
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._live: _Live = module.state()

    @property
    def active(self) -> bool:
        return not self._stop.is_set()

    def start(self, name: str) -> None:
        ctx = contextvars.copy_context()
        self._thread = threading.Thread(target=ctx.run, args=(self._main,), name=name, daemon=True)
        with self._live.lock:
            self._live.handles.add(self)
        try:
            self._thread.start()
        except BaseException:
            self._stop.set()
            with self._live.lock:
                self._live.handles.discard(self)
            raise

    def _main(self) -> None:
        try:
            self.loop()
        except Exception as e:  # never a silent death, never a Python traceback
            reason = f"{e.kind}: {e.message}" if isinstance(e, AxiomError) else f"{type(e).__name__}: {e}"
            _report(f"{self._thread.name if self._thread else 'thread'} stopped: {reason}")
        finally:
            self._stop.set()
            with self._live.lock:
                self._live.handles.discard(self)

    def loop(self) -> None:  # pragma: no cover - each handle defines its own
        raise NotImplementedError

    def cancel(self) -> None:
        """Stop, and wait (bounded) for the thread unless called from the thread itself.
        The handle stays in its run's `_Live` until its thread has ended, so that the stop hook
        waits for a callback that cancelled its own handle and is still running."""
        self._stop.set()
        t = self._thread
        if t is not None and t is not threading.current_thread():
            t.join(JOIN_SECONDS)


@module.foreign_type("job", attrs=["expr", "next_run", "last_run", "runs", "active"],
                     display=lambda j: f'<job "{j.expr}">')
class Job(_Handle):
    """A cron job: `expr`; `next_run` and `last_run` (float seconds, or nil); `runs`
    (how many times fn was called); `active` (false once cancelled)."""

    def __init__(self, schedule: _Schedule, fn: Callable[..., Any]) -> None:
        super().__init__(fn)
        self.schedule = schedule
        self.expr = schedule.expr
        self.next_run: float | None = schedule.after(_clock())
        self.last_run: float | None = None
        self.runs = 0

    def loop(self) -> None:
        while not self._stop.is_set():
            due = self.next_run if self.next_run is not None else self.schedule.after(_clock())
            self.next_run = due
            while (delay := due - _clock()) > 0:
                if self._stop.wait(min(delay, 60.0)):  # re-reads the clock at least each minute
                    self.next_run = None
                    return
            if self._stop.is_set():
                break
            self.last_run = due
            self.runs += 1
            _invoke(self.fn)
            self.next_run = self.schedule.after(max(_clock(), due))
        self.next_run = None


@module.export
def schedule_cron(expr: str, fn: Callable) -> Job:
    """Run fn() in the background at each time matching the cron expression; returns the [job]."""
    job = Job(_Schedule("aut.schedule_cron", expr), fn)
    job.start(f"aut cron {job.expr}")
    return job


@module.export
def cancel_job(job: Job) -> None:
    """Stop a job: no more runs, and its thread ends (a running call is waited for)."""
    job.cancel()
    job.next_run = None
    return None


# -- watches ------------------------------------------------------------------------------

class _Probe:
    """The stop event watchfiles polls: its first poll tells that the watch is in place."""

    def __init__(self, stop: threading.Event) -> None:
        self.stop = stop
        self.ready = threading.Event()

    def is_set(self) -> bool:
        self.ready.set()
        return self.stop.is_set()


@module.foreign_type("watch", attrs=["path", "recursive", "active", "events"],
                     display=lambda w: f"<watch {w.path}>")
class Watch(_Handle):
    """A file watch: `path` (absolute), `recursive`, `events` (how many were delivered),
    `active` (false once cancelled)."""

    def __init__(self, path: str, fn: Callable[..., Any], recursive: bool, only: str | None) -> None:
        super().__init__(fn)
        self.path = path
        self.recursive = recursive
        self.only = only  # a single file's path: the directory watched is its parent
        self.events = 0
        self.error: BaseException | None = None
        self._probe = _Probe(self._stop)

    def loop(self) -> None:
        import watchfiles

        root = os.path.dirname(self.only) if self.only is not None else self.path
        try:
            for changes in watchfiles.watch(root, watch_filter=None, debounce=50, step=10,
                                            stop_event=self._probe, recursive=self.recursive,
                                            raise_interrupt=False):
                for change, path in sorted(changes, key=lambda c: (c[1], c[0].value)):
                    if self._stop.is_set():
                        return
                    if self.only is not None and path != self.only:
                        continue
                    self.events += 1
                    _invoke(self.fn, {"path": path, "change": change.name})
        except Exception as e:
            if self._probe.ready.is_set():
                _report(f"watch of {self.path} stopped: {type(e).__name__}: {e}")
            self.error = e
        finally:
            self._probe.ready.set()

    def begin(self, qualname: str) -> Watch:
        """Start the thread and return once the file system is being watched."""
        self.start(f"aut watch {self.path}")
        try:
            bounded_wait(self._probe.ready.wait, JOIN_SECONDS, where=qualname)
        except AxiomError:
            self.cancel()
            raise
        if self.error is not None:
            self.cancel()
            e = self.error
            reason = getattr(e, "strerror", None) or str(e) or type(e).__name__
            raise AxiomError("IOError", f"{qualname}: cannot watch {self.path}: {reason}")
        return self


def _directory(qualname: str, path: str) -> str:
    full = os.path.abspath(path)
    if not os.path.exists(full):
        raise AxiomError("IOError", f"{qualname}: no such directory: {path}")
    if not os.path.isdir(full):
        raise AxiomError("IOError", f"{qualname}: not a directory: {path}")
    return full


@module.export(needs=["fs.read:path"])
def watch_dir(path: str, fn: Callable, recursive: bool = True) -> Watch:
    """Call fn(event) for each file added, modified or deleted under the directory path; returns the [watch]."""
    q = "aut.watch_dir"
    return Watch(_directory(q, path), fn, recursive, None).begin(q)


@module.export(needs=["fs.read:path"])
def notify_on_change(path: str, fn: Callable) -> Watch:
    """Call fn(event) when the file path (which may not exist yet) or anything under the directory path changes; returns the [watch]."""
    q = "aut.notify_on_change"
    full = os.path.abspath(path)
    if os.path.isdir(full):
        return Watch(full, fn, True, None).begin(q)
    _directory(q, os.path.dirname(full))
    return Watch(full, fn, False, full).begin(q)


@module.export
def cancel_watch(watch: Watch) -> None:
    """Stop a watch: no more events, and its thread ends (a running call is waited for)."""
    watch.cancel()
    return None


@module.export
def wait(handle: Job | Watch, timeout: float | None = None) -> None:
    """Block until the job or watch is cancelled, or until timeout seconds have passed (nil: no limit)."""
    if timeout is not None and not timeout >= 0:
        raise AxiomError("ValueError", f"aut.wait: timeout must not be negative (got {timeout})")
    bounded_wait(handle._stop.wait, timeout, where="aut.wait")
    return None


@module.on_stop
def _cancel_all() -> int | None:
    """The run is ending: cancel every job and watch it started that is still active;
    exit status 1 when a callback failed."""
    live: _Live = module.state()
    with live.lock:
        handles = list(live.handles)
    for h in handles:
        h.cancel()
    return 1 if live.failed else None

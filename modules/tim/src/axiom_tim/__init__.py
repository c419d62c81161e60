"""Axiom module `tim`: clocks, sleeping, benchmarks and dates with time zones.

Times are float seconds since the Unix epoch (1970-01-01 00:00:00 UTC), as everywhere
in Axiom. Dates are formatted and parsed with the standard library's `datetime`
(`strftime`/`strptime` directives: `%Y-%m-%d %H:%M:%S`, `%z`, `%Z`, `%f`, ...), and
time zones come from `zoneinfo` with IANA names (`"Europe/London"`), backed by the
`tzdata` package where the system has no zone database.

Decisions where the spec is silent:
- `tz` is an IANA zone name, `"UTC"` (any case), or `"local"` for the machine's own
  zone; an unknown name is a ValueError naming it.
- `now_iso(tz="UTC")` gives ISO 8601 with microseconds and the offset
  (`2026-11-23T10:04:05.123456+00:00`).
- `parse_date` uses the offset in the text when the format reads one (`%z`), else the
  `tz` argument. A wall time that occurs twice (when clocks go back) is taken at its
  first occurrence; one that does not exist (when clocks go forward) is read with the
  offset in force before the change, as `datetime` does (fold=0).
- `sleep` takes a finite number of seconds, not negative (else ValueError). A sleep
  longer than the run's time limit (`--timeout`) ends at the deadline with LimitExceeded.
- `benchmark(fn, runs=5)` calls `fn()` `runs` times (runs >= 1) with no warm-up and
  times each call with the high-resolution performance counter.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from datetime import UTC, datetime, tzinfo

from axiom_sdk import Module, bounded_wait

module = Module("tim", summary="Time: clocks, sleeping, benchmarks and dates with time zones",
                title="Time")

Number = int | float
DEFAULT_FORMAT = "%Y-%m-%d %H:%M:%S"


def _zone(where: str, tz: str) -> tzinfo | None:
    """The tzinfo for a zone name; None means the machine's local zone."""
    if tz.upper() == "UTC":
        return UTC
    if tz == "local":
        return None
    from zoneinfo import ZoneInfo
    try:
        return ZoneInfo(tz)
    except (KeyError, ValueError, OSError):  # not found, not a zone file, or a bad path
        raise module.error("ValueError", f"{where}: unknown timezone '{tz}'") from None


# -- clocks ---------------------------------------------------------------------------------

@module.export
def now() -> float:
    """The current time, in float seconds since the Unix epoch."""
    return time.time()


@module.export
def now_iso(tz: str = "UTC") -> str:
    """The current time as ISO 8601 text with its UTC offset, in time zone tz."""
    zone = _zone("tim.now_iso", tz)
    return (datetime.now(zone) if zone is not None else datetime.now().astimezone()).isoformat()


@module.export
def monotonic() -> float:
    """Seconds on a clock that never goes back (only differences are meaningful)."""
    return time.monotonic()


@module.export
def sleep(seconds: Number) -> None:
    """Pause for the given number of seconds (an int or a float)."""
    if not math.isfinite(seconds) or seconds < 0:
        raise module.error("ValueError", f"tim.sleep: seconds must be a finite number not "
                                         f"below 0, got {seconds!r}")
    bounded_wait(_sleep, seconds, where="tim.sleep")


def _sleep(t: float | None) -> bool:
    time.sleep(t if t is not None else 0)
    return False  # nothing to wait for but the time itself


@module.export
def benchmark(fn: Callable, runs: int = 5) -> dict:
    """Call fn() runs times; {"min", "mean", "max"} seconds per call and "runs"."""
    if runs < 1:
        raise module.error("ValueError", f"tim.benchmark: runs must be at least 1, got {runs}")
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return {"min": min(times), "mean": sum(times) / runs, "max": max(times), "runs": runs}


# -- dates ----------------------------------------------------------------------------------

@module.export
def format_date(ts: Number, fmt: str = DEFAULT_FORMAT, tz: str = "UTC") -> str:
    """The time ts (seconds since the epoch) as text, in time zone tz (strftime format)."""
    zone = _zone("tim.format_date", tz)
    try:
        dt = datetime.fromtimestamp(ts, zone) if zone is not None else \
            datetime.fromtimestamp(ts).astimezone()
    except (OverflowError, OSError, ValueError):
        raise module.error("ValueError", f"tim.format_date: timestamp {ts!r} is out of "
                                         "range") from None
    return dt.strftime(fmt)


@module.export
def parse_date(text: str, fmt: str, tz: str = "UTC") -> float:
    """The time in text, read with a strptime format, as seconds since the epoch; the
    wall time is in tz unless the text carries an offset (%z)."""
    zone = _zone("tim.parse_date", tz)
    try:
        dt = datetime.strptime(text, fmt)
    except ValueError as e:
        reason = str(e)
        if not reason.startswith("time data"):  # it names neither the text nor the format
            reason = f"{reason} (text {text!r}, format {fmt!r})"
        raise module.error("ValueError", f"tim.parse_date: {reason}") from None
    if dt.tzinfo is None and zone is not None:
        dt = dt.replace(tzinfo=zone)
    try:
        return dt.timestamp()
    except (OverflowError, OSError, ValueError):
        raise module.error("ValueError", f"tim.parse_date: {text!r} is out of range") from None

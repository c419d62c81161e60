"""aut against croniter and watchfiles, through the SDK as scripts call it: cron times
against known dates, a real job run by shifting the module's clock to just before a
minute, and watches on real files with events waited for in bounded time."""

import os
import threading
import time
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

import axiom_aut
from axiom_aut import module
from axiom_sdk import AxiomError, capability_check
from axiom_sdk.testing import ScriptFunction as Fn
from axiom_sdk.testing import call, end_run, raises

LIMIT = 5.0  # seconds any expected event may take


class Recorder(Fn):
    """A callback that keeps what it was called with."""

    def __init__(self):
        super().__init__(lambda *args: self.calls.append(args))
        self.calls = []

    def events(self):
        return [a[0] for a in self.calls]


def until(predicate, limit=LIMIT):
    """Poll until predicate() is true; False when `limit` seconds pass first."""
    end = time.monotonic() + limit
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.01)
    return predicate()


def ts(*args, tz=UTC):
    return datetime(*args, tzinfo=tz).timestamp()


@pytest.fixture(autouse=True)
def utc(monkeypatch):
    monkeypatch.setenv("TZ", "UTC")


@pytest.fixture(autouse=True)
def stop_everything():
    live = module.state()  # this test's run: its handles are kept here
    yield
    end_run(module)
    assert live.handles == set()


# -- next_runs ---------------------------------------------------------------------------

MON_1650 = ts(2026, 11, 23, 16, 50)  # a Monday


@pytest.mark.parametrize("expr, start, expected", [
    ("*/15 9-17 * * MON-FRI", MON_1650, [ts(2026, 11, 23, 17, 0), ts(2026, 11, 23, 17, 15),
                                         ts(2026, 11, 23, 17, 30), ts(2026, 11, 23, 17, 45),
                                         ts(2026, 11, 24, 9, 0)]),
    ("0 9 * * SAT,SUN", MON_1650, [ts(2026, 11, 28, 9), ts(2026, 11, 29, 9), ts(2026, 12, 5, 9),
                                   ts(2026, 12, 6, 9), ts(2026, 12, 12, 9)]),
    ("30 2 1 */3 *", MON_1650, [ts(2027, 1, 1, 2, 30), ts(2027, 4, 1, 2, 30), ts(2027, 7, 1, 2, 30),
                                ts(2027, 10, 1, 2, 30), ts(2028, 1, 1, 2, 30)]),
    ("* * * * *", ts(2026, 1, 1, 0, 0, 30), [ts(2026, 1, 1, 0, 1), ts(2026, 1, 1, 0, 2),
                                             ts(2026, 1, 1, 0, 3), ts(2026, 1, 1, 0, 4),
                                             ts(2026, 1, 1, 0, 5)]),
    ("0 0 29 2 *", MON_1650, [ts(2028, 2, 29), ts(2032, 2, 29), ts(2036, 2, 29), ts(2040, 2, 29),
                              ts(2044, 2, 29)]),
])
def test_next_runs_match_known_dates(expr, start, expected):
    got = call(module, "next_runs", expr, start=start)
    assert got == expected and all(type(t) is float for t in got)


def test_next_runs_start_is_exclusive_and_n_counts():
    start = ts(2026, 1, 1, 12, 0)
    assert call(module, "next_runs", "0 12 * * *", 2, start) == [ts(2026, 1, 2, 12), ts(2026, 1, 3, 12)]
    assert call(module, "next_runs", "0 12 * * *", 0, start) == []


def test_next_runs_start_defaults_to_now():
    before = time.time()
    got = call(module, "next_runs", "* * * * *", n=3)
    assert before < got[0] <= before + 60 and got[1] - got[0] == 60 and got[2] - got[1] == 60


def test_next_runs_use_the_local_time_zone_and_its_daylight_saving(monkeypatch):
    monkeypatch.setenv("TZ", "Europe/London")
    london = ZoneInfo("Europe/London")
    start = ts(2026, 3, 28, 12, 0, tz=london)
    got = call(module, "next_runs", "30 1 * * *", 3, start)
    assert [datetime.fromtimestamp(t, london).isoformat() for t in got] == [
        "2026-03-29T02:00:00+01:00", "2026-03-30T01:30:00+01:00", "2026-03-31T01:30:00+01:00"]
    monkeypatch.setenv("TZ", "America/New_York")
    assert call(module, "next_runs", "0 9 * * *", 1, MON_1650) == [ts(2026, 11, 24, 14, 0)]


@pytest.mark.parametrize("expr, message", [
    ("* * * * * *", "aut.next_runs: a cron expression has exactly 5 fields (minute hour day-of-month "
                    "month day-of-week), got 6 in '* * * * * *'"),
    ("@hourly", "aut.next_runs: a cron expression has exactly 5 fields (minute hour day-of-month "
                "month day-of-week), got 1 in '@hourly'"),
    ("61 * * * *", "aut.next_runs: invalid cron expression '61 * * * *' "
                   "([61 * * * *] is not acceptable, out of range)"),
    ("* * * * FOO", "aut.next_runs: invalid cron expression '* * * * FOO' ([* * * * foo] is not acceptable)"),
    ("*/0 * * * *", "aut.next_runs: invalid cron expression '*/0 * * * *' "
                    "([*/0 * * * *] step '0' in field 0 is not acceptable)"),
    ("* * 31 2 *", "aut.next_runs: no date matches '* * 31 2 *'"),
])
def test_bad_expressions_are_value_errors(expr, message):
    err = raises(module, "next_runs", expr, start=MON_1650)
    assert (err.kind, err.message) == ("ValueError", message)


def test_next_runs_argument_errors():
    assert raises(module, "next_runs", "* * * * *", -1).message == \
        "aut.next_runs: n must be from 0 to 100000 (got -1)"
    assert raises(module, "next_runs", "* * * * *", start=float("inf")).message == \
        "aut.next_runs: start is not a usable time (got inf)"
    assert raises(module, "next_runs", 5).kind == "TypeError"
    assert raises(module, "next_runs", "* * * * *", start="now").kind == "TypeError"


# -- schedule_cron ------------------------------------------------------------------------

@pytest.fixture
def near_minute(monkeypatch):
    """Shift the module's clock so that now is 0.3 s before a minute boundary; returns
    that boundary (in the shifted time)."""
    real = time.time()
    boundary = (real // 60 + 2) * 60
    offset = boundary - 0.3 - real
    monkeypatch.setattr(axiom_aut, "_clock", lambda: time.time() + offset)
    return boundary


def test_schedule_cron_runs_the_callback_at_the_next_match(near_minute):
    cb = Recorder()
    job = call(module, "schedule_cron", "* * * * *", cb)
    assert job.next_run == near_minute and job.runs == 0 and job.active
    assert until(lambda: cb.calls == [()], 3)
    assert job.runs == 1 and job.last_run == near_minute
    assert until(lambda: job.next_run == near_minute + 60, 1)
    assert call(module, "cancel_job", job) is None
    assert not job.active and job.next_run is None and not job._thread.is_alive()
    call(module, "cancel_job", job)  # again: harmless


def test_job_clock_logic_follows_croniter(near_minute):
    job = call(module, "schedule_cron", "*/5 * * * *", Recorder())
    sched = job.schedule
    assert sched.after(ts(2026, 1, 1, 0, 4, 59)) == ts(2026, 1, 1, 0, 5)
    assert sched.after(ts(2026, 1, 1, 0, 5)) == ts(2026, 1, 1, 0, 10)
    assert job.next_run % 300 == 0 and job.next_run > near_minute - 1
    call(module, "cancel_job", job)


def test_a_failing_job_callback_is_reported_and_the_job_goes_on(near_minute, capsys):
    def boom():
        raise AxiomError("ValueError", "bad tick")
    job = call(module, "schedule_cron", "* * * * *", Fn(boom))
    assert until(lambda: job.runs == 1 and job.next_run == near_minute + 60, 3)
    assert job.active and job._thread.is_alive()
    assert capsys.readouterr().err == "aut: callback failed: ValueError: bad tick\n"


def test_a_job_can_cancel_itself_and_wait_returns(near_minute):
    holder = {}
    job = call(module, "schedule_cron", "* * * * *", Fn(lambda: call(module, "cancel_job", holder["job"])))
    holder["job"] = job
    started = time.monotonic()
    assert call(module, "wait", job, timeout=LIMIT) is None
    assert time.monotonic() - started < LIMIT and not job.active and job.runs == 1
    assert until(lambda: not job._thread.is_alive(), 1)


def test_schedule_cron_errors():
    assert raises(module, "schedule_cron", "* * *", Recorder()).kind == "ValueError"
    assert raises(module, "schedule_cron", "* * 30 2 *", Recorder()).message == \
        "aut.schedule_cron: no date matches '* * 30 2 *'"
    err = raises(module, "schedule_cron", "* * * * *", "not a function")
    assert (err.kind, err.message) == ("TypeError", "aut.schedule_cron: argument 'fn' expects function, got str")


# -- watches ------------------------------------------------------------------------------

def test_watch_dir_reports_added_modified_and_deleted(tmp_path):
    cb = Recorder()
    w = call(module, "watch_dir", str(tmp_path), cb)
    f = tmp_path / "a.txt"
    f.write_text("one")
    assert until(lambda: {"path": str(f), "change": "added"} in cb.events())
    f.write_text("two")
    assert until(lambda: {"path": str(f), "change": "modified"} in cb.events())
    f.unlink()
    assert until(lambda: {"path": str(f), "change": "deleted"} in cb.events())
    assert w.events == len(cb.calls) and w.path == str(tmp_path) and w.recursive
    call(module, "cancel_watch", w)
    assert not w.active and not w._thread.is_alive()
    n = len(cb.calls)
    (tmp_path / "b.txt").write_text("after the cancel")
    time.sleep(0.3)
    assert len(cb.calls) == n


def test_watch_dir_recursive_and_not(tmp_path):
    (tmp_path / "sub").mkdir()
    deep, flat = Recorder(), Recorder()
    call(module, "watch_dir", str(tmp_path), deep)
    call(module, "watch_dir", str(tmp_path), flat, recursive=False)
    nested = tmp_path / "sub" / "n.txt"
    nested.write_text("x")
    top = tmp_path / "top.txt"
    top.write_text("x")
    assert until(lambda: {"path": str(nested), "change": "added"} in deep.events())
    assert until(lambda: {"path": str(top), "change": "added"} in flat.events())
    assert str(nested) not in [e["path"] for e in flat.events()]


def test_relative_paths_give_absolute_event_paths(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    os.mkdir("d")
    cb = Recorder()
    w = call(module, "watch_dir", "d", cb)
    assert w.path == str(tmp_path / "d")
    (tmp_path / "d" / "f").write_text("x")
    assert until(lambda: {"path": str(tmp_path / "d" / "f"), "change": "added"} in cb.events())


def test_notify_on_change_of_one_file(tmp_path):
    target = tmp_path / "watched.txt"
    cb = Recorder()
    call(module, "notify_on_change", str(target), cb)  # it need not exist yet
    (tmp_path / "other.txt").write_text("ignored")
    target.write_text("v1")
    assert until(lambda: {"path": str(target), "change": "added"} in cb.events())
    target.write_text("v2")
    assert until(lambda: {"path": str(target), "change": "modified"} in cb.events())
    assert {e["path"] for e in cb.events()} == {str(target)}


def test_notify_on_change_of_a_directory_is_recursive(tmp_path):
    (tmp_path / "sub").mkdir()
    cb = Recorder()
    w = call(module, "notify_on_change", str(tmp_path), cb)
    (tmp_path / "sub" / "x").write_text("x")
    assert until(lambda: {"path": str(tmp_path / "sub" / "x"), "change": "added"} in cb.events())
    assert w.recursive


def test_a_failing_watch_callback_is_reported_and_the_watch_goes_on(tmp_path, capsys):
    seen = []

    def handler(ev):
        seen.append(ev["path"])
        if ev["path"].endswith("bad"):
            raise AxiomError("KeyError", "no such key")
    call(module, "watch_dir", str(tmp_path), Fn(handler))
    (tmp_path / "bad").write_text("x")
    assert until(lambda: str(tmp_path / "bad") in seen)
    (tmp_path / "good").write_text("x")
    assert until(lambda: str(tmp_path / "good") in seen)
    assert "aut: callback failed: KeyError: no such key\n" in capsys.readouterr().err
    assert end_run(module) == 1  # the run's exit status


def test_a_run_whose_callbacks_never_failed_ends_with_0(tmp_path):
    seen = []
    call(module, "watch_dir", str(tmp_path), Fn(lambda ev: seen.append(ev["path"])))
    (tmp_path / "fine").write_text("x")
    assert until(lambda: str(tmp_path / "fine") in seen)
    assert end_run(module) == 0


def test_wait_returns_at_the_timeout_or_at_the_cancel(tmp_path):
    w = call(module, "watch_dir", str(tmp_path), Recorder())
    started = time.monotonic()
    assert call(module, "wait", w, timeout=0.2) is None
    assert 0.19 <= time.monotonic() - started < 2 and w.active
    threading.Timer(0.2, lambda: call(module, "cancel_watch", w)).start()
    started = time.monotonic()
    call(module, "wait", w)
    assert time.monotonic() - started < LIMIT and not w.active
    call(module, "wait", w)  # already cancelled: at once


def test_wait_ends_at_the_runs_deadline(tmp_path):
    from axiom_sdk.testing import deadline
    w = call(module, "watch_dir", str(tmp_path), Recorder())
    started = time.monotonic()
    with deadline(0.2):
        err = raises(module, "wait", w)
    assert time.monotonic() - started < 2
    assert (err.kind, err.message) == ("LimitExceeded", "aut.wait: the run's time limit ended "
                                                        "the wait (--timeout)")
    with deadline(0.2):
        assert raises(module, "wait", w, timeout=60).kind == "LimitExceeded"
    call(module, "cancel_watch", w)


def test_a_watch_callback_can_cancel_its_watch(tmp_path):
    holder = {}
    w = call(module, "watch_dir", str(tmp_path), Fn(lambda ev: call(module, "cancel_watch", holder["w"])))
    holder["w"] = w
    (tmp_path / "f").write_text("x")
    call(module, "wait", w, timeout=LIMIT)
    assert not w.active and until(lambda: not w._thread.is_alive(), 1)


def test_the_stop_hook_cancels_every_job_and_watch(tmp_path):
    w = call(module, "watch_dir", str(tmp_path), Recorder())
    j = call(module, "schedule_cron", "* * * * *", Recorder())
    live = module.state()
    assert live.handles == {w, j}
    end_run(module)
    assert not w.active and not j.active
    assert not w._thread.is_alive() and not j._thread.is_alive()
    assert live.handles == set()


def test_callbacks_run_under_the_creating_calls_capabilities(tmp_path):
    checks = []
    seen = []

    def check(cap, resource=None):
        checks.append((cap, resource))
    token = capability_check.set(check)
    try:
        call(module, "watch_dir", str(tmp_path), Fn(lambda ev: seen.append(capability_check.get())))
    finally:
        capability_check.reset(token)
    assert checks == [("fs.read", str(tmp_path))]
    (tmp_path / "f").write_text("x")
    assert until(lambda: seen) and seen[0] is check


def test_watch_errors(tmp_path):
    err = raises(module, "watch_dir", str(tmp_path / "missing"), Recorder())
    assert (err.kind, err.message) == ("IOError", f"aut.watch_dir: no such directory: {tmp_path / 'missing'}")
    (tmp_path / "file").write_text("")
    err = raises(module, "watch_dir", str(tmp_path / "file"), Recorder())
    assert (err.kind, err.message) == ("IOError", f"aut.watch_dir: not a directory: {tmp_path / 'file'}")
    err = raises(module, "notify_on_change", str(tmp_path / "no" / "f"), Recorder())
    assert (err.kind, err.message) == ("IOError", f"aut.notify_on_change: no such directory: {tmp_path / 'no'}")
    w = call(module, "watch_dir", str(tmp_path), Recorder())
    err = raises(module, "wait", w, timeout=-1)
    assert (err.kind, err.message) == ("ValueError", "aut.wait: timeout must not be negative (got -1.0)")
    err = raises(module, "wait", "w")
    assert (err.kind, err.message) == ("TypeError", "aut.wait: argument 'handle' expects job or watch, got str")
    assert raises(module, "cancel_job", w).kind == "TypeError"


def test_every_export_is_documented_and_watches_need_read_access():
    for name in module.list_exports():
        sig, summary = module.describe(name)
        assert summary, name
    for name in ("watch_dir", "notify_on_change"):
        assert module.get_symbol(name).needs == [("fs.read", "path")]

"""tim against the real clocks, datetime and zoneinfo (tzdata), through the SDK."""

import re
import time
from datetime import datetime

import pytest

from axiom_sdk.testing import ScriptFunction as Fn
from axiom_sdk.testing import call, raises
from axiom_tim import module

# -- clocks ---------------------------------------------------------------------------------

def test_now_is_the_epoch_clock():
    before = time.time()
    got = call(module, "now")
    assert type(got) is float and before <= got <= time.time()


def test_now_iso():
    got = call(module, "now_iso")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?\+00:00", got)
    assert abs(datetime.fromisoformat(got).timestamp() - time.time()) < 5
    tokyo = call(module, "now_iso", "Asia/Tokyo")
    assert tokyo.endswith("+09:00")
    assert re.search(r"[+-]\d\d:\d\d$", call(module, "now_iso", tz="local"))


def test_monotonic_never_goes_back():
    a = call(module, "monotonic")
    b = call(module, "monotonic")
    assert type(a) is float and b >= a


def test_sleep():
    start = time.monotonic()
    assert call(module, "sleep", 0.05) is None
    assert call(module, "sleep", 0) is None
    assert time.monotonic() - start >= 0.05


def test_a_sleep_ends_at_the_runs_deadline():
    from axiom_sdk.testing import deadline
    start = time.monotonic()
    with deadline(0.2):
        err = raises(module, "sleep", 100)
    assert time.monotonic() - start < 2
    assert (err.kind, err.message) == ("LimitExceeded", "tim.sleep: the run's time limit ended "
                                                        "the wait (--timeout)")
    with deadline(5):
        assert call(module, "sleep", 0.01) is None  # time left: an ordinary sleep


def test_benchmark():
    calls = []
    got = call(module, "benchmark", Fn(lambda: calls.append(time.sleep(0.01))), 3)
    assert list(got) == ["min", "mean", "max", "runs"]
    assert got["runs"] == 3 and type(got["runs"]) is int and len(calls) == 3
    assert all(type(got[k]) is float for k in ("min", "mean", "max"))
    assert 0.01 <= got["min"] <= got["mean"] <= got["max"]
    assert call(module, "benchmark", Fn(lambda: None))["runs"] == 5
    assert call(module, "benchmark", Fn(lambda: None), runs=1)["runs"] == 1


# -- dates ----------------------------------------------------------------------------------

@pytest.mark.parametrize("args, kwargs, result", [
    ((0,), {}, "1970-01-01 00:00:00"),
    ((1_000_000_000,), {}, "2001-09-09 01:46:40"),
    ((-1,), {}, "1969-12-31 23:59:59"),
    ((1.5, "%H:%M:%S.%f"), {}, "00:00:01.500000"),
    ((0, "%Y-%m-%dT%H:%M:%S%z"), {"tz": "UTC"}, "1970-01-01T00:00:00+0000"),
    ((0, "%a %d %b %Y"), {}, "Thu 01 Jan 1970"),
    ((0,), {"tz": "utc"}, "1970-01-01 00:00:00"),
    # Europe/London: GMT in winter, BST (UTC+1) in summer; clocks went forward at
    # 2024-03-31 01:00 UTC (1711846800) and back at 2024-10-27 01:00 UTC (1729990800).
    ((1704067200, "%Y-%m-%d %H:%M %Z"), {"tz": "Europe/London"}, "2024-01-01 00:00 GMT"),
    ((1719835200, "%Y-%m-%d %H:%M %Z"), {"tz": "Europe/London"}, "2024-07-01 13:00 BST"),
    ((1711846799, "%H:%M:%S %Z %z"), {"tz": "Europe/London"}, "00:59:59 GMT +0000"),
    ((1711846800, "%H:%M:%S %Z %z"), {"tz": "Europe/London"}, "02:00:00 BST +0100"),
    ((1729990799, "%H:%M:%S %Z"), {"tz": "Europe/London"}, "01:59:59 BST"),
    ((1729990800, "%H:%M:%S %Z"), {"tz": "Europe/London"}, "01:00:00 GMT"),
    ((0,), {"tz": "Asia/Kolkata"}, "1970-01-01 05:30:00"),
    ((0,), {"tz": "America/New_York"}, "1969-12-31 19:00:00"),
])
def test_format_date(args, kwargs, result):
    assert call(module, "format_date", *args, **kwargs) == result


def test_format_date_in_the_local_zone():
    assert call(module, "format_date", 0, tz="local") == \
        datetime.fromtimestamp(0).strftime("%Y-%m-%d %H:%M:%S")


@pytest.mark.parametrize("args, kwargs, result", [
    (("1970-01-01 00:00:00", "%Y-%m-%d %H:%M:%S"), {}, 0.0),
    (("2001-09-09 01:46:40", "%Y-%m-%d %H:%M:%S"), {}, 1_000_000_000.0),
    (("2024-07-01", "%Y-%m-%d"), {}, 1719792000.0),
    (("1969-12-31 23:59:59.250", "%Y-%m-%d %H:%M:%S.%f"), {}, -0.75),
    (("2024-07-01 13:00", "%Y-%m-%d %H:%M"), {"tz": "Europe/London"}, 1719835200.0),
    (("2024-01-01 00:00", "%Y-%m-%d %H:%M"), {"tz": "Europe/London"}, 1704067200.0),
    # the offset in the text wins over tz
    (("2024-01-01T02:00:00+0200", "%Y-%m-%dT%H:%M:%S%z"), {"tz": "Asia/Tokyo"}, 1704067200.0),
    # 01:30 happened twice in London on 2024-10-27: the first (BST) is taken
    (("2024-10-27 01:30", "%Y-%m-%d %H:%M"), {"tz": "Europe/London"}, 1729989000.0),
    # 01:30 never happened on 2024-03-31: read with the offset before the change (GMT)
    (("2024-03-31 01:30", "%Y-%m-%d %H:%M"), {"tz": "Europe/London"}, 1711848600.0),
    (("01/02/2000", "%d/%m/%Y"), {"tz": "America/New_York"}, 949381200.0),
])
def test_parse_date(args, kwargs, result):
    got = call(module, "parse_date", *args, **kwargs)
    assert got == result and type(got) is float


def test_format_and_parse_round_trip():
    for ts in (0, 86399, 1711846800, 1729990799, 4102444800):
        text = call(module, "format_date", ts, tz="Europe/London")
        assert call(module, "parse_date", text, "%Y-%m-%d %H:%M:%S", tz="Europe/London") == ts


@pytest.mark.parametrize("name, args, kind, message", [
    ("format_date", (0, "%Y", "Mars/Olympus"), "ValueError",
     "tim.format_date: unknown timezone 'Mars/Olympus'"),
    ("format_date", (0, "%Y", "America"), "ValueError",
     "tim.format_date: unknown timezone 'America'"),
    ("format_date", (0, "%Y", "../etc"), "ValueError", "tim.format_date: unknown timezone '../etc'"),
    ("format_date", (0, "%Y", ""), "ValueError", "tim.format_date: unknown timezone ''"),
    ("parse_date", ("2024", "%Y", "Nowhere"), "ValueError",
     "tim.parse_date: unknown timezone 'Nowhere'"),
    ("now_iso", ("Bad/Zone",), "ValueError", "tim.now_iso: unknown timezone 'Bad/Zone'"),
    ("parse_date", ("nope", "%Y-%m-%d"), "ValueError",
     "tim.parse_date: time data 'nope' does not match format '%Y-%m-%d'"),
    ("parse_date", ("2024-02-30", "%Y-%m-%d"), "ValueError",
     "tim.parse_date: day is out of range for month (text '2024-02-30', format '%Y-%m-%d')"),
    ("parse_date", ("2024-02-03x", "%Y-%m-%d"), "ValueError",
     "tim.parse_date: unconverted data remains: x (text '2024-02-03x', format '%Y-%m-%d')"),
    ("format_date", (1e20,), "ValueError", "tim.format_date: timestamp 1e+20 is out of range"),
    ("format_date", (float("nan"),), "ValueError", "tim.format_date: timestamp nan is out of range"),
    ("sleep", (-1,), "ValueError",
     "tim.sleep: seconds must be a finite number not below 0, got -1"),
    ("sleep", (float("inf"),), "ValueError",
     "tim.sleep: seconds must be a finite number not below 0, got inf"),
    ("sleep", ("1",), "TypeError", "tim.sleep: argument 'seconds' expects number, got str"),
    ("benchmark", (Fn(lambda: None), 0), "ValueError", "tim.benchmark: runs must be at least 1, got 0"),
    ("benchmark", (1,), "TypeError", "tim.benchmark: argument 'fn' expects function, got int"),
    ("format_date", ("0",), "TypeError", "tim.format_date: argument 'ts' expects number, got str"),
])
def test_errors(name, args, kind, message):
    err = raises(module, name, *args)
    assert (err.kind, err.message) == (kind, message)


def test_every_export_is_documented():
    listed = "now now_iso monotonic sleep benchmark format_date parse_date".split()
    assert set(listed) <= set(module.list_exports())
    for name in module.list_exports():
        _, doc = module.describe(name)
        assert doc, name

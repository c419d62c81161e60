"""log on rich: exact plain lines off a terminal, rich's live display on one."""

import json
import re

import pytest

from axiom_log import module
from axiom_sdk import Set, display
from axiom_sdk.testing import call, end_run, raises

ENV = ("FORCE_COLOR", "NO_COLOR", "TTY_COMPATIBLE", "COLORTERM", "TTY_INTERACTIVE")
STAMP = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d ", re.M)


def stop_run():
    end_run(module)


class Captured:
    """What the test wrote to stderr so far (pytest's capture is not a terminal)."""

    def __init__(self, capsys):
        self.capsys = capsys
        self.text = ""

    def getvalue(self):
        self.text += self.capsys.readouterr().err
        return self.text


@pytest.fixture
def stderr(monkeypatch, capsys):
    """stderr is a plain file; the run is ended (hooks) afterwards."""
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    yield Captured(capsys)
    stop_run()


@pytest.fixture
def terminal(stderr, monkeypatch):
    """stderr counts as a terminal (FORCE_COLOR)."""
    monkeypatch.setenv("FORCE_COLOR", "1")
    return stderr


def lines(buf):
    return STAMP.sub("<time> ", buf.getvalue()).splitlines()


def test_log_lines_are_plain_and_levelled(stderr):
    call(module, "info", "loaded", 3, "rows")
    call(module, "warn", "disk", 0.5, [1, "a"])
    call(module, "error", "failed:", None, True)
    call(module, "debug", "hidden by default")
    call(module, "info")
    assert lines(stderr) == [
        '<time> INFO  loaded 3 rows',
        '<time> WARN  disk 0.5 [1, "a"]',
        '<time> ERROR failed: nil true',
        '<time> INFO  ',
    ]


def test_timestamp_is_the_local_time(stderr):
    call(module, "info", "x")
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d INFO  x\n", stderr.getvalue())


def test_set_level(stderr):
    call(module, "set_level", "debug")
    call(module, "debug", "a")
    call(module, "set_level", "WARNING")
    call(module, "info", "b")
    call(module, "warn", "c")
    call(module, "set_level", "error")
    call(module, "warn", "d")
    call(module, "error", "e")
    assert lines(stderr) == ["<time> DEBUG a", "<time> WARN  c", "<time> ERROR e"]


def test_the_level_resets_when_the_run_ends(stderr):
    call(module, "set_level", "error")
    stop_run()
    call(module, "info", "back")
    assert lines(stderr) == ["<time> INFO  back"]


def test_progress_bar_plain_writes_its_final_line(stderr):
    p = call(module, "progress_bar", 10, label="work")
    for _ in range(10):
        call(module, "progress_update", p)
    assert stderr.getvalue() == ""
    assert (p.label, p.total, p.completed, p.finished) == ("work", 10, 10, False)
    assert display(p) == '<progress "work" 10/10>'
    call(module, "progress_finish", p)
    call(module, "progress_finish", p)  # again: nothing
    assert p.finished is True
    assert stderr.getvalue() == "work 10/10\n"


def test_several_bars_at_once_and_float_advances(stderr):
    a = call(module, "progress_bar", 4, label="a")
    b = call(module, "progress_bar", 2.5)
    call(module, "info", "between")
    call(module, "progress_update", a, advance=2)
    call(module, "progress_update", b, 0.5)
    a_update = module.foreign_types[0].methods["update"]
    a_update(a)
    call(module, "progress_finish", b)
    call(module, "progress_finish", a)
    assert lines(stderr) == ["<time> INFO  between", "0.5/2.5", "a 3/4"]


def test_spinner_plain(stderr):
    s = call(module, "spinner", "thinking")
    assert (s.label, s.running) == ("thinking", True)
    assert display(s) == '<spinner "thinking">'
    stop = module.foreign_types[1].methods["stop"]
    stop(s)
    stop(s)
    assert s.running is False
    assert stderr.getvalue() == "thinking done\n"


def test_run_end_finishes_what_is_open(stderr):
    p = call(module, "progress_bar", 10, label="copy")
    call(module, "progress_update", p, advance=7)
    call(module, "spinner", "waiting")
    stop_run()
    assert p.finished is True
    assert stderr.getvalue() == "copy 7/10\nwaiting stopped\n"


def test_live_display_on_a_terminal(terminal):
    p = call(module, "progress_bar", 3, label="work")
    s = call(module, "spinner", "spin")
    for _ in range(3):
        call(module, "progress_update", p)
    call(module, "info", "hello")
    call(module, "progress_finish", p)
    module.foreign_types[1].methods["stop"](s)
    out = terminal.getvalue()
    assert "\x1b[?25l" in out and out.rstrip("\r").endswith("\x1b[?25h")  # cursor hidden, then shown
    plain = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]|\r", "", out)
    assert re.search(r"\d\d:\d\d:\d\d INFO  hello\n", plain)
    assert re.search(r"work [━╺ ]+ 3/3 0:00:0\d", plain)
    assert re.search(r"spin ✓ +0:00:0\d", plain)
    assert "\x1b[36mINFO \x1b[0m" in out  # the level in colour


def test_run_end_stops_the_live_display(terminal):
    p = call(module, "progress_bar", 5, label="work")
    call(module, "progress_update", p)
    stop_run()
    out = terminal.getvalue()
    assert out.rstrip("\r").endswith("\x1b[?25h")
    assert re.search(r"work [━╺ ]+ 1/5", re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", out))


def test_no_color_on_a_terminal_keeps_plain_styles(terminal, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    call(module, "error", "x")
    out = terminal.getvalue()
    assert "\x1b[31m" not in out and "\x1b[1m" in out


@pytest.mark.parametrize("name, args, kind, message", [
    ("set_level", ("loud",), "ValueError", "log.set_level: unknown level 'loud' (use debug, info, warn or error)"),
    ("progress_bar", (-1,), "ValueError", "log.progress_bar: total must not be negative (got -1)"),
    ("progress_bar", ("ten",), "TypeError", "log.progress_bar: argument 'total' expects number, got str"),
    ("progress_update", (3,), "TypeError", "log.progress_update: argument 'p' expects progress, got int"),
    ("spinner", (None,), "TypeError", "log.spinner: argument 'label' expects str, got nil"),
])
def test_errors(stderr, name, args, kind, message):
    err = raises(module, name, *args)
    assert (err.kind, err.message) == (kind, message)


def test_update_after_finish_is_an_error(stderr):
    p = call(module, "progress_bar", 1, label="x")
    call(module, "progress_finish", p)
    err = raises(module, "progress_update", p)
    assert (err.kind, err.message) == ("ValueError", "log.progress_update: the progress bar 'x' is already finished")


def test_every_export_is_documented():
    assert set(module.list_exports()) == {
        "progress_bar", "progress_update", "progress_finish", "spinner",
        "info", "warn", "error", "debug", "set_level", "configure"}
    for name in module.list_exports():
        _, doc = module.describe(name)
        assert doc, name


def test_fields_follow_the_message_on_a_human_line(stderr):
    call(module, "info", "saved", 3, rows=12, who="a b", path="/tmp/x", tags=["a"], empty="")
    assert lines(stderr) == ['<time> INFO  saved 3 rows=12 who="a b" path=/tmp/x tags=["a"] empty=""']


def test_json_records_parse_back(stderr):
    call(module, "configure", format="json")
    call(module, "info", "saved", rows=12, ratio=0.5, xs=[1, None, "b"], d={1: True},
         odd=float("nan"), s=Set([1]))
    call(module, "debug", "hidden")
    call(module, "error", "failed:", 2)
    records = [json.loads(line) for line in stderr.getvalue().splitlines()]
    assert [sorted(r) for r in records] == [
        sorted(["time", "level", "message", "file", "line", "rows", "ratio", "xs", "d", "odd", "s"]),
        sorted(["time", "level", "message", "file", "line"])]
    first = records[0]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d", first["time"])
    assert {k: v for k, v in first.items() if k != "time"} == {
        "level": "info", "message": "saved", "file": None, "line": None, "rows": 12,
        "ratio": 0.5, "xs": [1, None, "b"], "d": {"1": True}, "odd": "nan", "s": "{1}"}
    assert (records[1]["level"], records[1]["message"]) == ("error", "failed: 2")


def test_configure_sets_the_level_and_appends_to_a_file(stderr, tmp_path):
    target = tmp_path / "app.log"
    target.write_text("earlier\n")
    call(module, "configure", format="json", level="warn", file=str(target))
    call(module, "info", "no")
    call(module, "warn", "yes", n=1)
    assert stderr.getvalue() == ""
    old, new = target.read_text().splitlines()
    assert old == "earlier" and json.loads(new)["message"] == "yes"
    stop_run()  # the run's end closes the file and forgets the settings
    call(module, "info", "back on stderr")
    assert lines(stderr) == ["<time> INFO  back on stderr"]


def test_the_environment_chooses_json(stderr, monkeypatch):
    monkeypatch.setenv("AXIOM_LOG_FORMAT", "json")
    stop_run()  # a new run reads it
    call(module, "warn", "w")
    assert json.loads(stderr.getvalue())["message"] == "w"
    monkeypatch.setenv("AXIOM_LOG_FORMAT", "xml")
    stop_run()
    err = raises(module, "info", "x")
    assert (err.kind, err.message) == ("ValueError", "AXIOM_LOG_FORMAT is 'xml'; use json or human")
    monkeypatch.delenv("AXIOM_LOG_FORMAT")


def test_a_field_may_not_take_a_record_key(stderr):
    assert raises(module, "info", "x", level=1).message == (
        "log.info: the field name 'level' is the record's own (time, level, message, file, "
        "line); use another")
    assert stderr.getvalue() == ""


def test_configure_errors(stderr, tmp_path):
    assert raises(module, "configure", format="xml").message == \
        "log.configure: unknown format 'xml' (use human or json)"
    assert raises(module, "configure", level="loud").message == \
        "log.configure: unknown level 'loud' (use debug, info, warn or error)"
    err = raises(module, "configure", file=str(tmp_path / "no" / "x.log"))
    assert (err.kind, err.message) == ("IOError", f"log.configure: {tmp_path / 'no' / 'x.log'}: "
                                                  "no such file or directory")

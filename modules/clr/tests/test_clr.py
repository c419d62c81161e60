"""clr against rich's terminal detection: exact ANSI text on a terminal, plain text off it."""

import io
import os
import pty
import sys

import pytest

from axiom_clr import module
from axiom_sdk import display
from axiom_sdk.testing import call, raises

ENV = ("FORCE_COLOR", "NO_COLOR", "TTY_COMPATIBLE", "COLORTERM", "TERM", "TTY_INTERACTIVE")


@pytest.fixture
def term(monkeypatch):
    """stdout counts as a terminal (FORCE_COLOR), colours allowed."""
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.setattr(sys, "stdout", io.StringIO())


@pytest.fixture
def plain(monkeypatch):
    """stdout is a file, nothing forced."""
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.setattr(sys, "stdout", io.StringIO())


@pytest.mark.parametrize("name, args, result", [
    ("bold", ("hi",), "\x1b[1mhi\x1b[22m"),
    ("italic", ("hi",), "\x1b[3mhi\x1b[23m"),
    ("underline", ("hi",), "\x1b[4mhi\x1b[24m"),
    ("color_text", ("hi", "red"), "\x1b[31mhi\x1b[39m"),
    ("color_text", ("hi", "bright_blue"), "\x1b[94mhi\x1b[39m"),
    ("color_text", ("hi", "#ff8000"), "\x1b[38;2;255;128;0mhi\x1b[39m"),
    ("color_text", ("hi", "#F80"), "\x1b[38;2;255;136;0mhi\x1b[39m"),
    ("color_text", ("hi", "dark_orange"), "\x1b[38;5;208mhi\x1b[39m"),
    ("color_text", ("hi", "rgb(1, 2, 3)"), "\x1b[38;2;1;2;3mhi\x1b[39m"),
    ("color_bg", ("hi", "green"), "\x1b[42mhi\x1b[49m"),
    ("color_bg", ("hi", "bright_white"), "\x1b[107mhi\x1b[49m"),
    ("color_bg", ("hi", "#000000"), "\x1b[48;2;0;0;0mhi\x1b[49m"),
    ("truecolor", ("hi", 200, 100, 50), "\x1b[38;2;200;100;50mhi\x1b[39m"),
    ("truecolor", ("", 0, 0, 0), "\x1b[38;2;0;0;0m\x1b[39m"),
])
def test_styles_on_a_terminal(term, name, args, result):
    assert call(module, name, *args) == result


def test_color_values_work_where_a_colour_is_expected(term):
    c = call(module, "rgb", 200, 100, 50)
    assert call(module, "color_text", "x", c) == "\x1b[38;2;200;100;50mx\x1b[39m"
    assert call(module, "color_bg", "x", call(module, "hex", "#0a0B0c")) == "\x1b[48;2;10;11;12mx\x1b[49m"


def test_truecolor_is_exact_after_another_colour_system_was_used(term, monkeypatch):
    # rich caches SGR codes per style process-wide; clr builds its own
    monkeypatch.setenv("TERM", "xterm")
    assert call(module, "truecolor", "x", 200, 100, 50) == "\x1b[38;2;200;100;50mx\x1b[39m"
    monkeypatch.setenv("COLORTERM", "truecolor")
    assert call(module, "truecolor", "x", 200, 100, 50) == "\x1b[38;2;200;100;50mx\x1b[39m"


def test_styles_nest_and_reopen_the_outer_style(term):
    inner = call(module, "color_text", "b", "blue")
    text = call(module, "bold", call(module, "color_text", "a" + inner + "c", "red"))
    assert text == "\x1b[1m\x1b[31ma\x1b[34mb\x1b[39m\x1b[31mc\x1b[39m\x1b[22m"
    assert call(module, "strip", text) == "abc"
    both = call(module, "underline", call(module, "bold", "x") + "y")
    assert both == "\x1b[4m\x1b[1mx\x1b[22my\x1b[24m"


@pytest.mark.parametrize("name, args", [
    ("bold", ("hi",)), ("italic", ("hi",)), ("underline", ("hi",)),
    ("color_text", ("hi", "red")), ("color_bg", ("hi", "#123456")), ("truecolor", ("hi", 1, 2, 3)),
])
def test_plain_text_off_a_terminal(plain, name, args):
    assert call(module, name, *args) == "hi"


@pytest.mark.parametrize("name, args, result", [
    ("bold", ("hi",), "\x1b[1mhi\x1b[22m"),
    ("underline", ("hi",), "\x1b[4mhi\x1b[24m"),
    ("italic", ("hi",), "\x1b[3mhi\x1b[23m"),
    ("color_text", ("hi", "red"), "hi"),
    ("color_bg", ("hi", "red"), "hi"),
    ("truecolor", ("hi", 1, 2, 3), "hi"),
])
def test_no_color_removes_colours_and_keeps_styles(term, monkeypatch, name, args, result):
    monkeypatch.setenv("NO_COLOR", "1")
    assert call(module, name, *args) == result


def test_empty_no_color_is_ignored(term, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "")
    assert call(module, "color_text", "hi", "red") == "\x1b[31mhi\x1b[39m"


def test_dumb_terminal_gets_plain_text(term, monkeypatch):
    monkeypatch.setenv("TERM", "dumb")
    assert call(module, "bold", "hi") == "hi"


def test_a_real_terminal_gets_colour(plain, monkeypatch):
    master, slave = pty.openpty()
    try:
        with os.fdopen(slave, "w") as tty:
            monkeypatch.setattr(sys, "stdout", tty)
            assert call(module, "color_text", "hi", "red") == "\x1b[31mhi\x1b[39m"
            monkeypatch.setenv("NO_COLOR", "1")
            assert call(module, "color_text", "hi", "red") == "hi"
    finally:
        os.close(master)


def test_rgb_and_hex_make_colours():
    c = call(module, "rgb", 255, 128, 0)
    assert (c.r, c.g, c.b, c.hex) == (255, 128, 0, "#ff8000")
    assert display(c) == "#ff8000"
    assert call(module, "hex", "ff8000") == c
    assert call(module, "hex", "#F80").hex == "#ff8800"


def test_palette_ansi():
    assert call(module, "palette_ansi") == [
        "black", "red", "green", "yellow", "blue", "magenta", "cyan", "white",
        "bright_black", "bright_red", "bright_green", "bright_yellow", "bright_blue",
        "bright_magenta", "bright_cyan", "bright_white"]


def test_every_palette_name_is_a_colour(term):
    for i, name in enumerate(call(module, "palette_ansi")):
        code = 30 + i if i < 8 else 90 + i - 8
        assert call(module, "color_text", "x", name) == f"\x1b[{code}mx\x1b[39m"


@pytest.mark.parametrize("text, result", [
    ("\x1b[1m\x1b[38;2;1;2;3mhi\x1b[39m\x1b[22m", "hi"),
    ("a\x1b[0mb\x1b[2Jc\x1b[10;20Hd", "abcd"),
    ("\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\", "link"),
    ("\x1b]0;title\x07text", "text"),
    ("\x1b(Bx\x1b7y\x1b8", "xy"),
    ("line 1\r\nline 2\n\ttab\n", "line 1\r\nline 2\n\ttab\n"),
    ("no codes", "no codes"),
    ("", ""),
])
def test_strip(text, result):
    assert call(module, "strip", text) == result


@pytest.mark.parametrize("name, args, kind, message", [
    ("rgb", (256, 0, 0), "ValueError", "clr.rgb: r must be between 0 and 255 (got 256)"),
    ("rgb", (0, -1, 0), "ValueError", "clr.rgb: g must be between 0 and 255 (got -1)"),
    ("rgb", (0, 0, 1.5), "TypeError", "clr.rgb: argument 'b' expects int, got float"),
    ("truecolor", ("x", 0, 0, 300), "ValueError", "clr.truecolor: b must be between 0 and 255 (got 300)"),
    ("hex", ("#12345",), "ValueError", "clr.hex: invalid hex colour '#12345' (expected \"#rrggbb\" or \"#rgb\")"),
    ("hex", ("green",), "ValueError", "clr.hex: invalid hex colour 'green' (expected \"#rrggbb\" or \"#rgb\")"),
    ("color_text", ("x", "nope"), "ValueError",
     "clr.color_text: unknown colour 'nope' (use one of clr.palette_ansi(), \"#rrggbb\" or clr.rgb(r, g, b))"),
    ("color_bg", ("x", "#zz0000"), "ValueError",
     "clr.color_bg: invalid hex colour '#zz0000' (expected \"#rrggbb\" or \"#rgb\")"),
    ("color_text", ("x", "default"), "ValueError", "clr.color_text: unknown colour 'default'"),
    ("color_text", ("x", 3), "TypeError", "clr.color_text: argument 'color' expects color or str, got int"),
    ("bold", (3,), "TypeError", "clr.bold: argument 'text' expects str, got int"),
    ("strip", (None,), "TypeError", "clr.strip: argument 'text' expects str, got nil"),
])
def test_errors(plain, name, args, kind, message):
    err = raises(module, name, *args)
    assert (err.kind, err.message) == (kind, message)


def test_every_export_is_documented():
    assert set(module.list_exports()) == {
        "rgb", "hex", "color_text", "color_bg", "bold", "italic", "underline", "truecolor",
        "palette_ansi", "strip"}
    for name in module.list_exports():
        _, doc = module.describe(name)
        assert doc, name

"""Axiom module `clr`: colour: ANSI styles, truecolour and stripping (on rich).

Every styling function takes a str and returns a str with ANSI SGR sequences around
it, so calls nest: `clr.bold(clr.color_text("hi", "red"))`. Each style is closed with
its own "off" code (bold `22`, italic `23`, underline `24`, foreground `39`,
background `49`), never a full reset, and an inner close inside the text re-opens the
outer style, so the text after a nested part keeps the outer style.

When styles are added (decided at each call, from the environment and sys.stdout):
- none at all when stdout is not a terminal, or TERM is `dumb`/`unknown`;
- `FORCE_COLOR` set to any non-empty value counts stdout as a terminal
  (`TTY_COMPATIBLE=1`/`0` forces it on/off too; this is rich's detection);
- `NO_COLOR` set to any non-empty value removes colours (`color_text`, `color_bg`,
  `truecolor` return the text unchanged) but keeps bold, italic and underline, as the
  no-color.org convention and rich do.

Colours: a [color] made by `rgb(r, g, b)` or `hex(code)`, or a str: one of the 16 ANSI
names of `palette_ansi()` (`"red"`, `"bright_blue"`: the terminal's own palette codes
30-37/90-97, 40-47/100-107), any other rich colour name (`"dark_orange"`,
`"color(208)"`: 256-colour codes), `"#rrggbb"`/`"#rgb"` or `"rgb(r,g,b)"` (24-bit codes).
[color] values and hex strings always give 24-bit codes (`38;2;r;g;b`): the SGR text is
built here, never by rich's style renderer, which caches codes per style process-wide.

`strip(text)` removes every ANSI escape sequence (CSI, OSC, and the other ESC
sequences) and nothing else: carriage returns and tabs stay.

rich is imported when this module is.
"""

from __future__ import annotations

import re
import sys
from typing import Final

from rich.color import Color as _RichColor
from rich.color import ColorParseError
from rich.console import Console

from axiom_sdk import Module

module = Module("clr", summary="Colour: ANSI styles, truecolour and stripping", title="Colour")

_ANSI_NAMES: Final = ("black", "red", "green", "yellow", "blue", "magenta", "cyan", "white")
PALETTE: Final = _ANSI_NAMES + tuple(f"bright_{n}" for n in _ANSI_NAMES)

# Every ANSI escape sequence: CSI (7- and 8-bit), OSC (ended by BEL or ST), and the
# other two-or-more byte ESC sequences (nF and Fp/Fe/Fs forms).
_ANSI_RE: Final = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"
    r"|(?:\x1b\]|\x9d)[^\x07\x1b]*(?:\x07|\x1b\\)?"
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"
    r"|\x1b[ -/]*[0-~]"
)
_HEX_RE: Final = re.compile(r"#?([0-9a-fA-F]{6}|[0-9a-fA-F]{3})")


@module.foreign_type("color", attrs=["r", "g", "b", "hex"],
                     display=lambda c: c.hex)
class Color:
    """A 24-bit colour. `r`, `g`, `b` are ints 0-255; `hex` is `"#rrggbb"`."""

    __slots__ = ("r", "g", "b")

    def __init__(self, r: int, g: int, b: int) -> None:
        self.r = r
        self.g = g
        self.b = b

    @property
    def hex(self) -> str:
        return f"#{self.r:02x}{self.g:02x}{self.b:02x}"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Color) and (self.r, self.g, self.b) == (other.r, other.g, other.b)

    def __hash__(self) -> int:
        return hash((self.r, self.g, self.b))


ColorArg = Color | str


# -- when to style -------------------------------------------------------------------------

def _modes() -> tuple[bool, bool]:
    """(styles on, colours on) for sys.stdout now."""
    console = Console(file=sys.stdout)
    styles = console.color_system is not None
    return styles, styles and not console.no_color


def _wrap(text: str, on: str, off: str) -> str:
    """on + text + off, re-opening `on` after every `off` inside text (nested styles)."""
    return on + text.replace(off, off + on) + off


def _sgr(codes: tuple[str, ...] | list[str]) -> str:
    return "\x1b[" + ";".join(codes) + "m"


def _codes(fname: str, color: Color | str, foreground: bool) -> tuple[str, ...]:
    """The SGR parameters selecting `color` as foreground or background."""
    if isinstance(color, Color):
        return ("38" if foreground else "48", "2", str(color.r), str(color.g), str(color.b))
    name = color.strip().lower()
    if name.startswith("#"):
        m = _HEX_RE.fullmatch(name)
        if m is None:
            raise module.error("ValueError", f"clr.{fname}: invalid hex colour {color!r} "
                                             "(expected \"#rrggbb\" or \"#rgb\")")
        return _codes(fname, _from_hex(m.group(1)), foreground)
    try:
        parsed = _RichColor.parse(name)
    except ColorParseError:
        raise module.error("ValueError", f"clr.{fname}: unknown colour {color!r} (use one of "
                                         "clr.palette_ansi(), \"#rrggbb\" or clr.rgb(r, g, b))") from None
    if parsed.is_default:
        raise module.error("ValueError", f"clr.{fname}: unknown colour {color!r}")
    return tuple(parsed.get_ansi_codes(foreground))


def _from_hex(digits: str) -> Color:
    if len(digits) == 3:
        digits = "".join(ch * 2 for ch in digits)
    return Color(int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16))


def _check_channel(fname: str, name: str, v: int) -> None:
    if not 0 <= v <= 255:
        raise module.error("ValueError", f"clr.{fname}: {name} must be between 0 and 255 (got {v})")


# -- colours -------------------------------------------------------------------------------

@module.export
def rgb(r: int, g: int, b: int) -> Color:
    """A colour from red, green and blue, each an int 0-255."""
    for name, v in (("r", r), ("g", g), ("b", b)):
        _check_channel("rgb", name, v)
    return Color(r, g, b)


@module.export(name="hex")
def hex_(code: str) -> Color:
    """A colour from a hex code: "#rrggbb", "rrggbb" or the short "#rgb"."""
    m = _HEX_RE.fullmatch(code.strip())
    if m is None:
        raise module.error("ValueError", f"clr.hex: invalid hex colour {code!r} "
                                         "(expected \"#rrggbb\" or \"#rgb\")")
    return _from_hex(m.group(1))


@module.export
def palette_ansi() -> list:
    """The 16 ANSI colour names, in palette order: black, red, ... bright_white."""
    return list(PALETTE)


# -- styling -------------------------------------------------------------------------------

@module.export
def color_text(text: str, color: ColorArg) -> str:
    """Text in the foreground colour `color` (a [color] or a name like "red", "#ff8800")."""
    codes = _codes("color_text", color, True)
    if not _modes()[1]:
        return text
    return _wrap(text, _sgr(codes), "\x1b[39m")


@module.export
def color_bg(text: str, color: ColorArg) -> str:
    """Text on the background colour `color` (a [color] or a name like "blue")."""
    codes = _codes("color_bg", color, False)
    if not _modes()[1]:
        return text
    return _wrap(text, _sgr(codes), "\x1b[49m")


@module.export
def truecolor(text: str, r: int, g: int, b: int) -> str:
    """Text in the 24-bit foreground colour r, g, b (each 0-255)."""
    for name, v in (("r", r), ("g", g), ("b", b)):
        _check_channel("truecolor", name, v)
    if not _modes()[1]:
        return text
    return _wrap(text, f"\x1b[38;2;{r};{g};{b}m", "\x1b[39m")


def _style(text: str, on: str, off: str) -> str:
    if not _modes()[0]:
        return text
    return _wrap(text, on, off)


@module.export
def bold(text: str) -> str:
    """Text in bold."""
    return _style(text, "\x1b[1m", "\x1b[22m")


@module.export
def italic(text: str) -> str:
    """Text in italics."""
    return _style(text, "\x1b[3m", "\x1b[23m")


@module.export
def underline(text: str) -> str:
    """Text underlined."""
    return _style(text, "\x1b[4m", "\x1b[24m")


@module.export
def strip(text: str) -> str:
    """Text without any ANSI escape sequences (colours, styles, cursor moves, links)."""
    return _ANSI_RE.sub("", text)


__all__ = ["Color", "PALETTE", "module"]

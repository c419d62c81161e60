"""Axiom module `str`: text helpers and linear-time regular expressions (RE2).

Text functions work on characters (Unicode code points), like Python's and Rust's
`str`: `length("héllo")` is 5, `reverse` and `chars` split between code points.

Regular expressions run on google-re2, so every match is linear in the text: a pattern
such as `(a+)+$` cannot backtrack catastrophically. Every regex function takes
`(pattern, text, ...)`; `_re2.py` is the one wrapper around the library (compiled
pattern cache, silent errors, Unicode `\\w \\d \\s`, replacement templates).
RE2 syntax is Perl-like without backreferences and lookaround (rejected with a
ValueError saying so); `^`/`$` match at the ends of the text unless `(?m)`, `.` does
not match a newline unless `(?s)`, `(?i)` ignores case, `\\b` is ASCII-only.

Decisions where the spec is silent:
- `split(s, sep=nil)` splits on runs of whitespace (dropping empty ends) when `sep` is
  nil; an empty `sep` is a ValueError.
- `join(list, sep)` joins the items' display forms, as `list.join(sep)` does.
- `repeat(s, n)` with `n <= 0` gives "", like `s * n`; a result over 2**31 characters
  (also for `pad_left`/`pad_right`) is LimitExceeded rather than a memory error.
- `pad_left`/`pad_right` take a one-character `fill`; a width not above the length
  returns the text unchanged.
- `regex_split` never includes the text of capturing groups (the result is always a
  list of strs, as in Rust's `Regex::split`).
- `regex_replace` replacements: `\\1`..`\\99`, `\\g<n>`, `\\g<name>`; `\\n \\t \\r \\\\`;
  a reference to a group the pattern lacks is a ValueError even when nothing matches.
"""

from __future__ import annotations

from typing import Any

from axiom_sdk import Module, display, memory_check

from . import _re2

module = Module("str", summary="Strings: text helpers and linear-time regular expressions (RE2)",
                title="Strings")

MAX_LENGTH = 2**31


def _check_length(name: str, n: int) -> None:
    memory_check(n, f"str.{name}")  # the run's --max-memory, before the text is built
    if n > MAX_LENGTH:
        raise module.error("LimitExceeded", f"str.{name}: a result of {n} characters is too "
                                            f"large (the limit is {MAX_LENGTH})")


# -- text ---------------------------------------------------------------------------------

@module.export
def length(s: str) -> int:
    """The number of characters (Unicode code points) in s."""
    return len(s)


@module.export
def uppercase(s: str) -> str:
    """s in upper case (Unicode rules: "straße" gives "STRASSE")."""
    return s.upper()


@module.export
def lowercase(s: str) -> str:
    """s in lower case."""
    return s.lower()


@module.export
def split(s: str, sep: str | None = None) -> list:
    """The parts of s between each sep; with sep nil, the words between runs of whitespace."""
    if sep == "":
        raise module.error("ValueError", "str.split: empty separator")
    return s.split(sep)


@module.export
def join(items: list, sep: str) -> str:
    """The items' display forms joined with sep between them."""
    return sep.join(x if type(x) is str else display(x) for x in items)


@module.export
def replace(s: str, old: str, new: str) -> str:
    """s with every occurrence of old replaced by new."""
    if len(new) > len(old):
        count = s.count(old) if old else len(s) + 1
        _check_length("replace", len(s) + count * (len(new) - len(old)))
    return s.replace(old, new)


@module.export
def trim(s: str) -> str:
    """s without whitespace at either end."""
    return s.strip()


@module.export
def starts_with(s: str, prefix: str) -> bool:
    """Whether s begins with prefix."""
    return s.startswith(prefix)


@module.export
def ends_with(s: str, suffix: str) -> bool:
    """Whether s ends with suffix."""
    return s.endswith(suffix)


@module.export
def contains(s: str, sub: str) -> bool:
    """Whether sub occurs in s."""
    return sub in s


def _fill(name: str, fill: str, width: int) -> None:
    if len(fill) != 1:
        raise module.error("ValueError", f"str.{name}: fill must be one character, got "
                                         f"{len(fill)}")
    _check_length(name, width)


@module.export
def pad_left(s: str, width: int, fill: str = " ") -> str:
    """s right-aligned in width characters, padded on the left with fill."""
    _fill("pad_left", fill, width)
    return s.rjust(width, fill)


@module.export
def pad_right(s: str, width: int, fill: str = " ") -> str:
    """s left-aligned in width characters, padded on the right with fill."""
    _fill("pad_right", fill, width)
    return s.ljust(width, fill)


@module.export
def repeat(s: str, n: int) -> str:
    """s repeated n times ("" when n <= 0)."""
    if n <= 0:
        return ""
    _check_length("repeat", len(s) * n)
    return s * n


@module.export
def reverse(s: str) -> str:
    """s with its characters in reverse order."""
    return s[::-1]


@module.export
def chars(s: str) -> list:
    """The characters of s, as a list of one-character strs."""
    return list(s)


# -- regular expressions --------------------------------------------------------------------

def _regex(name: str, pattern: str) -> Any:
    try:
        return _re2.compile(pattern)
    except _re2.PatternError as e:
        raise module.error("ValueError", f"str.{name}: invalid pattern: {e.reason}") from None


@module.export
def regex_match(pattern: str, text: str) -> bool:
    """Whether pattern matches anywhere in text."""
    return _regex("regex_match", pattern).search(text) is not None


@module.export
def regex_find(pattern: str, text: str) -> str | None:
    """The text of the first match of pattern in text, or nil."""
    m = _regex("regex_find", pattern).search(text)
    return None if m is None else m.group(0)


@module.export
def regex_find_all(pattern: str, text: str) -> list:
    """The texts of every match of pattern in text (whole matches, even with groups)."""
    return [m.group(0) for m in _regex("regex_find_all", pattern).finditer(text)]


@module.export
def regex_replace(pattern: str, text: str, replacement: str) -> str:
    """text with every match of pattern replaced (\\1 or \\g<name> insert groups)."""
    rx = _regex("regex_replace", pattern)
    try:
        template = _re2.Template(replacement, rx)
    except _re2.PatternError as e:
        raise module.error("ValueError", f"str.regex_replace: invalid replacement: "
                                         f"{e.reason}") from None
    out, last = [], 0
    for m in rx.finditer(text):
        start, end = m.span()
        out.append(text[last:start])
        out.append(template.expand(m))
        last = end
    out.append(text[last:])
    return "".join(out)


@module.export
def regex_split(pattern: str, text: str) -> list:
    """The parts of text between the matches of pattern (group texts are not included)."""
    out, last = [], 0
    for m in _regex("regex_split", pattern).finditer(text):
        start, end = m.span()
        out.append(text[last:start])
        last = end
    out.append(text[last:])
    return out


@module.export
def regex_captures(pattern: str, text: str) -> list | None:
    """The groups of the first match as a list (nil for a group that did not take part),
    or nil when pattern does not match."""
    m = _regex("regex_captures", pattern).search(text)
    return None if m is None else list(m.groups())

"""The one small wrapper around google-re2 (import name `re2`) that `axiom_str` uses.

RE2 runs in linear time (no catastrophic backtracking), but its Python binding needs
care (LIBRARIES.md §3 str), and this file is where that care lives:

- `compile(pattern)` keeps an LRU of compiled patterns (a call through `re2.search`
  costs twice a precompiled search) and passes `log_errors=False`, so RE2 never writes
  parse errors to stderr.
- A bad pattern raises `PatternError` whose `reason` is RE2's byte message decoded
  (`missing ): (abc`), reported for the pattern as the user wrote it. Backreferences
  and lookaround get a reason that says RE2 does not support them.
- `\\w \\d \\s` and their negations are ASCII-only in RE2; they are translated to
  Unicode classes first, with the meanings of the original design's Rust `regex`:
  `\\d` = `\\p{Nd}`, `\\w` = letters, marks, decimal and letter numbers, connector
  punctuation, `\\s` = Unicode White_Space. `\\b` stays ASCII (RE2 has no Unicode word
  boundary and it cannot be rewritten without lookaround).
- `Template` expands replacement text itself: the binding's `Match.expand` runs the
  literal parts through `unicode_escape`, which garbles non-ASCII replacement text
  (`re2.sub("a", "é", "a")` gives `"Ã©"`).

Imports only the standard library and `re2` (lazily, at the first compile).
"""

from __future__ import annotations

import functools
from typing import Any

WORD = r"\p{L}\p{M}\p{Nd}\p{Nl}\p{Pc}"
SPACE = r"\p{Z}\t\n\x0B\f\r\x{85}"

# Shorthand -> replacement outside a bracketed class.
_OUTSIDE = {"d": r"\p{Nd}", "D": r"\P{Nd}", "w": f"[{WORD}]", "W": f"[^{WORD}]",
            "s": f"[{SPACE}]", "S": f"[^{SPACE}]"}
# Shorthand -> class items inside brackets; \W and \S there need explicit ranges.
_INSIDE = {"d": r"\p{Nd}", "D": r"\P{Nd}", "w": WORD, "s": SPACE}

CACHE_SIZE = 512


class PatternError(Exception):
    """A pattern RE2 rejects; `reason` says why, in words for the user."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def compile(pattern: str) -> Any:
    """The compiled RE2 regexp for `pattern` (cached); PatternError when invalid."""
    return _compile_cached(pattern)


@functools.lru_cache(maxsize=CACHE_SIZE)
def _compile_cached(pattern: str) -> Any:
    import re2
    try:
        return re2.compile(translate(pattern), options=_options())
    except re2.error as e:
        raise PatternError(_reason(pattern, e)) from None


@functools.cache
def _options() -> Any:
    import re2
    options = re2.Options()
    options.log_errors = False
    return options


def _reason(pattern: str, e: Exception) -> str:
    """RE2's reason for rejecting `pattern`, for the pattern as written (not the
    translated one), naming unsupported features plainly."""
    import re2
    try:
        re2.compile(pattern, options=_options())
        reason = _decode(e)  # only the translation failed (e.g. grew too large)
    except re2.error as original:
        reason = _decode(original)
    if reason.startswith(_LOOKAROUND):
        return f"RE2 does not support lookahead or lookbehind ({reason})"
    bad_escape = "invalid escape sequence: \\"
    escape = reason[len(bad_escape):][:1] if reason.startswith(bad_escape) else ""
    if (escape and escape in "123456789k") or (
            reason == "invalid perl operator: (?P" and "(?P=" in pattern):
        return f"RE2 does not support backreferences ({reason})"
    return reason


_LOOKAROUND = tuple(f"invalid perl operator: {op}" for op in ("(?=", "(?!", "(?<=", "(?<!"))


def _decode(e: Exception) -> str:
    arg = e.args[0] if e.args else str(e)
    return arg.decode("utf-8", "replace") if isinstance(arg, bytes) else str(arg)


# -- \w \d \s -> Unicode classes ---------------------------------------------------------

def translate(pattern: str) -> str:
    """`pattern` with `\\w \\d \\s \\W \\D \\S` given Unicode meaning (see the docstring).
    Escaped backslashes, `\\Q...\\E` literals and `[:alpha:]` classes are left alone."""
    if "\\" not in pattern:
        return pattern
    out: list[str] = []
    i, n = 0, len(pattern)
    in_class = False
    while i < n:
        c = pattern[i]
        if c == "\\" and i + 1 < n:
            e = pattern[i + 1]
            if e == "Q":  # a literal up to \E
                j = pattern.find("\\E", i + 2)
                j = n if j < 0 else j + 2
                out.append(pattern[i:j])
                i = j
                continue
            out.append(_shorthand(e, in_class) or pattern[i:i + 2])
            i += 2
            continue
        if in_class:
            if pattern.startswith("[:", i) and (j := pattern.find(":]", i + 2)) >= 0:
                out.append(pattern[i:j + 2])
                i = j + 2
                continue
            in_class = c != "]"
        elif c == "[":
            in_class = True
            j = i + 1 + pattern.startswith("^", i + 1)
            j += pattern.startswith("]", j)  # a `]` first in a class is literal
            out.append(pattern[i:j])
            i = j
            continue
        out.append(c)
        i += 1
    return "".join(out)


def _shorthand(letter: str, in_class: bool) -> str | None:
    if not in_class:
        return _OUTSIDE.get(letter)
    if letter == "W":
        return _complement(WORD)
    if letter == "S":
        return _complement(SPACE)
    return _INSIDE.get(letter)


@functools.cache
def _complement(items: str) -> str:
    """Class items for every code point not in `[items]`, as explicit ranges (needed
    inside brackets, where `[^...]` cannot nest). Computed once, with RE2 itself, so it
    agrees with RE2's own Unicode tables; about 0.3 s, paid only by patterns that use
    `\\W` or `\\S` inside brackets."""
    import re2
    rx = re2.compile(f"[^{items}]+", options=_options())
    parts = []
    for lo, hi in ((0, 0xD800), (0xE000, 0x110000)):  # UTF-8 cannot hold surrogates
        text = "".join(map(chr, range(lo, hi)))
        for m in rx.finditer(text):
            start, end = m.span()
            parts.append(f"\\x{{{lo + start:X}}}-\\x{{{lo + end - 1:X}}}")
    return "".join(parts)


# -- replacement templates -----------------------------------------------------------------

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\"}


class Template:
    """A replacement text parsed once: literal strs and group references (ints or
    names), checked against the pattern's groups. `\\1`..`\\99`, `\\g<n>`, `\\g<name>`
    refer to groups (an unmatched group gives ""); `\\n \\t \\r \\\\` are escapes; another
    ASCII letter or digit after `\\` is an error; any other character is kept with
    its backslash."""

    __slots__ = ("literals", "groups")

    def __init__(self, text: str, rx: Any) -> None:
        # literals[0] group[0] literals[1] group[1] ... literals[-1]
        self.literals: list[str] = []
        self.groups: list[int] = []
        literal: list[str] = []
        i, n = 0, len(text)
        while i < n:
            c = text[i]
            if c != "\\":
                literal.append(c)
                i += 1
                continue
            if i + 1 == n:
                raise PatternError("trailing backslash")
            group, i = _group_ref(text, i, rx)
            if group is None:
                e = text[i + 1]
                if e in _ESCAPES:
                    literal.append(_ESCAPES[e])
                elif e.isascii() and e.isalnum():
                    raise PatternError(f"bad escape \\{e}")
                else:
                    literal.append(text[i:i + 2])
                i += 2
                continue
            self.literals.append("".join(literal))
            self.groups.append(group)
            literal = []
        self.literals.append("".join(literal))

    def expand(self, match: Any) -> str:
        out = [self.literals[0]]
        for group, literal in zip(self.groups, self.literals[1:]):
            out.append(match.group(group) or "")
            out.append(literal)
        return "".join(out)


def _group_ref(text: str, i: int, rx: Any) -> tuple[int | None, int]:
    """The group a reference at text[i] ("\\") names and the index after it, or
    (None, i) when it is not a reference."""
    e = text[i + 1]
    if e in "123456789":
        j = i + 2 + (i + 2 < len(text) and text[i + 2].isdigit())
        return _check_group(int(text[i + 1:j]), rx), j
    if e == "g" and text.startswith("<", i + 2):
        j = text.find(">", i + 3)
        if j < 0:
            raise PatternError("missing > in \\g<...>")
        name = text[i + 3:j]
        if name.isdigit():
            return _check_group(int(name), rx), j + 1
        if name not in rx.groupindex:
            raise PatternError(f"unknown group name '{name}'")
        return rx.groupindex[name], j + 1
    return None, i


def _check_group(n: int, rx: Any) -> int:
    if n > rx.groups:
        raise PatternError(f"invalid group reference {n} (the pattern has {rx.groups} "
                           f"group{'' if rx.groups == 1 else 's'})")
    return n

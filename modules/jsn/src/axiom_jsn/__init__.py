"""Axiom module `jsn`: JSON text to Axiom values and back.

Parsing uses the standard library's `json` (its C scanner), strictly:

- ints stay ints and floats stay floats; an integer outside the 64-bit range is an
  `Overflow` error (a `parse_int` hook: orjson would silently make it a float), and so is
  a number too large for a float (`1e400`);
- the `NaN`, `Infinity` and `-Infinity` literals that Python accepts are a ValueError;
- invalid JSON is a ValueError naming the line and column;
- nesting deeper than MAX_DEPTH (10,000) levels is a ValueError, never a RecursionError;
- a repeated key in one object keeps its last value (as JavaScript and Python do).

Writing uses orjson (11x faster than `json`), compact (`{"a":[1,null]}`) or indented,
UTF-8 without `\\u` escapes, keys in insertion order. Where orjson cannot go, the standard
library takes over with the same output shape: nesting deeper than orjson's 254 levels.

- NaN and +-Infinity are a ValueError (orjson would silently write `null`).
- Sets, functions, instances, ranges and errors are a TypeError, and so are foreign
  values unless their type declares the plain data they stand for (a num tensor is
  written as nested lists, a dfm data frame as a list of row objects).
- Dict keys that are not strs are written as JavaScript's `JSON.stringify` and Python's
  `json` write them: an int as its digits, a float in its display form (`1.5`), `true`,
  `false`, and nil as `null`. A NaN or infinite key, or two keys of one dict that become
  the same text (`1` and `"1"`), is a ValueError.
- Cyclic data (a list that contains itself) is a ValueError; so is a str holding a lone
  surrogate, which UTF-8 cannot encode.
- Floats are written in the shortest form that reads back exactly, as orjson writes them
  (`1e-7`, `1e+16`; the standard library, past 254 levels, writes `1e-07`).

Files: `json_read` decodes UTF-8 (a leading byte-order mark is dropped; other bytes are a
ValueError); `json_write` writes the compact form (or `indent`), a final newline, and
replaces the file atomically. A URL (`http://`, `https://`) given to `json_read` is
fetched (a loopback address never through a proxy) and needs `net`.
"""

from __future__ import annotations

import json
import math
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import orjson

from axiom_sdk import (
    INT_MAX,
    INT_MIN,
    AxiomError,
    BoundedList,
    Module,
    is_url,
    open_url,
    to_data,
    typeof,
)

module = Module("jsn", summary="JSON: strict parsing and compact or pretty output", title="JSON")


def _a(v: Any) -> str:
    """`a str`, `an int`: the article and type name of a value, for messages."""
    name = typeof(v)
    return ("an " if name[:1] in "aeiou" else "a ") + name


MAX_DEPTH = 10_000  # nesting levels; ARCHITECTURE.md §6 bounds jsn on deep data here
_ORJSON_DEPTH = 254  # orjson.dumps raises "Recursion limit reached" beyond this
_OPTIONS = (orjson.OPT_PASSTHROUGH_SUBCLASS | orjson.OPT_PASSTHROUGH_DATACLASS
            | orjson.OPT_PASSTHROUGH_DATETIME)  # only plain Axiom values are written


# -- parsing ----------------------------------------------------------------------------

class _Rejected(Exception):
    """Raised from a parse hook: the kind and message of the error to report."""

    def __init__(self, kind: str, message: str, locate: bool = True) -> None:
        self.kind = kind
        self.message = message
        self.locate = locate  # whether orjson rejects it too, naming the place


def _parse_int(text: str) -> int:
    if len(text) <= 18:  # at most 18 digits always fits in 64 bits
        return int(text)
    n = int(text) if len(text) <= 21 else None
    if n is None or not INT_MIN <= n <= INT_MAX:
        shown = text if len(text) <= 40 else text[:37] + "..."
        raise _Rejected("Overflow", f"integer {shown} is outside the 64-bit range", locate=False)
    return n


def _parse_float(text: str) -> float:
    x = float(text)
    if math.isinf(x):
        shown = text if len(text) <= 40 else text[:37] + "..."
        raise _Rejected("Overflow", f"number {shown} is outside the float range")
    return x


def _parse_constant(text: str) -> Any:
    raise _Rejected("ValueError", f"{text} is not valid JSON (JSON has no NaN or Infinity)")


_DECODER = json.JSONDecoder(parse_int=_parse_int, parse_float=_parse_float,
                            parse_constant=_parse_constant)


def _position(text: str) -> str:
    """' at line L column C' for the place orjson rejects `text`, or '' (used to place
    a value the standard library's scanner accepted but a hook refused)."""
    try:
        orjson.loads(text)
    except orjson.JSONDecodeError as e:
        return f" at line {e.lineno} column {e.colno}"
    return ""


def parse(text: str, fname: str) -> Any:
    """The Axiom value of JSON `text`; errors are reported as coming from `fname`."""
    try:
        with _depth_guard():
            value = _DECODER.decode(text)
        # The guard lets the scanner go at least MAX_DEPTH deep (further in an Axiom run,
        # which allows 20,000): hold deeper documents to the same bound everywhere.
        if text.count("[") + text.count("{") > MAX_DEPTH and _nesting(value) > MAX_DEPTH:
            raise RecursionError
        return value
    except json.JSONDecodeError as e:
        msg = e.msg[:1].lower() + e.msg[1:]
        raise module.error("ValueError", f"jsn.{fname}: invalid JSON: {msg} at line {e.lineno} "
                                         f"column {e.colno}") from None
    except _Rejected as e:
        where = _position(text) if e.locate else ""
        raise module.error(e.kind, f"jsn.{fname}: {e.message}{where}") from None
    except RecursionError:
        raise module.error("ValueError", f"jsn.{fname}: JSON nested deeper than {MAX_DEPTH} "
                                         "levels") from None


@contextmanager
def _depth_guard(frames: int = 1) -> Iterator[None]:
    """Let the C scanner and encoder (which count against Python's recursion limit) go
    MAX_DEPTH levels deeper than the caller, `frames` recursion steps per level, and
    restore the limit afterwards. An Axiom run already allows 20,000; plain Python 1,000."""
    depth = 0
    f: Any = sys._getframe()
    while f is not None:
        depth += 1
        f = f.f_back
    need = depth + frames * MAX_DEPTH + 50
    old = sys.getrecursionlimit()
    if old < need:
        sys.setrecursionlimit(need)
    try:
        yield
    finally:
        if sys.getrecursionlimit() != old:
            sys.setrecursionlimit(old)


# -- writing ----------------------------------------------------------------------------

def _default(v: Any) -> Any:
    """orjson's hook for what it does not write itself: Axiom's capacity-bounded list
    and foreign values whose type declares plain data (a tensor, a data frame);
    everything else is not JSON."""
    if isinstance(v, BoundedList):
        return list(v)
    info = getattr(type(v), "__axiom_foreign__", None)
    if info is not None and info.to_data is not None:
        return to_data(v)
    raise module.error("TypeError", f"{_a(v)} cannot be written as JSON")


def _key(k: Any) -> str:
    t = type(k)
    if t is str:
        return k  # type: ignore[no-any-return]
    if k is None:
        return "null"
    if t is bool:
        return "true" if k else "false"
    if t is int:
        return str(k)
    if t is float:
        if not math.isfinite(k):
            raise module.error("ValueError", f"the dict key {k!r} cannot be written as JSON")
        return repr(k)
    raise module.error("TypeError", f"{_a(k)} dict key cannot be written as JSON")


def _plain(v: Any, depth: int, seen: set[int]) -> Any:
    """v with every dict key made a str, lists copied, NaN/Infinity and cycles refused:
    the slow, careful path taken when orjson's fast one gives up."""
    t = type(v)
    if t is float:
        if not math.isfinite(v):
            raise module.error("ValueError", f"{v!r} cannot be written as JSON (JSON has no NaN "
                                             "or Infinity)")
        return v
    if t is str or t is int or t is bool or v is None:
        return v
    if isinstance(v, (list, dict)):
        if depth >= MAX_DEPTH:
            raise module.error("ValueError", f"data nested deeper than {MAX_DEPTH} levels "
                                             "cannot be written as JSON")
        if id(v) in seen:
            raise module.error("ValueError", "cyclic data (a list or dict that contains itself) "
                                             "cannot be written as JSON")
        seen.add(id(v))
        if isinstance(v, list):
            out: Any = [_plain(x, depth + 1, seen) for x in v]
        else:
            out = {}
            for k, x in v.items():
                ks = _key(k)
                if ks in out:
                    raise module.error("ValueError", f"two keys of a dict are both written as "
                                                     f"{json.dumps(ks, ensure_ascii=False)}")
                out[ks] = _plain(x, depth + 1, seen)
        seen.discard(id(v))
        return out
    return _plain(_default(v), depth + 1, seen)


def _has_non_finite(v: Any) -> bool:
    """Whether a float NaN or +-Infinity occurs in v (checked only when orjson wrote
    `null`, which is how it writes them)."""
    stack = [v]
    while stack:
        x = stack.pop()
        t = type(x)
        if t is float:
            if not math.isfinite(x):
                return True
        elif isinstance(x, list):
            stack.extend(x)
        elif isinstance(x, dict):
            stack.extend(x.values())
    return False


def dump(value: Any, indent: int | None, fname: str) -> str:
    """JSON text of `value`: compact when `indent` is None, else indented by `indent`
    spaces per level."""
    option = _OPTIONS | (orjson.OPT_INDENT_2 if indent is not None else 0)
    out: str | bytes
    try:
        out = orjson.dumps(value, default=_default, option=option)
    except orjson.JSONEncodeError as e:
        cause = e.__cause__
        if isinstance(cause, AxiomError):  # raised by _default
            raise module.error(cause.kind, f"jsn.{fname}: {cause.message}") from None
        if "surrogates" in str(e):
            raise module.error("ValueError", f"jsn.{fname}: {e}") from None
        out = _dump_carefully(value, indent, fname)  # non-str keys, depth, cycles
    else:
        if b"null" in out and _has_non_finite(value):
            _dump_carefully(value, indent, fname)  # raises, naming the value
    text = out.decode() if isinstance(out, bytes) else out
    if indent is not None and indent != 2:
        text = _reindent(text, indent)
    return text


def _dump_carefully(value: Any, indent: int | None, fname: str) -> str | bytes:
    try:
        with _depth_guard(frames=2):  # _plain: a call and a list comprehension per level
            plain = _plain(value, 0, set())
            if _nesting(plain) <= _ORJSON_DEPTH:
                return orjson.dumps(plain, option=orjson.OPT_INDENT_2 if indent is not None else 0)
            return json.dumps(plain, ensure_ascii=False, allow_nan=False, check_circular=False,
                              indent=2 if indent is not None else None,
                              separators=(",", ": ") if indent is not None else (",", ":"))
    except orjson.JSONEncodeError as e:  # a lone surrogate in a str
        raise module.error("ValueError", f"jsn.{fname}: {e}") from None
    except RecursionError:
        raise module.error("ValueError", f"jsn.{fname}: data nested deeper than {MAX_DEPTH} "
                                         "levels cannot be written as JSON") from None
    except AxiomError as e:  # raised by _plain
        raise module.error(e.kind, f"jsn.{fname}: {e.message}") from None


def _nesting(v: Any) -> int:
    """How deeply lists and dicts nest in v (0 for a scalar), counted a level at a time
    so that only containers are visited twice."""
    depth, level = 0, [v] if type(v) is list or type(v) is dict else []
    while level:
        depth += 1
        inner: list[Any] = []
        x: Any
        for x in level:
            inner += [y for y in (x if type(x) is list else x.values())
                      if type(y) is list or type(y) is dict]
        level = inner
    return depth


def _reindent(text: str, indent: int) -> str:
    """Text indented by 2 spaces per level, re-indented by `indent` (a JSON str never
    holds a raw newline, so every line starts with its indentation)."""
    lines = text.split("\n")
    for i, line in enumerate(lines):
        body = line.lstrip(" ")
        lines[i] = " " * ((len(line) - len(body)) // 2 * indent) + body
    return "\n".join(lines)


def _check_indent(indent: int, fname: str) -> None:
    if not 0 <= indent <= 32:
        raise module.error("ValueError", f"jsn.{fname}: indent must be from 0 to 32, got {indent}")


# -- files and URLs -------------------------------------------------------------------------

def _fetch(url: str, fname: str) -> bytes:
    """The body of `url` (needs `net`); failures are an IOError naming the URL."""
    with open_url(url, f"jsn.{fname}") as resp:
        return resp.read()  # type: ignore[no-any-return]


def _decode(data: bytes, where: str, fname: str) -> str:
    """UTF-8 text of `data` (a leading byte-order mark is dropped)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise module.error("ValueError", f"jsn.{fname}: {where}: not valid UTF-8 (byte "
                                         f"{e.start})") from None


# -- exports ------------------------------------------------------------------------------

@module.export
def json_parse(text: str) -> Any:
    """The value JSON text holds: objects become dicts, arrays lists, numbers ints or floats.

    Invalid JSON is a ValueError with the line and column; an integer outside the 64-bit
    range is Overflow; NaN and Infinity are not JSON (ValueError)."""
    return parse(text, "json_parse")


@module.export
def json_stringify(value: Any) -> str:
    """Compact JSON text of a value, without spaces: {"a":[1,null]}.

    Sets, functions and foreign values without plain data are a TypeError (a tensor or
    a data frame is written as its data); NaN, Infinity and cyclic data a
    ValueError. Non-str dict keys are written as text ({1: 2} gives {"1":2})."""
    return dump(value, None, "json_stringify")


@module.export
def json_pretty(value: Any, indent: int = 2) -> str:
    """JSON text of a value, one item per line, indented by `indent` spaces per level."""
    _check_indent(indent, "json_pretty")
    return dump(value, indent, "json_pretty")


@module.export(needs=["fs.read:path"])
def json_read(path: str) -> Any:
    """The value the JSON file (or http/https URL) at `path` holds, read as UTF-8."""
    if is_url(path):
        data = _fetch(path, "json_read")
    else:
        with open(path, "rb") as f:
            data = f.read()
    return parse(_decode(data, path, "json_read"), "json_read")


@module.export(needs=["fs.write:path"])
def json_write(path: str, value: Any, indent: int | None = None) -> None:
    """Write a value to a file as JSON, compact or indented by `indent` spaces.

    The file is UTF-8 with a final newline, and is replaced atomically."""
    if indent is not None:
        _check_indent(indent, "json_write")
    if is_url(path):
        raise module.error("ValueError", f"jsn.json_write: cannot write to a URL: {path}")
    text = dump(value, indent, "json_write") + "\n"
    tmp = f"{path}.{os.getpid()}.tmp"
    try:
        with open(tmp, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        os.replace(tmp, path)
    except OSError as e:
        if os.path.exists(tmp):
            os.unlink(tmp)
        if e.filename == tmp:
            e.filename = path
        raise

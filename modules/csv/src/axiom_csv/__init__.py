"""Axiom module `csv`: RFC 4180 CSV files read, streamed, filtered and written, on the
standard library's `csv`.

Reading (`csv_read`, `csv_rows`, `csv_filter` and `csv_to_json` given a path):

- Files are UTF-8; a leading byte-order mark is dropped. Fields are RFC 4180: quoted
  fields may hold the delimiter, `""` for a quote, and line breaks (kept exactly, `\\r\\n`
  too). Every field is a str exactly as written: no type inference (`"12"`, not `12`).
- With `header=true` (the default) the first row names the columns and each later row is
  a dict in column order; with `header=false` every row is a list of strs.
- A row with fewer fields than the header gets nil for the missing ones; a row with more
  is a ValueError naming its line (its data would have no column). A duplicate column
  name in the header is a ValueError (read with `header=false` instead). Empty lines are
  skipped.
- Malformed input is a ValueError naming the line: a quoted field that never ends, or a
  quote inside a quoted field that is not doubled (`"a"b`).
- A path that is an http/https URL is fetched (streamed for `csv_rows`) and needs `net`.

Writing (`csv_write`): fields are quoted only where RFC 4180 needs it (a delimiter, a
quote or a line break inside); lines end with `\\n`; nil is an empty field, true/false,
ints and floats are written in their display form.

`csv_to_json` gives a str: the rows as a compact JSON array (of objects with a header, of
arrays without), as `jsn.json_stringify` would write them.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Callable, Iterator
from typing import IO, Any

from axiom_sdk import Module, display, is_url, open_url, require, truthy, typeof

module = Module("csv", summary="CSV: RFC 4180 reading, streaming and writing", title="CSV")


def _a(v: Any) -> str:
    """`a str`, `an int`: the article and type name of a value, for messages."""
    name = typeof(v)
    return ("an " if name[:1] in "aeiou" else "a ") + name


# -- reading ------------------------------------------------------------------------------

def _check_delimiter(delimiter: str, fname: str) -> None:
    if len(delimiter) != 1 or delimiter in '"\r\n':
        raise module.error("ValueError", f"csv.{fname}: the delimiter must be one character other "
                                         f"than a quote or a line break, got {json.dumps(delimiter)}")


def _open(path: str, fname: str) -> IO[str]:
    """The text of a file (or http/https URL, which needs `net`), opened for the csv
    reader: UTF-8 without a byte-order mark, line endings untranslated."""
    if not is_url(path):
        return open(path, encoding="utf-8-sig", newline="")
    resp = open_url(path, f"csv.{fname}")
    return io.TextIOWrapper(resp, encoding="utf-8-sig", newline="")


def _rows(f: IO[str], path: str, header: bool, delimiter: str, fname: str) -> Iterator[Any]:
    """The rows of the open file `f` as dicts (with a header) or lists, raising Axiom
    errors that name the line; closes `f` when done."""
    reader = csv.reader(f, delimiter=delimiter, strict=True)
    line = 1  # where the next record starts
    names: list[str] | None = None
    try:
        while True:
            try:
                fields = next(reader)
            except StopIteration:
                return
            except csv.Error as e:
                reason = _describe(str(e), line, reader.line_num)
                raise module.error("ValueError", f"csv.{fname}: {path}: {reason}") from None
            except UnicodeDecodeError:
                raise module.error("ValueError", f"csv.{fname}: {path}: not valid UTF-8 (near line "
                                                 f"{reader.line_num + 1})") from None
            except OSError as e:
                raise module.error("IOError", f"csv.{fname}: {path}: {e.strerror or e}") from None
            start, line = line, reader.line_num + 1
            if not fields:
                continue  # an empty line
            if not header:
                yield fields
            elif names is None:
                names = _header(fields, path, fname)
            elif len(fields) == len(names):
                yield dict(zip(names, fields))
            elif len(fields) < len(names):
                row: dict[str, str | None] = dict.fromkeys(names)
                row.update(zip(names, fields))
                yield row
            else:
                raise module.error("ValueError", f"csv.{fname}: {path}: line {start} has {len(fields)} "
                                                 f"fields but the header has {len(names)}")
    finally:
        f.close()


def _describe(reason: str, start: int, now: int) -> str:
    if reason == "unexpected end of data":
        return f"unterminated quoted field starting at line {start}"
    if "expected after" in reason:
        return f"a quote inside a quoted field must be doubled (\"\") at line {now}"
    return f"{reason} at line {now}"


def _header(fields: list[str], path: str, fname: str) -> list[str]:
    seen: set[str] = set()
    for name in fields:
        if name in seen:
            raise module.error("ValueError", f"csv.{fname}: {path}: the header names column "
                                             f"{json.dumps(name, ensure_ascii=False)} twice "
                                             "(read with header=false to keep both)")
        seen.add(name)
    return fields


def _reader(path: str, header: bool, delimiter: str, fname: str) -> Iterator[Any]:
    _check_delimiter(delimiter, fname)
    return _rows(_open(path, fname), path, header, delimiter, fname)


# -- writing ------------------------------------------------------------------------------

def _field(v: Any, where: str) -> str:
    t = type(v)
    if t is str:
        return v  # type: ignore[no-any-return]
    if v is None:
        return ""
    if t in (bool, int, float):
        return display(v)
    raise module.error("TypeError", f"csv.csv_write: {where} is {_a(v)}; a CSV field "
                                    "holds a str, number, bool or nil")


def _lines(rows: list[Any], header: list[Any] | None) -> Iterator[list[str]]:
    """The records to write: a header row, then each row's fields in column order."""
    if not rows:
        if header is not None:
            yield [_field(h, "a header name") for h in header]
        return
    if isinstance(rows[0], dict):
        names = list(rows[0]) if header is None else header
        yield [_field(h, "a header name") for h in names]
        known = set(names)
        for i, row in enumerate(rows):
            if not isinstance(row, dict):
                raise module.error("TypeError", f"csv.csv_write: row {i} is {_a(row)}, but "
                                                "row 0 is a dict (rows must all be dicts or all lists)")
            extra = [k for k in row if k not in known]
            if extra:
                raise module.error("ValueError", f"csv.csv_write: row {i} has the key "
                                                 f"{display([extra[0]])[1:-1]}, which is not a column "
                                                 f"of the header {display(names)}")
            yield [_field(row.get(k), f"row {i}, column {display([k])[1:-1]}") for k in names]
        return
    if header is not None:
        yield [_field(h, "a header name") for h in header]
    for i, row in enumerate(rows):
        if not isinstance(row, list):
            what = "a dict" if isinstance(row, dict) else _a(row)
            raise module.error("TypeError", f"csv.csv_write: row {i} is {what}; rows must be "
                                            "all dicts or all lists")
        yield [_field(v, f"row {i}, field {j}") for j, v in enumerate(row)]


# -- exports ------------------------------------------------------------------------------

@module.export(needs=["fs.read:path"])
def csv_read(path: str, header: bool = True, delimiter: str = ",") -> list:
    """Every row of a CSV file: dicts keyed by the header row, or lists with header=false.

    Fields are strs exactly as written."""
    return list(_reader(path, header, delimiter, "csv_read"))


@module.export(needs=["fs.read:path"])
def csv_rows(path: str, header: bool = True, delimiter: str = ",") -> Iterator[Any]:
    """The rows of a CSV file one at a time, for a `for` loop in constant memory.

    Rows are dicts keyed by the header row, or lists with header=false."""
    return _reader(path, header, delimiter, "csv_rows")


@module.export(needs=["fs.write:path"])
def csv_write(path: str, rows: list, header: list | None = None, delimiter: str = ",") -> None:
    """Write rows (all dicts or all lists) to a CSV file.

    Dicts: a header row from the first dict's keys, or `header`. Lists: a header row only
    when `header` is given."""
    _check_delimiter(delimiter, "csv_write")
    if is_url(path):
        raise module.error("ValueError", f"csv.csv_write: cannot write to a URL: {path}")
    tmp = f"{path}.{os.getpid()}.tmp"
    try:
        with open(tmp, "w", encoding="utf-8", newline="") as f:
            csv.writer(f, delimiter=delimiter, lineterminator="\n").writerows(_lines(rows, header))
        os.replace(tmp, path)
    except BaseException as e:
        if os.path.exists(tmp):
            os.unlink(tmp)
        if isinstance(e, OSError) and e.filename == tmp:
            e.filename = path
        raise


@module.export
def csv_filter(rows_or_path: list | str, fn: Callable[..., Any], header: bool = True,
               delimiter: str = ",") -> list:
    """The rows for which fn(row) is truthy, from a list of rows or a CSV file's path.

    A file is streamed as csv_rows reads it, and needs fs.read."""
    if isinstance(rows_or_path, str):
        if not is_url(rows_or_path):  # a URL's `net` is checked when it is opened
            require("fs.read", rows_or_path)
        rows: Any = _reader(rows_or_path, header, delimiter, "csv_filter")
    else:
        rows = rows_or_path
    return [row for row in rows if truthy(fn(row))]


@module.export(needs=["fs.read:path"])
def csv_to_json(path: str, header: bool = True, delimiter: str = ",") -> str:
    """A CSV file as JSON text: a compact array of objects keyed by the header row.

    With header=false, an array of arrays of strs."""
    rows = _reader(path, header, delimiter, "csv_to_json")
    return json.dumps(list(rows), ensure_ascii=False, separators=(",", ":"))

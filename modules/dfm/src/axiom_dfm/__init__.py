"""Axiom module `dfm`: data frames on polars: SQL filters, joins, group-by, CSV and parquet.

A [dataframe] wraps a polars `DataFrame` (eager) or `LazyFrame` (lazy). Only `df_scan_csv`
and `df_scan_parquet` give lazy frames: their work runs when a result is needed (a
function that gives a new frame or a plain value, `out`, or a write, which streams).
Every other function returns an eager frame, so a script never has to think about it.

Decisions where polars leaves a choice:

- `df_from_list` takes its columns from the dicts' keys in first-seen order (a key first
  seen in a late row is kept, with nil in the rows before). A column's values must be of
  one type, nil aside: ints and floats together make a float column; any other mix (an
  int and a str) is a TypeError naming the column, where polars would silently make
  strs. Lists and dicts make list and struct columns; sets, functions and foreign values
  are a TypeError.
- `df_group_by` keeps the groups in the order they first appear (the same output every
  run); each aggregated column keeps its name, or is named `COL_AGG` when COL is also a
  group key.
- `df_join(how="outer")` is polars' "full" join, with the key columns merged (one `id`
  column, as SQL's `USING`); rows keep the left frame's order, then the right's.
  Duplicate non-key columns from the right frame get the suffix `_right`.
- `df_sort` is stable; nils sort first.
- `df_read_csv` infers column types from the first 10,000 rows and, when a later row does
  not fit, reads again inferring from every row (always right; 15x slower only then).
  `df_scan_csv` infers from the first 10,000 rows; a later row that does not fit is a
  ValueError naming the value and column when the frame runs. Empty fields are nil.
- `df_to_list` gives plain values: dates and times as ISO 8601 strs, durations as float
  seconds, decimals as floats.
- A bad column or SQL expression is a ValueError with polars' reason, up to its first
  blank line (`unable to find column "agee"; valid columns: [...]`). A missing file is an
  IOError naming the path.

Paths need `fs.read` (reads and scans) or `fs.write` (writes). An http/https URL given to
a read or scan needs `net` instead: it is downloaded first (urllib; a loopback address never
through a proxy; a redirect is followed only to an http/https URL whose host is checked
again), then read or scanned. Other URLs (`s3://`, `file://`, ...) are a ValueError, and so
are writes to a URL. A glob pattern (`data/*.csv`) is expanded by dfm, and every file it
matches must be readable under the grants (polars is never given a pattern to expand); a
folder is an IOError; a leading `~` is a file name, never the home folder.

SQL (`df_sql`, `df_filter`) sees the frame it is given. Polars' table functions
(`read_csv('f.csv')`, `read_parquet`, `read_ipc`, `read_json`) open files, so each one in a
query must name one plain file path that the script may read (`fs.read`, checked as a
read is): `PermissionDenied` otherwise. Any other use of a name of that shape followed by
`(` (a URL, a pattern, options, a path built from parts) is a ValueError: read the file
with `df_read_csv` and query the frame.
"""

from __future__ import annotations

import datetime
import decimal
import errno
import io
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import polars as pl

from axiom_sdk import BoundedList, Module, is_url, open_url, require, typeof

module = Module("dfm", summary="Data frames on polars: SQL filters, joins, group-by, CSV and parquet",
                title="Data frames")
module.translate(pl.exceptions.PolarsError, "ValueError")
module.translate(pl.exceptions.PanicException, "ValueError")  # a BaseException, not an Exception


def _a(v: Any) -> str:
    """`a str`, `an int`: the article and type name of a value, for messages."""
    name = typeof(v)
    return ("an " if name[:1] in "aeiou" else "a ") + name


_AGGREGATES = {
    "sum": pl.Expr.sum, "mean": pl.Expr.mean, "min": pl.Expr.min, "max": pl.Expr.max,
    "count": pl.Expr.count, "median": pl.Expr.median, "std": pl.Expr.std,
    "first": pl.Expr.first, "last": pl.Expr.last, "n_unique": pl.Expr.n_unique,
}
_INFER_ROWS = 10_000  # CSV rows read to infer column types (all of them: 15x slower)
_HOW = ("inner", "left", "right", "full", "outer", "semi", "anti", "cross")
_ORDER = {"right": "right_left", "semi": "left", "anti": "left"}  # join order kept; else left_right


def _collect(frame: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    if not isinstance(frame, pl.LazyFrame):
        return frame
    with _lazy_io():
        return frame.collect()


@contextmanager
def _lazy_io() -> Iterator[None]:
    """A lazy frame's file errors come from polars without a `filename` ("No such file or
    directory (os error 2): PATH"): give them one, so the IOError names the path."""
    try:
        yield
    except FileNotFoundError as e:
        if e.filename is not None:
            raise
        _, _, path = str(e).partition("): ")
        raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), path or None) from None


def _show(df: DataFrame) -> str:
    """`out df`: polars' table (a lazy frame is computed first)."""
    try:
        return str(_collect(df.frame))
    except (Exception, pl.exceptions.PanicException) as e:  # display is no export: no SDK
        if isinstance(e, OSError):
            reason = "no such file or directory" if isinstance(e, FileNotFoundError) \
                else e.strerror or str(e)
            where = f"{e.filename}: " if e.filename else ""
            raise module.error("IOError", f"dfm: cannot show the data frame: {where}{reason}") from None
        reason = str(e).strip().split("\n\n")[0]
        raise module.error("ValueError", f"dfm: cannot show the data frame: {reason}") from None


def _len(df: DataFrame) -> int:
    return df.height()


def _dump(df: DataFrame) -> bytes:
    """A frame as Arrow IPC bytes (a lazy one computed first), to go to another process."""
    import io
    buf = io.BytesIO()
    df.eager().write_ipc(buf)
    return buf.getvalue()


def _load(data: bytes) -> DataFrame:
    import io
    return DataFrame(pl.read_ipc(io.BytesIO(data)))


@module.foreign_type("dataframe", ops={"len": _len}, display=_show,
                     to_data=lambda df: df_to_list(df),  # a list of row dicts
                     transfer=(_dump, _load))
class DataFrame:
    """A data frame: `frame` is a polars DataFrame, or a LazyFrame (from df_scan_*)."""

    __slots__ = ("frame",)

    def __init__(self, frame: pl.DataFrame | pl.LazyFrame) -> None:
        self.frame = frame

    def eager(self) -> pl.DataFrame:
        """The frame's data, computed now if it is lazy."""
        return _collect(self.frame)

    def height(self) -> int:
        if isinstance(self.frame, pl.LazyFrame):
            with _lazy_io():
                return int(self.frame.select(pl.len()).collect().item())
        return self.frame.height

    def names(self) -> list[str]:
        if isinstance(self.frame, pl.LazyFrame):
            with _lazy_io():
                return self.frame.collect_schema().names()
        return self.frame.columns


def _result(frame: pl.DataFrame | pl.LazyFrame) -> DataFrame:
    """An eager [dataframe] of `frame` (a lazy plan runs now)."""
    return DataFrame(_collect(frame))


# -- building frames from Axiom values ------------------------------------------------------

_DTYPES = {type(None): pl.Null, bool: pl.Boolean, int: pl.Int64, float: pl.Float64, str: pl.String}


def _series(name: Any, values: list[Any], fname: str) -> pl.Series:
    """One column from Axiom values, refusing what polars would silently change."""
    if type(name) is not str:
        raise module.error("TypeError", f"dfm.{fname}: column names must be strs, got the "
                                        f"{typeof(name)} {name!r}")
    kinds = {type(v) for v in values}
    kinds.discard(type(None))
    if BoundedList in kinds:
        kinds.discard(BoundedList)
        kinds.add(list)
    if kinds == {int, float}:
        values = [float(v) if type(v) is int else v for v in values]
        kinds = {float}
    if len(kinds) > 1:
        shown = " and ".join(sorted({typeof(v) for v in values if v is not None}))
        raise module.error("TypeError", f"dfm.{fname}: column \"{name}\" mixes {shown} values "
                                        "(a column holds one type)")
    kind = kinds.pop() if kinds else type(None)
    if kind in _DTYPES:
        return pl.Series(name, values, dtype=_DTYPES[kind], strict=True)
    if kind is not list and kind is not dict:
        what = next(_a(v) for v in values if type(v) is kind)
        raise module.error("TypeError", f"dfm.{fname}: column \"{name}\" holds {what}; a data "
                                        "frame holds nil, bools, ints, floats, strs, lists and dicts")
    try:
        s = pl.Series(name, values, strict=False)
    except (TypeError, ValueError, pl.exceptions.PolarsError) as e:
        reason = str(e).strip().split("\n\n")[0]
        raise module.error("TypeError", f"dfm.{fname}: column \"{name}\": {reason}") from None
    if "Object" in str(s.dtype):
        raise module.error("TypeError", f"dfm.{fname}: column \"{name}\" holds values a data "
                                        "frame cannot (sets, functions or foreign values)")
    return s


# -- plain values out -----------------------------------------------------------------------

def _plain(v: Any) -> Any:
    """A value from polars made a plain Axiom value (see the module docstring)."""
    if isinstance(v, (datetime.date, datetime.time)):  # datetime is a date
        return v.isoformat()
    if isinstance(v, datetime.timedelta):
        return v.total_seconds()
    if isinstance(v, decimal.Decimal):
        return float(v)
    if isinstance(v, bytes):
        return v.decode("utf-8", "replace")
    if isinstance(v, list):
        return [_plain(x) for x in v]
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items()}
    return v


_SIMPLE_DTYPES = (pl.Boolean, pl.String, pl.Null, pl.Categorical, pl.Enum)


def _needs_plain(dtype: pl.DataType) -> bool:
    return not (dtype.is_numeric() and not isinstance(dtype, pl.Decimal)) \
        and not isinstance(dtype, _SIMPLE_DTYPES)


# -- arguments --------------------------------------------------------------------------------

def _names(cols: str | list, what: str, fname: str) -> list[str]:
    names = [cols] if isinstance(cols, str) else list(cols)
    for c in names:
        if type(c) is not str:
            raise module.error("TypeError", f"dfm.{fname}: {what} must be a column name or a list "
                                            f"of them, got {_a(c)} in the list")
    return names


def _source(path: str, fname: str) -> str | list[str] | io.BytesIO:
    """What polars reads for `path` (see the module docstring): the downloaded body of an
    http/https URL, the checked matches of a glob pattern, or the file itself. A missing
    file is an IOError now, not when a lazy frame runs. Polars is then called with
    glob=False: it never expands a pattern or a home folder of its own."""
    if is_url(path):
        return _fetch(path, fname)
    if "://" in path:
        raise module.error("ValueError", f"dfm.{fname}: only files and http/https URLs can be "
                                         f"read, not {path}")
    local = path if os.path.isabs(path) else os.path.join(".", path)  # "./~x" is a file name
    if any(c in path for c in "*?["):
        import glob
        files = sorted(glob.glob(local, recursive=True))
        for f in files:  # a match reached through a symlink may lead out of the grant
            require("fs.read", f if local is path else f[2:])
        if not files:
            raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), path)
        return files
    if os.path.isdir(local):
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), path)
    if not os.path.exists(local):
        raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), path)
    return local


def _fetch(url: str, fname: str) -> io.BytesIO:
    """The body of an http/https URL (polars' own HTTP reader needs range requests, which
    not every server answers, and follows redirects unchecked); failures are an IOError."""
    with open_url(url, f"dfm.{fname}") as resp:
        return io.BytesIO(resp.read())


# A name that polars' SQL could call as a table function (read_csv, read_parquet, read_ipc,
# read_json, and any later read_*/scan_*): matched anywhere in the text, quoted or not,
# with whitespace, comments or quotes before its `(`. Only the plain form is allowed.
_TABLE_FUNCTION = re.compile(r"(?i)(?<![a-z0-9_$])(?:read|scan)_[a-z0-9_$]*"
                             r"(?=(?:\s|[\"`\]]|/\*.*?\*/|--[^\n]*(?:\n|$))*\()", re.S)
_PLAIN_CALL = re.compile(r"(?i)(?:read|scan)_[a-z0-9_]*\s*\(\s*'([^'\\\n]*)'\s*\)")


def _check_sql(query: str, fname: str) -> None:
    """Refuse a query that could reach a file the script may not read (see the module
    docstring): each table function must be `read_xxx('plain/path')` with fs.read."""
    if re.search(r"(?i)u&['\"]", query):
        raise module.error("ValueError", f"dfm.{fname}: unicode escapes (U&'...') are not "
                                         "supported in a query")
    for m in _TABLE_FUNCTION.finditer(query):
        call = _PLAIN_CALL.match(query, m.start())
        name = m.group(0)
        path = call.group(1) if call is not None else None
        if path is None or not path or "://" in path or path.startswith("~") \
                or any(c in path for c in "*?[") or os.path.isdir(path):
            raise module.error("ValueError", f"dfm.{fname}: {name}(...) in a query may only "
                                             "name one file as a plain quoted path; read the "
                                             "file with dfm.df_read_csv and query the frame")
        require("fs.read", path)


def _target(path: str, fname: str) -> str:
    if is_url(path):
        raise module.error("ValueError", f"dfm.{fname}: cannot write to a URL: {path}")
    parent = os.path.dirname(path) or "."
    if not os.path.isdir(parent):
        raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), path)
    return path


# -- exports: making frames ---------------------------------------------------------------------

@module.export
def df_from_list(rows: list) -> DataFrame:
    """A data frame from a list of dicts, one per row.

    The columns are the dicts' keys in first-seen order, with nil where a row lacks a key."""
    columns: dict[Any, list[Any]] = {}
    for i, row in enumerate(rows):
        if not isinstance(row, dict):
            raise module.error("TypeError", f"dfm.df_from_list: row {i} is {_a(row)}, not a dict")
        for k, v in row.items():
            col = columns.get(k)
            if col is None:
                col = columns[k] = [None] * i
            col.append(v)
        if len(row) != len(columns):
            for col in columns.values():
                if len(col) == i:
                    col.append(None)
    return DataFrame(pl.DataFrame([_series(k, v, "df_from_list") for k, v in columns.items()]))


@module.export
def df_from_dict(columns: dict) -> DataFrame:
    """A data frame from a dict of equally long column lists: {"name": [values...]}."""
    series: list[pl.Series] = []
    for name, values in columns.items():
        if not isinstance(values, list):
            raise module.error("TypeError", f"dfm.df_from_dict: column \"{name}\" must be a list, "
                                            f"got {typeof(values)}")
        if series and len(values) != series[0].len():
            raise module.error("ValueError", f"dfm.df_from_dict: column \"{name}\" has {len(values)} "
                                             f"values but column \"{series[0].name}\" has "
                                             f"{series[0].len()}")
        series.append(_series(name, values, "df_from_dict"))
    return DataFrame(pl.DataFrame(series))


@module.export(needs=["fs.read:path"])
def df_read_csv(path: str) -> DataFrame:
    """A data frame read from a CSV file with a header row.

    Column types are inferred so that every row fits."""
    source = _source(path, "df_read_csv")
    try:
        return DataFrame(pl.read_csv(source, infer_schema_length=_INFER_ROWS, glob=False))
    except pl.exceptions.ComputeError as e:
        if not str(e).startswith("could not parse"):
            raise
    if isinstance(source, io.BytesIO):
        source.seek(0)
    return DataFrame(pl.read_csv(source, infer_schema_length=None, glob=False))  # a late row did not fit


@module.export(needs=["fs.read:path"])
def df_read_parquet(path: str) -> DataFrame:
    """A data frame read from a parquet file."""
    return DataFrame(pl.read_parquet(_source(path, "df_read_parquet"), glob=False))


@module.export(needs=["fs.read:path"])
def df_scan_csv(path: str) -> DataFrame:
    """A lazy data frame over a CSV file, read only when a result needs it.

    Only what the result needs is read; column types are inferred from the first 10,000
    rows."""
    return DataFrame(pl.scan_csv(_source(path, "df_scan_csv"), infer_schema_length=_INFER_ROWS,
                                 glob=False))


@module.export(needs=["fs.read:path"])
def df_scan_parquet(path: str) -> DataFrame:
    """A lazy data frame over a parquet file, read only when a result needs it."""
    return DataFrame(pl.scan_parquet(_source(path, "df_scan_parquet"), glob=False))


# -- exports: transforming ----------------------------------------------------------------------

@module.export
def df_filter(df: DataFrame, condition: str) -> DataFrame:
    """The rows for which an SQL boolean expression holds ("age > 18 AND city = 'Oslo'")."""
    _check_sql(condition, "df_filter")
    return _result(df.frame.filter(pl.sql_expr(condition)))


@module.export
def df_select(df: DataFrame, cols: str | list) -> DataFrame:
    """The named columns (a name or a list of names), in that order."""
    return _result(df.frame.select(_names(cols, "cols", "df_select")))


@module.export
def df_join(a: DataFrame, b: DataFrame, on: str | list | None, how: str = "inner") -> DataFrame:
    """Rows of a and b matched on the key column(s) `on`, joined the way `how` says.

    how is "inner", "left", "right", "outer" (or "full"), "semi", "anti" or "cross" (with
    on=nil)."""
    if how not in _HOW:
        raise module.error("ValueError", f"dfm.df_join: how must be one of {', '.join(_HOW)}; "
                                         f"got \"{how}\"")
    how = "full" if how == "outer" else how
    keys = None if on is None else _names(on, "on", "df_join")
    if (keys is None) != (how == "cross"):
        raise module.error("ValueError", "dfm.df_join: a cross join takes on=nil; every other join "
                                         "needs the key column(s) in `on`")
    left, right = a.frame, b.frame
    if isinstance(left, pl.LazyFrame) or isinstance(right, pl.LazyFrame):
        left, right = left.lazy(), right.lazy()
    joined = left.join(right, on=keys, how=how,  # type: ignore[arg-type]
                       coalesce=True if how == "full" else None,
                       maintain_order=_ORDER.get(how, "left_right"))  # type: ignore[arg-type]
    return _result(joined)


@module.export
def df_sort(df: DataFrame, by: str | list, descending: bool = False) -> DataFrame:
    """The rows sorted by a column or a list of columns (stable; nils first)."""
    return _result(df.frame.sort(_names(by, "by", "df_sort"), descending=descending,
                                 maintain_order=True))


@module.export
def df_group_by(df: DataFrame, by: str | list, aggregates: dict) -> DataFrame:
    """One row per group of the `by` column(s), with columns aggregated: {"age": "mean"}.

    Groups keep their first-seen order. Aggregates: "sum", "mean", "min", "max", "count",
    "median", "std", "first", "last", "n_unique"."""
    keys = _names(by, "by", "df_group_by")
    exprs = []
    for col, agg in aggregates.items():
        if type(col) is not str:
            raise module.error("TypeError", f"dfm.df_group_by: aggregate keys must be column names "
                                            f"(strs), got {_a(col)}")
        fn = _AGGREGATES.get(agg) if type(agg) is str else None
        if fn is None:
            raise module.error("ValueError", f"dfm.df_group_by: unknown aggregate {agg!r} for column "
                                             f"\"{col}\"; use one of {', '.join(_AGGREGATES)}")
        expr = fn(pl.col(col))
        exprs.append(expr.alias(f"{col}_{agg}") if col in keys else expr)
    return _result(df.frame.group_by(keys, maintain_order=True).agg(exprs))


@module.export
def df_sql(df: DataFrame, query: str) -> DataFrame:
    """The result of an SQL query over the frame, which the query calls `df`.

    Example: "SELECT city, AVG(age) AS age FROM df GROUP BY city"."""
    _check_sql(query, "df_sql")
    return _result(df.frame.sql(query, table_name="df"))


@module.export
def df_head(df: DataFrame, n: int = 5) -> DataFrame:
    """The first n rows (all of them when there are fewer)."""
    if n < 0:
        raise module.error("ValueError", f"dfm.df_head: n must not be negative, got {n}")
    return _result(df.frame.head(n))


# -- exports: reading out -------------------------------------------------------------------------

@module.export
def df_shape(df: DataFrame) -> list:
    """[rows, columns] of the frame."""
    return [df.height(), len(df.names())]


@module.export
def df_columns(df: DataFrame) -> list:
    """The column names, in order."""
    return list(df.names())


@module.export
def df_to_list(df: DataFrame) -> list:
    """The rows as a list of dicts, keys in column order.

    Values are plain: dates and times as ISO 8601 strs, durations as float seconds."""
    frame = df.eager()
    rows = frame.to_dicts()
    odd = [name for name, dtype in frame.schema.items() if _needs_plain(dtype)]
    for row in rows if odd else ():
        for name in odd:
            row[name] = _plain(row[name])
    return rows


@module.export(needs=["fs.write:path"])
def df_to_csv(df: DataFrame, path: str) -> None:
    """Write the frame to a CSV file with a header row (a lazy frame streams to it)."""
    _target(path, "df_to_csv")
    if isinstance(df.frame, pl.LazyFrame):
        with _lazy_io():
            df.frame.sink_csv(path)
    else:
        df.frame.write_csv(path)


@module.export(needs=["fs.write:path"])
def df_to_parquet(df: DataFrame, path: str) -> None:
    """Write the frame to a parquet file (a lazy frame streams to it)."""
    _target(path, "df_to_parquet")
    if isinstance(df.frame, pl.LazyFrame):
        with _lazy_io():
            df.frame.sink_parquet(path)
    else:
        df.frame.write_parquet(path)


__all__ = ["DataFrame", "module"]

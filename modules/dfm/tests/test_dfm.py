"""dfm against polars, through the SDK as scripts call it, with real CSV and parquet files."""

import datetime
import decimal

import polars as pl
import pytest

import axiom_dfm
from axiom_dfm import DataFrame, module
from axiom_sdk import Set, display, typeof
from axiom_sdk.testing import call, raises

PEOPLE = [
    {"name": "Ada", "age": 36, "city": "London"},
    {"name": "Alan", "age": 41, "city": "Wilmslow"},
    {"name": "Grace", "age": 85, "city": "New York"},
    {"name": "Linus", "age": 12, "city": "London"},
]


@pytest.fixture
def people():
    return call(module, "df_from_list", PEOPLE)


@pytest.fixture
def people_csv(tmp_path):
    path = tmp_path / "people.csv"
    path.write_text("name,age,city\nAda,36,London\nAlan,41,Wilmslow\nGrace,85,New York\n"
                    "Linus,12,London\n")
    return str(path)


def rows(df):
    return call(module, "df_to_list", df)


# -- making frames ------------------------------------------------------------------------------

def test_from_list(people):
    assert typeof(people) == "dataframe"
    assert rows(people) == PEOPLE
    assert call(module, "df_shape", people) == [4, 3]
    assert call(module, "df_columns", people) == ["name", "age", "city"]


def test_from_list_columns_in_first_seen_order():
    data = [{"a": 1}] * 150 + [{"b": "late", "a": 2}]  # a key first seen after row 100 is kept
    df = call(module, "df_from_list", data)
    assert call(module, "df_columns", df) == ["a", "b"]
    assert rows(df)[0] == {"a": 1, "b": None} and rows(df)[-1] == {"a": 2, "b": "late"}


def test_from_list_types():
    df = call(module, "df_from_list", [{"i": 1, "f": 1, "s": "x", "b": True, "n": None, "l": [1, 2],
                                        "d": {"k": 1}},
                                       {"i": None, "f": 2.5, "s": None, "b": False, "n": None,
                                        "l": [], "d": {"k": 2, "j": "new"}}])
    assert rows(df) == [{"i": 1, "f": 1.0, "s": "x", "b": True, "n": None, "l": [1, 2],
                         "d": {"k": 1, "j": None}},
                        {"i": None, "f": 2.5, "s": None, "b": False, "n": None, "l": [],
                         "d": {"k": 2, "j": "new"}}]
    assert type(rows(df)[0]["f"]) is float and type(rows(df)[0]["i"]) is int
    assert rows(call(module, "df_from_list", [])) == []
    assert call(module, "df_shape", call(module, "df_from_list", [])) == [0, 0]


def test_from_dict():
    df = call(module, "df_from_dict", {"x": [1, 2, 3], "y": ["a", "b", None]})
    assert rows(df) == [{"x": 1, "y": "a"}, {"x": 2, "y": "b"}, {"x": 3, "y": None}]
    assert call(module, "df_shape", call(module, "df_from_dict", {})) == [0, 0]


@pytest.mark.parametrize("fname, arg, kind, message", [
    ("df_from_list", [{"a": 1}, {"a": "x"}], "TypeError",
     'column "a" mixes int and str values (a column holds one type)'),
    ("df_from_list", [{"a": True}, {"a": 1}], "TypeError",
     'column "a" mixes bool and int values (a column holds one type)'),
    ("df_from_list", [{"a": Set([1])}], "TypeError",
     'column "a" holds a set; a data frame holds nil, bools, ints, floats, strs, lists and dicts'),
    ("df_from_list", [{"a": [Set([1])]}], "TypeError",
     'column "a" holds values a data frame cannot (sets, functions or foreign values)'),
    ("df_from_list", [{1: 1}], "TypeError", "column names must be strs, got the int 1"),
    ("df_from_list", [{"a": 1}, [1]], "TypeError", "row 1 is a list, not a dict"),
    ("df_from_list", {"a": 1}, "TypeError", "argument 'rows' expects list, got dict"),
    ("df_from_dict", {"a": [1, 2], "b": [1]}, "ValueError", 'column "b" has 1 values but column "a" has 2'),
    ("df_from_dict", {"a": 1}, "TypeError", 'column "a" must be a list, got int'),
])
def test_making_errors(fname, arg, kind, message):
    err = raises(module, fname, arg)
    assert (err.kind, err.message) == (kind, f"dfm.{fname}: {message}")


# -- display ---------------------------------------------------------------------------------------

def test_display_is_the_polars_table():
    df = call(module, "df_from_dict", {"a": [1, 2], "b": ["x", None]})
    assert display(df) == (
        "shape: (2, 2)\n"
        "┌─────┬──────┐\n"
        "│ a   ┆ b    │\n"
        "│ --- ┆ ---  │\n"
        "│ i64 ┆ str  │\n"
        "╞═════╪══════╡\n"
        "│ 1   ┆ x    │\n"
        "│ 2   ┆ null │\n"
        "└─────┴──────┘")
    assert module.foreign_types[0].ops["len"](df) == 2


def test_display_of_a_lazy_frame_runs_it(people_csv):
    lazy = call(module, "df_scan_csv", people_csv)
    assert display(lazy) == str(pl.read_csv(people_csv))


# -- transforming -----------------------------------------------------------------------------------

def test_filter(people):
    assert rows(call(module, "df_filter", people, "age > 18 AND city = 'London'")) == [PEOPLE[0]]
    assert rows(call(module, "df_filter", people, "name LIKE 'A%' OR age BETWEEN 80 AND 90")) == PEOPLE[:3]
    assert rows(call(module, "df_filter", people, "age > 100")) == []


def test_select(people):
    assert rows(call(module, "df_select", people, ["city", "name"]))[0] == {"city": "London", "name": "Ada"}
    assert rows(call(module, "df_select", people, "age")) == [{"age": 36}, {"age": 41}, {"age": 85}, {"age": 12}]


def test_sort(people):
    assert [r["name"] for r in rows(call(module, "df_sort", people, "age"))] == ["Linus", "Ada", "Alan", "Grace"]
    assert [r["name"] for r in rows(call(module, "df_sort", people, "age", descending=True))] == \
        ["Grace", "Alan", "Ada", "Linus"]
    assert [r["name"] for r in rows(call(module, "df_sort", people, ["city", "age"]))] == \
        ["Linus", "Ada", "Grace", "Alan"]
    stable = call(module, "df_sort", people, "city")  # equal keys keep their order
    assert [r["name"] for r in rows(stable)] == ["Ada", "Linus", "Grace", "Alan"]


def test_group_by(people):
    got = call(module, "df_group_by", people, "city", {"age": "sum", "name": "count"})
    assert rows(got) == [{"city": "London", "age": 48, "name": 2},
                         {"city": "Wilmslow", "age": 41, "name": 1},
                         {"city": "New York", "age": 85, "name": 1}]
    for agg, values in [("mean", [24.0, 41.0, 85.0]), ("min", [12, 41, 85]), ("max", [36, 41, 85]),
                        ("median", [24.0, 41.0, 85.0]), ("first", [36, 41, 85]), ("last", [12, 41, 85]),
                        ("n_unique", [2, 1, 1])]:
        got = rows(call(module, "df_group_by", people, ["city"], {"age": agg}))
        assert [r["age"] for r in got] == values, agg
    got = call(module, "df_group_by", people, "city", {"city": "count"})
    assert call(module, "df_columns", got) == ["city", "city_count"]


def test_join(people):
    pops = call(module, "df_from_list", [{"city": "London", "pop": 9}, {"city": "Paris", "pop": 2},
                                         {"city": "Wilmslow", "pop": 0}])
    inner = rows(call(module, "df_join", people, pops, "city"))
    assert inner == [{**PEOPLE[0], "pop": 9}, {**PEOPLE[1], "pop": 0}, {**PEOPLE[3], "pop": 9}]
    left = rows(call(module, "df_join", people, pops, ["city"], how="left"))
    assert [r["pop"] for r in left] == [9, 0, None, 9]
    outer = rows(call(module, "df_join", people, pops, "city", how="outer"))
    assert outer == [{**PEOPLE[0], "pop": 9}, {**PEOPLE[1], "pop": 0}, {**PEOPLE[2], "pop": None},
                     {**PEOPLE[3], "pop": 9}, {"name": None, "age": None, "city": "Paris", "pop": 2}]
    assert rows(call(module, "df_join", people, pops, "city", how="full")) == outer
    assert [r["name"] for r in rows(call(module, "df_join", people, pops, "city", how="anti"))] == ["Grace"]
    assert len(rows(call(module, "df_join", people, pops, "city", how="semi"))) == 3
    assert call(module, "df_shape", call(module, "df_join", people, pops, None, how="cross")) == [12, 5]
    right = rows(call(module, "df_join", people, pops, "city", how="right"))
    assert [(r["city"], r["name"]) for r in right] == [("London", "Ada"), ("London", "Linus"),
                                                       ("Paris", None), ("Wilmslow", "Alan")]


def test_sql(people):
    got = call(module, "df_sql", people, "SELECT city, SUM(age) AS total FROM df GROUP BY city "
                                         "ORDER BY total DESC")
    assert rows(got) == [{"city": "New York", "total": 85}, {"city": "London", "total": 48},
                         {"city": "Wilmslow", "total": 41}]
    assert rows(call(module, "df_sql", people, "SELECT UPPER(name) AS n FROM df WHERE age < 20")) == \
        [{"n": "LINUS"}]


def test_head(people):
    assert rows(call(module, "df_head", people)) == PEOPLE
    assert rows(call(module, "df_head", people, 2)) == PEOPLE[:2]
    assert rows(call(module, "df_head", people, n=0)) == []


@pytest.mark.parametrize("fname, args, kind, message", [
    ("df_filter", ("agee > 18",), "ValueError",
     'unable to find column "agee"; valid columns: ["name", "age", "city"]'),
    ("df_filter", ("age > ",), "ValueError", "unable to parse 'age > ' as Expr"),
    ("df_filter", ("name > 3",), "ValueError", "cannot compare string with numeric type (i32)"),
    ("df_filter", ("age",), "ValueError", "filter predicate must be of type `Boolean`, got `Int64`"),
    ("df_select", (["name", "agee"],), "ValueError",
     'unable to find column "agee"; valid columns: ["name", "age", "city"]'),
    ("df_select", ([1],), "TypeError", "cols must be a column name or a list of them, got an int in the list"),
    ("df_sort", ("agee",), "ValueError", 'unable to find column "agee"; valid columns: ["name", "age", "city"]'),
    ("df_group_by", ("city", {"agee": "sum"}), "ValueError",
     'unable to find column "agee"; valid columns: ["name", "age", "city"]'),
    ("df_group_by", ("city", {"age": "avg"}), "ValueError",
     "unknown aggregate 'avg' for column \"age\"; use one of sum, mean, min, max, count, median, std, "
     "first, last, n_unique"),
    ("df_group_by", ("city", {"name": "sum"}), "ValueError", "`sum` operation not supported for dtype `str`"),
    ("df_sql", ("SELECT agee FROM df",), "ValueError",
     'unable to find column "agee"; valid columns: ["name", "age", "city"]'),
    ("df_sql", ("SELEC * FROM df",), "ValueError",
     "sql parser error: Expected: an SQL statement, found: SELEC at Line: 1, Column: 1"),
    ("df_sql", ("SELECT * FROM people",), "ValueError", "relation 'people' was not found"),
    ("df_head", (-1,), "ValueError", "n must not be negative, got -1"),
    ("df_filter", (1,), "TypeError", "argument 'condition' expects str, got int"),
])
def test_transform_errors(people, fname, args, kind, message):
    err = raises(module, fname, people, *args)
    assert (err.kind, err.message) == (kind, f"dfm.{fname}: {message}")


def test_join_errors(people):
    for on, how, message in [
        ("city", "sideways", 'how must be one of inner, left, right, full, outer, semi, anti, cross; got "sideways"'),
        (None, "inner", "a cross join takes on=nil; every other join needs the key column(s) in `on`"),
        ("city", "cross", "a cross join takes on=nil; every other join needs the key column(s) in `on`"),
        ("town", "inner", 'unable to find column "town"; valid columns: ["name", "age", "city"]'),
    ]:
        err = raises(module, "df_join", people, people, on, how=how)
        assert (err.kind, err.message) == ("ValueError", f"dfm.df_join: {message}")
    err = raises(module, "df_join", people, [1], "city")
    assert (err.kind, err.message) == ("TypeError", "dfm.df_join: argument 'b' expects dataframe, got list")


def test_a_polars_panic_is_a_value_error(people, monkeypatch):
    def panic(*args):
        raise pl.exceptions.PanicException("index out of bounds\n\nmore detail")

    monkeypatch.setattr(axiom_dfm.pl, "sql_expr", panic)
    err = raises(module, "df_filter", people, "age > 1")
    assert (err.kind, err.message) == ("ValueError", "dfm.df_filter: index out of bounds")


# -- files ------------------------------------------------------------------------------------------

def test_read_csv(people_csv):
    df = call(module, "df_read_csv", people_csv)
    assert isinstance(df.frame, pl.DataFrame)
    assert rows(df) == PEOPLE


def test_read_csv_types_fit_a_late_row(tmp_path):
    path = tmp_path / "late.csv"
    path.write_text("a,b\n" + "1,2\n" * 20_000 + "x,2.5\n")
    df = call(module, "df_read_csv", str(path))
    assert rows(df)[0] == {"a": "1", "b": 2.0} and rows(df)[-1] == {"a": "x", "b": 2.5}


def test_scan_csv_is_lazy_and_results_are_eager(people_csv):
    lazy = call(module, "df_scan_csv", people_csv)
    assert isinstance(lazy.frame, pl.LazyFrame)
    assert call(module, "df_shape", lazy) == [4, 3]
    assert call(module, "df_columns", lazy) == ["name", "age", "city"]
    for fname, args in [("df_filter", ("age > 18",)), ("df_select", ("age",)), ("df_sort", ("age",)),
                        ("df_group_by", ("city", {"age": "max"})), ("df_sql", ("SELECT * FROM df",)),
                        ("df_head", (2,)), ("df_join", (lazy, "name"))]:
        got = call(module, fname, lazy, *args)
        assert isinstance(got.frame, pl.DataFrame), fname
    got = call(module, "df_group_by", call(module, "df_filter", lazy, "age > 18"), "city", {"age": "max"})
    assert rows(got) == [{"city": "London", "age": 36}, {"city": "Wilmslow", "age": 41},
                         {"city": "New York", "age": 85}]
    assert rows(lazy) == PEOPLE


def test_a_scanned_file_that_went_away_is_an_io_error_naming_it(tmp_path):
    path = tmp_path / "gone.csv"
    path.write_text("a\n1\n")
    lazy = call(module, "df_scan_csv", str(path))
    path.unlink()
    for fname, args in [("df_to_list", ()), ("df_shape", ()), ("df_filter", ("a > 0",)),
                        ("df_to_csv", (str(tmp_path / "copy.csv"),))]:
        err = raises(module, fname, lazy, *args)
        assert (err.kind, err.message) == ("IOError", f"dfm.{fname}: {path}: no such file or directory")
    with pytest.raises(Exception) as info:
        display(lazy)
    assert (info.value.kind, info.value.message) == (
        "IOError", f"dfm: cannot show the data frame: {path}: no such file or directory")


def test_parquet_round_trip_and_scan(people, tmp_path):
    path = str(tmp_path / "people.parquet")
    assert call(module, "df_to_parquet", people, path) is None
    assert rows(call(module, "df_read_parquet", path)) == PEOPLE
    lazy = call(module, "df_scan_parquet", path)
    assert isinstance(lazy.frame, pl.LazyFrame)
    assert rows(call(module, "df_filter", lazy, "city = 'London'")) == [PEOPLE[0], PEOPLE[3]]


def test_write_csv_and_stream_a_lazy_frame(people, people_csv, tmp_path):
    path = tmp_path / "out.csv"
    assert call(module, "df_to_csv", people, str(path)) is None
    assert path.read_text() == "name,age,city\nAda,36,London\nAlan,41,Wilmslow\nGrace,85,New York\nLinus,12,London\n"
    streamed = tmp_path / "streamed.parquet"
    call(module, "df_to_parquet", call(module, "df_scan_csv", people_csv), str(streamed))
    assert rows(call(module, "df_read_parquet", str(streamed))) == PEOPLE
    copied = tmp_path / "copied.csv"
    call(module, "df_to_csv", call(module, "df_scan_parquet", str(streamed)), str(copied))
    assert copied.read_text() == path.read_text()


def test_to_list_gives_plain_values(tmp_path):
    path = str(tmp_path / "t.parquet")
    pl.DataFrame({
        "d": [datetime.date(2024, 1, 2)], "t": [datetime.datetime(2024, 1, 2, 3, 4, 5)],
        "dur": [datetime.timedelta(seconds=90)], "dec": pl.Series([decimal.Decimal("1.25")]),
        "u8": pl.Series([7], dtype=pl.UInt8), "f32": pl.Series([0.5], dtype=pl.Float32),
        "nested": [[{"when": datetime.date(2020, 5, 6)}]],
    }).write_parquet(path)
    got = rows(call(module, "df_read_parquet", path))
    assert got == [{"d": "2024-01-02", "t": "2024-01-02T03:04:05", "dur": 90.0, "dec": 1.25, "u8": 7,
                    "f32": 0.5, "nested": [{"when": "2020-05-06"}]}]
    assert [type(v) for v in got[0].values()] == [str, str, float, float, int, float, list]


def test_nested_data_cannot_go_to_csv(tmp_path):
    df = call(module, "df_from_list", [{"l": [1, 2]}])
    err = raises(module, "df_to_csv", df, str(tmp_path / "x.csv"))
    assert err.kind == "ValueError" and err.message.startswith("dfm.df_to_csv: CSV format does not support "
                                                               "nested data")


def test_file_errors(people, tmp_path):
    missing = str(tmp_path / "missing.csv")
    for fname in ("df_read_csv", "df_read_parquet", "df_scan_csv", "df_scan_parquet"):
        err = raises(module, fname, missing)
        assert (err.kind, err.message) == ("IOError", f"dfm.{fname}: {missing}: no such file or directory")
    nowhere = str(tmp_path / "no" / "x.csv")
    for fname in ("df_to_csv", "df_to_parquet"):
        err = raises(module, fname, people, nowhere)
        assert (err.kind, err.message) == ("IOError", f"dfm.{fname}: {nowhere}: no such file or directory")
        err = raises(module, fname, people, "https://example.com/x")
        assert (err.kind, err.message) == ("ValueError", f"dfm.{fname}: cannot write to a URL: https://example.com/x")
    garbage = tmp_path / "garbage.parquet"
    garbage.write_text("not parquet")
    err = raises(module, "df_read_parquet", str(garbage))
    assert err.kind == "ValueError" and err.message.startswith("dfm.df_read_parquet: ")


def test_capabilities_are_declared():
    module.init()
    for name in ("df_read_csv", "df_read_parquet", "df_scan_csv", "df_scan_parquet"):
        assert module.get_symbol(name).needs == [("fs.read", "path")]
    for name in ("df_to_csv", "df_to_parquet"):
        assert module.get_symbol(name).needs == [("fs.write", "path")]


def test_every_export_is_documented_and_typed():
    assert set(module.list_exports()) >= {
        "df_from_list", "df_from_dict", "df_read_csv", "df_read_parquet", "df_scan_csv", "df_scan_parquet",
        "df_filter", "df_select", "df_join", "df_sort", "df_group_by", "df_sql", "df_head", "df_shape",
        "df_columns", "df_to_list", "df_to_parquet", "df_to_csv"}
    for name in module.list_exports():
        sig, doc = module.describe(name)
        assert doc and "any" not in sig.split("->")[0], (name, sig)
    assert DataFrame.__axiom_foreign__.name == "dataframe"


def test_every_export_has_a_one_line_summary():
    for name in module.list_exports():
        doc = module.get_symbol(name).doc.strip()
        first, _, rest = doc.partition("\n")
        assert first.endswith(".") and (not rest or rest.startswith("\n")), name
        assert module.describe(name)[1] == first, name


def test_a_frame_stands_for_its_rows_as_dicts():
    from axiom_sdk import to_data
    from axiom_sdk._convert import converter_for
    df = call(module, "df_from_list", [{"a": 1, "d": "x"}, {"a": 2, "d": None}])
    assert to_data(df) == [{"a": 1, "d": "x"}, {"a": 2, "d": None}]
    conv, _ = converter_for(list)
    assert conv(df) == to_data(df)
    assert call(module, "df_shape", call(module, "df_from_list", df)) == [2, 2]


# -- what a string argument may reach ------------------------------------------------------------

@pytest.fixture
def grants(tmp_path):
    """Reads granted under tmp_path/ok only (as --allow-read=ok); the checks made."""
    import os

    from axiom_sdk import AxiomError, capability_check
    ok = str(tmp_path / "ok")
    seen = []

    def check(cap, resource):
        seen.append((cap, resource))
        real = os.path.realpath(str(resource))
        if cap != "fs.read" or not (real == ok or real.startswith(ok + os.sep)):
            raise AxiomError("PermissionDenied", f"{cap} denied for {resource}")
    token = capability_check.set(check)
    yield seen
    capability_check.reset(token)


@pytest.fixture
def ok_dir(tmp_path, monkeypatch):
    ok = tmp_path / "ok"
    ok.mkdir()
    (ok / "a.csv").write_text("n\n1\n")
    (ok / "b.csv").write_text("n\n2\n")
    (tmp_path / "secret.csv").write_text("s\n42\n")
    (ok / "out").symlink_to(tmp_path)  # a link inside the grant that leads out of it
    monkeypatch.chdir(ok)
    return ok


@pytest.mark.parametrize("query", [
    "SELECT * FROM read_csv('../secret.csv')",
    "SELECT * FROM READ_CSV('../secret.csv')",
    "SELECT s FROM df, read_csv('/etc/passwd') AS p",
    "WITH t AS (SELECT * FROM read_parquet('../secret.csv')) SELECT * FROM t",
])
def test_a_sql_table_function_is_checked_against_the_grants(people, grants, ok_dir, query):
    err = raises(module, "df_sql", people, query)
    assert err.kind == "PermissionDenied" and err.message.startswith("fs.read denied for ")
    assert grants[-1][0] == "fs.read" and grants[-1][1] in ("../secret.csv", "/etc/passwd")


def test_a_granted_plain_table_function_reads_its_file(people, grants, ok_dir):
    got = call(module, "df_sql", people, "SELECT n FROM read_csv('a.csv')")
    assert rows(got) == [{"n": 1}]
    assert ("fs.read", "a.csv") in grants


@pytest.mark.parametrize("query", [
    "SELECT * FROM \"read_csv\"('../secret.csv')",
    "SELECT * FROM read_csv /* hidden */ ('../secret.csv')",
    "SELECT * FROM read_csv --\n('../secret.csv')",
    "SELECT * FROM read_csv('a.csv', has_header => false)",
    "SELECT * FROM read_csv('*.csv')",
    "SELECT * FROM read_csv('out/secret.csv' || '')",
    "SELECT * FROM read_json('https://example.com/x.json')",
    "SELECT * FROM read_ipc('~/x.ipc')",
    "SELECT * FROM U&\"\\0072ead_csv\"('../secret.csv')",
    "SELECT * FROM read_csv(E'..\\x2fsecret.csv')",
])
def test_any_other_table_function_form_is_refused_before_polars_sees_it(people, grants, ok_dir, query):
    err = raises(module, "df_sql", people, query)
    assert err.kind == "ValueError" and err.message.startswith("dfm.df_sql: ")
    assert "read the file with dfm.df_read_csv" in err.message or "unicode escapes" in err.message


def test_a_filter_expression_is_checked_too(people, grants, ok_dir):
    err = raises(module, "df_filter", people, "age IN (SELECT s FROM read_csv('../secret.csv'))")
    assert err.kind == "PermissionDenied"


@pytest.mark.parametrize("fname", ["df_read_csv", "df_scan_csv"])
def test_a_glob_match_through_a_link_out_of_the_grant_is_denied(grants, ok_dir, fname):
    err = raises(module, fname, "o*/secret.csv")
    assert (err.kind, err.message) == ("PermissionDenied", "fs.read denied for out/secret.csv")
    assert rows(call(module, fname, "*.csv")) == [{"n": 1}, {"n": 2}]  # expanded by dfm, checked


def test_paths_polars_would_read_differently_are_refused(grants, ok_dir):
    err = raises(module, "df_read_csv", "s3://bucket/data.csv")
    assert (err.kind, err.message) == (
        "ValueError", "dfm.df_read_csv: only files and http/https URLs can be read, not s3://bucket/data.csv")
    assert raises(module, "df_read_csv", ".").message == "dfm.df_read_csv: .: is a directory"
    (ok_dir / "~x.csv").write_text("n\n7\n")  # a file name, never the home folder
    assert rows(call(module, "df_read_csv", "~x.csv")) == [{"n": 7}]

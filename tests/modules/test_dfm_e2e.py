"""dfm end to end: Axiom scripts through the runtime and the `axiom` CLI — a 1,000,000-row
filter and group-by from CSV and parquet files, the sandbox, URLs and the example."""

from __future__ import annotations

import os

import polars as pl
import pytest

from support.axiom_run import cli, run_src

ROWS = 1_000_000


@pytest.fixture(scope="module")
def million(tmp_path_factory):
    """A 1,000,000-row table as CSV and parquet files, and the expected group-by of the rows
    with age > 18, computed in plain Python."""
    d = tmp_path_factory.mktemp("million")
    i = pl.int_range(0, ROWS, eager=True)
    df = pl.DataFrame({"id": i, "k": (i * 7919 % 13).cast(pl.Int64),
                       "age": (i * 37 % 90).cast(pl.Int64), "v": (i % 1000).cast(pl.Int64)})
    df.write_csv(d / "big.csv")
    df.write_parquet(d / "big.parquet")
    groups: dict[int, list[int]] = {}
    order: list[int] = []
    for n in range(ROWS):
        age = n * 37 % 90
        if age > 18:
            k = n * 7919 % 13
            g = groups.get(k)
            if g is None:
                g = groups[k] = [0, 0, 1000, -1]
                order.append(k)
            v = n % 1000
            g[0] += 1
            g[1] += v
            g[2] = min(g[2], v)
            g[3] = max(g[3], v)
    expected = [f"{k} {n} {s} {lo} {hi} {s / n!r}" for k in order for n, s, lo, hi in [groups[k]]]
    return d, expected


SCRIPT = '''import dfm
let frames = [dfm.df_scan_csv("{d}/big.csv"), dfm.df_read_parquet("{d}/big.parquet"),
              dfm.df_scan_parquet("{d}/big.parquet")]
for df in frames {{
    out dfm.df_shape(df)
    let adults = dfm.df_filter(df, "age > 18")
    let g = dfm.df_group_by(adults, "k", {{"id": "count", "v": "sum"}})
    let lo = dfm.df_group_by(adults, ["k"], {{"v": "min"}})
    let hi = dfm.df_group_by(adults, "k", {{"v": "max"}})
    let avg = dfm.df_group_by(adults, "k", {{"v": "mean"}})
    let rows = dfm.df_to_list(g)
    let i = 0
    for row in rows {{
        let l = dfm.df_to_list(lo)[i]
        out @"{{row.k}} {{row.id}} {{row.v}} {{l.v}} {{dfm.df_to_list(hi)[i].v}} {{dfm.df_to_list(avg)[i].v}}"
        i += 1
    }}
    let sql = dfm.df_sql(df, "SELECT k, COUNT(*) AS n, SUM(v) AS s FROM df WHERE age > 18 GROUP BY k ORDER BY k")
    out dfm.df_to_list(sql)[0]
}}
'''


def test_a_million_rows_filtered_and_grouped_in_a_script(million, tmp_path):
    d, expected = million
    script = tmp_path / "million.ax"
    script.write_text(SCRIPT.format(d=d))
    p = cli(tmp_path, "run", str(script))
    assert (p.returncode, p.stderr) == (0, "")
    lines = p.stdout.splitlines()
    k0 = sorted(expected, key=lambda line: int(line.split()[0]))[0].split()
    first_sql = f'{{"k": {k0[0]}, "n": {k0[1]}, "s": {k0[2]}}}'
    block = [f"[{ROWS}, 4]", *expected, first_sql]
    assert lines == block * 3


def test_frames_in_a_script(tmp_path):
    src = f'''
import dfm
let df = dfm.df_from_list([{{"a": 1, "b": "x"}}, {{"a": 2, "b": "y"}}, {{"a": 3}}])
out typeof(df)
out len(df)
out df
out dfm.df_to_list(dfm.df_filter(df, "a >= 2"))
try {{ dfm.df_filter(df, "c > 1") }} catch e {{ out e }}
try {{ dfm.df_group_by(df, "b", {{"a": "total"}}) }} catch e {{ out e.kind }}
try {{ dfm.df_select(df, ["a", 1]) }} catch e {{ out e }}
try {{ dfm.df_read_parquet("{tmp_path}/missing.parquet") }} catch e {{ out e }}
try {{ df.frame }} catch e {{ out e.kind }}
try {{ df.write_csv("{tmp_path}/x.csv") }} catch e {{ out e.kind }}
'''
    assert run_src(src).splitlines() == [
        "dataframe", "3",
        "shape: (3, 2)", "┌─────┬──────┐", "│ a   ┆ b    │", "│ --- ┆ ---  │", "│ i64 ┆ str  │",
        "╞═════╪══════╡", "│ 1   ┆ x    │", "│ 2   ┆ y    │", "│ 3   ┆ null │", "└─────┴──────┘",
        '[{"a": 2, "b": "y"}, {"a": 3, "b": nil}]',
        'ValueError: dfm.df_filter: unable to find column "c"; valid columns: ["a", "b"]',
        "ValueError",
        "TypeError: dfm.df_select: cols must be a column name or a list of them, got an int in the list",
        f"IOError: dfm.df_read_parquet: {tmp_path}/missing.parquet: no such file or directory",
        "AttributeError", "AttributeError"]
    assert not (tmp_path / "x.csv").exists()


def test_sandbox_grants_only_what_is_asked(tmp_path):
    inside = tmp_path / "inside"
    inside.mkdir()
    (inside / "t.csv").write_text("a,b\n1,2\n")
    outside = tmp_path / "outside.csv"
    outside.write_text("a\n1\n")
    script = tmp_path / "box.ax"
    script.write_text(f'''import dfm
let df = dfm.df_read_csv("{inside}/t.csv")
out dfm.df_shape(df)
out dfm.df_shape(dfm.df_scan_csv("{inside}/t.csv"))
try {{ dfm.df_read_csv("{outside}") }} catch e {{ out e }}
try {{ dfm.df_scan_parquet("{outside}") }} catch e {{ out e.kind }}
try {{ dfm.df_to_csv(df, "{inside}/copy.csv") }} catch e {{ out e }}
try {{ dfm.df_to_parquet(df, "{inside}/copy.parquet") }} catch e {{ out e.kind }}
try {{ dfm.df_read_csv("http://127.0.0.1:9/t.csv") }} catch e {{ out e.kind }}
''')
    p = cli(tmp_path, "run", "--sandbox", f"--allow-read={inside}", str(script))
    assert (p.returncode, p.stderr) == (0, "")
    assert p.stdout.splitlines() == [
        "[1, 2]", "[1, 2]",
        f"PermissionDenied: fs.read denied for {outside} (grant it with --allow-read={outside})",
        "PermissionDenied",
        f"PermissionDenied: fs.write denied for {inside}/copy.csv (grant it with "
        f"--allow-write={inside}/copy.csv)",
        "PermissionDenied", "PermissionDenied"]
    assert sorted(os.listdir(inside)) == ["t.csv"]


def test_a_url_needs_net(server):
    www, base = server
    pl.DataFrame({"a": [1, 2], "b": ["x", "y"]}).write_parquet(www / "t.parquet")
    (www / "t.csv").write_text("a,b\n1,x\n2,y\n")
    src = f'''
import dfm
out dfm.df_to_list(dfm.df_read_csv("{base}/t.csv"))
out dfm.df_shape(dfm.df_read_parquet("{base}/t.parquet"))
try {{ dfm.df_read_csv("{base}/missing.csv") }} catch e {{ out e }}
'''
    assert run_src(src).splitlines() == [
        '[{"a": 1, "b": "x"}, {"a": 2, "b": "y"}]', "[2, 2]",
        f"IOError: dfm.df_read_csv: {base}/missing.csv: HTTP status 404"]
    denied = run_src(f'import dfm\ntry {{ dfm.df_read_csv("{base}/t.csv") }} catch e {{ out e }}\n',
                     grants=["fs.read"])
    assert denied == f"PermissionDenied: net denied for {base}/t.csv (grant it with --allow-net=127.0.0.1)\n"

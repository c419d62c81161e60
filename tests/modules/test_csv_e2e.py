"""csv end to end: Axiom scripts through the runtime and the `axiom` CLI — streaming with
script callbacks, the sandbox, URLs and the example."""

from __future__ import annotations

import os

from support.axiom_run import cli, run_src


def test_read_write_filter_in_a_script(tmp_path):
    src = f'''
import csv
let p = "{tmp_path}/people.csv"
csv.csv_write(p, [{{"name": "Ada", "age": 36, "note": "says \\"hi\\", often"}},
                  {{"name": "Bob", "age": 12, "note": nil}}])
let rows = csv.csv_read(p)
out rows
out rows[0].age + "!"
for row in csv.csv_rows(p) {{ out @"{{row.name}}: {{row.note}}" }}
out csv.csv_filter(p, |row| int(row.age) > 18).map(|r| r.name)
out csv.csv_filter(rows, fn(row) {{ row.note }})
out csv.csv_to_json(p)
csv.csv_write(p, [[1, 2.5], [true, nil]], header = ["x", "y"], delimiter = ";")
out csv.csv_read(p, delimiter = ";")
out csv.csv_read(p, header = false, delimiter = ";")
try {{ csv.csv_filter(p, |row| row.missing, delimiter = ";") }} catch e {{ out e.kind }}
try {{ csv.csv_filter(p, |row| 1 / 0, delimiter = ";") }} catch e {{ out e.kind }}
try {{ csv.csv_write(p, [{{"a": set([1])}}]) }} catch e {{ out e }}
try {{ csv.csv_read(p, delimiter = "") }} catch e {{ out e.kind }}
'''
    assert run_src(src).splitlines() == [
        '[{"name": "Ada", "age": "36", "note": "says \\"hi\\", often"}, {"name": "Bob", "age": "12", '
        '"note": ""}]',
        "36!", 'Ada: says "hi", often', "Bob: ", '["Ada"]',
        '[{"name": "Ada", "age": "36", "note": "says \\"hi\\", often"}]',
        '[{"name":"Ada","age":"36","note":"says \\"hi\\", often"},{"name":"Bob","age":"12","note":""}]',
        '[{"x": "1", "y": "2.5"}, {"x": "true", "y": ""}]',
        '[["x", "y"], ["1", "2.5"], ["true", ""]]',
        "KeyError", "DivisionByZero",
        'TypeError: csv.csv_write: row 0, column "a" is a set; a CSV field holds a str, number, bool '
        "or nil",
        "ValueError"]


def test_streaming_a_large_file_in_a_script(tmp_path):
    big = tmp_path / "big.csv"
    with open(big, "w") as f:
        f.write("id,group,text\n")
        for i in range(300_000):
            f.write(f'{i},{i % 3},"line {i}, with a comma"\n')
    script = tmp_path / "stream.ax"
    script.write_text(f'''import csv
let n = 0
let total = 0
for row in csv.csv_rows("{big}") {{
    if row.group == "2" {{ total += int(row.id) }}
    n += 1
}}
out n
out total
for row in csv.csv_rows("{big}", header = false) {{ out row; break }}
''')
    p = cli(tmp_path, "run", "--max-memory", "200", str(script))
    assert (p.returncode, p.stderr) == (0, "")
    assert p.stdout.splitlines() == ["300000", str(sum(i for i in range(300_000) if i % 3 == 2)),
                                     '["id", "group", "text"]']


def test_malformed_input_is_a_clean_error(tmp_path):
    (tmp_path / "bad.csv").write_text('a,b\n1,2\n3,"open\n4,5\n')
    (tmp_path / "bad.ax").write_text('import csv\nfor row in csv.csv_rows("bad.csv") { out row.a }\n')
    p = cli(tmp_path, "run", "bad.ax")
    assert p.returncode == 1
    assert p.stdout == "1\n"
    assert p.stderr.startswith("Error: ValueError: csv.csv_rows: bad.csv: unterminated quoted field "
                               "starting at line 3")
    assert "Traceback" not in p.stderr


def test_sandbox_grants_only_what_is_asked(tmp_path):
    inside = tmp_path / "inside"
    inside.mkdir()
    (inside / "ok.csv").write_text("a\n1\n")
    outside = tmp_path / "outside.csv"
    outside.write_text("a\n2\n")
    script = tmp_path / "box.ax"
    script.write_text(f'''import csv
out csv.csv_read("{inside}/ok.csv")
out csv.csv_filter([{{"a": 1}}], |r| true)
try {{ csv.csv_read("{outside}") }} catch e {{ out e }}
try {{ csv.csv_rows("{outside}") }} catch e {{ out e.kind }}
try {{ csv.csv_filter("{outside}", |r| true) }} catch e {{ out e }}
try {{ csv.csv_to_json("{outside}") }} catch e {{ out e.kind }}
try {{ csv.csv_write("{inside}/new.csv", [[1]]) }} catch e {{ out e.kind }}
''')
    p = cli(tmp_path, "run", "--sandbox", f"--allow-read={inside}", str(script))
    assert (p.returncode, p.stderr) == (0, "")
    assert p.stdout.splitlines() == [
        '[{"a": "1"}]', '[{"a": 1}]',
        f"PermissionDenied: fs.read denied for {outside} (grant it with --allow-read={outside})",
        "PermissionDenied",
        f"PermissionDenied: fs.read denied for {outside} (grant it with --allow-read={outside})",
        "PermissionDenied", "PermissionDenied"]
    assert sorted(os.listdir(inside)) == ["ok.csv"]


def test_a_url_needs_net(server):
    www, base = server
    (www / "t.csv").write_text('a,b\n1,"x\ny"\n')
    src = f'''
import csv
out csv.csv_read("{base}/t.csv")
for row in csv.csv_rows("{base}/t.csv", header = false) {{ out row }}
out csv.csv_to_json("{base}/t.csv")
out csv.csv_filter("{base}/t.csv", |r| r.a == "1")
try {{ csv.csv_read("{base}/missing.csv") }} catch e {{ out e }}
'''
    assert run_src(src).splitlines() == [
        '[{"a": "1", "b": "x\\ny"}]', '["a", "b"]', '["1", "x\\ny"]', '[{"a":"1","b":"x\\ny"}]',
        '[{"a": "1", "b": "x\\ny"}]', f"IOError: csv.csv_read: {base}/missing.csv: HTTP status 404"]
    for fname in ("csv_read", "csv_filter"):
        call = f'csv.{fname}("{base}/t.csv"' + (", |r| true)" if fname == "csv_filter" else ")")
        denied = run_src(f"import csv\ntry {{ {call} }} catch e {{ out e }}\n", grants=["fs.read"])
        assert denied == f"PermissionDenied: net denied for {base}/t.csv (grant it with --allow-net=127.0.0.1)\n"

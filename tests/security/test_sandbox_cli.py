"""The sandbox from the command line, as a user runs it: what `--sandbox` refuses, and
that any `--allow-*` flag means "only this"."""

from __future__ import annotations

from support.axiom_run import cli

FIVE = """import ioo
import dfm
import web
import env
let attempts = [
    || ioo.file_read("secret.txt"),
    || dfm.df_sql(dfm.df_from_list([{"a": 1}]), "SELECT * FROM read_csv('secret.csv')"),
    || web.http_get("http://127.0.0.1:9/"),
    || env.env_var("AXIOM_TOKEN"),
    || ioo.pipe_run(["touch", "made.txt"]),
]
for attempt in attempts {
    try { attempt(); out "ran" } catch e { out @"{e.kind}: {e.message}" }
}
"""


def test_the_sandbox_refuses_a_file_sql_a_url_a_variable_and_a_process(tmp_path):
    (tmp_path / "five.ax").write_text(FIVE)
    (tmp_path / "secret.txt").write_text("s3cret\n")
    (tmp_path / "secret.csv").write_text("a\n42\n")
    p = cli(tmp_path, "run", "--sandbox", "five.ax", env={"AXIOM_TOKEN": "t0ken"})
    assert (p.returncode, p.stderr) == (0, "")
    assert p.stdout.splitlines() == [
        "PermissionDenied: fs.read denied for secret.txt (grant it with --allow-read=secret.txt)",
        "PermissionDenied: fs.read denied for secret.csv (grant it with --allow-read=secret.csv)",
        "PermissionDenied: net denied for http://127.0.0.1:9/ (grant it with --allow-net=127.0.0.1)",
        "PermissionDenied: env denied for AXIOM_TOKEN (grant it with --allow-env)",
        "PermissionDenied: proc denied for touch (grant it with --allow-run)",
    ]
    assert not (tmp_path / "made.txt").exists()


def test_an_allow_flag_implies_the_sandbox(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "in.txt").write_text("inside\n")
    (tmp_path / "out.txt").write_text("outside\n")
    (tmp_path / "s.ax").write_text(
        'import ioo\nimport env\nout ioo.file_read("data/in.txt").trim()\n'
        'for t in [|| ioo.file_read("out.txt"), || env.env_var("HOME"), || ioo.file_write("data/w.txt", "x")] {\n'
        '    try { t(); out "ran" } catch e { out e.message }\n}\n')
    p = cli(tmp_path, "run", "--allow-read=data", "s.ax")
    assert (p.returncode, p.stderr) == (0, "")
    assert p.stdout.splitlines() == [
        "inside",
        "fs.read denied for out.txt (grant it with --allow-read=out.txt)",
        "env denied for HOME (grant it with --allow-env)",
        "fs.write denied for data/w.txt (grant it with --allow-write=data/w.txt)",
    ]
    p = cli(tmp_path, "run", "--allow-env", "s.ax")  # env alone: no file may be read
    assert p.returncode == 1 and p.stderr.startswith("Error: PermissionDenied: fs.read denied for data/in.txt")
    p = cli(tmp_path, "run", "s.ax")  # no flag: everything, as before
    assert p.returncode == 0 and p.stdout.splitlines()[:3] == ["inside", "ran", "ran"]


def test_an_allow_flag_that_takes_no_value_refuses_one(tmp_path):
    (tmp_path / "s.ax").write_text("out 1\n")
    for flag in ("--allow-env=HOME", "--allow-run=ls", "--allow-sys=cpu"):
        p = cli(tmp_path, "run", flag, "s.ax")
        name = flag.split("=")[0]
        assert p.returncode == 2, flag
        assert p.stderr.startswith(f"axiom run: {name} takes no value (it grants the capability "
                                   "everywhere)\n"), p.stderr

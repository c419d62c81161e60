"""ioo end to end: Axiom scripts through the runtime and the `axiom` CLI, sandbox included."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from support.axiom_run import cli, run_src


def test_files_lines_and_errors_in_a_script(tmp_path):
    d = tmp_path / "data"
    d.mkdir()
    (d / "bad.txt").write_bytes(b"fine\n\xff\n")
    src = f'''
import ioo
let p = "{d}/notes.txt"
ioo.file_write(p, "a\\nb\\n")
ioo.file_append(p, "c")
for line in ioo.file_lines(p) {{ out line }}
out ioo.file_read(p).len()
out ioo.file_read_bytes(p)
try {{ ioo.file_read("{d}/missing.txt") }} catch e {{ out e }}
try {{ ioo.file_write("{d}", "x") }} catch e {{ out e }}
try {{ for line in ioo.file_lines("{d}/bad.txt") {{ out line }} }} catch e {{ out e.kind }}
try {{ ioo.file_read("a\\0b") }} catch e {{ out e.kind }}
'''
    assert run_src(src).splitlines() == [
        "a", "b", "c", "5", "[97, 10, 98, 10, 99]",
        f"IOError: ioo.file_read: {d}/missing.txt: no such file or directory",
        f"IOError: ioo.file_write: {d}: is a directory",
        "fine", "ValueError", "ValueError"]


def test_buffers_and_pipes_in_a_script():
    src = '''
import ioo
let b = ioo.buffer_new()
ioo.buffer_write(b, "x")
ioo.buffer_write(b, "y")
out [ioo.buffer_read(b), typeof(b), str(b)]
let r = ioo.pipe_run(["echo", "piped"])
out r
out r.stdout == "piped\\n"
out ioo.pipe_run(["tr", "a-z", "A-Z"], input="shout\\n").stdout
let p = ioo.pipe_open(["cat"])
out typeof(p)
p.write("one\\ntwo\\n")
out [p.read_line(), p.read_line()]
out p.close()
out p.read_line()
try { ioo.pipe_run("echo hi") } catch e { out e.kind }
try { ioo.pipe_run(["definitely-not-a-program"]) } catch e { out e.message }
try { p.secret } catch e { out e.kind }
'''
    assert run_src(src).splitlines() == [
        '["xy", "buffer", "<buffer 2 chars>"]',
        '{"code": 0, "stdout": "piped\\n", "stderr": ""}', "true", "SHOUT", "",
        "pipe", '["one", "two"]', "0", "nil", "TypeError",
        "ioo.pipe_run: definitely-not-a-program: program not found", "AttributeError"]


def test_standard_input_through_the_cli(tmp_path):
    (tmp_path / "lines.ax").write_text('import ioo\nfor l in ioo.stdin_lines() { out "<" + l + ">" }\n')
    p = cli(tmp_path, "run", "lines.ax", stdin="a\nb\n\nc")
    assert (p.returncode, p.stdout, p.stderr) == (0, "<a>\n<b>\n<>\n<c>\n", "")
    (tmp_path / "all.ax").write_text('import ioo\nlet t = ioo.stdin_read()\nout t.len()\nout t\n')
    p = cli(tmp_path, "run", "all.ax", stdin="héllo\nworld")
    assert (p.returncode, p.stdout, p.stderr) == (0, "11\nhéllo\nworld\n", "")


def test_a_pipe_left_open_is_ended_with_the_run(tmp_path):
    (tmp_path / "open.ax").write_text('import ioo\nlet p = ioo.pipe_open(["cat"])\np.write("x\\n")\nout p.read_line()\n')
    p = cli(tmp_path, "run", "open.ax")
    assert (p.returncode, p.stdout, p.stderr) == (0, "x\n", "")


def test_sandbox_grants_only_what_is_asked(tmp_path):
    inside = tmp_path / "inside"
    inside.mkdir()
    (inside / "ok.txt").write_text("readable")
    outside = tmp_path / "outside.txt"
    outside.write_text("secret")
    (inside / "escape.txt").symlink_to(outside)  # points out of the granted folder
    script = tmp_path / "sandboxed.ax"
    script.write_text(f'''import ioo
out ioo.file_read("{inside}/ok.txt")
for l in ioo.file_lines("{inside}/ok.txt") {{ out l }}
try {{ ioo.file_read("{outside}") }} catch e {{ out e }}
try {{ ioo.file_read("{inside}/escape.txt") }} catch e {{ out e.kind }}
try {{ ioo.file_read("{inside}/../outside.txt") }} catch e {{ out e.kind }}
try {{ ioo.file_write("{inside}/new.txt", "x") }} catch e {{ out e.kind }}
try {{ ioo.file_append("{inside}/ok.txt", "x") }} catch e {{ out e.kind }}
try {{ ioo.pipe_run(["echo", "hi"]) }} catch e {{ out e.kind }}
try {{ ioo.pipe_open(["cat"]) }} catch e {{ out e.kind }}
ioo.file_read("{outside}")
''')
    p = cli(tmp_path, "run", "--sandbox", f"--allow-read={inside}", str(script))
    assert p.stdout.splitlines() == [
        "readable", "readable",
        f"PermissionDenied: fs.read denied for {outside} (grant it with --allow-read={outside})",
        "PermissionDenied", "PermissionDenied", "PermissionDenied", "PermissionDenied",
        "PermissionDenied", "PermissionDenied"]
    assert p.returncode == 1
    assert p.stderr.startswith(f"Error: PermissionDenied: fs.read denied for {outside}")
    assert "Traceback" not in p.stderr
    assert not (inside / "new.txt").exists() and (inside / "ok.txt").read_text() == "readable"


def test_embedded_runtime_grants_nothing_by_default(tmp_path):
    (tmp_path / "f.txt").write_text("x")
    out = run_src(f'import ioo\ntry {{ ioo.file_read("{tmp_path}/f.txt") }} catch e {{ out e.kind }}\n',
                  grants=None)
    assert out == "PermissionDenied\n"
    out = run_src('import ioo\ntry { ioo.file_read("a\\0b") } catch e { out e }\n', grants=["fs.read"])
    assert out == "ValueError: a path may not contain a NUL byte\n"


def test_sandbox_with_a_write_grant(tmp_path):
    box = tmp_path / "box"
    box.mkdir()
    script = tmp_path / "w.ax"
    script.write_text(f'''import ioo
ioo.file_write("{box}/a.txt", "one")
ioo.file_append("{box}/a.txt", "+two")
out ioo.file_read("{box}/a.txt")
try {{ ioo.file_write("{tmp_path}/escaped.txt", "x") }} catch e {{ out e }}
''')
    p = cli(tmp_path, "run", "--sandbox", f"--allow-read={box}", f"--allow-write={box}", str(script))
    assert (p.returncode, p.stderr) == (0, "")
    assert p.stdout.splitlines() == [
        "one+two", f"PermissionDenied: fs.write denied for {tmp_path}/escaped.txt "
                   f"(grant it with --allow-write={tmp_path}/escaped.txt)"]
    assert not (tmp_path / "escaped.txt").exists()


@pytest.mark.parametrize("name", ["ioo.ax"])
def test_the_example_runs_clean(name, tmp_path):
    examples = Path(__file__).resolve().parents[2] / "examples"
    before = set(os.listdir(examples))
    env = dict(os.environ, AXIOM_HOME=str(tmp_path), NO_COLOR="1")
    p = subprocess.run([sys.executable, "-m", "axiom.cli", "run", "--no-cache", name], cwd=examples,
                       capture_output=True, text=True, env=env, timeout=120)
    assert (p.returncode, p.stderr) == (0, "")
    assert p.stdout == (examples / name).with_suffix(".out").read_text()
    assert set(os.listdir(examples)) <= before | {"__axcache__"}


def test_pipe_run_gives_up_when_the_run_time_limit_ends(tmp_path):
    (tmp_path / "slow.ax").write_text('import ioo\nout ioo.pipe_run(["sleep", "30"])\n')
    p = cli(tmp_path, "run", "--timeout", "1", "slow.ax")
    assert p.returncode == 1
    assert p.stderr.startswith("Error: LimitExceeded: ioo.pipe_run: sleep: the run's time limit ended")

"""Output streams that fail under `axiom run`: a reader that goes away (from the main
script or from a task), a full disk, a descriptor closed at start, and strings no
encoding can write. Never a Python traceback or an internal error."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests"))

from support.dists import AXIOM  # noqa: E402


def _env(tmp_path: Path) -> dict[str, str]:
    return dict(os.environ, AXIOM_HOME=str(tmp_path / "home"), NO_COLOR="1")


def _script(tmp_path: Path, source: str) -> Path:
    script = tmp_path / "script.ax"
    script.write_text(source)
    return script


def _shell(tmp_path: Path, source: str, redirect: str) -> subprocess.CompletedProcess[str]:
    """`axiom run script.ax REDIRECT` through sh (to close a descriptor or use /dev/full)."""
    script = _script(tmp_path, source)
    cmd = " ".join(shlex.quote(a) for a in [*AXIOM, "run", str(script)]) + " " + redirect
    return subprocess.run(["sh", "-c", cmd], capture_output=True, text=True, env=_env(tmp_path), cwd=tmp_path,
                          timeout=60)


def _closed_after_one_line(tmp_path: Path, source: str) -> subprocess.CompletedProcess[str]:
    """Run `source`, read one line of its output and close the pipe (as `| head -1`)."""
    script = _script(tmp_path, source)
    p = subprocess.Popen([*AXIOM, "run", str(script)], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, env=_env(tmp_path))
    assert p.stdout is not None and p.stderr is not None
    first = p.stdout.readline()
    p.stdout.close()
    try:
        p.wait(timeout=20)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
        pytest.fail("the run went on after its output was closed")
    return subprocess.CompletedProcess(p.args, p.returncode, first, p.stderr.read())


def test_out_from_a_task_to_a_closed_pipe_ends_quietly_with_141(tmp_path):
    r = _closed_after_one_line(tmp_path, "import con\n"
                               'let t = con.spawn_task(|| { while true { out("yes") } })\n'
                               "while true {}\n")
    assert (r.returncode, r.stdout, r.stderr) == (141, "yes\n", "")


def test_out_from_a_task_after_the_script_ended_ends_quietly_with_141(tmp_path):
    # the run is waiting for its task when the task finds the reader gone
    r = _closed_after_one_line(tmp_path, "import con\n"
                               'let t = con.spawn_task(|| { while true { out("yes") } })\n')
    assert (r.returncode, r.stdout, r.stderr) == (141, "yes\n", "")


def test_out_from_the_main_script_to_a_closed_pipe_ends_quietly_with_141(tmp_path):
    r = _closed_after_one_line(tmp_path, 'while true { out("yes") }\n')
    assert (r.returncode, r.stdout, r.stderr) == (141, "yes\n", "")


def test_output_to_a_full_disk_is_an_io_error(tmp_path):
    r = _shell(tmp_path, 'out("hello")\nout("never")\n', "> /dev/full")
    assert r.returncode == 1
    assert r.stderr.startswith("Error: IOError: cannot write output: No space left on device\n"
                               "  --> "), r.stderr
    assert "Traceback" not in r.stderr


def test_output_to_a_full_disk_found_at_the_last_flush_is_an_io_error(tmp_path):
    # a few bytes stay buffered until the run ends: the error is still reported
    r = _shell(tmp_path, 'let s = "x"\n', "> /dev/full")
    assert (r.returncode, r.stderr) == (0, "")  # nothing written, nothing to fail
    r = _shell(tmp_path, "import tim\nout(1)\n", "> /dev/full")
    assert r.returncode == 1 and "IOError: cannot write output: No space left on device" in r.stderr


def test_a_closed_stdout_at_start_is_an_io_error_when_written(tmp_path):
    r = _shell(tmp_path, 'out("hi")\n', ">&-")
    assert r.returncode == 1
    assert r.stderr.startswith("Error: IOError: cannot write output: standard output is closed\n")
    r = _shell(tmp_path, "let x = 1 + 1\n", ">&-")  # a script that writes nothing runs
    assert (r.returncode, r.stderr) == (0, "")


def test_a_closed_stdout_is_not_reused_by_files_the_run_opens(tmp_path):
    r = _shell(tmp_path, 'import ioo\nioo.file_write("f.txt", "data")\n'
                         'let p = ioo.pipe_run(["sh", "-c", "echo child >&1"])\n'
                         'ioo.file_write("code.txt", @"{p["code"]} {p["stdout"].len()}")\n', ">&-")
    assert (r.returncode, r.stderr) == (0, "")
    assert (tmp_path / "f.txt").read_text() == "data"
    assert (tmp_path / "code.txt").read_text() == "0 6"


def test_a_closed_stderr_at_start_keeps_the_exit_status(tmp_path):
    r = _shell(tmp_path, 'out("hi")\nthrow "boom"\n', "2>&-")
    assert (r.returncode, r.stdout) == (1, "hi\n")
    r = _shell(tmp_path, "let x = [1,\n", "2>&-")
    assert r.returncode == 2


def test_lone_surrogates_are_written_as_escapes(tmp_path):
    script = _script(tmp_path, 'import jsn\nlet v = jsn.json_parse("[\\"a\\\\ud800b\\"]")\n'
                               "out(v[0])\nerr(v[0])\nout(v)\n")
    r = subprocess.run([*AXIOM, "run", str(script)], capture_output=True, env=_env(tmp_path),
                       timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout == b'a\\ud800b\n["a\\ud800b"]\n'
    assert r.stderr == b"a\\ud800b\n"

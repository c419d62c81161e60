"""log end to end: scripts through `axiom run`, plain lines on a piped stderr, a live
display on a terminal (a pty) that is always given back."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
import time
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
STAMP = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d ", re.M)


def env_for(tmp_path, **extra):
    env = {k: v for k, v in os.environ.items()
           if k not in ("FORCE_COLOR", "NO_COLOR", "TTY_COMPATIBLE")}
    env.update(AXIOM_HOME=str(tmp_path / "home"), TERM="xterm-256color", **extra)
    return env


def run(tmp_path, script):
    path = tmp_path / "s.ax"
    path.write_text(script)
    return subprocess.run([sys.executable, "-m", "axiom.cli", "run", "--no-cache", str(path)],
                          capture_output=True, text=True, env=env_for(tmp_path), timeout=120)


def test_plain_lines_on_a_piped_stderr(tmp_path):
    p = run(tmp_path, '''
import log
log.info("hello", 42)
log.debug("hidden")
log.set_level("debug")
log.debug("shown")
let a = log.progress_bar(4, label="a")
let b = log.progress_bar(2)
let s = log.spinner("spin")
for i in 0..4 { log.progress_update(a) }
log.progress_update(b, advance=0.5)
log.progress_finish(a)
log.progress_finish(b)
s.stop()
log.warn("w")
log.error("e")
out @"{a.completed} {a.finished} {typeof(a)} {typeof(s)}"
''')
    assert (p.returncode, p.stdout) == (0, "4 true progress spinner\n")
    assert STAMP.sub("<t> ", p.stderr).splitlines() == [
        "<t> INFO  hello 42", "<t> DEBUG shown", "a 4/4", "0.5/2", "spin done",
        "<t> WARN  w", "<t> ERROR e"]


def test_a_failing_script_still_finishes_its_bars(tmp_path):
    p = run(tmp_path, '''
import log
let p = log.progress_bar(10, label="work")
log.progress_update(p, advance=3)
let s = log.spinner("waiting")
let x = 1 / 0
''')
    assert p.returncode == 1
    lines = p.stderr.splitlines()
    # the run's stop hooks finish the bars first; the error report comes last
    assert lines[:3] == ["work 3/10", "waiting stopped", "Error: DivisionByZero: division by zero"]


def test_bad_input_is_an_axiom_error(tmp_path):
    p = run(tmp_path, 'import log\ntry { log.set_level("loud") } catch e { out e }\n'
                      'try { log.progress_bar(-2) } catch e { out e.kind }\n')
    assert p.stdout.splitlines() == [
        "ValueError: log.set_level: unknown level 'loud' (use debug, info, warn or error)",
        "ValueError"]


def test_live_display_on_a_terminal_is_given_back_when_the_script_fails(tmp_path):
    script = tmp_path / "s.ax"
    script.write_text('''
import log
log.info("start")
let p = log.progress_bar(5, label="work")
for i in 0..3 { log.progress_update(p) }
let s = log.spinner("spin")
out "to stdout"
let x = [1][5]
''')
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "axiom.cli", "run", "--no-cache", str(script)],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=slave,
                            env=env_for(tmp_path))
    os.close(slave)
    data = b""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        data += chunk
    os.close(master)
    assert proc.wait(30) == 1
    assert proc.stdout.read() == b"to stdout\n"  # stdout is a pipe: it stays one
    proc.stdout.close()
    text = data.decode()
    assert "to stdout" not in text
    assert "\x1b[?25l" in text  # the cursor was hidden for the live display...
    # ...and shown again when the run ended, before the error report is written
    assert "\x1b[?25h" in text and text.index("\x1b[?25h") < text.index("IndexOutOfBounds")
    plain = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text)
    assert re.search(r"INFO  start", plain)
    assert "IndexOutOfBounds" in plain
    assert re.search(r"work [━╺ ]+ 3/5", plain) and re.search(r"spin ✗", plain)


def test_the_example_runs(tmp_path):
    p = subprocess.run([sys.executable, "-m", "axiom.cli", "run", "--no-cache", "log.ax"],
                       cwd=EXAMPLES, capture_output=True, text=True, env=env_for(tmp_path), timeout=120)
    assert (p.returncode, p.stdout) == (0, "copied 30 of 30\n")
    assert STAMP.sub("<t> ", p.stderr).splitlines() == [
        "<t> INFO  starting 3 jobs", "<t> DEBUG now shown", "copy files 30/30", "verify 3/3",
        "waiting for the index done", "<t> WARN  disk almost full",
        "<t> ERROR could not reach the mirror", "left open 4/10"]

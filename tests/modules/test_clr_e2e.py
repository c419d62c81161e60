"""clr end to end: scripts through `axiom run`, coloured on a (forced) terminal, plain off it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

SCRIPT = '''
import clr
out clr.color_text("hi", "red")
out clr.bold(clr.color_bg("x", clr.rgb(1, 2, 3)))
out clr.truecolor("t", 200, 100, 50)
out clr.strip(clr.underline(clr.color_text("plain", "#00ff00")))
'''


def run(tmp_path, script, **env_overrides):
    path = tmp_path / "s.ax"
    path.write_text(script)
    env = {k: v for k, v in os.environ.items()
           if k not in ("FORCE_COLOR", "NO_COLOR", "TTY_COMPATIBLE")}
    env.update(AXIOM_HOME=str(tmp_path / "home"), TERM="xterm-256color", **env_overrides)
    return subprocess.run([sys.executable, "-m", "axiom.cli", "run", "--no-cache", str(path)],
                          capture_output=True, text=True, env=env, timeout=120)


def test_colours_on_a_forced_terminal(tmp_path):
    p = run(tmp_path, SCRIPT, FORCE_COLOR="1")
    assert (p.returncode, p.stderr) == (0, "")
    assert p.stdout.splitlines() == [
        "\x1b[31mhi\x1b[39m",
        "\x1b[1m\x1b[48;2;1;2;3mx\x1b[49m\x1b[22m",
        "\x1b[38;2;200;100;50mt\x1b[39m",
        "plain",
    ]


def test_plain_when_piped_and_under_no_color(tmp_path):
    p = run(tmp_path, SCRIPT)
    assert (p.returncode, p.stderr, p.stdout) == (0, "", "hi\nx\nt\nplain\n")
    p = run(tmp_path, SCRIPT, FORCE_COLOR="1", NO_COLOR="1")
    assert p.stdout.splitlines() == ["hi", "\x1b[1mx\x1b[22m", "t", "plain"]


def test_bad_colour_is_an_axiom_error(tmp_path):
    p = run(tmp_path, 'import clr\nout clr.color_text("x", "mauve-ish")\n')
    assert p.returncode == 1
    assert p.stderr.startswith("Error: ValueError: clr.color_text: unknown colour 'mauve-ish'")
    assert "Traceback" not in p.stderr


def test_the_example_prints_its_expected_output(tmp_path):
    env = dict(os.environ, AXIOM_HOME=str(tmp_path), NO_COLOR="1")
    p = subprocess.run([sys.executable, "-m", "axiom.cli", "run", "--no-cache", "clr.ax"],
                       cwd=EXAMPLES, capture_output=True, text=True, env=env, timeout=120)
    assert (p.returncode, p.stderr) == (0, "")
    assert p.stdout == (EXAMPLES / "clr.out").read_text()

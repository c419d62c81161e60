"""tui end to end: the monitor example in a real terminal (tmux), keys sent to it, and
the terminal given back when it quits; headless frames through `axiom run`."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXPORTS = ["app_new", "layout_create", "widget_text", "widget_table", "widget_list",
           "widget_panel", "widget_progress", "draw_frame", "input_handler", "poll", "app_quit",
           "app_running", "render_text"]


class Tmux:
    """A private tmux server (its own socket) with one 80x24 session."""

    def __init__(self, tmp_path):
        self.socket = f"axiom-tui-{os.getpid()}-{time.monotonic_ns()}"
        self.tmp_path = tmp_path

    def cmd(self, *args):
        return subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True,
                              timeout=30)

    def start(self, command):
        p = self.cmd("new-session", "-d", "-s", "t", "-x", "80", "-y", "24", command)
        assert p.returncode == 0, p.stderr

    def screen(self):
        return self.cmd("capture-pane", "-p", "-t", "t").stdout

    def alternate_on(self):
        return self.cmd("display-message", "-p", "-t", "t", "#{alternate_on}").stdout.strip()

    def keys(self, *keys):
        self.cmd("send-keys", "-t", "t", *keys)

    def wait_for(self, *texts, timeout=10.0):
        """The screen once every text is on it (fails after `timeout` seconds)."""
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen()
            if all(t in screen for t in texts):
                return screen
            if time.monotonic() > deadline:
                pytest.fail(f"{texts} not on the screen after {timeout} s:\n{screen}")
            time.sleep(0.1)

    def kill(self):
        self.cmd("kill-server")


@pytest.fixture
def tmux(tmp_path):
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed")
    t = Tmux(tmp_path)
    yield t
    t.kill()


def test_monitor_in_a_real_terminal(tmux, tmp_path):
    run = (f"cd {shlex.quote(str(ROOT))} && AXIOM_HOME={shlex.quote(str(tmp_path / 'home'))} "
           f"{shlex.quote(sys.executable)} -m axiom.cli run --no-cache examples/tui_monitor.ax; "
           "echo EXIT=$?; sleep 600")
    tmux.start(run)
    screen = tmux.wait_for("Views", "> overview", "Selected: overview")
    for shown in ("Axiom monitor | frame", "System", "Metric", "Value", "Views", "  memory",
                  "  about", "Details", "%"):
        assert shown in screen, shown
    assert "█" in screen or "░" in screen  # the progress widget
    assert "CPUs" in screen or "Frames" in screen  # the stats table (sys figures or the counter)
    assert tmux.alternate_on() == "1"

    tmux.keys("Down")
    screen = tmux.wait_for("> memory", "Selected: memory")
    assert "> overview" not in screen and "  overview" in screen
    tmux.keys("j")
    tmux.wait_for("> about", "Selected: about")
    tmux.keys("Up")
    tmux.wait_for("> memory")

    tmux.keys("q")
    screen = tmux.wait_for("EXIT=0")
    assert "monitor closed after" in screen
    assert "Views" not in screen  # the alternate screen is gone: the shell's own screen shows
    assert tmux.alternate_on() == "0"
    tmux.keys("typed-after-exit")  # the terminal echoes again: its settings came back
    tmux.wait_for("typed-after-exit")


def test_an_error_in_the_app_is_shown_after_the_terminal_is_given_back(tmux, tmp_path):
    script = tmp_path / "crash.ax"
    script.write_text('''
import tui
let app = tui.app_new()
let n = 0
tui.input_handler(app, |key| { if key == "x" { throw "boom" } })
while tui.app_running(app) {
    n += 1
    tui.draw_frame(app, tui.widget_panel(tui.widget_text(@"frame {n}"), title="crash test"))
    out @"frame {n} drawn"
    tui.poll(app, 0.1)
}
''')
    tmux.start(f"AXIOM_HOME={shlex.quote(str(tmp_path / 'home'))} {shlex.quote(sys.executable)} "
               f"-m axiom.cli run --no-cache {shlex.quote(str(script))}; echo EXIT=$?; sleep 600")
    tmux.wait_for("crash test")
    tmux.keys("x")
    screen = tmux.wait_for("EXIT=1")
    assert "Error: Error: boom" in screen
    assert screen.index("frame 1 drawn") < screen.index("Error: Error: boom")  # held in order
    assert "crash test" not in screen and tmux.alternate_on() == "0"


def test_headless_frames_through_axiom_run(tmp_path):
    script = tmp_path / "frame.ax"
    script.write_text('''
import tui
let table = tui.widget_table([["cpu", 2], ["mem", 40]], header=["k", "v"])
let menu = tui.widget_list(["a", "b"], selected=1)
let body = tui.layout_create("row", [tui.widget_panel(table, title="T"), menu], sizes=[nil, 6])
let screen = tui.layout_create("column", [body, tui.widget_progress(0.5)], sizes=[nil, 1])
let text = tui.render_text(screen, 24, 8)
out text
out len(text.split("\\n"))
let app = tui.app_new()
out tui.app_running(app)
try { tui.draw_frame(app, screen) } catch e { out e.kind }
tui.app_quit(app)
out tui.poll(app, 0)
''')
    env = dict(os.environ, AXIOM_HOME=str(tmp_path / "home"), NO_COLOR="1")
    p = subprocess.run([sys.executable, "-m", "axiom.cli", "run", "--no-cache", str(script)],
                       capture_output=True, text=True, env=env, timeout=120, stdin=subprocess.DEVNULL)
    assert (p.returncode, p.stderr) == (0, "")
    assert p.stdout.split("\n") == [
        "╭────── T ───────╮  a   ",
        "│ ┌───────┬────┐ │> b   ",
        "│ │ k     │  v │ │      ",
        "│ ├───────┼────┤ │      ",
        "│ │ cpu   │  2 │ │      ",
        "│ │ mem   │ 40 │ │      ",
        "╰────────────────╯      ",
        "██████████░░░░░░░░░  50%",
        "8",
        "true",
        "IOError",  # stdout is a pipe here: no terminal to draw on
        "false",
        "",
    ]


def test_mod_info_lists_every_function(tmp_path):
    env = dict(os.environ, AXIOM_HOME=str(tmp_path), NO_COLOR="1")
    p = subprocess.run([sys.executable, "-m", "axiom.cli", "mod", "info", "tui"],
                       capture_output=True, text=True, env=env, timeout=120)
    assert p.returncode == 0, p.stderr
    for name in EXPORTS:
        assert f"  {name}(" in p.stdout, name

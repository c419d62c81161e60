"""tui end to end: the monitor example in a real terminal (tmux), keys sent to it, and
the terminal given back when it quits; headless frames through `axiom run`."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


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

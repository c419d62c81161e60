"""A real pseudo-terminal for driving interactive commands (`axiom repl`) the way a user
does: keys go in through the terminal (Ctrl-C is the byte \\x03, which the terminal turns
into SIGINT while a command runs), and the screen comes back with its escape sequences
removed. Answers the cursor-position queries line editors send."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import signal
import struct
import termios
import time

_ESCAPES = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][0-9A-Za-z]|\x1b[=>78]|\r|\x08")


class Terminal:
    def __init__(self, argv: list[str], env: dict[str, str], cwd: str | None = None,
                 rows: int = 24, cols: int = 100) -> None:
        pid, fd = pty.fork()
        if pid == 0:  # the child: the terminal is its stdin, stdout and stderr
            try:
                if cwd:
                    os.chdir(cwd)
                os.execve(argv[0], argv, env)
            finally:
                os._exit(127)
        self.pid, self.fd = pid, fd
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        self.raw = ""
        self.seen = 0  # how far expect() has read the screen text
        self.status: int | None = None

    def _pump(self, timeout: float) -> None:
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return
        try:
            data = os.read(self.fd, 65536).decode("utf-8", "replace")
        except OSError:  # the child closed the terminal
            data = ""
            time.sleep(timeout)
        if "\x1b[6n" in data:  # where is the cursor? (prompt_toolkit asks)
            os.write(self.fd, b"\x1b[1;1R")
        self.raw += data

    def text(self) -> str:
        return _ESCAPES.sub("", self.raw)

    def expect(self, what: str, timeout: float = 30) -> str:
        """Wait until `what` appears after what was already matched; the text between."""
        end = time.monotonic() + timeout
        while True:
            text = self.text()
            i = text.find(what, self.seen)
            if i >= 0:
                before = text[self.seen:i]
                self.seen = i + len(what)
                return before
            if time.monotonic() > end:
                raise AssertionError(f"{what!r} did not appear; the terminal shows:\n{text[-1500:]}")
            self._pump(0.05)

    def prompt(self, settle: float = 0.2) -> None:
        """Wait for the next `>>>` prompt, and a moment for the line editor to be ready."""
        self.expect(">>>")
        time.sleep(settle)
        self._pump(0)

    def settle(self, quiet: float = 0.3, timeout: float = 30) -> None:
        """Wait until nothing more has come for `quiet` seconds; everything shown so far
        then counts as matched (a line editor redraws its line as it takes it, so an
        echo can look like the next prompt)."""
        end = time.monotonic() + timeout
        last = len(self.raw)
        still = time.monotonic()
        while time.monotonic() < end:
            self._pump(0.05)
            if len(self.raw) != last:
                last = len(self.raw)
                still = time.monotonic()
            elif time.monotonic() - still >= quiet:
                break
        self.seen = len(self.text())

    def send(self, keys: str) -> None:
        os.write(self.fd, keys.encode())

    def wait(self, timeout: float = 30) -> int:
        """The exit status (the process is killed if it does not end in time)."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.status = os.waitstatus_to_exitcode(status)
                self._pump(0)
                os.close(self.fd)
                return self.status
            self._pump(0.05)
        self.kill()
        raise AssertionError(f"the process did not end; the terminal shows:\n{self.text()[-1500:]}")

    def kill(self) -> None:
        if self.status is None:
            try:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
            except OSError:
                pass
            self.status = -9

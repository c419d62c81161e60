"""Root pytest configuration: `.ax` files under tests/conformance/ are test items.

A conformance program states what it must do in comments:

    // expect: TEXT            the next line of stdout (in order; `// expect:` alone is an
                               empty line)
    // expect error: KIND      exit status 1 (2 for SyntaxError) and stderr starting with
                               "Error: KIND:"; optionally `at LINE:COL`
    // expect stderr: TEXT     stderr contains TEXT
    // expect no stderr: TEXT  stderr does not contain TEXT
    // expect exit: N          the exit status (default 0, or as implied above)
    // args: A B C             arguments given to the script (ARGS)
    // config: KEY=VALUE       a setting for this run (as in config.toml)
    // axiom_path: DIR         AXIOM_PATH for this run, relative to the program
    // modes: optimized        run with the optimizer only (for the slowest programs)

Files under a `lib/` folder are modules that the programs import, not tests.

Each program runs through the same entry point as `axiom run` (in-process, so the
suite stays fast), with the optimizer and without, in every execution tier
(tests/support/tiers.py: tier 0, and each JIT tier with a threshold of 0 so that
everything is compiled); all must agree with the expectations. A failure shows the
file, the mode, what was expected and a diff.
"""

from __future__ import annotations

import difflib
import io
import os
import re
import shlex
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

_EXPECT = re.compile(r"(?://|#)\s*expect( error| stderr| no stderr| exit)?:\s?(.*)$")
_ARGS = re.compile(r"(?://|#)\s*args:\s*(.*)$")
_CONFIG = re.compile(r"(?://|#)\s*config:\s*(\w+)=(.*)$")
_PATH = re.compile(r"(?://|#)\s*axiom_path:\s*(.*)$")


def pytest_collect_file(parent, file_path: Path):
    if file_path.suffix == ".ax" and "conformance" in file_path.parts and "lib" not in file_path.parts:
        return AxFile.from_parent(parent, path=file_path)
    return None


_MODES = re.compile(r"(?://|#)\s*modes:\s*(.*)$", re.M)


class AxFile(pytest.File):
    def collect(self):
        from support.tiers import MODES
        m = _MODES.search(self.path.read_text(encoding="utf-8"))
        wanted = m.group(1).split() if m else ["optimized", "unoptimized"]
        for mode in MODES:
            if mode.rsplit("-", 1)[1] in wanted:
                yield AxItem.from_parent(self, name=mode, mode=mode)


class AxItem(pytest.Item):
    def __init__(self, *, mode: str, **kwargs):
        super().__init__(**kwargs)
        self.mode = mode

    def expectations(self):
        stdout, stderr, args = [], [], []
        self.ax_config, self.axiom_path, self.not_stderr = {}, None, []
        code = None
        error = None
        for line in self.path.read_text(encoding="utf-8").splitlines():
            m = _EXPECT.search(line)
            if m:
                kind, text = m.group(1), m.group(2).rstrip()
                if kind is None:
                    stdout.append(text)
                elif kind == " error":
                    error = text
                elif kind == " stderr":
                    stderr.append(text)
                elif kind == " no stderr":
                    self.not_stderr.append(text)
                else:
                    code = int(text)
                continue
            m = _ARGS.search(line)
            if m:
                args = shlex.split(m.group(1))
            m = _CONFIG.search(line)
            if m:
                self.ax_config[m.group(1)] = m.group(2).strip()
            m = _PATH.search(line)
            if m:
                self.axiom_path = str(self.path.parent / m.group(1).strip())
        return stdout, stderr, code, error, args

    def runtest(self):
        from axiom import conf
        from axiom.cli.run import main
        stdout, stderr_parts, code, error, args = self.expectations()
        import shutil
        import tempfile
        home = tempfile.mkdtemp(prefix="axiom-home-")  # removed below: a suite run makes thousands
        mp = pytest.MonkeyPatch()
        mp.setenv("AXIOM_HOME", home)
        mp.setenv("NO_COLOR", "1")
        mp.setattr(sys, "stdin", io.StringIO(""))
        if self.axiom_path:
            mp.setenv("AXIOM_PATH", self.axiom_path)
        from support.tiers import MODES, env
        mode = MODES[self.mode]
        for key, value in env(self.mode).items():
            mp.setenv(key, value)
        for key, value in self.ax_config.items():
            conf.set_value(key, value)
        if "jit_threshold" in mode and "jit_threshold" not in self.ax_config:
            conf.set_value("jit_threshold", str(mode["jit_threshold"]))
        argv = ["--no-cache", "--jit", str(mode["jit"])]
        argv += [] if mode["peephole_optimizer"] else ["--no-optimize"]
        argv += [os.path.relpath(self.path), *args]
        out, err = io.StringIO(), io.StringIO()
        try:
            with redirect_stdout(out), redirect_stderr(err):
                status = main(argv)
        finally:
            mp.undo()
            shutil.rmtree(home, ignore_errors=True)
        problems = []
        got = out.getvalue().splitlines()
        if got != stdout:
            diff = "\n".join(difflib.unified_diff(stdout, got, "expected", "got", lineterm=""))
            problems.append(f"stdout differs:\n{diff}")
        stderr = err.getvalue()
        if error is not None:
            kind, _, where = error.partition(" at ")
            kind_ok = stderr.startswith(f"Error: {kind.strip()}:") or (
                kind.strip() == "Error" and stderr.startswith("Error: "))
            if not kind_ok:
                problems.append(f"expected error {kind.strip()}, stderr was:\n{stderr}")
            if where and f":{where.strip()}\n" not in stderr:
                problems.append(f"expected the error at {where.strip()}, stderr was:\n{stderr}")
            if code is None:
                code = 2 if kind.strip() == "SyntaxError" else 1
        elif code is None:
            code = 0
        for part in stderr_parts:
            if part not in stderr:
                problems.append(f"stderr lacks {part!r}; it was:\n{stderr}")
        for part in self.not_stderr:
            if part in stderr:
                problems.append(f"stderr has {part!r}; it was:\n{stderr}")
        if "Traceback (most recent call last)" in stderr:
            problems.append("a Python traceback reached the user")
        if status != code:
            problems.append(f"exit status {status}, expected {code}; stderr:\n{stderr}")
        if problems:
            raise AxFailure("\n".join(problems))

    def repr_failure(self, excinfo):
        if isinstance(excinfo.value, AxFailure):
            return f"{self.path} [{self.mode}]\n{excinfo.value}"
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, 0, f"{self.path.name} [{self.mode}]"


class AxFailure(Exception):
    pass


@pytest.fixture(autouse=True)
def _axiom_home(tmp_path_factory, monkeypatch):
    """Every test gets its own AXIOM_HOME (config and caches), never the user's."""
    home = tmp_path_factory.mktemp("axiom-home")
    monkeypatch.setenv("AXIOM_HOME", str(home))
    monkeypatch.setenv("NO_COLOR", "1")
    yield


sys.setrecursionlimit(max(sys.getrecursionlimit(), 20000))
# A JIT that fails to generate code falls back to tier 0 quietly for users; in the tests
# such a failure is a bug to see (jit.Tiers.failed).
os.environ["AXIOM_JIT_STRICT"] = "1"
sys.path.insert(0, str(Path(__file__).resolve().parent / "tests"))  # tests/support helpers

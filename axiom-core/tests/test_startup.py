"""Start-up stays lean: `axiom run hello.ax` imports no module package and nothing heavy."""

from __future__ import annotations

import os
import subprocess
import sys

HEAVY = ("polars", "numpy", "matplotlib", "llvmlite", "httpx", "pygit2", "typer", "rich",
         "pluggy", "importlib_metadata", "prompt_toolkit", "ply", "prometheus_client",
         "pygments", "pygls", "lsprotocol", "ipykernel", "jupyter_client", "zmq")
# Standard modules that cost milliseconds and that the hello path does without (signal
# handlers are set through _signal: signal's enums took 3 ms). A run right after
# config.toml was written parses it (tomllib, typing); later ones use its cached form.
SLOW_STDLIB = ("signal", "threading", "importlib.util")  # (llvmlite is found by a probe)
# Tools that only their own commands or options load.
TOOLS = ("axiom.profiler", "axiom.highlight", "axiom.lsp", "axiom.kernel", "axiom.cli.repl")


def _imported(tmp_path, source: str, runs: int = 1) -> set[str]:
    script = tmp_path / "hello.ax"
    script.write_text(source)
    env = dict(os.environ, AXIOM_HOME=str(tmp_path / "home"))
    # printed at exit (an atexit callback: the run then ends through the teardown, see
    # test_hello_ends_without_the_interpreters_teardown)
    code = ("import atexit, sys\n"
            "atexit.register(lambda: print('\\n'.join(sorted(sys.modules)), file=sys.stderr))\n"
            "from axiom.cli import main\nmain(['run', sys.argv[1]])\n")
    for _ in range(runs):
        p = subprocess.run([sys.executable, "-c", code, str(script)], capture_output=True,
                           text=True, env=env)
    assert p.stdout == "hi\n", p.stderr
    return set(p.stderr.split())


def test_hello_imports_no_module_package_and_nothing_heavy(tmp_path):
    # Second run: the entry-point index and the compiled script come from caches.
    mods = _imported(tmp_path, 'out @ "hi"\n', runs=2)
    packages = {m.split(".")[0] for m in mods}
    assert not {p for p in packages if p.startswith("axiom_") and p != "axiom_sdk"}
    assert not packages & set(HEAVY)
    assert not mods & set(TOOLS)
    assert not mods & set(SLOW_STDLIB), mods & set(SLOW_STDLIB)


def test_a_first_run_compiles_without_heavy_imports_either(tmp_path):
    # The first run ever also builds the entry-point index (importlib_metadata) and
    # compiles the script (ply); nothing else heavy.
    mods = _imported(tmp_path, 'out @ "hi"\n', runs=1)
    packages = {m.split(".")[0] for m in mods}
    assert not packages & (set(HEAVY) - {"ply", "importlib_metadata"})


def test_a_hot_loop_that_is_not_native_compiles_without_ctypes(tmp_path):
    # The native tier plans a unit before it builds one: a loop of strings (tier 1's)
    # never imports glue.py and ctypes (~4 ms); a numeric one does.
    mods = _imported(tmp_path, 'let s = []\nfor i in 0..5000 { s.push(@"x{i}") }\nout @"h{s[0][:0]}i"\n')
    assert {"axiom.jit.units", "axiom.jit.native.plan"} <= mods
    assert not mods & {"ctypes", "axiom.jit.native.glue"}, mods & {"ctypes", "axiom.jit.native.glue"}
    mods = _imported(tmp_path, 'let t = 0\nfor i in 0..5000 { t += i }\nout "hi"\n')
    assert {"ctypes", "axiom.jit.native.glue", "llvmlite"} <= mods


# The host starts a thread the interpreter's teardown waits for (not a daemon): its
# "late" line shows whether the process ended through the teardown.
_LATE = ("import sys, threading, time\n"
         "threading.Thread(target=lambda: (time.sleep(0.3), print('late', flush=True))).start()\n")


def _ends(tmp_path, source: str, before: str = "") -> subprocess.CompletedProcess[str]:
    script = tmp_path / "s.ax"
    script.write_text(source)
    env = dict(os.environ, AXIOM_HOME=str(tmp_path / "home"))
    code = _LATE + before + "from axiom.cli import main\nmain(['run', sys.argv[1]])\n"
    return subprocess.run([sys.executable, "-c", code, str(script)], capture_output=True,
                          text=True, env=env)


def test_hello_ends_without_the_interpreters_teardown(tmp_path):
    # A script that loaded no module ends with os._exit after flushing its output: the
    # host's objects are not finalized one by one (about 1 ms of a hello world). The
    # first run compiles (ply, re, ...: the teardown), the second loads the cache.
    _ends(tmp_path, 'out "hi"\n')
    p = _ends(tmp_path, 'out "hi"\n')
    assert (p.stdout, p.stderr, p.returncode) == ("hi\n", "", 0)
    _ends(tmp_path, 'throw "x"\n')
    p = _ends(tmp_path, 'throw "x"\n')  # its report is written, and the status kept
    assert (p.stdout, p.returncode) == ("", 1)
    assert p.stderr.startswith("Error: Error: x\n"), p.stderr


def test_a_run_that_needs_the_teardown_gets_it(tmp_path):
    # A module imported (its files or threads may need closing), or an atexit callback:
    # the interpreter ends as usual.
    p = _ends(tmp_path, 'import mth\nout mth.floor(2.5)\n')
    assert (p.stdout, p.stderr, p.returncode) == ("2\nlate\n", "", 0)
    p = _ends(tmp_path, 'out "hi"\n', "import atexit\natexit.register(print, 'bye')\n")
    assert (p.stdout, p.stderr, p.returncode) == ("hi\nlate\nbye\n", "", 0)

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
    code = ("import sys\nfrom axiom.cli import main\n"
            "try:\n    main(['run', sys.argv[1]])\nexcept SystemExit:\n    pass\n"
            "print('\\n'.join(sorted(sys.modules)), file=sys.stderr)\n")
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

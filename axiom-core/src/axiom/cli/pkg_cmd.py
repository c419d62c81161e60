"""`axiom pkg install|uninstall|list`: module distributions in the running environment.

`axiom pkg install matrix-lib/0.2.0` installs distribution `axiom-matrix-lib==0.2.0`;
a local folder or wheel is installed as given. The installer is `uv pip` when uv is on
PATH (uv environments have no pip), else `python -m pip`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from typing import Annotated

import typer

app = typer.Typer(help="Install and remove Axiom module distributions.", no_args_is_help=True,
                  pretty_exceptions_enable=False)


def requirement(spec: str) -> str:
    """`NAME[/VERSION]` -> a pip requirement; paths and wheels pass through."""
    if os.path.exists(spec) or spec.endswith(".whl"):
        return os.path.abspath(spec)
    name, _, version = spec.partition("/")
    name = name.strip().lower().replace("_", "-")
    if not name or not all(c.isalnum() or c in "-." for c in name):
        raise typer.BadParameter(f"not a module name: {spec!r} (expected NAME or NAME/VERSION)")
    dist = name if name.startswith("axiom-") else f"axiom-{name}"
    return f"{dist}=={version}" if version else dist


def installer(action: str) -> list[str]:
    uv = shutil.which("uv")
    if uv:
        return [uv, "pip", action, "--python", sys.executable]
    return [sys.executable, "-m", "pip", action] + (["-y"] if action == "uninstall" else [])


def _run(cmd: list[str]) -> int:
    sys.stderr.write("axiom: " + " ".join(cmd) + "\n")
    try:
        return subprocess.run(cmd).returncode
    except FileNotFoundError as e:
        sys.stderr.write(f"axiom: cannot run the installer: {e}\n")
        return 1


@app.command()
def install(specs: Annotated[list[str], typer.Argument(metavar="SPEC...", help="NAME, NAME/VERSION, a folder or a wheel.")]) -> None:
    """Install module distributions into the running environment."""
    code = _run(installer("install") + [requirement(s) for s in specs])
    raise typer.Exit(0 if code == 0 else 1)


@app.command()
def uninstall(names: Annotated[list[str], typer.Argument(metavar="NAME...", help="Module names (or distribution names).")]) -> None:
    """Remove module distributions from the running environment."""
    code = _run(installer("uninstall") + [requirement(n) for n in names])
    raise typer.Exit(0 if code == 0 else 1)


@app.command("list")
def list_() -> None:
    """List the installed distributions that provide Axiom modules."""
    from ..loader import Index
    mods = Index.load().modules
    seen: dict[str, tuple[str, list[str]]] = {}
    for name, e in sorted(mods.items()):
        seen.setdefault(e["dist"], (e["version"], []))[1].append(name)
    for dist, (version, names) in sorted(seen.items()):
        print(f"{dist} {version}  ({', '.join(names)})")
    raise typer.Exit(0)

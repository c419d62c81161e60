"""`axiom new module NAME`: scaffold a third-party module project from the template.

The template is `plugins-template/` (shipped in the wheel as `axiom/_template`); every
`example` in paths and text becomes NAME (`axiom_example` -> `axiom_NAME`,
`axiom-example` -> `axiom-NAME`).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(help="Create new projects.", no_args_is_help=True, pretty_exceptions_enable=False)


def template_dir() -> Path:
    here = Path(__file__).resolve().parent.parent
    for candidate in (here / "_template", here.parents[2] / "plugins-template"):
        if (candidate / "pyproject.toml").is_file():
            return candidate
    raise FileNotFoundError("the module template is missing from this installation")


def scaffold(name: str, dest: Path) -> Path:
    """Copy the template to `dest`, renamed for module `name`; returns the project folder."""
    src = template_dir()
    dist = name.replace("_", "-")
    if dest.exists() and any(dest.iterdir()):
        raise FileExistsError(f"{dest} exists and is not empty")
    for path in sorted(src.rglob("*")):
        rel = path.relative_to(src)
        if any(part in ("__pycache__", ".venv", "dist", "build") or part.endswith(".egg-info")
               for part in rel.parts):
            continue
        target = dest / Path(*[_rename(p, name) for p in rel.parts])
        if path.is_dir():
            target.mkdir(parents=True, exist_ok=True)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        text = path.read_text(encoding="utf-8").replace("axiom-example", f"axiom-{dist}")
        target.write_text(_rename(text, name), encoding="utf-8")
    return dest


def _rename(text: str, name: str) -> str:
    """`example` as a word or after `axiom_`/`test_` becomes the module's name."""
    return re.sub(r"(?<![A-Za-z])example(?![A-Za-z])", name, text)


@app.command("module")
def module(name: Annotated[str, typer.Argument(metavar="NAME", help="The module's import name, e.g. matrix_lib.")],
           directory: Annotated[Path | None, typer.Option("--dir", metavar="DIR", help="Where to create the project "
                                                          "(default: ./axiom-NAME).")] = None) -> None:
    """Create a module project (pyproject with the entry point, source, tests, README)."""
    if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
        sys.stderr.write(f"axiom: {name!r} is not a module name (lower-case letters, digits, _)\n")
        raise typer.Exit(2)
    dest = directory or Path(f"axiom-{name.replace('_', '-')}")
    try:
        scaffold(name, dest)
    except (OSError, FileExistsError) as e:
        sys.stderr.write(f"axiom: {e}\n")
        raise typer.Exit(1) from None
    where = str(dest) if dest.is_absolute() else f"./{dest}"
    # `pip install -e .` would install into whatever pip comes first on PATH; `axiom pkg
    # install` installs into the environment this axiom runs in.
    print(f"Created {where}/\n"
          f"Install it into this Axiom with: axiom pkg install {where}\n"
          f"then see it with:                axiom mod info {name}")
    raise typer.Exit(0)

"""`axiom chk FILE|DIR... [--format text|json]`: the static checker (chk.py).

Diagnostics are the command's output, so they go to stdout (as ruff's and pyflakes'
do): one block each, then a summary line; `--format json` prints a JSON list instead.
Exit status: 1 when there is an error, 0 with only warnings or none, 2 for a usage error.
"""

from __future__ import annotations

import json
import os
import sys
from enum import StrEnum
from typing import Annotated

import typer


class OutputFormat(StrEnum):
    text = "text"
    json = "json"


def register(app: typer.Typer) -> None:
    @app.command("chk")
    def chk(
        paths: Annotated[list[str], typer.Argument(
            help="The .ax files to check, or folders to check every .ax file in.",
            metavar="PATH")],
        output: Annotated[OutputFormat, typer.Option(
            "--format", help="Print diagnostics as text blocks or as a JSON list.",
            metavar="text|json", case_sensitive=False)] = OutputFormat.text,
    ) -> None:
        """Check scripts for mistakes without running them (docs/chk.md lists the codes)."""
        raise typer.Exit(check(paths, output.value))


def check(paths: list[str], output: str) -> int:
    from .. import chk, conf
    try:
        files = chk.ax_files(paths)
    except FileNotFoundError as e:
        sys.stderr.write(f"axiom chk: no such file or directory: {e.args[0]}\n")
        return 2
    crashed = False
    settings = conf.load()  # a broken config.toml: reported by the app (exit 2)
    diags = []
    for f in files:
        try:
            diags += chk.check_file(f, settings)
        except Exception as e:  # a bug in the checker: say so, and check the other files
            if os.environ.get("AXIOM_DEBUG") == "1":
                raise
            sys.stderr.write(f"axiom chk: internal error on {f}: {type(e).__name__}: {e}. This is "
                             "a bug in Axiom: please report it with the file.\n")
            crashed = True
    if output == "json":
        print(json.dumps([d.as_json() for d in diags], indent=2, ensure_ascii=False))
    else:
        colour = chk.use_colour(sys.stdout)
        out = sys.stdout
        for d in diags:
            out.write(chk.render(d, colour))
        out.write(chk.summary(diags, len(files)))
    return 1 if crashed or any(d.severity == "error" for d in diags) else 0

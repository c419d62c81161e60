"""`axiom chk FILE|DIR... [--format text|json]`: the static checker (chk.py).

Diagnostics are the command's output, so they go to stdout (as ruff's and pyflakes'
do): one block each, then a summary line; `--format json` prints a JSON list instead.
Exit status: 1 when there is an error, 0 with only warnings or none, 2 for a usage error.
"""

from __future__ import annotations

import json
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
            case_sensitive=False)] = OutputFormat.text,
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
    try:
        settings = conf.load()
    except conf.ConfigError as e:
        sys.stderr.write(f"axiom chk: bad configuration: {e}\n")
        return 2
    diags = [d for f in files for d in chk.check_file(f, settings)]
    if output == "json":
        print(json.dumps([d.as_json() for d in diags], indent=2, ensure_ascii=False))
    else:
        colour = chk.use_colour(sys.stdout)
        out = sys.stdout
        for d in diags:
            out.write(chk.render(d, colour))
        out.write(chk.summary(diags, len(files)))
    return 1 if any(d.severity == "error" for d in diags) else 0

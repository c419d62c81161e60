"""Typer commands over the language: run (help and forwarding), build, dis."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    @app.command("run", context_settings={"allow_extra_args": True, "ignore_unknown_options": True,
                                          "help_option_names": []})
    def run(ctx: typer.Context) -> None:
        """Run a script: axiom run [OPTIONS] FILE [--] [ARGS...] (axiom run --help for options)."""
        from .run import main
        raise typer.Exit(main(list(ctx.args)))

    @app.command("build")
    def build(file: Annotated[Path, typer.Argument(help="The .ax script to compile.")]) -> None:
        """Compile FILE.ax to FILE.axc (run it with `axiom run FILE.axc`)."""
        raise typer.Exit(build_file(file))

    @app.command("dis")
    def dis(file: Annotated[Path, typer.Argument(help="The .ax script (or .axc) to disassemble.")]) -> None:
        """Print the bytecode of FILE: offset, line, instruction, operand."""
        raise typer.Exit(dis_file(file))

    @app.command("repl")
    def repl_cmd() -> None:
        """Start the interactive prompt (also plain `axiom`)."""
        from .repl import repl
        raise typer.Exit(repl())


def _load(file: Path, settings_override: dict[str, object] | None = None) -> object:
    from .. import conf
    from ..runtime import Runtime
    settings = conf.load()
    settings["bytecode_cache"] = False
    rt = Runtime(settings=settings)
    if file.suffix == ".axc":
        return rt.load_compiled(file)
    return rt.load_script(file)


def build_file(file: Path) -> int:
    from axiom_sdk import AxiomError

    from .. import conf
    from ..errors import render
    from ..runtime import Runtime
    rt = Runtime(settings=conf.load())
    try:
        text = rt.read_source(file)
        code = rt.compile(text, str(file))
    except AxiomError as e:
        sys.stderr.write(render(e))
        return 2
    out = file.with_suffix(".axc")
    if not conf.write_atomic(str(out), rt.compiled_bytes(code, text)):
        sys.stderr.write(f"axiom: cannot write {out}\n")
        return 1
    print(f"wrote {out}")
    return 0


def dis_file(file: Path) -> int:
    from axiom_sdk import AxiomError

    from ..bytecode import disassemble
    from ..errors import render
    try:
        code = _load(file)
    except AxiomError as e:
        sys.stderr.write(render(e))
        return 2 if e.kind == "SyntaxError" else 1
    print("\n".join(disassemble(code)))  # type: ignore[arg-type]
    return 0

"""The typer application: every subcommand except the `run` fast path.

One typer app per command group, joined with add_typer. Commands are thin: they call
the runtime, loader or conf and end with `raise typer.Exit(code)`. Program output goes
to stdout untouched; diagnostics go to stderr (plain text off a terminal or under
NO_COLOR).
"""

from __future__ import annotations

from typing import Annotated

import typer

from .. import __version__
from . import conf_cmd, mod_cmd, new_cmd, pkg_cmd, tools_cmd

app = typer.Typer(
    name="axiom",
    help="Axiom: a scripting language with batteries.",
    no_args_is_help=False,
    invoke_without_command=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(mod_cmd.app, name="mod")
app.add_typer(pkg_cmd.app, name="pkg")
app.add_typer(conf_cmd.app, name="conf")
app.add_typer(new_cmd.app, name="new")
tools_cmd.register(app)


def _version(value: bool) -> None:
    if value:
        print(f"axiom {__version__}")
        raise typer.Exit(0)


@app.callback()
def root(
    ctx: typer.Context,
    version: Annotated[bool, typer.Option("--version", "-V", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    """Axiom: a scripting language with batteries. `axiom FILE` runs a script; plain
    `axiom` starts the REPL."""
    if ctx.invoked_subcommand is None:
        from .repl import repl
        raise typer.Exit(repl())


def run_app(args: list[str]) -> None:
    _load_plugin_commands()
    try:
        app(args=args, prog_name="axiom", standalone_mode=True)
    except SystemExit as e:
        raise SystemExit(_usage_code(e.code)) from None


def _usage_code(code: object) -> int:
    if code is None:
        return 0
    return code if isinstance(code, int) else 1


def _load_plugin_commands() -> None:
    """Subcommands from `axiom.plugins` (pluggy hook axiom_cli_commands)."""
    from ..loader import plugins_installed
    if not plugins_installed():
        return
    from ..plugins import manager
    for pairs in manager().hook.axiom_cli_commands():
        for name, typer_app in pairs or ():
            app.add_typer(typer_app, name=name)

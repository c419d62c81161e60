"""The typer application: every subcommand except the `run` fast path.

One typer app per command group, joined with add_typer. Commands are thin: they call
the runtime, loader or conf and end with `raise typer.Exit(code)`. Program output goes
to stdout untouched; diagnostics go to stderr (plain text off a terminal or under
NO_COLOR).
"""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer
import typer.main
from typer.core import TyperArgument

from .. import __version__
from . import chk_cmd, conf_cmd, fmt_cmd, kernel_cmd, lsp_cmd, mod_cmd, new_cmd, pkg_cmd, tools_cmd

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
app.add_typer(kernel_cmd.app, name="kernel")
tools_cmd.register(app)
chk_cmd.register(app)
fmt_cmd.register(app)
lsp_cmd.register(app)


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
    from .. import conf
    _load_plugin_commands()
    command = typer.main.get_command(app)
    tidy_help(command)
    try:
        command.main(args=args, prog_name="axiom", standalone_mode=True)
    except SystemExit as e:
        raise SystemExit(_usage_code(e.code)) from None
    except conf.ConfigError as e:  # a broken config.toml: every command but `run` stops
        sys.stderr.write(f"axiom: {e}\n")
        raise SystemExit(2) from None


class _Argument(TyperArgument):
    """An argument as Axiom's help shows it: `FILE`, `[NAME]`, `SPEC...` in the usage
    line, without typer's `{name}` braces and `<type>` column."""

    def _label(self) -> str:
        label = self.metavar or (self.name or "").upper()
        return label if self.nargs == 1 or label.endswith("...") else label + "..."

    def _usage_display_name(self) -> str:
        return self._label() if self.required else f"[{self._label()}]"

    def _rich_display_name(self) -> str:
        return self._label()

    def display_type_rich(self, ctx: Any) -> str | None:
        return None

    def make_metavar(self, ctx: Any = None) -> str:
        return self._usage_display_name()


def tidy_help(command: Any, parent: Any = None) -> None:
    """Show a placeholder in help only where a value is typed: flags (and -h/--help) get
    no `<bool>`, arguments show their metavar (`SPEC...`) instead of `<list[str]>` and
    `{specs}...`. Walks the command tree once, with each command's context (so each
    gets the help option it will use)."""
    ctx = typer.Context(command, parent=parent, info_name=command.name or "axiom",
                        **(command.context_settings or {}))
    help_option = command.get_help_option(ctx)
    for param in [*command.params, *([help_option] if help_option is not None else [])]:
        if isinstance(param, TyperArgument):
            param.__class__ = _Argument
            param.metavar = param._label()  # type: ignore[attr-defined]
        elif getattr(param, "is_flag", False):
            param.metavar = ""
        elif param.metavar is None:
            param.metavar = (param.name or "").upper()
    for sub in getattr(command, "commands", {}).values():
        tidy_help(sub, ctx)


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

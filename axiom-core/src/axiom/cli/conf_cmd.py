"""`axiom conf show|get|set|path` over `~/.axiom/config.toml` (AXIOM_HOME overrides).

A config file with a problem makes `show` and `get` (like every command but `run`) fail
with `axiom: PATH:LINE: message` and status 2; `set` says what is wrong and rewrites the
file with the settings that could be read, keeping the old one as config.toml.bak.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from .. import conf

app = typer.Typer(help="Show and change Axiom's configuration.", no_args_is_help=True,
                  pretty_exceptions_enable=False)


@app.command()
def show() -> None:
    """Print every setting as TOML."""
    print(conf.render(conf.load()), end="")
    raise typer.Exit(0)


@app.command()
def get(key: Annotated[str, typer.Argument(metavar="KEY", help="The setting's name.")]) -> None:
    """Print one setting's value."""
    settings = conf.load()
    if key not in settings:
        try:
            conf.check(key, None)
        except conf.ConfigError as e:
            sys.stderr.write(f"axiom: {e}\n")
        raise typer.Exit(1)
    print(conf._toml_value(settings[key]).strip('"'))
    raise typer.Exit(0)


# Negative numbers (`conf set max_call_depth -5`) are values, not options.
@app.command("set", context_settings={"ignore_unknown_options": True})
def set_(key: Annotated[str, typer.Argument(metavar="KEY", help="The setting's name.")],
         values: Annotated[list[str], typer.Argument(
             metavar="VALUE...",
             help='The new value. A list setting takes several values or one TOML list: '
                  'module_paths lib ~/ax, or module_paths \'["lib", "~/ax"]\'.')]) -> None:
    """Change one setting in config.toml."""
    try:
        _, problems = conf.set_value(key, values)
    except conf.ConfigError as e:
        sys.stderr.write(f"axiom: {e}\n")
        raise typer.Exit(1) from None
    if problems:
        for problem in problems:
            sys.stderr.write(f"axiom: {problem}\n")
        sys.stderr.write(f"axiom: rewrote {conf.path()} with the settings that could be read and "
                         f"the new {key}; the old file is kept as {conf.path()}.bak\n")
    raise typer.Exit(0)


@app.command()
def path() -> None:
    """Print the configuration file's path."""
    print(conf.path())
    raise typer.Exit(0)

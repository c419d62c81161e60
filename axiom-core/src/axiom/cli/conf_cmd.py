"""`axiom conf show|get|set|path` over `~/.axiom/config.toml` (AXIOM_HOME overrides)."""

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
def get(key: Annotated[str, typer.Argument(help="The setting's name.")]) -> None:
    """Print one setting's value."""
    settings = conf.load()
    if key not in settings:
        sys.stderr.write(f"axiom: unknown setting {key!r}\n")
        raise typer.Exit(1)
    print(conf._toml_value(settings[key]).strip('"'))
    raise typer.Exit(0)


@app.command("set")
def set_(key: Annotated[str, typer.Argument(help="The setting's name.")],
         value: Annotated[str, typer.Argument(help="The new value.")]) -> None:
    """Change one setting in config.toml."""
    try:
        conf.set_value(key, value)
    except conf.ConfigError as e:
        sys.stderr.write(f"axiom: {e}\n")
        raise typer.Exit(1) from None
    raise typer.Exit(0)


@app.command()
def path() -> None:
    """Print the configuration file's path."""
    print(conf.path())
    raise typer.Exit(0)

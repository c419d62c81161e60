"""The `axiom` command.

`main()` looks at sys.argv first: `axiom run FILE ...`, `axiom FILE ...` and
`axiom --version` take a fast path (run.py) that imports neither typer nor rich nor
pluggy — typer alone costs ~300 ms a call. Every other subcommand goes to the typer app
in app.py. Exit codes: 0 ok, 1 runtime error or failure, 2 usage or syntax error.

`axiom WORD ...` runs WORD as a script when it ends in .ax/.axc, or when it is an
existing file and not a command's name: so an executable file starting with
`#!/usr/bin/env axiom` runs as `./tool`, without the .ax.
"""

from __future__ import annotations

import os
import sys

COMMANDS = frozenset({"run", "build", "chk", "fmt", "dis", "repl", "mod", "pkg", "conf", "new",
                      "lsp", "kernel"})


def is_script(word: str) -> bool:
    """Whether `axiom WORD` means `axiom run WORD` (`axiom -` reads standard input)."""
    if word.startswith("-"):
        return word == "-"
    if word.endswith((".ax", ".axc")):
        return True
    return word not in COMMANDS and os.path.isfile(word) and word not in _plugin_commands()


def _plugin_commands() -> set[str]:
    """The subcommands plugins add (only looked at when a plugin is installed)."""
    from ..loader import plugins_installed
    if not plugins_installed():
        return set()
    from ..plugins import manager
    return {name for pairs in manager().hook.axiom_cli_commands() for name, _ in pairs or ()}


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if args and args[0] in ("--version", "-V"):
        from .. import __version__
        print(f"axiom {__version__}")
        sys.exit(0)
    if args and (args[0] == "run" or is_script(args[0])):
        rest = args[1:] if args[0] == "run" else args
        if "--help" not in rest[:1] and "-h" not in rest[:1]:
            import gc
            gc.disable()  # no collections while start-up imports (run's _tune_collector enables it)
            from .run import main as run_main
            from .run import quick_exit
            code = run_main(rest)
            quick_exit(code)  # returns when the run needs the interpreter's teardown
            sys.exit(code)
    from .app import run_app
    run_app(args)

"""The `axiom` command.

`main()` looks at sys.argv first: `axiom run FILE ...`, `axiom FILE ...` and
`axiom --version` take a fast path (run.py) that imports neither typer nor rich nor
pluggy — typer alone costs ~300 ms a call. Every other subcommand goes to the typer app
in app.py. Exit codes: 0 ok, 1 runtime error or failure, 2 usage or syntax error.
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if args and args[0] in ("--version", "-V"):
        from .. import __version__
        print(f"axiom {__version__}")
        sys.exit(0)
    if args and (args[0] == "run" or (args[0].endswith((".ax", ".axc")) and not args[0].startswith("-"))):
        rest = args[1:] if args[0] == "run" else args
        if "--help" not in rest[:1] and "-h" not in rest[:1]:
            from .run import main as run_main
            sys.exit(run_main(rest))
    from .app import run_app
    run_app(args)

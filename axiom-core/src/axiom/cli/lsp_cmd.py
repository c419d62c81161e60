"""`axiom lsp`: the language server, over stdin and stdout (lsp/server.py).

Editors start it themselves (docs/editors.md). pygls comes with the extra
`axiom-core[lsp]`, which `axiom-lang` installs by default.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    @app.command("lsp")
    def lsp(
        stdio: Annotated[bool, typer.Option("--stdio", help="Talk LSP over stdin and stdout: the "
                                            "only transport, also the default (editors' generic "
                                            "clients pass this flag).")] = True,
    ) -> None:
        """Start the language server (diagnostics, hover, definitions, completion, symbols
        and formatting) for an editor, over stdin and stdout."""
        try:
            from ..lsp.server import main
        except ImportError as e:
            sys.stderr.write(f"axiom: the language server needs pygls ({e.name} is not installed): "
                             "pip install 'axiom-core[lsp]'\n")
            raise typer.Exit(1) from None
        main()
        raise typer.Exit(0)

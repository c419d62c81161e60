"""`axiom kernel install [--user] [--prefix PATH]`: register Axiom's Jupyter kernel.

The kernel itself is axiom.kernel (the optional extra `axiom-core[jupyter]`, which pulls
ipykernel); this command writes its kernelspec so that Jupyter lists "Axiom".
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

app = typer.Typer(help="Axiom's Jupyter kernel.", no_args_is_help=True,
                  pretty_exceptions_enable=False)

_EXTRA = "pip install 'axiom-core[jupyter]'"


@app.command("install")
def install(
    user: Annotated[bool, typer.Option("--user", help="Install for the current user only (in "
                                       "Jupyter's user data folder) rather than system-wide.")] = False,
    prefix: Annotated[str | None, typer.Option("--prefix", metavar="PATH", help="Install under "
                                               "PATH (for example a virtual environment's "
                                               "sys.prefix) instead.")] = None,
    name: Annotated[str, typer.Option("--name", metavar="NAME", help="The kernel's name in "
                                      "Jupyter.")] = "axiom",
) -> None:
    """Write the kernelspec so that Jupyter (Lab, Notebook, nbclient, VS Code) offers Axiom."""
    try:
        import ipykernel  # noqa: F401  (the kernel needs it to run)

        from ..kernel.spec import install as install_spec
        where = install_spec(user=user, prefix=prefix, name=name)
    except ImportError:
        sys.stderr.write(f"axiom: the Jupyter kernel needs ipykernel, which is not installed: {_EXTRA}\n")
        raise typer.Exit(1) from None
    except OSError as e:
        hint = " (try --user)" if not user and prefix is None else ""
        sys.stderr.write(f"axiom: cannot install the kernelspec: {e.strerror or e}{hint}\n")
        raise typer.Exit(1) from None
    print(f"Installed the Axiom kernel ({name}) in {where}")
    raise typer.Exit(0)

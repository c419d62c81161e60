"""`axiom mod list` and `axiom mod info NAME`."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Annotated, Any

import typer

app = typer.Typer(help="Inspect installed Axiom modules.", no_args_is_help=True,
                  pretty_exceptions_enable=False)


def _probe() -> list[dict[str, Any]]:
    """Each module's state, from a child process so that this one imports none of them."""
    import ast
    p = subprocess.run([sys.executable, "-m", "axiom.loader"], capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(p.stderr.strip() or "module probe failed")
    return list(ast.literal_eval(p.stdout))


@app.command("list")
def list_(as_json: Annotated[bool, typer.Option("--json", help="Print the list as JSON.")] = False) -> None:
    """List installed modules: name, distribution, version, state and export count."""
    rows = _probe()
    if as_json:
        print(json.dumps(rows, indent=2))
        raise typer.Exit(0)
    header = ("NAME", "DISTRIBUTION", "VERSION", "STATE", "EXPORTS", "SUMMARY")
    table = [header] + [
        (r["name"], r["dist"], r["version"],
         r["state"] if r["state"] == "ok" else f"broken: {r.get('reason', '')}",
         str(r["exports"]), r["summary"]) for r in rows]
    widths = [max(len(row[i]) for row in table) for i in range(4)]
    for row in table:
        state = row[3]
        cells = [row[i].ljust(widths[i]) for i in range(3)]
        if state.startswith("broken"):
            print("  ".join(cells) + "  " + state)
        else:
            print("  ".join(cells) + "  " + state.ljust(widths[3]) + "  " + row[4].rjust(7) + "  " + row[5])
    raise typer.Exit(0)


@app.command("info")
def info(name: Annotated[str, typer.Argument(help="The module's name, as imported (e.g. mth).")]) -> None:
    """Show a module's version, exports with signatures and docs, and capabilities."""
    from axiom_sdk import AxiomError

    from ..loader import Loader
    loader = Loader()
    try:
        mod = loader.find(name)
        if mod is None:
            raise loader.not_found(name, [])
    except AxiomError as e:
        sys.stderr.write(f"axiom: {e.kind}: {e.message}\n")
        raise typer.Exit(1) from None
    print(describe(mod, loader.index.modules.get(name, {})))
    raise typer.Exit(0)


def describe(mod: Any, entry: dict[str, str]) -> str:
    """The text of `axiom mod info` for a loaded module."""
    from axiom_sdk import Module
    name, version = mod.metadata()
    title = getattr(mod, "title", "") or name
    lines = [f"Module: {name} ({title})"]
    dist = entry.get("dist", "")
    lines.append(f"Version: {version}" + (f" (distribution {dist})" if dist else ""))
    summary = getattr(mod, "summary", "") or entry.get("summary", "")
    if summary:
        lines.append(f"Summary: {summary}")
    exports: list[tuple[str, str]] = []
    consts: list[tuple[str, str]] = []
    types: list[str] = []
    for sym in mod.list_exports():
        if isinstance(mod, Module):
            sig, doc = mod.describe(sym)
        else:
            sig, doc = sym, ""
        (consts if " = " in sig else exports).append((sig, doc))
    if isinstance(mod, Module):
        caps = mod.capabilities()
        types = [t.name for t in mod.foreign_types]
    else:
        caps = []
    lines.append("Capabilities: " + (", ".join(caps) if caps else "none"))
    if types:
        lines.append("Types: " + ", ".join(types))
    lines.append(f"Exports ({len(exports)}):" if exports else "Exports: none")
    width = max((len(s) for s, _ in exports), default=0)
    for sig, doc in exports:
        lines.append(f"  {sig.ljust(width)}  {doc}".rstrip())
    if consts:
        lines.append("Constants:")
        for sig, doc in consts:
            lines.append(f"  {sig}" + (f"  — {doc}" if doc else ""))
    return "\n".join(lines)

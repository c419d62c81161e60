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
def info(name: Annotated[str, typer.Argument(
        metavar="NAME", help="A module's name, as imported (e.g. mth), or one of its exports or "
                             "types (e.g. web.http_get, web.response).")],
         markdown: Annotated[bool, typer.Option(
             "--markdown", help="Print the module's reference page in Markdown: its README's "
                                "prose, then every export, constant and type with its "
                                "signature, types, defaults, capabilities and docs.")] = False) -> None:
    """Show a module's version, exports with signatures and docs, types and capabilities."""
    from axiom_sdk import AxiomError

    from ..loader import Loader
    module_name, _, member = name.partition(".")
    loader = Loader()
    try:
        mod = loader.find(module_name)
        if mod is None:
            raise loader.not_found(module_name, [])
        entry = loader.index.modules.get(module_name, {})
        if markdown:
            if member:
                raise AxiomError("ValueError", "--markdown documents a whole module: give its "
                                               f"name ({module_name}), not {name}")
            from .mod_doc import page, readme_of
            text = page(mod, entry, readme_of(entry.get("dist", ""))).rstrip("\n")
        else:
            text = describe_member(mod, member) if member else describe(mod, entry)
    except AxiomError as e:
        sys.stderr.write(f"axiom: {e.kind}: {e.message}\n")
        raise typer.Exit(1) from None
    print(text)
    raise typer.Exit(0)


def _width() -> int:
    """The terminal's width (COLUMNS when set; 100 off a terminal), at least 40."""
    import shutil
    return max(40, shutil.get_terminal_size((100, 24)).columns)


def table(rows: list[tuple[str, str]], indent: int, width: int) -> list[str]:
    """Two columns, `left  doc`, the doc wrapped at word boundaries within `width`; when
    the left column leaves less than a third of the width for the docs, each doc goes on
    the lines below its row instead."""
    import textwrap
    col = max((len(left) for left, _ in rows), default=0)
    room = width - indent - col - 2
    columns = room >= max(30, width // 3)  # else every doc goes on the lines below its row
    out: list[str] = []
    for left, doc in rows:
        if columns:
            wrapped = textwrap.wrap(doc, room) or [""]
            out.append((" " * indent + left.ljust(col) + "  " + wrapped[0]).rstrip())
            out += [" " * (indent + col + 2) + w for w in wrapped[1:]]
            continue
        out += textwrap.wrap(left, width, initial_indent=" " * indent,
                             subsequent_indent=" " * (indent + 8), break_long_words=False,
                             break_on_hyphens=False)
        out += textwrap.wrap(doc, width, initial_indent=" " * (indent + 4),
                             subsequent_indent=" " * (indent + 4))
    return out


def _summary(doc: str) -> str:
    """A docstring's first paragraph on one line."""
    return " ".join((doc or "").strip().split("\n\n")[0].split())


def type_rows(info: Any) -> list[tuple[str, str]]:
    """`response.status`, `task.join(timeout: float=nil) -> any`: what scripts can use of a
    module's type, with the methods' docs."""
    rows: list[tuple[str, str]] = [(f"{info.name}.{attr}", "") for attr in sorted(info.attrs)]
    for mname, method in info.methods.items():
        sig = method.signature() if hasattr(method, "signature") else f"{mname}()"
        rows.append((f"{info.name}.{sig}", getattr(method, "summary", "")))
    return rows


def describe(mod: Any, entry: dict[str, str], width: int | None = None) -> str:
    """The text of `axiom mod info` for a loaded module."""
    import textwrap

    from axiom_sdk import Module
    width = width or _width()
    name, version = mod.metadata()
    title = getattr(mod, "title", "") or name
    lines = [f"Module: {name} ({title})"]
    dist = entry.get("dist", "")
    lines.append(f"Version: {version}" + (f" (distribution {dist})" if dist else ""))
    summary = getattr(mod, "summary", "") or entry.get("summary", "")
    if summary:
        lines += textwrap.wrap(f"Summary: {summary}", width, subsequent_indent="  ")
    exports: list[tuple[str, str]] = []
    consts: list[tuple[str, str]] = []
    for sym in mod.list_exports():
        if isinstance(mod, Module):
            sig, doc = mod.describe(sym)
        else:
            sig, doc = sym, ""
        (consts if " = " in sig else exports).append((sig, doc))
    caps = mod.capabilities() if isinstance(mod, Module) else []
    types = list(mod.foreign_types) if isinstance(mod, Module) else []
    lines.append("Capabilities: " + (", ".join(caps) if caps else "none"))
    lines.append(f"Exports ({len(exports)}):" if exports else "Exports: none")
    lines += table(exports, 2, width)
    if consts:
        lines.append("Constants:")
        lines += table(consts, 2, width)
    if types:
        lines.append(f"Types ({len(types)}):")
        for t in types:
            lines += table([(t.name, _summary(_type_doc(mod, t)))], 2, width)
            lines += table(type_rows(t), 4, width)
    return "\n".join(lines)


def _type_doc(mod: Any, info: Any) -> str:
    """The docstring of the class behind a foreign type: found among the classes of the
    Python modules that define the module's functions and methods."""
    fns = [getattr(sym, "fn", None) for sym in getattr(mod, "_symbols", {}).values()]
    for t in getattr(mod, "foreign_types", ()):
        fns += [getattr(m, "fn", None) for m in t.methods.values()]
    for modname in dict.fromkeys(getattr(fn, "__module__", None) for fn in fns):
        for obj in vars(sys.modules.get(modname or "", sys)).values():
            if isinstance(obj, type) and obj.__dict__.get("__axiom_foreign__") is info:
                return obj.__doc__ or ""
    return ""


def describe_member(mod: Any, member: str, width: int | None = None) -> str:
    """`axiom mod info web.http_get`: one export (its whole doc), constant or type."""
    import textwrap

    from axiom_sdk import AxiomError, Module
    width = width or _width()
    name = mod.metadata()[0]
    types = {t.name: t for t in getattr(mod, "foreign_types", ())}
    if member in types:
        t = types[member]
        lines = [f"Type: {name}.{member}"]
        doc = _type_doc(mod, t)
        if doc:
            lines += [""] + _paragraphs(doc, width)
        rows = type_rows(t)
        if rows:
            lines += ["", "Members:"] + table(rows, 2, width)
        return "\n".join(lines)
    if not isinstance(mod, Module) or member not in mod.list_exports():
        import difflib
        names = [*mod.list_exports(), *types]
        near = difflib.get_close_matches(member, names, 3)
        hint = f" (did you mean {', '.join(near)}?)" if near else ""
        raise AxiomError("SymbolNotFound", f"module '{name}' has no export or type '{member}'{hint}")
    sig, summary = mod.describe(member)
    sym = mod._symbols[member]
    lines = textwrap.wrap(f"{name}.{sig}", width, subsequent_indent="    ", break_long_words=False,
                          break_on_hyphens=False)
    doc = getattr(sym, "doc", "") or summary
    if doc:
        lines += [""] + _paragraphs(doc, width)
    needs = sorted({cap for cap, _ in getattr(sym, "needs", ())})
    if needs:
        lines += ["", "Capabilities: " + ", ".join(needs)]
    returns = getattr(sym, "returns", "")
    if returns in types:
        lines += ["", f"Returns a {returns}:"] + table(type_rows(types[returns]), 2, width)
    return "\n".join(lines)


def _paragraphs(doc: str, width: int) -> list[str]:
    """A docstring's paragraphs, each wrapped at word boundaries, blank lines between."""
    import inspect
    import textwrap
    out: list[str] = []
    for para in inspect.cleandoc(doc).split("\n\n"):
        if out:
            out.append("")
        out += textwrap.wrap(" ".join(para.split()), width) or [""]
    return out

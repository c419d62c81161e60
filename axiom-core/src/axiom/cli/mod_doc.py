"""`axiom mod info NAME --markdown`: a module's reference page in Markdown.

Made from what the SDK records for each export (signature, parameter types and
defaults, return type, capabilities, docstring), the module's constants and foreign
types (attributes, methods, operators), and the prose of the module's README (the
distribution's long description). The documentation site builds one page per standard
module with `page()`; a third-party author gets the same page with `axiom mod info NAME
--markdown`, so nothing is documented twice.
"""

from __future__ import annotations

import inspect
import re
from typing import Any

from . import mod_cmd

# How a foreign type's operators read in its member table.
_OPS = {"+": "`a + b`", "-": "`a - b`", "*": "`a * b`", "/": "`a / b`", "%": "`a % b`",
        "==": "`a == b`", "<": "`a < b` (and the other orderings)", "neg": "`-a`",
        "index": "`a[i]`", "setindex": "`a[i] = v`", "len": "`len(a)`",
        "iter": "`for x in a`", "in": "`x in a`"}


def page(mod: Any, entry: dict[str, str] | None = None, readme: str | None = None) -> str:
    """The Markdown reference page of a loaded module. `entry` is its loader index entry
    (distribution and version); `readme` the README text (None: none)."""
    from axiom_sdk import Module
    entry = entry or {}
    name, version = mod.metadata()
    title = getattr(mod, "title", "") or name
    summary = getattr(mod, "summary", "") or entry.get("summary", "")
    out = [f"# `{name}`: {_text(title)}" if title != name else f"# `{name}`", ""]
    prose = readme_prose(readme or "")
    first = prose.split("\n\n")[0] if prose else ""
    if summary and " ".join(first.split()).rstrip(".") != " ".join(summary.split()).rstrip("."):
        out += [_text(summary), ""]
    dist = entry.get("dist", "")
    facts = [f"`import {name}`"]
    if dist:
        facts.append(f"distribution `{dist}` {version}")
    caps = mod.capabilities() if isinstance(mod, Module) else []
    facts.append("capabilities: " + (", ".join(f"`{c}`" for c in caps) if caps else "none"))
    out += ["; ".join(facts) + ".", ""]
    if prose:
        out += [_demote(prose), ""]
    exports = [s for s in mod.list_exports() if not _is_constant(mod, s)]
    consts = [s for s in mod.list_exports() if _is_constant(mod, s)]
    types = list(getattr(mod, "foreign_types", ()))
    if exports:
        out += ["## Functions", ""]
        out += _summary_table(mod, exports, types)
        for sym in exports:
            out += _export_section(mod, name, sym, types)
    if consts:
        out += ["## Constants", "", "| name | value | meaning |", "|---|---|---|"]
        for sym in consts:
            sig, doc = mod.describe(sym)
            value = sig.split(" = ", 1)[1]
            out.append(f"| `{name}.{sym}` | `{_cell(value)}` | {_cell(_text(doc))} |")
        out.append("")
    if types:
        out += ["## Types", ""]
        for t in types:
            out += _type_section(mod, t)
    return "\n".join(out).rstrip() + "\n"


def readme_of(dist: str) -> str | None:
    """The long description (README) of an installed distribution, or None."""
    if not dist:
        return None
    import importlib.metadata
    try:
        meta = importlib.metadata.metadata(dist)
    except importlib.metadata.PackageNotFoundError:
        return None
    text = meta.get_payload() or meta.get("Description") or ""  # type: ignore[attr-defined]
    return str(text) or None


def readme_prose(readme: str) -> str:
    """A README without its first heading (the page has its own title)."""
    lines = readme.strip().splitlines()
    if lines and lines[0].startswith("# "):
        lines = lines[1:]
    return "\n".join(lines).strip()


def _demote(markdown: str) -> str:
    """README headings one level down, so they sit under the page's title; fenced blocks
    are left alone."""
    out, fence = [], ""
    for line in markdown.splitlines():
        stripped = line.lstrip()
        if fence:
            if stripped.startswith(fence):
                fence = ""
        elif stripped.startswith(("```", "~~~")):
            fence = stripped[:3]
        elif re.match(r"#{1,5} ", line):
            line = "#" + line
        out.append(line)
    return "\n".join(out)


def _is_constant(mod: Any, sym: str) -> bool:
    from axiom_sdk import Module
    return isinstance(mod, Module) and " = " in mod.describe(sym)[0]


def _summary_table(mod: Any, exports: list[str], types: list[Any]) -> list[str]:
    rows = ["| function | what it does |", "|---|---|"]
    for sym in exports:
        _, doc = mod.describe(sym)
        rows.append(f"| [`{sym}`](#{_anchor(sym)}) | {_cell(_text(doc))} |")
    return rows + [""]


def _export_section(mod: Any, name: str, sym: str, types: list[Any]) -> list[str]:
    export = getattr(mod, "_symbols", {}).get(sym)
    sig = mod.describe(sym)[0]
    out = [f"### `{sym}`", "", "```text", f"{name}.{sig}", "```", ""]
    doc = getattr(export, "doc", "") or mod.describe(sym)[1]
    if doc:
        out += [_docstring(doc), ""]
    params = [*getattr(export, "positional", ())]
    extra = [p for p in getattr(export, "keyword", {}).values() if p not in params]
    for p in (getattr(export, "varargs", None), *extra, getattr(export, "varkw", None)):
        if p is not None:
            params.append(p)
    if params:
        out += ["| parameter | type | default |", "|---|---|---|"]
        for p in params:
            out.append(f"| `{_param_name(p)}` | {_type_cell(p.type_name)} | {_default_cell(p)} |")
        out.append("")
    returns = getattr(export, "returns", "any")
    type_names = {t.name for t in types}
    if returns and returns != "any":
        shown = f"[`{returns}`](#{_anchor(returns + ' type')})" if returns in type_names else f"`{returns}`"
        out += [f"Returns {shown}.", ""]
    needs = getattr(export, "needs", ())
    if needs:
        parts = [f"`{cap}`" + (f" (on `{param}`)" if param else "") for cap, param in needs]
        out += ["Needs the capability " + ", ".join(parts) + ".", ""]
    return out


def _type_section(mod: Any, t: Any) -> list[str]:
    out = [f"### `{t.name}` (type)", ""]
    doc = mod_cmd._type_doc(mod, t)
    if doc:
        out += [_docstring(doc), ""]
    out += [f"`typeof` gives `\"{t.name}\"`.", ""]
    rows = []
    for attr in sorted(t.attrs):
        rows.append(f"| `{t.name}.{attr}` | attribute | |")
    for mname, method in t.methods.items():
        sig = method.signature() if hasattr(method, "signature") else f"{mname}()"
        rows.append(f"| `{t.name}.{_cell(sig)}` | method | {_cell(_text(getattr(method, 'summary', '')))} |")
    if rows:
        out += ["| member | kind | what it does |", "|---|---|---|", *rows, ""]
    ops = [_OPS[op] for op in _OPS if op in getattr(t, "ops", {})]
    if ops:
        out += ["Operators: " + ", ".join(ops) + ".", ""]
    if getattr(t, "to_data", None) is not None:
        out += ["It stands for plain data: other modules' `list` and `dict` parameters and "
                "`jsn` accept it.", ""]
    return out


def _param_name(p: Any) -> str:
    from axiom_sdk._module import VAR_KEYWORD, VAR_POSITIONAL
    if p.kind is VAR_POSITIONAL:
        return "..." + p.name
    if p.kind is VAR_KEYWORD:
        return "**" + p.name
    return str(p.name)


def _type_cell(type_name: str) -> str:
    return "any" if type_name == "any" else f"`{_cell(type_name)}`"


def _default_cell(p: Any) -> str:
    from axiom_sdk import display
    from axiom_sdk._module import EMPTY
    if p.default is EMPTY:
        return "required" if p.kind not in ("var_positional", "var_keyword") else ""
    d = p.default
    return f"`{_cell(display([d])[1:-1])}`" if isinstance(d, str) else f"`{_cell(display(d))}`"


def _docstring(doc: str) -> str:
    """A docstring as Markdown: paragraphs kept, indented blocks as code, prose escaped."""
    text = inspect.cleandoc(doc)
    out: list[str] = []
    for para in text.split("\n\n"):
        lines = para.splitlines()
        if all(line.startswith("    ") for line in lines if line.strip()):
            out.append("```text\n" + "\n".join(line[4:] for line in lines) + "\n```")
        elif all(re.match(r"\s*[-*] ", line) or line.startswith("  ") for line in lines) and \
                re.match(r"\s*[-*] ", lines[0]):
            items: list[str] = []
            for line in lines:
                if re.match(r"\s*[-*] ", line):
                    items.append(line.strip()[2:])
                else:
                    items[-1] += " " + line.strip()
            out.append("\n".join("- " + _text(item) for item in items))
        else:
            out.append(_text(" ".join(para.split())))
    return "\n\n".join(out)


def _text(text: str) -> str:
    """Plain text made safe for Markdown: outside `code` spans, characters that Markdown
    would read as markup (`<`, `*`, `_`, `[`) are escaped."""
    parts = re.split(r"(`[^`]*`)", text)
    for i in range(0, len(parts), 2):
        parts[i] = (parts[i].replace("\\", "\\\\").replace("<", "&lt;").replace("*", "\\*")
                    .replace("_", "\\_").replace("[", "\\["))
    return "".join(parts)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _anchor(heading: str) -> str:
    """The id Markdown renderers give a heading (Python-Markdown's toc and GitHub agree
    on names like these): word characters kept, runs of spaces and dashes as one dash."""
    slug = re.sub(r"[^\w\s-]", "", heading).strip().lower()
    return re.sub(r"[-\s]+", "-", slug)

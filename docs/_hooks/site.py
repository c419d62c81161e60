"""mkdocs hooks: the parts of the documentation site that are generated at build time.

- one page per standard module (`library/NAME.md`), from what the SDK records for each
  export and the module's README, through `axiom mod info NAME --markdown`'s generator
  (axiom.cli.mod_doc), and an index of them;
- the command reference (`commands.md`), from the CLI's own typer/click definitions;
- tables inside hand-written pages, where a page has `<!-- generated: NAME -->`: the
  configuration keys (from axiom.conf) and the built-in functions and methods (from
  axiom.prelude).
- code highlighting: the `axiom` Pygments lexer when one is installed, else the closest
  existing lexer.

Nothing here is copied by hand, so the pages cannot disagree with the implementation.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parents[2]
STANDARD = sorted(p.name for p in (ROOT / "modules").iterdir() if (p / "pyproject.toml").exists())
CLOSEST_LEXER = "rust"  # `fn`, `let`, `//` comments, `|x|` closures; until axiom's own lexer


def on_config(config: Any) -> Any:
    from pygments.lexers import find_lexer_class_by_name
    from pygments.util import ClassNotFound
    highlight = config["mdx_configs"].setdefault("pymdownx.highlight", {})
    try:
        find_lexer_class_by_name("axiom")
    except ClassNotFound:
        highlight.setdefault("extend_pygments_lang", []).append(
            {"name": "axiom", "lang": CLOSEST_LEXER})
    for section in config["nav"]:
        if isinstance(section, dict) and "Modules" in section:
            section["Modules"] += [{_module_title(name): f"library/{name}.md"} for name in STANDARD]
        if isinstance(section, dict) and "Guides" in section:
            guides = section["Guides"]
            for title, page, after in ARRIVING:
                listed = [next(iter(entry.values())) for entry in guides]
                if (Path(config["docs_dir"]) / page).exists() and page not in listed:
                    titles = [next(iter(entry)) for entry in guides]
                    where = titles.index(after) + 1 if after in titles else len(guides)
                    guides.insert(where, {title: page})
    return config


# Guides that work in progress brings (the tools issue's REPL, language server, Jupyter
# kernel, highlighting and profiler pages): listed in the nav once the page exists, so
# the strict build passes before and after they land. A page mkdocs.yml lists itself is
# left where it is.
ARRIVING = [
    ("Profiling", "profiling.md", "Performance"),
    ("The REPL", "repl.md", "Profiling"),
    ("Editors (language server)", "editors.md", "The REPL"),
    ("Jupyter", "jupyter.md", "Editors (language server)"),
    ("Highlighting", "highlighting.md", "Jupyter"),
]


def on_files(files: Files, config: Any) -> Files:
    files.append(File.generated(config, "library/index.md", content=library_index()))
    for name in STANDARD:
        files.append(File.generated(config, f"library/{name}.md", content=module_page(name)))
    files.append(File.generated(config, "commands.md", content=commands_page()))
    return files


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    def fill(m: re.Match[str]) -> str:
        name = m.group(1)
        if name not in GENERATED:
            raise ValueError(f"{page.file.src_uri}: no generated part named {name!r}")
        return GENERATED[name]()
    return re.sub(r"<!-- generated: ([\w-]+) -->", fill, markdown)


# -- modules ------------------------------------------------------------------------------

_LOADED: dict[str, Any] = {}


def _module(name: str) -> Any:
    if name not in _LOADED:
        from axiom.loader import Loader
        mod = Loader().find(name)
        if mod is None:
            raise RuntimeError(f"the standard module {name} is not installed (uv sync)")
        _LOADED[name] = mod
    return _LOADED[name]


def _module_title(name: str) -> str:
    title = getattr(_module(name), "title", "") or name
    return f"{name}: {title}" if title != name else name


def module_page(name: str) -> str:
    from axiom.cli.mod_doc import page
    from axiom.loader import Index
    readme = (ROOT / "modules" / name / "README.md").read_text(encoding="utf-8")
    return page(_module(name), Index.load().modules.get(name, {}), readme)


def library_index() -> str:
    from axiom.cli.mod_doc import _cell, _text
    rows = []
    for name in STANDARD:
        mod = _module(name)
        exports = sum(1 for s in mod.list_exports() if " = " not in mod.describe(s)[0])
        rows.append(f"| [`{name}`]({name}.md) | {_cell(_text(getattr(mod, 'summary', '')))} | {exports} |")
    return "\n".join([
        "# The standard modules", "",
        "Axiom's standard library is 22 modules, each its own distribution (`axiom-NAME`), "
        "loaded when a script first imports it (`import mth`). Each page below is generated "
        "from the module itself: the signature, parameter types, defaults, capabilities and "
        "docs of every export, and its types' attributes and methods, after the prose of "
        "the module's README. `axiom mod info NAME` shows the same in a terminal.", "",
        "| module | what it is for | functions |", "|---|---|---|", *rows, "",
        "A third-party module gets the same page with `axiom mod info NAME --markdown`; see "
        "[Writing a module](../modules.md).", ""])


# -- the command line ---------------------------------------------------------------------

def commands_page() -> str:
    import click
    import typer.main

    from axiom.cli.app import app, tidy_help
    from axiom.cli.tools_cmd import run_command
    root = typer.main.get_command(app)
    tidy_help(root)
    out = ["# Command reference", "",
           "Every `axiom` command with its arguments and options, generated from the "
           "command line's own definitions (what `--help` prints). The guide to using "
           "them is [The axiom command](cli.md).", ""]
    ctx = click.Context(root, info_name="axiom")
    out += _command(root, ctx, "axiom", top=True)
    for name in sorted(root.commands):  # type: ignore[attr-defined]
        cmd = run_command() if name == "run" else root.commands[name]  # type: ignore[attr-defined]
        out += _command(cmd, click.Context(cmd, info_name=name, parent=ctx), f"axiom {name}")
        for sub in sorted(getattr(cmd, "commands", {})):
            subcmd = cmd.commands[sub]
            sub_ctx = click.Context(subcmd, info_name=sub,
                                    parent=click.Context(cmd, info_name=name, parent=ctx))
            out += _command(subcmd, sub_ctx, f"axiom {name} {sub}")
    return "\n".join(out) + "\n"


def _command(cmd: Any, ctx: Any, path: str, top: bool = False) -> list[str]:
    from axiom.cli.mod_doc import _cell, _text
    out = [f"## `{path}`", ""] if not top else []
    pieces = " ".join(cmd.collect_usage_pieces(ctx))
    out += ["```text", f"{path} {pieces}".rstrip(), "```", ""]
    help_text = " ".join((cmd.help or "").split())
    if help_text:
        out += [_text(help_text), ""]
    rows = []
    for param in cmd.get_params(ctx):
        record = param.get_help_record(ctx)
        if record is None:
            continue
        left, right = record
        if param.param_type_name == "argument":
            left = param.make_metavar(ctx) if hasattr(param, "make_metavar") else left
            right = getattr(param, "help", "") or ""
        right = re.sub(r"\s+", " ", right).strip()
        left = left.replace(" [=", "[=")  # --allow-read[=PATH,...]: the value is optional
        rows.append(f"| `{_cell(left.strip())}` | {_cell(_text(right))} |")
    if rows:
        out += ["| argument or option | meaning |", "|---|---|", *rows, ""]
    subs = getattr(cmd, "commands", None)
    if subs and not top:
        out += ["Subcommands: " + ", ".join(f"[`{sub}`](#{_slug(path + ' ' + sub)})"
                                            for sub in sorted(subs)) + ".", ""]
    return out


def _slug(heading: str) -> str:
    slug = re.sub(r"[^\w\s-]", "", heading).strip().lower()
    return re.sub(r"[-\s]+", "-", slug)


# -- tables inside hand-written pages -------------------------------------------------------

def config_keys() -> str:
    from axiom import conf
    rows = ["| key | type | default | effect |", "|---|---|---|---|"]
    for key, default in conf.DEFAULTS.items():
        rows.append(f"| [`{key}`](#{key}) | {_config_type(key, default)} | "
                    f"`{conf._toml_value(default)}` | {_summary(conf._DOCS.get(key, ''))} |")
    return "\n".join(rows)


def _config_type(key: str, default: Any) -> str:
    from axiom import conf
    if isinstance(default, bool):
        return "`true` or `false`"
    if isinstance(default, int):
        low = conf._MINIMUM.get(key)
        return "integer" + (f", at least {low}" if low is not None else "")
    if isinstance(default, list):
        return "list of folder names"
    if key == "jit":
        names = [f'`"{v}"`' for v in conf._JIT]
        return ", ".join(names[:-1]) + " or " + names[-1]
    return type(default).__name__


def builtin_functions() -> str:
    from axiom import prelude
    rows = ["| function | what it does |", "|---|---|"]
    for name in prelude._BUILTIN_FNS:
        export = prelude.builtin_named(name)
        rows.append(f"| `{_cell_sig(export.signature())}` | {_summary(export.summary)} |")
    return "\n".join(rows)


def _methods(owner_name: str) -> Any:
    def table() -> str:
        from axiom import prelude
        from axiom_sdk import Range, Set
        owner = {"list": list, "dict": dict, "str": str, "set": Set, "range": Range}[owner_name]
        rows = ["| method | what it does |", "|---|---|"]
        for name in prelude._METHOD_FNS[owner]:
            export = prelude.method_of(owner, name)
            rows.append(f"| `{_cell_sig(export.signature())}` | {_summary(export.summary)} |")
        return "\n".join(rows)
    return table


def _cell_sig(sig: str) -> str:
    """A signature as a table cell: an omitted-argument marker reads as optional."""
    sig = sig.replace("=<object>", "=omitted").replace("-> AxiomError", "-> error")
    return sig.replace("|", "\\|")


def _summary(text: str) -> str:
    from axiom.cli.mod_doc import _cell, _text
    return _cell(_text(text))


GENERATED = {
    "config-keys": config_keys,
    "builtin-functions": builtin_functions,
    "methods-list": _methods("list"),
    "methods-dict": _methods("dict"),
    "methods-str": _methods("str"),
    "methods-set": _methods("set"),
    "methods-range": _methods("range"),
}

"""What editors and prompts know about Axiom code: names, definitions, completions, hovers.

Pipeline position: off the run path, beside chk. The language server (server.py), the
Jupyter kernel (axiom.kernel) and the REPL all ask it, so a completion or a hover reads
the same in each. Imports the parser, the resolver, the prelude and the loader; never
pygls, ipykernel or prompt_toolkit, and never the runtime (a REPL or kernel passes its
live globals in).

Two sources of knowledge:
  * a script's text (`Document`): parsed and resolved, every declaration recorded with
    its span (let, fn, class, parameters, imports, catch and loop variables), every use
    of a name tied to its declaration. A text that does not parse (half typed) still
    gets its declarations from a scan of the tokens, so completion keeps working;
  * what is installed: keywords, built-in functions and the methods of built-in types
    (signatures and docs from the prelude's Exports), and each module's exports (from
    the Module object, as `axiom mod info` shows them). A module is imported once, the
    first time its exports are asked for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Final

from .. import ast as A
from ..lexer import KEYWORDS

# Completion and symbol kinds, as words (each client maps them to its own numbers).
FUNCTION: Final = "function"
METHOD: Final = "method"
CLASS: Final = "class"
VARIABLE: Final = "variable"
CONSTANT: Final = "constant"
MODULE: Final = "module"
KEYWORD: Final = "keyword"
FIELD: Final = "field"

_WORD: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(slots=True)
class Definition:
    """A declared name: `start`/`end` span the name itself where it is declared; `node`
    is the declaring node's span (the whole function for `fn`), `detail` its first
    line as written (`fn area(w, h=2)`)."""
    name: str
    kind: str
    start: int
    end: int
    node_start: int
    node_end: int
    detail: str = ""
    container: str | None = None    # the class of a method
    module: str | None = None       # what an import binds
    children: list[Definition] = field(default_factory=list)


@dataclass(slots=True)
class Item:
    """A completion: the name, its kind, a one-line detail (signature) and its doc."""
    label: str
    kind: str
    detail: str = ""
    doc: str = ""


@dataclass(slots=True)
class Info:
    """What hovering a name (or Shift-Tab in a notebook) shows: a signature or the
    definition's line, and a doc; `start`/`end` are the span of the word."""
    title: str
    doc: str
    start: int
    end: int


# --- installed knowledge -------------------------------------------------------------------

def builtin_items() -> list[Item]:
    """The built-in functions, with signatures and first doc lines."""
    from ..prelude import _BUILTIN_FNS, builtin_named
    out = [Item("ARGS", VARIABLE, "ARGS: list", "The script's command-line arguments.")]
    for name in sorted(_BUILTIN_FNS):
        export = builtin_named(name)
        if export is not None:
            out.append(Item(name, FUNCTION, export.signature(), _summary(export.doc)))
    return out


def keyword_items() -> list[Item]:
    return [Item(k, KEYWORD) for k in KEYWORDS]


def type_methods(value: Any) -> list[Item]:
    """The methods of a built-in type's value (list, str, dict, set, range)."""
    from axiom_sdk import Range, Set

    from ..prelude import _METHOD_FNS, method_of
    owner = {list: list, str: str, dict: dict, Set: Set, Range: Range}.get(type(value))
    if owner is None:
        return []
    names = _METHOD_FNS.get(owner if owner is not Range else list, {})
    out = []
    for name in sorted(names):
        m = method_of(owner, name)
        if m is not None:
            out.append(Item(name, METHOD, m.signature(), _summary(m.doc)))
    return out


_MODULES: dict[str, list[Item] | None] = {}


def installed_modules() -> list[str]:
    """The names of the installed modules (from the loader's index: nothing imported)."""
    from ..loader import Index
    try:
        return sorted(Index.load().modules)
    except Exception:
        return []


def module_items(name: str) -> list[Item] | None:
    """The exports of the installed module `name` (signature and doc each), or None
    when no installed module has that name or it does not load."""
    if name in _MODULES:
        return _MODULES[name]
    items: list[Item] | None
    try:
        from ..loader import Loader
        mod = Loader().find(name)
        items = None if mod is None else export_items(mod)
    except Exception:  # a broken module: no completions, never a crash of the editor
        items = None
    _MODULES[name] = items
    return items


def export_items(mod: Any) -> list[Item]:
    """The exports of a loaded module object: an SDK Module (signatures and docs), a
    script module (its globals), or any AxiomModule (names only)."""
    from axiom_sdk import Module
    out: list[Item] = []
    if isinstance(mod, Module):
        for sym in mod.list_exports():
            sig, summary = mod.describe(sym)
            entry = mod._symbols.get(sym)
            doc = getattr(entry, "doc", "") or summary
            kind = CONSTANT if " = " in sig else FUNCTION
            out.append(Item(sym, kind, f"{mod.name}.{sig}", doc))
        for t in getattr(mod, "foreign_types", ()):
            out.append(Item(t.name, CLASS, f"{mod.name}.{t.name} (type)", ""))
        return out
    globals_ = getattr(mod, "globals", None)
    if isinstance(globals_, dict):
        return [value_item(k, v) for k, v in globals_.items() if not k.startswith("_")]
    try:
        return [Item(sym, FUNCTION) for sym in mod.list_exports()]
    except Exception:
        return []


def file_module(name: str, importer: str) -> str | None:
    """The NAME.ax file `import name` in the file `importer` would load, or None."""
    import os

    from .. import conf
    from ..loader import find_file_module
    folder = os.path.dirname(importer) if not importer.startswith("<") else os.getcwd()
    settings, _ = conf.load_lenient()
    try:
        return find_file_module(name, folder or ".", settings)[0]
    except Exception:
        return None


def module_summary(name: str) -> str:
    from ..loader import Index
    try:
        entry = Index.load().modules.get(name) or {}
    except Exception:
        entry = {}
    return entry.get("summary", "")


def _summary(doc: str | None) -> str:
    return " ".join((doc or "").strip().split("\n\n")[0].split())


# --- live values (the REPL and the kernel) -------------------------------------------------

def value_item(name: str, value: Any) -> Item:
    """A completion for a global that holds `value`."""
    from axiom_sdk import Class, Function, typeof
    if isinstance(value, Class):
        return Item(name, CLASS, f"class {name}")
    if isinstance(value, Function) or callable(value) and not hasattr(value, "axiom_type"):
        sig = _function_signature(value)
        return Item(name, FUNCTION, sig or f"{name}(...)", _summary(getattr(value, "doc", "")))
    kind = getattr(type(value), "axiom_type", None)
    if kind == "module":
        return Item(name, MODULE, f"module {value.metadata()[0]}")
    try:
        shown = typeof(value)
    except Exception:
        shown = type(value).__name__
    return Item(name, VARIABLE, f"{name}: {shown}")


def _function_signature(fn: Any) -> str:
    sig = getattr(fn, "signature", None)
    if callable(sig):
        try:
            return str(sig())
        except Exception:
            return ""
    code = getattr(fn, "code", None)
    if code is not None and hasattr(code, "param_names"):
        return f"{code.name}({', '.join(code.param_names)})"
    return ""


def members_of_value(value: Any) -> list[Item]:
    """What `value.` completes to: a module's exports, an instance's fields and its
    class's methods, a class's methods, a built-in type's methods."""
    from axiom_sdk import Class, Instance
    if getattr(type(value), "axiom_type", None) == "module":
        return export_items(value)
    if isinstance(value, Instance):
        out = [Item(k, FIELD) for k in value.fields]
        cls: Any = value.cls
        while cls is not None:
            out += [Item(m, METHOD) for m in cls.methods]
            cls = cls.parent
        return out
    if isinstance(value, Class):
        return [Item(m, METHOD) for m in value.methods]
    return type_methods(value)


def live_completions(text: str, offset: int, globals_: dict[str, Any]) -> tuple[int, list[Item]]:
    """Completions at `offset` of `text` (one input at a prompt, or a notebook cell) in a
    session whose globals are `globals_`: (start of the word being completed, items)."""
    start, prefix, owner = word_before(text, offset)
    if owner is not None:
        if owner in globals_:
            items = members_of_value(globals_[owner])
        else:
            doc = Document(text)
            items = doc.module_members(owner) or []
    else:
        doc = Document(text)
        seen: dict[str, Item] = {}
        for item in [*(value_item(k, v) for k, v in globals_.items()),
                     *doc.items_at(offset), *builtin_items(), *keyword_items()]:
            seen.setdefault(item.label, item)
        items = list(seen.values())
    return start, [i for i in items if i.label.startswith(prefix)]


def live_info(text: str, offset: int, globals_: dict[str, Any]) -> Info | None:
    """What Shift-Tab (or `:info`) shows for the name at `offset`, in a session."""
    start, end, word, owner = word_at(text, offset)
    if not word:
        return None
    if owner is not None and owner in globals_:
        for item in members_of_value(globals_[owner]):
            if item.label == word:
                return Info(item.detail or f"{owner}.{word}", item.doc, start, end)
        return None
    if owner is None and word in globals_:
        value = globals_[word]
        if getattr(type(value), "axiom_type", None) == "module":
            mod_name = value.metadata()[0]
            return Info(f"module {mod_name}", module_summary(mod_name), start, end)
        item = value_item(word, value)
        from axiom_sdk._values import _display
        try:
            shown = _display(value, True, set(), 0)
        except Exception:
            shown = ""
        if len(shown) > 200:
            shown = shown[:197] + "..."
        return Info(item.detail, shown if item.kind == VARIABLE else item.doc, start, end)
    return Document(text).info_at(offset)


def unfinished(source: str) -> bool:
    """Whether `source` is an input that is not finished: it ends inside an open
    bracket, after an operator, or in an unclosed string (the REPL then reads another
    line; a notebook console keeps the cell open)."""
    from ..parser import parse
    try:
        parse(source, "<input>")
    except A.ParseError as e:
        return "end of input" in e.message or "never closed" in e.message
    except RecursionError:
        return False
    return False


# --- words at a position ---------------------------------------------------------------------

def word_before(text: str, offset: int) -> tuple[int, str, str | None]:
    """(start, prefix, owner) of the word the cursor ends: `mth.sq|` gives the offset of
    `sq`, "sq" and "mth"; `le|` gives "le" and None."""
    i = offset
    while i > 0 and (text[i - 1].isalnum() or text[i - 1] == "_"):
        i -= 1
    prefix = text[i:offset]
    owner = None
    if i > 0 and text[i - 1] == "." and not (i > 1 and text[i - 2] == "."):
        j = i - 1
        k = j
        while k > 0 and (text[k - 1].isalnum() or text[k - 1] == "_"):
            k -= 1
        if k < j and not text[k].isdigit():
            owner = text[k:j]
    return i, prefix, owner


def word_at(text: str, offset: int) -> tuple[int, int, str, str | None]:
    """(start, end, word, owner) of the name under (or just before) `offset`; owner is
    the name before a `.` (`mth.sqrt` on `sqrt` gives "mth")."""
    n = len(text)
    i = min(offset, n)
    if (i == n or not (text[i].isalnum() or text[i] == "_")) and i > 0 and (text[i - 1].isalnum() or text[i - 1] == "_"):
        i -= 1
    if i >= n or not (text[i].isalnum() or text[i] == "_"):
        return offset, offset, "", None
    start = i
    while start > 0 and (text[start - 1].isalnum() or text[start - 1] == "_"):
        start -= 1
    end = i
    while end < n and (text[end].isalnum() or text[end] == "_"):
        end += 1
    if text[start].isdigit():
        return offset, offset, "", None
    _, _, owner = word_before(text, start)
    return start, end, text[start:end], owner


# --- a script's text ---------------------------------------------------------------------------

class Document:
    """The knowledge in one script's text. `error` is the ParseError when it does not
    parse (then only declarations found by scanning are known)."""

    def __init__(self, text: str, filename: str = "<document>") -> None:
        self.text = text
        self.filename = filename
        self.source = A.Source(text, filename)
        self.error: A.ParseError | None = None
        self.definitions: list[Definition] = []   # every declaration, in source order
        self.symbols: list[Definition] = []       # functions and classes (methods inside)
        self.uses: list[tuple[int, int, Definition]] = []  # (start, end, declaration) of each use
        self.imports: dict[str, str] = {}          # binding -> module name
        self._scopes: list[tuple[int, int, list[Definition]]] = []  # function spans and their locals
        try:
            from ..parser import parse
            from ..resolve import resolve
            program = parse(text, filename)
            resolve(program)
        except A.ParseError as e:
            self.error = e
            self._scan()
            return
        except RecursionError:
            self._scan()
            return
        _Collector(self).program(program)

    # -- queries ------------------------------------------------------------------------------
    def position(self, offset: int) -> tuple[int, int]:
        """(line, column), both 0-based, of an offset (what LSP speaks)."""
        line, col = self.source.position(offset)
        return line - 1, col - 1

    def offset(self, line: int, col: int) -> int:
        """The offset of a 0-based (line, column)."""
        starts = self.source._starts
        if line >= len(starts):
            return len(self.text)
        return min(starts[line] + col, len(self.text))

    def definition_at(self, offset: int) -> Definition | None:
        """The declaration of the name at `offset` (a use or the declaration itself)."""
        for start, end, d in self.uses:
            if start <= offset <= end:
                return d
        for d in self.definitions:
            if d.start <= offset <= d.end:
                return d
        return None

    def items_at(self, offset: int) -> list[Item]:
        """The script's names in scope at `offset`: its globals and the locals of each
        function around it."""
        out: list[Item] = []
        nested = {id(d) for _, _, ds in self._scopes for d in ds}
        for d in self.definitions:
            if d.container is None and id(d) not in nested:
                out.append(self._item(d))
        for start, end, local in self._scopes:
            if start <= offset <= end:
                out += [self._item(d) for d in local]
        return out

    @staticmethod
    def _item(d: Definition) -> Item:
        kind = {"function": FUNCTION, "class": CLASS, "module": MODULE}.get(d.kind, VARIABLE)
        return Item(d.name, kind, d.detail)

    def module_members(self, binding: str) -> list[Item] | None:
        """The exports of the module a name of this script is bound to by `import` (or of
        the module of that name): an installed module's, or a NAME.ax file's top-level
        names, found as `axiom run` finds it (beside this file, AXIOM_PATH,
        module_paths)."""
        name = self.imports.get(binding, binding)
        items = module_items(name)
        if items is not None:
            return items
        path = file_module(name, self.filename)
        if path is None:
            return None
        try:
            with open(path, encoding="utf-8") as f:
                other = Document(f.read(), path)
        except (OSError, UnicodeDecodeError):
            return None
        return [self._item(d) for d in other.definitions
                if d.container is None and not d.name.startswith("_") and d.kind != "parameter"
                and not any(d in local for _, _, local in other._scopes)]

    def completions(self, offset: int) -> tuple[int, list[Item]]:
        """(start of the word, items) at `offset`: a module's exports after `name.`, else
        the names in scope, built-ins and keywords."""
        start, prefix, owner = word_before(self.text, offset)
        if owner is not None:
            items = self.module_members(owner) or []
        else:
            seen: dict[str, Item] = {}
            for item in [*self.items_at(offset), *builtin_items(), *keyword_items()]:
                seen.setdefault(item.label, item)
            items = list(seen.values())
        return start, [i for i in items if i.label.startswith(prefix)]

    def info_at(self, offset: int) -> Info | None:
        """The hover for the name at `offset`: a module export's signature and doc, a
        module's summary, a built-in's signature and doc, or the line that defines a
        script name."""
        start, end, word, owner = word_at(self.text, offset)
        if not word or word in KEYWORDS:
            return None
        if owner is not None:
            members = self.module_members(owner) if owner in self.imports else None
            for item in members or []:
                if item.label == word:
                    return Info(item.detail, item.doc, start, end)
            return None
        d = self.definition_at(start)
        if d is not None:
            if d.kind == "module":
                mod = d.module or d.name
                return Info(f"module {mod}", module_summary(mod), start, end)
            line, _ = self.source.position(d.node_start)
            where = f"defined at line {line}"
            return Info(d.detail or self.source.line_text(line).strip(), where, start, end)
        for item in builtin_items():
            if item.label == word:
                return Info(item.detail, item.doc, start, end)
        return None

    # -- a text that does not parse ---------------------------------------------------------------
    _DECL: Final = re.compile(r"\b(let|fn|class|import|for)\s+([A-Za-z_][A-Za-z0-9_]*)(?:\s+as\s+([A-Za-z_][A-Za-z0-9_]*))?")

    def _scan(self) -> None:
        """Declarations found by a pattern scan of the text (it did not parse)."""
        seen: set[str] = set()
        for m in self._DECL.finditer(self.text):
            word, name, alias = m.group(1), m.group(2), m.group(3)
            if name in KEYWORDS:
                continue
            binding = alias or name
            if binding in seen:
                continue
            seen.add(binding)
            kind = {"fn": "function", "class": "class", "import": "module"}.get(word, "variable")
            s = m.start(3) if alias else m.start(2)
            line, _ = self.source.position(m.start())
            d = Definition(binding, kind, s, s + len(binding), m.start(), m.end(),
                           self.source.line_text(line).strip(),
                           module=name if word == "import" else None)
            if word == "import":
                self.imports[binding] = name
            self.definitions.append(d)


class _Collector:
    """Walks a resolved program once: declarations, symbols, uses and scopes."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.by_var: dict[int, Definition] = {}   # id(Var) -> its first declaration
        self.globals: dict[str, Definition] = {}
        self.locals: list[list[Definition]] | None = None

    def program(self, program: A.Program) -> None:
        self.node(program.body)
        self.doc.definitions.sort(key=lambda d: d.start)

    def declare(self, name: str, kind: str, start: int, var: Any, node: A.Node | None = None,
                container: str | None = None, module: str | None = None) -> Definition:
        src = self.doc.source
        ns, ne = (node.start, node.end) if node is not None else (start, start + len(name))
        line, _ = src.position(ns)
        first = src.line_text(line).strip()
        detail = first
        if kind in ("function", "method"):
            detail = _header(self.doc.text[ns:ne])
        elif kind == "class":
            detail = f"class {name}"
        elif kind == "parameter":
            detail = f"parameter {name}"
        d = Definition(name, kind, start, start + len(name), ns, ne, detail, container, module)
        if var is not None and id(var) not in self.by_var:
            self.by_var[id(var)] = d
        if container is None:
            self.doc.definitions.append(d)
            if self.locals is not None and kind != "method":
                self.locals[-1].append(d)
            elif var is not None and getattr(var, "is_global", False):
                self.globals.setdefault(name, d)
        return d

    def use(self, start: int, end: int, ref: Any, name: str) -> None:
        if ref is None:
            return
        d = self.by_var.get(id(ref.var)) if ref.var is not None else None
        if d is None and ref.kind == "global":
            d = self.globals.get(name)
        if d is not None:
            self.doc.uses.append((start, end, d))

    def node(self, n: Any) -> None:
        method = getattr(self, "n_" + type(n).__name__, None)
        if method is not None:
            method(n)
        else:
            self.children(n)

    def children(self, n: Any) -> None:
        for name in getattr(n, "__slots__", ()):
            if name in ("start", "end", "ref", "var", "scope", "source", "declares", "cls_ref",
                        "self_ref", "cls_var", "spec"):
                continue
            self.visit(getattr(n, name, None))

    def visit(self, v: Any) -> None:
        if isinstance(v, (A.Node, A.Param)):
            self.node(v)
        elif isinstance(v, (list, tuple)):
            for x in v:
                self.visit(x)

    # -- declarations -------------------------------------------------------------------------
    def n_FnDecl(self, s: A.FnDecl) -> None:
        start = self._name_offset(s.start, s.name)
        d = self.declare(s.name, "function", start, s.var, s)
        self.doc.symbols.append(d)
        self.function(s.fn)

    def n_ClassDecl(self, s: A.ClassDecl) -> None:
        start = self._name_offset(s.start, s.name)
        d = self.declare(s.name, "class", start, s.var, s)
        self.doc.symbols.append(d)
        if s.parent is not None:
            self.node(s.parent)
        for m in s.methods:
            ms = self._name_offset(m.start, m.name)
            d.children.append(self.declare(m.name, "method", ms, None, m, container=s.name))
            self.function(m.fn)

    def function(self, fn: A.FnExpr) -> None:
        saved = self.locals
        self.locals = [*(saved or []), []]
        for p in fn.params:
            self.declare(p.name, "parameter", p.start, p.var)
            if p.default is not None:
                self.node(p.default)
        self.node(fn.body)
        self.doc._scopes.append((fn.start, fn.end, self.locals[-1]))
        self.locals = saved

    def n_FnExpr(self, e: A.FnExpr) -> None:
        self.function(e)

    def n_PName(self, p: A.PName) -> None:
        self.declare(p.name, "variable", p.start, p.var)

    def n_Let(self, s: A.Let) -> None:
        if isinstance(s.target, A.PName):
            self.declare(s.target.name, "variable", s.target.start, s.target.var, s)
        else:
            self.node(s.target)
        self.node(s.value)

    def n_Assign(self, s: A.Assign) -> None:
        if s.declares is not None and isinstance(s.target, A.Name):
            self.declare(s.target.name, "variable", s.target.start, s.declares, s)
        self.node(s.target)
        self.node(s.value)

    def n_Try(self, s: A.Try) -> None:
        self.node(s.body)
        if s.name is not None:
            start = self._name_offset(s.body.end, s.name)
            self.declare(s.name, "variable", start, s.var)
        self.node(s.handler)

    def n_Import(self, s: A.Import) -> None:
        for module, binding, pname in s.items:
            self.declare(binding, "module", pname.start, pname.var, s, module=module)
            self.doc.imports[binding] = module

    def n_FromImport(self, s: A.FromImport) -> None:
        for _name, binding, pname in s.names:
            self.declare(binding, "variable", pname.start, pname.var, s)

    # -- uses --------------------------------------------------------------------------------------
    def n_Name(self, e: A.Name) -> None:
        self.use(e.start, e.end, e.ref, e.name)

    def n_Free(self, s: A.Free) -> None:
        self.node(s.name)

    def _name_offset(self, start: int, name: str) -> int:
        """Where `name` is written at or after `start` (the name of a fn or class)."""
        m = re.compile(rf"\b{re.escape(name)}\b").search(self.doc.text, start)
        return m.start() if m else start


def _header(text: str) -> str:
    """`fn area(w, h=2)` from a function's text: up to the body's `{` (or the first line)."""
    depth = 0
    for i, c in enumerate(text):
        if c in "([":
            depth += 1
        elif c in ")]":
            depth -= 1
        elif c == "{" and depth == 0:
            return " ".join(text[:i].split())
        elif c == "\n" and depth == 0:
            return text[:i].strip()
    return " ".join(text.split())[:120]

"""What a call must match and what a module exports, known without running anything.

Pipeline position: beside chk.py, which asks it. Imports ast, parser and loader (the
cached module index and the NAME.ax search); never the compiler, the VM or the runtime,
and it runs no module code: an installed module's exports are read from the Python
source of its package (`module_exports`), the declarations `@module.export` and
`module.constant` record, following the SDK's `Export` rule for rule. A `Signature`
checks a call as the VM checks a script function's (vm._bind) or as the SDK checks an
export's (Export._bind), with the same messages.
"""

from __future__ import annotations

import difflib
import os
import sys
from dataclasses import dataclass, field
from typing import Any

from . import ast as A
from . import parser
from .ast import ParseError, Source


@dataclass(slots=True)
class Signature:
    """What a call must match. `params` are the positional parameters (name, has a
    default); `host` selects the rules and wording of module functions and built-ins
    (the SDK's Export), else those of script functions (the VM's)."""
    name: str
    params: list[tuple[str, bool]]
    varargs: bool = False
    kwonly: list[tuple[str, bool]] = field(default_factory=list)
    host: bool = False
    varkw: bool = False      # an export's `**fields`: any other keyword is taken
    where: str = ""          # e.g. "defined at line 3", for the help line
    no_init: bool = False    # a class without an init: it takes no arguments at all

    def check(self, nargs: int, kwnames: list[str]) -> tuple[str, str, str | None] | None:
        """(code, message, help) of the first error the call would raise, or None."""
        return self._check_host(nargs, kwnames) if self.host else self._check_script(nargs, kwnames)

    def _count(self) -> str:
        lo = sum(1 for _, d in self.params if not d)
        hi = len(self.params)
        if lo == hi:
            n = f"{lo}"
        else:
            n = f"{lo} to {hi}" if self.host else f"from {lo} to {hi}"
        return f"{n} argument" + ("" if hi == 1 and lo == 1 else "s")

    def _near(self, name: str) -> str | None:
        names = [p for p, _ in self.params] + [p for p, _ in self.kwonly]
        near = difflib.get_close_matches(name, names, 1)
        return f"did you mean '{near[0]}'?" if near else None

    def shape(self) -> str:
        parts = [p + ("=..." if d else "") for p, d in self.params]
        if self.varargs:
            parts.append("...")
        parts += [p + ("=..." if d else "") for p, d in self.kwonly]
        if self.varkw:
            parts.append("**...")
        text = f"{self.name.removesuffix('()')}({', '.join(parts)})"
        return f"{text} is {self.where}" if self.where else f"the signature is {text}"

    def _check_script(self, n: int, kwnames: list[str]) -> tuple[str, str, str | None] | None:
        """As vm._bind: too many, then each keyword, then the first missing."""
        names = [p for p, _ in self.params]
        if self.no_init and (n or kwnames):
            return "E003", f"{self.name} takes no arguments ({n} given)", self.shape()
        if n > len(names):
            return "E003", f"{self.name} takes {self._count()} but {n} were given", self.shape()
        for key in kwnames:
            if key not in names:
                return ("E004", f"{self.name} got an unexpected keyword argument '{key}'",
                        self._near(key) or self.shape())
            if names.index(key) < n:
                return "E004", f"{self.name} got argument '{key}' twice", self.shape()
        for i, (pname, has_default) in enumerate(self.params):
            if not has_default and i >= n and pname not in kwnames:
                given = n + len(kwnames)
                return "E003", (f"{self.name} missing argument '{pname}' (takes {self._count()}, "
                                f"{given} given)"), self.shape()
        return None

    def _check_host(self, n: int, kwnames: list[str]) -> tuple[str, str, str | None] | None:
        """As Export._bind: too many, then each positional, then unknown keywords, then
        missing keyword-only ones."""
        if n > len(self.params) and not self.varargs:
            return "E003", f"{self.name}: expected {self._count()}, got {n}", self.shape()
        given = list(kwnames)
        for i, (pname, has_default) in enumerate(self.params):
            if i < n:
                if pname in given:
                    return "E004", f"{self.name}: argument '{pname}' given twice", self.shape()
            elif pname in given:
                given.remove(pname)
            elif not has_default:
                return "E003", (f"{self.name}: missing argument '{pname}' (expected "
                                f"{self._count()}, got {n})"), self.shape()
        kwonly = [p for p, _ in self.kwonly]
        for key in given:
            if key not in kwonly and not self.varkw:
                return ("E004", f"{self.name}: unexpected keyword argument '{key}'",
                        self._near(key) or self.shape())
        for pname, has_default in self.kwonly:
            if not has_default and pname not in kwnames:
                return "E003", f"{self.name}: missing argument '{pname}'", self.shape()
        return None


def fn_signature(name: str, fn: A.FnExpr, source: Source, skip_self: bool = False) -> Signature:
    params = [(p.name, p.default is not None) for p in fn.params]
    if skip_self:
        params = params[1:]
    return Signature(name, params, where=f"defined at line {source.position(fn.start)[0]}")


def export_signature(export: Any) -> Signature:
    """The Signature of an SDK Export (a built-in function)."""
    from axiom_sdk._module import EMPTY
    params = [(p.name, p.default is not EMPTY) for p in export.positional]
    kwonly = [(n, p.default is not EMPTY) for n, p in export.keyword.items()
              if p not in export.positional]
    return Signature(export.qualname, params, export.varargs is not None, kwonly, host=True,
                     varkw=getattr(export, "varkw", None) is not None)


# --- modules -------------------------------------------------------------------------

@dataclass(slots=True)
class ModuleInfo:
    """A module's exports as chk knows them (a Signature for a function, None for a
    constant or a value). `complete` is False when some exports may be missing: then
    no member is reported unknown and no call is checked."""
    name: str
    exports: dict[str, Signature | None]
    complete: bool


def module_exports(name: str, value: str) -> ModuleInfo | None:
    """An installed module's exports, read from the Python source of the package its
    entry point (`package.module:attr`) names, without importing it: the functions
    decorated `@M.export` / `@M.export(name=...)` and the `M.constant("NAME", ...)`
    calls at the top level of that file, where `M = Module(...)` is the entry point's
    object. Names and parameters follow `Module.export` and `Export` (a trailing `_` is
    dropped from a function's name). None when the file is not Python source or the
    object is not made that way; incomplete when exports may be declared elsewhere."""
    import ast as pyast
    modname, _, attr = value.partition(":")
    attr = attr.strip()
    path = _module_file(modname.strip())
    if path is None or not attr or "." in attr:
        return None
    try:
        with open(path, encoding="utf-8") as f:
            tree = pyast.parse(f.read(), path)
    except (OSError, UnicodeDecodeError, SyntaxError, ValueError):
        return None
    if not any(isinstance(s, pyast.Assign) and isinstance(s.value, pyast.Call)
               and any(isinstance(t, pyast.Name) and t.id == attr for t in s.targets)
               and _dotted(s.value.func).split(".")[-1] == "Module" for s in tree.body):
        return None
    exports: dict[str, Signature | None] = {}
    complete = True
    understood: set[int] = set()  # the uses of M.export / M.constant read below
    for s in tree.body:
        if isinstance(s, (pyast.FunctionDef, pyast.AsyncFunctionDef)):
            for dec in s.decorator_list:
                target = dec.func if isinstance(dec, pyast.Call) else dec
                if _dotted(target) != f"{attr}.export":
                    continue
                understood.add(id(target))
                ename: Any = s.name.rstrip("_")
                if isinstance(dec, pyast.Call):
                    if dec.args:
                        ename = None
                    for kw in dec.keywords:
                        if kw.arg == "name":
                            ok = isinstance(kw.value, pyast.Constant) and isinstance(kw.value.value, str)
                            ename = kw.value.value if ok else None  # type: ignore[attr-defined]
                if isinstance(ename, str):
                    exports[ename] = _python_signature(s, f"{name}.{ename}")
                else:
                    complete = False
        elif isinstance(s, pyast.Expr) and isinstance(s.value, pyast.Call) \
                and _dotted(s.value.func) == f"{attr}.constant":
            understood.add(id(s.value.func))
            first = s.value.args[0] if s.value.args else None
            if isinstance(first, pyast.Constant) and isinstance(first.value, str):
                exports[first.value] = None
            else:
                complete = False
    for node in pyast.walk(tree):  # exports declared any other way: not understood
        if isinstance(node, pyast.Attribute) and node.attr in ("export", "constant") \
                and _dotted(node) == f"{attr}.{node.attr}" and id(node) not in understood:
            complete = False
    if os.path.basename(path) == "__init__.py":  # the package's other files may add some
        folder = os.path.dirname(path)
        for other in sorted(os.listdir(folder)):
            if other.endswith(".py") and other != "__init__.py":
                try:
                    with open(os.path.join(folder, other), encoding="utf-8") as f:
                        text = f.read()
                except (OSError, UnicodeDecodeError):
                    complete = False
                    continue
                if ".export" in text or ".constant(" in text:
                    complete = False
    return ModuleInfo(name, exports, complete)


def _dotted(node: Any) -> str:
    import ast as pyast
    if isinstance(node, pyast.Name):
        return node.id
    if isinstance(node, pyast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else ""
    return ""


def _python_signature(fn: Any, qualname: str) -> Signature:
    """A Python function's parameters as `Export` reads them from its code object."""
    a = fn.args
    positional = [*a.posonlyargs, *a.args]
    first_default = len(positional) - len(a.defaults)
    params = [(p.arg, i >= first_default) for i, p in enumerate(positional)]
    kwonly = [(p.arg, d is not None) for p, d in zip(a.kwonlyargs, a.kw_defaults)]
    return Signature(qualname, params, a.vararg is not None, kwonly, host=True,
                     varkw=a.kwarg is not None)


def _module_file(modname: str) -> str | None:
    """The source file of a Python module, found without importing it or its parents."""
    from importlib.machinery import PathFinder
    from importlib.util import find_spec
    parts = modname.split(".")
    try:
        top = sys.modules.get(parts[0])
        spec = top.__spec__ if top is not None else find_spec(parts[0])
        for i in range(1, len(parts)):
            if spec is None or not spec.submodule_search_locations:
                return None
            spec = PathFinder.find_spec(".".join(parts[:i + 1]), list(spec.submodule_search_locations))
    except (ImportError, ValueError, AttributeError):
        return None
    origin = getattr(spec, "origin", None) if spec is not None else None
    if not origin or not origin.endswith(".py") or not os.path.isfile(origin):
        return None
    return str(origin)


def file_module_exports(path: str, name: str) -> ModuleInfo | None:
    """A NAME.ax module's exports: its top-level names that do not start with `_`;
    a function declared once with `fn` carries its signature."""
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        program = parser.parse(text, path)
    except (OSError, UnicodeDecodeError, ParseError):
        return None
    source = Source(text, path)
    counts: dict[str, int] = {}
    fns: dict[str, A.FnExpr] = {}
    for s in program.body.stmts:
        for bound in _top_bindings(s):
            counts[bound] = counts.get(bound, 0) + 1
        if isinstance(s, A.FnDecl):
            fns[s.name] = s.fn
    exports: dict[str, Signature | None] = {}
    for bound, n in counts.items():
        if not bound.startswith("_"):
            fn = fns.get(bound)
            exports[bound] = fn_signature(f"{bound}()", fn, source) if fn is not None and n == 1 else None
    return ModuleInfo(name, exports, True)


def _top_bindings(s: A.Node) -> list[str]:
    if isinstance(s, A.Let):
        return [p.name for p in pattern_names(s.target)]
    if isinstance(s, (A.FnDecl, A.ClassDecl)):
        return [s.name]
    if isinstance(s, A.Import):
        return [alias for _, alias, _ in s.items]
    if isinstance(s, A.FromImport):
        return [alias for _, alias, _ in s.names]
    if isinstance(s, A.Assign) and isinstance(s.target, A.Name):
        return [s.target.name]
    return []


def pattern_names(p: A.Node) -> list[A.PName]:
    """The names a binding pattern binds (`x`, `(a, [b, c])`)."""
    if isinstance(p, A.PName):
        return [p]
    return [n for item in p.items for n in pattern_names(item)]  # type: ignore[attr-defined]


class Modules:
    """Finds the modules a file imports in the runtime's order: an installed module (the
    loader's cached index), then NAME.ax beside the file, in AXIOM_PATH and in the
    `module_paths` setting."""

    def __init__(self, settings: dict[str, Any]) -> None:
        self.settings = settings
        self._installed: dict[str, dict[str, str]] | None = None
        self._cache: dict[tuple[str, str | None], ModuleInfo | None] = {}

    @property
    def installed(self) -> dict[str, dict[str, str]]:
        if self._installed is None:
            from .loader import Index
            try:
                self._installed = Index.load().modules
            except Exception:  # an unreadable environment: every import is unknown
                self._installed = {}
        return self._installed

    def exists(self, name: str, importer_dir: str | None) -> bool:
        if name in self.installed:
            return True
        from .loader import find_file_module
        return find_file_module(name, importer_dir, self.settings)[0] is not None

    def info(self, name: str, importer_dir: str | None) -> ModuleInfo | None:
        key = (name, importer_dir)
        if key not in self._cache:
            self._cache[key] = self._find(name, importer_dir)
        return self._cache[key]

    def _find(self, name: str, importer_dir: str | None) -> ModuleInfo | None:
        entry = self.installed.get(name)
        if entry is not None:
            return module_exports(name, entry.get("value", ""))
        from .loader import find_file_module
        path = find_file_module(name, importer_dir, self.settings)[0]
        return file_module_exports(path, name) if path is not None else None

    def near(self, name: str) -> list[str]:
        return difflib.get_close_matches(name, list(self.installed), 3, 0.6)

"""The module loader: the seven steps of ARCHITECTURE.md §3, lazily.

    import mth
      1. loader cache      already loaded this run?            -> Loader.loaded
      2. lookup            entry point "mth" in axiom.modules  -> Index (cached on disk)
      3. dynamic load      import axiom_mth only now           -> _import_object
      4. symbol resolution the object satisfies AxiomModule and speaks our API version
      5. init              module.init()
      6. symbols           get_symbol("sin") on attribute access (by the VM)
      7. cache             name -> module for the rest of the run

The entry-point index is cached in `$AXIOM_HOME/cache/index.marshal`, keyed on the
modification times of the folders on sys.path (installing or removing a distribution
changes them), so a run reads it without importing importlib.metadata; a refresh uses
importlib_metadata. A module whose import or init raises is reported as an ImportError
naming its distribution and the cause; it never breaks other modules.

Imports: conf, errors (core) and axiom_sdk only.
"""

from __future__ import annotations

import marshal
import os
import sys

from axiom_sdk import API_VERSION, AxiomError

from . import conf

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs start-up time; annotations here are strings
    from typing import Any, Final

MODULE_GROUP: Final = "axiom.modules"
PLUGIN_GROUP: Final = "axiom.plugins"
_INDEX_VERSION: Final = 2


def _stamp() -> list[tuple[str, int]]:
    """The modification times of the folders distributions are installed in: sys.path
    without its first entry, which is the running script's folder (or the current
    directory) and changes with every invocation, not with installs."""
    out = []
    for d in sys.path[1:]:
        try:
            out.append((d, os.stat(d or ".").st_mtime_ns))
        except OSError:
            out.append((d, 0))
    return out


class Index:
    """Installed modules and plugins: name -> {value, dist, version, summary}."""

    def __init__(self, modules: dict[str, dict[str, str]], plugins: dict[str, dict[str, str]],
                 stamp: list[tuple[str, int]]) -> None:
        self.modules = modules
        self.plugins = plugins
        self.stamp = stamp

    @classmethod
    def load(cls, refresh: bool = False) -> Index:
        """The index, read once per process from the cache (rebuilt when stale)."""
        global _current
        if _current is not None and not refresh:
            return _current
        _current = cls._read_or_scan(refresh)
        return _current

    @classmethod
    def _read_or_scan(cls, refresh: bool) -> Index:
        stamp = _stamp()
        path = conf.cache_file("index.marshal")
        if not refresh:
            try:
                data = conf.read_regular(path, conf.MAX_CACHE_BYTES)
                version, cached_stamp, modules, plugins = marshal.loads(data)
                if version == _INDEX_VERSION and cached_stamp == stamp:
                    return cls(modules, plugins, stamp)
            except Exception:
                pass
        index = cls.scan(stamp)
        conf.write_atomic(path, marshal.dumps((_INDEX_VERSION, stamp, index.modules, index.plugins)))
        return index

    @classmethod
    def scan(cls, stamp: list[tuple[str, int]]) -> Index:
        import importlib_metadata as md
        groups: dict[str, dict[str, dict[str, str]]] = {MODULE_GROUP: {}, PLUGIN_GROUP: {}}
        for group, found in groups.items():
            for ep in md.entry_points(group=group):
                if ep.name in found:
                    continue  # the first distribution on sys.path wins, as for imports
                dist = ep.dist
                meta = dist.metadata if dist is not None else None
                found[ep.name] = {
                    "value": ep.value,
                    "dist": (meta["Name"] if meta is not None else "") or "",
                    "version": (dist.version if dist is not None else "") or "",
                    "summary": (meta["Summary"] if meta is not None else "") or "",
                }
        return cls(groups[MODULE_GROUP], groups[PLUGIN_GROUP], stamp)


_current: Index | None = None


def plugins_installed() -> bool:
    """Whether any `axiom.plugins` entry point is installed and autoload is on (read
    from the cached index: no importlib.metadata, no pluggy)."""
    if os.environ.get("AXIOM_DISABLE_PLUGIN_AUTOLOAD"):
        return False
    return bool(Index.load().plugins)


def import_object(value: str) -> Any:
    """Step 3: import `package.module:attr.path` (an entry point's value)."""
    import importlib
    modname, _, attr = value.partition(":")
    obj: Any = importlib.import_module(modname.strip())
    for part in attr.strip().split(".") if attr.strip() else ():
        obj = getattr(obj, part)
    return obj


def check_protocol(obj: Any, name: str, dist: str) -> None:
    """Step 4: the object must satisfy AxiomModule and speak our API version."""
    missing = [m for m in ("init", "get_symbol", "list_exports", "metadata")
               if not callable(getattr(obj, m, None))]
    if missing:
        raise AxiomError("ImportError", f"module '{name}' ({dist}) is not an Axiom module: "
                                        f"it lacks {', '.join(missing)}")
    api = getattr(obj, "api_version", None)
    if api != API_VERSION:
        raise AxiomError("ImportError", f"module '{name}' ({dist}) was built for Axiom module API "
                                        f"{api}, but this Axiom supports API {API_VERSION}; "
                                        f"install a version of {dist} made for this Axiom")


def allowed_modules() -> set[str] | None:
    raw = os.environ.get("AXIOM_MODULES")
    if raw is None:
        return None
    return {x.strip() for x in raw.split(",") if x.strip()}


class Loader:
    """Loads modules by name for one Runtime (steps 1-5 and 7): installed ones, and those
    the host provided to this Runtime (`provide`)."""

    def __init__(self) -> None:
        self.loaded: dict[str, Any] = {}
        self.provided: dict[str, Any] = {}
        self._index: Index | None = None
        self.allowed = allowed_modules()

    def provide(self, module: Any) -> None:
        """Make `module` (an AxiomModule object) importable by its name in this run,
        ahead of any installed module of that name. AXIOM_MODULES does not apply: the
        host chose it."""
        meta = getattr(module, "metadata", None)
        name = str(meta()[0]) if callable(meta) else repr(module)
        check_protocol(module, name, "provided by the host")
        self.provided[name] = module
        self.loaded.pop(name, None)

    @property
    def index(self) -> Index:
        if self._index is None:
            self._index = Index.load()
        return self._index

    def find(self, name: str) -> Any | None:
        """The loaded module `name`, or None when no installed module has that name."""
        mod = self.loaded.get(name)  # 1
        if mod is not None:
            return mod
        mod = self.provided.get(name)
        if mod is not None:
            init_module(mod, name, "provided by the host")  # 5
            self.loaded[name] = mod  # 7
            return mod
        entry = self.index.modules.get(name)  # 2
        if entry is None:
            return None
        if self.allowed is not None and name not in self.allowed:
            raise AxiomError("ImportError", f"module '{name}' is not allowed here "
                                            "(AXIOM_MODULES limits which modules may load)")
        mod = load_entry(name, entry)  # 3-5
        self.loaded[name] = mod  # 7
        return mod

    def not_found(self, name: str, tried: list[str]) -> AxiomError:
        """ModuleNotFound naming what was tried, the install command and near misses."""
        import difflib
        names = list(self.index.modules)
        near = difflib.get_close_matches(name, names, 3, 0.6)
        msg = f"no module named '{name}'"
        if tried:
            msg += f" (looked for an installed module and for {', '.join(tried)})"
        msg += f"; install it with: axiom pkg install {name}"
        if near:
            msg += f"; did you mean {', '.join(near)}?"
        return AxiomError("ModuleNotFound", msg)


def load_entry(name: str, entry: dict[str, str]) -> Any:
    """Steps 3-5 for one index entry, with errors that name the distribution."""
    dist = f"{entry['dist']} {entry['version']}".strip() or name
    try:
        obj = import_object(entry["value"])
    except AxiomError:
        raise
    except BaseException as e:  # isolate: any failure of a module's import is its own
        if isinstance(e, KeyboardInterrupt):
            raise
        err = AxiomError("ImportError", f"module '{name}' (distribution {dist}) failed to load: "
                                        f"{type(e).__name__}: {e}")
        err.__cause__ = e
        raise err from e
    check_protocol(obj, name, dist)
    if getattr(obj, "version", "") is None:
        obj.version = entry["version"]
    init_module(obj, name, f"distribution {dist}")
    return obj


def init_module(obj: Any, name: str, origin: str) -> None:
    """Step 5: `init()` in the calling run (a Module initialises once per Runtime)."""
    try:
        obj.init()
    except AxiomError:
        raise
    except Exception as e:
        raise AxiomError("ImportError", f"module '{name}' ({origin}) failed to "
                                        f"initialise: {type(e).__name__}: {e}") from e


def find_file_module(name: str, importer_dir: str | None, settings: dict[str, Any]) -> tuple[str | None, list[str]]:
    """A NAME.ax beside the importer, then in AXIOM_PATH, then in `module_paths`.
    Returns the file (or None) and the places looked at, for ModuleNotFound."""
    dirs: list[str] = []
    if importer_dir is not None:
        dirs.append(importer_dir)
    dirs += [d for d in os.environ.get("AXIOM_PATH", "").split(os.pathsep) if d]
    dirs += list(settings.get("module_paths", []))
    tried = []
    for d in dirs:
        f = os.path.join(d, f"{name}.ax")
        tried.append(f)
        if os.path.isfile(f):
            return f, tried
    return None, tried


def probe_all() -> list[dict[str, Any]]:
    """Import every installed module in isolation and report its state (for
    `axiom mod list`, which runs this in a child process so that it imports nothing)."""
    index = Index.load()
    rows = []
    for name in sorted(index.modules):
        entry = index.modules[name]
        row: dict[str, Any] = {"name": name, "dist": entry["dist"], "version": entry["version"],
                               "summary": entry["summary"], "state": "ok", "exports": 0}
        try:
            mod = load_entry(name, entry)
            row["exports"] = len(mod.list_exports())
            row["summary"] = getattr(mod, "summary", "") or entry["summary"]
        except AxiomError as e:
            row["state"] = "broken"
            row["reason"] = e.message
        rows.append(row)
    return rows


if __name__ == "__main__":  # python -m axiom.loader: the probe behind `axiom mod list`
    sys.stdout.write(repr(probe_all()))

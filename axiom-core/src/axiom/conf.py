"""Configuration: `~/.axiom/config.toml` (`AXIOM_HOME` overrides the folder).

Created with the defaults on first use and read with tomllib. To keep start-up lean the
parsed settings are cached (marshal, keyed on the file's size and mtime) so that a run
does not import tomllib when nothing changed. Imports nothing of Axiom's.
"""

from __future__ import annotations

import marshal
import os

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs start-up time; annotations here are strings
    from typing import Any, Final


DEFAULTS: Final[dict[str, Any]] = {
    "bytecode_cache": True,        # cache compiled scripts in __axcache__/
    "peephole_optimizer": True,    # constant folding, peephole, dead code, jump threading
    "jit": "off",                  # off | host | native (tiers 1 and 2)
    "jit_threshold": 1000,         # calls or loop iterations before a function is compiled
    "ic_enabled": True,            # inline caches for attribute and method lookups
    "gc_enabled": True,            # the host's cycle collector during a run
    "profiling_enabled": False,    # as if --profile were given
    "max_call_depth": 1_000_000,   # deeper calls raise StackOverflow
    "module_paths": [],            # extra folders searched for NAME.ax (after AXIOM_PATH)
}

_DOCS: Final[dict[str, str]] = {
    "bytecode_cache": "Cache compiled scripts in __axcache__/ beside them.",
    "peephole_optimizer": "Run the bytecode optimizer.",
    "jit": "Execution tier: off, host or native.",
    "jit_threshold": "Calls before a hot function is compiled by a JIT tier.",
    "ic_enabled": "Inline caches for attribute lookups.",
    "gc_enabled": "Python's cycle collector during a run.",
    "profiling_enabled": "Profile every run as with --profile.",
    "max_call_depth": "Call depth at which StackOverflow is raised.",
    "module_paths": "Extra folders searched for NAME.ax modules.",
}


def home() -> str:
    """The settings folder (a str: pathlib would cost start-up time)."""
    env = os.environ.get("AXIOM_HOME")
    return env if env else os.path.join(os.path.expanduser("~"), ".axiom")


def path() -> str:
    return os.path.join(home(), "config.toml")


def cache_file(name: str) -> str:
    return os.path.join(home(), "cache", name)


def render(settings: dict[str, Any]) -> str:
    """The TOML text of a settings dict, with a comment per key."""
    lines = ["# Axiom configuration (axiom conf show | get | set)", ""]
    for key, value in settings.items():
        if key in _DOCS:
            lines.append(f"# {_DOCS[key]}")
        lines.append(f"{key} = {_toml_value(value)}")
    return "\n".join(lines) + "\n"


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    raise TypeError(f"cannot write {v!r} to config.toml")


def load() -> dict[str, Any]:
    """The settings: defaults overlaid with config.toml (created when missing)."""
    p = path()
    try:
        st = os.stat(p)
    except FileNotFoundError:
        try:
            os.makedirs(home(), exist_ok=True)
            with open(p, "w", encoding="utf-8") as f:
                f.write(render(DEFAULTS))
        except OSError:
            pass
        return dict(DEFAULTS)
    except OSError:
        return dict(DEFAULTS)
    key = (st.st_size, st.st_mtime_ns)
    cache = cache_file("config.marshal")
    try:
        with open(cache, "rb") as f:
            cached_key, data = marshal.loads(f.read())
        if tuple(cached_key) == key:
            return {**DEFAULTS, **data}
    except Exception:
        pass
    data = read_file(p)
    write_atomic(cache, marshal.dumps((key, data)))
    return {**DEFAULTS, **data}


def write_atomic(target: str, data: bytes) -> bool:
    """Write a file by renaming a finished temporary one over it; False when the folder
    cannot be written (caches are then simply skipped)."""
    try:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        tmp = f"{target}.{os.getpid()}.tmp"
        with open(tmp, "wb") as f:
            f.write(data)
        os.replace(tmp, target)
        return True
    except (OSError, ValueError):
        return False


class ConfigError(Exception):
    pass


def read_file(p: str) -> dict[str, Any]:
    import tomllib
    try:
        with open(p, "rb") as f:
            data = tomllib.load(f)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{p}: {e}") from None
    return data


def parse_value(key: str, text: str) -> Any:
    """A value typed on the command line, converted to the type of the default."""
    default = DEFAULTS.get(key)
    if isinstance(default, bool):
        low = text.lower()
        if low in ("true", "1", "yes", "on"):
            return True
        if low in ("false", "0", "no", "off"):
            return False
        raise ConfigError(f"{key} takes true or false, not {text!r}")
    if isinstance(default, int):
        try:
            return int(text.replace("_", ""))
        except ValueError:
            raise ConfigError(f"{key} takes an integer, not {text!r}") from None
    if isinstance(default, list):
        return [x for x in text.split(os.pathsep) if x] if text else []
    if key == "jit" and text not in ("off", "host", "native"):
        raise ConfigError(f"jit takes off, host or native, not {text!r}")
    return text


def set_value(key: str, text: str) -> Any:
    if key not in DEFAULTS:
        import difflib
        near = difflib.get_close_matches(key, list(DEFAULTS), 1)
        raise ConfigError(f"unknown setting {key!r}" + (f" (did you mean {near[0]!r}?)" if near else ""))
    settings = load()
    settings[key] = parse_value(key, text)
    if not write_atomic(path(), render(settings).encode("utf-8")):
        raise ConfigError(f"cannot write {path()}")
    return settings[key]

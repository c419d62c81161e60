"""Configuration: `~/.axiom/config.toml` (`AXIOM_HOME` overrides the folder).

Created with the defaults on first use and read with tomllib. Every key is checked when
the file is loaded (its type and range, with the messages `axiom conf set` gives), and a
problem is a ConfigError naming the file and line: the CLI reports it and exits 2, except
`axiom run`, which warns and goes on with the settings that could be read. To keep
start-up lean the checked settings are cached (marshal, keyed on the file's size and
mtime) so that a run does not import tomllib when nothing changed. Imports nothing of
Axiom's.
"""

from __future__ import annotations

import marshal
import os

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs start-up time; annotations here are strings
    from typing import Any, Final


class _DefaultTier(str):
    """The `jit` setting nobody set: "native" where llvmlite is installed, and tier 1 without
    a word where it is not. A value someone gives (an active `jit = ...` line in
    config.toml, `axiom run --jit`, a host's settings) is a plain str: `"native"` then asks
    for tier 2, and without llvmlite says so in one line (jit.Tiers)."""

    __slots__ = ()


DEFAULT_JIT: Final = _DefaultTier("native")


def jit_asked(value: Any) -> bool:
    """Whether the `jit` value was chosen by someone rather than left at the default."""
    return type(value) is not _DefaultTier


DEFAULTS: Final[dict[str, Any]] = {
    "bytecode_cache": True,        # cache compiled scripts in __axcache__/
    "peephole_optimizer": True,    # constant folding, peephole, dead code, jump threading
    "jit": DEFAULT_JIT,            # off | host | native (tiers 1 and 2): native if installed
    "jit_threshold": 1000,         # calls or loop iterations before a function is compiled
    "ic_enabled": True,            # inline caches at method call sites in compiled code
    "gc_enabled": True,            # the host's cycle collector during a run
    "profiling_enabled": False,    # as if --profile were given
    "max_call_depth": 1_000_000,   # deeper calls raise StackOverflow
    "module_paths": [],            # extra folders searched for NAME.ax (after AXIOM_PATH)
    "fmt_line_width": 100,         # axiom fmt breaks lines longer than this
}

_DOCS: Final[dict[str, str]] = {
    "bytecode_cache": "Cache compiled scripts in __axcache__/ beside them.",
    "peephole_optimizer": "Run the bytecode optimizer.",
    "jit": "Execution tier: off, host or native.",
    "jit_threshold": "Calls before a hot function is compiled by a JIT tier.",
    "ic_enabled": "Inline caches at method call sites in compiled code.",
    "gc_enabled": "Python's cycle collector during a run.",
    "profiling_enabled": "Profile every run as with --profile.",
    "max_call_depth": "Call depth at which StackOverflow is raised.",
    "module_paths": "Extra folders searched for NAME.ax modules.",
    "fmt_line_width": "The line width axiom fmt keeps to.",
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
        if key == "jit" and not jit_asked(value):  # left at the default: not pinned in the file
            lines.append(f"# {key} = {_toml_value(value)}   (the default: native where llvmlite "
                         "is installed, else host)")
            continue
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


class ConfigError(Exception):
    """A bad setting: in config.toml (`path` and, when known, `line`) or typed on the
    command line (no path). Shown as `PATH:LINE: message`, or the message alone."""

    def __init__(self, message: str, path: str | None = None, line: int = 0,
                 key: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line
        self.key = key  # the setting at fault, when it is one setting's value

    def __str__(self) -> str:
        if self.path is None:
            return self.message
        return f"{self.path}:{self.line}: {self.message}" if self.line else f"{self.path}: {self.message}"


def load() -> dict[str, Any]:
    """The settings: defaults overlaid with config.toml (created when missing). A file
    that cannot be parsed, an unknown key or a value of the wrong type or range raises
    ConfigError naming the line."""
    settings, problems = load_lenient()
    if problems:
        raise problems[0]
    return settings


def load_lenient() -> tuple[dict[str, Any], list[ConfigError]]:
    """The settings that could be read (defaults for the rest) and the problems found:
    `axiom run` goes on with these after a warning."""
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
        return dict(DEFAULTS), []
    except OSError:
        return dict(DEFAULTS), []
    key = (st.st_size, st.st_mtime_ns)
    cache = cache_file("config.marshal")
    try:
        cached_key, data = marshal.loads(read_regular(cache, MAX_CACHE_BYTES))
        if tuple(cached_key) == key and not _check_all(data, p, ""):
            return {**DEFAULTS, **data}, []
    except Exception:
        pass
    data, problems = read_file(p)
    if not problems:
        write_atomic(cache, marshal.dumps((key, data)))
    return {**DEFAULTS, **data}, problems


def warning(problems: list[ConfigError]) -> str:
    """The one line `axiom run` prints before going on despite config problems."""
    first = problems[0]
    if first.key is None:
        then = "running with the default settings"
    elif first.key not in DEFAULTS:
        then = "ignoring it"
    else:
        then = f"running with the default {first.key}"
    more = f" (and {len(problems) - 1} more problem{'s' if len(problems) > 2 else ''})" if len(problems) > 1 else ""
    return f"axiom: warning: {first}; {then}{more}"


# The largest cache file read (a compiled script, the module index, the settings): a
# bigger one is not ours, and is ignored and rebuilt.
MAX_CACHE_BYTES: Final = 256 * 1024 * 1024

_READ_FLAGS: Final = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)


def read_regular(path: str, limit: int, *, follow_symlinks: bool = False) -> bytes:
    """The bytes of the regular file at `path`, read only when it is one and holds at
    most `limit` bytes. Opened without following a symlink (O_NOFOLLOW, unless
    `follow_symlinks`) and without blocking (O_NONBLOCK: a FIFO opens at once), then
    checked with fstat, so a FIFO, a device, a symlink (to /dev/zero, say) or a huge
    file is never read: OSError (caches treat it as a miss and rebuild the entry)."""
    import stat
    flags = _READ_FLAGS if follow_symlinks else _READ_FLAGS | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(path, flags)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise OSError(f"{path} is not a regular file")
        if st.st_size > limit:
            raise OSError(f"{path} is larger than {limit} bytes")
        chunks = []
        total = 0
        while chunk := os.read(fd, min(1 << 20, limit + 1 - total)):
            total += len(chunk)
            if total > limit:  # it grew while being read
                raise OSError(f"{path} is larger than {limit} bytes")
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def write_atomic(target: str, data: bytes) -> bool:
    """Write a file by renaming a finished temporary one over it; False when the folder
    cannot be written (caches are then simply skipped). The temporary file is created
    new (O_EXCL, O_NOFOLLOW): a symlink planted at its name is never written through."""
    tmp = f"{target}.{os.getpid()}.tmp"
    try:
        folder = os.path.dirname(target)
        if folder:  # a bare file name lives in the current folder
            os.makedirs(folder, exist_ok=True)
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) \
            | getattr(os, "O_CLOEXEC", 0)
        try:
            fd = os.open(tmp, flags, 0o644)
        except FileExistsError:  # left by a process that died (pids are reused)
            os.unlink(tmp)
            fd = os.open(tmp, flags, 0o644)
        with open(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, target)
        return True
    except (OSError, ValueError):
        try:
            os.unlink(tmp)
        except OSError:
            pass
        return False


def read_file(p: str) -> tuple[dict[str, Any], list[ConfigError]]:
    """The valid settings of a config file and its problems (a file TOML cannot parse
    gives no settings and one problem)."""
    import tomllib
    try:
        with open(p, "rb") as f:
            raw = f.read()
    except OSError as e:
        return {}, [ConfigError(f"cannot read the file: {e.strerror or e}", p)]
    text = raw.decode("utf-8", "replace")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        message, line = _toml_problem(str(e), text)
        return {}, [ConfigError(message, p, line)]
    problems = _check_all(data, p, text)
    bad = {e.key for e in problems}
    return {k: v for k, v in data.items() if k not in bad}, problems


def _toml_problem(message: str, text: str) -> tuple[str, int]:
    """tomllib's message without its position, and the line it names."""
    head, sep, where = message.rpartition(" (at ")
    if not sep:
        return message, 0
    message = head[:1].lower() + head[1:]
    if where.startswith("line "):
        return message, int(where[5:].split(",")[0].rstrip(")"))
    return message + " at the end of the file", text.count("\n") + (0 if text.endswith("\n") else 1)


def _check_all(data: dict[str, Any], p: str, text: str) -> list[ConfigError]:
    problems = []
    for key, value in data.items():
        try:
            check(key, value)
        except ConfigError as e:
            problems.append(ConfigError(e.message, p, _line_of(key, text), key))
    return problems


def _line_of(key: str, text: str) -> int:
    """The line where `key = ...` is set (0 when it cannot be found)."""
    for n, line in enumerate(text.splitlines(), 1):
        head = line.split("=", 1)[0].strip().strip("\"'")
        if head == key and "=" in line:
            return n
        if line.strip() == f"[{key}]":
            return n
    return 0


_MINIMUM: Final[dict[str, int]] = {"max_call_depth": 1, "jit_threshold": 0, "fmt_line_width": 20}
_JIT: Final = ("off", "host", "native")


def check(key: str, value: Any) -> Any:
    """`value` if it suits setting `key`, else ConfigError with the message `conf set`
    gives for it too."""
    if key not in DEFAULTS:
        import difflib
        near = difflib.get_close_matches(key, list(DEFAULTS), 1)
        raise ConfigError(f"unknown setting {key!r}" + (f" (did you mean {near[0]!r}?)" if near else ""),
                          key=key)
    default = DEFAULTS[key]
    shown = _shown(value)
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise ConfigError(f"{key} takes true or false, not {shown}", key=key)
    elif isinstance(default, int):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{key} takes an integer, not {shown}", key=key)
        low = _MINIMUM.get(key)
        if low is not None and value < low:
            raise ConfigError(f"{key} must be at least {low}, not {value}", key=key)
    elif isinstance(default, list):
        if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
            raise ConfigError(f'{key} takes a list of folder names such as ["lib", "~/ax"], not {shown}',
                              key=key)
    elif key == "jit":
        if value not in _JIT:
            raise ConfigError(f"jit takes off, host or native, not {shown}", key=key)
    return value


def _shown(value: Any) -> str:
    """A value as config.toml would spell it (for messages)."""
    try:
        return _toml_value(value)
    except TypeError:
        return "a table" if isinstance(value, dict) else repr(value)


def parse_value(key: str, text: str | list[str]) -> Any:
    """A value typed on the command line (one word, or several for a list setting),
    converted to the setting's type and checked."""
    if key not in DEFAULTS:
        check(key, None)  # unknown setting: the error with a near miss
    words = [text] if isinstance(text, str) else list(text)
    default = DEFAULTS[key]
    if isinstance(default, list):
        if len(words) == 1 and words[0].lstrip().startswith("["):
            import tomllib
            try:
                value: Any = tomllib.loads(f"v = {words[0]}")["v"]
            except tomllib.TOMLDecodeError:
                raise ConfigError(f'{key} takes a list of folder names such as ["lib", "~/ax"], '
                                  f"not {words[0]!r}", key=key) from None
            return check(key, value)
        if len(words) == 1:  # one word: a PATH-like list ("a:b"), or none ("")
            return [x for x in words[0].split(os.pathsep) if x]
        return check(key, words)
    if len(words) != 1:
        raise ConfigError(f"{key} takes one value, not {len(words)}", key=key)
    word = words[0]
    if isinstance(default, bool):
        low = word.strip().lower()
        if low in ("true", "1", "yes", "on"):
            return True
        if low in ("false", "0", "no", "off"):
            return False
        raise ConfigError(f"{key} takes true or false, not {_shown(word)}", key=key)
    if isinstance(default, int):
        try:
            number = int(word.strip().replace("_", ""))
        except ValueError:
            raise ConfigError(f"{key} takes an integer, not {_shown(word)}", key=key) from None
        return check(key, number)
    return check(key, word)


def _salvage(text: str) -> dict[str, Any]:
    """The valid settings on lines of a file TOML cannot parse as a whole, each line
    read on its own (so repairing one bad line keeps the others)."""
    import tomllib
    out: dict[str, Any] = {}
    for line in text.splitlines():
        try:
            pairs = tomllib.loads(line)
        except tomllib.TOMLDecodeError:
            continue
        for k, v in pairs.items():
            try:
                out[k] = check(k, v)
            except ConfigError:
                pass
    return out


def set_value(key: str, text: str | list[str]) -> tuple[Any, list[ConfigError]]:
    """Set one setting in config.toml; returns the new value and the problems the file
    had. A broken file is rewritten with the settings that could be read (the old one is
    kept as config.toml.bak), so `conf set` repairs what `conf show` rejects."""
    value = parse_value(key, text)
    target = path()
    with _locked(target):
        return value, _set_locked(target, key, value)


def _set_locked(target: str, key: str, value: Any) -> list[ConfigError]:
    """set_value's read-modify-write, with the file's lock held. The file itself is read
    (not the marshal cache, which a write within the file system's mtime granularity
    could leave looking current)."""
    if os.path.exists(target):
        data, problems = read_file(target)
        settings = {**DEFAULTS, **data}
    else:
        settings, problems = dict(DEFAULTS), []
    if problems and os.path.exists(target):
        try:
            with open(target, "rb") as f:
                old = f.read()
        except OSError:
            old = None
        if old is not None:
            if not write_atomic(target + ".bak", old):
                raise ConfigError(f"cannot write {target}.bak (a copy of the broken file)")
            settings = {**settings, **_salvage(old.decode("utf-8", "replace"))}
    settings[key] = value
    if not write_atomic(target, render(settings).encode("utf-8")):
        raise ConfigError(f"cannot write {target}")
    return problems


class _locked:
    """An exclusive lock on `TARGET.lock` (flock) for a read-modify-write of TARGET, so
    that two `axiom conf set` at once each keep the other's change. Where flock is
    missing (Windows) the write goes on unlocked."""

    def __init__(self, target: str) -> None:
        self.file = target + ".lock"
        self.fd = -1

    def __enter__(self) -> None:
        try:
            import fcntl
        except ImportError:
            return
        try:
            os.makedirs(os.path.dirname(self.file) or ".", exist_ok=True)
            self.fd = os.open(self.file, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
        except OSError as e:
            raise ConfigError(f"cannot lock {self.file}: {e.strerror or e}") from None
        fcntl.flock(self.fd, fcntl.LOCK_EX)  # waits for the other writer

    def __exit__(self, *exc: object) -> None:
        if self.fd >= 0:
            os.close(self.fd)  # closing releases the lock
            self.fd = -1

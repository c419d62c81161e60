"""Axiom module `env`: environment variables, and `.env` files read with python-dotenv.

Every function needs the `env` capability; `env_load_dotenv` also needs `fs.read` on the
file. Variables are strs: `env_set` takes a str value.

`env_load_dotenv(path=".env", override=false)` parses the file with python-dotenv
(quotes, `export NAME=...`, comments, multi-line quoted values) and expands `${NAME}` and
`${NAME:-default}` as python-dotenv's `load_dotenv` does: with `override=false` a
variable already set in the environment wins over the file, both when setting and when
expanding; with `override=true` the file wins. A key written without `=` (`NAME` alone)
has no value and is not set. It returns the number of keys the file gives a value to
(counting those an existing variable kept with `override=false`).

Decisions where python-dotenv is lenient:
- A missing file is an IOError naming the path (python-dotenv returns False silently).
- A line python-dotenv cannot parse is a ValueError naming the file and line, and the
  environment is left unchanged (python-dotenv only logs a warning and skips it).

Imports only `axiom_sdk`, the standard library and (on the first load) `dotenv`.
"""

from __future__ import annotations

import io
import os

from axiom_sdk import Module

module = Module("env", summary="Environment: variables and .env files", title="Environment")


def _check_name(fn: str, name: str) -> None:
    if name == "":
        raise module.error("ValueError", f"env.{fn}: the variable name is empty")
    if "=" in name:
        raise module.error("ValueError", f"env.{fn}: a variable name may not contain '=' "
                                         f"(got {name!r})")
    if "\0" in name:
        raise module.error("ValueError", f"env.{fn}: a variable name may not contain a NUL byte")


@module.export(needs=["env:name"])
def env_var(name: str, default: object = None) -> object:
    """The value of an environment variable, or default (nil) when it is not set."""
    _check_name("env_var", name)
    return os.environ.get(name, default)


@module.export(needs=["env:name"])
def env_set(name: str, value: str) -> None:
    """Set an environment variable for this run and the programs it starts."""
    _check_name("env_set", name)
    if "\0" in value:
        raise module.error("ValueError", "env.env_set: a value may not contain a NUL byte")
    os.environ[name] = value


@module.export(needs=["env:name"])
def env_unset(name: str) -> None:
    """Remove an environment variable (nothing happens when it is not set)."""
    _check_name("env_unset", name)
    os.environ.pop(name, None)


@module.export(needs=["env"])
def env_all() -> dict:
    """Every environment variable, as a dict sorted by name."""
    return dict(sorted(os.environ.items()))


@module.export(needs=["env", "fs.read:path"])
def env_load_dotenv(path: str = ".env", override: bool = False,
                    interpolate: bool = True) -> int:
    """Load a .env file into the environment; returns the number of keys it defines."""
    if "\0" in path:
        raise module.error("ValueError", "env.env_load_dotenv: a path may not contain a NUL byte")
    if os.path.isdir(path):
        raise module.error("IOError", f"env.env_load_dotenv: {path}: is a directory")
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except FileNotFoundError:
        raise module.error("IOError", f"env.env_load_dotenv: {path}: no such file or "
                                      "directory") from None
    except PermissionError:
        raise module.error("IOError", f"env.env_load_dotenv: {path}: permission denied") from None
    except UnicodeDecodeError as e:
        raise module.error("ValueError", f"env.env_load_dotenv: {path}: not valid UTF-8 "
                                         f"(byte 0x{e.object[e.start]:02x} at offset "
                                         f"{e.start})") from None
    from dotenv.main import DotEnv
    from dotenv.parser import parse_stream

    for binding in parse_stream(io.StringIO(text)):
        if binding.error:
            raise module.error("ValueError", f"env.env_load_dotenv: {path}: cannot parse line "
                                             f"{binding.original.line}: "
                                             f"{binding.original.string.strip().splitlines()[0]!r}")
    values = DotEnv(None, stream=io.StringIO(text), interpolate=interpolate,
                    override=override).dict()
    loaded = {k: v for k, v in values.items() if v is not None}
    for k, v in loaded.items():
        if "\0" in k or "\0" in v or "=" in k or not k:
            raise module.error("ValueError", f"env.env_load_dotenv: {path}: bad variable "
                                             f"{k!r}")
    for k, v in loaded.items():
        if override or k not in os.environ:
            os.environ[k] = v
    return len(loaded)

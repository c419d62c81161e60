"""Axiom module `pth`: paths and folders on the standard library's `os` and `os.path`.

Looking at the file system needs `fs.read` on the path (`path_exists`, `is_file`,
`list_dir`, `walk_dir`, `glob`, `path_resolve`); changing it needs `fs.write` (`mkdir`,
`remove`, `rename`, `copy`'s destination). The string functions (`path_join`,
`path_basename`, `path_dirname`, `path_ext`) touch nothing and need no grant.

Decisions:
- `list_dir(path)` gives entry names sorted by name; `walk_dir(path)` streams the paths
  of the files below `path` (joined onto `path` as given), in sorted order, scanning one
  folder at a time. It never enters a symlinked folder, so a symlink loop cannot trap
  it; a symlink to a file is listed like a file. A folder below `path` that cannot be
  read (permission denied) is reported on stderr (`pth.walk_dir: skipped PATH:
  permission denied`) and the walk goes on, as `find` and `fd` do; `on_error="raise"`
  makes it an IOError instead. `path` itself unreadable is always an IOError.
- `remove(path)` removes a file, a symlink (never its target) or an empty folder; a
  folder with entries needs `recursive=true`.
- `copy(src, dst)` copies a file (content and permission bits, replacing a file at
  `dst`) or a whole folder tree (symlinks copied as symlinks; `dst` must not exist).
  `dst` is the new path itself, never a folder to copy into.
- `rename(src, dst)` moves a file or folder, replacing a file at `dst`; across file
  systems it copies and then removes `src`.
- `glob(pattern)` supports `*`, `?`, `[...]` and `**` (any depth); like a shell it
  skips names starting with a dot unless the pattern spells the dot. `**` never enters
  a symlinked folder (Python's glob does, and two symlink loops give 2**40 matches);
  one pattern part may still match through a link, and a match whose folder lies
  outside the script's `fs.read` grant is PermissionDenied.

Imports only `axiom_sdk` and the standard library.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator

from axiom_sdk import AxiomError, Module, io_error, require

module = Module("pth", summary="Paths: joining, listing, walking and changing files and folders",
                title="Paths")

def _io_error(fn: str, what: str, e: OSError) -> AxiomError:
    """IOError `pth.FN: WHAT: REASON`, naming the path the script gave."""
    return io_error(f"pth.{fn}", what, e)


def _check(fn: str, *paths: str) -> None:
    for p in paths:
        if "\0" in p:
            raise module.error("ValueError", f"pth.{fn}: a path may not contain a NUL byte")


def _check_nonempty(fn: str, *paths: str) -> None:
    _check(fn, *paths)
    for p in paths:
        if p == "":
            raise module.error("ValueError", f"pth.{fn}: the path is empty")


# --- looking -------------------------------------------------------------------------

@module.export(needs=["fs.read:path"])
def walk_dir(path: str, on_error: str = "skip") -> Iterator[str]:
    """Stream the paths of all files below a folder, recursively, in sorted order.

    A folder below `path` that cannot be read is reported on stderr and skipped
    (on_error="skip"), or ends the walk with an IOError (on_error="raise")."""
    _check_nonempty("walk_dir", path)
    if on_error not in ("skip", "raise"):
        raise module.error("ValueError", f'pth.walk_dir: on_error must be "skip" or "raise", '
                                         f"got {on_error!r}")
    try:
        first = _scan(path)  # scan the top now: a bad path fails at the call
    except OSError as e:
        raise _io_error("walk_dir", path, e) from None
    return _walk(path, first, on_error == "skip")


def _scan(folder: str) -> list[tuple[str, bool]]:
    """(name, is a real folder) of the entries of `folder`, in the order their paths
    sort: a folder's key is `name/`, so `a-b` comes before the files inside `a/`."""
    with os.scandir(folder) as it:
        entries = []
        for e in it:
            try:
                is_dir = e.is_dir(follow_symlinks=False)
                is_file = not is_dir and e.is_file()
            except OSError:
                continue  # vanished while scanning
            if is_dir or is_file:
                entries.append((e.name, is_dir))
    entries.sort(key=lambda item: item[0] + "/" if item[1] else item[0])
    return entries


def _walk(root: str, first: list[tuple[str, bool]], skip: bool) -> Iterator[str]:
    """Depth first, one folder's listing in memory per level; a folder that cannot be
    read is reported on stderr and skipped when `skip`, else an IOError."""
    stack: list[tuple[str, Iterator[tuple[str, bool]]]] = [(root, iter(first))]
    while stack:
        folder, entries = stack[-1]
        for name, is_dir in entries:
            full = os.path.join(folder, name)
            if not is_dir:
                yield full
                continue
            try:
                listing = _scan(full)
            except FileNotFoundError:
                continue  # removed since its parent was scanned
            except OSError as e:
                error = _io_error("walk_dir", full, e)
                if not skip:
                    raise error from None
                import sys
                sys.stderr.write(f"pth.walk_dir: skipped {full}: {error.message.rpartition(': ')[2]}\n")
                continue
            stack.append((full, iter(listing)))
            break
        else:
            stack.pop()


@module.export(needs=["fs.read:path"])
def list_dir(path: str) -> list:
    """The names of the entries directly inside a folder (files and folders), sorted."""
    _check_nonempty("list_dir", path)
    try:
        return sorted(os.listdir(path))
    except OSError as e:
        raise _io_error("list_dir", path, e) from None


@module.export(needs=["fs.read:path"])
def path_exists(path: str) -> bool:
    """Whether something exists at a path (a symlink counts when its target exists)."""
    _check("path_exists", path)
    return os.path.exists(path)


@module.export(needs=["fs.read:path"])
def is_file(path: str) -> bool:
    """Whether a path is a file (following symlinks)."""
    _check("is_file", path)
    return os.path.isfile(path)


@module.export(needs=["fs.read:path"])
def is_dir(path: str) -> bool:
    """Whether a path is a folder (following symlinks)."""
    _check("is_dir", path)
    return os.path.isdir(path)


@module.export(needs=["fs.read:path"])
def path_resolve(path: str) -> str:
    """The absolute path, with `.`, `..` and symlinks resolved (it need not exist)."""
    _check("path_resolve", path)
    return os.path.realpath(path)


@module.export(needs=["fs.read:pattern"])
def glob(pattern: str) -> list:
    """The paths matching a shell pattern (`*`, `?`, `[...]`, `**`), sorted."""
    _check_nonempty("glob", pattern)
    if "**" not in pattern:
        import glob as _glob
        found = _glob.glob(pattern)
    else:
        found = _glob_deep(pattern)
    for folder in {os.path.dirname(p) for p in found}:
        require("fs.read", folder or ".")  # a match found through a symlink leading out
    return sorted(found)


def _glob_deep(pattern: str) -> list[str]:
    """Python's glob with `**`, except that `**` never enters a symlinked folder: the
    standard one follows them, so two symlink loops give 2**40 matches. `**` matches zero
    or more folders; as the last part, everything below. Names starting with a dot match
    only a part that starts with a dot."""
    import fnmatch

    absolute = pattern.startswith(os.sep)
    parts = [p for p in pattern.split(os.sep) if p]
    found: set[str] = set()

    def visible(name: str, part: str) -> bool:
        return not name.startswith(".") or part.startswith(".")

    def names(folder: str) -> list[tuple[str, bool]]:
        try:
            with os.scandir(folder or ".") as it:
                out = []
                for e in it:
                    try:
                        out.append((e.name, e.is_dir(follow_symlinks=False)))
                    except OSError:
                        continue
                return out
        except OSError:
            return []

    def below(folder: str) -> None:  # `**` as the last part
        for name, real_dir in names(folder):
            if not name.startswith("."):
                path = os.path.join(folder, name)
                found.add(path)
                if real_dir:
                    below(path)

    def expand(prefix: str, i: int) -> None:
        if i == len(parts):
            if prefix and os.path.lexists(prefix):
                found.add(prefix)
            return
        part = parts[i]
        if part == "**":
            if i == len(parts) - 1:
                below(prefix)
                return
            expand(prefix, i + 1)  # zero folders
            for name, real_dir in names(prefix):
                if real_dir and not name.startswith("."):
                    expand(os.path.join(prefix, name), i)
        elif any(c in part for c in "*?["):
            for name, _ in names(prefix):
                if visible(name, part) and fnmatch.fnmatch(name, part):
                    path = os.path.join(prefix, name)
                    if i == len(parts) - 1 or os.path.isdir(path):
                        expand(path, i + 1)
        else:
            path = os.path.join(prefix, part)
            if i == len(parts) - 1 or os.path.isdir(path):
                expand(path, i + 1)

    expand(os.sep if absolute else "", 0)
    return list(found)


# --- strings -------------------------------------------------------------------------

@module.export(needs=[])
def path_join(*parts: str) -> str:
    """Join path parts with the separator; an absolute part starts the path again."""
    if not parts:
        raise module.error("TypeError", "pth.path_join: expected at least 1 argument, got 0")
    _check("path_join", *parts)
    return os.path.join(*parts)


@module.export(needs=[])
def path_basename(path: str) -> str:
    """The last part of a path (`"a/b.txt"` gives `"b.txt"`; `"a/"` gives `""`)."""
    _check("path_basename", path)
    return os.path.basename(path)


@module.export(needs=[])
def path_dirname(path: str) -> str:
    """Everything before the last part of a path (`"a/b.txt"` gives `"a"`)."""
    _check("path_dirname", path)
    return os.path.dirname(path)


@module.export(needs=[])
def path_ext(path: str) -> str:
    """The extension of a path's last part with its dot (`".gz"`), or `""`."""
    _check("path_ext", path)
    return os.path.splitext(path)[1]


# --- changing ------------------------------------------------------------------------

@module.export(needs=["fs.write:path"])
def mkdir(path: str, parents: bool = True) -> None:
    """Make a folder; with parents (the default) also its parents, and an existing
    folder is fine."""
    _check_nonempty("mkdir", path)
    try:
        if parents:
            os.makedirs(path, exist_ok=True)
        else:
            os.mkdir(path)
    except OSError as e:
        raise _io_error("mkdir", path, e) from None


@module.export(needs=["fs.write:path"])
def remove(path: str, recursive: bool = False) -> None:
    """Remove a file, a symlink or an empty folder; a full folder needs recursive=true."""
    _check_nonempty("remove", path)
    try:
        if os.path.isdir(path) and not os.path.islink(path):
            if recursive:
                import shutil
                shutil.rmtree(path)
            elif os.listdir(path):
                raise module.error("IOError", f"pth.remove: {path}: directory not empty "
                                              "(remove it with recursive=true)")
            else:
                os.rmdir(path)
        else:
            os.unlink(path)
    except OSError as e:
        raise _io_error("remove", path, e) from None


@module.export(needs=["fs.write:src", "fs.write:dst"])
def rename(src: str, dst: str) -> None:
    """Move a file or folder to a new path (replacing a file there)."""
    _check_nonempty("rename", src, dst)
    try:
        os.replace(src, dst)
        return
    except OSError as e:
        if e.errno != errno.EXDEV:
            raise _io_error("rename", src if not os.path.lexists(src) else f"{src} -> {dst}",
                            e) from None
    _copy("rename", src, dst)  # another file system: copy, then remove the original
    import shutil
    try:
        if os.path.isdir(src) and not os.path.islink(src):
            shutil.rmtree(src)
        else:
            os.unlink(src)
    except OSError as e:
        raise _io_error("rename", src, e) from None


@module.export(needs=["fs.read:src", "fs.write:dst"])
def copy(src: str, dst: str) -> None:
    """Copy a file, or a folder with everything in it, to a new path."""
    _check_nonempty("copy", src, dst)
    _copy("copy", src, dst)


def _copy(fn: str, src: str, dst: str) -> None:
    import shutil  # here, not at import: it costs 8 ms
    try:
        if os.path.isdir(src):
            if os.path.lexists(dst):
                raise module.error("IOError", f"pth.{fn}: {dst}: already exists")
            shutil.copytree(src, dst, symlinks=True)
        else:
            if os.path.isdir(dst):
                raise module.error("IOError", f"pth.{fn}: {dst}: is a directory")
            shutil.copy2(src, dst)
    except shutil.SameFileError:
        raise module.error("IOError", f"pth.{fn}: {src} and {dst} are the same file") from None
    except shutil.Error as e:  # copytree gathers (src, dst, reason) for each failure
        failures = e.args[0] if e.args and isinstance(e.args[0], list) else []
        what, why = (failures[0][0], failures[0][2]) if failures else (src, str(e))
        raise module.error("IOError", f"pth.{fn}: {what}: {why}") from None
    except OSError as e:
        where = e.filename if isinstance(e.filename, str) else src
        raise _io_error(fn, where, e) from None


@module.export(needs=[])
def temp_dir(prefix: str = "axiom-") -> str:
    """Make a new, empty folder in the system's temporary folder and give its path."""
    import tempfile
    _check("temp_dir", prefix)
    if os.sep in prefix:
        raise module.error("ValueError", "pth.temp_dir: the prefix may not contain a separator")
    base = tempfile.gettempdir()
    require("fs.write", base)
    return tempfile.mkdtemp(prefix=prefix, dir=base)

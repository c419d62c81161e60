"""Checks of a repository's loose objects before libgit2 reads them.

libgit2 (1.9, through pygit2 1.21) loops forever inflating a loose object whose zlib
stream is cut short — a truncated file, as a full disk or a killed writer leaves — and
pygit2 keeps the GIL while it does, so neither a worker thread with a deadline nor
Ctrl-C (whose handler needs the GIL) can stop it. So every loose object file of the
repository is checked to be a complete zlib stream first; a bad one is an IOError
naming it (`git fsck` would report the same). A folder of objects is checked once per
process while its modification time stays the same: git adds objects by renaming them
into place, which changes it.

Other corruption (a bad HEAD, a bad ref, a bad index, zeroed objects, a truncated pack)
makes libgit2 fail cleanly; those errors are worded by the module.
"""

from __future__ import annotations

import os
import threading
import zlib

from axiom_sdk import AxiomError

_checked: dict[str, int] = {}  # objects/xx folder -> its mtime_ns when it was found sound
_lock = threading.Lock()
_STEP = 1 << 20  # bytes inflated at a time while checking


def check_loose_objects(qualname: str, git_dir: str) -> None:
    """IOError when a loose object under `git_dir`/objects is not a complete zlib stream."""
    objects = os.path.join(git_dir, "objects")
    try:
        folders = [e for e in os.scandir(objects)
                   if len(e.name) == 2 and e.is_dir(follow_symlinks=False)]
    except OSError:
        return  # no objects folder: libgit2 says what is wrong
    for folder in folders:
        try:
            mtime = folder.stat(follow_symlinks=False).st_mtime_ns
        except OSError:
            continue
        with _lock:
            if _checked.get(folder.path) == mtime:
                continue
        for entry in os.scandir(folder.path):
            if len(entry.name) >= 38 and entry.is_file(follow_symlinks=False):
                problem = _problem(entry.path)
                if problem is not None:
                    oid = folder.name + entry.name
                    raise AxiomError("IOError", f"{qualname}: the repository is corrupt: object "
                                                f"{oid} is {problem} ({entry.path})")
        with _lock:
            _checked[folder.path] = mtime


def _problem(path: str) -> str | None:
    """Why the loose object file at `path` cannot be read whole, or None."""
    try:
        with open(path, "rb") as f:
            d = zlib.decompressobj()
            while chunk := f.read(_STEP):
                data = chunk
                while data and not d.eof:
                    d.decompress(data, _STEP)
                    data = d.unconsumed_tail
                if d.eof:
                    break
    except zlib.error:
        return "not valid zlib data"
    except OSError as e:
        return f"unreadable ({e.strerror or e})"
    return None if d.eof else "truncated"

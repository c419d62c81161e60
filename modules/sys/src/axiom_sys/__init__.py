"""Axiom module `sys`: the machine and its processes, on psutil.

Every function needs the `sys` capability; `disk_space(path)` also needs `fs.read` on
the path (it tells whether the path exists). Sizes are ints in bytes; `uptime()` is
float seconds since the machine booted.

`process_list()` gives one `{"pid", "name", "memory"}` per process, sorted by pid;
`memory` is the resident set size in bytes. Fields the system will not show for another
user's process come back as `""` (name) or `0` (memory), never nil; a process that ends
while the list is made is left out. `platform()` is the operating system's short name as
Rust's `std::env::consts::OS` gives it: "linux", "macos", "windows", "freebsd"...

The package is `axiom_sys`, so it never shadows Python's own `sys`.
Imports only `axiom_sdk`, the standard library and `psutil`.
"""

from __future__ import annotations

import os
import time

import psutil

from axiom_sdk import Module

module = Module("sys", summary="System: CPU, memory, disks and processes on psutil",
                title="System")
module.translate(psutil.AccessDenied, "PermissionDenied")
module.translate(psutil.Error, "IOError")


@module.export(needs=["sys"])
def cpu_count() -> int:
    """The number of logical CPUs."""
    return psutil.cpu_count(logical=True) or os.cpu_count() or 1


@module.export(needs=["sys"])
def memory_total() -> int:
    """The machine's physical memory, in bytes."""
    return int(psutil.virtual_memory().total)


@module.export(needs=["sys"])
def memory_used() -> int:
    """The physical memory in use, in bytes (as psutil counts it: not caches or buffers)."""
    return int(psutil.virtual_memory().used)


@module.export(needs=["sys", "fs.read:path"])
def disk_space(path: str = "/") -> dict:
    """The size of the file system holding path: {"total", "used", "free"} in bytes."""
    if "\0" in path:
        raise module.error("ValueError", "sys.disk_space: a path may not contain a NUL byte")
    try:
        usage = psutil.disk_usage(path)
    except FileNotFoundError:
        raise module.error("IOError", f"sys.disk_space: {path}: no such file or directory") from None
    return {"total": int(usage.total), "used": int(usage.used), "free": int(usage.free)}


@module.export(needs=["sys"])
def process_list() -> list:
    """Every running process as {"pid", "name", "memory"}, sorted by pid."""
    out = []
    for p in psutil.process_iter(["pid", "name", "memory_info"]):
        info = p.info
        mem = info.get("memory_info")
        out.append({"pid": int(info["pid"]), "name": info.get("name") or "",
                    "memory": int(mem.rss) if mem is not None else 0})
    out.sort(key=lambda d: d["pid"])
    return out


_SYSTEMS = {"darwin": "macos", "win32": "windows", "cygwin": "windows"}


@module.export(needs=["sys"])
def platform() -> str:
    """The operating system's short name: "linux", "macos", "windows"..."""
    import sys as _host_sys
    name = _host_sys.platform
    for prefix in ("linux", "freebsd", "openbsd", "netbsd", "aix", "sunos"):
        if name.startswith(prefix):
            return prefix
    return _SYSTEMS.get(name, name)


@module.export(needs=["sys"])
def pid() -> int:
    """The id of the process running the script."""
    return os.getpid()


@module.export(needs=["sys"])
def uptime() -> float:
    """Seconds since the machine booted."""
    return max(0.0, time.time() - psutil.boot_time())

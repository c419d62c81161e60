"""sys on the real machine through psutil, called as scripts call it."""

import os
import shutil
import subprocess
import sys
import time

import psutil
import pytest

from axiom_sdk.testing import call, raises
from axiom_sys import module


def test_the_package_does_not_shadow_python_sys():
    assert sys.__name__ == "sys" and hasattr(sys, "executable")
    assert module.name == "sys"


def test_cpu_count():
    n = call(module, "cpu_count")
    assert type(n) is int and n >= 1
    assert n == psutil.cpu_count(logical=True)


def test_memory():
    total = call(module, "memory_total")
    used = call(module, "memory_used")
    assert type(total) is int and type(used) is int
    assert 0 < used <= total
    assert total == psutil.virtual_memory().total


def test_disk_space_matches_shutil(tmp_path):
    for path in ("/", str(tmp_path)):
        d = call(module, "disk_space", path)
        assert list(d) == ["total", "used", "free"]
        assert all(type(v) is int and v >= 0 for v in d.values())
        u = shutil.disk_usage(path)
        assert d["total"] == u.total
        assert d["used"] <= d["total"] and d["free"] <= d["total"]
        assert abs(d["used"] - u.used) < 64 * 2**20  # other writers may run in between
    assert call(module, "disk_space")["total"] == shutil.disk_usage("/").total


def test_disk_space_errors(tmp_path):
    missing = str(tmp_path / "nope")
    e = raises(module, "disk_space", missing)
    assert (e.kind, e.message) == ("IOError", f"sys.disk_space: {missing}: no such file or directory")
    e = raises(module, "disk_space", "/\0")
    assert (e.kind, e.message) == ("ValueError", "sys.disk_space: a path may not contain a NUL byte")
    e = raises(module, "disk_space", 1)
    assert (e.kind, e.message) == ("TypeError", "sys.disk_space: argument 'path' expects str, got int")


def test_process_list_contains_this_process():
    procs = call(module, "process_list")
    assert len(procs) >= 1
    for p in procs:
        assert list(p) == ["pid", "name", "memory"]
        assert type(p["pid"]) is int and type(p["name"]) is str and type(p["memory"]) is int
        assert p["memory"] >= 0
    pids = [p["pid"] for p in procs]
    assert pids == sorted(pids) and len(set(pids)) == len(pids)
    me = [p for p in procs if p["pid"] == os.getpid()]
    assert len(me) == 1
    assert me[0]["name"] == psutil.Process().name()
    assert me[0]["memory"] > 0


def test_process_list_sees_a_child_process():
    child = subprocess.Popen(["sleep", "30"])
    try:
        procs = call(module, "process_list")
        assert {"pid": child.pid, "name": "sleep"}.items() <= next(
            p for p in procs if p["pid"] == child.pid).items()
    finally:
        child.kill()
        child.wait()


def test_pid_platform_uptime():
    assert call(module, "pid") == os.getpid()
    plat = call(module, "platform")
    assert type(plat) is str
    if sys.platform.startswith("linux"):
        assert plat == "linux"
    up = call(module, "uptime")
    assert type(up) is float and up > 0
    assert abs(up - (time.time() - psutil.boot_time())) < 5


@pytest.mark.parametrize("name", ["cpu_count", "memory_total", "memory_used", "process_list",
                                  "platform", "pid", "uptime"])
def test_no_arguments_accepted(name):
    e = raises(module, name, 1)
    assert e.kind == "TypeError"


def test_capabilities_are_declared():
    for name in module.list_exports():
        fn = module.get_symbol(name)
        assert fn.summary, name
        assert ("sys", None) in fn.needs, name
    assert module.get_symbol("disk_space").needs == [("sys", None), ("fs.read", "path")]


def test_fields_hidden_from_us_are_zero_or_empty(monkeypatch):
    class Hidden:  # what process_iter gives for another user's process as a normal user
        info = {"pid": 4242, "name": None, "memory_info": None}

    class Mine:
        info = {"pid": 7, "name": "mine", "memory_info": psutil.Process().memory_info()}

    monkeypatch.setattr(psutil, "process_iter", lambda attrs: iter([Hidden(), Mine()]))
    procs = call(module, "process_list")
    assert procs[1] == {"pid": 4242, "name": "", "memory": 0}
    assert procs[0]["pid"] == 7 and procs[0]["name"] == "mine" and procs[0]["memory"] > 0

"""The .axc format and the __axcache__/ cache: round trips, invalidation, corruption."""

from __future__ import annotations

import io
import os

import pytest

from axiom import __version__, axc
from axiom.runtime import Runtime

PROGRAM = 'fn f(x, y = 2) { let g = |z| z * y; g(x) }\nout [f(3), 1.5, "s", nil, true]\n'


def _rt(**settings) -> tuple[Runtime, io.StringIO]:
    from axiom import conf
    out = io.StringIO()
    s = dict(conf.DEFAULTS, **settings)
    return Runtime(grants="all", settings=s, stdout=out), out


def test_round_trip_preserves_code(tmp_path):
    rt, _ = _rt()
    code = rt.compile(PROGRAM, "p.ax")
    data = axc.dumps(code, axc.source_hash(PROGRAM), __version__, True)
    back = axc.loads(data, core_version=__version__, src_hash=axc.source_hash(PROGRAM), optimized=True)
    assert back.ops == code.ops and back.lines == code.lines and back.name == "main"
    assert axc.dumps(back, axc.source_hash(PROGRAM), __version__, True) == data


def test_run_caches_beside_the_script_and_reuses_it(tmp_path):
    script = tmp_path / "p.ax"
    script.write_text(PROGRAM)
    rt, out = _rt()
    rt.run_file(script)
    cache = tmp_path / "__axcache__" / "p.axc"
    assert cache.is_file() and out.getvalue() == '[6, 1.5, "s", nil, true]\n'
    stamp = cache.stat().st_mtime_ns
    rt2, out2 = _rt()
    rt2.run_file(script)
    assert cache.stat().st_mtime_ns == stamp and out2.getvalue() == out.getvalue()


def test_a_changed_source_rebuilds_the_cache(tmp_path):
    script = tmp_path / "p.ax"
    script.write_text("out 1\n")
    _rt()[0].run_file(script)
    script.write_text("out 2\n")
    rt, out = _rt()
    rt.run_file(script)
    assert out.getvalue() == "2\n"


@pytest.mark.parametrize("damage", ["truncate", "garbage", "foreign", "flip"])
def test_a_damaged_cache_is_silently_rebuilt(tmp_path, damage):
    script = tmp_path / "p.ax"
    script.write_text(PROGRAM)
    _rt()[0].run_file(script)
    cache = tmp_path / "__axcache__" / "p.axc"
    data = cache.read_bytes()
    if damage == "truncate":
        cache.write_bytes(data[: len(data) // 2])
    elif damage == "garbage":
        cache.write_bytes(os.urandom(300))
    elif damage == "foreign":
        cache.write_bytes(data.replace(__version__.encode(), b"9.9.9"))
    else:
        cache.write_bytes(data[:60] + bytes([data[60] ^ 0xFF]) + data[61:])
    rt, out = _rt()
    rt.run_file(script)
    assert out.getvalue() == '[6, 1.5, "s", nil, true]\n'


def test_every_truncation_is_rejected_cleanly(tmp_path):
    rt, _ = _rt()
    code = rt.compile(PROGRAM, "p.ax")
    data = axc.dumps(code, axc.source_hash(PROGRAM), __version__, True)
    for n in range(0, len(data), 7):
        with pytest.raises(axc.AxcError):
            axc.loads(data[:n], core_version=__version__)


def test_cache_toggle_and_read_only_folder(tmp_path):
    script = tmp_path / "p.ax"
    script.write_text("out 3\n")
    rt, out = _rt(bytecode_cache=False)
    rt.run_file(script)
    assert not (tmp_path / "__axcache__").exists() and out.getvalue() == "3\n"
    ro = tmp_path / "ro"
    ro.mkdir()
    (ro / "q.ax").write_text("out 4\n")
    ro.chmod(0o555)
    try:
        rt, out = _rt()
        rt.run_file(ro / "q.ax")
        assert out.getvalue() == "4\n"
    finally:
        ro.chmod(0o755)


def test_optimizer_setting_is_part_of_the_cache_key(tmp_path):
    script = tmp_path / "p.ax"
    script.write_text("out 1 + 2\n")
    _rt(peephole_optimizer=True)[0].run_file(script)
    rt, out = _rt(peephole_optimizer=False)
    rt.run_file(script)
    data = (tmp_path / "__axcache__" / "p.axc").read_bytes()
    _, flags, _, _, _ = axc.read_header(data)
    assert flags == 0 and out.getvalue() == "3\n"


# -- cache entries that are not ours, and relative paths -----------------------------------------

def _axiom(*args, cwd, home):
    import sys
    from pathlib import Path
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests"))
    from support.dists import run_axiom
    return run_axiom(list(args), home=home, cwd=cwd, timeout=60)


@pytest.mark.parametrize("entry", ["fifo", "link to /dev/zero", "link to a file", "directory", "huge"])
def test_a_cache_entry_that_is_not_a_small_regular_file_is_ignored_and_rebuilt(tmp_path, entry):
    from axiom import conf
    script = tmp_path / "p.ax"
    script.write_text("out 5\n")
    cache = tmp_path / "__axcache__" / "p.axc"
    cache.parent.mkdir()
    if entry == "fifo":
        os.mkfifo(cache)  # opened for reading without O_NONBLOCK, this waits forever
    elif entry == "link to /dev/zero":
        cache.symlink_to("/dev/zero")  # read to the end, this never ends
    elif entry == "link to a file":
        good = tmp_path / "elsewhere.axc"
        _rt()[0].run_file(script)
        os.replace(cache, good)
        cache.symlink_to(good)  # a valid file, but reached through a link: not ours
    elif entry == "directory":
        cache.mkdir()
    else:
        with open(cache, "wb") as f:  # sparse: takes no room
            f.truncate(conf.MAX_CACHE_BYTES + 1)
    p = _axiom("run", "p.ax", cwd=tmp_path, home=tmp_path)
    assert (p.returncode, p.stdout, p.stderr) == (0, "5\n", "")
    if entry != "directory":  # a folder in the way is left alone, and the run still works
        assert cache.is_file() and not cache.is_symlink() and cache.stat().st_size < 1000


def test_read_regular_refuses_what_is_not_a_small_regular_file(tmp_path):
    from axiom import conf
    f = tmp_path / "f"
    f.write_bytes(b"abc")
    assert conf.read_regular(str(f), 3) == b"abc"
    with pytest.raises(OSError, match="larger than 2 bytes"):
        conf.read_regular(str(f), 2)
    link = tmp_path / "link"
    link.symlink_to(f)
    with pytest.raises(OSError):
        conf.read_regular(str(link), 100)
    assert conf.read_regular(str(link), 100, follow_symlinks=True) == b"abc"
    os.mkfifo(tmp_path / "fifo")
    with pytest.raises(OSError, match="not a regular file"):
        conf.read_regular(str(tmp_path / "fifo"), 100)
    with pytest.raises(OSError, match="not a regular file"):
        conf.read_regular("/dev/zero", 100, follow_symlinks=True)


def test_write_atomic_to_a_bare_name_and_never_through_a_planted_link(tmp_path, monkeypatch):
    from axiom import conf
    monkeypatch.chdir(tmp_path)
    assert conf.write_atomic("x.axc", b"data") is True
    assert (tmp_path / "x.axc").read_bytes() == b"data"
    victim = tmp_path / "victim"
    victim.write_bytes(b"keep")
    (tmp_path / f"y.axc.{os.getpid()}.tmp").symlink_to(victim)
    assert conf.write_atomic("y.axc", b"new") is True
    assert victim.read_bytes() == b"keep" and (tmp_path / "y.axc").read_bytes() == b"new"
    assert sorted(os.listdir(tmp_path)) == ["victim", "x.axc", "y.axc"]


def test_build_and_cache_with_relative_paths(tmp_path):
    (tmp_path / "x.ax").write_text("out 7\n")
    p = _axiom("build", "x.ax", cwd=tmp_path, home=tmp_path)
    assert (p.returncode, p.stdout.strip(), p.stderr) == (0, "wrote x.axc", "")
    p = _axiom("run", "x.axc", cwd=tmp_path, home=tmp_path)
    assert (p.returncode, p.stdout) == (0, "7\n")
    p = _axiom("build", "./x.ax", cwd=tmp_path, home=tmp_path)
    assert (p.returncode, p.stdout.strip()) == (0, "wrote x.axc")
    other = tmp_path / "other"
    other.mkdir()
    p = _axiom("build", "../x.ax", cwd=other, home=tmp_path)
    assert (p.returncode, p.stdout.strip()) == (0, "wrote ../x.axc")
    for name in ("x.ax", "./x.ax"):
        p = _axiom("run", name, cwd=tmp_path, home=tmp_path)
        assert (p.returncode, p.stdout) == (0, "7\n")
    p = _axiom("run", "../x.ax", cwd=other, home=tmp_path)
    assert (p.returncode, p.stdout) == (0, "7\n")
    assert os.listdir(tmp_path / "__axcache__") == ["x.axc"] and os.listdir(other) == []


def test_a_read_only_folder_skips_the_build_and_the_cache(tmp_path, request):
    from axiom_sdk.testing import rerun_where_file_modes_bind
    if rerun_where_file_modes_bind(request):
        return
    ro = tmp_path / "ro"
    ro.mkdir()
    (ro / "x.ax").write_text("out 8\n")
    ro.chmod(0o555)
    try:
        p = _axiom("build", "x.ax", cwd=ro, home=tmp_path)
        assert (p.returncode, p.stderr) == (1, "axiom: cannot write x.axc\n")
        p = _axiom("run", "x.ax", cwd=ro, home=tmp_path)
        assert (p.returncode, p.stdout, p.stderr) == (0, "8\n", "")
        assert os.listdir(ro) == ["x.ax"]
    finally:
        ro.chmod(0o755)

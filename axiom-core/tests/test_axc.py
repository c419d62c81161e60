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

"""The profiler and the tracer as a user drives them: `axiom run --profile`, `--profile-out`,
`--flamegraph` (collapsed stacks, speedscope's JSON checked against speedscope's own
schema, SVG), `--trace`, and `profiling_enabled` in config.toml."""

from __future__ import annotations

import json
import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))

from support.dists import run_axiom  # noqa: E402

# A hot recursive function under a driver, and a loop: enough work for samples in every tier.
HOT = """\
fn fib(n) { if n < 2 then n else fib(n - 1) + fib(n - 2) }
fn drive(k) {
    let total = 0
    for i in 0..k { total += fib(20) }
    total
}
out drive(int(ARGS[0]))
"""
COLLAPSED = re.compile(r"^(?:[^; ]+ \([^;()]+:\d+\))(?:;[^; ]+ \([^;()]+:\d+\))* \d+$")


def _script(tmp_path: Path, text: str, name: str = "hot.ax") -> Path:
    p = tmp_path / name
    p.write_text(text)
    return p


def test_profile_under_jit_off_counts_calls_and_opcodes_exactly(tmp_path):
    script = _script(tmp_path, "fn fib(n) { if n < 2 then n else fib(n - 1) + fib(n - 2) }\n"
                               "let s = 0\nfor i in 0..3 { s += fib(10) }\nout s\n")
    out = tmp_path / "p.json"
    p = run_axiom(["run", "--jit", "off", "--profile", "--profile-out", str(out), script.name],
                  home=tmp_path / "home", cwd=tmp_path)
    assert (p.returncode, p.stdout) == (0, "165\n"), p.stderr
    data = json.loads(out.read_text())
    assert (data["tier"], data["calls_counted"]) == ("off", True)
    calls = {f["name"]: f["calls"] for f in data["functions"]}
    assert calls == {"main": 1, "fib": 3 * 177}  # fib(10) makes 177 calls
    ops = data["opcodes"]
    assert ops["CALL"] == 3 * 177 and ops["RETURN"] == 3 * 177
    assert ops["FOR_ITER"] == 4 and ops["MAKE_RANGE"] == 1 and ops["HALT"] == 1
    assert sum(ops.values()) == sum(ops[k] for k in ops)  # all integers
    # the printed tables: functions with their calls, hot lines, opcodes
    err = p.stderr
    assert re.search(r"Profile: [0-9.]+ s wall, \d+ samples, tier 0 \(--jit off\)", err), err
    assert re.search(r"│ fib +│ hot\.ax:1 +│ +531 │", err), err
    assert "Hottest lines (own time, top 10)" in err
    assert re.search(r"│ CALL +│ +531 │", err) and re.search(r"│ FOR_ITER +│ +4 │", err), err
    assert "Opcodes: " in err and "counted under --jit off only" not in err


def test_a_loop_back_to_the_first_instruction_is_not_a_call(tmp_path):
    script = _script(tmp_path, "fn countdown(n) {\n    while n > 0 { n -= 1 }\n    n\n}\n"
                               "out countdown(50) + countdown(7)\n")
    out = tmp_path / "p.json"
    p = run_axiom(["run", "--jit", "off", "--profile-out", str(out), script.name],
                  home=tmp_path / "home", cwd=tmp_path)
    assert (p.returncode, p.stdout, p.stderr) == (0, "0\n", "")  # no --profile: no tables
    calls = {f["name"]: f["calls"] for f in json.loads(out.read_text())["functions"]}
    assert calls == {"main": 1, "countdown": 2}


@pytest.mark.parametrize(("tier", "rounds"), [("off", 4), ("host", 60), ("native", 60)])
def test_hot_function_leads_and_compiled_code_reports_as_itself(tmp_path, tier, rounds):
    script = _script(tmp_path, HOT)
    out, folded = tmp_path / "p.json", tmp_path / "stacks.txt"
    p = run_axiom(["run", "--jit", tier, "--profile", "--profile-out", str(out),
                   "--flamegraph", str(folded), script.name, str(rounds)],
                  home=tmp_path / "home", cwd=tmp_path)
    assert (p.returncode, p.stdout) == (0, f"{6765 * rounds}\n"), p.stderr
    data = json.loads(out.read_text())
    assert data["samples"] > 0
    funcs = {f["name"]: f for f in data["functions"]}
    # fib does the work: the most own time, inside drive, inside main
    assert max(data["functions"], key=lambda f: f["own_seconds"])["name"] == "fib"
    assert funcs["main"]["total_seconds"] >= funcs["drive"]["total_seconds"] >= funcs["fib"]["total_seconds"]
    assert data["hot_lines"][0] == {"file": "hot.ax", "line": 1,
                                    "own_seconds": data["hot_lines"][0]["own_seconds"]}
    # stacks name Axiom functions only (never the VM's or the JIT's Python functions)
    lines = folded.read_text().splitlines()
    assert lines and all(COLLAPSED.match(x) for x in lines), lines
    frames = {f for x in lines for f in x.rsplit(" ", 1)[0].split(";")}
    assert frames <= {"main (hot.ax:1)", "drive (hot.ax:3)", "fib (hot.ax:1)"}, frames
    assert any(x.startswith("main (hot.ax:1);drive (hot.ax:3);fib (hot.ax:1)") for x in lines)
    assert sum(int(x.rsplit(" ", 1)[1]) for x in lines) == data["samples"]
    if tier != "off":
        assert "calls: counted under --jit off only" in p.stderr
        assert all(f["calls"] is None for f in data["functions"]) and data["opcodes"] is None
        assert re.search(r"│ fib +│ hot\.ax:1 +│ +- │", p.stderr), p.stderr


def test_flamegraph_json_is_speedscopes_file_format(tmp_path):
    schema = json.loads((ROOT / "tests" / "support" / "speedscope" / "file-format-schema.json").read_text())
    script = _script(tmp_path, HOT)
    out = tmp_path / "profile.json"
    p = run_axiom(["run", "--flamegraph", str(out), script.name, "30"], home=tmp_path / "home",
                  cwd=tmp_path)
    assert (p.returncode, p.stdout, p.stderr) == (0, "202950\n", "")
    data = json.loads(out.read_text())
    jsonschema.validate(data, schema)
    frames = data["shared"]["frames"]
    assert {f["name"] for f in frames} == {"main", "drive", "fib"}
    prof = data["profiles"][0]
    assert prof["type"] == "sampled" and prof["unit"] == "seconds"
    assert len(prof["samples"]) == len(prof["weights"]) > 0
    assert all(frames[s[0]]["name"] == "main" for s in prof["samples"])
    assert abs(sum(prof["weights"]) - prof["endValue"]) < 1e-6


def test_flamegraph_svg_is_drawn(tmp_path):
    script = _script(tmp_path, HOT)
    out = tmp_path / "flame.svg"
    p = run_axiom(["run", "--flamegraph", str(out), script.name, "30"], home=tmp_path / "home",
                  cwd=tmp_path)
    assert (p.returncode, p.stderr) == (0, ""), p.stderr
    root = ET.fromstring(out.read_bytes())
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    ids = [e.get("id", "") for e in root.iter()]
    assert any(re.fullmatch(r"frame main \(hot\.ax:1\) \(\d+ samples\)", i) for i in ids), ids
    assert any(re.fullmatch(r"frame fib \(hot\.ax:1\) \(\d+ samples\)", i) for i in ids), ids


def test_trace_prints_each_instruction_with_its_position(tmp_path):
    script = _script(tmp_path, "fn sq(x) { x * x }\nout sq(3)\n", "t.ax")
    p = run_axiom(["run", "--trace", script.name], home=tmp_path / "home", cwd=tmp_path)
    assert (p.returncode, p.stdout) == (0, "9\n")
    assert p.stderr == (
        "t.ax:1:1  main  0000 MAKE_CLOSURE 0 '<code sq>'\n"
        "t.ax:1:1  main  0001 STORE_GLOBAL 1 'sq'\n"
        "t.ax:2:5  main  0002 LOAD_GLOBAL 1 'sq'\n"
        "t.ax:2:8  main  0003 LOAD_CONST 2 '3'\n"
        "t.ax:2:5  main  0004 CALL 1\n"
        "t.ax:1:12  sq  0000 LOAD_VAR 0 (x)\n"
        "t.ax:1:16  sq  0001 LOAD_VAR 0 (x)\n"
        "t.ax:1:12  sq  0002 MUL\n"
        "t.ax:1:10  sq  0003 RETURN\n"
        "t.ax:2:1  main  0005 OUT 0\n"
        "t.ax:2:1  main  0006 LOAD_CONST 3 'nil'\n"
        "t.ax:1:1  main  0007 HALT\n")
    bad = run_axiom(["run", "--trace", "--jit", "host", script.name], home=tmp_path / "home", cwd=tmp_path)
    assert (bad.returncode, bad.stdout) == (2, "")
    assert bad.stderr.startswith("axiom run: --trace runs tier 0 only; it cannot be combined with "
                                 "--jit host\n")
    for option in (["--profile"], ["--profile-out", "p.json"], ["--flamegraph", "f.txt"]):
        bad = run_axiom(["run", "--trace", *option, script.name], home=tmp_path / "home", cwd=tmp_path)
        assert (bad.returncode, bad.stdout) == (2, "")
        assert bad.stderr.startswith(f"axiom run: --trace cannot be combined with {option[0]}: a "
                                     "traced run is too slow to profile; run them separately\n")
    assert not (tmp_path / "p.json").exists() and not (tmp_path / "f.txt").exists()
    # profiling_enabled in config gives way to an explicit --trace: the trace alone
    (tmp_path / "home" / "config.toml").write_text("profiling_enabled = true\n")
    p = run_axiom(["run", "--trace", script.name], home=tmp_path / "home", cwd=tmp_path)
    assert (p.returncode, p.stdout) == (0, "9\n")
    assert p.stderr.endswith("t.ax:1:1  main  0007 HALT\n") and "Profile:" not in p.stderr


def test_profiling_enabled_in_config_profiles_every_run(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    (home / "config.toml").write_text("profiling_enabled = true\n")
    script = _script(tmp_path, HOT)
    p = run_axiom(["run", script.name, "30"], home=home, cwd=tmp_path)
    assert (p.returncode, p.stdout) == (0, "202950\n"), p.stderr
    import importlib.util
    tier = "native" if importlib.util.find_spec("llvmlite") else "host"  # the default tier
    assert re.search(rf"Profile: [0-9.]+ s wall, \d+ samples, tier {tier}", p.stderr), p.stderr
    assert "Hottest lines (own time, top 10)" in p.stderr


def test_profile_files_that_cannot_be_written_are_reported(tmp_path):
    script = _script(tmp_path, "out 1\n")
    p = run_axiom(["run", "--profile-out", str(tmp_path / "no" / "p.json"), script.name],
                  home=tmp_path / "home", cwd=tmp_path)
    assert (p.returncode, p.stdout) == (1, "1\n")
    assert p.stderr.startswith(f"axiom: cannot write the profile to {tmp_path / 'no' / 'p.json'}: "
                               "No such file or directory")
    p = run_axiom(["run", "--flamegraph", "", script.name], home=tmp_path / "home", cwd=tmp_path)
    assert (p.returncode, p.stderr.splitlines()[0]) == (2, "axiom run: --flamegraph needs a file name")


def test_a_run_without_profiling_leaves_the_code_untouched(tmp_path):
    from axiom import Runtime, conf
    settings = dict(conf.DEFAULTS, jit="off", bytecode_cache=False)
    rt = Runtime(settings=settings)
    assert rt.eval("fn f(x) { x + 1 }\nf(1)") == 2
    code = rt.globals["f"].code
    assert type(code.ops) is list

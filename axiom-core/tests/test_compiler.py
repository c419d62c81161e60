"""Compiler and optimizer: the disassembly format, tail calls, folding, dead code."""

from __future__ import annotations

from axiom import conf
from axiom.bytecode import Op, disassemble, op_name
from axiom.runtime import Runtime


def _code(src: str, optimize: bool = True):
    rt = Runtime(settings=dict(conf.DEFAULTS, peephole_optimizer=optimize))
    return rt.compile(src, "t.ax")


def test_disassembly_layout_is_pinned():
    code = _code("let x = 2\nif x > 1 { out x }\n", optimize=False)
    assert disassemble(code) == [
        "== main (t.ax) ==",
        "0000    1 LOAD_CONST              0 '2'",
        "0001    | STORE_GLOBAL            1 'x'",
        "0002    2 LOAD_GLOBAL             1 'x'",
        "0003    | LOAD_CONST              2 '1'",
        "0004    | GT",
        "0005    | JUMP_IF_FALSE          10 -> 0010",
        "0006    | LOAD_GLOBAL             1 'x'",
        "0007    | OUT                     0",
        "0008    | LOAD_CONST              3 'nil'",
        "0009    | JUMP                   11 -> 0011",
        "0010    | LOAD_CONST              3 'nil'",
        "0011    1 HALT",
    ]


def test_dis_shows_names_slots_jumps_and_nested_code():
    code = _code("fn f(n) { let m = n * 2; m }\nout f(3)\n", optimize=False)
    lines = disassemble(code)
    assert lines[0] == "== main (t.ax) =="
    assert "== f (t.ax) ==" in lines
    assert any(line.endswith("STORE_VAR               1 (m)") for line in lines)
    assert any("MAKE_CLOSURE" in line and "'<code f>'" in line for line in lines)


def test_calls_in_tail_position_become_tail_calls():
    code = _code("fn f(n) { if n == 0 then 0 else f(n - 1) }\nfn g(n) { 1 + g(n) }\n")
    f_code, g_code = [c for c in code.consts if hasattr(c, "ops")]
    assert any(op == Op.TAIL_CALL for op, _ in f_code.ops)
    assert not any(op == Op.TAIL_CALL for op, _ in g_code.ops)


def test_no_tail_call_inside_try():
    code = _code("fn f(n) { try { f(n) } catch e { 0 } }\n")
    f_code = next(c for c in code.consts if hasattr(c, "ops"))
    assert not any(op == Op.TAIL_CALL for op, _ in f_code.ops)


def test_constant_folding_and_dead_code():
    code = _code('out 2 * 3 + 4\nout "a" + "b"\nif false { out "never" }\nout 1 / 0\n')
    consts = [code.consts[arg] for op, arg in code.ops if op == Op.LOAD_CONST]
    assert 10 in consts and "ab" in consts
    assert "never" not in consts
    assert any(op == Op.DIV for op, _ in code.ops)  # 1 / 0 is left for run time


def test_unoptimized_code_keeps_everything():
    code = _code("out 2 * 3\n", optimize=False)
    assert [op_name(op) for op, _ in code.ops][:3] == ["LOAD_CONST", "LOAD_CONST", "MUL"]


def test_jumps_are_threaded():
    code = _code("let i = 0\nwhile i < 3 { if i == 1 { i += 2 } else { i += 1 } }\nout i\n")
    targets = {arg for op, arg in code.ops if op in (Op.JUMP, Op.JUMP_IF_FALSE)}
    for t in targets:  # never a forward JUMP; a back edge stays (the loop keeps one exit)
        assert not (code.ops[t][0] == Op.JUMP and code.ops[t][1] > t)


def test_code_whose_end_no_path_reaches_still_ends_with_return():
    code = _code("fn f(n) { while true { if n > 3 { return n }; n += 1 } }\n")
    f = next(c for c in code.consts if getattr(c, "name", "") == "f")
    assert f.ops[-1][0] == Op.RETURN
    assert all(op != Op.NOP for op, _ in f.ops)  # the dead code was compacted away
    from axiom import __version__, axc
    data = axc.dumps(code, b"0" * 16, __version__, True)
    assert axc.loads(data, core_version=__version__).consts[0].ops == f.ops  # it can be cached


def test_folding_never_builds_a_large_value():
    """`"x" * 10000000000` is left to run time, where --max-memory is checked first; a fold
    builds at most 4,096 characters, and compiling stays instant."""
    import io
    import time

    import pytest

    from axiom_sdk import AxiomError
    start = time.monotonic()
    code = _code('let s = "x" * 10000000000\nlet t = "ab" * 2049\nlet u = "ab" * 2048\n'
                 'let v = "y" * 3000 + "z" * 3000\n')
    assert time.monotonic() - start < 2
    sizes = sorted(len(c) for c in code.consts if type(c) is str)
    assert max(sizes) == 4096 and 4098 not in sizes  # "ab" * 2048 folded; "ab" * 2049 not
    rt = Runtime(settings=dict(conf.DEFAULTS), limits={"max_memory": 64}, stdout=io.StringIO())
    with pytest.raises(AxiomError) as e:
        rt.eval('let s = "x" * 10000000000')
    assert e.value.message == ("building a value of 10000000000 bytes exceeds the memory limit "
                               "of 67108864 bytes (--max-memory)")


def test_a_program_with_many_constants_is_optimized_in_linear_time():
    """The optimizer finds a folded constant through a dict, not a scan of the table (a
    scan made 8,000 folds over 24,000 constants take tens of seconds)."""
    import time

    from axiom.optimizer import optimize
    code = _code("\n".join(f"let v{i} = {i} + 1" for i in range(8000)) + "\n", optimize=False)
    start = time.monotonic()
    optimize(code)
    assert time.monotonic() - start < 3
    assert 8000 in code.consts and code.consts.count(8000) == 1

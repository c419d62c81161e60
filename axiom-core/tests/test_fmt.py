"""`axiom fmt`: the canonical style, comments and blank lines kept, the command's modes,
and the properties (idempotent, never changes the program) on generated programs."""

from __future__ import annotations

import io
import os
import re
import stat
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from axiom import Runtime, conf, fmt, lexer, parser
from axiom.ast import ParseError
from axiom_sdk import AxiomError

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))

from support.dists import run_axiom  # noqa: E402
from support.programs import programs  # noqa: E402


def f(src: str, width: int = 100) -> str:
    return fmt.format_source(src, width)


# --- the style -----------------------------------------------------------------------------

def test_every_before_and_after_pair_in_the_docs():
    text = (ROOT / "docs" / "fmt.md").read_text()
    pairs = re.findall(r"Before:\n\n```axiom\n(.*?)```\n\nAfter:\n\n```axiom\n(.*?)```", text, re.S)
    assert len(pairs) >= 8
    for before, after in pairs:
        assert f(before) == after
        assert f(after) == after


def test_statements_one_per_line_and_blocks_indented():
    assert f("let a = 1; let b = 2\nif a { out a; out b } else { out b }\n") == (
        "let a = 1\nlet b = 2\nif a {\n    out a\n    out b\n} else {\n    out b\n}\n")
    assert f("while true {\nbreak\n}\n") == "while true {\n    break\n}\n"
    assert f("fn f() {}\nclass A {}\nout f()\n") == "fn f() {}\nclass A {}\nout f()\n"


def test_class_bodies_put_each_method_on_its_own_line():
    src = 'class B { fn hi(self) { "b" } fn who(self) { "B" } }\nout B().hi()\n'
    assert f(src) == 'class B {\n    fn hi(self) { "b" }\n    fn who(self) { "B" }\n}\n\nout B().hi()\n'


def test_spacing_rules():
    cases = {
        "out -x+!y": "out -x + !y",
        "out a..b": "out a..b",
        "out a ..= b": "out a..=b",
        "out xs[ 1 : ]": "out xs[1:]",
        "out {'k' : v}": "out {'k': v}",
        "out f (1) [0] . g ( a = 1 )": "out f(1)[0].g(a=1)",
        "let xs(8) = []": "let xs(8) = []",
        "class A ( B ) { }": "class A(B) {}",
        "let g = | a , b = 2 | a": "let g = |a, b=2| a",
        "let h = || { 1 }": "let h = || { 1 }",
        "out @ x": "out @ x",
        'out @ "{x}"': 'out @"{x}"',
        "x += 1": "x += 1",
        "let (a, b) = [1, 2]": "let (a, b) = [1, 2]",
        "for ( k , v ) in d.items() { }": "for (k, v) in d.items() {}",
        "out disk . free": "out disk.free",
        "out 1 - -1": "out 1 - -1",
        "out [x ; 3]": "out [x; 3]",
        "out a in b and not_c": "out a in b and not_c",
        "import a , b as c": "import a, b as c",
        "from m import x , y": "from m import x, y",
        "out fn ( a ) { a }": "out fn(a) { a }",
    }
    for before, after in cases.items():
        assert f(before + "\n") == after + "\n", before


def test_if_else_chains_break_together():
    src = "let v = if a { 1 } else if b { 2 } else { 3 }\n"
    assert f(src) == src
    assert f(src, 30) == "let v = if a {\n    1\n} else if b {\n    2\n} else {\n    3\n}\n"


def test_long_lines_break_at_the_outermost_brackets_first():
    src = "out compute(first_argument, second_argument, [1, 2, 3], {'key': value})\n"
    assert f(src, 40) == ("out compute(\n    first_argument,\n    second_argument,\n"
                          "    [1, 2, 3],\n    {'key': value},\n)\n")
    assert f(f(src, 40), 100) == f(src, 40)  # the trailing comma now keeps it broken


def test_a_grouping_paren_breaks_without_a_trailing_comma():
    src = "let total = (first_value + second_value + third_value + fourth_value)\n"
    assert f(src, 30) == "let total = (\n    first_value + second_value + third_value + fourth_value\n)\n"


def test_closures_hug_the_call():
    src = "xs.map(|x| { let y = x; y })\ncon.spawn_task(|| { send(tx, 1) })\n"
    assert f(src) == "xs.map(|x| {\n    let y = x\n    y\n})\ncon.spawn_task(|| { send(tx, 1) })\n"


def test_comments_everywhere_are_kept():
    src = """#!/usr/bin/env axiom
// leading

// after a blank line
let xs = [  // opener
    1,  // one
    // before two
    2
    // dangling
]
fn f(a) {  // on the brace
    a  // trailing
    // at the end of the block
}
let y = 1 +  // inside an expression
    2
if y { out 1 }  // after a block
else { out 2 }
out xs; // after a semicolon
// at the end
"""
    assert f(src) == """#!/usr/bin/env axiom
// leading

// after a blank line
let xs = [  // opener
    1,  // one
    // before two
    2,
    // dangling
]

fn f(a) {  // on the brace
    a  // trailing
    // at the end of the block
}

let y = 1 +  // inside an expression
    2
if y { out 1 }  // after a block
else { out 2 }
out xs  // after a semicolon
// at the end
"""
    assert fmt.comment_texts(f(src)) == fmt.comment_texts(src)


def test_blank_lines_collapse_and_none_at_block_edges():
    src = "\n\n\nlet a = 1\n\n\n\nlet b = 2\nif a {\n\n    out a\n\n}\n\n\n"
    assert f(src) == "let a = 1\n\nlet b = 2\nif a {\n    out a\n}\n"


def test_blank_lines_between_items_of_broken_brackets_are_kept():
    assert f("let xs = [\n  1,\n\n\n  2,\n]\n") == "let xs = [\n    1,\n\n    2,\n]\n"
    assert f("let xs = [1,\n\n 2]\n") == "let xs = [1, 2]\n"


def test_multi_line_definitions_get_blank_lines_around_them():
    src = "let a = 1\nfn f() {\n    a\n}\nout f()\nfn g() { 1 }\nfn h() { 2 }\n"
    assert f(src) == "let a = 1\n\nfn f() {\n    a\n}\n\nout f()\nfn g() { 1 }\nfn h() { 2 }\n"


def test_literals_are_kept_exactly():
    src = "out [0xFF, 1_000, 1e9, 2.5e-3, 'single', \"esc\\n\\u{48}\", \"\"\"multi\n  line\"\"\"]\n"
    assert f(src) == src
    src = 'out @"{ x  +  1 } and {y:>5}"\n'
    assert f(src) == src


def test_try_expressions_raw_strings_and_a_byte_order_mark_are_kept():
    src = '\ufefflet n=try{int("x")}catch e{0}\nlet p=r"\\d+{x}"\nout @ r"\\n"\n'
    assert f(src) == '\ufefflet n = try { int("x") } catch e { 0 }\nlet p = r"\\d+{x}"\nout @ r"\\n"\n'


def test_fmt_off_on_and_skip():
    src = ("// fmt: off\nlet m = [\n  1,0,\n  0,1,\n]\nout  m\n// fmt: on\nout  m\n"
           "let  g = [[0;3];3]  // fmt: skip\n")
    assert f(src) == ("// fmt: off\nlet m = [\n  1,0,\n  0,1,\n]\nout  m\n// fmt: on\nout m\n"
                      "let  g = [[0;3];3]  // fmt: skip\n")


def test_empty_files_and_files_of_comments():
    assert f("") == ""
    assert f("\n\n  \n") == ""
    assert f("// only\n\n\n// comments   \n") == "// only\n\n// comments\n"


def test_a_syntax_error_is_not_formatted():
    with pytest.raises(ParseError):
        f("let = 1\n")


def test_the_guard_refuses_output_that_changes_the_program(monkeypatch):
    real = fmt.render
    monkeypatch.setattr(fmt, "render", lambda doc, width: real(doc, width).replace("+", "-"))
    with pytest.raises(fmt.FormatError, match="differs from the original"):
        f("out 1 + 2\n")
    monkeypatch.setattr(fmt, "render", lambda doc, width: real(doc, width).replace("// c", ""))
    with pytest.raises(fmt.FormatError, match="comment"):
        f("out 1  // c\n")


def test_lexer_comments_are_found_between_tokens_only():
    src = '#!/bin/axiom\nout "// no" # yes\nout @"{a} # no" // also\n'
    assert [src[a:b] for a, b in lexer.comments(src)] == ["#!/bin/axiom", "# yes", "// also"]


# --- the properties --------------------------------------------------------------------------

def _run(src: str) -> tuple[str, str]:
    out = io.StringIO()
    rt = Runtime(settings=dict(conf.DEFAULTS, bytecode_cache=False), stdout=out, stderr=io.StringIO(),
                 limits={"max_steps": 200_000})
    try:
        rt.eval(src, "prog.ax")
    except AxiomError as e:
        return out.getvalue(), f"{e.kind}: {e.message}"
    return out.getvalue(), ""


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(programs(), st.sampled_from([100, 40, 20]))
def test_formatting_generated_programs_is_idempotent_and_keeps_their_meaning(src, width):
    once = fmt.format_source(src, width)
    assert fmt.format_source(once, width) == once
    assert fmt.ast_shape(parser.parse(once)) == fmt.ast_shape(parser.parse(src))
    assert fmt.comment_texts(once) == fmt.comment_texts(src)
    assert _run(once) == _run(src)


# --- the command ------------------------------------------------------------------------------

UGLY = "let x=1;out x+1\n"
PRETTY = "let x = 1\nout x + 1\n"


def test_fmt_prints_the_formatted_text(tmp_path):
    (tmp_path / "a.ax").write_text(UGLY)
    p = run_axiom(["fmt", "a.ax"], home=tmp_path / "home", cwd=tmp_path)
    assert (p.returncode, p.stdout, p.stderr) == (0, PRETTY, "")
    assert (tmp_path / "a.ax").read_text() == UGLY


def test_check_prints_a_diff_and_exits_1(tmp_path):
    (tmp_path / "a.ax").write_text(UGLY)
    (tmp_path / "b.ax").write_text(PRETTY)
    p = run_axiom(["fmt", "--check", "a.ax", "b.ax"], home=tmp_path / "home", cwd=tmp_path)
    assert p.returncode == 1
    assert p.stdout == ("--- a.ax (original)\n+++ a.ax (formatted)\n@@ -1 +1,2 @@\n"
                        "-let x=1;out x+1\n+let x = 1\n+out x + 1\n")
    assert p.stderr == "1 file would be reformatted, 1 unchanged\n"
    assert (tmp_path / "a.ax").read_text() == UGLY
    p = run_axiom(["fmt", "--check", "b.ax"], home=tmp_path / "home", cwd=tmp_path)
    assert (p.returncode, p.stdout) == (0, "")


def test_write_rewrites_in_place_keeping_the_mode(tmp_path):
    script = tmp_path / "tool"
    script.write_text("#!/usr/bin/env axiom\n" + UGLY)
    script.chmod(0o755)
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "m.ax").write_text(UGLY)
    (tmp_path / "src" / "ok.ax").write_text(PRETTY)
    link = tmp_path / "link.ax"
    link.symlink_to(tmp_path / "src" / "m.ax")
    p = run_axiom(["fmt", "-w", "tool", "src", "link.ax"], home=tmp_path / "home", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert p.stderr == "reformatted tool\nreformatted src/m.ax\n2 files reformatted, 2 unchanged\n"
    assert script.read_text() == "#!/usr/bin/env axiom\n" + PRETTY
    assert stat.S_IMODE(script.stat().st_mode) == 0o755
    assert (tmp_path / "src" / "m.ax").read_text() == PRETTY
    assert link.is_symlink()
    assert sorted(os.listdir(tmp_path / "src")) == ["m.ax", "ok.ax"]  # no temporary file left


def test_a_syntax_error_is_reported_and_the_file_left_alone(tmp_path):
    (tmp_path / "bad.ax").write_text("let = 1\n")
    (tmp_path / "good.ax").write_text(UGLY)
    p = run_axiom(["fmt", "--write", "bad.ax", "good.ax"], home=tmp_path / "home", cwd=tmp_path)
    assert p.returncode == 2
    assert p.stderr.startswith("Error: SyntaxError: unexpected '='; expected '(', '[' or a name\n"
                               "  --> bad.ax:1:5\n")
    assert (tmp_path / "bad.ax").read_text() == "let = 1\n"
    assert (tmp_path / "good.ax").read_text() == PRETTY


def test_stdin_to_stdout(tmp_path):
    p = run_axiom(["fmt", "-"], home=tmp_path / "home", cwd=tmp_path, input=UGLY)
    assert (p.returncode, p.stdout) == (0, PRETTY)
    p = run_axiom(["fmt", "-"], home=tmp_path / "home", cwd=tmp_path, input="out (\n")
    assert (p.returncode, p.stdout) == (2, "")
    assert "SyntaxError" in p.stderr


def test_the_line_width_comes_from_config(tmp_path):
    home = tmp_path / "home"
    src = "out compute(first_argument, second_argument)\n"
    (tmp_path / "a.ax").write_text(src)
    assert run_axiom(["fmt", "a.ax"], home=home, cwd=tmp_path).stdout == src
    assert run_axiom(["conf", "set", "fmt_line_width", "30"], home=home).returncode == 0
    assert run_axiom(["fmt", "a.ax"], home=home, cwd=tmp_path).stdout == (
        "out compute(\n    first_argument,\n    second_argument,\n)\n")
    bad = run_axiom(["conf", "set", "fmt_line_width", "5"], home=home)
    assert (bad.returncode, bad.stderr) == (1, "axiom: fmt_line_width must be at least 20, not 5\n")
    (home / "config.toml").write_text('fmt_line_width = "wide"\n')
    p = run_axiom(["fmt", "a.ax"], home=home, cwd=tmp_path)
    assert (p.returncode, p.stdout) == (2, "")
    assert p.stderr == f"axiom: {home / 'config.toml'}:1: fmt_line_width takes an integer, not \"wide\"\n"


def test_usage_errors(tmp_path):
    (tmp_path / "a.ax").write_text(PRETTY)
    p = run_axiom(["fmt", "--check", "--write", "a.ax"], home=tmp_path / "home", cwd=tmp_path)
    assert (p.returncode, p.stderr) == (2, "axiom fmt: --check and --write cannot be used together\n")
    p = run_axiom(["fmt", "nope.ax"], home=tmp_path / "home", cwd=tmp_path)
    assert (p.returncode, p.stderr) == (2, "axiom fmt: no such file or directory: nope.ax\n")
    p = run_axiom(["fmt", "-", "a.ax"], home=tmp_path / "home", cwd=tmp_path)
    assert p.returncode == 2

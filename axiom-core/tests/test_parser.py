"""The ply front end: shipped tables current, nothing written at run time, errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from axiom import ast as A
from axiom import parser


def test_shipped_parse_tables_match_the_grammar():
    from axiom import _parsetab
    assert _parsetab._lr_signature == parser.signature(), \
        "stale _parsetab.py: regenerate with `python -m axiom.parser` (or reinstall axiom-core)"


def test_shipped_lexer_table_matches_the_rules(tmp_path):
    import ply.lex as lex

    from axiom import _lextab, lexer
    lex.lex(module=lexer, optimize=True, lextab="fresh_lextab", outputdir=str(tmp_path))
    fresh = (tmp_path / "fresh_lextab.py").read_text()
    shipped = Path(_lextab.__file__).read_text()
    strip = lambda text: [line for line in text.splitlines() if not line.startswith("# ")]  # noqa: E731
    assert strip(fresh) == strip(shipped), "stale _lextab.py: regenerate with `python -m axiom.parser`"


def test_parsing_writes_no_files_and_does_not_regenerate(tmp_path):
    pkg = Path(parser.__file__).parent
    before = sorted(p.name for p in pkg.iterdir())
    code = ("import ply.yacc as y\n"
            "orig = y.LRGeneratedTable.__init__\n"
            "def boom(*a, **k): raise SystemExit('tables were regenerated')\n"
            "y.LRGeneratedTable.__init__ = boom\n"
            "from axiom.parser import parse\n"
            "parse('let x = [1, 2]\\nout x', 't.ax')\n")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert p.stderr == ""
    assert sorted(p.name for p in pkg.iterdir()) == before
    assert list(tmp_path.iterdir()) == []


def test_ast_has_spans():
    prog = parser.parse("let total = 1 + 2", "t.ax")
    let = prog.body.stmts[0]
    assert isinstance(let, A.Let) and (let.start, let.end) == (0, 17)
    assert (let.value.start, let.value.end) == (12, 17)


def test_a_flat_chain_of_100000_binary_operators_compiles():
    from axiom.runtime import Runtime
    src = "out " + " + ".join(["1"] * 100_000) + "\n"
    import io
    out = io.StringIO()
    from axiom import conf
    rt = Runtime(settings=dict(conf.DEFAULTS), stdout=out)
    rt.eval(src)
    assert out.getvalue() == "100000\n"


@pytest.mark.parametrize("source, message", [
    ("let x = (1", "'(' is never closed"),
    ("out )", "unmatched ')'"),
    ("let = 1", "unexpected '='; expected '(', '[' or a name"),
    ('out "abc', "unterminated string"),
    ("out 1 $ 2", "unexpected character '$'"),
    ("x = 1 +", "unexpected end of input; expected an expression"),
    ("fn f(a = 1, b) {}", "parameter 'b' without a default follows one with a default"),
    ("f(a = 1, 2)", "a positional argument cannot follow a keyword argument"),
    ("1 = 2", "cannot assign to this expression"),
    ('out @"{}"', "empty expression in interpolation string"),
    ('out @"a } b"', "single '}' in interpolation string"),
    ("let x(0) = 1", "a capacity must be a positive integer"),
    ("let x(u8) = 1", "unknown type 'u8' in a fixed allocation"),
])
def test_syntax_errors_say_what_is_wrong(source, message):
    with pytest.raises(A.ParseError) as e:
        parser.parse(source, "t.ax")
    assert message in e.value.message


def test_random_input_raises_only_parse_errors():
    import random
    rng = random.Random(7)
    alphabet = list("abc019 +-*/%(){}[]<>=!|@.,;:\"'\n#") + ["let ", "fn ", "if ", "else ", "for ", "in "]
    for _ in range(400):
        src = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 40)))
        try:
            parser.parse(src, "r.ax")
        except A.ParseError:
            pass

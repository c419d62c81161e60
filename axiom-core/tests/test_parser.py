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


@pytest.mark.parametrize("literal", [
    "9223372036854775808", "18446744073709551616", "9" * 5000, "1" + "_0" * 3000,
    "0x8000000000000000", "0x" + "f" * 5000, "0o1000000000000000000000", "0o" + "7" * 5000,
    "0b1" + "0" * 63, "0b" + "1" * 20000,
])
def test_an_int_literal_beyond_64_bits_is_a_syntax_error_at_the_literal(literal):
    """Checked before conversion: no host ValueError about the 4,300-digit limit."""
    from axiom import errors
    source = f"let x = 1\nout x + {literal}\n"
    with pytest.raises(A.ParseError) as e:
        parser.parse(source, "t.ax")
    assert e.value.message == "integer literal too large for 64 bits"
    err = errors.syntax_error(e.value, A.Source(source, "t.ax"))
    assert err.span[:3] == ("t.ax", 2, 9)


@pytest.mark.parametrize("literal, value", [
    ("-9223372036854775808", -2**63), ("-0x8000000000000000", -2**63),
    ("-0o1000000000000000000000", -2**63), ("-0b1" + "0" * 63, -2**63),
    ("0x7fffffffffffffff", 2**63 - 1), ("0x" + "0" * 500 + "1", 1), ("9_223_372_036_854_775_807", 2**63 - 1),
])
def test_int_literals_at_the_edges_of_64_bits(literal, value):
    from axiom import conf
    from axiom.runtime import Runtime
    assert Runtime(settings=dict(conf.DEFAULTS)).eval(literal) == value


def test_a_too_large_literal_inside_an_interpolation_points_into_the_file():
    from axiom import errors
    source = 'out @"n = {99999999999999999999}"\n'
    with pytest.raises(A.ParseError) as e:
        parser.parse(source, "t.ax")
    err = errors.syntax_error(e.value, A.Source(source, "t.ax"))
    assert (err.message, err.span) == ("integer literal too large for 64 bits", ("t.ax", 1, 12, 31))


@pytest.mark.parametrize("source", [
    "out 0x" + "f" * 4000,  # once a ValueError from check_nesting formatting the literal
    "(" * 250 + ")" * 250,
    "out " + "-" * 300 + "1",
    "out " + "[" * 201 + "]" * 201,
    'out @"{' * 30 + "1" + '}"' * 30,
])
def test_the_front_end_raises_only_syntax_errors_with_a_position(source):
    from axiom import conf
    from axiom.runtime import Runtime
    from axiom_sdk import AxiomError
    with pytest.raises(AxiomError) as e:
        Runtime(settings=dict(conf.DEFAULTS)).eval(source)
    assert e.value.kind == "SyntaxError" and e.value.span is not None


# --- the front end's own loops agree with ply's --------------------------------------
# lexer.raw_tokens and parser._run run ply's regex and tables in loops of their own
# (cheaper on a long script); on every program of the repository they must give what
# ply's Lexer.token and LRParser.parse give: the same tokens, the same tree.

_PROGRAMS = sorted((Path(__file__).resolve().parents[2] / "tests" / "conformance").rglob("*.ax"))
_TRICKY = ["x = 0x_1F + 0b1_0 + 0o7 + 1_000 + 007 + 1.5e-3 + 9223372036854775807",
           "out @\"a{1 + @\"b{2}\"}\" // c\n# d\nlet s = r'\\n' + '''t''' \t\f\v",
           "\ufefflet a = -9223372036854775808", "#!/usr/bin/env axiom\nout 1"]


def _ply_tokens(text: str) -> list[tuple[object, ...]]:
    from axiom import lexer
    lex = lexer._get_lexer()
    lex.input(text)
    out = []
    while (t := lex.token()) is not None:
        out.append((t.type, t.value, t.lexpos, lex.lexpos))
    return out


@pytest.mark.parametrize("text", [p.read_text(encoding="utf-8") for p in _PROGRAMS] + _TRICKY,
                         ids=[p.stem for p in _PROGRAMS] + [f"tricky{i}" for i in range(len(_TRICKY))])
def test_own_lexer_loop_and_parse_loop_agree_with_ply(text):
    from axiom import lexer
    text = text.replace("\ufeff", " ", 1) if text.startswith("\ufeff") else text
    try:
        ply_tokens = _ply_tokens(text)
    except A.ParseError as e:
        with pytest.raises(A.ParseError) as own:
            lexer.raw_tokens(text)
        assert (own.value.message, own.value.start) == (e.message, e.start)
        return
    assert [(t.type, t.value, t.lexpos, t.end) for t in lexer.raw_tokens(text)] == ply_tokens
    ply_parser = parser._get_parser()
    parser._state.pending = []  # (interpolations: their parts stay unparsed here)
    try:
        ours = repr(parser._run(ply_parser, parser._TokenStream(text, 0)))
    except A.ParseError as e:
        ours = f"error {e.message} {e.start}"
    parser._state.pending = []
    try:
        theirs = repr(ply_parser.parse(lexer=parser._TokenStream(text, 0), tracking=False))
    except A.ParseError as e:
        theirs = f"error {e.message} {e.start}"
    assert ours == theirs

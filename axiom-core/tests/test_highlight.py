"""Highlighting: the Pygments lexer (found through its entry point, as rich and every
Pygments user finds it), error excerpts coloured on a terminal, and the TextMate grammar
in editors/ run by a TextMate engine on a handful of snippets."""

from __future__ import annotations

import json
import logging
import os
import re
import sys
from pathlib import Path

import pytest
from pygments.token import Comment, Error, Keyword, Name, Number, Operator, String

from axiom.highlight import BUILTINS, KEYWORDS, AxiomLexer
from axiom.lexer import KEYWORDS as LANGUAGE_KEYWORDS
from axiom.prelude import _BUILTIN_FNS

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))

from support.terminal import Terminal  # noqa: E402

SNIPPET = '''#!/usr/bin/env axiom
import mth as m   // a comment
fn area(w, h=2) { w * h }
let s = r"\\d+" + "tab\\t" + @"n={n:>5} {xs[1:3]} {{x}}"
if 0x_ff >= 1.5e3 and !done { out nil } # end
'''


def _tokens(text: str) -> list[tuple[object, str]]:
    return [(t, v) for t, v in AxiomLexer().get_tokens(text) if v.strip()]


def test_the_lexer_knows_the_languages_keywords_and_builtins():
    assert sorted(KEYWORDS) == sorted(LANGUAGE_KEYWORDS)
    assert sorted(BUILTINS) == sorted(_BUILTIN_FNS)


def test_pygments_lexer_marks_each_kind_of_token():
    toks = _tokens(SNIPPET)
    assert toks[:4] == [(Comment.Hashbang, "#!/usr/bin/env axiom"), (Keyword.Namespace, "import"),
                        (Name, "mth"), (Keyword.Namespace, "as")]
    assert (Comment.Single, "// a comment") in toks
    assert (Keyword.Declaration, "fn") in toks and (Name.Function, "area") in toks
    assert (String, 'r"\\d+"') in toks  # a raw string: its backslash is no escape
    assert (String.Escape, "\\t") in toks
    i = toks.index((Operator, "@"))
    assert toks[i:i + 8] == [
        (Operator, "@"), (String, '"'), (String, "n="), (String.Interpol, "{"), (Name, "n"),
        (String.Interpol, ":"), (String.Interpol, ">5"), (String.Interpol, "}")]
    j = toks.index((Name, "xs"))  # a slice's colon inside {...} is not a format spec
    assert [v for _, v in toks[j:j + 7]] == ["xs", "[", "1", ":", "3", "]", "}"]
    assert (String.Escape, "{{") in toks and (String.Escape, "}}") in toks
    assert (Number.Hex, "0x_ff") in toks and (Number.Float, "1.5e3") in toks
    assert (Operator.Word, "and") in toks and (Operator, "!") in toks
    assert (Keyword.Constant, "nil") in toks and (Comment.Single, "# end") in toks


@pytest.mark.parametrize("path", sorted(
    [*(ROOT / "examples").glob("*.ax"), *(ROOT / "tests" / "conformance").rglob("*.ax")])[:200:7],
    ids=lambda p: p.name)
def test_real_programs_lex_without_error_tokens(path):
    text = path.read_text(encoding="utf-8")
    toks = list(AxiomLexer(stripnl=False, ensurenl=False).get_tokens(text))
    # every character is in a token, but a byte-order mark, which Pygments drops as
    # Axiom's lexer does (byte_order_mark.ax)
    assert "".join(v for _, v in toks) == text.removeprefix("\ufeff")
    assert [v for t, v in toks if t is Error] == []


def test_pygments_and_rich_find_the_lexer_by_file_name_and_alias(monkeypatch):
    from pygments.lexers import get_lexer_by_name, get_lexer_for_filename
    from rich.console import Console
    from rich.syntax import Syntax
    assert type(get_lexer_for_filename("tour.ax")) is AxiomLexer
    assert type(get_lexer_by_name("axiom")) is AxiomLexer
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    console = Console(color_system="256", force_terminal=True, width=40)
    with console.capture() as cap:
        console.print(Syntax("let x = 1 // hi", "axiom", theme="monokai"))
    out = cap.get()
    # monokai: declarations cyan (81), numbers purple (141), comments grey (244)
    assert "\x1b[38;5;81;48;5;235mlet\x1b[0m" in out
    assert "\x1b[38;5;141;48;5;235m1\x1b[0m" in out
    assert "\x1b[38;5;244;48;5;235m// hi\x1b[0m" in out


def test_error_excerpts_are_highlighted_on_a_terminal_only(tmp_path):
    script = tmp_path / "bad.ax"
    script.write_text('let n = 0\nout "x" + n / n\n')
    env = dict(os.environ, AXIOM_HOME=str(tmp_path / "home"), TERM="xterm-256color")
    env.pop("NO_COLOR", None)
    term = Terminal([sys.executable, "-m", "axiom.cli", "run", str(script)], env, cwd=str(tmp_path))
    try:
        assert term.wait() == 1
    finally:
        term.kill()
    raw = term.raw
    assert "\x1b[1;31mError\x1b[0m: DivisionByZero: division by zero" in raw
    # the source line is coloured as Axiom: `out` a keyword, "x" a string
    line = next(x for x in raw.splitlines() if " 2 |" in x)
    assert "\x1b[34mout\x1b[39;49;00m" in line and '\x1b[33m"x"\x1b[39;49;00m' in line, line
    assert "\x1b[1;31m^^^^^\x1b[0m" in raw
    # the same error off a terminal is plain text
    from support.dists import run_axiom
    p = run_axiom(["run", str(script)], home=tmp_path / "home")
    assert "\x1b" not in p.stderr and ' 2 | out "x" + n / n\n' in p.stderr


# -- the TextMate grammar ---------------------------------------------------------------------

GRAMMAR = ROOT / "editors" / "axiom.tmLanguage.json"


@pytest.fixture(scope="module")
def textmate():
    from textmate_grammar.parsers.base import LanguageParser
    logging.getLogger("textmate_grammar").setLevel(logging.ERROR)
    return LanguageParser(json.loads(GRAMMAR.read_text()))


def _scopes(parser, text: str) -> list[tuple[str, str]]:
    """(token text, innermost scope) for each token of `text` that is not blank."""
    return [(tok, scopes[-1]) for _, tok, scopes in parser.parse_string(text).flatten() if tok.strip()]


def test_textmate_grammar_keywords_match_the_language():
    grammar = GRAMMAR.read_text()
    words = set()
    for pattern in re.findall(r'"match": "\\\\b\(([a-z|]+)\)\\\\b"', grammar):
        words |= set(pattern.split("|"))
    assert set(LANGUAGE_KEYWORDS) <= words | {"self"}, set(LANGUAGE_KEYWORDS) - words


@pytest.mark.parametrize(("snippet", "expected"), [
    ("let n = 0x_ff + 2.5e-3 // done", [
        ("let", "storage.type.axiom"), ("n", "variable.other.axiom"),
        ("=", "keyword.operator.assignment.axiom"), ("0x_ff", "constant.numeric.hex.axiom"),
        ("+", "keyword.operator.arithmetic.axiom"), ("2.5e-3", "constant.numeric.float.axiom"),
        ("//", "punctuation.definition.comment.axiom"), ("done", "comment.line.double-slash.axiom")]),
    ('fn area(w) { if w then nil else len(ARGS) }', [
        ("fn", "storage.type.function.axiom"), ("area", "entity.name.function.axiom"),
        ("(", "punctuation.brackets.axiom"), ("w", "variable.other.axiom"),
        (")", "punctuation.brackets.axiom"), ("{", "punctuation.brackets.axiom"),
        ("if", "keyword.control.axiom"), ("w", "variable.other.axiom"),
        ("then", "keyword.control.axiom"), ("nil", "constant.language.axiom"),
        ("else", "keyword.control.axiom"), ("len", "support.function.builtin.axiom"),
        ("(", "punctuation.brackets.axiom"), ("ARGS", "variable.language.args.axiom"),
        (")", "punctuation.brackets.axiom"), ("}", "punctuation.brackets.axiom")]),
    ('out @"n={n:>5} {{x}}"', [
        ("out", "keyword.other.axiom"), ("@", "keyword.operator.render.axiom"),
        ('"', "punctuation.definition.string.begin.axiom"), ("n=", "string.interpolated.double.axiom"),
        ("{", "punctuation.section.interpolation.begin.axiom"), ("n", "variable.other.axiom"),
        (":", "punctuation.separator.format-spec.axiom"), (">5", "constant.other.format-spec.axiom"),
        ("}", "punctuation.section.interpolation.end.axiom"),
        ("{{", "constant.character.escape.brace.axiom"), ("x", "string.interpolated.double.axiom"),
        ("}}", "constant.character.escape.brace.axiom"),
        ('"', "punctuation.definition.string.end.axiom")]),
    ('@"{d["a:b"]}" + r"\\d" + "t\\n"', [
        ("@", "keyword.operator.render.axiom"), ('"', "punctuation.definition.string.begin.axiom"),
        ("{", "punctuation.section.interpolation.begin.axiom"), ("d", "variable.other.axiom"),
        ("[", "punctuation.brackets.square.axiom"),
        ('"', "punctuation.definition.string.begin.axiom"), ("a:b", "string.quoted.double.axiom"),
        ('"', "punctuation.definition.string.end.axiom"), ("]", "punctuation.brackets.square.axiom"),
        ("}", "punctuation.section.interpolation.end.axiom"),
        ('"', "punctuation.definition.string.end.axiom"), ("+", "keyword.operator.arithmetic.axiom"),
        ('r"\\d"', "string.quoted.raw.double.axiom"), ("+", "keyword.operator.arithmetic.axiom"),
        ('"', "punctuation.definition.string.begin.axiom"), ("t", "string.quoted.double.axiom"),
        ("\\n", "constant.character.escape.axiom"), ('"', "punctuation.definition.string.end.axiom")]),
    ("class Point { }\nfor x in 0..=5 { x += 1 } # c", [
        ("class", "storage.type.class.axiom"), ("Point", "entity.name.type.class.axiom"),
        ("{", "punctuation.brackets.axiom"), ("}", "punctuation.brackets.axiom"),
        ("for", "keyword.control.axiom"), ("x", "variable.other.axiom"),
        ("in", "keyword.operator.logical.axiom"), ("0", "constant.numeric.integer.axiom"),
        ("..=", "keyword.operator.range.axiom"), ("5", "constant.numeric.integer.axiom"),
        ("{", "punctuation.brackets.axiom"), ("x", "variable.other.axiom"),
        ("+=", "keyword.operator.assignment.compound.axiom"), ("1", "constant.numeric.integer.axiom"),
        ("}", "punctuation.brackets.axiom"), ("#", "punctuation.definition.comment.axiom"),
        ("c", "comment.line.number-sign.axiom")]),
])
def test_textmate_grammar_scopes_snippets(textmate, snippet, expected):
    got = [(tok.strip(), scope) for tok, scope in _scopes(textmate, snippet)]
    assert got == expected

"""Property tests (hypothesis): the parser fails only with syntax errors on any input,
and the optimizer never changes what a program does."""

from __future__ import annotations

import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from axiom import Runtime, conf, parser
from axiom import ast as A
from axiom_sdk import AxiomError

TOKENS = ["let ", "x", "y", " = ", "1", "2.5", '"s"', "(", ")", "[", "]", "{", "}", ",", ";", "\n",
          "+", "-", "*", "/", "%", "==", "<", "and ", "or ", "!", "@", '@"{x}"', "|", "..", ".",
          "fn ", "if ", "then ", "else ", "for ", " in ", "while ", "return ", "class ", ":",
          "try ", "catch ", "out ", "#", "//", "\\", "'", '"', "0x", "1e", "_"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(TOKENS), max_size=40).map("".join))
def test_the_parser_raises_only_syntax_errors_on_token_soup(text):
    try:
        parser.parse(text, "fuzz.ax")
    except A.ParseError:
        pass


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_the_parser_raises_only_syntax_errors_on_any_text(text):
    try:
        parser.parse(text, "fuzz.ax")
    except A.ParseError:
        pass


def _expr(depth: int) -> st.SearchStrategy[str]:
    leaf = st.one_of(st.integers(-20, 20).map(str), st.sampled_from(["0.5", "2.0", '"a"', "true", "nil", "x"]))
    if depth == 0:
        return leaf
    sub = _expr(depth - 1)
    ops = st.sampled_from(["+", "-", "*", "/", "%", "==", "!=", "<", ">=", "and", "or"])
    return st.one_of(leaf, st.tuples(sub, ops, sub).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
                     sub.map(lambda e: f"(-{e})"), sub.map(lambda e: f"(!{e})"),
                     st.tuples(sub, sub, sub).map(lambda t: f"(if {t[0]} then {t[1]} else {t[2]})"))


def _run(src: str, optimize: bool) -> tuple[str, str]:
    out = io.StringIO()
    rt = Runtime(settings=dict(conf.DEFAULTS, peephole_optimizer=optimize), stdout=out)
    try:
        rt.eval(src)
    except AxiomError as e:
        return out.getvalue(), f"{e.kind}: {e.message}"
    return out.getvalue(), ""


@settings(max_examples=300, deadline=None)
@given(_expr(3))
def test_the_optimizer_never_changes_results_or_errors(expr):
    src = f"let x = 3\nout {expr}\n"
    assert _run(src, True) == _run(src, False)

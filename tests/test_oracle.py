"""Differential test: Axiom's arithmetic, comparisons, display and str methods against an
independent model of the spec (support/oracle.py), in every mode (optimizer on and off,
every execution tier). Any difference fails.

A short run is part of the suite; `nox -s fuzz` runs a long one
(AXIOM_ORACLE_EXAMPLES sets the number of generated programs)."""

from __future__ import annotations

import io
import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from axiom import Runtime
from support import oracle
from support.tiers import MODES, env
from support.tiers import settings as mode_settings

EXAMPLES = int(os.environ.get("AXIOM_ORACLE_EXAMPLES", "60"))


def run(script: str, mode: str) -> str:
    out = io.StringIO()
    saved = {k: os.environ.get(k) for k in env(mode)}
    os.environ.update(env(mode))
    try:
        rt = Runtime(grants="all", settings=mode_settings(mode), stdout=out, stderr=io.StringIO())
        rt.eval(script, "oracle.ax")
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return out.getvalue()


def check(trees: list[tuple]) -> None:
    script, expected = oracle.program(trees)
    for mode in MODES:
        got = run(script, mode)
        if got != expected:
            want_lines, got_lines = expected.splitlines(), got.splitlines()
            for i, (w, g) in enumerate(zip(want_lines, got_lines)):
                if w != g:
                    line = script.splitlines()[i // 2 * 3 + 1 + i % 2]
                    raise AssertionError(f"[{mode}] {line}\n  model: {w}\n  axiom: {g}")
            raise AssertionError(f"[{mode}] output differs:\n{got}\nexpected:\n{expected}")


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(oracle.expressions, min_size=1, max_size=25))
def test_axiom_agrees_with_the_model(trees: list[tuple]) -> None:
    check(trees)


def test_signed_zero_survives_folding() -> None:
    for mode in MODES:
        assert run("out -0.0\nout (-0.0) * 6\nout (-3) % 3.0\nout [-0.0, 0.0]\n", mode) == \
            "-0.0\n-0.0\n-0.0\n[-0.0, 0.0]\n", mode


def test_nan_and_inf_from_arithmetic() -> None:
    src = "out 1e308 * 10\nout 1e308 * 10 - 1e308 * 10\nout -(1e308 * 10)\nout (1e308 * 10) % 2\n"
    for mode in MODES:
        assert run(src, mode) == "inf\nnan\n-inf\nnan\n", mode


def test_edge_cases_the_generator_found() -> None:
    """Each tree once made Axiom and the model disagree."""
    trees = [
        ("cmp", "<", ("list", [("lit", oracle.NIL)]), ("list", [("lit", oracle.NIL)])),
        ("bin", "%", ("lit", oracle.INF), ("lit", 2.0)),
    ]
    check(trees)

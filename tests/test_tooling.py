"""`axiom chk` and `axiom fmt` over the repository's own programs (examples, conformance
programs, benchmarks): the formatted files are in the canonical style (`fmt --check`,
as CI runs it), formatting each of them is idempotent and never changes what it does,
and chk finds nothing in them but the mistakes some conformance programs make on purpose."""

from __future__ import annotations

import io
import os
import re
import shlex
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from axiom import chk, conf, fmt, lexer, parser
from axiom.ast import ParseError
from support.axiom_run import cli

ROOT = Path(__file__).resolve().parents[1]
FILES = sorted(p for d in ("examples", "tests/conformance", "benchmarks")
               for p in (ROOT / d).rglob("*.ax") if "__axcache__" not in p.parts)


def _parses(p: Path) -> bool:
    try:
        parser.parse(p.read_text(), str(p))
    except ParseError:
        return False
    return True


SYNTAX_ERRORS = {p for p in FILES if not _parses(p)}
FORMATTABLE = [p for p in FILES if p not in SYNTAX_ERRORS]
FORMATTED = FORMATTABLE  # every .ax file of the repository is kept in the canonical style


def rel(p: Path) -> str:
    return p.relative_to(ROOT).as_posix()


def test_the_programs_that_do_not_parse_are_syntax_error_tests():
    assert len(SYNTAX_ERRORS) >= 8
    for p in SYNTAX_ERRORS:
        assert "// expect error: SyntaxError" in p.read_text(), rel(p)


def test_fmt_check_passes_on_the_repository(tmp_path):
    p = cli(tmp_path, "fmt", "--check", *[str(f) for f in FORMATTED])
    assert (p.returncode, p.stdout) == (0, ""), p.stdout + p.stderr
    assert p.stderr == f"0 files would be reformatted, {len(FORMATTED)} unchanged\n"


# Conformance programs that make a mistake on purpose, to test the error at run time:
# what chk finds in them (code, line). Every other program must draw nothing at all.
INTENDED = {
    "tests/conformance/classes/classes.ax": [("E003", 46)],
    "tests/conformance/errors/capacity_exceeded.ax": [("E010", 2)],
    "tests/conformance/errors/habit_null.ax": [("E002", 1)],
    "tests/conformance/errors/habits_from_other_languages.ax": [("W002", 1), ("E002", 1), ("E002", 2)],
    "tests/conformance/errors/kinds_catchable.ax": [("E002", 2)],
    "tests/conformance/errors/module_not_found.ax": [("E005", 1), ("W003", 1)],
    "tests/conformance/errors/near_miss_global.ax": [("E002", 2)],
    "tests/conformance/errors/near_miss_variable.ax": [("E002", 4)],
    "tests/conformance/errors/report_shows_variables_in_scope.ax": [("W002", 3)],
    "tests/conformance/errors/symbol_not_found.ax": [("E006", 2)],
    "tests/conformance/errors/undefined_variable.ax": [("E002", 2)],
    "tests/conformance/fixed/allocations.ax": [("E010", 15), ("E009", 21), ("E009", 25)],
    "tests/conformance/functions/defaults_and_keywords.ax": [("E004", 14), ("E004", 16)],
    "tests/conformance/functions/wrong_arg_count.ax": [("E003", 2), ("E003", 4)],
    "tests/conformance/imports/file_modules.ax": [("E006", 10), ("E006", 11)],
    "tests/conformance/imports/import_cycle.ax": [("W003", 2)],
    "tests/conformance/imports/installed_modules.ax": [("W003", 8)],
    "tests/conformance/imports/lib/cycle_a.ax": [("W003", 1)],
    "tests/conformance/imports/lib/cycle_b.ax": [("W003", 1)],
    "tests/conformance/lexical/byte_order_mark.ax": [("E002", 3)],
    "tests/conformance/statements/block_values.ax": [("W002", 8)],
    "tests/conformance/statements/break_outside_loop.ax": [("E007", 2)],
    "tests/conformance/statements/let_self_reference.ax": [("E002", 12)],
    "tests/conformance/statements/return_outside_fn.ax": [("E008", 2)],
    "tests/conformance/statements/undeclared_after_block.ax": [("W002", 1), ("E002", 2)],
}


def test_chk_finds_only_the_intended_mistakes(monkeypatch):
    settings_ = dict(conf.DEFAULTS)
    for p in FILES:
        m = re.search(r"(?://|#)\s*axiom_path:\s*(.*)$", p.read_text(), re.M)
        if m:
            monkeypatch.setenv("AXIOM_PATH", str(p.parent / m.group(1).strip()))
        else:
            monkeypatch.delenv("AXIOM_PATH", raising=False)
        found = [(d.code, d.line) for d in chk.check_file(str(p), settings_)]
        if p in SYNTAX_ERRORS:
            assert [code for code, _ in found] == ["E001"], rel(p)
        else:
            assert found == INTENDED.get(rel(p), []), rel(p)


def _run(path: Path, text: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str, str]:
    """Run `text` as the program `path` (in-process, as the conformance tests do) from a
    copy in tmp_path; its imports are found beside the original."""
    from axiom.cli.run import main
    source = path.read_text()
    args = []
    m = re.search(r"(?://|#)\s*args:\s*(.*)$", source, re.M)
    if m:
        args = shlex.split(m.group(1))
    dirs = [str(path.parent)]
    m = re.search(r"(?://|#)\s*axiom_path:\s*(.*)$", source, re.M)
    if m:
        dirs.append(str(path.parent / m.group(1).strip()))
    monkeypatch.setenv("AXIOM_PATH", os.pathsep.join(dirs))
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    copy = tmp_path / path.name
    copy.write_text(text)
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        status = main(["--no-cache", str(copy), *args])
    return status, out.getvalue(), err.getvalue().split("\n")[0]


RUNNABLE = [p for p in FORMATTABLE if "conformance" in p.parts and "lib" not in p.parts
            and not re.search(r"(?://|#)\s*(config|modes):", p.read_text())]


@pytest.mark.parametrize("path", FORMATTABLE, ids=rel)
def test_formatting_every_repository_file_is_idempotent_and_keeps_what_it_does(path, tmp_path, monkeypatch):
    """At the usual width and a narrow one (which breaks many lines): idempotent, the
    same AST and comments (format_source refuses otherwise), and for a conformance
    program the same output when it runs."""
    text = path.read_text()
    once = fmt.format_source(text)
    assert fmt.format_source(once) == once
    if path in FORMATTED:
        assert once == text
    narrow = fmt.format_source(text, 40)
    assert fmt.format_source(narrow, 40) == narrow
    if path in RUNNABLE and narrow != text:  # formatted at 40 columns, it does the same
        assert _run(path, narrow, tmp_path, monkeypatch) == _run(path, text, tmp_path, monkeypatch)


def _respace(text: str, draw: st.DrawFn) -> str:
    """`text` with random blanks between the tokens on each line (never in a gap that
    holds a line break or a comment, never gluing two tokens together)."""
    toks = list(lexer.tokenize(text))
    out = []
    pos = 0
    for t in toks:
        gap = text[pos:t.lexpos]
        if "\n" not in gap and "/" not in gap and "#" not in gap and pos > 0:
            gap = draw(st.sampled_from([" ", "  ", "\t", " \t "])) if gap else draw(st.sampled_from(["", " "]))
        out.append(gap + text[t.lexpos:t.end])
        pos = t.end
    out.append(text[pos:])
    return "".join(out)


VERBATIM = re.compile(r"(//|#)\s*fmt:\s*(off|skip)")


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.sampled_from([p for p in FORMATTABLE if not VERBATIM.search(p.read_text())]),
       st.sampled_from([100, 60, 30]), st.data())
def test_formatting_a_respaced_repository_file_gives_its_canonical_form(path, width, data):
    """Where the blanks between tokens go changes nothing in the result."""
    text = path.read_text()
    respaced = _respace(text, data.draw)
    assert fmt.format_source(respaced, width) == fmt.format_source(text, width)

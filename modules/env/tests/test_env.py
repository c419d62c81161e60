"""env on the real process environment and real .env files, called as scripts call it."""

import os
import textwrap

import pytest

from axiom_env import module
from axiom_sdk import AxiomError
from axiom_sdk.testing import call, raises


def err(name, *args, **kwargs):
    e = raises(module, name, *args, **kwargs)
    return e.kind, e.message


@pytest.fixture(autouse=True)
def clean_environment():
    """Each test sees and leaves the process environment as it was."""
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)


def dotenv(tmp_path, text, name=".env"):
    p = tmp_path / name
    p.write_text(textwrap.dedent(text))
    return str(p)


# --- variables ---------------------------------------------------------------------------

def test_env_var_set_unset():
    os.environ.pop("AXIOM_T_X", None)
    assert call(module, "env_var", "AXIOM_T_X") is None
    assert call(module, "env_var", "AXIOM_T_X", "fallback") == "fallback"
    assert call(module, "env_var", "AXIOM_T_X", default=7) == 7
    assert call(module, "env_set", "AXIOM_T_X", "héllo world") is None
    assert os.environ["AXIOM_T_X"] == "héllo world"
    assert call(module, "env_var", "AXIOM_T_X", "fallback") == "héllo world"
    call(module, "env_set", "AXIOM_T_X", "")
    assert call(module, "env_var", "AXIOM_T_X", "fallback") == ""
    assert call(module, "env_unset", "AXIOM_T_X") is None
    assert "AXIOM_T_X" not in os.environ
    assert call(module, "env_unset", "AXIOM_T_X") is None  # not set: nothing happens


def test_env_all_is_the_environment_sorted():
    call(module, "env_set", "AXIOM_T_B", "2")
    call(module, "env_set", "AXIOM_T_A", "1")
    got = call(module, "env_all")
    assert got == dict(os.environ)
    assert list(got) == sorted(os.environ)
    assert got["AXIOM_T_A"] == "1" and got["AXIOM_T_B"] == "2"


def test_variable_errors():
    assert err("env_var", "") == ("ValueError", "env.env_var: the variable name is empty")
    assert err("env_set", "A=B", "x") == ("ValueError", "env.env_set: a variable name may not contain '=' (got 'A=B')")
    assert err("env_set", "A\0", "x") == ("ValueError", "env.env_set: a variable name may not contain a NUL byte")
    assert err("env_set", "A", "x\0") == ("ValueError", "env.env_set: a value may not contain a NUL byte")
    assert err("env_set", "A", 3) == ("TypeError", "env.env_set: argument 'value' expects str, got int")
    assert err("env_var", 3) == ("TypeError", "env.env_var: argument 'name' expects str, got int")
    assert err("env_unset", "") == ("ValueError", "env.env_unset: the variable name is empty")


# --- .env files --------------------------------------------------------------------------

def test_load_dotenv_quotes_export_and_comments(tmp_path):
    p = dotenv(tmp_path, """\
        # a comment
        PLAIN=value
        export EXPORTED=yes
        SINGLE='literal ${PLAIN} \\n'
        DOUBLE="line1\\nline2"
        SPACED = spaced out   # trailing comment
        EMPTY=
        QUOTED_HASH="a # not a comment"
        MULTI="first
        second"
        NOVALUE
        """)
    for k in ("PLAIN", "EXPORTED", "SINGLE", "DOUBLE", "SPACED", "EMPTY", "QUOTED_HASH", "MULTI", "NOVALUE"):
        os.environ.pop(k, None)
    assert call(module, "env_load_dotenv", p) == 8
    assert os.environ["PLAIN"] == "value"
    assert os.environ["EXPORTED"] == "yes"
    assert os.environ["SINGLE"] == "literal value \\n"  # python-dotenv expands in '...' too
    assert os.environ["DOUBLE"] == "line1\nline2"
    assert os.environ["SPACED"] == "spaced out"
    assert os.environ["EMPTY"] == ""
    assert os.environ["QUOTED_HASH"] == "a # not a comment"
    assert os.environ["MULTI"] == "first\nsecond"
    assert "NOVALUE" not in os.environ


def test_load_dotenv_interpolates_as_python_dotenv_does(tmp_path):
    p = dotenv(tmp_path, """\
        A=from-file
        B=${A}-b
        C=${UNSET_AXIOM_T:-dflt}
        D=${A}-d
        """)
    os.environ.pop("B", None)
    os.environ.pop("C", None)
    os.environ.pop("UNSET_AXIOM_T", None)
    os.environ["A"] = "preset"
    os.environ["D"] = "kept"
    assert call(module, "env_load_dotenv", p) == 4
    # override=false: the environment wins, also inside ${...}
    assert [os.environ[k] for k in "ABCD"] == ["preset", "preset-b", "dflt", "kept"]
    os.environ["A"] = "preset"
    assert call(module, "env_load_dotenv", p, override=True) == 4
    assert [os.environ[k] for k in "ABCD"] == ["from-file", "from-file-b", "dflt", "from-file-d"]


def test_load_dotenv_matches_python_dotenv(tmp_path):
    from dotenv import load_dotenv
    p = dotenv(tmp_path, """\
        X1=${X0}/bin
        X2="${X1} and ${X1}"
        X3='${X1}'
        export X4 = "tab\\there"
        """)
    for override in (False, True):
        os.environ["X0"] = "/opt"
        os.environ["X1"] = "old"
        for k in ("X2", "X3", "X4"):
            os.environ.pop(k, None)
        load_dotenv(p, override=override)
        expected = {k: os.environ.get(k) for k in ("X1", "X2", "X3", "X4")}
        os.environ["X1"] = "old"
        for k in ("X2", "X3", "X4"):
            os.environ.pop(k, None)
        call(module, "env_load_dotenv", p, override=override)
        assert {k: os.environ.get(k) for k in ("X1", "X2", "X3", "X4")} == expected


def test_load_dotenv_without_interpolation(tmp_path):
    p = dotenv(tmp_path, "R=${HOME}/x\n")
    os.environ.pop("R", None)
    assert call(module, "env_load_dotenv", p, interpolate=False) == 1
    assert os.environ["R"] == "${HOME}/x"


def test_load_dotenv_defaults_to_dot_env_in_the_working_folder(tmp_path, monkeypatch):
    dotenv(tmp_path, "AXIOM_T_CWD=here\n")
    monkeypatch.chdir(tmp_path)
    os.environ.pop("AXIOM_T_CWD", None)
    assert call(module, "env_load_dotenv") == 1
    assert os.environ["AXIOM_T_CWD"] == "here"


def test_load_dotenv_of_an_empty_file(tmp_path):
    assert call(module, "env_load_dotenv", dotenv(tmp_path, "# nothing\n\n")) == 0


def test_load_dotenv_errors(tmp_path):
    missing = str(tmp_path / "nope.env")
    assert err("env_load_dotenv", missing) == (
        "IOError", f"env.env_load_dotenv: {missing}: no such file or directory")
    assert err("env_load_dotenv", str(tmp_path)) == (
        "IOError", f"env.env_load_dotenv: {tmp_path}: is a directory")
    assert err("env_load_dotenv", "a\0b") == (
        "ValueError", "env.env_load_dotenv: a path may not contain a NUL byte")
    bad = tmp_path / "bad.env"
    bad.write_bytes(b"A=\xff\n")
    assert err("env_load_dotenv", str(bad)) == (
        "ValueError", f"env.env_load_dotenv: {bad}: not valid UTF-8 (byte 0xff at offset 2)")


def test_an_unparseable_line_is_a_value_error_and_changes_nothing(tmp_path):
    p = dotenv(tmp_path, 'GOOD=1\nBAD="unclosed\n')
    os.environ.pop("GOOD", None)
    assert err("env_load_dotenv", p) == (
        "ValueError", f"env.env_load_dotenv: {p}: cannot parse line 2: 'BAD=\"unclosed'")
    assert "GOOD" not in os.environ


def test_capabilities_are_declared():
    for name in module.list_exports():
        fn = module.get_symbol(name)
        assert fn.summary, name
        assert fn.needs and fn.needs[0][0] == "env", name
    assert module.get_symbol("env_load_dotenv").needs == [("env", None), ("fs.read", "path")]
    for name in ("env_var", "env_set", "env_unset"):  # a denial names the variable
        assert module.get_symbol(name).needs == [("env", "name")], name


def test_a_denial_names_the_variable_or_the_function():
    from axiom_sdk import capability_check
    seen = []

    def deny(cap, resource):
        seen.append((cap, resource))
        raise AxiomError("PermissionDenied", f"{cap} denied for {resource}")
    token = capability_check.set(deny)
    try:
        assert raises(module, "env_var", "AXIOM_TOKEN").message == "env denied for AXIOM_TOKEN"
        assert raises(module, "env_all").message == "env denied for env.env_all"
    finally:
        capability_check.reset(token)
    assert seen == [("env", "AXIOM_TOKEN"), ("env", "env.env_all")]

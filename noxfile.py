"""Development tasks. Sessions run inside the uv-managed workspace environment
(`uv run ...`), so they need no environments of their own.

    uv run nox -s tests        all tests (what CI runs)
    uv run nox -s lint         ruff
    uv run nox -s typecheck    mypy on axiom-sdk and axiom-core
    uv run nox -s bench        benchmarks: Axiom vs CPython ratios, then compile time
    uv run nox -s wheels       build every distribution's wheel and check each installs
    uv run nox -s modules      tox: every module installed alone with axiom-sdk and tested
    uv run nox -s demo         run every example
    uv run nox -s fuzz         long differential and fuzz runs (short ones are in `tests`)
    uv run nox -s docs         the documentation site, warnings as errors (into site/)
"""

from __future__ import annotations

import glob
import os
import tempfile

import nox

nox.options.default_venv_backend = "none"
nox.options.sessions = ["tests", "lint"]


@nox.session
def tests(session: nox.Session) -> None:
    session.run("pytest", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    session.run("ruff", "check", "axiom-sdk/src", "axiom-core/src", "modules", "tests")
    session.run("lint-imports")


@nox.session
def typecheck(session: nox.Session) -> None:
    session.run("mypy", "axiom-sdk/src/axiom_sdk", "axiom-core/src/axiom")


@nox.session
def bench(session: nox.Session) -> None:
    session.run("python", "benchmarks/run.py", *session.posargs)
    session.run("python", "benchmarks/compile.py")


@nox.session
def wheels(session: nox.Session) -> None:
    out = "dist"
    session.run("uv", "build", "--all-packages", "--wheel", "--out-dir", out)
    with tempfile.TemporaryDirectory() as tmp:
        venv = os.path.join(tmp, "venv")
        session.run("uv", "venv", venv)
        py = os.path.join(venv, "bin", "python")
        core = glob.glob(f"{out}/axiom_core-*.whl") + glob.glob(f"{out}/axiom_sdk-*.whl")
        for wheel in sorted(glob.glob(f"{out}/*.whl")):
            session.run("uv", "pip", "install", "--python", py, wheel, *core)
        session.run(os.path.join(venv, "bin", "axiom"), "mod", "list")


@nox.session
def modules(session: nox.Session) -> None:
    session.run("tox", "-p", "auto", *session.posargs)


@nox.session
def demo(session: nox.Session) -> None:
    for script in sorted(glob.glob("examples/*.ax")):
        session.run("axiom", "run", script)


@nox.session
def fuzz(session: nox.Session) -> None:
    """The long runs: the arithmetic/display oracle over ~100,000 generated expressions in
    every mode (AXIOM_ORACLE_EXAMPLES programs, default 20,000, of 1 to 25 expressions:
    5.2 on average), then the front-to-back fuzzer over AXIOM_FUZZ_INPUTS inputs (default
    100,000; about 25 minutes on two cores). The fuzzer's findings, shrunk, go to tests/fuzz/found/: once fixed, move
    them to tests/fuzz/corpus/, which every test run replays."""
    env = {"AXIOM_ORACLE_EXAMPLES": os.environ.get("AXIOM_ORACLE_EXAMPLES", "20000")}
    session.run("pytest", "tests/test_oracle.py", "-q", "-p", "no:randomly", env=env)
    inputs = os.environ.get("AXIOM_FUZZ_INPUTS", "100000")
    seed = os.environ.get("AXIOM_FUZZ_SEED", "13")
    session.run("python", "tests/fuzz/fuzz.py", "--inputs", inputs, "--seed", seed,
                "--save", "tests/fuzz/found")


@nox.session
def docs(session: nox.Session) -> None:
    """The documentation site (mkdocs-material) in site/, built with warnings as errors;
    tests/test_docs.py builds it too, and runs every example in it."""
    session.run("mkdocs", "build", "--strict", "--site-dir", "site", *session.posargs,
                env={"NO_MKDOCS_2_WARNING": "1"})

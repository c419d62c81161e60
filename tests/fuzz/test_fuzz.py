"""The fuzzer in the test suite: the regression corpus (inputs that once crashed, hung or
blew up) runs every time, and so does a short fuzzing run (AXIOM_FUZZ_SECONDS, default
30). `nox -s fuzz` runs the long one. Both run fuzz.py in a child process, which caps its
own address space and bounds each input with SIGALRM."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SECONDS = float(os.environ.get("AXIOM_FUZZ_SECONDS", "30"))


def _fuzz(*args: str, timeout: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(HERE / "fuzz.py"), *args], capture_output=True,
                          text=True, timeout=timeout, stdin=subprocess.DEVNULL)


def test_the_regression_corpus_finds_nothing():
    corpus = sorted(str(p) for p in (HERE / "corpus").glob("*.ax"))
    assert len(corpus) >= 10
    p = _fuzz("--replay", *corpus, timeout=600)
    assert (p.returncode, p.stdout, p.stderr) == (0, "", "")


def test_a_short_fuzzing_run_finds_nothing(tmp_path):
    p = _fuzz("--seconds", str(SECONDS), "--save", str(tmp_path / "found"), timeout=SECONDS + 300)
    assert p.returncode == 0, (f"the fuzzer found something; the shrunk inputs are in "
                               f"{tmp_path / 'found'}. Fix it, then add them to tests/fuzz/corpus/.\n"
                               + p.stdout[-4000:] + p.stderr[-2000:])
    assert "0 findings" in p.stdout.splitlines()[-1]

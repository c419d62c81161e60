"""The loader: lazy loading, isolation of broken modules, the cached index, messages."""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests"))

from support.dists import make_dist, run_axiom  # noqa: E402

BROKEN = "raise RuntimeError('the database driver is missing')\n"
GOOD = ('from axiom_sdk import Module\nmodule = Module("hello3p", summary="Third-party hello")\n'
        '@module.export\ndef hi(name: str) -> str:\n    """Greets."""\n    return "hi " + name\n')
OLD_API = "class M:\n    api_version = 99\n    def init(self): pass\n    def get_symbol(self, n): pass\n" \
          "    def list_exports(self): return []\n    def metadata(self): return ('oldapi', '1')\nmodule = M()\n"


def _site(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    make_dist(site, "axiom-broken", "0.3.1", "broken", "axiom_broken", BROKEN)
    make_dist(site, "axiom-hello3p", "1.0.0", "hello3p", "axiom_hello3p", GOOD)
    make_dist(site, "axiom-oldapi", "2.0.0", "oldapi", "axiom_oldapi", OLD_API)
    return site


def test_mod_list_marks_the_broken_module_and_lists_the_others(tmp_path):
    p = run_axiom(["mod", "list", "--json"], site=_site(tmp_path), home=tmp_path / "home")
    assert p.returncode == 0, p.stderr
    rows = {r["name"]: r for r in json.loads(p.stdout)}
    assert rows["broken"]["state"] == "broken"
    assert rows["broken"]["reason"] == ("module 'broken' (distribution axiom-broken 0.3.1) failed to load: "
                                        "RuntimeError: the database driver is missing")
    assert rows["hello3p"]["state"] == "ok" and rows["hello3p"]["exports"] == 1
    assert rows["oldapi"]["state"] == "broken" and "built for Axiom module API 99" in rows["oldapi"]["reason"]
    standard = {"mth", "num", "alg", "ann", "tim", "str", "col", "dfm", "jsn", "csv", "web", "ioo",
                "pth", "env", "sys", "git", "aut", "clr", "log", "tui", "plt", "con"}
    assert standard <= set(rows)
    assert all(rows[n]["state"] == "ok" for n in standard)


def test_plain_mod_list_shows_columns(tmp_path):
    p = run_axiom(["mod", "list"], site=_site(tmp_path), home=tmp_path / "home")
    lines = p.stdout.splitlines()
    assert lines[0].split() == ["NAME", "DISTRIBUTION", "VERSION", "STATE", "EXPORTS", "SUMMARY"]
    broken = next(line for line in lines if line.startswith("broken "))
    assert "broken: module 'broken' (distribution axiom-broken 0.3.1) failed to load" in broken
    mth = next(line for line in lines if line.startswith("mth "))
    assert mth.split()[:4] == ["mth", "axiom-mth", "0.1.0", "ok"]


def test_a_broken_module_fails_only_its_own_import(tmp_path):
    script = tmp_path / "s.ax"
    script.write_text('import mth\nout mth.sqrt(4)\ntry { import broken } catch e { out e.kind; out e.message }\n'
                      'import hello3p\nout hello3p.hi("ada")\n')
    p = run_axiom(["run", str(script)], site=_site(tmp_path), home=tmp_path / "home")
    assert p.returncode == 0, p.stderr
    assert p.stdout.splitlines() == [
        "2.0", "ImportError",
        "module 'broken' (distribution axiom-broken 0.3.1) failed to load: RuntimeError: the database driver is missing",
        "hi ada"]


def test_module_not_found_names_the_install_command_and_near_misses(tmp_path):
    script = tmp_path / "s.ax"
    script.write_text("import hello3q\n")
    p = run_axiom(["run", str(script)], site=_site(tmp_path), home=tmp_path / "home")
    assert p.returncode == 1
    first = p.stderr.splitlines()[0]
    assert first.startswith("Error: ModuleNotFound: no module named 'hello3q' (looked for an installed module and for ")
    assert first.endswith("; install it with: axiom pkg install hello3q; did you mean hello3p?")


def test_the_index_is_cached_and_refreshed_when_distributions_change(tmp_path):
    site = tmp_path / "site"
    home = tmp_path / "home"
    make_dist(site, "axiom-hello3p", "1.0.0", "hello3p", "axiom_hello3p", GOOD)
    script = tmp_path / "s.ax"
    script.write_text("import late\nout late.hi(\"x\")\n")
    p = run_axiom(["run", str(script)], site=site, home=home)
    assert "no module named 'late'" in p.stderr
    assert (home / "cache" / "index.marshal").is_file()
    make_dist(site, "axiom-late", "0.1.0", "late", "axiom_late", GOOD.replace("hello3p", "late"))
    p = run_axiom(["run", str(script)], site=site, home=home)
    assert p.returncode == 0 and p.stdout == "hi x\n", p.stderr


def test_axiom_modules_limits_which_modules_load(tmp_path):
    script = tmp_path / "s.ax"
    script.write_text("import mth\nout 1\nimport ann\n")
    p = run_axiom(["run", str(script)], home=tmp_path / "home", env={"AXIOM_MODULES": "mth"})
    assert p.stdout == "1\n"
    assert "Error: ImportError: module 'ann' is not allowed here (AXIOM_MODULES" in p.stderr

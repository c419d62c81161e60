"""Plugins in the `axiom.plugins` entry-point group (pluggy hooks): extra CLI commands,
runtime start/stop and value rendering; a broken plugin is reported and skipped;
AXIOM_DISABLE_PLUGIN_AUTOLOAD=1 turns them all off."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests"))

from support.dists import make_dist, run_axiom  # noqa: E402

PLUGIN = '''
import sys
import typer
from axiom_sdk.hookspecs import hookimpl


class Plugin:
    @hookimpl
    def axiom_cli_commands(self):
        app = typer.Typer()

        @app.command()
        def hello(name: str) -> None:
            print(f"hello {name} from a plugin")

        @app.command()
        def bye() -> None:
            print("bye")

        return [("greet", app)]

    @hookimpl
    def axiom_runtime_start(self, runtime):
        sys.stderr.write("plugin: start\\n")

    @hookimpl
    def axiom_runtime_stop(self, runtime, error):
        sys.stderr.write(f"plugin: stop {error.kind if error else 'ok'}\\n")

    @hookimpl
    def axiom_render_value(self, value):
        return "<redacted>" if value == "secret" else None


module = Plugin()
'''


def _site(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    make_dist(site, "axiom-hello-plugin", "1.2.0", "hello", "axiom_hello_plugin", PLUGIN,
              group="axiom.plugins")
    make_dist(site, "axiom-bad-plugin", "0.1.0", "bad", "axiom_bad_plugin",
              "raise ImportError('needs libfoo')\n", group="axiom.plugins")
    return site


def test_plugin_hooks_run_and_a_broken_plugin_is_skipped(tmp_path):
    site = _site(tmp_path)
    script = tmp_path / "s.ax"
    script.write_text('out "secret"\nout "public"\n')
    p = run_axiom(["run", str(script)], site=site, home=tmp_path / "home")
    assert p.returncode == 0
    assert p.stdout == "<redacted>\npublic\n"
    lines = p.stderr.splitlines()
    assert "plugin: start" in lines and "plugin: stop ok" in lines
    assert "axiom: plugin 'bad' (axiom-bad-plugin) failed to load: ImportError: needs libfoo" in lines

    bad = tmp_path / "bad.ax"
    bad.write_text("1 / 0\n")
    p = run_axiom(["run", str(bad)], site=site, home=tmp_path / "home")
    assert p.returncode == 1 and "plugin: stop DivisionByZero" in p.stderr


def test_plugin_cli_commands(tmp_path):
    p = run_axiom(["greet", "hello", "Ada"], site=_site(tmp_path), home=tmp_path / "home")
    assert (p.returncode, p.stdout) == (0, "hello Ada from a plugin\n")


def test_autoload_can_be_turned_off(tmp_path):
    site = _site(tmp_path)
    script = tmp_path / "s.ax"
    script.write_text('out "secret"\n')
    env = {"AXIOM_DISABLE_PLUGIN_AUTOLOAD": "1"}
    p = run_axiom(["run", str(script)], site=site, home=tmp_path / "home", env=env)
    assert (p.stdout, p.stderr) == ("secret\n", "")
    p = run_axiom(["greet", "hello", "Ada"], site=site, home=tmp_path / "home", env=env)
    assert p.returncode == 2

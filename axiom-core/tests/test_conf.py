"""config.toml under concurrent writers, and settings a host hands to a Runtime."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from axiom import Runtime, conf

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests"))

from support.dists import AXIOM  # noqa: E402

CHANGES = {"jit_threshold": "7", "fmt_line_width": "77", "max_call_depth": "777", "jit": "off",
           "gc_enabled": "false", "ic_enabled": "false"}


@pytest.mark.parametrize("trial", range(2))
def test_concurrent_conf_set_processes_keep_every_change(tmp_path, trial):
    env = dict(os.environ, AXIOM_HOME=str(tmp_path), NO_COLOR="1")
    subprocess.run([*AXIOM, "conf", "path"], env=env, check=True, capture_output=True)
    procs = [subprocess.Popen([*AXIOM, "conf", "set", key, value], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for key, value in CHANGES.items()]  # all six read, change and write at once
    for p in procs:
        assert p.wait(timeout=120) == 0, p.stderr.read() if p.stderr else ""
    settings = conf.read_file(str(tmp_path / "config.toml"))[0]
    assert {k: conf.render({k: settings[k]}).splitlines()[-1] for k in CHANGES} == {
        "jit_threshold": "jit_threshold = 7", "fmt_line_width": "fmt_line_width = 77",
        "max_call_depth": "max_call_depth = 777", "jit": 'jit = "off"',
        "gc_enabled": "gc_enabled = false", "ic_enabled": "ic_enabled = false"}


def test_a_host_setting_of_the_wrong_type_is_a_value_error():
    with pytest.raises(ValueError) as e:
        Runtime(settings={"module_paths": "lib"})
    assert str(e.value) == ('settings: module_paths takes a list of folder names such as '
                            '["lib", "~/ax"], not "lib"')
    with pytest.raises(ValueError) as e:
        Runtime(settings={"max_call_depth": "deep"})
    assert str(e.value) == 'settings: max_call_depth takes an integer, not "deep"'


def test_a_host_gives_only_the_settings_it_changes():
    rt = Runtime(settings={"jit": "off"})  # the rest are the defaults
    assert rt.eval("fn f(n) { if n < 2 then n else f(n - 1) + f(n - 2) }\nf(15)") == 610
    assert rt.settings["max_call_depth"] == conf.DEFAULTS["max_call_depth"]

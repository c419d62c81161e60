"""env end to end: Axiom scripts through the runtime and the `axiom` CLI."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from support.axiom_run import run_src

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture(autouse=True)
def clean_environment():
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)


def test_variables_and_a_dotenv_file_in_a_script(tmp_path):
    (tmp_path / "app.env").write_text(
        '# app settings\nexport AXE_HOST=example.org\nAXE_URL="https://${AXE_HOST}/"\n'
        "AXE_KEEP=from-file\nAXE_QUOTED='a # b'\n")
    os.environ["AXE_KEEP"] = "preset"
    for k in ("AXE_HOST", "AXE_URL", "AXE_QUOTED", "AXE_NEW"):
        os.environ.pop(k, None)
    src = f'''
import env
out env.env_var("AXE_NEW")
env.env_set("AXE_NEW", "1")
out env.env_var("AXE_NEW", "dflt")
out env.env_load_dotenv("{tmp_path}/app.env")
out [env.env_var("AXE_HOST"), env.env_var("AXE_URL"), env.env_var("AXE_KEEP"), env.env_var("AXE_QUOTED")]
out env.env_load_dotenv("{tmp_path}/app.env", override=true)
out env.env_var("AXE_KEEP")
out env.env_all().has("AXE_URL")
env.env_unset("AXE_NEW")
out env.env_var("AXE_NEW", "gone")
try {{ env.env_load_dotenv("{tmp_path}/missing.env") }} catch e {{ out e.message.replace("{tmp_path}", "T") }}
try {{ env.env_set("A", 1) }} catch e {{ out e.kind }}
'''
    assert run_src(src).splitlines() == [
        "nil", "1", "4", '["example.org", "https://example.org/", "preset", "a # b"]', "4",
        "from-file", "true", "gone",
        "env.env_load_dotenv: T/missing.env: no such file or directory", "TypeError"]


def test_the_variables_reach_programs_the_script_starts():
    src = '''
import env, ioo
env.env_set("AXE_CHILD", "seen by the child")
out ioo.pipe_run(["sh", "-c", "echo $AXE_CHILD"]).stdout
'''
    assert run_src(src) == "seen by the child\n\n"


def test_env_needs_its_grant(tmp_path):
    (tmp_path / ".env").write_text("AXE_G=1\n")
    src = f'''
import env
for what in [|| env.env_var("HOME"), || env.env_set("A", "b"), || env.env_unset("A"),
             || env.env_all(), || env.env_load_dotenv("{tmp_path}/.env")] {{
    try {{ what() }} catch e {{ out e.kind }}
}}
'''
    assert run_src(src, grants=["fs.read"]).splitlines() == ["PermissionDenied"] * 5
    # env alone is not enough to read a file
    out = run_src(f'import env\ntry {{ env.env_load_dotenv("{tmp_path}/.env") }} catch e {{ out e }}\n',
                  grants=["env"])
    assert out.startswith("PermissionDenied: fs.read denied for")
    assert "AXE_G" not in os.environ

"""sys end to end: Axiom scripts through the runtime and the `axiom` CLI."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from support.axiom_run import run_src

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_facts_about_the_machine_in_a_script():
    src = '''
import sys
out typeof(sys.cpu_count())
out sys.memory_used() <= sys.memory_total()
let d = sys.disk_space()
out d.keys()
out d["total"]
out sys.pid()
let me = sys.process_list().filter(|p| p.pid == sys.pid())
out me[0].name
out typeof(sys.uptime())
out sys.platform()
'''
    import psutil
    out = run_src(src).splitlines()
    assert out[:3] == ["int", "true", '["total", "used", "free"]']
    assert out[3] == str(shutil.disk_usage("/").total)
    assert out[4] == str(os.getpid())
    assert out[5] == psutil.Process().name()
    assert out[6] == "float"
    assert out[7] == ("linux" if sys.platform.startswith("linux") else out[7])


def test_sys_needs_its_grant():
    src = '''
import sys
for what in [|| sys.cpu_count(), || sys.memory_total(), || sys.memory_used(),
             || sys.process_list(), || sys.platform(), || sys.pid(), || sys.uptime(),
             || sys.disk_space("/")] {
    try { what() } catch e { out e.kind }
}
'''
    assert run_src(src, grants=["fs.read"]).splitlines() == ["PermissionDenied"] * 8
    # disk_space looks at a path: it needs fs.read on it too
    out = run_src('import sys\ntry { sys.disk_space("/") } catch e { out e }\n', grants=["sys"])
    assert out == "PermissionDenied: fs.read denied for / (grant it with --allow-read=/)\n"
    assert run_src('import sys\nout sys.pid() > 0\n', grants=["sys"]) == "true\n"

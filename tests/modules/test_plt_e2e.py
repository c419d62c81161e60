"""plt end to end: the example writes real charts; plot_save needs fs.write on its path."""

from __future__ import annotations

import os
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def axiom(tmp_path, *args, cwd=None):
    env = dict(os.environ, AXIOM_HOME=str(tmp_path / "home"), NO_COLOR="1")
    return subprocess.run([sys.executable, "-m", "axiom.cli", *args], cwd=cwd,
                          capture_output=True, text=True, env=env, timeout=300)


def png_size(path):
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_the_example_writes_its_charts(tmp_path):
    out = tmp_path / "charts"
    out.mkdir()
    p = axiom(tmp_path, "run", "--no-cache", "plt.ax", str(out), cwd=EXAMPLES)
    assert (p.returncode, p.stderr) == (0, "")
    assert p.stdout.splitlines() == ["wrote squares.png", "wrote sales.svg", "wrote clouds.png",
                                     "wrote spread.svg", "ValueError"]
    assert sorted(f.name for f in out.iterdir()) == ["clouds.png", "sales.svg", "spread.svg", "squares.png"]
    assert png_size(out / "squares.png") == (640, 480)
    assert png_size(out / "clouds.png") == (800, 400)
    for name, title in (("sales.svg", "Sales"), ("spread.svg", "Spread")):
        root = ET.parse(out / name).getroot()
        assert (root.get("width"), root.get("height")) == ("460.8pt", "345.6pt")
        assert f"<!-- {title} -->" in (out / name).read_text()


def test_plot_save_needs_the_write_grant(tmp_path):
    script = tmp_path / "s.ax"
    target = tmp_path / "out"
    target.mkdir()
    script.write_text(f'''
import plt
let fig = plt.plot_line([1, 2], [3, 4], title="t")
try {{ plt.plot_save(fig, "{target}/a.png") }} catch e {{ out e.kind }}
''')
    p = axiom(tmp_path, "run", "--no-cache", "--sandbox", str(script))
    assert (p.returncode, p.stdout) == (0, "PermissionDenied\n")
    assert not (target / "a.png").exists()
    p = axiom(tmp_path, "run", "--no-cache", "--sandbox", f"--allow-write={target}", str(script))
    assert (p.returncode, p.stdout, p.stderr) == (0, "", "")
    assert png_size(target / "a.png") == (640, 480)


def test_errors_reach_the_script_as_axiom_errors(tmp_path):
    script = tmp_path / "s.ax"
    script.write_text(f'''
import plt
try {{ plt.plot_line([1, 2, 3], [1, 2]) }} catch e {{ out e }}
try {{ plt.plot_save(plt.figure(), "{tmp_path}/nope/a.png") }} catch e {{ out e.kind }}
plt.plot_bar(["a"], ["x"])
''')
    p = axiom(tmp_path, "run", "--no-cache", str(script))
    assert p.stdout.splitlines() == ["ValueError: plt.plot_line: xs and ys differ in length (3 and 2)",
                                     "IOError"]
    assert p.returncode == 1
    assert p.stderr.startswith("Error: TypeError: plt.plot_bar: values[0] is str, expected a number")
    assert "Traceback" not in p.stderr

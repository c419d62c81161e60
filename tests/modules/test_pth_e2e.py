"""pth end to end: Axiom scripts through the runtime and the `axiom` CLI."""

from __future__ import annotations

import os
from pathlib import Path

from support.axiom_run import run_src

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_a_tree_made_walked_and_removed_by_a_script(tmp_path):
    src = f'''
import pth
let d = "{tmp_path}/t"
pth.mkdir(pth.path_join(d, "a", "b"))
pth.mkdir(pth.path_join(d, "c"), parents=false)
for name in ["a/b/x.txt", "a/y.txt", "z.txt", "a-b.txt"] {{
    let p = pth.path_join(d, name)
    pth.copy("{tmp_path}/seed.txt", p)
}}
out pth.list_dir(d)
let n = 0
for f in pth.walk_dir(d) {{ out f.replace(d, "") }}
out pth.glob(d + "/*.txt").map(|p| pth.path_basename(p))
out [pth.is_file(d + "/z.txt"), pth.is_dir(d + "/a"), pth.path_exists(d + "/nope")]
out [pth.path_ext(d + "/z.txt"), pth.path_dirname("a/b/c"), pth.path_join("a", "b", "c")]
pth.rename(d + "/z.txt", d + "/c/z2.txt")
out pth.list_dir(d + "/c")
try {{ pth.remove(d) }} catch e {{ out e.kind }}
try {{ pth.list_dir(d + "/nope") }} catch e {{ out e.message.replace(d, "D") }}
try {{ pth.path_join() }} catch e {{ out e.kind }}
pth.remove(d, recursive=true)
out pth.path_exists(d)
'''
    (tmp_path / "seed.txt").write_text("seed")
    assert run_src(src).splitlines() == [
        '["a", "a-b.txt", "c", "z.txt"]',
        "/a-b.txt", "/a/b/x.txt", "/a/y.txt", "/z.txt",
        '["a-b.txt", "z.txt"]',
        "[true, true, false]",
        '[".txt", "a/b", "a/b/c"]',
        '["z2.txt"]',
        "IOError",
        "pth.list_dir: D/nope: no such file or directory",
        "TypeError",
        "false"]


def test_walk_dir_streams_in_a_for_loop_and_stops_early(tmp_path):
    for i in range(50):
        sub = tmp_path / f"d{i:02}"
        sub.mkdir()
        for j in range(20):
            (sub / f"f{j:02}").write_bytes(b"")
    src = f'''
import pth
let seen = []
for f in pth.walk_dir("{tmp_path}") {{
    seen.push(pth.path_basename(f))
    if len(seen) == 3 {{ break }}
}}
out seen
'''
    assert run_src(src) == '["f00", "f01", "f02"]\n'


def test_grants_are_checked_on_resolved_paths(tmp_path):
    granted = tmp_path / "granted"
    granted.mkdir()
    (granted / "f.txt").write_text("x")
    (granted / "out").symlink_to(tmp_path)
    src = f'''
import pth
out pth.list_dir("{granted}")
out pth.path_exists("{granted}/f.txt")
for what in [
    || pth.list_dir("{tmp_path}"),
    || pth.list_dir("{granted}/out"),
    || pth.list_dir("{granted}/.."),
    || pth.mkdir("{granted}/new"),
    || pth.remove("{granted}/f.txt"),
    || pth.copy("{granted}/f.txt", "{granted}/g.txt"),
    || pth.rename("{granted}/f.txt", "{granted}/g.txt"),
    || pth.temp_dir(),
    || pth.glob("{granted}/*/*"),
    || pth.walk_dir("{granted}/out"),
] {{
    try {{ what() }} catch e {{ out e.kind }}
}}
out pth.glob("{granted}/*").map(pth.path_basename)
out pth.path_join("{tmp_path}", "x")
try {{ pth.path_exists("a\\0b") }} catch e {{ out e.kind }}
'''
    out = run_src(src, grants={"fs.read": [str(granted)]}).splitlines()
    assert out == ['["f.txt", "out"]', "true"] + ["PermissionDenied"] * 10 + [
        '["f.txt", "out"]', f"{tmp_path}/x", "ValueError"]
    assert sorted(os.listdir(granted)) == ["f.txt", "out"]

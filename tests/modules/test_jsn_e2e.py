"""jsn end to end: Axiom scripts through the runtime and the `axiom` CLI, sandbox, URLs and
the example included."""

from __future__ import annotations

import os

from support.axiom_run import cli, run_src


def test_values_round_trip_in_a_script(tmp_path):
    src = f'''
import jsn
class Point {{ fn init(self, x) {{ self.x = x }} }}
let data = {{"n": [1, 2.0, -3], "s": "ünï 😀 \\"q\\"\\n", "b": [true, false, nil], "d": {{"e": {{}}}}}}
let text = jsn.json_stringify(data)
out text
let back = jsn.json_parse(text)
out back == data
out [typeof(back.n[0]), typeof(back.n[1])]
out jsn.json_pretty({{"a": [1]}}, indent = 3)
jsn.json_write("{tmp_path}/d.json", data)
out jsn.json_read("{tmp_path}/d.json") == data
let deep = 1
for i in 0..5000 {{ deep = [deep] }}
out jsn.json_parse(jsn.json_stringify(deep)) == deep
let too_deep = jsn.json_stringify(deep)
for i in 0..5001 {{ too_deep = "[" + too_deep + "]" }}
try {{ jsn.json_parse(too_deep) }} catch e {{ out e }}
try {{ jsn.json_parse("[1, 2") }} catch e {{ out e }}
try {{ jsn.json_parse("[Infinity]") }} catch e {{ out e.kind }}
try {{ jsn.json_parse("-9223372036854775809") }} catch e {{ out e.kind }}
try {{ jsn.json_stringify([Point(1)]) }} catch e {{ out e }}
try {{ jsn.json_stringify({{"f": jsn.json_parse}}) }} catch e {{ out e }}
try {{ jsn.json_stringify(0..3) }} catch e {{ out e.kind }}
try {{ jsn.json_stringify(float("inf")) }} catch e {{ out e.kind }}
let d = {{}}
d.me = d
try {{ jsn.json_stringify(d) }} catch e {{ out e }}
try {{ jsn.json_pretty(1, indent = -1) }} catch e {{ out e }}
'''
    assert run_src(src).splitlines() == [
        '{"n":[1,2.0,-3],"s":"ünï 😀 \\"q\\"\\n","b":[true,false,null],"d":{"e":{}}}',
        "true", '["int", "float"]', '{', '   "a": [', '      1', '   ]', '}', "true", "true",
        "ValueError: jsn.json_parse: JSON nested deeper than 10000 levels",
        "ValueError: jsn.json_parse: invalid JSON: expecting ',' delimiter at line 1 column 6",
        "ValueError", "Overflow",
        "TypeError: jsn.json_stringify: a Point cannot be written as JSON",
        "TypeError: jsn.json_stringify: a function cannot be written as JSON",
        "TypeError", "ValueError",
        "ValueError: jsn.json_stringify: cyclic data (a list or dict that contains itself) cannot be "
        "written as JSON",
        "ValueError: jsn.json_pretty: indent must be from 0 to 32, got -1"]


def test_sandbox_grants_only_what_is_asked(tmp_path):
    inside = tmp_path / "inside"
    inside.mkdir()
    (inside / "ok.json").write_text('{"ok": true}')
    outside = tmp_path / "outside.json"
    outside.write_text("[]")
    script = tmp_path / "box.ax"
    script.write_text(f'''import jsn
out jsn.json_read("{inside}/ok.json")
try {{ jsn.json_read("{outside}") }} catch e {{ out e }}
try {{ jsn.json_write("{inside}/new.json", 1) }} catch e {{ out e }}
try {{ jsn.json_read("http://127.0.0.1:9/x.json") }} catch e {{ out e.kind }}
out jsn.json_parse("[1]")
''')
    p = cli(tmp_path, "run", "--sandbox", f"--allow-read={inside}", str(script))
    assert (p.returncode, p.stderr) == (0, "")
    assert p.stdout.splitlines() == [
        '{"ok": true}',
        f"PermissionDenied: fs.read denied for {outside} (grant it with --allow-read={outside})",
        f"PermissionDenied: fs.write denied for {inside}/new.json (grant it with "
        f"--allow-write={inside}/new.json)",
        "PermissionDenied", "[1]"]
    assert sorted(os.listdir(inside)) == ["ok.json"]


def test_a_url_needs_net(server):
    www, base = server
    (www / "d.json").write_text('{"from": "the web", "n": [1, 2]}')
    src = f'''
import jsn
out jsn.json_read("{base}/d.json")
try {{ jsn.json_read("{base}/missing.json") }} catch e {{ out e }}
'''
    assert run_src(src).splitlines() == [
        '{"from": "the web", "n": [1, 2]}',
        f"IOError: jsn.json_read: {base}/missing.json: HTTP status 404"]
    import socket
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{s.getsockname()[1]}/d.json"
    refused = run_src(f'import jsn\ntry {{ jsn.json_read("{closed}") }} catch e {{ out e }}\n')
    assert refused == f"IOError: jsn.json_read: {closed}: connection refused\n"
    denied = run_src(f'import jsn\ntry {{ jsn.json_read("{base}/d.json") }} catch e {{ out e }}\n',
                     grants=["fs.read"])
    assert denied == f"PermissionDenied: net denied for {base}/d.json (grant it with --allow-net=127.0.0.1)\n"

"""aut end to end: Axiom scripts through the runtime and the `axiom` CLI — watching real
folders with Axiom callbacks, waiting with a timeout, errors in callbacks, and the clean
end of every background thread when the run ends."""

from __future__ import annotations

import threading
import time

from support.axiom_run import cli, run_src


def aut_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("aut ")]


def test_a_script_waits_for_a_file_the_test_creates(tmp_path):
    watched = tmp_path / "inbox"
    watched.mkdir()
    threading.Timer(0.3, lambda: (watched / "letter.txt").write_text("hello")).start()
    src = f'''
import aut
let events = []
let w = aut.watch_dir("{watched}", |ev| {{
    events.push(ev)
    aut.cancel_watch(w)
}})
out typeof(w)
aut.wait(w, timeout=5)
out events[0].change
out events[0].path
out w.active
'''
    started = time.monotonic()
    assert run_src(src).splitlines() == ["watch", "added", str(watched / "letter.txt"), "false"]
    assert time.monotonic() - started < 5
    assert aut_threads() == []


def test_wait_with_a_timeout_then_the_run_ends_every_watch(tmp_path):
    src = f'''
import aut
let w = aut.notify_on_change("{tmp_path}/later.txt", |ev| {{ out ev }})
aut.wait(w, timeout=0.2)
out w.active
let j = aut.schedule_cron("0 0 1 1 *", || {{ out "new year" }})
out j.runs
'''
    assert run_src(src).splitlines() == ["true", "0"]
    assert aut_threads() == []  # Runtime.close() ran the stop hook


def test_next_runs_in_a_script(monkeypatch):
    src = '''
import aut
let t = aut.next_runs("*/15 9-17 * * MON-FRI", n=5, start=1795452600.0)
out t
try { aut.next_runs("0 0 * *") } catch e { out e.kind }
'''
    monkeypatch.setenv("TZ", "UTC")
    lines = run_src(src).splitlines()
    # Mon 2026-11-23 16:50 UTC: 17:00, 17:15, 17:30, 17:45, then Tuesday 09:00
    assert lines == ["[1795453200.0, 1795454100.0, 1795455000.0, 1795455900.0, 1795510800.0]",
                     "ValueError"]


def test_a_failing_callback_is_reported_the_run_goes_on_and_ends_with_1(tmp_path):
    script = tmp_path / "watch.ax"
    box = tmp_path / "box"
    box.mkdir()
    script.write_text(f'''
import aut, pth
let seen = []
let w = aut.watch_dir("{box}", |ev| {{
    let name = pth.path_basename(ev.path)
    seen.push(name)
    if name == "bad" {{ let x = 1 / 0 }}
    if name == "good" {{ aut.cancel_watch(w) }}
}})
pth.mkdir("{box}/bad")
let waited = 0
while !seen.contains("bad") and waited < 50 {{ aut.wait(w, timeout=0.1); waited += 1 }}
pth.mkdir("{box}/good")
aut.wait(w, timeout=5)
out seen
''')
    p = cli(tmp_path, "run", str(script))
    assert p.returncode == 1, p.stderr  # as a task's error that no one joined
    assert p.stdout == '["bad", "good"]\n'
    assert p.stderr == "aut: callback failed: DivisionByZero: division by zero\n"


def test_a_script_that_leaves_work_running_still_ends(tmp_path):
    script = tmp_path / "forgets.ax"
    script.write_text(f'''
import aut
aut.watch_dir("{tmp_path}", |ev| {{ out ev }})
aut.schedule_cron("* * * * *", || {{ out "tick" }})
out "done"
''')
    started = time.monotonic()
    p = cli(tmp_path, "run", str(script))
    assert (p.returncode, p.stdout, p.stderr) == (0, "done\n", "")
    assert time.monotonic() - started < 30


def test_watching_needs_read_access(tmp_path):
    src = f'''
import aut
try {{ aut.watch_dir("{tmp_path}", |ev| {{ out ev }}) }} catch e {{ out e }}
out aut.next_runs("0 0 1 1 *", 1, 0).len()
'''
    assert run_src(src, grants=[]).splitlines() == [
        f"PermissionDenied: fs.read denied for {tmp_path} (grant it with --allow-read={tmp_path})",
        "1"]


def test_callbacks_keep_the_scripts_capabilities(tmp_path, capfd):
    inside = tmp_path / "inside"
    inside.mkdir()
    secret = tmp_path / "secret.txt"
    secret.write_text("not for the callback")
    src = f'''
import aut, ioo
let w = aut.watch_dir("{inside}", |ev| {{
    aut.cancel_watch(w)
    out ioo.file_read("{secret}")
}})
ioo.file_write("{inside}/trigger.txt", "x")
aut.wait(w, timeout=5)
out "end"
'''
    assert run_src(src, grants={"fs.read": [str(inside)], "fs.write": [str(inside)]}) == "end\n"
    err = capfd.readouterr().err
    assert f"aut: callback failed: PermissionDenied: fs.read denied for {secret}" in err

"""Running Axiom in production, as users and host programs do (docs/production.md): memory
limits that count, deadlocks that end with a report, JSON logs, metrics with tasks, foreign
values passed as data, and con's tasks kept per Runtime."""

from __future__ import annotations

import io
import json
import re
import threading
import time

from axiom import Runtime, conf
from support.dists import run_axiom


def _run(tmp_path, source, *options, name="s.ax", timeout=60):
    script = tmp_path / name
    script.write_text(source)
    p = run_axiom(["run", *options, name], home=tmp_path / "home", cwd=tmp_path,
                  timeout=timeout)
    return p, script


# -- limits ----------------------------------------------------------------------------

def test_the_push_loop_is_stopped_by_max_memory(tmp_path):
    start = time.monotonic()
    p, script = _run(tmp_path, "let l = []\nwhile true { l.push([1, 2, 3, 4, 5, 6, 7, 8]) }\n",
                     "--max-memory", "50")
    assert p.returncode == 1
    assert p.stderr.splitlines()[:2] == [
        "Error: LimitExceeded: the run holds more than 50 MB of memory (--max-memory)",
        f"  --> {script.name}:2:1"]
    assert time.monotonic() - start < 30


# -- deadlocks -------------------------------------------------------------------------

def test_a_double_lock_is_an_error_at_once(tmp_path):
    p, _ = _run(tmp_path, "import con\nlet m = con.mutex_new()\nm.lock()\nm.lock()\n",
                "--timeout", "20")
    assert p.returncode == 1
    assert p.stderr.splitlines()[:2] == ["Error: ValueError: mutex.lock: mutex already held by this task",
                                         "  --> s.ax:4:1"]


TWO_TASKS = """import con
let a = con.mutex_new()
let b = con.mutex_new()
let (tx, rx) = con.channel_create(0)
let (go_tx, go_rx) = con.channel_create(0)
let t = con.spawn_task(|| {
    b.lock()
    con.channel_send(tx, "b locked")
    con.channel_recv(go_rx)
    a.lock()
})
a.lock()
con.channel_recv(rx)
con.channel_send(go_tx, "go")
b.lock()
out "never"
"""


def test_a_two_task_deadlock_ends_with_a_report(tmp_path):
    start = time.monotonic()
    p, _ = _run(tmp_path, TWO_TASKS)
    assert (p.returncode, p.stdout) == (1, "")
    assert p.stderr.splitlines()[:4] == [
        "Error: Error: deadlock: these tasks wait for each other:",
        "  main at s.ax:15 waits to lock mutex 2, held by task 1",
        "  task 1 at s.ax:10 waits to lock mutex 1, held by main",
        "  --> s.ax:15:1"]
    assert time.monotonic() - start < 20


def test_a_receive_no_one_can_answer_is_a_deadlock(tmp_path):
    p, _ = _run(tmp_path, "import con\nlet (tx, rx) = con.channel_create(1)\n"
                          "let t = con.spawn_task(|| con.channel_recv(rx))\nout \"main done\"\n")
    assert (p.returncode, p.stdout) == (1, "main done\n")
    assert p.stderr == ("Error: Error: deadlock: every task is blocked:\n"
                        "  task 1 at s.ax:3 waits to receive from channel 1\n"
                        "  main (after the script's end) waits for task 1 to finish\n")


def test_the_timeout_ends_a_lock_wait_on_a_busy_task(tmp_path):
    source = ("import con\nlet m = con.mutex_new()\nlet (tx, rx) = con.channel_create(0)\n"
              "let t = con.spawn_task(|| {\n  m.lock()\n  con.channel_send(tx, 1)\n  while true { }\n})\n"
              "con.channel_recv(rx)\nm.lock()\n")
    start = time.monotonic()
    p, _ = _run(tmp_path, source, "--timeout", "1")
    assert p.returncode == 1
    assert p.stderr.splitlines()[0] == ("Error: LimitExceeded: mutex.lock: the run's time limit "
                                        "ended the wait (--timeout)")
    assert time.monotonic() - start < 20


# -- logs and metrics ------------------------------------------------------------------

def test_json_log_lines_parse_back_with_the_scripts_position(tmp_path):
    source = ('import log\nlog.configure(format="json")\nfn save(rows) {\n'
              '    log.info("saved", rows=rows, table="users")\n}\nsave(12)\nlog.warn("slow", ms=3.5)\n')
    p, _ = _run(tmp_path, source)
    assert p.returncode == 0, p.stderr
    records = [json.loads(line) for line in p.stderr.splitlines()]
    for r in records:
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d", r.pop("time"))
    assert records == [
        {"level": "info", "message": "saved", "file": "s.ax", "line": 4, "rows": 12, "table": "users"},
        {"level": "warn", "message": "slow", "file": "s.ax", "line": 7, "ms": 3.5}]


def test_the_environment_turns_json_logs_on_and_a_log_file_needs_fs_write(tmp_path):
    script = tmp_path / "s.ax"
    script.write_text('import log\nlog.info("hello", n=1)\n')
    p = run_axiom(["run", str(script)], home=tmp_path / "home", env={"AXIOM_LOG_FORMAT": "json"})
    assert json.loads(p.stderr)["message"] == "hello"
    target = tmp_path / "app.log"
    p, _ = _run(tmp_path, f'import log\nlog.configure(file="{target}")\n', "--sandbox")
    assert p.returncode == 1
    assert p.stderr.startswith(f"Error: PermissionDenied: fs.write denied for {target}")
    p, _ = _run(tmp_path, f'import log\nlog.configure(file="{target}")\nlog.error("x")\n',
                f"--allow-write={tmp_path}")
    assert p.returncode == 0 and p.stderr == ""
    assert target.read_text().endswith(" ERROR x\n")


def test_metrics_count_the_runs_tasks(tmp_path):
    out = tmp_path / "m.json"
    p, _ = _run(tmp_path, "import con\nlet ts = [1, 2, 3].map(|k| con.spawn_task(|| k * 2))\n"
                          "out ts.map(|t| t.join())\n", "--metrics-out", str(out))
    assert (p.returncode, p.stdout) == (0, "[2, 4, 6]\n")
    m = json.loads(out.read_text())
    assert m["modules"]["con.tasks_spawned"] == 3
    assert 1 <= m["modules"]["con.tasks_peak"] <= 3 and m["threads_peak"] >= 1


# -- foreign values as data ------------------------------------------------------------

def test_foreign_values_pass_as_data_where_a_conversion_exists(tmp_path):
    source = ('import jsn, num, dfm, con\nout jsn.json_stringify(num.zeros(2))\n'
              'let df = dfm.df_from_list([{"a": 1}, {"a": 2}])\nout jsn.json_stringify({"df": df})\n'
              'out dfm.df_shape(dfm.df_from_list(df))\n'
              'try { jsn.json_stringify(con.mutex_new()) } catch e { out e.message }\n'
              'try { dfm.df_from_list(con.mutex_new()) } catch e { out e.message }\n')
    p, _ = _run(tmp_path, source)
    assert p.returncode == 0, p.stderr
    assert p.stdout.splitlines() == [
        "[0.0,0.0]", '{"df":[{"a":1},{"a":2}]}', "[2, 1]",
        "jsn.json_stringify: a mutex cannot be written as JSON",
        "dfm.df_from_list: argument 'rows' expects list, got mutex"]


# -- con's tasks belong to their Runtime -----------------------------------------------

def test_each_runtime_waits_only_for_its_own_tasks():
    slow = Runtime(settings=dict(conf.DEFAULTS), stdout=io.StringIO())
    quick = Runtime(settings=dict(conf.DEFAULTS), stdout=io.StringIO())
    gate = threading.Event()
    slow.register("wait_for_gate", lambda: gate.wait(10))
    slow.eval("import con\nlet t = con.spawn_task(|| wait_for_gate())")
    quick.eval("import con\nlet t = con.spawn_task(|| 42)")
    start = time.monotonic()
    assert quick.close() == 0  # does not wait for the other Runtime's task
    assert time.monotonic() - start < 2
    closer = threading.Thread(target=slow.close)
    closer.start()
    closer.join(0.3)
    assert closer.is_alive()  # the slow Runtime waits for its own task
    gate.set()
    closer.join(10)
    assert not closer.is_alive()


def test_closing_one_runtime_leaves_the_others_jobs_and_pipes_alone(tmp_path):
    a = Runtime(grants="all", settings=dict(conf.DEFAULTS), stdout=io.StringIO())
    b = Runtime(grants="all", settings=dict(conf.DEFAULTS), stdout=io.StringIO())
    src = (f'import aut, ioo\nlet job = aut.schedule_cron("* * * * *", || nil)\n'
           f'let w = aut.watch_dir("{tmp_path}", |e| nil)\nlet p = ioo.pipe_open(["cat"])\n')
    a.eval(src)
    b.eval(src)
    a.close()
    assert a.eval("[job.active, w.active]") == [False, False]
    assert b.eval("[job.active, w.active]") == [True, True]
    assert b.eval('p.write("still here\\n")\np.read_line()') == "still here"
    b.close()
    assert b.eval("[job.active, w.active]") == [False, False]
    assert b.globals["p"].proc.poll() is not None  # the run's end ended its pipe

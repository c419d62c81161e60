"""con's Dask backend end to end, against a real distributed.LocalCluster with 2 worker
processes on 127.0.0.1 (started once for this file): results, output, errors,
capabilities, a worker killed mid-task, spawn_process and AXIOM_DASK_SCHEDULER."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import distributed  # a dev dependency (axiom-con[dask]): installed wherever tests run
import pytest

from axiom.runtime import Runtime
from axiom_sdk import AxiomError

AXIOM = str(Path(sys.executable).with_name("axiom"))


@pytest.fixture(scope="module")
def cluster():
    import dask
    # a task whose worker dies fails at once (the default retries it on 3 workers)
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        c = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                     host="127.0.0.1", dashboard_address=None,
                                     worker_dashboard_address=None)
        try:
            yield c
        finally:
            c.close()


def _runtime(cluster, grants="all"):
    out = io.StringIO()
    rt = Runtime(grants=grants, stdout=out)
    rt.out = out  # type: ignore[attr-defined]
    rt.eval(f'import con\nimport sys\nimport ioo\ncon.cluster_connect("{cluster.scheduler_address}")')
    return rt


@pytest.fixture(scope="module")
def rt(cluster):
    runtime = _runtime(cluster)
    yield runtime
    runtime.close()


def test_results_and_output_come_back_from_the_cluster(rt):
    value = rt.eval("""
let scale = 3
fn helper(x) { x * scale }
fn work(x) {
    out @"item {x}"
    [helper(x), sys.pid()]
}
con.parallel_map(work, [1, 2, 3, 4], backend="dask")
""")
    assert [v[0] for v in value] == [3, 6, 9, 12]
    assert os.getpid() not in {v[1] for v in value}
    assert sorted(rt.out.getvalue().splitlines()) == ["item 1", "item 2", "item 3", "item 4"]


def test_an_error_on_a_worker_keeps_kind_message_and_position(rt):
    with pytest.raises(AxiomError) as e:
        rt.eval('fn inv(x) {\n    1 / x\n}\ncon.parallel_map(inv, [1, 0], backend="dask")', "<d>")
    err = e.value
    assert (err.kind, err.message, err.span[:3]) == ("DivisionByZero", "division by zero",
                                                     ("<d>", 2, 5))
    assert err.trace == [("inv()", "<d>", 2), ("con.parallel_map", "<d>", 4)]


def test_spawn_process_goes_to_the_cluster_once_connected(rt):
    assert rt.eval("let t = con.spawn_process(|a, b| [a * b, sys.pid()], 6, 7)\n"
                   "let r = t.join()\n[r[0], r[1] != sys.pid(), t.done()]") == [42, True, True]


def test_workers_on_the_cluster_hold_the_runs_capabilities(cluster, tmp_path):
    (tmp_path / "in.txt").write_text("granted")
    rt = _runtime(cluster, grants={"fs.read": [str(tmp_path)], "net": ["127.0.0.1"]})
    try:
        rt.eval("fn read(p) { ioo.file_read(p) }")
        assert rt.eval(f'con.parallel_map(read, ["{tmp_path}/in.txt"], backend="dask")') \
            == ["granted"]
        with pytest.raises(AxiomError) as e:
            rt.eval('con.parallel_map(read, ["/etc/hostname"], backend="dask")')
        assert (e.value.kind, e.value.message) == (
            "PermissionDenied", "fs.read denied for /etc/hostname (grant it with "
                                "--allow-read=/etc/hostname)")
    finally:
        rt.close()


def test_connecting_needs_the_net_grant(cluster):
    rt = Runtime()
    try:
        with pytest.raises(AxiomError) as e:
            rt.eval(f'import con\ncon.cluster_connect("{cluster.scheduler_address}")')
        assert e.value.kind == "PermissionDenied" and "--allow-net=127.0.0.1" in e.value.message
    finally:
        rt.close()


def test_a_worker_killed_mid_task_fails_its_item_and_the_cluster_goes_on(rt):
    with pytest.raises(AxiomError) as e:
        rt.eval("""
fn die(x) {
    if x == 1 { ioo.pipe_run(["kill", "-9", str(sys.pid())]) }
    x
}
con.parallel_map(die, [0, 1, 2], backend="dask")
""")
    assert (e.value.kind, e.value.message) == (
        "IOError", "con.parallel_map: the Dask worker running item 1 of xs died (KilledWorker)")
    assert rt.eval('con.parallel_map(|x| x + 1, [1, 2], backend="dask")') == [2, 3]


def test_the_scheduler_can_come_from_the_environment(cluster, tmp_path):
    script = tmp_path / "env.ax"
    script.write_text('import con\nout con.parallel_map(|x| x * 10, [1, 2], backend="dask")\n'
                      'out con.spawn_process(|x| x - 1, 5).join()\n')
    env = dict(os.environ, AXIOM_DASK_SCHEDULER=cluster.scheduler_address)
    p = subprocess.run([AXIOM, "run", str(script)], capture_output=True, text=True, env=env,
                       timeout=60)
    assert (p.returncode, p.stdout, p.stderr) == (0, "[10, 20]\n4\n", "")


def test_no_cluster_is_a_clear_error(tmp_path):
    script = tmp_path / "none.ax"
    script.write_text('import con\ncon.parallel_map(|x| x, [1], backend="dask")\n')
    env = {k: v for k, v in os.environ.items() if k != "AXIOM_DASK_SCHEDULER"}
    p = subprocess.run([AXIOM, "run", str(script)], capture_output=True, text=True, env=env,
                       timeout=60)
    assert p.returncode == 1
    assert p.stderr.startswith("Error: ValueError: con: no Dask cluster: call "
                               "con.cluster_connect(address) or set AXIOM_DASK_SCHEDULER\n")

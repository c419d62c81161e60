"""`axiom run --metrics` and `--metrics-out FILE(.json|.prom)`: the run's metrics printed,
written as JSON and in the Prometheus text format, and parsed back."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests"))

from support.dists import run_axiom  # noqa: E402

SCRIPT = "let xs = []\nfor i in 0..30000 { xs.push([i]) }\nout len(xs)\n"
LABELS = ["wall time", "CPU time", "instructions", "calls", "compiled functions", "peak memory",
          "GC collections", "threads (peak)"]


def _script(tmp_path, text=SCRIPT, name="work.ax"):
    f = tmp_path / name
    f.write_text(text)
    return f


def test_metrics_prints_a_summary_on_stderr_after_the_run(tmp_path):
    script = _script(tmp_path)
    p = run_axiom(["run", "--metrics", str(script)], home=tmp_path)
    assert (p.returncode, p.stdout) == (0, "30000\n")
    lines = p.stderr.splitlines()
    assert lines[0] == f"axiom metrics for {script}:"
    assert [line[2:21].rstrip() for line in lines[1:]] == LABELS
    row = {line[2:21].rstrip(): line[21:].strip() for line in lines[1:]}
    steps, rate = row["instructions"].split(" (")
    assert int(steps.replace(",", "")) > 30000 and rate.endswith("/s)")
    assert row["compiled functions"] == "host 1, native 0"  # the loop, hot after 1,000 turns
    assert row["peak memory"].endswith(" MB") and float(row["peak memory"][:-3]) > 1
    assert row["GC collections"].split(" (")[1].startswith("gen 0: ")


def test_metrics_out_json_parses_back(tmp_path):
    script = _script(tmp_path)
    out = tmp_path / "m.json"
    p = run_axiom(["run", "--metrics-out", str(out), str(script)], home=tmp_path)
    assert (p.returncode, p.stdout, p.stderr) == (0, "30000\n", "")
    m = json.loads(out.read_text())
    assert m["script"] == str(script)
    assert m["instructions"] > 30000
    rate = m["instructions"] / m["wall_seconds"]
    assert abs(m["instructions_per_second"] - rate) < rate * 1e-4
    assert m["jit_compiled"] == {"host": 1, "native": 0}
    assert sum(m["gc_collections"]) >= 1 and m["memory_peak_bytes"] > 1_000_000
    assert m["threads_peak"] == 1 and m["modules"] == {}


def test_metrics_out_prom_parses_with_prometheus_clients_parser(tmp_path):
    script = _script(tmp_path)
    out = tmp_path / "axiom.prom"
    p = run_axiom(["run", "--metrics-out", str(out), str(script)], home=tmp_path)
    assert p.returncode == 0, p.stderr
    text = out.read_text()
    assert not list(tmp_path.glob("axiom.prom.*"))  # written whole, through a renamed file
    families = {f.name: f for f in text_string_to_metric_families(text)}
    assert {"axiom_wall_seconds", "axiom_cpu_seconds", "axiom_instructions",
            "axiom_jit_compiled_functions", "axiom_memory_peak_bytes", "axiom_gc_collections",
            "axiom_threads_peak"} <= set(families)
    assert families["axiom_instructions"].type == "counter"
    assert families["axiom_instructions"].samples[0].value > 30000
    tiers = {s.labels["tier"]: s.value for s in families["axiom_jit_compiled_functions"].samples}
    assert tiers == {"host": 1.0, "native": 0.0}
    gens = [s.labels["generation"] for s in families["axiom_gc_collections"].samples]
    assert gens == ["0", "1", "2"]


def test_metrics_are_reported_for_a_failing_run_too(tmp_path):
    script = _script(tmp_path, "let x = 1\nx / 0\n", "fail.ax")
    out = tmp_path / "m.json"
    p = run_axiom(["run", "--metrics", "--metrics-out", str(out), str(script)], home=tmp_path)
    assert p.returncode == 1
    assert p.stderr.startswith("Error: DivisionByZero: division by zero\n")
    assert f"axiom metrics for {script}:" in p.stderr
    assert json.loads(out.read_text())["script"] == str(script)


def test_an_unwritable_metrics_file_is_an_error(tmp_path):
    script = _script(tmp_path, 'out "done"\n', "ok.ax")
    p = run_axiom(["run", "--metrics-out", str(tmp_path / "no" / "m.json"), str(script)],
                  home=tmp_path)
    assert p.returncode == 1 and p.stdout == "done\n"
    assert p.stderr == f"axiom: cannot write metrics to {tmp_path / 'no' / 'm.json'}: No such file or directory\n"
    p = run_axiom(["run", "--metrics-out", str(script)], home=tmp_path)
    assert p.returncode == 2 and "missing FILE" in p.stderr


def test_axiom_run_collects_every_ten_thousand_new_containers(tmp_path):
    # 30,000 lists: Python's default (a collection every 700) would make about 45; axiom
    # run freezes what exists before the script and collects every 10,000.
    p = run_axiom(["run", "--metrics", str(_script(tmp_path))], home=tmp_path)
    row = {line[2:21].rstrip(): line[21:].strip() for line in p.stderr.splitlines()[1:]}
    total, gens = row["GC collections"].split(" (")
    assert 2 <= int(total) <= 15, row["GC collections"]  # more when modules compile from source
    assert gens.endswith("gen 2: 0)")

"""One test per capability per module function that touches files, the network, the
environment, processes or system information: with no grant, each call is refused with
PermissionDenied naming the capability, the resource and the flag that grants it, and
leaves no trace (no file made, no variable set, no program run).

`test_every_function_that_needs_a_capability_is_covered` keeps the table complete: a new
export that declares a capability fails it until a case is added here.
"""

from __future__ import annotations

import importlib
import io
import os
import re

import pytest

from axiom import Runtime, conf
from axiom_sdk import AxiomError, Export

MODULES = "alg ann aut clr col con csv dfm env git ioo jsn log mth num plt pth str sys tim tui web".split()

# qualname -> (the call, capability, resource, flag). In the calls, D is a folder of the
# test's own (it exists and holds f.csv, f.json, .env and a git repository `repo`) and
# N a name inside D that does not exist yet; URL is an http URL on 127.0.0.1.
CASES: dict[str, tuple[str, str, str, str]] = {
    "aut.watch_dir": ('aut.watch_dir(D, |e| nil)', "fs.read", "D", "--allow-read=D"),
    "aut.notify_on_change": ('aut.notify_on_change(D + "/f.csv", |e| nil)', "fs.read", "D/f.csv", "--allow-read=D/f.csv"),
    "csv.csv_read": ('csv.csv_read(D + "/f.csv")', "fs.read", "D/f.csv", "--allow-read=D/f.csv"),
    "csv.csv_rows": ('csv.csv_rows(D + "/f.csv")', "fs.read", "D/f.csv", "--allow-read=D/f.csv"),
    "csv.csv_write": ('csv.csv_write(N, [["a"]])', "fs.write", "N", "--allow-write=N"),
    "csv.csv_to_json": ('csv.csv_to_json(D + "/f.csv")', "fs.read", "D/f.csv", "--allow-read=D/f.csv"),
    "csv.csv_filter": ('csv.csv_filter(D + "/f.csv", |r| true)', "fs.read", "D/f.csv", "--allow-read=D/f.csv"),
    "dfm.df_read_csv": ('dfm.df_read_csv(D + "/f.csv")', "fs.read", "D/f.csv", "--allow-read=D/f.csv"),
    "dfm.df_read_parquet": ('dfm.df_read_parquet(D + "/f.parquet")', "fs.read", "D/f.parquet", "--allow-read=D/f.parquet"),
    "dfm.df_scan_csv": ('dfm.df_scan_csv(D + "/f.csv")', "fs.read", "D/f.csv", "--allow-read=D/f.csv"),
    "dfm.df_scan_parquet": ('dfm.df_scan_parquet(D + "/f.parquet")', "fs.read", "D/f.parquet", "--allow-read=D/f.parquet"),
    "dfm.df_to_csv": ('dfm.df_to_csv(dfm.df_from_list([{"a": 1}]), N)', "fs.write", "N", "--allow-write=N"),
    "dfm.df_to_parquet": ('dfm.df_to_parquet(dfm.df_from_list([{"a": 1}]), N)', "fs.write", "N", "--allow-write=N"),
    "dfm.df_sql": ('dfm.df_sql(dfm.df_from_list([{"a": 1}]), "SELECT * FROM read_csv(\'" + D + "/f.csv\')")',
                   "fs.read", "D/f.csv", "--allow-read=D/f.csv"),
    "dfm.df_filter": ('dfm.df_filter(dfm.df_from_list([{"a": 1}]), "a IN (SELECT a FROM read_csv(\'" + D + "/f.csv\'))")',
                      "fs.read", "D/f.csv", "--allow-read=D/f.csv"),
    "env.env_var": ('env.env_var("AXIOM_TOKEN")', "env", "AXIOM_TOKEN", "--allow-env"),
    "env.env_set": ('env.env_set("AXIOM_PROBE", "1")', "env", "AXIOM_PROBE", "--allow-env"),
    "env.env_unset": ('env.env_unset("AXIOM_TOKEN")', "env", "AXIOM_TOKEN", "--allow-env"),
    "env.env_all": ("env.env_all()", "env", "env.env_all", "--allow-env"),
    "env.env_load_dotenv": ('env.env_load_dotenv(D + "/.env")', "env", "env.env_load_dotenv", "--allow-env"),
    "git.git_init": ("git.git_init(N)", "fs.read", "N", "--allow-read=N"),
    "git.git_clone": ('git.git_clone(D + "/repo", N)', "fs.read", "N", "--allow-read=N"),
    "git.git_remote_add": ('git.git_remote_add(D + "/repo", "o", "https://example.org/r.git")', "fs.read", "D/repo", "--allow-read=D/repo"),
    "git.git_status": ('git.git_status(D + "/repo")', "fs.read", "D/repo", "--allow-read=D/repo"),
    "git.git_add": ('git.git_add(D + "/repo", ["x"])', "fs.read", "D/repo", "--allow-read=D/repo"),
    "git.git_diff": ('git.git_diff(D + "/repo")', "fs.read", "D/repo", "--allow-read=D/repo"),
    "git.git_commit": ('git.git_commit(D + "/repo", "m", "A <a@b.c>")', "fs.read", "D/repo", "--allow-read=D/repo"),
    "git.git_log": ('git.git_log(D + "/repo")', "fs.read", "D/repo", "--allow-read=D/repo"),
    "git.git_branch_list": ('git.git_branch_list(D + "/repo")', "fs.read", "D/repo", "--allow-read=D/repo"),
    "git.git_checkout": ('git.git_checkout(D + "/repo", "b", true)', "fs.read", "D/repo", "--allow-read=D/repo"),
    "git.git_push": ('git.git_push(D + "/repo")', "fs.read", "D/repo", "--allow-read=D/repo"),
    "git.git_pull": ('git.git_pull(D + "/repo")', "fs.read", "D/repo", "--allow-read=D/repo"),
    "ioo.file_read": ('ioo.file_read(D + "/f.csv")', "fs.read", "D/f.csv", "--allow-read=D/f.csv"),
    "ioo.file_read_bytes": ('ioo.file_read_bytes(D + "/f.csv")', "fs.read", "D/f.csv", "--allow-read=D/f.csv"),
    "ioo.file_write": ('ioo.file_write(N, "x")', "fs.write", "N", "--allow-write=N"),
    "ioo.file_append": ('ioo.file_append(N, "x")', "fs.write", "N", "--allow-write=N"),
    "ioo.file_lines": ('ioo.file_lines(D + "/f.csv")', "fs.read", "D/f.csv", "--allow-read=D/f.csv"),
    "ioo.pipe_run": ('ioo.pipe_run(["touch", N])', "proc", "touch", "--allow-run"),
    "ioo.pipe_open": ('ioo.pipe_open(["touch", N])', "proc", "touch", "--allow-run"),
    "jsn.json_read": ('jsn.json_read(D + "/f.json")', "fs.read", "D/f.json", "--allow-read=D/f.json"),
    "jsn.json_write": ("jsn.json_write(N, [1])", "fs.write", "N", "--allow-write=N"),
    "plt.plot_save": ('plt.plot_save(plt.figure(), N + ".png")', "fs.write", "N.png", "--allow-write=N.png"),
    "pth.walk_dir": ("pth.walk_dir(D)", "fs.read", "D", "--allow-read=D"),
    "pth.list_dir": ("pth.list_dir(D)", "fs.read", "D", "--allow-read=D"),
    "pth.path_exists": ('pth.path_exists(D + "/f.csv")', "fs.read", "D/f.csv", "--allow-read=D/f.csv"),
    "pth.is_file": ('pth.is_file(D + "/f.csv")', "fs.read", "D/f.csv", "--allow-read=D/f.csv"),
    "pth.is_dir": ("pth.is_dir(D)", "fs.read", "D", "--allow-read=D"),
    "pth.path_resolve": ("pth.path_resolve(D)", "fs.read", "D", "--allow-read=D"),
    "pth.glob": ('pth.glob(D + "/*.csv")', "fs.read", "D/*.csv", "--allow-read=D/*.csv"),
    "pth.mkdir": ("pth.mkdir(N)", "fs.write", "N", "--allow-write=N"),
    "pth.remove": ('pth.remove(D + "/f.csv")', "fs.write", "D/f.csv", "--allow-write=D/f.csv"),
    "pth.rename": ('pth.rename(D + "/f.csv", N)', "fs.write", "D/f.csv", "--allow-write=D/f.csv"),
    "pth.copy": ('pth.copy(D + "/f.csv", N)', "fs.read", "D/f.csv", "--allow-read=D/f.csv"),
    "sys.cpu_count": ("sys.cpu_count()", "sys", "sys.cpu_count", "--allow-sys"),
    "sys.memory_total": ("sys.memory_total()", "sys", "sys.memory_total", "--allow-sys"),
    "sys.memory_used": ("sys.memory_used()", "sys", "sys.memory_used", "--allow-sys"),
    "sys.disk_space": ("sys.disk_space(D)", "sys", "sys.disk_space", "--allow-sys"),
    "sys.process_list": ("sys.process_list()", "sys", "sys.process_list", "--allow-sys"),
    "sys.platform": ("sys.platform()", "sys", "sys.platform", "--allow-sys"),
    "sys.pid": ("sys.pid()", "sys", "sys.pid", "--allow-sys"),
    "sys.uptime": ("sys.uptime()", "sys", "sys.uptime", "--allow-sys"),
    "con.cluster_connect": ('con.cluster_connect("tcp://127.0.0.1:9")', "net",
                            "tcp://127.0.0.1:9", "--allow-net=127.0.0.1"),
    "web.http_get": ("web.http_get(URL)", "net", "URL", "--allow-net=127.0.0.1"),
    "web.http_post": ('web.http_post(URL, "x")', "net", "URL", "--allow-net=127.0.0.1"),
    "web.http_get_all": ("web.http_get_all([URL])", "net", "URL", "--allow-net=127.0.0.1"),
}
# A path or URL read as data also needs net when it is a URL.
URL_CASES = {
    "csv.csv_read(URL)": "csv.csv_read(URL)", "jsn.json_read(URL)": "jsn.json_read(URL)",
    "dfm.df_read_csv(URL)": "dfm.df_read_csv(URL)", "dfm.df_scan_csv(URL)": "dfm.df_scan_csv(URL)",
    "csv.csv_filter(URL)": "csv.csv_filter(URL, |r| true)",
}
URL = "http://127.0.0.1:9/data.csv"  # the discard port: nothing is ever contacted


@pytest.fixture
def place(tmp_path, monkeypatch):
    d = tmp_path / "d"
    d.mkdir()
    (d / "f.csv").write_text("a\n1\n")
    (d / "f.json").write_text("[1]")
    (d / ".env").write_text("AXIOM_PROBE=1\n")
    import polars as pl
    pl.DataFrame({"a": [1]}).write_parquet(d / "f.parquet")
    import pygit2
    pygit2.init_repository(str(d / "repo"))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("AXIOM_TOKEN", "secret")
    monkeypatch.delenv("AXIOM_PROBE", raising=False)
    return d


def _snapshot(root: str) -> set[str]:
    return {os.path.join(dp, n) for dp, dirs, files in os.walk(root) for n in dirs + files}


def _denied(source: str, d: str) -> AxiomError:
    names = " ".join(sorted({q.split(".")[0] for q in CASES}))
    imports = "\n".join(f"import {m}" for m in names.split())
    program = f'{imports}\nlet D = "{d}"\nlet N = D + "/new"\nlet URL = "{URL}"\n{source}\n'
    rt = Runtime(grants=None, settings=dict(conf.DEFAULTS), stdout=io.StringIO())
    try:
        rt.eval(program, "probe.ax")
    except AxiomError as e:
        return e
    finally:
        rt.close()
    raise AssertionError(f"{source} ran without a grant")


@pytest.mark.parametrize("qualname", sorted(CASES))
def test_without_a_grant_the_call_is_refused_and_leaves_no_trace(qualname, place):
    source, cap, resource, flag = CASES[qualname]
    d = str(place)
    before = _snapshot(str(place.parent))
    err = _denied(source, d)
    names = {"D": d, "N": d + "/new", "URL": URL}
    resource, flag = (re.sub(r"\b(D|N|URL)\b", lambda m: names[m.group(1)], text)
                      for text in (resource, flag))
    assert (err.kind, err.message) == ("PermissionDenied", f"{cap} denied for {resource} (grant it with {flag})")
    assert err.span is not None and err.span[0] == "probe.ax"
    assert _snapshot(str(place.parent)) == before  # nothing made, removed or moved
    assert os.environ.get("AXIOM_PROBE") is None and os.environ["AXIOM_TOKEN"] == "secret"


@pytest.mark.parametrize("label", sorted(URL_CASES))
def test_a_url_given_as_a_path_needs_net(label, place):
    err = _denied(URL_CASES[label], str(place))
    assert (err.kind, err.message) == ("PermissionDenied", f"net denied for {URL} (grant it with --allow-net=127.0.0.1)")


def test_every_function_that_needs_a_capability_is_covered():
    needing = set()
    for name in MODULES:
        mod = importlib.import_module(f"axiom_{name}").module
        for sym in mod.list_exports():
            export = mod._symbols[sym]
            if isinstance(export, Export) and export.needs:
                needing.add(export.qualname)
    assert needing - set(CASES) == set(), "add a case for each new function that needs a capability"

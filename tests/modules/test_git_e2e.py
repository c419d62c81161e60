"""git end to end: Axiom scripts through the runtime and the `axiom` CLI, on local
repositories only (a bare repository as origin), with the host's git configuration hidden."""

from __future__ import annotations

import os

import pytest

from support.axiom_run import cli, run_src

EXPORTS = ["git_init", "git_clone", "git_status", "git_remote_add", "git_add", "git_commit",
           "git_log", "git_push", "git_pull", "git_branch_list", "git_checkout", "git_diff"]


@pytest.fixture(autouse=True)
def no_host_config(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")


def test_init_commit_push_clone_pull_log(tmp_path):
    d = tmp_path
    (d / "work").mkdir()
    (d / "work" / "a.txt").write_text("one\n")
    src = f'''
import git
let origin = "{d}/origin.git"
let work = "{d}/work"
let copy = "{d}/copy"
git.git_init(origin, bare=true)
git.git_init(work)
out git.git_status(work)
git.git_add(work, ["."])
let id = git.git_commit(work, "first\\n", author="Ada <ada@example.org>")
out len(id)
git.git_remote_add(work, "origin", origin)
git.git_push(work)
git.git_clone(origin, copy)
for c in git.git_log(copy) {{ out @ "{{c.id == id}} {{c.author}} {{c.message}} {{typeof(c.time)}}" }}
out git.git_branch_list(copy)
'''
    assert run_src(src).splitlines() == [
        '[{"path": "a.txt", "status": "untracked"}]', "40",
        "true Ada <ada@example.org> first float", '["master"]']
    (d / "copy" / "b.txt").write_text("two\n")
    src = f'''
import git
let copy = "{d}/copy"
let work = "{d}/work"
git.git_add(copy, ["b.txt"])
git.git_commit(copy, "second", author="Bob <bob@example.org>")
git.git_push(copy, "origin")
out git.git_pull(work)
out git.git_log(work).map(|c| c.message)
out git.git_pull(work, remote="origin", branch="master")
git.git_checkout(work, "feature", create=true)
out git.git_branch_list(work)
'''
    assert run_src(src).splitlines() == [
        "fast-forward", '["second", "first"]', "up-to-date", '["feature", "master"]']
    assert (d / "work" / "b.txt").read_text() == "two\n"


def test_errors_are_catchable_with_their_kinds(tmp_path):
    (tmp_path / "plain").mkdir()
    src = f'''
import git
let repo = "{tmp_path}/repo"
git.git_init(repo)
try {{ git.git_commit(repo, "nothing", author="Ada <ada@example.org>") }} catch e {{ out e }}
try {{ git.git_commit(repo, "x", author="Ada") }} catch e {{ out e.kind }}
try {{ git.git_status("{tmp_path}/plain") }} catch e {{ out e }}
try {{ git.git_clone("ext::sh -c touch% /tmp/x", "{tmp_path}/c") }} catch e {{ out e }}
try {{ git.git_push(repo, "nowhere") }} catch e {{ out e }}
try {{ git.git_log(repo, n="3") }} catch e {{ out e }}
'''
    assert run_src(src).splitlines() == [
        "IOError: git.git_commit: nothing to commit (no files are staged)",
        "ValueError",
        f"IOError: git.git_status: not a git repository: {tmp_path}/plain",
        "ValueError: git.git_clone: refused transport 'ext::' (it runs commands)",
        "ValueError: git.git_push: no remote named 'nowhere'",
        "TypeError: git.git_log: argument 'n' expects int, got str"]


def test_non_fast_forward_push_and_merge_through_scripts(tmp_path):
    d = tmp_path
    (d / "a").mkdir()
    (d / "a" / "f.txt").write_text("base\n")
    run_src(f'''
import git
git.git_init("{d}/origin.git", bare=true)
git.git_init("{d}/a")
git.git_add("{d}/a", ["."])
git.git_commit("{d}/a", "base", author="Ada <ada@example.org>")
git.git_remote_add("{d}/a", "origin", "{d}/origin.git")
git.git_push("{d}/a")
git.git_clone("{d}/origin.git", "{d}/b")
''')
    (d / "b" / "g.txt").write_text("theirs\n")
    (d / "a" / "h.txt").write_text("ours\n")
    src = f'''
import git
git.git_add("{d}/b", ["g.txt"])
git.git_commit("{d}/b", "theirs", author="Bob <bob@example.org>")
git.git_push("{d}/b")
git.git_add("{d}/a", ["h.txt"])
git.git_commit("{d}/a", "ours", author="Ada <ada@example.org>")
try {{ git.git_push("{d}/a") }} catch e {{ out e }}
out git.git_pull("{d}/a")
git.git_push("{d}/a")
out git.git_pull("{d}/b")
out git.git_status("{d}/b")
'''
    assert run_src(src).splitlines() == [
        "IOError: git.git_push: rejected: origin/master has commits that master does not "
        "(non-fast-forward); pull first",
        "merge", "fast-forward", "[]"]
    assert sorted(os.listdir(d / "b")) == [".git", "f.txt", "g.txt", "h.txt"]


def test_capabilities_are_checked(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    axiom_src = f'''
import git
try {{ git.git_init("{repo}") }} catch e {{ out e }}
'''
    out = run_src(axiom_src, grants={"fs.read": [str(tmp_path)]})
    assert out.strip() == (f"PermissionDenied: fs.write denied for {repo} "
                           f"(grant it with --allow-write={repo})")
    assert not (repo / ".git").exists()
    src = f'''
import git
try {{ git.git_clone("https://example.invalid/r.git", "{tmp_path}/c") }} catch e {{ out e }}
'''
    out = run_src(src, grants={"fs.read": [str(tmp_path)], "fs.write": [str(tmp_path)]})
    assert out.strip() == ("PermissionDenied: net denied for https://example.invalid/r.git "
                           "(grant it with --allow-net=example.invalid)")


def test_cli_run_and_an_uncaught_error(tmp_path):
    script = tmp_path / "flow.ax"
    script.write_text(f'''
import git
git.git_init("{tmp_path}/r")
out git.git_log("{tmp_path}/r")
git.git_commit("{tmp_path}/r", "nothing staged", author="Ada <ada@example.org>")
''')
    p = cli(tmp_path, "run", str(script))
    assert p.returncode == 1 and p.stdout == "[]\n"
    assert "IOError: git.git_commit: nothing to commit" in p.stderr
    assert "Traceback" not in p.stderr


def test_mod_info_lists_every_function(tmp_path):
    p = cli(tmp_path, "mod", "info", "git")
    assert p.returncode == 0, p.stderr
    for name in EXPORTS:
        assert f"  {name}(" in p.stdout, name

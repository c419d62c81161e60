"""git on corrupt repositories: every call ends with an IOError naming the problem, never
a hang (libgit2 loops forever, holding the GIL, on a truncated loose object) and never
a crash. Each repository is made by pygit2, then broken the way a full disk, a killed
writer or a careless tool breaks one; the calls run in a child process with a time
limit, so a regression hangs that process, not the test run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zlib

import pygit2
import pytest

OPS = {  # function -> extra arguments after the repository path
    "git_status": [], "git_log": [], "git_diff": [], "git_branch_list": [],
    "git_add": [["."]], "git_commit": ["again", "Ada <ada@example.org>"],
    "git_checkout": ["other", True],
}

PROBE = """
import json, sys
from axiom_git import module
from axiom_sdk import AxiomError
from axiom_sdk.testing import call
path, ops = sys.argv[1], json.loads(sys.argv[2])
out = {}
for name, extra in ops.items():
    try:
        call(module, name, path, *extra)
        out[name] = "ok"
    except AxiomError as e:
        out[name] = f"{e.kind}: {e.message}"
print(json.dumps(out))
"""


def _make(tmp_path) -> tuple[str, pygit2.Repository]:
    path = str(tmp_path / "repo")
    repo = pygit2.init_repository(path, initial_head="main")
    os.makedirs(os.path.join(path, "d"))
    for name, text in (("a.txt", "a\n"), ("d/b.txt", "b\n")):
        with open(os.path.join(path, name), "w") as f:
            f.write(text)
    repo.index.add_all()
    repo.index.write()
    sig = pygit2.Signature("Ada", "ada@example.org")
    repo.create_commit("HEAD", sig, sig, "first\n", repo.index.write_tree(), [])
    return path, repo


def _object_file(path: str, oid: object) -> str:
    text = str(oid)
    return os.path.join(path, ".git", "objects", text[:2], text[2:])


def _rewrite(file: str, data: bytes) -> None:
    if os.path.exists(file):
        os.chmod(file, 0o644)
    with open(file, "wb") as f:
        f.write(data)


def _truncate(file: str, keep: int) -> None:
    with open(file, "rb") as f:
        data = f.read()
    _rewrite(file, data[:keep])


def _head(repo: pygit2.Repository) -> pygit2.Commit:
    return repo.head.peel(pygit2.Commit)


def truncated_tree(path, repo):
    _truncate(_object_file(path, _head(repo).tree_id), 20)


def truncated_subtree(path, repo):
    _truncate(_object_file(path, _head(repo).tree["d"].id), 15)


def truncated_commit(path, repo):
    _truncate(_object_file(path, _head(repo).id), 20)


def zeroed_tree(path, repo):
    file = _object_file(path, _head(repo).tree_id)
    _rewrite(file, bytes(os.path.getsize(file)))


def bad_head(path, repo):
    _rewrite(os.path.join(path, ".git", "HEAD"), b"garbage\n")


def head_loop(path, repo):
    _rewrite(os.path.join(path, ".git", "HEAD"), b"ref: refs/heads/loop\n")
    _rewrite(os.path.join(path, ".git", "refs", "heads", "loop"), b"ref: HEAD\n")


def ref_to_a_missing_commit(path, repo):
    _rewrite(os.path.join(path, ".git", "refs", "heads", "main"), b"01" * 20 + b"\n")


def garbage_ref(path, repo):
    _rewrite(os.path.join(path, ".git", "refs", "heads", "main"), b"zzzz\n")


def half_an_index(path, repo):
    _truncate(os.path.join(path, ".git", "index"), os.path.getsize(os.path.join(path, ".git", "index")) // 2)


def zeroed_index(path, repo):
    file = os.path.join(path, ".git", "index")
    _rewrite(file, bytes(os.path.getsize(file)))


def object_with_a_wrong_size(path, repo):
    file = _object_file(path, _head(repo).tree_id)
    with open(file, "rb") as f:
        body = zlib.decompress(f.read()).split(b"\0", 1)[1]
    _rewrite(file, zlib.compress(b"tree 9999\0" + body))


CORRUPTIONS = [truncated_tree, truncated_subtree, truncated_commit, zeroed_tree, bad_head,
               head_loop, ref_to_a_missing_commit, garbage_ref, half_an_index, zeroed_index,
               object_with_a_wrong_size]


def _probe(tmp_path, path: str) -> dict[str, str]:
    env = dict(os.environ, HOME=str(tmp_path), GIT_CONFIG_NOSYSTEM="1",
               GIT_CONFIG_GLOBAL=os.devnull)
    try:
        r = subprocess.run([sys.executable, "-c", PROBE, path, json.dumps(OPS)],
                           capture_output=True, text=True, env=env, timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail("a git call hung on the corrupt repository")
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)  # type: ignore[no-any-return]


@pytest.mark.parametrize("corrupt", CORRUPTIONS, ids=lambda f: f.__name__)
def test_a_corrupt_repository_gives_io_errors_never_a_hang(tmp_path, corrupt):
    path, repo = _make(tmp_path)
    corrupt(path, repo)
    results = _probe(tmp_path, path)
    assert set(results) == set(OPS)
    for name, result in results.items():
        assert result == "ok" or result.startswith(f"IOError: git.{name}: "), (name, result)
    assert results["git_status"] != "ok"  # every one of these breaks status


@pytest.mark.parametrize("corrupt", [truncated_tree, truncated_subtree, truncated_commit],
                         ids=lambda f: f.__name__)
def test_a_truncated_object_is_named(tmp_path, corrupt):
    path, repo = _make(tmp_path)
    oid = {truncated_tree: lambda: _head(repo).tree_id,
           truncated_subtree: lambda: _head(repo).tree["d"].id,
           truncated_commit: lambda: _head(repo).id}[corrupt]()
    corrupt(path, repo)
    results = _probe(tmp_path, path)
    file = _object_file(os.path.realpath(path), oid)
    for name, result in results.items():
        assert result == (f"IOError: git.{name}: the repository is corrupt: object {oid} is "
                          f"truncated ({file})"), name


def test_messages_for_broken_references(tmp_path):
    path, repo = _make(tmp_path)
    garbage_ref(path, repo)
    assert _probe(tmp_path, path)["git_log"] == \
        "IOError: git.git_log: corrupted loose reference file: refs/heads/main"
    path2 = str(tmp_path / "second")
    os.rename(path, path2)
    ref_to_a_missing_commit(path2, repo)
    result = _probe(tmp_path, path2)["git_status"]
    assert result.startswith("IOError: git.git_status: ") and "not found" in result, result

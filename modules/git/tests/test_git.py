"""git against real repositories made by pygit2 in temporary folders, through the SDK as
scripts call it. Remotes are local bare repositories; no `git` program is used, and the
host's git configuration is hidden (HOME and GIT_CONFIG_GLOBAL point into tmp_path)."""

import os

import pygit2
import pytest

from axiom_git import module
from axiom_sdk import AxiomError, capability_check
from axiom_sdk.testing import call, raises

ADA = "Ada <ada@example.org>"
BOB = "Bob <bob@example.org>"


@pytest.fixture(autouse=True)
def user_config(tmp_path, monkeypatch):
    """An empty user configuration (write to it to configure); no system file."""
    home = tmp_path / "home"
    home.mkdir()
    cfg = home / ".gitconfig"
    cfg.write_text("")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(cfg))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    return cfg


def write(repo, name, text):
    path = os.path.join(repo, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def commit_file(repo, name, text, message, author=ADA):
    write(repo, name, text)
    call(module, "git_add", repo, [name])
    return call(module, "git_commit", repo, message, author=author)


@pytest.fixture
def repo(tmp_path):
    path = str(tmp_path / "work")
    call(module, "git_init", path)
    return path


@pytest.fixture
def origin(tmp_path, repo):
    """A bare origin that `repo` has pushed one commit to."""
    bare = str(tmp_path / "origin.git")
    call(module, "git_init", bare, bare=True)
    commit_file(repo, "a.txt", "one\n", "first")
    call(module, "git_remote_add", repo, "origin", bare)
    call(module, "git_push", repo)
    return bare


# -- init and configuration -----------------------------------------------------------

def test_init_names_the_first_branch_master_without_configuration(tmp_path):
    call(module, "git_init", str(tmp_path / "w"))
    call(module, "git_init", str(tmp_path / "b.git"), bare=True)
    assert pygit2.Repository(str(tmp_path / "w")).references["HEAD"].target == "refs/heads/master"
    bare = pygit2.Repository(str(tmp_path / "b.git"))
    assert bare.is_bare and bare.references["HEAD"].target == "refs/heads/master"


def test_init_follows_init_default_branch(tmp_path, user_config):
    user_config.write_text("[init]\n\tdefaultBranch = trunk\n")
    call(module, "git_init", str(tmp_path / "w"))
    call(module, "git_init", str(tmp_path / "b.git"), bare=True)
    for name in ("w", "b.git"):
        assert pygit2.Repository(str(tmp_path / name)).references["HEAD"].target == "refs/heads/trunk"


def test_init_on_an_existing_repository_leaves_it(repo):
    cid = commit_file(repo, "a.txt", "a\n", "first")
    assert call(module, "git_init", repo) is None
    assert call(module, "git_log", repo)[0]["id"] == cid


# -- commits and the log --------------------------------------------------------------

def test_commit_returns_the_id_and_log_reads_it_back(repo):
    cid = commit_file(repo, "a.txt", "a\n", "first\n\n", author=ADA)
    assert len(cid) == 40 and all(c in "0123456789abcdef" for c in cid)
    c2 = commit_file(repo, "b.txt", "b\n", "second", author=BOB)
    log = call(module, "git_log", repo)
    assert [e["id"] for e in log] == [c2, cid]
    assert [e["message"] for e in log] == ["second", "first"]
    assert [e["author"] for e in log] == [BOB, ADA]
    assert all(type(e["time"]) is float for e in log)
    assert abs(log[0]["time"] - pygit2.Repository(repo)[c2].commit_time) < 1
    assert [e["id"] for e in call(module, "git_log", repo, n=1)] == [c2]
    assert call(module, "git_log", repo, n=0) == []


def test_author_is_also_the_committer(repo):
    cid = commit_file(repo, "a.txt", "a\n", "first", author="Ada Lovelace <ada@example.org>")
    c = pygit2.Repository(repo)[cid]
    assert (c.author.name, c.author.email) == ("Ada Lovelace", "ada@example.org")
    assert (c.committer.name, c.committer.email) == ("Ada Lovelace", "ada@example.org")


def test_commit_without_author_uses_the_repository_then_user_configuration(repo, user_config):
    who = lambda cid: pygit2.Repository(repo)[cid].author  # noqa: E731
    c1 = who(commit_file(repo, "a.txt", "a\n", "1", author=None))
    assert (c1.name, c1.email) == ("Axiom", "axiom@localhost")
    user_config.write_text("[user]\n\tname = User\n\temail = user@example.org\n")
    c2 = who(commit_file(repo, "b.txt", "b\n", "2", author=None))
    assert (c2.name, c2.email) == ("User", "user@example.org")
    r = pygit2.Repository(repo)
    r.config["user.name"] = "Local"
    r.config["user.email"] = "local@example.org"
    c3 = who(commit_file(repo, "c.txt", "c\n", "3", author=None))
    assert (c3.name, c3.email) == ("Local", "local@example.org")


def test_log_of_a_repository_without_commits_is_empty(repo):
    assert call(module, "git_log", repo) == []


@pytest.mark.parametrize("author", ["Ada", "<ada@x>", "Ada <>", "Ada <a@x> <b@y>"])
def test_malformed_author_is_a_value_error(repo, author):
    write(repo, "a.txt", "a\n")
    call(module, "git_add", repo, ["a.txt"])
    err = raises(module, "git_commit", repo, "m", author=author)
    assert err.kind == "ValueError" and "Name <email>" in err.message


def test_nothing_to_commit_is_a_clear_error(repo):
    err = raises(module, "git_commit", repo, "empty", author=ADA)
    assert (err.kind, err.message) == ("IOError", "git.git_commit: nothing to commit (no files are staged)")
    commit_file(repo, "a.txt", "a\n", "first")
    write(repo, "a.txt", "changed but not staged\n")
    err = raises(module, "git_commit", repo, "again", author=ADA)
    assert err.kind == "IOError" and err.message.startswith("git.git_commit: nothing to commit")
    assert raises(module, "git_commit", repo, "  \n", author=ADA).kind == "ValueError"


# -- status, add and diff --------------------------------------------------------------

BODY = "".join(f"line {i} of a file long enough to be found again after a rename\n" for i in range(20))


def test_status_names_each_state_sorted_by_path(repo):
    for name in ("keep.txt", "edit.txt", "staged_edit.txt", "gone.txt", "staged_gone.txt", "old.txt"):
        write(repo, name, BODY + name)
    call(module, "git_add", repo, ["."])
    call(module, "git_commit", repo, "base", author=ADA)
    assert call(module, "git_status", repo) == []
    write(repo, "new.txt", "untracked\n")
    write(repo, "added.txt", "added\n")
    call(module, "git_add", repo, ["added.txt"])
    write(repo, "edit.txt", "changed\n")
    write(repo, "staged_edit.txt", "changed\n")
    call(module, "git_add", repo, ["staged_edit.txt"])
    os.remove(os.path.join(repo, "gone.txt"))
    os.remove(os.path.join(repo, "staged_gone.txt"))
    call(module, "git_add", repo, ["staged_gone.txt"])
    os.rename(os.path.join(repo, "old.txt"), os.path.join(repo, "renamed.txt"))
    call(module, "git_add", repo, ["old.txt", "renamed.txt"])
    assert call(module, "git_status", repo) == [
        {"path": "added.txt", "status": "added"},
        {"path": "edit.txt", "status": "modified"},
        {"path": "gone.txt", "status": "deleted"},
        {"path": "new.txt", "status": "untracked"},
        {"path": "renamed.txt", "status": "renamed"},
        {"path": "staged_edit.txt", "status": "modified"},
        {"path": "staged_gone.txt", "status": "deleted"},
    ]


def test_status_before_the_first_commit(repo):
    write(repo, "b.txt", "b\n")
    write(repo, "d/a.txt", "a\n")
    call(module, "git_add", repo, ["d"])
    assert call(module, "git_status", repo) == [{"path": "b.txt", "status": "untracked"},
                                                {"path": "d/a.txt", "status": "added"}]


def test_add_dot_stages_new_modified_and_deleted_files(repo):
    commit_file(repo, "a.txt", "a\n", "first")
    commit_file(repo, "b.txt", "b\n", "second")
    os.remove(os.path.join(repo, "a.txt"))
    write(repo, "b.txt", "b2\n")
    write(repo, "sub/c.txt", "c\n")
    write(repo, ".gitignore", "*.log\n")
    write(repo, "x.log", "ignored\n")
    call(module, "git_add", repo, ["."])
    assert call(module, "git_status", repo) == [
        {"path": ".gitignore", "status": "added"}, {"path": "a.txt", "status": "deleted"},
        {"path": "b.txt", "status": "modified"}, {"path": "sub/c.txt", "status": "added"}]


def test_add_takes_exact_paths(repo):
    write(repo, "f[1].txt", "bracket\n")
    write(repo, "f1.txt", "plain\n")
    call(module, "git_add", repo, ["f[1].txt"])
    call(module, "git_add", repo, [os.path.join(repo, "f1.txt")])  # absolute inside the tree
    assert [s["status"] for s in call(module, "git_status", repo)] == ["added", "added"]


@pytest.mark.parametrize("name, message", [
    ("missing.txt", "git.git_add: 'missing.txt' did not match any file"),
    ("../outside.txt", "git.git_add: '../outside.txt' is outside the repository"),
    (".git/config", "git.git_add: '.git/config' is inside the .git directory"),
    ("x.log", "git.git_add: 'x.log' is ignored (by a .gitignore)"),
])
def test_add_refuses_bad_paths(repo, name, message):
    write(repo, ".gitignore", "*.log\n")
    write(repo, "x.log", "")
    err = raises(module, "git_add", repo, [name])
    assert (err.kind, err.message) == ("ValueError", message)
    assert raises(module, "git_add", repo, [1]).kind == "TypeError"


def test_diff_is_the_working_tree_against_the_index(repo):
    commit_file(repo, "a.txt", "one\ntwo\n", "first")
    assert call(module, "git_diff", repo) == ""
    write(repo, "a.txt", "one\nTWO\n")
    write(repo, "untracked.txt", "not shown\n")
    diff = call(module, "git_diff", repo)
    assert diff.startswith("diff --git a/a.txt b/a.txt\n")
    assert "-two\n+TWO\n" in diff and "untracked" not in diff
    call(module, "git_add", repo, ["a.txt"])
    assert call(module, "git_diff", repo) == ""


# -- branches ----------------------------------------------------------------------------

def test_branches_and_checkout(repo):
    commit_file(repo, "a.txt", "main\n", "first")
    assert call(module, "git_branch_list", repo) == ["master"]
    call(module, "git_checkout", repo, "feature", create=True)
    assert call(module, "git_branch_list", repo) == ["feature", "master"]
    commit_file(repo, "a.txt", "feature\n", "on feature")
    call(module, "git_checkout", repo, "master")
    assert open(os.path.join(repo, "a.txt")).read() == "main\n"
    assert pygit2.Repository(repo).head.shorthand == "master"
    call(module, "git_checkout", repo, "feature")
    assert open(os.path.join(repo, "a.txt")).read() == "feature\n"
    call(module, "git_checkout", repo, "feature")  # already there: nothing happens


def test_checkout_errors(repo):
    commit_file(repo, "a.txt", "main\n", "first")
    assert raises(module, "git_checkout", repo, "nope").message == "git.git_checkout: no branch named 'nope'"
    err = raises(module, "git_checkout", repo, "master", create=True)
    assert (err.kind, err.message) == ("ValueError", "git.git_checkout: branch 'master' already exists")
    assert raises(module, "git_checkout", repo, "bad..name", create=True).kind == "ValueError"
    call(module, "git_checkout", repo, "other", create=True)
    commit_file(repo, "a.txt", "other\n", "on other")
    write(repo, "a.txt", "uncommitted\n")
    err = raises(module, "git_checkout", repo, "master")
    assert err.kind == "IOError" and "local changes would be overwritten" in err.message
    assert open(os.path.join(repo, "a.txt")).read() == "uncommitted\n"


def test_create_branch_before_the_first_commit_names_it(repo):
    call(module, "git_checkout", repo, "main", create=True)
    cid = commit_file(repo, "a.txt", "a\n", "first")
    assert call(module, "git_branch_list", repo) == ["main"]
    assert str(pygit2.Repository(repo).branches.local["main"].target) == cid


# -- remotes --------------------------------------------------------------------------

def test_push_then_clone_gives_the_same_history(tmp_path, repo, origin):
    clone = str(tmp_path / "clone")
    call(module, "git_clone", origin, clone)
    assert call(module, "git_log", clone) == call(module, "git_log", repo)
    assert open(os.path.join(clone, "a.txt")).read() == "one\n"
    assert call(module, "git_status", clone) == []
    assert pygit2.Repository(clone).head.shorthand == "master"


def test_clone_checks_out_the_remotes_head_branch(tmp_path, repo, origin):
    commit_file(repo, "a.txt", "dev\n", "on dev")
    call(module, "git_checkout", repo, "dev", create=True)
    call(module, "git_push", repo, branch="dev")
    bare = pygit2.Repository(origin)
    bare.set_head("refs/heads/dev")
    clone = str(tmp_path / "clone")
    call(module, "git_clone", "file://" + origin, clone)
    assert pygit2.Repository(clone).head.shorthand == "dev"


def test_clone_when_the_remote_head_names_a_missing_branch(tmp_path, repo):
    bare = str(tmp_path / "odd.git")
    pygit2.init_repository(bare, bare=True, initial_head="nothing")
    commit_file(repo, "a.txt", "a\n", "first")
    call(module, "git_remote_add", repo, "origin", bare)
    call(module, "git_push", repo)
    clone = str(tmp_path / "clone")
    call(module, "git_clone", bare, clone)
    assert pygit2.Repository(clone).head.shorthand == "master"
    assert open(os.path.join(clone, "a.txt")).read() == "a\n"


def test_clone_errors(tmp_path, origin):
    err = raises(module, "git_clone", str(tmp_path / "nothere"), str(tmp_path / "c"))
    assert (err.kind, err.message) == ("IOError", f"git.git_clone: no repository at {tmp_path / 'nothere'}")
    full = tmp_path / "full"
    full.mkdir()
    (full / "f").write_text("")
    err = raises(module, "git_clone", origin, str(full))
    assert (err.kind, err.message) == ("IOError", f"git.git_clone: {full} already exists and is not an empty directory")


def test_pull_fast_forward_and_up_to_date(tmp_path, repo, origin):
    other = str(tmp_path / "other")
    call(module, "git_clone", origin, other)
    cid = commit_file(other, "b.txt", "from other\n", "other's change", author=BOB)
    call(module, "git_push", other)
    assert call(module, "git_pull", repo) == "fast-forward"
    assert call(module, "git_log", repo)[0]["id"] == cid
    assert open(os.path.join(repo, "b.txt")).read() == "from other\n"
    assert call(module, "git_status", repo) == []
    assert call(module, "git_pull", repo, remote="origin", branch="master") == "up-to-date"


def test_pull_merges_diverged_histories(tmp_path, repo, origin, user_config):
    user_config.write_text("[user]\n\tname = Merger\n\temail = merger@example.org\n")
    other = str(tmp_path / "other")
    call(module, "git_clone", origin, other)
    theirs = commit_file(other, "b.txt", "theirs\n", "their change", author=BOB)
    call(module, "git_push", other)
    ours = commit_file(repo, "c.txt", "ours\n", "our change")
    assert call(module, "git_pull", repo) == "merge"
    head = pygit2.Repository(repo).head.peel(pygit2.Commit)
    assert [str(p) for p in head.parent_ids] == [ours, theirs]
    assert head.author.name == "Merger"
    assert call(module, "git_log", repo)[0]["message"] == f"Merge branch 'master' of {origin}"
    assert sorted(os.listdir(repo)) == [".git", "a.txt", "b.txt", "c.txt"]
    assert call(module, "git_status", repo) == []
    call(module, "git_push", repo)  # now a fast-forward for the remote
    assert call(module, "git_pull", other) == "fast-forward"


def test_pull_with_a_conflict_is_abandoned(tmp_path, repo, origin):
    other = str(tmp_path / "other")
    call(module, "git_clone", origin, other)
    commit_file(other, "a.txt", "theirs\n", "their edit", author=BOB)
    commit_file(other, "new.txt", "new\n", "their new file", author=BOB)
    call(module, "git_push", other)
    ours = commit_file(repo, "a.txt", "ours\n", "our edit")
    err = raises(module, "git_pull", repo)
    assert err.kind == "IOError"
    assert err.message == ("git.git_pull: merge conflict in a.txt; the merge was abandoned "
                           "and the working tree left as it was")
    assert call(module, "git_log", repo)[0]["id"] == ours
    assert call(module, "git_status", repo) == []
    assert open(os.path.join(repo, "a.txt")).read() == "ours\n"
    assert not os.path.exists(os.path.join(repo, "new.txt"))
    assert pygit2.Repository(repo).listall_mergeheads() == []


def test_pull_refuses_to_merge_over_local_changes(tmp_path, repo, origin):
    other = str(tmp_path / "other")
    call(module, "git_clone", origin, other)
    commit_file(other, "b.txt", "theirs\n", "their change", author=BOB)
    call(module, "git_push", other)
    commit_file(repo, "c.txt", "ours\n", "our change")
    write(repo, "a.txt", "dirty\n")
    err = raises(module, "git_pull", repo)
    assert (err.kind, err.message) == ("IOError", "git.git_pull: cannot merge with uncommitted changes "
                                                  "in a.txt; commit them first")


def test_non_fast_forward_push_is_a_clear_error(tmp_path, repo, origin):
    other = str(tmp_path / "other")
    call(module, "git_clone", origin, other)
    commit_file(other, "b.txt", "theirs\n", "their change", author=BOB)
    call(module, "git_push", other, "origin", "master")
    commit_file(repo, "c.txt", "ours\n", "our change")
    err = raises(module, "git_push", repo)
    assert (err.kind, err.message) == ("IOError", "git.git_push: rejected: origin/master has commits that "
                                                  "master does not (non-fast-forward); pull first")


def test_remote_errors(tmp_path, repo, origin):
    err = raises(module, "git_push", repo, remote="upstream")
    assert (err.kind, err.message) == ("ValueError", "git.git_push: no remote named 'upstream'")
    err = raises(module, "git_push", repo, branch="nope")
    assert (err.kind, err.message) == ("ValueError", "git.git_push: no local branch named 'nope'")
    err = raises(module, "git_remote_add", repo, "origin", origin)
    assert (err.kind, err.message) == ("ValueError", "git.git_remote_add: remote 'origin' already exists")
    err = raises(module, "git_pull", repo, branch="nope")
    assert (err.kind, err.message) == ("ValueError", "git.git_pull: remote 'origin' has no branch 'nope'")
    fresh = str(tmp_path / "fresh")
    call(module, "git_init", fresh)
    call(module, "git_remote_add", fresh, "origin", origin)
    err = raises(module, "git_push", fresh)
    assert (err.kind, err.message) == ("IOError", "git.git_push: branch 'master' has no commits yet")
    assert call(module, "git_pull", fresh) == "fast-forward"  # into a branch with no commits
    assert open(os.path.join(fresh, "a.txt")).read() == "one\n"


@pytest.mark.parametrize("url, message", [
    ("ext::sh -c touch% /tmp/pwned", "refused transport 'ext::' (it runs commands)"),
    ("fd::17", "refused transport 'fd::' (it runs commands)"),
    ("foo::bar", "refused transport 'foo::' (remote helpers are not supported)"),
    ("--upload-pack=touch /tmp/pwned", "refused remote URL '--upload-pack=touch /tmp/pwned': "
                                       "it starts with '-' and would be read as an option"),
    ("gopher://example.org/x", "unsupported transport 'gopher://'"),
])
def test_transports_that_run_commands_are_refused(tmp_path, repo, url, message):
    for name, args in (("git_clone", (url, str(tmp_path / "c"))), ("git_remote_add", (repo, "x", url))):
        err = raises(module, name, *args)
        assert err.kind == "ValueError"
        assert err.message.startswith(f"git.{name}: {message}")
    assert not os.path.exists("/tmp/pwned") and not os.path.exists(tmp_path / "c")


class Denied(list):
    """A capability check that records every check and denies `net`."""

    def __call__(self, cap, resource=None):
        self.append((cap, resource))
        if cap == "net":
            raise AxiomError("PermissionDenied", f"{cap} denied for {resource}")


def test_network_remotes_need_net_and_local_ones_the_file_system(tmp_path, repo, origin):
    checks = Denied()
    token = capability_check.set(checks)
    try:
        err = raises(module, "git_clone", "https://example.invalid/r.git", str(tmp_path / "c"))
        assert err.kind == "PermissionDenied" and ("net", "https://example.invalid/r.git") in checks
        err = raises(module, "git_clone", "git@example.invalid:team/r.git", str(tmp_path / "c"))
        assert err.kind == "PermissionDenied" and ("net", "ssh://example.invalid/team/r.git") in checks
        call(module, "git_remote_add", repo, "web", "https://example.invalid/r.git")
        assert raises(module, "git_push", repo, "web").kind == "PermissionDenied"
        assert raises(module, "git_pull", repo, "web").kind == "PermissionDenied"
        checks.clear()
        call(module, "git_push", repo)
        assert ("fs.write", origin) in checks and ("fs.write", repo) in checks
    finally:
        capability_check.reset(token)
    assert not os.path.exists(tmp_path / "c")


def test_every_export_declares_the_file_system_it_touches():
    for name in module.list_exports():
        caps = {cap for cap, _ in module.get_symbol(name).needs}
        assert "fs.read" in caps, name


# -- not repositories -----------------------------------------------------------------

def test_not_a_repository(tmp_path):
    plain = tmp_path / "plain"
    plain.mkdir()
    err = raises(module, "git_status", str(plain))
    assert (err.kind, err.message) == ("IOError", f"git.git_status: not a git repository: {plain}")
    err = raises(module, "git_log", str(tmp_path / "missing"))
    assert (err.kind, err.message) == ("IOError", f"git.git_log: no such directory: {tmp_path / 'missing'}")


def test_a_subdirectory_is_not_searched_upwards(repo):
    write(repo, "sub/a.txt", "a\n")
    err = raises(module, "git_status", os.path.join(repo, "sub"))
    assert err.message.startswith("git.git_status: not a git repository")


def test_bare_repository_has_no_working_tree(tmp_path):
    bare = str(tmp_path / "b.git")
    call(module, "git_init", bare, bare=True)
    err = raises(module, "git_status", bare)
    assert (err.kind, err.message) == ("IOError", f"git.git_status: {bare} is a bare repository "
                                                  "(it has no working tree)")
    assert call(module, "git_branch_list", bare) == []
    assert call(module, "git_log", bare) == []


def test_every_export_is_documented():
    for name in module.list_exports():
        sig, summary = module.describe(name)
        assert summary and summary.endswith((".", ")")), name


def test_commit_records_a_merge_left_in_progress(tmp_path, repo, origin):
    """A conflicted merge made by another tool: resolve, add, commit."""
    other = str(tmp_path / "other")
    call(module, "git_clone", origin, other)
    theirs = commit_file(other, "a.txt", "theirs\n", "their edit", author=BOB)
    call(module, "git_push", other)
    ours = commit_file(repo, "a.txt", "ours\n", "our edit")
    r = pygit2.Repository(repo)
    r.remotes["origin"].fetch()
    r.merge(r.references["refs/remotes/origin/master"].target)
    err = raises(module, "git_commit", repo, "merge", author=ADA)
    assert (err.kind, err.message) == ("IOError", "git.git_commit: unresolved conflicts in a.txt; "
                                                  "fix them and git_add the files first")
    write(repo, "a.txt", "both\n")
    call(module, "git_add", repo, ["a.txt"])
    cid = call(module, "git_commit", repo, "Merge theirs", author=ADA)
    r = pygit2.Repository(repo)
    assert [str(p) for p in r[cid].parent_ids] == [ours, theirs]
    assert r.listall_mergeheads() == [] and call(module, "git_status", repo) == []


@pytest.fixture
def only_inside(tmp_path):
    """Grants like --allow-read=ok --allow-write=ok; records nothing, denies the rest."""
    ok = os.path.realpath(tmp_path / "ok")

    def check(cap, resource):
        real = os.path.realpath(str(resource))
        if not (real == ok or real.startswith(ok + os.sep)):
            raise AxiomError("PermissionDenied", f"{cap} denied for {resource}")
    token = capability_check.set(check)
    yield tmp_path / "ok"
    capability_check.reset(token)


def test_a_working_tree_set_outside_the_grant_is_denied(tmp_path, only_inside):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("42\n")
    repo = only_inside / "repo"
    pygit2.init_repository(str(repo))
    pygit2.Repository(str(repo)).config["core.worktree"] = str(outside)
    for fname, args in [("git_status", ()), ("git_diff", ()), ("git_add", (["secret.txt"],))]:
        err = raises(module, fname, str(repo), *args)
        assert (err.kind, err.message) == ("PermissionDenied", f"fs.read denied for {outside}/"), fname


def test_a_git_file_pointing_outside_the_grant_is_denied(tmp_path, only_inside):
    elsewhere = tmp_path / "elsewhere"
    theirs = pygit2.init_repository(str(elsewhere))
    sig = pygit2.Signature("Ada", "ada@example.org")
    theirs.create_commit("HEAD", sig, sig, "their secret plans", theirs.TreeBuilder().write(), [])
    repo = only_inside / "repo"
    repo.mkdir(parents=True)
    (repo / ".git").write_text(f"gitdir: {elsewhere}/.git\n")
    err = raises(module, "git_log", str(repo))
    assert (err.kind, err.message) == ("PermissionDenied", f"fs.read denied for {elsewhere}/.git/")

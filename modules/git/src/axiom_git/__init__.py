"""Axiom module `git`: git repositories on pygit2 (libgit2) — no `git` program needed.

Paths. Every function takes the repository's own directory: the working tree of a
normal repository, or the directory of a bare one (`.git` directories work too). A
subdirectory is not searched upwards, so a grant on a folder never lets a script reach
a repository above it. Paths of files (in `git_add`, and in the results of
`git_status`) are relative to the working tree, with `/` separators.

Capabilities: reading a repository needs `fs.read` on its path, changing it `fs.read`
and `fs.write`. A remote at a local path (or `file://` URL) needs `fs.read` on it to
fetch or clone and `fs.write` to push; any other remote needs `net` for its host
(checked inside the call, on the remote's URL). Transports that run commands
(`ext::...`, any `name::address` remote helper) and URLs starting with `-` are refused
with a ValueError. Network remotes get no credentials: use public http(s) remotes.

Errors. IOError for the state of a repository or a remote: not a repository, a bare
repository where a working tree is needed, nothing to commit, no commits yet, a rejected
(non-fast-forward) push, a merge conflict, local changes in the way, a transport
failure. ValueError for a bad argument: a malformed author, an empty message, a path
outside the working tree or matching nothing, an unknown or invalid branch or remote
name, a refused URL. A corrupt repository is an IOError naming what is wrong; loose
objects are checked before libgit2 reads them (`_objects.py`: it loops forever on a
truncated one).

Choices where git offers several:
- `git_init` on an existing repository leaves it as it is (git "reinitializes").
- `git_add(path, ["."])` stages everything (new, modified and deleted files; ignored
  ones are skipped); other entries are exact paths of files or directories (a
  directory stages what is under it, deletions included; no glob patterns). Naming a
  path that neither exists nor is tracked is a ValueError, as in git.
- `git_status` gives one word per path; a path both staged and changed again in the
  working tree reports the staged state (`added` or `renamed` wins over `modified`).
  A staged rename is one entry, the new path with status `renamed`. Conflicted paths
  are `modified`.
- `git_commit` in a repository with a merge in progress records the merge.
- `git_log` follows all parents, newest first; `author` is `"Name <email>"` (the form
  `git_commit` takes) and `time` the author time in float seconds since the epoch.
- `git_push` pushes one branch to the same name on the remote (`refs/heads/B`).
- `git_pull` fetches `remote` and merges its `branch` into the current branch. It
  returns what happened: "up-to-date", "fast-forward" or "merge". A real merge needs a
  clean working tree (untracked files are fine); when it conflicts it is abandoned,
  the tree is left as it was and the error names the conflicted paths. The merge
  commit is signed with the configured identity (see `git_commit`).
- `git_branch_list` lists local branches, sorted. `git_checkout` of a branch that only
  exists on one remote (e.g. `origin/feature`) creates a local branch tracking it, as
  git does; `create=true` on a repository without commits just names the branch.
- `git_diff` is `git diff`: the working tree against the index, as unified diff text
  ("" when they agree); untracked files do not appear.
- `git_clone` checks out the remote's HEAD branch; when the remote's HEAD names a
  branch that does not exist and the remote has exactly one branch, that one.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager

import pygit2
from pygit2.enums import (
    DeltaStatus,
    DiffFind,
    FileStatus,
    MergeAnalysis,
    RepositoryOpenFlag,
    ResetMode,
    SortMode,
)

from axiom_sdk import AxiomError, Module, require

from . import _config
from ._objects import check_loose_objects
from ._remote import parse_remote

module = Module("git", summary="Git repositories on pygit2 (libgit2)", title="Git")
module.translate(pygit2.GitError, "IOError")

READ = ["fs.read:path"]
WRITE = ["fs.read:path", "fs.write:path"]
_AUTHOR = re.compile(r"^\s*([^<>]*?)\s*<([^<>]*)>\s*$")


@contextmanager
def _library(qualname: str) -> Iterator[None]:
    """Make every pygit2 error an IOError naming the function (pygit2's NotFoundError
    is also a KeyError, which the SDK's own translation would keep)."""
    try:
        yield
    except AxiomError:
        raise
    except pygit2.GitError as e:
        raise AxiomError("IOError", f"{qualname}: {_reason(e)}") from None


def _reason(e: BaseException) -> str:
    if isinstance(e, KeyError):  # a lookup of an object that is not there: its name alone
        name = str(e.args[0]).strip().split("\n")[0] if e.args else ""
        return f"{name}: object not found (the repository may be corrupt)" if name else \
            "object not found (the repository may be corrupt)"
    return str(e).strip().split("\n")[0] or type(e).__name__


def _open(qualname: str, path: str, *, workdir: bool = False, write: bool = False) -> pygit2.Repository:
    """The repository at `path` itself (no search upwards); `workdir` demands a
    working tree. Its git folder and working tree are checked against the grants like
    `path` (fs.read, and fs.write when the call changes them): a `.git` file or a
    `core.worktree` setting may put either outside the folder the script named."""
    if not os.path.isdir(path):
        raise AxiomError("IOError", f"{qualname}: no such directory: {path}")
    try:
        repo = pygit2.Repository(path, RepositoryOpenFlag.NO_SEARCH)
    except pygit2.GitError:
        raise AxiomError("IOError", f"{qualname}: not a git repository: {path}") from None
    if workdir and repo.is_bare:
        raise AxiomError("IOError", f"{qualname}: {path} is a bare repository (it has no working tree)")
    for where in (repo.path, repo.workdir):
        if where is not None:
            require("fs.read", where)
            if write:
                require("fs.write", where)
    check_loose_objects(qualname, repo.path)  # before libgit2 can loop on a truncated one
    return repo


def _check_local(qualname: str, local: str | None) -> None:
    """A local remote's loose objects, checked as _open checks the repository's own."""
    if local is None:
        return
    try:
        git_dir = pygit2.Repository(local, RepositoryOpenFlag.NO_SEARCH).path
    except pygit2.GitError:
        return  # libgit2 reports it
    check_loose_objects(qualname, git_dir)


def _current_branch(qualname: str, repo: pygit2.Repository) -> str:
    """The short name of the branch HEAD points to (which may have no commits yet)."""
    if repo.head_is_detached:
        raise AxiomError("IOError", f"{qualname}: HEAD is detached (not on a branch); name the branch")
    target = repo.references["HEAD"].target
    return str(target).removeprefix("refs/heads/")


def _branch_name(qualname: str, name: str) -> str:
    if not name or name.startswith("-") or name == "HEAD" \
            or not pygit2.reference_is_valid_name(f"refs/heads/{name}"):
        raise AxiomError("ValueError", f"{qualname}: invalid branch name {name!r}")
    return name


def _remote(qualname: str, repo: pygit2.Repository, name: str) -> pygit2.Remote:
    try:
        return repo.remotes[name]
    except KeyError:
        raise AxiomError("ValueError", f"{qualname}: no remote named {name!r}") from None


# -- repositories ---------------------------------------------------------------------

@module.export(needs=WRITE)
def git_init(path: str, bare: bool = False) -> None:
    """Create a repository at path (bare with bare=true); the first branch is named as git would."""
    q = "git.git_init"
    if os.path.isdir(path):
        try:
            pygit2.Repository(path, RepositoryOpenFlag.NO_SEARCH)
            return None  # already a repository: leave it as it is
        except pygit2.GitError:
            pass
    with _library(q):
        pygit2.init_repository(path, bare=bare, initial_head=_config.default_branch())
    return None


@module.export(needs=["fs.read:dest", "fs.write:dest"])
def git_clone(url: str, dest: str) -> None:
    """Clone the repository at url into dest and check out the remote's HEAD branch."""
    q = "git.git_clone"
    remote = parse_remote(q, url)
    remote.check(write=False)
    remote.check_exists(q)
    if os.path.exists(dest) and (not os.path.isdir(dest) or os.listdir(dest)):
        raise AxiomError("IOError", f"{q}: {dest} already exists and is not an empty directory")
    _check_local(q, remote.local)
    with _library(q):
        repo = pygit2.clone_repository(remote.url if remote.local is None else remote.local, dest)
        if repo.head_is_unborn:
            remotes = [b for b in repo.branches.remote if not b.endswith("/HEAD")]
            if len(remotes) == 1:
                _track(repo, remotes[0])
    return None


def _track(repo: pygit2.Repository, remote_branch: str) -> None:
    """Create the local branch for remote branch `origin/NAME`, tracking it, and check it out."""
    upstream = repo.branches.remote[remote_branch]
    name = remote_branch.split("/", 1)[1]
    branch = repo.branches.local.create(name, upstream.peel(pygit2.Commit))
    branch.upstream = upstream
    repo.checkout(branch)


@module.export(needs=WRITE)
def git_remote_add(path: str, name: str, url: str) -> None:
    """Add a remote called name with url (a local path is stored as an absolute path)."""
    q = "git.git_remote_add"
    repo = _open(q, path, write=True)
    remote = parse_remote(q, url)
    if name.startswith("-"):
        raise AxiomError("ValueError", f"{q}: invalid remote name {name!r}")
    try:
        repo.remotes.create(name, remote.url if remote.local is None or "://" in url else remote.local)
    except pygit2.AlreadyExistsError:
        raise AxiomError("ValueError", f"{q}: remote {name!r} already exists") from None
    except pygit2.InvalidSpecError:
        raise AxiomError("ValueError", f"{q}: invalid remote name {name!r}") from None
    return None


# -- the working tree and the index ---------------------------------------------------

_STATUS_ORDER = (  # the first flag a path has decides its word
    (FileStatus.INDEX_NEW, "added"),
    (FileStatus.INDEX_DELETED, "deleted"),
    (FileStatus.INDEX_MODIFIED | FileStatus.INDEX_TYPECHANGE | FileStatus.INDEX_RENAMED, "modified"),
    (FileStatus.CONFLICTED, "modified"),
    (FileStatus.WT_DELETED, "deleted"),
    (FileStatus.WT_MODIFIED | FileStatus.WT_TYPECHANGE | FileStatus.WT_RENAMED, "modified"),
    (FileStatus.WT_NEW, "untracked"),
)


def _word(flags: int) -> str | None:
    for flag, word in _STATUS_ORDER:
        if flags & flag:
            return word
    return None


@module.export(needs=READ)
def git_status(path: str) -> list:
    """The changed paths as a list of {"path", "status"} sorted by path ([] when clean)."""
    q = "git.git_status"
    repo = _open(q, path, workdir=True)
    with _library(q):
        words = {p: w for p, flags in repo.status().items() if (w := _word(flags)) is not None}
        if not repo.head_is_unborn:
            staged = repo.diff("HEAD", cached=True)
            staged.find_similar(flags=DiffFind.FIND_RENAMES)
            for delta in staged.deltas:
                if delta.status == DeltaStatus.RENAMED:
                    if words.get(delta.old_file.path) == "deleted":
                        del words[delta.old_file.path]
                    words[delta.new_file.path] = "renamed"
    return [{"path": p, "status": words[p]} for p in sorted(words)]


def _relative(qualname: str, repo: pygit2.Repository, name: str) -> str:
    """`name` as a path relative to the working tree, with `/` separators."""
    top = os.path.realpath(repo.workdir)
    full = name if os.path.isabs(name) else os.path.join(top, name)
    full = os.path.normpath(full)
    real = os.path.join(os.path.realpath(os.path.dirname(full)), os.path.basename(full))
    if real != top and not real.startswith(top.rstrip(os.sep) + os.sep):
        raise AxiomError("ValueError", f"{qualname}: {name!r} is outside the repository")
    rel = os.path.relpath(real, top).replace(os.sep, "/")
    if rel == ".git" or rel.startswith(".git/"):
        raise AxiomError("ValueError", f"{qualname}: {name!r} is inside the .git directory")
    return rel


def _pathspec(rel: str) -> str:
    """An exact path as a libgit2 pathspec (glob characters escaped)."""
    return re.sub(r"([\\*?\[\]])", r"\\\1", rel)


@module.export(needs=WRITE)
def git_add(path: str, files: list) -> None:
    """Stage files (paths relative to the working tree, or ["."] for every change)."""
    q = "git.git_add"
    repo = _open(q, path, workdir=True, write=True)
    names: list[str] = []
    for f in files:
        if not isinstance(f, str):
            raise AxiomError("TypeError", f"{q}: files must be a list of str, found {type(f).__name__}")
        names.append(f)
    with _library(q):
        index = repo.index
        specs: list[str] = []
        for name in names:
            rel = _relative(q, repo, name)
            if rel == ".":
                specs = []
                index.add_all()
                break
            full = os.path.join(repo.workdir, rel)
            tracked = rel in index or any(e.path.startswith(rel + "/") for e in index)
            if not tracked and not os.path.lexists(full):
                raise AxiomError("ValueError", f"{q}: {name!r} did not match any file")
            if not tracked and os.path.isfile(full) and repo.path_is_ignored(rel):
                raise AxiomError("ValueError", f"{q}: {name!r} is ignored (by a .gitignore)")
            specs.append(_pathspec(rel))
        if specs:
            index.add_all(specs)
        index.write()
    return None


@module.export(needs=READ)
def git_diff(path: str) -> str:
    """The unified diff of the working tree against the index (what git diff shows)."""
    q = "git.git_diff"
    repo = _open(q, path, workdir=True)
    with _library(q):
        return repo.diff().patch or ""


# -- commits -------------------------------------------------------------------------

def _author(qualname: str, text: str) -> pygit2.Signature:
    m = _AUTHOR.match(text)
    if not m or not m.group(1) or not m.group(2).strip():
        raise AxiomError("ValueError", f"{qualname}: author must look like \"Name <email>\", got {text!r}")
    return pygit2.Signature(m.group(1), m.group(2).strip())


@module.export(needs=WRITE)
def git_commit(path: str, message: str, author: str | None = None) -> str:
    """Commit the staged changes; returns the 40-character commit id."""
    q = "git.git_commit"
    if not message.strip():
        raise AxiomError("ValueError", f"{q}: the commit message is empty")
    sig = _author(q, author) if author is not None else None
    repo = _open(q, path, write=True)
    with _library(q):
        if sig is None:
            sig = _config.signature(repo)
        index = repo.index
        if index.conflicts is not None:
            paths = sorted({e.path for c in index.conflicts for e in c if e is not None})
            raise AxiomError("IOError", f"{q}: unresolved conflicts in {', '.join(paths)}; "
                                        "fix them and git_add the files first")
        tree = index.write_tree()
        merging = repo.listall_mergeheads()
        if repo.head_is_unborn:
            parents = []
            if len(index) == 0:
                raise AxiomError("IOError", f"{q}: nothing to commit (no files are staged)")
        else:
            head = repo.head.peel(pygit2.Commit)
            parents = [head.id, *merging]
            if not merging and head.tree_id == tree:
                raise AxiomError("IOError", f"{q}: nothing to commit (the staged tree is the same as HEAD's)")
        text = message if message.endswith("\n") else message + "\n"
        oid = repo.create_commit("HEAD", sig, sig, text, tree, parents)
        if merging:
            repo.state_cleanup()
    return str(oid)


@module.export(needs=READ)
def git_log(path: str, n: int = 10) -> list:
    """The last n commits, newest first, as {"id", "author", "message", "time"}."""
    q = "git.git_log"
    if n < 0:
        raise AxiomError("ValueError", f"{q}: n must not be negative (got {n})")
    repo = _open(q, path)
    out: list[dict[str, object]] = []
    with _library(q):
        if repo.head_is_unborn or n == 0:
            return out
        for c in repo.walk(repo.head.target, SortMode.TOPOLOGICAL | SortMode.TIME):
            out.append({"id": str(c.id), "author": f"{c.author.name} <{c.author.email}>",
                        "message": c.message.rstrip("\r\n"), "time": float(c.author.time)})
            if len(out) == n:
                break
    return out


# -- branches ------------------------------------------------------------------------

@module.export(needs=READ)
def git_branch_list(path: str) -> list:
    """The names of the local branches, sorted."""
    q = "git.git_branch_list"
    repo = _open(q, path)
    with _library(q):
        return sorted(repo.branches.local)


@module.export(needs=WRITE)
def git_checkout(path: str, branch: str, create: bool = False) -> None:
    """Switch the working tree to branch (create=true makes it first, at HEAD)."""
    q = "git.git_checkout"
    _branch_name(q, branch)
    repo = _open(q, path, workdir=True, write=True)
    with _library(q):
        exists = branch in repo.branches.local
        if create:
            if exists:
                raise AxiomError("ValueError", f"{q}: branch {branch!r} already exists")
            if repo.head_is_unborn:
                repo.set_head(f"refs/heads/{branch}")
                return None
            repo.branches.local.create(branch, repo.head.peel(pygit2.Commit))
        elif not exists:
            candidates = [b for b in repo.branches.remote if b.split("/", 1)[-1] == branch]
            if len(candidates) != 1:
                raise AxiomError("ValueError", f"{q}: no branch named {branch!r}")
            _track(repo, candidates[0])
            return None
        if not repo.head_is_unborn and not repo.head_is_detached \
                and repo.head.name == f"refs/heads/{branch}":
            return None
        try:
            repo.checkout(repo.branches.local[branch])
        except pygit2.GitError as e:
            raise AxiomError("IOError", f"{q}: cannot switch to {branch!r}: {_reason(e)} "
                                        "(local changes would be overwritten; commit them first)") from None
    return None


# -- remotes -------------------------------------------------------------------------

class _PushReport(pygit2.RemoteCallbacks):
    """Collects the refs a remote refused (libgit2's push() returns None either way)."""

    def __init__(self) -> None:
        super().__init__()
        self.rejected: list[str] = []

    def push_update_reference(self, refname: str, message: str | None) -> None:
        if message:
            self.rejected.append(f"{refname} ({message})")


@module.export(needs=WRITE)
def git_push(path: str, remote: str = "origin", branch: str | None = None) -> None:
    """Push branch (default: the current one) to the same branch on remote."""
    q = "git.git_push"
    repo = _open(q, path, write=True)
    with _library(q):
        rem = _remote(q, repo, remote)
        name = _branch_name(q, branch) if branch is not None else _current_branch(q, repo)
        if name not in repo.branches.local:
            if branch is None:
                raise AxiomError("IOError", f"{q}: branch {name!r} has no commits yet")
            raise AxiomError("ValueError", f"{q}: no local branch named {name!r}")
        target = parse_remote(q, rem.push_url or rem.url or "")
        target.check(write=True)
        target.check_exists(q)
        _check_local(q, target.local)
        report = _PushReport()
        ref = f"refs/heads/{name}"
        try:
            rem.push([f"{ref}:{ref}"], callbacks=report)
        except pygit2.GitError as e:
            text = str(e)
            if "not present locally" in text or "non-fast-forward" in text:
                raise AxiomError("IOError", f"{q}: rejected: {remote}/{name} has commits that "
                                            f"{name} does not (non-fast-forward); pull first") from None
            raise AxiomError("IOError", f"{q}: {_reason(e)}") from None
        if report.rejected:
            raise AxiomError("IOError", f"{q}: the remote rejected {', '.join(report.rejected)}")
    return None


@module.export(needs=WRITE)
def git_pull(path: str, remote: str = "origin", branch: str | None = None) -> str:
    """Fetch remote and merge its branch (default: the current one); returns "up-to-date", "fast-forward" or "merge"."""
    q = "git.git_pull"
    repo = _open(q, path, workdir=True, write=True)
    with _library(q):
        current = _current_branch(q, repo)
        name = _branch_name(q, branch) if branch is not None else current
        rem = _remote(q, repo, remote)
        source = parse_remote(q, rem.url or "")
        source.check(write=False)
        source.check_exists(q)
        _check_local(q, source.local)
        rem.fetch()
        try:
            their = repo.references[f"refs/remotes/{remote}/{name}"].peel(pygit2.Commit).id
        except KeyError:
            raise AxiomError("ValueError", f"{q}: remote {remote!r} has no branch {name!r}") from None
        analysis, _ = repo.merge_analysis(their)
        if analysis & MergeAnalysis.UP_TO_DATE:
            return "up-to-date"
        if analysis & MergeAnalysis.UNBORN:
            repo.checkout_tree(repo.get(their))
            repo.references.create(f"refs/heads/{current}", their)
            return "fast-forward"
        if analysis & MergeAnalysis.FASTFORWARD:
            try:
                repo.checkout_tree(repo.get(their))
            except pygit2.GitError as e:
                raise AxiomError("IOError", f"{q}: cannot fast-forward: {_reason(e)} "
                                            "(local changes would be overwritten; commit them first)") from None
            repo.references[f"refs/heads/{current}"].set_target(their)
            return "fast-forward"
        return _merge(q, repo, their, f"Merge branch '{name}' of {rem.url}")


def _merge(qualname: str, repo: pygit2.Repository, their: pygit2.Oid, message: str) -> str:
    """A real merge of `their` into HEAD, committed; abandoned on conflict."""
    dirty = [p for p, flags in repo.status().items() if flags not in (FileStatus.WT_NEW, FileStatus.IGNORED)]
    if dirty:
        raise AxiomError("IOError", f"{qualname}: cannot merge with uncommitted changes in "
                                    f"{', '.join(sorted(dirty))}; commit them first")
    head = repo.head.target
    repo.merge(their)
    index = repo.index
    if index.conflicts is not None:
        paths = sorted({e.path for c in index.conflicts for e in c if e is not None})
        repo.state_cleanup()
        repo.reset(head, ResetMode.HARD)
        raise AxiomError("IOError", f"{qualname}: merge conflict in {', '.join(paths)}; "
                                    "the merge was abandoned and the working tree left as it was")
    sig = _config.signature(repo)
    repo.create_commit("HEAD", sig, sig, message + "\n", index.write_tree(), [head, their])
    repo.state_cleanup()
    return "merge"

"""The user's git configuration, found the way the `git` command finds it, at each call.

libgit2 locates the global configuration once, when pygit2 is imported, from the HOME
of that moment; git looks at the environment each time it runs. To name a new
repository's first branch (`init.defaultBranch`) and to sign commits (`user.name`,
`user.email`) as git would, this file reads the files git reads, lowest priority first:

  system  -- $GIT_CONFIG_SYSTEM, else /etc/gitconfig (skipped when GIT_CONFIG_NOSYSTEM
             is set to a true value)
  global  -- $GIT_CONFIG_GLOBAL alone when set (`/dev/null` gives none), else
             $XDG_CONFIG_HOME/git/config (default ~/.config/git/config), then ~/.gitconfig
  local   -- the repository's own `config` file, when a repository is given

Imports pygit2 and the standard library only.
"""

from __future__ import annotations

import os

import pygit2

DEFAULT_BRANCH = "master"
DEFAULT_NAME = "Axiom"
DEFAULT_EMAIL = "axiom@localhost"


def user_files() -> list[str]:
    """The system and global configuration files that exist, lowest priority first."""
    files: list[str] = []
    if os.environ.get("GIT_CONFIG_NOSYSTEM", "").lower() not in ("1", "true", "yes", "on"):
        files.append(os.environ.get("GIT_CONFIG_SYSTEM") or "/etc/gitconfig")
    explicit = os.environ.get("GIT_CONFIG_GLOBAL")
    if explicit is not None:
        files.append(explicit)
    else:
        home = os.environ.get("HOME") or os.path.expanduser("~")
        xdg = os.environ.get("XDG_CONFIG_HOME") or os.path.join(home, ".config")
        files += [os.path.join(xdg, "git", "config"), os.path.join(home, ".gitconfig")]
    return [f for f in files if f and os.path.isfile(f)]


def read(name: str, repo: pygit2.Repository | None = None) -> str | None:
    """The value of configuration key `name` (e.g. "user.name"), or None when unset."""
    files = user_files()
    if repo is not None:
        local = os.path.join(repo.path, "config")
        if os.path.isfile(local):
            files.append(local)
    if not files:
        return None
    cfg = pygit2.Config()
    for level, path in enumerate(files, start=1):
        cfg.add_file(path, level)
    try:
        value = cfg[name]
    except KeyError:
        return None
    return value if isinstance(value, str) and value else None


def default_branch() -> str:
    """The name git gives the first branch of a new repository."""
    return read("init.defaultBranch") or DEFAULT_BRANCH


def signature(repo: pygit2.Repository) -> pygit2.Signature:
    """The configured identity (repository, then user configuration), else Axiom's."""
    return pygit2.Signature(read("user.name", repo) or DEFAULT_NAME,
                            read("user.email", repo) or DEFAULT_EMAIL)

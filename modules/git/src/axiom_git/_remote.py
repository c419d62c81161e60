"""Remote URLs for `git`: which transports are allowed and which capability each needs.

A remote is either a local repository (a path or a `file://` URL: reading it needs
`fs.read`, pushing to it `fs.write`) or a network one (`http`, `https`, `ssh`, `git`, or
the scp form `user@host:path`: it needs `net` for its host). Transports that run
commands are refused: remote helpers written `name::address` (`ext::sh -c ...`,
`fd::`), unknown schemes, and anything that starts with `-` (read as an option naming a
program, such as `--upload-pack=...`, by a command-line git). libgit2 itself runs no
external programs for the transports allowed here.

Imports only axiom_sdk and the standard library.
"""

from __future__ import annotations

import os
import re
from urllib.parse import unquote, urlsplit

from axiom_sdk import AxiomError, require

NET_SCHEMES = frozenset({"http", "https", "ssh", "git", "git+ssh", "ssh+git"})
_HELPER = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)::")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
_SCP = re.compile(r"^(?:[^@/:]+@)?([^/:]+):(.*)$")


class Remote:
    """Where a URL points: `local` is the absolute path of a local repository or None;
    `net` is what the `net` capability is checked against (a URL with the host), or None."""

    __slots__ = ("url", "local", "net")

    def __init__(self, url: str, local: str | None, net: str | None) -> None:
        self.url = url
        self.local = local
        self.net = net

    def check(self, *, write: bool) -> None:
        """Check the capabilities reaching this remote needs (fs.read, plus fs.write to
        push to a local one; net for a network one)."""
        if self.local is not None:
            require("fs.read", self.local)
            if write:
                require("fs.write", self.local)
        else:
            require("net", self.net)

    def check_exists(self, qualname: str) -> None:
        """A local remote must be a directory: libgit2 reports a missing path as an
        "unsupported URL protocol", which misleads."""
        if self.local is not None and not os.path.isdir(self.local):
            raise AxiomError("IOError", f"{qualname}: no repository at {self.local}")


def parse_remote(qualname: str, url: str) -> Remote:
    """Classify `url` (see the module docstring); a refused one is a ValueError."""
    if not url or url != url.strip() or any(c in url for c in "\0\n\r"):
        raise AxiomError("ValueError", f"{qualname}: invalid remote URL {url!r}")
    if url.startswith("-"):
        raise AxiomError("ValueError", f"{qualname}: refused remote URL {url!r}: "
                                       "it starts with '-' and would be read as an option")
    helper = _HELPER.match(url)
    if helper:
        name = helper.group(1)
        why = "it runs commands" if name.lower() in ("ext", "fd") else "remote helpers are not supported"
        raise AxiomError("ValueError", f"{qualname}: refused transport '{name}::' ({why})")
    scheme = _SCHEME.match(url)
    if scheme:
        name = scheme.group(1).lower()
        if name == "file":
            return Remote(url, os.path.abspath(unquote(urlsplit(url).path)), None)
        if name in NET_SCHEMES:
            return Remote(url, None, url)
        raise AxiomError("ValueError", f"{qualname}: unsupported transport '{name}://' "
                                       f"(use a path, file://, {', '.join(sorted(NET_SCHEMES))})")
    scp = _SCP.match(url)
    if scp and "/" not in url.split(":", 1)[0] and not (os.name == "nt" and len(scp.group(1)) == 1):
        host, path = scp.group(1), scp.group(2)
        return Remote(url, None, f"ssh://{host}/{path.lstrip('/')}")
    return Remote(url, os.path.abspath(url), None)

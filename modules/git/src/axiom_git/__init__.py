"""Axiom module `git`: git repositories on pygit2 (libgit2).

Not implemented yet: it exports nothing until its functions land (see the issue for
its tier); importing it works and lists no symbols.
"""

from axiom_sdk import Module

module = Module("git", summary='Git repositories on pygit2 (libgit2)')

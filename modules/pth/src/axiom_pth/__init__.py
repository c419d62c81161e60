"""Axiom module `pth`: paths: walking, listing, globbing and file operations.

Not implemented yet: it exports nothing until its functions land (see the issue for
its tier); importing it works and lists no symbols.
"""

from axiom_sdk import Module

module = Module("pth", summary='Paths: walking, listing, globbing and file operations')

"""Axiom module `col`: collections: dict, set and list helpers, and a concurrent dict.

Not implemented yet: it exports nothing until its functions land (see the issue for
its tier); importing it works and lists no symbols.
"""

from axiom_sdk import Module

module = Module("col", summary='Collections: dict, set and list helpers, and a concurrent dict')

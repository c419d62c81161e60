"""Axiom module `jsn`: jSON: strict parsing and compact or pretty output.

Not implemented yet: it exports nothing until its functions land (see the issue for
its tier); importing it works and lists no symbols.
"""

from axiom_sdk import Module

module = Module("jsn", summary='JSON: strict parsing and compact or pretty output')

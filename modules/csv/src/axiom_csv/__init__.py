"""Axiom module `csv`: cSV: RFC 4180 reading, streaming and writing.

Not implemented yet: it exports nothing until its functions land (see the issue for
its tier); importing it works and lists no symbols.
"""

from axiom_sdk import Module

module = Module("csv", summary='CSV: RFC 4180 reading, streaming and writing')

"""Axiom module `alg`: algorithms: sorting, searching and graphs on rustworkx.

Not implemented yet: it exports nothing until its functions land (see the issue for
its tier); importing it works and lists no symbols.
"""

from axiom_sdk import Module

module = Module("alg", summary='Algorithms: sorting, searching and graphs on rustworkx')

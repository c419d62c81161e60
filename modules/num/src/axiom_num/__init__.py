"""Axiom module `num`: numeric arrays: tensors and linear algebra on numpy.

Not implemented yet: it exports nothing until its functions land (see the issue for
its tier); importing it works and lists no symbols.
"""

from axiom_sdk import Module

module = Module("num", summary='Numeric arrays: tensors and linear algebra on numpy')

"""Axiom module `clr`: colour: ANSI styles, truecolour and stripping.

Not implemented yet: it exports nothing until its functions land (see the issue for
its tier); importing it works and lists no symbols.
"""

from axiom_sdk import Module

module = Module("clr", summary='Colour: ANSI styles, truecolour and stripping')

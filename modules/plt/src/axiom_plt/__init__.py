"""Axiom module `plt`: plots: line, bar, scatter and histogram charts to PNG or SVG.

Not implemented yet: it exports nothing until its functions land (see the issue for
its tier); importing it works and lists no symbols.
"""

from axiom_sdk import Module

module = Module("plt", summary='Plots: line, bar, scatter and histogram charts to PNG or SVG')

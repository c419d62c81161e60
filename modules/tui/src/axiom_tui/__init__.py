"""Axiom module `tui`: terminal UI: immediate-mode layouts and widgets.

Not implemented yet: it exports nothing until its functions land (see the issue for
its tier); importing it works and lists no symbols.
"""

from axiom_sdk import Module

module = Module("tui", summary='Terminal UI: immediate-mode layouts and widgets')

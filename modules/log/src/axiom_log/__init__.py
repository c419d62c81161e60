"""Axiom module `log`: logging: levelled log lines, progress bars and spinners.

Not implemented yet: it exports nothing until its functions land (see the issue for
its tier); importing it works and lists no symbols.
"""

from axiom_sdk import Module

module = Module("log", summary='Logging: levelled log lines, progress bars and spinners')

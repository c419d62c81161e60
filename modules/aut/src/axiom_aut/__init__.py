"""Axiom module `aut`: automation: cron schedules and file watching.

Not implemented yet: it exports nothing until its functions land (see the issue for
its tier); importing it works and lists no symbols.
"""

from axiom_sdk import Module

module = Module("aut", summary='Automation: cron schedules and file watching')

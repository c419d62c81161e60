"""Axiom module `con`: concurrency: tasks, channels, locks and parallel map.

Not implemented yet: it exports nothing until its functions land (see the issue for
its tier); importing it works and lists no symbols.
"""

from axiom_sdk import Module

module = Module("con", summary='Concurrency: tasks, channels, locks and parallel map')

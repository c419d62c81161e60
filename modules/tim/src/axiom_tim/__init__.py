"""Axiom module `tim`: time: clocks, sleeping, benchmarks and dates with time zones.

Not implemented yet: it exports nothing until its functions land (see the issue for
its tier); importing it works and lists no symbols.
"""

from axiom_sdk import Module

module = Module("tim", summary='Time: clocks, sleeping, benchmarks and dates with time zones')

"""Axiom module `str`: strings: text helpers and linear-time regular expressions (RE2).

Not implemented yet: it exports nothing until its functions land (see the issue for
its tier); importing it works and lists no symbols.
"""

from axiom_sdk import Module

module = Module("str", summary='Strings: text helpers and linear-time regular expressions (RE2)')

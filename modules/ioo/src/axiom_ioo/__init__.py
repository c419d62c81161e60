"""Axiom module `ioo`: input/output: files, buffers, pipes and standard input.

Not implemented yet: it exports nothing until its functions land (see the issue for
its tier); importing it works and lists no symbols.
"""

from axiom_sdk import Module

module = Module("ioo", summary='Input/output: files, buffers, pipes and standard input')

"""Axiom module `sys`: system: CPU, memory, disks and processes on psutil.

Not implemented yet: it exports nothing until its functions land (see the issue for
its tier); importing it works and lists no symbols.
"""

from axiom_sdk import Module

module = Module("sys", summary='System: CPU, memory, disks and processes on psutil')

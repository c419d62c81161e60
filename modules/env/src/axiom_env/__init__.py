"""Axiom module `env`: environment: variables and .env files.

Not implemented yet: it exports nothing until its functions land (see the issue for
its tier); importing it works and lists no symbols.
"""

from axiom_sdk import Module

module = Module("env", summary='Environment: variables and .env files')

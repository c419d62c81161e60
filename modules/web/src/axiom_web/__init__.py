"""Axiom module `web`: web: HTTP requests on httpx and HTML parsing with CSS selectors.

Not implemented yet: it exports nothing until its functions land (see the issue for
its tier); importing it works and lists no symbols.
"""

from axiom_sdk import Module

module = Module("web", summary='Web: HTTP requests on httpx and HTML parsing with CSS selectors')

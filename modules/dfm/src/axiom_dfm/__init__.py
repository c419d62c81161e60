"""Axiom module `dfm`: data frames on polars: SQL filters, joins, group-by, CSV and parquet.

Not implemented yet: it exports nothing until its functions land (see the issue for
its tier); importing it works and lists no symbols.
"""

from axiom_sdk import Module

module = Module("dfm", summary='Data frames on polars: SQL filters, joins, group-by, CSV and parquet')

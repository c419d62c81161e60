"""`python -m axiom.cli ...` is `axiom ...`."""

from . import main

main()

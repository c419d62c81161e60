"""`python -m axiom.kernel -f CONNECTION_FILE`: start the kernel (what Jupyter runs)."""

from axiom.kernel.kernel import main

main()

"""The Jupyter kernel for Axiom (`axiom-core[jupyter]`).

kernel.py is the kernel (ipykernel's wrapper-kernel API: one Runtime per kernel, so
globals persist between cells); spec.py writes its kernelspec (`axiom kernel install`).
`python -m axiom.kernel -f CONNECTION_FILE` starts it, which is what the kernelspec asks
Jupyter to run. ipykernel is imported by kernel.py only: nothing else in Axiom needs it.
"""

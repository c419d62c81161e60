"""Axiom: a scripting language with batteries.

The embedding API is `axiom.Runtime` (see runtime.py); it is imported lazily so that
`import axiom` costs nothing, and the build hook can import `axiom.parser` with only ply
installed.
"""

__version__ = "0.1.0"
__all__ = ["Runtime", "__version__"]


def __getattr__(name: str) -> object:
    if name == "Runtime":
        from .runtime import Runtime
        return Runtime
    raise AttributeError(f"module 'axiom' has no attribute {name!r}")

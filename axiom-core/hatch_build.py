"""Build hook: generate the ply parse tables at build time and ship them in the wheel
(and, for an editable install, compile the sources to .pyc).

Runs for wheels and editable installs alike; writes `src/axiom/_parsetab.py` and
`src/axiom/_lextab.py`, which the parser loads at run time with `write_tables=False`
(nothing is ever written at run time). `python -m axiom.parser` does the same by hand.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class ParseTablesHook(BuildHookInterface):  # type: ignore[type-arg]
    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        src = Path(self.root) / "src"
        sys.path.insert(0, str(src))
        try:
            for name in [n for n in sys.modules if n == "axiom" or n.startswith("axiom.")]:
                del sys.modules[name]
            from axiom.parser import write_tables
            write_tables(src / "axiom")
        finally:
            sys.path.remove(str(src))
        build_data["artifacts"] += ["src/axiom/_parsetab.py", "src/axiom/_lextab.py"]
        if version == "editable":
            # An editable install runs from src/: compile it now, as a wheel install
            # with compile-bytecode would (environments here set PYTHONDONTWRITEBYTECODE,
            # and without .pyc files every start is 2-3x slower).
            import compileall
            compileall.compile_dir(str(src / "axiom"), quiet=1)

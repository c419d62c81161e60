"""Build hook: for an editable install, compile the sources to .pyc (a wheel install
compiles them with compile-bytecode; environments here set PYTHONDONTWRITEBYTECODE)."""

from __future__ import annotations

import compileall
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class CompileHook(BuildHookInterface):  # type: ignore[type-arg]
    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if version == "editable":
            compileall.compile_dir(str(Path(self.root) / "src" / "axiom_sdk"), quiet=1)

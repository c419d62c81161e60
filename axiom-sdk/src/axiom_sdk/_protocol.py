"""The AxiomModule protocol: what the loader needs of an object registered under the
`axiom.modules` entry-point group. `Module` is a ready implementation; a module may also
be any object with these members. (Kept apart so that importing the SDK does not import
typing.)"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable


@runtime_checkable
class AxiomModule(Protocol):
    api_version: int

    def init(self) -> None: ...
    def get_symbol(self, name: str) -> Any: ...
    def list_exports(self) -> list[str]: ...
    def metadata(self) -> tuple[str, str]: ...

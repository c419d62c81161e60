"""git end to end: Axiom scripts through the runtime and the `axiom` CLI, on local
repositories only (a bare repository as origin), with the host's git configuration hidden."""

from __future__ import annotations




"""pluggy hook specifications for cross-cutting plugins (entry-point group `axiom.plugins`).

A plugin is a Python object (module or class instance) with functions marked
`@hookimpl`; register it under `[project.entry-points."axiom.plugins"]`. The core loads
plugins only when a command needs them (never on the `axiom run` fast path unless a
plugin is installed), and `AXIOM_DISABLE_PLUGIN_AUTOLOAD=1` turns them off.

This file is the only place the SDK imports pluggy.
"""

from __future__ import annotations

from typing import Any

import pluggy

PROJECT = "axiom"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


class AxiomHookSpecs:
    """The hooks a plugin may implement."""

    @hookspec
    def axiom_cli_commands(self) -> list[tuple[str, Any]]:  # type: ignore[empty-body]
        """Extra CLI subcommands: a list of (name, typer.Typer) pairs added to `axiom`."""

    @hookspec
    def axiom_runtime_start(self, runtime: Any) -> None:
        """Called when a Runtime starts running a script."""

    @hookspec
    def axiom_runtime_stop(self, runtime: Any, error: Any) -> None:
        """Called when a run ends; `error` is the uncaught AxiomError or None."""

    @hookspec(firstresult=True)
    def axiom_render_value(self, value: Any) -> str | None:  # type: ignore[empty-body]
        """Display a value (first non-None answer wins); None leaves the default."""


def plugin_manager() -> pluggy.PluginManager:
    pm = pluggy.PluginManager(PROJECT)
    pm.add_hookspecs(AxiomHookSpecs)
    return pm

"""Cross-cutting plugins (entry-point group `axiom.plugins`) through pluggy.

Loaded only when needed: by the CLI for extra subcommands and by a Runtime for its
start/stop hooks — and only when the index lists at least one plugin, so the `axiom run`
fast path never imports pluggy on a machine without plugins. A plugin that fails to load
is reported on stderr and skipped. `AXIOM_DISABLE_PLUGIN_AUTOLOAD=1` turns autoload off.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from .loader import Index, import_object

_manager: Any = None


def manager() -> Any:
    """The plugin manager with every installed plugin registered (made once)."""
    global _manager
    if _manager is None:
        from axiom_sdk.hookspecs import plugin_manager
        pm = plugin_manager()
        if not os.environ.get("AXIOM_DISABLE_PLUGIN_AUTOLOAD"):
            for name, entry in Index.load().plugins.items():
                try:
                    pm.register(import_object(entry["value"]), name=name)
                except Exception as e:
                    sys.stderr.write(f"axiom: plugin '{name}' ({entry['dist']}) failed to load: "
                                     f"{type(e).__name__}: {e}\n")
        _manager = pm
    return _manager

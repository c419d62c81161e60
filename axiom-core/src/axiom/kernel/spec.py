"""The kernelspec: what tells Jupyter how to start Axiom's kernel.

`install(user, prefix)` writes `kernel.json` (and the logo) into Jupyter's kernels
folder through jupyter_client's KernelSpecManager, as `python -m ipykernel install`
does: system-wide by default, the user's data folder with `user=True`, or under
`prefix` (a virtual environment's `sys.prefix`).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile

NAME = "axiom"
DISPLAY_NAME = "Axiom"


def kernel_json(python: str | None = None) -> dict[str, object]:
    """The kernelspec: this Python running `-m axiom.kernel`."""
    return {
        "argv": [python or sys.executable, "-m", "axiom.kernel", "-f", "{connection_file}"],
        "display_name": DISPLAY_NAME,
        "language": "axiom",
        "interrupt_mode": "signal",
        "metadata": {"debugger": False},
    }


def install(user: bool = False, prefix: str | None = None, name: str = NAME) -> str:
    """Write the kernelspec; returns the folder it went to. Raises OSError (e.g. no
    permission for a system-wide install) and ImportError without jupyter_client."""
    from jupyter_client.kernelspec import KernelSpecManager
    with tempfile.TemporaryDirectory() as tmp:
        with open(os.path.join(tmp, "kernel.json"), "w", encoding="utf-8") as f:
            json.dump(kernel_json(), f, indent=2)
        return str(KernelSpecManager().install_kernel_spec(tmp, name, user=user, prefix=prefix))

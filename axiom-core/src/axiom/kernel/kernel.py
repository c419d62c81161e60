"""Axiom's Jupyter kernel, on ipykernel's wrapper-kernel API.

One Runtime per kernel (every capability granted, as in the REPL), so the globals of one
cell are there in the next. A cell runs as one `Runtime.eval`:

  * `out` and `err` write to the cell's output: the kernel app has replaced sys.stdout
    and sys.stderr with streams to the notebook, and the Runtime writes to them;
  * the value of the cell's last expression, when not nil, is its result, in literal
    form (as the REPL shows it);
  * a value with a PNG form (`_repr_png_`, the notebooks' rich-display hook: a `plt`
    figure) is shown inline as an image, whether it is the cell's result or a figure
    the cell bound to a variable;
  * an error comes back as a Jupyter error: its kind as the name, its message as the
    value, and the Axiom report (with the source line and stack trace) as the traceback.
    Interrupting the kernel stops the cell ("KeyboardInterrupt") and keeps the globals.

Completion (Tab) and inspection (Shift-Tab) come from lsp/analysis.py with the kernel's
live globals: the same knowledge as the language server and the REPL.
"""

from __future__ import annotations

import base64
import sys
from typing import Any

from ipykernel.kernelbase import Kernel

from .. import __version__


class AxiomKernel(Kernel):
    implementation = "axiom"
    implementation_version = __version__
    language = "axiom"
    language_version = __version__
    language_info = {
        "name": "axiom",
        "version": __version__,
        "mimetype": "text/x-axiom",
        "file_extension": ".ax",
        "pygments_lexer": "axiom",
        "codemirror_mode": "text/x-axiom",
    }
    banner = f"Axiom {__version__}: a scripting language with batteries"
    help_links: list[dict[str, str]] = []

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._rt: Any = None

    def set_parent(self, ident: Any, parent: Any, channel: str = "shell") -> None:
        """The request being handled: the cell's output streams answer to it too (as
        IPython's kernel does), so what `out` writes is that cell's output."""
        super().set_parent(ident, parent, channel)
        if channel == "shell":
            for stream in (sys.stdout, sys.stderr):
                if hasattr(stream, "set_parent"):
                    stream.set_parent(parent)

    @property
    def runtime(self) -> Any:
        """The kernel's Runtime, made at the first cell. A broken config.toml does not
        stop the notebook: the first cell's stderr says what was wrong (as `axiom run`
        does) and the kernel goes on with the settings it could read."""
        if self._rt is None:
            from .. import conf
            from ..runtime import ALL_CAPABILITIES, Runtime
            settings, problems = conf.load_lenient()
            if problems:
                sys.stderr.write(conf.warning(problems) + "\n")
                sys.stderr.flush()
            self._rt = Runtime(grants=ALL_CAPABILITIES, settings=settings)
        return self._rt

    # -- execute ------------------------------------------------------------------------------
    async def do_execute(self, code: str, silent: bool, store_history: bool = True,
                         user_expressions: dict[str, Any] | None = None, allow_stdin: bool = False,
                         *, cell_meta: Any = None, cell_id: Any = None) -> dict[str, Any]:
        from axiom_sdk import AxiomError

        from ..errors import render
        rt = self.runtime
        before = {name: id(v) for name, v in rt.globals.items()}
        try:
            value = rt.eval(code, f"<cell {self.execution_count}>")
        except AxiomError as e:
            _flush()
            report = render(e).rstrip("\n")
            return self._error(e.kind, e.message if not e.has_payload else report.split(": ", 1)[-1],
                               report.splitlines(), silent)
        except KeyboardInterrupt:
            _flush()
            return self._error("KeyboardInterrupt", "interrupted", ["Interrupted"], silent)
        except Exception as e:  # a bug in Axiom: said as such, the kernel goes on
            msg = f"internal error: {type(e).__name__}: {e}"
            return self._error("InternalError", msg, [msg, "This is a bug in Axiom; please "
                                                      "report it with the cell that caused it."],
                               silent)
        _flush()  # what the cell printed comes before its result, as it happened
        if not silent:
            self._show(value, rt.globals, before)
        return {"status": "ok", "execution_count": self.execution_count, "payload": [],
                "user_expressions": {}}

    def _show(self, value: Any, globals_: dict[str, Any], before: dict[str, int]) -> None:
        """The cell's result, and the images of figures it made."""
        shown: set[int] = set()
        for name, v in globals_.items():  # figures bound by this cell (new or rebound)
            if before.get(name) != id(v) and _png(v) is not None and v is not value:
                self._image(v)
                shown.add(id(v))
        if value is None or id(value) in shown:
            return
        data: dict[str, Any] = {"text/plain": _literal(value)}
        png = _png(value)
        if png is not None:
            data["image/png"] = base64.b64encode(png).decode("ascii")
        self.send_response(self.iopub_socket, "execute_result",
                           {"execution_count": self.execution_count, "data": data, "metadata": {}})

    def _image(self, value: Any) -> None:
        png = _png(value)
        if png is None:
            return
        self.send_response(self.iopub_socket, "display_data", {
            "data": {"image/png": base64.b64encode(png).decode("ascii"),
                     "text/plain": _literal(value)}, "metadata": {}})

    def _error(self, ename: str, evalue: str, traceback: list[str], silent: bool) -> dict[str, Any]:
        content = {"ename": ename, "evalue": evalue, "traceback": traceback}
        if not silent:
            self.send_response(self.iopub_socket, "error", content)
        return {"status": "error", "execution_count": self.execution_count, **content}

    # -- completion and inspection --------------------------------------------------------------
    async def do_complete(self, code: str, cursor_pos: int) -> dict[str, Any]:
        from ..lsp.analysis import live_completions
        start, items = live_completions(code, cursor_pos, self.runtime.globals)
        items.sort(key=lambda i: (i.label.startswith("_"), i.label))
        return {"status": "ok", "matches": [i.label for i in items], "cursor_start": start,
                "cursor_end": cursor_pos,
                "metadata": {"_jupyter_types_experimental": [
                    {"text": i.label, "type": i.kind, "signature": i.detail,
                     "start": start, "end": cursor_pos} for i in items]}}

    async def do_inspect(self, code: str, cursor_pos: int, detail_level: int = 0,
                         omit_sections: Any = ()) -> dict[str, Any]:
        from ..lsp.analysis import live_info
        info = live_info(code, cursor_pos, self.runtime.globals)
        if info is None:
            return {"status": "ok", "found": False, "data": {}, "metadata": {}}
        text = info.title + (f"\n\n{info.doc}" if info.doc else "")
        return {"status": "ok", "found": True, "data": {"text/plain": text}, "metadata": {}}

    async def do_is_complete(self, code: str) -> dict[str, Any]:
        """Whether a console should run `code` or let the user go on typing (the REPL's
        rule: an open bracket or a trailing operator asks for more)."""
        from ..lsp.analysis import unfinished
        if unfinished(code):
            return {"status": "incomplete", "indent": ""}
        return {"status": "complete"}

    async def do_shutdown(self, restart: bool) -> dict[str, Any]:
        if self._rt is not None:
            self._rt.close()
            self._rt = None
        return {"status": "ok", "restart": restart}


def _flush() -> None:
    """Send what the cell wrote so far (ipykernel's streams send on a timer otherwise)."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass


def _literal(value: Any) -> str:
    from axiom_sdk._values import _display
    try:
        return _display(value, True, set(), 0)
    except Exception as e:
        return f"<{type(e).__name__} while showing the value>"


def _png(value: Any) -> bytes | None:
    """The PNG form of a value that has one (a plt figure), else None."""
    hook = getattr(type(value), "_repr_png_", None)
    if hook is None:
        return None
    try:
        data = hook(value)
    except Exception:
        return None
    return data if isinstance(data, bytes) else None


def main() -> None:
    from ipykernel.kernelapp import IPKernelApp
    IPKernelApp.launch_instance(kernel_class=AxiomKernel)

"""The Jupyter kernel as Jupyter drives it: `axiom kernel install --user` writes the
kernelspec, jupyter_client starts the kernel and exchanges real messages with it (cells
that define and reuse a variable, output, an error, completion, inspection, a plot, an
interrupt), and nbclient runs a small notebook."""

from __future__ import annotations

import base64
import sys
import time
from pathlib import Path

import ipykernel  # noqa: F401  (the workspace's dev dependencies install the kernel's extra)
import jupyter_client  # noqa: F401
import nbformat
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests"))

from support.dists import run_axiom  # noqa: E402


@pytest.fixture(scope="module")
def jupyter_dirs(tmp_path_factory):
    """Jupyter's data and runtime folders in a temporary place, with the kernelspec
    installed there by `axiom kernel install --user`."""
    base = tmp_path_factory.mktemp("jupyter")
    mp = pytest.MonkeyPatch()
    mp.setenv("JUPYTER_DATA_DIR", str(base / "data"))
    mp.setenv("JUPYTER_RUNTIME_DIR", str(base / "runtime"))
    mp.setenv("AXIOM_HOME", str(base / "home"))
    mp.setenv("JUPYTER_PLATFORM_DIRS", "1")
    p = run_axiom(["kernel", "install", "--user"], home=base / "home")
    assert p.returncode == 0, p.stderr
    assert p.stdout == f"Installed the Axiom kernel (axiom) in {base / 'data' / 'kernels' / 'axiom'}\n"
    yield base
    mp.undo()


@pytest.fixture(scope="module")
def kernel(jupyter_dirs):
    from jupyter_client.manager import start_new_kernel
    km, kc = start_new_kernel(kernel_name="axiom", startup_timeout=60)
    try:
        yield km, kc
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def _run(kc, code: str, timeout: float = 60) -> tuple[dict, list[tuple[str, dict]]]:
    """Execute a cell: (its execute_reply content, its iopub outputs in order)."""
    # stop_on_error=False: after a cell fails, Jupyter aborts the requests that reach the
    # kernel in the moment after it (a test's next cell, sent at once, would be one)
    msg_id = kc.execute(code, stop_on_error=False)
    outputs = []
    while True:
        msg = kc.get_iopub_msg(timeout=timeout)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        kind = msg["msg_type"]
        if kind == "status" and msg["content"]["execution_state"] == "idle":
            break
        if kind in ("stream", "execute_result", "display_data", "error"):
            outputs.append((kind, msg["content"]))
    return _reply(kc, msg_id, timeout)["content"], outputs


def _reply(kc, msg_id: str, timeout: float = 30) -> dict:
    """The shell reply to request `msg_id`. Earlier replies are passed over: waiting for
    the kernel to be ready may have sent kernel_info more than once on a slow machine."""
    while True:
        reply = kc.get_shell_msg(timeout=timeout)
        if reply["parent_header"].get("msg_id") == msg_id:
            return reply
        assert reply["msg_type"] == "kernel_info_reply", reply


def test_kernelspec_names_the_language_and_how_to_start(jupyter_dirs):
    from jupyter_client.kernelspec import KernelSpecManager
    spec = KernelSpecManager().get_kernel_spec("axiom")
    assert spec.display_name == "Axiom" and spec.language == "axiom"
    assert spec.argv == [sys.executable, "-m", "axiom.kernel", "-f", "{connection_file}"]


def test_cells_share_globals_and_output_goes_to_the_cell(kernel):
    km, kc = kernel
    reply, outputs = _run(kc, 'let x = 41\nout @"x is {x}"\nerr "to stderr"')
    assert reply["status"] == "ok"
    assert outputs == [("stream", {"name": "stdout", "text": "x is 41\n"}),
                       ("stream", {"name": "stderr", "text": "to stderr\n"})]
    reply, outputs = _run(kc, "x + 1")
    assert reply["status"] == "ok"
    assert outputs == [("execute_result", {"execution_count": reply["execution_count"],
                                           "data": {"text/plain": "42"}, "metadata": {}})]
    _, outputs = _run(kc, '["a", nil, {"k": 1.5}]')
    assert outputs[0][1]["data"] == {"text/plain": '["a", nil, {"k": 1.5}]'}
    _, outputs = _run(kc, "let quiet = 1")  # nil: no result shown
    assert outputs == []


def test_an_error_is_a_jupyter_error_with_the_axiom_report(kernel):
    km, kc = kernel
    reply, outputs = _run(kc, "fn half(n) { n / 0 }\nhalf(4)")
    assert reply["status"] == "error"
    assert (reply["ename"], reply["evalue"]) == ("DivisionByZero", "division by zero")
    n = reply["execution_count"]
    assert reply["traceback"] == [
        "Error: DivisionByZero: division by zero",
        f"  --> <cell {n}>:1:14",
        "   |",
        " 1 | fn half(n) { n / 0 }",
        "   |              ^^^^^",
        "Stack trace (most recent call first):",
        f"  0: half() at <cell {n}>:1",
        f"  1: main at <cell {n}>:2",
        "Variables in frame 0:",
        "  n = 4",
    ]
    assert outputs == [("error", {"ename": "DivisionByZero", "evalue": "division by zero",
                                  "traceback": reply["traceback"]})]
    reply, _ = _run(kc, "x")  # the kernel goes on, globals intact
    assert reply["status"] == "ok"


def test_completion_and_inspection_use_the_language_servers_data(kernel):
    km, kc = kernel
    _run(kc, "import mth\nlet counter = 3\nfn triple(v) { v * 3 }")
    content = _reply(kc, kc.complete("mth.sq", 6))["content"]
    assert (content["status"], content["matches"], content["cursor_start"], content["cursor_end"]) == \
        ("ok", ["sqrt"], 4, 6)
    assert _reply(kc, kc.complete("cou", 3))["content"]["matches"] == ["counter"]
    assert _reply(kc, kc.complete("tri", 3))["content"]["matches"] == ["triple"]
    assert _reply(kc, kc.complete("whi", 3))["content"]["matches"] == ["while"]
    # a live value's methods after `value.` (the kernel knows what each variable holds)
    _run(kc, 'let word = "abc"')
    content = _reply(kc, kc.complete("word.up", 7))["content"]
    assert (content["matches"], content["cursor_start"]) == (["upper"], 5)
    content = _reply(kc, kc.inspect("mth.sqrt(2)", 6))["content"]
    assert content["found"] is True
    assert content["data"]["text/plain"] == "mth.sqrt(x: float) -> float\n\nSquare root of x; x must not be negative."
    assert _reply(kc, kc.inspect("counter", 2))["content"]["data"]["text/plain"] == "counter: int\n\n3"
    assert _reply(kc, kc.inspect("nothing_here", 3))["content"]["found"] is False
    assert _reply(kc, kc.is_complete("fn f(x) {"))["content"]["status"] == "incomplete"
    assert _reply(kc, kc.is_complete("1 + 2"))["content"]["status"] == "complete"


def test_a_plt_figure_is_shown_inline_as_png(kernel):
    km, kc = kernel
    reply, outputs = _run(kc, "import plt\nlet fig = plt.plot_line([1, 2, 3], [3, 1, 2], title=\"t\")",
                          timeout=120)
    assert reply["status"] == "ok", reply
    assert [k for k, _ in outputs] == ["display_data"]
    png = base64.b64decode(outputs[0][1]["data"]["image/png"])
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert (int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")) == (640, 480)
    assert outputs[0][1]["data"]["text/plain"] == '<figure "t">'
    reply, outputs = _run(kc, "plt.add_line(fig, [1, 2, 3], [1, 2, 3])")  # a figure as the result
    assert [k for k, _ in outputs] == ["execute_result"]
    assert set(outputs[0][1]["data"]) == {"text/plain", "image/png"}


def test_interrupting_stops_the_cell_and_keeps_the_globals(kernel):
    km, kc = kernel
    _run(kc, "let kept = 7")
    msg_id = kc.execute("let n = 0\nwhile true { n += 1 }", stop_on_error=False)
    deadline = time.monotonic() + 30
    while True:  # wait until the cell runs
        msg = kc.get_iopub_msg(timeout=30)
        if msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "execute_input":
            break
        assert time.monotonic() < deadline
    time.sleep(0.5)
    km.interrupt_kernel()
    reply = _reply(kc, msg_id)
    assert (reply["content"]["status"], reply["content"]["ename"]) == ("error", "KeyboardInterrupt")
    reply, outputs = _run(kc, "kept + n * 0")
    assert reply["status"] == "ok" and outputs[0][1]["data"]["text/plain"] == "7"


def test_a_broken_config_is_said_in_the_first_cell_and_the_kernel_goes_on(jupyter_dirs, tmp_path):
    import os

    from jupyter_client.manager import start_new_kernel
    home = tmp_path / "home"
    home.mkdir()
    (home / "config.toml").write_text('jit = "fast"\n')
    km, kc = start_new_kernel(kernel_name="axiom", startup_timeout=60,
                              env=dict(os.environ, AXIOM_HOME=str(home)))
    try:
        reply, outputs = _run(kc, "1 + 1")
        assert reply["status"] == "ok"
        assert outputs == [
            ("stream", {"name": "stderr", "text": f'axiom: warning: {home / "config.toml"}:1: jit takes '
                                                  'off, host or native, not "fast"; running with the '
                                                  'default jit\n'}),
            ("execute_result", {"execution_count": reply["execution_count"],
                                "data": {"text/plain": "2"}, "metadata": {}})]
        _, outputs = _run(kc, "2 + 2")  # said once
        assert [k for k, _ in outputs] == ["execute_result"]
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def _docs_cells() -> list[tuple[str, str | None]]:
    """The cells docs/jupyter.md shows, in order: (code, the output shown under it or None)."""
    import re
    import textwrap
    text = (Path(__file__).resolve().parents[2] / "docs" / "jupyter.md").read_text(encoding="utf-8")
    blocks = [(lang, textwrap.dedent(body).strip("\n")) for _, lang, body in
              re.findall(r"^( *)```(axiom|output)\n(.*?)^ *```$", text, re.S | re.M)]
    cells: list[tuple[str, str | None]] = []
    for lang, body in blocks:
        if lang == "axiom":
            cells.append((body, None))
        else:
            assert cells and cells[-1][1] is None, "an output block follows a cell"
            cells[-1] = (cells[-1][0], body)
    return cells


def _shown(outputs) -> str:
    """A cell's outputs as the docs write them: text as it appears, an image as
    `<image/png W x H>`, an error as its traceback."""
    lines = []
    for o in outputs:
        if o.output_type == "stream":
            lines.append(o.text.rstrip("\n"))
        elif o.output_type == "error":
            lines.extend(o.traceback)
        elif "image/png" in o.data:
            png = base64.b64decode(o.data["image/png"])
            size = (int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big"))
            assert png[:8] == b"\x89PNG\r\n\x1a\n"
            lines.append(f"<image/png {size[0]} x {size[1]}>")
        else:
            lines.append(o.data["text/plain"])
    return "\n".join(lines)


def test_the_docs_notebook_runs_through_nbclient_and_shows_what_the_docs_say(jupyter_dirs, tmp_path):
    """docs/jupyter.md's cells, run in order as a notebook by nbclient: each shows the
    output the page prints under it (a cell without an output block shows nothing)."""
    from nbclient import NotebookClient
    cells = _docs_cells()
    assert len(cells) >= 4
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "axiom", "display_name": "Axiom", "language": "axiom"}
    nb.cells = [nbformat.v4.new_markdown_cell("# From docs/jupyter.md")]
    nb.cells += [nbformat.v4.new_code_cell(code) for code, _ in cells]
    NotebookClient(nb, timeout=120, kernel_name="axiom", allow_errors=True).execute()
    path = tmp_path / "docs.ipynb"
    nbformat.write(nb, str(path))
    ran = nbformat.read(str(path), as_version=4).cells[1:]
    for (code, expected), cell in zip(cells, ran):
        assert _shown(cell.outputs) == (expected or ""), code
    assert nb.metadata["language_info"]["name"] == "axiom"
    assert nb.metadata["language_info"]["pygments_lexer"] == "axiom"


def test_kernel_install_says_what_went_wrong(tmp_path):
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("")
    p = run_axiom(["kernel", "install", "--prefix", str(not_a_folder)], home=tmp_path / "home")
    assert (p.returncode, p.stdout, p.stderr) == (1, "", "axiom: cannot install the kernelspec: "
                                                          "Not a directory\n")
    # an environment without ipykernel (axiom-lang alone): how to get it, no traceback
    blocker = tmp_path / "site"
    (blocker / "ipykernel").mkdir(parents=True)
    (blocker / "ipykernel" / "__init__.py").write_text("raise ImportError('no ipykernel here', "
                                                        "name='ipykernel')\n")
    p = run_axiom(["kernel", "install", "--user"], home=tmp_path / "home",
                  env={"PYTHONPATH": str(blocker), "JUPYTER_DATA_DIR": str(tmp_path / "data")})
    assert (p.returncode, p.stdout) == (1, "")
    assert p.stderr == ("axiom: the Jupyter kernel needs ipykernel, which is not installed: "
                        "pip install 'axiom-core[jupyter]'\n")
    assert not (tmp_path / "data").exists()

"""The documentation cannot drift: every example in docs/ and README.md runs, and the site
builds strictly.

Examples are fenced code blocks with the info string `axiom`. Each one is one of:

- a program followed by an ```output block (or a titled program, a one-line ```sh block
  `[VAR=VALUE...] axiom run [OPTIONS] TITLE [ARGS...]` that runs it, then the output): it runs (through `axiom run`'s own entry
  point, in-process) and what it writes, stdout and stderr as a terminal shows them, must
  equal the block exactly. An output that shows an uncaught error report (a line
  `Error: ...` followed by `  --> FILE:LINE:COL`) expects exit status 1 (2 for a
  SyntaxError), any other output status 0;
- a program carrying `// expect:` comments (the conformance tests' form: `// expect: TEXT`
  is the next line of stdout, `// expect error: KIND` an uncaught error of that kind);
- a file other examples use: a block with a title (```` ```axiom title="geometry.ax" ````)
  and no output is written to the page's folder under that name (and must compile);
- marked as not to be run, with a reason, by an HTML comment on the line before it:
  `<!-- axiom: no-run REASON -->`. Those are few (the test counts them).

A ```python block followed by an output block (an embedding example) runs in this
process, in the page's folder, and must print exactly that output.

Any other block with a title (```` ```text title="sales.csv" ````) is a file that later
examples on the same page read, and a one-line ```sh block `axiom run [OPTIONS] FILE
[ARGS...]` followed by an output block runs a file written earlier on the page. Every page runs in its own temporary folder, its
examples in order, so a later example may read what an earlier one wrote.

A page whose examples are not programs to run (the checker's wrong and right examples,
the formatter's before and after) names the test that checks them instead:
`<!-- axiom: checked-by axiom-core/tests/test_chk.py -->`.

A comment before a block may also carry `args A B` (the script's ARGS), `stdin "TEXT"`
(a Python string literal), `config KEY=VALUE ...` (settings, as in config.toml) and
`serve 8000`: a real HTTP server on 127.0.0.1 serves the
page's folder, and the example's `127.0.0.1:8000` is pointed at it (its port is free,
whatever 8000 is). Directives are separated by `;`.
"""

from __future__ import annotations

import ast
import difflib
import functools
import http.server
import io
import re
import shlex
import subprocess
import sys
import threading
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
PAGES = sorted(p for p in DOCS.rglob("*.md")) + [ROOT / "README.md"]

_FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|~{3,})\s*(?P<lang>[\w+-]*)(?P<rest>.*)$")
_TITLE = re.compile(r'title="([^"]+)"')
_DIRECTIVE = re.compile(r"^\s*<!--\s*axiom:\s*(.*?)\s*-->\s*$")
_EXPECT = re.compile(r"(?://|#)\s*expect( error)?:\s?(.*)$")
MAX_NO_RUN_SHARE = 0.1  # "those are few"


@dataclass
class Block:
    page: Path
    line: int  # 1-based line of the opening fence
    lang: str
    text: str
    title: str | None = None
    directives: dict[str, str] = field(default_factory=dict)
    output: str | None = None  # the ```output block that follows, if any
    owned: bool = False  # an output block that follows an example
    options: list[str] = field(default_factory=list)  # axiom's own options, from the command
    env: dict[str, str] = field(default_factory=dict)  # the command's VAR=VALUE prefix
    command: tuple[list[str], str, list[str], dict[str, str]] | None = None  # a sh block's `axiom run`

    @property
    def where(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"

    @property
    def expects(self) -> list[tuple[str | None, str]]:
        out = []
        for line in self.text.splitlines():
            m = _EXPECT.search(line)
            if m:
                out.append((m.group(1), m.group(2).rstrip()))
        return out


def parse(page: Path) -> list[Block]:
    """The fenced blocks of a Markdown page, each with the directives of the comment just
    before it, and each program with the output block just after it."""
    lines = page.read_text(encoding="utf-8").splitlines()
    blocks: list[Block] = []
    ends: list[int] = []  # the line index of each block's closing fence
    i = 0
    while i < len(lines):
        m = _FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        indent, fence = m.group("indent"), m.group("fence")
        body = []
        j = i + 1
        while j < len(lines) and not (lines[j].strip().startswith(fence)
                                      and lines[j].strip().strip(fence[0]) == ""):
            body.append(lines[j][len(indent):] if lines[j].startswith(indent) else lines[j].lstrip())
            j += 1
        title = _TITLE.search(m.group("rest"))
        block = Block(page, i + 1, m.group("lang"), "\n".join(body) + "\n",
                      title.group(1) if title else None, _directives(lines, i))
        blocks.append(block)
        ends.append(j)
        i = j + 1
    def adjacent(k: int) -> Block | None:  # the next block, when only blank lines part them
        if k + 1 >= len(blocks):
            return None
        between = lines[ends[k] + 1:blocks[k + 1].line - 1]
        return blocks[k + 1] if all(not s.strip() for s in between) else None

    for k, block in enumerate(blocks):
        if block.lang == "sh":
            block.command = _command(block.text)
        if block.lang not in ("axiom", "sh", "python") or block.owned:
            continue
        nxt = adjacent(k)
        if block.lang == "axiom" and nxt is not None and nxt.lang == "sh" and block.title:
            command = _command(nxt.text)
            after = adjacent(k + 1)
            if command and command[1] == block.title and after is not None and after.lang == "output":
                block.options, block.env = command[0], command[3]
                block.directives.setdefault("args", shlex.join(command[2]))
                nxt.owned = True
                nxt = after
        if nxt is not None and nxt.lang == "output" and (block.lang in ("axiom", "python") or block.command):
            block.output = nxt.text
            nxt.owned = True
    return blocks


def _command(text: str) -> tuple[list[str], str, list[str], dict[str, str]] | None:
    """A one-line `[VAR=VALUE...] axiom run [OPTIONS] FILE [ARGS...]` (or `axiom FILE
    ...`): its options, file, arguments and environment variables."""
    if text.count("\n") != 1:
        return None
    words = shlex.split(text.strip().removeprefix("$ "))
    env = {}
    while words and re.fullmatch(r"[A-Z_][A-Z0-9_]*=.*", words[0]):
        name, _, value = words.pop(0).partition("=")
        env[name] = value
    if words[:1] != ["axiom"]:
        return None
    words = words[2:] if words[1:2] == ["run"] else words[1:]
    from axiom.cli.run import _VALUE_OPTS
    options = []
    while words and words[0].startswith("-") and words[0] != "-":
        options.append(words.pop(0))
        if options[-1] in _VALUE_OPTS and words:
            options.append(words.pop(0))
    return (options, words[0], words[1:], env) if words else None


def _directives(lines: list[str], i: int) -> dict[str, str]:
    k = i - 1
    while k >= 0 and not lines[k].strip():
        k -= 1
    m = _DIRECTIVE.match(lines[k]) if k >= 0 else None
    if not m:
        return {}
    out = {}
    for part in m.group(1).split(";"):
        word, _, value = part.strip().partition(" ")
        out[word] = value.strip()
    return out


_CHECKED_BY = re.compile(r"<!--\s*axiom:\s*checked-by\s+(\S+)\s*-->")


def checked_elsewhere(page: Path) -> Path | None:
    """The test file named by a page's `<!-- axiom: checked-by TEST -->`: that page's
    examples are not programs to run (the checker's wrong/right pairs, the formatter's
    before/after pairs) and that test checks each of them."""
    m = _CHECKED_BY.search(page.read_text(encoding="utf-8"))
    return ROOT / m.group(1) if m else None


def _pages_with_examples() -> list[Path]:
    return [p for p in PAGES if checked_elsewhere(p) is None
            and any(b.lang == "axiom" or b.output is not None for b in parse(p))]


def _id(page: Path) -> str:
    return str(page.relative_to(ROOT))


# -- the examples run -------------------------------------------------------------------

class _Tee(io.StringIO):
    """One stream (stdout or stderr) that also writes into the terminal's view of both."""

    def __init__(self, both: io.StringIO) -> None:
        super().__init__()
        self.both = both

    def write(self, s: str) -> int:
        self.both.write(s)
        return super().write(s)


@dataclass
class Result:
    stdout: str
    stderr: str
    both: str
    status: int


def run_axiom(argv: list[str], folder: Path, stdin: str, monkeypatch: pytest.MonkeyPatch,
              config: dict[str, str] | None = None, env: dict[str, str] | None = None) -> Result:
    """`axiom run ARGV...` in `folder`, in this process (through the CLI's own entry
    point), with the settings in `config` (in an AXIOM_HOME of its own) and the
    environment variables in `env` when given."""
    import tempfile

    from axiom import conf
    from axiom.cli.run import main
    both = io.StringIO()
    out, err = _Tee(both), _Tee(both)
    with monkeypatch.context() as mp:
        if config:
            mp.setenv("AXIOM_HOME", tempfile.mkdtemp(prefix="axiom-home-", dir=folder.parent))
            for key, value in config.items():
                conf.set_value(key, value)
        for name, value in (env or {}).items():
            mp.setenv(name, value)
        mp.chdir(folder)
        mp.setattr(sys, "stdin", io.StringIO(stdin))
        mp.setenv("COLUMNS", "100")
        with redirect_stdout(out), redirect_stderr(err):
            status = main(["--no-cache", "--timeout", "60", *argv])
    return Result(out.getvalue(), err.getvalue(), both.getvalue(), status)


def run_python(block: Block, page: Page) -> Result:
    """Run a Python example in `page`'s folder: what it prints, and 1 when it raised."""
    import traceback
    both = io.StringIO()
    out, err = _Tee(both), _Tee(both)
    status = 0
    if block.title:
        page.write(block.title, block.text)
    with page.monkeypatch.context() as mp:
        mp.chdir(page.folder)
        mp.syspath_prepend(str(page.folder))
        with redirect_stdout(out), redirect_stderr(err):
            try:
                exec(compile(block.text, block.where, "exec"), {"__name__": "__main__"})
            except BaseException:
                traceback.print_exc()
                status = 1
    return Result(out.getvalue(), err.getvalue(), both.getvalue(), status)


class _Server:
    """A real HTTP server on 127.0.0.1 serving a folder, on a free port."""

    def __init__(self, folder: Path) -> None:
        handler = functools.partial(_QuietHandler, directory=str(folder))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


class Page:
    """The folder a page's examples run in, and its HTTP server once one is asked for."""

    def __init__(self, folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.folder = folder
        self.monkeypatch = monkeypatch
        self.server: _Server | None = None

    def write(self, name: str, text: str) -> None:
        (self.folder / name).parent.mkdir(parents=True, exist_ok=True)
        (self.folder / name).write_text(text, encoding="utf-8")

    def served(self, source: str, port: str) -> str:
        """`source` with 127.0.0.1:PORT pointed at this page's server."""
        if self.server is None:
            self.server = _Server(self.folder)
        return source.replace(f"127.0.0.1:{port}", f"127.0.0.1:{self.server.port}")

    def close(self) -> None:
        if self.server is not None:
            self.server.close()


def execute(block: Block, page: Page) -> Result:
    """Run an example: an `axiom` block (written to its file first), a `sh` block's
    `axiom run` command over a file an earlier block wrote, or a `python` block (an
    embedding example, run in this process)."""
    d = block.directives
    if block.lang == "python":
        return run_python(block, page)
    stdin = ast.literal_eval(d["stdin"]) if "stdin" in d else ""
    if block.lang == "sh":
        options, name, args, env = block.command or ([], "", [], {})
        source = (page.folder / name).read_text(encoding="utf-8")
    else:
        options, name, args = block.options, block.title or "example.ax", shlex.split(d.get("args", ""))
        env, source = block.env, block.text
    if "serve" in d:
        source = page.served(source, d["serve"])
    page.write(name, source)
    return run_axiom([*options, name, *args], page.folder, stdin, page.monkeypatch, _config(d), env)


def check_block(block: Block, page: Page) -> str | None:
    """Run one example; a description of how it differs from the page, or None."""
    result = execute(block, page)
    if block.lang == "python":
        if result.status != 0 or result.both.rstrip("\n") != (block.output or "").rstrip("\n"):
            diff = "\n".join(difflib.unified_diff((block.output or "").splitlines(),
                                                  result.both.splitlines(), "shown", "printed",
                                                  lineterm=""))
            return f"the Python example's output differs:\n{diff}"
        return None
    if "Traceback (most recent call last)" in result.both:
        return f"a Python traceback reached the user:\n{result.both}"
    if block.output is not None:
        want = block.output.rstrip("\n")
        got = result.both.rstrip("\n")
        shown = want.splitlines()
        errors = [ln for ln, nxt in zip(shown, shown[1:] + [""])
                  if ln.startswith("Error: ") and nxt.startswith("  --> ")]
        status = 0 if not errors else 2 if errors[0].startswith("Error: SyntaxError") else 1
        problems = []
        if got != want:
            diff = "\n".join(difflib.unified_diff(want.splitlines(), got.splitlines(),
                                                  "shown", "printed", lineterm=""))
            problems.append(f"the output differs:\n{diff}")
        if result.status != status:
            problems.append(f"exit status {result.status}, expected {status}")
        return "\n".join(problems) or None
    stdout = [text for kind, text in block.expects if kind is None]
    error = next((text for kind, text in block.expects if kind), None)
    problems = []
    if result.stdout.splitlines() != stdout:
        diff = "\n".join(difflib.unified_diff(stdout, result.stdout.splitlines(), "expected",
                                              "printed", lineterm=""))
        problems.append(f"stdout differs:\n{diff}\nstderr:\n{result.stderr}")
    if error is None and result.status != 0:
        problems.append(f"exit status {result.status}:\n{result.stderr}")
    if error is not None:
        kind = error.split()[0]
        if not result.stderr.startswith(f"Error: {kind}:"):
            problems.append(f"expected the error {kind}, stderr was:\n{result.stderr}")
    return "\n".join(problems) or None


def _config(directives: dict[str, str]) -> dict[str, str]:
    """`config KEY=VALUE KEY=VALUE`: settings for one example."""
    return dict(item.split("=", 1) for item in directives.get("config", "").split())


def _compiles(block: Block) -> str | None:
    from axiom.runtime import Runtime
    from axiom_sdk import AxiomError
    try:
        Runtime().compile(block.text, block.title or "example.ax")
    except AxiomError as e:
        return f"{e.kind}: {e.message}"
    return None


@pytest.mark.parametrize("page", _pages_with_examples(), ids=_id)
def test_every_example_prints_what_the_page_shows(page, tmp_path, monkeypatch):
    failures = []
    folder = tmp_path / "page"
    folder.mkdir()
    runner = Page(folder, monkeypatch)
    try:
        for block in parse(page):
            problem = None
            if "no-run" in block.directives:
                continue
            if (block.lang == "sh" and block.command or block.lang == "python") \
                    and block.output is not None:
                problem = check_block(block, runner)
            elif block.lang != "axiom":
                if block.title:  # a file for the examples after it
                    runner.write(block.title, block.text)
                continue
            elif block.output is None and not block.expects:
                if block.title:  # a file for the examples after it
                    runner.write(block.title, block.text)
                    problem = _compiles(block)
            else:
                problem = check_block(block, runner)
            if problem:
                failures.append(f"{block.where}:\n{problem}")
    finally:
        runner.close()
    assert not failures, "\n\n".join(failures)


def test_every_example_is_run_or_marked():
    """An `axiom` block shows its output, carries expectations, is a titled file for
    other examples, or says why it does not run; no output block stands alone."""
    loose, orphans, reasons = [], [], []
    total = no_run = 0
    for page in PAGES:
        test = checked_elsewhere(page)
        if test is not None:
            assert page.name in test.read_text(encoding="utf-8"), f"{test} does not read {page}"
            continue
        for block in parse(page):
            if block.lang == "output" and not block.owned:
                orphans.append(block.where)
            if block.lang != "axiom":
                continue
            total += 1
            if "no-run" in block.directives:
                no_run += 1
                if not block.directives["no-run"]:
                    reasons.append(block.where)
            elif block.output is None and not block.expects and not block.title:
                loose.append(block.where)
    assert not loose, ("examples neither run nor marked `<!-- axiom: no-run REASON -->`: "
                       + ", ".join(loose))
    assert not orphans, "output blocks that follow no axiom example: " + ", ".join(orphans)
    assert not reasons, "no-run without a reason: " + ", ".join(reasons)
    assert total > 100
    assert no_run <= MAX_NO_RUN_SHARE * total, f"{no_run} of {total} examples do not run"


def test_parse_reads_fences_directives_and_outputs(tmp_path):
    page = tmp_path / "p.md"
    page.write_text('Text\n\n<!-- axiom: args a b; stdin "x\\n" -->\n```axiom title="m.ax"\n'
                    'out ARGS\n```\n\n```output\n["a", "b"]\n```\n\n!!! note\n    ```axiom\n'
                    '    out 1  // expect: 1\n    ```\n')
    blocks = parse(page)
    assert [(b.lang, b.line, b.title) for b in blocks] == [
        ("axiom", 4, "m.ax"), ("output", 8, None), ("axiom", 13, None)]
    assert blocks[0].directives == {"args": "a b", "stdin": '"x\\n"'}
    assert blocks[0].output == '["a", "b"]\n'
    assert blocks[2].text == "out 1  // expect: 1\n"
    assert blocks[2].expects == [(None, "1")]


def test_a_wrong_output_fails(tmp_path, monkeypatch):
    """The checker itself can fail: a shown output that the program does not print."""
    page = tmp_path / "p.md"
    page.write_text("```axiom\nout 1 + 1\n```\n\n```output\n3\n```\n")
    runner = Page(tmp_path, monkeypatch)
    problem = check_block(parse(page)[0], runner)
    assert problem is not None and "-3\n+2" in problem


def test_a_command_runs_a_file_of_the_page(tmp_path, monkeypatch):
    page = tmp_path / "p.md"
    page.write_text('```axiom title="t.ax"\nout ARGS\n```\n\n```sh\naxiom run --sandbox t.ax a "b c"\n'
                    '```\n\n```output\n["a", "b c"]\n```\n\n```sh\naxiom run t.ax\n```\n\n'
                    '```output\n[]\n```\n')
    blocks = parse(page)
    assert blocks[0].options == ["--sandbox"] and blocks[0].output == '["a", "b c"]\n'
    assert blocks[3].command == ([], "t.ax", [], {}) and blocks[3].output == "[]\n"
    runner = Page(tmp_path, monkeypatch)
    assert check_block(blocks[0], runner) is None
    assert check_block(blocks[3], runner) is None


def test_a_command_sets_the_environment_variables_before_it(tmp_path, monkeypatch):
    """`VAR=VALUE axiom run FILE`: the variable is set for that run only."""
    page = tmp_path / "p.md"
    page.write_text('```axiom title="e.ax"\nimport env\nout env.env_var("DOCS_X")\n```\n\n'
                    '```sh\nDOCS_X="a b" axiom run e.ax\n```\n\n```output\na b\n```\n\n'
                    '```sh\naxiom run e.ax\n```\n\n```output\nnil\n```\n')
    monkeypatch.delenv("DOCS_X", raising=False)
    blocks = parse(page)
    assert blocks[0].env == {"DOCS_X": "a b"} and blocks[3].command == ([], "e.ax", [], {})
    runner = Page(tmp_path, monkeypatch)
    assert check_block(blocks[0], runner) is None
    assert check_block(blocks[3], runner) is None


# -- pages that must cover everything --------------------------------------------------

def _examples(*pages: str) -> str:
    return "\n".join(b.text for name in pages for b in parse(DOCS / name) if b.lang == "axiom")


def test_every_setting_has_its_section():
    from axiom import conf
    text = (DOCS / "configuration.md").read_text(encoding="utf-8")
    missing = [key for key in conf.DEFAULTS if f"### `{key}`" not in text]
    assert not missing, f"docs/configuration.md has no section for {missing}"


def test_every_environment_variable_is_documented():
    """Each AXIOM_* variable the implementation reads is in the configuration guide
    (except those only the test suite sets)."""
    internal = {"AXIOM_JIT_STRICT", "AXIOM_JIT_FUNCTIONS"}
    text = (DOCS / "configuration.md").read_text(encoding="utf-8")
    used = set()
    for folder in [ROOT / "axiom-core/src", ROOT / "axiom-sdk/src", *(ROOT / "modules").glob("*/src")]:
        for path in folder.rglob("*.py"):
            used |= set(re.findall(r"\b(AXIOM_[A-Z_]+)\b", path.read_text(encoding="utf-8")))
    missing = sorted(v for v in used - internal if f"`{v}`" not in text)
    assert not missing, f"docs/configuration.md does not describe {missing}"


def test_every_builtin_and_method_has_an_example():
    from axiom import prelude
    from axiom_sdk import Range, Set
    code = _examples("reference/builtins.md", "reference/operators.md")
    missing = [f"{name}()" for name in prelude._BUILTIN_FNS if f"{name}(" not in code]
    for owner, tname in ((list, "list"), (dict, "dict"), (str, "str"), (Set, "set"), (Range, "range")):
        missing += [f"{tname}.{name}()" for name in prelude._METHOD_FNS[owner] if f".{name}(" not in code]
    assert not missing, f"no example calls {missing}"


# -- the site ---------------------------------------------------------------------------

def test_site_builds_strictly(tmp_path):
    """`mkdocs build --strict` (what `nox -s docs` runs): any warning (a broken link or
    anchor, a page missing from the nav, a generated page that fails) fails the build."""
    import os
    p = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet",
                        "--config-file", str(ROOT / "mkdocs.yml"), "--site-dir", str(tmp_path / "site")],
                       capture_output=True, text=True, cwd=ROOT, timeout=600,
                       env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    assert p.returncode == 0, p.stderr
    site = tmp_path / "site"
    assert (site / "index.html").exists()
    assert (site / "library" / "mth" / "index.html").exists()
    assert (site / "search" / "search_index.json").exists()


# -- module pages -----------------------------------------------------------------------

GEO_PAGE = '''# `geo`: Geometry

`import geo`; distribution `axiom-geo` 1.2.0; capabilities: `fs.read`.

Geometry: points and distances.

### Example

```
import geo
```

## Functions

| function | what it does |
|---|---|
| [`distance`](#distance) | The distance from the origin. |
| [`load`](#load) | Shapes read from a file. |

### `distance`

```text
geo.distance(x: float, y: float=0.0) -> float
```

The distance from the origin.

Both coordinates are numbers; `y` defaults to 0.

| parameter | type | default |
|---|---|---|
| `x` | `float` | required |
| `y` | `float` | `0.0` |

Returns `float`.

### `load`

```text
geo.load(path: str, ...more: str) -> shape
```

Shapes read from a file.

| parameter | type | default |
|---|---|---|
| `path` | `str` | required |
| `...more` | `str` |  |

Returns [`shape`](#shape-type).

Needs the capability `fs.read` (on `path`).

## Constants

| name | value | meaning |
|---|---|---|
| `geo.ORIGIN` | `[0, 0]` | Where \\*everything\\* starts. |

## Types

### `shape` (type)

A polygon &lt;closed>.

`typeof` gives `"shape"`.

| member | kind | what it does |
|---|---|---|
| `shape.sides` | attribute | |
| `shape.area(scale: float=1.0) -> float` | method | Its area, scaled. |

Operators: `len(a)`.
'''


def _geo_module():
    """A module as an author writes one (its names are globals of this file, so the SDK
    resolves the hints)."""
    from axiom_sdk import Module
    geo = Module("geo", summary="Geometry: points and distances", version="1.2.0")
    geo.constant("ORIGIN", [0, 0], "Where *everything* starts.")
    geo.foreign_type("shape", GeoShape, attrs=["sides"], methods=["area"], ops={"len": len})
    geo.export(geo_distance, name="distance")
    geo.export(geo_load, name="load", needs=["fs.read:path"])
    return geo


class GeoShape:
    """A polygon <closed>."""

    def area(self, scale: float = 1.0) -> float:
        """Its area, scaled."""
        return 1.0


def geo_distance(x: float, y: float = 0.0) -> float:
    """The distance from the origin.

    Both coordinates are numbers; `y` defaults to 0."""
    return float((x * x + y * y) ** 0.5)


def geo_load(path: str, *more: str) -> GeoShape:
    """Shapes read from a file."""
    return GeoShape()


def test_a_module_page_is_made_from_what_the_sdk_records():
    """`mod info --markdown`'s generator: the README's prose (without its title, headings
    one level down), then each export's signature, docs, parameters, return type and
    capability, the constants, and the types with their members and operators."""
    from axiom.cli.mod_doc import page
    readme = "# axiom-geo\n\nGeometry: points and distances.\n\n## Example\n\n```\nimport geo\n```\n"
    assert page(_geo_module(), {"dist": "axiom-geo"}, readme) == GEO_PAGE


def test_mod_info_markdown_prints_an_installed_modules_page(tmp_path):
    from support.axiom_run import cli
    p = cli(tmp_path, "mod", "info", "mth", "--markdown")
    assert p.returncode == 0, p.stderr
    assert p.stdout.startswith("# `mth`: Math\n\n`import mth`; distribution `axiom-mth` ")
    assert "\n### `sqrt`\n\n```text\nmth.sqrt(x: float) -> float\n```\n" in p.stdout
    assert "\n| `mth.PI` | `3.141592653589793` |" in p.stdout
    p = cli(tmp_path, "mod", "info", "mth.sqrt", "--markdown")
    assert p.returncode == 1
    assert p.stderr == ("axiom: ValueError: --markdown documents a whole module: give its name "
                        "(mth), not mth.sqrt\n")

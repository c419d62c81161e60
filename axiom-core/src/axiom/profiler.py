"""The profiler and the instruction tracer: `axiom run --profile`, `--trace`.

Pipeline position: beside the runtime, used by the CLI. A Runtime with a `profiler`
hands it every Code it is about to run (`prepare`); nothing else of the VM or the JIT is
touched, so a run without --profile or --trace pays nothing at all.

Time is sampled, never traced: a sampler thread wakes every INTERVAL seconds and reads
the Axiom stack of every thread that runs Axiom code (sys._current_frames() and
positions_of below, which sees tier-0 frames and compiled frames alike through
jit/support's activation walk, so a compiled function reports as itself). Each sample is weighed by the wall time since the
previous one. Python's GIL lets the sampler in at the interpreter's switch interval,
which is lowered from 5 ms to 1 ms while profiling, so a busy run gets several hundred
samples a second; the run keeps its shape because nothing is added to its calls or
instructions.

Under `--jit off` every instruction runs in tier 0, where a Code's `ops` can be swapped
for a list that counts what the VM fetches (`_CountingOps`): that gives exact opcode
counts and exact calls per function (a function's first instruction fetched other than
by its own loop's back edge is a call, tail calls included). It slows tier 0 evenly
(each fetch becomes a Python call), so times under --jit off are inflated for Axiom
code relative to module code. Compiled code (tiers 1 and 2) has no such seam: under a
JIT tier calls are not counted (the report says so) and time is still sampled.

`--trace` swaps `ops` for a list that writes each fetched instruction with its source
position (`_TracingOps`), and forces --jit off.

The report: a rich table per function (calls, total and own time), the ten hottest
lines, opcode counts under --jit off; `to_json()` for --profile-out; collapsed stacks
(`a;b;c N`, flamegraph.pl and speedscope read them), speedscope's JSON file format
(`.json`), or an SVG drawn with matplotlib (`.svg`) for --flamegraph.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from typing import Any, Final, TextIO

from .bytecode import CONST_ARG, JUMPS, NO_ARG, SLOT_ARG, Code, Op, op_name

INTERVAL: Final = 0.001   # the sampler's sleep between samples (s); the GIL sets the real rate
HOT_LINES: Final = 10


# --- counting and tracing instruction fetches (tier 0) --------------------------------------------

class _CountingOps(list):  # type: ignore[type-arg]
    """A Code's instructions that count how often each is fetched (`hits[ip]`)."""

    __slots__ = ("hits",)

    def __init__(self, ops: list[tuple[int, int]]) -> None:
        super().__init__(ops)
        self.hits = [0] * len(ops)

    def __getitem__(self, i: Any, _get: Any = list.__getitem__) -> Any:
        self.hits[i] += 1
        return _get(self, i)


class _CountingOpsTracked(_CountingOps):
    """The same, for a Code where a conditional jump can go back to instruction 0: the
    fetches of 0 that are calls are counted as they happen (`entries`)."""

    __slots__ = ("last", "entries", "back")

    def __init__(self, ops: list[tuple[int, int]], back: frozenset[int]) -> None:
        super().__init__(ops)
        self.last = -1
        self.entries = 0
        self.back = back  # the ips of jumps to 0

    def __getitem__(self, i: Any, _get: Any = list.__getitem__) -> Any:
        self.hits[i] += 1
        if i == 0 and self.last not in self.back:
            self.entries += 1
        self.last = i
        return _get(self, i)


class _TracingOps(list):  # type: ignore[type-arg]
    """A Code's instructions that write each fetch to the trace stream."""

    __slots__ = ("code", "out", "texts")

    def __init__(self, code: Code, out: TextIO) -> None:
        super().__init__(code.ops)
        self.code = code
        self.out = out
        self.texts: list[str | None] = [None] * len(code.ops)

    def __getitem__(self, i: Any, _get: Any = list.__getitem__) -> Any:
        text = self.texts[i]
        if text is None:
            text = self.texts[i] = trace_line(self.code, i)
        self.out.write(text)
        return _get(self, i)


def trace_line(code: Code, i: int) -> str:
    """One line of --trace: `file:line:col  function  ip  OPNAME operand`."""
    op, arg = list.__getitem__(code.ops, i)
    line, col, _ = code.lines[i] if i < len(code.lines) else (0, 0, 0)
    name = op_name(op)
    if op in NO_ARG:
        operand = ""
    elif op in JUMPS:
        operand = f" -> {arg:04d}"
    elif op in CONST_ARG:
        c = code.consts[arg]
        shown = f"<code {c.name}>" if isinstance(c, Code) else c if isinstance(c, str) else _shown(c)
        operand = f" {arg} '{shown}'"
    elif op in SLOT_ARG and arg < len(code.slot_names):
        operand = f" {arg} ({code.slot_names[arg]})"
    else:
        operand = f" {arg}"
    return f"{code.filename}:{line}:{col}  {code.name}  {i:04d} {name}{operand}\n"


def _shown(v: Any) -> str:
    from axiom_sdk._values import _display
    try:
        return _display(v, True, set(), 0)
    except Exception:
        return "?"


def _codes(code: Code) -> list[Code]:
    """`code` and every Code nested in its constants."""
    out = [code]
    i = 0
    while i < len(out):
        out += [c for c in out[i].consts if isinstance(c, Code)]
        i += 1
    return out


class Tracer:
    """`--trace`: each executed instruction with its source position, on `out`."""

    def __init__(self, out: TextIO) -> None:
        self.out = out

    def prepare(self, code: Code) -> None:
        for c in _codes(code):
            if type(c.ops) is not _TracingOps:
                c.ops = _TracingOps(c, self.out)

    def start(self) -> None:
        pass

    def stop(self) -> None:
        self.out.flush()


# --- the sampling profiler -------------------------------------------------------------------------

def positions_of(frame: Any) -> list[tuple[Code, int]]:
    """(code, ip) of each Axiom activation, outermost first, of the thread whose
    innermost Python frame is `frame` (from sys._current_frames(): the sampler runs on
    another thread). `ip` is past the instruction running (or the call in progress).
    The activations come from jit/support's walk, which error reports use too (compiled
    frames and the VM frames each running VM.run owns); a tier-0 frame that a VM.run is
    executing keeps its ip in that run's locals, not in Frame.ip, so it is read there."""
    from .jit import support
    pyframes = support._outer(frame)
    live: dict[int, int] = {}  # id(tier-0 Frame) -> the ip its VM.run holds
    for fr, _ in pyframes:
        if fr.f_code is support._RUN_CODE:
            loc = fr.f_locals
            running = loc.get("frame")
            if running is not None and "ip" in loc:
                live[id(running)] = loc["ip"]
    return [(a.code, live.get(id(a), a.ip)) for a in support._activations(pyframes)]


class FunctionStats:
    """One function's line in the report."""

    __slots__ = ("name", "filename", "line", "calls", "total", "own")

    def __init__(self, name: str, filename: str, line: int) -> None:
        self.name = name
        self.filename = filename
        self.line = line
        self.calls: int | None = None
        self.total = 0.0   # seconds with it anywhere on a stack
        self.own = 0.0     # seconds with it running (top of a stack)

    @property
    def label(self) -> str:
        """How stacks name it: `fib (fib.ax:1)`."""
        return f"{self.name} ({os.path.basename(self.filename)}:{self.line})"


class Profiler:
    """Samples a Runtime's Axiom stacks while it runs; with `count_ops` (tier 0 only),
    counts every instruction fetched too."""

    def __init__(self, count_ops: bool = False, interval: float = INTERVAL) -> None:
        self.count_ops = count_ops
        self.interval = interval
        self.codes: list[Code] = []          # every Code prepared (for counts)
        self.stacks: dict[tuple[tuple[Code, int], ...], list[float]] = {}  # -> [samples, seconds]
        self.samples = 0
        self.wall = 0.0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._started = 0.0
        self._switch = 0.005

    def prepare(self, code: Code) -> None:
        """A Code about to run: count its fetches (and its nested functions') when
        counting."""
        for c in _codes(code):
            if type(c.ops) in (_CountingOps, _CountingOpsTracked):
                continue
            if self.count_ops:
                back = frozenset(i for i, (op, arg) in enumerate(c.ops) if op in JUMPS and arg == 0)
                conditional = any(list.__getitem__(c.ops, i)[0] != Op.JUMP for i in back)
                c.ops = _CountingOpsTracked(c.ops, back) if conditional else _CountingOps(c.ops)
            self.codes.append(c)

    def start(self) -> None:
        # The sampler gets the GIL when the running thread hands it over, at the switch
        # interval (5 ms by default): 1 ms while profiling gives it a chance each interval.
        self._switch = sys.getswitchinterval()
        sys.setswitchinterval(min(self._switch, self.interval))
        self._started = time.perf_counter()
        self._thread = threading.Thread(target=self._sample_loop, name="axiom-profiler", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            sys.setswitchinterval(self._switch)
        self.wall = time.perf_counter() - self._started

    def _sample_loop(self) -> None:
        me = threading.get_ident()
        last = time.perf_counter()
        stacks = self.stacks
        while not self._stop.wait(self.interval):
            now = time.perf_counter()
            weight = now - last
            last = now
            for ident, frame in sys._current_frames().items():
                if ident == me:
                    continue
                try:
                    stack = tuple(positions_of(frame))
                except Exception:  # a frame changing under the sampler: skip this one
                    continue
                if not stack:
                    continue
                entry = stacks.get(stack)
                if entry is None:
                    stacks[stack] = [1, weight]
                else:
                    entry[0] += 1
                    entry[1] += weight
                self.samples += 1

    # -- the data -------------------------------------------------------------------------------
    def functions(self) -> dict[Code, FunctionStats]:
        """Per function: calls (when counted), total and own time."""
        out: dict[Code, FunctionStats] = {}

        def fn(code: Code) -> FunctionStats:
            f = out.get(code)
            if f is None:
                line = code.lines[0][0] if code.lines else 0
                f = out[code] = FunctionStats(code.name, code.filename, line)
            return f
        for c in self.codes:
            f = fn(c)
            if self.count_ops:
                f.calls = calls_of(c)
        for stack, (_, seconds) in self.stacks.items():
            seen: set[Code] = set()
            for code, _ in stack:
                if code not in seen:
                    seen.add(code)
                    fn(code).total += seconds
            fn(stack[-1][0]).own += seconds
        return out

    def hot_lines(self) -> list[tuple[str, int, float]]:
        """(file, line, own seconds) of the lines that ran longest, hottest first."""
        lines: dict[tuple[str, int], float] = {}
        for stack, (_, seconds) in self.stacks.items():
            code, ip = stack[-1]
            i = max(ip - 1, 0)
            line = code.lines[i][0] if i < len(code.lines) else 0
            key = (code.filename, line)
            lines[key] = lines.get(key, 0.0) + seconds
        ranked = sorted(lines.items(), key=lambda kv: (-kv[1], kv[0]))
        return [(f, ln, s) for (f, ln), s in ranked[:HOT_LINES]]

    def opcodes(self) -> dict[str, int] | None:
        """Executed instructions per opcode, most first (None unless counting)."""
        if not self.count_ops:
            return None
        counts: dict[int, int] = {}
        for c in self.codes:
            ops = c.ops
            if not isinstance(ops, _CountingOps):
                continue
            for (op, _), n in zip(list.__iter__(ops), ops.hits):
                if n:
                    counts[op] = counts.get(op, 0) + n
        return {op_name(op): n for op, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))}

    def collapsed(self) -> list[tuple[str, int]]:
        """Collapsed stacks: (`main (f.ax:1);fib (f.ax:1)`, samples), sorted."""
        names: dict[Code, str] = {c: f.label for c, f in self.functions().items()}
        merged: dict[str, int] = {}
        for stack, (n, _) in self.stacks.items():
            key = ";".join(names[code].replace(";", ",") for code, _ in stack)
            merged[key] = merged.get(key, 0) + int(n)
        return sorted(merged.items())

    def to_json(self, script: str, tier: str) -> dict[str, Any]:
        """Everything the report shows, as plain data (--profile-out)."""
        funcs = sorted(self.functions().values(), key=lambda f: (-f.total, f.name))
        opcodes = self.opcodes()
        return {
            "script": script,
            "tier": tier,
            "wall_seconds": round(self.wall, 6),
            "samples": self.samples,
            "calls_counted": self.count_ops,
            "functions": [{"name": f.name, "file": f.filename, "line": f.line, "calls": f.calls,
                           "total_seconds": round(f.total, 6), "own_seconds": round(f.own, 6)}
                          for f in funcs],
            "hot_lines": [{"file": f, "line": ln, "own_seconds": round(s, 6)}
                          for f, ln, s in self.hot_lines()],
            "opcodes": opcodes,
            "stacks": [{"stack": k.split(";"), "samples": n} for k, n in self.collapsed()],
        }

    # -- the report -----------------------------------------------------------------------------
    def report(self, out: TextIO, tier: str) -> None:
        """The tables, with rich (plain text off a terminal)."""
        from rich.console import Console
        from rich.table import Table
        console = Console(file=out, highlight=False)
        funcs = sorted(self.functions().values(), key=lambda f: (-f.total, -f.own, f.name))
        title = (f"Profile: {self.wall:.3f} s wall, {self.samples} samples, tier "
                 f"{'0 (--jit off)' if tier == 'off' else tier}")
        table = Table(title=title, title_justify="left")
        table.add_column("function")
        table.add_column("where")
        table.add_column("calls", justify="right")
        table.add_column("total s", justify="right")
        table.add_column("total %", justify="right")
        table.add_column("own s", justify="right")
        table.add_column("own %", justify="right")
        wall = self.wall or 1.0
        for f in funcs:
            if f.calls is None and not f.total:
                continue
            table.add_row(f.name, f"{f.filename}:{f.line}",
                          "-" if f.calls is None else str(f.calls),
                          f"{f.total:.3f}", f"{100 * f.total / wall:.1f}",
                          f"{f.own:.3f}", f"{100 * f.own / wall:.1f}")
        console.print(table)
        if not self.count_ops:
            console.print("calls: counted under --jit off only (compiled code has no per-call "
                          "hook); times are sampled in every tier")
        if not self.samples:
            console.print("no samples: the run ended before the first one (about every 1-2 ms)")
        lines = Table(title=f"Hottest lines (own time, top {HOT_LINES})", title_justify="left")
        hot = self.hot_lines()
        where = max((len(f"{f}:{ln}") for f, ln, _ in hot), default=4)
        lines.add_column("line", no_wrap=True, min_width=where)
        lines.add_column("own s", justify="right", no_wrap=True, min_width=6)
        lines.add_column("own %", justify="right", no_wrap=True, min_width=5)
        room = max(10, console.width - where - 6 - 5 - 13)  # 13: the borders and padding
        lines.add_column("source", no_wrap=True)
        for filename, line, seconds in hot:
            text = _source_line(filename, line)
            if len(text) > room:
                text = text[:room - 3] + "..."
            lines.add_row(f"{filename}:{line}", f"{seconds:.3f}", f"{100 * seconds / wall:.1f}", text)
        console.print(lines)
        opcodes = self.opcodes()
        if opcodes is not None:
            total = sum(opcodes.values()) or 1
            ops = Table(title=f"Opcodes: {sum(opcodes.values())} executed", title_justify="left")
            ops.add_column("opcode")
            ops.add_column("count", justify="right")
            ops.add_column("%", justify="right")
            for name, n in opcodes.items():
                ops.add_row(name, str(n), f"{100 * n / total:.1f}")
            console.print(ops)


def calls_of(code: Code) -> int:
    """How often tier 0 entered `code` (its first instruction fetched, minus the fetches
    that came from its own back edges to instruction 0)."""
    ops = code.ops
    if isinstance(ops, _CountingOpsTracked):
        return ops.entries
    if not isinstance(ops, _CountingOps):
        return 0
    back = sum(ops.hits[i] for i, (op, arg) in enumerate(list.__iter__(ops)) if op == Op.JUMP and arg == 0)
    return ops.hits[0] - back if ops.hits else 0


def _source_line(filename: str, line: int) -> str:
    try:
        with open(filename, encoding="utf-8") as f:
            for i, text in enumerate(f, 1):
                if i == line:
                    return text.strip()
    except (OSError, UnicodeDecodeError):
        pass
    return ""


# --- flame graphs ------------------------------------------------------------------------------------

def write_flamegraph(prof: Profiler, path: str, script: str) -> None:
    """--flamegraph PATH: speedscope's JSON file format for `.json`, an SVG drawn with
    matplotlib for `.svg`, else collapsed stacks (`a;b;c N` per line). Raises OSError,
    or ImportError for an SVG without matplotlib."""
    low = path.lower()
    if low.endswith(".svg"):
        data = flamegraph_svg(prof.collapsed(), f"{os.path.basename(script)}: {prof.samples} samples")
        mode = "wb"
    elif low.endswith(".json"):
        import json
        data = json.dumps(speedscope(prof, script)).encode()
        mode = "wb"
    else:
        data = "".join(f"{stack} {n}\n" for stack, n in prof.collapsed()).encode()
        mode = "wb"
    with open(path, mode) as f:
        f.write(data)


def speedscope(prof: Profiler, script: str) -> dict[str, Any]:
    """The run as speedscope's file format: one sampled profile, weights in seconds
    (https://www.speedscope.app/file-format-schema.json)."""
    functions = prof.functions()
    frames: list[dict[str, Any]] = []
    index: dict[Code, int] = {}
    for code, f in functions.items():
        index[code] = len(frames)
        frames.append({"name": f.name, "file": f.filename, "line": f.line})
    samples: list[list[int]] = []
    weights: list[float] = []
    for stack, (_, seconds) in sorted(prof.stacks.items(), key=lambda kv: [index[c] for c, _ip in kv[0]]):
        samples.append([index[code] for code, _ in stack])
        weights.append(round(seconds, 9))
    total = round(sum(weights), 9)
    return {
        "$schema": "https://www.speedscope.app/file-format-schema.json",
        "name": os.path.basename(script),
        "exporter": "axiom --profile",
        "activeProfileIndex": 0,
        "shared": {"frames": frames},
        "profiles": [{"type": "sampled", "name": os.path.basename(script), "unit": "seconds",
                      "startValue": 0, "endValue": total, "samples": samples, "weights": weights}],
    }


def flamegraph_svg(collapsed: list[tuple[str, int]], title: str) -> bytes:
    """A flame graph of collapsed stacks as SVG, drawn with matplotlib (rectangles and
    labels; the root at the bottom, each frame as wide as its share of the samples).
    Every frame's rectangle carries its name and sample count as its SVG id."""
    import io
    buf = io.BytesIO()
    flame_figure(collapsed, title).savefig(buf, format="svg", metadata={"Date": None})
    return buf.getvalue()


def flame_figure(collapsed: list[tuple[str, int]], title: str) -> Any:
    """The matplotlib Figure of a flame graph (see flamegraph_svg)."""
    import zlib

    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle

    tree: dict[str, Any] = {"n": 0, "kids": {}}
    for stack, n in collapsed:
        node = tree
        node["n"] += n
        for name in stack.split(";"):
            node = node["kids"].setdefault(name, {"n": 0, "kids": {}})
            node["n"] += n
    total = tree["n"] or 1
    boxes: list[tuple[float, int, float, str, int]] = []  # x, depth, width, name, samples

    def place(node: dict[str, Any], x: float, depth: int) -> None:
        for name in sorted(node["kids"]):
            kid = node["kids"][name]
            width = kid["n"] / total
            boxes.append((x, depth, width, name, kid["n"]))
            place(kid, x, depth + 1)
            x += width
    place(tree, 0.0, 0)
    depth = max((d for _, d, _, _, _ in boxes), default=0) + 1
    width_in, row_in = 12.0, 0.24
    head = 0.4  # inches for the title
    fig = Figure(figsize=(width_in, row_in * depth + head), dpi=100)
    ax = fig.add_axes((0.005, 0.0, 0.99, (row_in * depth) / (row_in * depth + head)))
    ax.set_xlim(0, 1)
    ax.set_ylim(0, depth)
    ax.axis("off")
    fig.suptitle(title, fontsize=10, y=0.98)
    chars_per_unit = width_in * 0.99 * 72 / 6.0  # characters that fit across at 8 pt
    for x, d, w, name, n in boxes:
        hue = zlib.crc32(name.encode()) % 55
        colour = ((205 + hue) / 255, (90 + hue * 2) / 255, 40 / 255)
        box = Rectangle((x, d), w, 0.92, facecolor=colour, edgecolor="white", linewidth=0.5)
        box.set_gid(f"frame {name} ({n} samples)")
        ax.add_patch(box)
        room = int(w * chars_per_unit)
        if room >= 4:
            label = name if len(name) <= room else name[:room - 2] + ".."
            ax.text(x + 0.002, d + 0.46, label, fontsize=8, va="center", ha="left",
                    family="monospace")
    return fig

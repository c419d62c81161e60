"""The front-to-back fuzzer: random inputs through lexer, parser, compiler, optimizer and
VM (`axiom.Runtime`), looking for anything that is not an Axiom error.

    python tests/fuzz/fuzz.py --seconds 30              # what the test suite runs
    python tests/fuzz/fuzz.py --inputs 100000 --save D  # `nox -s fuzz`: the long run
    python tests/fuzz/fuzz.py --replay FILE...          # check saved inputs again

Inputs come from three generators, mixed: random token streams (`token_soup`), real
programs (tests/conformance, examples) cut, spliced and pushed to extremes (`mutate`),
and generated well-formed programs (`well_formed`). The search is guided by what it
sees: an input whose compiled bytecode holds an opcode pair not seen before, or whose
outcome (the error kind and the shape of its message) is new, joins the pool that
`mutate` draws from, so the run keeps moving into code that has not run yet.

Each input runs sandboxed (no capability) under `Runtime(limits=...)` (steps, wall time,
64 MB values), in one of the execution modes of support/tiers.py. A finding is:
  * an exception that is not an AxiomError, or an AxiomError that is an internal error
    (the VM's or a module's "internal error ..."), or a report that fails to render;
  * a hang: the input still running HANG_SECONDS after it started (a SIGALRM bound,
    which also covers compiling, where the run's own limits do not look);
  * memory growth: the process's peak resident size rising more than GROWTH_MB during
    one input (the process also runs under an address-space cap).
Each new finding (by its signature) is shrunk by removing lines, then characters, while
it still fails the same way, and written to the --save folder. Move those files to
tests/fuzz/corpus/ once fixed: that regression corpus runs in every test run.

Exit status: 0 when nothing was found, 1 otherwise. Must be run from the repository
(it imports tests/support).
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import io
import os
import random
import re
import resource
import signal
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from axiom import Runtime  # noqa: E402
from axiom.errors import render  # noqa: E402
from axiom_sdk import AxiomError  # noqa: E402
from support.tiers import MODES  # noqa: E402
from support.tiers import settings as mode_settings  # noqa: E402

LIMITS = {"max_steps": 200_000, "timeout": 1.0, "max_memory": 64}
HANG_SECONDS = 10
GROWTH_MB = 512
AS_CAP_MB = 3072  # address space the fuzzing process may add to what it starts with

# -- generators ---------------------------------------------------------------------------

KEYWORDS = ("let fn if then else while for in break continue return import from as class "
            "true false nil and or try catch throw out err free").split()
PUNCT = ["+", "-", "*", "/", "%", "==", "!=", "<=", ">=", "<", ">", "!", "=", "+=", "-=", "*=",
         "/=", "%=", "(", ")", "[", "]", "{", "}", ",", ":", ".", "..", "..=", "|", "@", ";", "\n",
         "\n", "\n", " ", "#", "//", "\t", "\\", "$", "`", "\r\n"]
NUMBERS = ["0", "1", "-1", "2", "42", "255", "9223372036854775807", "9223372036854775808",
           "-9223372036854775808", "0x7fffffffffffffff", "0xffffffffffffffff", "0x8000000000000000",
           "0b101", "0o777", "0o1000000000000000000000", "1_000", "1.5", "0.0", "-0.0", "1e308",
           "1e309", "2.5e-3", "4.8e+00", "1" * 30, "9" * 5000, "0x" + "f" * 400, "0b" + "1" * 70, "3."]
STRINGS = ['"s"', "'q'", '""', '"a\\nb"', '"\\u{1F600}"', '"\\u{110000}"', '"\\x"', '"{x}"',
           '@"{x}"', '@"{x:>5}"', '@"{x:{y}}"', '@"{{}}"', '@"{1 + @"{2}"}"', '"""a\nb"""',
           '"unterminated', '@"{', '@"}"', '"a" * 100000', '@"{x:c}"', '@"{1:.3f}"', "r\"\\d\""]
NAMES = ["x", "y", "f", "g", "xs", "s", "d", "n", "len", "str", "int", "float", "range", "list",
         "set", "sorted", "map", "typeof", "self", "P", "init", "push", "pop", "keys", "mth", "str",
         "col", "jsn", "ARGS", "e", "print", "_x", "__class__"]


def token_soup(rng: random.Random) -> str:
    """A random stream of Axiom's tokens (and a few that are not)."""
    pools = (KEYWORDS, PUNCT, NUMBERS, STRINGS, NAMES)
    weights = (3, 8, 2, 2, 4)
    n = rng.choice((3, 8, 20, 60, 200))
    parts = []
    for _ in range(n):
        pool = rng.choices(pools, weights)[0]
        parts.append(rng.choice(pool))
        if rng.random() < 0.6:
            parts.append(" ")
    return "".join(parts)


SETUP = ('import mth\nimport str\nimport col\nimport jsn\nimport num\nimport tim\nimport clr\nimport alg\n'
         'let x = 3\nlet y = 2.5\nlet s = "text"\nlet xs = [1, 2, 3]\nlet d = {"k": 1, "j": [2]}\n'
         'let n = nil\nlet t = true\nfn f(a, b = 1) { a + b }\nclass P { fn init(self, v) { self.v = v } '
         'fn get(self) { self.v } }\nlet p = P(1)\n')
_BIN = ["+", "-", "*", "/", "%", "==", "!=", "<", "<=", ">", ">=", "and", "or", "..", "..="]
_METHODS = {"xs": ["push(1)", "pop()", "len()", "map(|v| v * 2)", "filter(|v| v > 1)", "join(\",\")",
                   "reverse()", "sort()", "contains(2)", "index_of(3)", "copy()", "insert(0, 9)",
                   "extend(0..3)", "reduce(|a, b| a + b)", "remove_at(0)", "clear()"],
            "s": ["split(\"e\")", "upper()", "lower()", "trim()", "replace(\"t\", \"tt\")", "chars()",
                  "find(\"x\")", "contains(\"e\")", "starts_with(\"t\")", "len()", "join([1, 2])"],
            "d": ["keys()", "values()", "items()", "get(\"k\")", "has(\"j\")", "remove(\"k\")", "len()",
                  "copy()", "k", "j", "missing"]}
_CALLS = ["len({})", "str({})", "int({})", "float({})", "typeof({})", "list({})", "set({})",
          "sorted({})", "abs({})", "min({}, 1)", "max({}, 1)", "sum({})", "range({})", "bool({})",
          "f({})", "P({})", "mth.sqrt({})", "mth.floor({})", "jsn.json_stringify({})",
          "jsn.json_parse(str({}))", "str.repeat(\"ab\", {})", "col.list_unique({})",
          "str.pad_left(\"a\", {})", "assert({})", "xs[{}]", "s[{}]", "xs[1:{}]", "s[{}:-1]",
          "xs * {}", "s * {}", "range(0, {}, 3)", "str.regex_find_all({}, s)",
          "str.regex_replace(\"(a|b)*\", s, {})", "jsn.json_pretty({}, 4)", "col.list_chunk(xs, {})",
          "col.list_flatten([xs, {}])", "num.zeros({})", "num.vector([{}])", "mth.pow(2, {})",
          "tim.format_date({})", "tim.parse_date({}, \"%Y\")", "str.split(s, {})", "sorted([{}, 1, nil])",
          "map(|v| v, {})", "filter(|v| v, {})", "int(float({}))", "{}.len()", "col.dict_merge(d, {})",
          "clr.color_text(\"x\", {})", "clr.hex({})", "clr.rgb({}, 0, 300)", "alg.dijkstra(d, {}, 1)",
          "alg.bfs({{\"a\": [{}]}}, \"a\")", "alg.quicksort({})", "alg.binary_search(xs, {})", "str.reverse({})"]


# Literals the grammar accepts (the others are for token_soup and mutate).
GOOD_NUMBERS = [n if n[0] != "-" else f"({n})" for n in NUMBERS[:22] if n not in (
    "9223372036854775808", "0xffffffffffffffff", "0x8000000000000000", "0o1000000000000000000000", "1e309")]
GOOD_STRINGS = ['"s"', "'q'", '""', '"a\\nb"', '"\\u{1F600}"', '"{x}"', '@"{x}"', '@"{x:>5}"', '@"{{}}"']


def expression(rng: random.Random, depth: int = 0) -> str:
    if depth > 4 or rng.random() < 0.3:
        return rng.choice(["x", "y", "s", "xs", "d", "n", "t", "p", "p.v", "xs[0]", "d[\"k\"]",
                           *GOOD_NUMBERS, *GOOD_STRINGS, "[]", "{}", "ARGS", "f"])
    k = rng.randrange(11)
    sub = lambda: expression(rng, depth + 1)  # noqa: E731
    if k == 0:
        return f"({sub()} {rng.choice(_BIN)} {sub()})"
    if k == 1:
        return f"{rng.choice(['-', '!', '@ '])}({sub()})"
    if k == 2:
        return rng.choice(_CALLS).format(sub())
    if k == 3:
        return "[" + ", ".join(sub() for _ in range(rng.randrange(4))) + "]"
    if k == 4:
        return "{" + ", ".join(f"{rng.choice(GOOD_STRINGS[:3])}: {sub()}" for _ in range(rng.randrange(3))) + "}"
    if k == 5:
        return f"{sub()}[{sub()}]"
    if k == 6:
        target = rng.choice(list(_METHODS))
        return f"{target}.{rng.choice(_METHODS[target])}"
    if k == 7:
        return f"(|a| ({sub()}))({sub()})"
    if k == 8:
        return f'@"{{({sub()})}} and {{({sub()}):{rng.choice([">4", ".2f", "<3", "x", "c", "^9", ","])}}}"'
    if k == 9:
        return f"(if {sub()} then ({sub()}) else ({sub()}))"
    return f"[{sub()}; {rng.choice(['3', '0', '-1', '100000000', '2'])}]"


def statement(rng: random.Random, depth: int = 0) -> str:
    k = rng.randrange(12 if depth == 0 else 10)  # definitions and imports at the top level
    e = lambda: expression(rng)  # noqa: E731
    body = lambda: "; ".join(statement(rng, depth + 1) for _ in range(rng.randrange(1, 3))) \
        if depth < 3 else "out 1"  # noqa: E731
    if k == 0:
        return f"out {e()}"
    if k == 1:
        return f"let {rng.choice(['x', 'y', 'z', 'xs', 's'])} = {e()}"
    if k == 2:
        target = rng.choice(["x", "y", "xs[0]", 'd["k"]', "p.v"])
        return f"{target} {rng.choice(['=', '+=', '*='])} {e()}"
    if k == 3:
        return f"if {e()} {{ {body()} }} else {{ {body()} }}"
    if k == 4:
        return f"for i in {rng.choice(['0..5', 'xs', 's', 'd', '0..=3', 'range(3)', e()])} {{ {body()} }}"
    if k == 5:
        return f"let c = 0\nwhile c < 5 {{ c += 1; {body()} }}"
    if k == 6:
        return f"try {{ {body()} }} catch ex {{ out ex.kind }}"
    if k == 7:
        return f"let h = |a| {{ {body()}; ({e()}) }}\nout h({e()})"
    if k == 8:
        return f"throw {e()}"
    if k == 9:
        return f"let (q, r) = {e()}"
    if k == 10:
        return f"class Q {{ fn init(self) {{ self.w = {e()} }} fn m(self) {{ {body()} }} }}\nout Q().m()"
    return rng.choice([
        f"fn r(q) {{ if q > {rng.choice(['10', '100000', '-1'])} then q else r(q + 1) }}\nout r(0)",
        f"fn r(q) {{ r(q + 1) + 1 }}\nout r({e()})",
        f"let big = {rng.choice(['[0; 1000]', '0..100000', 's * 1000', '[xs; 100]'])}\nout len(big)",
        f"let w = []\nfor i in 0..{rng.choice(['10', '1000', '100000'])} {{ w.push({e()}) }}",
        f"import {rng.choice(['mth', 'str', 'col', 'jsn', 'nosuch', 'con', 'num', 'tim', 'clr', 'alg'])}",
    ])


def well_formed(rng: random.Random) -> str:
    """A program the grammar accepts, over variables of every kind; most statements run
    inside a try, so that one error does not end the program."""
    lines = []
    for _ in range(rng.randint(1, 12)):
        st = statement(rng)
        if not st.startswith(("let", "fn", "class", "import")) and rng.random() < 0.7:
            st = f"try {{\n{st}\n}} catch ex {{ out ex.kind }}"
        lines.append(st)
    return SETUP + "\n".join(lines) + "\n"


_NUMBER = re.compile(r"\b\d+(\.\d+)?\b")
_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"')


def mutate(rng: random.Random, pool: list[str]) -> str:
    """A program from the pool, changed in one to three ways."""
    text = rng.choice(pool)
    for _ in range(rng.randint(1, 3)):
        n = len(text)
        k = rng.randrange(12)
        i, j = sorted(rng.randrange(n + 1) for _ in range(2)) if n else (0, 0)
        if k == 0:
            text = text[:i] + text[j:]                                          # cut
        elif k == 1:
            text = text[:i] + text[i:j] * rng.randint(2, 4) + text[i:]         # repeat
        elif k == 2:
            text = text[:i] + rng.choice(pool)[: rng.randint(0, 400)] + text[i:]  # splice
        elif k == 3:
            text = text[:i] + token_soup(rng)[:40] + text[i:]                  # insert tokens
        elif k == 4:
            text = _NUMBER.sub(lambda m: rng.choice(NUMBERS) if rng.random() < 0.3 else m.group(0), text)
        elif k == 5:
            text = _STRING.sub(lambda m: rng.choice(STRINGS) if rng.random() < 0.3 else m.group(0), text)
        elif k == 6:
            lines = text.split("\n")
            rng.shuffle(lines)
            text = "\n".join(lines)
        elif k == 7:                                                            # deep nesting
            d = rng.choice((50, 199, 200, 201, 400))
            o, c = rng.choice((("(", ")"), ("[", "]"), ("{", "}"), ('@"{', '}"'), ("-", ""), ("!", "")))
            text = text[:i] + o * d + "1" + c * d + text[i:]
        elif k == 8 and n:
            text = text[:i] + chr(rng.choice((0, 9, 10, 13, 34, 39, 64, 92, 123, 125, 0xFEFF, 0x10FFFF,
                                               rng.randrange(32, 127)))) + text[i + 1:]
        elif k == 9:
            text = text[: rng.randrange(n + 1)]                                 # truncate
        elif k == 10:
            text = text[:i] + "\n" + statement(rng) + "\n" + text[i:]
        else:
            text = text[:i] + " " + rng.choice(KEYWORDS + NAMES) + " " + text[i:]
    return text[:20_000]


def seeds() -> list[str]:
    """The real programs mutate starts from."""
    out = []
    for folder in (ROOT / "tests" / "conformance", ROOT / "examples"):
        for path in sorted(folder.rglob("*.ax")):
            try:
                out.append(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError):
                pass
    return out


# -- running one input ----------------------------------------------------------------------

class Hang(BaseException):
    """Raised by SIGALRM when an input runs past HANG_SECONDS."""


def _alarm(signum: int, frame: object) -> None:
    raise Hang()


def _internal(e: AxiomError) -> bool:
    return bool(getattr(e, "internal", False)) or "internal error" in e.message


def _caused_by_hang(e: BaseException) -> bool:
    seen = 0
    c: BaseException | None = e
    while c is not None and seen < 20:
        if isinstance(c, Hang):
            return True
        c = c.__cause__ or c.__context__
        seen += 1
    return False


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_one(source: str, mode: str) -> tuple[str | None, tuple[str, ...]]:
    """Run `source` in `mode`: (a finding's signature or None, the features it showed)."""
    out, err = io.StringIO(), io.StringIO()
    rt = Runtime(grants=None, limits=dict(LIMITS), settings=mode_settings(mode), stdout=out, stderr=err)
    features: list[str] = []
    peak = _peak_mb()
    signal.setitimer(signal.ITIMER_REAL, HANG_SECONDS)
    finding = None
    try:
        try:
            code = rt.compile(source, "fuzz.ax")
            features += _shape(code)
            rt._execute(code, rt.main)  # the run_file/eval path, after compile
            features.append("ok")
        except AxiomError as e:
            if _caused_by_hang(e):
                finding = "hang"
            elif _internal(e):
                cause = e.__cause__
                finding = f"internal:{type(cause).__name__ if cause else ''}:{_skeleton(e.message)}"
            else:
                features.append(f"{e.kind}:{_skeleton(e.message)}")
                report = render(e)  # what the CLI prints must render too
                if "Traceback" in report:
                    finding = "traceback-in-report"
        finally:
            try:
                rt.close()
            except AxiomError:
                pass
    except Hang:
        finding = "hang"
    except BaseException as e:  # noqa: BLE001 - anything else is what we look for
        if isinstance(e, KeyboardInterrupt):
            raise
        finding = f"host:{type(e).__name__}:{_skeleton(str(e))}"
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    if finding is None and _peak_mb() - peak > GROWTH_MB:
        finding = "memory-growth"
    return finding, tuple(features)


def _skeleton(message: str) -> str:
    """A message's shape: numbers and quoted parts blanked, first 60 characters."""
    m = re.sub(r"\d+", "#", message)
    m = re.sub(r"'[^']*'|\"[^\"]*\"", "''", m)
    return m[:60]


def _shape(code: object) -> list[str]:
    """Opcode pairs of a code object and the functions inside it (the coverage signal)."""
    from axiom.bytecode import Code
    out: set[str] = set()
    stack = [code]
    while stack:
        c = stack.pop()
        ops = [op for op, _ in c.ops]  # type: ignore[attr-defined]
        out.update(f"{a}>{b}" for a, b in zip(ops, ops[1:]))
        stack.extend(k for k in c.consts if isinstance(k, Code))  # type: ignore[attr-defined]
    return sorted(out)


def shrink(source: str, signature: str, mode: str, budget: float = 60.0) -> str:
    """A smaller input that still fails with `signature`: lines, then characters."""
    deadline = time.monotonic() + budget

    def fails(text: str) -> bool:
        return time.monotonic() < deadline and run_one(text, mode)[0] == signature

    for unit in ("\n", ""):
        parts = source.split("\n") if unit else list(source)
        chunk = max(1, len(parts) // 2)
        while chunk >= 1 and time.monotonic() < deadline:
            i = 0
            while i < len(parts):
                trial = parts[:i] + parts[i + chunk:]
                if trial and fails(unit.join(trial)):
                    parts = trial
                else:
                    i += chunk
            chunk //= 2
        source = unit.join(parts)
    return source


# -- the campaign -----------------------------------------------------------------------------

def campaign(*, seconds: float | None, inputs: int | None, seed: int, save: Path | None,
             log: io.TextIOBase) -> dict[str, str]:
    """Fuzz until `seconds` pass or `inputs` ran; the findings, signature -> shrunk input."""
    rng = random.Random(seed)
    pool = seeds()
    seen: set[str] = set()
    modes = list(MODES)
    findings: dict[str, str] = {}
    start = time.monotonic()
    count = 0
    report_at = start + 30
    while (seconds is None or time.monotonic() - start < seconds) and (inputs is None or count < inputs):
        kind = rng.random()
        if kind < 0.25:
            source = token_soup(rng)
        elif kind < 0.65:
            source = mutate(rng, pool)
        else:
            source = well_formed(rng)
        mode = modes[count % len(modes)]
        count += 1
        signature, features = run_one(source, mode)
        new = [f for f in features if f not in seen]
        if new:
            seen.update(new)
            if len(pool) < 5000:
                pool.append(source)
        if signature is not None and signature not in findings:
            small = shrink(source, signature, mode)
            findings[signature] = small
            log.write(f"FOUND {signature} after {count} inputs ({mode}):\n{small[:400]}\n---\n")
            if save is not None:
                save.mkdir(parents=True, exist_ok=True)
                name = hashlib.sha1(small.encode("utf-8", "surrogatepass")).hexdigest()[:12]
                (save / f"{name}.ax").write_text(small, encoding="utf-8", errors="surrogatepass")
        if count % 200 == 0:
            gc.collect()
        if time.monotonic() > report_at:
            report_at += 60
            log.write(f"{count} inputs, {time.monotonic() - start:.0f} s, {len(seen)} features, "
                      f"pool {len(pool)}, {len(findings)} findings\n")
            log.flush()
    elapsed = time.monotonic() - start
    log.write(f"done: {count} inputs in {elapsed:.0f} s ({count / max(elapsed, 1e-9):.0f}/s), seed {seed}, "
              f"{len(seen)} features, {len(findings)} findings\n")
    return findings


def _cap_address_space() -> None:
    with open("/proc/self/statm") as f:
        now = int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = now + AS_CAP_MB * 1024 * 1024
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, help="stop after this long")
    ap.add_argument("--inputs", type=int, help="stop after this many inputs")
    ap.add_argument("--seed", type=int, default=int(os.environ.get("AXIOM_FUZZ_SEED", "13")))
    ap.add_argument("--save", type=Path, help="folder for the shrunk inputs of findings")
    ap.add_argument("--replay", nargs="*", type=Path, help="run these files and report findings")
    args = ap.parse_args(argv)
    sys.setrecursionlimit(20000)
    signal.signal(signal.SIGALRM, _alarm)
    _cap_address_space()
    replay = [p.resolve() for p in args.replay] if args.replay is not None else None
    save = args.save.resolve() if args.save is not None else None
    import tempfile
    os.chdir(tempfile.mkdtemp(prefix="axiom-fuzz-"))  # an empty folder: imports find nothing
    if replay is not None:
        bad = 0
        for path in replay:
            for mode in MODES:
                signature, _ = run_one(path.read_text(encoding="utf-8", errors="surrogatepass"), mode)
                if signature is not None:
                    bad += 1
                    print(f"{path}: {mode}: {signature}")
        return 1 if bad else 0
    if args.seconds is None and args.inputs is None:
        args.seconds = 30
    # What scripts and modules print goes nowhere; the log keeps the real stdout.
    log = os.fdopen(os.dup(1), "w", buffering=1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    findings = campaign(seconds=args.seconds, inputs=args.inputs, seed=args.seed, save=save,
                        log=log)  # type: ignore[arg-type]
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

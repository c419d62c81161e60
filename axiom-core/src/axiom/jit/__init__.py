"""The JIT tiers: hot Axiom code compiled, and the decisions about when.

Pipeline position: beside the VM. `Runtime` makes one `Tiers` when the `jit` setting is
not "off"; the VM asks it (through `VM.invoke` and the loop's back edges) to compile a
function that passed `jit_threshold` calls, or to take over a running loop that passed it
in back edges (on-stack replacement), and to run compiled code. This file imports only
bytecode: the generator (jit/emit.py) and its flow analysis are imported at the first
compile, so a short script pays nothing for them.

Tier 1 ("host") compiles to Python functions (jit/emit.py). Compiled code is generated at
run time and never cached (ARCHITECTURE.md §4): `.axc` holds Axiom bytecode only.

What a compiled unit may assume, and how it stays right:
  * argument types observed on the call that made it hot: guarded on entry, with a
    version for any types behind the guard;
  * globals that no code of the module can reassign (stable globals: one store in the
    module's main code, outside loops, never freed): read as constants; a new program run
    in the same module (`Runtime.eval`, the REPL) or a host that rebinds one drops every
    unit that assumed it;
  * nothing about recursion depth: a call that finds the host stack full (RecursionError
    on entering the callee) runs in tier 0, on the heap, to `max_call_depth`.
"""

from __future__ import annotations

import os
import sys

from ..bytecode import NEVER, Code, Op

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Final

# Below this max_call_depth, function entries are not compiled (loops still are): compiled
# calls use the host stack, and only tier 0 counts depth exactly at small limits.
MIN_DEPTH_FOR_CALLS: Final = 30_000
DEOPT_LIMIT: Final = 20  # wrong guesses before a unit is compiled again without them


class Tiers:
    """The JIT of one Runtime: `tier` is "host" (tier 1) or "native" (tier 2, which
    falls back to tier 1 for what it cannot compile)."""

    def __init__(self, runtime: Any, tier: str) -> None:
        settings = runtime.settings
        self.runtime = runtime
        self.tier = tier
        self.threshold: int = int(settings.get("jit_threshold", 1000))
        self.caches = bool(settings.get("ic_enabled", True))  # inline caches at method calls
        # AXIOM_JIT_FUNCTIONS=0 compiles loops only (every function body stays in tier 0
        # unless a loop in it runs hot): the differential tests use it to reach the
        # on-stack replacement of loops inside functions.
        self.calls_too = (int(settings.get("max_call_depth", 1_000_000)) >= MIN_DEPTH_FOR_CALLS
                          and os.environ.get("AXIOM_JIT_FUNCTIONS") != "0")
        level = os.environ.get("AXIOM_JIT_LOG", "")
        self.log = level in ("1", "code") or bool(settings.get("jit_log"))
        self.show_code = level == "code"
        self.compiled: dict[str, int] = {"host": 0, "native": 0}  # units compiled, per tier (metrics)
        self._modules: dict[int, _ModuleFacts] = {}
        self.banned: dict[Any, set[int]] = {}  # unit key -> instructions whose guess failed
        self._wrong: dict[Any, int] = {}
        self._emit: Any = None
        self.enter: Any = None  # set with the generator: entries exist only after it ran
        self._calls: Any = None
        self._embedded: dict[int, tuple[Code, list[Code]]] = {}  # see embeds()
        self._caches: dict[int, tuple[Code, set[Any]]] = {}  # see watch()
        self.units: dict[int, Code] = {}  # id -> a code that has a compiled unit (relimit)
        # Tier 2 (jit/native/): used for tier "native" when llvmlite is installed (it counts
        # steps as tier 0 does, so limited runs use it too). "native" is the default: without
        # llvmlite that is tier 1, silently unless someone asked for native.
        self.native = tier == "native" and self._native_available(tier)
        # the tier in effect, as a plain str (settings go to worker processes)
        settings["jit"] = ("native" if self._native_available(tier) else "host") if tier == "native" \
            else str(tier)
        self.native_banned: set[Any] = set()  # codes that left native code too often
        self.native_units: dict[Any, Any] = {}  # code or (code, header) -> its native unit
        # Every note as (the unit being compiled: code or (code, header), or None; message),
        # kept only when a caller asks for them with a list (`axiom dis --jit`, jit/show.py)
        self.journal: list[tuple[Any, str]] | None = None
        self._subject: Any = None

    @property
    def calls(self) -> Any:
        """The calls compiled code makes (jit.support.Calls), made at the first compile."""
        if self._calls is None:
            from .support import Calls
            self._calls = Calls(self.runtime)
        return self._calls

    # -- the VM's questions ----------------------------------------------------------------
    def compile(self, fn: Any, slots: list[Any]) -> Any:
        """A compiled entry for closure `fn`, specialised on the argument values in
        `slots`; NEVER when its code will not compile (it then stays in tier 0)."""
        code: Code = fn.code
        if not self.calls_too:
            code.jit = NEVER
            if self.journal is not None:
                why = ("AXIOM_JIT_FUNCTIONS=0" if os.environ.get("AXIOM_JIT_FUNCTIONS") == "0"
                       else f"max_call_depth is below {MIN_DEPTH_FOR_CALLS}")
                self.journal.append((code, f"{code.name} ({code.filename}) stays in tier 0: {why}: "
                                           "only loops are compiled"))
            return NEVER
        subject, self._subject = self._subject, code  # what notes are about (journal)
        entry = None
        if self.native:
            from .native import compile_function
            entry = compile_function(self, fn, slots)
        if entry is None:
            entry = self._generator().compile_function(self, fn, slots[:code.nparams])
        elif self.enter is None:  # a native entry: the VM runs it as it runs tier 1's
            from .support import enter  # (tier 1's generator is imported only if needed)
            self.enter = enter
        self._subject = subject
        code.jit = entry
        self.units[id(code)] = code
        return entry

    def back_edge(self, vm: Any, frame: Any, header: int) -> Any:
        """Tier 0 took a loop's back edge to `header` in `frame` (which has no active
        `try`). Counts hotness; once hot, runs the rest of the frame in compiled code and
        returns (its result,); or an int, the instruction where tier 0 goes on in the
        frame (compiled code left it there, slots and stack refreshed); or None to go on
        at the header."""
        code: Code = frame.code
        osr = code.osr
        unit = osr.get(header) if osr is not None else None
        if unit is None:
            code.hot += 1
            if code.hot <= self.threshold or vm.deep:
                return None
            if osr is None:
                osr = code.osr = {}
            unit = osr[header] = self._compile_osr(frame, header)
            self.units[id(code)] = code
        if unit is NEVER or vm.deep:
            return None
        result = unit(vm, frame)
        if result is _NOT_TAKEN:
            return None
        if type(result) is int and not frame.osr:  # deoptimised: tier 0 resumes there
            return result
        frame.osr = False
        return (result,)

    def wrong_guess(self, key: Any, ip: int, code: Code) -> None:
        """A unit's guess at `ip` failed (it deoptimised). After DEOPT_LIMIT of them the
        unit is dropped, and compiled again later without guessing there."""
        n = self._wrong.get(key, 0) + 1
        self._wrong[key] = n
        self.banned.setdefault(key, set()).add(ip)
        if n >= DEOPT_LIMIT:
            self._wrong[key] = 0
            header = key[1]
            if header is None:
                code.jit = None
                self._unlink(code)
            elif code.osr is not None:
                code.osr.pop(header, None)
            code.hot = 0
            self.note(f"{code.name} guessed wrong {n} times: compiling it again without those guesses")

    # -- what compiled code may assume about globals -----------------------------------------
    def register(self, code: Code, module: Any) -> None:
        """A program is about to run in `module` (its main code, or a new eval in the same
        module): learn which globals it may rebind, and drop compiled units whose
        assumptions it or the host broke."""
        facts = self._modules.get(id(module))
        if facts is None or facts.module is not module:
            facts = self._modules[id(module)] = _ModuleFacts(module, self.reset)
        facts.add(code)
        facts.recheck()

    def relimit(self) -> None:
        """The run counts steps from now on (a task's thread started, so that cancelling
        the run can stop it at a back edge or call): tier-1 units compiled before count
        none, so all are dropped and compile again with ticks. Native code counts steps
        whenever the VM that enters it is limited (jit/native/glue.py), so it stays."""
        for code in list(self.units.values()):
            self.reset(code)

    def stable(self, module: Any) -> Any:
        """A lookup for `module`'s stable globals: name -> (value,) or None."""
        facts = self._modules.get(id(module))
        if facts is None or facts.module is not module:
            return None
        return facts.lookup

    def owned(self, module: Any) -> Any:
        """A test for `module`'s globals that only main code stores to: name -> bool.
        Compiled main code keeps such a global in a local (and stores write through)."""
        facts = self._modules.get(id(module))
        if facts is None or facts.module is not module:
            return None
        return facts.owned

    def embeds(self, callee: Code, code: Code) -> None:
        """Compiled `code` calls the compiled entry of `callee` directly: when that entry
        is dropped, so is `code`."""
        self._embedded.setdefault(id(callee), (callee, []))[1].append(code)

    def watch(self, code: Code, cache: Any) -> None:
        """An inline cache (jit.support.MethodCache) now calls the compiled entry of
        `code`: emptied when that entry is dropped."""
        self._caches.setdefault(id(code), (code, set()))[1].add(cache)  # a site refills often

    def reset(self, code: Code) -> None:
        """Drop every compiled unit of `code`, and of the code that calls them directly."""
        code.jit = None
        code.osr = None
        code.hot = 0
        self.units.pop(id(code), None)
        self._unlink(code)

    def _unlink(self, code: Code) -> None:
        """The compiled entry of `code` is gone: so is everything that calls it directly."""
        for cache in self._caches.pop(id(code), (None, ()))[1]:
            cache.cls = None
        _, callers = self._embedded.pop(id(code), (None, ()))
        for caller in callers:
            self.reset(caller)

    def depend(self, module: Any, name: str, code: Code) -> None:
        facts = self._modules.get(id(module))
        if facts is not None:
            facts.depend(name, code)

    # -- helpers -----------------------------------------------------------------------------
    def _compile_osr(self, frame: Any, header: int) -> Any:
        subject, self._subject = self._subject, (frame.code, header)  # what notes are about
        unit = None
        if self.native:
            from .native import compile_osr
            unit = compile_osr(self, frame, header)
        if unit is None:
            unit = self._generator().compile_osr(self, frame, header)
        self._subject = subject
        return unit

    def _native_available(self, tier: str) -> bool:
        if native_available():
            return True
        from ..conf import jit_asked
        if not jit_asked(tier) or getattr(self, "_told", False):
            return False
        self._told = True
        sys.stderr.write("axiom: llvmlite is not installed: --jit native runs tier 1 "
                         "(install axiom-core[native] for tier 2)\n")
        return False

    def _generator(self) -> Any:
        if self._emit is None:
            from . import support, units
            self._emit = units
            self.enter = support.enter  # how the VM runs a compiled entry
        return self._emit

    def failed(self, code: Code, error: Exception) -> None:
        """The generator failed on `code` (a bug in the JIT, never the script's fault):
        the code stays in tier 0, which runs it right. AXIOM_JIT_STRICT=1 (the test suite)
        raises instead, so that such a bug cannot hide."""
        if os.environ.get("AXIOM_JIT_STRICT") == "1":
            raise error
        self.note(f"{code.name} ({code.filename}) stays in tier 0: the JIT failed: "
                  f"{type(error).__name__}: {error}")

    def note(self, message: str, tree: Any = None) -> None:
        """A JIT event on stderr when AXIOM_JIT_LOG=1 (or --jit-log); AXIOM_JIT_LOG=code
        also prints the code generated. Kept in `journal` when that is a list."""
        if self.journal is not None:
            self.journal.append((self._subject, message))
        if self.log:
            sys.stderr.write(f"axiom jit: {message}\n")
            if self.show_code and tree is not None:
                import ast
                sys.stderr.write(ast.unparse(tree) + "\n")


class _NotTaken:
    __slots__ = ()


_NOT_TAKEN: Final = _NotTaken()  # what an OSR unit returns when its entry guards fail


class _ModuleFacts:
    """What the programs run in one module store into its globals."""

    def __init__(self, module: Any, reset: Any) -> None:
        self.module = module
        self.reset = reset  # Tiers.reset
        self.globals: dict[str, Any] = module.globals
        self.sites: dict[str, int] = {}  # name -> stores that may run more than once, or 1
        self.shared: set[str] = set()  # names a function stores to or a program frees
        self.assumed: dict[str, Any] = {}  # name -> the value compiled code relies on
        self.deps: dict[str, list[Code]] = {}

    def add(self, code: Code) -> None:
        changed = set()
        for name, once, by_main in _stores(code, True):
            self.sites[name] = self.sites.get(name, 0) + (1 if once else 2)
            if not by_main:
                self.shared.add(name)
            changed.add(name)
        for name in changed:
            if self.sites[name] > 1:
                self._drop(name)

    def recheck(self) -> None:
        for name, value in list(self.assumed.items()):
            if self.globals.get(name, _ABSENT) is not value:
                self._drop(name)

    def lookup(self, name: str) -> tuple[Any] | None:
        """(value,) for a global that cannot change any more: stored once by the main
        code, outside loops, already; or a built-in that nothing stores to."""
        sites = self.sites.get(name, 0)
        value = self.globals.get(name, _ABSENT)
        if sites == 0 and value is _ABSENT:
            builtin = self.builtin(name)
            if builtin is None:
                return None
            self.assumed[name] = _ABSENT
            return (builtin,)
        if sites != 1 or value is _ABSENT:
            return None
        self.assumed[name] = value
        return (value,)

    def owned(self, name: str) -> bool:
        """Whether only programs' main code stores to `name` (no function, no `free`):
        while a main code runs, nothing but it changes the global."""
        return name in self.sites and name not in self.shared

    def builtin(self, name: str) -> Any:
        runtime = getattr(self.module, "runtime", None)
        if runtime is None or name == "ARGS":
            return None
        v = runtime.builtins.get(name)
        if v is None:
            from ..prelude import builtin_named
            v = builtin_named(name)
        return v

    def depend(self, name: str, code: Code) -> None:
        self.deps.setdefault(name, []).append(code)

    def _drop(self, name: str) -> None:
        self.assumed.pop(name, None)
        for code in self.deps.pop(name, ()):
            self.reset(code)


_ABSENT: Final = object()


def _stores(code: Code, main: bool) -> list[tuple[str, bool, bool]]:
    """(name, runs at most once, a plain store by main code) for every store to a global
    in `code` and the code nested in it. Only a store in a program's main code, outside
    any loop, runs once."""
    out = []
    loops = [(arg, i) for i, (op, arg) in enumerate(code.ops)
             if op in (Op.JUMP, Op.JUMP_IF_FALSE, Op.JUMP_IF_TRUE) and arg <= i]
    for i, (op, arg) in enumerate(code.ops):
        if op == Op.STORE_GLOBAL or op == Op.FREE_GLOBAL:
            by_main = main and op == Op.STORE_GLOBAL
            once = by_main and not any(h <= i <= e for h, e in loops)
            out.append((code.consts[arg], once, by_main))
    for c in code.consts:
        if isinstance(c, Code):
            out += _stores(c, False)
    return out


_NATIVE: bool | None = None


def native_available() -> bool:
    """Whether llvmlite can be imported (found without importing it, or jit.native)."""
    global _NATIVE
    if _NATIVE is None:
        if "llvmlite" in sys.modules:
            _NATIVE = sys.modules["llvmlite"] is not None
        elif any(os.path.isfile(os.path.join(p or ".", "llvmlite", "__init__.py")) for p in sys.path):
            _NATIVE = True  # an installed package: found without importing importlib.util
        else:  # (whose imports cost every run 2-3 ms of start-up)
            import importlib.util
            try:
                _NATIVE = importlib.util.find_spec("llvmlite") is not None
            except (ImportError, ValueError):
                _NATIVE = False
    return _NATIVE

"""The runtime and embedding API: `axiom.Runtime`.

Pipeline position: the top of the core. Drives lexer -> parser -> resolve -> compiler
-> optimizer (with the .axc cache) -> vm, loads modules (loader.py for installed ones,
NAME.ax files itself), checks capabilities and renders nothing (the CLI does).

    rt = Runtime(grants={"fs.read"}, limits={"max_steps": 10_000_000})
    rt.run_file("script.ax")
    rt.eval("1 + 2")            # -> 3
    rt.call("main", 42)
    rt.globals["x"]
    rt.register("double", lambda x: x * 2)   # a host function scripts may call
    rt.metrics()                # wall/CPU time, instructions, memory, GC, threads

An embedded Runtime grants no capability unless asked; the CLI grants all (or, with
--sandbox, only what its --allow-* flags give).

Each `eval`, `call` and `run_file` is a run of its own as far as limits go: it gets the
whole step budget, a fresh deadline and its memory growth counted from where it
started (`limits={"budget": "shared"}` makes them share one budget instead). A limit
raised by one leaves the Runtime usable for the next. Everything a Runtime holds is
its own: grants, limits, loaded modules and their per-run state (axiom_sdk.Run), so two
Runtimes in one process never see each other's.
"""

from __future__ import annotations

import _thread  # threading without its imports (functools, collections): start-up time
import os
import sys
import time

from axiom_sdk import AxiomError, Class, Function, Run, capability_check, current_run, host_function
from axiom_sdk._module import run_deadline

from . import __version__, conf
from .intrinsics import memory_limit
from .vm import OutputClosed

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs start-up time; annotations here are strings
    from collections.abc import Callable
    from typing import Any, ClassVar, Final, TextIO

    from .bytecode import Code


ALL_CAPABILITIES: Final = ("fs.read", "fs.write", "net", "env", "proc", "sys")
LIMITS: Final = ("max_steps", "max_memory", "timeout", "max_call_depth", "budget")
SAMPLE_STEPS: Final = 4096  # memory (and thread) samples: one per this many steps
RECURSION_LIMIT: Final = 20000  # the host's, raised during a run (module code may recurse)
_NEVER: Final = float("inf")
_FLAG: Final = {"fs.read": "--allow-read", "fs.write": "--allow-write", "net": "--allow-net",
                "env": "--allow-env", "proc": "--allow-run", "sys": "--allow-sys"}

class ScriptModule:
    """A script's namespace: the main program or an imported NAME.ax file. It exports
    its top-level names that do not start with `_`."""

    axiom_type: ClassVar[str] = "module"
    api_version: ClassVar[int] = 1

    def __init__(self, name: str, filename: str, runtime: Runtime) -> None:
        self.name = name
        self.filename = filename
        self.runtime = runtime
        self.globals: dict[str, Any] = {}

    def init(self) -> None:
        pass

    def get_symbol(self, name: str) -> Any:
        if not name.startswith("_"):
            v = self.globals.get(name, _MISSING)
            if v is not _MISSING:
                return v
        import difflib
        near = difflib.get_close_matches(name, self.list_exports(), 3)
        hint = f" (did you mean {', '.join(near)}?)" if near else ""
        raise AxiomError("SymbolNotFound", f"module '{self.name}' has no symbol '{name}'{hint}")

    def list_exports(self) -> list[str]:
        return [k for k in self.globals if not k.startswith("_")]

    def metadata(self) -> tuple[str, str]:
        return self.name, "file"

    def __repr__(self) -> str:
        return f"<module {self.name}>"


_MISSING: Final = object()


def _is_host_callable(v: Any) -> bool:
    """A host's own Python callable (not an Axiom value, a Python class or a foreign
    value)."""
    t = type(v)
    return not (isinstance(v, (Function, Class, type)) or getattr(t, "axiom_type", None)
                or getattr(t, "__axiom_foreign__", None) is not None)


def out_of_memory() -> AxiomError:
    """The error for a host MemoryError (the address-space backstop of --max-memory, or
    the machine itself): LimitExceeded, as the VM reports one inside an instruction."""
    return AxiomError("LimitExceeded", "out of memory (the run needed more memory than it "
                                       "may use: --max-memory)")


def _checked_settings(given: dict[str, Any]) -> dict[str, Any]:
    """A host's settings over the defaults, each known one checked as config.toml's are
    (a ValueError names the bad one: `module_paths = "lib"` would otherwise be searched
    one character at a time). Other keys (a tier's `jit_log`) pass as they are."""
    for key, value in given.items():
        if key not in conf.DEFAULTS:
            continue
        try:
            conf.check(key, value)
        except conf.ConfigError as e:
            raise ValueError(f"settings: {e.message}") from None
    return {**conf.DEFAULTS, **given}


class Grants:
    """Capabilities: each None (granted everywhere), a list of scopes (paths or hosts),
    or absent (denied)."""

    def __init__(self, spec: Any) -> None:
        self.caps: dict[str, list[str] | None] = {}
        if spec is None:
            return
        if spec == "all":
            spec = ALL_CAPABILITIES
        # {cap: scopes}, ["cap", "cap:scope"] or [(cap, scope or None)] (what the CLI builds)
        items = spec.items() if isinstance(spec, dict) else (
            (s, None) if isinstance(s, str) else (s[0], s[1]) for s in spec)
        for cap, scope in items:
            if scope is None and ":" in cap:
                cap, _, scope = cap.partition(":")
            if cap not in ALL_CAPABILITIES:
                raise ValueError(f"unknown capability {cap!r}")
            if scope is None:
                self.caps[cap] = None
            else:
                scopes = [scope] if isinstance(scope, str) else list(scope)
                if cap in ("fs.read", "fs.write"):
                    scopes = [os.path.realpath(s) for s in scopes]
                if self.caps.get(cap, []) is not None:
                    self.caps.setdefault(cap, []).extend(scopes)  # type: ignore[union-attr]

    def check(self, cap: str, resource: Any = None) -> None:
        if cap in ("fs.read", "fs.write") and isinstance(resource, str):
            if resource.startswith(("http://", "https://")):
                cap = "net"  # modules that read paths or URLs: a URL is network access
            elif "\0" in resource:
                raise AxiomError("ValueError", "a path may not contain a NUL byte")
        if cap not in self.caps:
            raise self._denied(cap, resource)
        scopes = self.caps[cap]
        if scopes is not None:
            if resource is None or not self._covers(cap, scopes, resource):
                raise self._denied(cap, resource)
        if cap == "fs.read" and isinstance(resource, str) and "environ" in resource:
            real = os.path.realpath(resource)
            if real.startswith("/proc/") and real.endswith("/environ") and "env" not in self.caps:
                raise self._denied("env", resource)

    @staticmethod
    def _covers(cap: str, scopes: list[str], resource: Any) -> bool:
        if cap in ("fs.read", "fs.write"):
            real = os.path.realpath(str(resource))
            return any(real == s or real.startswith(s.rstrip(os.sep) + os.sep) for s in scopes)
        if cap == "net":
            text = str(resource)
            host = text
            if "://" in text:
                from urllib.parse import urlsplit
                host = urlsplit(text).hostname or ""
            return host in scopes
        return True

    @staticmethod
    def _denied(cap: str, resource: Any) -> AxiomError:
        what = f" for {resource}" if resource is not None else ""
        flag = _FLAG[cap]
        scoped = f"{flag}={resource}" if resource is not None and cap in ("fs.read", "fs.write", "net") else flag
        if cap == "net" and resource is not None and "://" in str(resource):
            from urllib.parse import urlsplit
            scoped = f"{flag}={urlsplit(str(resource)).hostname}"
        return AxiomError("PermissionDenied", f"{cap} denied{what} (grant it with {scoped})")


class _RuntimeRun(Run):
    """The SDK's per-run module state, answering script positions from this Runtime."""

    __slots__ = ("runtime",)

    def __init__(self, runtime: Runtime) -> None:
        super().__init__()
        self.runtime = runtime

    def position(self) -> tuple[str, int] | None:
        return self.runtime.script_position()

    # work in other processes (axiom_sdk._processes): ship.py and workers.py do it
    def ship(self, value: Any, what: str) -> bytes:
        from .ship import ship
        return ship(self.runtime, value, what)

    def unship(self, data: bytes) -> Any:
        from .ship import unship
        return unship(self.runtime, data)

    def is_script_function(self, fn: Any) -> bool:
        from .vm import Closure
        return type(fn) is Closure

    def worker_setup(self) -> tuple[list[str], bytes]:
        from .workers import setup
        return setup(self.runtime)

    def job_runner(self) -> Any:
        from .workers import run_job
        return run_job

    def write(self, text: str, stream: int) -> None:
        try:
            self.runtime.write(text, stream)
        except OutputClosed:
            pass


class Runtime:
    """Runs Axiom code. See the module docstring.

    grants   -- capabilities (see Grants); none by default
    limits   -- max_steps, max_memory (MB), timeout (s), max_call_depth, and budget:
                "each" (default: every eval/call/run_file gets the whole of each limit)
                or "shared" (one budget for the Runtime's life)
    metrics  -- count instructions and calls for `metrics()` even without a limit
    """

    def __init__(self, grants: Any = None, limits: dict[str, Any] | None = None, *,
                 settings: dict[str, Any] | None = None, stdout: TextIO | None = None,
                 stderr: TextIO | None = None, args: list[str] | tuple[str, ...] = (),
                 metrics: bool = False) -> None:
        self.settings = _checked_settings(settings) if settings is not None else conf.load()
        self.limits = dict(limits or {})
        unknown = [k for k in self.limits if k not in LIMITS]
        if unknown:
            raise ValueError(f"unknown limit {unknown[0]!r} (known: {', '.join(LIMITS)})")
        budget = self.limits.get("budget", "each")
        if budget not in ("each", "shared"):
            raise ValueError(f"limits['budget'] is 'each' or 'shared', not {budget!r}")
        self.shared_budget = budget == "shared"
        if "max_call_depth" in self.limits:
            self.settings["max_call_depth"] = int(self.limits["max_call_depth"])
        self.grants = Grants(grants)
        self.max_steps: int | None = self.limits.get("max_steps")
        self.timeout: float | None = self.limits.get("timeout")
        mb = self.limits.get("max_memory")
        self.max_memory: int | None = int(mb * 1024 * 1024) if mb else None
        self.counting = metrics
        # The VM calls tick() at back edges and calls only when this is true.
        self.limited = (self.max_steps is not None or self.timeout is not None
                        or self.max_memory is not None or metrics)
        self._counted = self.limited  # metrics() reports steps (limited may turn on later)
        self.cancelled: str | None = None  # why cancel() was called ("interrupted")
        self._owner: int | None = None  # the thread running the outermost eval/call/run_file
        self.steps = 0  # this budget's steps (all of the Runtime's when the budget is shared)
        self.calls = 0
        self.deadline: float | None = None
        self._ticks = 0
        self._budget_started = False
        self._steps_before = 0  # steps of earlier budgets, for metrics()
        self._next_sample: float = _NEVER
        self._memory_cap: int | None = None  # resident bytes at which the run is stopped
        self._threads_peak = 1
        self._depth = 0  # eval/call/run_file nesting (a host function may call eval)
        self._saved_recursion: int | None = None
        self._gc_was = False  # the cycle collector was on before a run turned it off
        import gc
        self.clock = (time.monotonic(), time.process_time(), gc.get_stats())  # see metrics.snapshot
        self.run_state = _RuntimeRun(self)  # modules' state in this Runtime (axiom_sdk.Run)
        self.plugins: Any = None  # the pluggy manager when plugins are installed
        self.profiler: Any = None  # profiler.Profiler or Tracer: sees each Code before it runs
        self.jit: Any = None  # the JIT tiers (axiom.jit.Tiers) when `jit` is not "off"
        if self.settings.get("jit", "off") != "off":
            from .jit import Tiers
            self.jit = Tiers(self, self.settings["jit"])
        self._started = False
        self.stdout = stdout
        self.stderr = stderr
        self.builtins: dict[str, Any] = {"ARGS": list(args)}  # the rest are added on first use
        self.main = ScriptModule("main", "<main>", self)
        self.modules: dict[str, Any] = {}
        self.loading: list[str] = []
        self._loader: Any = None
        self.sources: dict[str, str] = {}
        self._tls = _thread._local()
        self._lock = _thread.allocate_lock()
        self.closed = False
        self._to_stop: list[Any] = []  # modules whose stop hooks have not run (close)
        self.output_closed = False  # `out` found stdout's reader gone (a closed pipe)
        # Called (on the task's thread) when a task's `out` finds stdout's reader gone:
        # the CLI interrupts the main thread, which ends the run quietly (exit 141).
        self.on_output_closed: Callable[[], None] | None = None
        self._plugins_stopped = False

    @property
    def loader(self) -> Any:
        """The installed-module loader (made at the first import)."""
        if self._loader is None:
            from .loader import Loader
            self._loader = Loader()
        return self._loader

    # -- public API -----------------------------------------------------------------------
    @property
    def globals(self) -> dict[str, Any]:
        """The main program's global variables."""
        return self.main.globals

    def run_file(self, path: str | os.PathLike[str]) -> Any:
        """Run a script (.ax, or .axc compiled by `axiom build`); returns its last value."""
        p = os.fspath(path)
        tokens = self._begin()  # the run's limits cover compiling it
        try:
            try:
                code = self.load_compiled(p) if p.endswith(".axc") else self.load_script(p)
            except MemoryError:  # a program too big to compile within the memory limit
                raise out_of_memory() from None
            self.main.filename = p
            return self._execute(code, self.main)
        finally:
            self._end(tokens)

    def eval(self, source: str, filename: str = "<eval>") -> Any:
        """Run source text in the main program's globals; returns the value of its last
        expression statement (nil when there is none)."""
        tokens = self._begin()  # the run's limits cover compiling it
        try:
            try:
                code = self.compile(source, filename)
            except MemoryError:
                raise out_of_memory() from None
            return self._execute(code, self.main)
        finally:
            self._end(tokens)

    def call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        """Call the global function `name` (of the main program) with host values."""
        from .prelude import builtin_named
        tokens = self._begin()  # wraps a host's callables in globals too
        try:
            fn = self.globals.get(name, _MISSING)
            if fn is _MISSING:
                fn = self.builtins.get(name) or builtin_named(name) or _MISSING
            if fn is _MISSING:
                raise AxiomError("UndefinedVariable", f"undefined variable '{name}'")
            return self.vm().call(fn, args, kwargs)
        except MemoryError:
            raise out_of_memory() from None
        finally:
            self._end(tokens)

    def apply(self, fn: Any, args: list[Any] | tuple[Any, ...]) -> Any:
        """Call the function value `fn` (a closure this Runtime made or received from
        another process) under this Runtime's limits and checks."""
        tokens = self._begin()
        try:
            return self.vm().call(fn, args)
        except MemoryError:
            raise out_of_memory() from None
        finally:
            self._end(tokens)

    def register(self, name: str, fn: Any) -> None:
        """Make the Python callable `fn` a built-in function `name` of this Runtime's
        scripts (every file it runs sees it; a script may shadow it). Its arguments are
        checked and converted from its type hints and its exceptions translated as for a
        module's export (axiom_sdk.host_function)."""
        if not callable(fn) or getattr(type(fn), "__axiom_foreign__", None) is not None:
            raise TypeError(f"register({name!r}, ...) needs a Python callable, not {type(fn).__name__}")
        self.builtins[name] = fn if isinstance(fn, (Function, Class)) else host_function(fn, name)

    def add_module(self, module: Any) -> None:
        """Make `module` (an axiom_sdk.Module, or any AxiomModule object) importable by
        its name in this Runtime only, ahead of an installed module of that name. It is
        initialised at its first import and stopped when the Runtime closes, like an
        installed one."""
        self.loader.provide(module)
        self.modules.pop(module.metadata()[0], None)

    def metrics(self) -> dict[str, Any]:
        """How the Runtime's runs went, as plain data (axiom/metrics.py lists the keys):
        wall and CPU time, instructions and calls (counted when a limit is set or the
        Runtime was made with metrics=True, else None), JIT compilations per tier, peak
        memory, GC collections, threads, and what modules report (con's tasks)."""
        from .metrics import snapshot
        counted = self._counted
        # Calls are counted by tiers that report them through tick_call (every run
        # enters with one); until a tier does, they show as not counted.
        return snapshot(self.clock, script=self.main.filename,
                        instructions=self._steps_before + self.steps if counted else None,
                        calls=self.calls if counted and self.calls else None,
                        jit_compiled=dict(self.jit.compiled) if self.jit is not None else {},
                        threads_peak=self._threads_peak, modules=dict(self.run_state.counters))

    def prometheus_collector(self, labels: dict[str, str] | None = None) -> Any:
        """A prometheus_client collector of this Runtime's metrics, read at each scrape:
        `registry.register(rt.prometheus_collector())`. `labels` are added to every
        sample (e.g. {"script": "etl"})."""
        from .metrics import collector
        return collector(self.metrics, labels)

    def close(self, error: AxiomError | None = None) -> int:
        """End the run: stop every loaded module (once): its stop hooks get the run's
        uncaught error (or None) and its per-run state is dropped. Returns the exit
        status a hook asks for (0 if none)."""
        if self.closed:
            return 0
        self.closed = True
        self._to_stop = list(self._loader.loaded.values() if self._loader is not None else ())
        return self._stop_modules(error)

    def _stop_modules(self, error: AxiomError | None) -> int:
        """Call the stop hooks of the modules not stopped yet (close, or interrupt after a
        signal cut close short), then the plugins' runtime_stop."""
        status = 0
        self.flush()
        token = current_run.set(self.run_state)
        try:
            while self._to_stop:
                stop = getattr(self._to_stop.pop(0), "stop", None)
                if callable(stop):
                    status = max(status, stop(error) or 0)
        finally:
            current_run.reset(token)
        if self.plugins is not None and not self._plugins_stopped:
            self._plugins_stopped = True
            try:
                self.plugins.hook.axiom_runtime_stop(runtime=self, error=error)
            except Exception as e:
                sys.stderr.write(f"axiom: a plugin's runtime_stop failed: {type(e).__name__}: {e}\n")
        self.flush()
        return status

    def cancel(self, reason: str = "cancelled") -> None:
        """Cancel the run from any thread (the CLI does on SIGINT and SIGTERM): every task
        stops at its next loop back edge or call with LimitExceeded "the run was
        REASON", and every wait in a module (axiom_sdk.bounded_wait) ends the same way.
        The thread running the outermost eval/call/run_file is not stopped by this: the
        signal that asked for it interrupts that one."""
        self.cancelled = reason
        self.run_state.cancelled = reason
        self._next_sample = 0  # the next tick of any thread goes to _sample, which raises

    def interrupt(self, reason: str = "interrupted") -> AxiomError:
        """After a signal ended the run (KeyboardInterrupt on the main thread): cancel it
        and stop the modules (or those a signal kept from stopping), whose hooks end
        the run's child processes and remove its temporary files instead of waiting for
        its tasks. Returns the error the hooks were given."""
        self.cancel(reason)
        error = AxiomError("LimitExceeded", f"the run was {reason}")
        if not self.closed:
            self.close(error)
        else:
            self._stop_modules(error)
        return error

    def flush(self) -> None:
        for stream in (self.stdout or sys.stdout, self.stderr or sys.stderr):
            try:
                if stream is not None:
                    stream.flush()
            except (OSError, ValueError):
                pass

    # -- compiling --------------------------------------------------------------------------
    def compile(self, text: str, filename: str) -> Code:
        """Source text -> optimized main Code; SyntaxError as an AxiomError."""
        import gc

        from . import errors
        from .ast import ParseError, Source
        from .compiler import compile_program
        from .parser import parse
        from .resolve import resolve
        self.sources[filename] = text
        check = self._compile_check if self._depth and (
            self.deadline is not None or self._memory_cap is not None) else None
        # The front end makes many small objects and frees none until it is done: the
        # cycle collector would only walk them again and again (a third of the time of
        # a long script). It is on again, as it was, when compiling ends.
        collecting = gc.isenabled()
        gc.disable()
        try:
            program = parse(text, filename, check)
            scope = resolve(program)
            code = compile_program(program, scope, check)
            if self.settings.get("peephole_optimizer", True):
                from .optimizer import optimize
                if check is not None:
                    check()
                optimize(code)
        except ParseError as e:
            raise errors.syntax_error(e, Source(text, filename)) from None
        finally:
            if collecting:
                gc.enable()
        return code

    def _compile_check(self) -> None:
        """The run's time and memory limits while a script compiles (the parser and the
        compiler call this every few thousand tokens and statements)."""
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise AxiomError("LimitExceeded", f"the run took longer than {self.timeout} s "
                                              "(--timeout) while compiling")
        if self._memory_cap is not None:
            from .metrics import rss_bytes
            if rss_bytes() > self._memory_cap:
                mb = self.limits["max_memory"]
                raise AxiomError("LimitExceeded", f"the run holds more than {mb:g} MB of "
                                                  "memory (--max-memory) while compiling")

    def read_source(self, path: str | os.PathLike[str]) -> str:
        """A script's text (UTF-8), kept for error reports."""
        filename = os.fspath(path)
        try:
            with open(filename, "rb") as f:
                raw = f.read()
        except OSError as e:
            raise AxiomError("IOError", f"cannot read {filename}: {e.strerror or e}") from None
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            raise AxiomError("SyntaxError", f"{filename} is not valid UTF-8 (byte {e.start})") from None
        self.sources[filename] = text
        return text

    def compiled_bytes(self, code: Code, text: str) -> bytes:
        """`code` (compiled from `text`) as .axc data for this Axiom and its settings."""
        from . import axc
        optimized = bool(self.settings.get("peephole_optimizer", True))
        return axc.dumps(code, axc.source_hash(text), __version__, optimized)

    def load_script(self, path: str | os.PathLike[str]) -> Code:
        """A script's Code, from `__axcache__/` when it is current, else compiled (and
        cached; a cache that cannot be written is skipped)."""
        filename = os.fspath(path)
        text = self.read_source(filename)
        if not self.settings.get("bytecode_cache", True):
            return self.compile(text, filename)
        from . import axc
        folder, name = os.path.split(filename)
        stem = name[:-3] if name.endswith(".ax") else name
        cache = os.path.join(folder, "__axcache__", stem + ".axc")
        try:  # only a regular file under the size cap: a FIFO, a device or a link is rebuilt
            return axc.loads(conf.read_regular(cache, conf.MAX_CACHE_BYTES), core_version=__version__,
                             src_hash=axc.source_hash(text),
                             optimized=bool(self.settings.get("peephole_optimizer", True)),
                             filename=filename)
        except (OSError, axc.AxcError):
            pass
        code = self.compile(text, filename)
        conf.write_atomic(cache, self.compiled_bytes(code, text))
        return code

    def load_compiled(self, path: str | os.PathLike[str]) -> Code:
        """A .axc given directly: a clean error when it cannot be used."""
        from . import axc
        path = os.fspath(path)
        try:
            data = conf.read_regular(path, conf.MAX_CACHE_BYTES, follow_symlinks=True)
        except OSError as e:
            raise AxiomError("IOError", f"cannot read {path}: {e.strerror or e}") from None
        try:
            return axc.loads(data, core_version=__version__, filename=path)
        except axc.AxcError as e:
            source = path[:-4] + ".ax" if path.endswith(".axc") else path
            raise AxiomError("IOError", f"{path} is not a usable compiled file ({e}); rebuild it "
                                        f"with: axiom build {source}") from None

    # -- running ------------------------------------------------------------------------------
    def vm(self) -> Any:
        """This thread's VM (each task thread runs its own frames)."""
        v = getattr(self._tls, "vm", None)
        if v is None:
            from .vm import VM
            if not self.limited and self._owner not in (None, _thread.get_ident()):
                # A task's thread: its code counts steps (ticks at back edges and calls)
                # even in a run without limits, so that cancel() stops it there. So does
                # compiled code: what the JIT compiled before counts none, so it is
                # dropped and compiled again. The main thread needs none of it (a signal
                # interrupts it).
                self.limited = True
                if self.jit is not None:
                    self.jit.relimit()
            v = self._tls.vm = VM(self)
        return v

    def tick(self, n: int) -> None:
        """Count `n` instruction steps against the run's limits (called by every tier at
        loop back edges and calls, only when `limited`): steps, the deadline, and every
        SAMPLE_STEPS steps the process's resident memory against --max-memory."""
        self.steps += n
        if self.max_steps is not None and self.steps > self.max_steps:
            raise AxiomError("LimitExceeded", f"the run took more than {self.max_steps} "
                                              "instruction steps (--max-steps)")
        if self.steps >= self._next_sample:
            self._sample()
        if self.deadline is not None:
            self._ticks += 1
            if not self._ticks & 63 and time.monotonic() > self.deadline:
                raise AxiomError("LimitExceeded", f"the run took longer than {self.timeout} s "
                                                  "(--timeout)")

    def tick_call(self) -> None:
        """`tick(1)` for a function call, counted as a call too (for metrics)."""
        self.calls += 1
        self.tick(1)

    def _sample(self) -> None:
        """Memory and thread use now: stop the run when it holds more than --max-memory,
        or when it was cancelled."""
        if self.cancelled is not None:
            raise AxiomError("LimitExceeded", f"the run was {self.cancelled}")
        from .metrics import rss_bytes, threads_now
        self._next_sample = self.steps + SAMPLE_STEPS
        threads = threads_now()
        if threads > self._threads_peak:
            self._threads_peak = threads
        cap = self._memory_cap
        if cap is not None:
            rss = rss_bytes()
            if rss > cap:
                mb = self.limits["max_memory"]
                raise AxiomError("LimitExceeded", f"the run holds more than {mb:g} MB of "
                                                  "memory (--max-memory)")

    def start_budget(self, time_left: float | None) -> None:
        """Start a fresh budget of every limit now, ending `time_left` seconds from now
        (None: no deadline) rather than after --timeout: a worker process gives each item
        it runs the whole of each limit, and its parent run's deadline."""
        self.shared_budget = True  # the calls that follow keep this budget
        self._budget_started = False
        self._new_budget()
        self.deadline = None if time_left is None else time.monotonic() + time_left

    def _new_budget(self) -> None:
        """Each eval/call/run_file starts with the whole of every limit (unless the
        budget is shared and already started)."""
        if self.shared_budget and self._budget_started:
            return
        self._budget_started = True
        self._steps_before += self.steps
        self.steps = 0
        self._ticks = 0
        self.deadline = time.monotonic() + self.timeout if self.timeout is not None else None
        if self.max_memory is not None:
            # Axiom's own front end is not the script's memory: it is loaded before the
            # baseline is taken (loading it from source, without cached bytecode, takes
            # megabytes for a moment)
            from . import compiler, optimizer, parser, resolve  # noqa: F401
            from .metrics import rss_bytes
            self._memory_cap = rss_bytes() + self.max_memory
        if self.max_memory is not None or self.counting:
            self._next_sample = SAMPLE_STEPS

    def _begin(self) -> tuple[Any, ...]:
        """Enter a run (eval, call, run_file): a new budget and the host's recursion
        limit raised when this is the outermost one; this Runtime's capability check,
        deadline, memory limit and module state for the code it runs."""
        if not self._started:
            self._start()
        if self._depth == 0:
            self._owner = _thread.get_ident()
            self._new_budget()
            self._wrap_host_functions()
            old = sys.getrecursionlimit()
            if old < RECURSION_LIMIT:
                self._saved_recursion = old
                sys.setrecursionlimit(RECURSION_LIMIT)
            if not self.settings.get("gc_enabled", True):  # the host's cycle collector, off
                import gc
                self._gc_was = gc.isenabled()
                gc.disable()
        self._depth += 1
        return self.enter_context()

    def enter_context(self) -> tuple[Any, ...]:
        """Make this Runtime's the context of the code about to run on this thread: its
        capability check, deadline, memory limit and module state. Returns what
        `leave_context` restores (the VM uses both for a callback on a module's thread)."""
        return (capability_check.set(self.grants.check), run_deadline.set(self.deadline),
                memory_limit.set(self.max_memory), current_run.set(self.run_state))

    def in_context(self) -> bool:
        """Whether this thread already runs in this Runtime's context."""
        return current_run.get() is self.run_state

    @staticmethod
    def leave_context(tokens: tuple[Any, ...]) -> None:
        cap, deadline, mem, run = tokens
        capability_check.reset(cap)
        run_deadline.reset(deadline)
        memory_limit.reset(mem)
        current_run.reset(run)

    def _end(self, tokens: tuple[Any, ...]) -> None:
        self.leave_context(tokens)
        self._depth -= 1
        if self._depth == 0 and self._saved_recursion is not None:
            sys.setrecursionlimit(self._saved_recursion)  # the host's own, as it was
            self._saved_recursion = None
        if self._depth == 0 and self._gc_was:
            import gc
            gc.enable()
            self._gc_was = False

    def _wrap_host_functions(self) -> None:
        """Plain Python callables a host put in `globals` become host functions
        (axiom_sdk.host_function); Axiom values and foreign values stay as they are (a
        foreign value that happens to be callable is not callable by scripts)."""
        g = self.main.globals
        found = [(k, v) for k, v in g.items() if callable(v) and _is_host_callable(v)]
        for name, fn in found:
            g[name] = host_function(fn, name)

    def script_position(self) -> tuple[str, int] | None:
        """(file, line) of the statement running on this thread, or None outside a run."""
        vm = getattr(self._tls, "vm", None)
        if vm is None or not vm.frames:
            return None
        frame = vm.frames[-1]
        if self.jit is not None:  # the running activation may be compiled code
            from .jit.support import activations_here
            here = activations_here()
            if here:
                frame = here[-1]
        code = frame.code
        i = max(frame.ip - 1, 0)
        return code.filename, code.lines[i][0] if i < len(code.lines) else 0

    def _start(self) -> None:
        """Once per Runtime: plugins (only when the index lists any) get runtime_start."""
        self._started = True
        from .loader import plugins_installed
        if plugins_installed():
            from .plugins import manager
            self.plugins = manager()
            self.plugins.hook.axiom_runtime_start(runtime=self)
            if self.plugins.hook.axiom_render_value.get_hookimpls():
                self.render = self._render_with_plugins  # type: ignore[method-assign]

    def render(self, value: Any) -> str:
        """The display form `out` and `err` print."""
        from axiom_sdk import display
        return display(value)

    def _render_with_plugins(self, value: Any) -> str:
        shown = self.plugins.hook.axiom_render_value(value=value)
        if shown is not None:
            return str(shown)
        from axiom_sdk import display
        return display(value)

    def _execute(self, code: Code, module: ScriptModule) -> Any:
        if self.profiler is not None:
            self.profiler.prepare(code)
        tokens = self._begin()
        try:
            return self.vm().execute(code, module)
        except MemoryError:  # the host ran out while the error itself was being reported
            raise out_of_memory() from None
        finally:
            self._end(tokens)

    def write(self, text: str, stream: int) -> None:
        """`out` (stream 0) or `err` (1) of a line. Any string a script holds can be
        written: a lone surrogate (which JSON's `\\ud800` gives) is written as that
        escape. A closed pipe ends the run quietly (OutputClosed; from a task, through
        `on_output_closed`); any other failure is IOError "cannot write output: ...".
        """
        out = (self.stderr or sys.stderr) if stream else (self.stdout or sys.stdout)
        what = "error output" if stream else "output"
        if out is None:  # the process started with the descriptor closed
            raise AxiomError("IOError", f"cannot write {what}: standard {what} is closed")
        try:
            try:
                out.write(text + "\n")
            except UnicodeEncodeError:
                out.write(text.encode("utf-8", "backslashreplace").decode("utf-8") + "\n")
        except BrokenPipeError:
            self.output_closed = True
            if _thread.get_ident() != self._owner and self.on_output_closed is not None:
                self.cancel("ended: its output was closed")
                self.on_output_closed()
            raise OutputClosed() from None
        except OSError as e:
            raise AxiomError("IOError", f"cannot write {what}: {e.strerror or e}") from None

    def locate(self, e: AxiomError, frames: list[Any]) -> None:
        from . import errors
        errors.locate(e, frames, self.source_line)  # keeps what it found if memory runs out

    def source_line(self, filename: str, line: int) -> str | None:
        """Line `line` of a script this run compiled (or of the file, for a cached one)."""
        text = self.sources.get(filename)
        if text is None:
            try:
                with open(filename, encoding="utf-8") as f:
                    text = f.read()
            except (OSError, UnicodeDecodeError):
                return None
        lines = text.splitlines()
        return lines[line - 1] if 1 <= line <= len(lines) else None

    # -- imports --------------------------------------------------------------------------------
    def import_module(self, name: str, importer: str) -> Any:
        """`import NAME`: an already loaded module, an installed module, then NAME.ax
        beside the importer, in AXIOM_PATH, in the `module_paths` setting."""
        mod = self.modules.get(name)
        if mod is not None:
            return mod
        if name in self.loading:
            cycle = " -> ".join(self.loading[self.loading.index(name):] + [name])
            raise AxiomError("ImportError", f"import cycle: {cycle}")
        with self._lock:
            mod = self.loader.find(name)
        if mod is not None:
            self.modules[name] = mod
            return mod
        importer_dir = os.path.dirname(importer) if not importer.startswith("<") else os.getcwd()
        from .loader import find_file_module
        path, tried = find_file_module(name, importer_dir or ".", self.settings)
        if path is None:
            raise self.loader.not_found(name, tried)
        module = ScriptModule(name, path, self)
        self.loading.append(name)
        try:
            code = self.load_script(path)
            if self.profiler is not None:
                self.profiler.prepare(code)
            self.vm().execute(code, module)
        finally:
            self.loading.remove(name)
        self.modules[name] = module
        return module

"""`Module`: the ready implementation of the AxiomModule protocol that module authors use.

    module = Module("mth", summary="Math: trigonometry and constants")
    module.constant("PI", math.pi)

    @module.export
    def sqrt(x: float) -> float:
        '''Square root of x.'''

`@module.export` reads the type hints once, when the module loads, and builds the
argument checks (the job of the original design's `#[axiom_export]` macro): a call with a
wrong count or type raises `TypeError: mth.sqrt: argument 'x' expects float, got str`.
It also translates Python exceptions into Axiom errors at this one boundary, converts
results with `to_axiom`, and checks the capabilities an export declares before it runs.

Must not import the core (`axiom`).
"""

from __future__ import annotations

import _contextvars as contextvars  # the module `contextvars` re-exports (one import fewer)
from _thread import _local as _thread_local

from ._convert import ArgTypeError, check_int, converter_for, to_axiom
from ._values import ForeignInfo, Function, Iterator, typeof
from .errors import AxiomError

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing and inspect cost start-up time: this file needs neither
    from collections.abc import Callable, Iterable
    from typing import Any, ClassVar, Final

    from ._convert import Converter


API_VERSION: Final = 1
CAPABILITIES: Final = frozenset({"fs.read", "fs.write", "net", "env", "proc", "sys"})

# The capability check of the running script: (capability, resource or None) -> None,
# raising PermissionDenied. None (a module used from plain Python) allows everything.
capability_check: contextvars.ContextVar[Callable[[str, Any], None] | None] = \
    contextvars.ContextVar("axiom_capability_check", default=None)


# When the running script's time limit ends (time.monotonic()), or None: blocking calls
# in modules (a channel receive, a wait) give up then with LimitExceeded.
run_deadline: contextvars.ContextVar[float | None] = \
    contextvars.ContextVar("axiom_run_deadline", default=None)


class Run:
    """One run's module state: the core makes one per Runtime and sets `current_run`
    while that Runtime runs Axiom code (tasks inherit it, as they inherit the capability
    check). Two Runtimes in one process never share a Run; module code reaches its own
    part through `Module.state()`, and reports metrics with `Module.count` and
    `Module.peak`. Outside any Runtime (a module called from plain Python, as in module
    tests) one process-wide Run stands in.

    states    -- Module -> its state in this run (what its `per_run` factory made, or None)
    counters  -- "module.name" -> a number the module reported (tasks spawned, ...)
    lock      -- guards both (task threads of one run share them)
    cancelled -- why the run was cancelled (Ctrl-C, SIGTERM: "interrupted"), or None.
                 Once set, every `bounded_wait` of the run ends with LimitExceeded, and
                 stop hooks end what the run started (child processes, temporary files)
                 instead of waiting for it.
    """

    __slots__ = ("states", "counters", "lock", "cancelled")

    def __init__(self) -> None:
        import _thread
        self.states: dict[Any, Any] = {}
        self.counters: dict[str, float] = {}
        self.lock = _thread.allocate_lock()
        self.cancelled: str | None = None

    def position(self) -> tuple[str, int] | None:
        """(script file, line) of the Axiom code running on this thread, or None."""
        return None

    # Work in other processes (axiom_sdk._processes): a Runtime's run answers these.
    def ship(self, value: Any, what: str) -> bytes:
        """`value` as bytes another process can read (functions as bytecode)."""
        raise AxiomError("Error", "sending work to other processes needs a running script")

    def unship(self, data: bytes) -> Any:
        """Values of this run from bytes `ship` made."""
        raise AxiomError("Error", "sending work to other processes needs a running script")

    def is_script_function(self, fn: Any) -> bool:
        """Whether `fn` is a function written in Axiom."""
        return False

    def worker_setup(self) -> tuple[list[str], bytes]:
        """(argv, first frame) that start a worker process holding this run's grants."""
        raise AxiomError("Error", "worker processes need a running script")

    def job_runner(self) -> Any:
        """The function a remote worker calls to run one shipped job."""
        raise AxiomError("Error", "worker processes need a running script")

    def write(self, text: str, stream: int) -> None:
        """Write one line of this run's output: stdout (0) or stderr (1)."""
        import sys
        out = sys.stderr if stream else sys.stdout
        out.write(text + "\n")
        out.flush()


current_run: contextvars.ContextVar[Run | None] = \
    contextvars.ContextVar("axiom_current_run", default=None)
_PROCESS_RUN: Final = Run()
_STATELESS: Final = object()  # states[module] of a module without a per_run factory


def run() -> Run:
    """The Run of the code calling (the process-wide one outside any Runtime)."""
    r = current_run.get()
    return _PROCESS_RUN if r is None else r


def script_position() -> tuple[str, int] | None:
    """(file, line) of the script statement that called into this module, or None."""
    return run().position()


# The running script's memory limit in bytes (`--max-memory`), or None: sizes are checked
# against it before a large value is built.
memory_limit: contextvars.ContextVar[int | None] = \
    contextvars.ContextVar("axiom_memory_limit", default=None)


def memory_check(nbytes: int, where: str = "") -> None:
    """Refuse, before allocating it, a value of about `nbytes` bytes that exceeds the
    run's memory limit: LimitExceeded "[WHERE: ]building a value of N bytes exceeds the
    memory limit of M bytes (--max-memory)". Count a str as its length and a list as 8
    bytes per item, as the core does."""
    limit = memory_limit.get()
    if limit is not None and nbytes > limit:
        prefix = f"{where}: " if where else ""
        raise AxiomError("LimitExceeded", f"{prefix}building a value of {nbytes} bytes exceeds "
                                          f"the memory limit of {limit} bytes (--max-memory)")


def time_left() -> float | None:
    """Seconds left before the run's time limit, or None when it has none."""
    deadline = run_deadline.get()
    if deadline is None:
        return None
    import time
    return max(0.0, deadline - time.monotonic())


def bounded_wait(wait: Callable[[float | None], Any], timeout: float | None = None, *,
                 where: str) -> Any:
    """Wait for something, but never past the run's time limit: the one way a module
    blocks (a sleep, a receive, a lock, a join, a request, a pipe, a watch).

    `wait(t)` blocks for at most `t` seconds (None: no bound) and returns a true value
    once what it waits for has happened, a false one when `t` ran out. `t` is `timeout`
    or the time left before the run's deadline (`axiom run --timeout`), whichever is
    shorter. Returns what `wait` returned. When the run's deadline is what ended the
    wait, raises LimitExceeded "WHERE: the run's time limit ended the wait (--timeout)";
    a false result means that `timeout` itself ran out (the caller words that error).
    In a cancelled run (Run.cancelled: Ctrl-C, SIGTERM) it raises LimitExceeded "WHERE:
    the run was interrupted" instead of waiting, or as soon as a wait returns.

        if not bounded_wait(event.wait, timeout, where="con.task.join"):
            raise AxiomError("IOError", f"task.join: timed out after {timeout} s")
    """
    import threading
    import time
    r = run()
    if r.cancelled is not None:
        raise _cancelled(r, where)
    left = time_left()
    by_run = left is not None and (timeout is None or left < timeout)
    t = left if by_run else timeout
    if t is not None:
        t = min(max(t, 0.0), threading.TIMEOUT_MAX)
    start = time.monotonic()
    try:
        result = wait(t)
    finally:
        _waits.seconds = getattr(_waits, "seconds", 0.0) + time.monotonic() - start
    if not result and by_run:
        raise AxiomError("LimitExceeded", f"{where}: the run's time limit ended the wait "
                                          "(--timeout)")
    if not result and r.cancelled is not None:
        raise _cancelled(r, where)
    return result


_waits = _thread_local()  # seconds: how long each thread has waited in bounded_wait


def time_waited() -> float:
    """Seconds the calling thread has spent blocked in `bounded_wait` so far (con uses
    the difference over a call to tell work that waits from work that computes)."""
    return getattr(_waits, "seconds", 0.0)  # type: ignore[no-any-return]


def _cancelled(r: Run, where: str) -> AxiomError:
    """The error a wait raises in a cancelled run."""
    return AxiomError("LimitExceeded", f"{where}: the run was {r.cancelled}")


def spawn_thread(target: Callable[..., Any], *args: Any, name: str = "axiom-module",
                 daemon: bool = True) -> Any:
    """Start a thread for module work that runs in a copy of the caller's context, so
    exports it calls keep the script's capability checks and time limit (a plain
    threading.Thread starts with an empty context: no checks at all)."""
    import threading
    ctx = contextvars.copy_context()
    thread = threading.Thread(target=ctx.run, args=(target, *args), name=name, daemon=daemon)
    thread.start()
    return thread


def require(capability: str, resource: Any = None) -> None:
    """Check a capability from inside an export (for resources not named by an argument,
    e.g. a git remote's URL or the target of a redirect)."""
    check = capability_check.get()
    if check is not None:
        check(capability, resource)


# Python exceptions a module may let escape, and the Axiom kinds they become.
_TRANSLATE: Final[tuple[tuple[type[BaseException], str], ...]] = (
    (AxiomError, ""),
    (ZeroDivisionError, "DivisionByZero"),
    (OverflowError, "Overflow"),
    (RecursionError, "StackOverflow"),
    (MemoryError, "LimitExceeded"),
    (IndexError, "IndexOutOfBounds"),
    (KeyError, "KeyError"),
    (UnicodeError, "ValueError"),
    (ValueError, "ValueError"),
    (TypeError, "TypeError"),
    (OSError, "IOError"),
    (TimeoutError, "IOError"),
)


_OS_REASONS: Final = (
    (FileNotFoundError, "no such file or directory"),
    (IsADirectoryError, "is a directory"),
    (NotADirectoryError, "not a directory"),
    (PermissionError, "permission denied"),
    (FileExistsError, "already exists"),
)


def os_error_reason(e: OSError) -> str:
    """The cause of an OSError in the words every module uses ("permission denied")."""
    for cls, text in _OS_REASONS:
        if isinstance(e, cls):
            return text
    import errno
    if e.errno == errno.ENOTEMPTY:
        return "directory not empty"
    return (e.strerror or str(e)).lower()


def io_error(where: str, path: str, e: OSError) -> AxiomError:
    """IOError `WHERE: PATH: REASON`, naming the path as the script gave it."""
    return AxiomError("IOError", f"{where}: {path}: {os_error_reason(e)}")


def _describe_os_error(e: OSError) -> str:
    reason = os_error_reason(e)
    return f"{e.filename}: {reason}" if e.filename is not None else reason


class _Empty:
    __slots__ = ()

    def __repr__(self) -> str:
        return "<no default>"


EMPTY: Final = _Empty()
POSITIONAL, VAR_POSITIONAL, KEYWORD_ONLY, VAR_KEYWORD = (
    "positional", "var_positional", "keyword_only", "var_keyword")


class Param:
    """One parameter of an export: its name, converter, default and kind."""

    __slots__ = ("name", "convert", "type_name", "default", "kind")
    EMPTY: ClassVar[object] = EMPTY

    def __init__(self, name: str, convert: Converter, type_name: str, default: Any,
                 kind: Any) -> None:
        self.name = name
        self.convert = convert
        self.type_name = type_name
        self.default = default
        self.kind = kind

    def describe(self) -> str:
        text = self.name if self.type_name == "any" else f"{self.name}: {self.type_name}"
        if self.kind is VAR_POSITIONAL:
            text = "..." + text
        elif self.kind is VAR_KEYWORD:
            text = "**" + text
        if self.default is not EMPTY:
            from ._values import display
            d = self.default
            text += "=" + (f'"{d}"' if isinstance(d, str) else display(d))
        return text


class Export(Function):
    """A module function as a script sees it: checked, converted, translated."""

    __slots__ = ("name", "qualname", "fn", "positional", "keyword", "varargs", "varkw", "doc",
                 "needs", "need_positions", "returns", "skip_convert", "min_args", "is_method")

    def __init__(self, fn: Callable[..., Any], qualname: str, *, name: str | None = None,
                 needs: Iterable[str] = (), is_method: bool = False, owner: type | None = None) -> None:
        self.fn = fn
        self.name = name or fn.__name__
        self.qualname = qualname
        self.doc = fn.__doc__ or ""
        self.is_method = is_method
        hints = _hints(fn, qualname, owner)
        params = _parameters(fn)
        if is_method:
            params = params[1:]  # the foreign value itself
        self.positional: list[Param] = []
        self.keyword: dict[str, Param] = {}
        self.varargs: Param | None = None
        self.varkw: Param | None = None  # **fields: keyword arguments no parameter names
        for pname, default, kind in params:
            conv, tname = converter_for(hints[pname]) if pname in hints else (_identity, "any")
            param = Param(pname, conv, tname, default, kind)
            if kind is VAR_POSITIONAL:
                self.varargs = param
            elif kind is VAR_KEYWORD:
                self.varkw = param
            elif kind is KEYWORD_ONLY:
                self.keyword[pname] = param
            else:
                self.positional.append(param)
                self.keyword[pname] = param
        self.min_args = sum(1 for p in self.positional if p.default is EMPTY)
        ret = hints.get("return", object)
        self.returns = _hint_name(ret)
        self.skip_convert = ret in (str, float, bool, type(None))
        self.needs = _parse_needs(needs, qualname, {p[0] for p in params})
        # where each resource parameter sits among the positional values, resolved once
        self.need_positions = {p.name: i for i, p in enumerate(self.positional)
                               if any(pname == p.name for _, pname in self.needs)}

    # -- calling ------------------------------------------------------------------
    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self.is_method:  # a foreign type's method: the value comes first
            if not args:
                raise AxiomError("TypeError", f"{self.qualname}: missing the value to call it on")
            return self.invoke(args[1:], kwargs, args[0])
        return self.invoke(args, kwargs, _NO_SELF)

    def invoke(self, args: tuple[Any, ...], kwargs: dict[str, Any], this: Any) -> Any:
        """Call with `args`/`kwargs` from a script; `this` is the foreign value a method
        is called on (or _NO_SELF for a plain export)."""
        if kwargs or self.varargs is not None or len(args) != len(self.positional):
            values = self._bind(args, kwargs)
        else:
            values = []
            for p, v in zip(self.positional, args):
                try:
                    values.append(p.convert(v))
                except ArgTypeError as e:
                    raise self._type_error(p, v, e) from None
            kwargs = {}
        if self.needs:
            self._check_needs(values, kwargs)
        try:
            if this is _NO_SELF:
                result = self.fn(*values, **kwargs)
            else:
                result = self.fn(this, *values, **kwargs)
            if self.skip_convert:
                return result
            if type(result) is int:
                return check_int(result)
            result = to_axiom(result)
        except AxiomError:
            raise
        except BaseException as e:
            raise self._translate(e) from e
        if type(result) is Iterator and not result.where:
            result.where = self.qualname
        return result

    def _bind(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> list[Any]:
        """Check and convert arguments against the parameters; keyword-only ones stay in
        `kwargs` (converted in place)."""
        pos = self.positional
        if len(args) > len(pos) and self.varargs is None:
            raise AxiomError("TypeError", f"{self.qualname}: expected {_count(self.min_args, len(pos))}, "
                                          f"got {len(args)}")
        values: list[Any] = []
        given = dict(kwargs)
        kwargs.clear()
        for i, p in enumerate(pos):
            if i < len(args):
                if p.name in given:
                    raise AxiomError("TypeError", f"{self.qualname}: argument '{p.name}' given twice")
                v = args[i]
            elif p.name in given:
                v = given.pop(p.name)
            elif p.default is not EMPTY:
                values.append(p.default)
                continue
            else:
                missing = [q.name for q in pos[i:] if q.default is EMPTY and q.name not in given]
                raise AxiomError("TypeError", f"{self.qualname}: missing argument '{missing[0]}' "
                                              f"(expected {_count(self.min_args, len(pos))}, got {len(args)})")
            try:
                values.append(p.convert(v))
            except ArgTypeError as e:
                raise self._type_error(p, v, e) from None
        if self.varargs is not None:
            p = self.varargs
            for v in args[len(pos):]:
                try:
                    values.append(p.convert(v))
                except ArgTypeError as e:
                    raise self._type_error(p, v, e) from None
        for name, v in given.items():
            p2 = self.keyword.get(name)
            if p2 is None and self.varkw is not None:
                p2 = self.varkw
            elif p2 is None or p2 in pos:
                import difflib
                near = difflib.get_close_matches(name, list(self.keyword), 1)
                hint = f" (did you mean '{near[0]}'?)" if near else ""
                raise AxiomError("TypeError", f"{self.qualname}: unexpected keyword argument '{name}'{hint}")
            try:
                kwargs[name] = p2.convert(v)
            except ArgTypeError as e:
                raise self._type_error(p2, v, e) from None
        for name, p2 in self.keyword.items():
            if p2 not in pos and name not in kwargs and p2.default is EMPTY:
                raise AxiomError("TypeError", f"{self.qualname}: missing argument '{name}'")
        return values

    def _type_error(self, p: Param, v: Any, e: ArgTypeError) -> AxiomError:
        return AxiomError("TypeError", f"{self.qualname}: argument '{p.name}' expects "
                                       f"{e.expected}, got {typeof(v)}")

    def _check_needs(self, values: list[Any], kwargs: dict[str, Any]) -> None:
        check = capability_check.get()
        if check is None:
            return
        npos = len(self.positional)
        for cap, pname in self.needs:
            # a capability that names no argument is checked against the export itself, so
            # that a denial says what was refused ("sys denied for sys.cpu_count")
            resource: Any = None if cap in _SCOPED else self.qualname
            if pname is not None:
                idx = self.need_positions.get(pname)
                if idx is not None and idx < len(values):
                    resource = values[idx]
                elif pname in kwargs:
                    resource = kwargs[pname]
                elif self.varargs is not None and self.varargs.name == pname:
                    resource = values[npos:]
            if isinstance(resource, list):
                for r in resource or [None]:  # an empty list is checked, as nothing
                    check(cap, r)
            else:
                check(cap, resource)

    def _translate(self, e: BaseException) -> AxiomError:
        return translate(e, self.qualname, self.qualname.split(".")[0])

    # -- describing ---------------------------------------------------------------
    def signature(self) -> str:
        parts = [p.describe() for p in self.positional]
        if self.varargs is not None:
            parts.append(self.varargs.describe())
        parts += [p.describe() for n, p in self.keyword.items() if p not in self.positional]
        if self.varkw is not None:
            parts.append(self.varkw.describe())
        ret = "" if self.returns == "any" else f" -> {self.returns}"
        return f"{self.name}({', '.join(parts)}){ret}"

    @property
    def summary(self) -> str:
        """The docstring's first paragraph on one line."""
        return " ".join(self.doc.strip().split("\n\n")[0].split())


def translate(e: BaseException, where: str, module: str) -> AxiomError:
    """The Axiom error for a Python exception escaping module code, its message
    prefixed with `where` (e.g. "mth.sqrt"). The one place library exceptions are
    translated: exports, methods and foreign operators all come through here."""
    for cls, kind in _MODULE_TRANSLATIONS.get(module, ()):  # the module's own word first
        if isinstance(e, cls):
            return AxiomError(kind, f"{where}: {_first_paragraph(str(e))}")
    if isinstance(e, MemoryError):  # its message is empty: say what happened
        return AxiomError("LimitExceeded", f"{where}: out of memory (the run needed more memory "
                                           "than it may use: --max-memory)")
    if isinstance(e, RuntimeError) and str(e) == "can't start new thread":
        # no room for another thread's stack (the address-space cap of --max-memory, or
        # the system's limit on threads)
        return AxiomError("LimitExceeded", f"{where}: cannot start another thread: the run is "
                                           "out of memory or threads (--max-memory)")
    for cls, kind in _TRANSLATE:
        if isinstance(e, cls):
            if isinstance(e, OSError):
                return AxiomError(kind, f"{where}: {_describe_os_error(e)}")
            msg = str(e.args[0]) if isinstance(e, KeyError) and e.args else _first_paragraph(str(e))
            return AxiomError(kind, f"{where}: {msg}")
    if isinstance(e, (KeyboardInterrupt, SystemExit)):
        raise e
    err = AxiomError("Error", f"internal error in {where}: {type(e).__name__}: {e} "
                              "(this is a bug in the module; please report it)")
    err.__cause__ = e
    return err


def call_op(info: ForeignInfo, op: str, *args: Any) -> Any:
    """Call a foreign type's operator `op` with Python exceptions translated."""
    try:
        return info.ops[op](*args)
    except AxiomError:
        raise
    except BaseException as e:
        raise translate(e, f"{info.name} {op}", info.module) from e


_NO_SELF: Final = object()
_SCOPED: Final = frozenset({"fs.read", "fs.write", "net"})  # grants may name paths or hosts


class BoundMethod(Function):
    """A method read without calling it, bound to its value: a script method and its
    instance (`let m = p.norm2`), or a foreign type's method and its value
    (`let j = resp.json`). Calling it passes the value first."""

    __slots__ = ("name", "fn", "this")

    def __init__(self, fn: Any, this: Any) -> None:
        self.name = fn.name
        self.fn = fn
        self.this = this

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.fn(self.this, *args, **kwargs)


def host_function(fn: Callable[..., Any], name: str) -> Function:
    """A host program's Python callable as a function scripts may call (what
    `Runtime.register` and plain callables in `Runtime.globals` become): an export named
    `name`, so its arguments are checked and converted from its type hints, its result
    converted and its exceptions translated exactly as for a module's export. A bound
    method or a callable object is bound to its value; a callable without Python code
    (a built-in, functools.partial) takes any positional arguments, unchecked.
    Unsupported type hints are a TypeError here, naming the function."""
    import types
    try:
        if isinstance(fn, types.FunctionType):
            return Export(fn, name, name=name)
        if isinstance(fn, types.MethodType) and isinstance(fn.__func__, types.FunctionType):
            return BoundMethod(Export(fn.__func__, name, name=name, is_method=True), fn.__self__)
        call = next((vars(c)["__call__"] for c in type(fn).__mro__ if "__call__" in vars(c)), None)
        if isinstance(call, types.FunctionType):  # an object of a class with __call__
            return BoundMethod(Export(call, name, name=name, is_method=True), fn)
    except TypeError as e:
        raise TypeError(f"cannot make {name!r} a function scripts can call: {e}") from None

    def host(*args: object) -> object:  # hints that need no typing import
        return fn(*args)
    return Export(host, name, name=name)


def _parameters(fn: Callable[..., Any]) -> list[tuple[str, Any, str]]:
    """(name, default or EMPTY, kind) of each parameter, read from the code object
    (inspect.signature would cost start-up time)."""
    code = fn.__code__  # type: ignore[attr-defined]
    names = code.co_varnames
    npos, nkw = code.co_argcount, code.co_kwonlyargcount
    defaults = fn.__defaults__ or ()  # type: ignore[attr-defined]
    kwdefaults = fn.__kwdefaults__ or {}  # type: ignore[attr-defined]
    out: list[tuple[str, Any, str]] = []
    first_default = npos - len(defaults)
    for i in range(npos):
        out.append((names[i], defaults[i - first_default] if i >= first_default else EMPTY, POSITIONAL))
    if code.co_flags & 0x04:  # CO_VARARGS
        out.append((names[npos + nkw], EMPTY, VAR_POSITIONAL))
    for name in names[npos:npos + nkw]:
        out.append((name, kwdefaults.get(name, EMPTY), KEYWORD_ONLY))
    if code.co_flags & 0x08:  # CO_VARKEYWORDS: after the keyword-only names
        out.append((names[npos + nkw + (1 if code.co_flags & 0x04 else 0)], EMPTY, VAR_KEYWORD))
    return out


def _hints(fn: Callable[..., Any], qualname: str, owner: type | None) -> dict[str, Any]:
    """The type hints of fn, evaluated (they are strings under `from __future__ import
    annotations`). A method may name its own class (not yet bound in its module while
    the class is being decorated); an unresolvable return hint is treated as `any`, an
    unresolvable parameter hint is the author's error."""
    localns = {owner.__name__: owner} if owner is not None else {}
    out: dict[str, Any] = {}
    globalns = getattr(fn, "__globals__", {})
    for pname, ann in getattr(fn, "__annotations__", {}).items():
        try:
            out[pname] = eval(ann, globalns, localns) if isinstance(ann, str) else ann
        except Exception as e:
            if pname == "return":
                out[pname] = object  # any
            else:
                raise TypeError(f"{qualname}: cannot read the type hint of '{pname}': {e}") from e
    return out


def _identity(v: Any) -> Any:
    return v


def _count(lo: int, hi: int) -> str:
    n = f"{lo}" if lo == hi else f"{lo} to {hi}"
    return f"{n} argument" + ("" if hi == 1 and lo == 1 else "s")


def _first_paragraph(text: str) -> str:
    return text.strip().split("\n\n")[0].strip()


def _hint_name(hint: Any) -> str:
    """A return hint as `axiom mod info` shows it (`str | None` is "str or nil")."""
    try:
        name = converter_for(hint)[1]
    except TypeError:
        return getattr(hint, "__name__", str(hint))
    args = getattr(hint, "__args__", ())
    if type(None) in args and name not in ("nil", "any"):
        name += " or nil"
    return name


def _parse_needs(needs: Iterable[str], qualname: str, params: set[str]) -> list[tuple[str, str | None]]:
    out: list[tuple[str, str | None]] = []
    for item in needs:
        cap, _, pname = item.partition(":")
        if cap not in CAPABILITIES:
            raise TypeError(f"{qualname}: unknown capability {cap!r} (known: {', '.join(sorted(CAPABILITIES))})")
        if pname and pname not in params:
            raise TypeError(f"{qualname}: capability {item!r} names no parameter {pname!r}")
        out.append((cap, pname or None))
    return out


# module name -> ((exception class, kind), ...) registered with Module.translate
_MODULE_TRANSLATIONS: dict[str, list[tuple[type[BaseException], str]]] = {}


class Constant:
    """A module constant with its documentation."""

    __slots__ = ("value", "doc")

    def __init__(self, value: Any, doc: str) -> None:
        self.value = value
        self.doc = doc


class Module:
    """A module: a name, exports, constants and foreign types. Satisfies AxiomModule."""

    api_version: ClassVar[int] = API_VERSION
    axiom_type: ClassVar[str] = "module"

    def __init__(self, name: str, *, summary: str = "", title: str | None = None,
                 version: str | None = None) -> None:
        self.name = name
        self.summary = summary
        self.title = title or summary.split(":")[0].strip() or name
        self.version = version
        self._symbols: dict[str, Export | Constant] = {}
        self._init_hooks: list[Callable[[], None]] = []
        self.stop_hooks: list[Callable[..., int | None]] = []
        self.foreign_types: list[ForeignInfo] = []
        self._state_factory: Callable[[], Any] | None = None

    # -- declaring ----------------------------------------------------------------
    def export(self, fn: Callable[..., Any] | None = None, *, name: str | None = None,
               needs: Iterable[str] = ()) -> Any:
        """Decorator: export `fn` to scripts. `needs` lists capabilities, each optionally
        naming the parameter that holds the resource: `needs=["fs.read:path"]`."""
        def register(f: Callable[..., Any]) -> Callable[..., Any]:
            ename = name or f.__name__.rstrip("_")
            self._symbols[ename] = Export(f, f"{self.name}.{ename}", name=ename, needs=needs)
            return f
        return register(fn) if fn is not None else register

    def constant(self, name: str, value: Any, doc: str = "") -> None:
        self._symbols[name] = Constant(to_axiom(value), doc)

    def foreign_type(self, name: str, cls: type | None = None, *, attrs: Iterable[str] = (),
                     methods: Iterable[str] = (), ops: dict[str, Callable[..., Any]] | None = None,
                     display: Callable[[Any], str] | None = None,
                     to_data: Callable[[Any], Any] | None = None,
                     transfer: tuple[Callable[[Any], bytes], Callable[[bytes], Any]] | None = None,
                     ) -> Any:
        """Declare a foreign (custom) value type; usable as a class decorator.

        attrs   -- names scripts may read (`resp.status`); read with getattr
        methods -- names of methods scripts may call (`resp.json()`), checked from their
                   hints like exports
        ops     -- operators (see ForeignInfo)
        display -- value -> str for `out` and `str()`
        to_data -- value -> the plain data it stands for (lists, dicts, numbers, strs),
                   so it may be passed where other modules take a list or dict and be
                   written by `jsn`; leave it out when there is none
        transfer -- (dump, load): the value may be sent to another process (con's
                   worker processes, a Dask cluster) as dump(value) -> bytes, a data
                   format such as Arrow IPC or .npy (never pickle), read back there with
                   load(bytes); leave it out for values bound to this process
        """
        def register(c: type) -> type:
            info = ForeignInfo(name=name, attrs=frozenset(attrs), ops=dict(ops or {}),
                               display=display, module=self.name, to_data=to_data,
                               transfer=transfer)
            for m in methods:
                info.methods[m] = Export(getattr(c, m), f"{name}.{m}", name=m, is_method=True, owner=c)
            c.__axiom_foreign__ = info  # type: ignore[attr-defined]
            self.foreign_types.append(info)
            return c
        return register(cls) if cls is not None else register

    def translate(self, exc: type[BaseException], kind: str) -> None:
        """Map a library's exception class to an Axiom error kind for this module's
        exports (the message keeps the exception's first paragraph)."""
        _MODULE_TRANSLATIONS.setdefault(self.name, []).append((exc, kind))

    def error(self, kind: str, message: str) -> AxiomError:
        """An Axiom error to raise: `raise module.error("ValueError", "...")`."""
        return AxiomError(kind, message)

    def on_init(self, fn: Callable[[], None]) -> Callable[[], None]:
        """Decorator: run `fn` when a Runtime first imports the module (once per Runtime:
        two Runtimes in one process each run it)."""
        self._init_hooks.append(fn)
        return fn

    def per_run(self, factory: Callable[[], Any]) -> Callable[[], Any]:
        """Decorator (usually on a class): the module's state for one run. Each Runtime
        that imports the module gets its own `factory()`, made at init and read with
        `module.state()`; module-level variables would be shared by every Runtime in the
        process."""
        self._state_factory = factory
        return factory

    def state(self) -> Any:
        """This module's state (see `per_run`) in the run of the calling code."""
        r = run()
        s = r.states.get(self, _STATELESS)
        if s is _STATELESS:
            self.init()
            s = r.states[self]
        return s

    def count(self, name: str, n: float = 1) -> None:
        """Add `n` to the run's metric `module.name` (shown by `axiom run --metrics`)."""
        r = run()
        key = f"{self.name}.{name}"
        with r.lock:
            r.counters[key] = r.counters.get(key, 0) + n

    def peak(self, name: str, value: float) -> None:
        """Raise the run's metric `module.name` to `value` if it is higher (a peak)."""
        r = run()
        key = f"{self.name}.{name}"
        with r.lock:
            if value > r.counters.get(key, 0):
                r.counters[key] = value

    def on_stop(self, fn: Callable[..., int | None]) -> Callable[..., int | None]:
        """Decorator: run `fn` when a run that imported the module ends, even on error.
        `fn` may take one argument, the run's uncaught AxiomError (or None), and may
        return a non-zero exit status to make a finished run fail (e.g. `con` when a task
        failed and no one joined it)."""
        code = getattr(fn, "__code__", None)
        bound = 1 if hasattr(fn, "__self__") else 0
        if code is not None and code.co_argcount - bound == 0:  # store one calling form
            self.stop_hooks.append(lambda error: fn())
        else:
            self.stop_hooks.append(fn)
        return fn

    # -- the AxiomModule protocol ----------------------------------------------------
    def init(self) -> None:
        """Initialise the module for the calling code's run, once per run: make its
        per-run state and call the `on_init` hooks."""
        r = run()
        with r.lock:
            if self in r.states:
                return
            r.states[self] = self._state_factory() if self._state_factory is not None else None
        for hook in self._init_hooks:
            hook()

    def stop(self, error: AxiomError | None = None) -> int:
        """End the module's part of the calling code's run: call the stop hooks (with the
        run's uncaught error, or None) and forget the run's state, so that a later
        import in the same run initialises it again. Returns the highest exit status a
        hook asks for (0 if none; 1 when a hook fails, reported on stderr)."""
        status = 0
        try:
            for hook in self.stop_hooks:
                try:
                    r = hook(error)
                except Exception as e:
                    import sys
                    sys.stderr.write(f"axiom: a stop hook of module {self.name} failed: "
                                     f"{type(e).__name__}: {e}\n")
                    r = 1
                if isinstance(r, int) and r:
                    status = max(status, r)
        finally:
            cur = run()
            with cur.lock:
                cur.states.pop(self, None)
        return status

    def get_symbol(self, name: str) -> Any:
        sym = self._symbols.get(name)
        if sym is None:
            import difflib
            near = difflib.get_close_matches(name, list(self._symbols), 3)
            hint = f" (did you mean {', '.join(near)}?)" if near else ""
            raise AxiomError("SymbolNotFound", f"module '{self.name}' has no symbol '{name}'{hint}")
        return sym.value if type(sym) is Constant else sym

    def list_exports(self) -> list[str]:
        return list(self._symbols)

    def metadata(self) -> tuple[str, str]:
        return self.name, self.version or "0+unknown"

    # -- help ----------------------------------------------------------------------
    def describe(self, name: str) -> tuple[str, str]:
        """(signature or `NAME = value`, first doc line) for `axiom mod info`."""
        from ._values import display
        sym = self._symbols[name]
        if isinstance(sym, Constant):
            return f"{name} = {display(sym.value)}", sym.doc
        return sym.signature(), sym.summary

    def capabilities(self) -> list[str]:
        caps = {cap for s in self._symbols.values() if type(s) is Export for cap, _ in s.needs}
        return sorted(caps)

    def __repr__(self) -> str:
        return f"<module {self.name}>"

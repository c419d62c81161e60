"""The flat-loop VM (tier 0): runs Code objects.

Pipeline position: last; called by runtime.py. Imports bytecode, intrinsics, prelude and
the SDK.

One loop (`VM.run`) over an explicit list of heap frames: an Axiom-to-Axiom call pushes
a Frame and continues, a return pops one — no Python recursion, so recursion depth is
bounded by memory and by `max_call_depth` (StackOverflow). TAIL_CALL reuses the frame.
When a module calls back into Axiom (a callback given to `map`, a task body), the host
calls `VM.call`, which re-enters `run` for that one call with a bounded re-entry depth.

Frame state (`code ops consts slots stack ip`) lives in locals of `run` while a frame is
current — attribute access in the loop would cost more than the work. It is reloaded in
exactly two places: after a call pushes a frame and after a return pops one (and after
an error unwinds to a handler).
"""

from __future__ import annotations

from axiom_sdk import (
    AxiomError,
    BoundMethod,
    Class,
    Function,
    Instance,
    capability_check,
    display,
    equal,
    truthy,
)

from . import intrinsics as I
from .bytecode import Code, Op
from .prelude import METHODS, builtin_named, method_of

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs start-up time; annotations here are strings
    from typing import Any, Final

MAX_REENTRY: Final = 200


class OutputClosed(BaseException):
    """The reader of the script's output went away (a closed pipe). A BaseException so
    that it passes through the error handling of the loop and ends the run quietly."""


class _Unset:
    __slots__ = ()

    def __repr__(self) -> str:
        return "<unset>"


UNSET: Final = _Unset()  # an unbound slot or cell (reading it is UndefinedVariable)


class Cell:
    """A captured variable: shared by the frame that declares it and its closures."""

    __slots__ = ("value",)

    def __init__(self, value: Any = UNSET) -> None:
        self.value = value


class Closure(Function):
    """A script function: code, the cells it captured, and the module it belongs to
    (`module.globals` are its globals, `module.runtime` runs it from Python)."""

    __slots__ = ("code", "cells", "module", "name")

    def __init__(self, code: Code, cells: tuple[Cell, ...], module: Any) -> None:
        self.code = code
        self.cells = cells
        self.module = module
        self.name = None if code.anonymous else code.name

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.module.runtime.vm().call(self, args, kwargs)


class Frame:
    """One activation. `instance` is the object being built when the frame runs `init`
    (a class call returns it instead of init's result); `handlers` are the active
    `try` blocks as (handler ip, stack depth); `boundary` marks the first frame of a
    re-entry from the host."""

    __slots__ = ("code", "ip", "slots", "stack", "closure", "module", "globals", "handlers",
                 "instance", "boundary")

    def __init__(self, code: Code, slots: list[Any], closure: Closure | None, module: Any) -> None:
        self.code = code
        self.ip = 0
        self.slots = slots
        self.stack: list[Any] = []
        self.closure = closure
        self.module = module
        self.globals: dict[str, Any] = module.globals
        self.handlers: list[tuple[int, int]] | None = None
        self.instance: Instance | None = None
        self.boundary = False


def _undefined(name: str) -> AxiomError:
    return AxiomError("UndefinedVariable", f"undefined variable '{name}'")


class VM:
    """The frames of one thread of one Runtime."""

    def __init__(self, runtime: Any) -> None:
        self.runtime = runtime
        self.frames: list[Frame] = []
        self.reentry = 0
        self.max_depth: int = runtime.settings["max_call_depth"]
        self.limited: bool = runtime.limited  # a step or time limit: count steps
        self.builtins: dict[str, Any] = runtime.builtins

    # -- entry points ------------------------------------------------------------------
    def execute(self, code: Code, module: Any) -> Any:
        """Run a program's main code in `module`'s globals; returns its last value."""
        frame = Frame(code, [UNSET] * code.nslots, None, module)
        return self._enter(frame)

    def call(self, fn: Any, args: tuple[Any, ...] | list[Any], kwargs: dict[str, Any] | None = None) -> Any:
        """Call any callable value from the host (a module's callback)."""
        if type(fn) is Closure:
            return self._enter(self._frame_for(fn, list(args), kwargs or {}))
        if type(fn) is BoundMethod and type(fn.fn) is Closure:
            return self._enter(self._frame_for(fn.fn, [fn.this, *args], kwargs or {}))
        if type(fn) is Class:
            return self._construct(fn, list(args), kwargs or {}, None)
        return fn(*args, **(kwargs or {}))

    def _enter(self, frame: Frame) -> Any:
        if self.reentry >= MAX_REENTRY:
            raise AxiomError("StackOverflow", f"callbacks nested more than {MAX_REENTRY} deep")
        frame.boundary = True
        if self.limited:
            self.runtime.tick(1)
        self.frames.append(frame)
        stop = len(self.frames) - 1
        self.reentry += 1
        # A callback may run on a module's own thread, whose context has no checks yet:
        # Axiom code always runs under its runtime's capabilities.
        token = capability_check.set(self.runtime.grants.check)
        try:
            return self.run(stop)
        finally:
            capability_check.reset(token)
            self.reentry -= 1
            del self.frames[stop:]

    # -- calls ---------------------------------------------------------------------------
    def _frame_for(self, fn: Closure, args: list[Any], kwargs: dict[str, Any]) -> Frame:
        code = fn.code
        n = len(args)
        if not kwargs and n == code.nparams:
            slots = args + [UNSET] * (code.nslots - n) if code.nslots > n else args
        else:
            slots = self._bind(fn, args, kwargs)
        if len(self.frames) >= self.max_depth:
            raise AxiomError("StackOverflow", f"call depth exceeded {self.max_depth} "
                                              "(setting max_call_depth)")
        return Frame(code, slots, fn, fn.module)

    def _bind(self, fn: Closure, args: list[Any], kwargs: dict[str, Any]) -> list[Any]:
        """Slots for a call with missing, extra or keyword arguments."""
        code = fn.code
        name = f"{code.name}()"
        n = len(args)
        if n > code.nparams:
            raise AxiomError("TypeError", f"{name} takes {_count(code)} but {n} were given")
        slots = args + [UNSET] * (code.nslots - n)
        for key, value in kwargs.items():
            try:
                i = code.param_names.index(key)
            except ValueError:
                raise AxiomError("TypeError", f"{name} got an unexpected keyword argument '{key}'") from None
            if i < n:
                raise AxiomError("TypeError", f"{name} got argument '{key}' twice")
            slots[i] = value
        for i in range(code.min_args):
            if slots[i] is UNSET:
                given = n + len(kwargs)
                raise AxiomError("TypeError", f"{name} missing argument '{code.param_names[i]}' "
                                              f"(takes {_count(code)}, {given} given)")
        return slots

    def _construct(self, cls: Class, args: list[Any], kwargs: dict[str, Any], caller: Frame | None) -> Any:
        inst = Instance(cls)
        init = cls.find_method("init")
        if init is None:
            if args or kwargs:
                raise AxiomError("TypeError", f"{cls.name}() takes no arguments ({len(args)} given)")
            return inst
        if type(init) is Closure:
            frame = self._frame_for(init, [inst, *args], kwargs)
            frame.instance = inst
            if caller is None:
                return self._enter(frame)
            return frame
        init(inst, *args, **kwargs)
        return inst

    def _call_other(self, f: Any, args: list[Any], kwargs: dict[str, Any] | None, frame: Frame) -> Any:
        """Call a value that is not a plain Closure: returns a Frame to push, or the
        result of a host call."""
        t = type(f)
        if t is BoundMethod and type(f.fn) is Closure:
            return self._frame_for(f.fn, [f.this, *args], kwargs or {})
        if t is Class:
            return self._construct(f, args, kwargs or {}, frame)
        if isinstance(f, Function):
            return f(*args, **kwargs) if kwargs else f(*args)
        raise AxiomError("TypeError", f"{_type(f)} is not callable")

    # -- the loop ---------------------------------------------------------------------------
    def run(self, stop: int) -> Any:
        """Run until the frame at index `stop` returns; returns its value."""
        frames = self.frames
        builtins = self.builtins
        # Opcodes as local ints: a local load is the cheapest comparison operand.
        LOAD_VAR, LOAD_CONST, STORE_VAR, LOAD_GLOBAL = 0, 1, 2, 3
        ADD, SUB, LT, LE, EQ, JUMP_IF_FALSE, JUMP, CALL = 4, 5, 6, 7, 8, 9, 10, 11
        RETURN, TAIL_CALL, GT, GE, NE, MUL, LOAD_CELL, LOAD_FREE = 12, 13, 14, 15, 16, 17, 18, 19
        POP, METHOD_CALL, GET_ATTR, INDEX, FOR_ITER, JUMP_IF_TRUE = 20, 21, 22, 23, 24, 25
        DIV, MOD, STORE_CELL = 26, 27, 28  # 29, STORE_FREE, is the chain's last case
        LAST_HOT = 29
        limited = self.limited
        tick = self.runtime.tick
        STORE_GLOBAL = Op.STORE_GLOBAL
        MIN, MAX = -(2**63), 2**63 - 1

        frame = frames[-1]
        code = frame.code
        ops = code.ops
        consts = code.consts
        slots = frame.slots
        stack = frame.stack
        ip = frame.ip
        while True:
            try:
                while True:
                    op, arg = ops[ip]
                    ip += 1
                    if op <= LAST_HOT:
                        if op == LOAD_VAR:
                            v = slots[arg]
                            if v is UNSET:
                                raise _undefined(code.slot_names[arg])
                            stack.append(v)
                        elif op == LOAD_CONST:
                            stack.append(consts[arg])
                        elif op == STORE_VAR:
                            slots[arg] = stack.pop()
                        elif op == LOAD_GLOBAL:
                            name = consts[arg]
                            v = frame.globals.get(name, UNSET)
                            if v is UNSET:
                                v = builtins.get(name, UNSET)
                                if v is UNSET:
                                    v = self._builtin(name)
                            stack.append(v)
                        elif op == ADD:
                            b = stack.pop()
                            a = stack[-1]
                            if type(a) is int and type(b) is int:
                                r = a + b
                                if r > MAX or r < MIN:
                                    raise I.overflow("+", a, b)
                                stack[-1] = r
                            else:
                                stack[-1] = I.add(a, b)
                        elif op == SUB:
                            b = stack.pop()
                            a = stack[-1]
                            if type(a) is int and type(b) is int:
                                r = a - b
                                if r > MAX or r < MIN:
                                    raise I.overflow("-", a, b)
                                stack[-1] = r
                            else:
                                stack[-1] = I.sub(a, b)
                        elif op == LT:
                            b = stack.pop()
                            a = stack[-1]
                            stack[-1] = a < b if type(a) is type(b) is int else I.compare("<", a, b)
                        elif op == LE:
                            b = stack.pop()
                            a = stack[-1]
                            stack[-1] = a <= b if type(a) is type(b) is int else I.compare("<=", a, b)
                        elif op == EQ:
                            b = stack.pop()
                            a = stack[-1]
                            ta = type(a)
                            stack[-1] = a == b if ta is type(b) and (ta is int or ta is str) else equal(a, b)
                        elif op == JUMP_IF_FALSE:
                            v = stack.pop()
                            if v is False or v is None or (v is not True and not truthy(v)):
                                ip = arg
                        elif op == JUMP:
                            if limited and arg < ip:  # a loop's back edge: count its steps
                                tick(ip - arg)
                            ip = arg
                        elif op == CALL or op == TAIL_CALL:
                            f = stack[-arg - 1]
                            n = len(stack) - arg
                            args = stack[n:]
                            if limited:
                                tick(1)
                            if type(f) is Closure:
                                fcode = f.code
                                if op == TAIL_CALL and not frame.handlers:
                                    # reuse this frame for the callee (no new frame)
                                    if arg == fcode.nparams:
                                        if fcode.nslots > arg:
                                            args += [UNSET] * (fcode.nslots - arg)
                                    else:
                                        args = self._bind(f, args, {})
                                    frame.code = code = fcode
                                    frame.closure = f
                                    frame.module = f.module
                                    frame.globals = f.module.globals
                                    frame.slots = slots = args
                                    stack.clear()
                                    ops = code.ops
                                    consts = code.consts
                                    ip = 0
                                    continue
                                del stack[n - 1:]
                                if arg == fcode.nparams:
                                    if fcode.nslots > arg:
                                        args += [UNSET] * (fcode.nslots - arg)
                                    if len(frames) >= self.max_depth:
                                        raise self._too_deep()
                                    new = Frame(fcode, args, f, f.module)
                                else:
                                    new = self._frame_for(f, args, {})
                            else:
                                del stack[n - 1:]
                                frame.ip = ip
                                new = self._call_other(f, args, None, frame)
                                if type(new) is not Frame:
                                    stack.append(new)
                                    continue
                            # push the callee: the first of the two places frames change
                            frame.ip = ip
                            frames.append(new)
                            frame = new
                            code = new.code
                            ops = code.ops
                            consts = code.consts
                            slots = new.slots
                            stack = new.stack
                            ip = 0
                        elif op == RETURN:
                            v = stack.pop()
                            frames.pop()
                            if frame.instance is not None:
                                v = frame.instance
                            if len(frames) == stop:
                                return v
                            # back to the caller: the second place frames change
                            frame = frames[-1]
                            code = frame.code
                            ops = code.ops
                            consts = code.consts
                            slots = frame.slots
                            stack = frame.stack
                            ip = frame.ip
                            stack.append(v)
                        elif op == GT:
                            b = stack.pop()
                            a = stack[-1]
                            stack[-1] = a > b if type(a) is type(b) is int else I.compare(">", a, b)
                        elif op == GE:
                            b = stack.pop()
                            a = stack[-1]
                            stack[-1] = a >= b if type(a) is type(b) is int else I.compare(">=", a, b)
                        elif op == NE:
                            b = stack.pop()
                            a = stack[-1]
                            ta = type(a)
                            stack[-1] = a != b if ta is type(b) and (ta is int or ta is str) else not equal(a, b)
                        elif op == MUL:
                            b = stack.pop()
                            a = stack[-1]
                            if type(a) is int and type(b) is int:
                                r = a * b
                                if r > MAX or r < MIN:
                                    raise I.overflow("*", a, b)
                                stack[-1] = r
                            else:
                                stack[-1] = I.mul(a, b)
                        elif op == LOAD_CELL:
                            v = slots[arg].value
                            if v is UNSET:
                                raise _undefined(code.slot_names[arg])
                            stack.append(v)
                        elif op == LOAD_FREE:
                            v = frame.closure.cells[arg].value  # type: ignore[union-attr]
                            if v is UNSET:
                                raise _undefined(self._free_name(frame, arg))
                            stack.append(v)
                        elif op == POP:
                            stack.pop()
                        elif op == METHOD_CALL:
                            frame.ip = ip
                            called = self._method_call(stack, consts[arg], frame)
                            if called is not None:
                                new = called
                                frames.append(new)
                                frame = new
                                code = new.code
                                ops = code.ops
                                consts = code.consts
                                slots = new.slots
                                stack = new.stack
                                ip = 0
                        elif op == GET_ATTR:
                            stack[-1] = I.get_attr(stack[-1], consts[arg], METHODS)
                        elif op == INDEX:
                            i = stack.pop()
                            obj = stack[-1]
                            if type(obj) is list and type(i) is int:
                                try:
                                    stack[-1] = obj[i]
                                except IndexError:
                                    stack[-1] = I.index(obj, i)
                            else:
                                stack[-1] = I.index(obj, i)
                        elif op == FOR_ITER:
                            try:
                                stack.append(next(stack[-1]))
                            except StopIteration:
                                stack.pop()
                                ip = arg
                        elif op == JUMP_IF_TRUE:
                            v = stack.pop()
                            if v is True or (v is not False and v is not None and truthy(v)):
                                ip = arg
                        elif op == DIV:
                            b = stack.pop()
                            a = stack[-1]
                            if type(a) is float and type(b) is float and b:
                                stack[-1] = a / b
                            else:
                                stack[-1] = I.div(a, b)
                        elif op == MOD:
                            b = stack.pop()
                            a = stack[-1]
                            if type(a) is int and type(b) is int and a >= 0 and b > 0:
                                stack[-1] = a % b  # the common case: no signs to fix up
                            else:
                                stack[-1] = I.mod(a, b)
                        elif op == STORE_CELL:
                            slots[arg].value = stack.pop()
                        else:  # STORE_FREE
                            frame.closure.cells[arg].value = stack.pop()  # type: ignore[union-attr]
                    elif op == STORE_GLOBAL:
                        frame.globals[consts[arg]] = stack.pop()
                    else:
                        frame.ip = ip
                        r = self._slow(op, arg, frame, stack, slots, consts)
                        if r is not None:  # the frame changed (an import ran, a HALT)
                            if r is _HALTED:
                                v = stack.pop() if stack else None
                                frames.pop()
                                return v
                            frame = frames[-1]
                            code = frame.code
                            ops = code.ops
                            consts = code.consts
                            slots = frame.slots
                            stack = frame.stack
                            ip = frame.ip
                        else:
                            ip = frame.ip
            except AxiomError as e:
                frame.ip = ip
                self._unwind(e, stop)
            except (KeyboardInterrupt, SystemExit, GeneratorExit, OutputClosed):
                raise
            except BaseException as e:  # a host failure inside an instruction
                frame.ip = ip
                self._unwind(self._host_error(e), stop)
            # resume in the frame that caught the error
            frame = frames[-1]
            code = frame.code
            ops = code.ops
            consts = code.consts
            slots = frame.slots
            stack = frame.stack
            ip = frame.ip

    def _builtin(self, name: str) -> Any:
        """A built-in not yet used in this run (made now), else UndefinedVariable."""
        v = builtin_named(name)
        if v is None:
            raise _undefined(name)
        self.builtins[name] = v
        return v

    def _too_deep(self) -> AxiomError:
        return AxiomError("StackOverflow", f"call depth exceeded {self.max_depth} "
                                           "(setting max_call_depth)")

    def _free_name(self, frame: Frame, index: int) -> str:
        names = frame.code.free_names
        return names[index] if index < len(names) else "<captured>"

    def _host_error(self, e: BaseException) -> AxiomError:
        if isinstance(e, RecursionError):
            return AxiomError("StackOverflow", "host recursion limit reached (data or "
                                               "callbacks nested too deeply)")
        if isinstance(e, MemoryError):
            return AxiomError("LimitExceeded", "out of memory (the run needed more memory than "
                                               "it may use: --max-memory)")
        err = AxiomError("Error", f"internal error: {type(e).__name__}: {e} "
                                  "(this is a bug in Axiom; please report it)")
        err.__cause__ = e
        err.internal = True  # type: ignore[attr-defined]
        return err

    def _unwind(self, e: AxiomError, stop: int) -> None:
        """Find a handler for `e` in the frames above `stop`; re-raise when none.
        The error's position, trace and frame variables are taken first, where it
        was raised."""
        frames = self.frames
        if e.span is None:
            self.runtime.locate(e, frames)
        while len(frames) > stop:
            f = frames[-1]
            if f.handlers:
                handler_ip, depth = f.handlers.pop()
                del f.stack[depth:]
                f.stack.append(I.caught(e))
                f.ip = handler_ip
                return
            if len(frames) - 1 == stop:
                break
            frames.pop()
        raise e

    # -- method calls --------------------------------------------------------------------------
    def _method_call(self, stack: list[Any], shape: tuple[str, int, tuple[str, ...] | None],
                     frame: Frame) -> Frame | None:
        """`obj.name(args)`: pushes the result, or returns a Frame to run."""
        name, argc, kwnames = shape
        total = argc + (len(kwnames) if kwnames else 0)
        base = len(stack) - total
        obj = stack[base - 1]
        args = stack[base:base + argc]
        kwargs = dict(zip(kwnames, stack[base + argc:])) if kwnames else None
        del stack[base - 1:]
        t = type(obj)
        if t is Instance:
            fields = obj.fields
            if name in fields:
                f = fields[name]
            else:
                m = obj.cls.find_method(name)
                if m is None:
                    raise AxiomError("AttributeError", f"{obj.cls.name} has no method '{name}'")
                if type(m) is Closure:
                    return self._frame_for(m, [obj, *args], kwargs or {})
                stack.append(m(obj, *args, **(kwargs or {})))
                return None
        else:
            table = METHODS.get(t)
            if table is not None:
                m = table.get(name) or method_of(t, name)
                if m is not None:
                    stack.append(m(obj, *args, **kwargs) if kwargs else m(obj, *args))
                    return None
            f = I.get_attr(obj, name, METHODS)
        if type(f) is Closure:
            return self._frame_for(f, args, kwargs or {})
        r = self._call_other(f, args, kwargs, frame)
        if type(r) is Frame:
            return r
        stack.append(r)
        return None

    # -- the rest of the instruction set --------------------------------------------------------
    def _slow(self, op: int, arg: int, frame: Frame, stack: list[Any], slots: list[Any],
              consts: list[Any]) -> Any:
        """Instructions outside the hot set. Returns None to continue in the same frame
        (with `frame.ip` possibly changed), _HALTED at the end of a program, or True when
        the current frame changed."""
        if op == _POP_TRY:
            frame.handlers.pop()  # type: ignore[union-attr]
        elif op == _SETUP_TRY:
            if frame.handlers is None:
                frame.handlers = []
            frame.handlers.append((arg, len(stack)))
        elif op == _DUP:
            stack.append(stack[-1])
        elif op == _DUP2:
            stack.extend(stack[-2:])
        elif op == _JUMP_IF_FALSE_OR_POP:
            if truthy(stack[-1]):
                stack.pop()
            else:
                frame.ip = arg
        elif op == _JUMP_IF_TRUE_OR_POP:
            if truthy(stack[-1]):
                frame.ip = arg
            else:
                stack.pop()
        elif op == _STORE_GLOBAL:
            frame.globals[consts[arg]] = stack.pop()
        elif op == _IN:
            b = stack.pop()
            stack[-1] = I.contains(stack[-1], b)
        elif op == _NOT:
            stack[-1] = not truthy(stack[-1])
        elif op == _NEG:
            stack[-1] = I.neg(stack[-1])
        elif op == _RENDER:
            v = stack[-1]
            if type(v) is not str:
                stack[-1] = display(v)
        elif op == _FORMAT:
            stack[-1] = I.format_value(stack[-1], consts[arg])
        elif op == _BUILD_STR:
            n = len(stack) - arg
            s = "".join(stack[n:])
            del stack[n:]
            stack.append(s)
        elif op == _MAKE_LIST:
            n = len(stack) - arg
            items = stack[n:]
            del stack[n:]
            stack.append(items)
        elif op == _MAKE_DICT:
            n = len(stack) - 2 * arg
            items = stack[n:]
            del stack[n:]
            stack.append(I.make_dict(items))
        elif op == _LIST_REPEAT:
            count = stack.pop()
            stack[-1] = I.list_repeat(stack[-1], count)
        elif op == _MAKE_RANGE:
            b = stack.pop()
            stack[-1] = I.make_range(stack[-1], b, bool(arg))
        elif op == _SET_ATTR:
            v = stack.pop()
            I.set_attr(stack.pop(), consts[arg], v)
        elif op == _SET_INDEX:
            v = stack.pop()
            i = stack.pop()
            I.set_index(stack.pop(), i, v)
        elif op == _SLICE:
            hi = stack.pop() if arg & 2 else None
            lo = stack.pop() if arg & 1 else None
            stack[-1] = I.slice_(stack[-1], lo, hi)
        elif op == _GET_ITER:
            stack[-1] = I.iterate(stack[-1])
        elif op == _UNPACK:
            stack.extend(I.unpack(stack.pop(), arg))
        elif op == _MAKE_CLOSURE:
            code: Code = consts[arg]
            cells = tuple(slots[i] if from_slot else frame.closure.cells[i]  # type: ignore[union-attr]
                          for from_slot, i in code.captures)
            stack.append(Closure(code, cells, frame.module))
        elif op == _NEW_CELL:
            slots[arg] = Cell()
        elif op == _CELL_PARAM:
            slots[arg] = Cell(slots[arg])
        elif op == _IS_UNSET:
            stack.append(slots[arg] is UNSET)
        elif op == _MAKE_CLASS:
            parent = stack[-1]
            if parent is not None and type(parent) is not Class:
                raise AxiomError("TypeError", f"class {consts[arg]} can only extend a class, "
                                              f"not {_type(parent)}")
            stack[-1] = Class(consts[arg], parent, {})
        elif op == _ADD_METHOD:
            fn = stack.pop()
            stack[-1].methods[consts[arg]] = fn
        elif op == _SUPER_GET:
            this = stack.pop()
            stack[-1] = I.super_get(stack[-1], this, consts[arg])
        elif op == _THROW:
            raise I.thrown(stack.pop())
        elif op == _OUT:
            self.runtime.write(self.runtime.render(stack.pop()), arg)
        elif op == _CALL_KW or op == _TAIL_CALL_KW:
            return self._call_kw(frame, stack, consts[arg])
        elif op == _IMPORT:
            stack.append(self.runtime.import_module(consts[arg], frame.code.filename))
        elif op == _IMPORT_FROM:
            stack.append(stack[-1].get_symbol(consts[arg]))
        elif op == _ALLOC_FIXED or op == _CHECK_FIXED:
            stack[-1] = I.check_fixed(consts[arg], stack[-1], op == _ALLOC_FIXED)
        elif op == _FREE_VAR:
            if type(slots[arg]) is Cell:
                slots[arg].value = UNSET
            else:
                slots[arg] = UNSET
        elif op == _FREE_GLOBAL:
            name = consts[arg]
            if frame.globals.pop(name, UNSET) is UNSET:
                raise _undefined(name)
        elif op == _HALT:
            return _HALTED
        elif op == _NOP:
            pass
        else:
            raise AssertionError(f"unknown opcode {op}")
        return None

    def _call_kw(self, frame: Frame, stack: list[Any], shape: tuple[int, tuple[str, ...]]) -> Any:
        argc, names = shape
        total = argc + len(names)
        base = len(stack) - total
        f = stack[base - 1]
        args = stack[base:base + argc]
        kwargs = dict(zip(names, stack[base + argc:]))
        del stack[base - 1:]
        if type(f) is Closure:
            new = self._frame_for(f, args, kwargs)
        else:
            new = self._call_other(f, args, kwargs, frame)
            if type(new) is not Frame:
                stack.append(new)
                return None
        self.frames.append(new)
        return True


_HALTED: Final = object()  # what _slow returns when a program ends

# Opcodes of the slow path as module globals (an attribute lookup on Op per test would
# cost more than the comparison).
_ADD_METHOD: Final = Op.ADD_METHOD
_ALLOC_FIXED: Final = Op.ALLOC_FIXED
_BUILD_STR: Final = Op.BUILD_STR
_CALL_KW: Final = Op.CALL_KW
_CELL_PARAM: Final = Op.CELL_PARAM
_CHECK_FIXED: Final = Op.CHECK_FIXED
_DUP: Final = Op.DUP
_DUP2: Final = Op.DUP2
_FORMAT: Final = Op.FORMAT
_FREE_GLOBAL: Final = Op.FREE_GLOBAL
_FREE_VAR: Final = Op.FREE_VAR
_GET_ITER: Final = Op.GET_ITER
_HALT: Final = Op.HALT
_IMPORT: Final = Op.IMPORT
_IMPORT_FROM: Final = Op.IMPORT_FROM
_IN: Final = Op.IN
_IS_UNSET: Final = Op.IS_UNSET
_JUMP_IF_FALSE_OR_POP: Final = Op.JUMP_IF_FALSE_OR_POP
_JUMP_IF_TRUE_OR_POP: Final = Op.JUMP_IF_TRUE_OR_POP
_LIST_REPEAT: Final = Op.LIST_REPEAT
_MAKE_CLASS: Final = Op.MAKE_CLASS
_MAKE_CLOSURE: Final = Op.MAKE_CLOSURE
_MAKE_DICT: Final = Op.MAKE_DICT
_MAKE_LIST: Final = Op.MAKE_LIST
_MAKE_RANGE: Final = Op.MAKE_RANGE
_NEG: Final = Op.NEG
_NEW_CELL: Final = Op.NEW_CELL
_NOP: Final = Op.NOP
_NOT: Final = Op.NOT
_OUT: Final = Op.OUT
_POP_TRY: Final = Op.POP_TRY
_RENDER: Final = Op.RENDER
_SETUP_TRY: Final = Op.SETUP_TRY
_SET_ATTR: Final = Op.SET_ATTR
_SET_INDEX: Final = Op.SET_INDEX
_SLICE: Final = Op.SLICE
_STORE_GLOBAL: Final = Op.STORE_GLOBAL
_SUPER_GET: Final = Op.SUPER_GET
_TAIL_CALL_KW: Final = Op.TAIL_CALL_KW
_THROW: Final = Op.THROW
_UNPACK: Final = Op.UNPACK


def _type(v: Any) -> str:
    from axiom_sdk import typeof
    return typeof(v)


def _count(code: Code) -> str:
    lo, hi = code.min_args, code.nparams
    n = f"{lo}" if lo == hi else f"from {lo} to {hi}"
    return f"{n} argument" + ("" if hi == 1 and lo == 1 else "s")

"""`axiom run [OPTIONS] FILE [--] [ARGS...]` (also `axiom FILE ...`): the fast path.

Imports neither typer, rich nor pluggy: options are read by hand from argv. Options
for axiom go before FILE; every word after FILE belongs to the script (`ARGS`), and a
`--` right after FILE is only a separator.

Exit status: 0 ok, 1 runtime error, 2 usage or syntax error, 130 / 143 after Ctrl-C /
SIGTERM (the run is interrupted: Runtime.interrupt), 141 when stdout's reader went away.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


USAGE = "Usage: axiom run [OPTIONS] FILE [--] [ARGS...]\n"  # the options: cli/tools_cmd.run_help

_VALUE_OPTS = {"--jit", "--max-steps", "--max-memory", "--timeout", "--metrics-out",
               "--profile-out", "--flamegraph"}
_FLAGS = ("--sandbox", "--debug", "--no-cache", "--no-optimize", "--metrics", "--profile", "--trace")
_ALLOW = {"--allow-read": "fs.read", "--allow-write": "fs.write", "--allow-net": "net",
          "--allow-env": "env", "--allow-run": "proc", "--allow-sys": "sys"}


class UsageError(Exception):
    pass


def parse_args(argv: list[str]) -> tuple[dict[str, Any], str, list[str]]:
    opts: dict[str, Any] = {"sandbox": False, "allow": [], "limits": {}}
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "--" or not a.startswith("-") or a == "-":
            break
        name, eq, value = a.partition("=")
        if name in ("-h", "--help"):
            raise UsageError("")
        if name in _VALUE_OPTS:
            if not eq:
                i += 1
                if i >= len(argv):
                    raise UsageError(f"{name} needs a value")
                value = argv[i]
            _set_value(opts, name, value)
        elif name in _ALLOW:
            cap = _ALLOW[name]
            if eq and cap not in ("fs.read", "fs.write", "net"):
                raise UsageError(f"{name} takes no value (it grants the capability everywhere)")
            if eq:
                opts["allow"] += [(cap, v) for v in value.split(",") if v]
            else:
                opts["allow"].append((cap, None))
            opts["sandbox"] = True  # an allow flag means "only this", as in Deno
        elif name == "--sandbox":
            opts["sandbox"] = True
        elif name == "--debug":
            opts["debug"] = True
        elif name == "--metrics" and not eq:
            opts["metrics"] = True
        elif name == "--profile" and not eq:
            opts["profile"] = True
        elif name == "--trace" and not eq:
            opts["trace"] = True
        elif name == "--no-cache":
            opts["no_cache"] = True
        elif name == "--no-optimize":
            opts["no_optimize"] = True
        else:
            raise UsageError(f"unknown option {name!r}" + _near_option(name))
        i += 1
    if i < len(argv) and argv[i] == "--":
        i += 1
    if i >= len(argv):
        raise UsageError("missing FILE")
    file = argv[i]
    rest = argv[i + 1:]
    if rest and rest[0] == "--":
        rest = rest[1:]
    return opts, file, rest


def _near_option(name: str) -> str:
    """` (did you mean '--sandbox'?)` for a misspelt option, or ""."""
    import difflib
    known = [*_VALUE_OPTS, *_ALLOW, *_FLAGS, "--help"]
    near = difflib.get_close_matches(name, known, 1, 0.7)
    return f" (did you mean {near[0]!r}?)" if near else ""


def _set_value(opts: dict[str, Any], name: str, value: str) -> None:
    try:
        if name == "--jit":
            if value not in ("off", "host", "native"):
                raise UsageError(f"--jit takes off, host or native, not {value!r}")
            opts["jit"] = value
        elif name == "--max-steps":
            opts["limits"]["max_steps"] = int(value)
        elif name == "--max-memory":
            opts["limits"]["max_memory"] = float(value)
        elif name == "--timeout":
            opts["limits"]["timeout"] = float(value)
        elif name in ("--metrics-out", "--profile-out", "--flamegraph"):
            if not value:
                raise UsageError(f"{name} needs a file name")
            opts[name[2:].replace("-", "_")] = value
    except ValueError:
        raise UsageError(f"{name} takes a number, not {value!r}") from None


def _stdin_source() -> str:
    from axiom_sdk import AxiomError
    data = sys.stdin.buffer.read()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise AxiomError("SyntaxError", f"<stdin> is not valid UTF-8 (byte {e.start})") from None


def _share_malloc_arenas() -> None:
    """mallopt(M_ARENA_MAX, 2) in glibc (nothing elsewhere): threads allocate from two
    shared arenas instead of reserving one each."""
    try:
        import ctypes
        libc = ctypes.CDLL(None)
        mallopt = getattr(libc, "mallopt", None)
        if mallopt is not None:
            mallopt(-8, 2)  # M_ARENA_MAX
    except (OSError, ImportError, AttributeError):
        pass


# Address space held back while a run with --max-memory goes on, and given up when it
# ends: room to report its error after the run used everything up to the cap.
_reserve: list[bytearray] = []


# Threads the address-space cap leaves room for (their stacks are address space, not
# RAM, until used); one more is LimitExceeded "cannot start another thread".
THREAD_ROOM = 64


def _limit_address_space(mb: float) -> None:
    """A backstop for --max-memory: cap the address space at what the process uses now
    plus the limit (and some room for the host and for THREAD_ROOM thread stacks), so a
    runaway allocation ends in a MemoryError (LimitExceeded) instead of exhausting the
    machine. glibc's malloc would reserve 64 MB of address space for each thread's own
    arena, so its arenas are limited to two first: threads share them."""
    try:
        import resource
        import threading
        _share_malloc_arenas()
        with open("/proc/self/statm") as f:
            pages = int(f.read().split()[0])
        now = pages * os.sysconf("SC_PAGE_SIZE")
        stack = threading.stack_size() or resource.getrlimit(resource.RLIMIT_STACK)[0]
        if stack <= 0 or stack > 64 * 1024 * 1024:  # unlimited: glibc's threads take 8 MB then
            stack = 8 * 1024 * 1024
        cap = now + int(mb * 1024 * 1024) + 256 * 1024 * 1024 + THREAD_ROOM * (stack + 65536)
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            cap = min(cap, hard)
        resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
        _reserve.append(bytearray(32 * 1024 * 1024))  # zero pages: address space, not RAM
    except (OSError, ValueError, ImportError, MemoryError):
        pass


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised on the main thread: ends the run as Ctrl-C does (exit 143)."""

    signum = 15


def signal_number(name: str) -> int:
    import signal
    return int(getattr(signal, name))


def _raise_on_sigterm() -> None:
    """SIGTERM ends the run the way Ctrl-C does: the main thread gets Terminated."""
    import _signal as signal  # not `signal`, whose enums cost start-up time

    def terminated(signum: int, frame: Any) -> None:
        raise Terminated()
    try:
        signal.signal(signal.SIGTERM, terminated)
    except ValueError:  # not the main thread (an embedding host calling main)
        pass


def _exit_on_next_signal(status: int) -> None:
    """While the run is being ended after a first Ctrl-C (or SIGTERM), a second one
    exits at once."""
    import _signal as signal

    def now(signum: int, frame: Any) -> None:
        os._exit(status)
    try:
        signal.signal(signal.SIGINT, now)
        signal.signal(signal.SIGTERM, now)
    except ValueError:
        pass


def _interrupt_main() -> None:
    """Interrupt the main thread as Ctrl-C would (a real SIGINT, so that a blocking wait
    ends too): a task found stdout's reader gone, and the run is to end quietly."""
    import signal
    import threading
    signal.pthread_kill(threading.main_thread().ident or 0, signal.SIGINT)


def _guard_standard_fds() -> None:
    """A descriptor 0, 1 or 2 closed when the process started gets /dev/null, so that no
    file the run opens takes its place (and its programs inherit something sane). A
    closed stdout stays closed for `out` (sys.stdout is None: IOError when written);
    with a closed stderr, diagnostics are lost but the exit status is kept."""
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            try:
                null = os.open(os.devnull, os.O_RDWR)
                if null != fd:
                    os.dup2(null, fd)
                    os.close(null)
            except OSError:
                pass
    if sys.stderr is None:
        sys.stderr = open(2, "w", closefd=False)  # noqa: SIM115 - for the process's life


def _flush_stdout() -> Any:
    """Write out what stdout still buffers: None when done, 141 when its reader went
    away, or the IOError when it cannot be written (a full disk)."""
    from axiom_sdk import AxiomError
    stream = sys.stdout
    if stream is None:
        return None
    try:
        stream.flush()
    except BrokenPipeError:
        _quiet_stdout()
        return 141
    except OSError as e:
        _quiet_stdout()  # what is left is dropped, so that exit does not try again
        return AxiomError("IOError", f"cannot write output: {e.strerror or e}")
    return None


def _quiet_stdout() -> None:
    """stdout's reader went away (`axiom run f.ax | head`): stop quietly, as a Unix
    filter does, and keep Python from complaining at exit."""
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def _render(error: Any, colour: bool = False) -> str:
    """An error's report (errors.py is imported only when a run ends with one); `colour`
    when stderr is a terminal that takes it."""
    from ..errors import render, use_colour
    return render(error, colour and use_colour(sys.stderr))


def _tune_collector() -> None:
    """Python's cycle collector, for a process that runs one script. What exists before
    the script runs (the interpreter's modules, Axiom's own objects) lives as long as the
    process: gc.freeze() keeps it out of every collection. Young collections come every
    10,000 new containers rather than Python's 700, and so do the older ones in turn: a
    script that builds large structures (trees, a million closures) spent over half its
    time walking them again and again (binarytrees: 1.9 s, then 0.8 s). Embedders keep
    their own settings: only `axiom run` does this. The command line's entry disables the
    collector while it loads Axiom (a collection there walks every module's objects
    again, ~1 ms of start-up); it is enabled here, before the script runs."""
    import gc
    gc.freeze()
    gc.set_threshold(10_000, 10, 10)
    gc.enable()
    global _modules_before_script
    _modules_before_script = set(sys.modules)


_modules_before_script: set[str] | None = None


def quick_exit(code: int) -> None:
    """End the process now with `code`, without the interpreter's teardown (~1 ms of a
    hello world's ~14: every module and object freed one by one), when the script loaded
    no Python module but the core's own (`axiom.*`: the cache reader, the JIT; not the
    modules' `axiom_*` packages): then nothing it did can need the teardown (no module's
    open files or threads, no atexit callbacks). Returns otherwise, and when the standard
    streams cannot be flushed (the caller's sys.exit reports that as Python does)."""
    if _modules_before_script is None or any(
            not name.startswith("axiom.") for name in sys.modules.keys() - _modules_before_script):
        return
    import atexit
    if atexit._ncallbacks():
        return
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        return
    os._exit(code)


def main(argv: list[str]) -> int:
    _guard_standard_fds()
    try:
        opts, file, args = parse_args(argv)
    except UsageError as e:
        if str(e):
            sys.stderr.write(f"axiom run: {e}\n{USAGE}Try 'axiom run --help' for help.\n")
            return 2
        from .tools_cmd import run_help  # typer only when help is asked for
        run_help()
        return 0
    debug = bool(opts.get("debug")) or os.environ.get("AXIOM_DEBUG") == "1"
    from axiom_sdk import AxiomError

    from .. import conf
    from ..runtime import ALL_CAPABILITIES, Runtime
    from ..vm import OutputClosed

    if file != "-" and not os.path.exists(file):
        sys.stderr.write(f"axiom: cannot open {file}: no such file\n")
        return 2
    settings, problems = conf.load_lenient()
    if problems:  # a broken config.toml does not stop a script: one line, then go on
        sys.stderr.write(conf.warning(problems) + "\n")
    if opts.get("no_cache"):
        settings["bytecode_cache"] = False
    if opts.get("no_optimize"):
        settings["peephole_optimizer"] = False
    if "jit" in opts:
        settings["jit"] = opts["jit"]
    if opts.get("trace"):
        both = [o for o, k in (("--profile", "profile"), ("--profile-out", "profile_out"),
                               ("--flamegraph", "flamegraph")) if opts.get(k)]
        if both:  # a trace slows every instruction: a profile of it would mislead
            sys.stderr.write(f"axiom run: --trace cannot be combined with {both[0]}: a traced run "
                             f"is too slow to profile; run them separately\n{USAGE}")
            return 2
        if opts.get("jit", "off") != "off":
            sys.stderr.write(f"axiom run: --trace runs tier 0 only; it cannot be combined with "
                             f"--jit {opts['jit']}\n{USAGE}")
            return 2
        settings["jit"] = "off"  # --trace shows tier 0's instructions
    if "max_memory" in opts["limits"]:
        _limit_address_space(opts["limits"]["max_memory"])
    grants: Any = opts["allow"] if opts["sandbox"] else ALL_CAPABILITIES
    metrics = bool(opts.get("metrics") or opts.get("metrics_out"))
    rt = Runtime(grants=grants, limits=opts["limits"], settings=settings, args=args,
                 metrics=metrics)
    profiling = bool(opts.get("profile") or opts.get("profile_out") or opts.get("flamegraph")
                     or settings.get("profiling_enabled"))
    if opts.get("trace"):
        from ..profiler import Tracer
        try:  # the program's lines and the trace's, in the order they happen
            sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
        except (AttributeError, ValueError):
            pass
        rt.profiler = Tracer(sys.stderr)
    elif profiling:
        from ..profiler import Profiler
        rt.profiler = Profiler(count_ops=settings.get("jit") == "off")
    if rt.profiler is not None:
        rt.profiler.start()
    rt.on_output_closed = _interrupt_main
    code = 0
    error = None
    report = ""  # written after the stop hooks, which may restore the terminal first
    _raise_on_sigterm()
    _tune_collector()
    try:
        try:
            if file == "-":  # `axiom run -`: the script comes from standard input
                rt.eval(_stdin_source(), "<stdin>")
            else:
                rt.run_file(file)
        except AxiomError as e:
            _reserve.clear()  # the run is over: room to describe its error
            error = e
            if debug and e.__cause__ is not None:
                import traceback
                traceback.print_exception(e.__cause__)
            report = _render(e, colour=True)
            code = 2 if e.kind == "SyntaxError" else 1
        except OutputClosed:
            _quiet_stdout()
            if rt.profiler is not None:
                rt.profiler.stop()
            rt.close(None)
            return 141
        except MemoryError:  # out of memory outside any instruction (the runtime reports it)
            _reserve.clear()
            from ..runtime import out_of_memory
            error = out_of_memory()
            report = _render(error)
            code = 1
        except Exception as e:  # a bug in Axiom itself
            if debug:
                raise
            report = (f"axiom: internal error: {type(e).__name__}: {e}\n"
                      "This is a bug in Axiom. Please report it with the script that "
                      "caused it; run with --debug (or AXIOM_DEBUG=1) for details.\n")
            code = 1
        if rt.profiler is not None:
            rt.profiler.stop()
        status = rt.close(error)  # waits for the script's tasks
        if rt.output_closed:  # a task found stdout's reader gone: its SIGINT may be late
            raise KeyboardInterrupt
    except KeyboardInterrupt as e:  # Ctrl-C or SIGTERM, while running or waiting for tasks
        if rt.output_closed:  # a task found stdout's reader gone (_interrupt_main)
            import _signal
            _signal.signal(_signal.SIGINT, _signal.SIG_IGN)  # the task's SIGINT, if still to come
            _quiet_stdout()
            rt.interrupt("ended: its output was closed")
            return 141
        signum = getattr(e, "signum", signal_number("SIGINT"))
        _exit_on_next_signal(128 + signum)
        reason = "terminated" if signum == signal_number("SIGTERM") else "interrupted"
        rt.interrupt(reason)  # tasks stop, programs end, temporary files go
        sys.stderr.write(f"axiom: {reason}\n")
        rt.flush()
        return 128 + signum
    except OutputClosed:  # a task's `out` found stdout closed after the script ended
        _quiet_stdout()
        return 141
    flushed = _flush_stdout()
    if flushed is not None:  # the last output could not be written
        if flushed == 141:
            return 141
        if not report:
            report = _render(flushed)
            code = 1
    if report:
        sys.stderr.write(report)
    if metrics and not _report_metrics(rt, opts):
        return code or status or 1
    if profiling and not opts.get("trace") and not _report_profile(rt.profiler, opts, settings, file):
        return code or status or 1
    return code or status


def _report_profile(prof: Any, opts: dict[str, Any], settings: dict[str, Any], file: str) -> bool:
    """--profile (or profiling_enabled) prints the tables on stderr, --profile-out writes
    them as JSON, --flamegraph writes the stacks; False when a file cannot be written
    (said on stderr)."""
    from .. import profiler
    tier = str(settings.get("jit", "off"))
    if opts.get("profile") or settings.get("profiling_enabled"):
        sys.stdout.flush()
        prof.report(sys.stderr, tier)
    ok = True
    path = opts.get("profile_out")
    if path:
        import json
        try:
            with open(path, "w", encoding="utf-8") as f:
                json.dump(prof.to_json(file, tier), f, indent=2)
                f.write("\n")
        except OSError as e:
            sys.stderr.write(f"axiom: cannot write the profile to {path}: {e.strerror or e}\n")
            ok = False
    path = opts.get("flamegraph")
    if path:
        try:
            profiler.write_flamegraph(prof, path, file)
        except OSError as e:
            sys.stderr.write(f"axiom: cannot write the flame graph to {path}: {e.strerror or e}\n")
            ok = False
        except ImportError:
            sys.stderr.write(f"axiom: --flamegraph {path} draws the SVG with matplotlib, which is "
                             "not installed (pip install matplotlib); collapsed stacks need nothing: "
                             "--flamegraph FILE.txt\n")
            ok = False
    return ok


def _report_metrics(rt: Any, opts: dict[str, Any]) -> bool:
    """--metrics prints the run's metrics, --metrics-out writes them; False when the
    file cannot be written (said on stderr)."""
    from .. import metrics
    m = rt.metrics()
    if opts.get("metrics"):
        sys.stderr.write(metrics.summary(m))
    path = opts.get("metrics_out")
    if path:
        try:
            metrics.write(m, path)
        except OSError as e:
            sys.stderr.write(f"axiom: cannot write metrics to {path}: {e.strerror or e}\n")
            return False
    return True

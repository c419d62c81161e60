"""Typer commands over the language: run (help and forwarding), build, dis."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
import typer.core
import typer.main


def register(app: typer.Typer) -> None:
    @app.command("run", context_settings={"allow_extra_args": True, "ignore_unknown_options": True,
                                          "help_option_names": []})
    def run(ctx: typer.Context) -> None:
        """Run a script: axiom run [OPTIONS] FILE [--] [ARGS...] (axiom run --help for options)."""
        from .run import main
        raise typer.Exit(main(list(ctx.args)))

    @app.command("build")
    def build(file: Annotated[Path, typer.Argument(metavar="FILE", help="The .ax script to compile.")]) -> None:
        """Compile FILE.ax to FILE.axc (run it with `axiom run FILE.axc`)."""
        raise typer.Exit(build_file(file))

    @app.command("dis")
    def dis(
        file: Annotated[str | None, typer.Argument(metavar="FILE", help="The .ax script (or .axc) to "
                                                     "disassemble.", show_default=False)] = None,
        args: Annotated[list[str] | None, typer.Argument(metavar="ARGS...", help="With --jit: arguments "
                                                          "for the script (its ARGS list); a -- before "
                                                          "them lets them start with -.",
                                                          show_default=False)] = None,
        jit: Annotated[str | None, typer.Option(
            "--jit", metavar="[off|host|native]", is_flag=False, flag_value=_JIT_DEFAULT,
            help="Run FILE, then print what the JIT compiled: for each function and loop, the "
                 "tier it reached, the argument kinds it was specialised for, and its generated "
                 "Python code or LLVM IR; why code stayed in tier 0. The tier is the one given, "
                 "else the jit setting.", show_default=False)] = None,
        jit_threshold: Annotated[int | None, typer.Option(
            "--jit-threshold", metavar="N", min=0, help="With --jit: compile after N calls or loop "
            "passes (default: the jit_threshold setting; 0 compiles everything that runs). "
            "Implies --jit.", show_default=False)] = None,
    ) -> None:
        """Print the bytecode of FILE: offset, line, instruction, operand. With --jit, run FILE
        and show the code the JIT tiers compiled."""
        raise typer.Exit(dis_command(file, args or [], jit, jit_threshold))

    @app.command("repl")
    def repl_cmd() -> None:
        """Start the interactive prompt (also plain `axiom`)."""
        from .repl import repl
        raise typer.Exit(repl())


def run_help() -> None:
    """`axiom run --help`, in the style of every other command's help."""
    run_command().main(args=["--help"], prog_name="axiom run", standalone_mode=False)


def run_command() -> typer.core.TyperCommand:
    """The click command that documents `axiom run` (its help, and the documentation
    site's command reference). `axiom run` itself parses its options by hand (run.py,
    the fast path); this declaration only documents them."""
    from .app import tidy_help
    doc = typer.Typer(add_completion=False, pretty_exceptions_enable=False,
                      context_settings={"help_option_names": ["-h", "--help"]})

    @doc.command()
    def run(
        file: Annotated[str, typer.Argument(metavar="FILE", help="The script: a .ax file, a .axc made by "
                                 "`axiom build`, or - to read it from standard input.")],
        args: Annotated[list[str] | None, typer.Argument(metavar="ARGS...", help="Arguments for the script "
                                              "(its ARGS list): every word after FILE. A -- right "
                                              "after FILE is only a separator.")] = None,
        jit: Annotated[str | None, typer.Option("--jit", metavar="off|host|native",
                                       help="The execution tier (default: the jit setting).")] = None,
        sandbox: Annotated[bool, typer.Option("--sandbox", help="Grant no capability; add them back with "
                                     "the --allow-* options (any of which implies --sandbox: "
                                     "the run gets only what they grant).")] = False,
        allow_read: Annotated[str | None, typer.Option("--allow-read", metavar="[=PATH,...]",
                                              help="Grant reading files (only under each PATH, "
                                              "when given).")] = None,
        allow_write: Annotated[str | None, typer.Option("--allow-write", metavar="[=PATH,...]",
                                               help="Grant writing files (only under each PATH, "
                                               "when given).")] = None,
        allow_net: Annotated[str | None, typer.Option("--allow-net", metavar="[=HOST,...]",
                                             help="Grant network access (only to each HOST, when "
                                             "given).")] = None,
        allow_env: Annotated[bool, typer.Option("--allow-env", help="Grant reading environment "
                                       "variables.")] = False,
        allow_run: Annotated[bool, typer.Option("--allow-run", help="Grant running processes.")] = False,
        allow_sys: Annotated[bool, typer.Option("--allow-sys", help="Grant reading system "
                                       "information.")] = False,
        max_steps: Annotated[int | None, typer.Option("--max-steps", metavar="N", help="Stop after about N "
                                             "instructions (LimitExceeded).")] = None,
        max_memory: Annotated[float | None, typer.Option("--max-memory", metavar="MB", help="Stop when the "
                                                "run holds more than MB megabytes of memory "
                                                "(LimitExceeded).")] = None,
        timeout: Annotated[float | None, typer.Option("--timeout", metavar="S", help="Stop after S seconds "
                                             "of wall time.")] = None,
        metrics: Annotated[bool, typer.Option("--metrics", help="Print the run's metrics on stderr "
                                     "when it ends.")] = False,
        metrics_out: Annotated[str | None, typer.Option("--metrics-out", metavar="FILE", help="Write the "
                                               "metrics to FILE: JSON, or the Prometheus text format "
                                               "for FILE.prom.")] = None,
        profile: Annotated[bool, typer.Option("--profile", help="Print a profile on stderr when the "
                                     "run ends: time and calls per function, the hottest lines, "
                                     "and opcode counts under --jit off (also the "
                                     "profiling_enabled setting).")] = False,
        profile_out: Annotated[str | None, typer.Option("--profile-out", metavar="FILE", help="Write "
                                               "the profile to FILE as JSON.")] = None,
        flamegraph: Annotated[str | None, typer.Option("--flamegraph", metavar="OUT", help="Write a "
                                              "flame graph: collapsed stacks (flamegraph.pl, "
                                              "speedscope), speedscope's JSON for OUT.json, or an "
                                              "SVG for OUT.svg.")] = None,
        trace: Annotated[bool, typer.Option("--trace", help="Print each executed instruction with "
                                   "its source position on stderr (runs tier 0: --jit off).")] = False,
        no_cache: Annotated[bool, typer.Option("--no-cache", help="Do not read or write "
                                      "__axcache__/.")] = False,
        no_optimize: Annotated[bool, typer.Option("--no-optimize", help="Run without the bytecode "
                                         "optimizer.")] = False,
        debug: Annotated[bool, typer.Option("--debug", help="Show Python tracebacks for internal "
                                   "errors.")] = False,
    ) -> None:
        """Run an Axiom script (also `axiom FILE ...`). Options for axiom go before FILE;
        every word after it belongs to the script."""

    command = typer.main.get_command(doc)
    tidy_help(command)
    return command  # type: ignore[return-value]


def _load(file: Path, settings_override: dict[str, object] | None = None) -> object:
    from .. import conf
    from ..runtime import Runtime
    settings = conf.load()
    settings["bytecode_cache"] = False
    rt = Runtime(settings=settings)
    if file.suffix == ".axc":
        return rt.load_compiled(file)
    return rt.load_script(file)


def build_file(file: Path) -> int:
    from axiom_sdk import AxiomError

    from .. import conf
    from ..errors import render
    from ..runtime import Runtime
    rt = Runtime(settings=conf.load())
    try:
        text = rt.read_source(file)
        code = rt.compile(text, str(file))
    except AxiomError as e:
        sys.stderr.write(render(e))
        return 2
    out = file.with_suffix(".axc")
    if not conf.write_atomic(str(out), rt.compiled_bytes(code, text)):
        sys.stderr.write(f"axiom: cannot write {out}\n")
        return 1
    print(f"wrote {out}")
    return 0


_JIT_DEFAULT = "setting"  # `--jit` with no tier: the jit setting's
_TIERS = ("off", "host", "native")


def dis_command(file: str | None, args: list[str], jit: str | None, threshold: int | None) -> int:
    """`axiom dis [--jit [TIER]] [--jit-threshold N] FILE [ARGS...]`. A bare `--jit` right
    before FILE takes FILE as its value (click reads an option's optional value greedily):
    anything that is not a tier is the file, and what followed moves up into ARGS."""
    if jit is not None and jit != _JIT_DEFAULT and jit not in _TIERS:
        if file is not None:
            args = [file, *args]
        file, jit = jit, _JIT_DEFAULT
    if jit is None and threshold is not None:
        jit = _JIT_DEFAULT
    if file is None:
        sys.stderr.write("axiom dis: missing FILE\nUsage: axiom dis [--jit [off|host|native]] "
                         "[--jit-threshold N] FILE [ARGS...]\n")
        return 2
    if jit is None:
        if args:
            sys.stderr.write(f"axiom dis: unexpected argument {args[0]!r}: arguments for the script "
                             "are taken with --jit only (which runs it)\n")
            return 2
        return dis_file(Path(file))
    return dis_jit(file, args, None if jit == _JIT_DEFAULT else jit, threshold)


def dis_jit(file: str, args: list[str], tier: str | None, threshold: int | None) -> int:
    """Run `file` as `axiom run` does (its output, and its error report on stderr), then
    print on stdout what the JIT compiled (jit/show.py). The exit status is the run's."""
    import os

    from axiom_sdk import AxiomError

    from .. import conf
    from ..errors import render, use_colour
    from ..jit.show import report
    from ..runtime import ALL_CAPABILITIES, Runtime
    from ..vm import OutputClosed

    if not os.path.exists(file):
        sys.stderr.write(f"axiom: cannot open {file}: no such file\n")
        return 2
    settings, problems = conf.load_lenient()
    if problems:
        sys.stderr.write(conf.warning(problems) + "\n")
    if tier is not None:
        settings["jit"] = tier
    if threshold is not None:
        settings["jit_threshold"] = threshold

    class Recording(Runtime):
        """A Runtime that keeps every code object it loads: the script's and those of the
        .ax modules it imports."""
        loaded: list[Any]

        def load_script(self, path: Any) -> Any:
            code = super().load_script(path)
            self.loaded.append(code)
            return code

        def load_compiled(self, path: Any) -> Any:
            code = super().load_compiled(path)
            self.loaded.append(code)
            return code

    rt = Recording(grants=ALL_CAPABILITIES, settings=settings, args=args)
    rt.loaded = []
    if rt.jit is not None:
        rt.jit.journal = []
    status = 0
    error = None
    text = ""
    try:
        rt.run_file(file)
    except AxiomError as e:
        error = e
        text = render(e, use_colour(sys.stderr))
        status = 2 if e.kind == "SyntaxError" else 1
    except OutputClosed:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        rt.close(None)
        return 141
    except KeyboardInterrupt:
        text = "axiom: interrupted\n"
        status = 130
    except Exception as e:  # a bug in Axiom itself
        if os.environ.get("AXIOM_DEBUG") == "1":
            raise
        text = (f"axiom: internal error: {type(e).__name__}: {e}\n"
                "This is a bug in Axiom. Please report it with the script that caused it; "
                "run with AXIOM_DEBUG=1 for details.\n")
        status = 1
    closed = rt.close(error)
    if text:
        sys.stdout.flush()
        sys.stderr.write(text)
        sys.stderr.flush()
    tier_now = str(rt.settings.get("jit", "off"))
    limit = int(rt.settings.get("jit_threshold", 1000))
    try:
        sys.stdout.write(report(rt.loaded, rt.jit, tier_now, limit))
        sys.stdout.flush()
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    return status or closed


def dis_file(file: Path) -> int:
    from axiom_sdk import AxiomError

    from ..bytecode import disassemble
    from ..errors import render
    try:
        code = _load(file)
    except AxiomError as e:
        sys.stderr.write(render(e))
        return 2 if e.kind == "SyntaxError" else 1
    print("\n".join(disassemble(code)))  # type: ignore[arg-type]
    return 0

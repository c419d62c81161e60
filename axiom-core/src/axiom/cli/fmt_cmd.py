"""`axiom fmt FILE|DIR... [--check | --write | -w]` and `axiom fmt -`: the formatter (fmt.py).

Without an option the formatted text is printed to stdout; `--check` prints a unified
diff for each file that would change and exits 1 if any would; `--write` rewrites files
in place, atomically; `-` formats stdin to stdout. A file with a syntax error is
reported as `axiom run` reports it and never rewritten; the exit status is then 2.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    @app.command("fmt")
    def fmt(
        paths: Annotated[list[str], typer.Argument(
            help="The .ax files to format, folders to format every .ax file in, or - "
                 "to format stdin to stdout.", metavar="PATH")],
        check: Annotated[bool, typer.Option(
            "--check", help="Change nothing: print a diff of each file that would change "
                            "and exit with status 1 if any would.")] = False,
        write: Annotated[bool, typer.Option(
            "--write", "-w", help="Rewrite the files in place.")] = False,
    ) -> None:
        """Format scripts in Axiom's one style (docs/fmt.md)."""
        raise typer.Exit(format_paths(paths, check, write))


def format_paths(paths: list[str], check: bool, write: bool) -> int:
    from .. import chk, conf
    if check and write:
        sys.stderr.write("axiom fmt: --check and --write cannot be used together\n")
        return 2
    if "-" in paths and len(paths) > 1:
        sys.stderr.write("axiom fmt: - (stdin) cannot be mixed with files\n")
        return 2
    width = conf.load()["fmt_line_width"]  # a broken config.toml: reported by the app (exit 2)
    if paths == ["-"]:
        return _format_stdin(width, check)
    try:
        files = chk.ax_files(paths)
    except FileNotFoundError as e:
        sys.stderr.write(f"axiom fmt: no such file or directory: {e.args[0]}\n")
        return 2
    status = 0
    changed = failed = 0
    for path in files:
        try:
            text = chk.read_text(path)
        except (OSError, UnicodeDecodeError) as e:
            reason = e.strerror if isinstance(e, OSError) else f"not valid UTF-8 (byte {e.start})"
            sys.stderr.write(f"axiom fmt: cannot read {path}: {reason}\n")
            status, failed = 2, failed + 1
            continue
        result = _format(text, path, width)
        if result is None:
            status, failed = 2, failed + 1
            continue
        if check:
            if result != text:
                changed += 1
                sys.stdout.writelines(_diff(text, result, path))
        elif write:
            if result != text:
                from ..fmt import write_file
                try:
                    write_file(path, result)
                except OSError as e:
                    sys.stderr.write(f"axiom fmt: cannot write {path}: {e.strerror or e}\n")
                    status, failed = 2, failed + 1
                    continue
                changed += 1
                sys.stderr.write(f"reformatted {path}\n")
        else:
            sys.stdout.write(result)
    if check or write:
        word = "would be reformatted" if check else "reformatted"
        files_word = "file" if changed == 1 else "files"
        line = f"{changed} {files_word} {word}, {len(files) - changed - failed} unchanged"
        if failed:
            line += f", {failed} could not be formatted"
        sys.stderr.write(line + "\n")
    if status:
        return status
    return 1 if check and changed else 0


def _format_stdin(width: int, check: bool) -> int:
    raw = sys.stdin.buffer.read()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        sys.stderr.write(f"axiom fmt: stdin is not valid UTF-8 (byte {e.start})\n")
        return 2
    result = _format(text, "<stdin>", width)
    if result is None:
        return 2
    if check:
        if result != text:
            sys.stdout.writelines(_diff(text, result, "<stdin>"))
            return 1
        return 0
    sys.stdout.write(result)
    return 0


def _format(text: str, path: str, width: int) -> str | None:
    """The formatted text, or None after reporting why there is none."""
    from ..ast import ParseError, Source
    from ..errors import render, syntax_error
    from ..fmt import FormatError, format_source
    try:
        return format_source(text, width, path)
    except ParseError as e:
        sys.stderr.write(render(syntax_error(e, Source(text, path))))
    except Exception as e:  # FormatError, or any other bug in the formatter
        import os
        if os.environ.get("AXIOM_DEBUG") == "1":
            raise
        what = str(e) if isinstance(e, FormatError) else f"{type(e).__name__}: {e}"
        sys.stderr.write(f"axiom fmt: internal error on {path}: {what}; the file was left as it "
                         "is. This is a bug in Axiom: please report it with the file.\n")
    return None


def _diff(old: str, new: str, path: str) -> list[str]:
    import difflib
    lines = list(difflib.unified_diff(old.splitlines(True), new.splitlines(True),
                                      f"{path} (original)", f"{path} (formatted)"))
    return [line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines]

"""Highlighting: a Pygments lexer for Axiom, and ANSI colouring of source text.

Pipeline position: off the run path. The REPL colours what is typed with it, error
reports colour their source excerpt with it on a terminal, and every Pygments user
(rich.syntax, mkdocs, Sphinx, the Jupyter kernel's notebooks) finds it through the
`pygments.lexers` entry point (`axiom`, files `*.ax`). Imports Pygments only, never
another stage: the keyword and built-in lists are spelt out here, and a test checks
them against lexer.KEYWORDS and the prelude.

What it marks: comments (`//`, `#`, a `#!` first line), keywords (declarations, constants,
`import from as`, word operators `and or in`), numbers in every base with `_`, strings
with their escapes, raw strings (no escapes), interpolation strings after `@` whose
`{expr}` parts are lexed as Axiom again (`{expr:spec}` marks the spec, `{{` and `}}` are
literal braces), names after `fn` and `class`, built-in functions, operators and
punctuation.
"""

from __future__ import annotations

from typing import Any, ClassVar, Final

from pygments.lexer import RegexLexer, bygroups, include, words
from pygments.token import (
    Comment,
    Keyword,
    Name,
    Number,
    Operator,
    Punctuation,
    String,
    Text,
    Whitespace,
)

KEYWORDS: Final = (
    "let fn if then else while for in break continue return import from as class "
    "true false nil and or try catch throw out err free").split()
BUILTINS: Final = ("abs", "assert", "bool", "error", "filter", "float", "input", "int", "len",
                   "list", "map", "max", "min", "range", "set", "sorted", "str", "sum", "typeof")

_CONSTANTS: Final = ("true", "false", "nil")
_DECLARATIONS: Final = ("let", "fn", "class")
_NAMESPACE: Final = ("import", "from", "as")
_WORD_OPERATORS: Final = ("and", "or", "in")
_OTHER: Final = tuple(k for k in KEYWORDS if k not in
                      (*_CONSTANTS, *_DECLARATIONS, *_NAMESPACE, *_WORD_OPERATORS))

_IDENT: Final = r"[A-Za-z_][A-Za-z0-9_]*"
_ESCAPE: Final = r"\\(u\{[0-9a-fA-F]{1,6}\}|[ntr\\\"'0])"


def _string(quote: str, interpolated: bool) -> list[Any]:
    """The rules inside a string opened by `quote`: escapes, `{...}` parts when it is an
    interpolation string, the closing quote."""
    rules: list[Any] = [(_ESCAPE, String.Escape), (r"\\.", String.Escape)]
    if interpolated:
        rules += [(r"\{\{|\}\}", String.Escape), (r"\{", String.Interpol, "interp")]
        body = r'[^\\{}"\'\n]+'
    else:
        body = r'[^\\"\'\n]+'
    rules += [(quote, String, "#pop"), (body, String), (r"[\"'}]", String)]
    # a newline ends a one-line string that was never closed (the lexer reports it)
    rules.append((r"\n", String, "#pop") if len(quote) == 1 else (r"\n", String))
    return rules


class AxiomLexer(RegexLexer):
    """Axiom source (LANGUAGE.md §1): `.ax` files and the REPL."""

    name = "Axiom"
    aliases: ClassVar[list[str]] = ["axiom", "ax"]
    filenames: ClassVar[list[str]] = ["*.ax"]
    mimetypes: ClassVar[list[str]] = ["text/x-axiom"]
    url = "https://github.com/axiom-lang/axiom"

    tokens: ClassVar[dict[str, Any]] = {
        "root": [
            (r"\A#!.*?$", Comment.Hashbang),
            include("code"),
        ],
        "code": [
            (r"\s+", Whitespace),
            (r"(//|#).*?$", Comment.Single),
            # an interpolation string: a string literal right after @ (spaces allowed)
            (r'(@)(\s*)(""")', bygroups(Operator, Whitespace, String), "istring3"),
            (r'(@)(\s*)(")', bygroups(Operator, Whitespace, String), "istring2"),
            (r"(@)(\s*)(')", bygroups(Operator, Whitespace, String), "istring1"),
            (r'r"""(?:[^\\]|\\.)*?"""', String),  # raw strings keep every backslash
            (r'r"(?:[^"\\\n]|\\.)*"', String),
            (r"r'(?:[^'\\\n]|\\.)*'", String),
            (r'"""', String, "string3"),
            (r'"', String, "string2"),
            (r"'", String, "string1"),
            (r"0[xX]_*[0-9a-fA-F][0-9a-fA-F_]*", Number.Hex),
            (r"0[bB]_*[01][01_]*", Number.Bin),
            (r"0[oO]_*[0-7][0-7_]*", Number.Oct),
            (r"[0-9][0-9_]*(\.[0-9][0-9_]*([eE][+-]?[0-9][0-9_]*)?|[eE][+-]?[0-9][0-9_]*)", Number.Float),
            (r"[0-9][0-9_]*", Number.Integer),
            (rf"(fn)(\s+)({_IDENT})", bygroups(Keyword.Declaration, Whitespace, Name.Function)),
            (rf"(class)(\s+)({_IDENT})", bygroups(Keyword.Declaration, Whitespace, Name.Class)),
            (words(_CONSTANTS, suffix=r"\b"), Keyword.Constant),
            (words(_DECLARATIONS, suffix=r"\b"), Keyword.Declaration),
            (words(_NAMESPACE, suffix=r"\b"), Keyword.Namespace),
            (words(_WORD_OPERATORS, suffix=r"\b"), Operator.Word),
            (words(_OTHER, suffix=r"\b"), Keyword),
            (r"self\b", Name.Builtin.Pseudo),
            (r"ARGS\b", Name.Builtin),
            (words(BUILTINS, prefix=r"(?<!\.)", suffix=r"\b(?=\s*\()"), Name.Builtin),
            (_IDENT, Name),
            (r"\.\.=|\.\.|==|!=|<=|>=|\+=|-=|\*=|/=|%=|[-+*/%<>=!@|]", Operator),
            (r"[\[\](){},;:.]", Punctuation),
            (r".", Text),
        ],
        "string1": _string("'", False),
        "string2": _string('"', False),
        "string3": _string('"""', False),
        "istring1": _string("'", True),
        "istring2": _string('"', True),
        "istring3": _string('"""', True),
        # an interpolation's {expr} part, up to the `}` that closes it; `:spec` at its top
        "interp": [
            (r"\}", String.Interpol, "#pop"),
            (r"(:)([^{}\[\]()\"']*)(?=\})", bygroups(String.Interpol, String.Interpol)),
            (r"[\[({]", Punctuation, "interp-inner"),
            include("code"),
        ],
        "interp-inner": [
            (r"[\])}]", Punctuation, "#pop"),
            (r"[\[({]", Punctuation, "#push"),
            include("code"),
        ],
    }


def ansi(text: str) -> str:
    """`text` with ANSI colours for a terminal (no trailing newline is added)."""
    from pygments import highlight
    from pygments.formatters import TerminalFormatter
    lexer = AxiomLexer(stripnl=False, ensurenl=False)
    lexer.add_filter("tokenmerge")  # one colour change per run of like tokens
    return highlight(text, lexer, TerminalFormatter())

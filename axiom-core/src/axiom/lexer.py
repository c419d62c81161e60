"""Lexer: source text -> tokens, with ply.lex, then the layout filter of LANGUAGE.md §1.

Pipeline position: first stage; feeds parser.py. Imports only ply and ast.py (so the
build hook can import it with nothing but ply installed).

ply.lex cuts the text into raw tokens (NEWLINE for every line end). `tokenize()` then
walks them once with a stack of open brackets and decides:
  * which NEWLINEs end a statement: none inside `(`/`[` (a `{` opened inside them makes
    newlines count again until its `}`), none after a line ending in a binary operator,
    `,`, `=`, `@`, `(`, `[`, `{`, `|`, `then`, `else`, `and`, `or`, and none before a line
    starting with `else`, `then`, `.`, `)`, `]`, `}` — nor, as a convenience the spec
    does not list, before `catch` (`}` and `catch e {` on separate lines);
  * whether `{` opens a block (BLOCK) or a dict (LBRACE): a block at the start of a
    statement and after a token that ends an expression or header (`if c {`, `) {`,
    `else {`, `|x| {`, `try {`), a dict wherever an expression is expected;
  * whether a STRING directly follows `@` (then it is an interpolation string, ISTRING);
  * that brackets match, and are nested at most MAX_NESTING deep. A `{` left open at the
    end is reported where indentation says its `}` went missing (see `_lost_brace`).

Raw strings (`r"..."`, `r'...'` and the triple-quoted form) are RSTRING tokens: their body is kept as
written, never unescaped nor interpolated. A UTF-8 byte-order mark at the very start of
the text is skipped (it stays in the text as a blank, so offsets do not move).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any, Final

import ply.lex as lex

from .ast import ParseError

MAX_NESTING: Final = 200

KEYWORDS: Final = {
    k: k.upper() for k in (
        "let fn if then else while for in break continue return import from as class "
        "true false nil and or try catch throw out err free").split()
}

tokens = [
    "INT", "FLOAT", "STRING", "ISTRING", "RSTRING", "IDENT", "NEWLINE", "SEMI",
    "LPAREN", "RPAREN", "LBRACKET", "RBRACKET", "LBRACE", "BLOCK", "RBRACE",
    "COMMA", "COLON", "DOT", "DOTDOT", "DOTDOTEQ", "PIPE", "AT",
    "PLUS", "MINUS", "STAR", "SLASH", "PERCENT",
    "EQ", "NE", "LE", "GE", "LT", "GT", "BANG", "ASSIGN",
    "PLUSEQ", "MINUSEQ", "STAREQ", "SLASHEQ", "PERCENTEQ",
    *KEYWORDS.values(),
]

t_ignore = " \t\r\f\v"

t_SEMI = r";"
t_LPAREN = r"\("
t_RPAREN = r"\)"
t_LBRACKET = r"\["
t_RBRACKET = r"\]"
t_LBRACE = r"\{"
t_RBRACE = r"\}"
t_COMMA = r","
t_COLON = r":"
t_DOTDOTEQ = r"\.\.="
t_DOTDOT = r"\.\."
t_DOT = r"\."
t_PIPE = r"\|"
t_AT = r"@"
t_PLUSEQ = r"\+="
t_MINUSEQ = r"-="
t_STAREQ = r"\*="
t_SLASHEQ = r"/="
t_PERCENTEQ = r"%="
t_PLUS = r"\+"
t_MINUS = r"-"
t_STAR = r"\*"
t_SLASH = r"/"
t_PERCENT = r"%"
t_EQ = r"=="
t_NE = r"!="
t_LE = r"<="
t_GE = r">="
t_LT = r"<"
t_GT = r">"
t_BANG = r"!"
t_ASSIGN = r"="


def t_COMMENT(t: Any) -> None:
    r"(//|\#)[^\n]*"


def t_NEWLINE(t: Any) -> Any:
    r"\n"
    t.lexer.lineno += 1
    return t


def t_FLOAT(t: Any) -> Any:
    r"[0-9][0-9_]*(\.[0-9][0-9_]*([eE][+-]?[0-9][0-9_]*)?|[eE][+-]?[0-9][0-9_]*)"
    t.value = float(t.value.replace("_", ""))
    return t


# The most significant digits a literal up to 2**63 can have, per base: more is too large
# before any conversion (a host int of 5,000 digits cannot even be converted to text).
_MAX_DIGITS: Final = {10: 19, 16: 16, 8: 22, 2: 64}


def t_INT(t: Any) -> Any:
    r"0[xX]_*[0-9a-fA-F][0-9a-fA-F_]*|0[bB]_*[01][01_]*|0[oO]_*[0-7][0-7_]*|[0-9][0-9_]*"
    text = t.value.replace("_", "")
    base = {"x": 16, "b": 2, "o": 8}.get(text[1:2].lower(), 10) if len(text) > 1 and text[0] == "0" else 10
    digits = (text[2:] if base != 10 else text).lstrip("0") or "0"
    # 2**63 itself passes: the parser accepts it only as the operand of `-` (INT_MIN)
    if len(digits) > _MAX_DIGITS[base] or int(digits, base) > 2**63:
        raise ParseError("integer literal too large for 64 bits", t.lexpos, t.lexpos + len(t.value))
    t.value = int(digits, base)
    return t


def t_RSTRING(t: Any) -> Any:
    r'r"""(?:[^\\]|\\.)*?"""|r"(?:[^"\\\n]|\\.)*"|r\'(?:[^\'\\\n]|\\.)*\''
    q = 3 if t.value.startswith('r"""') else 1
    t.value = (t.value[1 + q:-q], t.lexpos + 1 + q)  # (body as written, its offset)
    t.lexer.lineno += t.value[0].count("\n")
    return t


def t_STRING(t: Any) -> Any:
    r'"""(?:[^\\]|\\.)*?"""|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\''
    q = 3 if t.value.startswith('"""') else 1
    data = t.lexer.lexdata
    if _after_at(data, t.lexpos):
        # An interpolation string: quotes inside its {expr} parts do not end it.
        end = scan_interpolation(data, t.lexpos, data[t.lexpos:t.lexpos + q])
        t.lexer.lexpos = end
        t.value = (data[t.lexpos + q:end - q], t.lexpos + q)
    else:
        t.value = (t.value[q:-q], t.lexpos + q)  # (raw body, its offset): decoded by the parser
    t.lexer.lineno += t.value[0].count("\n")
    return t


def _after_at(data: str, pos: int) -> bool:
    i = pos - 1
    while i >= 0 and data[i] in " \t":
        i -= 1
    return i >= 0 and data[i] == "@"


def scan_interpolation(data: str, start: int, quote: str) -> int:
    """The end offset (after the closing quote) of an interpolation string opened by
    `quote` at `start`: `{...}` parts may hold brackets and string literals of either
    quote."""
    i = start + len(quote)
    n = len(data)
    depth = 0
    while i < n:
        c = data[i]
        if c == "\\":
            i += 2
            continue
        if depth == 0:
            if data.startswith(quote, i):
                return i + len(quote)
            if c == "\n" and len(quote) == 1:
                break
            if c == "{":
                if data.startswith("{{", i):
                    i += 2
                    continue
                depth = 1
        elif c in "\"'":
            j = i + 1
            while j < n and data[j] != c:
                if data[j] == "\n":
                    raise ParseError("unterminated string inside an interpolation", i, j)
                j += 2 if data[j] == "\\" else 1
            i = j
        elif c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
        i += 1
    raise ParseError("unterminated string", start, start + len(quote))


def t_IDENT(t: Any) -> Any:
    r"[A-Za-z_][A-Za-z0-9_]*"
    t.type = KEYWORDS.get(t.value, "IDENT")
    return t


def t_error(t: Any) -> None:
    ch = t.value[0]
    if ch in "\"'":
        raise ParseError("unterminated string", t.lexpos, t.lexpos + 1)
    raise ParseError(f"unexpected character {ch!r}", t.lexpos, t.lexpos + 1)


_SIMPLE_ESCAPES: Final = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"', "'": "'", "0": "\0"}


def unescape(raw: str, offset: int, source: str) -> str:
    """Decode the escapes of a string literal's body (`offset` is where it starts)."""
    if "\\" not in raw:
        return raw
    out = []
    i, n = 0, len(raw)
    while i < n:
        c = raw[i]
        if c != "\\":
            out.append(c)
            i += 1
            continue
        e = raw[i + 1] if i + 1 < n else ""
        if e == "u":
            if i + 2 < n and raw[i + 2] == "{":
                end = raw.find("}", i + 3)
                digits = raw[i + 3:end] if end > 0 else ""
                if end > 0 and 1 <= len(digits) <= 6 and all(d in "0123456789abcdefABCDEF" for d in digits):
                    cp = int(digits, 16)
                    if cp <= 0x10FFFF and not 0xD800 <= cp <= 0xDFFF:
                        out.append(chr(cp))
                        i = end + 1
                        continue
            raise ParseError("invalid unicode escape (write \\u{1F600})", offset + i, offset + i + 2)
        if e not in _SIMPLE_ESCAPES:
            shown = e if e.isprintable() and e.strip() else repr(e)[1:-1]
            raise ParseError(f"invalid escape sequence \\{shown}", offset + i, offset + i + 2,
                             help=f"write \\\\{shown} for a backslash followed by {shown!r}, or use a "
                                  f"raw string r\"...\", which keeps every backslash")
        out.append(_SIMPLE_ESCAPES[e])
        i += 2
    return "".join(out)


def build(**kwargs: Any) -> Any:
    import sys
    return lex.lex(module=sys.modules[__name__], **kwargs)


_lexer: Any = None


def _get_lexer() -> Any:
    global _lexer
    if _lexer is None:
        try:
            from . import _lextab  # noqa: F401  (generated at build time)
            _lexer = build(optimize=True, lextab="axiom._lextab")
        except ImportError:
            _lexer = build(optimize=False)
    return _lexer.clone()


# Tokens after which `{` opens a block rather than a dict.
_BLOCK_AFTER: Final = frozenset({
    None, "NEWLINE", "SEMI", "BLOCK", "RBRACE", "IDENT", "INT", "FLOAT", "STRING", "ISTRING",
    "RSTRING", "RPAREN", "RBRACKET", "TRUE", "FALSE", "NIL", "PIPE", "ELSE", "TRY", "CATCH",
})
# A line ending in one of these continues on the next line.
_CONTINUE_AFTER: Final = frozenset({
    "PLUS", "MINUS", "STAR", "SLASH", "PERCENT", "EQ", "NE", "LE", "GE", "LT", "GT", "IN",
    "DOTDOT", "DOTDOTEQ", "COMMA", "ASSIGN", "PLUSEQ", "MINUSEQ", "STAREQ", "SLASHEQ",
    "PERCENTEQ", "AT", "LPAREN", "LBRACKET", "LBRACE", "BLOCK", "PIPE", "THEN", "ELSE",
    "AND", "OR", "BANG", "DOT", "COLON", "NEWLINE", "SEMI", None,
})
# A line starting with one of these continues the previous one.
_CONTINUE_BEFORE: Final = frozenset({"ELSE", "THEN", "DOT", "RPAREN", "RBRACKET", "RBRACE", "CATCH"})
_CLOSERS: Final = {"RPAREN": "(", "RBRACKET": "[", "RBRACE": "{"}
# The tokens tokenize() passes on as they are (the stack of brackets only changes at a
# bracket, so its depth is checked there).
_PLAIN: Final = frozenset(tokens) - {"NEWLINE", "LBRACE", "LPAREN", "LBRACKET", *_CLOSERS, "STRING"}


CHECK_EVERY: Final = 4096  # tokens between two calls of a caller's `check` (run limits)


class Token:
    """A token: `type` (a name from `tokens`), `value`, and the offsets `lexpos` (start)
    and `end` (exclusive) in the text. The rules' functions also see `lexer`."""

    __slots__ = ("type", "value", "lexpos", "end", "lexer")
    type: str
    value: Any
    lexpos: int
    end: int
    lexer: Any

    def __repr__(self) -> str:
        return f"Token({self.type},{self.value!r},{self.lexpos},{self.end})"


_scanner: Any = None  # (master regex, group index -> (rule function, type)), see _scan_table


def _scan_table(lexer: Any) -> Any:
    """ply's master regular expression, preceded by the blanks ply skips (t_ignore), so
    one match finds the next token; None when ply split it in several (it does past 100
    groups): then ply's own loop runs."""
    global _scanner
    if _scanner is None:
        if len(lexer.lexre) != 1:
            _scanner = False
        else:
            master, index = lexer.lexre[0]
            blanks = "[" + "".join(re.escape(c) for c in lexer.lexignore) + "]*"
            _scanner = (re.compile(blanks + "(?:" + master.pattern + ")", master.flags), index)
    return _scanner


def raw_tokens(source: str, check: Callable[[], None] | None = None) -> list[Any]:
    """ply's tokens of `source`; `check()`, when given, is called every CHECK_EVERY
    tokens (a Runtime's time and memory limits, which may raise).

    The loop is ply's Lexer.token over ply's own master regex, made cheaper for a long
    text: blanks are skipped by the regex, tokens are small Token objects, and the
    rules IDENT, NEWLINE and COMMENT, the most frequent, and short decimal INTs are
    applied here rather than by calling their functions (t_IDENT's keyword lookup,
    t_INT's int(); nothing for the others, as no token's line number is kept:
    positions are offsets)."""
    lexer = _get_lexer()
    lexer.input(source)
    toks: list[Any] = []
    scanner = _scan_table(lexer)
    if not scanner:
        while True:
            t = lexer.token()
            if t is None:
                return toks
            t.end = lexer.lexpos
            toks.append(t)
            if check is not None and not len(toks) % CHECK_EVERY:
                check()
    match = scanner[0].match
    index = scanner[1]
    append = toks.append
    keywords = KEYWORDS
    ignore = lexer.lexignore
    n = len(source)
    pos = 0
    count = 0
    while True:
        m = match(source, pos)
        if m is None:
            while pos < n and source[pos] in ignore:
                pos += 1
            if pos >= n:
                return toks
            t = Token()
            t.type, t.value, t.lexpos, t.end, t.lexer = "error", source[pos:], pos, pos, lexer
            lexer.lexpos = pos
            t_error(t)  # raises
            raise ParseError(f"unexpected character {source[pos]!r}", pos, pos + 1)
        i: int = m.lastindex  # type: ignore[assignment]  # the rule matched: never None
        func, ty = index[i]
        start = m.start(i)
        pos = m.end()
        if ty == "IDENT":
            t = Token()
            value = m.group(i)
            t.type, t.value, t.lexpos, t.end = keywords.get(value, "IDENT"), value, start, pos
        elif ty == "NEWLINE":
            t = Token()
            t.type, t.value, t.lexpos, t.end = ty, "\n", start, pos
        elif ty == "INT" and pos - start < 19 and (value := m.group(i)).isdigit():
            t = Token()  # a plain decimal literal, far below 2**63: what t_INT makes of it
            t.type, t.value, t.lexpos, t.end = ty, int(value), start, pos
        elif ty == "COMMENT":
            continue
        elif func is None:
            if ty is None:
                continue
            t = Token()
            t.type, t.value, t.lexpos, t.end = ty, m.group(i), start, pos
        else:
            t = Token()
            t.type, t.value, t.lexpos, t.lexer = ty, m.group(i), start, lexer
            lexer.lexmatch = m
            lexer.lexpos = pos
            t = func(t)
            pos = lexer.lexpos  # a rule may move on (an interpolation string does)
            if not t:
                continue
            t.end = pos
        append(t)
        count += 1
        if check is not None and not count % CHECK_EVERY:
            check()


def comments(source: str) -> list[tuple[int, int]]:
    """The (start, end) offsets of every comment in `source`, in order: the text between
    tokens that starts with `//` or `#` (a `#!` shebang included). Only the formatter
    and the checker ask for them; lexing for a run never does."""
    if source.startswith("\ufeff"):  # a byte-order mark: skipped, offsets kept
        source = " " + source[1:]
    out: list[tuple[int, int]] = []
    pos = 0
    for t in [*raw_tokens(source), None]:
        gap_end = t.lexpos if t is not None else len(source)
        i = pos
        while i < gap_end:
            c = source[i]
            if c == "#" or (c == "/" and source.startswith("//", i)):
                end = source.find("\n", i, gap_end)
                end = gap_end if end < 0 else end
                out.append((i, end))
                i = end
            else:
                i += 1
        if t is not None:
            pos = t.end
    return out


def tokenize(source: str, base: int = 0, stack: list[tuple[str, Any]] | None = None,
             check: Callable[[], None] | None = None) -> Iterator[Any]:
    """The significant tokens of `source` (see the module docstring). `base` is added to
    every position (for expressions inside interpolation strings); `stack`, when given,
    is kept as the list of open brackets (the parser reads it to explain errors);
    `check` is called while lexing (see raw_tokens)."""
    head = 1 if source.startswith("\ufeff") else 0  # a byte-order mark: skipped
    if source.startswith("#!", head):
        nl = source.find("\n")
        source = " " * (nl if nl >= 0 else len(source)) + source[nl if nl >= 0 else len(source):]
    elif head:
        source = " " + source[1:]
    try:
        toks = raw_tokens(source, check)
    except ParseError as e:  # positions in an interpolation part are offsets into the file
        e.start += base
        e.end += base
        raise
    if stack is None:
        stack = []  # (kind, token): kind is "(", "[", "{" (block) or "d"
    braces: list[tuple[Any, Any]] = []  # (opening, closing) `{ }` pairs, for _lost_brace
    if base:
        for t in toks:
            t.lexpos += base
            t.end += base
    prev: str | None = None
    n = len(toks)
    plain = _PLAIN
    for i, t in enumerate(toks):
        ty = t.type
        if ty in plain:  # most tokens: nothing to decide
            prev = ty
            yield t
            continue
        if ty == "NEWLINE":
            if stack and stack[-1][0] in "([":
                continue
            if prev in _CONTINUE_AFTER:
                continue
            j = i + 1
            while j < n and toks[j].type == "NEWLINE":
                j += 1
            if j < n and toks[j].type in _CONTINUE_BEFORE:
                continue
            if j >= n:
                continue
        elif ty == "LBRACE":
            if prev in _BLOCK_AFTER:
                t.type = ty = "BLOCK"
            stack.append(("{" if ty == "BLOCK" else "d", t))
            if len(stack) > MAX_NESTING:
                raise ParseError("nesting too deep", t.lexpos, t.end)
        elif ty in ("LPAREN", "LBRACKET"):
            stack.append(("(" if ty == "LPAREN" else "[", t))
            if len(stack) > MAX_NESTING:
                raise ParseError("nesting too deep", t.lexpos, t.end)
        elif ty in _CLOSERS:
            want = _CLOSERS[ty]
            if not stack or (stack[-1][0] if stack[-1][0] != "d" else "{") != want:
                if stack:
                    opener = stack[-1][1]
                    raise ParseError(f"unmatched '{t.value}' (the '{opener.value}' opened here is "
                                     f"still open)", t.lexpos, t.end, opener.lexpos)
                raise ParseError(f"unmatched '{t.value}'", t.lexpos, t.end)
            opener = stack.pop()[1]
            if ty == "RBRACE":
                braces.append((opener, t))
        elif ty == "STRING" and prev == "AT":
            t.type = ty = "ISTRING"
        prev = ty
        yield t
    if stack:
        opener = stack[-1][1]
        if opener.value == "{" and not base:
            lost = _lost_brace(source, braces, stack)
            if lost is not None:
                opener, closer = lost
                line = source.count("\n", 0, closer.lexpos) + 1
                raise ParseError("'{' is never closed", opener.lexpos, opener.lexpos + 1, opener.lexpos,
                                 help=f"the '}}' on line {line} is indented less than this line, so it "
                                      f"likely closes an outer block; add this block's '}}' before it")
        raise ParseError(f"'{opener.value}' is never closed", opener.lexpos, opener.lexpos + 1,
                         opener.lexpos)


def _indent(source: str, pos: int) -> tuple[int, bool]:
    """The indentation of the line holding offset `pos`, and whether only blanks come
    before `pos` on it."""
    start = source.rfind("\n", 0, pos) + 1
    text = source[start:pos]
    stripped = text.lstrip(" \t")
    end = source.find("\n", start)
    line = source[start:end if end >= 0 else len(source)]
    return len(line) - len(line.lstrip(" \t")), not stripped


def _lost_brace(source: str, braces: list[tuple[Any, Any]], stack: list[tuple[str, Any]]) -> tuple[Any, Any] | None:
    """Which `{` lost its `}` when the text ends with a `{` still open. The `}` that the
    brackets matched to an inner `{` may belong to an outer one: a `}` that starts its
    line indented less than the line of the `{` it closed is the evidence (as CPython
    uses indentation to place an unclosed bracket). Returns that (`{`, `}`) pair, the
    first in the text, or None when the indentation says nothing."""
    outer = stack[0][1].lexpos
    for opener, closer in braces:
        if opener.lexpos < outer:
            continue  # closed before the still-open block began
        indent, first = _indent(source, closer.lexpos)
        if first and indent < _indent(source, opener.lexpos)[0]:
            return opener, closer
    return None

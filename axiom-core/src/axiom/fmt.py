"""Formatter: `axiom fmt` prints a program in the one canonical style of docs/fmt.md.

Pipeline position: beside chk.py. The real parser must accept the file first (a file with
a syntax error is never formatted); then the formatter works on the real lexer's tokens
(lexer.tokenize, which already decided which line ends end statements and which `{`
open blocks) and the comments between them (lexer.comments). Imports ast, lexer and
parser only.

It never changes meaning because it never changes the tokens: it only chooses the white
space between them, breaks lines where a line break cannot end a statement (after an
opening bracket or a comma, before a closing bracket), writes statement separators as
line ends, and adds or drops a trailing comma where the grammar allows one. As a last
guard `format_source` parses its own output and refuses (FormatError) unless the AST
(positions aside) and the comments are the same.

Three stages:
  1. `_Parser` groups the tokens into a tree: statements, bracket groups (call
     arguments, lists, dicts, parameters, patterns, `|...|`), and blocks; each token
     carries the comments found before it.
  2. `_Builder` turns the tree into a document (`Text`, `Line`, `Group`, `Indent`, ...),
     the algebra of Wadler's "prettier printer".
  3. `render` lays the document out at a width (Prettier's algorithm: a group is flat
     when it and the text up to the next possible line break fit, else broken).
     Indentation is relative to the line a bracket or block opens on, so a closure
     passed as the last argument hugs the call: `xs.map(|x| {` ... `})`.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from typing import Any, Final

from . import ast as A
from . import lexer, parser
from .ast import ParseError, Source

DEFAULT_WIDTH: Final = 100
INDENT: Final = 4


class FormatError(Exception):
    """The formatter would have changed the program: a bug, never the user's fault."""


# --- 1. tokens and the tree ------------------------------------------------------------

@dataclass(slots=True)
class Comment:
    text: str
    start: int
    own_line: bool           # only blanks before it on its line
    blank: bool              # a blank line right before it


@dataclass(slots=True, eq=False)
class Tok:
    type: str
    text: str
    start: int
    end: int
    comments: list[Comment] = field(default_factory=list)  # in the gap before this token
    blank: bool = False      # a blank line right before it (after its comments)
    newline: bool = False    # the gap before it holds a line break
    unary: bool = False      # a prefix `-`
    name: bool = False       # a keyword used as a name after `.`


@dataclass(slots=True, eq=False)
class Brackets:
    """Brackets and what is between them. kind: call, params, pattern, fixed, parent,
    paren, index, list, dict or pipes (a closure's `|params|`)."""
    kind: str
    open: Tok
    close: Tok
    items: list[list[Any]]
    seps: list[Tok]          # the separator after each item (`,` or `;`), when written
    trailing: bool           # the source has a trailing comma


@dataclass(slots=True, eq=False)
class Stmt:
    elems: list[Any]
    trailing: list[Comment] = field(default_factory=list)  # comments ending its last line


@dataclass(slots=True, eq=False)
class Block:
    open: Tok
    close: Tok
    stmts: list[Stmt]
    opener: list[Comment]    # comments on the line of `{`
    dangling: list[Comment]  # own-line comments before `}`
    one_line: bool           # `{` and `}` on the same source line


Elem = Tok | Brackets | Block

_OPERAND_END: Final = frozenset({"IDENT", "INT", "FLOAT", "STRING", "ISTRING", "RSTRING", "TRUE",
                                 "FALSE", "NIL"})
_CLOSER: Final = {"LPAREN": "RPAREN", "LBRACKET": "RBRACKET", "LBRACE": "RBRACE"}
_COMMA_OK: Final = frozenset({"call", "params", "pattern", "list", "dict", "pipes"})


def _first(e: Elem) -> Tok:
    return e if isinstance(e, Tok) else e.open


def _ends_operand(e: Elem | None) -> bool:
    if e is None:
        return False
    if isinstance(e, Tok):
        return e.type in _OPERAND_END or e.name
    return not (isinstance(e, Brackets) and e.kind == "pipes")


def _tokens(text: str) -> tuple[list[Tok], list[Comment]]:
    """The significant tokens, each with the comments before it, and the comments at
    the end of the text."""
    source = Source(text, "")
    spans = lexer.comments(text)
    toks: list[Tok] = []
    ci = 0
    prev_line = 0         # its line (0 before anything)
    prev_tok_end = 0
    for t in lexer.tokenize(text):
        tok = Tok(t.type, text[t.lexpos:t.end], t.lexpos, t.end)
        while ci < len(spans) and spans[ci][0] < t.lexpos:
            a, b = spans[ci]
            line = source.position(a)[0]
            own = not text[text.rfind("\n", 0, a) + 1:a].strip()
            tok.comments.append(Comment(text[a:b].rstrip(), a, own, prev_line > 0 and line - prev_line > 1))
            prev_line = source.position(max(b - 1, a))[0]
            ci += 1
        tok.newline = "\n" in text[prev_tok_end:t.lexpos]
        if t.type != "NEWLINE":
            line = source.position(t.lexpos)[0]
            tok.blank = prev_line > 0 and line - prev_line > 1
            prev_line = source.position(max(t.end - 1, t.lexpos))[0]
        prev_tok_end = t.end
        toks.append(tok)
    tail: list[Comment] = []
    for a, b in spans[ci:]:
        line = source.position(a)[0]
        own = not text[text.rfind("\n", 0, a) + 1:a].strip()
        tail.append(Comment(text[a:b].rstrip(), a, own, prev_line > 0 and line - prev_line > 1))
        prev_line = line
    return toks, tail


class _Parser:
    """Tokens -> statements, groups and blocks (the program is known to be valid)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.source = Source(text, "")
        self.toks, self.tail = _tokens(text)
        self.eof = Tok("EOF", "", len(text), len(text), self.tail)
        self.i = 0

    def peek(self) -> Tok:
        return self.toks[self.i] if self.i < len(self.toks) else self.eof

    def take(self) -> Tok:
        t = self.peek()
        self.i += 1
        return t

    def program(self) -> tuple[list[Stmt], list[Comment], list[Comment]]:
        stmts, opener, dangling = self.body("EOF", False)
        return stmts, opener, dangling

    def body(self, stop: str, methods: bool) -> tuple[list[Stmt], list[Comment], list[Comment]]:
        """Statements up to the `stop` token (not taken), the comments after the opening
        `{` on its line, and the own-line comments before `stop`."""
        stmts: list[Stmt] = []
        opener: list[Comment] = []
        carried: list[Comment] = []   # comments before a `;` that starts a body
        while True:
            t = self.peek()
            if t.type in ("NEWLINE", "SEMI"):
                self.take()
                if stmts:
                    stmts[-1].trailing += t.comments
                else:
                    carried += t.comments
                continue
            if t.type == stop or t.type == "EOF":
                comments = carried + t.comments
                trailing = [c for c in comments if not c.own_line]
                if stmts:
                    stmts[-1].trailing += trailing
                else:
                    opener += trailing
                return stmts, opener, [c for c in comments if c.own_line]
            if carried:
                t.comments[:0] = carried
                carried = []
            moved = [c for c in t.comments if not c.own_line]
            if moved:
                t.comments = [c for c in t.comments if c.own_line]
                if stmts:
                    stmts[-1].trailing += moved
                else:
                    opener += moved
            elems = self.elems({"NEWLINE", "SEMI", stop, "EOF"}, "stmt", methods)
            stmts.append(Stmt(elems))

    def elems(self, stops: set[str], ctx: str, methods: bool = False) -> list[Elem]:
        """Neighbours up to a token in `stops` at this level. In a class body
        (`methods`) a `fn` also starts a new statement: methods need no separator."""
        out: list[Elem] = []
        while True:
            t = self.peek()
            if t.type in stops:
                if not (t.type == "PIPE" and out and not _ends_operand(out[-1])):
                    return out
            if methods and t.type == "FN" and out:
                return out
            prev = out[-1] if out else None
            if t.type in _CLOSER:
                out.append(self.group(self.kind(t.type, out, ctx)))
            elif t.type == "BLOCK":
                head = out[0] if out else None
                out.append(self.block(ctx == "stmt" and isinstance(head, Tok) and head.type == "CLASS"))
            elif t.type == "PIPE" and not _ends_operand(prev):
                out.append(self.pipes())
            else:
                self.take()
                if t.type == "MINUS":
                    t.unary = not _ends_operand(prev)
                if isinstance(prev, Tok) and prev.type == "DOT":
                    t.name = True
                out.append(t)

    def kind(self, ty: str, before: list[Elem], ctx: str) -> str:
        prev = before[-1] if before else None
        prev2 = before[-2] if len(before) > 1 else None
        ptype = prev.type if isinstance(prev, Tok) else None
        p2type = prev2.type if isinstance(prev2, Tok) else None
        if ty == "LBRACE":
            return "dict"
        if ctx == "pattern" or ptype in ("LET", "FOR"):
            return "pattern"
        if ty == "LPAREN":
            if ptype == "FN" or (ptype == "IDENT" and p2type == "FN"):
                return "params"
            if ptype == "IDENT" and p2type == "CLASS":
                return "parent"
            if ptype == "IDENT" and p2type == "LET":
                return "fixed"
            return "call" if _ends_operand(prev) else "paren"
        return "index" if _ends_operand(prev) else "list"

    def group(self, kind: str) -> Brackets:
        open_ = self.take()
        close_type = _CLOSER[open_.type]
        items: list[list[Elem]] = []
        seps: list[Tok] = []
        stops = {"COMMA", close_type} | ({"SEMI"} if open_.type == "LBRACKET" else set())
        while self.peek().type != close_type:
            item = self.elems(stops, kind)
            items.append(item)
            if self.peek().type in ("COMMA", "SEMI"):
                seps.append(self.take())
        trailing = len(seps) == len(items) and bool(items)
        return Brackets(kind, open_, self.take(), items, seps, trailing)

    def pipes(self) -> Brackets:
        open_ = self.take()
        items: list[list[Elem]] = []
        seps: list[Tok] = []
        while self.peek().type != "PIPE":
            items.append(self.elems({"COMMA", "PIPE"}, "pipes"))
            if self.peek().type == "COMMA":
                seps.append(self.take())
        trailing = len(seps) == len(items) and bool(items)
        return Brackets("pipes", open_, self.take(), items, seps, trailing)

    def block(self, is_class: bool) -> Block:
        open_ = self.take()
        stmts, opener, dangling = self.body("RBRACE", is_class)
        close = self.take()
        one_line = self.source.position(open_.start)[0] == self.source.position(close.start)[0]
        return Block(open_, close, stmts, opener, dangling, one_line)


# --- 2. the document -----------------------------------------------------------------

@dataclass(slots=True, eq=False)
class Text:
    s: str


@dataclass(slots=True, eq=False)
class Line:
    """A possible line break: `soft` is nothing when flat and `line` a space; `hard`
    always breaks, `cont` always breaks onto a continuation line (one step in)."""
    kind: str


@dataclass(slots=True, eq=False)
class Group:
    """Flat when it fits (with the text up to the next possible break), else broken;
    `forced` groups are always broken. A `blocks` group holds the blocks of a statement
    (`if c { } else { }`): measuring anything else stops at it, so a closure's block
    may hug the call around it."""
    parts: list[Any]
    forced: bool = False
    blocks: bool = False
    hug: Any = None          # what to print instead when it does not fit (see brackets)


@dataclass(slots=True, eq=False)
class Indent:
    """Its line breaks go one step in from the line its group opened on."""
    parts: list[Any]


@dataclass(slots=True, eq=False)
class IfBreak:
    broken: Any
    flat: Any = None


@dataclass(slots=True, eq=False)
class Suffix:
    """Text left out of width measurement (a comment at the end of a line)."""
    s: str


@dataclass(slots=True, eq=False)
class Sep:
    """The line break between two statements: with one blank line when the source had
    one, or when a neighbour is a `fn` or `class` declaration printed on several lines."""
    blank: bool
    before: Any
    after: Any
    defs: tuple[bool, bool]


SOFT: Final = Line("soft")
LINE: Final = Line("line")
HARD: Final = Line("hard")
CONT: Final = Line("cont")

_TIGHT_GROUPS: Final = frozenset({"call", "index", "fixed", "parent", "params"})
_KEYWORD_ARGS: Final = frozenset({"call", "params", "pipes"})   # `=` is tight there
_STARTS_CONTINUED: Final = frozenset({"ELSE", "CATCH", "THEN", "RPAREN", "RBRACKET", "RBRACE"})
_FMT_OFF: Final = re.compile(r"^(//|#)\s*fmt:\s*off\s*$")
_FMT_ON: Final = re.compile(r"^(//|#)\s*fmt:\s*on\s*$")
_FMT_SKIP: Final = re.compile(r"^(//|#)\s*fmt:\s*skip\s*$")


def _space(prev: Elem, cur: Elem, ctx: str) -> str:
    """The white space between two neighbours on one line: "" or " "."""
    if isinstance(cur, Tok):
        t = cur.type
        if t in ("DOT", "COMMA", "COLON", "DOTDOT", "DOTDOTEQ"):
            return ""
        if t == "ASSIGN" and ctx in _KEYWORD_ARGS:
            return ""
    elif isinstance(cur, Brackets) and cur.kind in _TIGHT_GROUPS:
        return ""
    if isinstance(prev, Tok):
        p = prev.type
        if p in ("DOT", "DOTDOT", "DOTDOTEQ", "BANG") or (p == "MINUS" and prev.unary):
            return ""
        if p == "AT" and isinstance(cur, Tok) and cur.type == "ISTRING":
            return ""
        if p == "COLON" and ctx == "index":
            return ""
        if p == "ASSIGN" and ctx in _KEYWORD_ARGS:
            return ""
    return " "


def _last_end(e: Elem) -> int:
    return e.end if isinstance(e, Tok) else e.close.end


def _is_def(st: Stmt) -> bool:
    e = st.elems
    return bool(e) and isinstance(e[0], Tok) and (e[0].type == "CLASS" or (
        e[0].type == "FN" and len(e) > 1 and isinstance(e[1], Tok) and e[1].type == "IDENT"))


def _suffix(comments: list[Comment]) -> list[Any]:
    """Comments after code: the first on its line, any more on lines of their own."""
    if not comments:
        return []
    out: list[Any] = [Suffix("  " + comments[0].text)]
    for c in comments[1:]:
        out += [HARD, Text(c.text)]
    return out


class _Builder:
    """The tree -> the document."""

    def __init__(self, text: str) -> None:
        self.text = text

    def program(self, stmts: list[Stmt], opener: list[Comment], dangling: list[Comment]) -> list[Any]:
        parts: list[Any] = []
        for c in opener:  # comments after a `;` that starts the file
            parts += [Text(c.text), HARD]
        parts += self.body(stmts, dangling, None, top=not opener)
        return parts

    def body(self, stmts: list[Stmt], dangling: list[Comment], first: Line | None,
             top: bool = False) -> list[Any]:
        """The statements of a block (or, `top`, of the program), each on its own line,
        then the comments before the block's end. `first` is the break after `{`."""
        parts: list[Any] = []
        prev_doc: Any = None
        prev_def = False
        i = 0
        while i < len(stmts):
            st = stmts[i]
            head = _first(st.elems[0])
            lead = head.comments
            blank = lead[0].blank if lead else head.blank
            if i == 0:
                if first is not None:
                    parts.append(first)
            else:
                parts.append(Sep(blank, prev_doc, None, (prev_def, _is_def(st))))
            sep = parts[-1] if i else None
            for k, c in enumerate(lead):
                if k and c.blank:
                    parts.append(HARD)
                parts += [Text(c.text), HARD]
            if lead and head.blank:
                parts.append(HARD)
            if any(_FMT_OFF.match(c.text) for c in lead):
                j = i
                while j + 1 < len(stmts) and not any(
                        _FMT_ON.match(c.text) for c in _first(stmts[j + 1].elems[0]).comments):
                    j += 1
                doc: Any = Text(self.verbatim(stmts[i], stmts[j]))
                i = j
                trailing: list[Comment] = []
            elif any(_FMT_SKIP.match(c.text) for c in st.trailing):
                doc, trailing = Text(self.verbatim(st, st)), []
            else:
                doc, trailing = self.elems(st.elems, "stmt"), st.trailing
            if isinstance(sep, Sep):
                sep.after = doc
            parts.append(doc)
            parts += _suffix(trailing)
            prev_doc, prev_def = doc, _is_def(stmts[i])
            i += 1
        for k, c in enumerate(dangling):
            if stmts or k or not top:
                parts.append(HARD)
                if c.blank and (stmts or k):
                    parts.append(HARD)
            parts.append(Text(c.text))
        return parts

    def verbatim(self, first: Stmt, last: Stmt) -> str:
        """The source text of statements from `first` to `last`, as written."""
        end = _last_end(last.elems[-1])
        if last.trailing:
            c = last.trailing[-1]
            end = max(end, c.start + len(c.text))
        return self.text[_first(first.elems[0]).start:end]

    def elems(self, elems: list[Elem], ctx: str) -> list[Any]:
        """A run of neighbours (a statement or an item between commas). Its blocks form
        one group, so an if/else or try/catch chain is on one line or broken throughout."""
        pieces: list[tuple[list[Any], list[Any]]] = []  # (what goes before, the element)
        chain: list[int] = []
        forced = False
        prev: Elem | None = None
        for k, e in enumerate(elems):
            gap = self.gap(prev, e, ctx) if prev is not None else []
            if isinstance(e, Block):
                chain.append(k)
                doc, block_forced = self.block(e)
                forced = forced or block_forced
            elif isinstance(e, Brackets):
                doc = self.brackets(e)
            else:
                doc = [Text(e.text)]
            pieces.append((gap, doc))
            prev = e
        if not chain:
            return [x for gap, doc in pieces for x in (*gap, *doc)]
        lo, hi = chain[0], chain[-1]
        out: list[Any] = [x for gap, doc in pieces[:lo] for x in (*gap, *doc)]
        out += pieces[lo][0]
        grouped: list[Any] = list(pieces[lo][1])
        for gap, doc in pieces[lo + 1:hi + 1]:
            grouped += gap + doc
        out.append(Group(grouped, forced, blocks=True))
        out += [x for gap, doc in pieces[hi + 1:] for x in (*gap, *doc)]
        return out

    def gap(self, prev: Elem, e: Elem, ctx: str) -> list[Any]:
        """What goes between two neighbours: a space or nothing, or the comments written
        there and a line break (the source had one there too, so it cannot end the
        statement)."""
        t = _first(e)
        if t.comments or (isinstance(prev, Tok) and prev.type == "AT" and t.newline):
            out: list[Any] = []
            for c in t.comments:
                out += [CONT, Text(c.text)] if c.own_line else [Suffix("  " + c.text)]
            out.append(HARD if t.type in _STARTS_CONTINUED else CONT)
            return out
        space = _space(prev, e, ctx)
        return [Text(space)] if space else []

    def block(self, b: Block) -> tuple[list[Any], bool]:
        commented = bool(b.opener or b.dangling) or any(
            s.trailing or _first(s.elems[0]).comments for s in b.stmts)
        forced = not b.one_line or len(b.stmts) > 1 or commented
        if not b.stmts and not commented:
            return [Text("{}")], False
        inner: list[Any] = _suffix(b.opener)
        inner += self.body(b.stmts, b.dangling, LINE if b.stmts else None)
        return [Text("{"), Indent(inner), LINE, Text("}")], forced or _breaks(inner)

    def brackets(self, g: Brackets) -> list[Any]:
        if g.kind == "pipes":
            return self.pipes(g)
        n = len(g.items)
        firsts = [_first(item[0]) for item in g.items]
        after_open = firsts[0] if n else g.close
        opener = [c for c in after_open.comments if not c.own_line]
        dangling = [c for c in g.close.comments if c.own_line]
        if not n and not opener and not dangling:
            return [Text(g.open.text + g.close.text)]
        forced = g.trailing and g.kind in _COMMA_OK or bool(opener or dangling)
        inner: list[Any] = _suffix(opener)
        for k, item in enumerate(g.items):
            head = firsts[k]
            lead = [c for c in head.comments if c.own_line]
            inner.append(SOFT if k == 0 else LINE)
            if k and (lead[0].blank if lead else head.blank):
                inner.append(IfBreak(HARD))
            for j, c in enumerate(lead):
                if j and c.blank:
                    inner.append(HARD)
                inner += [Text(c.text), HARD]
            if lead and head.blank and k:
                inner.append(HARD)
            inner += self.elems(item, g.kind)
            if k < n - 1:
                inner.append(Text(g.seps[k].text))
            elif g.kind in _COMMA_OK and (not g.seps or g.seps[0].type == "COMMA"):
                inner.append(IfBreak(Text(",")))
            after = list(g.seps[k].comments) if k < len(g.seps) else []
            nxt = firsts[k + 1] if k + 1 < n else g.close
            after += [c for c in nxt.comments if not c.own_line]
            inner += _suffix(after)
            forced = forced or bool(lead or after)
        for c in dangling:
            inner += [HARD, Text(c.text)]
        group = Group([Text(g.open.text), Indent(inner), SOFT, Text(g.close.text)], forced)
        last = g.items[-1] if n else []
        if g.kind == "call" and not forced and len(last) == 1 and isinstance(last[0], Brackets) \
                and last[0].kind in ("list", "dict") \
                and all(len(item) == 1 and isinstance(item[0], Tok) for item in g.items[:-1]):
            # The last argument is a list or dict after plain names or literals: when the
            # call does not fit, it hugs them, `f(x, [` ... `])`, rather than going one
            # step further in.
            [arg] = self.brackets(last[0])
            if isinstance(arg, Group):  # not `f([])`
                prefix: list[Any] = [Text(g.open.text)]
                for k, item in enumerate(g.items[:-1]):
                    prefix += [Text(item[0].text), Text(g.seps[k].text + " ")]
                group.hug = [*prefix, Group(arg.parts, True, blocks=True), Text(g.close.text)]
        return [group]

    def pipes(self, g: Brackets) -> list[Any]:
        """A closure's `|params|`: always on one line (a line break before the closing
        `|` would end the statement)."""
        out: list[Any] = [Text("|")]
        for k, item in enumerate(g.items):
            if k:
                out.append(Text(","))
                comments = g.seps[k - 1].comments + _first(item[0]).comments
                if comments:
                    for c in comments:
                        out += [CONT, Text(c.text)] if c.own_line else [Suffix("  " + c.text)]
                    out.append(CONT)
                else:
                    out.append(Text(" "))
            out += self.elems(item, "pipes")
        out.append(Text("|"))
        return out


def _breaks(doc: Any) -> bool:
    """Whether a document certainly spans lines: a forced group, a hard line or a
    multi-line string in it."""
    stack = [doc]
    while stack:
        d = stack.pop()
        t = type(d)
        if t is list:
            stack.extend(d)
        elif t is Group:
            if d.forced:
                return True
            stack.extend(d.parts)
        elif t is Indent:
            stack.extend(d.parts)
        elif t is Text:
            if "\n" in d.s:
                return True
        elif t is Line:
            if d.kind in ("hard", "cont"):
                return True
        elif t is Sep:
            return True
        elif t is IfBreak:
            pass  # only when broken
    return False


# --- 3. layout -------------------------------------------------------------------------

def render(doc: Any, width: int) -> str:
    """Lay the document out within `width` columns (Prettier's printer, with
    indentation relative to the line a group opens on)."""
    out: list[str] = []
    col = 0
    line_indent = 0
    cmds: list[tuple[int, bool, Any]] = [(0, True, doc)]
    multiline: dict[tuple[int, int], bool] = {}

    def newline(indent: int) -> None:
        nonlocal col, line_indent
        while out and not out[-1].strip(" \n"):  # no white space at the end of a line
            if "\n" in out[-1]:
                out[-1] = "\n"
                break
            out.pop()
        out.append("\n" + " " * indent)
        col = line_indent = indent

    def is_multiline(d: Any, w: int) -> bool:
        key = (id(d), w)
        if key not in multiline:
            multiline[key] = "\n" in render(d, w)
        return multiline[key]

    while cmds:
        ind, broken, d = cmds.pop()
        t = type(d)
        if t is list:
            cmds.extend((ind, broken, x) for x in reversed(d))
        elif t is Text:
            s = d.s
            out.append(s)
            nl = s.rfind("\n")
            if nl < 0:
                col += len(s)
            else:
                last = s[nl + 1:]
                col, line_indent = len(last), len(last) - len(last.lstrip(" "))
        elif t is Suffix:
            out.append(d.s)
            col += len(d.s)
        elif t is Indent:
            cmds.append((ind + INDENT, broken, d.parts))
        elif t is Group:
            anchor = line_indent
            if not d.forced and _fits((anchor, False, d), cmds, width - col):
                cmds.append((anchor, False, d.parts))
            elif d.hug is not None and _fits((anchor, False, Group(d.hug)), cmds, width - col):
                cmds.append((anchor, False, d.hug))
            else:
                cmds.append((anchor, True, d.parts))
        elif t is IfBreak:
            x = d.broken if broken else d.flat
            if x is not None:
                cmds.append((ind, broken, x))
        elif t is Line:
            if not broken and d.kind in ("soft", "line"):
                if d.kind == "line":
                    out.append(" ")
                    col += 1
            else:
                newline(ind + (INDENT if d.kind == "cont" else 0))
        elif t is Sep:
            w = width - ind
            blank = d.blank or (d.defs[0] and is_multiline(d.before, w)) or (
                d.defs[1] and is_multiline(d.after, w))
            if blank:
                newline(0)
            newline(ind)
        else:
            raise TypeError(f"not a document: {d!r}")
    return "".join(out)


def _fits(first: tuple[int, bool, Any], rest: list[tuple[int, bool, Any]], width: int) -> bool:
    """Whether `first` (flat), then `rest` up to its first line break, fit in `width`.

    For the same answer on the formatter's own output (idempotence), what formatting
    itself changes must not change it: a bracket group counts as flat even when forced
    (breaking one adds the trailing comma that forces it next time), and a group of
    blocks ends the measure (breaking a one-line block makes it multi-line next time)
    unless blocks are being measured, which are flat throughout when flat at all."""
    stack = [first]
    in_blocks = first[2].blocks if isinstance(first[2], Group) else False
    if isinstance(first[2], Group):
        stack = [(first[0], False, first[2].parts)]
    ri = len(rest)
    while width >= 0:
        if not stack:
            if ri == 0:
                return True
            ri -= 1
            stack.append(rest[ri])
            continue
        ind, broken, d = stack.pop()
        t = type(d)
        if t is list:
            stack.extend((ind, broken, x) for x in reversed(d))
        elif t is Text:
            nl = d.s.find("\n")
            if nl >= 0:
                return width - nl >= 0
            width -= len(d.s)
        elif t is Indent:
            stack.append((ind, broken, d.parts))
        elif t is Group:
            if d.blocks and not in_blocks:
                return width >= 1  # the `{`; the rest goes on the lines after
            stack.append((ind, broken, d.parts))
        elif t is IfBreak:
            x = d.broken if broken else d.flat
            if x is not None:
                stack.append((ind, broken, x))
        elif t is Line:
            if broken or d.kind in ("hard", "cont"):
                return True
            width -= d.kind == "line"
        elif t is Sep:
            return True
    return False


# --- the whole ---------------------------------------------------------------------------

def format_source(text: str, width: int = DEFAULT_WIDTH, filename: str = "<input>") -> str:
    """The canonical form of `text`. Raises ParseError when it is not a valid program,
    FormatError if the result would differ from it (a formatter bug)."""
    program = parser.parse(text, filename)
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    body = text[len(bom):]
    old = sys.getrecursionlimit()
    if old < 20000:  # the tree is walked recursively; nesting is at most lexer.MAX_NESTING
        sys.setrecursionlimit(20000)
    try:
        stmts, opener, dangling = _Parser(body).program()
        out = render(_Builder(body).program(stmts, opener, dangling), width).rstrip(" ")
    finally:
        if old < 20000:
            sys.setrecursionlimit(old)
    out = bom + out + "\n" if out.strip() else bom
    try:
        again = parser.parse(out, filename)
    except ParseError as e:
        raise FormatError(f"the formatted text does not parse: {e.message}") from None
    if ast_shape(again) != ast_shape(program):
        raise FormatError("the formatted program differs from the original")
    if comment_texts(out) != comment_texts(text):
        raise FormatError("the formatted program lost or changed a comment")
    return out


def comment_texts(text: str) -> list[str]:
    body = text[1:] if text.startswith("\ufeff") else text
    return [body[a:b].rstrip() for a, b in lexer.comments(body)]


_NOT_SHAPE: Final = frozenset({"start", "end", "ref", "scope", "var", "cls_ref", "self_ref",
                               "declares", "cls_var", "source"})


def ast_shape(program: A.Program) -> list[Any]:
    """The program's AST as a flat list, positions and resolver fields left out (two
    programs with equal shapes mean the same). Iterative: chains of binary operators may
    be very long."""
    import dataclasses
    out: list[Any] = []
    stack: list[Any] = [program.body]
    while stack:
        x = stack.pop()
        if isinstance(x, (A.Node, A.Param)):
            out.append(type(x).__name__)
            for f in reversed(dataclasses.fields(x)):
                if f.name not in _NOT_SHAPE:
                    stack.append(getattr(x, f.name))
        elif isinstance(x, (list, tuple)):
            out.append((type(x).__name__, len(x)))
            stack.extend(reversed(x))
        else:
            out.append((type(x).__name__, repr(x)))
    return out


def write_file(path: str, text: str) -> None:
    """Replace a file's text atomically: a finished temporary file beside it is renamed
    over it, keeping its permission bits (a symlink is followed, not replaced). Raises
    OSError."""
    import os
    import stat
    import tempfile
    target = os.path.realpath(path)
    mode = stat.S_IMODE(os.stat(target).st_mode)
    fd, tmp = tempfile.mkstemp(prefix=".axfmt-", suffix=".tmp", dir=os.path.dirname(target))
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise

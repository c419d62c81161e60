"""Random valid Axiom programs laid out at random, for the formatter's properties.

`programs()` draws a program (functions, classes, closures, loops, try/catch, lists,
dicts, interpolation, comments, blank lines) whose every name is bound before it is read,
so it runs; then `layout` chooses the white space at each place where the grammar lets it
vary: a line break or nothing after `(`, `[`, `{` and `,` and before the closing bracket,
any run of blanks where a space is needed, comments at the ends of lines and indentation.
"""

from __future__ import annotations

from hypothesis import strategies as st

BREAK = "\x00"   # after an opening bracket or a comma, or before a closing one
SPACE = "\x01"   # where a space is needed


@st.composite
def expression(draw: st.DrawFn, names: frozenset[str], depth: int = 0) -> str:
    kinds = ["int", "float", "str", "bool", "nil"] + ["name"] * 3 * bool(names)
    if depth < 3:
        kinds += ["binary", "binary", "logic", "unary", "list", "dict", "paren", "if", "interp",
                  "closure", "index", "method", "range", "call", "call", "try"]
    kind = draw(st.sampled_from(kinds))

    def sub() -> str:
        return draw(expression(names, depth + 1))

    if kind == "int":
        return draw(st.sampled_from(["0", "1", "42", "7", "1_000", "0xff", "0b101"]))
    if kind == "float":
        return draw(st.sampled_from(["0.5", "2.0", "1e3", "2.5e-3"]))
    if kind == "str":
        return draw(st.sampled_from(['"a"', '"hi there"', "'q'", '"tab\\t"', '"x, y"', '"// not"',
                                     '"# no"', '"""two\nlines"""', '"{brace}"', 'r"\\d+ {x}"']))
    if kind == "bool":
        return draw(st.sampled_from(["true", "false"]))
    if kind == "nil":
        return "nil"
    if kind == "name":
        return draw(st.sampled_from(sorted(names)))
    if kind == "binary":
        op = draw(st.sampled_from(["+", "-", "*", "==", "!=", "<", ">=", "in"]))
        if op == "in":
            return f"({sub()}{SPACE}in{SPACE}[{BREAK}{sub()},{BREAK}{sub()}{BREAK}])"
        if op in ("==", "!=", "<", ">="):  # comparisons do not chain
            return f"({sub()}{SPACE}{op}{SPACE}{sub()})"
        return f"{sub()}{SPACE}{op}{SPACE}{sub()}"
    if kind == "logic":
        return f"{sub()}{SPACE}{draw(st.sampled_from(['and', 'or']))}{SPACE}{sub()}"
    if kind == "unary":
        return draw(st.sampled_from(["-", "!"])) + f"({BREAK}{sub()}{BREAK})"
    if kind in ("list", "dict"):
        n = draw(st.integers(0, 4 if kind == "list" else 3))
        items = [sub() if kind == "list" else f'"k{i}":{SPACE}{sub()}' for i in range(n)]
        trailing = "," if n and draw(st.booleans()) else ""
        opener, closer = ("[", "]") if kind == "list" else ("{", "}")
        return opener + BREAK + ("," + BREAK).join(items) + trailing + BREAK + closer
    if kind == "paren":
        return f"({BREAK}{sub()}{BREAK})"
    if kind == "if":
        return f"(if{SPACE}{sub()}{SPACE}then{SPACE}{sub()}{SPACE}else{SPACE}({sub()}))"  # `else {` is a block
    if kind == "try":
        return (f"(try{SPACE}{{{SPACE}({sub()}){SPACE}}}{SPACE}catch{SPACE}ex{SPACE}"
                f"{{{SPACE}ex.kind{SPACE}}})")
    if kind == "interp":
        inside = draw(st.sampled_from(sorted(names))) if names else "1 + 2"
        return f'@"v={{{inside}}} {{{{literal}}}}"'
    if kind == "closure":
        return f"(|a,{SPACE}b|{SPACE}a{SPACE}+{SPACE}b)({BREAK}{sub()},{BREAK}{sub()}{BREAK})"
    if kind == "index":
        return f"[{BREAK}{sub()},{BREAK}{sub()}{BREAK}][{BREAK}1{BREAK}]"
    if kind == "method":
        return f"[{BREAK}1,{BREAK}2{BREAK}].map(|x|{SPACE}x{SPACE}*{SPACE}2).len()"
    if kind == "range":
        return f"(0..{draw(st.integers(0, 4))})"
    fn, arity = draw(st.sampled_from([("one", 1), ("two", 2)]))
    return f"{fn}(" + BREAK + ("," + BREAK).join(sub() for _ in range(arity)) + BREAK + ")"


def _block(draw: st.DrawFn, stmts: list[str]) -> str:
    if not stmts:
        return draw(st.sampled_from(["{}", "{\n}"]))
    if len(stmts) == 1 and "\n" not in stmts[0] and not stmts[0].startswith(("//", "#")) \
            and draw(st.booleans()):
        return "{" + SPACE + stmts[0] + SPACE + "}"
    return "{\n" + "\n".join(stmts) + "\n}"


@st.composite
def statement(draw: st.DrawFn, names: set[str], depth: int) -> str:
    """One statement (maybe a few lines); `names` gains what it binds. A loop's counter
    `k` is read but never assigned, so every loop ends."""
    kinds = ["let", "out", "out", "comment"] + ["assign", "wrap"] * bool(names - {"k"})
    if depth < 2:
        kinds += ["if", "for", "while", "try", "fn", "class", "closure"]
    kind = draw(st.sampled_from(kinds))
    frozen = frozenset(names)

    def e() -> str:
        return draw(expression(frozen, 1))

    def body(extra: tuple[str, ...] = ()) -> list[str]:
        inner = set(names) | set(extra)
        return [draw(statement(inner, depth + 1)) for _ in range(draw(st.integers(0, 3)))]

    if kind == "let":
        name = draw(st.sampled_from(["a", "b", "total", "x1"]))
        text = f"let{SPACE}{name}{SPACE}={SPACE}{e()}"
        names.add(name)
        return text
    if kind == "assign":
        return f"{draw(st.sampled_from(sorted(names - {'k'})))}{SPACE}={SPACE}{e()}"
    if kind == "wrap":
        name = draw(st.sampled_from(sorted(names - {"k"})))
        return f"{name}{SPACE}={SPACE}[{BREAK}{name}{BREAK}]"
    if kind == "out":
        return f"out{SPACE}{e()}"
    if kind == "comment":
        return draw(st.sampled_from(["// a comment", "# a hash comment", "//"]))
    if kind == "if":
        text = f"if{SPACE}{e()}{SPACE}" + _block(draw, body())
        if draw(st.booleans()):
            text += f"{SPACE}else{SPACE}" + _block(draw, body())
        return text
    if kind == "for":
        return f"for{SPACE}i{SPACE}in{SPACE}0..{draw(st.integers(0, 3))}{SPACE}" + _block(draw, body(("i",)))
    if kind == "while":
        return (f"let{SPACE}k{SPACE}={SPACE}0\nwhile{SPACE}k{SPACE}<{SPACE}2{SPACE}"
                + _block(draw, [f"k{SPACE}+={SPACE}1", *body(("k",))]))
    if kind == "try":
        return (f"try{SPACE}" + _block(draw, [*body(), f'throw{SPACE}"boom"'])
                + f"{SPACE}catch{SPACE}ex{SPACE}" + _block(draw, [f"out{SPACE}ex.message", *body(("ex",))]))
    if kind == "fn":
        params = ["p", "q"][:draw(st.integers(0, 2))]
        name = draw(st.sampled_from(["f", "g"]))
        stmts = [*body(tuple(params)), params[0] if params else "1"]
        text = (f"fn{SPACE}{name}(" + BREAK + ("," + BREAK).join(params) + BREAK + ")" + SPACE
                + _block(draw, stmts))
        return text + f"\nout{SPACE}{name}(" + ("," + BREAK).join(["1"] * len(params)) + ")"
    if kind == "class":
        init = f"fn{SPACE}init(self,{BREAK}v){SPACE}" + _block(draw, [f"self.v{SPACE}={SPACE}v"])
        get = f"fn{SPACE}get(self){SPACE}" + _block(draw, ["self.v"])
        return f"class{SPACE}P{SPACE}" + _block(draw, [init, get]) + f"\nout{SPACE}P({e()}).get()"
    return f"out{SPACE}[1,{BREAK}2].map(|x|{SPACE}" + _block(draw, [*body(("x",)), "x"]) + ")"


@st.composite
def programs(draw: st.DrawFn) -> str:
    names: set[str] = set()
    head = [f"fn{SPACE}one(v){SPACE}{{{SPACE}v{SPACE}}}",
            f"fn{SPACE}two(v,{SPACE}w){SPACE}{{{SPACE}[v,{SPACE}w]{SPACE}}}"]
    stmts = head + [draw(statement(names, 0)) for _ in range(draw(st.integers(1, 8)))]
    text = "".join(s + draw(st.sampled_from(["\n", "\n", "\n\n", "\n\n\n"])) for s in stmts)
    return draw(layout(text))


@st.composite
def layout(draw: st.DrawFn, text: str) -> str:
    out = []
    for ch in text:
        if ch == BREAK:
            out.append(draw(st.sampled_from(["", "", "", "\n", "\n    ", " "])))
        elif ch == SPACE:
            out.append(draw(st.sampled_from([" ", " ", "  ", "\t"])))
        elif ch == "\n":
            comment = draw(st.sampled_from(["", "", "", "", "  // note", " # note"]))
            out.append(comment + "\n" + draw(st.sampled_from(["", "", "  ", "\t"])))
        else:
            out.append(ch)
    return "".join(out)

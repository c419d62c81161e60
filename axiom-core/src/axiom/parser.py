"""Parser: tokens -> AST, with a ply LALR grammar.

Pipeline position: after lexer.py, before resolve.py. Imports only ply, lexer and ast
(the build hook imports it with nothing but ply installed).

The parse tables are generated at build time (hatch_build.py calls `write_tables`) and
shipped as `_parsetab.py`; at run time they are loaded with `write_tables=False,
debug=False, optimize=False` and a null error log, so nothing is ever written. A test
checks that the shipped tables match the grammar. Every rule's docstring is its grammar.
The parse runs ply's LR algorithm over those tables in `_run` (ply's
`parseopt_notrack` without its error recovery, which p_error never uses, and with a
cheaper production object: see there).

Interpolation strings (`@"...{expr:spec}..."`) are split here and their expressions
parsed once the enclosing parse has finished (ply's parser is not re-entrant). After
parsing, `check_nesting` rejects nesting deeper than lexer.MAX_NESTING without
recursing (a long flat chain of binary operators is not nesting).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

import ply.yacc as yacc

from . import ast as A
from . import lexer as L
from .ast import ParseError
from .bytecode import FIXED_TYPES
from .lexer import tokens  # noqa: F401  (ply reads the grammar's token list here)

INT_MAX: Final = 2**63 - 1

precedence = (
    ("nonassoc", "IFNOELSE"),
    ("nonassoc", "ELSE"),
    ("right", "AT"),
    ("right", "LOWEST"),
    ("left", "OR"),
    ("left", "AND"),
    ("right", "BANG"),
    ("nonassoc", "EQ", "NE", "LT", "GT", "LE", "GE", "IN"),
    ("nonassoc", "DOTDOT", "DOTDOTEQ"),
    ("left", "PLUS", "MINUS"),
    ("left", "STAR", "SLASH", "PERCENT"),
    ("right", "UMINUS"),
)

start = "program"


class _State(threading.local):
    pending: list[tuple[A.Interp, list[Any], int]]


_state = _State()


# Rules run often read a token's offsets straight from p.slice (an expression's value
# is always a Node, a token's never).

def _s(p: Any, i: int) -> int:
    """Start offset of symbol i of a production."""
    v = p[i]
    if isinstance(v, A.Node):
        return v.start
    return p.slice[i].lexpos  # type: ignore[no-any-return]


def _e(p: Any, i: int) -> int:
    """End offset of symbol i of a production."""
    v = p[i]
    if isinstance(v, A.Node):
        return v.end
    return p.slice[i].end  # type: ignore[no-any-return]


# --- program, blocks, statements ---------------------------------------------------

def p_program(p: Any) -> None:
    "program : body"
    stmts = p[1]
    end = stmts[-1].end if stmts else 0
    p[0] = A.Program(0, end, A.Block(0, end, stmts))


def p_body(p: Any) -> None:
    """body : opt_seps
            | opt_seps stmt_list opt_seps"""
    p[0] = p[2] if len(p) == 4 else []


def p_stmt_list(p: Any) -> None:
    """stmt_list : stmt
                 | stmt_list seps stmt"""
    if len(p) == 2:
        p[0] = [p[1]]
    else:
        p[1].append(p[3])
        p[0] = p[1]


def p_seps(p: Any) -> None:
    """seps : NEWLINE
            | SEMI
            | seps NEWLINE
            | seps SEMI"""


def p_opt_seps(p: Any) -> None:
    """opt_seps : empty
                | seps"""


def p_empty(p: Any) -> None:
    "empty :"
    p[0] = None


def p_block(p: Any) -> None:
    "block : BLOCK body RBRACE"
    p[0] = A.Block(p.slice[1].lexpos, p.slice[3].end, p[2])


def p_stmt_expr(p: Any) -> None:
    "stmt : expr"
    e = p[1]
    # A try/catch standing alone is a statement (its value is dropped, or is the
    # block's value when it comes last), exactly as before it became an expression.
    p[0] = e if type(e) is A.Try else A.ExprStmt(e.start, e.end, e)


def p_stmt_block(p: Any) -> None:
    "stmt : block"
    p[0] = p[1]


def p_stmt_let(p: Any) -> None:
    "stmt : LET pattern ASSIGN expr"
    p[0] = A.Let(p.slice[1].lexpos, p[4].end, p[2], p[4])


def p_stmt_let_fixed(p: Any) -> None:
    """stmt : LET IDENT LPAREN INT RPAREN ASSIGN expr
            | LET IDENT LPAREN IDENT RPAREN ASSIGN expr"""
    spec = p[4]
    if isinstance(spec, int):
        if spec <= 0:
            raise ParseError("a capacity must be a positive integer", _s(p, 4), _e(p, 4))
    elif spec not in FIXED_TYPES:
        raise ParseError(f"unknown type '{spec}' in a fixed allocation (expected a positive "
                         f"capacity or one of {', '.join(sorted(FIXED_TYPES))})", _s(p, 4), _e(p, 4))
    p[0] = A.Let(_s(p, 1), _e(p, 7), A.PName(_s(p, 2), _e(p, 2), p[2]), p[7], spec)




def p_pattern_name(p: Any) -> None:
    "pattern : IDENT"
    tok = p.slice[1]
    p[0] = A.PName(tok.lexpos, tok.end, tok.value)


def p_pattern_list(p: Any) -> None:
    """pattern : LPAREN pattern_items RPAREN
               | LBRACKET pattern_items RBRACKET"""
    p[0] = A.PList(_s(p, 1), _e(p, 3), p[2])


def p_pattern_items(p: Any) -> None:
    """pattern_items : pattern_seq
                     | pattern_seq COMMA"""
    p[0] = p[1]


def p_pattern_seq(p: Any) -> None:
    """pattern_seq : pattern
                   | pattern_seq COMMA pattern"""
    if len(p) == 2:
        p[0] = [p[1]]
    else:
        p[1].append(p[3])
        p[0] = p[1]


_ASSIGNABLE: Final = (A.Name, A.Attr, A.Index)


def p_stmt_assign(p: Any) -> None:
    "stmt : expr ASSIGN expr"
    target = p[1]
    if not isinstance(target, _ASSIGNABLE):
        raise ParseError("cannot assign to this expression (assign to a name, an attribute "
                         "or an index)", target.start, target.end)
    p[0] = A.Assign(target.start, _e(p, 3), target, p[3])


def p_stmt_augassign(p: Any) -> None:
    """stmt : expr PLUSEQ expr
            | expr MINUSEQ expr
            | expr STAREQ expr
            | expr SLASHEQ expr
            | expr PERCENTEQ expr"""
    target = p[1]
    if not isinstance(target, _ASSIGNABLE):
        raise ParseError("cannot assign to this expression", target.start, target.end)
    p[0] = A.AugAssign(target.start, _e(p, 3), p[2][0], target, p[3])


def p_stmt_fn(p: Any) -> None:
    "stmt : FN IDENT LPAREN params RPAREN block"
    fn = A.FnExpr(_s(p, 1), _e(p, 6), p[2], p[4], p[6])
    p[0] = A.FnDecl(_s(p, 1), _e(p, 6), p[2], fn)


def p_stmt_class(p: Any) -> None:
    "stmt : CLASS IDENT class_parent BLOCK class_body RBRACE"
    p[0] = A.ClassDecl(_s(p, 1), _e(p, 6), p[2], p[3], p[5])


def p_class_parent(p: Any) -> None:
    """class_parent : empty
                    | LPAREN expr RPAREN"""
    p[0] = p[2] if len(p) == 4 else None


def p_class_body(p: Any) -> None:
    """class_body : opt_seps
                  | opt_seps method_list opt_seps"""
    p[0] = p[2] if len(p) == 4 else []


def p_method_list(p: Any) -> None:
    """method_list : method
                   | method_list method
                   | method_list seps method"""
    if len(p) == 2:
        p[0] = [p[1]]
    else:
        p[1].append(p[len(p) - 1])
        p[0] = p[1]


def p_method(p: Any) -> None:
    "method : FN IDENT LPAREN params RPAREN block"
    fn = A.FnExpr(_s(p, 1), _e(p, 6), p[2], p[4], p[6])
    p[0] = A.FnDecl(_s(p, 1), _e(p, 6), p[2], fn)


def p_stmt_while(p: Any) -> None:
    "stmt : WHILE expr block"
    p[0] = A.While(_s(p, 1), _e(p, 3), p[2], p[3])


def p_stmt_for(p: Any) -> None:
    "stmt : FOR pattern IN expr block"
    p[0] = A.For(_s(p, 1), _e(p, 5), p[2], p[4], p[5])


def p_stmt_return(p: Any) -> None:
    """stmt : RETURN
            | RETURN expr"""
    p[0] = A.Return(_s(p, 1), _e(p, len(p) - 1), p[2] if len(p) == 3 else None)


def p_stmt_break(p: Any) -> None:
    "stmt : BREAK"
    p[0] = A.Break(_s(p, 1), _e(p, 1))


def p_stmt_continue(p: Any) -> None:
    "stmt : CONTINUE"
    p[0] = A.Continue(_s(p, 1), _e(p, 1))


def p_stmt_throw(p: Any) -> None:
    "stmt : THROW expr"
    p[0] = A.Throw(_s(p, 1), _e(p, 2), p[2])




def p_stmt_free(p: Any) -> None:
    "stmt : FREE IDENT"
    p[0] = A.Free(_s(p, 1), _e(p, 2), A.Name(_s(p, 2), _e(p, 2), p[2]))


def p_stmt_out(p: Any) -> None:
    """stmt : OUT expr
            | ERR expr"""
    p[0] = A.Out(_s(p, 1), _e(p, 2), p[2], p[1] == "err")


def p_stmt_import(p: Any) -> None:
    "stmt : IMPORT import_items"
    p[0] = A.Import(_s(p, 1), p[2][-1][2].end, p[2])


def p_stmt_from(p: Any) -> None:
    "stmt : FROM IDENT IMPORT import_items"
    p[0] = A.FromImport(_s(p, 1), p[4][-1][2].end, p[2], p[4])


def p_import_items(p: Any) -> None:
    """import_items : import_item
                    | import_items COMMA import_item"""
    if len(p) == 2:
        p[0] = [p[1]]
    else:
        p[1].append(p[3])
        p[0] = p[1]


def p_import_item(p: Any) -> None:
    """import_item : IDENT
                   | IDENT AS IDENT"""
    if len(p) == 2:
        p[0] = (p[1], p[1], A.PName(_s(p, 1), _e(p, 1), p[1]))
    else:
        p[0] = (p[1], p[3], A.PName(_s(p, 1), _e(p, 3), p[3]))


# --- expressions -----------------------------------------------------------------

def p_expr_binary(p: Any) -> None:
    """expr : expr PLUS expr
            | expr MINUS expr
            | expr STAR expr
            | expr SLASH expr
            | expr PERCENT expr
            | expr EQ expr
            | expr NE expr
            | expr LT expr
            | expr GT expr
            | expr LE expr
            | expr GE expr
            | expr IN expr
            | expr DOTDOT expr
            | expr DOTDOTEQ expr"""
    p[0] = A.Binary(p[1].start, p[3].end, p[2], p[1], p[3])


def p_expr_logical(p: Any) -> None:
    """expr : expr AND expr
            | expr OR expr"""
    p[0] = A.Logical(p[1].start, p[3].end, p[2], p[1], p[3])


def p_expr_not(p: Any) -> None:
    "expr : BANG expr"
    p[0] = A.Unary(_s(p, 1), p[2].end, "!", p[2])


def p_expr_neg(p: Any) -> None:
    "expr : MINUS expr %prec UMINUS"
    operand = p[2]
    if isinstance(operand, A.Literal) and type(operand.value) is int and operand.value == INT_MAX + 1:
        p[0] = A.Literal(_s(p, 1), operand.end, -operand.value)  # so -9223372036854775808 fits
        return
    p[0] = A.Unary(_s(p, 1), operand.end, "-", operand)


def p_expr_render(p: Any) -> None:
    "expr : AT expr"
    p[0] = A.Render(_s(p, 1), p[2].end, p[2])


def p_expr_closure(p: Any) -> None:
    """expr : PIPE params PIPE expr %prec LOWEST
            | PIPE params PIPE block"""
    p[0] = A.FnExpr(_s(p, 1), _e(p, 4), None, p[2], p[4])


def p_expr_ifthen(p: Any) -> None:
    "expr : IF expr THEN expr ELSE expr %prec LOWEST"
    p[0] = A.IfExpr(_s(p, 1), p[6].end, p[2], p[4], p[6])


def p_expr_postfix(p: Any) -> None:
    "expr : postfix"
    p[0] = p[1]


def p_postfix_primary(p: Any) -> None:
    "postfix : primary"
    p[0] = p[1]


def p_postfix_call(p: Any) -> None:
    "postfix : postfix LPAREN arglist RPAREN"
    args, kwargs = p[3]
    f = p[1]
    if isinstance(f, A.Attr):
        p[0] = A.MethodCall(f.start, _e(p, 4), f.obj, f.name, args, kwargs)
    else:
        p[0] = A.Call(f.start, _e(p, 4), f, args, kwargs)


def p_postfix_index(p: Any) -> None:
    "postfix : postfix LBRACKET expr RBRACKET"
    p[0] = A.Index(p[1].start, _e(p, 4), p[1], p[3])


def p_postfix_slice(p: Any) -> None:
    "postfix : postfix LBRACKET opt_expr COLON opt_expr RBRACKET"
    p[0] = A.Slice(p[1].start, _e(p, 6), p[1], p[3], p[5])


def p_opt_expr(p: Any) -> None:
    """opt_expr : empty
                | expr"""
    p[0] = p[1]


def p_attr_name(p: Any) -> None:
    """attr_name : IDENT
                 | LET
                 | FN
                 | IF
                 | THEN
                 | ELSE
                 | WHILE
                 | FOR
                 | IN
                 | BREAK
                 | CONTINUE
                 | RETURN
                 | IMPORT
                 | FROM
                 | AS
                 | CLASS
                 | TRUE
                 | FALSE
                 | NIL
                 | AND
                 | OR
                 | TRY
                 | CATCH
                 | THROW
                 | OUT
                 | ERR
                 | FREE"""
    p[0] = (p[1], _e(p, 1))  # after `.` a keyword is just a name: `disk.free`, `d.in`


def p_postfix_attr(p: Any) -> None:
    "postfix : postfix DOT attr_name"
    obj = p[1]
    name, end = p[3]
    if isinstance(obj, A.Name) and obj.name == "super":
        p[0] = A.SuperAttr(obj.start, end, name)
    else:
        p[0] = A.Attr(obj.start, end, obj, name)


def p_arglist(p: Any) -> None:
    """arglist : empty
               | args
               | args COMMA"""
    items = p[1] or []
    args: list[A.Node] = []
    kwargs: list[tuple[str, A.Node]] = []
    for name, value in items:
        if name is None:
            if kwargs:
                raise ParseError("a positional argument cannot follow a keyword argument",
                                 value.start, value.end)
            args.append(value)
        else:
            if any(k == name for k, _ in kwargs):
                raise ParseError(f"keyword argument '{name}' given twice", value.start, value.end)
            kwargs.append((name, value))
    p[0] = (args, kwargs)


def p_args(p: Any) -> None:
    """args : arg
            | args COMMA arg"""
    if len(p) == 2:
        p[0] = [p[1]]
    else:
        p[1].append(p[3])
        p[0] = p[1]


def p_arg(p: Any) -> None:
    """arg : expr
           | IDENT ASSIGN expr"""
    p[0] = (None, p[1]) if len(p) == 2 else (p[1], p[3])


def p_params(p: Any) -> None:
    """params : empty
              | param_list
              | param_list COMMA"""
    params = p[1] or []
    seen: set[str] = set()
    has_default = False
    for prm in params:
        if prm.name in seen:
            raise ParseError(f"duplicate parameter '{prm.name}'", prm.start, prm.end)
        seen.add(prm.name)
        if prm.default is not None:
            has_default = True
        elif has_default:
            raise ParseError(f"parameter '{prm.name}' without a default follows one with a default",
                             prm.start, prm.end)
    p[0] = params


def p_param_list(p: Any) -> None:
    """param_list : param
                  | param_list COMMA param"""
    if len(p) == 2:
        p[0] = [p[1]]
    else:
        p[1].append(p[3])
        p[0] = p[1]


def p_param(p: Any) -> None:
    """param : IDENT
             | IDENT ASSIGN expr"""
    if len(p) == 2:
        p[0] = A.Param(p[1], None, _s(p, 1), _e(p, 1))
    else:
        p[0] = A.Param(p[1], p[3], _s(p, 1), _e(p, 3))


def p_primary_literal(p: Any) -> None:
    """primary : INT
               | FLOAT"""
    tok = p.slice[1]
    p[0] = A.Literal(tok.lexpos, tok.end, tok.value)


def p_primary_const(p: Any) -> None:
    """primary : TRUE
               | FALSE
               | NIL"""
    p[0] = A.Literal(_s(p, 1), _e(p, 1), {"true": True, "false": False, "nil": None}[p[1]])


def p_primary_string(p: Any) -> None:
    "primary : STRING"
    raw, offset = p[1]
    p[0] = A.Literal(_s(p, 1), _e(p, 1), L.unescape(raw, offset, ""))


def p_primary_rstring(p: Any) -> None:
    "primary : RSTRING"
    p[0] = A.Literal(_s(p, 1), _e(p, 1), p[1][0])  # a raw string: the body as written


def p_primary_istring(p: Any) -> None:
    "primary : ISTRING"
    raw, offset = p[1]
    node = A.Interp(_s(p, 1), _e(p, 1), [])
    _state.pending.append((node, split_interpolation(raw, offset), 0))
    p[0] = node


def p_primary_name(p: Any) -> None:
    "primary : IDENT"
    tok = p.slice[1]
    p[0] = A.Name(tok.lexpos, tok.end, tok.value)


def p_primary_paren(p: Any) -> None:
    "primary : LPAREN expr RPAREN"
    p[0] = p[2]


def p_primary_list(p: Any) -> None:
    """primary : LBRACKET RBRACKET
               | LBRACKET list_items RBRACKET
               | LBRACKET list_items COMMA RBRACKET"""
    p[0] = A.ListLit(_s(p, 1), _e(p, len(p) - 1), p[2] if len(p) > 3 else [])


def p_primary_repeat(p: Any) -> None:
    "primary : LBRACKET expr SEMI expr RBRACKET"
    p[0] = A.ListRepeat(_s(p, 1), _e(p, 5), p[2], p[4])


def p_list_items(p: Any) -> None:
    """list_items : expr
                  | list_items COMMA expr"""
    if len(p) == 2:
        p[0] = [p[1]]
    else:
        p[1].append(p[3])
        p[0] = p[1]


def p_primary_dict(p: Any) -> None:
    """primary : LBRACE RBRACE
               | LBRACE pairs RBRACE
               | LBRACE pairs COMMA RBRACE"""
    p[0] = A.DictLit(_s(p, 1), _e(p, len(p) - 1), p[2] if len(p) > 3 else [])


def p_pairs(p: Any) -> None:
    """pairs : pair
             | pairs COMMA pair"""
    if len(p) == 2:
        p[0] = [p[1]]
    else:
        p[1].append(p[3])
        p[0] = p[1]


def p_pair(p: Any) -> None:
    "pair : expr COLON expr"
    p[0] = (p[1], p[3])


def p_primary_fn(p: Any) -> None:
    "primary : FN LPAREN params RPAREN block"
    p[0] = A.FnExpr(_s(p, 1), _e(p, 5), None, p[3], p[5])


def p_primary_if(p: Any) -> None:
    "primary : if_block"
    p[0] = p[1]


def p_primary_try(p: Any) -> None:
    """primary : TRY block CATCH IDENT block
               | TRY block CATCH block"""
    # Also an expression, like `if`: the try block's value, or the catch block's.
    if len(p) == 6:
        p[0] = A.Try(_s(p, 1), _e(p, 5), p[2], p[4], p[5])
    else:
        p[0] = A.Try(_s(p, 1), _e(p, 4), p[2], None, p[4])


def p_if_block(p: Any) -> None:
    """if_block : IF expr block %prec IFNOELSE
                | IF expr block ELSE block
                | IF expr block ELSE if_block"""
    orelse = p[5] if len(p) == 6 else None
    p[0] = A.IfExpr(_s(p, 1), _e(p, len(p) - 1), p[2], p[3], orelse)


# --- errors ------------------------------------------------------------------------
#
# A syntax error says what was found, the few tokens that could have come instead, and,
# when a common slip or a habit from another language explains it, a one-line help:
#
#     Error: SyntaxError: unexpected '='; expected '{', 'then' or an operator
#       --> t.ax:1:6
#        |
#      1 | if x = 5 { out x }
#        |      ^
#        = help: did you mean '=='? ('=' assigns, '==' compares)

_NAMES: Final = {
    "NEWLINE": "end of line", "SEMI": "';'", "LPAREN": "'('", "RPAREN": "')'", "LBRACKET": "'['",
    "RBRACKET": "']'", "LBRACE": "'{'", "BLOCK": "'{'", "RBRACE": "'}'", "COMMA": "','",
    "COLON": "':'", "DOT": "'.'", "DOTDOT": "'..'", "DOTDOTEQ": "'..='", "PIPE": "'|'",
    "AT": "'@'", "PLUS": "'+'", "MINUS": "'-'", "STAR": "'*'", "SLASH": "'/'", "PERCENT": "'%'",
    "EQ": "'=='", "NE": "'!='", "LE": "'<='", "GE": "'>='", "LT": "'<'", "GT": "'>'", "BANG": "'!'",
    "ASSIGN": "'='", "PLUSEQ": "'+='", "MINUSEQ": "'-='", "STAREQ": "'*='", "SLASHEQ": "'/='",
    "PERCENTEQ": "'%='", "INT": "a number", "FLOAT": "a number", "STRING": "a string",
    "ISTRING": "a string", "RSTRING": "a string", "IDENT": "a name", "$end": "end of input",
}
_EXPR_START: Final = frozenset({"INT", "IDENT", "STRING", "LPAREN", "LBRACKET", "MINUS"})
# What can start an expression: summed up as "an expression" in an expected list.
_EXPR_TOKENS: Final = frozenset({
    "INT", "FLOAT", "STRING", "ISTRING", "RSTRING", "IDENT", "LPAREN", "LBRACKET", "LBRACE",
    "MINUS", "BANG", "AT", "PIPE", "FN", "IF", "TRY", "TRUE", "FALSE", "NIL"})
# What can only start a statement: with the above, "a statement".
_STMT_TOKENS: Final = frozenset({
    "LET", "WHILE", "FOR", "RETURN", "BREAK", "CONTINUE", "THROW", "IMPORT", "FROM", "CLASS",
    "OUT", "ERR", "FREE", "BLOCK"})
# What can follow an expression to continue it: "an operator".
_OPERATORS: Final = frozenset({
    "PLUS", "MINUS", "STAR", "SLASH", "PERCENT", "EQ", "NE", "LT", "GT", "LE", "GE", "IN",
    "DOTDOT", "DOTDOTEQ", "AND", "OR", "ASSIGN", "PLUSEQ", "MINUSEQ", "STAREQ", "SLASHEQ",
    "PERCENTEQ", "DOT", "LPAREN", "LBRACKET"})
_BINARY_ONLY: Final = _OPERATORS - {"MINUS", "DOT", "LPAREN", "LBRACKET", "ASSIGN"} - {
    "PLUSEQ", "MINUSEQ", "STAREQ", "SLASHEQ", "PERCENTEQ"}
_CLOSER: Final = {"LPAREN": "RPAREN", "LBRACKET": "RBRACKET", "LBRACE": "RBRACE",
                  "BLOCK": "RBRACE", "PIPE": "PIPE"}
_ENDS: Final = frozenset({"NEWLINE", "SEMI", "$end"})
# Words other languages use, and what Axiom writes instead.
_FN_WORDS: Final = frozenset({"def", "function", "func", "fun", "sub"})
_ELIF_WORDS: Final = frozenset({"elif", "elsif", "elseif"})
_PRINT_WORDS: Final = frozenset({"print", "println", "puts", "echo", "printf"})


def _describe(tok_type: str) -> str:
    return _NAMES.get(tok_type, f"'{tok_type.lower()}'")


def _found(tok: Any) -> str:
    """How the offending token is named in "unexpected ..."."""
    ty = tok.type
    if ty == "IDENT":
        return f"name '{tok.value}'"
    if ty in ("INT", "FLOAT"):
        return f"number {tok.value}"
    if ty in ("STRING", "ISTRING", "RSTRING"):
        body = tok.value[0]
        body = body if len(body) <= 20 and "\n" not in body else body[:20].split("\n")[0] + "..."
        return f'string "{body}"'
    if ty.lower() in L.KEYWORDS:
        return f"keyword '{tok.value}'"
    return _describe(ty)


def _innermost(symstack: list[Any]) -> str | None:
    """The innermost bracket (or closure `|`) the parser stands in, from its stack."""
    open_: list[str] = []
    for sym in symstack:
        ty = sym if type(sym) is str else sym.type  # a rule's name, or a token
        if ty in ("LPAREN", "LBRACKET", "LBRACE", "BLOCK"):
            open_.append(ty)
        elif ty == "PIPE":
            if open_ and open_[-1] == "PIPE":
                open_.pop()
            else:
                open_.append(ty)
        elif ty in ("RPAREN", "RBRACKET", "RBRACE") and open_:
            open_.pop()
    return open_[-1] if open_ else None


def expected(kinds: set[str], symstack: list[Any]) -> list[str]:
    """The tokens worth naming in "expected ...": statement and expression starts and
    the operators are summed up; a closing bracket is named only for the innermost open
    bracket, and a line end only where a line end could end something."""
    kinds = kinds - {"error"}
    inner = _innermost(symstack)
    named: set[str] = set()
    tail: list[str] = []
    if {"LET", "WHILE"} <= kinds:
        kinds -= _STMT_TOKENS | _EXPR_TOKENS
        tail.append("a statement")
    elif _EXPR_START <= kinds:
        kinds -= _EXPR_TOKENS
        tail.append("an expression")
    if "PLUS" in kinds and "STAR" in kinds:
        kinds -= _OPERATORS
        tail.append("an operator")
    if kinds & _ENDS:
        if inner not in ("LPAREN", "LBRACKET"):
            named.add("end of line" if "NEWLINE" in kinds or "SEMI" in kinds else "end of input")
        kinds -= _ENDS
    for closer in ("RPAREN", "RBRACKET", "RBRACE", "PIPE"):
        if closer in kinds and _CLOSER.get(inner or "") != closer:
            kinds.discard(closer)
    named |= {_describe(k) for k in kinds}
    return sorted(named) + tail


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def hint(tok: Any, prev: Any, kinds: set[str]) -> str | None:
    """A one-line help for a syntax error at `tok` (after `prev`), when a common slip or
    a habit from another language explains it."""
    ty = tok.type if tok is not None else "$end"
    word = prev.value if prev is not None and prev.type == "IDENT" else None
    if ty == "ASSIGN" and "EQ" in kinds:
        return "did you mean '=='? ('=' assigns, '==' compares)"
    if word in _FN_WORDS:
        return f"Axiom declares functions with 'fn': fn name(a, b) {{ ... }}, not '{word}'"
    if word in _ELIF_WORDS or (ty == "IDENT" and tok.value in _ELIF_WORDS):
        return f"write 'else if', not '{word or tok.value}'"
    if ty in ("STRING", "RSTRING") and word == "f" and prev.end == tok.lexpos:
        return "interpolate with @: @\"total: {x}\" (Axiom has no f-strings)"
    if word in _PRINT_WORDS:
        return f"Axiom prints with 'out': out x (or out @\"...{{x}}...\"), not '{word}'"
    if ty in _BINARY_ONLY and prev is not None and prev.type == "NEWLINE":
        return (f"a line cannot start with {_describe(ty)}: the statement before ended at the "
                "line break; end that line with the operator instead, or wrap the expression "
                "in ( )")
    if ty == "PLUS" and prev is not None and prev.type == "PLUS" and prev.end == tok.lexpos:
        return "Axiom has no '++': write x += 1"
    if ty == "PIPE" and "PLUS" in kinds and prev is not None and prev.type != "PIPE":
        return "write 'or' for a logical or ('|' starts a closure: |x| x + 1)"
    if ty == "COLON" and "BLOCK" in kinds:
        return "a block is written in braces: if x { ... }, not with ':'"
    if "COMMA" in kinds and ty in _EXPR_TOKENS and ty not in ("LPAREN", "LBRACKET", "MINUS", "PIPE"):
        return "is a ',' missing before it?"
    return None


def acceptable(parser: Any, states: list[int]) -> set[str]:
    """The tokens that could come next from the parser's state stack: those the LR
    automaton would shift after its reductions. (The error state's own action row is
    not enough: LALR merges lookaheads, so it lists tokens that fail a step later.)"""
    out: set[str] = set()
    for t in (*L.tokens, "$end"):
        stack = list(states)
        for _ in range(1000):  # reductions are finite; the bound is only a guard
            act = parser.action[stack[-1]].get(t)
            if act is None:
                break
            if act >= 0:  # shift (or accept at the end)
                out.add(t)
                break
            prod = parser.productions[-act]
            if prod.len:
                del stack[-prod.len:]
            stack.append(parser.goto[stack[-1]][prod.name])
    return out


def p_error(tok: Any) -> None:
    kinds: set[str] = set()
    symstack: list[Any] = []
    if _parser is not None and getattr(_parser, "statestack", None):
        kinds = acceptable(_parser, _parser.statestack)
        symstack = list(getattr(_parser, "symstack", []))
    wanted = expected(kinds, symstack)
    exp = ""
    if wanted:
        exp = "; expected " + _join(wanted[:6]) + (", ..." if len(wanted) > 6 else "")
    stream = _stream
    prev = None
    if stream is not None:
        prev = stream.prev if tok is not None and tok is stream.cur else stream.cur
    help_ = hint(tok, prev, kinds)
    if tok is None:
        end = len(_source_text.text) if _source_text is not None else 0
        raise ParseError("unexpected end of input" + exp, end, end, help=help_)
    _unclosed(tok)
    raise ParseError(f"unexpected {_found(tok)}" + exp, tok.lexpos, tok.end, help=help_)


def _unclosed(tok: Any) -> None:
    """When an error comes on a later line than a still-open `(` or `[` (where newlines
    do not end statements), the unclosed bracket is the likely cause: say so there."""
    if _source_text is None:
        return
    for kind, opener in reversed(_open):
        if kind in "([":
            line = _source_text.position(opener.lexpos)[0]
            if line < _source_text.position(tok.lexpos)[0]:
                raise ParseError(f"'{opener.value}' is never closed (found {_describe(tok.type)} "
                                 f"on line {_source_text.position(tok.lexpos)[0]})",
                                 opener.lexpos, opener.lexpos + 1)
            return


# --- interpolation -------------------------------------------------------------------

def split_interpolation(raw: str, offset: int) -> list[Any]:
    """Cut an interpolation string's raw body into literal text (escapes decoded) and
    (expression text, its offset, format spec or None) parts."""
    parts: list[Any] = []
    lit: list[str] = []
    lit_start = 0
    i, n = 0, len(raw)

    def flush(upto: int) -> None:
        if lit:
            parts.append(L.unescape("".join(lit), offset + lit_start, ""))
            lit.clear()

    while i < n:
        c = raw[i]
        if c == "\\":
            lit.append(raw[i:i + 2])
            i += 2
            continue
        if c == "{":
            if raw[i + 1:i + 2] == "{":
                lit.append("{")
                i += 2
                continue
            flush(i)
            close, colon = _find_close(raw, i + 1, offset)
            text = raw[i + 1:colon if colon is not None else close]
            spec = raw[colon + 1:close] if colon is not None else None
            if not text.strip():
                raise ParseError("empty expression in interpolation string", offset + i, offset + close + 1)
            if spec is not None and colon is not None and ("{" in spec or "}" in spec):
                raise ParseError("a format spec cannot contain '{' or '}'", offset + colon + 1, offset + close)
            expr_text = text.replace('\\"', '"').replace("\\'", "'")
            parts.append((expr_text, offset + i + 1, spec))
            i = close + 1
            lit_start = i
            continue
        if c == "}":
            if raw[i + 1:i + 2] == "}":
                lit.append("}")
                i += 2
                continue
            raise ParseError("single '}' in interpolation string (write '}}' for a brace)",
                             offset + i, offset + i + 1)
        if not lit:
            lit_start = i
        lit.append(c)
        i += 1
    flush(n)
    return parts


def _find_close(raw: str, i: int, offset: int) -> tuple[int, int | None]:
    """The index of the `}` closing an interpolation part that starts at i, and of the
    first `:` outside brackets and strings (the start of a format spec), if any."""
    depth = 0
    colon = None
    quote = None
    escaped_quote = False  # the string inside was opened with \" (inside a "..." literal)
    n = len(raw)
    start = i
    while i < n:
        c = raw[i]
        if quote is not None:
            if c == "\\":
                if escaped_quote and raw[i + 1:i + 2] == quote:
                    quote = None
                i += 2
                continue
            if c == quote and not escaped_quote:
                quote = None
            i += 1
            continue
        if c == "\\" and raw[i + 1:i + 2] in ('"', "'"):
            quote = raw[i + 1]
            escaped_quote = True
            i += 2
            continue
        if c in "\"'":
            quote = c
            escaped_quote = False
        elif c in "([{":
            depth += 1
        elif c in ")]":
            depth -= 1
        elif c == "}":
            if depth == 0:
                return i, colon
            depth -= 1
        elif c == ":" and depth == 0 and colon is None:
            colon = i
        i += 1
    raise ParseError("unclosed '{' in interpolation string", offset + start - 1, offset + start)


# --- driving ply ---------------------------------------------------------------------

_parser: Any = None
_source_text: Any = None
_open: list[tuple[str, Any]] = []  # the brackets open where the parser stands
_stream: Any = None  # the _TokenStream being parsed
_lock = threading.Lock()


class _TokenStream:
    """The interface ply wants of a lexer, over lexer.tokenize(). Keeps the last two
    tokens handed out (`cur` is the parser's lookahead) for error messages."""

    def __init__(self, source: str, base: int, check: Callable[[], None] | None = None) -> None:
        global _open, _stream
        self.open: list[tuple[str, Any]] = []
        _open = self.open
        _stream = self
        self.prev: Any = None
        self.cur: Any = None
        self._it = L.tokenize(source, base, self.open, check)
        self._check = check
        self._count = 0

    def token(self) -> Any:
        self.prev = self.cur
        self.cur = next(self._it, None)
        if self._check is not None:
            self._count += 1
            if not self._count % L.CHECK_EVERY:
                self._check()
        return self.cur


def _get_parser() -> Any:
    global _parser, _rules, _tables
    if _parser is None:
        import sys
        mod = sys.modules[__name__]
        try:
            from . import _parsetab  # noqa: F401  (generated at build time)
            tabmodule = "axiom._parsetab"
        except ImportError:
            tabmodule = "axiom._parsetab_missing"
        _parser = yacc.yacc(module=mod, tabmodule=tabmodule, write_tables=False, debug=False,
                            optimize=False, errorlog=yacc.NullLogger())
        _rules = [(prod.name, prod.len, prod.callable, _PASS.get(prod.callable, 0))
                  for prod in _parser.productions]
        # ply's tables as lists indexed by state (cheaper to index than the dicts)
        states = range(max(_parser.action) + 1)
        _tables = ([_parser.action.get(st, {}) for st in states], [_parser.goto.get(st, {}) for st in states],
                   [_parser.defaulted_states.get(st) for st in states])
    return _parser


class _Production(list):  # type: ignore[type-arg]
    """What a rule's function gets: p[i] is the value of the production's symbol i and
    p[0] its result, as in ply, but read and set as a plain list; p.slice[i] is the
    token of a terminal symbol (the rule's name for the others)."""

    __slots__ = ("slice",)
    slice: list[Any]


_rules: list[tuple[str, int, Any, int | None]] = []  # per production: name, length, function, _PASS
_tables: Any = None  # per state: ply's actions, gotos and default reduction (see _get_parser)
# The rules whose function only passes a symbol's value on (p[0] = p[k]: k) or sets
# nothing (None): the parse does that without calling them.
_PASS: Final[dict[Any, int | None]] = {
    p_expr_postfix: 1, p_postfix_primary: 1, p_primary_if: 1, p_stmt_block: 1, p_opt_expr: 1,
    p_pattern_items: 1, p_primary_paren: 2, p_seps: None, p_opt_seps: None, p_empty: None,
}


def _run(parser: Any, stream: _TokenStream) -> Any:
    """ply's LR parse (LRParser.parseopt_notrack) over ply's tables, made cheaper for a
    long program: the rules get a list (see _Production), the rules in _PASS are done
    without a call, and the tokens come straight from the stream's generator. Syntax
    errors go to p_error, which always raises (there is no error recovery)."""
    actions, goto, defaulted = _tables
    rules = _rules
    it = stream._it
    check = stream._check
    count = stream._count
    statestack = [0]
    symstack: list[Any] = ["$end"]  # tokens, and the names of the rules reduced
    values: list[Any] = [None]  # the value of each symbol on symstack
    parser.statestack = statestack
    parser.symstack = symstack
    state = 0
    lookahead: Any = None
    ltype = ""
    prev: Any = None
    cur: Any = None
    while True:
        t = defaulted[state]
        if t is None:
            if lookahead is None:
                prev = cur
                cur = lookahead = next(it, None)
                if check is not None:
                    count += 1
                    if not count % L.CHECK_EVERY:
                        check()
                ltype = "$end" if lookahead is None else lookahead.type
            try:
                t = actions[state][ltype]
            except KeyError:
                t = None
            if t is None:  # (outside the except: the error is not chained to a KeyError)
                stream.prev, stream.cur, stream._count = prev, cur, count
                p_error(lookahead)
                raise ParseError("syntax error", 0, 0)  # p_error always raises
            if t > 0:  # shift
                statestack.append(t)
                state = t
                symstack.append(lookahead)
                values.append(lookahead.value)
                lookahead = None
                continue
            if t == 0:  # accept
                stream.prev, stream.cur, stream._count = prev, cur, count
                return values[-1]
        name, plen, func, through = rules[-t]
        if through is None:
            value = None
        elif through:
            value = values[through - plen - 1]
        else:
            p = _Production(values[-plen - 1:]) if plen else _Production((None,))
            p[0] = None
            p.slice = symstack[-plen - 1:] if plen else [None]
            func(p)
            value = p[0]
        if plen == 1:  # the commonest: replace the top in place
            symstack[-1] = name
            values[-1] = value
            state = statestack[-1] = goto[statestack[-2]][name]
            continue
        if plen:
            del statestack[-plen:]
            del symstack[-plen:]
            del values[-plen:]
        symstack.append(name)
        values.append(value)
        state = goto[statestack[-1]][name]
        statestack.append(state)


def parse(text: str, filename: str = "<input>", check: Callable[[], None] | None = None) -> A.Program:
    """Parse a whole program. Raises ParseError. `check()`, when given, is called every
    few thousand tokens and may raise (a Runtime's time and memory limits)."""
    global _source_text
    with _lock:
        parser = _get_parser()
        _source_text = A.Source(text, filename)
        _state.pending = []
        program = _run(parser, _TokenStream(text, 0, check))
        if program is None:  # only separators
            program = A.Program(0, 0, A.Block(0, 0, []))
        _finish_interpolations(parser, text)
    program.source = _source_text
    if check is not None:
        check()
    check_nesting(program)
    return program


def _finish_interpolations(parser: Any, text: str) -> None:
    """Parse the expressions of interpolation strings met during the parse."""
    while _state.pending:
        node, parts, depth = _state.pending.pop()
        if depth > L.MAX_NESTING:
            raise ParseError("nesting too deep", node.start, node.end)
        out: list[Any] = []
        for part in parts:
            if isinstance(part, str):
                out.append(part)
                continue
            expr_text, offset, spec = part
            outer = _state.pending
            _state.pending = []
            # Lexed with the part's offset, so positions point into the file.
            program = _run(parser, _TokenStream(expr_text, offset))
            inner = _state.pending
            _state.pending = outer
            for item in inner:
                _state.pending.append((item[0], item[1], depth + 1))
            stmts = program.body.stmts if program is not None else []
            if len(stmts) != 1 or not isinstance(stmts[0], A.ExprStmt):
                raise ParseError("an interpolation part must be one expression", offset, offset + len(expr_text))
            out.append((stmts[0].expr, spec))
        node.parts = out


def check_nesting(program: A.Program) -> None:
    """SyntaxError "nesting too deep" past lexer.MAX_NESTING levels, without recursion.
    The left operand of a binary or logical operator does not add a level."""
    stack: list[tuple[Any, int]] = [(program.body, 0)]
    push = stack.append
    pop = stack.pop
    limit = L.MAX_NESTING
    binary, logical, literal = A.Binary, A.Logical, A.Literal
    leaves = _LEAVES
    while stack:
        node, depth = pop()
        if depth > limit:
            raise ParseError("nesting too deep", node.start, node.end)
        t = type(node)
        # the commonest nodes first, their children pushed in _children's order
        if t is binary or t is logical:
            push((node.left, depth))
            push((node.right, depth + 1))
        elif t is literal:
            if type(node.value) is int and not -INT_MAX - 1 <= node.value <= INT_MAX:
                raise ParseError("integer literal too large for 64 bits", node.start, node.end)
        elif t in leaves:
            pass
        elif t is A.ExprStmt:
            push((node.expr, depth + 1))
        elif t is A.Let and type(node.spec) is not tuple and type(node.spec) is not list:
            push((node.target, depth + 1))
            push((node.value, depth + 1))
        elif t is A.Block:
            depth += 1
            for child in node.stmts:
                if isinstance(child, (A.Node, A.Param)):
                    push((child, depth))
        else:
            for child in _children(node):
                push((child, depth + 1))


# Nodes that hold no node (their fields are names, or the resolver's, still None).
_LEAVES: Final = frozenset({A.Name, A.PName, A.Break, A.Continue, A.SuperAttr})


_SKIP: Final = frozenset({"ref", "scope", "var", "cls_ref", "self_ref", "declares", "cls_var",
                          "source", "start", "end"})
_FIELDS: dict[type, tuple[str, ...]] = {}  # a node type -> its slots that may hold nodes


def _children(node: Any) -> list[Any]:
    t = type(node)
    names = _FIELDS.get(t)
    if names is None:
        names = _FIELDS[t] = tuple(n for n in getattr(t, "__slots__", ()) if n not in _SKIP)
    out: list[Any] = []
    for name in names:
        v = getattr(node, name, None)
        if v is None or type(v) is str:
            continue
        if isinstance(v, (A.Node, A.Param)):
            out.append(v)
        elif isinstance(v, list):
            for x in v:
                if isinstance(x, (A.Node, A.Param)):
                    out.append(x)
                elif isinstance(x, tuple):
                    out.extend(y for y in x if isinstance(y, (A.Node, A.Param)))
        elif isinstance(v, tuple):
            out.extend(y for y in v if isinstance(y, (A.Node, A.Param)))
    return out


def write_tables(outdir: Path) -> None:
    """Generate `_parsetab.py` and `_lextab.py` in `outdir` (build time only)."""
    import sys
    outdir = Path(outdir)
    mod = sys.modules[__name__]
    # ply reads an importable table instead of writing a new one: remove the old ones.
    for stale in ("_parsetab", "_lextab"):
        (outdir / f"{stale}.py").unlink(missing_ok=True)
        sys.modules.pop(f"axiom.{stale}", None)
    yacc.yacc(module=mod, tabmodule="_parsetab", outputdir=str(outdir), write_tables=True,
              debug=False, errorlog=yacc.NullLogger())
    import ply.lex as lex
    lex.lex(module=L, optimize=True, lextab="_lextab", outputdir=str(outdir))


def signature() -> str:
    """The grammar's signature, to compare with the shipped tables' `_lr_signature`."""
    import sys
    pinfo = yacc.ParserReflect(sys.modules[__name__].__dict__, log=yacc.NullLogger())
    pinfo.get_all()
    return pinfo.signature()  # type: ignore[no-any-return]


if __name__ == "__main__":  # python -m axiom.parser: regenerate the tables in place
    write_tables(Path(__file__).parent)
    print("wrote", Path(__file__).parent / "_parsetab.py")

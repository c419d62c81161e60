"""The language server: `axiom lsp`, LSP over stdin/stdout, on pygls and lsprotocol.

Pipeline position: an editor's view of the stages. It answers from three places and
adds no knowledge of its own:
  * diagnostics: chk.check_source, the checker `axiom chk` runs (syntax errors and the
    E/W codes), when a document opens or is saved, and after edits once typing pauses
    for DEBOUNCE seconds;
  * formatting: fmt.format_source, the formatter `axiom fmt` runs, at the width the
    `fmt_line_width` setting gives (a document that does not parse is left as it is);
  * hover, go to definition, completion and document symbols: analysis.py, which the
    REPL and the Jupyter kernel share.

Positions: LSP counts columns in the client's units (UTF-16 by default); pygls's
TextDocument converts between them and the code points analysis.py and chk use.
"""

from __future__ import annotations

import asyncio
from typing import Any, Final

from lsprotocol import types as T
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from .. import __version__
from . import analysis

DEBOUNCE: Final = 0.3  # seconds without an edit before a changed document is checked

_COMPLETION_KINDS: Final = {
    analysis.FUNCTION: T.CompletionItemKind.Function, analysis.METHOD: T.CompletionItemKind.Method,
    analysis.CLASS: T.CompletionItemKind.Class, analysis.VARIABLE: T.CompletionItemKind.Variable,
    analysis.CONSTANT: T.CompletionItemKind.Constant, analysis.MODULE: T.CompletionItemKind.Module,
    analysis.KEYWORD: T.CompletionItemKind.Keyword, analysis.FIELD: T.CompletionItemKind.Field,
}
_SYMBOL_KINDS: Final = {"function": T.SymbolKind.Function, "class": T.SymbolKind.Class,
                        "method": T.SymbolKind.Method}


class AxiomServer(LanguageServer):
    """pygls's server with a parsed-document cache and pending checks per document."""

    def __init__(self) -> None:
        super().__init__("axiom-lsp", __version__)
        self._docs: dict[str, tuple[int | None, str, analysis.Document]] = {}
        self._pending: dict[str, asyncio.TimerHandle] = {}
        self._settings: dict[str, Any] | None = None

    @property
    def settings(self) -> dict[str, Any]:
        """Axiom's settings (config.toml, read once; defaults when it is broken)."""
        if self._settings is None:
            from .. import conf
            self._settings, _ = conf.load_lenient()
        return self._settings

    def analysed(self, uri: str) -> tuple[Any, analysis.Document]:
        """The pygls TextDocument of `uri` and its analysis (cached per version)."""
        doc = self.workspace.get_text_document(uri)
        cached = self._docs.get(uri)
        if cached is not None and cached[0] == doc.version and cached[1] == doc.source:
            return doc, cached[2]
        result = analysis.Document(doc.source, _filename(uri))
        self._docs[uri] = (doc.version, doc.source, result)
        return doc, result

    # -- diagnostics ------------------------------------------------------------------------
    def check(self, uri: str) -> None:
        """Publish chk's diagnostics for `uri` now."""
        self._pending.pop(uri, None)
        from .. import chk
        doc = self.workspace.get_text_document(uri)
        try:
            found = chk.check_source(doc.source, _filename(uri), self.settings)
        except Exception as e:  # a checker bug must not take the editor's server down
            self.window_log_message(T.LogMessageParams(
                T.MessageType.Error, f"axiom chk failed on {uri}: {type(e).__name__}: {e}"))
            return
        starts = _line_starts(doc.source)
        diagnostics = []
        for d in found:
            base = starts[d.line - 1] if d.line - 1 < len(starts) else len(doc.source)
            start, end = base + d.col - 1, base + d.end_col - 1
            message = d.message + (f"\nhelp: {d.help}" if d.help else "")
            diagnostics.append(T.Diagnostic(
                range=T.Range(doc.client_position_at_offset(start), doc.client_position_at_offset(end)),
                message=message, code=d.code, source="axiom chk",
                severity=T.DiagnosticSeverity.Error if d.severity == "error" else T.DiagnosticSeverity.Warning))
        self.text_document_publish_diagnostics(
            T.PublishDiagnosticsParams(uri=uri, version=doc.version, diagnostics=diagnostics))

    def check_later(self, uri: str) -> None:
        """Check `uri` once edits pause for DEBOUNCE seconds."""
        old = self._pending.pop(uri, None)
        if old is not None:
            old.cancel()
        loop = asyncio.get_running_loop()
        self._pending[uri] = loop.call_later(DEBOUNCE, self.check, uri)

    def forget(self, uri: str) -> None:
        old = self._pending.pop(uri, None)
        if old is not None:
            old.cancel()
        self._docs.pop(uri, None)
        self.text_document_publish_diagnostics(T.PublishDiagnosticsParams(uri=uri, diagnostics=[]))


def _filename(uri: str) -> str:
    """The file a document is (for chk's module search beside it), or the URI itself."""
    return to_fs_path(uri) or uri


def _line_starts(text: str) -> list[int]:
    """The offset where each line starts (chk counts lines at \\n, as the parser does)."""
    return [0, *(i + 1 for i, c in enumerate(text) if c == "\n")]


def _range(doc: Any, start: int, end: int) -> T.Range:
    return T.Range(doc.client_position_at_offset(start), doc.client_position_at_offset(end))


def make_server() -> AxiomServer:
    server = AxiomServer()

    @server.feature(T.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: AxiomServer, params: T.DidOpenTextDocumentParams) -> None:
        ls.check(params.text_document.uri)

    @server.feature(T.TEXT_DOCUMENT_DID_CHANGE)
    async def did_change(ls: AxiomServer, params: T.DidChangeTextDocumentParams) -> None:
        ls.check_later(params.text_document.uri)

    @server.feature(T.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: AxiomServer, params: T.DidSaveTextDocumentParams) -> None:
        ls.check(params.text_document.uri)

    @server.feature(T.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: AxiomServer, params: T.DidCloseTextDocumentParams) -> None:
        ls.forget(params.text_document.uri)

    @server.feature(T.TEXT_DOCUMENT_HOVER)
    def hover(ls: AxiomServer, params: T.HoverParams) -> T.Hover | None:
        doc, info = ls.analysed(params.text_document.uri)
        found = info.info_at(doc.offset_at_position(params.position))
        if found is None:
            return None
        value = f"```axiom\n{found.title}\n```"
        if found.doc:
            value += f"\n\n{found.doc}"
        return T.Hover(contents=T.MarkupContent(kind=T.MarkupKind.Markdown, value=value),
                       range=_range(doc, found.start, found.end))

    @server.feature(T.TEXT_DOCUMENT_DEFINITION)
    def definition(ls: AxiomServer, params: T.DefinitionParams) -> T.Location | None:
        uri = params.text_document.uri
        doc, info = ls.analysed(uri)
        offset = doc.offset_at_position(params.position)
        target = info.definition_at(offset)
        if target is not None:
            return T.Location(uri=uri, range=_range(doc, target.start, target.end))
        return _definition_in_module(ls, info, offset)

    @server.feature(T.TEXT_DOCUMENT_COMPLETION, T.CompletionOptions(trigger_characters=["."]))
    def completion(ls: AxiomServer, params: T.CompletionParams) -> T.CompletionList:
        doc, info = ls.analysed(params.text_document.uri)
        offset = doc.offset_at_position(params.position)
        start, items = info.completions(offset)
        edit_range = _range(doc, start, offset)
        out = [T.CompletionItem(
            label=i.label, kind=_COMPLETION_KINDS.get(i.kind), detail=i.detail or None,
            documentation=T.MarkupContent(kind=T.MarkupKind.Markdown, value=i.doc) if i.doc else None,
            text_edit=T.TextEdit(range=edit_range, new_text=i.label),
            sort_text=f"{_rank(i)}{i.label}") for i in items]
        return T.CompletionList(is_incomplete=False, items=out)

    @server.feature(T.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
    def document_symbol(ls: AxiomServer, params: T.DocumentSymbolParams) -> list[T.DocumentSymbol]:
        doc, info = ls.analysed(params.text_document.uri)

        def symbol(d: analysis.Definition) -> T.DocumentSymbol:
            return T.DocumentSymbol(
                name=d.name, kind=_SYMBOL_KINDS.get(d.kind, T.SymbolKind.Variable), detail=d.detail,
                range=_range(doc, d.node_start, d.node_end), selection_range=_range(doc, d.start, d.end),
                children=[symbol(c) for c in d.children] or None)
        return [symbol(d) for d in info.symbols]

    @server.feature(T.TEXT_DOCUMENT_FORMATTING)
    def formatting(ls: AxiomServer, params: T.DocumentFormattingParams) -> list[T.TextEdit] | None:
        from .. import fmt
        from ..ast import ParseError
        doc = ls.workspace.get_text_document(params.text_document.uri)
        text = doc.source
        try:
            formatted = fmt.format_source(text, int(ls.settings.get("fmt_line_width", 100)),
                                          _filename(params.text_document.uri))
        except ParseError:
            return None  # a document with a syntax error is left alone (its diagnostic says why)
        except fmt.FormatError as e:
            ls.window_log_message(T.LogMessageParams(T.MessageType.Error, f"axiom fmt: {e}"))
            return None
        if formatted == text:
            return []
        return [T.TextEdit(range=_range(doc, 0, len(text)), new_text=formatted)]

    return server


def _rank(item: analysis.Item) -> str:
    """Completions sort: names first, keywords last."""
    return "2" if item.kind == analysis.KEYWORD else "1"


def _definition_in_module(ls: AxiomServer, info: analysis.Document, offset: int) -> T.Location | None:
    """`lib.name` where `import lib` is a NAME.ax file: the definition in that file."""
    start, _, word, owner = analysis.word_at(info.text, offset)
    if not word or owner is None or owner not in info.imports:
        return None
    path = analysis.file_module(info.imports[owner], info.filename)
    if path is None:
        return None
    from pygls.uris import from_fs_path
    target_uri = from_fs_path(path) or path
    try:  # the editor's buffer when the file is open there, else the file on disk
        target = ls.workspace.get_text_document(target_uri)
        text = target.source
    except (OSError, UnicodeDecodeError):
        return None
    other = analysis.Document(text, path)
    for d in other.definitions:
        if d.name == word and d.container is None:
            return T.Location(uri=target_uri, range=_range(target, d.start, d.end))
    return None


def main() -> None:
    """`axiom lsp`: serve until the client says exit."""
    make_server().start_io()

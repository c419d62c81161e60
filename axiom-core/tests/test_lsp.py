"""The language server as an editor drives it: pygls's LanguageClient starts `axiom lsp` as
a real process and talks JSON-RPC over its stdin and stdout (initialize, open a document
with an error, receive the diagnostic, hover, complete, go to a definition, list symbols,
format, edit, shut down)."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest
from lsprotocol import types as T
from pygls.lsp.client import LanguageClient
from pygls.uris import from_fs_path

from axiom import fmt

SOURCE = """\
import mth
import lib
fn area(w, h) {
    w * h
}
class Shape {
    fn init(self, n) { self.n = n }
    fn sides(self) { self.n }
}
let total = area(2, 3) + lib.triple(1)
out totl
out mth.sqrt(total)
"""

MESSY = "fn  add( a,b ){a+b}\nlet xs=[1,2 ,3]\nout add(xs[0],xs[1])\n"


class Session:
    """A client talking to one `axiom lsp` process, collecting published diagnostics."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.client = LanguageClient("axiom-test", "1")
        self.diagnostics: asyncio.Queue[T.PublishDiagnosticsParams] = asyncio.Queue()

        @self.client.feature(T.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def published(params: T.PublishDiagnosticsParams) -> None:
            self.diagnostics.put_nowait(params)

    async def start(self) -> T.InitializeResult:
        env = dict(os.environ, AXIOM_HOME=str(self.folder / "home"))
        await self.client.start_io(sys.executable, "-m", "axiom.cli", "lsp", env=env,
                                   cwd=str(self.folder))
        result = await self.client.initialize_async(T.InitializeParams(
            capabilities=T.ClientCapabilities(), root_uri=from_fs_path(str(self.folder))))
        self.client.initialized(T.InitializedParams())
        return result

    async def next_diagnostics(self, uri: str, timeout: float = 30) -> T.PublishDiagnosticsParams:
        while True:
            params = await asyncio.wait_for(self.diagnostics.get(), timeout)
            if params.uri == uri:
                return params

    async def stop(self) -> None:
        await self.client.shutdown_async(None)
        self.client.exit(None)
        await self.client.stop()


def _at(text: str, needle: str, delta: int = 0) -> T.Position:
    """The LSP position of `needle`'s first character (plus delta) in `text`."""
    i = text.index(needle) + delta
    line = text.count("\n", 0, i)
    return T.Position(line, i - (text.rfind("\n", 0, i) + 1))


def test_a_real_lsp_exchange(tmp_path):
    # 🙂 is two UTF-16 units: LSP's columns (UTF-16 by default) are not code points
    (tmp_path / "lib.ax").write_text('// a helper module\nlet mark = "🙂"; fn triple(x) { x * 3 }\n')
    path = tmp_path / "main.ax"
    path.write_text(SOURCE)
    uri = from_fs_path(str(path))
    messy_uri = from_fs_path(str(tmp_path / "messy.ax"))

    async def exchange() -> None:
        s = Session(tmp_path)
        init = await s.start()
        caps = init.capabilities
        assert caps.hover_provider and caps.definition_provider and caps.document_symbol_provider
        assert caps.document_formatting_provider
        assert list(caps.completion_provider.trigger_characters) == ["."]
        assert init.server_info.name == "axiom-lsp"
        doc = T.TextDocumentItem(uri=uri, language_id="axiom", version=1, text=SOURCE)
        s.client.text_document_did_open(T.DidOpenTextDocumentParams(text_document=doc))

        # the diagnostic axiom chk gives, where it gives it
        published = await s.next_diagnostics(uri)
        assert published.version == 1
        assert [(d.code, d.message, d.severity, d.source) for d in published.diagnostics] == [
            ("E002", "undefined name 'totl'\nhelp: did you mean 'total'?", T.DiagnosticSeverity.Error,
             "axiom chk")]
        assert published.diagnostics[0].range == T.Range(T.Position(10, 4), T.Position(10, 8))

        # hover: a module export's signature and doc; a script name's definition line
        hover = await s.client.text_document_hover_async(T.HoverParams(
            text_document=T.TextDocumentIdentifier(uri=uri), position=_at(SOURCE, "sqrt", 1)))
        assert hover.contents.value == ("```axiom\nmth.sqrt(x: float) -> float\n```\n\n"
                                        "Square root of x; x must not be negative.")
        hover = await s.client.text_document_hover_async(T.HoverParams(
            text_document=T.TextDocumentIdentifier(uri=uri), position=_at(SOURCE, "area(2", 2)))
        assert hover.contents.value == "```axiom\nfn area(w, h)\n```\n\ndefined at line 3"
        assert hover.range == T.Range(T.Position(9, 12), T.Position(9, 16))
        hover = await s.client.text_document_hover_async(T.HoverParams(
            text_document=T.TextDocumentIdentifier(uri=uri), position=_at(SOURCE, "mth", 0)))
        assert hover.contents.value.startswith("```axiom\nmodule mth\n```\n\nMath:")

        # go to definition: a script's function, and a function of an imported NAME.ax file
        loc = await s.client.text_document_definition_async(T.DefinitionParams(
            text_document=T.TextDocumentIdentifier(uri=uri), position=_at(SOURCE, "area(2", 1)))
        assert (loc.uri, loc.range) == (uri, T.Range(T.Position(2, 3), T.Position(2, 7)))
        loc = await s.client.text_document_definition_async(T.DefinitionParams(
            text_document=T.TextDocumentIdentifier(uri=uri), position=_at(SOURCE, "triple", 2)))
        assert (loc.uri, loc.range) == (from_fs_path(str(tmp_path / "lib.ax")),
                                        T.Range(T.Position(1, 20), T.Position(1, 26)))

        # document symbols: functions and classes, methods inside
        symbols = await s.client.text_document_document_symbol_async(T.DocumentSymbolParams(
            text_document=T.TextDocumentIdentifier(uri=uri)))
        assert [(x.name, x.kind) for x in symbols] == [("area", T.SymbolKind.Function),
                                                      ("Shape", T.SymbolKind.Class)]
        assert [(c.name, c.kind) for c in symbols[1].children] == [
            ("init", T.SymbolKind.Method), ("sides", T.SymbolKind.Method)]
        assert symbols[0].selection_range == T.Range(T.Position(2, 3), T.Position(2, 7))

        # an edit while typing `mth.sq` (a half-typed line does not parse)
        typed = SOURCE.replace("out totl\n", "out total\nout mth.sq\n")
        s.client.text_document_did_change(T.DidChangeTextDocumentParams(
            text_document=T.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[T.TextDocumentContentChangeWholeDocument(text=typed)]))
        pos = _at(typed, "mth.sq", 6)
        done = await s.client.text_document_completion_async(T.CompletionParams(
            text_document=T.TextDocumentIdentifier(uri=uri), position=pos))
        items = {i.label: i for i in done.items}
        assert set(items) == {"sqrt"}
        assert items["sqrt"].detail == "mth.sqrt(x: float) -> float"
        assert items["sqrt"].kind == T.CompletionItemKind.Function
        assert items["sqrt"].text_edit.range == T.Range(T.Position(pos.line, 8), pos)
        # a NAME.ax module's exports
        typed_lib = typed.replace("out mth.sq\n", "out lib.\n")
        s.client.text_document_did_change(T.DidChangeTextDocumentParams(
            text_document=T.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[T.TextDocumentContentChangeWholeDocument(text=typed_lib)]))
        done = await s.client.text_document_completion_async(T.CompletionParams(
            text_document=T.TextDocumentIdentifier(uri=uri), position=_at(typed_lib, "lib.\n", 4)))
        assert {i.label for i in done.items} == {"mark", "triple"}
        assert [i.detail for i in done.items if i.label == "triple"] == ["fn triple(x)"]
        # names in scope, built-ins and keywords
        typed2 = typed.replace("out mth.sq\n", "out ar\n")
        s.client.text_document_did_change(T.DidChangeTextDocumentParams(
            text_document=T.VersionedTextDocumentIdentifier(uri=uri, version=3),
            content_changes=[T.TextDocumentContentChangeWholeDocument(text=typed2)]))
        done = await s.client.text_document_completion_async(T.CompletionParams(
            text_document=T.TextDocumentIdentifier(uri=uri), position=_at(typed2, "out ar\n", 6)))
        assert {i.label for i in done.items} == {"area"}
        assert done.items[0].detail == "fn area(w, h)"
        at_start = T.Position(_at(typed2, "out ar\n").line, 0)
        done = await s.client.text_document_completion_async(T.CompletionParams(
            text_document=T.TextDocumentIdentifier(uri=uri), position=at_start))
        labels = {i.label for i in done.items}
        assert {"area", "total", "Shape", "mth", "lib", "len", "while", "fn"} <= labels

        # edits are checked once typing pauses: the versions typed quickly get one report
        for version, text in ((4, SOURCE), (5, SOURCE.replace("out totl", "out total")),
                              (6, SOURCE.replace("out totl", "out nope"))):
            s.client.text_document_did_change(T.DidChangeTextDocumentParams(
                text_document=T.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=[T.TextDocumentContentChangeWholeDocument(text=text)]))
        published = await s.next_diagnostics(uri)
        while published.version != 6:  # a report for version 2 or 3 may still be on its way
            assert published.version in (2, 3)
            published = await s.next_diagnostics(uri)
        assert [d.message for d in published.diagnostics] == ["undefined name 'nope'"]
        with pytest.raises(asyncio.TimeoutError):  # and no report for versions 4 and 5
            await s.next_diagnostics(uri, timeout=1.0)

        # formatting: axiom fmt's output as one edit; a clean file gives none
        s.client.text_document_did_open(T.DidOpenTextDocumentParams(text_document=T.TextDocumentItem(
            uri=messy_uri, language_id="axiom", version=1, text=MESSY)))
        assert list((await s.next_diagnostics(messy_uri)).diagnostics) == []
        edits = await s.client.text_document_formatting_async(T.DocumentFormattingParams(
            text_document=T.TextDocumentIdentifier(uri=messy_uri),
            options=T.FormattingOptions(tab_size=4, insert_spaces=True)))
        assert len(edits) == 1
        assert edits[0].range == T.Range(T.Position(0, 0), T.Position(3, 0))
        assert edits[0].new_text == fmt.format_source(MESSY) == \
            "fn add(a, b) { a + b }\nlet xs = [1, 2, 3]\nout add(xs[0], xs[1])\n"
        s.client.text_document_did_change(T.DidChangeTextDocumentParams(
            text_document=T.VersionedTextDocumentIdentifier(uri=messy_uri, version=2),
            content_changes=[T.TextDocumentContentChangeWholeDocument(text=edits[0].new_text)]))
        again = await s.client.text_document_formatting_async(T.DocumentFormattingParams(
            text_document=T.TextDocumentIdentifier(uri=messy_uri),
            options=T.FormattingOptions(tab_size=4, insert_spaces=True)))
        assert list(again) == []
        # a document that does not parse is left alone
        s.client.text_document_did_change(T.DidChangeTextDocumentParams(
            text_document=T.VersionedTextDocumentIdentifier(uri=messy_uri, version=3),
            content_changes=[T.TextDocumentContentChangeWholeDocument(text="let x = (1 +\n")]))
        broken = await s.client.text_document_formatting_async(T.DocumentFormattingParams(
            text_document=T.TextDocumentIdentifier(uri=messy_uri),
            options=T.FormattingOptions(tab_size=4, insert_spaces=True)))
        assert broken is None

        # closing a document clears its diagnostics
        s.client.text_document_did_close(T.DidCloseTextDocumentParams(
            text_document=T.TextDocumentIdentifier(uri=uri)))
        cleared = await s.next_diagnostics(uri)
        assert list(cleared.diagnostics) == []
        await s.stop()

    asyncio.run(asyncio.wait_for(exchange(), 120))


def test_lsp_help_and_missing_pygls_message(tmp_path):
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests"))
    from support.dists import run_axiom
    p = run_axiom(["lsp", "--help"], home=tmp_path)
    assert p.returncode == 0 and "Usage: axiom lsp [OPTIONS]" in p.stdout
    # an environment without pygls: a clear message, no traceback
    blocker = tmp_path / "site"
    (blocker / "pygls").mkdir(parents=True)
    (blocker / "pygls" / "__init__.py").write_text("raise ImportError('no pygls here', name='pygls')\n")
    p = run_axiom(["lsp"], home=tmp_path, env={"PYTHONPATH": str(blocker)})
    assert (p.returncode, p.stdout) == (1, "")
    assert p.stderr == ("axiom: the language server needs pygls (pygls is not installed): "
                        "pip install 'axiom-core[lsp]'\n")

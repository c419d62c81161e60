"""Editor support: the language server (`axiom lsp`, server.py, on pygls) and the
knowledge it shares with the REPL and the Jupyter kernel (analysis.py: names,
definitions, completions, hovers). pygls is imported by server.py only."""

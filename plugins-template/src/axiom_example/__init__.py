"""Axiom module `example`: greetings and word counts.

Start here when you write your own module: one `Module`, a few exported functions with
type hints (they become argument checks) and docstrings (their first line is what
`axiom mod info example` shows).
"""

from __future__ import annotations

from axiom_sdk import Module

module = Module("example", summary="Greetings and word counts", title="Example")

module.constant("GREETING", "Hello", "The word greet() starts with.")


@module.export
def greet(name: str, punctuation: str = "!") -> str:
    """A greeting for name."""
    if not name:
        raise module.error("ValueError", "example.greet: name must not be empty")
    return f"Hello, {name}{punctuation}"


@module.export
def word_count(text: str) -> dict:
    """How often each word occurs in text, in order of first appearance."""
    counts: dict[str, int] = {}
    for word in text.split():
        counts[word] = counts.get(word, 0) + 1
    return counts


@module.export(needs=["fs.read:path"])
def count_lines(path: str) -> int:
    """The number of lines in a text file (needs the fs.read capability)."""
    with open(path, encoding="utf-8") as f:
        return sum(1 for _ in f)

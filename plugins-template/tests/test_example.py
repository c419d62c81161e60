"""Tests for the `example` module, through the SDK (no Axiom runtime needed)."""

from axiom_sdk.testing import call, raises

from axiom_example import module


def test_greet_uses_the_default_punctuation():
    assert call(module, "greet", "Ada") == "Hello, Ada!"


def test_greet_rejects_an_empty_name():
    err = raises(module, "greet", "")
    assert (err.kind, err.message) == ("ValueError", "example.greet: name must not be empty")


def test_argument_types_are_checked_from_the_hints():
    err = raises(module, "greet", 42)
    assert err.message == "example.greet: argument 'name' expects str, got int"


def test_word_count_keeps_first_appearance_order():
    assert call(module, "word_count", "b a b") == {"b": 2, "a": 1}


def test_count_lines_reads_a_real_file(tmp_path):
    p = tmp_path / "three.txt"
    p.write_text("a\nb\nc\n")
    assert call(module, "count_lines", str(p)) == 3

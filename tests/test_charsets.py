"""Tests for analysis.charsets: the shared regex bodies."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.charsets import trie_body


def _longest_first(strings: list[str]) -> str:
    """The plain alternation a trie replaces: every string in full, longest first."""
    unique = sorted(set(strings), key=lambda s: (-len(s), s))
    return "|".join(map(re.escape, unique)) if unique else "(?!)"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("امن", "امن"),
        ("امنيه", "امني"),  # the longer string wins
        ("امير", None),  # starts like a string, is none
        ("a.b", "a.b"),  # characters are literal
        ("axb", None),
    ],
)
def test_trie_body_matches_the_longest_string(text, expected):
    match = re.compile(trie_body(["امن", "امني", "ارهاب", "a.b"])).match(text)
    assert (match and match.group()) == expected


def test_trie_body_of_no_string_matches_nothing():
    assert re.compile(trie_body([])).search("any text") is None


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.text(st.sampled_from("ابت.*("), max_size=5), max_size=8),
    st.text(st.sampled_from("ابت.*(x"), max_size=12),
)
def test_trie_body_matches_what_the_longest_first_alternation_matched(strings, text):
    trie, plain = (
        re.compile(f"(?:{trie_body(strings)})"),
        re.compile(f"(?:{_longest_first(strings)})"),
    )
    for method in ("search", "match", "fullmatch"):
        found, reference = getattr(trie, method)(text), getattr(plain, method)(text)
        assert (found and found.span()) == (reference and reference.span()), method

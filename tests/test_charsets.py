"""Tests for analysis.charsets: the shared regex bodies."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.charsets import any_run_of, class_body, trie_body


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


# --- any_run_of --------------------------------------------------------------------------

MARK_RANGES = ((0x0640, 0x0640), (0x064B, 0x0652), (0x0670, 0x0670))


def test_any_run_of_splits_three_ranges_into_classes_of_two_at_most():
    assert (
        any_run_of(MARK_RANGES)
        == "[\\u0640\\u064b-\\u0652]*(?:[\\u0670][\\u0640\\u064b-\\u0652]*)*"
    )
    assert any_run_of(MARK_RANGES[:2]) == "[\\u0640\\u064b-\\u0652]*"


RANGE_SETS = [
    MARK_RANGES[:1],
    MARK_RANGES[:2],
    MARK_RANGES,
    (*MARK_RANGES, (0x06D6, 0x06DC)),
    (*MARK_RANGES, (0x06D6, 0x06DC), (0x06DF, 0x06E4)),
]
# Characters of every range, one just outside each, and a letter.
RUN_CHARACTERS = (
    "\u0640\u064b\u064e\u0652\u0670\u06d6\u06dc\u06df\u06e4\u063f\u0653\u066f\u06dd\u0628"
)


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(RANGE_SETS), st.text(alphabet=RUN_CHARACTERS, max_size=12))
def test_any_run_of_matches_what_the_one_class_star_matches(ranges, text):
    """The same runs, longest first: alone, before a character it must give back, and
    before the rest of the text."""
    split, whole = any_run_of(ranges), f"[{class_body(ranges)}]*"
    for shape in ("({})", "({})(\u0670)", "({})(\u064e\u0628)", "({})(.*)"):
        got = re.match(shape.format(split), text, re.S)
        want = re.match(shape.format(whole), text, re.S)
        assert (got and got.groups()) == (want and want.groups()), shape

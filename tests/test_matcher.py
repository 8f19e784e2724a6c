"""The matcher's indexed context check and exclusions equal the simple quadratic reference.

`analysis.themes.matcher._resolve` finds the cues near a term through an index by rule,
sentence and position, and the tokens under exclusions through one set. The reference below
is the former code, which compared every term with every cue of the document: both must keep
exactly the same matches, in the same order, for any matches (cues of several rules and
lengths, `also` and `unless` lists, exclusions, sentence boundaries) and for any text.
Speed is shown by `benchmarks/bench_matching.py`, never by a timed test.
"""

from __future__ import annotations

from collections.abc import Sequence
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.themes import analyse_text, matcher, parse_lexicon
from analysis.themes.lexicon import (
    ALSO,
    CUE,
    EXCLUDE,
    PHRASE,
    TERM,
    UNLESS,
    WORD,
    ContextRule,
    Pattern,
)
from analysis.themes.matcher import _Found

# --- the reference: every term against every cue ------------------------------------------


def reference_resolve(found: list[_Found], rules: Sequence[ContextRule]) -> list[_Found]:
    cues = [f for f in found if f.pattern.role == CUE]
    also = [f for f in found if f.pattern.role == ALSO]
    unless = [f for f in found if f.pattern.role == UNLESS]
    excluded = [f for f in found if f.pattern.role == EXCLUDE]

    def has_cue(term: _Found, cues: list[_Found], window: int) -> bool:
        return any(
            c.pattern.rule == term.pattern.rule
            and c.sentence == term.sentence
            and not overlap(c, term)
            and c.first <= term.last + window
            and c.last >= term.first - window
            for c in cues
        )

    def in_context(term: _Found) -> bool:
        rule = rules[term.pattern.rule]
        if not has_cue(term, cues, rule.window):
            return False
        if rule.needs_also and not has_cue(term, also, rule.window):
            return False
        return not has_cue(term, unless, rule.window)

    candidates = [
        f
        for f in found
        if f.pattern.role in (WORD, PHRASE) or (f.pattern.role == TERM and in_context(f))
    ]
    candidates = [f for f in candidates if not any(overlap(f, x) for x in excluded)]
    candidates.sort(key=lambda f: (f.first - f.last, f.first, -len(f.pattern.entry)))
    kept: list[_Found] = []
    taken: set[int] = set()
    for f in candidates:
        span = range(f.first, f.last + 1)
        if not taken.intersection(span):
            kept.append(f)
            taken.update(span)
    return kept


def overlap(a: _Found, b: _Found) -> bool:
    return a.first <= b.last and b.first <= a.last


# --- generated matches ----------------------------------------------------------------------


@st.composite
def matches(draw: st.DrawFn) -> tuple[list[_Found], list[ContextRule]]:
    """Raw matches of one theme as `_find` gives them: token spans, sentences, rules."""
    rules = [
        ContextRule("t", draw(st.integers(1, 6)), 0, needs_also=draw(st.booleans()))
        for _ in range(draw(st.integers(1, 3)))
    ]
    roles = [WORD, PHRASE, EXCLUDE, TERM, CUE, ALSO, UNLESS]
    patterns = []
    for index in range(draw(st.integers(1, 12))):
        role = draw(st.sampled_from(roles))
        length = 1 if role == WORD else draw(st.integers(2 if role == PHRASE else 1, 4))
        rule = draw(st.integers(0, len(rules) - 1)) if role in (TERM, CUE, ALSO, UNLESS) else -1
        keys = tuple(f"k{index}_{i}" for i in range(length))
        patterns.append(Pattern("t", f"e{index}" * (index % 3 + 1), role, keys, False, 0, rule))
    n_tokens = draw(st.integers(1, 80))
    cuts = sorted(draw(st.sets(st.integers(1, max(1, n_tokens - 1)), max_size=8)))
    sentence_of = [sum(1 for c in cuts if c <= i) for i in range(n_tokens)]
    found = []
    for _ in range(draw(st.integers(0, 60))):
        pattern = draw(st.sampled_from(patterns))
        first = draw(st.integers(0, n_tokens - 1))
        last = first + len(pattern.keys) - 1
        if last < n_tokens and sentence_of[first] == sentence_of[last]:
            found.append(_Found(pattern, first, last, sentence_of[first]))
    # `_find` gives matches by the end of their match in the text, nearly in order; any order
    # must do, so they are shuffled here.
    return draw(st.permutations(found)), rules


@settings(max_examples=400, deadline=None)
@given(matches())
def test_indexed_context_check_equals_the_reference(case) -> None:
    found, rules = case
    assert matcher._resolve(list(found), rules) == reference_resolve(list(found), rules)


# --- generated texts ------------------------------------------------------------------------

PROPERTY_LEXICON = """
version: "property-1"
themes:
  - id: one
    name_ar: واحد
    name_en: One
    description: words, phrases, exclusions, forms and three context rules
    words: [gamma]
    phrases: [delta gamma]
    exclude: [gamma zeta, veto term]
    exclude_forms: [آمن]
    context:
      - terms: [term, أمن, term two]
        cues: [cue, cue pair, hint*]
        unless: [veto]
        window: 2
      - terms: [term, two]
        cues: [cue]
        also: [also, hint*]
        window: 3
      - terms: [zeta]
        cues: [delta gamma]
        window: 1
  - id: two
    name_ar: اثنان
    name_en: Two
    description: the first theme's cues as terms
    context:
      - terms: [cue, pair]
        cues: [term, أمن]
        unless: [two, gamma zeta]
        window: 4
"""

VOCABULARY = [
    "term",
    "two",
    "أمن",
    "الأمن",
    "آمن",
    "cue",
    "pair",
    "hint",
    "hints",
    "veto",
    "also",
    "gamma",
    "delta",
    "zeta",
    "filler",
    "x",
    ".",
    "؟",
    "\n",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(VOCABULARY), max_size=120))
def test_analyse_text_equals_the_reference_on_generated_texts(words: list[str]) -> None:
    lexicon = parse_lexicon(PROPERTY_LEXICON)
    text = " ".join(words)
    indexed = analyse_text(text, lexicon)
    with mock.patch.object(matcher, "_resolve", reference_resolve):
        reference = analyse_text(text, lexicon)
    assert indexed == reference


def test_the_property_lexicon_exercises_every_rule() -> None:
    """The generated texts can reach every role: each example below gets its hit."""
    lexicon = parse_lexicon(PROPERTY_LEXICON)

    def entries(text: str) -> list[tuple[str, str]]:
        return [(h.theme, h.entry) for h in analyse_text(text, lexicon).hits]

    assert entries("term x cue") == [("one", "term"), ("two", "cue")]
    assert entries("term cue veto") == [("two", "cue")]  # unless cancels rule 0's term
    assert entries("two x cue also") == [("one", "two")]  # rule 1: cue and also near
    assert entries("two x cue") == []  # rule 1 without its `also` cue
    assert entries("term . cue") == []  # a sentence end between term and cue
    # an excluded spelling of theme one, though it stems like أمن; theme two takes it as a cue
    assert entries("آمن cue") == [("two", "cue")]
    assert entries("أمن hints") == [("one", "أمن")]
    assert entries("zeta delta gamma") == [("one", "zeta"), ("one", "delta gamma")]
    assert entries("delta gamma zeta") == []  # both overlap the exclusion gamma zeta


# --- the tables, built as results arrive -----------------------------------------------------


def _tables_at_once(doc_ids, results):
    """The tables built from every row at once (what `AnalysisRows` must equal)."""
    import pandas as pd

    hits = [
        (d, h.sentence, h.theme, h.entry, h.text, h.start, h.end)
        for d, r in zip(doc_ids, results, strict=True)
        for h in r.hits
    ]
    tokens = [(d, r.n_tokens, r.n_sentences) for d, r in zip(doc_ids, results, strict=True)]
    return (
        pd.DataFrame(hits, columns=matcher.HIT_COLUMNS).astype(
            {"doc_id": "str", "sentence": "int64", "start": "int64", "end": "int64"}
        ),
        pd.DataFrame(tokens, columns=matcher.DOC_TOKEN_COLUMNS).astype(
            {"doc_id": "str", "n_tokens": "int64", "n_sentences": "int64"}
        ),
    )


HIT = matcher.Hit(0, "security", "أمن", 0, 4, "الأمن")
NO_HITS = matcher.DocAnalysis(3, 1, ())
TWO_HITS = matcher.DocAnalysis(5, 2, (HIT, HIT._replace(sentence=1, start=10, end=14)))


@pytest.mark.parametrize(
    ("results", "leaving_out"),
    [
        ([], set()),  # no documents
        ([NO_HITS] * 5, set()),  # no hits at all
        ([TWO_HITS, NO_HITS, NO_HITS, NO_HITS, TWO_HITS], set()),  # a chunk without hits
        ([TWO_HITS, NO_HITS, TWO_HITS, NO_HITS], set()),  # a last chunk without hits
        ([TWO_HITS, NO_HITS, TWO_HITS, TWO_HITS, NO_HITS], {"d2", "d3"}),
        ([TWO_HITS, NO_HITS, TWO_HITS], {"d0", "d2"}),  # every hit left out
        ([TWO_HITS, TWO_HITS], {"d0", "d1"}),  # every document left out
    ],
)
def test_analysis_rows_equal_the_tables_built_at_once(monkeypatch, results, leaving_out):
    """In chunks of two documents: the same tables, dtypes included, as from every row at
    once of the documents not left out, whatever the chunks hold."""
    import pandas as pd

    monkeypatch.setattr(matcher.AnalysisRows, "CHUNK", 2)
    doc_ids = [f"d{i}" for i in range(len(results))]
    kept = [(d, r) for d, r in zip(doc_ids, results, strict=True) if d not in leaving_out]
    hits, tokens = _tables_at_once([d for d, _ in kept], [r for _, r in kept])
    for add in (_add_one_by_one, _add_as_columns):
        rows = matcher.AnalysisRows()
        add(rows, doc_ids, results)
        got = rows.analysis(parse_lexicon(PROPERTY_LEXICON), leaving_out=leaving_out)
        pd.testing.assert_frame_equal(got.hits, hits)
        pd.testing.assert_frame_equal(got.doc_tokens, tokens)


def _add_one_by_one(rows, doc_ids, results) -> None:
    for doc_id, result in zip(doc_ids, results, strict=True):
        rows.add(doc_id, result)


def _add_as_columns(rows, doc_ids, results) -> None:
    """In batches of three documents (a pipeline's shards), hits numbered in the batch."""
    for start in range(0, len(results), 3):
        batch = results[start : start + 3]
        rows.add_columns(
            doc_ids[start : start + 3],
            [r.n_tokens for r in batch],
            [r.n_sentences for r in batch],
            matcher.hit_columns(batch),
        )

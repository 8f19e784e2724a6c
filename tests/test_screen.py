"""`corpus.screen`: the lines cleaning's rules could take, found as columns, and
`clean.clean_texts`, which asks only those: the same cleaning as `clean_text`."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_corpus import BODY, BODY_2, FAMILY_CASES, KEPT_LINES

from analysis import config
from analysis.columns import _every_code_point, polars, python_class
from analysis.corpus import boilerplate, clean_text, hygiene, iter_documents
from analysis.corpus.boilerplate import LONG_LINE_WORDS, MAX_CHROME_CHARS, line_rule
from analysis.corpus.clean import clean_texts
from analysis.corpus.dates import MAX_DATELINE_WORDS, dateline
from analysis.corpus.screen import line_candidates, patterns


def taken_lines(text: str) -> list[int]:
    """The lines of a hygienic text that `clean_text`'s walk asks and finds a rule or a
    dateline for (the walk's own test of each line, without its block and repeat logic)."""
    taken = []
    for i, line in enumerate(text.split("\n")):
        stripped = line.strip()
        if not stripped:
            continue
        n = stripped.count(" ") + 1 if len(stripped) < MAX_CHROME_CHARS else LONG_LINE_WORDS
        if line_rule(stripped, n) or (n <= MAX_DATELINE_WORDS and dateline(stripped)):
            taken.append(i)
    return taken


def assert_screen_sound(raws: list[str]) -> None:
    """Every line a rule or the dateline test takes is a candidate (or the text is walked
    whole), and `clean_texts` cleans as `clean_text` does."""
    texts = [hygiene(raw) for raw in raws]
    for text, candidates in zip(texts, line_candidates(texts), strict=True):
        if candidates is not None:
            assert set(taken_lines(text)) <= set(candidates), text
            assert candidates == sorted(set(candidates))
    assert clean_texts(raws) == [clean_text(raw) for raw in raws]


# --------------------------------------------------------------------------- the classes


def test_the_blanks_are_what_python_strips_and_splits_at():
    """`str.strip()` and `str.split()` share one set of blanks, which is Python's `\\s`:
    the screen strips lines and single-spaces them with it."""
    every = _every_code_point()
    stripped = {c for c in every if not c.strip()}
    split = {c for c in every if len(f"a{c}b".split()) == 2}
    assert stripped == split == set(patterns().blanks)
    assert set(patterns().blanks) == {c for c in every if re.fullmatch(r"\s", c)}


@pytest.mark.parametrize(("rust", "python"), [("digit", r"\d"), ("odd_blank", r"[^\S ]")])
def test_rust_classes_match_what_python_matches(rust, python):
    """Each class the screen writes for Rust holds exactly the characters Python's class
    does, read over every code point."""
    pl = polars()
    every = pl.Series(list(_every_code_point()))
    found = every.filter(every.str.contains(f"^(?:{getattr(patterns(), rust)})$"))
    assert set(found.to_list()) == {c for c in _every_code_point() if re.fullmatch(python, c)}


def test_any_character_before_a_phrase_is_read_as_python_reads_it():
    """The phrase rules skip leading `[\\W\\d_]` (case-insensitively): before a phrase,
    every code point lets the Rust screen match exactly where Python's rule regex does."""
    pl = polars()
    lines = [c + "\u0627\u0642\u0631\u0623 \u0623\u064a\u0636\u0627" for c in _every_code_point()]
    rule = boilerplate.line_rules_regex().match
    series = pl.Series(lines)
    assert series.str.contains(patterns().phrase_rules).to_list() == [
        rule(line) is not None for line in lines
    ]


def test_case_insensitive_letters_include_pythons_extra_cases():
    """Python's IGNORECASE matches `ſ` for s, `K` (Kelvin) for k and `İ`/`ı` for i: the
    Rust classes do too, or a line like "ſhare on Twitter" would be passed over."""
    pl = polars()
    lines = pl.Series(["ſhare on facebook", "Copyr\u0130ght 2024", "نص"])
    hits = pl.select(pl.any_horizontal(lines.str.contains(p) for p in patterns().first_pass))
    assert hits.to_series().to_list() == [True, True, False]
    assert line_candidates(list(lines)) == [[0], [0], []]
    assert python_class(r"(?i)[a-z]+") == (
        (0x41, 0x5A),
        (0x61, 0x7A),
        (0x130, 0x131),
        (0x17F, 0x17F),
        (0x212A, 0x212A),
    )


@pytest.mark.parametrize("emptied", ["FOLLOW_VERBS", "SOCIAL", "COPYRIGHT", "SHARE_BAR_WORDS"])
def test_a_phrase_list_left_empty_still_gives_valid_rust_regexes(monkeypatch, emptied):
    """An empty list in boilerplate.yaml makes Python's pattern `(?!)`, which Rust cannot
    parse: the screen leaves that condition out, and its regexes still compile."""
    monkeypatch.setattr(boilerplate, emptied, ())
    built = patterns.__wrapped__()
    regexes = [*built.first_pass, built.phrase_rules, built.short_rules, built.link]
    lines = polars().Series([BODY, "Follow us on Twitter", "\u00a9 2024"])
    assert all(lines.str.contains(regex).len() == 3 for regex in regexes)  # parsed by Rust


# --------------------------------------------------------------------------- candidates


@pytest.mark.parametrize(("rule", "line"), FAMILY_CASES)
def test_every_rule_family_example_is_a_candidate(rule, line):
    raw = f"{BODY}\n\n{line}\n\n{BODY_2}"
    assert line_candidates([hygiene(raw)]) == [[2]]
    assert_screen_sound([raw])


@pytest.mark.parametrize("line", KEPT_LINES)
def test_lines_that_resemble_chrome_are_cleaned_alike(line):
    assert_screen_sound([f"{BODY}\n\n{line}\n\n{BODY_2}"])


def test_plain_text_has_no_candidate_and_keeps_its_labels_and_title():
    """A text no rule touches is walked no further, but its category label still goes and
    its title is still read."""
    raw = f"سياسة\nالمغرب يعزز التعاون الأمني مع دول الساحل\n{BODY}\n{BODY_2}"
    assert line_candidates([hygiene(raw)]) == [[]]
    cleaned = clean_texts([raw])[0]
    assert cleaned == clean_text(raw)
    assert [r.rule for r in cleaned.removed] == ["category_label"]
    assert cleaned.title == "المغرب يعزز التعاون الأمني مع دول الساحل"


def test_a_dateline_gives_its_date_and_the_title_above():
    raw = f"عنوان الخبر عن الأمن في المغرب\nنشر في هسبريس يوم 17 - 12 - 2020\n{BODY}"
    assert line_candidates([hygiene(raw)]) == [[1]]
    cleaned = clean_texts([raw])[0]
    assert cleaned == clean_text(raw)
    assert (cleaned.source, cleaned.date.year) == ("هسبريس", 2020)


@pytest.mark.parametrize(("source", "candidates"), [("", [1]), (" الجديد", [])])
def test_a_dateline_is_a_line_of_fourteen_words_at_most(source, candidates):
    """Cleaning asks only lines of `MAX_DATELINE_WORDS` words whether they are datelines:
    the fourteenth word may hold the digit, a fifteenth makes the line body text."""
    line = f"نشر في موقع أخبار المغرب{source} اليوم بتاريخ 17 - 12 - 2020 - 10:30"
    assert len(line.split()) == MAX_DATELINE_WORDS + len(source.split())
    raw = f"عنوان الخبر عن الأمن في المغرب\n{line}\n{BODY}"
    assert line_candidates([hygiene(raw)]) == [candidates]
    assert_screen_sound([raw])
    assert [r.rule for r in clean_texts([raw])[0].removed] == ["dateline"] * len(candidates)


def test_a_related_block_is_followed_past_its_heading():
    """The headline-like lines under "اقرأ أيضا" are no candidates, yet they go with it."""
    raw = "\n".join([BODY, "اقرأ أيضا", "المغرب يفكك خلية في طنجة", "خلية أخرى في فاس", BODY_2])
    candidates = line_candidates([hygiene(raw)])[0]
    assert candidates == [1]
    cleaned = clean_texts([raw])[0]
    assert cleaned == clean_text(raw)
    assert [r.rule for r in cleaned.removed] == ["related_links"] * 3


@pytest.mark.parametrize(
    "twin",
    [
        BODY,
        BODY.replace(" ", "  ", 1),
        BODY.replace(" ", "\u00a0", 1),
        BODY.replace(" ", "\u2009", 2),  # a thin space
        BODY.replace(" ", "\t \u3000", 1),
        "  " + BODY + "\u2007",
    ],
)
def test_a_text_where_a_line_could_repeat_another_is_walked_whole(twin):
    """Lines that read the same single-spaced repeat, whatever blanks they hold."""
    raw = f"{BODY}\n{BODY_2}\n{twin}"
    assert line_candidates([hygiene(raw)]) == [None]
    cleaned = clean_texts([raw])[0]
    assert cleaned == clean_text(raw)
    assert [r.rule for r in cleaned.removed] == ["repeated_paragraph"]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "سياسة",
                "أخبار المغرب",
                "",
                " ",
                "\t",
                "المغرب يعزز التعاون الأمني مع دول الساحل",
                "عنوان قصير",
                "نص.",
                BODY,
                "* ما هي الفوائد؟",
                "1",
                "x y",
            ]
        ),
        max_size=8,
    )
)
def test_a_text_with_no_line_to_ask_is_read_only_as_far_as_its_labels(lines):
    """Labels and title from the first four non-blank lines, as the walk finds them."""
    from analysis.corpus.clean import _labels_and_title, _walk_candidates

    text = "\n".join(lines)
    assert _labels_and_title(text) == _walk_candidates(text, [])


def test_a_text_polars_cannot_hold_is_walked_whole():
    raw = f"{BODY}\n\ud800\n{BODY_2}"
    assert line_candidates([raw, BODY]) == [None, []]
    assert clean_texts([raw, BODY]) == [clean_text(raw), clean_text(BODY)]


def test_no_text_no_line():
    assert line_candidates([]) == []
    assert clean_texts(["", " \n \n"]) == [clean_text(""), clean_text(" \n \n")]


# Pieces of lines: each rule's words and marks, spellings and cases, blanks of every kind,
# digits of several scripts, harakat and tatweel, ordinary words.
_PIECES = sorted(
    {
        *boilerplate.rule_phrases()[::7],
        *boilerplate.SHARE_BAR_WORDS[::3],
        *boilerplate.FOLLOW_VERBS,
        *boilerplate.SOCIAL[::2],
        *boilerplate.COPYRIGHT[::2],
        *boilerplate.FOLLOW_HINTS,
        *boilerplate.COPYRIGHT_HINTS,
        *boilerplate.URL_STARTS,
        "FOLLOW",
        "Share",
        "ſhare",
        "\u0130",
        "\u212a",
        "اقـرأ",
        "إقْرأ",
        "نُشر في",
        "تاريخ النشر:",
        "Published:",
        "17 - 12 - 2020",
        "١٧/١٢/٢٠٢٠",
        "\uff11",
        "\u096d",
        *boilerplate.BULLETS,
        *boilerplate.CRUMB_MARKS,
        *boilerplate.ARROWS,
        boilerplate.QUOTE_OPENER,
        ":",
        "#",
        "#وسم",
        "www.example.com",
        "الأمن",
        "المغرب",
        "news",
        ".",
        "\u060c",
        "\u064e",
        "\u0640",
        "\u0670",
    }
)
_BLANKS = [" "] * 3 + ["  ", "   ", "\t", "\x1c", "\x85", "\u00a0", "\u2007", "\u202f", "\u2009"]
_LINE = st.lists(st.sampled_from(_PIECES), min_size=1, max_size=14).flatmap(
    lambda pieces: st.lists(
        st.sampled_from(_BLANKS), min_size=len(pieces), max_size=len(pieces)
    ).map(lambda blanks: "".join(b + p for b, p in zip(blanks, pieces, strict=True)).lstrip(" "))
)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(_LINE, st.just(""), st.just(BODY)), min_size=1, max_size=8))
def test_screen_is_sound_on_generated_lines(lines):
    """Generated from every rule's pieces: whatever a rule or the dateline test takes is a
    candidate, and `clean_texts` cleans as `clean_text` does."""
    assert_screen_sound(["\n".join(lines)])


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(st.one_of(_LINE, st.just(BODY)), max_size=6), max_size=5))
def test_screen_is_sound_on_generated_batches(texts):
    assert_screen_sound(["\n".join(lines) for lines in texts])


@pytest.mark.slow
@pytest.mark.skipif(
    not config.SAUDINEWSNET_DIR.is_dir(),
    reason=f"SaudiNewsNet corpus not found at {config.SAUDINEWSNET_DIR}",
)
def test_clean_texts_equals_clean_text_on_saudinewsnet():
    """Every article, in batches as the pipeline cleans them; most need no walk at all."""
    raws = [d.raw_text for d in iter_documents(config.SAUDINEWSNET_DIR)]
    batches = [raws[i : i + 4000] for i in range(0, len(raws), 4000)]
    assert [c for batch in batches for c in clean_texts(batch)] == [clean_text(r) for r in raws]
    candidates = [c for batch in batches for c in line_candidates(list(map(hygiene, batch)))]
    plain = sum(c == [] for c in candidates)
    assert len(raws) > 30_000 and plain > 0.85 * len(raws), plain

"""The columnar batch path equals the exact per-document path, whatever the text.

`arabic_batch.token_frame` must find the tokens `arabic.TokenIndex` finds (words, offsets,
counts), `themes.analyse_texts` must give what `analyse_text` gives for each text, and
`DocumentProcessor.batch` what the processor gives one document at a time: on the seeds, on
SaudiNewsNet, and on generated text holding every character class the Rust regexes list
(marks inside words, every digit separator, digits that are not decimal, underscores,
lone surrogates, which the exact path takes).
"""

from __future__ import annotations

import gc
import itertools
import re
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_matcher import PROPERTY_LEXICON, VOCABULARY
from test_pipeline import _mixed_corpus, assert_same_result

from analysis import arabic, arabic_batch, config, pipeline
from analysis.columns import common, without
from analysis.corpus import clean_text, flag_duplicates, iter_documents
from analysis.pipeline import DocumentProcessor, run_pipeline
from analysis.themes import analyse_text, analyse_texts, default_lexicon, parse_lexicon
from analysis.themes.lexicon import UNMATCHABLE, rule_bits

SAUDINEWSNET = config.SAUDINEWSNET_DIR


def token_rows(text: str) -> list[tuple[str, int, int]]:
    """What `TokenIndex` finds: each word with its offsets in the stripped text and in the
    text."""
    tokens = arabic.TokenIndex(text)
    stripped = arabic._INVISIBLE_IN_WORDS_RE.sub("", text)
    rows, position = [], 0
    for i, word in enumerate(tokens.words):
        first = stripped.index(word, position)
        position = first + len(word)
        rows.append((word, first, position, *tokens.span(i)))
    return rows


def batch_token_rows(texts: list[str]) -> list[list[tuple[str, int, int]]]:
    frame = arabic_batch.token_frame(texts)
    out: list[list[tuple]] = [[] for _ in texts]
    for doc, index, word, start, end in frame.tokens.iter_rows():
        assert index == len(out[doc])
        offsets = arabic.OffsetMap(texts[doc])
        out[doc].append((word, start, end, *offsets.span(start, end, word)))
    for i, text in enumerate(texts):
        if i in frame.refused:
            out[i] = token_rows(text)
        else:
            assert frame.n_tokens[i] == len(out[i])
    return out


def assert_same_tokens(texts: list[str]) -> None:
    assert batch_token_rows(texts) == [token_rows(t) for t in texts]


def assert_same_analysis(texts: list[str], lexicon) -> None:
    assert analyse_texts(texts, lexicon) == [analyse_text(t, lexicon) for t in texts]


# --- the character classes are Python's ------------------------------------------------------


def test_classes_hold_exactly_the_characters_python_regexes_match():
    classes = arabic_batch.classes()
    tables = {
        "arabic": (classes.arabic, re.compile(arabic._ARABIC_WORD)),
        "other": (classes.other, re.compile(arabic._OTHER_ALNUM)),
        "digits": (classes.digits, re.compile(rf"(?=\d){arabic._OTHER_ALNUM}")),
        "invisible": (classes.invisible, arabic._INVISIBLE_IN_WORDS_RE),
        "word": (classes.word, re.compile(r"\w")),
        "space": (classes.space, re.compile(r"\s")),
        "decimal": (classes.decimal, re.compile(r"\d")),
    }
    for name, (ranges, pattern) in tables.items():
        listed = as_set(ranges)
        matched = {
            c
            for c in range(sys.maxunicode + 1)
            if not 0xD800 <= c < 0xE000 and pattern.fullmatch(chr(c))
        }
        assert listed == matched, name


def as_set(ranges) -> set[int]:
    return {c for a, b in ranges for c in range(a, b + 1)}


def test_the_character_table_holds_each_class_in_its_bit():
    """The C pass reads every class from one table: each bit marks exactly its class's code
    points (the classes themselves are Python's, above)."""
    from analysis import _scan

    table = arabic_batch.character_table()
    c = arabic_batch.classes()
    expected = {
        _scan.ARABIC: as_set(c.arabic),
        _scan.OTHER: as_set(c.other),
        _scan.DIGIT: as_set(c.digits),
        _scan.INVISIBLE: as_set(c.invisible),
        _scan.WORD: as_set(c.word),
        _scan.SPACE: as_set(c.space),
        _scan.DECIMAL: as_set(c.decimal),
        _scan.SEPARATOR: set(map(ord, ".,:/\u066b\u066c")),
        _scan.JOINER: set(map(ord, "-'\u2019")),
        _scan.END_MARK: set(map(ord, ".!?\u061f\u061b\u2026\u06d4")),
        _scan.CLOSER: set(map(ord, "\"'\u00bb\u201d\u2019)]")),
        _scan.LINE_BREAK: set(map(ord, "\r\n\u2028\u2029\x85")),
        _scan.UNCASED: {
            code
            for code in as_set(c.arabic) | as_set(c.other)
            if not (code < 0x80 or 0x600 <= code <= 0x6FF)
        },
    }
    assert len(table) == sys.maxunicode + 1
    for bit, codes in expected.items():
        assert set((table & bit).nonzero()[0].tolist()) == codes, bit


RANGES = st.lists(st.integers(0, 60), max_size=12, unique=True).map(
    lambda ends: tuple((a, b) for a, b in zip(sorted(ends)[::2], sorted(ends)[1::2], strict=False))
)


@settings(max_examples=300, deadline=None)
@given(RANGES, RANGES)
def test_common_and_without_are_set_intersection_and_difference(ranges, others):
    """Sorted, disjoint ranges in, sorted, disjoint ranges out: the classes `classes` works
    out from the ones it reads."""
    for result, expected in (
        (common(ranges, others), as_set(ranges) & as_set(others)),
        (without(ranges, others), as_set(ranges) - as_set(others)),
    ):
        assert as_set(result) == expected
        assert all(a <= b for a, b in result)
        assert all(b < c for (_, b), (c, _) in itertools.pairwise(result))
    # Ranges in any order (`arabic_batch` joins two lists of them): the same code points.
    assert as_set(without(ranges[::-1], others)) == as_set(ranges) - as_set(others)


# --- generated text ---------------------------------------------------------------------------

# One or more characters of every class the patterns treat apart, and their neighbours.
EDGE_CHARACTERS = [
    "ا",
    "ب",
    "ة",
    "ى",
    "أ",
    "ﻻ",  # a presentation form
    "\u064e",  # fatha
    "\u0651",  # shadda
    "\u0670",  # superscript alef
    "\u0640",  # tatweel
    "\u200c",  # ZWNJ
    "\u200f",  # RLM
    "\u200b",  # zero width space: not removed, separates
    "a",
    "Z",
    "é",
    "ß",
    "_",
    "1",
    "9",
    "٣",  # Arabic-Indic
    "۵",  # Persian
    "५",  # Devanagari digit: decimal, not Arabic
    "²",  # a digit that is not decimal
    "Ⅻ",  # a numeral letter
    ".",
    ",",
    ":",
    "/",
    "\u066b",  # Arabic decimal separator
    "\u066c",  # Arabic thousands separator
    "-",
    "'",
    "\u2019",
    " ",
    "\u00a0",
    "\n",
    "؟",
    "!",
    "؛",
    "…",
    "«",
    "»",
]


def test_a_batch_larger_than_the_first_buffers_equals_python():
    """Thousands of tokens, sentences and runs of marks in one batch: the C pass's arrays
    grow (from 1,024 items), and every token, start and map is still Python's."""
    words = ["مُكَافَحَةُ", "الإِرْهَابِ", "3.5", "F-35", "الأمن", "x_y", "٣٫٥", "l’état"]
    sentence = " ".join(words) + ". "
    texts = [sentence * 400, "قصير.", sentence * 150 + "\n\n" + sentence * 100]
    assert sum(arabic_batch.token_frame(texts).n_tokens) > 4000
    assert_same_tokens(texts)
    assert_same_sentence_starts(texts)
    assert_same_offset_maps(texts)


def test_the_c_pass_refuses_tables_it_cannot_index_by():
    """`_scan.scan` checks what it is given before reading any text: a table of the wrong
    size, a next state or letter out of range, a text that is not a str."""
    from analysis import _scan

    table = arabic_batch.character_table()
    search = arabic_batch.automaton(frozenset({"امن"}))
    good = [table, search.symbols, search.table, search.width, search.accepts, False]

    def scan(texts=("نص",), refused=b"\0", *changed):
        arguments = [*changed, *good[len(changed) :]]
        return _scan.scan(list(texts), refused, *arguments)

    assert len(scan()) == 13
    with pytest.raises(ValueError, match="kinds"):
        scan(("نص",), b"\0", table[:100])
    bad_table = search.table.copy()
    bad_table[3] = 10**6
    with pytest.raises(ValueError, match="state out of range"):
        scan(("نص",), b"\0", table, search.symbols, bad_table)
    bad_symbols = search.symbols.copy()
    bad_symbols[65] = search.width
    with pytest.raises(ValueError, match="letter out of range"):
        scan(("نص",), b"\0", table, bad_symbols)
    with pytest.raises(ValueError, match="refused"):
        scan(("نص", "ثم"), b"\0")
    with pytest.raises(TypeError, match="text 1"):
        scan(("نص", 3), b"\0\0")


def test_a_text_polars_cannot_hold_takes_the_exact_path():
    texts = ["الأمن \ud800 القومي", "مكافحة الإرهاب"]
    frame = arabic_batch.token_frame(texts)
    assert frame.refused == {0}
    assert_same_tokens(texts)
    assert_same_analysis(texts, default_lexicon())


# --- sentence starts as columns ------------------------------------------------------------


def assert_same_sentence_starts(texts: list[str]) -> None:
    assert arabic_batch.sentence_starts(texts) == [arabic.sentence_starts(t) for t in texts]


@pytest.mark.parametrize(
    "text",
    [
        "",  # no text, no sentence
        "   \n\t ",  # blanks only
        "... !!! ؟",  # boundaries only: no word, no sentence
        "الأمن أولا",  # one sentence, no boundary
        "قال الوزير. ثم غادر",  # a full stop ends a sentence
        "بلغ النمو 3.5 في المئة. ثم",  # a dot between two digits is a decimal point
        "بلغ ٣.٥ في المئة. ثم",  # Arabic-Indic digits too
        "1.2.3.4 نسخة",  # a run of digits and single dots is one number
        "العدد 3..5 هنا",  # two dots end a sentence, even between digits
        "العدد 3. ثم .5 و x.3",  # a dot with a digit on one side only ends a sentence
        "قال: «انتهى.» ثم",  # closing quotes stay with their sentence
        "أولا!?؟ ثانيا؛ ثالثا… رابعا۔ خامسا",  # every end mark
        "سطر\r\nسطر\rسطر\u2028سطر\u2029سطر\x85سطر",  # every line break, \r\n as one
        "  \u00a0 يبدأ بعد الفراغات. \u3000 وهنا",  # a start skips every kind of blank
        "_ . كلمة",  # an underscore is a word character: a sentence of its own
        "\u200fمرحبا. \u200cثم",  # a format control is not blank: a sentence starts on it
    ],
)
def test_sentence_starts_equal_python_on_written_cases(text) -> None:
    """`arabic_batch.sentence_starts` finds `arabic.sentence_starts`' sentences."""
    assert_same_sentence_starts([text])


SENTENCE_CHARACTERS = [
    *".!?\u061f\u061b\u2026\u06d4",  # end marks
    *"\"'\u00bb\u201d\u2019)]",  # closers
    *"\r\n\u2028\u2029\x85",  # line breaks
    *" \t\u00a0\u200c_",
    *"a1\u0663\u06f5\u0966",  # a letter, and digits of several scripts
    "\u0643",
    "\u064b",
]


def test_sentence_starts_of_a_text_polars_cannot_hold_take_the_exact_path():
    assert_same_sentence_starts(["جملة. \ud800 وأخرى", "ثم. هنا"])


# --- offset maps as columns ---------------------------------------------------------------


def assert_same_offset_maps(texts: list[str]) -> None:
    maps = arabic_batch.offset_maps(texts, range(len(texts)))
    for i, text in enumerate(texts):
        want = arabic.OffsetMap(text)
        assert (maps[i].gap_at, maps[i].removed_through, maps[i].gap_starts) == (
            want.gap_at,
            want.removed_through,
            want.gap_starts,
        )


@pytest.mark.parametrize(
    "text",
    [
        "",
        "الأمن القومي",  # nothing invisible: no runs
        "أيضاً",  # a mark at the end of a word
        "\u064bبداية",  # a mark at the start of the text
        "الـــأمن\u200c\u200fالوطني",  # tatweel, then a run of two format controls
        "مُكَافَحَةُ الإِرْهَابِ",  # a mark after every letter
    ],
)
def test_offset_maps_equal_python_on_written_cases(text) -> None:
    """`arabic_batch.offset_maps` finds `arabic.OffsetMap`'s runs of invisible characters."""
    assert_same_offset_maps([text, text + " ثم"])


def test_offset_map_of_a_text_polars_cannot_hold_is_python_s():
    assert_same_offset_maps(["مُكَافَحَةُ \ud800", "أيضاً"])


# --- each batch twin against its Python function, on generated text ------------------------

TWINS = {
    "tokens": assert_same_tokens,
    "sentence starts": assert_same_sentence_starts,
    "offset maps": assert_same_offset_maps,
}
# The characters each twin's regexes tell apart.
ALPHABETS = {
    "tokens": EDGE_CHARACTERS,
    "sentence starts": SENTENCE_CHARACTERS,
    "offset maps": EDGE_CHARACTERS,
}


@pytest.mark.parametrize("twin", TWINS)
@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_batch_twins_equal_python_on_generated_texts(twin: str, data) -> None:
    alphabet = st.sampled_from(ALPHABETS[twin])
    TWINS[twin](data.draw(st.lists(st.text(alphabet, max_size=40), min_size=1, max_size=6)))


@pytest.mark.parametrize("twin", TWINS)
@settings(max_examples=200, deadline=None)
@given(texts=st.lists(st.text(max_size=60), min_size=1, max_size=4))
def test_batch_twins_equal_python_on_any_unicode(twin: str, texts: list[str]) -> None:
    TWINS[twin](texts)


# Words, numbers with every separator and joiner, and lexicon words next to marks, sentence
# ends and lines: matches, phrases across a sentence end, cues and exclusions all happen.
PIECES = [
    *VOCABULARY,
    *EDGE_CHARACTERS,
    "3.5",
    "٣٫٥",
    "1\u066c000",
    "2015/07/21",
    "24,6",
    "10:30",
    "F-35",
    "al-Qaeda",
    "don't",
    "x\u2019y",
    "1.²",
    "gam\u064ema",
    "الأمن\u064f",
    "ال\u0640أمن",
    "\u200fأمن",
    "الإرهاب",
    "الأمنية",
    "داعش",
    "بالإرهابيين",
    "مكافحة",
    # case and normal forms the token filter must follow: ASCII case, and letters outside
    # ASCII whose case folding gives ASCII (Kelvin sign, long s, dotted capital I)
    "GAMMA",
    "Term",
    "\u212aappa",
    "\u017fix",
    "\u0130sis",
    "ﻷمن",
]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.lists(st.sampled_from(PIECES), max_size=80), min_size=1, max_size=5),
    st.sampled_from([" ", ""]),
)
def test_analyse_texts_equals_analyse_text_on_generated_texts(documents, glue) -> None:
    texts = [glue.join(pieces) for pieces in documents]
    assert_same_tokens(texts)
    assert_same_analysis(texts, parse_lexicon(PROPERTY_LEXICON))
    assert_same_analysis(texts, default_lexicon())


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.sampled_from(VOCABULARY), max_size=60), min_size=1, max_size=4))
def test_analyse_texts_equals_analyse_text_on_lexicon_words(documents) -> None:
    """Dense in entries: phrases and cues meet sentence ends and each other often."""
    assert_same_analysis([" ".join(words) for words in documents], parse_lexicon(PROPERTY_LEXICON))


@pytest.mark.parametrize(
    "text",
    [
        "delta gamma. delta. gamma",  # a phrase across a sentence end is not a match
        "delta\ngamma zeta",
        "term ، cue؟ cue term",
        "filler x delta gamma x x gamma zeta",  # neighbours only: a gap breaks phrases
        "ال\u0640أمن cue\u200f term 3.5 delta gamma",  # offsets past marks and controls
        "",
        "...",
        # Nothing that can count (cues, `also`, `unless`, exclusions alone): a text the
        # batch path drops from the loop (`batch._keyed_tokens`).
        "veto also hinting also. veto",
        "also hint delta",
        "veto term",  # an exclusion holding a term
    ],
)
def test_analyse_texts_equals_analyse_text_on_written_cases(text) -> None:
    assert_same_analysis([text, text + " " + text], parse_lexicon(PROPERTY_LEXICON))


# Entries of several keys, one ending in a word family: the batch path keeps a keyed token
# only next to a key it makes an entry's pair with (`batch._key_pairs`).
PAIRS_LEXICON = """
version: "pairs-1"
themes:
  - id: one
    name_ar: واحد
    name_en: One
    description: phrases of two and three keys, one ending in a word family
    words: [gamma]
    phrases: [delta hint*, في منطقة الساحل, gamma delta gamma]
"""
PAIR_WORDS = ["delta", "hint", "hints", "hinter", "gamma", "في", "منطقة", "الساحل", "x", "."]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.sampled_from(PAIR_WORDS), max_size=40), min_size=1, max_size=4))
def test_entries_of_several_keys_survive_the_pair_filter(documents) -> None:
    assert_same_analysis([" ".join(words) for words in documents], parse_lexicon(PAIRS_LEXICON))


# Context rules whose terms are phrases (one ending in a word family), and a cue that is the
# first key of another rule's term: the batch path keeps a cue only in a text where a term of
# its rule may match, alone or by its first two keys (`batch._keyed_tokens`), and `_find`
# drops the cues of the other rules.
TERM_PHRASES_LEXICON = """
version: "term-phrases-1"
themes:
  - id: one
    name_ar: واحد
    name_en: One
    description: terms of two keys, cues of one, a cue that starts a term
    words: [gamma]
    context:
      - terms: [delta hint*, term two]
        cues: [cue]
        window: 3
      - terms: [two]
        cues: [delta, term]
        unless: [veto]
        window: 2
  - id: two
    name_ar: اثنان
    name_en: Two
    description: a cue of one theme is the other's term
    context:
      - terms: [cue]
        cues: [gamma]
        window: 2
"""
TERM_PHRASE_WORDS = ["delta", "hint", "hints", "term", "two", "cue", "veto", "gamma", "x", "."]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.sampled_from(TERM_PHRASE_WORDS), max_size=40), min_size=1, max_size=4))
def test_cues_survive_the_filter_wherever_a_term_of_their_rule_may_match(documents) -> None:
    texts = [" ".join(words) for words in documents]
    assert_same_analysis(texts, parse_lexicon(TERM_PHRASES_LEXICON))


@pytest.mark.parametrize(
    "text",
    [
        "x cue term two x",  # the term is a phrase: its cue counts it
        "cue x delta hints",  # a phrase term ending in a word family
        "cue term x two",  # the phrase's keys apart: no term, the cue is dropped
        "delta two",  # delta: a cue of the second rule and the first key of a term
        "gamma cue",  # a term of one theme is a cue of the other
    ],
)
def test_cues_survive_the_filter_on_written_cases(text) -> None:
    assert_same_analysis([text, f"{text}. {text}"], parse_lexicon(TERM_PHRASES_LEXICON))


def many_rules_lexicon(n_rules: int) -> str:
    """A theme of `n_rules` context rules, the term of rule i `t<i>`, its cue `c<i>`."""
    rules = "".join(
        f"      - terms: [t{i}]\n        cues: [c{i}]\n        window: 2\n" for i in range(n_rules)
    )
    return (
        'version: "rules-1"\nthemes:\n  - id: one\n    name_ar: واحد\n    name_en: One\n'
        f"    description: many rules\n    context:\n{rules}"
    )


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(["t0", "c0", "t1", "c1", "t64", "c64", "x"]), max_size=30))
def test_rules_sharing_a_bit_keep_their_cues(words) -> None:
    """Rules 0 and 64 share a bit of `rule_bits`: a cue of one is kept for a term of the
    other, which is only more work, never a different count."""
    assert_same_analysis([" ".join(words)], parse_lexicon(many_rules_lexicon(66)))


@pytest.mark.parametrize(
    ("word", "needed", "context_rules", "term_rules"),
    [
        ("cue", True, 0b01, 0b100),  # the first rule's cue is the third rule's term
        ("delta", False, 0b10, 0),  # a cue alone; its term phrase starts with it, not alone
        ("term", False, 0b10, 0),  # only in a phrase as a term: alone, a cue
        ("two", True, 0, 0b10),  # a term is needed alone
        ("gamma", True, 0b100, 0),  # a word, and a cue
        ("hints", False, 0, 0),  # only in a phrase
    ],
)
def test_alone_roles_say_what_a_lone_token_can_do(word, needed, context_rules, term_rules):
    lexicon = parse_lexicon(TERM_PHRASES_LEXICON)
    roles = lexicon.alone_roles(lexicon.token_keys([word])[0])
    assert roles[1:] == (needed, context_rules, term_rules)
    assert roles.counts == needed  # no exclusions here


def test_rule_bits_fold_rules_past_64_onto_the_first_bits():
    assert rule_bits([]) == 0
    assert rule_bits([0, 3]) == 0b1001
    assert rule_bits([64]) == rule_bits([0]) == 1
    assert rule_bits([63]) == 1 << 63


def test_keys_of_equals_one_word_at_a_time():
    lexicon = default_lexicon()
    words = sorted({w for t in seed_texts() for w in arabic.TokenIndex(t).words})
    fresh = parse_lexicon(config.LEXICON_PATH.read_text(encoding="utf-8"))
    assert fresh.keys_of(words) == [lexicon._word_key(w) for w in words]
    assert any(k != UNMATCHABLE for k in fresh.keys_of(words))


# --- the token filter keeps every token a key may be found in ---------------------------------


def test_the_search_finds_every_spelling_normalize_maps_to_a_string():
    """A letter stands for every character `arabic.normalize` makes it of (أ إ آ ٱ for ا, ة
    for ه), and an ASCII letter for both its cases."""
    words = ["أمن", "إمن", "آمن", "ٱمن", "امن", "ISIS", "IsIs", "هيءة", "سلام", "is"]
    frame = arabic_batch.token_frame([" ".join(words)], holding=frozenset({"امن", "isis", "هيءه"}))
    assert frame.tokens["word"].to_list() == words[:-2]
    assert {arabic.normalize(w).casefold() for w in words[:-2]} == {"امن", "isis", "هيءه"}


def test_a_string_not_in_normal_form_keeps_every_token():
    """أ stands for ا, and is a letter of its own in أمن: no table can say both, so the
    search keeps every token rather than miss one."""
    holding = frozenset({"أمن", "امن"})
    assert arabic_batch.automaton(holding) is None
    frame = arabic_batch.token_frame(["الأمن في المدينة"], holding=holding)
    assert frame.tokens["index"].to_list() == [0, 1, 2]


def test_holding_nothing_keeps_no_token_but_counts_them_all():
    frame = arabic_batch.token_frame(["الأمن abc", "café x"], holding=frozenset())
    assert frame.n_tokens == [2, 2]
    # the second text holds é, which the search does not fold: its tokens are all kept
    assert frame.tokens["doc"].to_list() == [1, 1]


HOLDING = frozenset({"امن", "gamm", "appa", "sis", "ix", "1"})


def kept_words(texts: list[str]) -> list[list[tuple[int, str]]]:
    frame = arabic_batch.token_frame(texts, holding=HOLDING)
    rows: list[list[tuple[int, str]]] = [[] for _ in texts]
    for doc, index, word, *_ in frame.tokens.iter_rows():
        rows[doc].append((index, word))
    return rows


# A word character outside ASCII and the Arabic block: where the filter keeps every token.
OUTSIDE_ASCII_AND_ARABIC = re.compile(r"[^\W\x00-\x7f\u0600-\u06ff]")


def holds(word: str) -> bool:
    form = arabic.normalize(word).casefold()
    return any(string in form for string in HOLDING)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.sampled_from(PIECES), max_size=40), min_size=1, max_size=4))
def test_the_token_filter_never_drops_a_token_holding_a_string(documents) -> None:
    """A token whose normal, case-folded form holds a string is kept, with its index, words
    and offsets as the full frame has them; in a text of ASCII and Arabic only, nothing else."""
    texts = [" ".join(pieces) for pieces in documents]
    everything = arabic_batch.token_frame(texts).tokens
    filtered = arabic_batch.token_frame(texts, holding=HOLDING).tokens
    assert set(filtered.iter_rows()) <= set(everything.iter_rows())
    for text, kept in zip(texts, kept_words(texts), strict=True):
        words = arabic.TokenIndex(text).words
        wanted = [(j, w) for j, w in enumerate(words) if holds(w)]
        if OUTSIDE_ASCII_AND_ARABIC.search(text):
            assert set(wanted) <= set(kept), text
        else:
            assert kept == wanted, text


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(max_size=60), min_size=1, max_size=4))
def test_the_token_filter_never_drops_a_token_holding_a_string_in_any_unicode(texts) -> None:
    frame = arabic_batch.token_frame(texts, holding=HOLDING)
    for i, (text, kept) in enumerate(zip(texts, kept_words(texts), strict=True)):
        if i not in frame.refused:
            words = arabic.TokenIndex(text).words
            assert {(j, w) for j, w in enumerate(words) if holds(w)} <= set(kept)


# --- real text --------------------------------------------------------------------------------


def seed_texts() -> list[str]:
    return [clean_text(d.raw_text).text for d in iter_documents(config.SEEDS_DIR)]


def test_batch_equals_exact_path_on_the_seeds():
    texts = seed_texts()
    assert_same_tokens(texts)
    assert_same_analysis(texts, default_lexicon())
    documents = list(iter_documents(config.SEEDS_DIR))
    processor = DocumentProcessor(default_lexicon(), keep_text=False)
    assert_same_results(processor.batch(documents), [processor(d) for d in documents])


def assert_same_results(got: list, want: list) -> None:
    """Equal results but for the fingerprints' values (`corpus.fingerprints` hashes with
    polars), which flag the same duplicates with the same originals."""
    assert len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        assert (g.row, g.removed, g.analysis) == (w.row, w.removed, w.analysis), w.row["doc_id"]
    ids = [str(i) for i in range(len(want))]
    got_prints, want_prints = ([r.fingerprint for r in rs] for rs in (got, want))
    assert flag_duplicates(dict(zip(ids, got_prints, strict=True))) == flag_duplicates(
        dict(zip(ids, want_prints, strict=True))
    )


@pytest.mark.parametrize("workers", [1, 2])
def test_columnar_pipeline_equals_the_per_document_pipeline(tmp_path, monkeypatch, workers):
    """Several files, problems between documents, one document in the first batch and two
    in each after it: same tables."""
    monkeypatch.setattr(pipeline, "BATCH_DOCUMENTS", 2)
    monkeypatch.setattr(pipeline, "FIRST_BATCH_DOCUMENTS", 1)
    root = _mixed_corpus(tmp_path)
    exact = run_pipeline(root, columnar=False)
    assert_same_result(run_pipeline(root, workers=workers, columnar=True), exact)
    seeds = run_pipeline(config.SEEDS_DIR, workers=workers, columnar=True, keep_text=False)
    assert_same_result(seeds, run_pipeline(config.SEEDS_DIR, keep_text=False, columnar=False))


def test_batches_hold_the_first_size_then_the_batch_size(monkeypatch):
    """`_batches`: the first batch holds `first` documents, each after it `BATCH_DOCUMENTS`,
    and each document's slot is its place among the shard's events."""
    monkeypatch.setattr(pipeline, "BATCH_DOCUMENTS", 3)
    report = pipeline._ShardReport()
    documents = [f"d{i}" for i in range(8)]
    batches = list(pipeline.ShardProcessor._batches(iter(documents), report, 2))
    assert [batch for _, batch in batches] == [documents[:2], documents[2:5], documents[5:]]
    assert [slots for slots, _ in batches] == [[0, 1], [2, 3, 4], [5, 6, 7]]
    assert report.n_read == 8


def test_tokenizing_thread_failure_reaches_the_caller(tmp_path, monkeypatch):
    """The ahead-of-time tokenizing thread's error is raised by the run, the GIL switch
    interval the run changed is given back and the garbage collector, paused during the
    run, is switched back on, and a run after it works."""
    monkeypatch.setattr(pipeline, "BATCH_DOCUMENTS", 2)
    monkeypatch.setattr(pipeline, "FIRST_BATCH_DOCUMENTS", 1)
    root = _mixed_corpus(tmp_path)
    interval = sys.getswitchinterval()
    collecting = []

    def broken(texts, lexicon, **options):
        collecting.append(gc.isenabled())
        raise RuntimeError("tokenizer broke")

    with monkeypatch.context() as patched:
        patched.setattr(pipeline, "key_batch_later", broken)
        with pytest.raises(RuntimeError, match="tokenizer broke"):
            run_pipeline(root)
    assert collecting and not any(collecting)  # paused during the run
    assert (sys.getswitchinterval(), gc.isenabled()) == (interval, True)

    def tables_broke(root, documents, *args, **kwargs):
        next(iter(documents))  # the shards are being read, their generator is suspended
        raise RuntimeError("tables broke")

    with monkeypatch.context() as patched:  # the shards' generator still open when it fails
        patched.setattr(pipeline, "_assemble", tables_broke)
        with pytest.raises(RuntimeError, match="tables broke"):
            run_pipeline(root)
    assert (sys.getswitchinterval(), gc.isenabled()) == (interval, True)
    assert_same_result(run_pipeline(root), run_pipeline(root, columnar=False))
    assert (sys.getswitchinterval(), gc.isenabled()) == (interval, True)


@pytest.mark.slow
@pytest.mark.skipif(
    not SAUDINEWSNET.is_dir(),
    reason=f"SaudiNewsNet not found at {SAUDINEWSNET} (set SAUDINEWSNET_DIR)",
)
def test_batch_equals_exact_path_on_saudinewsnet():
    """Two archives (about 3,000 articles) through both paths, document by document."""
    archives = sorted(SAUDINEWSNET.glob("*.zip"))[::9]
    documents = [d for archive in archives for d in iter_documents(archive)]
    processor = DocumentProcessor(default_lexicon(), keep_text=True)
    want = [processor(d) for d in documents]
    got = processor.batch(documents)
    assert len(got) == len(want) > 2000
    assert_same_sentence_starts([w.row["text"] for w in want])
    assert_same_results(got, want)
    assert sum(len(w.analysis.hits) for w in want) > 1000

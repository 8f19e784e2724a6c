"""Tests for analysis.themes: lexicon loading, matching, tables, validation and the CLI."""

from __future__ import annotations

import dataclasses
import itertools
import json
import math
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st

from analysis import arabic, config, themes
from analysis.themes import LexiconError, load_lexicon, match_text
from analysis.themes import lexicon as lexicon_module

DATA = Path(__file__).parent / "data" / "themes"
MINI = DATA / "mini_lexicon.yaml"
THEME_IDS = [
    "security",
    "religious_reform",
    "international_cooperation",
    "sahel",
    "digital_extremism",
]


@pytest.fixture(scope="module")
def lexicon() -> themes.Lexicon:
    return load_lexicon()


@pytest.fixture(scope="module")
def mini() -> themes.Lexicon:
    return load_lexicon(MINI)


def received(text: str, lexicon: themes.Lexicon) -> set[str]:
    return {m.theme for m in match_text(text, lexicon)}


# --- the lexicon file ---------------------------------------------------------------------


def test_package_lexicon_loads_cleanly(lexicon: themes.Lexicon) -> None:
    assert lexicon.theme_ids == THEME_IDS
    assert lexicon.version
    assert lexicon.warnings == [], "exclusions cancelling entries:\n" + "\n".join(lexicon.warnings)
    for theme in lexicon.themes:
        assert theme.name_ar and theme.name_en and theme.description


def test_lexicon_summary_counts_entries_per_theme(mini: themes.Lexicon) -> None:
    summary = mini.summary().set_index("theme")
    assert summary.loc["security", ["words", "phrases", "excludes"]].tolist() == [4, 2, 1]
    assert summary.loc["cooperation", ["terms", "cues"]].tolist() == [2, 2]


def test_theme_added_to_the_file_appears_everywhere(mini: themes.Lexicon) -> None:
    assert mini.theme_ids == ["security", "cooperation", "health"]
    docs = pd.DataFrame({"doc_id": ["a"], "text": ["ارتفعت حالات الحصبة في المدينة."]})
    analysis = themes.analyse_corpus(docs, mini)
    assert list(themes.counts_by_document(analysis).columns) == mini.theme_ids
    assert themes.counts_by_document(analysis).loc["a", "health"] == 1
    assert themes.theme_summary(analysis)["theme"].tolist() == mini.theme_ids
    assert mini.theme("security").colour == "#123456"


@pytest.mark.parametrize(
    ("fixture", "line", "fragment"),
    [
        ("unknown_key.yaml", 8, "unknown key 'synonyms'"),
        ("duplicate_id.yaml", 8, "duplicate theme id 'security' (first at line 3)"),
        ("wildcard_inside.yaml", 9, "entry 'إر*هاب'"),
        ("wildcard_not_last.yaml", 8, "may only end the last word"),
        ("wildcard_short.yaml", 9, "shorter than 3 letters"),
        ("empty_entry.yaml", 9, "empty entry"),
        ("missing_name.yaml", 3, "theme 'security' has no 'name_ar'"),
        ("repeated_entry.yaml", 7, "entry 'أمن' is listed twice"),
        ("phrase_in_words.yaml", 8, "a word entry must be one word"),
        ("no_version.yaml", 1, "no 'version'"),
        ("not_yaml.yaml", 8, "not valid YAML"),
        ("control_character.yaml", 9, "character U+0007 is not allowed in YAML"),
        ("bad_id.yaml", 3, "lower-case letters"),
        ("bad_window.yaml", 10, "window must be"),
        ("no_entries.yaml", 3, "has no words, phrases or context terms"),
    ],
)
def test_malformed_lexicon_error_names_file_line_and_entry(
    fixture: str, line: int, fragment: str
) -> None:
    path = DATA / "bad" / fixture
    with pytest.raises(LexiconError) as caught:
        load_lexicon(path)
    message = str(caught.value)
    assert message.startswith(f"{path}:{line}:"), message
    assert fragment in message


@pytest.mark.parametrize("loader", ["SafeLoader", "CSafeLoader"])
def test_either_yaml_loader_names_the_line_of_a_refused_character(loader, monkeypatch) -> None:
    """libyaml (the fast loader) and PyYAML's own give the same line: the first counts a
    refused character's position in bytes, the second in characters."""
    if not hasattr(yaml, loader):
        pytest.skip("PyYAML was built without libyaml")
    monkeypatch.setattr(lexicon_module, "SAFE_YAML_LOADER", getattr(yaml, loader))
    path = DATA / "bad" / "control_character.yaml"
    with pytest.raises(LexiconError, match=r":9: not valid YAML: character U\+0007"):
        load_lexicon(path)


def test_missing_lexicon_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(LexiconError, match="cannot read the lexicon"):
        load_lexicon(tmp_path / "absent.yaml")


def test_entries_written_differently_but_equal_once_normalized_warn(tmp_path: Path) -> None:
    path = tmp_path / "lex.yaml"
    path.write_text(
        'version: "1"\nthemes:\n  - id: security\n    name_ar: الأمن\n    name_en: S\n'
        "    description: x\n    words: [الإرهاب, والإرهاب]\n    exclude: [إرهاب]\n",
        encoding="utf-8",
    )
    lexicon = load_lexicon(path)
    assert len(lexicon.redundant) == 1
    assert "'والإرهاب' matches the same as 'الإرهاب' (line 7)" in lexicon.redundant[0]
    assert len(lexicon.warnings) == 1
    assert "exclude 'إرهاب' cancels the entry 'الإرهاب'" in lexicon.warnings[0]
    assert [p.entry for p in lexicon.patterns] == ["الإرهاب", "إرهاب"]


# --- matching -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # clitics and spelling variants reach one entry
        ("نجح المغرب في الحرب على الإرهاب", {"security"}),
        ("تواصل الحرب على الارهاب", {"security"}),
        ("تصدى المغرب للإرهاب بحزم", {"security"}),
        ("اعتقال عناصر موالية لداعش", {"security"}),
        ("تفكيك الخلايا الإرهابية", {"security"}),
        ("أعلن BCIJ عن العملية", {"security"}),
        ("يبحث المؤتمر الأمن الغذائي في إفريقيا", set()),
        ("الأمن الغذائي أولوية لكن الأمن الوطني أولى", {"security"}),
        ("تعزيز التعاون الدولي في هذا المجال", {"cooperation"}),
        ("تعاون وثيق مع فرنسا في مجال الاستخبارات", {"cooperation"}),
        ("سافر المنتخب إلى فرنسا لخوض مباراة", set()),
        ("التنسيق مستمر بين الأجهزة هنا وهناك منذ سنوات مع فرنسا", set()),  # cue too far
        ("سجلت حالات إصابة بالحصبة", {"health"}),
        ("قصيدة عن البحر والقمر", set()),
        ("", set()),
    ],
)
def test_mini_lexicon_themes(text: str, expected: set[str], mini: themes.Lexicon) -> None:
    assert received(text, mini) == expected


@pytest.mark.parametrize(
    ("word", "expected_key"),
    [
        ("لداعش", "داعش"),  # lone proclitic: the remainder is a lexicon word
        ("كفرنسا", "فرنسا"),
        ("وبتنسيق", "تنسيق"),
        ("لمكافحة", "مكافح"),
        ("بلدان", "بلد"),  # not a lexicon word: the stemmer's key, first letter kept
        ("فريق", "فريق"),
        ("لبنان", "لبنان"),
    ],
)
def test_lone_proclitic_is_removed_only_towards_a_lexicon_word(
    word: str, expected_key: str, mini: themes.Lexicon
) -> None:
    assert mini.matching_key(word) == expected_key


def test_words_no_entry_can_match_are_not_keyed(mini: themes.Lexicon) -> None:
    """Only words containing a lexicon key are stemmed; the rest share one inert key."""
    assert mini.token_keys(["لداعش", "بلدان", "فريق", "Paris"]) == [
        "داعش",
        themes.UNMATCHABLE,
        themes.UNMATCHABLE,
        themes.UNMATCHABLE,
    ]


def _full_rule_key(lexicon: themes.Lexicon, word: str) -> str:
    """The key the full rule gives a word, stemming it whatever it holds."""
    key = lexicon.matching_key(word)
    return key if lexicon_module._known(key, lexicon._vocabulary()) else themes.UNMATCHABLE


def test_prefiltered_keys_equal_the_full_rule_on_the_seeds() -> None:
    """The prefilter skips no word the full rule would key to a lexicon word."""
    words = sorted(
        {
            w
            for path in sorted(config.SEEDS_DIR.glob("*.txt"))
            for w in arabic.TokenIndex(path.read_text(encoding="utf-8")).words
        }
    )
    fresh = load_lexicon()
    expected = [_full_rule_key(fresh, word) for word in words]
    assert fresh.token_keys(words) == expected
    assert sum(k != themes.UNMATCHABLE for k in expected) > 50


_DEFAULT, _BATCH = load_lexicon(), load_lexicon()  # the second keys words as the batch path does
_VOCABULARY = sorted(set().union(*_DEFAULT._vocabulary()))
# Proclitics and article prefixes in front of a key, with a letter no stemming removes.
_FRONT_PIECES = ["و", "ف", "ب", "ل", "ك", "ال", "لل", "وال", "بال", "وبال", "فكال", "ت"]


@settings(max_examples=400, deadline=None)
@given(
    st.lists(st.sampled_from(_FRONT_PIECES), max_size=3).map("".join),
    st.sampled_from(_VOCABULARY),
    st.text(st.sampled_from(arabic.STEM_SUFFIX_LETTERS + "مر"), max_size=5),
    st.booleans(),
)
# Six letters in front: a proclitic cut (و ف) and the longest article prefix (وبال).
@example("وفوبال", "ارهاب", "ية", False)
def test_candidate_test_skips_no_word_the_full_rule_keys(front, key, end, cut) -> None:
    """A word fails `_candidates` only if the full rule gives it no lexicon key: words made of
    proclitic and article letters, a lexicon key or prefix (cut short or not), and suffix
    letters, with a few other letters on both sides."""
    word = front + (key[:-1] if cut else key) + end
    expected = _full_rule_key(_DEFAULT, word)
    assert _DEFAULT._word_key(word) == expected
    assert _BATCH.keys_of([word]) == [expected]


def test_candidate_test_rejects_words_that_only_hold_a_key() -> None:
    """A key inside a word, behind letters no stemming removes, is not stemmed at all."""
    assert _DEFAULT._candidates().match("الثامنه") is None  # امن, behind ث
    assert _DEFAULT._candidates().match("والامنيه") is not None


def test_match_keeps_original_spelling_and_offsets(mini: themes.Lexicon) -> None:
    text = "قال الخبير: «والإرهابُ لا دين له»، وأضاف أن مكافحة الإرهاب مستمرة."
    matches = match_text(text, mini)
    assert [(m.entry, m.text) for m in matches] == [
        ("إرهاب*", "والإرهابُ"),
        ("مكافحة الإرهاب", "مكافحة الإرهاب"),
    ]
    for m in matches:
        assert text[m.start : m.end] == m.text


def test_overlapping_entries_count_once_longest_wins(mini: themes.Lexicon) -> None:
    matches = match_text("تمكن الأمن من تفكيك الخلايا الإرهابية", mini)
    assert [(m.theme, m.entry) for m in matches] == [
        ("security", "أمن"),
        ("security", "الخلايا الإرهابية"),
    ]


def test_exclusion_cancels_only_overlapping_hits_of_its_theme(mini: themes.Lexicon) -> None:
    text = "الأمن الغذائي قضية، ومكافحة الإرهاب قضية أخرى"
    assert [m.entry for m in match_text(text, mini)] == ["مكافحة الإرهاب"]


def test_phrases_and_exclusions_do_not_cross_sentences(mini: themes.Lexicon) -> None:
    # "الأمن. الغذائي" is not the phrase الأمن الغذائي: the first sentence speaks of security.
    matches = match_text("عززت السلطات الأمن. الغذائي متوفر في الأسواق.", mini)
    assert [m.text for m in matches] == ["الأمن"]


def test_context_term_is_the_hit_not_the_cue(mini: themes.Lexicon) -> None:
    matches = match_text("وقعت الولايات المتحدة اتفاق تعاون أمني", mini)
    cooperation = [m for m in matches if m.theme == "cooperation"]
    assert [(m.entry, m.text) for m in cooperation] == [("الولايات المتحدة", "الولايات المتحدة")]


@pytest.mark.parametrize(
    ("text", "theme", "expected"),
    [
        # the false friends of the issue: the tempting theme must stay unmatched
        ("تحقيق الأمن الغذائي والأمن المائي للمغاربة", "security", False),
        ("يعزز المغرب أمنه الطاقي", "security", False),
        ("رفع الصندوق الوطني للضمان الاجتماعي قيمة المعاشات", "security", False),
        ("قضى المصطافون يومهم على ساحل البحر", "sahel", False),
        ("تشهد المدن الساحلية إقبالا كبيرا", "sahel", False),
        ("منع السباحة على طول الشريط الساحلي", "sahel", False),
        ("فاز منتخب ساحل العاج باللقب", "sahel", False),
        ("خصصت الحكومة دعما ماليا للفلاحين", "sahel", False),
        ("صادق البرلمان على قانون المالية", "sahel", False),
        ("منح لفائدة التعاونيات النسائية", "international_cooperation", False),
        ("انطلاق مهرجان دولي للسينما", "international_cooperation", False),
        ("مباراة ودية دولية أمام غانا", "international_cooperation", False),
        ("تراهن الحكومة على التحول الرقمي", "digital_extremism", False),
        ("الاقتصاد الرقمي فرصة للشباب", "digital_extremism", False),
        ("بوابة الحكومة الإلكترونية", "digital_extremism", False),
        ("كيف ستغير تقنية 5G المستقبل", "digital_extremism", False),
        ("ارتفاع أسعار الخضر في رمضان", "religious_reform", False),
        # and their true counterparts
        ("تعزيز الأمن الوطني ومكافحة الإرهاب", "security", True),
        ("تمدد الجماعات الإرهابية في منطقة الساحل", "sahel", True),
        ("اندلعت اشتباكات في شمال مالي", "sahel", True),
        ("يعمل المغرب على تعزيز التعاون الأمني مع إسبانيا", "international_cooperation", True),
        ("تكوين الأئمة والمرشدات في معهد محمد السادس", "religious_reform", True),
        ("تستغل داعش منصات التواصل الاجتماعي لتجنيد الشباب", "digital_extremism", True),
    ],
)
def test_package_lexicon_false_friends(
    text: str, theme: str, expected: bool, lexicon: themes.Lexicon
) -> None:
    assert (theme in received(text, lexicon)) is expected, match_text(text, lexicon)


@settings(max_examples=60, deadline=None)
@given(
    parts=st.lists(
        st.sampled_from(
            [
                "الإرهاب",
                "والأمن",
                "الغذائي",
                "مكافحة",
                "فرنسا",
                "تعاون",
                ".",
                "،",
                " ",
                "\n",
                "BCIJ",
            ]
        )
        | st.text(max_size=5),
        max_size=30,
    )
)
def test_matches_always_point_at_their_text(parts: list[str], mini: themes.Lexicon) -> None:
    text = " ".join(parts)
    result = themes.analyse_text(text, mini)
    spans: dict[str, list[tuple[int, int]]] = {}
    for h in result.hits:
        assert text[h.start : h.end] == h.text
        assert 0 <= h.sentence < max(result.n_sentences, 1)
        spans.setdefault(h.theme, []).append((h.start, h.end))
    for theme_spans in spans.values():  # a theme never counts one stretch of text twice
        theme_spans.sort()
        assert all(a[1] <= b[0] for a, b in itertools.pairwise(theme_spans))


def test_lexicon_and_results_are_picklable(mini: themes.Lexicon) -> None:
    text = "مكافحة الإرهاب والتعاون الدولي"
    mini.automaton()  # built caches must not travel
    copy = pickle.loads(pickle.dumps(mini))
    assert copy._automaton is None
    analyser = pickle.loads(pickle.dumps(themes.LexiconAnalyser(mini)))
    result = analyser(text)
    assert result == pickle.loads(pickle.dumps(result))
    assert result == themes.analyse_text(text, mini)


# --- a corpus and its tables ----------------------------------------------------------------

DOCS = pd.DataFrame(
    {
        "doc_id": ["d1", "d2", "d3"],
        "title": ["أ", "ب", "ج"],
        "text": [
            "مكافحة الإرهاب أولوية. التعاون الدولي ضروري لمكافحة الإرهاب.",
            "انتشرت الكوليرا. الأمن الغذائي مهدد.",
            "",
        ],
    }
)


@pytest.fixture(scope="module")
def analysis(mini: themes.Lexicon) -> themes.Analysis:
    return themes.analyse_corpus(DOCS, mini)


def test_hits_table(analysis: themes.Analysis) -> None:
    hits = analysis.hits
    assert list(hits.columns) == themes.HIT_COLUMNS
    assert hits[["doc_id", "sentence", "theme", "entry"]].values.tolist() == [
        ["d1", 0, "security", "مكافحة الإرهاب"],
        ["d1", 1, "cooperation", "التعاون الدولي"],
        ["d1", 1, "security", "مكافحة الإرهاب"],
        ["d2", 0, "health", "الكوليرا"],
    ]
    assert hits.loc[2, "match"] == "لمكافحة الإرهاب"
    text = DOCS.loc[0, "text"]
    assert text[hits.loc[2, "start"] : hits.loc[2, "end"]] == "لمكافحة الإرهاب"


def test_doc_tokens(analysis: themes.Analysis) -> None:
    tokens = analysis.doc_tokens.set_index("doc_id")
    assert tokens.loc["d1", "n_tokens"] == 8
    assert tokens.loc["d1", "n_sentences"] == 2
    assert tokens.loc["d3", "n_tokens"] == 0


def test_counts_and_rates_by_document(analysis: themes.Analysis) -> None:
    counts = themes.counts_by_document(analysis)
    assert counts.index.tolist() == ["d1", "d2", "d3"]
    assert counts.to_dict("index") == {
        "d1": {"security": 2, "cooperation": 1, "health": 0},
        "d2": {"security": 0, "cooperation": 0, "health": 1},
        "d3": {"security": 0, "cooperation": 0, "health": 0},
    }
    rates = themes.rates_by_document(analysis)
    assert rates.loc["d1", "security"] == pytest.approx(2 * 1000 / 8)
    assert rates.loc["d3", "security"] == 0.0


def test_counts_by_document_equal_a_crosstab_and_hold_zeros_without_hits(analysis) -> None:
    counts = themes.counts_by_document(analysis)
    crosstab = pd.crosstab(analysis.hits["doc_id"], analysis.hits["theme"])
    crosstab = crosstab.reindex(index=counts.index, columns=counts.columns).fillna(0)
    pd.testing.assert_frame_equal(counts, crosstab.astype("int64"), check_names=False)
    empty = dataclasses.replace(analysis, hits=analysis.hits.iloc[:0])
    zeros = themes.counts_by_document(empty)
    assert zeros.shape == counts.shape and (zeros == 0).all().all()
    assert {str(dtype) for dtype in zeros.dtypes} == {"int64"}


def test_theme_summary(analysis: themes.Analysis) -> None:
    summary = themes.theme_summary(analysis).set_index("theme")
    assert summary.loc["security", "hits"] == 2
    assert summary.loc["security", "docs_with_theme"] == 1
    assert summary.loc["security", "share_docs"] == pytest.approx(1 / 3)
    n_sentences = int(analysis.doc_tokens["n_sentences"].sum())
    assert summary.loc["security", "share_sentences"] == pytest.approx(2 / n_sentences)
    assert summary.loc["cooperation", "name_en"] == "Cooperation"


def test_top_terms(analysis: themes.Analysis) -> None:
    top = themes.top_terms(analysis)
    assert top.values.tolist() == [
        ["security", "مكافحة الإرهاب", 2, 1, "مكافحة الإرهاب", 1],
        ["cooperation", "التعاون الدولي", 1, 1, "التعاون الدولي", 1],
        ["health", "الكوليرا", 1, 1, "الكوليرا", 1],
    ]


def test_cooccurrence_counts_sentences(analysis: themes.Analysis) -> None:
    matrix = themes.cooccurrence(analysis)
    assert matrix.loc["security", "cooperation"] == 1
    assert matrix.loc["security", "security"] == 2
    assert matrix.loc["health", "security"] == 0
    assert (matrix == matrix.T).all().all()


def test_kwic(analysis: themes.Analysis) -> None:
    lines = themes.kwic(analysis, DOCS, theme="cooperation", width=10)
    assert lines.values.tolist() == [
        ["d1", 1, "cooperation", "التعاون الدولي", "أولوية. ", "التعاون الدولي", " ضروري"]
    ]
    assert len(themes.kwic(analysis, DOCS, entry="مكافحة الإرهاب")) == 2


@pytest.mark.parametrize(
    ("width", "left", "right"),
    [
        (12, "تم تفكيك ", " الإرهابية"),  # never "الإرهابية ف": a cut word is left out
        (7, "تفكيك ", ""),  # never "م تفكيك" nor "الإر"
        (200, "تم تفكيك ", " الإرهابية في المدينة"),
    ],
)
def test_kwic_context_is_cut_at_word_boundaries(width: int, left: str, right: str) -> None:
    text = "تم تفكيك والخلايا الإرهابية في المدينة"
    start = text.index("والخلايا")
    assert themes.context(text, start, start + len("والخلايا"), width) == (left, right)


def test_keyness_log_likelihood_by_hand() -> None:
    table = themes.keyness({"ارهاب": 10, "بحر": 90}, {"بحر": 1000}, min_count=1)
    row = table.set_index("term").loc["ارهاب"]
    # Rayson: E1 = 100 * 10 / 1100; G2 = 2 * (10 * ln(10 / E1)) as the reference count is 0.
    assert row["log_likelihood"] == pytest.approx(2 * 10 * math.log(10 / (100 * 10 / 1100)))
    assert row["key"] == "over"
    assert table.iloc[0]["term"] == "ارهاب"
    assert table.set_index("term").loc["بحر", "key"] == "under"


def test_document_keyness_against_the_rest() -> None:
    docs = pd.DataFrame(
        {
            "doc_id": ["a", "b"],
            "text": ["الإرهاب والإرهاب للإرهاب الإرهاب البحر", "البحر البحر البحر جميل جميل"],
        }
    )
    table = themes.document_keyness(docs, ["a"], min_count=2)
    assert table.iloc[0]["count_target"] == 4
    assert table.iloc[0]["count_reference"] == 0


def test_group_keyness_is_document_keyness_per_group() -> None:
    docs = pd.DataFrame(
        {
            "doc_id": ["a", "b", "c", "d"],
            "text": [
                "الإرهاب والإرهاب للإرهاب الإرهاب البحر",
                "البحر البحر البحر جميل جميل",
                "الساحل الساحل الساحل البحر",
                "جميل الساحل",
            ],
        },
        index=[3, 5, 8, 9],  # an analysed subset keeps the corpus's index
    )
    groups = pd.Series(["x", "y", "x", None])
    tables = themes.group_keyness(docs, groups, min_count=2, top=None)
    assert list(tables) == ["x", "y"]
    for label, mask in (("x", [True, False, True, False]), ("y", [False, True, False, False])):
        want = themes.document_keyness(
            docs, pd.Series(mask, index=docs.index), min_count=2, top=None
        )
        pd.testing.assert_frame_equal(tables[label], want)


def test_analyse_corpus_checks_its_input(mini: themes.Lexicon) -> None:
    with pytest.raises(ValueError, match="doc_id and text"):
        themes.analyse_corpus(pd.DataFrame({"text": ["x"]}), mini)


def test_local_processes_give_the_same_result(
    mini: themes.Lexicon, analysis: themes.Analysis
) -> None:
    pytest.importorskip("analysis.parallel")
    parallel = themes.analyse_corpus(DOCS, mini, workers=2)
    pd.testing.assert_frame_equal(parallel.hits, analysis.hits)
    pd.testing.assert_frame_equal(parallel.doc_tokens, analysis.doc_tokens)


# --- validation ----------------------------------------------------------------------------


def test_validation_set_is_broad() -> None:
    sentences = themes.load_validation_set(theme_ids=THEME_IDS)
    assert len(sentences) >= 90
    for theme_id in THEME_IDS:
        assert sum(theme_id in s.themes for s in sentences) >= 10, theme_id
    texts = " ".join(s.text for s in sentences)
    for false_friend in ["الأمن الغذائي", "الضمان الاجتماعي", "ساحل البحر", "ساحل العاج"]:
        assert false_friend in texts
    for false_friend in ["قانون المالية", "التعاونيات", "مهرجان دولي", "التحول الرقمي", "5G"]:
        assert false_friend in texts


def test_validation_precision_and_recall_at_least_090(lexicon: themes.Lexicon) -> None:
    scores = themes.validate(lexicon)
    assert scores["theme"].tolist() == THEME_IDS
    failing = scores[(scores["precision"] < 0.9) | (scores["recall"] < 0.9)]
    details = themes.validation_details(lexicon)
    wrong = details[(details["missing"].str.len() > 0) | (details["unexpected"].str.len() > 0)]
    assert failing.empty, f"\n{scores}\n" + "\n".join(
        f"line {r.line}: missing {r.missing} unexpected {r.unexpected}: {r.text}"
        for r in wrong.itertuples()
    )


def test_validation_counts(tmp_path: Path, mini: themes.Lexicon) -> None:
    path = tmp_path / "set.yaml"
    path.write_text(
        "version: 1\nsentences:\n"
        "  - {text: مكافحة الإرهاب, themes: [security]}\n"  # tp
        "  - {text: الأمن الغذائي, themes: [security]}\n"  # fn
        "  - {text: انتشرت الكوليرا, themes: []}\n"  # fp for health
        # tp for security, health not judged
        "  - {text: الكوليرا والإرهاب, themes: [security], may: [health]}\n",
        encoding="utf-8",
    )
    scores = themes.validate(mini, path).set_index("theme")
    assert scores.loc["security", ["tp", "fp", "fn"]].tolist() == [2, 0, 1]
    assert scores.loc["health", ["tp", "fp", "fn"]].tolist() == [0, 1, 0]
    assert scores.loc["health", "precision"] == 0.0
    assert math.isnan(scores.loc["cooperation", "precision"])


def test_validation_set_with_unknown_theme_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "set.yaml"
    path.write_text("version: 1\nsentences:\n  - text: نص\n    themes: [sport]\n", encoding="utf-8")
    with pytest.raises(LexiconError, match=r"set.yaml:4: .*unknown theme\(s\) \['sport'\]"):
        themes.load_validation_set(path, THEME_IDS)


# --- command line -------------------------------------------------------------------------


def run_cli(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [sys.executable, "-m", "analysis", *args],
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=config.PROJECT_ROOT,
        env=env,
        timeout=120,
    )


def test_cli_tag_writes_one_json_object_per_line() -> None:
    result = run_cli(
        "tag", "--lexicon", str(MINI), stdin="مكافحة الإرهاب والتعاون الدولي\n\nقصيدة عن البحر\n"
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 3
    first = json.loads(lines[0])
    assert first["themes"] == ["security", "cooperation"]
    assert first["matches"][0] == {
        "theme": "security",
        "entry": "مكافحة الإرهاب",
        "text": "مكافحة الإرهاب",
        "start": 0,
        "end": 14,
    }
    assert "مكافحة" in lines[0]  # ensure_ascii=False: Arabic written as is
    assert json.loads(lines[1]) == {"text": "", "themes": [], "matches": []}
    assert json.loads(lines[2])["themes"] == []


def test_cli_tag_reports_a_bad_lexicon() -> None:
    bad = DATA / "bad" / "unknown_key.yaml"
    result = run_cli("tag", "--lexicon", str(bad), stdin="نص\n")
    assert result.returncode == 2
    assert f"{bad}:8:" in result.stderr


@pytest.fixture(scope="module")
def seeds_table() -> pd.DataFrame:
    pytest.importorskip("analysis.corpus")
    result = run_cli("themes", "--format", "csv")
    assert result.returncode == 0, result.stderr
    from io import StringIO

    return pd.read_csv(StringIO(result.stdout))


def test_cli_themes_on_the_seeds(seeds_table: pd.DataFrame) -> None:
    assert list(seeds_table.columns) == ["doc_id", "title", "n_tokens", *THEME_IDS]
    assert len(seeds_table) >= 4  # duplicates may be excluded by the loader
    assert (seeds_table["security"] > 0).all()
    assert (seeds_table[THEME_IDS].sum() > 0).all(), "every theme occurs in the seeds"


def test_cli_themes_markdown_and_json() -> None:
    pytest.importorskip("analysis.corpus")
    markdown = run_cli("themes", "--format", "markdown", "--lexicon", str(MINI))
    assert markdown.returncode == 0, markdown.stderr
    header, rule = markdown.stdout.splitlines()[:2]
    assert header == "| doc_id | title | n_tokens | security | cooperation | health |"
    assert rule == "|---|---|---:|---:|---:|---:|"
    as_json = run_cli("themes", "--format", "json", "--lexicon", str(MINI))
    assert as_json.returncode == 0, as_json.stderr
    records = json.loads(as_json.stdout)
    assert {"doc_id", "security", "health"} <= set(records[0])


# --- the real corpus ----------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.skipif(
    not config.SAUDINEWSNET_DIR.is_dir(),
    reason=f"SaudiNewsNet not found at {config.SAUDINEWSNET_DIR} (set SAUDINEWSNET_DIR)",
)
def test_real_articles_offsets_and_false_friends(lexicon: themes.Lexicon) -> None:
    import zipfile

    archive = sorted(config.SAUDINEWSNET_DIR.glob("*.zip"))[0]
    with zipfile.ZipFile(archive) as zf:
        records = json.loads(zf.read(zf.namelist()[0]).decode("utf-8"))[:400]
    docs = pd.DataFrame(
        {"doc_id": [str(i) for i in range(len(records))], "text": [r["content"] for r in records]}
    )
    analysis = themes.analyse_corpus(docs, lexicon)
    assert len(analysis.hits) > 0
    texts = docs.set_index("doc_id")["text"]
    for h in analysis.hits.itertuples():
        assert texts[h.doc_id][h.start : h.end] == h.match
    matched = set(analysis.hits["match"])
    assert not {"الأمن الغذائي", "ساحل البحر", "ساحل العاج"} & matched


CONTEXT_LEXICON = """version: "t"
themes:
  - id: digital
    name_ar: رقمي
    name_en: Digital
    description: d
    context:
      - terms: [تويتر]
        cues: [داعش]
        also: [تجنيد, دعاية]
        window: 8
      - terms: [الإنترنت]
        cues: [داعش]
        unless: [استنكار, التعازي]
        window: 8
"""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("نشر داعش دعاية على تويتر", ["تويتر"]),  # cue and also cue
        ("كتب المبعوث على تويتر عن داعش", []),  # cue without an also cue
        ("دعاية على تويتر للمهرجان", []),  # also cue without a cue
        ("نشر داعش بيانا على الإنترنت", ["الإنترنت"]),
        ("استنكار واسع على الإنترنت لهجوم داعش", []),  # an unless word near the term
    ],
)
def test_context_rules_with_also_and_unless(text: str, expected: list[str]) -> None:
    lexicon = themes.parse_lexicon(CONTEXT_LEXICON)
    assert [m.text for m in match_text(text, lexicon)] == expected


def test_empty_also_or_unless_is_a_lexicon_error() -> None:
    broken = CONTEXT_LEXICON.replace("unless: [استنكار, التعازي]", "unless: []")
    with pytest.raises(LexiconError, match=r"<lexicon>:\d+: .*'unless' must not be empty"):
        themes.parse_lexicon(broken)


@pytest.mark.parametrize(
    ("form", "message"),
    [("آمن بيئة", "must be one word"), ("", "must be a non-empty text")],
)
def test_malformed_exclude_forms_name_the_line(form: str, message: str) -> None:
    text = (
        'version: "t"\nthemes:\n  - id: security\n    name_ar: أمن\n    name_en: S\n'
        f"    description: d\n    words: [أمن]\n    exclude_forms:\n      - '{form}'\n"
    )
    with pytest.raises(LexiconError, match=rf"<lexicon>:9: .*{message}"):
        themes.parse_lexicon(text)


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("الأمن مستتب والأمن أولوية", 2),
        ("وطن آمن وبيئة آمنة للآمنين", 0),  # آمن* with and without clitics
        ("سبب كامن في النفس", 0),  # ك + امن without the exclusion
    ],
)
def test_exclude_forms_compare_the_spelling(text: str, count: int) -> None:
    lexicon = themes.parse_lexicon(
        'version: "t"\nthemes:\n  - id: security\n    name_ar: أمن\n    name_en: S\n'
        "    description: d\n    words: [أمن]\n    exclude_forms: [آمن*, كامن*]\n"
    )
    assert len(match_text(text, lexicon)) == count


@given(st.text(alphabet="ارهابيمنcs", min_size=0, max_size=40))
def test_known_looks_only_at_beginnings_as_long_as_a_prefix(key: str) -> None:
    """`_known` stops at the longest prefix: the same answer as trying every beginning."""
    exact, prefixes = vocabulary = frozenset({"امن"}), frozenset({"ارهاب", "منا", "bcij"})
    every = key in exact or any(key[:n] in prefixes for n in range(3, len(key) + 1))
    assert lexicon_module._known(key, vocabulary) == every


def test_a_huge_word_with_a_lexicon_key_in_it_is_keyed(lexicon: themes.Lexicon) -> None:
    # Its beginnings were sliced at every length (a 100 KB word took seconds, 1 MB hours).
    assert lexicon.token_keys(["bcij" + "s" * 300_000, "ارهاب" + "ي" * 300_000]) == [
        themes.UNMATCHABLE,
        "ارهاب",
    ]


def test_surface_forms_give_the_most_frequent_spelling_of_each_key() -> None:
    texts = ["التنمية والتنمية الشاملة", "التنمية المستدامة", "ثقافة الأمن"]
    keys = themes.term_counts(texts)
    forms = themes.surface_forms(texts, keys)
    development = themes.term_counts(["التنمية"]).most_common(1)[0][0]
    assert forms[development] == "التنمية"  # never the stem (تنم), as written in the texts
    assert set(forms) <= set(keys) and all(forms.values())

"""analysis.arabic checked step by step against CAMeL Tools (camel_tools.utils).

Equivalent steps must give identical output on the seeds and on 2,000 SaudiNewsNet
articles: dediacritization, alef, alef maqsura, taa marbuta. Deliberate differences are
tested as such: our diacritic removal also deletes the Arabic marks CAMeL keeps, and our
tokenizer drops punctuation, keeps 24,6 and F-35 whole and splits a change of script.
"""

from __future__ import annotations

import json
import re
import zipfile
from collections import Counter
from collections.abc import Callable

import pytest

from analysis import arabic, charsets, config

camel_dediac = pytest.importorskip(
    "camel_tools.utils.dediac", reason="camel-tools is not installed (make install adds it)"
)
camel_normalize = pytest.importorskip("camel_tools.utils.normalize")
camel_word = pytest.importorskip("camel_tools.tokenizers.word")

N_ARTICLES = 2000

EQUIVALENT_STEPS: dict[str, tuple[Callable[[str], str], Callable[[str], str]]] = {
    "dediacritization": (arabic.dediac, camel_dediac.dediac_ar),
    "alef": (arabic.normalize_alef, camel_normalize.normalize_alef_ar),
    "alef maqsura": (arabic.normalize_alef_maqsura, camel_normalize.normalize_alef_maksura_ar),
    "taa marbuta": (arabic.normalize_taa_marbuta, camel_normalize.normalize_teh_marbuta_ar),
}


def _seed_texts() -> list[str]:
    paths = sorted(config.SEEDS_DIR.glob("*.txt"))
    assert len(paths) == 5, "the five seed articles are missing"
    return [path.read_text(encoding="utf-8") for path in paths]


@pytest.fixture(scope="module")
def articles() -> list[str]:
    zips = sorted(config.SAUDINEWSNET_DIR.glob("*.zip"))
    if not zips:
        pytest.skip(f"SaudiNewsNet not found in {config.SAUDINEWSNET_DIR}")
    texts: list[str] = []
    for path in zips:
        with zipfile.ZipFile(path) as archive:
            for name in archive.namelist():
                records = json.loads(archive.read(name))
                texts.extend(record.get("content") or "" for record in records)
        if len(texts) >= N_ARTICLES:
            break
    return texts[:N_ARTICLES]


def _camel_pipeline(text: str) -> str:
    """CAMeL's counting normalization: dediac, alef, alef maqsura, taa marbuta."""
    text = camel_dediac.dediac_ar(text)
    text = camel_normalize.normalize_alef_ar(text)
    text = camel_normalize.normalize_alef_maksura_ar(text)
    return camel_normalize.normalize_teh_marbuta_ar(text)


OUR_PIPELINE = {"tatweel": False, "digits": False, "format_controls": False}  # CAMeL keeps them
EXTENDED_MARKS = dict.fromkeys(
    ord(ch)
    for first, last in arabic.ARABIC_MARKS
    for c in range(first, last + 1)
    if arabic.dediac(ch := chr(c)) != ""
)


@pytest.mark.parametrize("step", EQUIVALENT_STEPS)
def test_steps_identical_on_seeds(step: str) -> None:
    ours, camel = EQUIVALENT_STEPS[step]
    for text in _seed_texts():
        assert ours(text) == camel(text)


@pytest.mark.slow
@pytest.mark.parametrize("step", EQUIVALENT_STEPS)
def test_steps_identical_on_saudinewsnet(step: str, articles: list[str]) -> None:
    ours, camel = EQUIVALENT_STEPS[step]
    different = [i for i, text in enumerate(articles) if ours(text) != camel(text)]
    assert different == [], f"{step}: {len(different)} articles differ, first {different[:5]}"


@pytest.mark.slow
def test_normalize_is_camel_chain_plus_the_extra_marks(articles: list[str]) -> None:
    """normalize() without tatweel/digits = CAMeL's chain, then the marks CAMeL keeps removed."""
    for text in [*_seed_texts(), *articles]:
        ours = arabic.normalize(text, **OUR_PIPELINE)
        assert ours == _camel_pipeline(text).translate(EXTENDED_MARKS)


@pytest.mark.parametrize(
    ("text", "camel_keeps"),
    [
        ("ا\u0653", "\u0653"),  # maddah above
        ("ا\u0654", "\u0654"),  # hamza above
        ("محمد\u0610", "\u0610"),  # honorific sign
        ("الرحيم\u06d6", "\u06d6"),  # Quranic small high ligature
    ],
)
def test_deliberate_difference_extra_marks(text: str, camel_keeps: str) -> None:
    """CAMeL's dediac_ar keeps these marks; normalize() deletes every Arabic mark."""
    assert camel_keeps in camel_dediac.dediac_ar(text)
    assert arabic.dediac(text) == camel_dediac.dediac_ar(text)
    assert camel_keeps not in arabic.normalize(text)


def test_deliberate_difference_tatweel_and_digits() -> None:
    """CAMeL's chain keeps tatweel and Arabic-Indic digits; counting removes/maps them."""
    text = "إرهابيـــة ٢٠٢٥"
    assert _camel_pipeline(text) == "ارهابيـــه ٢٠٢٥"
    assert arabic.normalize(text) == "ارهابيه 2025"


# --- tokenization -------------------------------------------------------------------------

_WORD_CHARACTER_RE = re.compile(arabic._OTHER_ALNUM)  # a non-Arabic letter or a digit
_PURE_ARABIC_WORD_RE = re.compile(
    "[{marks}]*[{letters}][{letters}{marks}]*".format(
        letters=charsets.class_body(arabic.ARABIC_LETTERS),
        marks=charsets.class_body(arabic.ARABIC_MARKS)
        + arabic.TATWEEL
        + charsets.class_body(arabic.FORMAT_CONTROLS),
    )
)


def _standalone_arabic_words_ours(text: str) -> Counter[str]:
    """Our Arabic tokens not glued to a non-Arabic letter or digit (CAMeL keeps those runs)."""
    return Counter(
        arabic.normalize(token.text)
        for token in arabic.tokenize(text)
        if token.kind == "arabic"
        and not (token.start > 0 and _WORD_CHARACTER_RE.match(text[token.start - 1]))
        and not (token.end < len(text) and _WORD_CHARACTER_RE.match(text[token.end]))
    )


def _standalone_arabic_words_camel(text: str) -> Counter[str]:
    """CAMeL tokens made of Arabic letters, marks, tatweel and format controls only."""
    return Counter(
        arabic.normalize(token)
        for token in camel_word.simple_word_tokenize(text)
        if _PURE_ARABIC_WORD_RE.fullmatch(token)
    )


@pytest.mark.slow
def test_arabic_words_identical_to_camel_tokenizer(articles: list[str]) -> None:
    """Words that stand between spaces or punctuation are the same words in both."""
    for text in [*_seed_texts(), *articles[:500]]:
        assert _standalone_arabic_words_ours(text) == _standalone_arabic_words_camel(text)


@pytest.mark.parametrize(
    ("text", "ours", "camel"),
    [
        ("24,6 في المائة", ["24,6", "في", "المائة"], ["24", ",", "6", "في", "المائة"]),
        ("طائرات F-35", ["طائرات", "F-35"], ["طائرات", "F", "-", "35"]),
        ("«داعش»؟", ["داعش"], ["«", "داعش", "»", "؟"]),
        ("الـBCIJ", ["الـ", "BCIJ"], ["الـBCIJ"]),
    ],
)
def test_deliberate_tokenization_differences(text: str, ours: list[str], camel: list[str]) -> None:
    """We keep numbers and hyphenated codes whole, drop punctuation and split scripts."""
    assert [token.text for token in arabic.tokenize(text)] == ours
    assert camel_word.simple_word_tokenize(text) == camel

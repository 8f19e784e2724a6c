"""analysis.corpus: readers, hygiene, boilerplate families, duplicates, bad input, CLI."""

from __future__ import annotations

import contextlib
import json
import re
import subprocess
import sys
import time
import unicodedata
import zipfile
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import config, corpus
from analysis.corpus import (
    CorpusError,
    Fingerprint,
    LoadReport,
    clean_text,
    fingerprint,
    fingerprints,
    flag_duplicates,
    fold,
    hygiene,
    iter_documents,
    load_corpus,
    parse_date_text,
)
from analysis.corpus.spelling import _tolerant_char, phrases

DATA = Path(__file__).parent / "data" / "corpus"
SEED = config.SEEDS_DIR

BODY = (
    "أكدت مصادر أمنية أن السلطات المغربية فككت خلية إرهابية كانت تخطط لتنفيذ هجمات "
    "في عدة مدن، وذلك بتنسيق مع أجهزة استخبارات أجنبية."
)
BODY_2 = (
    "وأوضح البلاغ أن عناصر الخلية كانوا ينشطون عبر منصات التواصل الاجتماعي لاستقطاب "
    "الشباب ونشر الفكر المتطرف."
)


def rules_of(raw: str) -> list[tuple[str, str]]:
    return [(r.rule, r.text.strip()) for r in clean_text(raw).removed]


# --------------------------------------------------------------------------- hygiene


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("\ufeffالمغرب", "المغرب"),  # BOM
        ("سطر أول\r\nسطر ثان\rسطر ثالث", "سطر أول\nسطر ثان\nسطر ثالث"),
        ("مكافحة\u200b الإرهاب\u200f", "مكافحة الإرهاب"),  # zero-width space, RLM
        ("\u202bالأمن الوطني\u202c", "الأمن الوطني"),  # bidi embedding
        ("\ufefb\ufe8e\ufea3\ufe98\ufbfe", "\u0644\u0627\u0627\u062d\u062a\u06cc"),  # forms
        ("\ufdf2", "\u0627\u0644\u0644\u0647"),  # the ligature of الله
        ("ا\u0653", "\u0622"),  # NFC composes alef + madda
        ("نص عادي يبقى كما هو.", "نص عادي يبقى كما هو."),
        ("فقرة\n\nفقرة ثانية\n\n", "فقرة\n\nفقرة ثانية"),  # trailing blank lines only
    ],
)
def test_hygiene(raw, expected):
    assert hygiene(raw) == expected


def test_hygiene_maps_isolated_harakat_forms_without_inserting_spaces():
    assert hygiene("\u0643\ufe76\u062a\u0628") == "\u0643\u064e\u062a\u0628"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\u0627\u0653 \u0627\u0653\n\u0627\u0653",  # alef + madda in every piece
        "\u0628\u0651\u064e",  # shadda before fatha: marks reordered
        " \u0651\u064e\n\u064e\u0651 ",  # marks after a space or a line break
        "e\u0301 \u00e9\u0301\u0323",  # Latin: composed, reordered
        "\u1100\u1161 \u1100\n\u1161",  # Hangul jamo compose, not across a space
    ],
)
def test_nfc_by_pieces_equals_nfc(text):
    """A space or a line break ends every composition: normalizing the pieces that need it
    gives the text's NFC."""
    from analysis.corpus.clean import nfc

    assert nfc(text) == unicodedata.normalize("NFC", text)


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        st.sampled_from(
            [
                *" \n\u0627\u0628e\u1100\u1161",
                *map(chr, range(0x300, 0x310)),
                *map(chr, range(0x64B, 0x656)),
                "\u0653",
                "\u0654",
            ]
        ),
        max_size=30,
    )
    | st.text(max_size=40)
)
def test_nfc_by_pieces_equals_nfc_on_generated_text(text):
    from analysis.corpus.clean import nfc

    assert nfc(text) == unicodedata.normalize("NFC", text)


# --------------------------------------------------------------------------- seeds


def seed(prefix: str) -> str:
    (path,) = SEED.glob(f"{prefix}_*.txt")
    return path.read_text(encoding="utf-8")


def test_seed_004_ticker_image_report_dateline_and_source_link_removed():
    cleaned = clean_text(seed("004"))
    assert [r.rule for r in cleaned.removed] == [
        "ticker",
        "image_report",
        "image_report",
        "dateline",
        "source_link",
    ]
    assert cleaned.removed[0].line == 1 and len(cleaned.removed[0].text) > 3800
    assert "مهرجان روح الثقافات" not in cleaned.text
    assert cleaned.text.startswith("التجربة المغربية في مكافحة الإرهاب.. أمريكا تعول على الرباط")
    assert cleaned.title == (
        "التجربة المغربية في مكافحة الإرهاب.. أمريكا تعول على الرباط لحماية مصالح أمنها القومي"
    )
    assert (cleaned.source, cleaned.date) == ("الدار", datetime(2020, 12, 17))
    assert cleaned.text.endswith("تابع لمكتب الأمم المتحدة لمكافحة الإرهاب.")


def test_seed_001_keeps_title_headings_and_short_paragraphs_drops_chrome():
    cleaned = clean_text(seed("001"))
    assert rules_of(seed("001")) == [
        ("category_label", "العالمالمغرب"),
        ("related_links", "مقالات ذات صلة"),
        ("comment_form", "اترك تعليقاً"),
        ("comment_form", "لن يتم نشر عنوان بريدك الإلكتروني. الحقول الإلزامية مشار إليها بـ *"),
        ("back_to_top", "زر الذهاب إلى الأعلى"),
    ]
    for kept in (
        "الاستخبارات في قلب المعادلة",
        "من الردع الى الوقاية",
        "نجاعة متواصلة رغم التحديات",
    ):
        assert f"\n{kept}\n" in cleaned.text
    assert cleaned.title.startswith("المقاربة الاستباقية للأمن المغربي")


def test_seed_002_keeps_list_items_and_conclusion():
    cleaned = clean_text(seed("002"))
    assert [r.rule for r in cleaned.removed] == [
        "category_label",
        "comment_form",
        "comment_form",
        "back_to_top",
    ]
    assert "  • مراقبة المساجد: وضمان عدم استغلالها من قبل الجماعات المتطرفة." in cleaned.text
    assert "\nخاتمة\n" in cleaned.text
    assert "Back to top" not in cleaned.text


def test_seed_000_follow_footer_names_the_outlet():
    cleaned = clean_text(seed("000"))
    assert rules_of(seed("000")) == [
        ("share_follow_prompt", "النهار24 – تابعوا جديد أخبار النهار24 على : GOOGLE NEWS")
    ]
    assert cleaned.source == "النهار24"
    assert cleaned.title is None  # the article opens with a paragraph, not a headline


def test_seed_003_repeated_paragraphs_kept_once():
    raw = seed("003")
    cleaned = clean_text(raw)
    assert [(r.line, r.rule) for r in cleaned.removed] == [
        (5, "repeated_paragraph"),
        (6, "repeated_paragraph"),
        (7, "repeated_paragraph"),
    ]
    assert cleaned.text == "\n".join(raw.split("\n")[:4])


def test_a_repeated_short_heading_is_structure_not_a_scraper_repeat():
    """Each recipe has its own "طريقة التحضير:"; only a repeated whole paragraph goes."""
    paragraph = "وأكد المتحدث أن الأجهزة الأمنية فككت الخلية قبل تنفيذ مخططها"
    raw = "\n".join(
        [
            "* المقادير:",
            "كوب من الأرز",
            "* طريقة التحضير:",
            "يغسل الأرز جيدا",
            "* المقادير:",
            "كوبان من العدس",
            "* طريقة التحضير:",
            "يطهى العدس على نار هادئة",
            paragraph,
            paragraph,
        ]
    )
    cleaned = clean_text(raw)
    assert [(r.line, r.rule) for r in cleaned.removed] == [(10, "repeated_paragraph")]
    assert cleaned.text.count("* طريقة التحضير:") == 2


# --------------------------------------------------------------------------- rule families

FAMILY_CASES = [
    # tickers and navigation
    ("ticker", " | ".join(f"عنوان خبر رقم {i} عن الطقس والرياضة" for i in range(8))),
    ("ticker", "\u00a0\u00a0\u00a0".join(f"Headline number {i} about sports" for i in range(8))),
    ("navigation", "الرئيسية | أخبار | رياضة | اقتصاد | ثقافة"),
    ("navigation", "Home • World • Politics • Sport"),
    ("navigation", "القائمة الرئيسية"),
    ("navigation", "Skip to content"),
    ("breadcrumb", "الرئيسية » أخبار وطنية » أمن"),
    ("breadcrumb", "Home > News > Morocco"),
    ("breadcrumb", "الرئيسية \u203a المغرب \u203a أمن"),
    ("breadcrumb", "Home \\ News \\ Sahel"),
    # separated by spaces alone: three in a row make a mark, two do not
    ("ticker", "   ".join(f"عنوان خبر رقم {i} عن الطقس والرياضة" for i in range(8))),
    ("navigation", "الرئيسية   أخبار   رياضة   اقتصاد"),
    # comment forms and notices
    ("comment_form", "اترك رداً"),
    ("comment_form", "أضف تعليقك"),
    ("comment_form", "لن يتم نشر بريدك الإلكتروني."),
    ("comment_form", "Leave a Reply"),
    ("comment_form", "Your email address will not be published. Required fields are marked *"),
    ("comment_form", "تعليقات (3)"),
    # share / follow / subscribe
    ("share_follow_prompt", "شارك هذا المقال"),
    ("share_follow_prompt", "تابعونا على فيسبوك وتويتر"),
    ("share_follow_prompt", "هسبريس - تابعوا آخر الأخبار عبر تطبيق تلغرام"),
    ("share_follow_prompt", "اشترك في النشرة البريدية"),
    ("share_follow_prompt", "Follow us on Twitter"),
    ("share_follow_prompt", "Facebook Twitter WhatsApp Email"),
    # related / read also
    ("related_links", "اقرأ أيضاً: المغرب يفكك خلية إرهابية في طنجة"),
    ("related_links", "إقرأ ايضا"),
    ("related_links", "أخبار ذات صلة"),
    ("related_links", "Read also: Morocco dismantles a terror cell"),
    # tags
    ("tags", "الوسوم: الإرهاب، المغرب، الساحل"),
    ("tags", "Tags: terrorism, Morocco"),
    ("tags", "#المغرب #الإرهاب #الأمن"),
    ("tags", " ".join(f"#وسم{i}" for i in range(40))),  # longer than any other shape rule
    # copyright and cookies
    ("copyright", "© 2024 جميع الحقوق محفوظة لموقع الأخبار"),
    ("copyright", "Copyright 2023 Example Media. All rights reserved."),
    ("cookie_notice", "يستخدم هذا الموقع ملفات تعريف الارتباط لتحسين تجربتك."),
    ("cookie_notice", "This website uses cookies to improve your experience."),
    # image reports, source links, back to top
    ("image_report", "شكراً لك على الإبلاغ"),
    ("image_report", "Thanks for reporting this image"),
    ("source_link", "اضغط هنا لقراءة المقال من المصدر"),
    ("source_link", "Read the original article"),
    ("source_link", "https://example.com/news/123"),
    ("back_to_top", "العودة إلى الأعلى"),
    ("back_to_top", "Scroll to top"),
    ("back_to_top", "\u2191"),
]


@pytest.mark.parametrize(("rule", "line"), FAMILY_CASES)
def test_boilerplate_family_is_removed_with_its_rule(rule, line):
    raw = f"{BODY}\n\n{line}\n\n{BODY_2}"
    cleaned = clean_text(raw)
    assert [(r.line, r.rule, r.text) for r in cleaned.removed] == [(3, rule, line)]
    assert cleaned.text == f"{BODY}\n\n{BODY_2}"


KEPT_LINES = [
    "خاتمة",  # a one-word section heading
    "الاستخبارات في قلب المعادلة",
    "  • تعزيز التعاون الأمني مع دول الجوار.",
    "1. الاستراتيجية الأمنية: نهج استباقي",
    "شارك وزير الداخلية في اجتماع أمني بالرباط.",  # شارك = took part, not "share"
    "تابع الوزير حديثه مؤكدا أهمية اليقظة.",
    "نعم.",
    "وقال المسؤول إن جميع الحقوق محفوظة للضحايا في إطار القانون والدستور المغربي الذي يضمن "
    "الحق في التعويض وجبر الضرر لكل المتضررين من الأعمال الإرهابية منذ سنة 2003 وإلى اليوم "
    "بحسب ما أكدته المصادر الرسمية",  # mentions a notice inside a long paragraph
    "وأضاف أن الأمن  والاستقرار  مسؤولية  الجميع  في  كل  المدن  والقرى  المغربية  دون "
    "استثناء  وبلا  تردد  أو  تهاون  من  أي  جهة  كانت",  # stray double spaces are not a ticker
    "الدار البيضاء / الرباط: اجتماع تنسيقي",
    "التاريخ : 9 / 10 / 2020",
]


@pytest.mark.parametrize("line", KEPT_LINES)
def test_body_lines_that_resemble_chrome_are_kept(line):
    raw = f"{BODY}\n\n{line}\n\n{BODY_2}"
    assert clean_text(raw) == (hygiene(raw), [], None, None, None)


def test_clean_article_comes_out_unchanged():
    raw = (DATA / "clean_article.txt").read_text(encoding="utf-8")
    cleaned = clean_text(raw)
    assert cleaned.removed == []
    assert cleaned.text == hygiene(raw)
    assert cleaned.title == "المغرب يعزز التعاون الأمني مع دول الساحل"


def test_short_title_is_not_taken_for_a_category_label():
    raw = f"الإرهاب في الساحل\n\n{BODY}"
    assert clean_text(raw).removed == []
    raw = f"البابونج\n* ما هي الفوائد الصحية للبابونج؟\n{BODY}"
    assert clean_text(raw).removed == []


def test_related_block_takes_its_headlines_and_stops_at_body():
    raw = f"{BODY}\n\nمقالات ذات صلة\nالمغرب يفكك خلية في طنجة\nتوقيف متطرف في فاس\n\n{BODY_2}"
    assert rules_of(raw) == [
        ("related_links", "مقالات ذات صلة"),
        ("related_links", "المغرب يفكك خلية في طنجة"),
        ("related_links", "توقيف متطرف في فاس"),
    ]
    assert clean_text(raw).text == f"{BODY}\n\n{BODY_2}"


@pytest.mark.parametrize(
    ("line", "source", "date"),
    [
        ("نشر في الدار يوم 17 - 12 - 2020", "الدار", datetime(2020, 12, 17)),
        ("نشر في هسبريس يوم ٠٣ - ٠٤ - ٢٠٢١", "هسبريس", datetime(2021, 4, 3)),
        ("تاريخ النشر: 17 ديسمبر 2020", None, datetime(2020, 12, 17)),
        ("نشر بتاريخ الخميس 5 شتنبر 2019 - 10:30", None, datetime(2019, 9, 5)),
        ("Published on December 3, 2020", None, datetime(2020, 12, 3)),
    ],
)
def test_dateline_gives_outlet_date_and_title(line, source, date):
    raw = f"عنوان المقال عن مكافحة الإرهاب بالمغرب\n{line}\n\n{BODY}"
    cleaned = clean_text(raw)
    assert [(r.line, r.rule) for r in cleaned.removed] == [(2, "dateline")]
    assert (cleaned.title, cleaned.source, cleaned.date) == (
        "عنوان المقال عن مكافحة الإرهاب بالمغرب",
        source,
        date,
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("17 - 12 - 2020", datetime(2020, 12, 17)),
        ("2020/12/17", datetime(2020, 12, 17)),
        ("3 أيار 2019", datetime(2019, 5, 3)),
        ("\u0661\u0667 - \u0661\u0662 - \u0662\u0660\u0662\u0660", datetime(2020, 12, 17)),
        ("\u06f1\u06f7 - \u06f1\u06f2 - \u06f2\u06f0\u06f2\u06f0", datetime(2020, 12, 17)),
        ("31 - 02 - 2020", None),  # no such day
        ("قبل ساعتين", None),
    ],
)
def test_parse_date_text(text, expected):
    assert parse_date_text(text) == expected


def test_fold_reads_arabic_indic_and_persian_digits_as_ascii():
    # The Persian table was defined but never applied: rules saw "۲۰۲۰" and "2020" apart.
    assert fold("\u0662\u0660\u0662\u0660 \u06f2\u06f0\u06f2\u06f0") == "2020 2020"


def _longest_first_alternation(words: list[str]) -> str:
    """The plain alternation `phrases` replaced: every phrase in full, longest first (and,
    for no phrase at all, a pattern that matches nothing)."""
    unique = sorted({fold(w) for w in words}, key=lambda p: (-len(p), p))
    if not unique:
        return "(?!)"
    return "|".join("".join(_tolerant_char(c) for c in phrase) for phrase in unique)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("اقرأ أيضاً: خلية إرهابية", "اقرأ أيضاً"),  # hamza and tanween tolerated
        ("اقــرأ المزيد عن الخلية", "اقــرأ المزيد"),  # tatweel tolerated
        ("اقرأ المزيد من الأخبار", "اقرأ المزيد من الأخبار"),  # the longer phrase wins
        ("اقرا  ايضا", "اقرا  ايضا"),  # any run of blanks between words
        ("اقترح", None),  # starts like a phrase, is none
        ("READ more", "READ more"),
    ],
)
def test_phrases_match_the_longest_phrase_in_any_spelling(line, expected):
    pattern = re.compile(
        phrases(["اقرأ أيضا", "اقرأ المزيد", "اقرأ المزيد من الأخبار", "read more"]),
        re.IGNORECASE,
    )
    match = pattern.match(line)
    assert (match and match.group()) == expected


_PHRASE_ALPHABET = ["ا", "أ", "ب", "ة", "ه", "ى", "ي", " ", "\u0640", "\u064e", ".", "a", "B"]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.text(st.sampled_from(_PHRASE_ALPHABET), max_size=6), max_size=8),
    st.text(st.sampled_from([*_PHRASE_ALPHABET, "\u00a0", "\t", "c"]), max_size=14),
)
def test_phrases_match_what_the_longest_first_alternation_matched(words, text):
    """The trie `phrases` writes finds, at every place, the span the plain alternation of
    whole phrases, longest first, found: searched, at the start and as the whole text."""
    trie = re.compile(f"(?:{phrases(words)})", re.IGNORECASE)
    plain = re.compile(f"(?:{_longest_first_alternation(words)})", re.IGNORECASE)
    for method in ("search", "match", "fullmatch"):
        found, reference = getattr(trie, method)(text), getattr(plain, method)(text)
        assert (found and found.span()) == (reference and reference.span()), method


def test_clean_text_is_pure_and_deterministic():
    raw = seed("004")
    assert clean_text(raw) == clean_text(raw)


# --------------------------------------------------------------------------- duplicates


def test_exact_and_near_duplicates_are_flagged_against_the_earlier_document():
    third = "وفي سياق متصل أعلنت السلطات عن تعزيز الإجراءات الأمنية في المطارات والموانئ."
    original = f"{BODY}\n{BODY_2}\n{third}"
    fps = {
        "a": fingerprint(original),
        "b": fingerprint(original.replace("،", " ،  ")),  # same words, other spacing
        "c": fingerprint(f"{BODY}\n{BODY_2}\n{third}\nتعليق قصير من المحرر."),  # near copy
        "d": fingerprint("نص مختلف تماما عن الرياضة والطقس في نهاية الأسبوع المقبل هنا."),
        "e": fingerprint(f"{BODY}\nجملة جديدة كليا لا علاقة لها بما سبق من الكلام هنا."),
    }
    assert flag_duplicates(fps) == {"b": "a", "c": "a"}


@pytest.mark.parametrize("call", ["fingerprint({text!r})", "fingerprints([{text!r}])"])
def test_fingerprints_are_stable_across_processes(call):
    """blake2b, and polars' hash with fixed seeds: two workers give one text one value."""
    text = "جملة أولى طويلة بما يكفي هنا. جملة ثانية طويلة بما يكفي هنا."
    code = f"from analysis.corpus import *; print({call.format(text=text)})"
    runs = {
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env={"PYTHONHASHSEED": seed_value, "PATH": ""},
        ).stdout
        for seed_value in ("1", "2")
    }
    assert len(runs) == 1 and "frozenset({" in runs.pop()


def test_of_two_equally_good_originals_the_earlier_is_kept():
    """Ties never depend on the hash values (which differ between `fingerprint` and
    `fingerprints`): a copy holding as many sentences of either earlier document is the
    first's. Small ints iterate in order in a set, so sentence 0 (the second's only) is
    counted first, which put the second ahead when ties went to the first one counted."""
    first = Fingerprint("1", frozenset({1, 2, 3, 4, 10, 11}))
    second = Fingerprint("2", frozenset({0, 2, 3, 4, 20, 21}))  # shares 3 of 6: kept
    copy = Fingerprint("3", frozenset({0, 1, 2, 3, 4}))  # 4 of 5 in each: 80 %
    assert flag_duplicates({"first": first, "second": second, "copy": copy}) == {"copy": "first"}
    sentences = [f"الجملة رقم {i} من هذا الخبر الطويل نسبيا." for i in range(5)]
    texts = {
        "first": [*sentences[1:], "خاتمة أولى لا تشبه غيرها في شيء هنا.", "وجملة للأول وحده هنا."],
        "second": [
            sentences[0],
            *sentences[2:],
            "خاتمة ثانية مختلفة عن الأولى هنا.",
            "وجملة أخرى.",
        ],
        "copy": sentences,
    }
    joined = ["\n".join(t) for t in texts.values()]
    for prints in ([fingerprint(t) for t in joined], fingerprints(joined)):
        assert flag_duplicates(dict(zip(texts, prints, strict=True))) == {"copy": "first"}


def _flag_duplicates_by_hand(
    prints: dict[str, Fingerprint], *, containment: float, max_postings: int
) -> dict[str, str]:
    """`flag_duplicates` written out: every kept document compared with each new one."""
    kept: list[tuple[str, Fingerprint]] = []
    found: dict[str, str] = {}
    for doc_id, fp in prints.items():
        if not fp.digest:
            continue
        same = [k for k, other in kept if other.digest == fp.digest]
        if same:
            found[doc_id] = same[0]
            continue
        if len(fp.chunks) >= 2:
            # A sentence held by more than `max_postings` kept documents is not evidence.
            evidence = {c for c in fp.chunks if sum(c in o.chunks for _, o in kept) <= max_postings}
            counts = [(len(evidence & o.chunks), -i, k) for i, (k, o) in enumerate(kept)]
            best = max(counts, default=(0, 0, ""))
            if best[0] and best[0] >= containment * len(fp.chunks):
                found[doc_id] = best[2]
                continue
        kept.append((doc_id, fp))
    return found


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from("abc"), st.frozensets(st.integers(0, 6), max_size=5)),
        max_size=12,
    ),
    st.integers(1, 3),
)
def test_duplicates_are_those_found_by_comparing_every_pair(documents, max_postings):
    """Sentences in one earlier document, in several, and in more than `max_postings`."""
    prints = {
        str(i): Fingerprint(digest + str(sorted(chunks)) if chunks else "", chunks)
        for i, (digest, chunks) in enumerate(documents)
    }
    got = flag_duplicates(prints, containment=0.6, max_postings=max_postings)
    assert got == _flag_duplicates_by_hand(prints, containment=0.6, max_postings=max_postings)


# Characters where Python's and Rust's regexes disagree (`\s`: \x1c-\x1f, \x85), the
# punctuation and sentence ends fingerprints drop, Arabic, digits, a lone surrogate.
_FINGERPRINT_ALPHABET = [
    *"اب ة.!?؟۔\n,،؛:()«»\"'-–*_ \t\x1c\x1f\x85\u2028\u00a0\u3000a1٣",
    "\ud800",
    "كلمة",
    "أخرى",
]


def _same_partition(left: list, right: list) -> bool:
    """Whether `left[i] == left[j]` exactly when `right[i] == right[j]`."""
    pairs = {}
    for a, b in zip(left, right, strict=True):
        if pairs.setdefault(a, b) != b:
            return False
    return len(set(pairs.values())) == len(pairs)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.lists(st.sampled_from(_FINGERPRINT_ALPHABET), max_size=40).map("".join),
        min_size=1,
        max_size=8,
    ).flatmap(lambda texts: st.just(texts + texts[: len(texts) // 2]))
)
def test_fingerprints_equal_exactly_where_fingerprint_does(texts):
    """The batch twin: the same equal digests and equal sentence hashes, so the same flags."""
    want, got = [fingerprint(t) for t in texts], fingerprints(texts)
    assert [w.digest == "" for w in want] == [g.digest == "" for g in got]
    assert _same_partition([w.digest for w in want], [g.digest for g in got])
    # The sentences two texts share, as many with either kind of hash (a text with itself:
    # its number of sentences), which is all that `flag_duplicates` counts.
    assert [[len(w.chunks & v.chunks) for v in want] for w in want] == [
        [len(g.chunks & h.chunks) for h in got] for g in got
    ]
    ids = [str(i) for i in range(len(texts))]
    assert flag_duplicates(dict(zip(ids, want, strict=True))) == flag_duplicates(
        dict(zip(ids, got, strict=True))
    )


def test_load_corpus_excludes_duplicates_unless_kept(tmp_path):
    (tmp_path / "a.txt").write_text(f"{BODY}\n{BODY_2}", encoding="utf-8")
    (tmp_path / "b.txt").write_text(f"{BODY}\n\n{BODY_2}\n\nشارك هذا المقال", encoding="utf-8")
    corpus = load_corpus(tmp_path)
    assert corpus.documents["duplicate_of"].fillna("-").tolist() == ["-", "a"]
    assert corpus.documents["is_duplicate"].tolist() == [False, True]
    assert corpus.analysed()["doc_id"].tolist() == ["a"]
    assert corpus.left_out() == {"b"}
    kept = load_corpus(tmp_path, keep_duplicates=True)
    assert kept.analysed()["doc_id"].tolist() == ["a", "b"]
    assert kept.left_out() == set()


# --------------------------------------------------------------------------- loading


def test_seed_corpus_loads_by_default_with_documented_columns():
    corpus = load_corpus()
    docs = corpus.documents
    assert list(docs.columns) == [
        "doc_id", "source_file", "record", "title", "source", "url", "author", "date",
        "raw_text", "text", "n_chars_raw", "n_chars_clean", "n_words_raw", "n_words_clean",
        "duplicate_of", "is_duplicate",
    ]  # fmt: skip
    assert docs["doc_id"].str[:3].tolist() == ["000", "001", "002", "003", "004"]
    assert str(docs["date"].dtype) == "datetime64[ns]"
    assert str(docs["record"].dtype) == "Int64" and docs["record"].isna().all()
    assert not docs["is_duplicate"].any()
    assert (docs["n_words_clean"] < docs["n_words_raw"]).all()
    assert corpus.name == "seeds" and len(corpus.content_hash) == 64
    assert corpus.problems.empty  # README.md is documentation, not a problem
    assert set(corpus.audit.columns) == {"doc_id", "line", "rule", "text"}
    assert corpus.audit.groupby("doc_id").size().to_dict() == {
        d: n for d, n in zip(docs["doc_id"], [1, 5, 4, 3, 5], strict=True)
    }
    row = docs.iloc[4]
    assert (row["source"], row["date"]) == ("الدار", pd.Timestamp("2020-12-17"))
    assert docs["raw_text"].iloc[3] == seed("003")


def test_csv_metadata_becomes_columns():
    docs = load_corpus(DATA / "articles.csv").documents
    assert docs["doc_id"].tolist() == ["articles:0", "articles:1"]
    assert docs["title"].tolist() == ["مقال أول", "مقال ثان"]
    assert docs["source"].tolist() == ["هسبريس", "الأيام"]
    assert docs["date"].tolist() == [pd.Timestamp("2021-03-04"), pd.Timestamp("2021-03-05")]
    assert docs["record"].tolist() == [0, 1]


def test_jsonl_text_field_found_and_dates_converted_to_utc():
    docs = load_corpus(DATA / "articles.jsonl").documents
    assert docs["text"].iloc[0].startswith("أعلن المكتب المركزي")
    assert docs["date"].iloc[0] == pd.Timestamp("2022-01-10 08:00:00")
    assert pd.isna(docs["date"].iloc[1]) and docs["author"].iloc[1] == "سعيد"


def test_parquet_and_json_array_with_named_text_field(tmp_path):
    rows = [{"headline": "عنوان", "story": "نص الخبر عن الأمن.", "link": "http://x.ma/1"}]
    pd.DataFrame(rows).to_parquet(tmp_path / "a.parquet")
    (tmp_path / "b.json").write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    docs = load_corpus(tmp_path, text_field="story").documents
    assert docs["source_file"].tolist() == ["a.parquet", "b.json"]
    assert docs["title"].tolist() == ["عنوان", "عنوان"]
    assert docs["url"].tolist() == ["http://x.ma/1"] * 2


def test_zip_members_read_in_place(tmp_path):
    archive = tmp_path / "batch.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(DATA / "articles.jsonl", "batch/articles.jsonl")
        zf.write(DATA / "clean_article.txt", "batch/article.txt")
        zf.writestr("__MACOSX/._article.txt", b"\x00\x01")
    docs = load_corpus(archive).documents
    assert docs["source_file"].tolist() == [
        "batch.zip!batch/article.txt",
        "batch.zip!batch/articles.jsonl",
        "batch.zip!batch/articles.jsonl",
    ]
    assert docs["doc_id"].tolist() == [
        "batch/batch/article",
        "batch/batch/articles:0",
        "batch/batch/articles:1",
    ]


def test_mixed_folder_is_walked_recursively_in_sorted_order():
    corpus = load_corpus(DATA / "mixed")
    assert corpus.documents["source_file"].tolist() == ["a.txt", "sub/b.jsonl", "sub/b.jsonl"]
    assert corpus.problems[["file", "severity"]].values.tolist() == [["notes.rtf", "warning"]]


def test_content_hash_changes_with_the_bytes(tmp_path):
    (tmp_path / "a.txt").write_text(BODY, encoding="utf-8")
    first = load_corpus(tmp_path).content_hash
    assert load_corpus(tmp_path).content_hash == first
    (tmp_path / "a.txt").write_text(BODY_2, encoding="utf-8")
    assert load_corpus(tmp_path).content_hash != first


# --------------------------------------------------------------------------- bad input


def problems_of(path: Path, **options) -> list[tuple[str, str, str, str]]:
    report = LoadReport()
    with contextlib.suppress(CorpusError):  # raised too when the file held nothing usable
        list(iter_documents(path, report=report, **options))
    return [tuple(p) for p in report.problems]


@pytest.mark.parametrize(
    ("name", "options", "expected"),
    [
        ("empty.txt", {}, [("empty.txt", "", "error", "empty file")]),
        (
            "undecodable.txt",
            {},
            [("undecodable.txt", "line 2", "error", "not valid UTF-8: byte 0xff at offset 13")],
        ),
        (
            "malformed.json",
            {},
            [
                (
                    "malformed.json",
                    "line 3",
                    "error",
                    "malformed JSON: Expecting ',' delimiter (column 1)",
                )
            ],
        ),
        (
            "no_text_column.csv",
            {"text_field": "content"},
            [
                (
                    "no_text_column.csv",
                    "line 1",
                    "error",
                    "missing column: 'content' not among title, body",
                )
            ],
        ),
    ],
)
def test_bad_files_are_reported_with_file_and_location(name, options, expected):
    assert problems_of(DATA / name, **options) == expected


def test_bad_records_are_skipped_and_named_others_still_load():
    corpus = load_corpus(DATA / "bad_records.json")
    assert corpus.documents["title"].tolist() == ["سليم"]
    assert corpus.problems.values.tolist() == [
        ["bad_records.json", "record 0", "error",
         "no text field: none of content, text, body, article, article_text, ... among title, url"],
        ["bad_records.json", "record 1", "error", "empty text: field 'content' has no text"],
        ["bad_records.json", "record 2", "warning", "unparseable date: 'غدا' in 'date'"],
    ]  # fmt: skip
    assert corpus.summary == "read 1, skipped 2 (1 no text field, 1 empty text), 1 warning(s)"


def test_zip_with_nothing_usable(tmp_path):
    archive = tmp_path / "junk.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("image.png", b"\x89PNG")
    (tmp_path / "ok.txt").write_text(BODY, encoding="utf-8")
    corpus = load_corpus(tmp_path)
    assert corpus.documents["doc_id"].tolist() == ["ok"]
    assert corpus.problems[["file", "severity", "message"]].values.tolist() == [
        ["junk.zip!image.png", "warning", "ignored: not a supported format"],
        ["junk.zip", "error", "no readable documents in archive"],
    ]


def test_missing_path_and_nothing_loadable_raise_clear_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        load_corpus(tmp_path / "absent")
    with pytest.raises(CorpusError, match=r"empty\.txt.*empty file"):
        load_corpus(DATA / "empty.txt")


# --------------------------------------------------------------------------- CLI


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "analysis", "clean", *args],
        capture_output=True,
        env={"PYTHONIOENCODING": "ascii", "LC_ALL": "C", "PATH": ""},
        cwd=config.PROJECT_ROOT,
        check=False,
    )


def test_cli_prints_cleaned_text_in_utf8_whatever_the_locale():
    (path,) = SEED.glob("004_*.txt")
    result = run_cli(str(path))
    assert result.returncode == 0, result.stderr
    expected = clean_text(path.read_text(encoding="utf-8")).text
    assert result.stdout.decode("utf-8") == expected + "\n"


def test_cli_audit_lists_rules():
    (path,) = SEED.glob("001_*.txt")
    out = run_cli(str(path), "--audit").stdout.decode("utf-8")
    assert "line    1  category_label        العالمالمغرب" in out
    assert "# removed 5 line(s)" in out


def test_cli_multi_record_file_needs_doc_and_finds_it():
    result = run_cli(str(DATA / "articles.csv"))
    assert result.returncode == 2 and b"--doc" in result.stderr
    result = run_cli(str(DATA / "articles.csv"), "--doc", "articles:1")
    assert result.stdout.decode("utf-8").startswith("أطلقت وزارة الأوقاف")


# --------------------------------------------------------------------------- real corpus


@pytest.mark.slow
@pytest.mark.skipif(
    not config.SAUDINEWSNET_DIR.is_dir(),
    reason=f"SaudiNewsNet corpus not found at {config.SAUDINEWSNET_DIR}",
)
def test_saudinewsnet_loads_with_no_option():
    started = time.perf_counter()
    corpus = load_corpus(config.SAUDINEWSNET_DIR)
    elapsed = time.perf_counter() - started
    docs = corpus.documents
    skipped = (corpus.problems["severity"] == "error").sum()
    assert len(docs) + skipped == 31_030
    assert (corpus.problems.loc[corpus.problems["severity"] == "error", "message"]
            .str.startswith("empty text").all())  # fmt: skip
    assert docs["doc_id"].is_unique and docs["source"].notna().all()
    assert docs["date"].notna().all() and docs["date"].min() >= pd.Timestamp("2015-07-21")
    assert docs["is_duplicate"].sum() < len(docs) * 0.1
    print(f"SaudiNewsNet: {len(docs)} documents, {skipped} skipped, {elapsed:.1f} s")


def test_document_rows_in_chunks_equal_one_frame_built_at_once(monkeypatch):
    """Chunking is invisible: a text column empty in one chunk still comes out as `str`."""
    monkeypatch.setattr(corpus.DocumentRows, "CHUNK", 2)
    rows = [
        {
            "doc_id": f"d{i}",
            "source_file": "f.json",
            "record": i,
            "title": title,
            "source": None,
            "url": None,
            "author": None,
            "date": None,
            "raw_text": "نص",
            "text": "نص",
            "n_chars_raw": 2,
            "n_chars_clean": 2,
            "n_words_raw": 1,
            "n_words_clean": 1,
        }
        for i, title in enumerate([None, None, "عنوان", None, "title"])
    ]
    collected = corpus.DocumentRows()
    for row in rows:
        collected.append(row)
    at_once = pd.DataFrame(rows, columns=list(corpus.DOCUMENT_COLUMNS[:-2]))
    pd.testing.assert_frame_equal(collected.frame(), at_once)
    assert str(at_once["title"].dtype) == "str" and at_once["url"].dtype == object


@pytest.mark.parametrize(
    "line",
    [
        "قال الوزير إن التعاون مستمر",  # already single-spaced: returned as it is
        "a b",
        "قال  الوزير",  # a double space
        "a\tb",
        "a\u00a0b",  # no-break space
        "a\u3000b\u2028c",
        "a \x1c b",  # a separator str.split splits on
        "a\u200bb",  # zero width space: not a blank
        "a\u200c\u00a0b",  # unprintable, and a blank
        "\u0627\u0644\u0623\u0645\u0646 \u0600\u0661",  # unprintable (a number sign), no blank
    ],
)
def test_single_spaced_equals_split_and_join(line):
    from analysis.corpus.clean import _single_spaced

    assert _single_spaced(line) == " ".join(line.split())


@settings(max_examples=300, deadline=None)
@given(st.text(st.sampled_from(["ا", "ب", " ", "\n", "\t", "\u00a0", "\u200b", "\r", "."])))
def test_a_text_with_nothing_removed_is_its_hygienic_text(raw):
    """`clean_text`'s shortcut: with no line removed, assembling the lines gives back the
    hygienic text (whose trailing blanks hygiene took), blank and space-only lines included."""
    from analysis.corpus.clean import _assemble

    text = hygiene(raw)
    lines = text.split("\n")
    assert _assemble(lines, [None] * len(lines)) == text
    cleaned = clean_text(raw)
    if not cleaned.removed:
        assert cleaned.text == text


WORD = "كلمة"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (" ".join([WORD] * 20), True),  # twenty words: the longest heading
        (" ".join([WORD] * 21), False),  # twenty-one words, cut after the twentieth split
        (" ".join([WORD] * 21) + "\u3000 ", False),
        ("\u00a0".join([WORD] * 20) + " \t", True),  # no-break spaces split words too
        ("  " + "\u2003".join([WORD] * 20) + "  ", True),  # leading and trailing blanks
        ("\u2003".join([WORD] * 21), False),
        (" ".join([WORD] * 19) + ".", False),  # ends like a sentence
        ("", False),
        ("\u3000 \t", False),  # no word at all
    ],
)
def test_is_heading_like_counts_at_most_twenty_words(line, expected):
    """A heading has one to twenty words (`str.split`'s), whatever blanks separate them."""
    from analysis.corpus.boilerplate import is_heading_like

    assert is_heading_like(line) is expected


def test_every_blank_but_the_space_is_unprintable():
    """`_single_spaced`'s shortcut: a printable line holds no blank but the space."""
    blanks = (chr(c) for c in range(0x110000) if chr(c).isspace() and c != 0x20)
    assert not any(blank.isprintable() for blank in blanks)


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        ("قال الوزير", "قال الوزير"),  # nothing cleaned
        ("قال الوزير \n\n ", "قال الوزير"),  # trailing blanks only: counted once
        ("قال الوزير\nاترك تعليقا", "قال الوزير"),  # a line removed
        ("قال الوزير\u00a0", "قال الوزير"),
        ("\ufdfa قال", "صلى الله عليه وسلم قال"),  # a presentation form became four words
        ("", ""),
    ],
)
def test_word_counts_of_a_row_are_the_raw_and_clean_texts_counts(raw, text):
    from analysis.corpus.table import _word_counts

    assert _word_counts(raw, text) == {
        "n_words_raw": corpus.word_count(raw),
        "n_words_clean": corpus.word_count(text),
    }


# --- the corpus tables from columns ----------------------------------------------------------


def _prepared_mix() -> list:
    """Seeds, a copy of one, a text that cleaning empties, records with and without a record
    number, a title and a date: every kind of row and audit the tables hold."""
    from analysis.corpus.readers import Document
    from analysis.corpus.table import prepare_document

    seeds = list(iter_documents(config.SEEDS_DIR))
    documents = [
        *seeds,
        Document("copy", "copy.txt", None, seeds[0].raw_text),  # a duplicate of the first
        Document("chrome", "feed.json", 3, "جميع الحقوق محفوظة © 2015"),  # empty once cleaned
        Document("dated", "feed.json", 4, "نص قصير.", title="عنوان", date=datetime(2015, 7, 1)),
    ]
    return [prepare_document(d) for d in documents]


@pytest.mark.parametrize("batch", [1, 2, 3, 100])
@pytest.mark.parametrize(
    ("keep_text", "count_words"), [(True, True), (False, True), (False, False)]
)
def test_corpus_tables_from_columns_equal_one_document_at_a_time(batch, keep_text, count_words):
    """A pipeline's shards arrive as columns (`CorpusTables.add_columns`), load_corpus's
    documents one by one: the same tables, dtypes, audit, warnings and duplicates."""
    from analysis.corpus.readers import LoadReport
    from analysis.corpus.table import (
        WORD_COLUMNS,
        CorpusTables,
        build_corpus,
        prepared_columns,
    )

    prepared = _prepared_mix()  # every row with its texts and word counts
    want_report, got_report = LoadReport(), LoadReport()
    want = build_corpus(
        Path("mix"),
        prepared,
        want_report,
        keep_duplicates=False,
        keep_text=keep_text,
        count_words=count_words,
    )
    tables = CorpusTables(keep_text=keep_text, count_words=count_words)
    tables.add_columns(prepared_columns([]))  # a shard of problems only
    for start in range(0, len(prepared), batch):
        tables.add_columns(prepared_columns(prepared[start : start + batch]))
    got = tables.corpus(Path("mix"), got_report, keep_duplicates=False)
    for table in ("documents", "audit", "problems"):
        pd.testing.assert_frame_equal(getattr(got, table), getattr(want, table))
    assert got.documents["is_duplicate"].sum() == 1
    assert (got.documents["n_chars_clean"] == 0).sum() == 1
    assert len(got.audit) > 0
    assert ("text" in got.documents) is keep_text
    assert (set(WORD_COLUMNS) <= set(got.documents.columns)) is count_words

"""Corpus ingestion and cleaning: read articles from files, strip site chrome, audit every removal.

Three separable steps, so that a worker process can take any of them on its own:

- `iter_documents` streams raw `Document` records from `.txt`/`.json`/`.jsonl`/`.csv`/
  `.parquet` files, `.zip` archives holding them, or folders mixing them. Problems are
  collected in a `LoadReport`, never raised, unless nothing at all is readable.
- `clean_text` is a pure function of the raw text: hygiene (BOM, newlines, presentation
  forms, NFC, invisible controls), then line rules that drop boilerplate by *family*
  (tickers, navigation, comment forms, share prompts, ...), then repeated paragraphs.
  Every dropped line comes back as a `Removal(line, rule, text)`.
- `fingerprint` + `flag_duplicates` find exact and near-duplicate documents through an
  inverted index over hashes of normalized sentences.

`load_corpus` runs the three and returns a `Corpus` of DataFrames. Word counts here are
whitespace-delimited words; `analysis.arabic` tokenizes later (this module never imports it).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import re
import unicodedata
import zipfile
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, NamedTuple

import pandas as pd

from analysis import config
from analysis.charsets import (
    ARABIC_INDIC_DIGITS,
    CAMEL_DIACRITICS,
    INVISIBLE,
    PERSIAN_DIGITS,
    PRESENTATION_FORMS,
    TATWEEL,
    chars,
    class_body,
)

log = logging.getLogger(__name__)

# ---------------------------------------------------------------------------------------------
# Records and results
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Document:
    """One raw document as read from disk, before cleaning."""

    doc_id: str
    source_file: str
    record: int | None
    raw_text: str
    title: str | None = None
    source: str | None = None
    url: str | None = None
    author: str | None = None
    date: datetime | None = None


class Removal(NamedTuple):
    """One line dropped by cleaning; `line` is 1-based in the hygiene-normalized raw text."""

    line: int
    rule: str
    text: str


class Cleaned(NamedTuple):
    """Cleaned text, what was removed, and the metadata the text itself states."""

    text: str
    removed: list[Removal]
    title: str | None = None
    source: str | None = None
    date: datetime | None = None


class Problem(NamedTuple):
    file: str
    location: str
    severity: str  # "error": document(s) skipped; "warning": loaded with a caveat
    message: str


_LOGGED_PROBLEMS = 20


class CorpusError(ValueError):
    """Nothing in the given path could be read as a document."""


@dataclass
class LoadReport:
    """What happened while reading: problems, counts, and the hash of every source read."""

    problems: list[Problem] = field(default_factory=list)
    n_read: int = 0
    _hash: Any = field(default_factory=hashlib.sha256, repr=False)

    def add(self, file: str, location: str, severity: str, message: str) -> None:
        self.problems.append(Problem(file, location, severity, message))
        # The first problems are logged one by one; past that, one line, so that a corpus
        # with hundreds of empty records does not bury the log (all stay in `problems`).
        if len(self.problems) <= _LOGGED_PROBLEMS:
            where = f"{file}:{location}" if location else file
            log.warning("%s: %s (%s)", where, message, severity)
        elif len(self.problems) == _LOGGED_PROBLEMS + 1:
            log.warning("further problems are recorded in the load report, not logged")

    def note_source(self, name: str, data: bytes) -> None:
        """Fold one source file into the corpus content hash (sources arrive sorted)."""
        self._hash.update(name.encode("utf-8") + b"\0" + hashlib.sha256(data).digest())

    @property
    def content_hash(self) -> str:
        return self._hash.hexdigest()

    @property
    def n_skipped(self) -> int:
        return sum(1 for p in self.problems if p.severity == "error")

    def summary(self) -> str:
        """One line such as `read 30, skipped 2 (1 empty file, 1 no text field)`."""
        reasons = Counter(_reason(p.message) for p in self.problems if p.severity == "error")
        text = f"read {self.n_read}, skipped {self.n_skipped}"
        if reasons:
            text += " (" + ", ".join(f"{n} {why}" for why, n in reasons.most_common()) + ")"
        warnings = sum(1 for p in self.problems if p.severity == "warning")
        return text + (f", {warnings} warning(s)" if warnings else "")


def _reason(message: str) -> str:
    """The stable head of a problem message (before the first colon), used to group them."""
    return message.split(":", 1)[0]


# ---------------------------------------------------------------------------------------------
# Hygiene
# ---------------------------------------------------------------------------------------------

_NEWLINES = re.compile(r"\r\n?|[\u2028\u2029\x85]")
# Zero-width characters, soft hyphen and every bidi control (embeddings, overrides,
# isolates, marks), plus U+FEFF anywhere: none of them is text, all of them split words.
_INVISIBLE_CHARS = class_body(INVISIBLE)
_INVISIBLE = re.compile(f"[{_INVISIBLE_CHARS}]")
_PRESENTATION_FORM_CHARS = class_body(PRESENTATION_FORMS)
_PRESENTATION_FORMS = re.compile(f"[{_PRESENTATION_FORM_CHARS}]+")
_PRESENTATION_FORM = re.compile(f"[{_PRESENTATION_FORM_CHARS}]")  # a bare class searches faster
_INVISIBLE_OR_PRESENTATION_FORM = re.compile(f"[{_INVISIBLE_CHARS}{_PRESENTATION_FORM_CHARS}]")
# NFKC turns isolated harakat forms (U+FE70..) into "space + mark"; the space must go.
_SPACE_BEFORE_MARK = re.compile(" (?=[\u064b-\u065f\u0670])")


def _base_letters(match: re.Match[str]) -> str:
    return _SPACE_BEFORE_MARK.sub("", unicodedata.normalize("NFKC", match.group()))


def hygiene(text: str) -> str:
    """BOM, line endings, presentation forms, NFC, invisible controls, trailing whitespace."""
    # Each step first checks cheaply whether it has anything to do: most texts are clean.
    if "\r" in text or "\u2028" in text or "\u2029" in text or "\x85" in text:
        text = _NEWLINES.sub("\n", text)
    if _INVISIBLE_OR_PRESENTATION_FORM.search(text):  # one scan of a clean text, not two
        if _INVISIBLE.search(text):
            text = _INVISIBLE.sub("", text)  # also removes a leading BOM
        if _PRESENTATION_FORM.search(text):
            text = _PRESENTATION_FORMS.sub(_base_letters, text)
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return text.rstrip()


# ---------------------------------------------------------------------------------------------
# Matching helpers: fold spelling variants so one phrase covers اقرأ أيضاً / إقرأ ايضا
# ---------------------------------------------------------------------------------------------

_FOLD = str.maketrans(
    {
        "\u0622": "\u0627",  # alef madda -> alef
        "\u0623": "\u0627",  # alef hamza above
        "\u0625": "\u0627",  # alef hamza below
        "\u0671": "\u0627",  # alef wasla
        "\u0649": "\u064a",  # alef maqsura -> yeh
        "\u0629": "\u0647",  # teh marbuta -> heh
        "\u00a0": " ",
        **dict.fromkeys(TATWEEL + chars(CAMEL_DIACRITICS)),  # tatweel, harakat, dagger alef
    }
)
# Arabic-Indic and Persian (Eastern Arabic-Indic) digits both read as ASCII digits in rules.
_DIGITS = str.maketrans(ARABIC_INDIC_DIGITS + PERSIAN_DIGITS, "0123456789" * 2)


def fold(text: str) -> str:
    """Matching key for rules: spelling variants folded, lowercased, single spaces."""
    return " ".join(text.translate(_FOLD).translate(_DIGITS).lower().split())


# Letters that `fold` merges, as classes, so a phrase matches every spelling without folding
# each line first (folding every line with str.translate dominated the profile).
_VARIANTS = {
    "\u0627": "[\u0627\u0622\u0623\u0625\u0671]",
    "\u064a": "[\u064a\u0649]",
    "\u0647": "[\u0647\u0629]",
    " ": "[\\s\u00a0]+",
}
_MARKS = f"[{TATWEEL}{class_body(CAMEL_DIACRITICS)}]*"  # allowed after any letter


def _tolerant(phrase: str) -> str:
    """Regex for one phrase matching its spelling variants, harakat and tatweel included."""
    parts = []
    for char in fold(phrase):
        parts.append(_VARIANTS.get(char) or re.escape(char))
        if "\u0621" <= char <= "\u064a":
            parts.append(_MARKS)
    return "".join(parts)


def _phrases(words: Iterable[str]) -> str:
    """A regex alternation of phrases, longest first so the longest one wins."""
    return "|".join(_tolerant(p) for p in sorted({fold(w) for w in words}, key=len, reverse=True))


# ---------------------------------------------------------------------------------------------
# Boilerplate vocabularies (data, written as readers see them; folded and escaped at import)
# ---------------------------------------------------------------------------------------------

# Phrases a line *starts with* (after leading digits/punctuation), per rule.
_PREFIXES: dict[str, tuple[str, ...]] = {
    "comment_form": (
        "اترك تعليقا",
        "اترك تعليق",
        "اترك ردا",
        "اترك رد",
        "أضف تعليق",
        "اضف تعليقك",
        "اكتب تعليقك",
        "اكتب تعليقا",
        "أكتب تعليق",
        "لن يتم نشر عنوان بريدك",
        "لن يتم نشر بريدك",
        "الحقول الإلزامية مشار إليها",
        "الحقول المطلوبة مشار",
        "احفظ اسمي",
        "إرسال التعليق",
        "أرسل التعليق",
        "التعليقات مغلقة",
        "لا توجد تعليقات",
        "كن أول من يعلق",
        "عدد التعليقات",
        "شروط التعليق",
        "التعليقات المنشورة تعبر",
        "التعليقات تعبر عن",
        "leave a reply",
        "leave a comment",
        "post a comment",
        "add a comment",
        "your email address will not be",
        "required fields are marked",
        "save my name, email",
        "post comment",
        "cancel reply",
        "comments are closed",
        "no comments yet",
        "be the first to comment",
    ),
    "share_follow_prompt": (
        "شارك هذا",
        "شارك المقال",
        "شارك الخبر",
        "شارك على",
        "شارك عبر",
        "شاركها",
        "شاركوا",
        "مشاركة المقال",
        "مشاركة الخبر",
        "انشر المقال",
        "تابعونا على",
        "تابعونا عبر",
        "تابعنا على",
        "تابعنا عبر",
        "اشترك في النشرة",
        "اشترك في قناتنا",
        "اشترك الآن",
        "اشتركوا في",
        "انضم إلى قناتنا",
        "انضموا إلى",
        "حمل تطبيق",
        "حملوا تطبيق",
        "أرسل لصديق",
        "أرسل إلى صديق",
        "أرسل الى صديق",
        "النشرة البريدية",
        "share this",
        "share on",
        "share via",
        "share the article",
        "follow us",
        "subscribe to",
        "subscribe now",
        "sign up for our",
        "join our",
        "download our app",
        "print this",
        "email this",
    ),
    "related_links": (
        "اقرأ أيضا",
        "اقرأ كذلك",
        "اقرأ المزيد",
        "شاهد أيضا",
        "شاهد ايضا",
        "قد يهمك أيضا",
        "قد يهمك",
        "قد يعجبك أيضا",
        "قد يعجبك",
        "مقالات ذات صلة",
        "مواضيع ذات صلة",
        "أخبار ذات صلة",
        "مقالات مشابهة",
        "مواضيع مشابهة",
        "أخبار متعلقة",
        "مقالات متعلقة",
        "مواضيع متعلقة",
        "المزيد من الأخبار",
        "الأكثر قراءة",
        "الأكثر مشاهدة",
        "ذات صلة",
        "related articles",
        "related posts",
        "related news",
        "related stories",
        "read also",
        "read more",
        "see also",
        "you may also like",
        "you might also like",
        "more from",
        "most read",
        "most popular",
        "recommended for you",
    ),
    "image_report": (
        "شكرا على الإبلاغ",
        "شكرا لك على الإبلاغ",
        "شكرا للإبلاغ",
        "سيتم حجب هذه الصورة",
        "سيتم إخفاء هذه الصورة",
        "الإبلاغ عن هذه الصورة",
        "الإبلاغ عن صورة",
        "أبلغ عن صورة",
        "أبلغ عن هذه الصورة",
        "الإبلاغ عن محتوى",
        "thanks for reporting",
        "thank you for reporting",
        "report this image",
        "report image",
        "this image will be hidden",
    ),
    "source_link": (
        "انقر هنا لقراءة",
        "اضغط هنا لقراءة",
        "انقر هنا لمتابعة",
        "اضغط هنا لمتابعة",
        "اضغط هنا للمزيد",
        "انقر هنا للمزيد",
        "لقراءة الخبر من مصدره",
        "لقراءة المقال من مصدره",
        "لقراءة الخبر من المصدر",
        "لقراءة المقال كاملا",
        "اقرأ الخبر من المصدر",
        "اقرأ الخبر من مصدره",
        "اقرأ المقال من المصدر",
        "اقرأ المقال كاملا",
        "تابع القراءة",
        "رابط المقال الأصلي",
        "رابط الخبر الأصلي",
        "read the original",
        "read the full",
        "click here to read",
        "continue reading",
        "view original",
        "original article",
    ),
    "cookie_notice": (
        "يستخدم هذا الموقع ملفات",
        "يستخدم هذا الموقع الكوكيز",
        "نستخدم ملفات تعريف الارتباط",
        "نحن نستخدم ملفات",
        "نستخدم الكوكيز",
        "باستخدامك لهذا الموقع",
        "باستمرارك في تصفح",
        "باستمرارك في استخدام",
        "سياسة ملفات تعريف الارتباط",
        "this website uses cookies",
        "this site uses cookies",
        "we use cookies",
        "by continuing to use",
        "by using this site",
        "by using this website",
        "accept cookies",
        "accept all cookies",
        "cookie settings",
        "cookie policy",
    ),
    "tags": (
        "الوسوم:",
        "وسوم:",
        "الكلمات المفتاحية:",
        "كلمات مفتاحية:",
        "كلمات دلالية:",
        "الكلمات الدلالية:",
        "العلامات:",
        "tags:",
        "keywords:",
        "tagged:",
    ),
}

# Lines that *are* the phrase (give or take punctuation and counts), per rule.
_WHOLE_LINES: dict[str, tuple[str, ...]] = {
    "comment_form": (
        "التعليقات",
        "تعليقات",
        "تعليق",
        "تعليقان",
        "comments",
        "comment",
        "reply",
        "الاسم",
        "البريد الإلكتروني",
        "الموقع الإلكتروني",
        "name",
        "email",
        "website",
    ),
    "back_to_top": (
        "زر الذهاب إلى الأعلى",
        "الذهاب إلى الأعلى",
        "العودة إلى الأعلى",
        "العودة للأعلى",
        "الرجوع إلى الأعلى",
        "الرجوع للأعلى",
        "إلى الأعلى",
        "للأعلى",
        "أعلى الصفحة",
        "back to top",
        "back to top button",
        "scroll to top",
        "go to top",
        "top of page",
    ),
    "navigation": (
        "الرئيسية",
        "الصفحة الرئيسية",
        "القائمة",
        "القائمة الرئيسية",
        "بحث",
        "ابحث",
        "تسجيل الدخول",
        "تخطى إلى المحتوى",
        "انتقل إلى المحتوى",
        "home",
        "menu",
        "search",
        "login",
        "log in",
        "skip to content",
        "toggle navigation",
        "main menu",
        "السابق التالي",
        "التالي السابق",
        "next previous",
        "previous next",
    ),
    "tags": ("الوسوم", "وسوم", "الكلمات المفتاحية", "كلمات مفتاحية", "tags", "keywords"),
    "share_follow_prompt": ("شارك", "شاركها", "مشاركة", "طباعة", "share", "print", "tweet"),
}
# Whole-line related headings open a block: the headline-like lines after them are links too.
_RELATED_HEADINGS = (
    "مقالات ذات صلة",
    "مواضيع ذات صلة",
    "أخبار ذات صلة",
    "اخبار ذات صلة",
    "ذات صلة",
    "مقالات مشابهة",
    "مواضيع مشابهة",
    "أخبار متعلقة",
    "مقالات متعلقة",
    "اقرأ أيضا",
    "اقرأ كذلك",
    "شاهد أيضا",
    "قد يهمك",
    "قد يهمك أيضا",
    "قد يعجبك أيضا",
    "المزيد من الأخبار",
    "الأكثر قراءة",
    "الأكثر مشاهدة",
    "related articles",
    "related posts",
    "related news",
    "related stories",
    "read also",
    "see also",
    "you may also like",
    "you might also like",
    "most read",
    "most popular",
)

_SOCIAL = (
    "google news",
    "جوجل نيوز",
    "غوغل نيوز",
    "فيسبوك",
    "فيس بوك",
    "facebook",
    "تويتر",
    "twitter",
    "انستغرام",
    "انستجرام",
    "انستقرام",
    "instagram",
    "يوتيوب",
    "youtube",
    "تلغرام",
    "تيليجرام",
    "تليجرام",
    "telegram",
    "واتساب",
    "واتس اب",
    "whatsapp",
    "تيك توك",
    "tiktok",
    "لينكد إن",
    "linkedin",
    "قناتنا",
    "صفحتنا",
    "حساباتنا",
    "منصاتنا",
    "شبكات التواصل",
    "مواقع التواصل",
    "social media",
    "نبض",
)
_FOLLOW_VERBS = ("تابعونا", "تابعوا", "تابعنا", "follow us", "follow our", "follow")
_SHARE_BAR_WORDS = (*_SOCIAL, "x", "email", "print", "بريد", "طباعة", "messenger", "pinterest")
_COPYRIGHT = (
    "©",
    "(c) ",
    "copyright",
    "all rights reserved",
    "جميع الحقوق محفوظة",
    "كل الحقوق محفوظة",
    "حقوق النشر محفوظة",
    "جميع حقوق النشر",
    "الحقوق محفوظة",
)

_WHOLE_TAIL = r"[\W\d_]*$"  # trailing punctuation, counts, arrows


def _line_rules_regex() -> re.Pattern[str]:
    branches = []
    for rule, words in _WHOLE_LINES.items():
        branches.append(f"(?P<{rule}__whole>(?:{_phrases(words)}){_WHOLE_TAIL})")
    branches.append(f"(?P<related_links__block>(?:{_phrases(_RELATED_HEADINGS)}){_WHOLE_TAIL})")
    for rule, words in _PREFIXES.items():
        branches.append(f"(?P<{rule}__prefix>{_phrases(words)})")
    return re.compile("^[\\W\\d_]*(?:" + "|".join(branches) + ")", re.IGNORECASE)


_LINE_RULES = _line_rules_regex()
# How long a line may be and still be chrome: a body paragraph that merely *mentions*
# "جميع الحقوق محفوظة" is longer than the notice itself.
_MAX_WORDS = {
    "comment_form": 25,
    "share_follow_prompt": 25,
    "related_links": 30,
    "image_report": 25,
    "source_link": 20,
    "cookie_notice": 60,
    "tags": 40,
    "back_to_top": 6,
    "navigation": 4,
    "copyright": 25,
}
_FOLLOW = re.compile(
    f"(?:^|\\W)(?:{_phrases(_FOLLOW_VERBS)})\\W.{{0,80}}?(?:{_phrases(_SOCIAL)})", re.IGNORECASE
)
_SHARE_BAR = re.compile(
    f"^\\W*(?:(?:{_phrases(_SHARE_BAR_WORDS)})(?:\\W+|$)){{2,}}$", re.IGNORECASE
)
_COPYRIGHT_RE = re.compile(_phrases(_COPYRIGHT), re.IGNORECASE)
# Literal hints tested before the tolerant patterns, which are slow to search a whole line.
_COPYRIGHT_HINT = re.compile("\u00a9|\u062d\u0642\u0648\u0642|copyright|rights|\\(c\\)", re.I)
_FOLLOW_HINT = re.compile("\u062a\u0627\u0628\u0639|follow", re.IGNORECASE)
_HASHTAGS = re.compile(r"^(?:#\w+[\s,\u060c]*){2,}$")
_BARE_URL = re.compile(
    f"^(?:(?:{_phrases(('المصدر', 'source'))})\\s*:\\s*)?(?:https?://|www\\.)\\S+$", re.IGNORECASE
)
_ARROWS = re.compile("^[\u2191\u2b06\u25b2\u25b4^]+$")

# Tickers and navigation bars: segments joined by runs of spaces/NBSP or by bullet/pipe marks.
_BULLETS = "|\u2022\u00b7\u25cf\u25aa\u25a0\u25c6\u2605\u2666"
_BLANKS_BUT_SPACE = "\t\u00a0\u2007\u202f"
_SEGMENT_MARK = re.compile(f"[{_BULLETS}]|[ {_BLANKS_BUT_SPACE}]{{3}}")
# A separator is a bullet/pipe mark or a run of three blanks or more: prose has stray double
# spaces and "space + no-break space" pairs, tickers and menus pad their items wider.
_SEGMENT_SEP = re.compile(f"[{_BULLETS}]|[ {_BLANKS_BUT_SPACE}]{{3,}}")
_FULL_STOP = re.compile(r"(?<!\.)\.(?!\.)")  # a sentence's full stop, not a ".." ellipsis
# Breadcrumbs: short segments joined by » › > / with spaces around (so "24/7" stays whole).
_CRUMB_SEP = re.compile("\\s+[\u00bb\u203a>/\\\\]\\s+")
_CRUMB_FORBIDDEN = re.compile(r"[\d:]|https?|www\.")
_CRUMB_HINT = re.compile("\\s[\u00bb\u203a>/\\\\]\\s")
_SENTENCE_END = re.compile(r"[.!\u06d4]$")
_HEADING_END = re.compile("[.,:;\u060c\u061b]$")


# Three blanks in a row hold two spaces in a row or a blank other than the space: both are
# rare in prose and found at C speed, unlike the space-by-space work of `_SEGMENT_MARK`.
_RARE_MARK = re.compile(f"[{_BULLETS}{_BLANKS_BUT_SPACE}]")


def _has_segment_marks(line: str) -> bool:
    """Cheap test that `_SEGMENT_SEP` can split the line (double space, NBSP, bullet, pipe)."""
    if "  " not in line and not _RARE_MARK.search(line):
        return False
    return _SEGMENT_MARK.search(line) is not None


def _segments(line: str, sep: re.Pattern[str]) -> list[str]:
    return [s for s in (part.strip() for part in sep.split(line)) if s]


def _word_count(text: str) -> int:
    return len(text.split())


def _is_ticker(line: str) -> bool:
    """Many short, unrelated headlines on one long line."""
    if len(line) < 150 or not _has_segment_marks(line):
        return False
    segments = _segments(line, _SEGMENT_SEP)
    if len(segments) < 5:
        return False
    words = sorted(_word_count(s) for s in segments)
    sentences = sum(1 for s in segments if _SENTENCE_END.search(s))
    full_stops = len(_FULL_STOP.findall(line))
    return (
        words[len(words) // 2] <= 15
        and sentences * 2 < len(segments)
        and full_stops * 2 < len(segments)
    )


def _is_navigation_bar(line: str) -> bool:
    """A short line of menu entries: three or more segments of at most four words."""
    if _has_segment_marks(line) and _short_segments(_segments(line, _SEGMENT_SEP), 3):
        return True
    return _is_breadcrumb(line, min_segments=3)


def _short_segments(segments: list[str], minimum: int) -> bool:
    return len(segments) >= minimum and all(_word_count(s) <= 4 for s in segments)


def _is_breadcrumb(line: str, *, min_segments: int = 2) -> bool:
    """`Home » News » Morocco`: segments of at most four words joined by » › > /."""
    if "\u00ab" in line or not _CRUMB_HINT.search(line):  # « opens a quote that » closes
        return False
    # Dates (05 / 2015), references (أ / 267) and "label: value" lines are not breadcrumbs.
    return not _CRUMB_FORBIDDEN.search(line) and _short_segments(
        _segments(line, _CRUMB_SEP), min_segments
    )


_MAX_CHROME_CHARS = 1000  # longer lines are body text or tickers, whatever they start with


def _line_rule(line: str, n_words: int) -> tuple[str, bool] | None:
    """The boilerplate rule a stripped, non-blank line falls under, and whether it opens a block."""
    if _is_ticker(line):
        return "ticker", False
    if n_words > 60:
        return None
    if len(line) <= 200 and _is_breadcrumb(line):
        return "breadcrumb", False
    if len(line) <= 300 and _is_navigation_bar(line):
        return "navigation", False
    match = _LINE_RULES.match(line)
    if match:
        rule, kind = match.lastgroup.split("__")  # type: ignore[union-attr]
        if n_words <= _MAX_WORDS[rule]:
            return rule, kind == "block"
    if n_words <= _MAX_WORDS["share_follow_prompt"] and (
        (_FOLLOW_HINT.search(line) and _FOLLOW.search(line)) or _SHARE_BAR.match(line)
    ):
        return "share_follow_prompt", False
    if (
        n_words <= _MAX_WORDS["copyright"]
        and _COPYRIGHT_HINT.search(line)
        and _COPYRIGHT_RE.search(line)
    ):
        return "copyright", False
    if line[0] == "#" and _HASHTAGS.match(line):
        return "tags", False
    if n_words == 1 and _BARE_URL.match(line):
        return "source_link", False
    if len(line) <= 3 and _ARROWS.match(line):
        return "back_to_top", False
    return None


def _is_heading_like(line: str) -> bool:
    """Short, and not ending like a sentence or a lead-in: a title, heading or headline."""
    return 1 <= _word_count(line) <= 20 and not _HEADING_END.search(line)


def _is_label_like(line: str) -> bool:
    """A category label such as `سياسة` or `العالمالمغرب`: one or two bare words."""
    return (
        _word_count(line) <= 2
        and len(line) <= 30
        and not re.search(r"[\W\d_]", line.replace(" ", ""))
    )


# ---------------------------------------------------------------------------------------------
# Dates and datelines
# ---------------------------------------------------------------------------------------------

_MONTHS = {
    1: ("يناير", "كانون الثاني", "جانفي", "january", "jan"),
    2: ("فبراير", "شباط", "فيفري", "february", "feb"),
    3: ("مارس", "آذار", "march", "mar"),
    4: ("أبريل", "إبريل", "ابريل", "نيسان", "أفريل", "april", "apr"),
    5: ("مايو", "ماي", "أيار", "may"),
    6: ("يونيو", "يونيه", "حزيران", "جوان", "june", "jun"),
    7: ("يوليو", "يوليوز", "يوليه", "تموز", "جويلية", "july", "jul"),
    8: ("أغسطس", "اغسطس", "غشت", "آب", "أوت", "august", "aug"),
    9: ("سبتمبر", "شتنبر", "أيلول", "september", "sep", "sept"),
    10: ("أكتوبر", "تشرين الأول", "october", "oct"),
    11: ("نوفمبر", "نونبر", "تشرين الثاني", "november", "nov"),
    12: ("ديسمبر", "دجنبر", "كانون الأول", "december", "dec"),
}
_MONTH_NUMBER = {fold(name): number for number, names in _MONTHS.items() for name in names}
_WEEKDAYS = (
    "الاثنين",
    "الإثنين",
    "الثلاثاء",
    "الأربعاء",
    "الخميس",
    "الجمعة",
    "السبت",
    "الأحد",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
)
_MONTH_NAME = _phrases(_MONTH_NUMBER)
_TIME = r"(?:\s*[-\u2013,\u060c|]?\s*(?:\d{1,2}:\d{2}(?::\d{2})?)(?:\s*(?:am|pm|ص|م))?)?"
_DATE_FORMS = re.compile(
    f"(?:(?:{_phrases(_WEEKDAYS)})\\s*[,\u060c]?\\s*)?(?:"
    r"(?P<d1>\d{1,2})\s*[-/.]\s*(?P<m1>\d{1,2})\s*[-/.]\s*(?P<y1>\d{4})"
    r"|(?P<y2>\d{4})\s*[-/.]\s*(?P<m2>\d{1,2})\s*[-/.]\s*(?P<d2>\d{1,2})"
    f"|(?P<d3>\\d{{1,2}})\\s+(?P<mon3>{_MONTH_NAME})\\.?\\s*,?\\s+(?P<y3>\\d{{4}})"
    f"|(?P<mon4>{_MONTH_NAME})\\.?\\s+(?P<d4>\\d{{1,2}})\\s*,?\\s+(?P<y4>\\d{{4}})"
    f"){_TIME}"
)
# "نشر في الدار يوم 17 - 12 - 2020": outlet, then the date.
_DATELINE_OUTLET = re.compile(
    f"^(?:{_phrases(('نشر في', 'نُشر في'))}) (?P<source>.{{1,40}}?) "
    f"(?:{_phrases(('يوم', 'بتاريخ', 'في'))}) (?P<date>.+)$"
)
_DATELINE_ONLY = re.compile(
    "^(?:"
    + _phrases(
        (
            "تاريخ النشر",
            "نشر بتاريخ",
            "نشر في",
            "نشر يوم",
            "آخر تحديث",
            "published on",
            "published",
            "posted on",
            "updated on",
            "last updated",
            "date",
        )
    )
    + r")\s*:?\s*(?P<date>.+)$"
)


def parse_date_text(text: str) -> datetime | None:
    """A date written out in Arabic or English (`17 - 12 - 2020`, `17 ديسمبر 2020`, ...)."""
    match = _DATE_FORMS.fullmatch(fold(text))
    if not match:
        return None
    g = match.groupdict()
    for i in "1234":
        if g.get(f"y{i}"):
            month = g.get(f"m{i}") or _MONTH_NUMBER[g[f"mon{i}"]]
            try:
                return datetime(int(g[f"y{i}"]), int(month), int(g[f"d{i}"]))
            except ValueError:
                return None
    return None


_ANY_DIGIT = re.compile(r"\d")


def _dateline(line: str) -> tuple[str | None, datetime] | None:
    """(outlet or None, date) when the line is a publication dateline."""
    if not _ANY_DIGIT.search(line):
        return None
    key = fold(line)
    match = _DATELINE_OUTLET.match(key)
    if match and (when := parse_date_text(match["date"])):
        # The outlet is taken from the original line, in its own spelling.
        words = line.split()
        n_outlet = len(match["source"].split())
        return " ".join(words[2 : 2 + n_outlet]), when
    match = _DATELINE_ONLY.match(key)
    if match and (when := parse_date_text(match["date"])):
        return None, when
    return None


_OUTLET_PREFIX = re.compile(
    "^(?P<outlet>[^\\s\\-\u2013\u2014|:]+(?: [^\\s\\-\u2013\u2014|:]+)?)\\s*[\\-\u2013\u2014|:]\\s"
)


# ---------------------------------------------------------------------------------------------
# Cleaning
# ---------------------------------------------------------------------------------------------

# A short line that recurs in one article is usually structure (a recipe's "طريقة التحضير:", a
# list label), not a scraper repeating a paragraph; scraped repeats are whole paragraphs.
_MIN_WORDS_REPEATED = 6


def clean_text(raw: str) -> Cleaned:
    """Hygiene, then boilerplate and repeated paragraphs removed, each removal audited."""
    lines = hygiene(raw).split("\n")
    verdicts: list[str | None] = [None] * len(lines)
    title = source = None
    when: datetime | None = None
    in_related_block = False
    seen: set[str] = set()
    for i, line in enumerate(lines):
        stripped = line.strip()
        if not stripped:
            continue
        # Spaces + 1 bounds the word count from above without splitting: rule thresholds only.
        n_words = stripped.count(" ") + 1 if len(stripped) < _MAX_CHROME_CHARS else 61
        found = _line_rule(stripped, n_words)
        if found is None and n_words <= 14 and (stated := _dateline(stripped)):
            verdicts[i] = "dateline"
            if when is None:
                source, when = stated
                title = _heading_above(lines, verdicts, i)
            continue
        if found is None and in_related_block and _is_heading_like(stripped):
            found = ("related_links", True)
        if found is not None:
            verdicts[i], opens_block = found
            in_related_block = opens_block or (in_related_block and found[0] != "ticker")
            if found[0] == "share_follow_prompt" and source is None:
                source = _outlet_of_footer(stripped)
            continue
        in_related_block = False
        if n_words >= _MIN_WORDS_REPEATED:
            key = " ".join(stripped.split())
            if key in seen:
                verdicts[i] = "repeated_paragraph"
                continue
            seen.add(key)
    _drop_leading_labels(lines, verdicts)
    if title is None:
        title = _leading_title(lines, verdicts)
    removed = [Removal(i + 1, rule, lines[i]) for i, rule in enumerate(verdicts) if rule]
    return Cleaned(_assemble(lines, verdicts), removed, title, source, when)


def _outlet_of_footer(line: str) -> str | None:
    match = _OUTLET_PREFIX.match(line)
    return match["outlet"] if match else None


def _kept_lines(lines: list[str], verdicts: list[str | None]) -> Iterator[int]:
    return (i for i, line in enumerate(lines) if verdicts[i] is None and line.strip())


def _heading_above(lines: list[str], verdicts: list[str | None], i: int) -> str | None:
    """The kept non-blank line right above line i, when it reads like a headline."""
    for j in range(i - 1, -1, -1):
        if verdicts[j] is None and lines[j].strip():
            return lines[j].strip() if _is_heading_like(lines[j].strip()) else None
    return None


def _drop_leading_labels(lines: list[str], verdicts: list[str | None]) -> None:
    """Category labels above the title: short bare lines, then a title, then body text.

    The shape is what tells a label (`سياسة` over a headline over a paragraph) from a short
    heading that starts an article (`البابونج` over `* ما هي الفوائد...؟`, a film's name
    over its credits): those keep their first line.
    """
    kept = list(_kept_lines(lines, verdicts))
    texts = [lines[i].strip() for i in kept]
    n_labels = 0
    while n_labels < len(texts) and _is_label_like(texts[n_labels]):
        n_labels += 1
    if not 0 < n_labels <= 2 or len(texts) < n_labels + 2:
        return
    title, body = texts[n_labels], texts[n_labels + 1]
    if _is_title(title) and not _is_heading_like(body):
        for i in kept[:n_labels]:
            verdicts[i] = "category_label"


def _is_title(line: str) -> bool:
    """A headline: starts with a letter, four words or more, no sentence-final punctuation."""
    return line[0].isalpha() and _word_count(line) >= 4 and _is_heading_like(line)


def _leading_title(lines: list[str], verdicts: list[str | None]) -> str | None:
    """The first kept line, when it is a headline followed by more text."""
    kept = _kept_lines(lines, verdicts)
    first, second = next(kept, None), next(kept, None)
    if first is None or second is None:
        return None
    return lines[first].strip() if _is_heading_like(lines[first].strip()) else None


def _assemble(lines: list[str], verdicts: list[str | None]) -> str:
    """Kept lines; the blank lines around a removal collapse into one paragraph break."""
    out: list[str] = []
    after_removal = False
    for line, verdict in zip(lines, verdicts, strict=True):
        if verdict:
            after_removal = True
        elif line.strip():
            out.append(line)
            after_removal = False
        elif not (after_removal and (not out or not out[-1].strip())):
            out.append(line)
    while out and not out[-1].strip():
        out.pop()
    return "\n".join(out)


# ---------------------------------------------------------------------------------------------
# Duplicates
# ---------------------------------------------------------------------------------------------


class Fingerprint(NamedTuple):
    """What duplicate detection needs from a document; cheap, deterministic across processes."""

    digest: str  # exact duplicates: hash of the word sequence, punctuation and spacing ignored
    chunks: frozenset[int]  # near duplicates: hashes of the document's sentences


_SENTENCE_SPLIT = re.compile("[.!?\u061f\u06d4\n]+")
# Quotes, brackets, commas and spacing differ between two sites' copies of one article.
_PUNCTUATION = re.compile(
    "[\"'\u00ab\u00bb\u201c\u201d\u2018\u2019(),\u060c\u061b;:*_\\-\u2013\u2014]"
)
_MIN_CHUNK_SPACES = 4  # sentences of five words or more; shorter ones ("وأضاف:") are common


def fingerprint(text: str) -> Fingerprint:
    """Fingerprint of a cleaned text (a pure function, so workers can compute it)."""
    whole = hashlib.blake2b(digest_size=16)
    chunks = set()
    empty = True
    for sentence in _SENTENCE_SPLIT.split(_PUNCTUATION.sub(" ", text)):
        sentence = " ".join(sentence.split())
        if not sentence:
            continue
        empty = False
        normalized = sentence.encode("utf-8")
        whole.update(normalized + b"\n")
        if sentence.count(" ") >= _MIN_CHUNK_SPACES:
            chunks.add(int.from_bytes(hashlib.blake2b(normalized, digest_size=8).digest(), "big"))
    return Fingerprint("" if empty else whole.hexdigest(), frozenset(chunks))


def flag_duplicates(
    fingerprints: Mapping[str, Fingerprint],
    *,
    containment: float = 0.8,
    min_chunks: int = 2,
    max_postings: int = 50,
) -> dict[str, str]:
    """{duplicate doc_id: original doc_id}, in the mapping's order (the earlier one is kept).

    A document is a near duplicate of an earlier kept one when at least `containment` of
    its sentences occur there. Sentences shared by more than `max_postings` documents are
    site boilerplate, not evidence, and are ignored; this also keeps the index linear.
    """
    by_digest: dict[str, str] = {}
    postings: defaultdict[int, list[str]] = defaultdict(list)
    duplicates: dict[str, str] = {}
    for doc_id, fp in fingerprints.items():
        if not fp.digest:
            continue  # nothing left after cleaning: not a copy of anything
        original = by_digest.get(fp.digest)
        if original is None and len(fp.chunks) >= min_chunks:
            original = _best_container(fp.chunks, postings, containment, max_postings)
        if original is not None:
            duplicates[doc_id] = original
            continue
        by_digest[fp.digest] = doc_id
        for chunk in fp.chunks:
            postings[chunk].append(doc_id)
    return duplicates


def _best_container(
    chunks: frozenset[int], postings: Mapping[int, list[str]], containment: float, cap: int
) -> str | None:
    shared: Counter[str] = Counter()
    for chunk in chunks:
        docs = postings.get(chunk)
        if docs and len(docs) <= cap:
            shared.update(docs)
    if not shared:
        return None
    doc_id, count = shared.most_common(1)[0]
    return doc_id if count >= containment * len(chunks) else None


# ---------------------------------------------------------------------------------------------
# Reading files
# ---------------------------------------------------------------------------------------------

_TEXT_FIELDS = (
    "content",
    "text",
    "body",
    "article",
    "article_text",
    "articlebody",
    "article_body",
    "full_text",
    "fulltext",
    "story",
    "content_text",
    "maintext",
)
_META_FIELDS = {
    "title": ("title", "headline", "heading", "name"),
    "source": ("source", "site", "outlet", "publisher", "newspaper", "website", "domain"),
    "url": ("url", "link", "href", "permalink", "source_url"),
    "author": ("author", "authors", "byline", "writer", "by"),
}
_READABLE = {".txt", ".json", ".jsonl", ".ndjson", ".csv", ".parquet"}
_IGNORED = {".md"}  # documentation shipped beside a corpus (README.md, SOURCE.md)


def iter_documents(
    path: Path | str | None = None,
    *,
    text_field: str | None = None,
    report: LoadReport | None = None,
) -> Iterator[Document]:
    """Stream raw documents from a file, an archive or a folder (recursive, sorted)."""
    root = Path(path) if path is not None else config.default_corpus()
    if not root.exists():
        raise FileNotFoundError(f"corpus path does not exist: {root}")
    report = report if report is not None else LoadReport()
    files = _corpus_files(root, report) if root.is_dir() else [root]
    base = root if root.is_dir() else root.parent
    for file in files:
        name = file.relative_to(base).as_posix()
        try:
            data = file.read_bytes()
        except OSError as error:
            report.add(name, "", "error", f"unreadable file: {error.strerror}")
            continue
        report.note_source(name, data)
        for document in _read_source(name, data, text_field, report):
            report.n_read += 1
            yield document
    if report.n_read == 0:
        details = "; ".join(
            f"{p.file} {p.location}: {p.message}".replace("  ", " ") for p in report.problems[:10]
        )
        raise CorpusError(f"no readable document in {root}" + (f": {details}" if details else ""))


def _corpus_files(root: Path, report: LoadReport) -> list[Path]:
    files = []
    for file in sorted(root.rglob("*"), key=lambda p: p.relative_to(root).as_posix()):
        relative = file.relative_to(root)
        if not file.is_file() or any(part.startswith(".") for part in relative.parts):
            continue
        suffix = file.suffix.lower()
        if suffix in _READABLE or suffix == ".zip":
            files.append(file)
        elif suffix not in _IGNORED:
            report.add(relative.as_posix(), "", "warning", "ignored: not a supported format")
    return files


def _read_source(
    name: str, data: bytes, text_field: str | None, report: LoadReport
) -> Iterator[Document]:
    suffix = Path(name.rsplit("!", 1)[-1]).suffix.lower()
    if suffix == ".zip":
        yield from _read_zip(name, data, text_field, report)
        return
    if not data.strip():
        report.add(name, "", "error", "empty file")
        return
    if suffix == ".parquet":
        records: Iterator[tuple[int, str, dict]] = _parquet_records(name, data, report)
    else:
        text = _decode(name, data, report)
        if text is None:
            return
        if suffix == ".txt":
            yield Document(_doc_id(name, None), name, None, text)
            return
        if suffix == ".csv":
            records = _csv_records(name, text, text_field, report)
        elif suffix == ".json":
            records = _json_records(name, text, report)
        else:
            records = _jsonl_records(name, text, report)
    for index, location, record in records:
        document = _record_document(name, index, location, record, text_field, report)
        if document is not None:
            yield document


def _read_zip(
    name: str, data: bytes, text_field: str | None, report: LoadReport
) -> Iterator[Document]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as error:
        report.add(name, "", "error", f"not a readable zip archive: {error}")
        return
    n_before = report.n_read
    yielded = 0
    with archive:
        members = sorted(
            (m for m in archive.infolist() if not m.is_dir()), key=lambda m: m.filename
        )
        for member in members:
            member_name = f"{name}!{member.filename}"
            parts = member.filename.split("/")
            suffix = Path(member.filename).suffix.lower()
            if parts[0] == "__MACOSX" or any(p.startswith(".") for p in parts):
                continue
            if suffix not in _READABLE:
                if suffix not in _IGNORED:
                    report.add(member_name, "", "warning", "ignored: not a supported format")
                continue
            try:
                member_data = archive.read(member)
            except (zipfile.BadZipFile, OSError, EOFError) as error:
                report.add(member_name, "", "error", f"unreadable archive member: {error}")
                continue
            for document in _read_source(member_name, member_data, text_field, report):
                yielded += 1
                yield document
    if yielded == 0 and report.n_read == n_before:
        report.add(name, "", "error", "no readable documents in archive")


def _decode(name: str, data: bytes, report: LoadReport) -> str | None:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        report.add(
            name,
            f"line {line}",
            "error",
            f"not valid UTF-8: byte 0x{data[error.start]:02x} at offset {error.start}",
        )
        return None


def _json_records(name: str, text: str, report: LoadReport) -> Iterator[tuple[int, str, dict]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        if error.msg == "Extra data":  # one object per line in a .json file
            yield from _jsonl_records(name, text, report)
        else:
            report.add(
                name,
                f"line {error.lineno}",
                "error",
                f"malformed JSON: {error.msg} (column {error.colno})",
            )
        return
    if isinstance(data, dict):
        lists = [v for v in data.values() if isinstance(v, list) and v and isinstance(v[0], dict)]
        items = data_list if (data_list := lists[0] if len(lists) == 1 else None) else [data]
    elif isinstance(data, list):
        items = data
    else:
        report.add(name, "", "error", f"no records: top-level JSON {type(data).__name__}")
        return
    for index, item in enumerate(items):
        yield index, f"record {index}", item


def _jsonl_records(name: str, text: str, report: LoadReport) -> Iterator[tuple[int, str, dict]]:
    index = 0
    for lineno, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as error:
            report.add(
                name,
                f"line {lineno}",
                "error",
                f"malformed JSON: {error.msg} (column {error.colno})",
            )
            continue
        yield index, f"record {index} (line {lineno})", item
        index += 1


def _csv_records(
    name: str, text: str, text_field: str | None, report: LoadReport
) -> Iterator[tuple[int, str, dict]]:
    csv.field_size_limit(max(csv.field_size_limit(), 2**31 - 1))  # articles exceed 128 KiB
    reader = csv.DictReader(io.StringIO(text, newline=""))
    columns = reader.fieldnames or []
    if text_field and text_field.lower() not in {c.lower() for c in columns}:
        report.add(
            name,
            "line 1",
            "error",
            f"missing column: {text_field!r} not among {', '.join(columns)}",
        )
        return
    try:
        for index, row in enumerate(reader):
            yield index, f"record {index} (line {reader.line_num})", row
    except csv.Error as error:
        report.add(name, f"line {reader.line_num}", "error", f"malformed CSV: {error}")


def _parquet_records(name: str, data: bytes, report: LoadReport) -> Iterator[tuple[int, str, dict]]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        batches = pq.ParquetFile(io.BytesIO(data)).iter_batches(batch_size=2048)
        index = 0
        for batch in batches:
            for row in batch.to_pylist():
                yield index, f"record {index}", row
                index += 1
    except (pa.ArrowException, OSError) as error:
        report.add(name, "", "error", f"unreadable Parquet: {error}")


def _doc_id(name: str, record: int | None) -> str:
    """Stable id from the source path: `folder/file`, `archive/member:17`, `file:17`.

    A member named like its archive (`2015-07-21.zip!2015-07-21.json`) is not repeated.
    """
    stems: list[str] = []
    for piece in name.split("!"):
        stem = _STEM.sub("", piece)
        if not stems or stem.rsplit("/", 1)[-1] != stems[-1].rsplit("/", 1)[-1]:
            stems.append(stem)
    base = "/".join(stems)
    return base if record is None else f"{base}:{record}"


_STEM = re.compile(r"\.[^./]+$")


def _record_document(
    name: str, index: int, location: str, record: Any, text_field: str | None, report: LoadReport
) -> Document | None:
    if not isinstance(record, dict):
        report.add(name, location, "error", f"not an object: a {type(record).__name__}")
        return None
    keys = {str(k).strip().lower(): k for k in record}
    text = _record_text(record, keys, text_field)
    if isinstance(text, Problem):
        report.add(name, location, "error", text.message)
        return None
    meta = {field: _first_text(record, keys, names) for field, names in _META_FIELDS.items()}
    return Document(
        _doc_id(name, index),
        name,
        index,
        text,
        date=_record_date(record, keys, name, location, report),
        **meta,
    )


def _record_text(record: dict, keys: dict[str, Any], text_field: str | None) -> str | Problem:
    if text_field:
        key = keys.get(text_field.lower())
        if key is None:
            return Problem("", "", "error", f"no text field: {text_field!r} missing")
        candidates = [key]
    else:
        candidates = [keys[k] for k in _TEXT_FIELDS if k in keys]
        if not candidates:
            looked = ", ".join(_TEXT_FIELDS[:5])
            return Problem(
                "",
                "",
                "error",
                f"no text field: none of {looked}, ... among {', '.join(map(str, record))}",
            )
    for key in candidates:
        value = record[key]
        if isinstance(value, str) and value.strip():
            return value
    return Problem("", "", "error", f"empty text: field {candidates[0]!r} has no text")


def _first_text(record: dict, keys: dict[str, Any], names: tuple[str, ...]) -> str | None:
    for name in names:
        key = keys.get(name)
        if key is not None:
            value = record[key]
            if isinstance(value, list):
                value = ", ".join(str(v) for v in value if v)
            if value is not None and str(value).strip():
                return str(value).strip()
    return None


def _date_key(keys: dict[str, Any]) -> Any:
    """Prefer `date`, then publication dates, then any date/time field."""
    if "date" in keys:
        return keys["date"]
    for pattern in ("publish", "date", "time"):
        for lower, key in keys.items():
            if pattern in lower:
                return key
    return None


def _record_date(
    record: dict, keys: dict[str, Any], name: str, location: str, report: LoadReport
) -> datetime | None:
    key = _date_key(keys)
    if key is None:
        return None
    value = record[key]
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    when = to_datetime(value)
    if when is None:
        report.add(name, location, "warning", f"unparseable date: {value!r} in {key!r}")
    return when


def to_datetime(value: Any) -> datetime | None:
    """A naive datetime (UTC when the value carried a zone) from a field value, or None."""
    if isinstance(value, datetime):
        when = value
    elif isinstance(value, date):
        when = datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        text = value.strip()
        try:
            when = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return parse_date_text(text)
    else:
        return None
    if when.tzinfo is not None:
        when = when.astimezone(UTC).replace(tzinfo=None)
    return when


# ---------------------------------------------------------------------------------------------
# The corpus
# ---------------------------------------------------------------------------------------------

DOCUMENT_COLUMNS = (
    "doc_id",
    "source_file",
    "record",
    "title",
    "source",
    "url",
    "author",
    "date",
    "raw_text",
    "text",
    "n_chars_raw",
    "n_chars_clean",
    "n_words_raw",
    "n_words_clean",
    "duplicate_of",
    "is_duplicate",
)
AUDIT_COLUMNS = ("doc_id", "line", "rule", "text")
PROBLEM_COLUMNS = ("file", "location", "severity", "message")


@dataclass
class Corpus:
    """Documents (duplicates flagged, not dropped), the cleaning audit and the load problems."""

    documents: pd.DataFrame
    audit: pd.DataFrame
    problems: pd.DataFrame
    name: str
    path: Path
    content_hash: str
    keep_duplicates: bool = False
    summary: str = ""

    def analysed(self) -> pd.DataFrame:
        """The rows that count: duplicates excluded unless `keep_duplicates`."""
        if self.keep_duplicates:
            return self.documents
        return self.documents[~self.documents["is_duplicate"]]


def load_corpus(
    path: Path | str | None = None, *, text_field: str | None = None, keep_duplicates: bool = False
) -> Corpus:
    """Read, clean, audit and de-duplicate a corpus (default: the seed articles)."""
    root = Path(path) if path is not None else config.default_corpus()
    report = LoadReport()
    rows = DocumentRows()
    audit: list[tuple[str, int, str, str]] = []
    fingerprints: dict[str, Fingerprint] = {}
    for document in iter_documents(root, text_field=text_field, report=report):
        if document.doc_id in fingerprints:
            report.add(document.source_file, "", "warning", f"duplicate doc_id: {document.doc_id}")
            continue
        cleaned = clean_text(document.raw_text)
        if not cleaned.text:
            report.add(
                document.source_file,
                _location(document),
                "warning",
                "empty after cleaning: every line was boilerplate",
            )
        rows.append(document_row(document, cleaned))
        audit.extend((document.doc_id, *removal) for removal in cleaned.removed)
        fingerprints[document.doc_id] = fingerprint(cleaned.text)
    duplicates = flag_duplicates(fingerprints)
    corpus = assemble_corpus(
        root, documents_frame(rows, duplicates), audit, report, keep_duplicates=keep_duplicates
    )
    log.info("%s: %s", root, corpus.summary)
    return corpus


def assemble_corpus(
    root: Path,
    documents: pd.DataFrame,
    audit: Iterable[tuple[Any, ...]],
    report: LoadReport,
    *,
    keep_duplicates: bool,
) -> Corpus:
    """The `Corpus` of loaded documents, their audit rows and the load report."""
    return Corpus(
        documents=documents,
        audit=pd.DataFrame(audit, columns=list(AUDIT_COLUMNS)).astype({"line": "int64"}),
        problems=pd.DataFrame(report.problems, columns=list(PROBLEM_COLUMNS)),
        name=root.name if root.is_dir() else root.stem,
        path=root,
        content_hash=report.content_hash,
        keep_duplicates=keep_duplicates,
        summary=report.summary(),
    )


def _location(document: Document) -> str:
    return "" if document.record is None else f"record {document.record}"


def document_row(document: Document, cleaned: Cleaned) -> dict[str, Any]:
    return {
        "doc_id": document.doc_id,
        "source_file": document.source_file,
        "record": document.record,
        "title": document.title or cleaned.title,
        "source": document.source or cleaned.source,
        "url": document.url,
        "author": document.author,
        "date": document.date or cleaned.date,
        "raw_text": document.raw_text,
        "text": cleaned.text,
        "n_chars_raw": len(document.raw_text),
        "n_chars_clean": len(cleaned.text),
        "n_words_raw": _word_count(document.raw_text),
        "n_words_clean": _word_count(cleaned.text),
    }


_STRING_COLUMNS = ("doc_id", "source_file", "title", "source", "url", "author", "raw_text", "text")


class DocumentRows:
    """Documents-table rows, turned into DataFrame chunks as they arrive.

    Holding a whole corpus as row dicts and converting it at once peaks at about three times
    the finished table (the Python strings, their Arrow copies, the intermediate arrays):
    960 MB for SaudiNewsNet. In chunks, each row's Python strings live only until their chunk
    is converted.
    """

    CHUNK = 2000

    def __init__(self) -> None:
        self._chunks: list[pd.DataFrame] = []
        self._rows: list[dict[str, Any]] = []

    def append(self, row: dict[str, Any]) -> None:
        self._rows.append(row)
        if len(self._rows) >= self.CHUNK:
            self._flush()

    def _flush(self) -> None:
        if self._rows:
            self._chunks.append(pd.DataFrame(self._rows, columns=list(DOCUMENT_COLUMNS[:-2])))
            self._rows = []

    def frame(self) -> pd.DataFrame:
        """All the rows, typed as if built at once (a text column with any value is `str`).

        The chunks are handed over, not kept: call it once, when every row is in.
        """
        self._flush()
        if not self._chunks:
            return pd.DataFrame(columns=list(DOCUMENT_COLUMNS[:-2]))
        frame = pd.concat(self._chunks, ignore_index=True)
        self._chunks = []
        for column in _STRING_COLUMNS:
            # A chunk whose column is all None is `object`, and concatenation keeps `object`.
            if frame[column].dtype == object and frame[column].notna().any():
                frame[column] = frame[column].astype("str")
        return frame


def documents_frame(rows: DocumentRows, duplicates: dict[str, str]) -> pd.DataFrame:
    frame = rows.frame()
    frame["duplicate_of"] = frame["doc_id"].map(duplicates)
    frame["is_duplicate"] = frame["duplicate_of"].notna()
    return frame.astype(
        {
            "record": "Int64",
            "date": "datetime64[ns]",
            "n_chars_raw": "int64",
            "n_chars_clean": "int64",
            "n_words_raw": "int64",
            "n_words_clean": "int64",
            "is_duplicate": "bool",
        }
    )

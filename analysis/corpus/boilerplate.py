"""Boilerplate line rules: site chrome recognised by family, vocabularies from data.

The phrase lists live in `analysis/data/boilerplate.yaml` (`config.BOILERPLATE_PATH`) and
are compiled once, at import, into one alternation per rule family; the structural rules
(tickers, navigation bars, breadcrumbs, share bars, hashtags) are small predicates here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from typing import NamedTuple

from analysis import config
from analysis.corpus.spelling import load_phrase_lists, phrases, word_count

_VOCABULARIES = load_phrase_lists(config.BOILERPLATE_PATH)
# Phrases a line *starts with* (after leading digits/punctuation), per rule.
_PREFIXES: dict[str, tuple[str, ...]] = _VOCABULARIES["prefixes"]
# Lines that *are* the phrase (give or take punctuation and counts), per rule.
_WHOLE_LINES: dict[str, tuple[str, ...]] = _VOCABULARIES["whole_lines"]
# Whole-line related headings open a block: the headline-like lines after them are links too.
_RELATED_HEADINGS: tuple[str, ...] = _VOCABULARIES["related_headings"]
SOCIAL: tuple[str, ...] = _VOCABULARIES["social"]
FOLLOW_VERBS: tuple[str, ...] = _VOCABULARIES["follow_verbs"]
SHARE_BAR_WORDS = (*SOCIAL, *_VOCABULARIES["share_bar_extra"])
COPYRIGHT: tuple[str, ...] = _VOCABULARIES["copyright"]

_WHOLE_TAIL = r"[\W\d_]*$"  # trailing punctuation, counts, arrows


def rule_phrases() -> tuple[str, ...]:
    """Every phrase of `line_rules_regex`: whole lines, related headings, prefixes."""
    lists = (*_WHOLE_LINES.values(), _RELATED_HEADINGS, *_PREFIXES.values())
    return tuple(phrase for phrases in lists for phrase in phrases)


@cache
def line_rules_regex() -> re.Pattern[str]:
    """Every phrase rule in one alternation, compiled on first use (0.2 s): a pipeline
    client, which never cleans a text, does not pay for it."""
    branches = []
    for rule, words in _WHOLE_LINES.items():
        branches.append(f"(?P<{rule}__whole>(?:{phrases(words)}){_WHOLE_TAIL})")
    branches.append(f"(?P<related_links__block>(?:{phrases(_RELATED_HEADINGS)}){_WHOLE_TAIL})")
    for rule, words in _PREFIXES.items():
        branches.append(f"(?P<{rule}__prefix>{phrases(words)})")
    return re.compile("^[\\W\\d_]*(?:" + "|".join(branches) + ")", re.IGNORECASE)


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


class _Phrases(NamedTuple):
    follow: re.Pattern[str]
    share_bar: re.Pattern[str]
    copyright: re.Pattern[str]


@cache
def phrase_patterns() -> _Phrases:
    """The follow prompt, share bar and copyright patterns, compiled on first use (0.04 s)."""
    return _Phrases(
        re.compile(
            f"(?:^|\\W)(?:{phrases(FOLLOW_VERBS)})\\W.{{0,80}}?(?:{phrases(SOCIAL)})",
            re.IGNORECASE,
        ),
        re.compile(f"^\\W*(?:(?:{phrases(SHARE_BAR_WORDS)})(?:\\W+|$)){{2,}}$", re.IGNORECASE),
        re.compile(phrases(COPYRIGHT), re.IGNORECASE),
    )


# Literal hints, found case-insensitively before the tolerant patterns, which are slow to
# search a whole line.
COPYRIGHT_HINTS = ("\u00a9", "\u062d\u0642\u0648\u0642", "copyright", "rights", "(c)")
FOLLOW_HINTS = ("\u062a\u0627\u0628\u0639", "follow")
_COPYRIGHT_HINT = re.compile("|".join(map(re.escape, COPYRIGHT_HINTS)), re.IGNORECASE)
_FOLLOW_HINT = re.compile("|".join(map(re.escape, FOLLOW_HINTS)), re.IGNORECASE)
_HASHTAGS = re.compile(r"^(?:#\w+[\s,\u060c]*){2,}$")
URL_STARTS = ("http://", "https://", "www.")
_BARE_URL = re.compile(
    f"^(?:(?:{phrases(_VOCABULARIES['source_labels'])})\\s*:\\s*)?"
    f"(?:{'|'.join(map(re.escape, URL_STARTS))})\\S+$",
    re.IGNORECASE,
)
ARROWS = "\u2191\u2b06\u25b2\u25b4^"
_ARROWS = re.compile(f"^[{re.escape(ARROWS)}]+$")

# Tickers and navigation bars: segments joined by runs of spaces/NBSP or by bullet/pipe marks.
BULLETS = "|\u2022\u00b7\u25cf\u25aa\u25a0\u25c6\u2605\u2666"
BLANKS_BUT_SPACE = "\t\u00a0\u2007\u202f"
_SEGMENT_MARK = re.compile(f"[{BULLETS}]|[ {BLANKS_BUT_SPACE}]{{3}}")
# A separator is a bullet/pipe mark or a run of three blanks or more: prose has stray double
# spaces and "space + no-break space" pairs, tickers and menus pad their items wider.
_SEGMENT_SEP = re.compile(f"[{BULLETS}]|[ {BLANKS_BUT_SPACE}]{{3,}}")
_FULL_STOP = re.compile(r"(?<!\.)\.(?!\.)")  # a sentence's full stop, not a ".." ellipsis
# Breadcrumbs: short segments joined by » › > / with spaces around (so "24/7" stays whole).
_CRUMB_SEP = re.compile("\\s+[\u00bb\u203a>/\\\\]\\s+")
# What a breadcrumb never holds, besides a digit; nor «, which opens a quote that » closes.
QUOTE_OPENER = "\u00ab"
CRUMB_FORBIDDEN = (":", "http", "www.")
_CRUMB_FORBIDDEN = re.compile("|".join((r"\d", *map(re.escape, CRUMB_FORBIDDEN))))
CRUMB_MARKS = ("\u00bb", "\u203a", ">", "/", "\\")
_CRUMB_HINT = re.compile(f"\\s[{re.escape(''.join(CRUMB_MARKS))}]\\s")
_SENTENCE_END = re.compile(r"[.!\u06d4]$")
_HEADING_END = re.compile("[.,:;\u060c\u061b]$")


# Tickers and navigation bars by their size: a ticker is a long line of five segments or more,
# a navigation bar a short one of three or more (a breadcrumb, of two or more, shorter still).
TICKER_MIN_CHARS = 150
TICKER_MIN_SEGMENTS = 5
NAVIGATION_MAX_CHARS = 300
NAVIGATION_MIN_SEGMENTS = 3
BREADCRUMB_MAX_CHARS = 200

# Three blanks in a row hold two spaces in a row or a blank other than the space: both are
# rare in prose and found at C speed, unlike the space-by-space work of `_SEGMENT_MARK`.
_RARE_MARK = re.compile(f"[{BULLETS}{BLANKS_BUT_SPACE}]")


def _has_segment_marks(line: str) -> bool:
    """Cheap test that `_SEGMENT_SEP` can split the line (three blanks, bullet, pipe)."""
    if _RARE_MARK.search(line) is None:
        # Then only three spaces in a row make a mark: a substring test, where the regex
        # stopped at each of the double spaces many articles have.
        return "   " in line
    return _SEGMENT_MARK.search(line) is not None


def _segments(line: str, sep: re.Pattern[str]) -> list[str]:
    return [s for s in (part.strip() for part in sep.split(line)) if s]


def _is_ticker(line: str, *, marks: bool | None = None) -> bool:
    """Many short, unrelated headlines on one long line.

    `marks`: `_has_segment_marks(line)`, when the caller knows it already."""
    if len(line) < TICKER_MIN_CHARS:
        return False
    if not (_has_segment_marks(line) if marks is None else marks):
        return False
    segments = _segments(line, _SEGMENT_SEP)
    if len(segments) < TICKER_MIN_SEGMENTS:
        return False
    words = sorted(word_count(s) for s in segments)
    sentences = sum(1 for s in segments if _SENTENCE_END.search(s))
    full_stops = len(_FULL_STOP.findall(line))
    return (
        words[len(words) // 2] <= 15
        and sentences * 2 < len(segments)
        and full_stops * 2 < len(segments)
    )


def _is_navigation_bar(line: str, *, marks: bool | None = None) -> bool:
    """A short line of menu entries: three or more segments of at most four words.

    `marks`: `_has_segment_marks(line)`, when the caller knows it already."""
    if marks is None:
        marks = _has_segment_marks(line)
    if marks and _short_segments(_segments(line, _SEGMENT_SEP), NAVIGATION_MIN_SEGMENTS):
        return True
    return _is_breadcrumb(line, min_segments=NAVIGATION_MIN_SEGMENTS)


def _short_segments(segments: list[str], minimum: int) -> bool:
    return len(segments) >= minimum and all(word_count(s) <= 4 for s in segments)


def _has_crumb_separator(line: str) -> bool:
    """`_CRUMB_HINT` in the line, tested first for its marks alone: substring tests find
    them in an eighth of the time the regex takes to try every blank."""
    return any(mark in line for mark in CRUMB_MARKS) and _CRUMB_HINT.search(line) is not None


def _is_breadcrumb(line: str, *, min_segments: int = 2) -> bool:
    """`Home » News » Morocco`: segments of at most four words joined by » › > /."""
    if QUOTE_OPENER in line or not _has_crumb_separator(line):
        return False
    # Dates (05 / 2015), references (أ / 267) and "label: value" lines are not breadcrumbs.
    return not _CRUMB_FORBIDDEN.search(line) and _short_segments(
        _segments(line, _CRUMB_SEP), min_segments
    )


MAX_CHROME_CHARS = 1000  # longer lines are body text or tickers, whatever they start with
MAX_RULE_WORDS = 60  # no rule but the ticker takes a longer line
LONG_LINE_WORDS = MAX_RULE_WORDS + 1  # the count a line of `MAX_CHROME_CHARS` or more gets


def line_rule(line: str, n_words: int) -> tuple[str, bool] | None:
    """The boilerplate rule a stripped, non-blank line falls under, and whether it opens a block."""
    # Each rule's cheap necessary condition is tested once and first: of SaudiNewsNet's
    # 168,000 lines, 54 are boilerplate.
    marks = (
        _has_segment_marks(line)
        if len(line) >= TICKER_MIN_CHARS or n_words <= MAX_RULE_WORDS
        else False
    )
    if _is_ticker(line, marks=marks):
        return "ticker", False
    if n_words > MAX_RULE_WORDS:
        return None
    crumbs = _has_crumb_separator(line)
    if crumbs and len(line) <= BREADCRUMB_MAX_CHARS and _is_breadcrumb(line):
        return "breadcrumb", False
    if (
        (marks or crumbs)
        and len(line) <= NAVIGATION_MAX_CHARS
        and _is_navigation_bar(line, marks=marks)
    ):
        return "navigation", False
    match = line_rules_regex().match(line)
    if match:
        rule, kind = match.lastgroup.split("__")  # type: ignore[union-attr]
        if n_words <= _MAX_WORDS[rule]:
            return rule, kind == "block"
    if n_words > MAX_SHAPE_WORDS and line[0] != "#":
        return None
    for rule, holds in _SHAPE_RULES:
        if holds(line, n_words):
            return rule, False
    return None


def _is_follow_prompt(line: str, n_words: int) -> bool:
    """A "follow us on ..." prompt naming a network, or a bare bar of share buttons."""
    return n_words <= _MAX_WORDS["share_follow_prompt"] and bool(
        (_FOLLOW_HINT.search(line) and phrase_patterns().follow.search(line))
        or phrase_patterns().share_bar.match(line)
    )


def _is_copyright_notice(line: str, n_words: int) -> bool:
    # The literal hint first: the tolerant pattern is slow to search a whole line.
    return (
        n_words <= _MAX_WORDS["copyright"]
        and _COPYRIGHT_HINT.search(line) is not None
        and phrase_patterns().copyright.search(line) is not None
    )


def _is_hashtag_line(line: str, n_words: int) -> bool:
    return line[0] == "#" and _HASHTAGS.match(line) is not None


def _is_bare_url(line: str, n_words: int) -> bool:
    return n_words == 1 and _BARE_URL.match(line) is not None


def _is_arrow_line(line: str, n_words: int) -> bool:
    """A lone "back to top" arrow."""
    return len(line) <= 3 and _ARROWS.match(line) is not None


# Rules recognised by a line's shape, checked in this order after the phrase rules. Only
# `tags` (a line starting with "#") holds for a line of more than `MAX_SHAPE_WORDS` words.
MAX_SHAPE_WORDS = max(_MAX_WORDS["share_follow_prompt"], _MAX_WORDS["copyright"])
_SHAPE_RULES: tuple[tuple[str, Callable[[str, int], bool]], ...] = (
    ("share_follow_prompt", _is_follow_prompt),
    ("copyright", _is_copyright_notice),
    ("tags", _is_hashtag_line),
    ("source_link", _is_bare_url),
    ("back_to_top", _is_arrow_line),
)


_HEADING_WORDS = 20


def is_heading_like(line: str) -> bool:
    """Short, and not ending like a sentence or a lead-in: a title, heading or headline."""
    # Split at most 20 times: a longer line gives 21 pieces whatever its length, where the
    # whole split of a body paragraph took most of this test's time.
    n_words = len(line.split(maxsplit=_HEADING_WORDS))
    return 1 <= n_words <= _HEADING_WORDS and not _HEADING_END.search(line)


def is_label_like(line: str) -> bool:
    """A category label such as `سياسة` or `العالمالمغرب`: one or two bare words."""
    # The length first: it rules out a paragraph before its words are counted.
    return (
        len(line) <= 30
        and word_count(line) <= 2
        and not re.search(r"[\W\d_]", line.replace(" ", ""))
    )

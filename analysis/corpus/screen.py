"""Which lines cleaning's rules could take, found for a batch of texts at once (polars).

`clean.clean_text` walks every line of a text in Python, asking whether a boilerplate rule
takes it (`boilerplate.line_rule`), whether it is a dateline (`dates.dateline`), whether it
repeats an earlier paragraph. Of SaudiNewsNet's 168,113 lines, 79 go under any of them. The
screen finds the lines that *could*: a line meeting the necessary condition of a rule, a
short line holding a digit (5,958 lines); and the texts where two lines read the same once
single-spaced, which must be walked whole (110 texts). `clean.clean_texts` asks only those
lines: 27,765 of the 30,676 texts need no walk at all, only their leading labels and title
read.

Each condition is a Rust regex (polars) of exactly the characters Python's regex matches
(`columns.python_class`; a case-insensitive rule's characters in every case Python's
`re.IGNORECASE` matches), so a line passed over is one that no rule or dateline test takes,
whatever its characters. A condition is necessary, not sufficient: a line found for nothing
is only asked. `tests/test_screen.py` checks both on generated lines, every rule's own
examples and SaudiNewsNet.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import cache
from typing import Any, NamedTuple

from analysis.charsets import CodeRanges, chars, class_body, trie_body
from analysis.columns import (
    code_ranges,
    polars,
    python_class,
    rust_class,
    text_series,
    without,
)
from analysis.corpus import boilerplate
from analysis.corpus.boilerplate import LONG_LINE_WORDS, MAX_CHROME_CHARS
from analysis.corpus.dates import MAX_DATELINE_WORDS
from analysis.corpus.spelling import TOLERATED_MARKS, fold, spellings, takes_marks, variants


def line_candidates(texts: Sequence[str]) -> list[list[int] | None]:
    """Per text (after hygiene: what `clean.clean_text` walks), the lines (0-based, ascending)
    that could fall under a line rule or be a dateline, or None when a line could repeat
    another or polars cannot hold the text (then every line must be asked)."""
    pl = polars()
    series, refused = text_series(texts)
    found = patterns()
    line = pl.col("line")
    lines = (
        pl.LazyFrame({"text": series})
        .with_row_index("doc")
        .select("doc", pl.col("text").str.split("\n").alias("line"))
        .explode("line")
        .with_row_index("i")
        .select(
            "doc",
            pl.col("i") - pl.col("i").first().over("doc"),
            line.str.strip_chars(found.blanks),
        )
        .filter(line.str.len_bytes() > 0)
        .with_columns(
            pl.any_horizontal(line.str.contains(c) for c in found.first_pass).alias("any")
        )
        .collect()
    )
    # Cheap regexes over every line find the few lines that meet some condition's prefilter;
    # each of those is then tested for every condition, its words counted (`clean_text`'s
    # count) and its length measured.
    length = line.str.len_chars()
    met = lines.filter("any").with_columns(
        pl.when(length < MAX_CHROME_CHARS)
        .then(line.str.count_matches(" ", literal=True) + 1)
        .otherwise(LONG_LINE_WORDS)
        .alias("words"),
        length.alias("length"),
        (line.str.contains("  ", literal=True) | line.str.contains(found.odd_blank)).alias(
            "irregular"
        ),
    )
    # Two lines repeat when they read the same single-spaced (`" ".join(line.split())`): only
    # the lines with other blanks than single spaces between words need rewriting to compare.
    # Their hashes are compared: two lines that only share one are walked as a repeat.
    irregular = pl.col("irregular")
    keys = pl.concat(
        [
            lines.filter(~pl.col("any")).select("doc", line.hash()),
            met.filter(~irregular).select("doc", line.hash()),
            met.filter(irregular).select("doc", line.str.replace_all(found.blank_run, " ").hash()),
        ]
    )
    repeated = keys.filter(pl.struct("doc", "line").is_duplicated())["doc"]
    taken: list[list[int]] = [[] for _ in texts]
    for doc, place in zip(*_taken(met, found), strict=True):
        taken[doc].append(place)
    walked_whole = {*repeated.to_list(), *refused}
    return [None if doc in walked_whole else places for doc, places in enumerate(taken)]


# A line of n segments holds n - 1 separators at least.
TICKER_SEPARATORS = boilerplate.TICKER_MIN_SEGMENTS - 1
NAVIGATION_SEPARATORS = boilerplate.NAVIGATION_MIN_SEGMENTS - 1


def _taken(met: Any, found: Patterns) -> tuple[list[int], list[int]]:
    """The lines (`met`'s; texts and places, in order) that meet the necessary condition of a
    rule or of a dateline; each condition is tested on the lines of the right size only."""
    pl = polars()
    line, words, length = pl.col("line"), pl.col("words"), pl.col("length")
    separators = line.str.count_matches(found.separator)
    rule_sized = met.filter(words <= boilerplate.MAX_RULE_WORDS)
    shape_sized = rule_sized.filter(words <= boilerplate.MAX_SHAPE_WORDS)
    lines = [
        # ticker: five segments or more on a long line
        met.filter(length >= boilerplate.TICKER_MIN_CHARS).filter(separators >= TICKER_SEPARATORS),
        # navigation bar (three segments or more) and breadcrumb, on a short line
        rule_sized.filter(length <= boilerplate.NAVIGATION_MAX_CHARS).filter(
            (separators >= NAVIGATION_SEPARATORS)
            | line.str.contains(found.crumb) & ~line.str.contains(found.not_crumbs)
        ),
        # the phrase rules, tags, back-to-top arrow; a bare link is one word
        rule_sized.filter(
            line.str.contains(found.phrase_rules) | (words == 1) & line.str.contains(found.link)
        ),
        # follow prompt, share bar, copyright notice
        shape_sized.filter(line.str.contains(found.short_rules)),
        # dateline
        shape_sized.filter(words <= MAX_DATELINE_WORDS).filter(line.str.contains(found.digit)),
    ]
    taken = pl.concat([frame.select("doc", "i") for frame in lines]).unique().sort("doc", "i")
    return taken["doc"].to_list(), taken["i"].to_list()


class Patterns(NamedTuple):
    """The screen's patterns: `blanks` as characters, the others as Rust regexes."""

    blanks: str  # what `str.strip()` strips (Python's `\s`)
    first_pass: tuple[str, ...]  # what a line meeting any condition below holds, or two blanks
    separator: str  # `boilerplate._SEGMENT_SEP`
    crumb: str  # `boilerplate._CRUMB_HINT`
    not_crumbs: str  # what a breadcrumb never holds
    phrase_rules: str  # `line_rules_regex`, a line starting with "#", an arrow alone
    link: str  # what a bare link holds
    short_rules: str  # follow prompt, share bar, copyright notice
    digit: str  # Python's `\d`
    odd_blank: str  # a blank other than the space
    blank_run: str  # what `str.split()` splits at


@cache
def patterns() -> Patterns:
    """The screen's patterns, built on first use from Python's own classes."""
    space, word, digit = python_class(r"\s+"), python_class(r"\w+"), python_class(r"\d+")
    cases = _Cases(_case_alphabet(), space)
    blank = rust_class(space)
    # `[\W\d_]` and `\W`, as Python reads them: IGNORECASE changes no category.
    not_word_but_digit = rust_class(without(without(word, digit), ((0x5F, 0x5F),)), negated=True)
    not_word = rust_class(word, negated=True)
    bullets = rust_class(code_ranges(boilerplate.BULLETS))
    blanks = rust_class(code_ranges(" " + boilerplate.BLANKS_BUT_SPACE))
    crumb = f"{blank}{rust_class(code_ranges(''.join(boilerplate.CRUMB_MARKS)))}{blank}"
    phrase_rules = _either(
        *_starts_with(not_word_but_digit, boilerplate.rule_phrases(), cases),
        "^#",
        f"^{rust_class(code_ranges(boilerplate.ARROWS))}{{1,3}}$",
    )
    link = _either(*map(cases.literal, boilerplate.URL_STARTS))
    verbs, social = _phrases(boilerplate.FOLLOW_VERBS, cases), _phrases(boilerplate.SOCIAL, cases)
    follow_prompt = (
        f"(?:^|{not_word})(?:{verbs}){not_word}.{{0,80}}?(?:{social})" if verbs and social else ""
    )
    share_bar = _starts_with(not_word, boilerplate.SHARE_BAR_WORDS, cases)
    copyright_notice = _phrases(boilerplate.COPYRIGHT, cases) or ""
    short_rules = _either(follow_prompt, *share_bar, copyright_notice)
    odd_blank = rust_class(without(space, ((0x20, 0x20),)))
    return Patterns(
        blanks=chars(space),
        # Each literal on its own, which Rust's regex finds by a fast prefilter (a union of
        # them goes through its automaton, ten times slower); the rest in one automaton.
        first_pass=(
            _either(bullets, "  ", odd_blank, crumb, *_dateline_conditions(digit)),
            # anchored at the line's start; the phrase rules' regex is the one the second
            # pass uses (compiled once: it is the largest)
            phrase_rules,
            *share_bar,
            *_hints(
                (*boilerplate.FOLLOW_HINTS, *boilerplate.COPYRIGHT_HINTS, *boilerplate.URL_STARTS),
                cases,
            ),
        ),
        separator=f"{bullets}|{blanks}{{3,}}",
        crumb=crumb,
        not_crumbs=_either(
            rust_class(digit),
            *(re.escape(c) for c in (boilerplate.QUOTE_OPENER, *boilerplate.CRUMB_FORBIDDEN)),
        ),
        phrase_rules=phrase_rules,
        link=link,
        short_rules=short_rules,
        digit=rust_class(digit),
        odd_blank=odd_blank,
        blank_run=f"{blank}+",
    )


def _either(*patterns: str) -> str:
    return "|".join(p for p in patterns if p)


def _phrases(phrases: Iterable[str], cases: _Cases) -> str | None:
    """`spelling.phrases(phrases)` read case-insensitively, as a Rust regex; None for no
    phrase (Python's pattern is then `(?!)`, matching nothing, which Rust cannot parse: the
    condition is left out)."""
    folded = {fold(p) for p in phrases}
    return trie_body(folded, cases.tolerant) if folded else None


def _hints(hints: Iterable[str], cases: _Cases) -> list[str]:
    """The case-insensitive literal hints as regexes: the Latin ones in one (still a fast
    search), the others one each (a union of Arabic literals was searched byte by byte)."""
    latin = [h for h in hints if h.isascii()]
    return [
        _either(*map(cases.literal, latin)),
        *(cases.literal(h) for h in hints if h not in latin),
    ]


def _starts_with(prefix: str, phrases: Iterable[str], cases: _Cases) -> list[str]:
    """A line starting, after a run of `prefix`, with one of the phrases in any spelling
    (`_phrases`); none when there is no phrase."""
    body = _phrases(phrases, cases)
    return [] if body is None else [f"^{prefix}*(?:{body})"]


def _dateline_conditions(digit: CodeRanges) -> list[str]:
    """A line of at most `MAX_DATELINE_WORDS` words (by `clean_text`'s count of spaces) with a
    digit in one of them: one branch for each word the digit may stand in."""
    most = MAX_DATELINE_WORDS - 1  # spaces
    digit_word = f"[^ ]*{rust_class(digit)}[^ ]*"
    return [f"^(?:[^ ]* ){{{k}}}{digit_word}(?: [^ ]*){{0,{most - k}}}$" for k in range(most + 1)]


def _case_alphabet() -> str:
    """Every character the case-insensitive conditions are written with (`\\s` apart)."""
    phrases = (
        *boilerplate.rule_phrases(),
        *boilerplate.SHARE_BAR_WORDS,
        *boilerplate.FOLLOW_VERBS,
        *boilerplate.SOCIAL,
        *boilerplate.COPYRIGHT,
    )
    literals = (*boilerplate.FOLLOW_HINTS, *boilerplate.COPYRIGHT_HINTS, *boilerplate.URL_STARTS)
    spelled = "".join(variants(c) for c in set("".join(map(fold, phrases))))
    return spelled + "".join(literals) + chars(TOLERATED_MARKS) + "\u00a0"


class _Cases:
    """Rust classes of what one-character Python patterns match under `re.IGNORECASE`.

    Such a pattern can only match characters that the class of every character the patterns
    are written with (`alphabet`, and Python's blanks for `\\s`) matches case-insensitively:
    one scan over every code point finds those, and each pattern is tried on them alone.
    """

    def __init__(self, alphabet: str, space: CodeRanges) -> None:
        ranges = (*code_ranges(alphabet), *space)
        self.candidates = chars(python_class(f"(?i)[{class_body(ranges)}]+"))
        self.classes: dict[str, str] = {}
        self.marks = self.rust(f"[{class_body(TOLERATED_MARKS)}]") + "*"

    def rust(self, pattern: str) -> str:
        """The Rust class of what `pattern` (one character) matches case-insensitively."""
        if pattern not in self.classes:
            matches = re.compile(pattern, re.IGNORECASE).fullmatch
            found = code_ranges("".join(c for c in self.candidates if matches(c)))
            if not found:
                raise ValueError(f"no character matches {pattern!r}")
            self.classes[pattern] = rust_class(found)
        return self.classes[pattern]

    def literal(self, text: str) -> str:
        """A Rust regex of `text` as `re.escape(text)` matches it case-insensitively."""
        return "".join(self.rust(re.escape(c)) for c in text)

    def tolerant(self, char: str) -> str:
        """A Rust regex of `spelling._tolerant_char(char)` read case-insensitively."""
        pattern = self.rust(spellings(char)) + ("+" if char == " " else "")
        return pattern + self.marks if takes_marks(char) else pattern

"""Cleaning one document: hygiene, boilerplate lines, repeated paragraphs; every removal audited.

`clean_text` is a pure function of the raw text: hygiene (BOM, newlines, presentation forms,
NFC, invisible controls), then line rules that drop boilerplate by *family* (tickers,
navigation, comment forms, share prompts, ...), then repeated paragraphs. Every dropped line
comes back as a `Removal(line, rule, text)`. `clean_texts` cleans a batch the same way,
asking only the lines a screen finds could be taken (`screen.line_candidates`).
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import NamedTuple

from analysis.charsets import (
    INVISIBLE,
    PRESENTATION_FORMS,
    class_body,
)
from analysis.corpus import boilerplate, dates
from analysis.corpus.boilerplate import (
    LONG_LINE_WORDS,
    MAX_CHROME_CHARS,
    is_heading_like,
    is_label_like,
    line_rule,
)
from analysis.corpus.dates import MAX_DATELINE_WORDS, OUTLET_PREFIX, dateline
from analysis.corpus.screen import line_candidates
from analysis.corpus.spelling import word_count


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
    if not _is_nfc(text):
        text = nfc(text)
    return text.rstrip()


def nfc(text: str) -> str:
    """`unicodedata.normalize("NFC", text)`, composed only in the lines and words that need it.

    A space or a line break composes with nothing and ends every run of marks, so the
    normal form of a text is its pieces' normal forms joined. Most pieces are normalized
    already, which `is_normalized` tells quickly (SaudiNewsNet's 1,900 texts that are not
    in NFC: 0.33 s whole, 0.08 s so).
    """
    return "\n".join(
        line
        if _is_nfc(line)
        else " ".join(w if _is_nfc(w) else _to_nfc(w) for w in line.split(" "))
        for line in text.split("\n")
    )


def _is_nfc(text: str) -> bool:
    return unicodedata.is_normalized("NFC", text)


def _to_nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


# A short line that recurs in one article is usually structure (a recipe's "طريقة التحضير:", a
# list label), not a scraper repeating a paragraph; scraped repeats are whole paragraphs.
_MIN_WORDS_REPEATED = 6


def clean_text(raw: str) -> Cleaned:
    """Hygiene, then boilerplate and repeated paragraphs removed, each removal audited."""
    return _walk_lines(hygiene(raw))


def clean_texts(raws: Sequence[str]) -> list[Cleaned]:
    """`[clean_text(raw) for raw in raws]`, the lines that a rule could take or that could be a
    dateline found first for all the texts together (`screen.line_candidates`, as columns):
    only those are asked, unless two lines of a text could repeat (then all of its lines are).
    """
    texts = [hygiene(raw) for raw in raws]
    return list(map(_clean_screened, texts, line_candidates(texts)))


def _clean_screened(text: str, candidates: list[int] | None) -> Cleaned:
    """`_walk_lines(text)`, given the lines a rule could take (None: a line could repeat)."""
    if candidates is None:
        return _walk_lines(text)
    if candidates:
        return _walk_candidates(text, candidates)
    return _labels_and_title(text)


def _walk_lines(text: str) -> Cleaned:
    """`clean_text` of a hygienic text: each line asked whether a rule takes it, or repeats."""
    walk = _Walk(text)
    visit, verdicts = walk.visit, walk.verdicts
    seen: set[str] = set()
    for i in range(len(verdicts)):
        kept = visit(i)
        if kept is not None and kept[1] >= _MIN_WORDS_REPEATED:
            key = _single_spaced(kept[0])
            if key in seen:
                verdicts[i] = "repeated_paragraph"
            else:
                seen.add(key)
    return walk.finish()


def _walk_candidates(text: str, candidates: Sequence[int]) -> Cleaned:
    """`_walk_lines` of a text in which no line repeats another and only the `candidates`
    (0-based, ascending) can fall under a rule or be a dateline: only those are asked, and
    the lines after one that opens a block of related links, while the block lasts."""
    walk = _Walk(text)
    after = 0  # the first line not asked yet
    for i in candidates:
        if i < after:
            continue
        walk.visit(i)
        after = i + 1
        while walk.in_related_block and after < len(walk.lines):
            walk.visit(after)
            after += 1
    return walk.finish()


def _labels_and_title(text: str) -> Cleaned:
    """`_walk_candidates(text, [])`, reading the text only as far as its first four non-blank
    lines, unless they start with category labels: most texts have no line to ask, and
    splitting each whole took 0.07 s of SaudiNewsNet's 0.15 s of such cleaning."""
    n_labels, title = _labels_and_title_of(_first_lines(text, _LABEL_LOOKAHEAD))
    if n_labels:
        return _walk_candidates(text, [])
    return Cleaned(text, [], title)


def _first_lines(text: str, n: int) -> list[str]:
    """The first n non-blank lines of the text, stripped."""
    found: list[str] = []
    start = 0
    while len(found) < n and start <= len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        if line := text[start:end].strip():
            found.append(line)
        start = end + 1
    return found


class _Walk:
    """The line walk of one hygienic text: each line's verdict, and what its dateline and
    its footer state."""

    __slots__ = ("in_related_block", "lines", "source", "text", "title", "verdicts", "when")

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = text.split("\n")
        self.verdicts: list[str | None] = [None] * len(self.lines)
        self.title: str | None = None
        self.source: str | None = None
        self.when: datetime | None = None
        self.in_related_block = False

    def visit(self, i: int) -> tuple[str, int] | None:
        """Give line i its verdict under the rules and the dateline test; the line, stripped,
        and its word count when it is kept and not blank (a plain tuple: a NamedTuple made
        for every line took 0.04 s of SaudiNewsNet's cleaning)."""
        stripped = self.lines[i].strip()
        if not stripped:
            return None
        # Spaces + 1 bounds the word count from above without splitting: rule thresholds only.
        n_words = stripped.count(" ") + 1 if len(stripped) < MAX_CHROME_CHARS else LONG_LINE_WORDS
        found = line_rule(stripped, n_words)
        if found is None and n_words <= MAX_DATELINE_WORDS and (stated := dateline(stripped)):
            self.verdicts[i] = "dateline"
            if self.when is None:
                self.source, self.when = stated
                self.title = _heading_above(self.lines, self.verdicts, i)
            return None
        if found is None and self.in_related_block and is_heading_like(stripped):
            found = ("related_links", True)
        if found is not None:
            self.verdicts[i], opens_block = found
            self.in_related_block = opens_block or (self.in_related_block and found[0] != "ticker")
            if found[0] == "share_follow_prompt" and self.source is None:
                self.source = _outlet_of_footer(stripped)
            return None
        self.in_related_block = False
        return stripped, n_words

    def finish(self) -> Cleaned:
        """The cleaned text: leading category labels dropped, the title read off the first
        line unless a dateline gave it."""
        lines, verdicts = self.lines, self.verdicts
        kept = list(itertools.islice(_kept_lines(lines, verdicts), _LABEL_LOOKAHEAD))
        n_labels, title = _labels_and_title_of([lines[i].strip() for i in kept])
        for i in kept[:n_labels]:
            verdicts[i] = "category_label"
        if self.title is not None:  # a dateline's
            title = self.title
        if not any(verdicts):
            # Nothing removed (most articles): `_assemble` would give the text back line by
            # line, as hygiene already took its trailing blanks.
            return Cleaned(self.text, [], title, self.source, self.when)
        removed = [Removal(i + 1, rule, lines[i]) for i, rule in enumerate(verdicts) if rule]
        return Cleaned(_assemble(lines, verdicts), removed, title, self.source, self.when)


_BLANK_BUT_SPACE = re.compile(r"[^\S ]")


def _single_spaced(line: str) -> str:
    """`" ".join(line.split())` of a stripped line, without splitting the many lines that
    already read so (a third of cleaning's time went to splitting them)."""
    # Every blank but the space is unprintable: `isprintable` rules them out in a fraction
    # of the time the class search takes (SaudiNewsNet's lines: 0.47 -> 0.27 s).
    if "  " in line or (not line.isprintable() and _BLANK_BUT_SPACE.search(line)):
        return " ".join(line.split())
    return line


def _outlet_of_footer(line: str) -> str | None:
    match = OUTLET_PREFIX.match(line)
    return match["outlet"] if match else None


def _kept_lines(lines: list[str], verdicts: list[str | None]) -> Iterator[int]:
    return (i for i, line in enumerate(lines) if verdicts[i] is None and line.strip())


def _heading_above(lines: list[str], verdicts: list[str | None], i: int) -> str | None:
    """The kept non-blank line right above line i, when it reads like a headline."""
    for j in range(i - 1, -1, -1):
        if verdicts[j] is None and lines[j].strip():
            return lines[j].strip() if is_heading_like(lines[j].strip()) else None
    return None


# Two labels, a title and a body at most are looked at: the first four kept lines.
_LABEL_LOOKAHEAD = 4


def _labels_and_title_of(first: list[str]) -> tuple[int, str | None]:
    """How many of the first kept lines (stripped, `_LABEL_LOOKAHEAD` at most) are category
    labels, and the title: the first line after them, when it is a headline followed by
    more text."""
    n_labels = _leading_labels(first)
    rest = first[n_labels:]
    return n_labels, rest[0] if len(rest) >= 2 and is_heading_like(rest[0]) else None


def _leading_labels(first: list[str]) -> int:
    """Category labels above the title: short bare lines, then a title, then body text.

    The shape is what tells a label (`سياسة` over a headline over a paragraph) from a short
    heading that starts an article (`البابونج` over `* ما هي الفوائد...؟`, a film's name
    over its credits): those keep their first line.
    """
    n_labels = 0
    while n_labels < len(first) and is_label_like(first[n_labels]):
        n_labels += 1
    if not 0 < n_labels <= 2 or len(first) < n_labels + 2:
        return 0
    title, body = first[n_labels], first[n_labels + 1]
    return n_labels if _is_title(title) and not is_heading_like(body) else 0


def _is_title(line: str) -> bool:
    """A headline: starts with a letter, four words or more, no sentence-final punctuation."""
    return line[0].isalpha() and is_heading_like(line) and word_count(line) >= 4


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


def compile_patterns() -> None:
    """Compile now what cleaning compiles on first use (0.2 s): for a worker's preload.

    The largest rule patterns are compiled lazily, so that a pipeline client, which never
    cleans a text, does not pay for them before it hands work out; the screen's Rust ones
    when it first runs."""
    boilerplate.line_rules_regex()
    boilerplate.phrase_patterns()
    dates.patterns()
    line_candidates(["compiled"])

"""`clean_text` for a batch of texts: one polars pass finds the texts with nothing to clean.

Of SaudiNewsNet's 168,000 lines, 54 are boilerplate; yet `clean_text` puts every line through
every rule. `plain_texts` looks at all the batch's lines at once (polars, without the GIL) for
what each rule needs before it can hold: a segment mark, a breadcrumb separator, one of the
rules' phrases or hints once folded, a leading "#", a one-word or very short line, a digit in
a line short enough to be a dateline, a paragraph seen twice. A text with none of them in any
line is plain: `clean_lines(text, plain=True)` skips the line rules, the same result. The
tests are necessary conditions, written so that Rust's regexes find at least every line
Python's rules can: classes are read off Python's own regexes (`columns.python_class`), and
the folding maps every character a phrase's tolerant, case-insensitive pattern accepts to the
one `spelling.fold` writes (`_folding`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache

from analysis.columns import polars, python_class, rust_class, text_series
from analysis.corpus.boilerplate import (
    CRUMB_MARKS,
    MAX_CHROME_CHARS,
    MAX_HINTED_WORDS,
    MAX_RULE_WORDS,
    SEGMENT_BLANKS,
    SEGMENT_BULLETS,
    TICKER_CHARS,
    rule_literals,
)
from analysis.corpus.clean import (
    MAX_DATELINE_WORDS,
    MIN_WORDS_REPEATED,
    Cleaned,
    clean_lines,
    hygiene,
)
from analysis.corpus.spelling import MARKS, VARIANT_LETTERS


def clean_texts(raws: Sequence[str]) -> list[Cleaned]:
    """`[clean_text(raw) for raw in raws]`, the plain texts spared the line rules."""
    texts = [hygiene(raw) for raw in raws]
    plain = plain_texts(texts)
    return [clean_lines(text, plain=p) for text, p in zip(texts, plain, strict=True)]


def plain_texts(texts: Sequence[str]) -> list[bool]:
    """Per text (after `hygiene`), whether no line of it can be boilerplate, a dateline or a
    repeated paragraph (see the module docstring); a text polars cannot hold is not plain."""
    pl = polars()
    series, refused = text_series(texts)
    p = _patterns()
    line, n_words, length = pl.col("line"), pl.col("n_words"), pl.col("length")
    lines = (
        pl.LazyFrame({"text": series})
        .select(
            pl.int_range(pl.len(), dtype=pl.UInt32).alias("doc"),
            pl.col("text").str.split("\n").alias("line"),
        )
        .explode("line")
        .select("doc", line.str.strip_chars(p.whitespace))  # `str.strip()`
        .filter(line != "")
        .with_columns(length=line.str.len_chars())
        # `clean._judge_lines`' bound on the words: spaces + 1, more than any rule's for a
        # line too long to be chrome.
        .with_columns(
            n_words=pl.when(length < MAX_CHROME_CHARS)
            .then(line.str.count_matches(" ", literal=True) + 1)
            .otherwise(MAX_RULE_WORDS + 1)
        )
        .collect()
    )
    separators = line.str.count_matches(p.separator)
    # A ticker has five segments or more, a menu three (`boilerplate._segments`).
    ticker = (length >= TICKER_CHARS) & (separators >= 4)
    paragraph = pl.struct("doc", line.str.replace_all(p.blanks, " "))
    # Both copies of a repeated paragraph have as many words, give or take blanks.
    repeated = (n_words >= MIN_WORDS_REPEATED) & paragraph.is_duplicated()
    # The rules for short lines, on short lines only: they are few, and most text is not.
    fold = line.str.replace_many(*p.folding).str.replace_all(p.marks, "")
    folded = pl.col("folded")
    # A phrase follows the line's leading `[\W\d_]*`, which folding keeps in front: it lies
    # within that run's length plus the longest phrase's.
    opening_run = folded.str.len_chars() - folded.str.replace(p.leading_run, "").str.len_chars()
    opening = folded.str.slice(0, opening_run + p.longest_opening)
    short_rule = (
        (separators >= 2)
        | line.str.contains(p.crumb)
        | opening.str.contains_any(p.opening)
        | (n_words <= MAX_HINTED_WORDS) & folded.str.contains_any(p.anywhere)
        | line.str.starts_with("#")
        | (n_words == 1)  # a bare address, an arrow
        | (n_words <= MAX_DATELINE_WORDS) & line.str.contains(p.digit)
    )
    short = lines.filter(n_words <= MAX_RULE_WORDS).with_columns(
        fold.str.replace_all(p.blanks, " ").alias("folded")
    )
    docs = {
        *lines.filter(ticker | repeated)["doc"].to_list(),
        *short.filter(short_rule)["doc"].to_list(),
    }
    plain = [True] * len(texts)
    for i in (*docs, *refused):
        plain[i] = False
    return plain


class _Patterns:
    """The line tests' Rust patterns and folding tables (built once, `_patterns`)."""

    def __init__(self) -> None:
        spaces = python_class(r"\s+")
        self.whitespace = "".join(chr(c) for a, b in spaces for c in range(a, b + 1))
        but_space = "".join(c for c in self.whitespace if c != " ")
        # Runs of blanks but a lone space: replaced by one space, they leave what
        # `" ".join(line.split())` leaves, without rewriting every space.
        self.blanks = f"{rust_class(spaces)}{{2,}}|{_rust_chars(but_space)}"
        self.separator = f"{_rust_chars(SEGMENT_BULLETS)}|{_rust_chars(SEGMENT_BLANKS)}{{3,}}"
        self.crumb = f"{rust_class(spaces)}{_rust_chars(CRUMB_MARKS)}{rust_class(spaces)}"
        self.digit = rust_class(python_class(r"\d+"))
        self.marks = _rust_chars(MARKS)
        self.leading_run = "^" + rust_class(python_class(r"[\W\d_]+")) + "+"
        literals = rule_literals()
        self.opening, self.anywhere = sorted(literals.opening), sorted(literals.anywhere)
        self.longest_opening = max(map(len, self.opening))
        self.folding = _folding([*self.opening, *self.anywhere])


def _rust_chars(characters: str) -> str:
    return rust_class(tuple((ord(c), ord(c)) for c in sorted(set(characters))))


def _folding(literals: Sequence[str]) -> tuple[list[str], list[str]]:
    """(characters, replacements): each character a phrase's pattern accepts in place of one
    of the literals' characters (a variant letter, another case) -> that character."""
    targets: dict[str, str] = {}
    for letter, variants in VARIANT_LETTERS.items():
        targets.update(dict.fromkeys(variants, letter))
    characters = sorted(set("".join(literals)) - {" "})
    # One scan of every code point for those matching any of them case-insensitively, then
    # which one each matches (a scan per character took a second).
    cased = python_class(f"(?i:[{''.join(map(re.escape, characters))}])+")
    for code in (c for first, last in cased for c in range(first, last + 1)):
        other = chr(code)
        for character in characters:
            if other != character and re.fullmatch(re.escape(character), other, re.IGNORECASE):
                # No character stands for two: one replacement each.
                assert targets.setdefault(other, character) == character, other
    return list(targets), list(targets.values())


@cache
def _patterns() -> _Patterns:
    return _Patterns()

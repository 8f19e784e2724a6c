"""`arabic.tokenize` for a batch of texts as columns: one polars (Rust regex) pass per batch.

`token_frame(texts)` gives, for every token of every text, what `arabic.TokenIndex` gives one
text at a time: its word (marks, tatweel and format controls removed) and its offsets in the
text with those removed; `arabic.OffsetMap` turns such offsets into offsets of the text given, as
`TokenIndex.span` does. The regexes are `arabic`'s, rewritten for Rust's engine: every
character class is listed range by range as Python's own regexes find it over every code
point (the engines' `\\w` and `\\d` differ), so that both agree on every character, and the
joiner's look-around (a separator between two digits) becomes a digit group. A text polars cannot
hold (a lone surrogate) is left to the exact path (`token_frame` names it in `refused`).

`sentence_starts(texts)` gives `arabic.sentence_starts` of every text the same way, and
`offset_maps(texts, docs)` the `arabic.OffsetMap` of the texts asked for.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING, NamedTuple

from analysis import arabic
from analysis.charsets import ARABIC_BLOCKS_EXCEPT_DIGITS, CodeRanges, chars
from analysis.columns import (
    Later,
    TextSeries,
    code_ranges,
    common,
    first_rows,
    polars,
    python_class,
    rust_class,
    split_by_text,
    text_series,
    within_text,
    without,
)

if TYPE_CHECKING:
    import polars as pl


class Classes(NamedTuple):
    """The tokenizer's character classes as code point ranges (Python's definitions)."""

    arabic: CodeRanges  # an Arabic word's letters (`arabic._ARABIC_WORD`)
    other: CodeRanges  # `arabic._OTHER_ALNUM`: a word character, not `_`, not Arabic-block
    digits: CodeRanges  # `\d` (str.isdecimal) among `other`: around a digit separator
    invisible: CodeRanges  # what `TokenIndex` removes before finding tokens
    word: CodeRanges  # `\\w`: what makes a stretch between sentence ends a sentence
    space: CodeRanges  # `\\s`: what a sentence's start skips
    decimal: CodeRanges  # `\\d`: the digits around a decimal point


@cache
def classes() -> Classes:
    """Python's classes, read off Python's own regexes run over every code point.

    `other` (`arabic._OTHER_ALNUM`: a word character that is not `_` and not in the Arabic
    blocks, their digits apart) is `\\w` less those, and `digits` is what `other` and `\\d`
    share: both are worked out from the classes read, not read again over every code point
    (0.05 s of every process's start)."""
    word, decimal = python_class(r"\w+"), python_class(r"\d+")
    other = without(word, ((ord("_"), ord("_")), *ARABIC_BLOCKS_EXCEPT_DIGITS))
    return Classes(
        arabic=python_class(arabic._ARABIC_WORD),
        other=other,
        digits=common(other, decimal),
        invisible=python_class(arabic._INVISIBLE_IN_WORDS_RE.pattern),
        word=word,
        space=python_class(r"\s+"),
        decimal=decimal,
    )


@cache
def patterns() -> tuple[str, str, str]:
    """(invisible run, gap, gap + token) as Rust regexes; a gap is a run of characters that
    are in no word.

    Python's other word is ``O+(?:(?:J)O+)*`` with ``J = [-'’] | (?<=\\d)[.,:/٫٬](?=\\d)``;
    without look-around it is a chain of segments, each a run of other characters in which
    a separator may stand between two digits: the same strings, found at the same places.
    """
    c = classes()
    arabic, other, digit = rust_class(c.arabic), rust_class(c.other), rust_class(c.digits)
    separator = "[.,:/\\x{66B}\\x{66C}]"
    segment = f"(?:{digit}(?:{separator}{digit})*|{other})+"
    token = f"{arabic}+|{segment}(?:[\\-'\\x{{2019}}]{segment})*"
    not_word = rust_class((*c.arabic, *c.other), negated=True)
    return f"{rust_class(c.invisible)}+", f"{not_word}+", f"{not_word}*(?:{token})"


class TokenFrame(NamedTuple):
    """The tokens of a batch: one row per token, in text order."""

    tokens: pl.DataFrame  # doc (row in the batch), index, word, start, end (stripped text)
    n_tokens: list[int]  # per text, every token (also those `holding` leaves out)
    refused: set[int]  # texts polars cannot hold: the exact path takes them
    invisible: list[bool]  # per text, whether it holds characters the tokens' offsets skip


def token_frame(
    texts: Sequence[str],
    *,
    holding: frozenset[str] | None = None,
    column: TextSeries | None = None,
) -> TokenFrame:
    """Every token of every text, as `TokenIndex` finds them (see the module docstring).

    With `holding`, only the tokens that may hold one of these strings once normalized and
    case-folded (`arabic.normalize(word).casefold()`): never fewer, a few more where a text
    holds word characters outside ASCII and the Arabic block, whose every token is kept.
    `column` is `columns.text_series(texts)` when the caller built it already.
    """
    pl = polars()

    series, refused_texts = text_series(texts, column)
    refused = set(refused_texts)
    invisible_run, gap, piece = patterns()
    # Two plans, each collected at once: one GIL release each, so that a thread running
    # this overlaps with Python work on another (`pipeline.ShardProcessor`).
    stripped = pl.col("text").str.replace_all(invisible_run, "")
    per_text = (
        pl.LazyFrame({"text": series})
        .select(
            # A text without such characters needs no `OffsetMap`: its offsets are the text's.
            (stripped.str.len_bytes() != pl.col("text").str.len_bytes()).alias("invisible"),
            # One regex pass: each piece is a gap and the token after it; the word is the
            # piece without its gap, found only for the rows kept.
            stripped.str.extract_all(piece).alias("piece"),
            stripped.str.contains(_uncased_pattern()).fill_null(False).alias("every_token"),
        )
        .with_columns(n_tokens=pl.col("piece").list.len().fill_null(0).cast(pl.UInt32))
        .collect()
    )
    # Within each text's list of pieces: the running sum of their lengths is where each
    # token ends, and the places of the pieces kept are the tokens' indexes. Only the pieces
    # kept are then exploded into rows (a third of them on SaudiNewsNet).
    piece = pl.element()
    every = pl.int_ranges(0, pl.col("n_tokens"), dtype=pl.UInt32)
    kept = every
    if holding is not None:
        spellings = spellings_of(frozenset(holding))
        holds = (
            piece.str.contains_any(spellings, ascii_case_insensitive=True)
            if spellings
            else pl.lit(False)
        )
        kept = (
            pl.when("every_token")
            .then(every)
            .otherwise(pl.col("piece").list.eval(holds.arg_true().cast(pl.UInt32)))
        )
    word = pl.col("piece").str.replace(f"^{gap}", "")
    tokens = (
        per_text.lazy()
        .select(
            pl.int_range(pl.len(), dtype=pl.UInt32).alias("doc"),
            kept.alias("index"),
            "piece",
            pl.col("piece").list.eval(piece.str.len_chars().cast(pl.Int64).cum_sum()).alias("end"),
        )
        .select(
            "doc",
            "index",
            pl.col("piece").list.gather(pl.col("index")),
            pl.col("end").list.gather(pl.col("index")),
        )
        .explode("index", "piece", "end")
        .drop_nulls("piece")
        .select(
            "doc",
            "index",
            word.alias("word"),
            (pl.col("end") - word.str.len_chars()).alias("start"),
            "end",
        )
        .collect()
    )
    n_tokens, invisible = (per_text[c].to_list() for c in ("n_tokens", "invisible"))
    return TokenFrame(tokens, n_tokens, refused, invisible)


@cache
def _uncased_pattern() -> str:
    """A word character outside ASCII and the Arabic block: one whose case folding or
    normalization `spellings_of` does not follow (Latin-1 letters, presentation forms, ...)."""
    c = classes()
    return rust_class(without((*c.arabic, *c.other), ((0, 0x7F), (0x600, 0x6FF))))


@cache
def spellings_of(strings: frozenset[str]) -> list[str]:
    """Every spelling in ASCII and the Arabic block that `arabic.normalize` turns into one of
    `strings` (أمن, إمن, آمن ... for امن), for a search in text not yet normalized."""
    sources = _normalized_from()
    spellings: set[str] = set()
    for string in strings:
        choices = [sources.get(ch, ch) for ch in string]
        spellings.update("".join(p) for p in itertools.product(*choices))
    return sorted(spellings)


@cache
def _normalized_from() -> dict[str, str]:
    """Character -> the characters of ASCII and the Arabic block it is the normal form of."""
    sources: dict[str, str] = {}
    for code in (*range(0x80), *range(0x600, 0x700)):
        ch = chr(code)
        form = arabic.normalize(ch)
        if len(form) == 1:  # marks and tatweel are deleted: the stripped text has none
            sources[form] = sources.get(form, "") + ch
    return sources


# `arabic._SENTENCE_BOUNDARY_RE`'s pieces: what a sentence end is made of, what closes it, and
# the characters any boundary starts with.
_END_MARKS = ".!?\u061f\u061b\u2026\u06d4"
_CLOSERS = "\"'\u00bb\u201d\u2019)]"
_BOUNDARY_CHARACTERS = _END_MARKS + "\r\n\u2028\u2029\x85"


@cache
def _stretch_pattern() -> str:
    """A Rust regex whose matches tile a text into `arabic.split_sentences`' stretches: the
    text up to and including each boundary (`arabic._SENTENCE_BOUNDARY_RE`), then the rest.

    Python's boundary holds a dot unless a digit stands on both sides of it, a look-around
    Rust's engine lacks. Here a stretch's body takes each run of digits joined by single
    dots whole (tried first at every character), so a dot left for the boundary is one that
    is not between two digits: the same boundaries, at the same places.
    """
    digit = rust_class(classes().decimal)
    boundary_ranges = code_ranges(_BOUNDARY_CHARACTERS)
    boundary_character = rust_class(boundary_ranges)
    body = f"(?:{digit}(?:\\.{digit})+|{rust_class(boundary_ranges, negated=True)})"
    boundary = (
        f"{rust_class(code_ranges(_END_MARKS))}+{rust_class(code_ranges(_CLOSERS))}*"
        f"|\\r\\n|{boundary_character}"
    )
    return f"{body}+(?:{boundary})?|{boundary}"


def sentence_starts(texts: Sequence[str], *, column: TextSeries | None = None) -> list[list[int]]:
    """`[arabic.sentence_starts(t) for t in texts]` as columns (`_stretch_pattern`): a
    stretch holding a word character is a sentence, starting at its first non-space."""
    return sentence_starts_later(texts, column=column)()


def sentence_starts_later(
    texts: Sequence[str], *, column: TextSeries | None = None, frame: pl.DataFrame | None = None
) -> Later[list[list[int]]]:
    """`sentence_starts`' columns found now, its lists made when the result is called;
    `frame`: `sentence_frame(texts)`, when the caller found it already."""
    column = text_series(texts, column)
    sentences = sentence_frame(texts, column=column) if frame is None else frame

    def lists() -> list[list[int]]:
        found: list[list[int]] = [[] for _ in texts]
        for doc, (starts,) in split_by_text(sentences, ["begin"]):
            found[doc] = starts
        for i in column.refused:
            found[i] = arabic.sentence_starts(texts[i])
        return found

    return lists


def sentence_frame(texts: Sequence[str], *, column: TextSeries | None = None) -> pl.DataFrame:
    """Every sentence start of every text, as `arabic.sentence_starts` finds them: one row
    each (`doc`, `begin`), in text order; none for a text polars cannot hold."""
    pl = polars()
    series, _ = text_series(texts, column)
    c = classes()
    stretch = pl.col("stretch")
    length = stretch.str.len_chars().cast(pl.Int64)
    sentences = (
        pl.LazyFrame({"stretch": series})
        .select(stretch.str.extract_all(_stretch_pattern()))
        .select(
            pl.int_range(pl.len(), dtype=pl.UInt32).alias("doc"),
            "stretch",
            first_rows(stretch.list.len()).alias("first_row"),
        )
        .explode("stretch")
        .drop_nulls("stretch")
        .with_columns(begin=within_text(length.cum_sum()) - length)
        .filter(stretch.str.contains(rust_class(c.word)))
        .select(
            "doc",
            pl.col("begin")
            + length
            - stretch.str.strip_chars_start(chars(c.space)).str.len_chars(),
        )
        .collect()
    )
    return sentences


def offset_maps(
    texts: Sequence[str], docs: Sequence[int], *, column: TextSeries | None = None
) -> dict[int, arabic.OffsetMap]:
    """`{i: arabic.OffsetMap(texts[i]) for i in docs}` as columns: each text is tiled into
    pieces that end with a run of invisible characters, whose lengths give the runs'
    places (a text polars cannot hold takes `OffsetMap` itself)."""
    return offset_maps_later(texts, docs, column=column)()


def offset_maps_later(
    texts: Sequence[str], docs: Sequence[int], *, column: TextSeries | None = None
) -> Later[dict[int, arabic.OffsetMap]]:
    """`offset_maps`' columns found now, its maps made when the result is called."""
    pl = polars()
    series, refused = text_series(texts, column)
    cannot = set(refused)
    held = [i for i in docs if i not in cannot]
    invisible = classes().invisible
    piece = pl.col("piece")
    end, removed = pl.col("end"), pl.col("removed_through")
    runs = (
        pl.LazyFrame({"doc": pl.Series(held, dtype=pl.UInt32), "text": series.gather(held)})
        .select(
            "doc",
            pl.col("text")
            .str.extract_all(f"{rust_class(invisible, negated=True)}*{rust_class(invisible)}+")
            .alias("piece"),
        )
        .with_columns(first_row=first_rows(piece.list.len()))
        .explode("piece")
        .drop_nulls("piece")
        .with_columns(length=piece.str.len_chars().cast(pl.Int64))
        .with_columns(
            run=pl.col("length") - piece.str.strip_chars_end(chars(invisible)).str.len_chars()
        )
        .with_columns(
            end=within_text(pl.col("length").cum_sum()),
            removed_through=within_text(pl.col("run").cum_sum()),
        )
        # A run's place in the stripped text is its place less the runs before it.
        .select(
            "doc",
            (end - removed).alias("gap_at"),
            removed,
            (end - pl.col("run")).alias("gap_starts"),
        )
        .collect()
    )

    def maps() -> dict[int, arabic.OffsetMap]:
        found = {i: arabic.OffsetMap("") for i in held}  # a text without runs has no pieces
        columns = ["gap_at", "removed_through", "gap_starts"]
        for doc, lists in split_by_text(runs, columns):
            found[doc] = arabic.OffsetMap.from_runs(*lists)
        for i in docs:
            if i not in found:
                found[i] = arabic.OffsetMap(texts[i])
        return found

    return maps

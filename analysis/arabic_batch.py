"""`arabic.tokenize` for a batch of texts: one pass in C over the batch's characters.

`scan_texts(texts, holding)` walks every text once (`analysis._scan`, a C extension built
with the package, which releases the GIL) and finds, for the whole batch, what `arabic` finds
one text at a time:

* `token_frame`: every token (or those that may hold a lexicon string, `holding`), as
  `arabic.TokenIndex` finds it: its word (marks, tatweel and format controls removed) and its
  offsets in the text with those removed; `arabic.OffsetMap` turns such offsets into offsets
  of the text given, as `TokenIndex.span` does;
* `sentence_frame`: every sentence start, as `arabic.sentence_starts`;
* `offset_maps`: the `arabic.OffsetMap` of the texts asked for.

Each character's classes come from one table indexed by code point (`character_table`), read
off Python's own regexes over every code point (`classes`), so that both agree on every
character. A text polars cannot hold (a lone surrogate) is left to the exact path
(`token_frame` names it in `refused`): the batch's other columns (fingerprints, the keyed
tokens' joins) are polars'.
"""

from __future__ import annotations

import itertools
import sys
from collections import deque
from collections.abc import Sequence
from functools import cache, lru_cache
from typing import TYPE_CHECKING, NamedTuple

from analysis import arabic
from analysis.charsets import ARABIC_BLOCKS_EXCEPT_DIGITS, CodeRanges
from analysis.columns import (
    Later,
    TextSeries,
    code_ranges,
    common,
    polars,
    python_class,
    split_by_text,
    text_series,
    without,
)

if TYPE_CHECKING:
    import numpy as np
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
def character_table() -> np.ndarray:
    """Per code point, the bits of its classes (`analysis._scan`'s ARABIC, OTHER, ...)."""
    import numpy as np

    from analysis import _scan as k

    c = classes()
    uncased = without((*c.arabic, *c.other), ((0, 0x7F), (0x600, 0x6FF)))
    table = np.zeros(sys.maxunicode + 1, np.uint16)
    for ranges, bit in (
        (c.arabic, k.ARABIC),
        (c.other, k.OTHER),
        (c.digits, k.DIGIT),
        (c.invisible, k.INVISIBLE),
        (uncased, k.UNCASED),
        (code_ranges(arabic.DIGIT_SEPARATORS), k.SEPARATOR),
        (code_ranges(arabic.WORD_JOINERS), k.JOINER),
        (c.word, k.WORD),
        (c.space, k.SPACE),
        (c.decimal, k.DECIMAL),
        (code_ranges(arabic.SENTENCE_END_MARKS), k.END_MARK),
        (code_ranges(arabic.SENTENCE_CLOSERS), k.CLOSER),
        (code_ranges(arabic.LINE_BREAKS), k.LINE_BREAK),
    ):
        for first, last in ranges:
            table[first : last + 1] |= bit
    return table


class Automaton(NamedTuple):
    """A search for strings in tokens, character by character (Aho-Corasick, as a table)."""

    symbols: np.ndarray  # per code point, its letter in the alphabet (0: in no string)
    table: np.ndarray  # the next state: table[state * width + letter]
    width: int  # the alphabet's size, 0 included
    accepts: np.ndarray  # per state, whether a string ends there


# A few lexicons' searches kept (each holds a 2 MB table); a process uses one or two.
@lru_cache(maxsize=8)
def automaton(holding: frozenset[str]) -> Automaton | None:
    """The search for `holding`'s strings (normalized, case-folded words) in text not yet
    normalized: a character of ASCII or the Arabic block stands for the character
    `arabic.normalize` makes of it (أ إ آ for ا ...), an ASCII letter for its lower case; any
    other character ends every match (a word holding one keeps all its tokens, UNCASED). None
    when a character would stand for two letters: then every token is kept."""
    import numpy as np

    alphabet = sorted({ch for string in holding for ch in string})
    letter = {ch: n for n, ch in enumerate(alphabet, 1)}
    symbols = np.zeros(sys.maxunicode + 1, np.uint16)
    sources = _normalized_from()
    for ch in alphabet:
        for source in sources.get(ch, ch):
            for spelling in {source, source.swapcase()} if source.isascii() else {source}:
                if symbols[ord(spelling)] not in (0, letter[ch]):
                    # A character standing for two letters (a string not in normal form):
                    # no table can say so, and keeping every token loses none.
                    return None
                symbols[ord(spelling)] = letter[ch]
    # The trie of the strings, then every state's next state for every letter, following
    # failure links (breadth first, so that a state's link is done before its children).
    children: list[dict[int, int]] = [{}]
    ends = [False]
    for string in sorted(holding):
        state = 0
        for ch in string:
            if letter[ch] not in children[state]:
                children[state][letter[ch]] = len(children)
                children.append({})
                ends.append(False)
            state = children[state][letter[ch]]
        ends[state] = True
    width = len(alphabet) + 1
    table = np.zeros((len(children), width), np.int32)
    link = [0] * len(children)
    queue = deque(children[0].values())
    for state, child in children[0].items():
        table[0, state] = child
    while queue:
        state = queue.popleft()
        ends[state] = ends[state] or ends[link[state]]
        table[state] = table[link[state]]
        for symbol, child in children[state].items():
            link[child] = table[link[state], symbol]
            table[state, symbol] = child
            queue.append(child)
    return Automaton(symbols, table.ravel(), width, np.array(ends, np.bool_))


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


class TokenFrame(NamedTuple):
    """The tokens of a batch: one row per token, in text order."""

    tokens: pl.DataFrame  # doc (row in the batch), index, word, start, end (stripped text)
    n_tokens: list[int]  # per text, every token (also those `holding` leaves out)
    refused: set[int]  # texts polars cannot hold: the exact path takes them
    invisible: list[bool]  # per text, whether it holds characters the tokens' offsets skip


class Runs(NamedTuple):
    """The runs of invisible characters of a batch's texts, in text order: what
    `arabic.OffsetMap.from_runs` takes."""

    doc: np.ndarray
    gap_at: np.ndarray
    removed_through: np.ndarray
    gap_starts: np.ndarray


class Scanned(NamedTuple):
    """What one pass over a batch finds (`scan_texts`)."""

    frame: TokenFrame
    sentences: pl.DataFrame  # doc, begin: every sentence start, in text order
    runs: Runs


def scan_texts(
    texts: Sequence[str],
    *,
    holding: frozenset[str] | None = None,
    column: TextSeries | None = None,
) -> Scanned:
    """The tokens, sentence starts and invisible runs of every text but those polars cannot
    hold, in one pass (see the module docstring).

    With `holding`, only the tokens that may hold one of these strings once normalized and
    case-folded (`arabic.normalize(word).casefold()`): never fewer, a few more where a text
    holds word characters outside ASCII and the Arabic block, whose every token is kept.
    `column` is `columns.text_series(texts)` when the caller built it already.
    """
    import numpy as np

    from analysis import _scan

    pl = polars()
    _, refused_texts = text_series(texts, column)
    refused = bytearray(len(texts))
    for i in refused_texts:
        refused[i] = 1
    search = None if holding is None else automaton(frozenset(holding))
    keep_all = search is None
    if search is None:
        search = automaton(frozenset())
    found = _scan.scan(
        list(texts),
        bytes(refused),
        character_table(),
        search.symbols,
        search.table,
        search.width,
        search.accepts,
        keep_all,
    )
    (
        n_tokens,
        invisible,
        doc,
        index,
        start,
        end,
        words,
        sentence_doc,
        sentence_begin,
        *runs,
    ) = (np.frombuffer(b, dtype) for b, dtype in zip(found, _DTYPES, strict=True))
    tokens = pl.DataFrame(
        {"doc": doc, "index": index, "word": _words(words, len(doc)), "start": start, "end": end}
    )
    frame = TokenFrame(tokens, n_tokens.tolist(), set(refused_texts), invisible.tolist())
    sentences = pl.DataFrame({"doc": sentence_doc, "begin": sentence_begin})
    return Scanned(frame, sentences, Runs(*runs))


# `_scan.scan`'s results: per text, per token, the words, per sentence, per run.
_DTYPES = ("<u4", "?", "<u4", "<u4", "<i8", "<i8", "u1", "<u4", "<i8", "<u4", "<i8", "<i8", "<i8")


def _words(buffer: np.ndarray, count: int) -> pl.Series:
    """The words of the scan's buffer (UTF-8, each followed by a line break)."""
    pl = polars()
    if not count:
        return pl.Series("word", [], dtype=pl.String)
    # One string split by polars: making 3 million Python strings would take longer.
    joined = buffer[:-1].tobytes().decode("utf-8")
    return pl.Series("word", [joined]).str.split("\n").explode()


def token_frame(
    texts: Sequence[str],
    *,
    holding: frozenset[str] | None = None,
    column: TextSeries | None = None,
) -> TokenFrame:
    """Every token of every text, as `TokenIndex` finds them (`scan_texts`)."""
    return scan_texts(texts, holding=holding, column=column).frame


def sentence_starts(texts: Sequence[str], *, column: TextSeries | None = None) -> list[list[int]]:
    """`[arabic.sentence_starts(t) for t in texts]` from one pass (`scan_texts`)."""
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
    return scan_texts(texts, holding=frozenset(), column=column).sentences


def offset_maps(
    texts: Sequence[str], docs: Sequence[int], *, column: TextSeries | None = None
) -> dict[int, arabic.OffsetMap]:
    """`{i: arabic.OffsetMap(texts[i]) for i in docs}` from one pass (`scan_texts`)."""
    return offset_maps_later(texts, docs, column=column)()


def offset_maps_later(
    texts: Sequence[str],
    docs: Sequence[int],
    *,
    column: TextSeries | None = None,
    runs: Runs | None = None,
) -> Later[dict[int, arabic.OffsetMap]]:
    """`offset_maps`' runs found now, its maps made when the result is called; `runs`:
    `scan_texts(texts).runs`, when the caller found them already."""
    import numpy as np

    column = text_series(texts, column)
    if runs is None:
        runs = scan_texts(texts, holding=frozenset(), column=column).runs
    wanted = sorted(set(docs) - set(column.refused))
    picked = np.isin(runs.doc, np.asarray(wanted, dtype=runs.doc.dtype))
    doc = runs.doc[picked]
    # The runs are in text order: each text's are one stretch, cut where the text changes.
    cuts = [0, *(np.flatnonzero(doc[1:] != doc[:-1]) + 1).tolist(), len(doc)]
    gap_at, removed, starts = (array[picked].tolist() for array in runs[1:])

    def maps() -> dict[int, arabic.OffsetMap]:
        found = {i: arabic.OffsetMap("") for i in wanted}  # a text without runs has none
        for first, last in itertools.pairwise(cuts):
            if first < last:
                found[int(doc[first])] = arabic.OffsetMap.from_runs(
                    gap_at[first:last], removed[first:last], starts[first:last]
                )
        for i in docs:
            if i not in found:
                found[i] = arabic.OffsetMap(texts[i])
        return found

    return maps

"""polars for the batch paths, and Python's character classes written for its Rust regexes.

The batch twins of per-document functions that run regexes in polars (`corpus.dedup.fingerprints`
for `fingerprint`, `corpus.screen` for the cleaning rules) use Rust's engine, whose `\\w`,
`\\d` and `\\s` are not Python's. Every class they use is therefore read off Python's own
regex over every code point (`python_class`) and written out range by range (`rust_class`),
so both engines agree on every character; the batch tokenizer's table of classes
(`arabic_batch.character_table`) is read off the same way.
"""

from __future__ import annotations

import bisect
import os
import re
import sys
from array import array
from collections.abc import Callable, Iterator, Sequence
from functools import cache
from typing import Any, NamedTuple, TypeVar

from analysis.charsets import CodeRanges

_SURROGATES = range(0xD800, 0xE000)
T = TypeVar("T")


def polars() -> Any:
    """polars, imported on first use: a process that never analyses a batch (a pipeline
    client handing files to workers) does not load it, so it may still fork (`parallel`)."""
    # polars' allocator (jemalloc) keeps freed pages for reuse: by default a worker's RSS
    # grows by a hundred MB over a run. Returned at once (a decay of 0), each batch's pages
    # are faulted in again by the next, and the kernel's time doubled. Kept for a second,
    # SaudiNewsNet's runs took (0 ms -> 1000 ms, medians of alternating runs): in one process
    # 11.89 -> 11.04 s, system time 2.4 -> 1.2 s, peak RSS 469 -> 541 MB; with two workers
    # 10.69 -> 10.10 s, 670 -> 777 MB; on Dask 12.27 -> 11.50 s, 888 -> 946 MB (scheduler and
    # client included). Never returned: no faster, 690 MB in one process. A setting already
    # made is kept.
    os.environ.setdefault("_RJEM_MALLOC_CONF", "dirty_decay_ms:1000,muzzy_decay_ms:0")
    # One polars thread: the pipeline already keeps the cores busy (its tokenizing thread
    # beside the Python one, one process per worker), and polars' own pool only competed with
    # them (SaudiNewsNet in one process: 1 to 3 s more CPU and a slower run). Read once, when
    # polars is first imported; a setting already made is kept.
    os.environ.setdefault("POLARS_MAX_THREADS", "1")
    import polars as pl

    return pl


@cache
def _every_code_point() -> str:
    # Surrogates are left out (a str holding one cannot be encoded): past them, an index in
    # this string is 2048 code points short. Decoded from UTF-32 in one call: joining 1.1
    # million `chr`s took 0.15 s of every process's start, this takes 0.03 s ("I" is 4 bytes
    # wide on every platform CPython supports).
    codes = array("I", range(_SURROGATES.start))
    codes.extend(range(_SURROGATES.stop, 0x110000))
    return codes.tobytes().decode(f"utf-32-{'le' if sys.byteorder == 'little' else 'be'}")


@cache
def python_class(pattern: str) -> CodeRanges:
    """The code points Python's regex `pattern` matches, as ranges (`pattern` matches runs of
    single characters, such as `\\d+`)."""
    gap = _SURROGATES.start
    runs: list[tuple[int, int]] = []
    for match in re.finditer(pattern, _every_code_point()):
        first, last = match.start(), match.end() - 1
        if first < gap <= last:  # a run across the surrogates is two runs
            runs.append((first, gap - 1))
            first = gap
        shift = len(_SURROGATES) if first >= gap else 0
        runs.append((first + shift, last + shift))
    return tuple(runs)


def rust_class(ranges: CodeRanges, *, negated: bool = False) -> str:
    """A Rust regex character class of exactly these code points."""
    body = "".join(f"\\x{{{a:X}}}" if a == b else f"\\x{{{a:X}}}-\\x{{{b:X}}}" for a, b in ranges)
    return f"[{'^' if negated else ''}{body}]"


def without(ranges: CodeRanges, holes: CodeRanges) -> CodeRanges:
    """The code points of `ranges` outside the ranges in `holes` (sorted, disjoint)."""
    # Each range looks only at the holes that reach it, found by bisection over their ends:
    # `\w` (734 ranges) less `\d` (65) took 0.02 s of every process's start, range by hole.
    ends = [high for _, high in holes]
    pieces = []
    for first, last in ranges:
        k = bisect.bisect_left(ends, first)
        while k < len(holes) and holes[k][0] <= last:
            low, high = holes[k]
            if low > first:
                pieces.append((first, low - 1))
            first = high + 1
            k += 1
        if first <= last:
            pieces.append((first, last))
    return tuple(pieces)


def common(ranges: CodeRanges, others: CodeRanges) -> CodeRanges:
    """The code points in both (each sorted and disjoint), in one pass over the two."""
    shared = []
    i = j = 0
    while i < len(ranges) and j < len(others):
        (a, b), (c, d) = ranges[i], others[j]
        if max(a, c) <= min(b, d):
            shared.append((max(a, c), min(b, d)))
        if b < d:
            i += 1
        else:
            j += 1
    return tuple(shared)


def code_ranges(characters: str) -> CodeRanges:
    """The ranges of a set of characters (for `rust_class`)."""
    return tuple((ord(c), ord(c)) for c in sorted(set(characters)))


def first_rows(counts: Any) -> Any:
    """Each text's first row once its list of `counts` items is exploded into rows (a
    polars expression over the per-text frame, for `within_text`)."""
    counts = counts.cast(polars().Int64)
    return counts.cum_sum() - counts


def within_text(total: Any) -> Any:
    """A running sum over a batch's exploded rows, less its value before the row's text's
    first row (column `first_row`, `first_rows`): the running sum within the text, with no
    grouping, as the rows are in text order."""
    return total - total.shift(1, fill_value=0).gather(polars().col("first_row"))


def split_by_text(frame: Any, columns: Sequence[str]) -> Iterator[tuple[int, list[list[Any]]]]:
    """Each text's slice of `columns` as lists, for a frame whose rows are in text order (column
    `doc`): one conversion per column, cut where the text changes."""
    docs, counts = (frame["doc"].rle().struct.field(f).to_list() for f in ("value", "len"))
    lists = [frame[c].to_list() for c in columns]
    stop = 0
    for doc, count in zip(docs, counts, strict=True):
        start, stop = stop, stop + count
        yield doc, [column[start:stop] for column in lists]


# A batch function's second half: its columns are found (polars, without the GIL) on the
# thread that calls it, their Python objects made by the thread that calls the result, so
# that the work holding the GIL can go to the less busy thread (`pipeline.DocumentProcessor`).
Later = Callable[[], T]


class TextSeries(NamedTuple):
    """A batch's texts as a polars String series (built once, read by each batch function)."""

    series: Any  # pl.Series "text"; a text it cannot hold is left empty in it
    refused: list[int]  # the positions of those texts (a lone surrogate)


def text_series(texts: Sequence[str], given: TextSeries | None = None) -> TextSeries:
    """The texts as a polars String series, and the positions of those it cannot hold (a
    lone surrogate), which are left empty in it for the caller to handle one by one.
    `given`, when the caller built it already (from the same texts), is returned as is."""
    if given is not None:
        return given
    pl = polars()
    try:
        return TextSeries(pl.Series("text", texts, dtype=pl.String), [])
    except Exception:  # polars' error for a lone surrogate varies by version: find the texts
        refused = [i for i, t in enumerate(texts) if not encodable(t)]
        skipped = set(refused)
        series = [("" if i in skipped else t) for i, t in enumerate(texts)]
        return TextSeries(pl.Series("text", series, dtype=pl.String), refused)


def encodable(text: str) -> bool:
    """Whether the text is valid Unicode for UTF-8 (no lone surrogate)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True

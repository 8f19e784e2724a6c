"""Exact and near-duplicate documents: sentence fingerprints and an inverted index."""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from functools import cache
from typing import NamedTuple

from analysis.columns import (
    Later,
    TextSeries,
    code_ranges,
    encodable,
    polars,
    python_class,
    rust_class,
    text_series,
    without,
)


class Fingerprint(NamedTuple):
    """What duplicate detection needs from a document; cheap, deterministic across processes."""

    digest: str  # exact duplicates: hash of the word sequence, punctuation and spacing ignored
    chunks: frozenset[int]  # near duplicates: hashes of the document's sentences


_SENTENCE_CHARS = ".!?\u061f\u06d4\n"
_SENTENCE_SPLIT = re.compile(f"[{re.escape(_SENTENCE_CHARS)}]+")
# Quotes, brackets, commas and spacing differ between two sites' copies of one article.
_PUNCTUATION_CHARS = "\"'\u00ab\u00bb\u201c\u201d\u2018\u2019(),\u060c\u061b;:*_-\u2013\u2014"
_PUNCTUATION = re.compile(f"[{re.escape(_PUNCTUATION_CHARS)}]")
_MIN_CHUNK_SPACES = 4  # sentences of five words or more; shorter ones ("وأضاف:") are common


def fingerprint(text: str) -> Fingerprint:
    """Fingerprint of a cleaned text (a pure function, so workers can compute it)."""
    whole = hashlib.blake2b(digest_size=16)
    chunks = set()
    empty = True
    for sentence in _sentences(text):
        empty = False
        normalized = sentence.encode("utf-8", "surrogatepass")  # any str, a lone surrogate too
        whole.update(normalized + b"\n")
        if sentence.count(" ") >= _MIN_CHUNK_SPACES:
            chunks.add(_chunk_hash(normalized))
    return Fingerprint("" if empty else whole.hexdigest(), frozenset(chunks))


def _chunk_hash(sentence: bytes) -> int:
    return int.from_bytes(hashlib.blake2b(sentence, digest_size=8).digest(), "big")


def _sentences(text: str) -> Iterator[str]:
    """The text's sentences, punctuation and spacing normalized, empty ones left out."""
    for sentence in _SENTENCE_SPLIT.split(_PUNCTUATION.sub(" ", text)):
        if sentence := " ".join(sentence.split()):
            yield sentence


# Seeds of polars' hash: one for a sentence, two for a whole text (128 bits).
_CHUNK_SEED, _WHOLE_SEEDS = 0x5EED, (0x0DD, 0xE7E)


def fingerprints(texts: Sequence[str], *, column: TextSeries | None = None) -> list[Fingerprint]:
    """`[fingerprint(t) for t in texts]` as columns (polars), with other hash values.

    Two texts get equal digests, and two sentences equal chunk hashes, exactly when
    `fingerprint` gives them equal ones (but for hash collisions, as there), so
    `flag_duplicates` flags the same documents with the same originals. The values are not
    `fingerprint`'s: one `flag_duplicates` call takes fingerprints of one kind only. polars'
    hash is the same in every process of one polars version (a cluster's workers). `column`
    is `columns.text_series(texts)` when the caller built it already.
    """
    return fingerprints_later(texts, column=column)()


def fingerprints_later(
    texts: Sequence[str], *, column: TextSeries | None = None
) -> Later[list[Fingerprint]]:
    """`fingerprints`' hashes found now, the fingerprints made when the result is called."""
    pl = polars()
    series, refused = text_series(texts, column)
    separator, blanks = _fingerprint_patterns()
    sentence = pl.element()
    # Each text's sentences as a list, worked on in the list: nothing is exploded into rows
    # and grouped back. Each run of separators becomes one line break, and the text is split
    # at line breaks: the pieces `_SENTENCE_SPLIT` gives, and an empty one where the text
    # starts or ends with a separator, which goes as any piece that normalizes to nothing
    # (on SaudiNewsNet, a third of the time `extract_all` of the runs between took).
    normalized = (
        pl.col("text")
        .str.replace_all(separator, "\n")
        .str.split("\n")
        .list.eval(sentence.str.replace_all(blanks, " ").str.strip_chars(" "))
    )
    is_chunk = sentence.str.count_matches(" ", literal=True) >= _MIN_CHUNK_SPACES
    whole = pl.col("sentences").list.join("\n")
    per_text = (
        pl.LazyFrame({"text": series})
        .select(
            normalized.list.eval(sentence.filter(sentence.str.len_bytes() > 0)).alias("sentences")
        )
        .select(
            (pl.col("sentences").list.len() > 0).alias("any"),
            *(whole.hash(seed).alias(f"whole{i}") for i, seed in enumerate(_WHOLE_SEEDS)),
            pl.col("sentences")
            .list.eval(sentence.hash(_CHUNK_SEED).filter(is_chunk))
            .alias("chunks"),
        )
        .collect()
    )

    def made() -> list[Fingerprint]:
        found = [Fingerprint("", frozenset())] * len(texts)
        columns = (per_text[c].to_list() for c in ("any", "whole0", "whole1", "chunks"))
        for doc, (any_sentence, first, second, chunks) in enumerate(zip(*columns, strict=True)):
            if any_sentence:
                found[doc] = Fingerprint(f"{first:016x}{second:016x}", frozenset(chunks))
        for i in refused:
            found[i] = _fingerprint_with_surrogates(texts[i])
        return found

    return made


def _fingerprint_with_surrogates(text: str) -> Fingerprint:
    """`fingerprints` of a text polars cannot hold: a sentence without a lone surrogate is
    hashed by polars as in `fingerprints`; one with, and the whole text, by blake2b (prefixed),
    which can equal only the hash of another such sentence or text, as with `fingerprint`."""
    reference = fingerprint(text)
    if not reference.digest:
        return reference
    pl = polars()
    chunks = [s for s in _sentences(text) if s.count(" ") >= _MIN_CHUNK_SPACES]
    plain = [s for s in chunks if encodable(s)]
    hashed = set(pl.Series(plain, dtype=pl.String).hash(_CHUNK_SEED).to_list())
    hashed.update(_chunk_hash(s.encode("utf-8", "surrogatepass")) for s in chunks if s not in plain)
    return Fingerprint("surrogates:" + reference.digest, frozenset(hashed))


@cache
def _fingerprint_patterns() -> tuple[str, str]:
    """A run of `_SENTENCE_SPLIT`'s characters, and a run of `_PUNCTUATION` and
    what `str.split()` splits on but a lone space, as Rust regexes (the Rust engine's `\\s`
    is not Python's). Replaced by a space, those runs leave what `_sentences` leaves (the
    punctuation made spaces, then `" ".join(s.split())`) once stripped; lone spaces, most of
    them, are left alone rather than rewritten, and the punctuation is replaced in the same
    pass (together 3 times faster on SaudiNewsNet). No punctuation character ends a sentence,
    so replacing it after the split is replacing it before."""
    blanks = (*python_class(r"\s+"), *code_ranges(_PUNCTUATION_CHARS))
    but_space = without(blanks, ((0x20, 0x20),))
    return (
        rust_class(code_ranges(_SENTENCE_CHARS)) + "+",
        f"{rust_class(blanks)}{{2,}}|{rust_class(but_space)}",
    )


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
    flagger = DuplicateFlagger(
        containment=containment, min_chunks=min_chunks, max_postings=max_postings
    )
    for doc_id, fp in fingerprints.items():
        flagger.add(doc_id, fp)
    return flagger.duplicates


class DuplicateFlagger:
    """`flag_duplicates` one document at a time, in corpus order: a pipeline flags each
    document as it arrives, while its workers are still busy with later ones."""

    def __init__(
        self, *, containment: float = 0.8, min_chunks: int = 2, max_postings: int = 50
    ) -> None:
        self.containment = containment
        self.min_chunks = min_chunks
        self.max_postings = max_postings
        self.duplicates: dict[str, str] = {}  # duplicate doc_id -> original doc_id
        self._by_digest: dict[str, str] = {}
        # chunk -> the kept documents holding it: one doc_id as itself, several as a list.
        # Most chunks occur in one document only; without a list each, SaudiNewsNet's
        # 370,000 postings take 10 MB of the client's memory instead of 33 (tracemalloc).
        self._postings: dict[int, str | list[str]] = {}
        self._kept: dict[str, int] = {}  # doc_id -> its place among the documents kept

    def add(self, doc_id: str, fp: Fingerprint) -> None:
        """Flag `doc_id` if it copies a document added before it, else keep it as one."""
        if not fp.digest:
            return  # nothing left after cleaning: not a copy of anything
        postings = self._postings
        # Four documents in five share no sentence with one kept before them (SaudiNewsNet):
        # that is found at C speed, and their sentences all go in as new postings at once.
        unshared = postings.keys().isdisjoint(fp.chunks)
        original = self._by_digest.get(fp.digest)
        if original is None and not unshared and len(fp.chunks) >= self.min_chunks:
            original = _best_container(
                fp.chunks, postings, self._kept, self.containment, self.max_postings
            )
        if original is not None:
            self.duplicates[doc_id] = original
            return
        self._by_digest[fp.digest] = doc_id
        self._kept[doc_id] = len(self._kept)
        if unshared:
            postings.update(dict.fromkeys(fp.chunks, doc_id))
            return
        for chunk in fp.chunks:
            docs = postings.setdefault(chunk, doc_id)
            if docs is not doc_id:
                if isinstance(docs, str):
                    postings[chunk] = [docs, doc_id]
                else:
                    docs.append(doc_id)


def _best_container(
    chunks: frozenset[int],
    postings: Mapping[int, str | list[str]],
    kept: Mapping[str, int],
    containment: float,
    cap: int,
) -> str | None:
    """The kept document sharing most of `chunks`, the earliest of those tied (never an order
    that depends on the hash values), if it shares enough."""
    shared: Counter[str] = Counter()
    for chunk in chunks:
        docs = postings.get(chunk)
        if docs is None:
            continue
        if isinstance(docs, str):
            shared[docs] += 1
        elif len(docs) <= cap:
            shared.update(docs)
    if not shared:
        return None
    doc_id, count = max(shared.items(), key=lambda item: (item[1], -kept[item[0]]))
    return doc_id if count >= containment * len(chunks) else None

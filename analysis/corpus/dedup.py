"""Exact and near-duplicate documents: sentence fingerprints and an inverted index."""

from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict
from collections.abc import Mapping
from typing import NamedTuple


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

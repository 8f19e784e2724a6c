"""The explorer's index: built once from a study, then every filter is array arithmetic.

Nothing here runs the pipeline. `ExplorerIndex.from_study` takes the analysis a study already
holds (hits with character offsets, tokens per document) and the documents' metadata; a
filter change (`query`) selects rows with boolean masks over those arrays. The free-text
search folds the texts once into one string (alef forms, alef maqsura, taa marbuta, Latin
case, digits: the folding of the matcher's normalization that keeps every character in its
place), so a match's offsets are offsets in the original text, and caches each query's matches.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from analysis import arabic
from analysis.charsets import (
    ARABIC_INDIC_DIGITS,
    ARABIC_MARKS,
    PERSIAN_DIGITS,
    TATWEEL,
    class_body,
)

ALL = ""  # the "any" value of a theme, entry or outlet filter
SEPARATOR = "\x00"  # between documents in the folded text: never matched by a query
_FOLDS = (
    ("أ", "ا"),
    ("إ", "ا"),
    ("آ", "ا"),
    ("ٱ", "ا"),
    ("ى", "ي"),
    ("ة", "ه"),
    *((d, str(i)) for i, d in enumerate(ARABIC_INDIC_DIGITS)),
    *((d, str(i)) for i, d in enumerate(PERSIAN_DIGITS)),
)
# Harakat and tatweel may sit between any two letters of a match (they are kept in the text).
_BETWEEN = f"[{class_body(ARABIC_MARKS)}{TATWEEL}]*"


def fold(text: str) -> str:
    """The search folding: same length as `text`, spelling variants mapped to one letter.

    A chain of `str.replace` (C speed on the whole corpus; `str.translate` with a mapping is
    several times slower).
    """
    for variant, letter in _FOLDS:
        if variant in text:
            text = text.replace(variant, letter)
    return text.lower()


_MARKS = re.compile(_BETWEEN.replace("]*", "]+"))


def search_pattern(query: str, *, marks: bool = True) -> re.Pattern[str] | None:
    """The regex of a search box entry over folded text, or None for an empty query.

    The query is normalized like the matcher's input (`arabic.normalize`: harakat, tatweel,
    alef forms, alef maqsura, taa marbuta, digits), then folded; words are separated by any
    run of spaces, and (with `marks`) harakat or tatweel in the text may sit between any two
    letters. Without `marks` the pattern starts with a literal word, which `re` finds fast.
    """
    normalized = fold(arabic.normalize(query)).split()
    if not normalized:
        return None
    between = _BETWEEN if marks else ""
    words = [between.join(re.escape(ch) for ch in word) for word in normalized]
    return re.compile(r"\s+".join(words))


@dataclass(frozen=True)
class Filters:
    """One state of the explorer's controls (empty strings mean "any")."""

    theme: str = ALL
    entry: str = ALL
    outlet: str = ALL
    start: pd.Timestamp | None = None
    end: pd.Timestamp | None = None  # inclusive (the whole day)
    search: str = ""


@dataclass
class Selection:
    """What one `Filters` selects: documents, theme hits, search matches and their counts."""

    filters: Filters
    documents: np.ndarray  # bool per document of the index
    hits: pd.DataFrame  # the index's hits in those documents (theme/entry filtered)
    matches: pd.DataFrame  # search matches: `doc` (position), `start`, `end`
    n_documents: int
    n_tokens: int
    rates: pd.Series  # hits per 1,000 tokens per theme, filtered documents
    timeline: pd.DataFrame | None  # `period`, `tokens`, `hits`, `rate` (None without dates)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def n_hits(self) -> int:
        return len(self.hits)


@dataclass
class ExplorerIndex:
    """Arrays over a study's documents and hits (see the module docstring)."""

    doc_ids: np.ndarray  # str per document
    texts: list[str]  # cleaned text per document
    outlets: np.ndarray  # str per document ("" when unknown)
    dates: np.ndarray  # datetime64[ns] per document (NaT when unknown)
    months: np.ndarray  # int months since year 0 (-1 when unknown)
    tokens: np.ndarray  # int tokens per document
    hits: pd.DataFrame  # `doc` (position), `theme`, `entry`, `match`, `start`, `end`, `sentence`
    theme_ids: list[str]
    theme_names: dict[str, str]
    entries: dict[str, list[str]]  # theme -> lexicon entries (words and phrases), in file order
    # Every text folded, harakat and tatweel removed, joined by SEPARATOR; where each starts;
    # whether removing them changed the text (then offsets are found again in that text).
    stripped: str = ""
    starts: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    marked: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))

    @classmethod
    def from_study(cls, study: Any) -> ExplorerIndex:
        return cls.build(study.analysis, study.documents, study.lexicon)

    @classmethod
    def build(cls, analysis: Any, documents: pd.DataFrame, lexicon: Any) -> ExplorerIndex:
        docs = documents.reset_index(drop=True)
        doc_ids = docs["doc_id"].astype(str).to_numpy()
        position = pd.Series(np.arange(len(doc_ids)), index=doc_ids)
        outlets = (
            docs["source"].fillna("").astype(str).to_numpy()
            if "source" in docs
            else np.full(len(docs), "", dtype=object)
        )
        dates = (
            pd.to_datetime(docs["date"]).to_numpy(dtype="datetime64[ns]")
            if "date" in docs
            else np.full(len(docs), np.datetime64("NaT"), dtype="datetime64[ns]")
        )
        stamp = pd.DatetimeIndex(dates)
        months = np.where(stamp.isna(), -1, stamp.year * 12 + stamp.month - 1).astype(np.int64)
        tokens = (
            analysis.doc_tokens.assign(doc_id=analysis.doc_tokens["doc_id"].astype(str))
            .set_index("doc_id")["n_tokens"]
            .reindex(doc_ids)
            .fillna(0)
            .to_numpy(dtype=np.int64)
        )
        raw = analysis.hits
        raw = raw[raw["doc_id"].astype(str).isin(position.index)]
        hits = pd.DataFrame(
            {
                "doc": position.reindex(raw["doc_id"].astype(str)).to_numpy(dtype=np.int64),
                "theme": pd.Categorical(raw["theme"], categories=list(lexicon.theme_ids)),
                "entry": raw["entry"].astype("category").to_numpy(),
                "match": raw["match"].to_numpy(),
                "start": raw["start"].to_numpy(dtype=np.int64),
                "end": raw["end"].to_numpy(dtype=np.int64),
                "sentence": raw["sentence"].to_numpy(dtype=np.int64),
            }
        )
        entries: dict[str, list[str]] = {t: [] for t in lexicon.theme_ids}
        for p in lexicon.patterns:
            if p.role in ("word", "phrase", "term") and p.entry not in entries[p.theme]:
                entries[p.theme].append(p.entry)
        texts = docs["text"].fillna("").astype(str).tolist()
        index = cls(
            doc_ids=doc_ids,
            texts=texts,
            outlets=outlets,
            dates=dates,
            months=months,
            tokens=tokens,
            hits=hits,
            theme_ids=list(lexicon.theme_ids),
            theme_names={t.id: t.name_en for t in lexicon.themes},
            entries=entries,
        )
        index._fold_texts()
        return index

    def _fold_texts(self) -> None:
        self.stripped = _MARKS.sub("", fold(SEPARATOR.join(self.texts)))
        ends, at = [], self.stripped.find(SEPARATOR)
        while at >= 0:
            ends.append(at)
            at = self.stripped.find(SEPARATOR, at + 1)
        ends.append(len(self.stripped))
        ends_array = np.array(ends, dtype=np.int64)
        self.starts = np.concatenate([[0], ends_array[:-1] + 1]).astype(np.int64)
        lengths = np.fromiter((len(t) for t in self.texts), dtype=np.int64, count=len(self.texts))
        self.marked = (ends_array - self.starts) != lengths
        self._search_cache = lru_cache(maxsize=64)(self._search_all)

    # --- queries ------------------------------------------------------------------------

    @property
    def outlet_names(self) -> list[str]:
        return sorted(set(self.outlets) - {""})

    @property
    def has_dates(self) -> bool:
        return bool((self.months >= 0).any())

    def date_range(self) -> tuple[pd.Timestamp, pd.Timestamp] | None:
        known = self.dates[~np.isnat(self.dates)]
        if not len(known):
            return None
        return pd.Timestamp(known.min()), pd.Timestamp(known.max())

    def search(self, query: str) -> pd.DataFrame:
        """Every match of `query` in the corpus: `doc`, `start`, `end` (cached per query)."""
        return self._search_cache(" ".join(query.split()))

    def _search_all(self, query: str) -> pd.DataFrame:
        """Find the first word with `str.find` in the stripped texts, check the rest there.

        Offsets in a text without harakat are those of the stripped copy; a text with some
        is searched again, folded, with the pattern that allows them between letters.
        """
        pattern, plain = search_pattern(query), search_pattern(query, marks=False)
        if pattern is None or plain is None:
            return pd.DataFrame({"doc": [], "start": [], "end": []}, dtype=np.int64)
        first = fold(arabic.normalize(query)).split()[0]
        spans, at = [], self.stripped.find(first)
        while at >= 0:
            found = plain.match(self.stripped, at)
            if found:
                spans.append(found.span())
            at = self.stripped.find(first, at + 1)
        where = np.array(spans, dtype=np.int64).reshape(-1, 2)
        doc = np.searchsorted(self.starts, where[:, 0], side="right") - 1
        plain_docs = ~self.marked[doc]
        docs = [doc[plain_docs]]
        begins = [where[plain_docs, 0] - self.starts[doc[plain_docs]]]
        ends = [where[plain_docs, 1] - self.starts[doc[plain_docs]]]
        for marked in np.unique(doc[~plain_docs]):
            found = [m.span() for m in pattern.finditer(fold(self.texts[marked]))]
            if found:
                spans_array = np.array(found, dtype=np.int64)
                docs.append(np.full(len(found), marked, dtype=np.int64))
                begins.append(spans_array[:, 0])
                ends.append(spans_array[:, 1])
        table = pd.DataFrame(
            {
                "doc": np.concatenate(docs),
                "start": np.concatenate(begins),
                "end": np.concatenate(ends),
            },
            dtype=np.int64,
        )
        return table.sort_values(["doc", "start"], kind="stable").reset_index(drop=True)

    def document_mask(self, filters: Filters) -> np.ndarray:
        """Documents passing the outlet and date filters."""
        mask = np.ones(len(self.doc_ids), dtype=bool)
        if filters.outlet:
            mask &= self.outlets == filters.outlet
        if filters.start is not None:
            mask &= self.dates >= np.datetime64(pd.Timestamp(filters.start).normalize())
        if filters.end is not None:
            end = pd.Timestamp(filters.end).normalize() + pd.Timedelta(days=1)
            mask &= self.dates < np.datetime64(end)
        return mask

    def query(self, filters: Filters) -> Selection:
        """Select documents, hits and search matches; count rates, overall and per month.

        With a search, the documents are those containing it; theme rates and the timeline
        then describe the documents that use the searched words.
        """
        mask = self.document_mask(filters)
        matches = self.search(filters.search) if filters.search.strip() else None
        if matches is not None:
            matches = matches[mask[matches["doc"].to_numpy()]]
            with_term = np.zeros_like(mask)
            with_term[matches["doc"].to_numpy()] = True
            mask &= with_term
        else:
            matches = pd.DataFrame({"doc": [], "start": [], "end": []}, dtype=np.int64)
        in_docs = self.hits[mask[self.hits["doc"].to_numpy()]]
        n_tokens = int(self.tokens[mask].sum())
        per_theme = in_docs["theme"].value_counts().reindex(self.theme_ids, fill_value=0)
        rates = per_theme * 1000.0 / n_tokens if n_tokens else per_theme * 0.0
        hits = in_docs
        if filters.theme:
            hits = hits[hits["theme"] == filters.theme]
        if filters.entry:
            hits = hits[hits["entry"] == filters.entry]
        return Selection(
            filters=filters,
            documents=mask,
            hits=hits,
            matches=matches,
            n_documents=int(mask.sum()),
            n_tokens=n_tokens,
            rates=rates.astype(float),
            timeline=self._timeline(mask, hits),
        )

    def _timeline(self, mask: np.ndarray, hits: pd.DataFrame) -> pd.DataFrame | None:
        dated = mask & (self.months >= 0)
        if not dated.any():
            return None
        first, last = int(self.months[dated].min()), int(self.months[dated].max())
        size = last - first + 1
        tokens = np.bincount(self.months[dated] - first, weights=self.tokens[dated], minlength=size)
        hit_months = self.months[hits["doc"].to_numpy()]
        hit_months = hit_months[hit_months >= 0] - first
        counts = np.bincount(hit_months, minlength=size)[:size]
        with np.errstate(invalid="ignore", divide="ignore"):
            rate = np.where(tokens > 0, counts * 1000.0 / tokens, np.nan)
        periods = pd.PeriodIndex(
            [
                pd.Period(year=(first + i) // 12, month=(first + i) % 12 + 1, freq="M")
                for i in range(size)
            ]
        )
        return pd.DataFrame({"period": periods, "tokens": tokens, "hits": counts, "rate": rate})

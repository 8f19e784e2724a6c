"""Keyness: the terms over- and under-used in one set of documents against another."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from analysis import arabic
from analysis.themes.lexicon import word_key

if TYPE_CHECKING:
    import pandas as pd


def term_counts(texts: Iterable[str], *, stopwords: bool = False) -> Counter[str]:
    """Counts of analysis keys over texts (stopwords dropped unless `stopwords`), for `keyness`.

    Tokens are counted first (`arabic.normalized_tokens`), then each distinct type is mapped
    to its key once (cached across calls).
    """
    types: Counter[str] = Counter()
    for text in texts:
        types.update(arabic.normalized_tokens(text))  # counting a list runs in C
    keyed: Counter[str] = Counter()
    for word, n in types.items():
        key = _term_key(word, stopwords)
        if key:
            keyed[key] += n
    return keyed


@lru_cache(maxsize=1 << 20)
def _term_key(word: str, keep_stopwords: bool) -> str:
    """The key a normalized type is counted under by `term_counts` ("" = not counted)."""
    if not keep_stopwords and word in arabic.stopwords():
        return ""
    return word_key(word)


def surface_forms(
    texts: Iterable[str], keys: Collection[str], *, stopwords: bool = False
) -> dict[str, str]:
    """The most frequent spelling, as written in `texts`, of each of `keys` (`term_counts` keys).

    A key is a stem (تنم, ثقاف) that no reader reads as a word: tables show this form instead,
    with the key beside it. Ties go to the alphabetically first form; a key that does not
    occur is left out.
    """
    wanted = set(keys)
    forms: dict[str, Counter[str]] = {}
    for text in texts:
        for token in arabic.tokenize(text):
            key = _form_key(token.text, stopwords)
            if key in wanted:
                forms.setdefault(key, Counter())[token.text] += 1
    return {key: min(c.items(), key=lambda kv: (-kv[1], kv[0]))[0] for key, c in forms.items()}


@lru_cache(maxsize=1 << 20)
def _form_key(written: str, keep_stopwords: bool) -> str:
    """The `term_counts` key of a token as written ("" = not counted)."""
    normalized = arabic.normalized_tokens(written)
    return _term_key(normalized[0], keep_stopwords) if len(normalized) == 1 else ""


def keyness(
    target: Mapping[str, int],
    reference: Mapping[str, int],
    *,
    min_count: int = 3,
    top: int | None = 50,
) -> pd.DataFrame:
    """Log-likelihood keyness (Dunning 1993, as computed by Rayson and Garside 2000).

    For each term with at least `min_count` occurrences in the target: `term`,
    `count_target`, `count_reference`, `per_1000_target`, `per_1000_reference`,
    `log_likelihood` (G2; 3.84 is p < 0.05, 6.63 p < 0.01, 10.83 p < 0.001, 1 d.f.),
    `log_ratio` (binary log of the relative frequency ratio, 0.5 added to zero counts) and
    `key` (`over` when relatively more frequent in the target, else `under`). Sorted by
    log-likelihood, over-used terms first; `top` rows (all when None).
    """
    # Imported here: a pipeline client or worker, which computes no keyness, skips them.
    import numpy as np
    import pandas as pd

    columns = [
        "term",
        "count_target",
        "count_reference",
        "per_1000_target",
        "per_1000_reference",
        "log_likelihood",
        "log_ratio",
        "key",
    ]
    total_t = float(sum(target.values()))
    total_r = float(sum(reference.values()))
    terms = [t for t, n in target.items() if n >= min_count]
    if not terms or total_t == 0 or total_r == 0:
        return pd.DataFrame(columns=columns)
    a = np.array([target[t] for t in terms], dtype=float)
    b = np.array([reference.get(t, 0) for t in terms], dtype=float)
    expected_a = total_t * (a + b) / (total_t + total_r)
    expected_b = total_r * (a + b) / (total_t + total_r)
    with np.errstate(divide="ignore", invalid="ignore"):
        part_a = np.where(a > 0, a * np.log(a / expected_a), 0.0)
        part_b = np.where(b > 0, b * np.log(b / expected_b), 0.0)
    g2 = 2.0 * (part_a + part_b)
    freq_a, freq_b = a / total_t, b / total_r
    log_ratio = np.log2(np.maximum(a, 0.5) / total_t) - np.log2(np.maximum(b, 0.5) / total_r)
    table = pd.DataFrame(
        {
            "term": terms,
            "count_target": a.astype("int64"),
            "count_reference": b.astype("int64"),
            "per_1000_target": freq_a * 1000.0,
            "per_1000_reference": freq_b * 1000.0,
            "log_likelihood": g2,
            "log_ratio": log_ratio,
            "key": np.where(freq_a >= freq_b, "over", "under"),
        }
    )
    table["_under"] = table["key"] == "under"
    table = table.sort_values(["_under", "log_likelihood", "term"], ascending=[True, False, True])
    table = table.drop(columns="_under").reset_index(drop=True)
    return table if top is None else table.head(top)


def document_keyness(
    documents: pd.DataFrame,
    target: Iterable[str] | pd.Series,
    reference: Mapping[str, int] | None = None,
    **options: Any,
) -> pd.DataFrame:
    """`keyness` of a group of documents (doc_ids, or a boolean mask over `documents`) against
    the other documents, or against `reference` term counts (e.g. `term_counts` of a
    reference corpus). `options` go to `keyness`."""
    import numpy as np
    import pandas as pd

    if isinstance(target, pd.Series) and target.dtype == bool:
        in_group = target.to_numpy()
    else:
        wanted = {str(d) for d in target}
        in_group = documents["doc_id"].astype(str).isin(wanted).to_numpy()
    texts = documents["text"].fillna("").astype(str)
    if reference is None:
        groups = pd.Series(np.where(in_group, "target", None), index=texts.index)
        return group_keyness(documents, groups, **options).get("target", keyness({}, {}, **options))
    return keyness(term_counts(texts[in_group]), reference, **options)


def group_keyness(
    documents: pd.DataFrame, groups: pd.Series, **options: Any
) -> dict[Any, pd.DataFrame]:
    """`keyness` of each group of documents against every other document, group by group.

    `groups` holds a label per row of `documents` (positionally; missing = in no group, but
    still part of every group's reference). Each text is counted once, whatever the number
    of groups. `options` go to `keyness`.
    """
    texts = documents["text"].fillna("").astype(str).reset_index(drop=True)
    labels = groups.reset_index(drop=True)
    per_group = {label: term_counts(texts[labels == label]) for label in labels.dropna().unique()}
    everything = sum(per_group.values(), term_counts(texts[labels.isna()]))
    return {
        label: keyness(counts, everything - counts, **options)
        for label, counts in per_group.items()
    }

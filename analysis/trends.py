"""Themes over time and across outlets, with uncertainty: pure functions over the pipeline's tables.

Inputs are an `Analysis` (`hits`, `doc_tokens`, `themes`) and the documents table (`doc_id`,
`date`, `source`, `title`). Rates are mentions per 1,000 analysis tokens of a group of
documents (summed hits / summed tokens). Uncertainty comes from the documents, not the
tokens: a 95% interval is the 2.5th-97.5th percentile of the rate over `n_boot` resamples of
the group's documents with replacement (seeded, each group on its own stream, so a group's
interval does not depend on the other groups).

- `theme_trends`: rate per period (day, week from Monday, or month; `choose_period` picks the
  finest giving at most `MAX_PERIODS` periods over the dated span), every period of the span
  listed; a period with fewer than `min_documents` documents gets no rate (`enough` False).
- `find_peaks`: periods well above a theme's typical level. Rule: robust z-score
  0.6745 (rate - median) / MAD over the periods with enough documents (MAD = 0: the mean
  absolute deviation times 1.2533 instead), a peak when z >= 3.5 (Iglewicz and Hoaglin) and
  the period's interval lies wholly above the median; at least `MIN_PEAK_PERIODS` periods.
- `peak_documents`: the documents behind a peak, most mentions of the theme first.
- `compare_outlets`: rate per outlet (outlets under `min_tokens` tokens or `min_documents`
  documents pooled as `OTHER`), each against the rest of the named outlets: log-likelihood
  G² on the 2x2 hit/token counts (1 d.f.), Holm's correction over every outlet x theme test,
  and a stratified bootstrap interval of the difference (outlet minus rest); an outlet with
  no hit of a theme has a degenerate interval and never counts as supported by it.
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from analysis.themes import counts_by_document, kwic

Period = Literal["day", "week", "month"]
PERIODS: tuple[Period, ...] = ("day", "week", "month")
MAX_PERIODS = 60
MIN_DOCUMENTS = 10
MIN_PEAK_PERIODS = 6
PEAK_Z = 3.5
N_BOOT = 1000
SEED = 20150806
MIN_OUTLET_TOKENS = 2000
MIN_OUTLET_DOCUMENTS = 5
ALPHA = 0.05
OTHER = "other"
_CHUNK = 2_000_000  # resampled document indices held at once

TREND_COLUMNS = ["period", "theme", "documents", "tokens", "hits", "rate", "low", "high", "enough"]
_TREND_TYPES = {
    "period": "datetime64[ns]",
    "theme": "object",
    "documents": "int64",
    "tokens": "int64",
    "hits": "int64",
    "rate": "float64",
    "low": "float64",
    "high": "float64",
    "enough": "bool",
}
PEAK_COLUMNS = ["theme", "period", "rate", "low", "high", "median", "ratio", "z", "documents"]
OUTLET_COLUMNS = [
    "outlet",
    "theme",
    "documents",
    "tokens",
    "hits",
    "rate",
    "low",
    "high",
    "rest_rate",
    "ratio",
    "diff_low",
    "diff_high",
    "g2",
    "p",
    "p_holm",
    "significant",
    "supported",
]


@dataclass
class Trends:
    """Rates per period (`table`, `TREND_COLUMNS`) and how they were computed."""

    table: pd.DataFrame
    by: Period
    min_documents: int
    n_boot: int
    seed: int
    dated: int  # documents with a date
    total: int  # documents analysed


@dataclass
class OutletComparison:
    """Rates per outlet against the rest (`table`, `OUTLET_COLUMNS`) and how they were made."""

    table: pd.DataFrame
    pooled: list[str] = field(default_factory=list)  # outlets grouped as OTHER
    unsourced: int = 0  # analysed documents naming no outlet (left out)
    min_tokens: int = MIN_OUTLET_TOKENS
    min_documents: int = MIN_OUTLET_DOCUMENTS
    n_boot: int = N_BOOT
    alpha: float = ALPHA

    @property
    def outlets(self) -> list[str]:
        return list(dict.fromkeys(self.table["outlet"]))

    @property
    def n_tests(self) -> int:
        return len(self.table)


# --- periods --------------------------------------------------------------------------------


def document_dates(documents: pd.DataFrame) -> pd.Series:
    """doc_id -> date (day precision) of the dated documents."""
    if "date" not in documents:
        return pd.Series(dtype="datetime64[ns]")
    dates = pd.to_datetime(documents["date"], errors="coerce")
    dates.index = documents["doc_id"].astype(str)
    return dates.dropna().dt.tz_localize(None).dt.normalize()


def period_start(dates: pd.Series, by: Period) -> pd.Series:
    """The first day of each date's period (weeks start on Monday)."""
    if by == "day":
        return dates.dt.normalize()
    if by == "week":
        return (dates - pd.to_timedelta(dates.dt.day_of_week, unit="D")).dt.normalize()
    if by == "month":
        return dates.dt.to_period("M").dt.start_time
    raise ValueError(f"period must be one of {PERIODS} or 'auto', got {by!r}")


def period_range(first: pd.Timestamp, last: pd.Timestamp, by: Period) -> pd.DatetimeIndex:
    """Every period start from the one holding ``first`` to the one holding ``last``."""
    starts = period_start(pd.Series([first, last]), by)
    freq = {"day": "D", "week": "W-MON", "month": "MS"}[by]
    return pd.date_range(starts.iloc[0], starts.iloc[1], freq=freq)


def choose_period(dates: pd.Series, max_periods: int = MAX_PERIODS) -> Period:
    """The finest of day, week, month giving at most ``max_periods`` periods over the span."""
    if dates.empty:
        return "month"
    for by in PERIODS:
        if len(period_range(dates.min(), dates.max(), by)) <= max_periods:
            return by
    return "month"


# --- bootstrap ------------------------------------------------------------------------------


def _stream(seed: int, key: str) -> np.random.Generator:
    """A generator for one group: the seed and a stable digest of the group's key."""
    return np.random.default_rng([seed, zlib.crc32(key.encode("utf-8"))])


def bootstrap_sums(
    counts: np.ndarray, tokens: np.ndarray, n_boot: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Hits (n_boot x themes) and tokens (n_boot) of ``n_boot`` resamples of the documents."""
    n = len(tokens)
    hits = np.zeros((n_boot, counts.shape[1]))
    total = np.zeros(n_boot)
    if n == 0:
        return hits, total
    step = max(1, _CHUNK // n)
    columns = [np.ascontiguousarray(counts[:, t]) for t in range(counts.shape[1])]
    for start in range(0, n_boot, step):
        rows = min(step, n_boot - start)
        index = rng.integers(0, n, size=(rows, n))
        total[start : start + rows] = tokens[index].sum(axis=1)
        for t, column in enumerate(columns):
            hits[start : start + rows, t] = column[index].sum(axis=1)
    return hits, total


def _per_1000(hits: np.ndarray, tokens: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(tokens > 0, hits * 1000.0 / tokens, np.nan)


def _interval(samples: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """2.5th and 97.5th percentiles along the first axis (NaN where no sample is finite)."""
    if samples.size == 0 or np.isnan(samples).all():
        nan = np.full(samples.shape[1:], np.nan)
        return nan, nan
    low, high = np.nanpercentile(samples, [2.5, 97.5], axis=0)
    return low, high


def _document_matrix(analysis: Any) -> tuple[pd.DataFrame, pd.Series]:
    """Hits per document x theme and tokens per document, both indexed by doc_id."""
    counts = counts_by_document(analysis)
    tokens = analysis.doc_tokens.set_index("doc_id")["n_tokens"].reindex(counts.index)
    return counts, tokens.fillna(0).astype("int64")


# --- trends ---------------------------------------------------------------------------------


def theme_trends(
    analysis: Any,
    documents: pd.DataFrame,
    by: Period | Literal["auto"] = "auto",
    *,
    min_documents: int = MIN_DOCUMENTS,
    n_boot: int = N_BOOT,
    seed: int = SEED,
) -> Trends:
    """Rate per 1,000 tokens per theme and period, with 95% bootstrap intervals.

    Every period from the first dated document to the last is listed (``documents`` 0 for a
    period without any); ``rate``, ``low`` and ``high`` are NaN where ``enough`` is False
    (fewer than ``min_documents`` documents).
    """
    counts, tokens = _document_matrix(analysis)
    dates = document_dates(documents).reindex(counts.index).dropna()
    chosen: Period = choose_period(dates) if by == "auto" else by
    ids = list(analysis.theme_ids)
    rows = []
    if not dates.empty:
        starts = period_start(dates, chosen)
        for start in period_range(dates.min(), dates.max(), chosen):
            members = starts.index[starts == start]
            c = counts.loc[members, ids].to_numpy(dtype=float)
            k = tokens.loc[members].to_numpy(dtype=float)
            enough = len(members) >= min_documents and k.sum() > 0
            rate = _per_1000(c.sum(axis=0), np.full(len(ids), k.sum()))
            low = high = np.full(len(ids), np.nan)
            if enough:
                rng = _stream(seed, start.strftime("%Y-%m-%d"))
                low, high = _interval(_per_1000(*_pair(bootstrap_sums(c, k, n_boot, rng))))
            else:
                rate = np.full(len(ids), np.nan)
            for t, theme in enumerate(ids):
                counted = (start, theme, len(members), int(k.sum()), int(c[:, t].sum()))
                rows.append((*counted, rate[t], low[t], high[t], bool(enough)))
    table = pd.DataFrame(rows, columns=TREND_COLUMNS).astype(_TREND_TYPES)
    return Trends(table, chosen, min_documents, n_boot, seed, len(dates), len(counts))


def _pair(sums: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Bootstrap hits and tokens shaped for a per-theme division."""
    hits, tokens = sums
    return hits, tokens[:, None]


def find_peaks(trends: Trends, *, threshold: float = PEAK_Z) -> pd.DataFrame:
    """Periods well above a theme's typical level (see the module docstring for the rule)."""
    rows = []
    usable = trends.table.loc[trends.table["enough"].astype(bool)]
    for theme, group in usable.groupby("theme", sort=False):
        if len(group) < MIN_PEAK_PERIODS:
            continue
        rates = group["rate"].to_numpy(dtype=float)
        z = robust_z(rates)
        median = float(np.median(rates))
        for row, score in zip(group.itertuples(index=False), z, strict=True):
            if score >= threshold and row.low > median:
                ratio = row.rate / median if median > 0 else math.inf
                level = (row.rate, row.low, row.high, median, ratio, float(score))
                rows.append((theme, row.period, *level, row.documents))
    peaks = pd.DataFrame(rows, columns=PEAK_COLUMNS)
    return peaks.sort_values(["z", "period"], ascending=[False, True], ignore_index=True)


def robust_z(values: np.ndarray) -> np.ndarray:
    """0.6745 (x - median) / MAD; with MAD 0, (x - median) / (1.2533 mean absolute deviation)."""
    values = np.asarray(values, dtype=float)
    median = np.median(values)
    deviation = np.abs(values - median)
    mad = np.median(deviation)
    if mad > 0:
        return 0.6745 * (values - median) / mad
    mean_ad = deviation.mean()
    if mean_ad > 0:
        return (values - median) / (1.253314 * mean_ad)
    return np.zeros_like(values)


def peak_documents(
    analysis: Any, documents: pd.DataFrame, theme: str, period: Any, by: Period, n: int = 5
) -> pd.DataFrame:
    """The ``n`` documents of ``period`` with the most mentions of ``theme``.

    Columns: `doc_id`, `title`, `source`, `date`, `hits`, `n_tokens`, `share` (of the
    theme's mentions in the period).
    """
    counts, tokens = _document_matrix(analysis)
    dates = document_dates(documents).reindex(counts.index).dropna()
    members = dates.index[period_start(dates, by) == pd.Timestamp(period)]
    hits = counts.loc[members, theme]
    total = int(hits.sum())
    top = hits[hits > 0].sort_values(ascending=False, kind="stable").head(n)
    meta = documents.assign(doc_id=documents["doc_id"].astype(str)).set_index("doc_id")
    table = pd.DataFrame({"doc_id": top.index, "hits": top.to_numpy(dtype="int64")})
    for column in ("title", "source", "date"):
        values = meta[column] if column in meta else pd.Series(dtype=object)
        table[column] = values.reindex(top.index).to_numpy()
    table["n_tokens"] = tokens.reindex(top.index).to_numpy(dtype="int64")
    table["share"] = table["hits"] / total if total else 0.0
    return table[["doc_id", "title", "source", "date", "hits", "n_tokens", "share"]]


def peak_kwic(
    analysis: Any,
    documents: pd.DataFrame,
    theme: str,
    doc_ids: list[str],
    *,
    per_document: int = 2,
    width: int = 60,
) -> pd.DataFrame:
    """The first ``per_document`` concordance lines of ``theme`` in each of ``doc_ids``."""
    chosen = documents[documents["doc_id"].astype(str).isin(doc_ids)]
    lines = kwic(analysis, chosen, theme=theme, width=width)
    lines = lines[lines["doc_id"].isin(doc_ids)]
    order = {d: i for i, d in enumerate(doc_ids)}
    lines = lines.assign(_order=lines["doc_id"].map(order)).sort_values(
        ["_order", "sentence"], kind="stable"
    )
    return lines.groupby("doc_id", sort=False).head(per_document).drop(columns="_order")


# --- outlets --------------------------------------------------------------------------------


def outlet_groups(
    documents: pd.DataFrame,
    tokens: pd.Series,
    *,
    min_tokens: int = MIN_OUTLET_TOKENS,
    min_documents: int = MIN_OUTLET_DOCUMENTS,
) -> tuple[pd.Series, list[str]]:
    """doc_id -> outlet (small outlets as OTHER) for documents naming one, and the pooled."""
    if "source" not in documents:
        return pd.Series(dtype=object), []
    sources = documents.set_index(documents["doc_id"].astype(str))["source"]
    sources = sources.reindex(tokens.index).dropna().astype(str)
    sizes = pd.DataFrame({"source": sources, "tokens": tokens.reindex(sources.index)})
    by_outlet = sizes.groupby("source").agg(tokens=("tokens", "sum"), docs=("tokens", "size"))
    small = by_outlet[(by_outlet["tokens"] < min_tokens) | (by_outlet["docs"] < min_documents)]
    pooled = sorted(small.index)
    return sources.where(~sources.isin(pooled), OTHER), pooled


def compare_outlets(
    analysis: Any,
    documents: pd.DataFrame,
    *,
    min_tokens: int = MIN_OUTLET_TOKENS,
    min_documents: int = MIN_OUTLET_DOCUMENTS,
    n_boot: int = N_BOOT,
    seed: int = SEED,
    alpha: float = ALPHA,
) -> OutletComparison:
    """Each outlet's rate per theme against the rest of the named outlets (G², bootstrap).

    Rows are ordered by theme, then rate (highest first). Empty when fewer than two groups
    remain after pooling.
    """
    counts, tokens = _document_matrix(analysis)
    groups, pooled = outlet_groups(
        documents, tokens, min_tokens=min_tokens, min_documents=min_documents
    )
    unsourced = len(counts) - len(groups)
    settings = dict(min_tokens=min_tokens, min_documents=min_documents, n_boot=n_boot)
    names = sorted(set(groups), key=lambda g: (g == OTHER, g))
    if len(names) < 2:
        empty = pd.DataFrame(columns=OUTLET_COLUMNS)
        return OutletComparison(empty, pooled, unsourced, alpha=alpha, **settings)
    ids = list(analysis.theme_ids)
    sums, boots = {}, {}
    for name in names:
        members = groups.index[groups == name]
        c = counts.loc[members, ids].to_numpy(dtype=float)
        k = tokens.loc[members].to_numpy(dtype=float)
        sums[name] = (c.sum(axis=0), k.sum(), len(members))
        boots[name] = bootstrap_sums(c, k, n_boot, _stream(seed, name))
    all_hits = sum(s[0] for s in sums.values())
    all_tokens = sum(s[1] for s in sums.values())
    boot_hits = sum(b[0] for b in boots.values())
    boot_tokens = sum(b[1] for b in boots.values())
    rows = []
    for name in names:
        hits, k, n_docs = sums[name]
        rest_hits, rest_tokens = all_hits - hits, all_tokens - k
        rate = _per_1000(hits, np.full(len(ids), k))
        rest = _per_1000(rest_hits, np.full(len(ids), rest_tokens))
        own = _per_1000(boots[name][0], boots[name][1][:, None])
        others = _per_1000(boot_hits - boots[name][0], (boot_tokens - boots[name][1])[:, None])
        low, high = _interval(own)
        diff_low, diff_high = _interval(own - others)
        for t, theme in enumerate(ids):
            g2 = log_likelihood(hits[t], k, rest_hits[t], rest_tokens)
            ratio = rate[t] / rest[t] if rest[t] > 0 else math.inf
            counted = [name, theme, n_docs, int(k), int(hits[t]), rate[t], low[t], high[t]]
            rows.append([*counted, rest[t], ratio, diff_low[t], diff_high[t], g2, chi2_sf_1(g2)])
    table = pd.DataFrame(rows, columns=OUTLET_COLUMNS[:-3])
    table["p_holm"] = holm(table["p"].to_numpy())
    table["significant"] = table["p_holm"] < alpha
    # An outlet without a single hit has a degenerate interval (every resample is 0): no support.
    excludes_zero = (table["diff_low"] > 0) | (table["diff_high"] < 0)
    table["supported"] = excludes_zero & (table["hits"] > 0)
    order = {t: i for i, t in enumerate(ids)}
    table = table.sort_values(
        ["theme", "rate", "outlet"],
        ascending=[True, False, True],
        key=lambda c: c.map(order) if c.name == "theme" else c,
        ignore_index=True,
    )
    return OutletComparison(table, pooled, unsourced, alpha=alpha, **settings)


def log_likelihood(a: float, total_a: float, b: float, total_b: float) -> float:
    """G² of a 2x2 table: ``a`` of ``total_a`` tokens against ``b`` of ``total_b``."""
    observed = np.array([a, total_a - a, b, total_b - b], dtype=float)
    n = total_a + total_b
    if n <= 0:
        return 0.0
    hit_share = (a + b) / n
    shares = np.array([hit_share, 1 - hit_share])
    expected = np.concatenate([total_a * shares, total_b * shares])
    with np.errstate(divide="ignore", invalid="ignore"):
        parts = np.where(observed > 0, observed * np.log(observed / expected), 0.0)
    return float(max(0.0, 2.0 * parts.sum()))


def chi2_sf_1(statistic: float) -> float:
    """P(X >= statistic) for X chi-squared with 1 degree of freedom."""
    return math.erfc(math.sqrt(max(statistic, 0.0) / 2.0))


def holm(p: np.ndarray) -> np.ndarray:
    """Holm-Bonferroni adjusted p-values (step-down, monotone, capped at 1)."""
    p = np.asarray(p, dtype=float)
    m = len(p)
    if m == 0:
        return p
    order = np.argsort(p, kind="stable")
    adjusted = np.minimum(1.0, np.maximum.accumulate((m - np.arange(m)) * p[order]))
    result = np.empty(m)
    result[order] = adjusted
    return result

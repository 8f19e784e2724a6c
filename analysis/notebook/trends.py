"""Sentences from the trend and outlet tables (`analysis.trends`), and why a view is absent.

Every sentence is computed from the tables; corpus text (titles, outlet names) enters only
escaped (`escape`, `bdi`), never through a format string.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from analysis.notebook.html import bdi, enumeration, escape, number, percent, plural
from analysis.plotting.labels import shorten
from analysis.trends import (
    MIN_PEAK_PERIODS,
    OTHER,
    PEAK_Z,
    OutletComparison,
    Trends,
    peak_kwic,
)

_OUTLET_OTHER = "other (pooled small outlets)"


def when(period: Any, by: str) -> str:
    """'on 2015-08-07', 'in the week of 2015-08-03' or 'in 2015-08'."""
    stamp = pd.Timestamp(period)
    if by == "day":
        return f"on {stamp:%Y-%m-%d}"
    if by == "week":
        return f"in the week of {stamp:%Y-%m-%d}"
    return f"in {stamp:%Y-%m}"


def _name(names: Mapping[str, str], theme: str) -> str:
    return escape(names.get(theme, theme))


def _outlet(name: str) -> str:
    return escape(_OUTLET_OTHER) if name == OTHER else bdi(name)


def trend_absence(trends: Trends) -> str | None:
    """Why no trend is drawn (one sentence), or None when there is one to draw."""
    usable = trends.table.drop_duplicates("period")
    enough = int(usable["enough"].sum())
    if enough >= 2:
        return None
    documents = plural(trends.total, "analysed document")
    if trends.dated == 0:
        return f"None of the {documents} carries a date, so coverage over time is not charted."
    unit = {"day": "day", "week": "week", "month": "month"}[trends.by]
    verb = "carries" if trends.dated == 1 else "carry"
    return (
        f"Only {number(trends.dated)} of the {documents} {verb} a date, falling in "
        f"{plural(int((usable['documents'] > 0).sum()), unit)}; a rate needs at least "
        f"{plural(trends.min_documents, 'document')} in a {unit} and a trend at least two such "
        f"{unit}s ({number(enough)} here), so coverage over time is not charted."
    )


def peaks_absence(trends: Trends) -> str:
    """Why no peak is looked for, when no trend is drawn."""
    enough = int(trends.table.drop_duplicates("period")["enough"].sum())
    return (
        f"No peak is looked for: {plural(enough, trends.by)} of the corpus "
        f"{'has' if enough == 1 else 'have'} the {plural(trends.min_documents, 'document')} a "
        f"rate needs, and peaks need at least {plural(MIN_PEAK_PERIODS, trends.by)} with a rate."
    )


def outlet_absence(documents: pd.DataFrame, comparison: OutletComparison) -> str | None:
    """Why outlets are not compared (one sentence), or None when they are."""
    if not comparison.table.empty:
        return None
    sources = documents["source"].dropna() if "source" in documents else pd.Series(dtype=str)
    named = sources.nunique()
    if named == 0:
        return (
            f"None of the {plural(len(documents), 'analysed document')} names its outlet, so "
            "outlets are not compared."
        )
    if named == 1:
        return (
            f"Every document naming its outlet names the same one ({bdi(sources.iloc[0])}), "
            "so there is no other outlet to compare it with."
        )
    return (
        f"{plural(named, 'outlet')} are named, but none reaches "
        f"{plural(comparison.min_documents, 'document')} and "
        f"{plural(comparison.min_tokens, 'token')} (smaller outlets are pooled as “other”), "
        "so there are not two groups to compare."
    )


def trend_caption(trends: Trends) -> str:
    """How the trend chart was computed, in two sentences."""
    return (
        f"Mentions per 1,000 tokens per {trends.by} with 95% intervals from "
        f"{number(trends.n_boot)} bootstrap resamples of each {trends.by}'s documents "
        f"(seed {trends.seed}); {trends.by}s with fewer than "
        f"{plural(trends.min_documents, 'document')} are shaded and get no rate, and no line "
        "is drawn across them. A peak (ringed, with its ratio to the median) has a robust "
        f"z-score of at least {number(PEAK_Z, 1)} over the theme's {trends.by}s and an interval "
        f"wholly above the median; peaks are looked for with {MIN_PEAK_PERIODS} or more "
        f"{trends.by}s."
    )


def describe_trend(
    trends: Trends, peaks: pd.DataFrame, theme: str, names: Mapping[str, str]
) -> str:
    """A theme's typical level, its spread, its highest period and whether it is a peak."""
    rows = trends.table[(trends.table["theme"] == theme) & trends.table["enough"]]
    if rows.empty:
        return f"No {trends.by} has enough documents for a rate of {_name(names, theme)}."
    median = float(rows["rate"].median())
    top = rows.sort_values(["rate", "period"], ascending=[False, True]).iloc[0]
    low = rows.sort_values(["rate", "period"]).iloc[0]
    text = (
        f"{_name(names, theme)} ran at a median of {number(median, 2)} mentions per 1,000 "
        f"tokens per {trends.by} over {plural(len(rows), trends.by)} with enough documents, "
        f"from {number(low.rate, 2)} ({when(low.period, trends.by)}) to "
        f"{number(top.rate, 2)} ({when(top.period, trends.by)}, 95% interval "
        f"{number(top.low, 2)}–{number(top.high, 2)})"
    )
    ratio = top.rate / median if median > 0 else float("nan")
    flagged = peaks[peaks["theme"] == theme] if len(peaks) else peaks
    if len(flagged):
        first = flagged.iloc[0]
        text += (
            f". It peaked {when(first.period, trends.by)} at {number(first.ratio, 1)}× its "
            f"median rate (robust z {number(first.z, 1)})"
        )
        if len(flagged) > 1:
            text += f", one of {plural(len(flagged), 'peak')}"
        return text + "."
    if len(rows) < MIN_PEAK_PERIODS:
        return text + f"; too few {trends.by}s to look for peaks."
    return (
        text + f"; its highest {trends.by} is {number(ratio, 1)}× the median, not a peak by "
        f"the rule (robust z below {number(PEAK_Z, 1)} or interval reaching the median)."
    )


def highlights(trends: Trends, peaks: pd.DataFrame, theme: str, limit: int = 3) -> pd.DataFrame:
    """The periods whose documents to show: the theme's peaks, else its highest period."""
    flagged = peaks[peaks["theme"] == theme].head(limit) if len(peaks) else peaks
    if len(flagged):
        return flagged.assign(flagged=True)
    rows = trends.table[(trends.table["theme"] == theme) & trends.table["enough"]]
    if rows.empty:
        return pd.DataFrame(columns=[*peaks.columns, "flagged"])
    top = rows.sort_values(["rate", "period"], ascending=[False, True]).head(1)
    median = float(rows["rate"].median())
    return top.assign(median=median, ratio=top["rate"] / median if median else 0.0, flagged=False)


def describe_peak_documents(
    highlight: Any, top: pd.DataFrame, theme: str, names: Mapping[str, str], by: str
) -> str:
    """The documents behind a peak (or the highest period) and their share of its mentions."""
    what = "peak" if highlight.flagged else f"highest {by}"
    head = (
        f"Behind the {what} of {_name(names, theme)} {when(highlight.period, by)} "
        f"({number(highlight.rate, 2)} per 1,000 tokens, {number(highlight.ratio, 1)}× its "
        "median)"
    )
    if top.empty:
        return head + " no single document stands out."
    listed = enumeration(
        f"“{bdi(shorten(row.title if isinstance(row.title, str) else row.doc_id, 70))}” "
        f"({_outlet(row.source) if isinstance(row.source, str) else 'no outlet'}, "
        f"{plural(int(row.hits), 'mention')})"
        for row in top.itertuples(index=False)
    )
    return (
        f"{head}: the {plural(len(top), 'document')} with the most mentions are {listed}, "
        f"together {percent(float(top['share'].sum()))} of the theme's mentions that {by}."
    )


def outlet_caption(comparison: OutletComparison) -> str:
    """How outlets were compared, grouped and corrected, in two or three sentences."""
    text = (
        f"Mentions per 1,000 tokens per outlet with 95% intervals from "
        f"{number(comparison.n_boot)} bootstrap resamples of each outlet's documents. Each "
        "outlet is tested against the rest of the named outlets with log-likelihood G² on its "
        f"hit and token counts, with Holm's correction over all {number(comparison.n_tests)} "
        f"outlet × theme tests (adjusted p < {number(comparison.alpha, 2)}); a filled point "
        "also has a bootstrap interval of the difference that excludes zero, a hollow one "
        "passes only one of the two, a grey one neither. The dashed line is the rate over "
        "all named outlets."
    )
    if comparison.pooled:
        text += (
            f" {plural(len(comparison.pooled), 'outlet')} with fewer than "
            f"{number(comparison.min_documents)} documents or {number(comparison.min_tokens)} "
            "tokens are pooled as “other”."
        )
    if comparison.unsourced:
        verb = "is" if comparison.unsourced == 1 else "are"
        text += f" {plural(comparison.unsourced, 'document')} naming no outlet {verb} left out."
    return text


def describe_outlets(comparison: OutletComparison, theme: str, names: Mapping[str, str]) -> str:
    """Which outlets give the theme most and least weight, and what the tests support."""
    rows = comparison.table[comparison.table["theme"] == theme]
    if rows.empty:
        return f"No outlet comparison for {_name(names, theme)}."
    first, last = rows.iloc[0], rows.iloc[-1]
    both = rows[rows["significant"] & rows["supported"]]
    g2_only = rows[rows["significant"] & ~rows["supported"] & (rows["hits"] > 0)]
    silent = rows[rows["significant"] & (rows["hits"] == 0)]
    differ = (
        "No outlet differs"
        if both.empty
        else ("1 outlet differs" if len(both) == 1 else f"{number(len(both))} outlets differ")
    )
    text = (
        f"Across {plural(len(rows), 'outlet')}, {_name(names, theme)} weighs most in "
        f"{_outlet(first.outlet)} ({number(first.rate, 2)} per 1,000 tokens, 95% interval "
        f"{number(first.low, 2)}–{number(first.high, 2)}, {number(first.ratio, 1)}× the rest) "
        f"and least in {_outlet(last.outlet)} ({number(last.rate, 2)}, "
        f"{number(last.low, 2)}–{number(last.high, 2)}). "
        f"{differ} from the rest both by G² after Holm's correction and by a bootstrap "
        "interval of the difference that excludes zero"
    )
    if len(both):
        text += f" ({enumeration(_outlet(o) for o in both['outlet'])})"
    if len(g2_only):
        text += (
            f"; for {enumeration(_outlet(o) for o in g2_only['outlet'])} G² finds a "
            "difference the document-level intervals do not support (G² counts tokens as "
            "independent, so it overstates certainty when mentions cluster in documents)"
        )
    if len(silent):
        text += (
            f"; {enumeration(_outlet(o) for o in silent['outlet'])} "
            f"{'never mentions' if len(silent) == 1 else 'never mention'} it, which "
            "G² finds significant but a bootstrap of zero counts cannot bound"
        )
    return text + "."


def peak_document_table(top: pd.DataFrame) -> pd.DataFrame:
    """The documents behind a peak as the page shows them (titles shortened)."""
    return pd.DataFrame(
        {
            "document": [
                shorten(t if isinstance(t, str) else d, 90)
                for t, d in zip(top["title"], top["doc_id"], strict=True)
            ],
            "outlet": top["source"],
            "date": pd.to_datetime(top["date"], errors="coerce").dt.strftime("%Y-%m-%d"),
            "mentions": top["hits"],
            "tokens": top["n_tokens"],
            "share of the period's mentions": top["share"],
        }
    )


def peak_concordance(
    analysis: Any, documents: pd.DataFrame, theme: str, top: pd.DataFrame, per_document: int = 2
) -> pd.DataFrame:
    """The first concordance lines of ``theme`` in each document behind a peak."""
    lines = peak_kwic(analysis, documents, theme, list(top["doc_id"]), per_document=per_document)
    titles = top.set_index("doc_id")["title"]
    return pd.DataFrame(
        {
            "before": lines["left"].to_numpy(),
            "match": lines["match"].to_numpy(),
            "after": lines["right"].to_numpy(),
            "entry": lines["entry"].to_numpy(),
            "document": [
                shorten(t if isinstance(t := titles.get(d), str) else d, 60)
                for d in lines["doc_id"]
            ],
        }
    )


def _interval_text(low: Any, high: Any, digits: int = 2) -> str:
    """'1.20–3.40', or '−2.10 to −0.30' when a bound is negative (a dash would read as minus)."""
    if pd.isna(low):
        return ""
    if min(low, high) < 0:
        return f"{low:.{digits}f} to {high:.{digits}f}".replace("-", "\u2212")
    return f"{low:.{digits}f}–{high:.{digits}f}"


def rate_table(trends: Trends) -> pd.DataFrame:
    """The rates per period as the page shows them (rounded, interval in one column)."""
    table = trends.table
    return pd.DataFrame(
        {
            trends.by: table["period"].dt.strftime("%Y-%m-%d"),
            "theme": table["theme"],
            "documents": table["documents"],
            "tokens": table["tokens"],
            "mentions": table["hits"],
            "per 1,000 tokens": table["rate"].round(3),
            "95% interval": [
                _interval_text(lo, hi, 3)
                for lo, hi in zip(table["low"], table["high"], strict=True)
            ],
        }
    )


def outlet_table(comparison: OutletComparison) -> pd.DataFrame:
    """The outlet comparison as the page shows it: rates, intervals, G², Holm's p, verdict."""
    table = comparison.table
    verdict = [
        "both tests" if sig and sup else ("one test" if sig or sup else "neither")
        for sig, sup in zip(table["significant"], table["supported"], strict=True)
    ]
    return pd.DataFrame(
        {
            "outlet": table["outlet"],
            "theme": table["theme"],
            "documents": table["documents"],
            "mentions": table["hits"],
            "per 1,000 tokens": table["rate"].round(2),
            "95% interval": [
                _interval_text(lo, hi) for lo, hi in zip(table["low"], table["high"], strict=True)
            ],
            "rest": table["rest_rate"].round(2),
            "difference, 95% interval": [
                _interval_text(lo, hi)
                for lo, hi in zip(table["diff_low"], table["diff_high"], strict=True)
            ],
            "G²": table["g2"].round(1),
            "p (Holm)": [f"{p:.2g}" for p in table["p_holm"]],
            "differs by": verdict,
        }
    )

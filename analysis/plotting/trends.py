"""Charts of `analysis.trends`: rates over time with intervals and peaks, outlets compared.

As in `charts`, every text goes through `arabic_label`, themes keep their one colour, and
the single-panel functions take ``ax=None`` and return their Axes; the small multiples
(`trends_chart`, `outlet_comparison_chart`) compose them and return their Figure. Periods
without enough documents are shaded and get no point: no line is drawn through them.
"""

from __future__ import annotations

from typing import Any

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from analysis.plotting.charts import _darker, _fix_tick_fonts, _new_axes, _title
from analysis.plotting.colours import ordered_themes, theme_colours, theme_label, theme_names
from analysis.plotting.labels import arabic_label, bilingual, font_families, project_style
from analysis.trends import OTHER, OutletComparison, Trends

SHADE = "#e9e9e9"
_PERIOD_DAYS = {"day": 1.0, "week": 7.0, "month": 30.0}
_PERIOD_NAMES = {"day": ("يوم", "day"), "week": ("أسبوع", "week"), "month": ("شهر", "month")}


def _require_rates(trends: Trends) -> None:
    if not trends.table["enough"].any():
        raise ValueError(
            "no period has enough documents for a rate: nothing to chart "
            "(see notebook.trends.trend_absence for the sentence to show instead)"
        )


def _dates_axis(ax: Axes) -> None:
    locator = mdates.AutoDateLocator(minticks=4, maxticks=10)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def _shade_thin_periods(ax: Axes, table: pd.DataFrame, by: str) -> None:
    """Grey bands over the periods with too few documents (no rate is drawn there)."""
    half = pd.Timedelta(days=_PERIOD_DAYS[by] / 2)
    for period in table.loc[~table["enough"], "period"].unique():
        centre = pd.Timestamp(period) + half
        ax.axvspan(centre - half, centre + half, color=SHADE, lw=0, zorder=0)


def theme_trend_chart(
    trends: Trends,
    theme: str,
    *,
    peaks: pd.DataFrame | None = None,
    themes: Any | None = None,
    ax: Axes | None = None,
) -> Axes:
    """One theme's rate per 1,000 tokens per period: line, 95% band, median, peaks ringed."""
    _require_rates(trends)
    with project_style():
        table = trends.table[trends.table["theme"] == theme].sort_values("period")
        colour = theme_colours(themes if themes is not None else [theme]).get(theme, "#0072B2")
        names = theme_names(themes if themes is not None else [theme])
        ax = _new_axes(ax, (9, 3.2))
        centre = table["period"] + pd.Timedelta(days=_PERIOD_DAYS[trends.by] / 2)
        _shade_thin_periods(ax, table, trends.by)
        ax.fill_between(centre, table["low"], table["high"], color=colour, alpha=0.22, lw=0)
        ax.plot(centre, table["rate"], color=colour, marker="o", ms=3.5, lw=1.6)
        known = table.loc[table["enough"], "rate"]
        if len(known):
            median = float(np.median(known))
            ax.axhline(median, color="#777777", lw=0.8, ls="--", zorder=1)
            ax.annotate(
                f"median {median:.2f}",
                (1.0, median),
                xycoords=("axes fraction", "data"),
                xytext=(-2, 3),
                textcoords="offset points",
                ha="right",
                va="bottom",
                fontsize=7.5,
                color="#555555",
            )
        if peaks is not None and len(peaks):
            for row in peaks[peaks["theme"] == theme].itertuples(index=False):
                x = pd.Timestamp(row.period) + pd.Timedelta(days=_PERIOD_DAYS[trends.by] / 2)
                ax.plot([x], [row.rate], marker="o", ms=11, mfc="none", mec="black", mew=1.2)
                ax.annotate(
                    arabic_label(f"×{row.ratio:.1f}"),
                    (x, row.rate),
                    xytext=(8, 4),
                    textcoords="offset points",
                    fontsize=8,
                )
        ax.set_ylim(bottom=0)
        ax.set_ylabel(bilingual("لكل 1000 كلمة", "per 1,000 tokens"), fontsize=8)
        ax.set_title(theme_label(theme, names), color=_darker(colour), fontsize=10, loc="left")
        ax.yaxis.grid(True)
        _dates_axis(ax)
        _fix_tick_fonts(ax)
        return ax


def documents_per_period_chart(trends: Trends, *, ax: Axes | None = None) -> Axes:
    """Documents per period as bars; bars under the minimum for a rate are grey, hatched."""
    with project_style():
        table = trends.table.drop_duplicates("period").sort_values("period")
        ax = _new_axes(ax, (9, 1.8))
        width = pd.Timedelta(days=0.8 * _PERIOD_DAYS[trends.by])
        centre = table["period"] + pd.Timedelta(days=_PERIOD_DAYS[trends.by] / 2)
        enough = table["enough"].to_numpy()
        ax.bar(
            centre,
            table["documents"],
            width=width,
            color=np.where(enough, "#888888", "#d0d0d0"),
            hatch=None,
        )
        for x, n, ok in zip(centre, table["documents"], enough, strict=True):
            if not ok:
                ax.annotate(
                    arabic_label("—" if n == 0 else f"{n}"),
                    (x, n),
                    xytext=(0, 2),
                    textcoords="offset points",
                    ha="center",
                    fontsize=7,
                    color="#666666",
                )
        ax.axhline(trends.min_documents, color="#b22222", lw=0.8, ls=":")
        ax.set_ylabel(bilingual("المقالات", "documents"), fontsize=8)
        ax.yaxis.grid(True)
        _dates_axis(ax)
        _fix_tick_fonts(ax)
        return ax


def trends_chart(
    trends: Trends, peaks: pd.DataFrame | None = None, *, themes: Any | None = None
) -> Figure:
    """Small multiples: one panel per theme (own scale), the documents per period beneath."""
    _require_rates(trends)
    with project_style():
        order = ordered_themes(trends.table["theme"].unique(), themes)
        fig = Figure(figsize=(9, 1.4 + 2.1 * len(order) + 1.5), layout="constrained")
        FigureCanvasAgg(fig)
        axes = fig.subplots(
            len(order) + 1, 1, sharex=True, height_ratios=[1.0] * len(order) + [0.65]
        )
        for ax, theme in zip(axes, order, strict=False):
            theme_trend_chart(trends, theme, peaks=peaks, themes=themes, ax=ax)
        documents_per_period_chart(trends, ax=axes[-1])
        ar, en = _PERIOD_NAMES[trends.by]
        handles = [
            Line2D([], [], color="#444444", marker="o", ms=3.5, label=bilingual("المعدل", "rate")),
            Patch(color="#444444", alpha=0.22, label=bilingual("مجال 95٪", "95% interval")),
            Line2D(
                [],
                [],
                marker="o",
                ms=9,
                mfc="none",
                mec="black",
                ls="",
                label=bilingual("ذروة", "peak"),
            ),
            Patch(
                color=SHADE,
                label=bilingual(
                    f"أقل من {trends.min_documents} مقالات",
                    f"under {trends.min_documents} documents",
                ),
            ),
        ]
        legend = fig.legend(handles=handles, loc="outside lower center", ncols=4, fontsize=8)
        for text in legend.get_texts():
            text.set_fontfamily(font_families())
        _title(fig, f"المحاور عبر الزمن (لكل {ar})", f"Theme rates per {en}, 95% intervals")
        return fig


def outlet_chart(
    comparison: OutletComparison,
    theme: str,
    *,
    themes: Any | None = None,
    ax: Axes | None = None,
) -> Axes:
    """One theme's rate per outlet with 95% intervals, highest on top, the corpus rate dashed.

    Filled: differs from the rest by both G² (corrected) and the bootstrap interval of the
    difference; hollow: by one of the two; grey: by neither.
    """
    table = comparison.table[comparison.table["theme"] == theme]
    if table.empty:
        raise ValueError("no outlets to compare (see notebook.trends.outlet_absence)")
    with project_style():
        colour = theme_colours(themes if themes is not None else [theme]).get(theme, "#0072B2")
        names = theme_names(themes if themes is not None else [theme])
        ax = _new_axes(ax, (6, 1.2 + 0.32 * len(table)))
        positions = np.arange(len(table))
        rates = table["rate"].to_numpy(dtype=float)
        errors = np.vstack([rates - table["low"], table["high"] - rates]).clip(min=0)
        ax.errorbar(rates, positions, xerr=errors, fmt="none", ecolor="#555555", lw=1, capsize=2)
        both = (table["significant"] & table["supported"]).to_numpy()
        g2_only = (table["significant"] ^ table["supported"]).to_numpy()
        neither = ~(both | g2_only)
        ax.plot(rates[both], positions[both], "o", color=colour, mec="black", mew=0.6, ms=6)
        ax.plot(rates[g2_only], positions[g2_only], "o", mfc="white", mec=colour, mew=1.4, ms=6)
        ax.plot(rates[neither], positions[neither], "o", color="#bbbbbb", ms=5)
        total = table["hits"].sum() * 1000.0 / table["tokens"].sum()
        ax.axvline(total, color="#777777", lw=0.8, ls="--")
        labels = [
            arabic_label(f"{'أخرى / other' if o == OTHER else o}  (n = {n:,})")
            for o, n in zip(table["outlet"], table["documents"], strict=True)
        ]
        ax.set_yticks(positions, labels=labels, fontsize=8)
        ax.invert_yaxis()
        ax.set_xlim(left=0)
        ax.xaxis.grid(True)
        ax.tick_params(axis="y", length=0)
        ax.set_xlabel(bilingual("لكل 1000 كلمة", "per 1,000 tokens"), fontsize=8)
        ax.set_title(theme_label(theme, names), color=_darker(colour), fontsize=10)
        _fix_tick_fonts(ax)
        return ax


def _legend_labels() -> tuple[str, str, str, str]:
    return (
        bilingual("يختلف في الاختبارين", "differs: G² and interval"),
        bilingual("في اختبار واحد", "one test only"),
        bilingual("لا فرق", "neither"),
        bilingual("معدل كل المنابر", "all outlets"),
    )


def outlet_comparison_chart(
    comparison: OutletComparison, *, themes: Any | None = None, ncols: int = 2
) -> Figure:
    """Small multiples of `outlet_chart`, one panel per theme, with one legend."""
    order = ordered_themes(comparison.table["theme"].unique(), themes)
    if not order:
        raise ValueError("no outlets to compare (see notebook.trends.outlet_absence)")
    with project_style():
        ncols = max(1, min(ncols, len(order)))
        nrows = -(-len(order) // ncols)
        n_outlets = len(comparison.outlets)
        fig = Figure(
            figsize=(6.2 * ncols, 1.6 + nrows * (1.8 + 0.3 * n_outlets)), layout="constrained"
        )
        FigureCanvasAgg(fig)
        axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
        for ax, theme in zip(axes, order, strict=False):
            outlet_chart(comparison, theme, themes=themes, ax=ax)
        for ax in axes[len(order) :]:
            ax.set_visible(False)
        both, one, neither_label, everyone = _legend_labels()
        handles = [
            Line2D([], [], ls="", marker="o", color="#444444", mec="black", label=both),
            Line2D([], [], ls="", marker="o", mfc="white", mec="#444444", label=one),
            Line2D([], [], ls="", marker="o", color="#bbbbbb", label=neither_label),
            Line2D([], [], color="#777777", ls="--", label=everyone),
        ]
        legend = fig.legend(handles=handles, loc="outside lower center", ncols=4, fontsize=8)
        for text in legend.get_texts():
            text.set_fontfamily(font_families())
        _title(fig, "المحاور حسب المنبر", "Theme rates by outlet, 95% intervals")
        return fig

"""The report's charts, and saving them.

Every chart function draws inside `project_style()`, passes every text through
`arabic_label`, colours themes with the one mapping of `theme_colours`, and returns its Axes
(`ax=None` draws a new Figure of the chart's own size), as seaborn's functions do, so that
charts can be combined on one figure; `top_terms_chart` draws one panel per theme and so
returns its Figure.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from analysis import config
from analysis.files import atomic_writer
from analysis.plotting.colours import (
    SEQUENTIAL_CMAP,
    ordered_themes,
    theme_colours,
    theme_label,
    theme_names,
)
from analysis.plotting.labels import (
    arabic_label,
    bilingual,
    entry_label,
    font_families,
    literal_text,
    project_style,
    shorten,
)

# --- shared drawing helpers -----------------------------------------------------------------


def _new_axes(ax: Axes | None, figsize: tuple[float, float]) -> Axes:
    """``ax`` itself, or the Axes of a new Figure of ``figsize`` inches (constrained layout)."""
    if ax is not None:
        return ax
    fig = Figure(figsize=figsize, layout="constrained")
    FigureCanvasAgg(fig)
    return fig.add_subplot()


def _title(fig_or_ax: Figure | Axes, arabic: str, english: str) -> None:
    label = bilingual(arabic, english)
    if isinstance(fig_or_ax, Figure):
        fig_or_ax.suptitle(label, fontsize=13)
    else:
        fig_or_ax.set_title(label)


def _fix_tick_fonts(ax: Axes) -> None:
    """Pin the project font on tick labels, which matplotlib may create after the style ends."""
    ax.tick_params(labelfontfamily=font_families())


def _contrasting_text(rgba: Sequence[float]) -> str:
    r, g, b = rgba[:3]
    return "white" if 0.299 * r + 0.587 * g + 0.114 * b < 0.55 else "black"


def annotated_heatmap(
    ax: Axes,
    values: pd.DataFrame,
    *,
    row_labels: Sequence[str],
    col_labels: Sequence[str],
    fmt: str = "{:.1f}",
    cmap: str = SEQUENTIAL_CMAP,
    mask: np.ndarray | None = None,
    colorbar_label: str | None = None,
) -> Axes:
    """A heatmap of ``values`` with each value written in its cell; masked cells are grey."""
    data = values.to_numpy(dtype=float)
    shown = np.ma.masked_array(data, mask=mask if mask is not None else np.zeros_like(data))
    colormap = mpl.colormaps[cmap].with_extremes(bad="#eeeeee")
    vmax = float(shown.max()) if shown.count() and shown.max() > 0 else 1.0
    image = ax.imshow(shown, cmap=colormap, vmin=0, vmax=vmax, aspect="auto")
    for (i, j), value in np.ndenumerate(data):
        masked = mask is not None and mask[i, j]
        colour = "#444444" if masked else _contrasting_text(colormap(image.norm(value)))
        ax.text(j, i, arabic_label(fmt.format(value)), ha="center", va="center", color=colour)
    ax.set_xticks(range(data.shape[1]), labels=[arabic_label(c) for c in col_labels])
    ax.set_yticks(range(data.shape[0]), labels=[arabic_label(r) for r in row_labels])
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    if colorbar_label is not None:
        bar = ax.figure.colorbar(image, ax=ax, shrink=0.8, pad=0.02)
        bar.set_label(arabic_label(colorbar_label))
        bar.outline.set_visible(False)
        bar.ax.tick_params(labelfontfamily=font_families())
    _fix_tick_fonts(ax)
    return ax


def _label_bars(
    ax: Axes,
    positions: Sequence[float],
    values: Sequence[float],
    labels: Sequence[str],
    *,
    gap: float,
    fontsize: float,
) -> None:
    """Write each label just past the end of its horizontal bar (``gap`` points)."""
    for y, value, label in zip(positions, values, labels, strict=True):
        ax.annotate(
            arabic_label(label),
            (value, y),
            xytext=(gap, 0),
            textcoords="offset points",
            va="center",
            fontsize=fontsize,
        )


# --- charts ---------------------------------------------------------------------------------


def theme_frequency_chart(
    summary: pd.DataFrame, *, themes: Any | None = None, ax: Axes | None = None
) -> Axes:
    """Corpus-level frequency: rate per 1,000 tokens per theme, raw hit counts annotated.

    ``summary`` is ``themes.theme_summary`` (``theme``, ``name_ar``, ``name_en``, ``hits``,
    ``rate_per_1000``, ...); ``themes`` (a Lexicon or ids) fixes order and colours.
    """
    with project_style():
        order = ordered_themes(summary["theme"], themes)
        rows = summary.set_index("theme").loc[order]
        colours = theme_colours(themes if themes is not None else order)
        names = theme_names(themes if themes is not None else summary)
        ax = _new_axes(ax, (8, 1.0 + 0.75 * len(order)))
        positions = np.arange(len(order))
        rates = rows["rate_per_1000"].to_numpy(dtype=float)
        ax.barh(positions, rates, color=[colours[t] for t in order], height=0.65)
        counts = rows["hits"]
        labels = [f"{r:.2f}  (n = {int(n):,})" for r, n in zip(rates, counts, strict=True)]
        _label_bars(ax, positions, rates, labels, gap=4, fontsize=9)
        ax.set_yticks(positions, labels=[theme_label(t, names) for t in order])
        ax.invert_yaxis()  # first theme on top
        ax.set_xlim(0, (rates.max() if len(rates) and rates.max() > 0 else 1) * 1.25)
        ax.set_xlabel(bilingual("الإشارات لكل 1000 كلمة", "mentions per 1,000 tokens"))
        ax.xaxis.grid(True)
        _fix_tick_fonts(ax)
        _title(ax, "تواتر المحاور في المدونة", "Theme frequency in the corpus")
        return ax


def document_profile_chart(
    rates: pd.DataFrame,
    documents: pd.DataFrame | None = None,
    *,
    themes: Any | None = None,
    max_documents: int = 40,
    title_chars: int = 45,
    rank_by: pd.Series | None = None,
    rank_label: str = "mentions",
    ax: Axes | None = None,
) -> Axes:
    """Per-document theme profile: heatmap of rates per 1,000 tokens, values in the cells.

    ``rates`` is ``themes.rates_by_document`` (doc_id x theme); rows are labelled with the
    document titles from ``documents`` (``doc_id``, ``title``), shortened. Only the
    ``max_documents`` documents ranked highest by ``rank_by`` (doc_id -> value, e.g. total
    mentions; default the total rate) are drawn, and the title says so. Ranking a large
    corpus by rate alone would show two-word briefs with one match at 500 per 1,000.
    """
    with project_style():
        order = ordered_themes(rates.columns, themes)
        table = rates.loc[:, order].fillna(0.0)
        total = len(table)
        if rank_by is None:
            rank_by, rank_label = table.sum(axis=1), "total rate"
        if total > max_documents:
            ranked = (
                rank_by.reindex(table.index).fillna(0).sort_values(ascending=False, kind="stable")
            )
            table = table.loc[ranked.index[:max_documents]]
        titles = _document_titles(table.index, documents, title_chars)
        names = theme_names(themes if themes is not None else order)
        figsize = (2.0 + 1.3 * len(order) + 0.06 * title_chars, 1.8 + 0.38 * len(table))
        ax = _new_axes(ax, figsize)
        annotated_heatmap(
            ax,
            table,
            row_labels=titles,
            col_labels=[_joined(names.get(t, (t, ""))) for t in order],
            colorbar_label="لكل 1000 كلمة\nper 1,000 tokens",
        )
        ax.xaxis.tick_top()
        subtitle = "Theme profile per document"
        if total > len(table):
            subtitle += f" (top {len(table)} of {total} by {rank_label})"
        _title(ax, "ملامح المحاور حسب المقال", subtitle)
        return ax


def _joined(name: tuple[str, str], width: int = 16) -> str:
    """Arabic name above the English one, wrapped to fit a heatmap column."""
    ar, en = name
    return "\n".join([textwrap.fill(ar, width), textwrap.fill(en, width)] if en else [ar])


def _document_titles(
    doc_ids: Iterable[str], documents: pd.DataFrame | None, limit: int
) -> list[str]:
    """A short, unique row label per document: its title when known, else its id."""
    titles = {}
    if documents is not None and "title" in documents:
        titles = documents.dropna(subset=["title"]).set_index("doc_id")["title"].to_dict()
    labels, seen = [], set()
    for doc_id in doc_ids:
        label = shorten(titles.get(doc_id) or doc_id, limit)
        if label in seen:  # two documents with one title: keep both rows distinguishable
            label = shorten(f"{label} [{doc_id}]", limit + len(str(doc_id)) + 3)
        seen.add(label)
        labels.append(label)
    return labels


def top_terms_chart(
    top_terms: pd.DataFrame, *, themes: Any | None = None, n: int = 10, ncols: int = 3
) -> Figure:
    """Small multiples: the ``n`` most frequent lexicon entries of each theme.

    ``top_terms`` is ``themes.top_terms`` (``theme``, ``entry``, ``hits``, ``rank``).
    """
    with project_style():
        order = ordered_themes(top_terms["theme"].unique(), themes)
        colours = theme_colours(themes if themes is not None else order)
        names = theme_names(themes if themes is not None else order)
        ncols = max(1, min(ncols, len(order)))
        nrows = -(-len(order) // ncols)
        slots = int(min(n, top_terms.groupby("theme").size().max()))
        height = 0.9 + nrows * (0.9 + 0.28 * slots)
        fig = Figure(figsize=(4.2 * ncols, height), layout="constrained")
        FigureCanvasAgg(fig)
        axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
        for ax, theme in zip(axes, order, strict=False):
            rows = top_terms[top_terms["theme"] == theme].sort_values("rank").head(n)
            _term_bars(ax, rows, colours[theme], slots=slots)
            ax.set_title(theme_label(theme, names), color=_darker(colours[theme]), fontsize=11)
        for ax in axes[len(order) :]:
            ax.set_visible(False)
        _title(fig, "أكثر المصطلحات تواترًا في كل محور", "Most frequent terms per theme")
        if top_terms["entry"].astype(str).str.endswith("*").any():
            fig.text(
                0.99,
                0.0,
                arabic_label(
                    "… = عائلة كلمات: إرهاب… تشمل الإرهاب والإرهابي والإرهابيين\n"
                    "… marks a word family: إرهاب… counts every word that starts so"
                ),
                ha="right",
                va="bottom",
                fontsize=8,
                color="#555555",
            )
        return fig


def _term_bars(ax: Axes, rows: pd.DataFrame, colour: str, *, slots: int) -> Axes:
    """Horizontal bars of term hits, most frequent on top, counts at the bar ends.

    The axis always has room for ``slots`` bars, so bars are equally thick in every panel.
    """
    positions = np.arange(len(rows))
    hits = rows["hits"].to_numpy(dtype=float)
    ax.barh(positions, hits, color=colour, height=0.7)
    ax.set_yticks(positions, labels=[arabic_label(entry_label(e)) for e in rows["entry"]])
    ax.set_ylim(max(slots, len(rows)) - 0.5, -0.5)  # top to bottom, most frequent first
    _label_bars(ax, positions, hits, [f"{int(value):,}" for value in hits], gap=3, fontsize=8)
    ax.set_xlim(0, (hits.max() if len(hits) and hits.max() > 0 else 1) * 1.2)
    ax.set_xticks([])
    ax.spines["bottom"].set_visible(False)
    ax.tick_params(axis="y", length=0)
    _fix_tick_fonts(ax)
    return ax


def _darker(colour: str, factor: float = 0.75) -> tuple[float, float, float]:
    """The colour darkened, so light palette entries (yellow) stay legible as text."""
    r, g, b = mpl.colors.to_rgb(colour)
    return (r * factor, g * factor, b * factor)


def cooccurrence_chart(
    cooccurrence: pd.DataFrame, *, themes: Any | None = None, ax: Axes | None = None
) -> Axes:
    """Theme co-occurrence: sentences mentioning both themes, written in the cells.

    ``cooccurrence`` is ``themes.cooccurrence`` (theme x theme). The diagonal (sentences
    mentioning the theme at all) is written but greyed out, so it does not swamp the scale.
    """
    with project_style():
        order = ordered_themes(cooccurrence.columns, themes)
        matrix = cooccurrence.loc[order, order].fillna(0)
        names = theme_names(themes if themes is not None else order)
        labels = [_joined(names.get(t, (t, ""))) for t in order]
        side = 2.5 + 1.25 * len(order)
        ax = _new_axes(ax, (side + 1.2, side))
        annotated_heatmap(
            ax,
            matrix,
            row_labels=labels,
            col_labels=labels,
            fmt="{:,.0f}",
            mask=np.eye(len(order), dtype=bool),
            colorbar_label="جمل تذكر المحورين\nsentences with both themes",
        )
        _title(ax, "تزامن المحاور في الجمل", "Theme co-occurrence in sentences")
        return ax


def share_fields(documents: pd.DataFrame) -> list[str]:
    """The metadata fields a theme-share chart can be drawn over for this corpus."""
    fields = []
    if "source" in documents and documents["source"].dropna().nunique() >= 2:
        fields.append("source")
    if "date" in documents:
        dates = pd.to_datetime(documents["date"], errors="coerce").dropna()
        if dates.dt.to_period("M").nunique() >= 2:
            fields.append("date")
    return fields


def theme_share_chart(
    counts: pd.DataFrame,
    documents: pd.DataFrame,
    field: str = "source",
    *,
    themes: Any | None = None,
    max_groups: int = 12,
    ax: Axes | None = None,
) -> Axes:
    """Each theme's share of theme mentions within each source (or month / year).

    ``counts`` is ``themes.counts_by_document`` (doc_id x theme); ``documents`` carries
    ``doc_id`` and ``field``. Sources beyond the ``max_groups`` largest are pooled as
    "other"; dates are grouped by month, or by year over long spans. Raises ValueError when
    the corpus has no usable ``field`` (see `share_fields`).
    """
    if field not in share_fields(documents):
        raise ValueError(
            f"cannot chart theme share over {field!r}: the corpus needs a {field!r} column "
            "with at least two distinct values (see plotting.share_fields)"
        )
    with project_style():
        order = ordered_themes(counts.columns, themes)
        groups = _group_labels(documents.set_index("doc_id")[field], field, max_groups)
        table = counts.loc[:, order].join(groups.rename("_group"), how="inner")
        totals = table.groupby("_group", sort=False)[order].sum()
        totals = totals.loc[[g for g in _group_order(groups, field) if g in totals.index]]
        n_docs = table.groupby("_group").size()
        shares = totals.div(totals.sum(axis=1).replace(0, np.nan), axis=0).fillna(0.0)
        colours = theme_colours(themes if themes is not None else order)
        names = theme_names(themes if themes is not None else order)
        own_figure = ax is None
        ax = _new_axes(ax, (9, 3.2 + 0.45 * len(shares)))
        _stacked_share_bars(ax, shares, colours, names)
        columns = min(len(order), 5)
        if own_figure:  # below the plot, outside it: the figure is laid out for it
            legend = ax.figure.legend(loc="outside lower center", ncols=columns, fontsize=8)
        else:  # someone else's figure: keep the legend inside this Axes's own area
            legend = ax.legend(loc="lower right", ncols=columns, fontsize=8)
        for text in legend.get_texts():
            text.set_fontfamily(font_families())
        ax.set_yticks(
            range(len(shares)),
            labels=[arabic_label(f"{g}  (n = {n_docs[g]})") for g in shares.index],
        )
        _fix_tick_fonts(ax)
        arabic, english = {
            "source": ("حصة المحاور حسب المصدر", "Theme share by source"),
            "date": ("حصة المحاور عبر الزمن", "Theme share over time"),
        }.get(field, ("حصة المحاور", f"Theme share by {field}"))
        _title(ax, arabic, english)
        return ax


def _stacked_share_bars(
    ax: Axes,
    shares: pd.DataFrame,
    colours: Mapping[str, str],
    names: Mapping[str, tuple[str, str]],
) -> Axes:
    """100% stacked horizontal bars, one per group, segments labelled for a legend."""
    left = np.zeros(len(shares))
    positions = np.arange(len(shares))
    for theme in shares.columns:
        width = shares[theme].to_numpy()
        ax.barh(
            positions,
            width,
            left=left,
            color=colours[theme],
            height=0.7,
            label=theme_label(theme, names),
            edgecolor="white",
            linewidth=0.5,
        )
        left += width
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(mpl.ticker.PercentFormatter(1.0))
    ax.set_xlabel(bilingual("الحصة من إشارات المحاور", "share of theme mentions"))
    ax.tick_params(axis="y", length=0)
    return ax


def _group_labels(values: pd.Series, field: str, max_groups: int) -> pd.Series:
    """Document -> group label: the month or year of its date, or its (top) source."""
    if field == "date":
        dates = pd.to_datetime(values, errors="coerce").dropna()
        span_years = (dates.max() - dates.min()).days / 365.25
        return dates.dt.to_period("Y" if span_years > 3 else "M").astype(str)
    values = values.dropna().astype(str)
    # a 1 MB outlet field would be a 1 MB axis label
    values = values.map(lambda v: shorten(v, 60) if len(v) > 60 else v)
    top = values.value_counts().index[:max_groups]
    return values.where(values.isin(top), "أخرى / other")


def _group_order(groups: pd.Series, field: str) -> list[str]:
    """Chronological for dates, largest first for sources (with "other" last)."""
    if field == "date":
        return sorted(groups.unique())
    counts = groups.value_counts()
    return sorted(counts.index, key=lambda g: (g == "أخرى / other", -counts[g], g))


# --- saving ---------------------------------------------------------------------------------


def save_figure(fig: Figure | Axes, out_dir: Path | str, name: str) -> list[Path]:
    """Write ``fig`` (or the figure of an Axes) as PNG and SVG to
    ``<out_dir>/figures/<name>.{png,svg}``, atomically."""
    fig = literal_text(figure_of(fig))
    if not re.fullmatch(r"[\w.-]+", name) or name.startswith("."):
        raise ValueError(f"figure name must be a plain file stem, got {name!r}")
    folder = Path(out_dir) / config.FIGURES_DIRNAME
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    with project_style():
        for fmt in ("png", "svg"):
            target = folder / f"{name}.{fmt}"
            _write_atomically(fig, target, fmt)
            written.append(target)
    return written


def figure_of(fig_or_ax: Figure | Axes) -> Figure:
    """The Figure a chart function's result belongs to (charts return their Axes)."""
    return fig_or_ax.figure if isinstance(fig_or_ax, Axes) else fig_or_ax


def _write_atomically(fig: Figure, target: Path, fmt: str) -> None:
    """Render to a temporary file beside ``target``, then rename over it."""
    with atomic_writer(target, "wb") as stream:
        # No creation date in the metadata, so unchanged charts give unchanged files.
        metadata = {"Date": None} if fmt == "svg" else {"Software": None}
        fig.savefig(stream, format=fmt, metadata=metadata)

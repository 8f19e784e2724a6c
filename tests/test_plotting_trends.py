"""analysis.plotting.trends: contents, no drawing without data, Arabic checked by pixels.

Every text of every new figure is drawn by matplotlib as the chart drew it and compared with
the same label, in logical order, shaped by Pillow's raqm layout (`pixel_compare`): the
check of `test_plotting_env`, applied to each label the trend and outlet charts draw.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from matplotlib.text import Text
from pixel_compare import render_matplotlib, render_reference, similarity
from test_plotting_env import THRESHOLD
from test_trends import fixture

from analysis import plotting, trends
from analysis.plotting import ShapingSupport
from analysis.plotting import trends as charts
from analysis.themes import Theme

THEMES = [
    Theme("security", "المقاربة الأمنية", "Security approach", ""),
    Theme("sahel", "منطقة الساحل", "The Sahel", ""),
]
ARABIC = re.compile(r"[\u0600-\u06FF\uFB50-\uFDFF\uFE70-\uFEFF]")
LOGICAL_ARABIC_LETTER = re.compile(r"[\u0621-\u064A]")


def trend_data() -> tuple[trends.Trends, pd.DataFrame]:
    periods = pd.date_range("2015-07-27", periods=10, freq="D")
    rows = []
    for theme, base in (("security", 10.0), ("sahel", 1.0)):
        for i, period in enumerate(periods):
            rate = base * (3.0 if i == 6 else 1.0 + 0.05 * (i % 3))
            enough = i not in (2, 3)
            rows.append(
                (period, theme, 40 if enough else 2, 10_000, int(rate * 10))
                + ((rate, rate * 0.9, rate * 1.1) if enough else (np.nan,) * 3)
                + (enough,)
            )
    table = pd.DataFrame(rows, columns=trends.TREND_COLUMNS)
    result = trends.Trends(table, "day", 10, 100, 1, 400, 400)
    return result, trends.find_peaks(result)


def outlet_data() -> trends.OutletComparison:
    analysis, documents = fixture()
    documents = documents.assign(source=documents["source"].replace({"sabq": "سبق"}))
    analysis.themes = THEMES
    return trends.compare_outlets(analysis, documents, min_tokens=100, min_documents=3, n_boot=50)


def new_figures() -> dict[str, object]:
    result, peaks = trend_data()
    comparison = outlet_data()
    figures = {
        "trends": charts.trends_chart(result, peaks, themes=THEMES),
        "one_trend": charts.theme_trend_chart(result, "security", peaks=peaks, themes=THEMES),
        "documents": charts.documents_per_period_chart(result),
        "outlets": charts.outlet_comparison_chart(comparison, themes=THEMES),
        "one_outlet": charts.outlet_chart(comparison, "security", themes=THEMES),
    }
    return {name: plotting.figure_of(fig) for name, fig in figures.items()}


def drawn_lines(fig) -> list[str]:
    fig.canvas.draw()
    texts = [t.get_text() for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]
    return [line for text in texts for line in text.split("\n") if line.strip()]


def test_trend_panels_break_the_line_at_thin_periods_and_ring_the_peak():
    result, peaks = trend_data()
    assert len(peaks) == 2 and set(peaks["period"]) == {pd.Timestamp("2015-08-02")}
    ax = charts.theme_trend_chart(result, "security", peaks=peaks, themes=THEMES)
    line = ax.lines[0]
    y = np.asarray(line.get_ydata(), dtype=float)
    assert np.isnan(y[[2, 3]]).all() and not np.isnan(np.delete(y, [2, 3])).any()
    assert any(t.get_text() == "×2.9" for t in ax.texts)  # 30 against a median of 10.5
    grey_bands = [
        p for p in ax.patches if p.get_facecolor()[:3] == pytest.approx((0.914,) * 3, abs=0.01)
    ]
    assert len(grey_bands) == 2


def test_document_bars_mark_the_thin_periods():
    result, _ = trend_data()
    ax = charts.documents_per_period_chart(result)
    heights = [bar.get_height() for bar in ax.patches]
    assert heights == [40, 40, 2, 2, 40, 40, 40, 40, 40, 40]
    assert [t.get_text() for t in ax.texts] == ["2", "2"]


def test_outlet_panel_is_ordered_with_intervals_and_counts():
    comparison = outlet_data()
    ax = charts.outlet_chart(comparison, "security", themes=THEMES)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[0].startswith("okaz")  # 8 per 1,000 against 3.3
    assert "(n = 3)" in labels[0]


def test_no_chart_is_drawn_without_data():
    analysis, documents = fixture()
    undated = trends.theme_trends(analysis, documents.assign(date=pd.NaT))
    with pytest.raises(ValueError, match="nothing to chart"):
        charts.trends_chart(undated)
    unsourced = trends.compare_outlets(analysis, documents.assign(source=None))
    with pytest.raises(ValueError, match="no outlets"):
        charts.outlet_comparison_chart(unsourced)


def test_every_text_of_the_new_figures_goes_through_arabic_label(monkeypatch):
    monkeypatch.setattr(plotting.labels, "shaping_support", lambda: ShapingSupport(False, False))
    for name, fig in new_figures().items():
        leaked = [t for t in drawn_lines(fig) if LOGICAL_ARABIC_LETTER.search(t)]
        assert not leaked, f"{name}: {leaked}"


def test_every_arabic_label_of_the_new_figures_passes_the_pixel_check(monkeypatch):
    original = plotting.labels.arabic_label
    logical: dict[str, str] = {}

    def recording(text: object) -> str:
        shown = original(text)
        for before, after in zip(str(text).split("\n"), shown.split("\n"), strict=True):
            logical[after] = before
        return shown

    for module in (plotting.labels, plotting.charts, plotting.colours, charts):
        if hasattr(module, "arabic_label"):
            monkeypatch.setattr(module, "arabic_label", recording)
    families, path = plotting.font_families(), plotting.project_font().path
    native = plotting.shaping_support().native
    checked = 0
    for name, fig in new_figures().items():
        for line in sorted({line for line in drawn_lines(fig) if ARABIC.search(line)}):
            assert line in logical, f"{name}: {line!r} did not go through arabic_label"
            expected = logical[line]
            if not native:  # the reshaping branch drops harakat (see test_plotting_env)
                expected = "".join(ch for ch in expected if not "\u064b" <= ch <= "\u0652")
            score = similarity(render_matplotlib(line, families), render_reference(expected, path))
            assert score >= THRESHOLD, f"{name}: {expected!r} drawn unlike raqm ({score:.3f})"
            checked += 1
    assert checked >= 10

"""The explorer's widgets (ipywidgets): controls, counts, chart, KWIC, document, workbench.

`Explorer(index)` wires the controls to `ExplorerIndex.query`; a change re-renders from the
index only (no pipeline run). `explore(study_or_path)` builds the index and returns the widget.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import pandas as pd

from analysis.explore import view
from analysis.explore.index import ALL, ExplorerIndex, Filters, Selection
from analysis.explore.workbench import Workbench


class Explorer:
    """Controls and outputs over one index; `widget` is what the notebook displays."""

    def __init__(self, index: ExplorerIndex, lexicon: Any = None) -> None:
        self.index = index
        self.lexicon = lexicon
        self.timings: list[float] = []  # seconds of each update (the benchmark reads them)
        self.lines = pd.DataFrame(columns=["doc", "start", "end", "label"])
        self.selection: Selection | None = None
        themes = [("(all themes · كل المحاور)", ALL)] + [
            (f"{index.theme_names[t]} · {t}", t) for t in index.theme_ids
        ]
        self.theme = widgets.Dropdown(options=themes, value=ALL, description="Theme")
        self.entry = widgets.Dropdown(
            options=[("(any entry)", ALL)], value=ALL, description="Entry"
        )
        outlets = [("(all outlets)", ALL)] + [(o, o) for o in index.outlet_names]
        self.outlet = widgets.Dropdown(options=outlets, value=ALL, description="Outlet")
        # Empty pickers: no date limit, so undated documents count; a date set leaves them out.
        span = index.date_range()
        self.start = widgets.DatePicker(description="From", value=None)
        self.end = widgets.DatePicker(description="To", value=None)
        n_undated = int((index.months < 0).sum())
        self.dates_note = widgets.HTML(
            f"dates {span[0].date()} to {span[1].date()}"
            + (f"; {n_undated:,} undated, left out once a date is set" if n_undated else "")
            if span
            else "no dates in this corpus"
        )
        self.search = widgets.Text(
            description="Search",
            placeholder="بحث، مثلا الارهاب",
            continuous_update=False,
        )
        self.search.add_class("explore-search-box")
        self.line = widgets.BoundedIntText(value=1, min=1, max=1, description="Line #")
        self.summary = widgets.HTML()
        self.summary.add_class("explore-summary-box")
        self.chart = widgets.HTML()
        self.kwic = widgets.HTML()
        self.kwic.add_class("explore-kwic-box")
        self.document = widgets.HTML()
        self.document.add_class("explore-document-box")
        # The entry list follows the theme before the outputs do (observers run in order).
        self.theme.observe(self._theme_changed, names="value")
        for control in (self.theme, self.entry, self.outlet, self.start, self.end, self.search):
            control.observe(self._changed, names="value")
        self.line.observe(lambda _change: self._show_document(), names="value")
        controls = widgets.VBox(
            [
                widgets.HBox([self.theme, self.entry, self.outlet]),
                widgets.HBox([self.start, self.end, self.search]),
                self.dates_note,
            ]
        )
        tabs = [widgets.VBox([self.summary, self.chart, self.kwic, self.line, self.document])]
        titles = ["Explore · استكشاف"]
        self.workbench: Workbench | None = None
        if lexicon is not None and lexicon.path is not None:
            self.workbench = Workbench(index, lexicon, self.current_filters)
            tabs.append(self.workbench.widget)
            titles.append("Lexicon · المعجم")
        tab = widgets.Tab(children=tabs)
        for i, title in enumerate(titles):
            tab.set_title(i, title)
        self.widget = widgets.VBox([controls, tab])
        self.widget.add_class("explore-root")
        self.update()

    # --- state --------------------------------------------------------------------------

    def current_filters(self) -> Filters:
        return Filters(
            theme=self.theme.value or ALL,
            entry=self.entry.value or ALL,
            outlet=self.outlet.value or ALL,
            start=pd.Timestamp(self.start.value) if self.start.value else None,
            end=pd.Timestamp(self.end.value) if self.end.value else None,
            search=self.search.value or "",
        )

    def _theme_changed(self, change: dict[str, Any]) -> None:
        entries = self.index.entries.get(change["new"], []) if change["new"] else []
        self.entry.unobserve(self._changed, names="value")  # the theme's update follows
        try:
            self.entry.options = [("(any entry)", ALL)] + [(e, e) for e in entries]
            self.entry.value = ALL
        finally:
            self.entry.observe(self._changed, names="value")

    def _changed(self, _change: dict[str, Any]) -> None:
        self.update()

    def update(self) -> Selection:
        """Query the index with the controls' values and render counts, chart and KWIC."""
        began = time.perf_counter()
        selection = self.index.query(self.current_filters())
        self.selection = selection
        self.lines = view.kwic_lines(self.index, selection)
        self.summary.value = view.summary_html(self.index, selection, len(self.lines))
        self.kwic.value = view.kwic_html(self.index, self.lines)
        self.chart.value = view.chart_html(self.index, selection)
        self.line.max = max(1, min(len(self.lines), view.MAX_LINES))
        self.line.value = 1
        self._show_document()
        self.timings.append(time.perf_counter() - began)
        return selection

    def _show_document(self) -> None:
        if self.selection is None or self.lines.empty:
            self.document.value = ""
            return
        row = self.lines.iloc[min(self.line.value, len(self.lines)) - 1]
        self.document.value = view.document_html(
            self.index, int(row["doc"]), self.selection.filters.theme, self.selection.matches
        )


def explore(source: Any, **options: Any) -> widgets.Widget:
    """The explorer widget over a `Study` or a corpus path (analysed once, here).

    Options for a path are those of `notebook.open_study` (`keep_duplicates`, `workers`,
    `text_field`, `out_dir`).
    """
    study = source
    if isinstance(source, (str, Path)) or source is None:
        from analysis.notebook import open_study

        study = open_study(source, options.pop("out_dir", None), **options)
    return Explorer(ExplorerIndex.from_study(study), study.lexicon).widget

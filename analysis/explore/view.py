"""HTML of the explorer: KWIC lines and a document, right to left, matches highlighted.

Pure functions of an `ExplorerIndex` and a `Selection`, so they are tested without a kernel.
Identifiers and dates are isolated left-to-right runs (`<bdi dir="ltr">`), so an id such as
`000_6af1ae191a2979aa` reads in its logical order inside a right-to-left table.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from analysis.explore.index import ExplorerIndex, Selection
from analysis.notebook.html import escape, number, plural
from analysis.themes import context

MAX_LINES = 200  # KWIC lines shown at once (the count says how many there are)
WIDTH = 70  # characters of context each side, cut at word boundaries

STYLE = """<style>
.explore-kwic bdi[dir="ltr"], .explore-document-header bdi[dir="ltr"] { white-space: nowrap; }
.explore-search-box input { unicode-bidi: plaintext; text-align: start; }
.explore-rtl { direction: rtl; text-align: right; unicode-bidi: isolate; }
.explore-kwic { border-collapse: collapse; width: 100%; font-size: 14px; }
.explore-kwic td, .explore-kwic th { padding: 2px 6px; border-bottom: 1px solid #ddd;
  text-align: right; vertical-align: top; }
.explore-kwic td.explore-context { direction: rtl; unicode-bidi: isolate; }
.explore-kwic mark, .explore-document mark { background: #ffe08a; color: inherit; }
.explore-document mark.explore-search { background: #9fd3ff; }
.explore-document { direction: rtl; text-align: right; white-space: pre-wrap;
  line-height: 1.8; max-height: 28em; overflow-y: auto; border: 1px solid #ddd; padding: 6px; }
</style>"""


def ltr(value: object) -> str:
    """An identifier or date isolated as a left-to-right run."""
    return f'<bdi dir="ltr">{escape(value)}</bdi>'


def kwic_lines(index: ExplorerIndex, selection: Selection) -> pd.DataFrame:
    """The KWIC lines of a selection: search matches when searching, else the theme's hits.

    Columns `doc`, `start`, `end`, `label` (theme or "search"); in document order.
    """
    if selection.filters.search.strip():
        lines = selection.matches.assign(label="search")
    else:
        lines = selection.hits[["doc", "start", "end"]].assign(
            label=selection.hits["theme"].astype(str).to_numpy()
        )
    return lines.sort_values(["doc", "start"], kind="stable").reset_index(drop=True)


def kwic_html(index: ExplorerIndex, lines: pd.DataFrame, limit: int = MAX_LINES) -> str:
    """A right-to-left concordance table: #, document, outlet, date, context with the match."""
    head = (
        '<table class="explore-kwic" dir="rtl" lang="ar"><thead><tr>'
        "<th>#</th><th>الوثيقة · document</th><th>المنبر · outlet</th>"
        "<th>التاريخ · date</th><th>السياق · context</th></tr></thead><tbody>"
    )
    rows = []
    for number_, line in enumerate(lines.head(limit).itertuples(index=False), start=1):
        doc = int(line.doc)
        text = index.texts[doc]
        left, right = context(text, int(line.start), int(line.end), WIDTH)
        date = index.dates[doc]
        date_text = "" if pd.isna(date) else str(pd.Timestamp(date).date())
        rows.append(
            f"<tr><td>{ltr(number_)}</td><td>{ltr(index.doc_ids[doc])}</td>"
            f'<td dir="auto">{escape(index.outlets[doc])}</td><td>{ltr(date_text)}</td>'
            f'<td class="explore-context" dir="rtl">{_spaced(text, left, int(line.start), True)}'
            f"<mark>{escape(text[int(line.start) : int(line.end)])}</mark>"
            f"{_spaced(text, right, int(line.end), False)}</td></tr>"
        )
    if not rows:
        rows.append('<tr><td colspan="5">لا توجد نتائج · no lines match these filters</td></tr>')
    return STYLE + head + "".join(rows) + "</tbody></table>"


def _spaced(text: str, side: str, at: int, left: bool) -> str:
    """Context escaped, with the space that separates it from the match where the text has one."""
    if left:
        gap = at > 0 and text[at - 1].isspace() and not side.endswith(" ")
        return escape(side) + (" " if gap else "")
    gap = at < len(text) and text[at].isspace() and not side.startswith(" ")
    return (" " if gap else "") + escape(side)


def summary_html(index: ExplorerIndex, selection: Selection, n_lines: int) -> str:
    """One line of counts: documents, tokens, hits, rate of the chosen theme, search matches."""
    f = selection.filters
    parts = [plural(selection.n_documents, "document"), plural(selection.n_tokens, "token")]
    if f.theme:
        rate = selection.rates.get(f.theme, 0.0)
        parts.append(
            f"{number(selection.n_hits)} hits of {escape(index.theme_names.get(f.theme, f.theme))}"
            f"{' (' + escape(f.entry) + ')' if f.entry else ''}, {rate:.2f} per 1,000 tokens"
        )
    else:
        parts.append(f"{number(selection.n_hits)} theme hits")
    if f.search.strip():
        query = escape(f.search.strip())
        parts.append(f"{number(len(selection.matches))} matches of «<bdi>{query}</bdi>»")
    shown = min(n_lines, MAX_LINES)
    parts.append(f"showing {number(shown)} of {number(n_lines)} lines")
    return f'<p class="explore-summary" dir="ltr">{" · ".join(parts)}</p>'


def highlighted(text: str, spans: Iterable[tuple[int, int, str]]) -> str:
    """``text`` escaped, each (start, end, css class) span in a `<mark>`; overlaps merged."""
    out, position = [], 0
    for start, end, css in sorted(spans):
        if start < position:
            continue
        out.append(escape(text[position:start]))
        out.append(f'<mark class="{css}">{escape(text[start:end])}</mark>')
        position = end
    out.append(escape(text[position:]))
    return "".join(out)


def document_html(index: ExplorerIndex, doc: int, theme: str, search_spans: pd.DataFrame) -> str:
    """A whole document, RTL, every hit of `theme` (all themes if empty) and search highlighted."""
    hits = index.hits[index.hits["doc"] == doc]
    if theme:
        hits = hits[hits["theme"] == theme]
    spans = [
        (int(s), int(e), "explore-hit") for s, e in zip(hits["start"], hits["end"], strict=True)
    ]
    found = search_spans[search_spans["doc"] == doc]
    spans += [
        (int(s), int(e), "explore-search")
        for s, e in zip(found["start"], found["end"], strict=True)
    ]
    date = index.dates[doc]
    header = (
        f'<p dir="rtl" class="explore-rtl explore-document-header">{ltr(index.doc_ids[doc])} · '
        f"{escape(index.outlets[doc])}"
        f"{' · ' + ltr(pd.Timestamp(date).date()) if not pd.isna(date) else ''}"
        f" · <bdi>{plural(len(hits), 'hit')}</bdi></p>"
    )
    body = highlighted(index.texts[doc], spans)
    return f'{STYLE}{header}<div class="explore-document" dir="rtl" lang="ar">{body}</div>'


def chart_html(index: ExplorerIndex, selection: Selection) -> str:
    """Rates per 1,000 tokens by theme (bars) and, with dates, per month (an SVG line).

    Drawn by the browser (HTML and SVG, no matplotlib on a click): a filter change stays far
    under a second, and the Arabic theme names are laid out by the browser, right to left.
    """
    chosen = selection.filters.theme
    rates = selection.rates
    top = float(rates.max()) if len(rates) and rates.max() > 0 else 1.0
    rows = []
    for theme in index.theme_ids:
        rate = float(rates.get(theme, 0.0))
        colour = "#c0392b" if theme == chosen else "#7f8c8d"
        rows.append(
            f'<tr><td dir="auto">{escape(index.theme_names[theme])}</td>'
            f'<td style="width:55%"><div style="background:{colour};height:0.9em;'
            f'width:{100 * rate / top:.1f}%"></div></td><td>{ltr(f"{rate:.2f}")}</td></tr>'
        )
    bars = (
        '<table class="explore-bars" style="font-size:12px;width:100%">'
        '<caption style="text-align:left">hits per 1,000 tokens, filtered documents</caption>'
        + "".join(rows)
        + "</table>"
    )
    return (
        '<div class="explore-chart" style="display:flex;gap:16px;align-items:flex-start">'
        f'<div style="flex:1">{bars}</div><div style="flex:1.6">{timeline_svg(index, selection)}'
        "</div></div>"
    )


def timeline_svg(index: ExplorerIndex, selection: Selection) -> str:
    """The monthly rate of the chosen theme (all themes if none) as an inline SVG line."""
    timeline = selection.timeline
    what = escape(index.theme_names.get(selection.filters.theme, "all themes"))
    if timeline is None or timeline.empty:
        return "<p>no dates in these documents</p>"
    width, height, pad = 560.0, 150.0, 28.0
    rates = timeline["rate"].to_numpy()
    peak = float(pd.Series(rates).max()) if pd.Series(rates).notna().any() else 0.0
    peak = peak or 1.0
    step = (width - 2 * pad) / max(1, len(rates) - 1)

    def y(rate: float) -> str:
        return f"{height - pad - (height - 2 * pad) * rate / peak:.1f}"

    # months without tokens (NaN) are left out
    points = " ".join(f"{pad + i * step:.1f},{y(r)}" for i, r in enumerate(rates) if r == r)
    dots = "".join(
        f'<circle cx="{pad + i * step:.1f}" cy="{y(r)}" r="2.5" fill="#c0392b"/>'
        for i, r in enumerate(rates)
        if r == r and len(rates) <= 60
    )
    periods = timeline["period"]
    years = [i for i, p in enumerate(periods) if p.month == 1] or [0]
    years = years[:: max(1, len(years) // 8)]
    ticks = "".join(
        f'<text x="{pad + i * step:.1f}" y="{height - 8}" font-size="10" '
        f'text-anchor="middle">{periods.iloc[i].year}</text>'
        for i in years
    )
    return (
        f'<svg class="explore-timeline" viewBox="0 0 {width:.0f} {height:.0f}" width="100%" '
        f'role="img" aria-label="{what}: hits per 1,000 tokens per month">'
        f'<text x="{pad}" y="12" font-size="11">{what}: hits per 1,000 tokens per month '
        f"(peak {peak:.2f})</text>"
        f'<line x1="{pad}" y1="{height - pad}" x2="{width - pad}" y2="{height - pad}" '
        'stroke="#999"/>'
        f'<polyline fill="none" stroke="#c0392b" stroke-width="1.5" points="{points}"/>'
        f"{dots}{ticks}</svg>"
    )

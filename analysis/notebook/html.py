"""HTML for the notebooks: untrusted text escaped, direction set, tables and figures embedded.

Untrusted text only enters a page through `escape`/`bdi`/`paragraph`/`sentence`/`say`, the
static `table_html`/`show_table` or the offline itables `interactive_table_html`; numbers in
sentences are formatted here too (`number`, `percent`, `plural`, `enumeration`).
"""

from __future__ import annotations

import base64
import io
import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from html import escape as _html_escape
from typing import Any

import pandas as pd
from IPython.display import HTML, display
from matplotlib.figure import Figure

from analysis.charsets import ARABIC_BLOCKS, LATIN_LETTERS, class_body

_ARABIC_LETTER = re.compile(f"[{class_body(ARABIC_BLOCKS)}]")

_LATIN_LETTER = re.compile(f"[{class_body(LATIN_LETTERS)}]")

_table_ids = itertools.count(1)

DEFAULT_MAX_ROWS = 20

INTERACTIVE_MAX_ROWS = 2000


def escape(value: Any) -> str:
    """``value`` as HTML text: markup characters escaped, missing values empty."""
    if value is None or (not isinstance(value, (list, tuple, dict)) and pd.isna(value)):
        return ""
    return _html_escape(str(value), quote=True)


def direction(text: str) -> str:
    """``rtl`` when Arabic letters outnumber Latin ones, else ``ltr``."""
    arabic = len(_ARABIC_LETTER.findall(text))
    return "rtl" if arabic and arabic >= len(_LATIN_LETTER.findall(text)) else "ltr"


def lang(text: str) -> str:
    return "ar" if direction(text) == "rtl" else "en"


def bdi(text: Any) -> str:
    """Escaped text isolated from the surrounding direction (Arabic inside English prose)."""
    return f"<bdi>{escape(text)}</bdi>"


def paragraph(text: str, *, tag: str = "p", css_class: str = "") -> str:
    """One escaped block of text with its direction and language set."""
    attributes = f' dir="{direction(text)}" lang="{lang(text)}"'
    if css_class:
        attributes += f' class="{escape(css_class)}"'
    return f"<{tag}{attributes}>{escape(text)}</{tag}>"


def show(html: str) -> None:
    """Display already-built (escaped) HTML in the notebook and the exported page."""
    display(HTML(html))


def number(value: Any, digits: int = 0) -> str:
    """``1,234`` / ``12.5``: thousands separators, fixed decimals."""
    if value is None or pd.isna(value):
        return "n/a"
    return f"{value:,.{digits}f}"


def percent(share: float, digits: int = 0) -> str:
    """A share in 0..1 as ``42%``."""
    if share is None or pd.isna(share):
        return "n/a"
    return f"{100 * share:.{digits}f}%"


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """``1 document`` / ``3 documents`` with the count formatted."""
    word = singular if count == 1 else (plural_form or singular + "s")
    return f"{number(count)} {word}"


def enumeration(items: Iterable[Any], conjunction: str = "and") -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    words = [str(item) for item in items]
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} {conjunction} {words[-1]}"


def sentence(template: str, **values: Any) -> str:
    """``template`` filled with ``values``, each escaped (they may be corpus text)."""
    return template.format(**{name: escape(value) for name, value in values.items()})


def say(english: str, arabic: str | None = None, **values: Any) -> None:
    """Display a generated sentence (English, then its Arabic version right to left)."""
    blocks = [f'<p dir="ltr" lang="en">{sentence(english, **values)}</p>']
    if arabic:
        blocks.append(
            f'<p dir="rtl" lang="ar" class="bilingual-ar">{sentence(arabic, **values)}</p>'
        )
    show("\n".join(blocks))


def _cell(value: Any, tag: str, digits: int) -> str:
    if isinstance(value, bool):
        return f'<{tag} dir="ltr">{"yes" if value else "no"}</{tag}>'
    if isinstance(value, int | float) and not pd.isna(value):
        text = number(value, 0 if isinstance(value, int) else digits)
        return f'<{tag} dir="ltr" class="num">{text}</{tag}>'
    if isinstance(value, pd.Timestamp):
        return f'<{tag} dir="ltr">{escape(value.strftime("%Y-%m-%d"))}</{tag}>'
    text = escape(value)
    return f'<{tag} dir="auto">{text}</{tag}>'


def table_html(
    frame: pd.DataFrame,
    *,
    max_rows: int = DEFAULT_MAX_ROWS,
    caption: str | None = None,
    digits: int = 1,
    index: bool = False,
) -> str:
    """A static, escaped HTML table of at most ``max_rows`` rows, saying what was left out."""
    if index:
        frame = frame.reset_index()
    shown = frame.head(max_rows)
    header = "".join(f'<th dir="auto">{escape(column)}</th>' for column in shown.columns)
    rows = []
    for record in shown.itertuples(index=False, name=None):
        cells = "".join(_cell(_plain(value), "td", digits) for value in record)
        rows.append(f"<tr>{cells}</tr>")
    notes = [caption] if caption else []
    if len(frame) > len(shown):
        notes.append(f"First {number(len(shown))} of {number(len(frame))} rows.")
    caption_html = f"<caption>{escape(' '.join(notes))}</caption>" if notes else ""
    return (
        f'<table class="report-table">{caption_html}<thead><tr>{header}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def _plain(value: Any) -> Any:
    """numpy scalars as Python ones, so formatting is decided by kind, not by dtype."""
    return value.item() if hasattr(value, "item") and not isinstance(value, str) else value


def show_table(frame: pd.DataFrame, **options: Any) -> None:
    """Display `table_html`."""
    show(table_html(frame, **options))


def init_interactive_tables() -> None:
    """Embed the DataTables library once per notebook (offline: no CDN, no network)."""
    import itables

    itables.init_notebook_mode(all_interactive=False, connected=False)


def interactive_table_html(
    frame: pd.DataFrame,
    *,
    caption: str | None = None,
    max_rows: int = INTERACTIVE_MAX_ROWS,
    page_length: int = 10,
    rtl: bool = False,
    column_classes: Mapping[str, str] | None = None,
    order: Sequence[tuple[str, str]] = (),
) -> str:
    """A searchable, sortable, paginated table; cell text is escaped by itables.

    At most ``max_rows`` rows are embedded (the caption says so) so that a 31,030-document
    corpus does not produce a page of hundreds of megabytes.
    """
    from itables import to_html_datatable

    shown = frame.head(max_rows).reset_index(drop=True)
    notes = [caption] if caption else []
    if len(frame) > len(shown):
        notes.append(f"First {number(len(shown))} of {number(len(frame))} rows.")
    columns = list(shown.columns)
    table_id = f"itable_{next(_table_ids)}"
    column_defs = [
        {"targets": [columns.index(name)], "className": css}
        for name, css in (column_classes or {}).items()
        if name in columns
    ]
    table = to_html_datatable(
        shown,
        caption=" ".join(notes) or None,
        connected=False,
        allow_html=False,  # cells are data, escaped on render
        table_id=table_id,
        showIndex=False,
        pageLength=page_length,
        lengthMenu=[10, 25, 100],
        maxBytes=0,  # rows are already limited above; never downsample silently
        columnDefs=column_defs,
        order=[[columns.index(name), way] for name, way in order],
        classes="display compact",
    )
    if rtl:  # the columns run right to left; the search and paging controls stay English
        table = table.replace(f'<table id="{table_id}"', f'<table dir="rtl" id="{table_id}"', 1)
    return f'<div dir="ltr" class="interactive-table">{table}</div>'


def show_interactive_table(frame: pd.DataFrame, **options: Any) -> None:
    """Display `interactive_table_html`."""
    show(interactive_table_html(frame, **options))


def figure_html(fig: Figure, *, alt: str, caption: str | None = None, dpi: int = 110) -> str:
    """``fig`` as an embedded PNG (``<img>`` with alt text), independent of the backend."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    caption_html = f"<figcaption>{paragraph(caption, tag='span')}</figcaption>" if caption else ""
    return (
        f'<figure class="report-figure"><img src="data:image/png;base64,{data}" '
        f'alt="{escape(alt)}">{caption_html}</figure>'
    )


def show_figure(fig: Figure, *, alt: str, caption: str | None = None) -> None:
    """Display `figure_html`."""
    show(figure_html(fig, alt=alt, caption=caption))

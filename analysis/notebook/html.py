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

import matplotlib as mpl
import pandas as pd
from IPython.display import HTML, display
from matplotlib.figure import Figure

from analysis.charsets import ARABIC_BLOCKS, LATIN_LETTERS, class_body
from analysis.plotting.labels import literal_text, shorten

_ARABIC_LETTER = re.compile(f"[{class_body(ARABIC_BLOCKS)}]")

_LATIN_LETTER = re.compile(f"[{class_body(LATIN_LETTERS)}]")

_table_ids = itertools.count(1)

DEFAULT_MAX_ROWS = 20

INTERACTIVE_MAX_ROWS = 2000

# A table cell shows at most this many characters of a text (a title, an outlet); the rest
# is one click away in a <details> element, which embeds at most FULL_TEXT_CHARS of it (a
# 1 MB title would otherwise be a cell 243,000 px tall, or a page too big to open).
DISPLAY_CHARS = 300
FULL_TEXT_CHARS = 20_000


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


_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def sentence(template: str, **values: Any) -> str:
    """``template`` with each ``{name}`` of ``values`` replaced by the value, escaped.

    Not `str.format`: templates are often sentences already holding corpus text (a title
    with ``{عاجل}``), and only the names given are ever substituted, in one pass.
    """
    if not values:
        return template
    escaped = {name: escape(value) for name, value in values.items()}
    return _PLACEHOLDER.sub(lambda m: escaped.get(m.group(1), m.group(0)), template)


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
    text = long_text_html(value) if _is_long(value) else escape(value)
    return f'<{tag} dir="auto">{text}</{tag}>'


def _is_long(value: Any) -> bool:
    return isinstance(value, str) and len(value) > DISPLAY_CHARS


def long_text_html(text: str) -> str:
    """A long text, escaped: its start (`DISPLAY_CHARS`) and a <details> with all of it.

    All of it up to `FULL_TEXT_CHARS`; the summary says how long the text is.
    """
    full = text[:FULL_TEXT_CHARS]
    note = f"{number(len(text))} characters"
    if len(text) > len(full):
        note += f", the first {number(len(full))} shown when opened"
    return (
        f'<details class="long-text"><summary>{escape(shorten(text, DISPLAY_CHARS))} '
        f'<span class="text-length" dir="ltr">({note})</span></summary>'
        f'<div class="full-text" dir="auto">{escape(full)}</div></details>'
    )


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


# Shown with the table library, so JupyterLab (which has none of the report's CSS) lays
# tables out as the exported page does: each cell of a searchable table takes the direction
# of its own text, so an id such as 000_6af1ae191a2979aa keeps its order in a right-to-left
# table, and a cell with a `dir` aligns to its start.
TABLE_STYLE = """<style>
.interactive-table td, .interactive-table th, .interactive-table caption {
  unicode-bidi: plaintext; text-align: start; }
.jp-RenderedHTMLCommon td[dir], .jp-RenderedHTMLCommon th[dir] { text-align: start; }
.jp-RenderedHTMLCommon td.num, .jp-RenderedHTMLCommon th.num { text-align: right; }
</style>"""


def init_interactive_tables() -> None:
    """Embed the DataTables library once per notebook (offline: no CDN, no network).

    itables (2.x, offline mode) displays two outputs: first a module script that awaits
    ``window._itables_<version>``, then the script that defines it. A static page runs module
    scripts after the whole page, so the order does not matter there; JupyterLab runs each
    output's scripts as it is inserted, so the first awaited ``undefined`` and raised "Cannot
    destructure property 'set_or_remove_dark_class'". Both go out as one output, the library
    first, with `TABLE_STYLE`.
    """
    import itables
    from IPython.utils.capture import capture_output

    with capture_output(stdout=False, stderr=False, display=True) as captured:
        itables.init_notebook_mode(all_interactive=False, connected=False)
    parts = [output.data.get("text/html", "") for output in captured.outputs]
    show(TABLE_STYLE + "".join(sorted(parts, key=lambda html: "injectModule" not in html)))


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
    shown, allow_html = _shortened_cells(shown)
    notes = [caption] if caption else []
    if len(frame) > len(shown):
        notes.append(f"First {number(len(shown))} of {number(len(frame))} rows.")
    columns = list(frame.columns)
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
        allow_html=allow_html,  # cells are data: itables escapes them, or we did
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


def _shortened_cells(frame: pd.DataFrame) -> tuple[pd.DataFrame, bool]:
    """``frame`` unchanged when no text is long (itables escapes it); else every text cell
    and column name escaped here, long ones as `long_text_html` (itables then must not
    escape again)."""
    texts = [c for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])]
    if not any(frame[c].map(_is_long).any() for c in texts):
        return frame, False
    shown = frame.copy()
    for column in texts:
        shown[column] = shown[column].map(
            lambda v: (
                long_text_html(v)
                if _is_long(v)
                else _html_escape(v, quote=False)
                if isinstance(v, str)
                else v
            )
        )
    shown.columns = [_html_escape(str(c), quote=False) for c in shown.columns]
    return shown, True


def show_interactive_table(frame: pd.DataFrame, **options: Any) -> None:
    """Display `interactive_table_html`."""
    show(interactive_table_html(frame, **options))


def figure_html(fig: Figure, *, alt: str, caption: str | None = None, dpi: int = 110) -> str:
    """``fig`` as an embedded PNG (``<img>`` with alt text), independent of the backend."""
    buffer = io.BytesIO()
    # Corpus text in labels is literal: no mathtext, also for ticks made while drawing.
    with mpl.rc_context({"text.parse_math": False}):
        literal_text(fig).savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    caption_html = f"<figcaption>{paragraph(caption, tag='span')}</figcaption>" if caption else ""
    return (
        f'<figure class="report-figure"><img src="data:image/png;base64,{data}" '
        f'alt="{escape(alt)}">{caption_html}</figure>'
    )


def show_figure(fig: Figure, *, alt: str, caption: str | None = None) -> None:
    """Display `figure_html`."""
    show(figure_html(fig, alt=alt, caption=caption))

"""What the notebooks show: escaped HTML from data, in the right direction.

Corpus text is untrusted: a title may hold ``<script>``, ``<img onerror=…>`` or a Markdown
link. Everything here that puts data on a page goes through `escape` and is emitted as HTML
(never as Markdown, whose renderers interpret links and raw HTML), so such text shows
literally and runs nothing. Each block carries ``dir``/``lang``: Arabic right to left,
English left to right, cells and mixed runs ``dir="auto"``.

Sentences are generated from data (`say`), so the prose cannot drift from the numbers.
Long tables are either truncated with a note (`show_table`) or paginated and searchable
offline with itables (`show_interactive_table`, after `init_interactive_tables`).
"""

from __future__ import annotations

import base64
import io
import itertools
import json
import pickle
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from html import escape as _html_escape
from pathlib import Path
from typing import Any

import pandas as pd
from IPython.display import HTML, display
from matplotlib.figure import Figure

from analysis import config
from analysis.charsets import ARABIC_BLOCKS, LATIN_LETTERS, class_body
from analysis.files import atomic_writer
from analysis.themes import validation

_ARABIC_LETTER = re.compile(f"[{class_body(ARABIC_BLOCKS)}]")
_LATIN_LETTER = re.compile(f"[{class_body(LATIN_LETTERS)}]")
_table_ids = itertools.count(1)

PROVENANCE_FILE = "provenance.json"  # read back by analysis.report for the page headers
DEFAULT_MAX_ROWS = 20
INTERACTIVE_MAX_ROWS = 2000


# --- text ---------------------------------------------------------------------------------


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


# --- numbers in sentences -----------------------------------------------------------------


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


# --- tables -------------------------------------------------------------------------------


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


# --- figures ------------------------------------------------------------------------------


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


# --- provenance ---------------------------------------------------------------------------


def provenance(corpus: Any, lexicon: Any) -> dict[str, Any]:
    """What produced the numbers: corpus identity and size, lexicon version and hash."""
    documents = corpus.documents
    return {
        "corpus_name": str(corpus.name),
        "corpus_hash": str(corpus.content_hash),
        "documents": len(corpus.analysed()),
        "documents_total": len(documents),
        "lexicon_version": str(lexicon.version),
        "lexicon_hash": str(lexicon.content_hash),
        "themes": [
            {"id": t.id, "name_ar": t.name_ar, "name_en": t.name_en} for t in lexicon.themes
        ],
    }


def record_provenance(record: Mapping[str, Any], out_dir: Path | str) -> Path:
    """Write ``record`` to ``<out_dir>/provenance.json`` atomically (the page headers read it)."""
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / PROVENANCE_FILE
    with atomic_writer(target, "w", encoding="utf-8") as stream:
        json.dump(record, stream, ensure_ascii=False, indent=2, sort_keys=True)
    return target


# --- the study every notebook opens -------------------------------------------------------


@dataclass
class Study:
    """What a notebook works on: the corpus, the lexicon, the analysis and the output folder."""

    corpus: Any
    lexicon: Any
    documents: pd.DataFrame  # the analysed rows (duplicates excluded unless kept)
    out_dir: Path
    analysis: Any = None


STUDY_CACHE_FILE = "study.pickle"


def open_study(
    corpus_path: Path | str | None,
    out_dir: Path | str | None,
    *,
    keep_duplicates: bool = False,
    workers: int = 1,
    cache_dir: Path | str | None = None,
) -> Study:
    """Load, clean and analyse the corpus, record provenance, embed the table library.

    Every notebook starts here, so all pages describe the same corpus the same way. With
    ``cache_dir`` (the report build passes a folder private to one build), the first notebook
    stores the analysis there and the others read it back instead of analysing again: on a
    large corpus the analysis is most of a notebook's time.
    """
    from analysis import config, themes

    lexicon = themes.load_lexicon()
    result = _cached_pipeline_result(
        Path(cache_dir) if cache_dir else None,
        corpus_path,
        lexicon=lexicon,
        keep_duplicates=keep_duplicates,
        workers=workers,
    )
    folder = Path(out_dir) if out_dir else config.REPORTS_DIR
    study = Study(result.corpus, lexicon, result.corpus.analysed(), folder, result.analysis)
    record_provenance(provenance(result.corpus, lexicon), folder)
    init_interactive_tables()
    return study


def _cached_pipeline_result(cache_dir: Path | None, corpus_path: Any, **options: Any) -> Any:
    """`run_pipeline(corpus_path, **options)`, read from / written to ``cache_dir`` if given."""
    from analysis.pipeline import run_pipeline

    cached = cache_dir / STUDY_CACHE_FILE if cache_dir else None
    if cached is not None and cached.exists():
        with cached.open("rb") as stream:
            # Written a moment ago by this same build (a folder only it knows): trusted input.
            return pickle.load(stream)
    result = run_pipeline(corpus_path, **options)
    if cached is not None:
        cache_dir.mkdir(parents=True, exist_ok=True)
        with atomic_writer(cached, "wb") as stream:
            pickle.dump(result, stream, protocol=pickle.HIGHEST_PROTOCOL)
    return result


# --- sentences from data ------------------------------------------------------------------


def _date_range(dates: pd.Series) -> tuple[str, str] | None:
    known = pd.to_datetime(dates, errors="coerce").dropna()
    if known.empty:
        return None
    return known.min().strftime("%Y-%m-%d"), known.max().strftime("%Y-%m-%d")


def _dated_span(first: str, last: str) -> tuple[str, str]:
    """'on D' for a single day, 'from D1 to D2' otherwise, in English and Arabic."""
    if first == last:
        return f"on {first}", f"بتاريخ {first}"
    return f"from {first} to {last}", f"بين {first} و{last}"


def describe_corpus(corpus: Any) -> tuple[str, str]:
    """One English and one Arabic sentence saying what the corpus holds."""
    documents = corpus.documents
    total = len(documents)
    analysed = len(corpus.analysed())
    duplicates = int(documents["is_duplicate"].sum())
    english = (
        f"The corpus {escape(corpus.name)} holds {plural(total, 'document')}; "
        f"{number(analysed)} are analysed"
    )
    english += (
        f" ({plural(duplicates, 'duplicate')} set aside)."
        if duplicates and not corpus.keep_duplicates
        else "."
    )
    arabic = (
        f"تضم المدونة {escape(corpus.name)} {number(total)} مقالاً، حُلِّل منها {number(analysed)}."
    )
    with_outlet = int(documents["source"].notna().sum())
    if with_outlet:
        outlets = documents["source"].dropna().nunique()
        english += (
            f" {number(with_outlet)} of {number(total)} name their outlet "
            f"({plural(outlets, 'outlet')} in all)."
        )
        arabic += f" يُعرف منبر {number(with_outlet)} منها ({number(outlets)} منبراً)."
    dates = _date_range(documents["date"])
    if dates:
        with_date = int(pd.to_datetime(documents["date"], errors="coerce").notna().sum())
        span_en, span_ar = _dated_span(*dates)
        english += f" {number(with_date)} of {number(total)} carry a date, {span_en}."
        arabic += f" ويحمل {number(with_date)} منها تاريخاً {span_ar}."
    return english, arabic


def describe_cleaning(corpus: Any) -> str:
    """What cleaning removed, in one English sentence."""
    documents = corpus.documents
    raw, clean = int(documents["n_words_raw"].sum()), int(documents["n_words_clean"].sum())
    audit = corpus.audit
    if audit.empty:
        return f"Cleaning removed nothing from the {plural(len(documents), 'document')}."
    rules = audit["rule"].value_counts()
    top = enumeration(
        f"{escape(rule.replace('_', ' '))} ({n})" for rule, n in rules.head(3).items()
    )
    share = (raw - clean) / raw if raw else 0.0
    return (
        f"Cleaning removed {plural(len(audit), 'line')} from "
        f"{plural(audit['doc_id'].nunique(), 'document')}, {number(raw - clean)} of "
        f"{number(raw)} words ({percent(share)}); the most frequent rules were {top}."
    )


def _theme_name(summary_row: Any) -> str:
    return f"{escape(summary_row.name_en)} ({bdi(summary_row.name_ar)})"


def describe_themes(summary: pd.DataFrame, n_tokens: int) -> str:
    """Which theme is mentioned most and least, with rates and document shares."""
    total = int(summary["hits"].sum())
    if total == 0:
        return f"The lexicon matched nothing in {plural(n_tokens, 'token')}."
    ranked = summary.sort_values(["rate_per_1000", "theme"], ascending=[False, True])
    first, last = ranked.iloc[0], ranked.iloc[-1]
    return (
        f"Across {plural(n_tokens, 'token')} the lexicon counted {plural(total, 'mention')}. "
        f"The most frequent theme is {_theme_name(first)}: "
        f"{number(first.rate_per_1000, 2)} mentions per 1,000 tokens, in "
        f"{percent(first.share_docs)} of the documents; the least frequent is "
        f"{_theme_name(last)} ({number(last.rate_per_1000, 2)} per 1,000 tokens, "
        f"{percent(last.share_docs)} of the documents)."
    )


def describe_validation(
    scores: pd.DataFrame,
    names: Mapping[str, str],
    subject: str = "the labelled validation sentences",
) -> str:
    """The spread of precision and recall over themes on the labelled sentences."""
    parts = []
    for measure in ("precision", "recall"):
        known = scores.dropna(subset=[measure]).sort_values([measure, "theme"])
        if known.empty:
            continue
        low, high = known.iloc[0], known.iloc[-1]
        parts.append(
            f"{measure} ranges from {number(low[measure], 2)} "
            f"({escape(names.get(low.theme, low.theme))}) to {number(high[measure], 2)} "
            f"({escape(names.get(high.theme, high.theme))})"
        )
    if not parts:
        return "The validation set judged no theme."
    return f"On {subject}, {' and '.join(parts)}."


@dataclass
class HeldOut:
    """The lexicon measured on a labelled file (see `held_out_validity`)."""

    path: Path
    labels: pd.DataFrame
    scores: pd.DataFrame  # validation.SCORE_COLUMNS, test split first
    corpora: list[str]  # the corpora of the test sentences (`corpus` column), when given
    kappa: pd.DataFrame | None  # validation.agreement of the two passes, when beside the file


def held_out_validity(lexicon: Any, labels: Path | str | None = None) -> HeldOut:
    """Score the lexicon on a labelled TSV (default: the package's real-data set)."""
    path = Path(labels) if labels is not None else config.LABELS_PATH
    table = validation.read_labels(path, lexicon.theme_ids)
    tested = table[table["split"] == "test"]
    corpora = sorted(set(tested["corpus"]) - {""})
    kappa = None
    first, second = path.with_name("annotator_a.tsv"), path.with_name("annotator_b.tsv")
    if first.exists() and second.exists():
        kappa = validation.agreement(
            validation.read_annotations(first, lexicon.theme_ids),
            validation.read_annotations(second, lexicon.theme_ids),
            lexicon.theme_ids,
        )
    return HeldOut(path, table, validation.score(table, lexicon), corpora, kappa)


def describe_held_out(held_out: HeldOut, corpus_name: str, names: Mapping[str, str]) -> str:
    """Where the held-out figures come from, what they say, and whether they fit this corpus."""
    test = held_out.scores[held_out.scores["split"] == "test"]
    labels = held_out.labels[held_out.labels["split"] == "test"]
    if test.empty:
        return (
            f"The labelled file {escape(held_out.path.name)} has no test split, so no held-out "
            "figure can be given; the figures below are development figures."
        )
    sources = enumeration(escape(c) for c in held_out.corpora) or "an unnamed corpus"
    documents = labels["doc_id"][labels["doc_id"] != ""].nunique()
    of_documents = f" of {plural(documents, 'document')}" if documents else ""
    text = (
        f"Held out: {plural(len(labels), 'sentence')}{of_documents} from {sources} "
        f"({escape(held_out.path.name)}), in documents the lexicon was never tuned on. "
    )
    if held_out.kappa is not None:
        kappa = held_out.kappa["kappa"]
        text += (
            "Two annotators labelled every sentence independently by the annotation guide "
            f"(Cohen's kappa {number(kappa.min(), 2)} to {number(kappa.max(), 2)} per theme), "
            "and their disagreements were adjudicated. "
        )
    both = test[(test["precision"] >= 0.85) & (test["recall"] >= 0.85)]
    weakest = test.assign(worst=test[["precision", "recall"]].min(axis=1)).sort_values("worst")
    low = weakest.iloc[0]
    text += (
        f"{len(both)} of {len(test)} themes reach 0.85 in both precision and recall "
        f"there; the weakest is {escape(names.get(low.theme, low.theme))} "
        f"(precision {number(low.precision, 2)}, recall {number(low.recall, 2)}). "
    )
    text += (
        "The sentences were drawn by stratified sampling (sentences a tagger marked, near "
        "misses holding a theme's cue words, random ones), so these figures describe that "
        "sample, rich in sentences near each theme, not every sentence of the corpus. "
    )
    if held_out.corpora and corpus_name not in held_out.corpora:
        text += (
            f"The corpus analysed here ({escape(corpus_name)}) is not the one the sentences "
            "come from: these figures say how the lexicon does on that kind of text, not "
            "on this corpus. Label a sample of this corpus (python -m analysis sample) to "
            "measure it here."
        )
    return text


def strongest_pair(matrix: pd.DataFrame) -> tuple[str, str, int] | None:
    """The two different themes sharing the most sentences (None when no pair does)."""
    best = None
    for i, a in enumerate(matrix.index):
        for b in matrix.columns[i + 1 :]:
            n = int(matrix.loc[a, b])
            if n and (best is None or n > best[2]):
                best = (a, b, n)
    return best


def describe_cooccurrence(matrix: pd.DataFrame, names: Mapping[str, str]) -> str:
    """Which two themes are mentioned together most often."""
    pair = strongest_pair(matrix)
    if pair is None:
        return "No sentence mentions two themes at once."
    a, b, n = pair
    base = min(int(matrix.loc[a, a]), int(matrix.loc[b, b]))
    return (
        f"The themes most often mentioned in the same sentence are "
        f"{escape(names.get(a, a))} and {escape(names.get(b, b))}: "
        f"{plural(n, 'sentence')}, {percent(n / base if base else 0)} of the sentences "
        f"mentioning the rarer of the two."
    )


# --- vocabulary ---------------------------------------------------------------------------


def vocabulary_overview(texts: Iterable[str]) -> tuple[dict[str, int], pd.DataFrame]:
    """Vocabulary sizes at each processing step, and the words spelled most ways.

    Returns counts (`tokens`, `surface_types`, `normalized_types`, `analysis_keys`) and a
    table (`normalized`, `spellings`, `variants`, `occurrences`) of normalized words written
    in several surface forms (hamza, alef, taa marbuta, diacritics, tatweel), most varied first.
    """
    from collections import Counter, defaultdict

    from analysis import arabic

    surface: Counter[str] = Counter()
    for text in texts:
        surface.update(arabic.surface_words(text))  # counting a list runs in C
    # Normalization maps characters one by one, so the joined words normalize at once.
    forms_of_words = arabic.normalize("\n".join(surface)).split("\n")
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    for (word, n), form in zip(surface.items(), forms_of_words, strict=True):
        spellings[form][word] = n
    keys = set(map(arabic.stem, spellings))  # the words are normalized already
    rows = [
        (normalized, " · ".join(w for w, _ in forms.most_common()), len(forms), forms.total())
        for normalized, forms in spellings.items()
        if len(forms) > 1
    ]
    variants = pd.DataFrame(rows, columns=["normalized", "spellings", "variants", "occurrences"])
    variants = variants.sort_values(
        ["variants", "occurrences", "normalized"], ascending=[False, False, True]
    ).reset_index(drop=True)
    counts = {
        "tokens": surface.total(),
        "surface_types": len(surface),
        "normalized_types": len(spellings),
        "analysis_keys": len(keys),
    }
    return counts, variants


def describe_vocabulary(counts: Mapping[str, int], n_variants: int) -> str:
    """How normalization and stemming shrink the vocabulary, in one sentence."""
    return (
        f"The analysed texts hold {plural(counts['tokens'], 'Arabic word token')} of "
        f"{plural(counts['surface_types'], 'distinct spelling')}. Spelling normalization "
        f"merges them into {plural(counts['normalized_types'], 'word')} "
        f"({plural(n_variants, 'word')} written in more than one way), and light stemming "
        f"into {plural(counts['analysis_keys'], 'analysis key')}, the unit the lexicon matches."
    )


# --- tables the notebooks show ------------------------------------------------------------


def _titles(documents: pd.DataFrame) -> pd.Series:
    """doc_id -> title (the id when the title is missing)."""
    titles = documents.set_index("doc_id")["title"]
    return titles.fillna(pd.Series(titles.index, index=titles.index))


def _day(dates: pd.Series) -> pd.Series:
    return pd.to_datetime(dates, errors="coerce").dt.strftime("%Y-%m-%d").fillna("")


def document_table(documents: pd.DataFrame, analysis: Any) -> pd.DataFrame:
    """Title, outlet, date, words before/after cleaning, % removed, analysis tokens."""
    tokens = analysis.doc_tokens.set_index("doc_id")["n_tokens"]
    raw = documents["n_words_raw"]
    removed = 100 * (raw - documents["n_words_clean"]) / raw.where(raw > 0)
    return pd.DataFrame(
        {
            "title": documents["title"].fillna(""),
            "outlet": documents["source"].fillna(""),
            "date": _day(documents["date"]),
            "words before": raw,
            "words after": documents["n_words_clean"],
            "% removed": removed.round(1),
            "tokens": documents["doc_id"].map(tokens).fillna(0).astype("int64"),
            "doc_id": documents["doc_id"],
        }
    ).reset_index(drop=True)


def cleaning_rules(audit: pd.DataFrame) -> pd.DataFrame:
    """Per rule: lines removed, documents touched, and the first line it removed."""
    if audit.empty:
        return pd.DataFrame(columns=["rule", "lines", "documents", "example"])
    grouped = audit.groupby("rule", sort=False).agg(
        lines=("line", "size"), documents=("doc_id", "nunique"), example=("text", "first")
    )
    table = grouped.reset_index().sort_values(["lines", "rule"], ascending=[False, True])
    table["rule"] = table["rule"].str.replace("_", " ")
    table["example"] = table["example"].map(lambda text: shorten(text, 90))
    return table.reset_index(drop=True)


def shorten(text: Any, limit: int) -> str:
    """``text`` on one line, cut to ``limit`` characters with an ellipsis."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def audit_table(audit: pd.DataFrame, documents: pd.DataFrame) -> pd.DataFrame:
    """Every removed line with its document's title and the rule."""
    titles = _titles(documents)
    return pd.DataFrame(
        {
            "document": audit["doc_id"].map(titles).map(lambda t: shorten(t, 60)),
            "line": audit["line"],
            "rule": audit["rule"].str.replace("_", " "),
            "removed text": audit["text"].map(lambda t: shorten(t, 200)),
        }
    ).reset_index(drop=True)


def duplicate_table(documents: pd.DataFrame) -> pd.DataFrame:
    """Each duplicate next to the document it duplicates."""
    titles = _titles(documents)
    duplicates = documents[documents["is_duplicate"]]
    return pd.DataFrame(
        {
            "duplicate": duplicates["title"].fillna(duplicates["doc_id"]),
            "duplicate id": duplicates["doc_id"],
            "same as": duplicates["duplicate_of"].map(titles),
            "same as id": duplicates["duplicate_of"],
        }
    ).reset_index(drop=True)


def describe_duplicates(corpus: Any) -> str:
    documents = corpus.documents
    n = int(documents["is_duplicate"].sum())
    if not n:
        return f"No document duplicates another; all {plural(len(documents), 'document')} count."
    verb = "are counted" if corpus.keep_duplicates else "are left out of the counts"
    return (
        f"{plural(n, 'document')} duplicate an earlier one ({percent(n / len(documents), 1)} "
        f"of the corpus) and {verb}."
    )


def document_theme_table(counts: pd.DataFrame, documents: pd.DataFrame) -> pd.DataFrame:
    """``counts_by_document`` with titles first, documents with most mentions first."""
    titles = _titles(documents)
    table = counts.copy()
    table.insert(0, "title", titles.reindex(table.index).fillna("").to_numpy())
    table["total"] = counts.sum(axis=1)
    table = table.reset_index().sort_values(["total", "doc_id"], ascending=[False, True])
    return table.reset_index(drop=True)


def lexicon_table(lexicon: Any) -> pd.DataFrame:
    """Entries per theme and kind (words, phrases, exclusions, context terms and cues)."""
    rows = pd.DataFrame([(p.theme, p.role.lower()) for p in lexicon.patterns], columns=["t", "r"])
    table = pd.crosstab(rows["t"], rows["r"]).reindex([t.id for t in lexicon.themes]).fillna(0)
    table = table.astype("int64")
    table.insert(0, "Arabic name", [t.name_ar for t in lexicon.themes])
    table.insert(0, "theme", [t.name_en for t in lexicon.themes])
    table["entries"] = table.select_dtypes("number").sum(axis=1)
    return table.reset_index(drop=True)


def describe_lexicon(lexicon: Any) -> str:
    return (
        f"Lexicon version {escape(lexicon.version)} defines "
        f"{plural(len(lexicon.themes), 'theme')} with "
        f"{plural(len(lexicon.patterns), 'entry', 'entries')} and "
        f"{plural(len(lexicon.rules), 'context rule')}."
    )


def concordance(analysis: Any, documents: pd.DataFrame, theme: str) -> pd.DataFrame:
    """KWIC lines of one theme, in reading order: before, match, after, entry, document."""
    lines = _kwic(analysis, documents, theme)
    titles = _titles(documents)
    return pd.DataFrame(
        {
            "before": lines["left"],
            "match": lines["match"],
            "after": lines["right"],
            "entry": lines["entry"],
            "document": lines["doc_id"].map(titles).map(lambda t: shorten(t, 50)),
        }
    )


def _kwic(analysis: Any, documents: pd.DataFrame, theme: str) -> pd.DataFrame:
    from analysis import themes

    return themes.kwic(analysis, documents, theme=theme)


def describe_concordance(lines: pd.DataFrame) -> str:
    if lines.empty:
        return "No match in the corpus."
    entries = lines["entry"].value_counts()
    top = enumeration(f"{bdi(e)} ({number(n)})" for e, n in entries[:3].items())
    return (
        f"{plural(len(lines), 'match', 'matches')} in "
        f"{plural(lines['document'].nunique(), 'document')}; most frequent entries: {top}."
    )


MAX_KEYNESS_DOCUMENTS = 12  # more documents than this: distinctive terms per outlet
MAX_KEYNESS_GROUPS = 8


def keyness_groups(documents: pd.DataFrame) -> tuple[pd.Series, str]:
    """A group label per document: the document itself when few, else its outlet."""
    if len(documents) <= MAX_KEYNESS_DOCUMENTS:
        return _titles(documents).reindex(documents["doc_id"]).reset_index(drop=True), "document"
    outlets = documents["source"].fillna("(unknown outlet)").reset_index(drop=True)
    largest = outlets.value_counts().index[:MAX_KEYNESS_GROUPS]
    return outlets.where(outlets.isin(largest)), "outlet"


def describe_keyness_groups(groups: pd.Series, by: str) -> str:
    n = groups.dropna().nunique()
    if by == "document":
        return f"Distinctive terms of each of the {plural(n, 'document')}, against the others."
    return (
        f"The corpus is large, so terms are compared per outlet: the {plural(n, 'outlet')} "
        f"with the most documents, each against all other documents."
    )


def distinctive_terms(documents: pd.DataFrame, groups: pd.Series, top: int = 10) -> pd.DataFrame:
    """The ``top`` over-represented terms of each group against the rest of the corpus."""
    from analysis import themes

    texts = documents["text"].fillna("").astype(str).reset_index(drop=True)
    per_group = {
        label: themes.term_counts(texts[groups == label]) for label in groups.dropna().unique()
    }
    others = themes.term_counts(texts[groups.isna()])
    everything = sum(per_group.values(), others)
    frames = []
    for label, counts in per_group.items():
        table = themes.keyness(counts, everything - counts, min_count=2, top=None)
        table = table[table["key"] == "over"].head(top)
        frames.append(table.assign(group=shorten(label, 50)))
    if not frames:
        return pd.DataFrame(columns=["group", "term", "count", "G2"])
    table = pd.concat(frames, ignore_index=True)
    return table.rename(columns={"count_target": "count", "log_likelihood": "G2"})[
        ["group", "term", "count", "count_reference", "G2"]
    ].round({"G2": 1})


def reading(analysis: Any, documents: pd.DataFrame, names: Mapping[str, str]) -> list[str]:
    """A few sentences that read the figures, each computed from the tables."""
    from analysis import themes

    summary = themes.theme_summary(analysis)
    n_tokens = int(analysis.doc_tokens["n_tokens"].sum())
    counts = themes.counts_by_document(analysis)
    present = (counts > 0).sum(axis=1)
    all_themes = int((present == counts.shape[1]).sum())
    none = int((present == 0).sum())
    lines = [describe_themes(summary, n_tokens)]
    lines.append(
        f"{plural(all_themes, 'document')} of {number(len(counts))} mention all "
        f"{plural(counts.shape[1], 'theme')}, and {plural(none, 'document')} mention none."
    )
    lines.append(describe_cooccurrence(themes.cooccurrence(analysis), names))
    if len(counts):
        best = counts.sum(axis=1).sort_values(ascending=False)
        title = _titles(documents).get(best.index[0], best.index[0])
        lines.append(
            f"The document with the most mentions is “{bdi(shorten(title, 80))}” "
            f"({plural(int(best.iloc[0]), 'mention')})."
        )
    return lines

"""Tidy tables of an `Analysis`: counts, rates, summary, top terms, co-occurrence, KWIC."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from analysis.themes.lexicon import SPACE_RUN
from analysis.themes.matcher import Analysis

if TYPE_CHECKING:
    import pandas as pd

# --- tables ---------------------------------------------------------------------------------


def counts_by_document(analysis: Analysis) -> pd.DataFrame:
    """Hits per document x theme: index `doc_id` (every document), one int column per theme."""
    # A grouped count, not `pd.crosstab`, which aggregates in Python (5 times slower).
    table = analysis.hits.groupby(["doc_id", "theme"]).size().unstack(fill_value=0)
    table = table.reindex(index=analysis.doc_tokens["doc_id"], columns=analysis.theme_ids)
    table = table.fillna(0).astype("int64")
    table.index.name, table.columns.name = "doc_id", None
    return table


def rates_by_document(analysis: Analysis) -> pd.DataFrame:
    """Hits per 1,000 tokens, document x theme (0.0 for a document without tokens)."""
    counts = counts_by_document(analysis)
    tokens = analysis.doc_tokens.set_index("doc_id")["n_tokens"].reindex(counts.index)
    rates = counts.div(tokens.where(tokens > 0), axis=0) * 1000.0
    return rates.fillna(0.0)


def theme_summary(analysis: Analysis) -> pd.DataFrame:
    """Corpus level, one row per theme.

    Columns: `theme`, `name_ar`, `name_en`, `hits`, `rate_per_1000` (hits per 1,000 tokens of
    the corpus), `docs_with_theme`, `share_docs` (of all documents), `sentences_with_theme`,
    `share_sentences` (of all sentences).
    """
    import pandas as pd

    hits = analysis.hits
    n_docs = len(analysis.doc_tokens)
    n_tokens = int(analysis.doc_tokens["n_tokens"].sum())
    n_sentences = int(analysis.doc_tokens["n_sentences"].sum())
    by_theme = hits.groupby("theme")
    counts = by_theme.size()
    docs = by_theme["doc_id"].nunique()
    sentences = hits.drop_duplicates(["doc_id", "sentence", "theme"]).groupby("theme").size()
    rows = []
    for t in analysis.themes:
        n_hits = int(counts.get(t.id, 0))
        n_doc = int(docs.get(t.id, 0))
        n_sent = int(sentences.get(t.id, 0))
        rows.append(
            {
                "theme": t.id,
                "name_ar": t.name_ar,
                "name_en": t.name_en,
                "hits": n_hits,
                "rate_per_1000": n_hits * 1000.0 / n_tokens if n_tokens else 0.0,
                "docs_with_theme": n_doc,
                "share_docs": n_doc / n_docs if n_docs else 0.0,
                "sentences_with_theme": n_sent,
                "share_sentences": n_sent / n_sentences if n_sentences else 0.0,
            }
        )
    return pd.DataFrame(rows)


def top_terms(analysis: Analysis, n: int = 10) -> pd.DataFrame:
    """The `n` most matched entries per theme.

    Columns: `theme`, `entry` (as in the lexicon), `hits`, `docs` (documents with it),
    `top_form` (its most frequent spelling in the texts), `rank` (1 = most hits; ties by entry).
    """
    import pandas as pd

    columns = ["theme", "entry", "hits", "docs", "top_form", "rank"]
    hits = analysis.hits
    if hits.empty:
        return pd.DataFrame(columns=columns)
    grouped = hits.groupby(["theme", "entry"])
    table = pd.DataFrame(
        {
            "hits": grouped.size(),
            "docs": grouped["doc_id"].nunique(),
            "top_form": grouped["match"].agg(lambda s: s.value_counts().index[0]),
        }
    ).reset_index()
    order = {t: i for i, t in enumerate(analysis.theme_ids)}
    table = table.sort_values(
        ["theme", "hits", "entry"], ascending=[True, False, True], key=_theme_order_key(order)
    )
    table["rank"] = table.groupby("theme").cumcount() + 1
    return table[table["rank"] <= n].reset_index(drop=True)[columns]


def _theme_order_key(order: Mapping[str, int]) -> Any:
    def key(column: pd.Series) -> pd.Series:
        return column.map(order) if column.name == "theme" else column

    return key


def cooccurrence(analysis: Analysis) -> pd.DataFrame:
    """Theme x theme: number of sentences mentioning both (diagonal: mentioning the theme)."""
    import pandas as pd

    ids = analysis.theme_ids
    present = analysis.hits.drop_duplicates(["doc_id", "sentence", "theme"])
    indicator = pd.crosstab([present["doc_id"], present["sentence"]], present["theme"])
    indicator = indicator.reindex(columns=ids, fill_value=0).clip(upper=1)
    matrix = indicator.T @ indicator
    matrix = matrix.reindex(index=ids, columns=ids, fill_value=0).astype("int64")
    matrix.index.name = matrix.columns.name = None
    return matrix


def kwic(
    analysis: Analysis,
    documents: pd.DataFrame,
    theme: str | None = None,
    entry: str | None = None,
    width: int = 60,
) -> pd.DataFrame:
    """Concordance: every hit (of `theme`/`entry` if given) with `width` characters of context.

    Columns: `doc_id`, `sentence`, `theme`, `entry`, `left`, `match`, `right`; context comes
    from the document's cleaned `text`, line breaks shown as spaces, cut at word boundaries
    (`context`).
    """
    import pandas as pd

    hits = analysis.hits
    if theme is not None:
        hits = hits[hits["theme"] == theme]
    if entry is not None:
        hits = hits[hits["entry"] == entry]
    texts = documents.assign(doc_id=documents["doc_id"].astype(str)).set_index("doc_id")["text"]
    rows = []
    for h in hits.itertuples(index=False):
        text = texts.get(h.doc_id, "")
        left, right = context(text, h.start, h.end, width)
        rows.append((h.doc_id, h.sentence, h.theme, h.entry, left, text[h.start : h.end], right))
    return pd.DataFrame(
        rows, columns=["doc_id", "sentence", "theme", "entry", "left", "match", "right"]
    )


def context(text: str, start: int, end: int, width: int = 60) -> tuple[str, str]:
    """Left and right context of ``text[start:end]``: at most `width` characters each, one line.

    A window never ends inside a word: a word the cut would split is left out, so a line
    never shows a fragment such as ``والخلايا الإر``.
    """
    left_from = max(0, start - width)
    if left_from > 0 and not text[left_from - 1].isspace():
        while left_from < start and not text[left_from].isspace():
            left_from += 1
    right_to = min(len(text), end + width)
    if right_to < len(text) and not text[right_to].isspace():
        while right_to > end and not text[right_to - 1].isspace():
            right_to -= 1
    return _one_line(text[left_from:start]).lstrip(), _one_line(text[end:right_to]).rstrip()


def _one_line(text: str) -> str:
    return SPACE_RUN.sub(" ", text)


def document_theme_table(analysis: Analysis, documents: pd.DataFrame) -> pd.DataFrame:
    """What `python -m analysis themes` prints: `doc_id`, `title`, `n_tokens`, a count per theme."""
    counts = counts_by_document(analysis).reset_index()
    meta = analysis.doc_tokens[["doc_id", "n_tokens"]]
    if "title" in documents.columns:
        titles = documents[["doc_id", "title"]].astype({"doc_id": str})  # not a whole copy
        meta = meta.merge(titles, on="doc_id", how="left")[["doc_id", "title", "n_tokens"]]
    return meta.merge(counts, on="doc_id", how="left")

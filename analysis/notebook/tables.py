"""The tables the notebooks show, each computed from the corpus, the lexicon or the analysis."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

from analysis.plotting.labels import shorten


def strongest_pair(matrix: pd.DataFrame) -> tuple[str, str, int] | None:
    """The two different themes sharing the most sentences (None when no pair does)."""
    best = None
    for i, a in enumerate(matrix.index):
        for b in matrix.columns[i + 1 :]:
            n = int(matrix.loc[a, b])
            if n and (best is None or n > best[2]):
                best = (a, b, n)
    return best


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


def titles_by_id(documents: pd.DataFrame) -> pd.Series:
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


def audit_table(audit: pd.DataFrame, documents: pd.DataFrame) -> pd.DataFrame:
    """Every removed line with its document's title and the rule."""
    titles = titles_by_id(documents)
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
    titles = titles_by_id(documents)
    duplicates = documents[documents["is_duplicate"]]
    return pd.DataFrame(
        {
            "duplicate": duplicates["title"].fillna(duplicates["doc_id"]),
            "duplicate id": duplicates["doc_id"],
            "same as": duplicates["duplicate_of"].map(titles),
            "same as id": duplicates["duplicate_of"],
        }
    ).reset_index(drop=True)


def document_theme_table(analysis: Any, documents: pd.DataFrame) -> pd.DataFrame:
    """``themes.document_theme_table`` as shown: titles, a total, most mentions first."""
    from analysis import themes

    table = themes.document_theme_table(analysis, documents).drop(columns="n_tokens")
    table["title"] = table["doc_id"].map(titles_by_id(documents)).fillna("")
    table["total"] = table[analysis.theme_ids].sum(axis=1)
    table = table.sort_values(["total", "doc_id"], ascending=[False, True])
    return table.reset_index(drop=True)


def lexicon_table(lexicon: Any) -> pd.DataFrame:
    """Entries per theme and kind (words, phrases, exclusions, context terms and cues)."""
    table = lexicon.role_counts().reset_index(drop=True)
    table.columns.name = None
    table.insert(0, "Arabic name", [t.name_ar for t in lexicon.themes])
    table.insert(0, "theme", [t.name_en for t in lexicon.themes])
    table["entries"] = table.select_dtypes("number").sum(axis=1)
    return table


def concordance(analysis: Any, documents: pd.DataFrame, theme: str) -> pd.DataFrame:
    """KWIC lines of one theme, in reading order: before, match, after, entry, document."""
    lines = _kwic(analysis, documents, theme)
    titles = titles_by_id(documents)
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


MAX_KEYNESS_DOCUMENTS = 12  # more documents than this: distinctive terms per outlet

MAX_KEYNESS_GROUPS = 8


def keyness_groups(documents: pd.DataFrame) -> tuple[pd.Series, str]:
    """A group label per document: the document itself when few, else its outlet."""
    if len(documents) <= MAX_KEYNESS_DOCUMENTS:
        return titles_by_id(documents).reindex(documents["doc_id"]).reset_index(
            drop=True
        ), "document"
    outlets = documents["source"].fillna("(unknown outlet)").reset_index(drop=True)
    largest = outlets.value_counts().index[:MAX_KEYNESS_GROUPS]
    return outlets.where(outlets.isin(largest)), "outlet"


MAX_FORM_DOCUMENTS = 2000  # documents of a group read for the spellings of its terms


def distinctive_terms(documents: pd.DataFrame, groups: pd.Series, top: int = 10) -> pd.DataFrame:
    """The ``top`` over-represented terms of each group against the rest of the corpus.

    `word` is the term's most frequent spelling in the group (`themes.surface_forms`, read in
    at most `MAX_FORM_DOCUMENTS` of its documents), `key` the stem it is counted under.
    """
    from analysis import themes

    columns = ["group", "word", "key", "count", "count_reference", "G2"]
    texts = documents["text"].fillna("").astype(str).reset_index(drop=True)
    labels = groups.reset_index(drop=True)
    frames = []
    for label, table in themes.group_keyness(documents, groups, min_count=2, top=None).items():
        table = table[table["key"] == "over"].head(top)
        group_texts = texts[labels == label].head(MAX_FORM_DOCUMENTS)
        forms = themes.surface_forms(group_texts, set(table["term"]))
        word = table["term"].map(forms).fillna(table["term"])
        frames.append(table.assign(group=shorten(label, 50), word=word))
    if not frames:
        return pd.DataFrame(columns=columns)
    table = pd.concat(frames, ignore_index=True).drop(columns="key")
    table = table.rename(columns={"term": "key", "count_target": "count", "log_likelihood": "G2"})
    return table[columns].round({"G2": 1})

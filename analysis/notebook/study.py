"""The study every notebook opens: corpus, lexicon, analysis (cached), held-out validity."""

from __future__ import annotations

import pickle
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from analysis import config, themes
from analysis.files import atomic_writer
from analysis.notebook.html import escape, init_interactive_tables
from analysis.notebook.provenance import provenance, record_provenance
from analysis.themes import validation


@dataclass
class Study:
    """What a notebook works on: the corpus, the lexicon, the analysis and the output folder."""

    corpus: Any
    lexicon: Any
    documents: pd.DataFrame  # the analysed rows (duplicates excluded unless kept)
    out_dir: Path
    analysis: Any = None


STUDY_CACHE_FILE = config.STUDY_CACHE_FILENAME


def open_study(
    corpus_path: Path | str | None,
    out_dir: Path | str | None,
    *,
    keep_duplicates: bool = False,
    workers: int = 1,
    cache_dir: Path | str | None = None,
    text_field: str | None = None,
    lexicon: Path | str | None = None,
) -> Study:
    """Load, clean and analyse the corpus, record provenance, embed the table library.

    Every notebook starts here, so all pages describe the same corpus the same way. With
    ``cache_dir`` (the report build passes a folder private to one build), the first notebook
    stores the analysis there and the others read it back instead of analysing again: on a
    large corpus the analysis is most of a notebook's time. ``lexicon`` is a lexicon file
    (None: the package's).
    """
    lexicon = themes.load_lexicon(lexicon)
    result = _cached_pipeline_result(
        Path(cache_dir) if cache_dir else None,
        corpus_path,
        lexicon=lexicon,
        keep_duplicates=keep_duplicates,
        workers=workers,
        text_field=text_field,
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


@dataclass
class HeldOut:
    """The lexicon measured on a labelled file (see `held_out_validity`)."""

    path: Path
    labels: pd.DataFrame
    scores: pd.DataFrame  # validation.SCORE_COLUMNS, test split first
    corpora: list[str]  # the corpora of the test sentences (`corpus` column), when given
    kappa: pd.DataFrame | None  # validation.agreement of the two passes, when beside the file
    newest_round: str = ""  # the newest annotation round of the test split, when it has several
    newest: pd.DataFrame | None = None  # test scores of that round alone


def newest_round(tested: pd.DataFrame) -> str:
    """The latest of several annotation rounds in `tested` (numeric order), or ""."""
    rounds = sorted(
        set(tested["round"]) - {""},
        key=lambda r: (not r.isdigit(), int(r) if r.isdigit() else 0, r),
    )
    return rounds[-1] if len(rounds) > 1 else ""


def fits_package_labels(lexicon: Any) -> bool:
    """Whether the package's labelled sentences can measure ``lexicon``.

    They are labelled with the package lexicon's themes: a lexicon that lacks one of them (a
    user's own themes) needs its own labelled sentences.
    """
    return set(themes.default_lexicon().theme_ids) <= set(lexicon.theme_ids)


def validation_absence(lexicon: Any) -> str:
    """Why the package's labelled sentences do not measure ``lexicon`` (a sentence)."""
    name = lexicon.path.name if getattr(lexicon, "path", None) else "this lexicon"
    return (
        f"The package's labelled sentences are labelled with its own themes, not with those of "
        f"{escape(name)}, so they cannot measure it. To measure it, draw sentences of your "
        "corpus with the <code>sample</code> command, label them with your theme ids, check "
        "them with <code>validate --lexicon</code> and build the report with "
        "<code>--labels</code>."
    )


def held_out_validity(lexicon: Any, labels: Path | str | None = None) -> HeldOut | None:
    """Score the lexicon on a labelled TSV (default: the package's real-data set).

    None when no file is given and the package's set does not fit the lexicon
    (`fits_package_labels`).
    """
    if labels is None and not fits_package_labels(lexicon):
        return None
    path = Path(labels) if labels is not None else config.LABELS_PATH
    table = validation.read_labels(path, lexicon.theme_ids)
    tested = table[table["split"] == "test"]
    corpora = sorted(set(tested["corpus"]) - {""})
    kappa = None
    first, second = (path.with_name(name) for name in config.ANNOTATION_PASS_FILENAMES)
    if first.exists() and second.exists():
        kappa = validation.agreement(
            validation.read_annotations(first, lexicon.theme_ids),
            validation.read_annotations(second, lexicon.theme_ids),
            lexicon.theme_ids,
        )
    predicted = validation.predictions(table, lexicon)  # tagged once for both scores
    held_out = HeldOut(
        path, table, validation.score(table, lexicon, predicted=predicted), corpora, kappa
    )
    # The newest round is the one least exposed to tuning: it is shown on its own as well.
    latest = newest_round(tested)
    if latest:
        newest = ((table["split"] == "test") & (table["round"] == latest)).to_numpy()
        held_out.newest_round = latest
        held_out.newest = validation.score(
            table[newest],
            lexicon,
            splits=("test",),
            predicted=[p for p, keep in zip(predicted, newest, strict=True) if keep],
        )
    return held_out

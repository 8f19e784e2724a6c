"""The streaming end-to-end run: files -> clean -> analyse -> the tables' inputs, with workers.

`run_pipeline` gives the same documents, audit, problems, hits and doc_tokens as
`corpus.load_corpus` followed by `themes.analyse_corpus` on the analysed rows, but never holds
the corpus in memory: records stream from disk, and one picklable per-document function
(`DocumentProcessor`) cleans, fingerprints and analyses each record wherever it runs (this
process, local processes or a Dask cluster, through `analysis.parallel.map_ordered`) and
returns only what the tables need: metadata, counts, hits, a fingerprint and the audit.
Duplicates are flagged centrally afterwards, since that needs every fingerprint.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from analysis import config
from analysis.corpus import (
    Corpus,
    Document,
    DocumentRows,
    Fingerprint,
    LoadReport,
    Removal,
    assemble_corpus,
    clean_text,
    document_row,
    documents_frame,
    fingerprint,
    flag_duplicates,
    iter_documents,
)
from analysis.parallel import Engine, map_ordered
from analysis.themes import (
    Analysis,
    DocAnalysis,
    Lexicon,
    analyse_text,
    analysis_from_results,
    default_lexicon,
    load_lexicon,
)

TEXT_COLUMNS = ("raw_text", "text")
EMPTY_AFTER_CLEANING = "empty after cleaning: every line was boilerplate"


@dataclass(frozen=True, slots=True)
class DocumentResult:
    """What a worker sends back for one document: small, never the token list."""

    row: dict[str, Any]  # the documents-table row (texts only when asked to keep them)
    removed: list[Removal]
    fingerprint: Fingerprint
    analysis: DocAnalysis


class DocumentProcessor:
    """Clean, fingerprint and analyse one raw document; picklable for process and Dask maps.

    The lexicon travels with the processor; each process keeps the first copy it receives
    (by content hash), so the automaton and the per-type key cache are built once per
    process rather than once per chunk.
    """

    def __init__(self, lexicon: Lexicon, *, keep_text: bool = True) -> None:
        self.lexicon = lexicon
        self.keep_text = keep_text

    def __call__(self, document: Document) -> DocumentResult:
        lexicon = _PROCESS_LEXICONS.setdefault(self.lexicon.content_hash, self.lexicon)
        cleaned = clean_text(document.raw_text)
        row = document_row(document, cleaned)
        if not self.keep_text:
            for column in TEXT_COLUMNS:
                del row[column]
        return DocumentResult(
            row, cleaned.removed, fingerprint(cleaned.text), analyse_text(cleaned.text, lexicon)
        )


_PROCESS_LEXICONS: dict[str, Lexicon] = {}


@dataclass
class PipelineResult:
    """The corpus (documents, audit, problems, as `load_corpus` gives) and its analysis.

    `analysis` covers the analysed documents only (`corpus.analysed()`: duplicates excluded
    unless `keep_duplicates`), as `analyse_corpus(corpus.analysed())` would.
    """

    corpus: Corpus
    analysis: Analysis

    @property
    def documents(self) -> pd.DataFrame:
        return self.corpus.documents

    @property
    def audit(self) -> pd.DataFrame:
        return self.corpus.audit

    @property
    def problems(self) -> pd.DataFrame:
        return self.corpus.problems

    @property
    def hits(self) -> pd.DataFrame:
        return self.analysis.hits

    @property
    def doc_tokens(self) -> pd.DataFrame:
        return self.analysis.doc_tokens


def run_pipeline(
    path: Path | str | None = None,
    *,
    lexicon: Lexicon | Path | str | None = None,
    text_field: str | None = None,
    keep_duplicates: bool = False,
    keep_text: bool = True,
    workers: int = 1,
    engine: Engine = "local",
    scheduler: str | None = None,
) -> PipelineResult:
    """Load, clean, de-duplicate and analyse a corpus in one streaming pass.

    `keep_text=False` leaves `raw_text` and `text` out of the documents table (what the
    document x theme table needs, at a fraction of the memory; KWIC needs the text).
    `workers`, `engine` and `scheduler` choose where the per-document work runs (see
    `analysis.parallel.map_ordered`); every choice gives identical results.
    """
    root = Path(path) if path is not None else config.default_corpus()
    lexicon = _resolve_lexicon(lexicon)
    report = LoadReport()
    documents = iter_documents(root, text_field=text_field, report=report)
    processor = DocumentProcessor(lexicon, keep_text=keep_text)
    results = map_ordered(
        processor,
        _unique_ids(documents, report),
        workers=workers,
        engine=engine,
        scheduler=scheduler,
    )
    return _assemble(
        root, results, report, lexicon, keep_duplicates=keep_duplicates, keep_text=keep_text
    )


def _resolve_lexicon(lexicon: Lexicon | Path | str | None) -> Lexicon:
    if lexicon is None:
        return default_lexicon()
    if isinstance(lexicon, Lexicon):
        return lexicon
    return load_lexicon(lexicon)


def _unique_ids(documents: Iterable[Document], report: LoadReport) -> Iterator[Document]:
    """Drop a document whose id was already seen, with a warning, as `load_corpus` does."""
    seen: set[str] = set()
    for document in documents:
        if document.doc_id in seen:
            report.add(document.source_file, "", "warning", f"duplicate doc_id: {document.doc_id}")
            continue
        seen.add(document.doc_id)
        yield document


def _assemble(
    root: Path,
    results: Iterable[DocumentResult],
    report: LoadReport,
    lexicon: Lexicon,
    *,
    keep_duplicates: bool,
    keep_text: bool,
) -> PipelineResult:
    """Collect per-document results (in corpus order) into the corpus and analysis tables."""
    rows = DocumentRows()
    audit: list[tuple[str, int, str, str]] = []
    fingerprints: dict[str, Fingerprint] = {}
    analyses: list[DocAnalysis] = []
    empty: list[dict[str, Any]] = []
    for result in results:
        doc_id = result.row["doc_id"]
        rows.append(result.row)
        audit.extend((doc_id, *removal) for removal in result.removed)
        fingerprints[doc_id] = result.fingerprint
        analyses.append(result.analysis)
        if result.row["n_chars_clean"] == 0:
            empty.append(result.row)
    # Warnings about content come after the loader's own problems, in document order, so the
    # table is the same whichever engine produced the results.
    for row in empty:
        location = "" if pd.isna(row["record"]) else f"record {row['record']}"
        report.add(row["source_file"], location, "warning", EMPTY_AFTER_CLEANING)
    duplicates = flag_duplicates(fingerprints)
    del fingerprints
    documents = documents_frame(rows, duplicates)
    if not keep_text:
        documents = documents.drop(columns=list(TEXT_COLUMNS))
    corpus = assemble_corpus(root, documents, audit, report, keep_duplicates=keep_duplicates)
    counted = _analysed_ids(documents, keep_duplicates)
    kept = [(d, a) for d, a in zip(documents["doc_id"], analyses, strict=True) if d in counted]
    analysis = analysis_from_results([d for d, _ in kept], (a for _, a in kept), lexicon)
    return PipelineResult(corpus, analysis)


def _analysed_ids(documents: pd.DataFrame, keep_duplicates: bool) -> set[str]:
    if keep_duplicates:
        return set(documents["doc_id"])
    return set(documents.loc[~documents["is_duplicate"], "doc_id"])

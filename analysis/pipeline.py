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
from analysis.corpus import Corpus, Document, Fingerprint, LoadReport, Removal, iter_documents
from analysis.corpus.table import (
    PreparedDocument,
    build_corpus,
    drop_texts,
    prepare_document,
    unique_documents,
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
    process_lexicon,
)


@dataclass(frozen=True, slots=True)
class DocumentResult:
    """What a worker sends back for one document: small, never the token list."""

    row: dict[str, Any]  # the documents-table row (texts only when asked to keep them)
    removed: list[Removal]
    fingerprint: Fingerprint
    analysis: DocAnalysis


class DocumentProcessor:
    """Clean, fingerprint and analyse one raw document; picklable for process and Dask maps.

    The corpus part is `corpus.prepare_document`, the same call `load_corpus` makes. The
    lexicon travels with the processor; each process keeps the first copy it receives (by
    content hash, `themes.process_lexicon`), so the automaton and the per-type key cache are
    built once per process rather than once per chunk.
    """

    def __init__(self, lexicon: Lexicon, *, keep_text: bool = True) -> None:
        self.lexicon = lexicon
        self.keep_text = keep_text

    def __call__(self, document: Document) -> DocumentResult:
        lexicon = process_lexicon(self.lexicon)
        row, removed, fingerprint = prepare_document(document)
        analysis = analyse_text(row["text"], lexicon)
        return DocumentResult(
            row if self.keep_text else drop_texts(row), removed, fingerprint, analysis
        )


class _Table:
    """A table of the result's corpus or analysis, read under the same name on the result."""

    def __init__(self, owner: str) -> None:
        self.owner = owner
        self.name = ""

    def __set_name__(self, owner_class: type, name: str) -> None:
        self.name = name

    def __get__(self, result: Any, owner_class: type | None = None) -> pd.DataFrame:
        return getattr(getattr(result, self.owner), self.name)


@dataclass
class PipelineResult:
    """The corpus (documents, audit, problems, as `load_corpus` gives) and its analysis.

    `analysis` covers the analysed documents only (`corpus.analysed()`: duplicates excluded
    unless `keep_duplicates`), as `analyse_corpus(corpus.analysed())` would.
    """

    corpus: Corpus
    analysis: Analysis

    documents = _Table("corpus")
    audit = _Table("corpus")
    problems = _Table("corpus")
    hits = _Table("analysis")
    doc_tokens = _Table("analysis")


def run_pipeline(
    path: Path | str | None = None,
    *,
    lexicon: Lexicon | Path | str | None = None,
    text_field: str | None = None,
    keep_duplicates: bool = False,
    keep_text: bool = True,
    encoding: str | None = None,
    max_document_mb: float | None = None,
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
    documents = iter_documents(
        root,
        text_field=text_field,
        report=report,
        encoding=encoding,
        max_document_mb=max_document_mb,
    )
    processor = DocumentProcessor(lexicon, keep_text=keep_text)
    results = map_ordered(
        processor,
        unique_documents(documents, report),
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
    analyses: list[DocAnalysis] = []

    def prepared() -> Iterator[PreparedDocument]:
        for result in results:
            analyses.append(result.analysis)
            yield PreparedDocument(result.row, result.removed, result.fingerprint)

    corpus = build_corpus(
        root, prepared(), report, keep_duplicates=keep_duplicates, keep_text=keep_text
    )
    counted = set(corpus.analysed()["doc_id"])
    kept = [
        (d, a) for d, a in zip(corpus.documents["doc_id"], analyses, strict=True) if d in counted
    ]
    analysis = analysis_from_results([d for d, _ in kept], (a for _, a in kept), lexicon)
    return PipelineResult(corpus, analysis)

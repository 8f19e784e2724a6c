"""The streaming end-to-end run: files -> clean -> analyse -> the tables' inputs, with workers.

`run_pipeline` gives the same documents, audit, problems, hits and doc_tokens as
`corpus.load_corpus` followed by `themes.analyse_corpus` on the analysed rows, but never holds
the corpus in memory. The client only lists the corpus's files (`corpus.list_sources`); each
file is a shard that a worker reads itself (`ShardProcessor`: this process, local processes
or a Dask cluster, through `analysis.parallel.map_ordered`), cleaning, fingerprinting and
analysing every document of it with the one per-document function (`DocumentProcessor`),
and sends back only what the tables need, as columns (`ShardDocuments`): metadata, counts,
hits, fingerprints, the audit, the file's load problems and its content digest. The client
replays those in corpus order (problems, unique doc_ids, the content hash), so every engine
gives the same tables as one loop over `iter_documents`. Duplicates are flagged centrally
afterwards, since that needs every fingerprint.
"""

from __future__ import annotations

import gc
import os
import sys
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack, closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from analysis import config
from analysis.columns import Later, TextSeries, text_series
from analysis.corpus import (
    Corpus,
    Document,
    Fingerprint,
    LoadReport,
    Problem,
    Removal,
    fingerprints_later,
)
from analysis.corpus.readers import ReadOptions, check_read, list_sources, read_file
from analysis.corpus.table import (
    CorpusTables,
    PreparedColumns,
    PreparedDocument,
    UniqueIds,
    clean_documents,
    drop_texts,
    prepare_document,
    prepared_columns,
)
from analysis.parallel import Engine, check_engine, map_ordered
from analysis.themes import (
    Analysis,
    AnalysisRows,
    DocAnalysis,
    HitColumns,
    KeyedBatch,
    Lexicon,
    analyse_text,
    analyse_texts,
    default_lexicon,
    hit_columns,
    key_batch_later,
    load_lexicon,
    process_lexicon,
)

if TYPE_CHECKING:
    import pandas as pd


class DocumentResult(NamedTuple):
    """What a worker makes of one document: small, never the token list (a shard's go back
    to the client as columns, `ShardDocuments`)."""

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

    def __init__(
        self, lexicon: Lexicon, *, keep_text: bool = True, count_words: bool = True
    ) -> None:
        self.lexicon = lexicon
        self.keep_text = keep_text
        self.count_words = count_words

    def __call__(self, document: Document) -> DocumentResult:
        lexicon = process_lexicon(self.lexicon)
        row, removed, fingerprint = prepare_document(document, count_words=self.count_words)
        analysis = analyse_text(row["text"], lexicon)
        return DocumentResult(
            row if self.keep_text else drop_texts(row), removed, fingerprint, analysis
        )

    def batch(self, documents: Sequence[Document]) -> list[DocumentResult]:
        """`[self(d) for d in documents]` done as columns (`themes.analyse_texts`,
        `corpus.fingerprints`): the same results, but for the fingerprints' values (the same
        duplicates are flagged)."""
        return self.finish(self.start(documents))

    def start(
        self, documents: Sequence[Document], ahead: ThreadPoolExecutor | None = None
    ) -> StartedBatch:
        """Clean the batch's documents; tokenize and fingerprint their texts on the `ahead`
        thread if given (`batch_columns`: polars and the C pass, without the GIL) while this
        one goes on."""
        lexicon = process_lexicon(self.lexicon)
        # The lines the cleaning rules could take found first, as columns (polars); in one
        # process too, since the tokenizer's pass left the other thread room (SaudiNewsNet:
        # 5.15 s against 5.38 s with every line asked in Python, medians of five alternating
        # runs).
        cleaned = clean_documents(documents, count_words=self.count_words)
        texts = [row["text"] for row, _ in cleaned]
        # Built here: making the series holds the GIL either way (built on the other thread,
        # one process took 5.03 against 5.13 s, but was faster in only 3 of 5 runs).
        column = text_series(texts)
        if ahead is None:
            return StartedBatch(cleaned, batch_columns(texts, lexicon, column))
        return StartedBatch(cleaned, ahead.submit(batch_columns, texts, lexicon, column))

    def finish(self, started: StartedBatch) -> list[DocumentResult]:
        """The batch's results, once its columns are in."""
        columns = started.columns
        if isinstance(columns, Future):
            columns = columns.result()
        # The columns' Python objects are made here, not on the tokenizing thread, which
        # was the busier (`columns.Later`).
        keyed, prints = columns[0](), columns[1]()
        texts = [row["text"] for row, _ in started.cleaned]
        analyses = analyse_texts(texts, process_lexicon(self.lexicon), keyed=keyed)
        return [
            DocumentResult(row if self.keep_text else drop_texts(row), removed, fingerprint, a)
            for (row, removed), fingerprint, a in zip(
                started.cleaned, prints, analyses, strict=True
            )
        ]


BatchColumns = tuple[Later[KeyedBatch], Later[list[Fingerprint]]]


def batch_columns(
    texts: list[str], lexicon: Lexicon, column: TextSeries | None = None
) -> BatchColumns:
    """What a batch computes as columns: its keyed tokens and its fingerprints (from one
    polars series of the texts, `column` if the caller built it), each made into Python
    objects when called (`columns.Later`)."""
    column = text_series(texts, column)
    return key_batch_later(texts, lexicon, column=column), fingerprints_later(texts, column=column)


class StartedBatch(NamedTuple):
    """A batch cleaned, its columns found or being found (`DocumentProcessor.start`)."""

    cleaned: list[tuple[dict[str, Any], list[Removal]]]  # rows (with their texts) and audits
    columns: BatchColumns | Future[BatchColumns]


@dataclass(frozen=True, slots=True)
class Shard:
    """One corpus file for a worker to read: its name in the corpus, its path, the options.

    `path` is absolute: a Dask worker on another machine must see the corpus at the same
    path (shared storage).
    """

    name: str
    path: str
    options: ReadOptions


class ShardDocuments(NamedTuple):
    """A shard's documents as columns, in reading order: what the client's tables take.

    Columns, not a `DocumentResult` per document: SaudiNewsNet's 30,676 results and their
    102,000 hits pickle in 0.15-0.24 s instead of 0.38-0.59 s and unpickle in 0.11-0.17 s
    instead of 0.27-0.41 s (three alternating measurements), and the client no longer makes
    a row of each one.
    """

    prepared: PreparedColumns  # the rows, audits and fingerprints
    n_tokens: list[int]
    n_sentences: list[int]
    hits: HitColumns


@dataclass(frozen=True, slots=True)
class ShardResult:
    """A shard's load problems and documents in reading order, and its content digests.

    `events` holds each problem in its place among the documents, and `None` in the place of
    each document, whose columns are in `documents`, in the same order.
    """

    events: list[Problem | None]
    documents: ShardDocuments
    digests: list[tuple[str, bytes]]


def shard_result(
    events: Sequence[Problem | DocumentResult], digests: list[tuple[str, bytes]]
) -> ShardResult:
    """The shard's result, its documents' results as columns."""
    results = [e for e in events if isinstance(e, DocumentResult)]
    prepared = prepared_columns(
        [PreparedDocument(r.row, r.removed, r.fingerprint) for r in results]
    )
    analyses = [r.analysis for r in results]
    documents = ShardDocuments(
        prepared,
        [a.n_tokens for a in analyses],
        [a.n_sentences for a in analyses],
        hit_columns(analyses),
    )
    markers = [None if isinstance(e, DocumentResult) else e for e in events]
    return ShardResult(markers, documents, digests)


@dataclass
class _ShardReport(LoadReport):
    """A worker's load report: problems kept in order with the documents, never logged
    (the client logs them when it replays them), digests kept for the client's hash."""

    events: list[Problem | DocumentResult] = field(default_factory=list)
    digests: list[tuple[str, bytes]] = field(default_factory=list)

    def add(self, file: str, location: str, severity: str, message: str) -> None:
        self.events.append(Problem(file, location, severity, message))

    def note_digest(self, name: str, digest: bytes) -> None:
        self.digests.append((name, digest))


# Documents analysed together on the columnar path: enough for the columns to pay, few enough
# to keep a worker small. SaudiNewsNet in one process (its files hold 1,000 to 3,500
# articles): 12.14 s at 1,000, 11.57 s at 2,000 (medians of four alternating runs), and
# 13.31 s at 2,000 against 12.24 s at 4,000 in a slower hour (three runs each); peak RSS
# 412, 437 and 447 MB.
BATCH_DOCUMENTS = 4000
# In one process: the first batch is small, and three batches are cleaned while the columns
# of an earlier one are computed on the second thread. The cleaning thread then waited
# 0.1-0.7 s for columns in a run, against about 1 s (most of it for the first, slowest,
# batch), and a run took 11.00 s against 11.39 s (medians of five alternating pairs; peak
# RSS 457 against 444 MB).
FIRST_BATCH_DOCUMENTS = 500
BATCHES_AHEAD = 3
_PENDING: Any = None  # an event whose document is still in the batch


class ShardProcessor:
    """Read one shard and process each of its documents; picklable for process and Dask maps.

    `columnar=True` analyses the documents in batches (`DocumentProcessor.start` and
    `finish`): the same results, the per-document path being the reference (see
    `run_pipeline`).
    """

    def __init__(
        self,
        lexicon: Lexicon,
        *,
        keep_text: bool = True,
        count_words: bool = True,
        columnar: bool = False,
        second_thread: bool = True,
    ) -> None:
        self.document = DocumentProcessor(lexicon, keep_text=keep_text, count_words=count_words)
        self.columnar = columnar
        self.second_thread = second_thread

    def __call__(self, shard: Shard) -> ShardResult:
        with closing(self.map([shard])) as results:
            return next(results)

    def map(self, shards: Iterable[Shard]) -> Iterator[ShardResult]:
        """Each shard's result, in order: in one process, the batches of consecutive shards
        form one pipeline (`_pipelined`)."""
        with _collector_paused():
            yield from self._pipelined(shards) if self.columnar else self._one_by_one(shards)

    def _one_by_one(self, shards: Iterable[Shard]) -> Iterator[ShardResult]:
        for shard in shards:
            report = _ShardReport()
            for document in read_file(shard.name, Path(shard.path), shard.options, report):
                report.n_read += 1
                report.events.append(self.document(document))
            yield shard_result(report.events, report.digests)

    def _pipelined(self, shards: Iterable[Shard]) -> Iterator[ShardResult]:
        # Batch k's columns (tokens, fingerprints) are computed on a second thread while this
        # one cleans batch k+1, the next shard's first batch too: polars holds no GIL, so one
        # process keeps two cores busy, and no shard's start waits for its first columns.
        started: deque[tuple[_ShardReport, list[int], StartedBatch]] = deque()
        read: deque[_ShardReport] = deque()  # shards read, not yet handed on, in order
        # Inline (no second thread), a batch is finished at once: nothing to overlap, and a
        # worker holds one batch, not three.
        ahead_batches = BATCHES_AHEAD if self.second_thread else 0
        with ExitStack() as stack:
            ahead = None
            if self.second_thread:
                ahead = stack.enter_context(ThreadPoolExecutor(1))
                stack.enter_context(_short_switch_interval())
            # A small first batch sets the second thread going early: its first columns
            # (polars' regexes built, the most new words keyed) are the slowest.
            first = FIRST_BATCH_DOCUMENTS if self.second_thread else BATCH_DOCUMENTS
            for shard in shards:
                report = _ShardReport()
                documents = read_file(shard.name, Path(shard.path), shard.options, report)
                for slots, batch in self._batches(documents, report, first):
                    first = BATCH_DOCUMENTS
                    started.append((report, slots, self.document.start(batch, ahead)))
                    if len(started) > ahead_batches:
                        self._fill(*started.popleft())
                        yield from _finished(read, started)
                read.append(report)
                yield from _finished(read, started)
            while started:
                self._fill(*started.popleft())
            yield from _finished(read, started)

    @staticmethod
    def _batches(
        documents: Iterable[Document], report: _ShardReport, first: int
    ) -> Iterator[tuple[list[int], list[Document]]]:
        """Batches of documents, each with the places in `report.events` its results go to
        (a problem read after a document stays after it); the first holds at most `first`."""
        slots: list[int] = []
        batch: list[Document] = []
        size = first
        for document in documents:
            report.n_read += 1
            slots.append(len(report.events))
            report.events.append(_PENDING)
            batch.append(document)
            if len(batch) == size:
                yield slots, batch
                slots, batch, size = [], [], BATCH_DOCUMENTS
        if batch:
            yield slots, batch

    def _fill(self, report: _ShardReport, slots: list[int], started: StartedBatch) -> None:
        for slot, result in zip(slots, self.document.finish(started), strict=True):
            report.events[slot] = result


def _finished(
    read: deque[_ShardReport], started: deque[tuple[_ShardReport, list[int], StartedBatch]]
) -> Iterator[ShardResult]:
    """The results of the shards read whose batches are all filled, oldest first."""
    while read and not any(report is read[0] for report, _, _ in started):
        report = read.popleft()
        yield shard_result(report.events, report.digests)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off while a corpus streams through, then as it was.

    A run makes millions of small containers (rows, hits, fingerprints' sets) that live on,
    and almost none in a reference cycle: every pass re-examines them for nothing. On
    SaudiNewsNet, collecting the youngest generation every 100,000 new containers (instead
    of Python's 700) left five passes in a client: 0.23 s, which found 449 objects in cycles
    in all. Paused, a run took 8.52 against 8.70 s in one process (medians of five
    alternating runs), with the same peak RSS.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@contextmanager
def _short_switch_interval(seconds: float = 0.0002) -> Iterator[None]:
    """The GIL handed over every `seconds` rather than every 5 ms, while shards are processed.

    Each of the tokenizing thread's polars calls needs the GIL for a moment to start: at the
    default interval it waits up to 5 ms each time, and the two threads barely overlap.
    """
    previous = sys.getswitchinterval()
    sys.setswitchinterval(seconds)
    try:
        yield
    finally:
        sys.setswitchinterval(previous)


def replay_shards(
    root: Path, results: Iterable[ShardResult], report: LoadReport
) -> Iterator[ShardDocuments]:
    """The shards' documents in corpus order, their problems and digests folded into
    `report`, and doc_ids made unique, exactly as one loop over `iter_documents` does."""
    ids = UniqueIds(report)
    for result in results:
        for name, digest in result.digests:
            report.note_digest(name, digest)
        rows = result.documents.prepared.rows
        doc_ids = rows.get("doc_id", [])
        place = 0
        for event in result.events:
            if event is not None:
                report.add(*event)
                continue
            report.n_read += 1
            new_id = ids.check(doc_ids[place], rows["source_file"][place], rows["record"][place])
            if new_id is not None:
                doc_ids[place] = new_id
            place += 1
        yield result.documents
    check_read(root, report)


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
    count_words: bool = True,
    encoding: str | None = None,
    max_document_mb: float | None = None,
    workers: int = 1,
    engine: Engine = "local",
    scheduler: str | None = None,
    columnar: bool = True,
) -> PipelineResult:
    """Load, clean, de-duplicate and analyse a corpus in one streaming pass.

    `keep_text=False` leaves `raw_text` and `text` out of the documents table (what the
    document x theme table needs, at a fraction of the memory; KWIC needs the text), and
    `count_words=False` leaves out `n_words_raw` and `n_words_clean` (5 % of the work).
    `workers`, `engine` and `scheduler` choose where the per-document work runs (see
    `analysis.parallel.map_ordered`); every choice gives identical results. `columnar=True` (the
    default) analyses each file's documents in batches as columns (`themes.analyse_texts`);
    `columnar=False` analyses one document at a time (`themes.analyse_text`, the reference
    the batch path is tested against): the same results again.
    """
    root = Path(path) if path is not None else config.default_corpus()
    lexicon = _resolve_lexicon(lexicon)
    report = LoadReport()
    sources, options = list_sources(
        root,
        text_field=text_field,
        report=report,
        encoding=encoding,
        max_document_mb=max_document_mb,
    )
    shards = [Shard(name, os.path.abspath(file), options) for name, file in sources]
    check_engine(engine, workers, scheduler)
    in_process = engine == "local" and workers <= 1
    # The second thread pays where one process has the machine; worker processes already
    # keep the cores busy, and the thread only added switching to them.
    processor = ShardProcessor(
        lexicon,
        keep_text=keep_text,
        count_words=count_words,
        columnar=columnar,
        second_thread=in_process,
    )
    if in_process:
        results = processor.map(shards)  # in this process: one pipeline of batches
    else:
        results = map_ordered(
            processor,
            shards,
            workers=workers,
            engine=engine,
            scheduler=scheduler,
            chunk_size=1,  # a shard is a whole file: one task each
        )
    # The shards' generator is closed before the collector is switched back on, even when
    # the tables fail half way: it pauses the collector too, and would switch it on late.
    with _collector_paused(), closing(results):
        documents = replay_shards(root, results, report)
        tables = CorpusTables(keep_text=keep_text, count_words=count_words)
        return _assemble(root, documents, report, lexicon, tables, keep_duplicates=keep_duplicates)


def _resolve_lexicon(lexicon: Lexicon | Path | str | None) -> Lexicon:
    if lexicon is None:
        return default_lexicon()
    if isinstance(lexicon, Lexicon):
        return lexicon
    return load_lexicon(lexicon)


def _assemble(
    root: Path,
    shards: Iterable[ShardDocuments],
    report: LoadReport,
    lexicon: Lexicon,
    tables: CorpusTables,
    *,
    keep_duplicates: bool,
) -> PipelineResult:
    """Collect the shards' documents (in corpus order) into the corpus tables (`tables`, empty
    so far) and the analysis, each shard as it arrives (while workers are still busy with
    later ones)."""
    analyses = AnalysisRows()
    for documents in shards:
        doc_ids = documents.prepared.rows.get("doc_id", [])  # their final, unique ids
        analyses.add_columns(doc_ids, documents.n_tokens, documents.n_sentences, documents.hits)
        tables.add_columns(documents.prepared)
    corpus = tables.corpus(root, report, keep_duplicates=keep_duplicates)
    # The analysis covers the analysed documents only: duplicates are known at the end.
    leaving_out = corpus.left_out()
    return PipelineResult(corpus, analyses.analysis(lexicon, leaving_out=leaving_out))

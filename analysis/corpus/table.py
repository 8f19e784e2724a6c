"""The corpus as tables: one path per document (clean, row, fingerprint) and the assembly."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from analysis import config
from analysis.corpus.clean import Cleaned, Removal, clean_text, clean_texts, hygiene
from analysis.corpus.dedup import DuplicateFlagger, Fingerprint, fingerprint
from analysis.corpus.readers import Document, LoadReport, iter_documents
from analysis.corpus.spelling import word_count

if TYPE_CHECKING:
    import pandas as pd

log = logging.getLogger(__name__)


DOCUMENT_COLUMNS = (
    "doc_id",
    "source_file",
    "record",
    "title",
    "source",
    "url",
    "author",
    "date",
    "raw_text",
    "text",
    "n_chars_raw",
    "n_chars_clean",
    "n_words_raw",
    "n_words_clean",
    "duplicate_of",
    "is_duplicate",
)
AUDIT_COLUMNS = ("doc_id", "line", "rule", "text")
PROBLEM_COLUMNS = ("file", "location", "severity", "message")


@dataclass
class Corpus:
    """Documents (duplicates flagged, not dropped), the cleaning audit and the load problems."""

    documents: pd.DataFrame
    audit: pd.DataFrame
    problems: pd.DataFrame
    name: str
    path: Path
    content_hash: str
    keep_duplicates: bool = False
    summary: str = ""

    def analysed(self) -> pd.DataFrame:
        """The rows that count: duplicates excluded unless `keep_duplicates`."""
        if self.keep_duplicates:
            return self.documents
        return self.documents[~self.documents["is_duplicate"]]

    def left_out(self) -> set[str]:
        """The doc_ids of the rows `analysed` leaves out, read off two columns rather than
        from a copy of the rows (0.04 s at the end of a SaudiNewsNet run)."""
        if self.keep_duplicates:
            return set()
        documents = self.documents
        # As a list: iterating the Arrow-backed column itself took three times as long.
        return set(documents["doc_id"][documents["is_duplicate"]].tolist())


TEXT_COLUMNS = ("raw_text", "text")
WORD_COLUMNS = ("n_words_raw", "n_words_clean")
EMPTY_AFTER_CLEANING = "empty after cleaning: every line was boilerplate"


class PreparedDocument(NamedTuple):
    """What the corpus stage keeps of one document: its row, its audit, its fingerprint."""

    row: dict[str, Any]  # the documents-table row (texts only when asked to keep them)
    removed: list[Removal]
    fingerprint: Fingerprint


def prepare_document(document: Document, *, count_words: bool = True) -> PreparedDocument:
    """Clean one raw document: its table row, its audit and its fingerprint.

    The one per-document path of the corpus stage: `load_corpus` and
    `analysis.pipeline.DocumentProcessor` (in this process, local workers or Dask) both
    call it, so both give the same rows.
    """
    row, removed = clean_document(document, count_words=count_words)
    return PreparedDocument(row, removed, fingerprint(row["text"]))


def clean_document(
    document: Document, *, count_words: bool = True
) -> tuple[dict[str, Any], list[Removal]]:
    """`prepare_document` but the fingerprint: the row and the audit (a batch path
    fingerprints its texts together, `dedup.fingerprints`); `count_words=False` leaves the
    row's `WORD_COLUMNS` out (`document_row`)."""
    cleaned = clean_text(document.raw_text)
    return document_row(document, cleaned, count_words=count_words), cleaned.removed


def clean_documents(
    documents: Sequence[Document], *, count_words: bool = True
) -> list[tuple[dict[str, Any], list[Removal]]]:
    """`[clean_document(d) for d in documents]`, cleaned together (`clean.clean_texts`)."""
    cleaned = clean_texts([document.raw_text for document in documents])
    return [
        (document_row(document, text, count_words=count_words), text.removed)
        for document, text in zip(documents, cleaned, strict=True)
    ]


def drop_texts(row: dict[str, Any]) -> dict[str, Any]:
    """The row without `raw_text` and `text` (a worker sends back only what tables need)."""
    for column in TEXT_COLUMNS:
        del row[column]
    return row


def unique_documents(documents: Iterable[Document], report: LoadReport) -> Iterator[Document]:
    """Give a document whose id was already taken a distinct one, with a warning naming both.

    Two sources can map to one id (`2015.txt` and `2015.zip!2015.txt` are both `2015`): the
    later one (in reading order, so always the same) takes its source name as its id,
    `2015.zip!2015.txt` (`file.json:17` for a record), numbered if even that is taken.
    """
    ids = UniqueIds(report)
    for document in documents:
        new_id = ids.check(document.doc_id, document.source_file, document.record)
        if new_id is not None:
            document = dataclasses.replace(document, doc_id=new_id)
        yield document


class UniqueIds:
    """The doc_ids taken so far; `check` says which id a document read next must take."""

    def __init__(self, report: LoadReport) -> None:
        self.report = report
        self.seen: dict[str, str] = {}  # doc_id -> source file

    def check(self, doc_id: str, source_file: str, record: int | None) -> str | None:
        """None when `doc_id` is free (it is now taken), else the new id, with the warning."""
        first = self.seen.get(doc_id)
        if first is None:
            self.seen[doc_id] = source_file
            return None
        base = source_file if record is None else f"{source_file}:{record}"
        new_id, n = base, 1
        while new_id in self.seen:
            n += 1
            new_id = f"{base}~{n}"
        location = "" if record is None else f"record {record}"
        self.report.add(
            source_file,
            location,
            "warning",
            f"duplicate doc_id: {doc_id} is already {first}'s; {source_file} is {new_id}",
        )
        self.seen[new_id] = source_file
        return new_id


def load_corpus(
    path: Path | str | None = None,
    *,
    text_field: str | None = None,
    keep_duplicates: bool = False,
    encoding: str | None = None,
    max_document_mb: float | None = None,
) -> Corpus:
    """Read, clean, audit and de-duplicate a corpus (default: the seed articles)."""
    root = Path(path) if path is not None else config.default_corpus()
    report = LoadReport()
    documents = unique_documents(
        iter_documents(
            root,
            text_field=text_field,
            report=report,
            encoding=encoding,
            max_document_mb=max_document_mb,
        ),
        report,
    )
    corpus = build_corpus(
        root, map(prepare_document, documents), report, keep_duplicates=keep_duplicates
    )
    log.info("%s: %s", root, corpus.summary)
    return corpus


def build_corpus(
    root: Path,
    prepared: Iterable[PreparedDocument],
    report: LoadReport,
    *,
    keep_duplicates: bool,
    keep_text: bool = True,
    count_words: bool = True,
) -> Corpus:
    """Collect prepared documents (in corpus order) into the `Corpus` tables.

    Duplicates are flagged here, centrally, since that needs every earlier fingerprint; each
    document as it arrives.
    """
    tables = CorpusTables(keep_text=keep_text, count_words=count_words)
    for document in prepared:
        tables.add(document)
    return tables.corpus(root, report, keep_duplicates=keep_duplicates)


class PreparedColumns(NamedTuple):
    """Prepared documents as columns (a pipeline's shard): `PreparedDocument`'s fields, each
    a list in document order, the rows as one list per column."""

    rows: dict[str, list[Any]]  # column -> its values (no columns when there is no row)
    removed: list[list[Removal]]
    fingerprints: list[Fingerprint]


def prepared_columns(documents: Sequence[PreparedDocument]) -> PreparedColumns:
    """The documents' fields as columns (every row has the same columns, in one order)."""
    columns = list(documents[0].row) if documents else []
    return PreparedColumns(
        {column: [d.row[column] for d in documents] for column in columns},
        [d.removed for d in documents],
        [d.fingerprint for d in documents],
    )


def row_columns(*, keep_text: bool = True, count_words: bool = True) -> tuple[str, ...]:
    """The documents table's columns that come from the rows (all but the duplicate
    columns), less the texts or the word counts when they are not wanted."""
    left_out = (() if keep_text else TEXT_COLUMNS) + (() if count_words else WORD_COLUMNS)
    return tuple(c for c in DOCUMENT_COLUMNS[:-2] if c not in left_out)


class CorpusTables:
    """`build_corpus`'s tables, built as documents arrive: one at a time (`add`), or a batch
    as columns (`add_columns`, a pipeline's shard); the same tables either way.

    `keep_text=False` and `count_words=False` leave those columns out of the documents table
    (`row_columns`): rows that hold them anyway are read without them.
    """

    def __init__(self, *, keep_text: bool = True, count_words: bool = True) -> None:
        self._rows = DocumentRows(row_columns(keep_text=keep_text, count_words=count_words))
        self._audit: list[tuple[str, int, str, str]] = []
        self._flagger = DuplicateFlagger()  # as documents arrive: workers may still be busy
        self._empty: list[tuple[str, int | None]] = []  # (source_file, record)

    def add(self, document: PreparedDocument) -> None:
        row = document.row
        self._rows.append(row)
        self._audit.extend((row["doc_id"], *removal) for removal in document.removed)
        self._flagger.add(row["doc_id"], document.fingerprint)
        if row["n_chars_clean"] == 0:
            self._empty.append((row["source_file"], row["record"]))

    def add_columns(self, documents: PreparedColumns) -> None:
        rows = documents.rows
        if not rows:
            return
        self._rows.extend(rows)
        doc_ids = rows["doc_id"]
        for doc_id, removed, print_ in zip(
            doc_ids, documents.removed, documents.fingerprints, strict=True
        ):
            if removed:
                self._audit.extend((doc_id, *removal) for removal in removed)
            self._flagger.add(doc_id, print_)
        self._empty.extend(
            (source_file, record)
            for source_file, record, n_chars in zip(
                rows["source_file"], rows["record"], rows["n_chars_clean"], strict=True
            )
            if n_chars == 0
        )

    def corpus(self, root: Path, report: LoadReport, *, keep_duplicates: bool) -> Corpus:
        """The `Corpus` of every document added; call it once, when all are in."""
        # Warnings about content come after the loader's own problems, in document order, so
        # the table is the same whichever engine produced the documents.
        for source_file, record in self._empty:
            location = "" if record is None else f"record {record}"
            report.add(source_file, location, "warning", EMPTY_AFTER_CLEANING)
        documents = documents_frame(self._rows, self._flagger.duplicates)
        return assemble_corpus(
            root, documents, self._audit, report, keep_duplicates=keep_duplicates
        )


def assemble_corpus(
    root: Path,
    documents: pd.DataFrame,
    audit: Iterable[tuple[Any, ...]],
    report: LoadReport,
    *,
    keep_duplicates: bool,
) -> Corpus:
    """The `Corpus` of loaded documents, their audit rows and the load report."""
    import pandas as pd

    return Corpus(
        documents=documents,
        audit=pd.DataFrame(audit, columns=list(AUDIT_COLUMNS)).astype({"line": "int64"}),
        problems=pd.DataFrame(report.problems, columns=list(PROBLEM_COLUMNS)),
        name=root.name if root.is_dir() else root.stem,
        path=root,
        content_hash=report.content_hash,
        keep_duplicates=keep_duplicates,
        summary=report.summary(),
    )


def document_row(
    document: Document, cleaned: Cleaned, *, count_words: bool = True
) -> dict[str, Any]:
    """The document's row of the documents table (less the duplicate columns).

    Counting words splits every raw text (0.4 s of a SaudiNewsNet run's 8.5 s of CPU in
    one process): `count_words=False` leaves `WORD_COLUMNS` out, for a run that shows none.
    """
    row = {
        "doc_id": document.doc_id,
        "source_file": document.source_file,
        "record": document.record,
        "title": field_hygiene(document.title) or cleaned.title,
        "source": field_hygiene(document.source) or cleaned.source,
        "url": document.url,  # an address, kept byte for byte
        "author": field_hygiene(document.author),
        "date": document.date or cleaned.date,
        "raw_text": document.raw_text,
        "text": cleaned.text,
        "n_chars_raw": len(document.raw_text),
        "n_chars_clean": len(cleaned.text),
    }
    if count_words:
        row.update(_word_counts(document.raw_text, cleaned.text))
    return row


def _word_counts(raw: str, text: str) -> dict[str, int]:
    """`n_words_raw` and `n_words_clean`; the text split once when cleaning kept every word
    (the clean text is the raw one less trailing blanks: most articles, and half the time)."""
    n_raw = word_count(raw)
    kept_every_word = raw.startswith(text) and not raw[len(text) :].strip()
    return {
        "n_words_raw": n_raw,
        "n_words_clean": n_raw if kept_every_word else word_count(text),
    }


def field_hygiene(value: str | None) -> str | None:
    """A title, outlet or author cleaned as the body is, then stripped; None if nothing is left.

    `hygiene` removes bidi and other invisible controls (so "الأمن" never displays
    reversed), maps presentation forms and composes NFC. The field is never cut.
    """
    if value is None:
        return None
    return hygiene(value).strip() or None


_STRING_COLUMNS = ("doc_id", "source_file", "title", "source", "url", "author", "raw_text", "text")


class DocumentRows:
    """Documents-table rows, turned into DataFrame chunks as they arrive.

    Holding a whole corpus as row dicts and converting it at once peaks at about three times
    the finished table (the Python strings, their Arrow copies, the intermediate arrays):
    960 MB for SaudiNewsNet. In chunks, each row's Python strings live only until their chunk
    is converted.
    """

    CHUNK = 2000

    def __init__(self, columns: Sequence[str] | None = None) -> None:
        # The frame's columns (`row_columns()` unless given); a row's other keys are left out.
        self.columns = list(row_columns() if columns is None else columns)
        self._chunks: list[pd.DataFrame] = []
        self._rows: list[dict[str, Any]] = []

    def append(self, row: dict[str, Any]) -> None:
        self._rows.append(row)
        if len(self._rows) >= self.CHUNK:
            self._flush()

    def extend(self, columns: dict[str, list[Any]]) -> None:
        """Rows given as columns (a pipeline's shard), as one chunk of their own."""
        import pandas as pd

        self._flush()  # the rows appended before them stay before them
        self._chunks.append(pd.DataFrame(columns, columns=self.columns))

    def _flush(self) -> None:
        import pandas as pd

        if self._rows:
            self._chunks.append(pd.DataFrame(self._rows, columns=self.columns))
            self._rows = []

    def frame(self) -> pd.DataFrame:
        """All the rows, typed as if built at once (a text column with any value is `str`).

        The chunks are handed over, not kept: call it once, when every row is in.
        """
        import pandas as pd

        self._flush()
        if not self._chunks:
            return pd.DataFrame(columns=self.columns)
        frame = pd.concat(self._chunks, ignore_index=True)
        self._chunks = []
        for column in (c for c in _STRING_COLUMNS if c in frame.columns):
            # A chunk whose column is all None is `object`, and concatenation keeps `object`.
            if frame[column].dtype == object and frame[column].notna().any():
                frame[column] = frame[column].astype("str")
        return frame


_DTYPES = {
    "record": "Int64",
    "date": "datetime64[ns]",
    "n_chars_raw": "int64",
    "n_chars_clean": "int64",
    "n_words_raw": "int64",
    "n_words_clean": "int64",
    "is_duplicate": "bool",
}


def documents_frame(rows: DocumentRows, duplicates: dict[str, str]) -> pd.DataFrame:
    frame = rows.frame()
    frame["duplicate_of"] = frame["doc_id"].map(duplicates)
    frame["is_duplicate"] = frame["duplicate_of"].notna()
    return frame.astype({c: dtype for c, dtype in _DTYPES.items() if c in frame.columns})

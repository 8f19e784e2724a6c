"""Corpus ingestion and cleaning: read articles from files, strip site chrome, audit every removal.

One module per concern, each usable on its own (a worker process takes any of them):

- `readers`: all file I/O (with `sources`). `iter_documents` streams raw `Document`
  records; problems go to a `LoadReport`, never raised, unless nothing at all is readable.
- `sources`: the folder walk (symbolic links followed with a loop guard) and zip members
  streamed under the size limit; `encoding`: bytes to text, with a hint when a file is not
  UTF-8, binary content refused.
- `clean`: `clean_text`, a pure function of the raw text (hygiene, boilerplate line rules,
  repeated paragraphs), every dropped line audited as a `Removal(line, rule, text)`;
  `clean_texts` the same for a batch, asking only the lines `screen` finds (polars).
- `boilerplate`: the line rules, their vocabularies read from `analysis/data/boilerplate.yaml`.
- `screen`: the lines of a batch that a line rule could take or that could be a dateline.
- `dates`: dates and datelines as the text writes them.
- `dedup`: `fingerprint` (`fingerprints` for a batch, as columns) + `flag_duplicates`, exact
  and near duplicates.
- `table`: `prepare_document` (the one per-document path) and `load_corpus`, a `Corpus` of
  DataFrames.

Word counts here are whitespace-delimited words; `analysis.arabic` tokenizes later (this
stage never imports it).
"""

from analysis.corpus.clean import Cleaned, Removal, clean_text, hygiene
from analysis.corpus.dates import parse_date_text, to_datetime
from analysis.corpus.dedup import (
    Fingerprint,
    fingerprint,
    fingerprints,
    fingerprints_later,
    flag_duplicates,
)
from analysis.corpus.readers import CorpusError, Document, LoadReport, Problem, iter_documents
from analysis.corpus.spelling import fold, word_count
from analysis.corpus.table import (
    AUDIT_COLUMNS,
    DOCUMENT_COLUMNS,
    PROBLEM_COLUMNS,
    Corpus,
    DocumentRows,
    assemble_corpus,
    document_row,
    documents_frame,
    load_corpus,
)

__all__ = [
    "AUDIT_COLUMNS",
    "DOCUMENT_COLUMNS",
    "PROBLEM_COLUMNS",
    "Cleaned",
    "Corpus",
    "CorpusError",
    "Document",
    "DocumentRows",
    "Fingerprint",
    "LoadReport",
    "Problem",
    "Removal",
    "assemble_corpus",
    "clean_text",
    "document_row",
    "documents_frame",
    "fingerprint",
    "fingerprints",
    "fingerprints_later",
    "flag_duplicates",
    "fold",
    "hygiene",
    "iter_documents",
    "load_corpus",
    "parse_date_text",
    "to_datetime",
    "word_count",
]

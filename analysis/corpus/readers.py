"""Reading corpora from disk: every file format, archive and folder, problems reported.

All file I/O of the corpus stage is here. `iter_documents` streams raw `Document` records
from `.txt`/`.json`/`.jsonl`/`.csv`/`.parquet` files, `.zip` archives holding them, or
folders mixing them. Problems are collected in a `LoadReport`, never raised, unless nothing
at all is readable.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
import logging
import re
import zipfile
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple

from analysis import config
from analysis.corpus.dates import in_range, to_datetime
from analysis.corpus.encoding import BINARY_SHARE, CONTROLS, control_share, decode
from analysis.corpus.sources import (
    MB,
    corpus_files,
    hidden_member,
    limit_text,
    read_member,
    unsafe_member,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Document:
    """One raw document as read from disk, before cleaning."""

    doc_id: str
    source_file: str
    record: int | None
    raw_text: str
    title: str | None = None
    source: str | None = None
    url: str | None = None
    author: str | None = None
    date: datetime | None = None


class Problem(NamedTuple):
    file: str
    location: str
    severity: str  # "error": document(s) skipped; "warning": loaded with a caveat
    message: str


_LOGGED_PROBLEMS = 20


class CorpusError(ValueError):
    """Nothing in the given path could be read as a document."""


@dataclass
class LoadReport:
    """What happened while reading: problems, counts, and the hash of every source read."""

    problems: list[Problem] = field(default_factory=list)
    n_read: int = 0
    _hash: Any = field(default_factory=hashlib.sha256, repr=False)

    def add(self, file: str, location: str, severity: str, message: str) -> None:
        self.problems.append(Problem(file, location, severity, message))
        # The first problems are logged one by one; past that, one line, so that a corpus
        # with hundreds of empty records does not bury the log (all stay in `problems`).
        if len(self.problems) <= _LOGGED_PROBLEMS:
            where = f"{file}:{location}" if location else file
            log.warning("%s: %s (%s)", where, message, severity)
        elif len(self.problems) == _LOGGED_PROBLEMS + 1:
            log.warning("further problems are recorded in the load report, not logged")

    def note_source(self, name: str, data: bytes) -> None:
        """Fold one source file into the corpus content hash (sources arrive sorted)."""
        self.note_digest(name, hashlib.sha256(data).digest())

    def note_digest(self, name: str, digest: bytes) -> None:
        """Fold a source read elsewhere (by a worker) in by its sha256 digest."""
        self._hash.update(name.encode("utf-8") + b"\0" + digest)

    @property
    def content_hash(self) -> str:
        return self._hash.hexdigest()

    @property
    def n_skipped(self) -> int:
        return sum(1 for p in self.problems if p.severity == "error")

    def summary(self) -> str:
        """One line such as `read 30, skipped 2 (1 empty file, 1 no text field)`."""
        reasons = Counter(_reason(p.message) for p in self.problems if p.severity == "error")
        text = f"read {self.n_read}, skipped {self.n_skipped}"
        if reasons:
            text += " (" + ", ".join(f"{n} {why}" for why, n in reasons.most_common()) + ")"
        warnings = sum(1 for p in self.problems if p.severity == "warning")
        return text + (f", {warnings} warning(s)" if warnings else "")


def _reason(message: str) -> str:
    """The stable head of a problem message (before the first colon), used to group them."""
    return message.split(":", 1)[0]


_TEXT_FIELDS = (
    "content",
    "text",
    "body",
    "article",
    "article_text",
    "articlebody",
    "article_body",
    "full_text",
    "fulltext",
    "story",
    "content_text",
    "maintext",
)
_META_FIELDS = {
    "title": ("title", "headline", "heading", "name"),
    "source": ("source", "site", "outlet", "publisher", "newspaper", "website", "domain"),
    "url": ("url", "link", "href", "permalink", "source_url"),
    "author": ("author", "authors", "byline", "writer", "by"),
}
_READABLE = {".txt", ".json", ".jsonl", ".ndjson", ".csv", ".parquet"}
_IGNORED = {".md"}  # documentation shipped beside a corpus (README.md, SOURCE.md)


DEFAULT_MAX_DOCUMENT_MB = 50.0


class ReadOptions(NamedTuple):
    """How sources are read: the text field, the encoding, the size limit in bytes."""

    text_field: str | None = None
    encoding: str | None = None  # None: UTF-8
    max_bytes: int = int(DEFAULT_MAX_DOCUMENT_MB * MB)

    @property
    def limit(self) -> str:
        return limit_text(self.max_bytes)


def iter_documents(
    path: Path | str | None = None,
    *,
    text_field: str | None = None,
    report: LoadReport | None = None,
    encoding: str | None = None,
    max_document_mb: float | None = None,
) -> Iterator[Document]:
    """Stream raw documents from a file, an archive or a folder (recursive, sorted).

    `encoding` decodes every text file and member (default UTF-8). A `.txt` file or archive
    member over `max_document_mb` (default 50 MB) is refused unread, and so is a record
    whose text is longer: archive members are streamed, never inflated past the limit.
    """
    root = Path(path) if path is not None else config.default_corpus()
    report = report if report is not None else LoadReport()
    sources, options = list_sources(
        root,
        text_field=text_field,
        report=report,
        encoding=encoding,
        max_document_mb=max_document_mb,
    )
    for name, file in sources:
        for document in read_file(name, file, options, report):
            report.n_read += 1
            yield document
    check_read(root, report)


def list_sources(
    root: Path,
    *,
    text_field: str | None = None,
    report: LoadReport,
    encoding: str | None = None,
    max_document_mb: float | None = None,
) -> tuple[list[tuple[str, Path]], ReadOptions]:
    """The files to read, (name in the corpus, path) sorted, and how: nothing is read.

    Skipped entries are reported here; bad options fail before anything else."""
    if not root.exists():
        raise FileNotFoundError(f"corpus path does not exist: {root}")
    mb = DEFAULT_MAX_DOCUMENT_MB if max_document_mb is None else max_document_mb
    if not mb > 0:
        raise CorpusError(f"the document size limit must be positive, not {mb} MB")
    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise CorpusError(f"unknown encoding: {encoding!r}") from None
    options = ReadOptions(text_field, encoding, int(mb * MB))
    files = _corpus_files(root, report) if root.is_dir() else [root]
    base = root if root.is_dir() else root.parent
    return [(file.relative_to(base).as_posix(), file) for file in files], options


def read_file(
    name: str, file: Path, options: ReadOptions, report: LoadReport
) -> Iterator[Document]:
    """The documents of one corpus file (a zip's members included), problems reported:
    the unit of reading, what a pipeline worker runs on its shard."""
    try:
        if file.suffix.lower() == ".txt" and file.stat().st_size > options.max_bytes:
            size = file.stat().st_size / MB
            report.add(name, "", "error", f"too large: {size:.0f} MB, over {options.limit}")
            return
        data = file.read_bytes()
    except OSError as error:
        report.add(name, "", "error", f"unreadable file: {error.strerror}")
        return
    report.note_source(name, data)
    yield from _read_source(name, data, options, report)


def check_read(root: Path, report: LoadReport) -> None:
    """`CorpusError` naming the first problems when no document at all was read."""
    if report.n_read == 0:
        details = "; ".join(
            f"{p.file} {p.location}: {p.message}".replace("  ", " ") for p in report.problems[:10]
        )
        raise CorpusError(f"no readable document in {root}" + (f": {details}" if details else ""))


def _corpus_files(root: Path, report: LoadReport) -> list[Path]:
    files = []
    for relative, file, warning in corpus_files(root, _READABLE | {".zip"}, _IGNORED):
        if file is None:
            report.add(relative, "", "warning", warning)
        else:
            files.append(file)
    return files


def _read_source(
    name: str, data: bytes, options: ReadOptions, report: LoadReport
) -> Iterator[Document]:
    suffix = Path(name.rsplit("!", 1)[-1]).suffix.lower()
    if suffix == ".zip":
        yield from _read_zip(name, data, options, report)
        return
    if not data.strip():
        report.add(name, "", "error", "empty file")
        return
    if suffix == ".parquet":
        records: Iterator[tuple[int, str, dict]] = _parquet_records(name, data, report)
        lone_surrogates = True  # Arrow strings are checked value by value
        controls = CONTROLS
    else:
        decoded = decode(data, options.encoding)
        if decoded.text is None:
            report.add(name, _problem_line(data, decoded.problem), "error", decoded.problem)
            return
        text = decoded.text
        if suffix == ".txt":
            yield Document(_doc_id(name, None), name, None, text)
            return
        lone_surrogates = _LONE_SURROGATE_SOURCE.search(text) is not None
        controls = CONTROLS if decoded.controls else _escaped_controls(text)
        if suffix == ".csv":
            records = _csv_records(name, text, options.text_field, report)
        elif suffix == ".json":
            records = _json_records(name, text, report)
        else:
            records = _jsonl_records(name, text, report)
    for index, location, record in records:
        document = _record_document(
            name,
            index,
            location,
            record,
            options,
            report,
            lone_surrogates=lone_surrogates,
            controls=controls,
        )
        if document is not None:
            yield document


# What can put a lone surrogate into a value read from a text file: a JSON escape of one
# (an escaped backslash before `u` only costs the check). The character itself cannot be
# there: no codec decoding strictly (`encoding.decode`) makes one. A file without such an
# escape spares its records the check of every field (SaudiNewsNet: 150,000 searches).
_LONE_SURROGATE_SOURCE = re.compile(r"\\u[dD][89a-fA-F]")
# Likewise for control characters (`encoding.control_share`): a file whose text holds none
# (its own check) can put one into a value only by a JSON escape, `\\u0000`-`\\u001f`,
# `\\u007f` or `\\b`; its records are searched for the characters it escapes, not for all
# 27 (SaudiNewsNet, whose files escape `\\u001a`: 0.24 -> 0.05 s).
_CONTROL_ESCAPE = re.compile(r"\\(?:u(00[01][0-9a-fA-F]|007[fF])|b)")


def _escaped_controls(text: str) -> tuple[str, ...]:
    """The control characters a JSON text escapes (an escaped backslash before one of
    these only costs a search)."""
    escaped = {chr(int(code, 16)) if code else "\b" for code in _CONTROL_ESCAPE.findall(text)}
    return tuple(c for c in CONTROLS if c in escaped)


_AT_OFFSET = re.compile(r"at offset (\d+)")


def _problem_line(data: bytes, problem: str) -> str:
    """`line N` of the offset a decoding problem names, else no location."""
    match = _AT_OFFSET.search(problem)
    if not match:
        return ""
    line = data.count(b"\n", 0, int(match[1])) + 1
    return f"line {line}"


def _read_zip(
    name: str, data: bytes, options: ReadOptions, report: LoadReport
) -> Iterator[Document]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as error:
        report.add(name, "", "error", f"not a readable zip archive: {error}")
        return
    n_before = report.n_read
    yielded = 0
    with archive:
        members = sorted(
            (m for m in archive.infolist() if not m.is_dir()), key=lambda m: m.filename
        )
        for member in members:
            member_name = f"{name}!{member.filename}"
            suffix = Path(member.filename).suffix.lower()
            if hidden_member(member.filename):
                continue
            if suffix not in _READABLE:
                if suffix not in _IGNORED:
                    report.add(member_name, "", "warning", "ignored: not a supported format")
                continue
            if unsafe_member(member.filename):
                # Members are read in memory, never extracted: the name is only a name.
                report.add(
                    member_name,
                    "",
                    "warning",
                    "unsafe member name: points outside the archive (read in place, "
                    "nothing extracted)",
                )
            member_data = read_member(archive, member, options.max_bytes, data)
            if isinstance(member_data, str):
                report.add(member_name, "", "error", member_data)
                continue
            for document in _read_source(member_name, member_data, options, report):
                yielded += 1
                yield document
    if yielded == 0 and report.n_read == n_before:
        report.add(name, "", "error", "no readable documents in archive")


def _json_records(name: str, text: str, report: LoadReport) -> Iterator[tuple[int, str, dict]]:
    try:
        # `json`, not orjson: on SaudiNewsNet's arrays of long article strings it reads the
        # corpus in 1.4 s against orjson's 2.4-3.2 s, without orjson's 150 MB working buffer
        # for a 12 MB file (benchmarks/README.md).
        data = json.loads(text)
    except RecursionError:
        report.add(name, "", "error", "malformed JSON: nested too deeply")
        return
    except json.JSONDecodeError as error:
        if error.msg == "Extra data":  # one object per line in a .json file
            yield from _jsonl_records(name, text, report)
        else:
            report.add(
                name,
                f"line {error.lineno}",
                "error",
                f"malformed JSON: {error.msg} (column {error.colno})",
            )
        return
    if isinstance(data, dict):
        lists = [v for v in data.values() if isinstance(v, list) and v and isinstance(v[0], dict)]
        items = data_list if (data_list := lists[0] if len(lists) == 1 else None) else [data]
    elif isinstance(data, list):
        items = data
    else:
        report.add(name, "", "error", f"no records: top-level JSON {type(data).__name__}")
        return
    for index, item in enumerate(items):
        yield index, f"record {index}", item


def _jsonl_records(name: str, text: str, report: LoadReport) -> Iterator[tuple[int, str, dict]]:
    index = 0
    for lineno, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except RecursionError:
            report.add(name, f"line {lineno}", "error", "malformed JSON: nested too deeply")
            continue
        except json.JSONDecodeError as error:
            report.add(
                name,
                f"line {lineno}",
                "error",
                f"malformed JSON: {error.msg} (column {error.colno})",
            )
            continue
        yield index, f"record {index} (line {lineno})", item
        index += 1


_MAX_CSV_ERRORS = 100


def _csv_records(
    name: str, text: str, text_field: str | None, report: LoadReport
) -> Iterator[tuple[int, str, dict]]:
    """Rows as dicts keyed by the header (extra fields under None, missing ones None).

    Parsed strictly: a quote left open swallows the following lines, so when the parser
    fails, the record it was reading is reported from the line where it began, and reading
    resumes on the next line, so that the records after it are kept.
    """
    csv.field_size_limit(max(csv.field_size_limit(), 2**31 - 1))  # articles exceed 128 KiB
    lines = io.StringIO(text, newline="").readlines()
    columns = next(csv.reader(lines[:1]), [])
    if text_field and text_field.lower() not in {c.lower() for c in columns}:
        report.add(
            name,
            "line 1",
            "error",
            f"missing column: {text_field!r} not among {', '.join(columns)}",
        )
        return
    index, start, errors = 0, 1, 0  # `start`: lines before the ones being parsed
    rest = iter(lines[1:])
    while start < len(lines):
        reader = csv.reader(rest, strict=True)
        last = 0
        try:
            for row in reader:
                last = reader.line_num
                if not row:
                    continue
                yield index, f"record {index} (line {start + last})", _csv_record(columns, row)
                index += 1
            return
        except csv.Error as error:
            began = start + last + 1
            if start + reader.line_num == began and "end of data" not in str(error):
                # Junk after a closing quote on the record's own line (`"text" ,`): read
                # leniently as before, since nothing after it was swallowed; the next
                # reader goes on from the next line.
                record = _csv_record(columns, next(csv.reader(lines[began - 1 : began])))
                yield index, f"record {index} (line {began})", record
                index += 1
                start = began
                continue
            errors += 1
            report.add(
                name,
                f"line {began}",
                "error",
                f"malformed CSV: {error}, in the record beginning on line {began} "
                "(an unterminated quote?); reading resumes on the next line",
            )
            if errors >= _MAX_CSV_ERRORS:
                report.add(
                    name,
                    f"line {began}",
                    "error",
                    "malformed CSV: too many errors, rest of the file skipped",
                )
                return
            start = began
            rest = iter(lines[began:])  # back to the line after the one the record began on


def _csv_record(columns: list[str], row: list[str]) -> dict:
    """As `csv.DictReader` makes it: extra fields under None, missing ones None."""
    record: dict = dict(zip(columns, row, strict=False))
    if len(row) > len(columns):
        record[None] = row[len(columns) :]
    for column in columns[len(row) :]:
        record[column] = None
    return record


def _parquet_records(name: str, data: bytes, report: LoadReport) -> Iterator[tuple[int, str, dict]]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        batches = pq.ParquetFile(io.BytesIO(data)).iter_batches(batch_size=2048)
        index = 0
        for batch in batches:
            for row in batch.to_pylist():
                yield index, f"record {index}", row
                index += 1
    except (pa.ArrowException, OSError) as error:
        report.add(name, "", "error", f"unreadable Parquet: {error}")


def _doc_id(name: str, record: int | None) -> str:
    """Stable id from the source path: `folder/file`, `archive/member:17`, `file:17`.

    A member named like its archive (`2015-07-21.zip!2015-07-21.json`) is not repeated.
    """
    base = _id_base(name)
    return base if record is None else f"{base}:{record}"


@lru_cache(maxsize=64)
def _id_base(name: str) -> str:
    """The id of a file's documents before the record number (found once per file, not
    once per record)."""
    stems: list[str] = []
    for piece in name.split("!"):
        stem = _STEM.sub("", piece)
        if not stems or stem.rsplit("/", 1)[-1] != stems[-1].rsplit("/", 1)[-1]:
            stems.append(stem)
    return "/".join(stems)


_STEM = re.compile(r"\.[^./]+$")


@lru_cache(maxsize=256)
def _field_names(fields: tuple[Any, ...]) -> Mapping[str, Any]:
    """Each field's name stripped and lower-cased -> the field; read-only, as the records of
    a file mostly share their fields, which are matched once per set, not once per record."""
    return MappingProxyType({str(k).strip().lower(): k for k in fields})


def _record_document(
    name: str,
    index: int,
    location: str,
    record: Any,
    options: ReadOptions,
    report: LoadReport,
    *,
    lone_surrogates: bool = True,
    controls: Sequence[str] = CONTROLS,
) -> Document | None:
    """The record's document, or None with the problem reported. `lone_surrogates=False`:
    the file can hold none (`_LONE_SURROGATE_SOURCE`), and the fields are not checked;
    `controls`: the control characters the text can hold (`_escaped_controls`)."""
    if not isinstance(record, dict):
        report.add(name, location, "error", f"not an object: a {type(record).__name__}")
        return None
    keys = _field_names(tuple(record))
    text = _record_text(record, keys, options.text_field)
    if isinstance(text, Problem):
        report.add(name, location, "error", text.message)
        return None
    if len(text) > options.max_bytes:
        size = len(text) / MB
        report.add(
            name, location, "error", f"too large: {size:.0f} MB of text, over {options.limit}"
        )
        return None
    if (share := control_share(text, controls)) >= BINARY_SHARE:
        report.add(
            name, location, "error", f"binary content: {share:.0%} NUL or control characters"
        )
        return None
    meta = {field: _first_text(record, keys, names) for field, names in _META_FIELDS.items()}
    if lone_surrogates:
        text = _without_lone_surrogates(text, "text", name, location, report)
        for field, value in meta.items():
            meta[field] = _without_lone_surrogates(value, field, name, location, report)
    return Document(
        _doc_id(name, index),
        name,
        index,
        text,
        date=_record_date(record, keys, name, location, report),
        **meta,
    )


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _without_lone_surrogates(
    value: str | None, field: str, name: str, location: str, report: LoadReport
) -> str | None:
    """A JSON string's unpaired `\\ud800`-`\\udfff` escapes, each U+FFFD, with a warning.

    JSON lets a string escape half of a surrogate pair alone; Python decodes it into a code
    point that no UTF-8 output (a table, a report, a terminal) can write.
    """
    if value is None or not _LONE_SURROGATE.search(value):
        return value
    count = len(_LONE_SURROGATE.findall(value))
    report.add(
        name,
        location,
        "warning",
        f"{field}: {count} unpaired surrogate escape(s) (\\ud800-\\udfff) replaced by U+FFFD",
    )
    return _LONE_SURROGATE.sub("\ufffd", value)


def _record_text(record: dict, keys: Mapping[str, Any], text_field: str | None) -> str | Problem:
    """The first non-empty string among the text fields, or the problem.

    Numbers and other non-strings are not coerced: a number is not an article, and an export
    that writes one where the text belongs is broken in a way the user should see.
    """
    if text_field:
        key = keys.get(text_field.lower())
        if key is None:
            return Problem("", "", "error", f"no text field: {text_field!r} missing")
        candidates = [key]
    else:
        candidates = [keys[k] for k in _TEXT_FIELDS if k in keys]
        if not candidates:
            looked = ", ".join(_TEXT_FIELDS[:5])
            return Problem(
                "",
                "",
                "error",
                f"no text field: none of {looked}, ... among {', '.join(map(str, record))}",
            )
    for key in candidates:
        value = record[key]
        if isinstance(value, str) and value.strip():
            return value
    first = record[candidates[0]]
    if first is not None and not isinstance(first, str):
        kind = type(first).__name__
        return Problem("", "", "error", f"text field is not a string: {kind} in {candidates[0]!r}")
    return Problem("", "", "error", f"empty text: field {candidates[0]!r} has no text")


def _first_text(record: dict, keys: Mapping[str, Any], names: tuple[str, ...]) -> str | None:
    for name in names:
        key = keys.get(name)
        if key is not None:
            value = record[key]
            if isinstance(value, list):
                value = ", ".join(str(v) for v in value if v)
            if value is not None and str(value).strip():
                return str(value).strip()
    return None


def _date_key(keys: Mapping[str, Any]) -> Any:
    """Prefer `date`, then publication dates, then any date/time field."""
    if "date" in keys:
        return keys["date"]
    for pattern in ("publish", "date", "time"):
        for lower, key in keys.items():
            if pattern in lower:
                return key
    return None


def _record_date(
    record: dict, keys: Mapping[str, Any], name: str, location: str, report: LoadReport
) -> datetime | None:
    key = _date_key(keys)
    if key is None:
        return None
    value = record[key]
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    when = to_datetime(value)
    if when is None:
        report.add(name, location, "warning", f"unparseable date: {value!r} in {key!r}")
    elif not in_range(when):
        report.add(
            name, location, "warning", f"date out of range: {value!r} in {key!r} (kept as NaT)"
        )
        return None
    return when

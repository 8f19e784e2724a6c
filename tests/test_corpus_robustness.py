"""analysis.corpus on hostile and broken input (issue 17): every case is one problem, named.

Each fixture is made here, in `tmp_path` (the zip bomb is generated on the fly, streaming).
Every test checks that the problem names the file and the record, line or member, and that
the good documents are still counted.
"""

from __future__ import annotations

import io
import json
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from test_corpus import BODY, BODY_2  # the same two article bodies as the loader's tests

from analysis import config
from analysis.corpus import CorpusError, iter_documents, load_corpus, sources

BODY_3 = "وقالت وزارة الصحة إن حملة التطعيم ستشمل جميع المدارس في المملكة خلال الشهر المقبل."


def cli(*args: str, check_rc: int | None = None) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "analysis", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=config.PROJECT_ROOT,
        check=False,
    )
    if check_rc is not None:
        assert result.returncode == check_rc, result.stderr
    assert "Traceback" not in result.stderr
    return result


def problems(corpus) -> list[tuple[str, str, str, str]]:
    return [tuple(p) for p in corpus.problems.itertuples(index=False)]


def messages(corpus) -> str:
    return "\n".join(" | ".join(p) for p in problems(corpus))


# --------------------------------------------------------------------------- 1 BOM


def test_utf8_bom_in_csv_json_and_jsonl_is_accepted(tmp_path):
    bom = "\ufeff"
    (tmp_path / "a.csv").write_text(
        f"{bom}title,text\nأولى,{BODY}\nثانية,{BODY_2}\n", encoding="utf-8"
    )
    (tmp_path / "b.json").write_text(
        bom + json.dumps([{"text": BODY_3, "title": "ثالثة"}], ensure_ascii=False),
        encoding="utf-8",
    )
    (tmp_path / "c.jsonl").write_text(
        bom + json.dumps({"text": BODY, "title": "رابعة"}, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    corpus = load_corpus(tmp_path)
    assert corpus.problems.empty, messages(corpus)
    docs = corpus.documents.set_index("doc_id")
    assert list(docs.index) == ["a:0", "a:1", "b:0", "c:0"]
    assert list(docs["title"]) == ["أولى", "ثانية", "ثالثة", "رابعة"]
    assert not docs["raw_text"].str.contains(bom).any()


# --------------------------------------------------------------------------- 2 CSV quotes


@pytest.mark.parametrize(
    "third",
    [
        f'3,"{BODY_3}"',  # the next quote closes the open one: "',' expected"
        f"3,{BODY_3}",  # no quote follows: the rest of the file would be swallowed
    ],
)
def test_unterminated_csv_quote_is_reported_and_the_next_records_kept(tmp_path, third):
    path = tmp_path / "news.csv"
    path.write_text(f'id,text\n1,{BODY}\n2,"{BODY_2}\n{third}\n4,{BODY}\n', encoding="utf-8")
    corpus = load_corpus(path)
    errors = [p for p in problems(corpus) if p[2] == "error"]
    assert len(errors) == 1, messages(corpus)
    file, location, _, message = errors[0]
    assert file == "news.csv" and location == "line 3"
    assert message.startswith("malformed CSV:") and "line 3" in message
    docs = corpus.documents
    assert list(docs["raw_text"]) == [BODY, BODY_3, BODY]  # 1, 3 and 4, nothing swallowed


def test_multiline_quoted_csv_fields_and_lenient_quotes_still_read(tmp_path):
    path = tmp_path / "news.csv"
    path.write_text(
        f'id,text\n1,"{BODY}\n{BODY_2}"\n2,"قال ""نعم"" {BODY_3}"\n3,"{BODY}" نعم\n', "utf-8"
    )
    corpus = load_corpus(path)
    assert corpus.problems.empty, messages(corpus)
    assert list(corpus.documents["raw_text"]) == [
        f"{BODY}\n{BODY_2}",
        f'قال "نعم" {BODY_3}',
        f"{BODY} نعم",  # junk after a closing quote on one line: read as before
    ]
    assert list(corpus.documents["record"]) == [0, 1, 2]


# --------------------------------------------------------------------------- 3 doc ids


def test_two_articles_with_one_doc_id_are_both_kept_with_distinct_ids(tmp_path):
    (tmp_path / "2015.txt").write_text(BODY, encoding="utf-8")
    with zipfile.ZipFile(tmp_path / "2015.zip", "w") as archive:
        archive.writestr("2015.txt", BODY_2)
    for _ in range(2):  # stable from run to run
        corpus = load_corpus(tmp_path)
        docs = corpus.documents
        assert list(docs["doc_id"]) == ["2015", "2015.zip!2015.txt"]
        assert list(docs["raw_text"]) == [BODY, BODY_2]
    ((file, location, severity, message),) = problems(corpus)
    assert (file, location, severity) == ("2015.zip!2015.txt", "", "warning")
    assert message.startswith("duplicate doc_id: 2015 ")
    assert "2015.txt" in message and "2015.zip!2015.txt" in message


# --------------------------------------------------------------------------- 4 zip names


def test_zip_member_with_a_path_outside_the_archive_is_read_in_place(tmp_path):
    corpus_dir = tmp_path / "corpus"
    corpus_dir.mkdir()
    with zipfile.ZipFile(corpus_dir / "news.zip", "w") as archive:
        archive.writestr("ok.txt", BODY)
        # ZipFile.writestr keeps these names as given.
        archive.writestr(zipfile.ZipInfo("../x.txt"), BODY_2)
        archive.writestr(zipfile.ZipInfo("/abs.txt"), BODY_3)
    corpus = load_corpus(corpus_dir)
    assert sorted(corpus.documents["raw_text"]) == sorted([BODY, BODY_2, BODY_3])
    warned = {p[0]: p[3] for p in problems(corpus) if p[2] == "warning"}
    assert set(warned) == {"news.zip!../x.txt", "news.zip!/abs.txt"}
    assert all(m.startswith("unsafe member name:") for m in warned.values())
    assert not (tmp_path / "x.txt").exists() and not Path("/abs.txt").exists()
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["corpus", "news.zip"]


# --------------------------------------------------------------------------- 5 symlinks


def test_symlinked_folder_is_followed_and_loops_and_inner_links_are_reported(tmp_path):
    outside = tmp_path / "archive2015"
    outside.mkdir()
    (outside / "a.txt").write_text(BODY_2, encoding="utf-8")
    (outside / "back").symlink_to(outside)  # a loop inside the linked folder
    corpus_dir = tmp_path / "corpus"
    corpus_dir.mkdir()
    (corpus_dir / "own.txt").write_text(BODY, encoding="utf-8")
    (corpus_dir / "linked").symlink_to(outside)
    (corpus_dir / "again.txt").symlink_to(corpus_dir / "own.txt")
    (corpus_dir / "gone.txt").symlink_to(tmp_path / "missing.txt")
    (corpus_dir / "single.txt").symlink_to(outside / "a.txt")
    corpus = load_corpus(corpus_dir)
    assert list(corpus.documents["doc_id"]) == ["linked/a", "own", "single"]
    warned = {p[0]: p[3] for p in problems(corpus)}
    assert warned.keys() == {"again.txt", "gone.txt", "linked/back"}
    assert warned["again.txt"] == "skipped: symbolic link to own.txt, inside the corpus"
    assert warned["gone.txt"] == "skipped: broken symbolic link"
    assert warned["linked/back"].startswith("skipped: symbolic link loop")
    assert set(corpus.problems["severity"]) == {"warning"}


# --------------------------------------------------------------------------- 6 text types


def test_non_string_text_is_reported_as_such_not_as_empty(tmp_path):
    path = tmp_path / "records.jsonl"
    lines = [{"text": 123}, {"text": BODY}, {"text": ["فقرة"]}, {"text": ""}]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in lines), "utf-8")
    corpus = load_corpus(path)
    assert list(corpus.documents["raw_text"]) == [BODY]
    assert [(p[1], p[2], p[3]) for p in problems(corpus)] == [
        ("record 0 (line 1)", "error", "text field is not a string: int in 'text'"),
        ("record 2 (line 3)", "error", "text field is not a string: list in 'text'"),
        ("record 3 (line 4)", "error", "empty text: field 'text' has no text"),
    ]
    assert set(corpus.problems["file"]) == {"records.jsonl"}


# --------------------------------------------------------------------------- 7 dates


def test_dates_outside_the_datetime64_range_become_nat_with_a_warning(tmp_path):
    path = tmp_path / "dated.json"
    records = [
        {"text": BODY, "date": "0001-01-01"},
        {"text": BODY_2, "date": "9999-12-31T23:59:59"},
        {"text": BODY_3, "date": "2015-07-21"},
    ]
    path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    corpus = load_corpus(path)
    assert len(corpus.documents) == 3
    assert corpus.documents["date"].isna().tolist() == [True, True, False]
    assert corpus.documents["date"].iloc[2] == pd.Timestamp("2015-07-21")
    out_of_range = "date out of range: {!r} in 'date' (kept as NaT)"
    assert problems(corpus) == [
        ("dated.json", "record 0", "warning", out_of_range.format("0001-01-01")),
        ("dated.json", "record 1", "warning", out_of_range.format("9999-12-31T23:59:59")),
    ]
    result = cli("themes", str(path), "--format", "csv", check_rc=0)
    assert len(result.stdout.strip().splitlines()) == 1 + 3


def test_a_dateline_outside_the_range_is_no_date():
    from analysis.corpus import clean_text

    assert clean_text(f"نشر في الرياض يوم 01 - 01 - 0001\n{BODY}").date is None


# --------------------------------------------------------------------------- 8 deep JSON


def test_deeply_nested_json_is_one_problem_for_its_file(tmp_path):
    (tmp_path / "deep.json").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    (tmp_path / "deep.jsonl").write_text(
        json.dumps({"text": BODY}) + "\n" + '{"a":' * 50_000 + "1" + "}" * 50_000 + "\n",
        encoding="utf-8",
    )
    (tmp_path / "good.txt").write_text(BODY_2, encoding="utf-8")
    corpus = load_corpus(tmp_path)
    assert sorted(corpus.documents["doc_id"]) == ["deep:0", "good"]
    assert problems(corpus) == [
        ("deep.json", "", "error", "malformed JSON: nested too deeply"),
        ("deep.jsonl", "line 2", "error", "malformed JSON: nested too deeply"),
    ]
    result = cli("clean", str(tmp_path / "deep.json"), check_rc=2)
    assert result.stderr.strip() and all("deep.json" in x for x in result.stderr.splitlines())
    assert "error: no readable document" in result.stderr
    assert "malformed JSON: nested too deeply" in result.stderr


# --------------------------------------------------------------------------- 9 zip members


def _patch_member(path: Path, member: str, *, flags: int | None = None, method: int | None = None):
    """Rewrite a member's flag bits or compression method in both of its zip headers."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(member)
    local = info.header_offset
    central = data.find(b"PK\x01\x02")
    name = member.encode()
    while data[central + 46 : central + 46 + len(name)] != name:
        central = data.find(b"PK\x01\x02", central + 4)
    if flags is not None:
        struct.pack_into("<H", data, local + 6, flags)
        struct.pack_into("<H", data, central + 8, flags)
    if method is not None:
        struct.pack_into("<H", data, local + 8, method)
        struct.pack_into("<H", data, central + 10, method)
    path.write_bytes(bytes(data))


def test_encrypted_or_unsupported_members_are_one_problem_each(tmp_path):
    archive_path = tmp_path / "mixed.zip"
    with zipfile.ZipFile(archive_path, "w") as archive:
        archive.writestr("a.txt", BODY)
        archive.writestr("locked.txt", BODY_2)
        archive.writestr("odd.txt", BODY_3)
        archive.writestr("z.txt", BODY_2)
    _patch_member(archive_path, "locked.txt", flags=0x1)
    _patch_member(archive_path, "odd.txt", method=99)  # AES, which zipfile cannot read
    (tmp_path / "other.txt").write_text(BODY_3, encoding="utf-8")
    corpus = load_corpus(tmp_path)
    assert list(corpus.documents["doc_id"]) == ["mixed/a", "mixed/z", "other"]
    assert problems(corpus) == [
        ("mixed.zip!locked.txt", "", "error",
         "unreadable archive member: encrypted (password required)"),
        ("mixed.zip!odd.txt", "", "error",
         "unreadable archive member: compression method 99 not supported"),
    ]  # fmt: skip
    result = cli("themes", str(tmp_path), "--format", "csv", check_rc=0)
    assert len(result.stdout.strip().splitlines()) == 1 + 3
    assert "mixed.zip!locked.txt" in result.stderr


def _deflated_archive(tmp_path: Path) -> Path:
    path = tmp_path / "deflated.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a.json", json.dumps([{"text": BODY}] * 20, ensure_ascii=False))
        archive.writestr("b.txt", BODY_2, compress_type=zipfile.ZIP_STORED)
    return path


def _member_read(path: Path, name: str, *, in_place: bool) -> bytes | str:
    data = path.read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        member = archive.getinfo(name)
        return sources.read_member(archive, member, 1 << 20, data if in_place else None)


def test_a_deflated_member_is_inflated_from_the_archive_bytes_as_zipfile_inflates_it(tmp_path):
    path = _deflated_archive(tmp_path)
    with zipfile.ZipFile(path) as archive:
        member, want = archive.getinfo("a.json"), archive.read("a.json")
        stored = archive.getinfo("b.txt")
    data = path.read_bytes()
    assert sources._inflated_in_place(data, member, 1 << 20) == want  # ISA-L's path
    assert sources._inflated_in_place(data, stored, 1 << 20) is None  # not deflated
    assert sources._inflated_in_place(data, member, len(want) - 1) is None  # over the limit
    assert _member_read(path, "a.json", in_place=True) == want
    assert _member_read(path, "b.txt", in_place=True) == BODY_2.encode()


def _corrupt(path: Path, name: str, *, stream: bool = False, crc: bool = False) -> None:
    """Flip bytes inside a member's deflate stream, or change its CRC-32 in both headers."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        member = archive.getinfo(name)
    if stream:
        start = member.header_offset + 30 + len(name.encode())
        for i in range(start + 2, start + 12):
            data[i] ^= 0xFF
    if crc:
        central = data.find(b"PK\x01\x02")
        while data[central + 46 : central + 46 + len(name)] != name.encode():
            central = data.find(b"PK\x01\x02", central + 4)
        struct.pack_into("<I", data, member.header_offset + 14, member.CRC ^ 1)
        struct.pack_into("<I", data, central + 16, member.CRC ^ 1)
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("damage", [{"stream": True}, {"crc": True}])
def test_a_damaged_deflated_member_gives_zipfiles_message_either_way(tmp_path, damage):
    """ISA-L never reads what zlib would refuse: the member falls back to `zipfile`, whose
    message names the problem, with or without the archive's bytes at hand."""
    path = _deflated_archive(tmp_path)
    _corrupt(path, "a.json", **damage)
    got = _member_read(path, "a.json", in_place=True)
    assert isinstance(got, str) and got.startswith("unreadable archive member:")
    assert got == _member_read(path, "a.json", in_place=False)


def test_without_isal_a_deflated_member_is_read_by_zipfile(tmp_path, monkeypatch):
    path = _deflated_archive(tmp_path)
    want = _member_read(path, "a.json", in_place=True)
    monkeypatch.setattr(sources, "isal_zlib", None)
    assert sources._inflated_in_place(path.read_bytes(), zipfile.ZipInfo("a.json"), 1) is None
    assert _member_read(path, "a.json", in_place=True) == want


# --------------------------------------------------------------------------- 10 size, binary


def test_documents_over_the_size_limit_are_refused_and_the_limit_can_be_raised(tmp_path):
    big = (BODY + "\n") * (1_300_000 // len(BODY))  # 1.3 million characters, 2.4 MB
    (tmp_path / "big.txt").write_text(big, encoding="utf-8")
    with zipfile.ZipFile(tmp_path / "pack.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("big.txt", big)
        archive.writestr("small.txt", BODY_2)
    (tmp_path / "rows.jsonl").write_text(
        json.dumps({"text": big}) + "\n" + json.dumps({"text": BODY_3}) + "\n", "utf-8"
    )
    corpus = load_corpus(tmp_path, max_document_mb=1)
    assert list(corpus.documents["doc_id"]) == ["pack/small", "rows:1"]
    refused = {(p[0], p[1]): p[3] for p in problems(corpus)}
    assert refused.keys() == {
        ("big.txt", ""),
        ("pack.zip!big.txt", ""),
        ("rows.jsonl", "record 0 (line 1)"),
    }
    assert all(m.startswith("too large:") and "--max-document-mb" in m for m in refused.values())
    assert len(load_corpus(tmp_path, max_document_mb=3).documents) == 5
    result = cli("themes", str(tmp_path), "--format", "csv", "--max-document-mb", "1", check_rc=0)
    assert len(result.stdout.strip().splitlines()) == 1 + 2 and "pack.zip!big.txt" in result.stderr


def test_mostly_nul_or_control_text_is_binary(tmp_path):
    (tmp_path / "nul.txt").write_bytes(b"\0" * 5000 + BODY.encode())
    (tmp_path / "ctl.jsonl").write_text(
        json.dumps({"text": "\x01\x02\x03" * 100 + "x"}) + "\n" + json.dumps({"text": BODY}) + "\n"
    )
    (tmp_path / "ok.txt").write_text(BODY_2 + "\x07", encoding="utf-8")  # one bell is text
    corpus = load_corpus(tmp_path)
    assert list(corpus.documents["doc_id"]) == ["ctl:1", "ok"]
    found = {(p[0], p[1]): p[3] for p in problems(corpus)}
    assert found.keys() == {("ctl.jsonl", "record 0 (line 1)"), ("nul.txt", "")}
    assert all(m.startswith("binary content:") for m in found.values())


def test_records_of_one_file_with_different_fields_each_find_their_own(tmp_path):
    """Field names are matched once per set of fields (cached): records with other sets, in
    any case and with blanks around them, still find their text, title and date."""
    records = [
        {"text": BODY, "title": "أ"},
        {" Content ": BODY_2, "TITLE": "ب", "date": "2015-07-21"},
        {"text": BODY, "title": "ج"},
    ]
    (tmp_path / "mixed.json").write_text(json.dumps(records), encoding="utf-8")
    documents = load_corpus(tmp_path).documents
    assert list(documents["title"]) == ["أ", "ب", "ج"]
    assert list(documents["text"]) == [BODY, BODY_2, BODY]
    assert documents["date"].notna().tolist() == [False, True, False]


CONTROL_CODES = [*range(0x00, 0x09), *range(0x0E, 0x20), 0x7F]


@pytest.mark.parametrize("code", CONTROL_CODES)
@pytest.mark.parametrize("ensure_ascii", [True, False])
def test_every_json_way_to_a_control_character_is_searched_for(code, ensure_ascii):
    """A file's records are searched only for the control characters the file can put in
    them: any, when it holds one itself; else those it escapes, in either case (`\\u001a`,
    `\\u001A`, `\\b`)."""
    from analysis.corpus.encoding import control_share
    from analysis.corpus.readers import _escaped_controls

    for source in (
        json.dumps({"text": "x" + chr(code)}, ensure_ascii=ensure_ascii),
        '{"text": "x\\u' + f"{code:04X}" + '"}',  # upper-case hex digits
    ):
        assert json.loads(source)["text"][-1] == chr(code)
        assert control_share(source) > 0 or chr(code) in _escaped_controls(source), source


@pytest.mark.parametrize(
    ("source", "escaped"),
    [
        ("", ()),
        ('"\\u0009 \\n \\t \\f \\u00e9 \\u0020"', ()),  # blanks and letters, not controls
        ('"\\u001a \\u001A \\b"', ("\b", "\x1a")),
        ('"\\\\u0000"', ("\x00",)),  # an escaped backslash: searched for, to no harm
        ('"\\u007F \\u0000 \\u001f"', ("\x00", "\x1f", "\x7f")),
    ],
)
def test_escaped_controls_are_the_control_characters_a_json_text_escapes(source, escaped):
    from analysis.corpus.readers import _escaped_controls

    assert _escaped_controls(source) == escaped


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("lower.json", json.dumps([{"text": "\x01" * 300 + "x"}, {"text": BODY}])),
        ("upper.json", '[{"text": "' + "\\u001F" * 300 + 'x"}, {"text": "' + BODY + '"}]'),
        ("bell.json", '[{"text": "' + "\\b" * 300 + 'x"}, {"text": "' + BODY + '"}]'),
        ("del.json", '[{"text": "' + "\\u007F" * 300 + 'x"}, {"text": "' + BODY + '"}]'),
        ("lines.jsonl", json.dumps({"text": "\x1a" * 300}) + "\n" + json.dumps({"text": BODY})),
        # Written as themselves, and few enough for the file as a whole not to be binary.
        ("raw_del.json", json.dumps([{"text": "\x7f" * 12}, {"text": BODY}], ensure_ascii=False)),
        ("raw.csv", "text\n" + "\x02" * 12 + "x\n" + BODY + "\n"),
    ],
)
def test_a_record_of_control_characters_is_binary_however_the_file_writes_them(
    tmp_path, name, content
):
    """A record that is mostly control characters is refused, and the next one loads,
    whatever way the file spells the characters."""
    (tmp_path / name).write_text(content, encoding="utf-8")
    corpus = load_corpus(tmp_path)
    assert len(corpus.documents) == 1 and corpus.documents["text"].iloc[0] == BODY
    messages = [p[3] for p in problems(corpus)]
    assert len(messages) == 1 and messages[0].startswith("binary content:"), messages


@pytest.mark.parametrize("escaped", ["\\uD800", "\\udBff", "\\uDC00", "\\udfff"])
def test_surrogate_escapes_in_any_case_are_replaced(tmp_path, escaped):
    """The reader checks a file's fields for lone surrogates only when the file holds a way
    to write one: an escape in either case counts."""
    (tmp_path / "s.json").write_text(
        f'[{{"title": "t{escaped}", "content": "{BODY}"}}]', encoding="utf-8"
    )
    corpus = load_corpus(tmp_path)
    assert list(corpus.documents["title"]) == ["t\ufffd"]
    assert "title: 1 unpaired surrogate" in messages(corpus)


def _zip_bomb(path: Path, size: int) -> None:
    """A zip holding `size` spaces and `size // 8` NULs, written streaming (a few MB)."""
    chunk = b" " * (1 << 20)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, fill, total in (("bomb.txt", b" ", size), ("nul.jsonl", b"\0", size // 8)):
            chunk = fill * (1 << 20)
            with archive.open(name, "w", force_zip64=True) as member:
                for _ in range(total // len(chunk)):
                    member.write(chunk)
        archive.writestr("good.txt", BODY)
        archive.writestr("more.txt", BODY_2)


@pytest.mark.slow
def test_zip_bomb_is_refused_streaming_under_1_gb_of_memory(tmp_path):
    _zip_bomb(tmp_path / "bomb.zip", 2 << 30)
    assert (tmp_path / "bomb.zip").stat().st_size < 20 << 20
    (tmp_path / "plain.txt").write_text(BODY_3, encoding="utf-8")
    # The peak RSS of the command alone: measured in a process that only runs it.
    probe = (
        "import resource, subprocess, sys\n"
        "r = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
        "sys.stderr.write(r.stderr)\n"
        "sys.stdout.write(r.stdout)\n"
        "print(r.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe, sys.executable, "-m", "analysis", "themes", str(tmp_path),
         "--format", "csv"],
        capture_output=True, text=True, encoding="utf-8", cwd=config.PROJECT_ROOT, check=False,
    )  # fmt: skip
    *table, last = result.stdout.strip().splitlines()
    returncode, max_rss_kb = map(int, last.split())
    assert returncode == 0, result.stderr
    assert len(table) == 1 + 3  # good, more, plain
    assert max_rss_kb < 1 << 20, f"peak RSS {max_rss_kb / 1024:.0f} MB"
    assert "bomb.zip!bomb.txt" in result.stderr and "bomb.zip!nul.jsonl" in result.stderr
    assert "too large" in result.stderr and "Traceback" not in result.stderr


# --------------------------------------------------------------------------- 11 encodings


def test_windows_1256_and_utf16_get_a_hint_and_load_with_encoding(tmp_path):
    (tmp_path / "cp.txt").write_bytes(BODY.encode("cp1256"))
    (tmp_path / "ok.txt").write_text(BODY_3, encoding="utf-8")
    corpus = load_corpus(tmp_path)
    assert list(corpus.documents["doc_id"]) == ["ok"]
    ((file, location, severity, message),) = problems(corpus)
    assert (file, location, severity) == ("cp.txt", "line 1", "error")
    assert message.startswith("not valid UTF-8: byte 0x")
    assert message.endswith("looks like Windows-1256: use --encoding cp1256")
    (tmp_path / "ok.txt").unlink()
    loaded = load_corpus(tmp_path, encoding="cp1256")
    assert loaded.problems.empty and list(loaded.documents["raw_text"]) == [BODY]
    result = cli("themes", str(tmp_path), "--format", "csv", "--encoding", "cp1256", check_rc=0)
    assert len(result.stdout.strip().splitlines()) == 2
    # Every command that reads a corpus honours --encoding (trends once ignored it).
    for command in ("trends", "forms"):
        result = cli(command, str(tmp_path), "--encoding", "cp1256", check_rc=0)
        assert "not valid UTF-8" not in result.stderr, command
        assert "looks like Windows-1256" in cli(command, str(tmp_path)).stderr, command


@pytest.mark.parametrize(
    ("codec", "data_of", "hint"),
    [
        ("utf-16", lambda t: t.encode("utf-16"), "UTF-16: use --encoding utf-16"),
        ("utf-16-le", lambda t: t.encode("utf-16-le"), "UTF-16-LE: use --encoding utf-16-le"),
        ("utf-16-be", lambda t: t.encode("utf-16-be"), "UTF-16-BE: use --encoding utf-16-be"),
    ],
)
def test_utf16_with_or_without_bom_is_named(tmp_path, codec, data_of, hint):
    (tmp_path / "wide.csv").write_bytes(data_of(f"title,text\nعنوان,{BODY}\n"))
    (tmp_path / "ok.txt").write_text(BODY_3, encoding="utf-8")
    corpus = load_corpus(tmp_path)
    assert list(corpus.documents["doc_id"]) == ["ok"]
    ((file, _, severity, message),) = problems(corpus)
    assert (file, severity) == ("wide.csv", "error") and message.endswith(hint), message
    loaded = load_corpus(tmp_path / "wide.csv", encoding=codec)
    assert loaded.problems.empty and list(loaded.documents["raw_text"]) == [BODY]
    assert list(loaded.documents["title"]) == ["عنوان"]


def test_an_unknown_encoding_is_refused_before_reading(tmp_path):
    (tmp_path / "a.txt").write_text(BODY, encoding="utf-8")
    with pytest.raises(CorpusError, match="unknown encoding: 'klingon'"):
        list(iter_documents(tmp_path, encoding="klingon"))
    result = cli("themes", str(tmp_path), "--encoding", "klingon", check_rc=2)
    assert "unknown encoding: 'klingon'" in result.stderr


# --------------------------------------------------------------------------- 12 metadata


def test_bidi_and_format_controls_leave_metadata_fields(tmp_path):
    long_title = "\u202eالأمن\u202c " + "عنوان " * 2000
    record = {
        "text": BODY,
        "title": long_title,
        "source": "\u2067صحيفة\u2069 \u200fالرياض",
        "author": "\u202bكاتب\u202c\u200d",
        "url": "https://example.com/\u202e1",
    }
    path = tmp_path / "meta.json"
    path.write_text(json.dumps([record], ensure_ascii=False), encoding="utf-8")
    for corpus in (load_corpus(path), _pipeline_corpus(path)):
        row = corpus.documents.iloc[0]
        assert row["title"] == ("الأمن " + "عنوان " * 2000).strip()  # full, never cut
        assert row["source"] == "صحيفة الرياض"
        assert row["author"] == "كاتب"
        assert row["url"] == "https://example.com/\u202e1"  # an address is kept as it is


def _pipeline_corpus(path: Path):
    from analysis.pipeline import run_pipeline

    return run_pipeline(path).corpus


def test_unpaired_surrogate_escapes_in_json_become_replacement_characters(tmp_path):
    """`"\\ud800"` in a JSON string is legal JSON but no UTF-8 text: each becomes U+FFFD,
    with a warning naming the file, the record and the field; the table prints."""
    path = tmp_path / "escapes.json"
    path.write_text(
        '[{"title": "t\\udc00", "content": "abc \\ud800 ' + BODY + '"},'
        ' {"title": "ok", "content": "' + BODY_2 + '"}]',
        encoding="utf-8",
    )
    for corpus in (load_corpus(path), _pipeline_corpus(path)):
        rows = corpus.documents
        assert list(rows["title"]) == ["t\ufffd", "ok"]
        assert rows["text"].iloc[0].startswith("abc \ufffd ")
        assert [p[:3] for p in problems(corpus)] == [
            ("escapes.json", "record 0", "warning"),
            ("escapes.json", "record 0", "warning"),
        ]
        assert "text: 1 unpaired surrogate" in messages(corpus)
        assert "title: 1 unpaired surrogate" in messages(corpus)
    done = cli("themes", str(path), "--format", "csv", check_rc=0)
    assert "t\ufffd" in done.stdout


@pytest.mark.parametrize(
    ("text", "share"),
    [
        ("", 0.0),
        ("قال الوزير\tثم\nسطر\r\x0b\x0c", 0.0),  # blanks are text, not controls
        ("ab\x00d", 0.25),
        ("a\x08\x0e\x1f", 0.75),
        ("\x7f", 1.0),  # DEL
        ("\x85\u200c\ufeff", 0.0),  # C1 next line and format controls: not binary
    ],
)
def test_control_share_counts_nul_c0_controls_and_del(text, share):
    """The share of NUL, C0 controls but \\t \\n \\v \\f \\r, and DEL among the characters."""
    from analysis.corpus.encoding import control_share

    assert control_share(text) == share


@pytest.mark.parametrize("code", CONTROL_CODES)
def test_every_control_character_is_found(code):
    from analysis.corpus.encoding import control_share

    assert control_share("قال" + chr(code)) == 0.25

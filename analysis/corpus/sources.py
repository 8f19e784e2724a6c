"""Where a corpus's bytes come from: the folder walk and archive members, under a size limit.

`corpus_files` lists a folder's files (sorted, hidden ones skipped, symbolic links followed
with a loop guard) and says what it skipped; `read_member` streams one zip member, never
past the size limit, and turns every way a member can fail (encrypted, unsupported
compression, corrupt) into one message. Nothing here is ever extracted or written.
"""

from __future__ import annotations

import lzma
import os
import re
import struct
import zipfile
import zlib
from pathlib import Path

try:  # ISA-L's inflate: the same bytes as zlib's, in less than half the time
    from isal import isal_zlib
except ImportError:  # a platform without its wheel reads through zlib
    isal_zlib = None

MB = 1 << 20

_MEMBER_ERRORS = (
    zipfile.BadZipFile,
    OSError,
    EOFError,
    zlib.error,
    lzma.LZMAError,
    RuntimeError,
    ValueError,
)


def corpus_files(
    root: Path, readable: set[str], ignored: set[str]
) -> list[tuple[str, Path | None, str]]:
    """(relative path, file or None, warning) for every entry of `root`, sorted by path.

    A file with a suffix in `readable` comes with no warning; other entries come with
    `None` and the warning saying why they were not read (a suffix in `ignored` is skipped
    silently, as hidden files and folders are). A symbolic link is followed when it leads
    outside the corpus, to a file or to a folder that is not one being walked (a loop is
    reported); a link into the corpus is skipped with a warning (its target is read where it
    is), and so is a broken one.
    """
    found: list[tuple[str, Path | None, str]] = []
    real_root = root.resolve()

    def visit(folder: Path, real: Path, chain: tuple[Path, ...]) -> None:
        try:
            entries = list(os.scandir(folder))
        except OSError as error:
            relative = folder.relative_to(root).as_posix()
            found.append((relative, None, f"unreadable folder: {error.strerror}"))
            return
        for entry in entries:
            if entry.name.startswith("."):
                continue
            path = Path(entry.path)
            relative = path.relative_to(root).as_posix()
            target = real / entry.name
            if entry.is_symlink():
                target = path.resolve()
                if not target.exists():
                    found.append((relative, None, "skipped: broken symbolic link"))
                    continue
                if target == real_root or real_root in target.parents:
                    inside = target.relative_to(real_root).as_posix()
                    message = f"skipped: symbolic link to {inside}, inside the corpus"
                    found.append((relative, None, message))
                    continue
                if target.is_dir() and any(target == c or target in c.parents for c in chain):
                    found.append((relative, None, f"skipped: symbolic link loop (to {target})"))
                    continue
            if path.is_dir():
                visit(path, target, (*chain, target))
            elif path.is_file():
                suffix = path.suffix.lower()
                if suffix in readable:
                    found.append((relative, path, ""))
                elif suffix not in ignored:
                    found.append((relative, None, "ignored: not a supported format"))

    visit(root, real_root, (real_root,))
    return sorted(found, key=lambda item: item[0])


def hidden_member(filename: str) -> bool:
    """A member skipped silently: macOS resource forks and hidden files or folders."""
    parts = filename.replace("\\", "/").split("/")
    return parts[0] == "__MACOSX" or any(p.startswith(".") and p not in {".", ".."} for p in parts)


def unsafe_member(filename: str) -> bool:
    """A member name that would land outside the archive's folder if it were extracted."""
    parts = filename.replace("\\", "/").split("/")
    return parts[0] == "" or ".." in parts or bool(re.match(r"[A-Za-z]:", filename))


_LOCAL_HEADER = struct.Struct("<4s22xHH")  # signature, ..., file name and extra field lengths


def _inflated_in_place(data: bytes, member: zipfile.ZipInfo, max_bytes: int) -> bytes | None:
    """A deflated member inflated by ISA-L from the archive's bytes, or None wherever the
    member is anything but a plain, intact deflate stream (`zipfile` then reads it, and
    names its problem, as it always did).

    The caller has opened the member with `zipfile`, which checked its local header (name,
    flags, overlap with other members). The output is checked as `zipfile` checks it: its
    size and CRC-32. SaudiNewsNet's 18 members inflate in 0.11 s against zlib's 0.25 s.
    """
    if isal_zlib is None or member.compress_type != zipfile.ZIP_DEFLATED:
        return None
    offset = member.header_offset
    if offset + _LOCAL_HEADER.size > len(data):
        return None
    signature, name_length, extra_length = _LOCAL_HEADER.unpack_from(data, offset)
    start = offset + _LOCAL_HEADER.size + name_length + extra_length
    if signature != b"PK\x03\x04" or start + member.compress_size > len(data):
        return None
    inflater = isal_zlib.decompressobj(-15)
    try:
        with memoryview(data) as view:
            inflated = inflater.decompress(
                view[start : start + member.compress_size], max_bytes + 1
            )
    except isal_zlib.error:
        return None
    intact = inflater.eof and len(inflated) == member.file_size <= max_bytes
    return inflated if intact and isal_zlib.crc32(inflated) == member.CRC else None


def limit_text(max_bytes: int) -> str:
    return f"{max_bytes / MB:g} MB (--max-document-mb)"


def read_member(
    archive: zipfile.ZipFile,
    member: zipfile.ZipInfo,
    max_bytes: int,
    archive_bytes: bytes | None = None,
) -> bytes | str:
    """The member's bytes, streamed and never inflated past `max_bytes`, or the problem.

    `archive_bytes`: the archive's bytes, when the caller holds them: a deflated member is then
    inflated from them by ISA-L (`_inflated_in_place`) once `zipfile` has checked its header.
    """
    if member.flag_bits & 0x1:
        return "unreadable archive member: encrypted (password required)"
    if member.file_size > max_bytes:
        size = member.file_size / MB
        return f"too large: {size:.0f} MB once inflated, over {limit_text(max_bytes)}"
    try:
        with archive.open(member) as stream:
            inflated = (
                _inflated_in_place(archive_bytes, member, max_bytes) if archive_bytes else None
            )
            data = stream.read(max_bytes + 1) if inflated is None else inflated
    except NotImplementedError:
        method = member.compress_type
        return f"unreadable archive member: compression method {method} not supported"
    except _MEMBER_ERRORS as error:
        return f"unreadable archive member: {error}"
    if len(data) > max_bytes:
        return f"too large: inflates past {limit_text(max_bytes)}"
    return data

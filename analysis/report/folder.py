"""The report's output folder: replace only what the last build wrote, never anything else.

Every finished report holds a manifest, `MARKER_FILE`: the relative path and SHA-256 of each
file the build wrote. A rebuild swaps the new report in by two renames (a reader never
sees a partial folder) and then moves every entry that is not in the old manifest, or
was edited since (a user's ``notes.txt``, a ``.git`` folder, an added figure, a file made
while the build ran), from the retired folder into the new one. Only manifest files whose
content is unchanged are ever deleted. When a user's file has the name of a file the new
report writes, the build refuses before changing anything.

Temporary folders beside ``out`` carry the building process's id in their names
(``.NAME.staging-PID-*``, ``.NAME.cache-PID-*``, ``.NAME.old-PID-*``) and kernel sockets go
to ``analysis-kernel-PID-*`` in the temporary folder, so that the next build can recognise
those a killed build left behind, and remove them (or, for a retired report, put it back).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from analysis import __version__
from analysis.notebook.provenance import PROVENANCE_FILE

log = logging.getLogger(__name__)

# Written into every finished report: the manifest, whose presence allows replacing a folder.
MARKER_FILE = ".analysis-report"
# Files a folder may hold and still be a new report's target (reports/README.md is in git).
PRESERVED_FILES = ("README.md",)
KERNEL_PREFIX = "analysis-kernel-"
# A temporary folder from before names carried a process id is stale after this long.
STALE_SECONDS = 24 * 3600
# What a report from before the manifest (a marker without one) held.
_LEGACY_OWNED = re.compile(r"^(index\.html|\d\d_[\w-]+\.html|figures/[\w.-]+\.(png|svg))$")


class FolderError(RuntimeError):
    """``out`` cannot be (re)placed without touching something that is not the build's."""


# --- the manifest -------------------------------------------------------------------------


def _digest(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()


def _files(folder: Path) -> Iterator[str]:
    """Relative paths (with ``/``) of the regular files under ``folder``, links not followed."""
    for root, dirs, names in os.walk(folder):
        dirs.sort()
        for name in sorted(names):
            path = Path(root, name)
            if path.is_file() and not path.is_symlink():
                yield path.relative_to(folder).as_posix()


def write_manifest(folder: Path) -> None:
    """Record every file of a finished build in ``folder/MARKER_FILE`` (before the swap)."""
    files = {rel: _digest(folder / rel) for rel in _files(folder) if rel != MARKER_FILE}
    manifest = {"tool": "analysis", "version": __version__, "files": files}
    (folder / MARKER_FILE).write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")


def owned_files(folder: Path) -> set[str]:
    """The files of ``folder`` its last build wrote and nobody changed since (safe to delete)."""
    marker = folder / MARKER_FILE
    if not marker.is_file():
        return set()
    try:
        recorded = json.loads(marker.read_text(encoding="utf-8"))["files"]
    except (ValueError, KeyError, TypeError):  # a report from before the manifest
        legacy = {rel for rel in _files(folder) if _LEGACY_OWNED.match(rel)}
        return legacy | {MARKER_FILE, PROVENANCE_FILE} & set(_files(folder))
    owned = {MARKER_FILE}
    for rel, digest in recorded.items():
        path = folder / rel
        if path.is_file() and not path.is_symlink() and _digest(path) == digest:
            owned.add(rel)
    return owned


def _foreign(folder: Path, owned: set[str], new: Path, rel: str = "") -> Iterator[str]:
    """Top-most entries of ``folder`` that are not ``owned``: files, links or whole folders.

    A folder is entered when it holds owned files or the new report has a folder there
    (``figures/``), so that a user's figure inside it is found on its own.
    """
    for entry in sorted(os.scandir(folder / rel if rel else folder), key=lambda e: e.name):
        path = f"{rel}{entry.name}"
        if entry.is_dir(follow_symlinks=False):
            inner = any(o.startswith(path + "/") for o in owned) or (new / path).is_dir()
            if inner:
                yield from _foreign(folder, owned, new, path + "/")
            else:
                yield path
        elif path not in owned:
            yield path


# --- replacing a folder -------------------------------------------------------------------


def check_target(out: Path) -> None:
    """Refuse an ``out`` that is a file, or a folder that is neither empty nor a report."""
    if out.exists() and not out.is_dir():
        raise FolderError(f"{out} is a file, not a folder; choose another --out")
    if not out.exists():
        return
    names = {p.name for p in out.iterdir()}
    if MARKER_FILE not in names and not names <= set(PRESERVED_FILES):
        raise FolderError(
            f"{out} exists and is not a report built by this tool; choose another --out"
        )


def swap_in(staging: Path, out: Path) -> list[str]:
    """Replace the report in ``out`` by ``staging``; return the entries of others kept.

    Raises `FolderError`, changing nothing, when an entry that is not the old build's has
    a name the new report writes.
    """
    if not out.exists():
        os.replace(staging, out)
        return []
    owned = owned_files(out)
    clashes = [rel for rel in _foreign(out, owned, staging) if os.path.lexists(staging / rel)]
    if clashes:
        raise FolderError(
            f"{out / clashes[0]} was not written by the last build (added or edited since) and "
            f"the new report writes that name; move it away or choose another --out"
        )
    retired = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-{os.getpid()}-", dir=out.parent))
    os.replace(out, retired / out.name)
    os.replace(staging, out)
    return settle(retired, out, owned)


def settle(retired: Path, out: Path, owned: set[str] | None = None) -> list[str]:
    """Move what is not the old build's from ``retired/<name>`` into ``out``; drop the rest.

    Ownership is decided now, after the swap, so a file created while the build ran is
    kept. What cannot be moved (a name the new report also has) stays in ``retired``,
    with a warning; only unchanged files of the old manifest are deleted.
    """
    old = retired / out.name
    owned = owned_files(old) if owned is None else owned & owned_files(old)
    kept, left = [], []
    for rel in _foreign(old, owned, out):
        target = out / rel
        if os.path.lexists(target):
            left.append(rel)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(old / rel, target)
        kept.append(rel)
    for rel in owned:
        (old / rel).unlink(missing_ok=True)
    for root, _dirs, _names in sorted(os.walk(old), key=lambda w: -len(w[0])):
        with contextlib.suppress(OSError):  # not empty: something was kept
            os.rmdir(root)
    try:
        retired.rmdir()
    except OSError:
        log.warning("kept %s: it holds %s, which the new report also has", retired, left)
    return kept


# --- leftovers of killed builds -------------------------------------------------------------


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # someone else's process: alive
        return True
    return True


def _stale(path: Path, pid: str | None) -> bool:
    if pid:
        return not _pid_alive(int(pid))
    try:
        return time.time() - path.lstat().st_mtime > STALE_SECONDS
    except OSError:
        return False


def temporary_prefix(out: Path, kind: str) -> str:
    """``.NAME.KIND-PID-``: the prefix of a temporary folder beside ``out``."""
    return f".{out.name}.{kind}-{os.getpid()}-"


def clean_stale(out: Path) -> list[Path]:
    """Remove what killed builds of ``out`` left beside it; put back a retired report.

    Only folders named as this tool names them are touched: with a process id that no longer
    runs, or (older names without one) untouched for `STALE_SECONDS`.
    """
    pattern = re.compile(
        rf"^\.{re.escape(out.name)}\.(staging|cache|old)-(?:(\d+)-)?[A-Za-z0-9_]{{8}}$"
    )
    removed = []
    parent = out.parent
    if not parent.is_dir():
        return removed
    for path in sorted(parent.iterdir()):
        match = pattern.match(path.name)
        if not match or not path.is_dir() or path.is_symlink():
            continue
        kind, pid = match.groups()
        if not _stale(path, pid):
            continue
        if kind == "old":
            if not (path / out.name).exists():
                shutil.rmtree(path, ignore_errors=True)
            elif not out.exists():  # killed between the two renames: the old report returns
                os.replace(path / out.name, out)
                path.rmdir()
            else:
                settle(path, out)
        else:
            shutil.rmtree(path, ignore_errors=True)
        removed.append(path)
    removed += _clean_stale_kernels()
    return removed


def kernel_folder() -> Path:
    """A private folder for one kernel's sockets, named so a later build can clean it."""
    return Path(tempfile.mkdtemp(prefix=f"{KERNEL_PREFIX}{os.getpid()}-"))


def _clean_stale_kernels() -> list[Path]:
    pattern = re.compile(rf"^{KERNEL_PREFIX}(\d+)-[A-Za-z0-9_]{{8}}$")
    removed = []
    for path in Path(tempfile.gettempdir()).iterdir():
        match = pattern.match(path.name)
        if not match or not path.is_dir() or path.is_symlink():
            continue
        if path.stat().st_uid == os.getuid() and _stale(path, match.group(1)):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed

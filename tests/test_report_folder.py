"""The output folder: a rebuild replaces only what the last build wrote (issue 17)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from report_support import dead_pid

from analysis.report import ReportError, folder
from analysis.report import build as report


def _staging(tmp_path, name="staging", pages=("index.html",)):
    staging = tmp_path / name
    (staging / "figures").mkdir(parents=True)
    for page in pages:
        (staging / page).write_text(f"new {page}")
    (staging / "figures" / "chart.png").write_bytes(b"new png")
    folder.write_manifest(staging)
    return staging


def _published(tmp_path):
    """A report as a build leaves it: pages, a figure and the manifest."""
    out = tmp_path / "report"
    folder.swap_in(_staging(tmp_path, "first", ("index.html", "01_a.html")), out)
    return out


def test_a_rebuild_keeps_the_users_files_and_replaces_its_own(tmp_path):
    out = _published(tmp_path)
    (out / "notes.txt").write_text("mine")
    (out / ".git").mkdir()
    (out / ".git" / "HEAD").write_text("ref")
    (out / "figures" / "added.png").write_bytes(b"my figure")
    (out / "README.md").write_text("kept")
    kept = folder.swap_in(_staging(tmp_path), out)
    assert sorted(kept) == [".git", "README.md", "figures/added.png", "notes.txt"]
    assert (out / "notes.txt").read_text() == "mine"
    assert (out / ".git" / "HEAD").read_text() == "ref"
    assert (out / "figures" / "added.png").read_bytes() == b"my figure"
    assert (out / "index.html").read_text() == "new index.html"
    assert not (out / "01_a.html").exists(), "a page of the old build survived"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"], "temporary folder left"
    manifest = folder.owned_files(out)
    assert "notes.txt" not in manifest and "index.html" in manifest


def test_a_users_file_with_a_name_the_build_writes_is_refused_and_nothing_changes(tmp_path):
    out = _published(tmp_path)
    (out / "index.html").write_text("edited by hand")  # no longer what the build wrote
    before = sorted(p.relative_to(out).as_posix() for p in out.rglob("*"))
    with pytest.raises(folder.FolderError) as raised:
        folder.swap_in(_staging(tmp_path), out)
    message = str(raised.value)
    assert "\n" not in message and "index.html" in message and "was not written" in message
    assert (out / "index.html").read_text() == "edited by hand"
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*")) == before


def test_a_file_made_in_a_new_out_while_the_build_ran_is_kept(tmp_path):
    out = tmp_path / "report"
    staging = _staging(tmp_path)
    out.mkdir()  # the folder did not exist when the build started
    (out / "draft.txt").write_text("typed meanwhile")
    assert folder.swap_in(staging, out) == ["draft.txt"]
    assert (out / "draft.txt").read_text() == "typed meanwhile"
    assert (out / "index.html").exists()


def test_ownership_is_checked_again_after_the_swap(tmp_path):
    out = _published(tmp_path)
    retired = tmp_path / f".report.old-{os.getpid()}-abcdefgh"
    retired.mkdir()
    os.replace(out, retired / "report")
    # between the ownership check and the rename someone added a file to the old folder
    (retired / "report" / "late.txt").write_text("late")
    os.replace(_staging(tmp_path), out)
    folder.settle(retired, out)
    assert (out / "late.txt").read_text() == "late"
    assert not retired.exists()


def test_a_folder_that_is_not_a_report_is_refused_in_one_line(tmp_path):
    (tmp_path / "notes.txt").write_text("precious")
    with pytest.raises(ReportError, match="not a report built by this tool") as raised:
        report.build_report(out=tmp_path)
    assert "\n" not in str(raised.value)
    assert (tmp_path / "notes.txt").read_text() == "precious"


def test_stale_folders_of_a_killed_build_are_cleaned_and_a_retired_report_restored(tmp_path):
    pid = dead_pid()
    out = tmp_path / "report"
    stale = [tmp_path / f".report.{kind}-{pid}-abcd_123" for kind in ("staging", "cache")]
    for path in stale:
        (path / "figures").mkdir(parents=True)
    live = tmp_path / f".report.staging-{os.getpid()}-abcd_123"  # a build still running
    live.mkdir()
    other = tmp_path / f".other.staging-{pid}-abcd_123"  # another report's, or not ours
    other.mkdir()
    mine = tmp_path / ".report.staging-notes"  # not our naming: never touched
    mine.mkdir()
    # killed between the two renames: the previous report sits in .report.old-*
    retired = tmp_path / f".report.old-{pid}-abcd_123"
    retired.mkdir()
    folder.swap_in(_staging(tmp_path), retired / "report")
    folder.clean_stale(out)
    assert not any(p.exists() for p in stale)
    assert live.exists() and other.exists() and mine.exists()
    assert (out / "index.html").read_text() == "new index.html" and not retired.exists()


def test_stale_kernel_folders_of_this_tool_are_cleaned(tmp_path, monkeypatch):
    monkeypatch.setattr(folder.tempfile, "gettempdir", lambda: str(tmp_path))
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    stale = tmp_path / f"analysis-kernel-{int(dead.stdout)}-abcd_123"
    stale.mkdir()
    (stale / "kernel.json").write_text("{}")
    foreign = tmp_path / "kernel-abcd_123"  # someone else's kernel folder
    foreign.mkdir()
    assert folder.clean_stale(tmp_path / "report") == [stale]
    assert not stale.exists() and foreign.exists()

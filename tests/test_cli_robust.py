"""The command line under bad options, faults and hostile text: one clear line (issue 17)."""

from __future__ import annotations

import argparse
import errno
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from report_support import dead_pid, one_line, one_page_notebooks, report_parameters
from report_support import run_analysis as run

from analysis import config
from analysis.cli import main, output
from analysis.cli import report as cli_report
from analysis.report import build as report
from analysis.report import folder

WORKER_COMMANDS = [
    ("themes",),
    ("report", "--out", "unused"),
    ("sample",),
    ("forms",),
]


# --- --workers ------------------------------------------------------------------------------


@pytest.mark.parametrize("command", WORKER_COMMANDS, ids=lambda c: c[0])
@pytest.mark.parametrize("workers", ["0", "-3"])
def test_workers_below_one_are_refused_in_one_line(command, workers, tmp_path):
    result = run(*command, "--workers", workers, cwd=tmp_path)
    assert result.returncode == output.EXIT_BAD_INPUT
    assert one_line(result.stderr) == f"error: --workers must be at least 1, got {workers}"
    assert not (tmp_path / "unused").exists()


def test_huge_workers_are_capped_at_the_cpu_count(capsys):
    assert output.checked_workers(100_000) == (os.cpu_count() or 1)
    assert f"capped at {os.cpu_count()}" in one_line(capsys.readouterr().err)
    assert output.checked_workers(1) == 1


def test_themes_with_100000_workers_finishes(tmp_path):
    result = run("themes", "--workers", "100000", "--format", "csv")
    assert result.returncode == output.EXIT_OK, result.stderr
    assert "capped at" in one_line(result.stderr)
    assert result.stdout.count("\n") == 6  # header and the five seed documents


@pytest.mark.parametrize("command", WORKER_COMMANDS, ids=lambda c: c[0])
def test_every_command_with_workers_gets_them_checked(command, monkeypatch):
    seen = {}
    monkeypatch.setattr(os, "cpu_count", lambda: 2)

    class Module:
        @staticmethod
        def run(args):
            seen["workers"] = args.workers
            return 0

    monkeypatch.setattr("analysis.cli.importlib.import_module", lambda name: Module)
    assert main([*command, "--workers", "64"]) == 0
    assert seen["workers"] == 2


# --- report: options and clear errors ---------------------------------------------------------


@pytest.fixture
def fine_notebooks(tmp_path, monkeypatch):
    """Only the page that builds: a report in seconds."""
    notebooks = one_page_notebooks(tmp_path / "notebooks")
    monkeypatch.setattr(config, "NOTEBOOKS_DIR", notebooks)
    return notebooks


def _args(out, **extra):
    values = dict(corpus=None, out=out, show_code=False, workers=1, timeout=120)
    return argparse.Namespace(**{**values, **extra})


def test_report_passes_text_field_and_keep_duplicates_to_the_notebooks(tmp_path, monkeypatch):
    code, seen = report_parameters(
        monkeypatch, "--out", str(tmp_path / "r"), "--text-field", "matn", "--keep-duplicates"
    )
    assert code == output.EXIT_INTERRUPTED
    assert seen["TEXT_FIELD"] == "matn" and seen["KEEP_DUPLICATES"] is True
    for path in sorted(config.NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb")):
        source = path.read_text(encoding="utf-8")
        assert "TEXT_FIELD = None" in source and "text_field=TEXT_FIELD" in source, path.name


def test_a_rebuild_keeps_the_users_files(tmp_path, fine_notebooks, capsys):
    out = tmp_path / "report"
    assert cli_report.run(_args(out)) == output.EXIT_OK
    (out / "notes.txt").write_text("mine")
    (out / ".git").mkdir()
    (out / ".git" / "config").write_text("[core]")
    (out / "figures").mkdir()
    (out / "figures" / "extra.png").write_bytes(b"png")
    assert cli_report.run(_args(out)) == output.EXIT_OK
    assert (out / "notes.txt").read_text() == "mine"
    assert (out / ".git" / "config").read_text() == "[core]"
    assert (out / "figures" / "extra.png").read_bytes() == b"png"
    assert (out / "01_fine.html").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notebooks", "report"]


def _previous(tmp_path, fine_notebooks):
    out = tmp_path / "report"
    assert cli_report.run(_args(out)) == output.EXIT_OK
    return out, {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}


def _unchanged(out, before):
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert sorted(p.name for p in out.parent.iterdir()) == ["notebooks", "report"]


def test_a_full_disk_is_one_line_and_keeps_the_previous_report(
    tmp_path, fine_notebooks, monkeypatch, capsys
):
    out, before = _previous(tmp_path, fine_notebooks)
    capsys.readouterr()

    def full(path, text):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))

    monkeypatch.setattr(report, "_write_text", full)
    assert cli_report.run(_args(out)) == output.EXIT_FAILED
    line = one_line(capsys.readouterr().err)
    assert line.startswith("report failed: could not write ") and "No space left" in line
    assert line.endswith("the previous report, if any, was kept")
    _unchanged(out, before)


def test_a_read_only_output_folder_is_one_line(tmp_path, fine_notebooks, monkeypatch, capsys):
    out, before = _previous(tmp_path, fine_notebooks)
    capsys.readouterr()

    def read_only(*args, dir=None, **kwargs):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(dir))

    monkeypatch.setattr(report.tempfile, "mkdtemp", read_only)
    assert cli_report.run(_args(out)) == output.EXIT_FAILED
    line = one_line(capsys.readouterr().err)
    assert f"could not write {tmp_path}: Read-only file system" in line and "kept" in line
    _unchanged(out, before)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root writes anywhere")
def test_a_really_read_only_folder_is_one_line(tmp_path):
    parent = tmp_path / "locked"
    parent.mkdir()
    parent.chmod(0o555)
    try:
        result = run("report", "--out", str(parent / "report"))
    finally:
        parent.chmod(0o755)
    assert result.returncode == output.EXIT_FAILED
    assert "Permission denied" in one_line(result.stderr)


def test_out_under_a_file_is_one_line(tmp_path):
    (tmp_path / "file").write_text("x")
    result = run("report", "--out", str(tmp_path / "file" / "report"))
    assert result.returncode == output.EXIT_FAILED
    line = one_line(result.stderr)
    assert line.startswith("report failed: could not write ") and "file" in line
    assert (tmp_path / "file").read_text() == "x"


def test_out_that_is_a_file_is_one_line(tmp_path):
    (tmp_path / "file").write_text("x")
    result = run("report", "--out", str(tmp_path / "file"))
    assert result.returncode == output.EXIT_FAILED
    assert "is a file, not a folder" in one_line(result.stderr)


def test_ctrl_c_is_one_line_and_keeps_the_previous_report(
    tmp_path, fine_notebooks, monkeypatch, capsys
):
    out, before = _previous(tmp_path, fine_notebooks)
    capsys.readouterr()

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(report, "execute_notebook", interrupted)
    assert cli_report.run(_args(out)) == output.EXIT_INTERRUPTED
    line = one_line(capsys.readouterr().err)
    assert line == "report interrupted; the previous report, if any, was kept"
    _unchanged(out, before)


def test_leftovers_of_a_killed_build_are_cleaned_by_the_next(tmp_path, fine_notebooks):
    out, _ = _previous(tmp_path, fine_notebooks)
    pid = dead_pid()
    stale = [tmp_path / f".report.{kind}-{pid}-abcd_123" for kind in ("staging", "cache")]
    for path in stale:
        path.mkdir()
        (path / "half.html").write_text("half")
    assert cli_report.run(_args(out)) == output.EXIT_OK
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notebooks", "report"]


def test_out_inside_the_corpus_is_refused(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("نص")
    result = run("report", "--corpus", str(corpus), "--out", str(corpus / "report"))
    assert result.returncode == output.EXIT_FAILED
    assert "is inside the corpus folder" in one_line(result.stderr)
    assert sorted(p.name for p in corpus.iterdir()) == ["a.txt"]


# --- hostile text on the terminal and in Markdown ---------------------------------------------


def test_themes_markdown_escapes_hostile_titles(tmp_path):
    corpus = tmp_path / "c.json"
    records = [
        {
            "title": "<script>alert(1)</script> [x](javascript:alert(2)) a|b ![i](u)",
            "text": "أعلنت الأجهزة الأمنية تفكيك خلية إرهابية في إطار مكافحة الإرهاب.",
        },
    ]
    corpus.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    result = run("themes", str(corpus), "--format", "markdown")
    assert result.returncode == output.EXIT_OK, result.stderr
    row = result.stdout.splitlines()[2]
    assert r"\<script\>alert(1)\</script\> [x]\(javascript:alert(2)) a\|b ![i]\(u)" in row
    assert not re.search(r"(?<!\\)[<>]|\]\(", row), "HTML or a link left in the Markdown"


def test_clean_shows_control_characters_instead_of_sending_them(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text(
        "عنوان\n\x1b[31mأعلنت الأجهزة الأمنية\x1b[0m تفكيك خلية\x07\n", encoding="utf-8"
    )
    result = run("clean", str(path))
    assert result.returncode == output.EXIT_OK, result.stderr
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    assert "\\x1b[31m" in result.stdout


def test_tag_warns_on_binary_lines_naming_them():
    stdin = "نص عادي عن الإرهاب\n".encode() + b"\x00\x01\xff\xfe\x00\n" + "سطر\n".encode()
    result = run("tag", stdin=stdin)
    assert result.returncode == output.EXIT_OK
    assert one_line(result.stderr).startswith("warning: stdin line 2 looks binary")
    assert len(result.stdout.splitlines()) == 3  # one object per line still
    text_only = run("tag", stdin="سطر عربي\tمع جدولة\n".encode())
    assert text_only.stderr == ""


def test_folder_module_names_its_temporary_folders_with_the_pid(tmp_path):
    assert folder.temporary_prefix(tmp_path / "r", "staging") == f".r.staging-{os.getpid()}-"


def test_a_real_ctrl_c_during_a_cell_is_one_line(tmp_path, fine_notebooks, monkeypatch, capsys):
    """SIGINT while a kernel runs: nbclient shuts the kernel down; that is an interrupt."""
    import signal
    import threading
    import time

    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    out, before = _previous(tmp_path, fine_notebooks)
    capsys.readouterr()
    parameters = new_code_cell("CORPUS = None")
    parameters.metadata["tags"] = ["parameters"]
    slow = new_notebook(
        cells=[
            new_markdown_cell("# Slow"),
            parameters,
            new_code_cell("import time; time.sleep(30)"),
        ]
    )
    slow.metadata["kernelspec"] = {"name": config.KERNEL_NAME, "display_name": "k"}
    nbformat.write(slow, fine_notebooks / "02_slow.ipynb")

    def ctrl_c():
        time.sleep(8)  # inside the sleeping cell of 02_slow (01_fine takes a few seconds)
        os.kill(os.getpid(), signal.SIGINT)

    threading.Thread(target=ctrl_c, daemon=True).start()
    started = time.monotonic()
    assert main(["report", "--out", str(out)]) == output.EXIT_INTERRUPTED
    assert time.monotonic() - started < 25, "the build went on after Ctrl-C"
    line = one_line(capsys.readouterr().err)
    assert line.startswith("report interrupted")
    _unchanged(out, before)


@pytest.mark.skipif(not Path("/proc/self/cmdline").exists(), reason="needs Linux /proc")
def test_after_a_sigkill_the_next_build_cleans_what_the_killed_one_left(tmp_path, fine_notebooks):
    import signal
    import time

    out, _ = _previous(tmp_path, fine_notebooks)
    script = (
        "import sys; from analysis import config; from pathlib import Path; "
        f"config.NOTEBOOKS_DIR = Path({str(fine_notebooks)!r}); "
        "from analysis.cli import main; sys.exit(main(['report', '--out', sys.argv[1]]))"
    )
    killed = subprocess.Popen([sys.executable, "-c", script, str(out)], env=os.environ)
    kernels = lambda: set(Path(tempfile.gettempdir()).glob(f"analysis-kernel-{killed.pid}-*"))  # noqa: E731
    deadline = time.monotonic() + 120
    while not kernels() and time.monotonic() < deadline:  # a kernel is running
        time.sleep(0.1)
    os.kill(killed.pid, signal.SIGKILL)
    killed.wait()
    # A kernel launched just before the kill lives on until it notices its parent is gone
    # (about a second), and may write its connection file meanwhile: let it go first.
    while _processes_mentioning(f"analysis-kernel-{killed.pid}-") and time.monotonic() < deadline:
        time.sleep(0.2)
    left = {p.name.split("-")[0] for p in tmp_path.iterdir()} - {"notebooks", "report"}
    assert left == {".report.staging", ".report.cache"}, left
    assert kernels(), "the killed build left no kernel folder (nothing to test)"
    assert cli_report.run(_args(out)) == output.EXIT_OK
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notebooks", "report"]
    assert not kernels()
    assert (out / "01_fine.html").read_bytes() != b""


def _processes_mentioning(text: str) -> list[str]:
    """Ids of running processes whose command line holds ``text`` (Linux /proc)."""
    found = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            if text in (entry / "cmdline").read_bytes().decode("utf-8", "replace"):
                found.append(entry.name)
        except OSError:
            continue
    return found

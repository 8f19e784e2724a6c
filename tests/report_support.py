"""One build of each report per test session, shared by test_notebooks and test_browser."""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from analysis import config
from analysis.report import build as report_build
from analysis.report import build_report

DATA = Path(__file__).parent / "data" / "report"
HOSTILE_CORPUS = DATA / "hostile_corpus"
FAILING_NOTEBOOKS = DATA / "failing_notebooks"


HOSTILE_LABELS = DATA / "hostile_labels.tsv"


def run_analysis(
    *args: str, cwd: Path | None = None, stdin: bytes = b""
) -> subprocess.CompletedProcess[str]:
    """`python -m analysis ARGS` in a subprocess (Agg backend), output decoded as UTF-8."""
    return subprocess.run(
        [sys.executable, "-m", "analysis", *args],
        input=stdin.decode("utf-8", "surrogateescape") if stdin else None,
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        env={**os.environ, "MPLBACKEND": "Agg"},
        cwd=cwd or config.PROJECT_ROOT,
        timeout=300,
        check=False,
    )


def report_parameters(monkeypatch, *argv: str) -> tuple[int, dict]:
    """(exit code, parameters the first notebook got) of `report ARGV`, stopped there."""
    from analysis.cli import main

    seen: dict = {}

    def execute(path, parameters, **options):
        seen.update(parameters)
        raise KeyboardInterrupt  # enough: the parameters are what is checked

    monkeypatch.setattr(report_build, "execute_notebook", execute)
    return main(["report", *argv]), seen


def dead_pid() -> int:
    """The pid of a process that has exited (what a SIGKILLed build leaves in its names)."""
    finished = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(finished.stdout)


def one_line(stderr: str) -> str:
    """The only non-blank line of `stderr` (fails when there are more)."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    return lines[0]


def one_page_notebooks(folder: Path) -> Path:
    """`folder` holding only the page that builds in seconds (a report in seconds)."""
    folder.mkdir()
    shutil.copy(FAILING_NOTEBOOKS / "01_fine.ipynb", folder)
    return folder


@functools.cache
def built_report(
    corpus: Path | None = None, show_code: bool = False, labels: Path | None = None
) -> Path:
    """Build the report on ``corpus`` (None: the seeds) once per session, into a temp dir."""
    out = Path(tempfile.mkdtemp(prefix="report-test-")) / "report"
    return build_report(corpus, out, show_code=show_code, timeout=600, labels=labels)


def reader_report() -> Path:
    return built_report()


def hostile_report() -> Path:
    return built_report(HOSTILE_CORPUS, labels=HOSTILE_LABELS)


def report_pages(out: Path) -> list[Path]:
    """Every exported page, index included."""
    return sorted(out.glob("*.html"))


def notebook_names() -> list[str]:
    """The report's pages (the interactive explorer, marked out of the report, is not one)."""
    return sorted(p.stem for p in report_build.notebook_paths(config.NOTEBOOKS_DIR))


# Titles that broke the build or the page (issue 17): mathtext, money, a format field, a
# 1 MB title, markup; outlets with mathtext too. The text field has a name nobody guesses,
# so the build only reads the records when --text-field reaches the notebooks.
TITLE_FIELD_TEXT = "matn"
HOSTILE_TITLES = [
    "{عاجل} هجوم إرهابي {0} {x}",
    "$\\undefinedmacro$ الأمن والإرهاب",
    "تبرع بـ $5 … $10 لمكافحة الإرهاب",
    ("عنوان طويل جدا " * 70_000)[:1_000_000],
    "<script>window.__pwned = 1</script> [x](javascript:alert(2)) | pipe",
]


@functools.cache
def titles_report() -> Path:
    """A report on five records whose titles and outlets are hostile (made on the fly)."""
    lines = [
        line
        for line in (HOSTILE_CORPUS / "plain.txt").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    records = [
        {
            "title": title,
            "source": "$\\alpha$ {outlet}" if i % 2 else "المنبر",
            # the first record is the longest, so `reading` names it (the `{عاجل}` title)
            TITLE_FIELD_TEXT: "\n".join(lines) if i == 0 else lines[i],
        }
        for i, title in enumerate(HOSTILE_TITLES)
    ]
    root = Path(tempfile.mkdtemp(prefix="report-titles-"))
    (root / "corpus").mkdir()
    (root / "corpus" / "articles.json").write_text(
        json.dumps(records, ensure_ascii=False), encoding="utf-8"
    )
    return build_report(
        root / "corpus",
        root / "report",
        timeout=600,
        text_field=TITLE_FIELD_TEXT,
        keep_duplicates=True,
    )

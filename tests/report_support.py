"""One build of each report per test session, shared by test_notebooks and test_browser."""

from __future__ import annotations

import functools
import tempfile
from pathlib import Path

from analysis import config
from analysis.report import build_report

DATA = Path(__file__).parent / "data" / "report"
HOSTILE_CORPUS = DATA / "hostile_corpus"
FAILING_NOTEBOOKS = DATA / "failing_notebooks"


HOSTILE_LABELS = DATA / "hostile_labels.tsv"


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
    return sorted(p.stem for p in config.NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb"))

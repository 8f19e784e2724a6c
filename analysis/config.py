"""Every path the project uses, in one place (notebooks and scripts never spell paths).

The notebooks and the seed corpus live at the root of the checkout, which is where they are
edited and tested. An installed package (a wheel) carries a copy of them made at build time
(setup.py) under ``analysis/_resources/``; that copy is used when it exists, the checkout's
folders otherwise. Reports go to the checkout's ``reports/``, or to ``./reports`` when the
package runs outside a checkout.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = PACKAGE_DIR.parent
DATA_DIR = PACKAGE_DIR / "data"
# What the wheel carries beside the modules (copied there by setup.py at build time).
RESOURCES_DIRNAME = "_resources"
# True when the package runs from its source tree (editable install or `python -m analysis`
# in the checkout), False when installed from a wheel.
IN_CHECKOUT = (PROJECT_ROOT / "pyproject.toml").is_file() and (PROJECT_ROOT / "analysis").is_dir()


class MissingResource(FileNotFoundError):
    """A file or folder the package should have shipped is not there (one line to show)."""


def resource_dir(name: str) -> Path:
    """The folder ``name`` (``notebooks``, ``seeds``) of the wheel, else of the checkout.

    When neither exists the wheel's path is returned; `require` says what is missing.
    """
    packaged = Path(str(resources.files(__package__ or "analysis") / RESOURCES_DIRNAME / name))
    if packaged.is_dir() or not (PROJECT_ROOT / name).is_dir():
        return packaged
    return PROJECT_ROOT / name


def require(path: Path, what: str, instead: str, *, plural: bool = False) -> Path:
    """``path`` if it exists, else `MissingResource`: what is missing, where, what to do."""
    if path.exists():
        return path
    raise MissingResource(
        f"{what} {'are' if plural else 'is'} missing from this installation "
        f"(no {path}): reinstall the package (pip install --force-reinstall arabic-themes) "
        f"or {instead}"
    )


SEEDS_DIR = resource_dir("seeds")
NOTEBOOKS_DIR = resource_dir("notebooks")
REPORTS_DIR = PROJECT_ROOT / "reports" if IN_CHECKOUT else Path("reports")
FIGURES_DIRNAME = "figures"
# Files a report build writes beside its pages, and the two annotation passes beside a
# labelled TSV (their agreement is the report's kappa).
PROVENANCE_FILENAME = "provenance.json"
STUDY_CACHE_FILENAME = "study.pickle"
ANNOTATION_PASS_FILENAMES = ("annotator_a.tsv", "annotator_b.tsv")

LEXICON_PATH = DATA_DIR / "lexicon.yaml"
STOPWORDS_EXTRA_PATH = DATA_DIR / "stopwords_extra.txt"
STEM_EXCEPTIONS_PATH = DATA_DIR / "stem_exceptions.txt"
VALIDATION_SET_PATH = DATA_DIR / "validation_sentences.yaml"
SAMPLING_CUES_PATH = DATA_DIR / "sampling_cues.yaml"
BOILERPLATE_PATH = DATA_DIR / "boilerplate.yaml"
DATES_PATH = DATA_DIR / "dates.yaml"
VALIDATION_DIR = DATA_DIR / "validation"
LABELS_PATH = VALIDATION_DIR / "labels.tsv"

# The shared, read-only reference corpus; it sits beside the repository, never inside it.
SAUDINEWSNET_DIR = Path(
    os.environ.get("SAUDINEWSNET_DIR", PROJECT_ROOT.parent / "shared" / "corpora" / "saudinewsnet")
)

# nbconvert templates (one folder per template, the report's is `report`, with the index page).
TEMPLATES_DIR = PACKAGE_DIR / "report" / "templates"

KERNEL_NAME = "arabic-themes"


def default_corpus() -> Path:
    """The corpus used when none is named: the seed articles (`MissingResource` if absent)."""
    return require(SEEDS_DIR, "the seed corpus", "name a corpus")

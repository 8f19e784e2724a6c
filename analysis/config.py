"""Every path the project uses, in one place (notebooks and scripts never spell paths)."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = PACKAGE_DIR.parent
DATA_DIR = PACKAGE_DIR / "data"

SEEDS_DIR = PROJECT_ROOT / "seeds"
NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
REPORTS_DIR = PROJECT_ROOT / "reports"
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
    """The corpus used when none is named: the seed articles."""
    return SEEDS_DIR

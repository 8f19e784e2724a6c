"""Headless reruns the usual way: papermill runs every notebook with its own parameters.

`papermill NOTEBOOK OUT.ipynb -p CORPUS path` is what a user's scheduler or CI would type.
The runs go two at a time (each is mostly a kernel starting and importing) and are checked
when all have finished. Two, not all at once: kernels launched together by separate
processes each pick free ports and bind them later, and once in a fresh clone one of six died
before answering ("Kernel died before replying to kernel_info"); CI has two cores anyway.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from analysis import config

pytestmark = pytest.mark.slow

PAPERMILL = Path(sys.executable).with_name("papermill")
PACKAGE_DATA = Path(__file__).parent / "data" / "package"
NOTEBOOKS = sorted(config.NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb"))


@pytest.fixture(scope="module")
def papermill_runs(tmp_path_factory):
    """{run name: (completed process, output notebook, its OUT_DIR)}, all run at once."""
    if not PAPERMILL.exists():
        pytest.skip(f"papermill is not installed beside {sys.executable}")
    root = tmp_path_factory.mktemp("papermill")
    runs = {
        # the command: the package's lexicon on a corpus none of its themes matches
        "02_themes-package-lexicon": (
            config.NOTEBOOKS_DIR / "02_themes.ipynb",
            ["-p", "CORPUS", str(PACKAGE_DATA / "corpus")],
        ),
    }
    for path in NOTEBOOKS:  # every notebook, with a user's corpus and lexicon
        runs[path.stem] = (
            path,
            ["-p", "CORPUS", "corpus", "-p", "LEXICON", str(PACKAGE_DATA / "lexicon.yaml")],
        )
    started = {}
    results = {}
    for name, (notebook, parameters) in runs.items():
        if len(started) - len(results) >= _AT_ONCE:
            _finish(started, results)
        out_dir = root / name
        command = [
            str(PAPERMILL),
            str(notebook),
            str(root / f"{name}.ipynb"),
            *parameters,
            "-p",
            "OUT_DIR",  # else figures would go to the checkout's reports/
            str(out_dir),
            "--cwd",
            str(PACKAGE_DATA),  # a relative CORPUS is read from the working folder
        ]
        process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            env={**os.environ, "MPLBACKEND": "Agg"},
            cwd=root,
        )
        started[name] = (process, root / f"{name}.ipynb", out_dir)
    while len(results) < len(started):
        _finish(started, results)
    yield results
    shutil.rmtree(root, ignore_errors=True)


_AT_ONCE = 2


def _finish(started: dict, results: dict) -> None:
    """Wait for the oldest run not finished yet and record it."""
    name = next(n for n in started if n not in results)
    process, output, out_dir = started[name]
    stdout, stderr = process.communicate(timeout=600)
    results[name] = (
        subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr),
        output,
        out_dir,
    )


def _errors(nb) -> list[str]:
    return [
        f"{o.get('ename')}: {o.get('evalue')}"
        for cell in nb.cells
        for o in cell.get("outputs", [])
        if o.get("output_type") == "error"
    ]


@pytest.mark.parametrize("name", [p.stem for p in NOTEBOOKS])
def test_papermill_runs_every_notebook_on_a_users_corpus_and_lexicon(papermill_runs, name):
    result, output, out_dir = papermill_runs[name]
    assert result.returncode == 0, result.stderr[-3000:]
    nb = nbformat.read(output, as_version=4)
    assert _errors(nb) == []
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1 and "LEXICON" in injected[0].source
    record = (out_dir / config.PROVENANCE_FILENAME).read_text(encoding="utf-8")
    assert '"lexicon_file": "lexicon.yaml"' in record and '"water"' in record


def test_papermill_with_only_a_corpus_uses_the_packages_lexicon(papermill_runs):
    result, output, out_dir = papermill_runs["02_themes-package-lexicon"]
    assert result.returncode == 0, result.stderr[-3000:]
    nb = nbformat.read(output, as_version=4)
    assert _errors(nb) == []
    record = (out_dir / config.PROVENANCE_FILENAME).read_text(encoding="utf-8")
    assert '"lexicon_packaged": true' in record and '"documents": 6' in record
    text = "\n".join(
        str(o.get("data", {}).get("text/html", "")) for c in nb.cells for o in c.get("outputs", [])
    )
    assert "No entry of the lexicon matched the corpus" in text

"""The notebooks as stored (no outputs, tagged cells) and as executed by build_report."""

from __future__ import annotations

import argparse
import shutil
import sys

import nbformat
import pytest
from report_support import FAILING_NOTEBOOKS, notebook_names, reader_report

from analysis import config
from analysis.cli import report as cli_report
from analysis.report import NotebookError, build_report
from analysis.report import build as report

NOTEBOOKS = sorted(config.NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb"))


def test_the_report_has_four_pages_and_the_explorer_is_lab_only():
    assert [p.stem for p in NOTEBOOKS] == [
        "01_corpus",
        "02_themes",
        "03_context",
        "04_trends",
        "05_explore",
    ]
    pages = [p.stem for p in report.notebook_paths(config.NOTEBOOKS_DIR)]
    assert pages == ["01_corpus", "02_themes", "03_context", "04_trends"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_stored_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name} cell {index} has outputs"
            assert cell.execution_count is None, f"{path.name} cell {index} has a count"
        assert "execution" not in cell.metadata, f"{path.name} cell {index} has timings"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_declares_parameters_and_hides_setup(path):
    nb = nbformat.read(path, as_version=4)
    assert nb.metadata.kernelspec.name == config.KERNEL_NAME
    tags = [cell.metadata.get("tags", []) for cell in nb.cells]
    parameters = [i for i, t in enumerate(tags) if "parameters" in t]
    assert len(parameters) == 1, "exactly one cell tagged 'parameters'"
    index = parameters[0]
    assert "hide-input" in tags[index] and "hide-input" in tags[index + 1]
    for name in ("CORPUS", "OUT_DIR", "KEEP_DUPLICATES", "WORKERS", "BUILD_TIME"):
        assert f"{name} = " in nb.cells[index].source


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebooks_spell_no_paths(path):
    """Paths live in analysis/config.py, never in notebooks."""
    nb = nbformat.read(path, as_version=4)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    for fragment in ("/work", "seeds/", "reports/", ".yaml", "open("):
        assert fragment not in code


def test_seeds_report_has_every_page_and_figure():
    out = reader_report()
    assert sorted(p.stem for p in out.glob("[0-9][0-9]_*.html")) == notebook_names()
    assert (out / "index.html").is_file()
    figures = {p.name for p in (out / config.FIGURES_DIRNAME).iterdir()}
    for name in ("theme_frequency", "document_profile", "top_terms", "cooccurrence"):
        assert {f"{name}.png", f"{name}.svg"} <= figures
    assert not list(out.parent.glob(".*staging*")), "staging folder left behind"


def test_seeds_pages_state_their_provenance():
    out = reader_report()
    provenance = report.read_provenance(out)
    assert provenance["corpus_name"] == "seeds"
    assert provenance["documents"] == 5
    for page in out.glob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert provenance["corpus_hash"][:12] in text, page.name
        assert provenance["lexicon_hash"][:12] in text, page.name
        assert "analysis " in text and "built " in text


def _previous_report(tmp_path):
    out = tmp_path / "report"
    out.mkdir()
    (out / report.MARKER_FILE).write_text("previous\n")
    (out / "index.html").write_text("previous report")
    return out


def test_failing_cell_stops_the_build_and_keeps_the_previous_report(tmp_path):
    out = _previous_report(tmp_path)
    with pytest.raises(NotebookError) as raised:
        build_report(out=out, notebooks_dir=FAILING_NOTEBOOKS, timeout=120)
    error = raised.value
    assert (error.notebook, error.cell_index, error.ename) == ("02_broken.ipynb", 3, "ValueError")
    assert "deliberate failure" in str(error)
    assert (out / "index.html").read_text() == "previous report"
    assert not (out / "01_fine.html").exists(), "a page of the failed build was published"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report"], "staging left behind"


def test_cli_exits_non_zero_with_the_cell_error(tmp_path, monkeypatch, capsys):
    out = _previous_report(tmp_path)
    notebooks = tmp_path / "notebooks"
    shutil.copytree(FAILING_NOTEBOOKS, notebooks)
    monkeypatch.setattr(config, "NOTEBOOKS_DIR", notebooks)
    args = argparse.Namespace(corpus=None, out=out, show_code=False, workers=1, timeout=120)
    assert cli_report.run(args) == 1
    err = capsys.readouterr().err
    assert "02_broken.ipynb, cell 3" in err and "ValueError: deliberate failure" in err
    assert (out / "index.html").read_text() == "previous report"


@pytest.mark.skipif(sys.platform == "win32", reason="Unix sockets are a POSIX transport")
def test_kernels_talk_over_private_unix_sockets(tmp_path, capfd):
    """No TCP port is opened for a build's kernel, so it warns of no unencrypted traffic."""
    parameters = nbformat.v4.new_code_cell("CORPUS = None")
    parameters.metadata["tags"] = ["parameters"]
    probe = nbformat.v4.new_code_cell(
        "import json, ipykernel.connect\n"
        "print(json.loads(ipykernel.connect.get_connection_info())['transport'])"
    )
    path = tmp_path / "01_probe.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[parameters, probe]), path)
    nb = report.execute_notebook(path, {}, timeout=60, kernel_name=config.KERNEL_NAME)
    assert nb.cells[-1].outputs[0]["text"].strip() == "ipc"
    assert "without encryption" not in capfd.readouterr().err


def test_hostile_titles_build_and_stay_literal():
    """`$…$`, `{…}`, a 1 MB title and markup in titles and outlets (issue 17)."""
    from report_support import titles_report

    out = titles_report()
    provenance = report.read_provenance(out)
    assert provenance["documents"] == 5, "the --text-field records were not all read"
    pages = {p.stem: p.read_text(encoding="utf-8") for p in out.glob("*.html")}
    assert set(pages) == {"index", "01_corpus", "02_themes", "03_context", "04_trends"}
    for name, page in pages.items():
        assert len(page) < 3_000_000, f"{name}: the 1 MB title is embedded whole"
        assert "<script>window.__pwned" not in page, name
    assert "$\\undefinedmacro$ الأمن والإرهاب" in pages["01_corpus"]
    assert "1,000,000 characters" in pages["01_corpus"]
    assert "{عاجل} هجوم إرهابي {0} {x}" in pages["03_context"]  # the reading names it
    assert (out / "figures" / "document_profile.png").is_file()

"""analysis.report machinery and analysis.notebook helpers, without running a kernel."""

from __future__ import annotations

import re

import nbformat
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from analysis import notebook as nv
from analysis.report import ReportError
from analysis.report import build as report

HOSTILE = '<script>alert(1)</script> <img src=x onerror="alert(2)"> [click](https://evil.test)'
NETWORK_REFERENCE = re.compile(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", re.IGNORECASE)


# --- report -------------------------------------------------------------------------------


def test_parameters_are_injected_after_the_tagged_cell():
    parameters = new_code_cell("CORPUS = None")
    parameters.metadata["tags"] = ["parameters"]
    nb = new_notebook(cells=[new_markdown_cell("# t"), parameters, new_code_cell("x = 1")])
    report.inject_parameters(nb, {"CORPUS": "/data/c's", "WORKERS": 2}, "t.ipynb")
    injected = nb.cells[2]
    assert injected.metadata["tags"] == ["injected-parameters", "hide-input"]
    namespace: dict = {}
    exec(injected.source, namespace)
    assert (namespace["CORPUS"], namespace["WORKERS"]) == ("/data/c's", 2)
    assert nb.cells[3].source == "x = 1"


def test_a_notebook_without_parameters_cell_is_refused():
    nb = new_notebook(cells=[new_code_cell("x = 1")])
    with pytest.raises(ReportError, match=r"t\.ipynb: no cell is tagged 'parameters'"):
        report.inject_parameters(nb, {"CORPUS": None}, "t.ipynb")


def test_notebooks_run_in_file_name_order(tmp_path):
    for name in ("02_b.ipynb", "10_c.ipynb", "01_a.ipynb", "scratch.ipynb", "1_x.ipynb"):
        (tmp_path / name).write_text("{}")
    assert [p.name for p in report.notebook_paths(tmp_path)] == [
        "01_a.ipynb",
        "02_b.ipynb",
        "10_c.ipynb",
    ]
    lab_only = new_notebook(metadata={"analysis": {"report": False}})
    nbformat.write(lab_only, tmp_path / "05_explore.ipynb")
    assert "05_explore.ipynb" not in [p.name for p in report.notebook_paths(tmp_path)]
    (tmp_path / "empty").mkdir()
    with pytest.raises(ReportError, match="no notebooks"):
        report.notebook_paths(tmp_path / "empty")


def test_auto_dir_marks_markdown_blocks_once():
    html = '<h2 id="x">عنوان</h2><p>text</p><p dir="rtl">نص</p><pre>code</pre>'
    assert report.auto_dir(html) == (
        '<h2 dir="auto" id="x">عنوان</h2><p dir="auto">text</p><p dir="rtl">نص</p><pre>code</pre>'
    )


def test_exported_page_references_no_network_and_hides_code():
    nb = new_notebook(cells=[new_markdown_cell("# Title\n\nنص عربي"), new_code_cell("secret = 1")])
    nb.metadata["kernelspec"] = {"name": "arabic-themes", "display_name": "k", "language": "python"}
    context = report.report_context(
        {
            "corpus_name": HOSTILE,
            "corpus_hash": "a" * 64,
            "documents": 1,
            "documents_total": 1,
            "lexicon_version": "1.0",
            "lexicon_hash": "b" * 64,
        },
        [],
        build_time="2024-01-01 00:00 UTC",
        show_code=False,
    )
    page = report.export_page(nb, "Title", context)
    assert not NETWORK_REFERENCE.search(page), NETWORK_REFERENCE.search(page)
    assert "require.js" not in page and "mathjax" not in page.lower()
    assert "secret = 1" not in page
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page
    assert '<p dir="auto">نص عربي</p>' in page
    reviewer = report.export_page(nb, "Title", {**context, "show_code": True})
    assert "secret" in reviewer


def test_index_escapes_provenance_and_links_pages():
    page = report.Page("01_a.ipynb", "01_a.html", "The <corpus>", "About it.", 1.0)
    context = report.report_context(
        {
            "corpus_name": HOSTILE,
            "corpus_hash": "a" * 64,
            "documents": 3,
            "documents_total": 4,
            "lexicon_version": "1.0",
            "lexicon_hash": "b" * 64,
            "themes": [{"id": "security", "name_ar": "الأمن", "name_en": "Security"}],
        },
        [page],
        build_time="2024-01-01 00:00 UTC",
        show_code=False,
    )
    index = report.render_index([page], context)
    assert '<a href="01_a.html">The &lt;corpus&gt;</a>' in index
    assert "<script>alert(1)" not in index
    assert "3 documents analysed" in index and "1 duplicates set aside" in index
    assert not NETWORK_REFERENCE.search(index)


def test_a_folder_that_is_not_a_report_is_never_replaced(tmp_path):
    (tmp_path / "notes.txt").write_text("precious")
    with pytest.raises(ReportError, match="not a report"):
        report.build_report(out=tmp_path)
    assert (tmp_path / "notes.txt").read_text() == "precious"


def test_notebook_error_names_notebook_cell_and_exception():
    error = report.NotebookError("02_x.ipynb", 4, "KeyError", "'theme'", "table = f()\nmore")
    assert str(error) == "02_x.ipynb, cell 4 (table = f()): KeyError: 'theme'"


def test_title_and_summary_come_from_the_first_markdown_cell():
    nb = new_notebook(cells=[new_markdown_cell("# The corpus\n\nWhat was\nread.\n\nMore.")])
    assert report.notebook_title(nb, "x") == "The corpus"
    assert report.notebook_summary(nb) == "What was read."
    assert report.notebook_title(nbformat.v4.new_notebook(), "fallback") == "fallback"


# --- notebook -----------------------------------------------------------------------------


def test_escape_neutralises_markup_and_blanks_missing_values():
    assert nv.escape(HOSTILE).startswith("&lt;script&gt;alert(1)&lt;/script&gt;")
    assert nv.escape(None) == "" and nv.escape(pd.NA) == "" and nv.escape(float("nan")) == ""


@pytest.mark.parametrize(
    ("text", "expected"),
    [("الأمن الوطني", "rtl"), ("national security", "ltr"), ("DGST مديرية", "rtl"), ("42", "ltr")],
)
def test_direction_follows_the_majority_script(text, expected):
    assert nv.direction(text) == expected


def test_paragraph_sets_direction_language_and_escapes():
    assert nv.paragraph("<b>الأمن</b>") == '<p dir="rtl" lang="ar">&lt;b&gt;الأمن&lt;/b&gt;</p>'


def test_sentence_escapes_values_not_the_template():
    assert nv.sentence("<b>{t}</b>", t="<i>x</i>") == "<b>&lt;i&gt;x&lt;/i&gt;</b>"


def test_static_table_escapes_cells_formats_numbers_and_says_when_cut():
    frame = pd.DataFrame({"title": [HOSTILE, "عنوان", "c"], "hits": [1234, 2, 3], "r": [0.5, 1, 2]})
    html = nv.table_html(frame, max_rows=2, digits=2)
    assert "<script>" not in html and "<img" not in html
    assert '<td dir="ltr" class="num">1,234</td>' in html
    assert '<td dir="ltr" class="num">0.50</td>' in html
    assert '<td dir="auto">عنوان</td>' in html
    assert "First 2 of 3 rows." in html


def test_interactive_table_is_offline_escaped_and_limited():
    frame = pd.DataFrame({"before": [HOSTILE] * 5, "match": ["الإرهاب"] * 5})
    html = nv.interactive_table_html(frame, max_rows=3, rtl=True, caption="KWIC")
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    assert "unpkg" not in html and "cdn" not in html.lower()
    assert 'dir="rtl"' in html and "First 3 of 5 rows." in html


def test_numbers_in_sentences():
    assert nv.plural(1, "document") == "1 document"
    assert nv.plural(31030, "document") == "31,030 documents"
    assert nv.percent(0.256) == "26%" and nv.number(float("nan")) == "n/a"
    assert nv.enumeration(["a", "b", "c"]) == "a, b and c"


def _summary():
    return pd.DataFrame(
        {
            "theme": ["security", "sahel"],
            "name_ar": ["الأمن", "الساحل"],
            "name_en": ["Security", "Sahel"],
            "hits": [30, 3],
            "rate_per_1000": [15.0, 1.5],
            "share_docs": [1.0, 0.2],
        }
    )


def test_describe_themes_names_the_most_and_least_frequent():
    text = nv.describe_themes(_summary(), 2000)
    assert "2,000 tokens" in text and "33 mentions" in text
    assert "most frequent theme is Security (<bdi>الأمن</bdi>): 15.00" in text
    assert "least frequent is Sahel (<bdi>الساحل</bdi>) (1.50 per 1,000 tokens, 20%" in text


def test_describe_cooccurrence_picks_the_strongest_pair():
    matrix = pd.DataFrame(
        [[10, 4, 1], [4, 5, 0], [1, 0, 2]], index=list("abc"), columns=list("abc")
    )
    assert nv.strongest_pair(matrix) == ("a", "b", 4)
    assert "A and B: 4 sentences, 80%" in nv.describe_cooccurrence(matrix, {"a": "A", "b": "B"})
    assert nv.strongest_pair(pd.DataFrame([[3]], index=["a"], columns=["a"])) is None


def test_describe_validation_reports_the_spread():
    scores = pd.DataFrame(
        {"theme": ["a", "b"], "precision": [0.5, 1.0], "recall": [0.75, float("nan")]}
    )
    text = nv.describe_validation(scores, {"a": "A", "b": "B"})
    assert "precision ranges from 0.50 (A) to 1.00 (B)" in text
    assert "recall ranges from 0.75 (A) to 0.75 (A)" in text


def test_a_missing_labels_file_is_refused_before_any_work(tmp_path):
    with pytest.raises(report.ReportError, match=r"nowhere.tsv: no such labelled file"):
        report.build_report(out=tmp_path / "out", labels=tmp_path / "nowhere.tsv")
    assert not (tmp_path / "out").exists()


# --- corpus text in prose and tables (issue 17) ------------------------------------------------


def test_prose_with_braces_from_the_corpus_is_never_formatted():
    title = "{عاجل} {0} {x} {{ }"
    assert nv.sentence(f"Most mentions: {nv.bdi(title)}.") == f"Most mentions: {nv.bdi(title)}."
    assert nv.sentence("{n} in {title}", n=3, title=title) == f"3 in {nv.escape(title)}"
    assert nv.sentence("{title} and {other}", title="{other}") == "{other} and {other}"


def test_reading_names_a_document_whose_title_has_braces(monkeypatch):
    shown = []
    monkeypatch.setattr(nv.html, "show", shown.append)
    nv.say("The document with the most mentions is “{عاجل} هجوم”.")
    assert "{عاجل} هجوم" in shown[0]


def test_a_1_mb_title_is_cut_in_tables_with_the_text_one_click_away():
    title = "<script>x</script> " + "عنوان طويل " * 100_000
    frame = pd.DataFrame({"title": [title, "short <b>"], "n": [1, 2]})
    static = nv.table_html(frame)
    cell = re.search(r"<td dir=\"auto\">(.*?)</td>", static).group(1)
    assert cell.startswith('<details class="long-text"><summary>&lt;script&gt;')
    assert len(cell) < 3 * nv.html.FULL_TEXT_CHARS and "1,100,019 characters" in cell
    assert "<script>" not in static and "short &lt;b&gt;" in static
    interactive = nv.interactive_table_html(frame)
    assert len(interactive) < 1_200_000  # the itables library is ~1 MB; the title is cut
    assert "<script>x" not in interactive and "short &lt;b&gt;" in interactive
    assert "long-text" in interactive

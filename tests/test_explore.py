"""The explorer: index queries, search folding, RTL HTML, the lexicon workbench (no kernel)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from analysis import config, themes
from analysis.explore import (
    ALL,
    Explorer,
    ExplorerIndex,
    Filters,
    fold,
    search_pattern,
    view,
    workbench,
)
from analysis.pipeline import run_pipeline


@pytest.fixture(scope="module")
def seeds() -> tuple[ExplorerIndex, themes.Lexicon]:
    lexicon = themes.load_lexicon()
    result = run_pipeline(config.SEEDS_DIR, lexicon=lexicon)
    return ExplorerIndex.build(result.analysis, result.corpus.analysed(), lexicon), lexicon


def test_fold_keeps_length_and_search_is_normalized_like_the_matcher() -> None:
    text = "مكافحة الإرهاب والإرهابيين، الأمن"
    assert len(fold(text)) == len(text)
    pattern = search_pattern("الارهاب")
    assert pattern is not None
    assert [m.group() for m in pattern.finditer(fold(text))] == ["الارهاب", "الارهاب"]
    assert search_pattern("  ") is None
    # harakat and tatweel in the text, variants in the query
    assert search_pattern("مكافحه الإرهاب").search(fold("مكافَحة  الإرْهـاب")) is not None


def test_query_filters_by_theme_outlet_and_dates(seeds) -> None:
    index, _ = seeds
    everything = index.query(Filters())
    assert everything.n_documents == len(index.doc_ids) and everything.n_hits == len(index.hits)
    security = index.query(Filters(theme="security"))
    assert set(security.hits["theme"]) == {"security"}
    assert security.rates["security"] == pytest.approx(
        (index.hits["theme"] == "security").sum() * 1000 / index.tokens.sum()
    )
    outlet = index.outlet_names[0]
    by_outlet = index.query(Filters(outlet=outlet))
    assert by_outlet.n_documents == (index.outlets == outlet).sum()
    first, last = index.date_range()
    assert index.query(Filters(start=last + pd.Timedelta(days=1))).n_documents == 0
    assert index.query(Filters(start=first, end=last)).n_documents == (~pd.isna(index.dates)).sum()
    assert security.timeline is not None and security.timeline["hits"].sum() <= security.n_hits


def test_search_finds_the_original_spelling_and_restricts_documents(seeds) -> None:
    index, _ = seeds
    selection = index.query(Filters(search="الارهاب"))
    assert len(selection.matches) > 0
    for doc, start, end in selection.matches.itertuples(index=False):
        assert fold(index.texts[doc][start:end]) == "الارهاب"
        assert selection.documents[doc]
    assert index.query(Filters(search="كلمةلاتوجد")).n_documents == 0


def test_kwic_html_is_rtl_with_isolated_ids_and_whole_words(seeds) -> None:
    index, _ = seeds
    selection = index.query(Filters(theme="security"))
    lines = view.kwic_lines(index, selection)
    html = view.kwic_html(index, lines)
    assert 'dir="rtl"' in html and "<mark>" in html
    assert f'<bdi dir="ltr">{index.doc_ids[int(lines.iloc[0]["doc"])]}</bdi>' in html
    assert html.count("<tr>") == min(len(lines), view.MAX_LINES) + 1
    document = view.document_html(index, int(lines.iloc[0]["doc"]), "security", selection.matches)
    assert (
        document.count('<mark class="explore-hit">')
        == ((index.hits["doc"] == lines.iloc[0]["doc"]) & (index.hits["theme"] == "security")).sum()
    )


def test_explorer_widgets_update_on_a_change(seeds) -> None:
    index, lexicon = seeds
    explorer = Explorer(index, lexicon)
    before = explorer.kwic.value
    assert explorer.selection.n_documents == len(index.doc_ids)  # undated ones too
    explorer.theme.value = "security"
    assert (
        explorer.kwic.value != before and explorer.entry.options[1][1] in index.entries["security"]
    )
    explorer.search.value = "الارهاب"
    assert "<mark>الإرهاب</mark>" in explorer.kwic.value
    assert "<polyline" in explorer.chart.value
    assert "explore-search" in explorer.document.value
    explorer.theme.value = ALL
    assert len(explorer.timings) == 4


def test_workbench_recounts_shows_errors_with_lines_and_saves_only_when_asked(
    seeds, tmp_path: Path
) -> None:
    index, _ = seeds
    path = tmp_path / "lexicon.yaml"
    shutil.copyfile(config.LEXICON_PATH, path)
    original = path.read_text(encoding="utf-8")
    lexicon = themes.load_lexicon(path)
    bench = workbench.Workbench(index, lexicon, Filters)
    assert bench.box.value.startswith("  - id: security")
    bench.box.value = bench.box.value.replace("      - داعش\n", "")
    assert bench.recount() is not None
    assert "removed" in bench.result.value and "Validation" in bench.result.value
    assert path.read_text(encoding="utf-8") == original  # nothing written by a recount
    bench.box.value = bench.box.value.replace("    words:", "    words: [", 1)
    assert bench.recount() is None
    first = workbench.theme_block(original, "security")[0]
    assert "Lexicon error: line " in bench.result.value and bench.save_button.disabled
    assert "of lexicon.yaml" in bench.result.value and first >= 0
    bench.box.value = bench.box.value.replace("    words: [", "    words:", 1)
    bench.recount()
    assert bench.save() == path
    saved = path.read_text(encoding="utf-8")
    assert original.replace("      - داعش\n", "", 1) == saved

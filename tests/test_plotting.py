"""analysis.plotting: label transform branches, colours, chart contents, saving."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import arabic_reshaper
import matplotlib as mpl
import numpy as np
import pandas as pd
import pytest
from bidi import get_display
from matplotlib.text import Text
from PIL import Image

from analysis import config, plotting
from analysis.plotting import ShapingSupport

DATA = Path(__file__).parent / "data" / "plotting"
LOGICAL_ARABIC_LETTER = re.compile(r"[\u0621-\u064A]")  # base letters, not presentation forms


def read(name: str, **kwargs) -> pd.DataFrame:
    return pd.read_csv(DATA / f"{name}.csv", **kwargs)


@pytest.fixture
def themes() -> list[SimpleNamespace]:
    """Theme objects shaped like `analysis.themes.Theme` (id, names, optional colour)."""
    rows = read("themes").to_dict("records")
    return [SimpleNamespace(id=r["theme"], colour=None, **r) for r in rows]


@pytest.fixture
def documents() -> pd.DataFrame:
    return read("documents", parse_dates=["date"])


@pytest.fixture
def non_shaping(monkeypatch):
    """Pretend matplotlib neither joins nor reorders Arabic (matplotlib < 3.11)."""
    monkeypatch.setattr(plotting.labels, "shaping_support", lambda: ShapingSupport(False, False))


def drawn_texts(fig) -> list[str]:
    fig.canvas.draw()  # tick labels exist only once drawn
    return [t.get_text() for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]


def all_charts(themes, documents) -> dict[str, mpl.figure.Figure]:
    counts = read("counts_by_document", index_col="doc_id")
    charts = {
        "frequency": plotting.theme_frequency_chart(read("theme_summary"), themes=themes),
        "profile": plotting.document_profile_chart(
            read("rates_by_document", index_col="doc_id"), documents, themes=themes
        ),
        "top_terms": plotting.top_terms_chart(read("top_terms"), themes=themes),
        "cooccurrence": plotting.cooccurrence_chart(
            read("cooccurrence", index_col="theme"), themes=themes
        ),
        "share_source": plotting.theme_share_chart(counts, documents, "source", themes=themes),
        "share_date": plotting.theme_share_chart(counts, documents, "date", themes=themes),
    }
    return {name: plotting.figure_of(chart) for name, chart in charts.items()}


# --- arabic_label ---------------------------------------------------------------------------

LABEL = "الإرهاب في الساحل: تمرين 2025 ومقاتلات F-35"


def test_non_shaping_matplotlib_gets_reshaped_and_reordered_text(non_shaping):
    assert plotting.arabic_label(LABEL) == get_display(arabic_reshaper.reshape(LABEL))
    assert plotting.arabic_label(LABEL) != LABEL


def test_shaping_matplotlib_gets_the_text_unchanged(monkeypatch):
    monkeypatch.setattr(plotting.labels, "shaping_support", lambda: ShapingSupport(True, True))
    assert plotting.arabic_label(LABEL) == LABEL


@pytest.mark.parametrize(
    ("support", "expected"),
    [
        (ShapingSupport(joins=False, right_to_left=True), arabic_reshaper.reshape(LABEL)),
        (ShapingSupport(joins=True, right_to_left=False), get_display(LABEL)),
    ],
)
def test_each_missing_capability_is_supplied_alone(monkeypatch, support, expected):
    monkeypatch.setattr(plotting.labels, "shaping_support", lambda: support)
    assert plotting.arabic_label(LABEL) == expected


def test_arabic_line_starting_latin_gets_a_leading_rlm_where_shaping_is_native(monkeypatch):
    monkeypatch.setattr(plotting.labels, "shaping_support", lambda: ShapingSupport(True, True))
    label = "BCIJ المكتب المركزي للأبحاث القضائية"
    assert plotting.arabic_label(label) == "\u200f" + label
    assert plotting.arabic_label(f"{label}\nBCIJ, central office") == (
        f"\u200f{label}\nBCIJ, central office"  # the English line keeps its direction
    )
    assert plotting.arabic_label("ISIS and داعش") == "ISIS and داعش"  # mostly Latin


def test_arabic_line_starting_latin_is_reordered_right_to_left(non_shaping):
    label = "BCIJ المكتب المركزي"
    assert plotting.arabic_label(label) == get_display(arabic_reshaper.reshape(label), base_dir="R")


def test_word_families_are_shown_with_an_ellipsis():
    assert plotting.entry_label("إرهاب*") == "إرهاب…"
    assert plotting.entry_label("مكافحة الإرهاب") == "مكافحة الإرهاب"


def test_lines_are_transformed_one_by_one(non_shaping):
    # matplotlib lays out each line separately; bidi over the whole block would swap lines.
    first, second = "المقاربة الأمنية", "Security approach"
    assert plotting.arabic_label(f"{first}\n{second}") == (
        f"{get_display(arabic_reshaper.reshape(first))}\n{second}"
    )


# Hebrew is not Arabic: the label recipe (Arabic reshaping) is for the Arabic blocks only.
@pytest.mark.parametrize(
    "text", ["Security 2025", "12.5", "", "n = 3 (F-35)", "\u05e9\u05dc\u05d5\u05dd"]
)
def test_text_without_arabic_is_never_touched(non_shaping, text):
    assert plotting.arabic_label(text) == text


def test_non_strings_are_labelled_as_text(non_shaping):
    assert plotting.arabic_label(2025) == "2025"


def test_probe_is_run_once_per_process():
    plotting.shaping_support()
    before = plotting.shaping_support.cache_info().hits
    plotting.arabic_label("الإرهاب")
    assert plotting.shaping_support.cache_info().hits == before + 1
    assert plotting.shaping_support.cache_info().misses == 1


# --- font and style -------------------------------------------------------------------------


def test_project_font_is_the_packaged_noto_with_dejavu_fallback():
    font = plotting.project_font()
    assert font.families == ("Noto Sans Arabic", "DejaVu Sans")
    found = mpl.font_manager.findfont(
        mpl.font_manager.FontProperties(family="Noto Sans Arabic"), fallback_to_default=False
    )
    assert Path(found) == font.path


def test_project_style_applies_only_inside_the_block():
    outside = list(mpl.rcParams["font.family"])
    with plotting.project_style():
        assert mpl.rcParams["font.family"] == plotting.font_families()
    assert mpl.rcParams["font.family"] == outside


def test_shorten_cuts_at_a_word_boundary_with_an_ellipsis():
    title = "المكتب المركزي للأبحاث القضائية يفكك خلية إرهابية موالية لتنظيم داعش"
    short = plotting.shorten(title, 30)
    assert len(short) <= 30
    assert short.endswith("…")
    assert title.startswith(short[:-1])
    assert title[len(short) - 1] == " "  # the cut fell between words
    assert plotting.shorten("  الساحل \n ", 30) == "الساحل"


# --- colours --------------------------------------------------------------------------------


def test_theme_colours_follow_theme_order_starting_with_okabe_ito(themes):
    colours = plotting.theme_colours(themes)
    assert list(colours) == [t.id for t in themes]
    assert list(colours.values()) == list(plotting.OKABE_ITO[: len(themes)])


def test_adding_a_theme_keeps_every_existing_colour(themes):
    before = plotting.theme_colours(themes)
    after = plotting.theme_colours([*themes, SimpleNamespace(id="new", name_ar="جديد")])
    assert {k: after[k] for k in before} == before


def test_any_number_of_themes_gets_a_colour_distinct_as_long_as_the_palette_lasts():
    ids = [f"t{i}" for i in range(40)]
    colours = plotting.theme_colours(ids)
    assert len(colours) == 40
    assert len(set(list(colours.values())[: len(plotting.PALETTE)])) == len(plotting.PALETTE)


def test_lexicon_colour_wins_and_all_inputs_agree(themes):
    themes[1].colour = "#123456"
    from_objects = plotting.theme_colours(SimpleNamespace(themes=themes))  # a Lexicon
    assert from_objects["religious"] == "#123456"
    table = read("theme_summary")
    assert plotting.theme_colours(table) == plotting.theme_colours(list(table["theme"]))


# --- charts ---------------------------------------------------------------------------------


def test_every_text_element_goes_through_arabic_label(non_shaping, themes, documents):
    # With the transform active, any logical-order Arabic letter left in a drawn text is a
    # string that bypassed arabic_label.
    for name, fig in all_charts(themes, documents).items():
        texts = drawn_texts(fig)
        assert texts, name
        leaked = [t for t in texts if LOGICAL_ARABIC_LETTER.search(t)]
        assert not leaked, f"{name}: {leaked}"


def test_every_chart_is_a_figure_with_a_bilingual_title(themes, documents):
    for name, fig in all_charts(themes, documents).items():
        texts = drawn_texts(fig)
        assert any("\n" in t and re.search(r"[a-z]", t) and re.search("[ء-ي]", t) for t in texts)
        assert isinstance(fig, mpl.figure.Figure), name


def test_frequency_bars_are_rates_in_theme_order_with_counts_annotated(themes):
    summary = read("theme_summary").iloc[::-1]  # order must come from the themes
    ax = plotting.theme_frequency_chart(summary, themes=themes)
    expected = read("theme_summary")
    widths = [bar.get_width() for bar in ax.patches]
    np.testing.assert_allclose(widths, expected["rate_per_1000"])
    colours = [mpl.colors.to_hex(bar.get_facecolor()) for bar in ax.patches]
    assert colours == [c.lower() for c in plotting.theme_colours(themes).values()]
    notes = [t.get_text() for t in ax.texts]
    assert notes[0] == "18.73  (n = 412)"


def test_profile_heatmap_writes_values_and_labels_rows_with_short_titles(themes, documents):
    rates = read("rates_by_document", index_col="doc_id")
    ax = plotting.document_profile_chart(rates, documents, themes=themes, title_chars=20)
    np.testing.assert_allclose(ax.images[0].get_array(), rates.to_numpy())
    assert ax.texts[0].get_text() == "31.2"
    rows = [t.get_text() for t in ax.get_yticklabels()]
    assert all(len(r) <= 20 for r in rows)
    assert rows[3] == "الساحل"  # a short title is kept whole
    assert rows[5] == "d06"  # no title: the document id


def test_profile_keeps_only_the_highest_documents_and_says_so(themes, documents):
    rates = read("rates_by_document", index_col="doc_id")
    ax = plotting.document_profile_chart(rates, documents, themes=themes, max_documents=2)
    assert ax.images[0].get_array().shape == (2, 5)
    assert "top 2 of 6" in ax.get_title()


def test_cooccurrence_diagonal_is_written_but_off_the_colour_scale(themes):
    matrix = read("cooccurrence", index_col="theme")
    ax = plotting.cooccurrence_chart(matrix, themes=themes)
    image = ax.images[0]
    assert image.get_array().mask.diagonal().all()
    assert image.norm.vmax == 44  # largest off-diagonal count, not the diagonal's 130
    assert "130" in [t.get_text() for t in ax.texts]


def test_share_bars_sum_to_one_per_group(themes, documents):
    counts = read("counts_by_document", index_col="doc_id")
    ax = plotting.theme_share_chart(counts, documents, "source", themes=themes)
    totals = {}
    for bar in ax.patches:
        y = round(bar.get_y(), 6)
        totals[y] = totals.get(y, 0) + bar.get_width()
    np.testing.assert_allclose(list(totals.values()), 1.0)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[0] == "هسبريس  (n = 3)"  # largest source first


def test_share_fields_and_refusal_without_metadata(documents):
    assert plotting.share_fields(documents) == ["source", "date"]
    bare = documents[["doc_id", "title"]]
    assert plotting.share_fields(bare) == []
    with pytest.raises(ValueError, match="'source'"):
        plotting.theme_share_chart(read("counts_by_document", index_col="doc_id"), bare)


def test_charts_work_with_plain_theme_ids(documents):
    ax = plotting.theme_frequency_chart(read("theme_summary"))
    assert len(ax.patches) == 5


def test_charts_draw_into_a_given_axes_and_return_it(themes, documents):
    """As seaborn's do: several charts combine on one figure."""
    fig = mpl.figure.Figure(figsize=(16, 6), layout="constrained")
    left, right = fig.subplots(1, 2)
    counts = read("counts_by_document", index_col="doc_id")
    assert plotting.theme_frequency_chart(read("theme_summary"), themes=themes, ax=left) is left
    share = plotting.theme_share_chart(counts, documents, "source", themes=themes, ax=right)
    assert share is right
    assert fig.axes[:2] == [left, right]
    assert len(left.patches) == 5 and right.get_legend() is not None
    cooccurrence = read("cooccurrence", index_col="theme")
    own = plotting.cooccurrence_chart(cooccurrence, themes=themes)
    assert own.figure is not fig and own.figure.get_size_inches()[0] > 8


def test_save_figure_takes_a_chart_s_axes(tmp_path, themes):
    ax = plotting.theme_frequency_chart(read("theme_summary"), themes=themes)
    png, _ = plotting.save_figure(ax, tmp_path, "f")
    assert png.read_bytes() == plotting.save_figure(ax.figure, tmp_path / "b", "f")[0].read_bytes()


# --- saving ---------------------------------------------------------------------------------


def test_save_figure_writes_png_and_svg_under_figures(tmp_path, themes):
    fig = plotting.theme_frequency_chart(read("theme_summary"), themes=themes)
    paths = plotting.save_figure(fig, tmp_path, "frequency")
    folder = tmp_path / config.FIGURES_DIRNAME
    assert paths == [folder / "frequency.png", folder / "frequency.svg"]
    assert Image.open(paths[0]).size[0] > 500
    assert paths[1].read_text(encoding="utf-8").lstrip().startswith("<?xml")
    assert sorted(p.name for p in folder.iterdir()) == ["frequency.png", "frequency.svg"]
    assert all(p.stat().st_mode & 0o044 == 0o044 for p in paths), "figures must be readable"


def test_save_figure_is_reproducible(tmp_path, themes):
    fig = plotting.theme_frequency_chart(read("theme_summary"), themes=themes)
    first = [p.read_bytes() for p in plotting.save_figure(fig, tmp_path / "a", "f")]
    second = [p.read_bytes() for p in plotting.save_figure(fig, tmp_path / "b", "f")]
    assert first == second


def test_failed_save_leaves_the_previous_file_and_no_debris(tmp_path, themes, monkeypatch):
    fig = plotting.theme_frequency_chart(read("theme_summary"), themes=themes).figure
    png, _ = plotting.save_figure(fig, tmp_path, "f")
    before = png.read_bytes()

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(fig, "savefig", broken)
    with pytest.raises(RuntimeError):
        plotting.save_figure(fig, tmp_path, "f")
    assert png.read_bytes() == before
    assert sorted(p.name for p in png.parent.iterdir()) == ["f.png", "f.svg"]


@pytest.mark.parametrize("name", ["../escape", "a/b", ".hidden", ""])
def test_save_figure_refuses_names_that_are_not_plain_stems(tmp_path, name, themes):
    fig = plotting.theme_frequency_chart(read("theme_summary"), themes=themes)
    with pytest.raises(ValueError):
        plotting.save_figure(fig, tmp_path, name)


def test_profile_can_rank_documents_by_mentions_instead_of_rate(themes, documents):
    """A two-word brief with one match has the highest rate but should not crowd out articles."""
    rates = read("rates_by_document", index_col="doc_id")
    mentions = pd.Series(range(len(rates)), index=rates.index, dtype=float)  # last doc most
    ax = plotting.document_profile_chart(
        rates, documents, themes=themes, max_documents=2, rank_by=mentions
    )
    shown = ax.images[0].get_array()
    np.testing.assert_allclose(shown, rates.iloc[[-1, -2]].to_numpy())
    assert "top 2 of 6 by mentions" in ax.get_title()


# --- corpus text is literal (issue 17) -------------------------------------------------------

HOSTILE_TITLES = ["$\\undefinedmacro$ الأمن", "تبرع بـ $5 … $10 للإرهاب", "{عاجل} هجوم"]


def test_titles_and_outlets_with_dollars_are_drawn_literally(themes, documents, tmp_path):
    documents = documents.copy()
    for i, title in enumerate(HOSTILE_TITLES):
        documents.loc[i, "title"] = title
        documents.loc[i, "source"] = title + " " + "مصدر طويل " * 200_000  # ~2 MB outlet
    charts = all_charts(themes, documents)
    for name, fig in charts.items():
        plotting.save_figure(fig, tmp_path, name)  # mathtext would raise on \undefinedmacro
        texts = [t for t in fig.findobj(Text) if "$" in t.get_text()]
        assert all(not t.get_parse_math() for t in texts), name
        assert max(len(t.get_text()) for t in fig.findobj(Text)) < 200, name
    labels = drawn_texts(charts["profile"])
    assert any("$\\undefinedmacro$" in label for label in labels)
    assert any("$5 … $10" in label for label in labels)


def test_mathtext_is_off_in_the_project_style_even_outside_a_chart_function():
    with plotting.project_style():
        fig = mpl.figure.Figure()
        fig.text(0.5, 0.5, "$\\undefinedmacro$")
        fig.canvas.draw()  # raises ValueError with mathtext on
    fig = mpl.figure.Figure()
    fig.text(0.5, 0.5, "$\\undefinedmacro$")
    plotting.literal_text(fig).canvas.draw()

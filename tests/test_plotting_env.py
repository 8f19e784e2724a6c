"""Arabic in charts, verified by pixels against an independent shaper (Pillow + raqm).

Every label is drawn by matplotlib exactly as the charts draw it (through `arabic_label`, in
the project font) and compared with the same logical-order text shaped by Pillow's raqm
layout engine in the same font file. The same comparison must reject the transform the
*other* kind of matplotlib needs (the old reshape + bidi recipe on a shaping matplotlib, the
raw text on a non-shaping one), so the test demonstrably catches the reversed-label trap.

Calibration (matplotlib 3.11.2, Pillow 13, Noto Sans Arabic 2.012; `pixel_compare`
settings): correct transform 0.926-0.991 over these labels, old recipe 0.079-0.557 (the
highest is "ISIS داعش", whose Latin half is unaffected). The threshold sits in the gap.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import arabic_reshaper
import matplotlib as mpl
import numpy as np
import pytest
from bidi import get_display
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import PathPatch
from matplotlib.textpath import TextPath
from PIL import Image
from pixel_compare import SIZE_PX, render_matplotlib, render_reference, similarity

from analysis import plotting

THRESHOLD = 0.80

LABELS = [
    "الإرهاب",  # lam-alef with hamza below: a ligature
    "الساحل",
    "داعش",
    "المقاربة الأمنية الاستباقية للمملكة المغربية في مواجهة التطرف العنيف",
    "الإِرْهَابُ",  # diacritics
    "مُكافَحَةُ التَّطَرُّف",
    "مقاتلات F-35 الأمريكية",  # Latin letters, a hyphen and digits inside Arabic
    "تمرين الأسد الإفريقي 2025",
    "سنة ٢٠٢٥ ميلادية",  # Arabic-Indic digits
    "ISIS داعش",
]


def _old_recipe(text: str) -> str:
    return get_display(arabic_reshaper.reshape(text))


def _wrong_transform(text: str) -> str:
    """What a label would be if the shaping check had come out the other way."""
    return _old_recipe(text) if plotting.shaping_support().native else text


@pytest.fixture(scope="module")
def font() -> tuple[list[str], Path]:
    project = plotting.project_font()
    assert project.path is not None, "the font package should be installed in the test env"
    return plotting.font_families(), project.path


def _expected_text(label: str) -> str:
    """The label as it should read: all of it, except diacritics on a non-shaping matplotlib.

    That branch uses arabic-reshaper's default, which drops harakat because matplotlib
    without HarfBuzz cannot position marks (they would collide with the letters).
    """
    if plotting.shaping_support().native:
        return label
    return "".join(ch for ch in label if not "\u064b" <= ch <= "\u0652")


@pytest.mark.parametrize("label", LABELS)
def test_label_renders_like_the_reference_shaper(label, font):
    families, path = font
    drawn = render_matplotlib(plotting.arabic_label(label), families)
    score = similarity(drawn, render_reference(_expected_text(label), path))
    assert score >= THRESHOLD, f"{label!r} drawn unlike the raqm reference ({score:.3f})"


@pytest.mark.parametrize("label", LABELS)
def test_comparison_rejects_the_wrong_transform(label, font):
    families, path = font
    wrong = _wrong_transform(label)
    score = similarity(render_matplotlib(wrong, families), render_reference(label, path))
    assert score < THRESHOLD, f"wrongly transformed {label!r} passed ({score:.3f})"


# Arabic labels whose first letter is Latin: bidi would take the paragraph direction from it.
LATIN_FIRST = ["BCIJ المكتب المركزي للأبحاث القضائية", "DGST تفكك خلية إرهابية"]


@pytest.mark.parametrize("label", LATIN_FIRST)
def test_arabic_label_starting_with_a_latin_acronym_stays_right_to_left(label, font):
    families, path = font
    drawn = render_matplotlib(plotting.arabic_label(label), families)
    expected = _expected_text(label)
    right_to_left = similarity(drawn, render_reference(expected, path, direction="rtl"))
    left_to_right = similarity(drawn, render_reference(expected, path, direction="ltr"))
    assert right_to_left >= THRESHOLD, f"{label!r} unlike its RTL layout ({right_to_left:.3f})"
    assert left_to_right < THRESHOLD, f"{label!r} laid out left to right ({left_to_right:.3f})"


def test_probe_agrees_with_what_this_matplotlib_is_known_to_do():
    # Cross-check of the functional probe, not its basis: libraqm layout arrived in 3.11.
    shapes = tuple(int(p) for p in mpl.__version__.split(".")[:2]) >= (3, 11)
    support = plotting.shaping_support()
    assert support.joins is shapes
    assert support.right_to_left is shapes


def _render_as_outlines(text: str, families: list[str]) -> Image.Image:
    """``text`` turned into outlines the way the SVG backend does (TextPath), then filled."""
    path = TextPath((0, 0), text, size=SIZE_PX, prop=font_manager.FontProperties(family=families))
    box = path.get_extents()
    fig = Figure(figsize=((box.width + 2 * SIZE_PX) / 72, (box.height + 2 * SIZE_PX) / 72), dpi=72)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    ax.add_patch(PathPatch(path, facecolor="black", edgecolor="none"))
    ax.set_xlim(box.x0 - SIZE_PX, box.x1 + SIZE_PX)
    ax.set_ylim(box.y0 - SIZE_PX, box.y1 + SIZE_PX)
    fig.canvas.draw()
    rgb = np.asarray(fig.canvas.buffer_rgba())[..., :3]
    return Image.fromarray((255 - rgb.min(axis=2)).astype(np.uint8))


@pytest.mark.parametrize("label", ["الإرهاب", "تمرين الأسد الإفريقي 2025"])
def test_svg_outlines_are_shaped_too(label, font):
    families, path = font
    drawn = _render_as_outlines(plotting.arabic_label(label), families)
    assert similarity(drawn, render_reference(label, path)) >= THRESHOLD


def test_fallback_family_draws_what_the_arabic_font_lacks(font):
    families, _ = font
    symbols = "±½"  # not in Noto Sans Arabic, in DejaVu Sans
    dejavu = Path(font_manager.findfont("DejaVu Sans", fallback_to_default=False))
    reference = render_reference(symbols, dejavu)
    assert similarity(render_matplotlib(symbols, families), reference) >= THRESHOLD
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # matplotlib warns about the missing glyphs
        # Sanity check of the check: without the fallback family the glyphs are boxes.
        assert similarity(render_matplotlib(symbols, families[:1]), reference) < THRESHOLD


def test_missing_font_package_warns_and_still_shapes(monkeypatch):
    monkeypatch.setattr(plotting.labels, "_noto_font_file", lambda: None)
    plotting.project_font.cache_clear()
    plotting.shaping_support.cache_clear()
    try:
        with pytest.warns(UserWarning, match="fontpkg-noto-sans-arabic"):
            families = plotting.font_families()
        assert families == ["DejaVu Sans"]
        dejavu = Path(font_manager.findfont("DejaVu Sans", fallback_to_default=False))
        label = "الإرهاب في الساحل"
        drawn = render_matplotlib(plotting.arabic_label(label), families)
        assert similarity(drawn, render_reference(label, dejavu)) >= THRESHOLD
    finally:
        plotting.project_font.cache_clear()
        plotting.shaping_support.cache_clear()

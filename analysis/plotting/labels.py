"""Arabic that reads right on any matplotlib: shaping probe, labels, the project font and style.

Arabic labels. matplotlib >= 3.11 lays text out with libraqm (HarfBuzz shaping + bidi
reordering), so logical-order Arabic must be passed unchanged; older releases draw each
code point's isolated glyph left to right, so the text must first be reshaped into
presentation forms (arabic-reshaper) and reordered into visual order (python-bidi). Applying
that old recipe on a shaping matplotlib draws every label reversed, which still "looks
Arabic". `arabic_label` therefore does not trust a version number: `shaping_support()`
renders two probe strings once per process with the project font through matplotlib's own
Agg text path and measures the ink:

* joining: "ببب" shaped (initial + medial + final beh) is far narrower than three isolated
  behs (ratio ~0.6 measured on 3.11, ~1.05 on 3.10);
* direction: in "اب" the alef (the tallest ink column) sits at the right when the text is
  laid out right to left, at the left when it is not.

Each missing capability is supplied separately (reshape if glyphs do not join, reorder if
runs are not reversed), so the four combinations are all handled.

Font. "Noto Sans Arabic" from the PyPI package ``fontpkg-noto-sans-arabic`` is registered
with matplotlib's font manager; "DejaVu Sans" (shipped with matplotlib, and it has Arabic
glyphs) follows it in ``font.family`` so per-glyph fallback covers anything Noto lacks, and
is the whole fallback, with a warning, when the package is missing.

"""

from __future__ import annotations

import functools
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib as mpl
import numpy as np
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from analysis.charsets import ARABIC_BLOCKS, LATIN_LETTERS, class_body

FONT_PACKAGE = "fontpkg-noto-sans-arabic"
ARABIC_FAMILY = "Noto Sans Arabic"
FALLBACK_FAMILY = "DejaVu Sans"

_ARABIC_SCRIPT = re.compile(f"[{class_body(ARABIC_BLOCKS)}]")
_LATIN = re.compile(f"[{class_body(LATIN_LETTERS)}]")
_STRONG = re.compile(f"[{class_body(ARABIC_BLOCKS)}{class_body(LATIN_LETTERS)}]")
RLM = "\u200f"  # RIGHT-TO-LEFT MARK: a strong right-to-left character that draws nothing


# --- font ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProjectFont:
    """The font families charts use, first choice first, and the registered Arabic file."""

    families: tuple[str, ...]
    path: Path | None


def _noto_font_file() -> Path | None:
    """The packaged Noto Sans Arabic file, or None when the package is not installed."""
    try:
        import fontpkg_noto_sans_arabic as package
    except ImportError:
        return None
    files = sorted((package.ROOT / "files").glob("NotoSansArabic*.ttf"))
    return files[0] if files else None


@functools.cache
def project_font() -> ProjectFont:
    """Register the project's Arabic font with matplotlib (once) and return the families."""
    path = _noto_font_file()
    if path is None:
        warnings.warn(
            f"the font package {FONT_PACKAGE!r} is not installed; charts fall back to "
            f"{FALLBACK_FAMILY!r} (Arabic glyphs, plainer design). Install it with "
            f"`pip install {FONT_PACKAGE}`.",
            stacklevel=2,
        )
        return ProjectFont(families=(FALLBACK_FAMILY,), path=None)
    font_manager.fontManager.addfont(str(path))
    return ProjectFont(families=(ARABIC_FAMILY, FALLBACK_FAMILY), path=path)


def font_families() -> list[str]:
    """The ``font.family`` list charts use (Arabic font first, per-glyph fallback after)."""
    return list(project_font().families)


def style_rc() -> dict[str, Any]:
    """The project's rcParams: font, quiet grid, readable sizes, reproducible SVG."""
    return {
        "font.family": font_families(),
        "font.size": 10,
        "axes.titlesize": 12,
        # The packaged variable font registers one (regular) weight: asking for bold only
        # logs findfont warnings, so hierarchy comes from size.
        "axes.titleweight": "normal",
        "axes.labelsize": 10,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.grid": False,
        "axes.axisbelow": True,
        "grid.color": "#dddddd",
        "grid.linewidth": 0.6,
        "legend.frameon": False,
        "figure.dpi": 100,
        "figure.facecolor": "white",
        "savefig.dpi": 150,
        "savefig.facecolor": "white",
        "savefig.bbox": "tight",
        "svg.fonttype": "path",  # text as outlines: the SVG shows without the font installed
        "svg.hashsalt": "arabic-themes",  # stable ids, so identical charts give identical files
        # Titles and outlets come from the corpus: "$5 … $10" is money, not mathtext.
        "text.parse_math": False,
    }


@contextmanager
def project_style() -> Iterator[None]:
    """Apply the project style for the duration of a ``with`` block."""
    with mpl.rc_context(style_rc()):
        yield


def literal_text(fig: Any) -> Any:
    """Draw every text of ``fig`` literally (no mathtext), whatever rcParams say; return it.

    `style_rc` already turns mathtext off, but a figure drawn outside the style (a notebook's
    inline PNG) would parse ``$…$`` in a corpus title and raise on an unknown macro.
    """
    from matplotlib.text import Text

    for text in fig.findobj(Text):
        text.set_parse_math(False)
    return fig


def use_project_style() -> None:
    """Apply the project style globally (for notebooks)."""
    mpl.rcParams.update(style_rc())


# --- Arabic labels --------------------------------------------------------------------------


@dataclass(frozen=True)
class ShapingSupport:
    """What the running matplotlib does to Arabic by itself."""

    joins: bool  # contextual forms and ligatures are applied
    right_to_left: bool  # right-to-left runs are laid out right to left

    @property
    def native(self) -> bool:
        return self.joins and self.right_to_left


def _ink(text: str, size: float = 30) -> np.ndarray:
    """Coverage (0-255) of ``text`` drawn by matplotlib's Agg renderer in the project font."""
    fig = Figure(figsize=(4, 1.2), dpi=100)
    FigureCanvasAgg(fig)
    fig.text(0.5, 0.5, text, family=font_families(), size=size, ha="center", va="center")
    fig.canvas.draw()
    return 255 - np.asarray(fig.canvas.buffer_rgba())[..., :3].min(axis=2)


def _ink_columns(ink: np.ndarray) -> np.ndarray:
    return np.flatnonzero(ink.max(axis=0) > 64)


def _ink_width(text: str) -> int:
    cols = _ink_columns(_ink(text))
    return int(cols[-1] - cols[0] + 1)


@functools.cache
def shaping_support() -> ShapingSupport:
    """Probe, once per process, whether matplotlib joins and reorders Arabic by itself."""
    # Three joined behs measure ~0.6 of three isolated ones; unjoined, >= 1 (side bearings).
    joins = _ink_width("ببب") < 0.8 * 3 * _ink_width("ب")
    ink = _ink("اب")
    cols = _ink_columns(ink)
    alef_column = int(np.argmax((ink > 64).sum(axis=0)))
    right_to_left = bool(alef_column > (cols[0] + cols[-1]) / 2)
    support = ShapingSupport(joins=joins, right_to_left=right_to_left)
    if joins != right_to_left:  # never seen in a release; say so rather than guess silently
        warnings.warn(
            f"matplotlib handles Arabic only partly ({support}); check the charts", stacklevel=2
        )
    return support


def _reshape(text: str) -> str:
    import arabic_reshaper

    return arabic_reshaper.reshape(text)


def _reorder(text: str) -> str:
    from bidi import get_display

    return get_display(text, base_dir="R") if _arabic_paragraph(text) else get_display(text)


def _arabic_paragraph(line: str) -> bool:
    """More Arabic letters than Latin ones: a right-to-left paragraph ("ISIS داعش" is not)."""
    return len(_ARABIC_SCRIPT.findall(line)) > len(_LATIN.findall(line))


def _starts_latin(line: str) -> bool:
    first = _STRONG.search(line)
    return first is not None and not _ARABIC_SCRIPT.match(first.group())


def arabic_label(text: object) -> str:
    """Logical-order text -> what the running matplotlib must be given to display it right.

    Unchanged where matplotlib shapes natively (>= 3.11 with libraqm); reshaped into
    presentation forms and/or reordered into visual order where it does not. Lines are
    handled one by one, as matplotlib lays each line out separately.

    A line that is mostly Arabic keeps the right-to-left paragraph direction whatever its
    first letter: bidi takes a paragraph's direction from its first strong letter, so
    "BCIJ المكتب المركزي" would be laid out left to right. Natively shaped, such a line gets
    a leading RLM; reordered here, it is reordered as a right-to-left paragraph.
    """
    text = str(text)
    if not _ARABIC_SCRIPT.search(text):
        return text
    support = shaping_support()
    lines = text.split("\n")
    if support.native:
        return "\n".join(
            RLM + line if _arabic_paragraph(line) and _starts_latin(line) else line
            for line in lines
        )
    if not support.joins:
        lines = [_reshape(line) for line in lines]
    if not support.right_to_left:
        lines = [_reorder(line) for line in lines]
    return "\n".join(lines)


def entry_label(entry: object) -> str:
    """A lexicon entry as readers read it: a word family ``إرهاب*`` as ``إرهاب…``."""
    text = str(entry)
    return text[:-1] + "…" if text.endswith("*") else text


def bilingual(arabic: str, english: str) -> str:
    """A two-line label, Arabic above English, ready for matplotlib."""
    return arabic_label(f"{arabic}\n{english}" if english else arabic)


def shorten(text: object, limit: int = 40) -> str:
    """``text`` cut to at most ``limit`` characters at a word boundary, with an ellipsis."""
    text = " ".join(str(text).split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ،,؛;:-") + "…"

"""Compare matplotlib's rendering of a label with an independent shaper, by pixels.

The reference is Pillow's raqm layout (FriBiDi + HarfBuzz) in the same font file: it shapes
and orders logical-order text correctly whatever matplotlib does. Both renderings are
cropped to their ink, scaled to one size, lightly blurred (so the hinting and antialiasing
differences between FreeType set-ups do not count) and compared by normalised
cross-correlation (1 = identical ink). Kept free of pytest so a throwaway environment with
another matplotlib can run it as a script.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image, ImageDraw, ImageFilter, ImageFont

SIZE_PX = 48  # glyph size for both renderers
SCALED_HEIGHT = 40  # common height after cropping; width follows the reference's aspect
INK = 40  # coverage (0-255) that counts as ink when cropping


def render_matplotlib(text: str, families: list[str]) -> Image.Image:
    """``text`` drawn by matplotlib's Agg text path as given (coverage image, mode L)."""
    width = SIZE_PX * (len(text) + 4)
    fig = Figure(figsize=(width / 72, 3 * SIZE_PX / 72), dpi=72)  # 72 dpi: 1 pt = 1 px
    FigureCanvasAgg(fig)
    fig.text(0.5, 0.5, text, family=families, size=SIZE_PX, ha="center", va="center")
    fig.canvas.draw()
    rgb = np.asarray(fig.canvas.buffer_rgba())[..., :3]
    return Image.fromarray((255 - rgb.min(axis=2)).astype(np.uint8))


def render_reference(text: str, font_path: Path, direction: str | None = None) -> Image.Image:
    """``text`` shaped and ordered by Pillow's raqm layout engine (coverage image, mode L).

    ``direction`` ("rtl"/"ltr") sets the paragraph direction; by default raqm takes it from
    the first strong letter, as every bidi layout does.
    """
    font = ImageFont.truetype(str(font_path), SIZE_PX, layout_engine=ImageFont.Layout.RAQM)
    left, top, right, bottom = font.getbbox(text, direction=direction)
    image = Image.new("L", (right - left + 2 * SIZE_PX, bottom - top + 2 * SIZE_PX), 0)
    position = (SIZE_PX - left, SIZE_PX - top)
    ImageDraw.Draw(image).text(position, text, font=font, fill=255, direction=direction)
    return image


def crop_to_ink(image: Image.Image) -> Image.Image:
    mask = image.point(lambda v: 255 if v >= INK else 0)
    box = mask.getbbox()
    if box is None:
        raise ValueError("nothing was drawn")
    return image.crop(box)


def similarity(drawn: Image.Image, reference: Image.Image) -> float:
    """Normalised cross-correlation of the two inks, cropped, scaled to one size, blurred."""
    drawn, reference = crop_to_ink(drawn), crop_to_ink(reference)
    width = max(1, round(SCALED_HEIGHT * reference.width / reference.height))
    size = (width, SCALED_HEIGHT)
    a, b = (
        np.asarray(
            im.resize(size, Image.Resampling.LANCZOS).filter(ImageFilter.GaussianBlur(1.0)),
            dtype=float,
        ).ravel()
        for im in (drawn, reference)
    )
    a, b = a - a.mean(), b - b.mean()
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b) + 1e-12))

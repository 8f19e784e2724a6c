"""Theme colours and names: one colour-blind-safe mapping, stable by theme order."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from analysis.plotting.labels import bilingual

# Okabe & Ito (2008), the reference colour-blind-safe qualitative palette, black last
# because it is the hardest to annotate; then Paul Tol's "muted" scheme (also CVD-safe)
# so analysts can add themes before any colour repeats.
OKABE_ITO = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#F0E442",  # yellow
    "#000000",  # black
)
TOL_MUTED = (
    "#332288",
    "#117733",
    "#88CCEE",
    "#882255",
    "#44AA99",
    "#999933",
    "#AA4499",
    "#DDCC77",
    "#CC6677",
)
PALETTE = OKABE_ITO + TOL_MUTED

SEQUENTIAL_CMAP = "Blues"  # single hue: readable for every colour-vision deficiency


# --- colours and theme names ----------------------------------------------------------------


def _theme_records(themes: Any) -> list[tuple[str, str, str, str | None]]:
    """(id, name_ar, name_en, colour) for a Lexicon, Theme objects, a table or plain ids."""
    themes = getattr(themes, "themes", themes)  # a Lexicon
    if isinstance(themes, pd.DataFrame):
        frame = themes.drop_duplicates("theme")
        return [
            (
                str(row["theme"]),
                str(row.get("name_ar", row["theme"])),
                str(row.get("name_en", "")),
                row.get("colour") if isinstance(row.get("colour"), str) else None,
            )
            for _, row in frame.iterrows()
        ]
    records = []
    for theme in themes:
        if isinstance(theme, str):
            records.append((theme, theme, "", None))
        else:
            records.append(
                (
                    str(theme.id),
                    str(getattr(theme, "name_ar", theme.id)),
                    str(getattr(theme, "name_en", "") or ""),
                    getattr(theme, "colour", None) or None,
                )
            )
    return records


def theme_colours(themes: Any) -> dict[str, str]:
    """One colour per theme, stable by theme order: Okabe-Ito, then Tol muted, then repeats.

    ``themes`` is a Lexicon, a sequence of Theme objects or of theme ids, or a table with a
    ``theme`` column. A theme's own ``colour`` (from the lexicon) wins.
    """
    return {
        theme_id: colour or PALETTE[i % len(PALETTE)]
        for i, (theme_id, _, _, colour) in enumerate(_theme_records(themes))
    }


def theme_names(themes: Any) -> dict[str, tuple[str, str]]:
    """Theme id -> (Arabic name, English name)."""
    return {theme_id: (ar, en) for theme_id, ar, en, _ in _theme_records(themes)}


def theme_label(theme_id: str, names: Mapping[str, tuple[str, str]]) -> str:
    ar, en = names.get(theme_id, (theme_id, ""))
    return bilingual(ar, en)


def ordered_themes(present: Iterable[str], themes: Any | None) -> list[str]:
    """Theme ids in lexicon order when known (so colours and rows agree across charts)."""
    present = [str(t) for t in present]
    if themes is None:
        return present
    order = [t for t, *_ in _theme_records(themes)]
    return [t for t in order if t in present] + [t for t in present if t not in order]

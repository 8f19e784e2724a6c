"""Figures for the theme analysis, with Arabic that reads right on any matplotlib.

- `labels`: `arabic_label` (shaping decided by a functional probe), the project font and style.
- `colours`: `theme_colours` and `theme_names`, one colour-blind-safe mapping.
- `charts`: the report's charts and `save_figure`.
"""

from analysis.plotting.charts import (
    annotated_heatmap,
    cooccurrence_chart,
    document_profile_chart,
    figure_of,
    save_figure,
    share_fields,
    theme_frequency_chart,
    theme_share_chart,
    top_terms_chart,
)
from analysis.plotting.colours import (
    OKABE_ITO,
    PALETTE,
    SEQUENTIAL_CMAP,
    TOL_MUTED,
    theme_colours,
    theme_names,
)
from analysis.plotting.labels import (
    ARABIC_FAMILY,
    FALLBACK_FAMILY,
    FONT_PACKAGE,
    ProjectFont,
    ShapingSupport,
    arabic_label,
    bilingual,
    entry_label,
    font_families,
    literal_text,
    project_font,
    project_style,
    shaping_support,
    shorten,
    style_rc,
    use_project_style,
)

__all__ = [
    "ARABIC_FAMILY",
    "FALLBACK_FAMILY",
    "FONT_PACKAGE",
    "OKABE_ITO",
    "PALETTE",
    "SEQUENTIAL_CMAP",
    "TOL_MUTED",
    "ProjectFont",
    "ShapingSupport",
    "annotated_heatmap",
    "arabic_label",
    "bilingual",
    "cooccurrence_chart",
    "document_profile_chart",
    "entry_label",
    "figure_of",
    "font_families",
    "literal_text",
    "project_font",
    "project_style",
    "save_figure",
    "shaping_support",
    "share_fields",
    "shorten",
    "style_rc",
    "theme_colours",
    "theme_frequency_chart",
    "theme_names",
    "theme_share_chart",
    "top_terms_chart",
    "use_project_style",
]

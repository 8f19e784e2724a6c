"""The lexicon workbench: edit one theme's block, recount, compare; save only when asked.

The text box holds the theme's block of the lexicon file as written. "Recount" puts the
edited block back into a copy of the file text, parses it (`themes.parse_lexicon`; an error
is shown inline with its line in the box and in the file), matches the documents of the
current filters (at most `MAX_RECOUNT_DOCUMENTS`) with the edited lexicon and shows the
counts, the KWIC lines the edit added and removed, and the validation figures on the
labelled set before and after. Nothing is written unless "Save" is pressed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import numpy as np
import pandas as pd

from analysis import config
from analysis.explore import view
from analysis.explore.index import ExplorerIndex, Filters
from analysis.files import atomic_writer
from analysis.notebook.html import escape, number, plural
from analysis.themes import LexiconError, analyse_text, parse_lexicon, validation

MAX_RECOUNT_DOCUMENTS = 3000  # documents matched again on "recount" (the first of the filter)
_THEME_LINE = re.compile(r"^(\s*)- id:\s*(\S+)\s*$")
_ERROR_LINE = re.compile(r"^[^\n]*?:(\d+):")


def theme_block(text: str, theme: str) -> tuple[int, int]:
    """First and end line (0-based, end excluded) of `theme`'s block in lexicon text."""
    lines = text.split("\n")
    first, indent = -1, ""
    for i, line in enumerate(lines):
        found = _THEME_LINE.match(line)
        if found and first < 0 and found.group(2) == theme:
            first, indent = i, found.group(1)
        elif first >= 0 and (
            (found and found.group(1) == indent) or (line and not line[0].isspace())
        ):
            return first, i
    if first < 0:
        raise KeyError(f"theme {theme!r} is not in the lexicon file")
    return first, len(lines)


def replace_block(text: str, theme: str, block: str) -> str:
    first, end = theme_block(text, theme)
    lines = text.split("\n")
    return "\n".join(lines[:first] + block.split("\n") + lines[end:])


def error_html(error: LexiconError, first_line: int, name: str) -> str:
    """A lexicon error, with its line in the text box when it falls inside it."""
    message = str(error)
    found = _ERROR_LINE.match(message)
    where = ""
    if found:
        line = int(found.group(1))
        inside = line - first_line
        where = f"line {inside} of the box (line {line} of {escape(name)}): " if inside > 0 else ""
    return (
        '<p class="explore-error" style="color:#b00020">'
        f"Lexicon error: {where}{escape(message)}</p>"
    )


class Workbench:
    """Widgets of the workbench for one lexicon; `widget` is the tab's content."""

    def __init__(self, index: ExplorerIndex, lexicon: Any, filters: Callable[[], Filters]) -> None:
        self.index, self.lexicon, self.filters = index, lexicon, filters
        self.path = Path(lexicon.path)
        self.file_text = self.path.read_text(encoding="utf-8")
        self.edited: Any = None
        self._labels: pd.DataFrame | None = None
        self.theme = widgets.Dropdown(
            options=[(f"{index.theme_names[t]} · {t}", t) for t in index.theme_ids],
            description="Theme",
        )
        self.box = widgets.Textarea(layout=widgets.Layout(width="100%", height="18em"))
        self.box.add_class("explore-lexicon-box")
        self.recount_button = widgets.Button(description="Recount · أعد العد")
        self.save_button = widgets.Button(description=f"Save to {self.path.name}", disabled=True)
        self.result = widgets.HTML()
        self.theme.observe(lambda _c: self._load_block(), names="value")
        self.recount_button.on_click(lambda _b: self.recount())
        self.save_button.on_click(lambda _b: self.save())
        self._load_block()
        self.widget = widgets.VBox(
            [
                self.theme,
                self.box,
                widgets.HBox([self.recount_button, self.save_button]),
                self.result,
            ]
        )

    def _load_block(self) -> None:
        first, end = theme_block(self.file_text, self.theme.value)
        self.first_line = first + 1  # 1-based line of the block's first line in the file
        self.box.value = "\n".join(self.file_text.split("\n")[first:end])
        self.save_button.disabled = True
        self.result.value = ""

    def labels(self) -> pd.DataFrame:
        if self._labels is None:
            self._labels = validation.read_labels(config.LABELS_PATH, self.lexicon.theme_ids)
        return self._labels

    def recount(self) -> Any:
        """Parse the edited file text and compare its matches with the current lexicon's."""
        theme = self.theme.value
        new_text = replace_block(self.file_text, theme, self.box.value)
        try:
            edited = parse_lexicon(new_text, source=self.path.name)
            if theme not in edited.theme_ids:
                raise LexiconError(f"{self.path.name}:{self.first_line}: theme {theme} is gone")
        except LexiconError as error:
            self.result.value = error_html(error, self.first_line - 1, self.path.name)
            self.save_button.disabled = True
            return None
        self.edited, self.new_text = edited, new_text
        self.result.value = self.comparison_html(edited, theme)
        self.save_button.disabled = False
        return edited

    def comparison_html(self, edited: Any, theme: str) -> str:
        index = self.index
        mask = index.query(self.filters()).documents
        docs = np.flatnonzero(mask)[:MAX_RECOUNT_DOCUMENTS]
        before = index.hits[(index.hits["theme"] == theme) & np.isin(index.hits["doc"], docs)]
        old = {
            (int(d), int(s), int(e))
            for d, s, e in zip(before["doc"], before["start"], before["end"], strict=True)
        }
        new = set()
        for doc in docs:
            for hit in analyse_text(index.texts[doc], edited).hits:
                if hit.theme == theme:
                    new.add((int(doc), hit.start, hit.end))
        added = pd.DataFrame(sorted(new - old), columns=["doc", "start", "end"])
        removed = pd.DataFrame(sorted(old - new), columns=["doc", "start", "end"])
        tokens = int(index.tokens[docs].sum())

        def rate(n: int) -> float:
            return n * 1000.0 / tokens if tokens else 0.0

        capped = int(mask.sum()) > len(docs)
        first = f" (the first {number(MAX_RECOUNT_DOCUMENTS)} of the filter)" if capped else ""
        parts = [
            f"<p>{plural(len(docs), 'document')} recounted{first}: "
            f"{number(len(old))} hits before ({rate(len(old)):.2f} per 1,000 tokens), "
            f"{number(len(new))} after ({rate(len(new)):.2f}); "
            f"{number(len(added))} added, {number(len(removed))} removed.</p>",
            "<h4>Added · أضيف</h4>",
            view.kwic_html(index, added, limit=50),
            "<h4>Removed · حذف</h4>",
            view.kwic_html(index, removed, limit=50),
            "<h4>Validation (labelled sentences) before → after</h4>",
            self.validation_html(edited, theme),
        ]
        return "".join(parts)

    def validation_html(self, edited: Any, theme: str) -> str:
        try:
            labels = self.labels()
        except (OSError, ValueError) as error:
            return f"<p>no labelled set: {escape(error)}</p>"
        rows = []
        for name, lexicon in (("before", self.lexicon), ("after", edited)):
            scores = validation.score(labels, lexicon)
            for row in scores[scores["theme"] == theme].itertuples(index=False):
                rows.append(
                    f"<tr><td>{name}</td><td>{escape(row.split)}</td><td>{row.tp}</td>"
                    f"<td>{row.fp}</td><td>{row.fn}</td><td>{row.precision:.2f}</td>"
                    f"<td>{row.recall:.2f}</td></tr>"
                )
        return (
            '<table class="explore-validation"><tr><th>lexicon</th><th>split</th><th>tp</th>'
            "<th>fp</th><th>fn</th><th>precision</th><th>recall</th></tr>"
            + "".join(rows)
            + "</table>"
        )

    def save(self) -> Path | None:
        """Write the recounted text to the lexicon file (only on this explicit request)."""
        if self.edited is None:
            return None
        with atomic_writer(self.path, "w", encoding="utf-8") as stream:
            stream.write(self.new_text)
        self.file_text = self.new_text
        self.result.value += f"<p>Saved to {escape(self.path)}.</p>"
        self.save_button.disabled = True
        return self.path

"""Dates written in the text: datelines, Arabic and Latin month names, ISO and field values."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from functools import cache
from typing import Any, NamedTuple

from analysis import config
from analysis.corpus.spelling import fold, load_phrase_lists, phrases

_VOCABULARIES = load_phrase_lists(config.DATES_PATH)
_MONTHS = {int(number): names for number, names in _VOCABULARIES["months"].items()}
_MONTH_NUMBER = {fold(name): number for number, names in _MONTHS.items() for name in names}
_WEEKDAYS: tuple[str, ...] = _VOCABULARIES["weekdays"]
_TIME = r"(?:\s*[-\u2013,\u060c|]?\s*(?:\d{1,2}:\d{2}(?::\d{2})?)(?:\s*(?:am|pm|\u0635|\u0645))?)?"


class _Patterns(NamedTuple):
    date_forms: re.Pattern[str]
    dateline_outlet: re.Pattern[str]  # "نشر في الدار يوم 17 - 12 - 2020": outlet, then date
    dateline_only: re.Pattern[str]


@cache
def patterns() -> _Patterns:
    """Compiled on first use (0.04 s): a pipeline client, which never reads a date, skips it."""
    month = phrases(_MONTH_NUMBER)
    date_forms = re.compile(
        f"(?:(?:{phrases(_WEEKDAYS)})\\s*[,\u060c]?\\s*)?(?:"
        r"(?P<d1>\d{1,2})\s*[-/.]\s*(?P<m1>\d{1,2})\s*[-/.]\s*(?P<y1>\d{4})"
        r"|(?P<y2>\d{4})\s*[-/.]\s*(?P<m2>\d{1,2})\s*[-/.]\s*(?P<d2>\d{1,2})"
        f"|(?P<d3>\\d{{1,2}})\\s+(?P<mon3>{month})\\.?\\s*,?\\s+(?P<y3>\\d{{4}})"
        f"|(?P<mon4>{month})\\.?\\s+(?P<d4>\\d{{1,2}})\\s*,?\\s+(?P<y4>\\d{{4}})"
        f"){_TIME}"
    )
    outlet = re.compile(
        f"^(?:{phrases(_VOCABULARIES['dateline_verbs'])}) (?P<source>.{{1,40}}?) "
        f"(?:{phrases(_VOCABULARIES['dateline_links'])}) (?P<date>.+)$"
    )
    only = re.compile(
        "^(?:" + phrases(_VOCABULARIES["dateline_labels"]) + r")\s*:?\s*(?P<date>.+)$"
    )
    return _Patterns(date_forms, outlet, only)


def parse_date_text(text: str) -> datetime | None:
    """A date written out in Arabic or English (`17 - 12 - 2020`, `17 ديسمبر 2020`, ...)."""
    match = patterns().date_forms.fullmatch(fold(text))
    if not match:
        return None
    g = match.groupdict()
    for i in "1234":
        if g.get(f"y{i}"):
            month = g.get(f"m{i}") or _MONTH_NUMBER[g[f"mon{i}"]]
            try:
                return datetime(int(g[f"y{i}"]), int(month), int(g[f"d{i}"]))
            except ValueError:
                return None
    return None


_ANY_DIGIT = re.compile(r"\d")
# Cleaning asks only lines of at most this many words whether they are datelines.
MAX_DATELINE_WORDS = 14


def dateline(line: str) -> tuple[str | None, datetime] | None:
    """(outlet or None, date) when the line is a publication dateline (one with a digit)."""
    if not _ANY_DIGIT.search(line):
        return None
    key = fold(line)
    match = patterns().dateline_outlet.match(key)
    if match and (when := parse_date_text(match["date"])) and in_range(when):
        # The outlet is taken from the original line, in its own spelling.
        words = line.split()
        n_outlet = len(match["source"].split())
        return " ".join(words[2 : 2 + n_outlet]), when
    match = patterns().dateline_only.match(key)
    if match and (when := parse_date_text(match["date"])) and in_range(when):
        return None, when
    return None


# What a pandas `datetime64[ns]` column holds (`pd.Timestamp.min` .. `max`, to the second).
DATE_MIN = datetime(1677, 9, 21, 0, 12, 44)
DATE_MAX = datetime(2262, 4, 11, 23, 47, 16)


def in_range(when: datetime) -> bool:
    """Whether a naive datetime fits the documents table's `datetime64[ns]` column."""
    return DATE_MIN <= when <= DATE_MAX


OUTLET_PREFIX = re.compile(
    "^(?P<outlet>[^\\s\\-\u2013\u2014|:]+(?: [^\\s\\-\u2013\u2014|:]+)?)\\s*[\\-\u2013\u2014|:]\\s"
)


def to_datetime(value: Any) -> datetime | None:
    """A naive datetime (UTC when the value carried a zone) from a field value, or None."""
    if isinstance(value, datetime):
        when = value
    elif isinstance(value, date):
        when = datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        text = value.strip()
        try:
            when = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return parse_date_text(text)
    else:
        return None
    if when.tzinfo is not None:
        when = when.astimezone(UTC).replace(tzinfo=None)
    return when

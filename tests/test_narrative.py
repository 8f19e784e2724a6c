"""Sentences the report generates from data: they must say exactly what the data says."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd

from analysis import narrative as nv


def corpus(sources: list[str | None], dates: list[str | None], duplicates: int = 0):
    n = len(sources)
    documents = pd.DataFrame(
        {
            "source": pd.Series(sources, dtype="string"),
            "date": pd.to_datetime(pd.Series(dates)),
            "is_duplicate": [i < duplicates for i in range(n)],
        }
    )
    return SimpleNamespace(
        name="seeds",
        documents=documents,
        keep_duplicates=False,
        analysed=lambda: documents[~documents["is_duplicate"]],
    )


def test_a_single_date_is_not_written_as_a_range():
    english, arabic = nv.describe_corpus(
        corpus(["الدار", "النهار24", None, None, None], ["2020-12-17", None, None, None, None])
    )
    assert "1 of 5 carry a date, on 2020-12-17." in english
    assert "to 2020-12-17" not in english
    assert "بتاريخ 2020-12-17" in arabic


def test_outlets_and_dates_are_counted_among_all_documents():
    english, _ = nv.describe_corpus(
        corpus(["a", "b", "a", None], ["2015-07-21", "2015-08-11", None, "2015-07-30"], 1)
    )
    assert english.startswith("The corpus seeds holds 4 documents; 3 are analysed (1 duplicate")
    assert "3 of 4 name their outlet (2 outlets in all)." in english
    assert "3 of 4 carry a date, from 2015-07-21 to 2015-08-11." in english


def test_missing_metadata_is_not_mentioned():
    english, arabic = nv.describe_corpus(corpus([None, None], [None, None]))
    assert english == "The corpus seeds holds 2 documents; 2 are analysed."
    assert "منبر" not in arabic and "تاريخ" not in arabic

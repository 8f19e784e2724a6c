"""Themes: the lexicon, matching, tables, KWIC, keyness, and their validation.

- `lexicon`: the YAML lexicon parsed and checked, `Lexicon`, proclitic morphology.
- `matcher`: `analyse_text` (pure, per document), `analyse_corpus`, `Analysis`.
- `batch`: `analyse_texts`, the same analysis for a batch of documents, done as columns.
- `tables`: counts, rates, summary, top terms, co-occurrence, KWIC, the document table.
- `keyness`: over- and under-used terms of one set of documents against another.
- `written`: the written false-friend regression set (development figures).
- `validation`: validity on real, held-out text (samples, labels, scores, form audit);
  imported as `from analysis.themes import validation`.
"""

from analysis.themes.batch import KeyedBatch, analyse_texts, key_batch, key_batch_later
from analysis.themes.keyness import (
    document_keyness,
    group_keyness,
    keyness,
    surface_forms,
    term_counts,
)
from analysis.themes.lexicon import (
    UNMATCHABLE,
    ContextRule,
    Lexicon,
    LexiconError,
    Pattern,
    Theme,
    compile_entry,
    default_lexicon,
    load_lexicon,
    parse_lexicon,
)
from analysis.themes.matcher import (
    DOC_TOKEN_COLUMNS,
    HIT_COLUMNS,
    Analysis,
    AnalysisRows,
    DocAnalysis,
    Hit,
    HitColumns,
    LexiconAnalyser,
    Match,
    analyse_corpus,
    analyse_text,
    analysis_from_results,
    hit_columns,
    match_text,
    process_lexicon,
)
from analysis.themes.tables import (
    context,
    cooccurrence,
    counts_by_document,
    document_theme_table,
    kwic,
    rates_by_document,
    theme_summary,
    top_terms,
)
from analysis.themes.written import (
    LabelledSentence,
    load_validation_set,
    validate,
    validation_details,
)

__all__ = [
    "DOC_TOKEN_COLUMNS",
    "HIT_COLUMNS",
    "UNMATCHABLE",
    "Analysis",
    "AnalysisRows",
    "ContextRule",
    "DocAnalysis",
    "Hit",
    "HitColumns",
    "KeyedBatch",
    "LabelledSentence",
    "Lexicon",
    "LexiconAnalyser",
    "LexiconError",
    "Match",
    "Pattern",
    "Theme",
    "analyse_corpus",
    "analyse_text",
    "analyse_texts",
    "analysis_from_results",
    "compile_entry",
    "context",
    "cooccurrence",
    "counts_by_document",
    "default_lexicon",
    "document_keyness",
    "document_theme_table",
    "group_keyness",
    "hit_columns",
    "key_batch",
    "key_batch_later",
    "keyness",
    "kwic",
    "load_lexicon",
    "load_validation_set",
    "match_text",
    "parse_lexicon",
    "process_lexicon",
    "rates_by_document",
    "surface_forms",
    "term_counts",
    "theme_summary",
    "top_terms",
    "validate",
    "validation_details",
]

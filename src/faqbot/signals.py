"""The signals that score a curated entry for a question, and the features the decision reads, declared once.

Their order is the order of ``Config.weights_raw``, ``Weights``, ``EntryScores`` and the signal fields
of ``Candidate``, which are checked against this table when faqbot is imported; ``--explain`` columns,
the decision's "agreement" feature and weight calibration read their names from here. A new signal is
declared here, given a ``weight_<name>`` setting, and computed in ``Index.entry_scores``.
"""

from __future__ import annotations

from typing import NamedTuple


class Signal(NamedTuple):
    name: str
    weight: float   # default fusion weight (``Config.weight_<name>``)
    about: str


SIGNALS: tuple[Signal, ...] = (
    Signal("char", 0.20, "character 3-5-gram TF-IDF cosine against the entry's phrasings: survives typos"),
    Signal("word", 0.0, "stemmed word uni+bigram TF-IDF cosine against the phrasings (content words, question kinds)"),
    Signal("wording", 0.50, "the same over every word of the phrasings: \"where can I\" is not \"should I\""),
    Signal("qa", 0.20, "word TF-IDF cosine against the entry's question and answer together"),
    Signal("fuzzy", 0.10, "rapidfuzz similarity (word order ignored) to the closest phrasing, best candidates only"),
)
NAMES: tuple[str, ...] = tuple(s.name for s in SIGNALS)
SETTINGS: tuple[str, ...] = tuple(f"weight_{s.name}" for s in SIGNALS)
DEFAULTS: dict[str, float] = {s.name: s.weight for s in SIGNALS}

FEATURES: tuple[tuple[str, str], ...] = (
    ("fused", "the candidate's fused signal score (0-1)"),
    ("margin", "its fused score minus the best other question's"),
    ("coverage", "IDF-weighted share of the question's content words the entry (or its sources) contains"),
    ("rare_coverage", "the same, with words the corpus lacks weighted by how rare they are in English"),
    ("focus_missing", "1 when the question asks for a kind of fact (date, amount, count...) the entry lacks"),
    ("agreement", "share of the signals whose best entry is this one"),
    ("fuzzy", "rapidfuzz similarity to the entry's closest phrasing"),
    ("qa", "word TF-IDF similarity to the entry's question and answer together"),
    ("rare_unknown", "share of the question's content words that are rare English and absent from the corpus"),
    ("name_coverage", "share of the names the question uses (GPT-4.5, Midjourney) that the entry mentions"),
)
"""Every feature of the decision, in the order of its coefficients; ``--explain`` shows them."""

FEATURE_NAMES: tuple[str, ...] = tuple(name for name, _ in FEATURES)


def check(kind: str, fields: tuple[str, ...]) -> None:
    """AssertionError unless *fields* are the signal names in order (a record left behind by a new signal)."""
    if tuple(fields) != NAMES:
        raise AssertionError(f"{kind} fields {fields} do not follow faqbot.signals.SIGNALS {NAMES}")

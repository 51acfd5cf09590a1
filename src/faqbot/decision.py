"""The fitted decision: how likely a curated entry is the right answer to a question, and what to do.

Each candidate entry is described by a few features (``FEATURES``); a logistic model fitted on the
corpus itself (``faqbot.fit``) turns them into ``confidence``, the probability that the entry is the
right answer. The thresholds follow from a target precision: answer at or above ``answer_at``, offer
"did you mean" at or above ``clarify_at``. Runs on the query path with numpy alone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

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


@dataclass(frozen=True, slots=True)
class Decision:
    """A fitted logistic model and its two thresholds; ``estimate`` says how well it did when fitted."""

    coefficients: tuple[float, ...]
    intercept: float
    answer_at: float
    clarify_at: float
    fitted: bool = False
    note: str = ""                                   # why the defaults are used, or what was fitted on
    weights: tuple[float, ...] = ()                  # fusion weights chosen by the fit (() = the config's)
    estimate: dict[str, float] = field(default_factory=dict)   # precision, recall, examples...

    def probability(self, features: np.ndarray) -> np.ndarray:
        """P(right answer) for each row of *features* (one row per candidate)."""
        if features.size == 0:
            return np.zeros(features.shape[0])
        z = features @ np.asarray(self.coefficients) + self.intercept
        return np.asarray(1.0 / (1.0 + np.exp(-np.clip(z, -30.0, 30.0))), dtype=float)

    def to_dict(self) -> dict[str, Any]:
        return {"coefficients": list(self.coefficients), "intercept": self.intercept, "answer_at": self.answer_at,
                "clarify_at": self.clarify_at, "fitted": self.fitted, "note": self.note, "weights": list(self.weights),
                "estimate": dict(self.estimate)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Decision:
        """The decision saved by ``to_dict``; ValueError when it is malformed (e.g. a damaged cache)."""
        coefficients = tuple(float(c) for c in data["coefficients"])
        numbers = [float(data[k]) for k in ("intercept", "answer_at", "clarify_at")]
        if len(coefficients) != len(FEATURES) or not all(math.isfinite(x) for x in (*coefficients, *numbers)):
            raise ValueError("the decision does not fit this version's features")
        estimate = data.get("estimate", {})
        weights = tuple(float(w) for w in data.get("weights", ()))
        if not isinstance(estimate, dict) or (weights and (len(weights) != 5 or not all(
                math.isfinite(w) and w >= 0 for w in weights) or sum(weights) <= 0)):
            raise ValueError("bad decision estimate or weights")
        return cls(coefficients, numbers[0], numbers[1], numbers[2], fitted=bool(data["fitted"]),
                   note=str(data.get("note", "")), weights=weights,
                   estimate={str(k): float(v) for k, v in estimate.items()})


# Used when a corpus is too small to fit, or fitting is turned off: the bundled article's fit, rounded
# (`faqbot index` on corpus/ prints it; refresh these when FEATURES change).
DEFAULT = Decision(
    coefficients=(0.9, 2.5, 2.9, 0.2, -3.7, 2.2, 3.7, 3.7, -1.7, 1.9),
    intercept=-9.0,
    answer_at=0.70,
    clarify_at=0.20,
    note="defaults",
)

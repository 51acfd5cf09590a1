"""The thresholds and weights that shape answers, with documented defaults.

A corpus may override any of them in its ``config.yaml``; unknown keys are rejected so a
misspelt setting never passes silently. ``faqbot eval --calibrate`` prints values to paste there.
The user's own settings (limits, switches) come from environment variables, read by ``env_number``
and ``env_off``: a corpus can never change them.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any, NamedTuple

from faqbot.errors import ConfigError, describe
from faqbot.signals import DEFAULTS, SETTINGS, check


def env_number(name: str, default: int, minimum: int = 1) -> int:
    """The whole number in ``$name``, at least *minimum*; *default* when it is unset or not a number."""
    try:
        return max(minimum, int(os.environ.get(name, "")))
    except ValueError:
        return default


def env_off(name: str) -> bool:
    """Whether ``$name`` turns a feature off ("off", "0", "no" or "none", in any case)."""
    return os.environ.get(name, "").strip().lower() in ("off", "0", "no", "none")


class Weights(NamedTuple):
    """How much each signal counts in a curated entry's fused score (they sum to 1)."""

    char: float
    word: float
    wording: float
    qa: float
    fuzzy: float


check("Weights", Weights._fields)


@dataclass(frozen=True, slots=True)
class Config:
    """Every knob of the answer decision. Scores and thresholds are on a 0-1 scale."""

    # Fusion weights of the signals (faqbot.signals says what each measures; they are renormalised to sum
    # 1). Left at these defaults, the fit chooses among a few sets by held-out paraphrases.
    weight_char: float = DEFAULTS["char"]
    weight_word: float = DEFAULTS["word"]
    weight_wording: float = DEFAULTS["wording"]
    weight_qa: float = DEFAULTS["qa"]
    weight_fuzzy: float = DEFAULTS["fuzzy"]

    target_precision: float = 0.98
    """Share of attempted curated answers that must be right (1 wrong in 50 by default). The answer
    threshold is fitted to each corpus when its index is built, to the lowest that meets this."""
    clarify_precision: float = 0.80
    """The same for "did you mean": the best candidate must be right this often to be offered."""
    expected_out_of_scope: float = 0.25
    """Share of users' questions the corpus does not answer, assumed when the fit estimates precision
    (its own examples hold many more such questions than real traffic)."""
    fit_decision: bool = True
    """Fit the decision to the corpus at index build (False: use faqbot.engine.decision.DEFAULT)."""
    clarify_margin: float = 0.10
    """When the runner-up's confidence is within this of the best's, the question is ambiguous: ask back."""
    passage_threshold: float = 0.30
    """Minimum confidence for an extractive answer made of article sentences."""
    extract_coverage: float = 0.8
    """Share of the question's content words an extractive answer's sentence (and heading) must contain."""
    min_coverage: float = 0.65
    """Share (IDF-weighted) of the question's content words below which the coverage discount
    is one power harder (see ``coverage_power``)."""
    source_credit: float = 0.5
    """Credit for a question word found only in the passages an entry cites, not in the entry itself."""
    coverage_power: float = 1.5
    """How hard missing content words pull confidence down: confidence = score * coverage**power
    (power + 1 when coverage is below ``min_coverage``)."""
    smalltalk_threshold: float = 0.88
    """Minimum fuzzy similarity of the whole utterance to a small-talk pattern."""
    followup_weight: float = 0.45
    """Weight of the previous turn for a follow-up that shifts topic ("and music?")."""
    pronoun_weight: float = 1.0
    """Weight of the previous turn for a follow-up that points back at it ("who makes it?")."""
    fuzzy_candidates: int = 60
    """How many phrasings (the best by TF-IDF) are re-scored with rapidfuzz."""
    max_suggestions: int = 3
    """Suggested questions offered with an abstention."""
    offer_max_zipf: float = 4.0
    """A decline offers an entry only when the question shares a distinctive word with it: a name the
    corpus uses, or a word rarer in English than this Zipf frequency ("midjourney" is unknown, "plane"
    4.7, "recommend" 4.6, "good" 6.1). Decides only whether to offer, never whether to answer."""
    spelling_max_zipf: float = 3.5
    """A question word at least this common in English (Zipf) is never "corrected" to a corpus word
    ("plane" 4.7 stays "plane", not "plan"); rarer unknown words are corrected as typos."""
    max_question_chars: int = 2000
    """Longer questions are cut to this many characters before matching (with a notice)."""
    extract_sentences: int = 2
    """Sentences in an extractive answer: 1, or 2 to add the next sentence when it shares a question word."""
    implicit_entries: bool = True
    """Make an entry of each section no curated entry cites: its heading as the question (as written
    when it is one, else as keywords), the opening of the section as the answer."""
    semantic_model: str = ""
    """A sentence encoder exported to ONNX: a folder laid out as a Hugging Face snapshot, or a repo id
    such as ``sentence-transformers/all-MiniLM-L6-v2`` (needs faqbot[semantic]; docs/semantic.md).
    ``$FAQBOT_SEMANTIC_MODEL`` wins. Empty: lexical only."""
    semantic_answer_at: float = 0.60
    """When the lexical decision is unsure, the entry nearest in meaning answers if its cosine is at
    least this, it is among the ``semantic_top`` best lexical candidates and no veto holds."""
    semantic_margin: float = 0.05
    """...and its cosine is at least this much above the nearest entry of another question."""
    semantic_top: int = 5
    """How many of the best lexical candidates the entry nearest in meaning must be among."""
    semantic_passage_at: float = 0.55
    """When no entry answers, the passage nearest in meaning answers if its cosine is at least this and
    no veto holds (names the passage lacks, rare words the corpus never uses, a missing kind of fact)."""
    semantic_pull: float = 0.02
    """A passage nearest in meaning does not answer when the question's words the corpus never uses pull
    away from it: without them, the question's cosine to it rises by more than this."""
    semantic_max_passages: int = 3_000
    """At most this many passages (the first, in corpus order) are embedded at build, each from its first
    128 tokens: about 150 a second on 2 cores, so 20 s. Curated and heading entries are always embedded."""
    log_unanswered: str = "chat"
    """Which commands record the questions the bot declined or met with "did you mean" in the user's
    unanswered log (for `faqbot review`): "chat" (the default), "always" (`faqbot ask` too) or "off"."""
    source_name: str = ""
    """What replies call the knowledge ("I'm not sure the manual covers that"): default "the article",
    or "the FAQ" for a corpus without one."""

    def __post_init__(self) -> None:
        for f in fields(self):
            value, default = getattr(self, f.name), f.default
            if isinstance(default, bool | str):
                if not isinstance(value, type(default)):
                    kind = "true or false" if isinstance(default, bool) else "a text"
                    raise ConfigError(f"setting '{f.name}' must be {kind}, got {describe(value)}", f.name)
                continue
            if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
                raise ConfigError(f"setting '{f.name}' must be a number, got {describe(value)}", f.name)
            if value < 0:
                raise ConfigError(f"setting '{f.name}' must not be negative, got {value}", f.name)
        if self.log_unanswered not in ("chat", "always", "off"):
            raise ConfigError("setting 'log_unanswered' must be chat, always or off, got "
                              f"{describe(self.log_unanswered)}", "log_unanswered")
        if sum(self.weights_raw) <= 0:
            raise ConfigError("at least one of the weight_* settings must be positive")
        if not math.isfinite(sum(self.weights_raw)):
            raise ConfigError("the weight_* settings are too large to add up; use numbers like 0.3")
        for name in ("target_precision", "clarify_precision", "expected_out_of_scope", "passage_threshold",
                     "min_coverage",
                     "smalltalk_threshold", "clarify_margin", "followup_weight", "pronoun_weight",
                     "source_credit", "extract_coverage", "semantic_answer_at", "semantic_margin",
                     "semantic_passage_at", "semantic_pull"):
            if getattr(self, name) > 1:
                raise ConfigError(f"setting '{name}' is on a 0-1 scale, got {getattr(self, name)}", name)
        for name in ("fuzzy_candidates", "max_suggestions", "max_question_chars", "extract_sentences", "semantic_top",
                     "semantic_max_passages"):
            if int(getattr(self, name)) != getattr(self, name) or getattr(self, name) < 1:
                raise ConfigError(f"setting '{name}' must be a whole number of at least 1", name)

    @property
    def weights_raw(self) -> tuple[float, ...]:
        return tuple(getattr(self, setting) for setting in SETTINGS)

    @property
    def weights_set(self) -> bool:
        """True when the weights differ from the defaults (an author's choice, which the fit keeps)."""
        return self.weights_raw != Config().weights_raw

    @property
    def weights(self) -> Weights:
        """The fusion weights, in the order of faqbot.signals.SIGNALS, scaled to sum to 1."""
        raw = self.weights_raw
        total = sum(raw)
        return Weights(*(w / total for w in raw))

    def with_values(self, values: Mapping[str, Any]) -> Config:
        """A copy with *values* applied; raises ConfigError naming any unknown key."""
        known = {f.name for f in fields(self)}
        retired = sorted(str(k) for k in set(values) & set(RETIRED))
        if retired:
            raise ConfigError(f"setting '{retired[0]}' is no longer used: {RETIRED[retired[0]]}", retired[0])
        unknown = sorted(str(k) for k in set(values) - known)   # YAML keys may be numbers or booleans
        if unknown:
            raise ConfigError(f"unknown setting(s): {', '.join(unknown)} (known: {', '.join(sorted(known))})",
                              unknown[0])
        return replace(self, **{k: _coerce(getattr(self, k), v) for k, v in values.items()})

    def to_dict(self) -> dict[str, float | int | bool | str]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def _coerce(default: Any, value: Any) -> Any:
    """*value* as the type of the setting's *default* where YAML read it otherwise: 2.0 for a whole
    number, "1e-3" (YAML 1.1 reads exponents without a dot as text) for a number, and off for a text."""
    if isinstance(default, str) and isinstance(value, bool):
        return "on" if value else "off"   # YAML 1.1 reads a bare off/no/on/yes as a boolean
    if isinstance(default, bool) or isinstance(value, bool):
        return value
    if isinstance(default, int | float) and isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            return value
    if isinstance(default, int) and not isinstance(default, bool) and isinstance(value, float) and value.is_integer():
        return int(value)
    return value


_FITTED = ("faqbot fits the answer and clarify thresholds to each corpus when it builds the index; "
           "set 'target_precision' (share of attempted answers that must be right, default 0.98) or "
           "'clarify_precision' instead, or 'fit_decision: false' to use the built-in defaults")
RETIRED: dict[str, str] = {"answer_threshold": _FITTED, "clarify_threshold": _FITTED}
"""Settings of earlier versions, each with what replaces it (an author's config naming one is refused)."""

"""The decision: how likely a curated entry is the right answer to a question, and what to do.

Each candidate entry is described by a few features (``faqbot.signals.FEATURES``); a logistic model fitted on the
corpus itself (``faqbot.engine.fit``) turns them into ``confidence``, the probability that the entry is the
right answer. The thresholds follow from a target precision: answer at or above ``answer_at``, offer
"did you mean" at or above ``clarify_at``. Runs on the query path with numpy alone.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

import numpy as np

from faqbot.config import Config
from faqbot.language.focus import DECISIVE, lacks
from faqbot.models import Candidate
from faqbot.signals import FEATURE_NAMES, SIGNALS

if TYPE_CHECKING:
    from faqbot.engine.findings import Findings

Action = Literal["answer", "chain", "clarify", "extract", "decline", "smalltalk", "greeting", "empty", "vague"]

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

    def probabilities(self, rows: Sequence[Sequence[float]]) -> list[float]:
        """``probability`` of a few rows in plain Python: for one question's candidates, numpy's per-call
        overhead costs more than the arithmetic."""
        coefficients, intercept, found = self.coefficients, self.intercept, []
        for row in rows:
            z = min(30.0, max(-30.0, sum(map(operator.mul, row, coefficients)) + intercept))
            found.append(1.0 / (1.0 + math.exp(-z)))
        return found

    def to_dict(self) -> dict[str, Any]:
        return {"coefficients": list(self.coefficients), "intercept": self.intercept, "answer_at": self.answer_at,
                "clarify_at": self.clarify_at, "fitted": self.fitted, "note": self.note, "weights": list(self.weights),
                "estimate": dict(self.estimate)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Decision:
        """The decision saved by ``to_dict``; ValueError when it is malformed (e.g. a damaged cache)."""
        coefficients = tuple(float(c) for c in data["coefficients"])
        numbers = [float(data[k]) for k in ("intercept", "answer_at", "clarify_at")]
        if len(coefficients) != len(FEATURE_NAMES) or not all(math.isfinite(x) for x in (*coefficients, *numbers)):
            raise ValueError("the decision does not fit this version's features")
        estimate = data.get("estimate", {})
        weights = tuple(float(w) for w in data.get("weights", ()))
        if not isinstance(estimate, dict) or (weights and (len(weights) != len(SIGNALS) or not all(
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


# ----------------------------------------------------------------------------- deciding

_NEAR_TIE = 0.05   # fused scores this close to the best: the fitted confidence picks among them


class Verdict(NamedTuple):
    """What to say, and the check that decided it (``faqbot.engine.compose`` turns it into an Answer)."""

    action: Action
    candidates: tuple[Candidate, ...] = ()   # every candidate, judged, most likely first
    chosen: tuple[Candidate, ...] = ()       # "answer": the entry; "clarify": the options
    reason: str = ""
    offer: bool = True                       # "decline": may offer the likely entry ("did you mean ...?")
    missing: str = ""                        # "decline": the kind of fact asked for that the entry lacks
    final: bool = False                      # nothing may better it (the author declined the question)


def judged(decision: Decision, candidates: Sequence[Candidate], *, rerank: bool = True) -> list[Candidate]:
    """*candidates* (best fused score first) with their fitted confidence, P(right answer), in the order
    the decision reads them: the one to answer first, then the others by confidence. Without *rerank*
    the best fused score is the one to answer (a follow-up's fused score holds the conversation)."""
    if not candidates or not candidates[0].features:
        return list(candidates)   # verbatim candidates: their similarity is their confidence
    p = decision.probabilities([c.features for c in candidates])
    judged = [Candidate(c.id, c.question, c.char, c.word, c.wording, c.qa, c.fuzzy, c.fused, c.coverage, q, c.features)
              for c, q in zip(candidates, p, strict=True)]   # c._replace(confidence=q), a few times faster
    # The answer comes from the entries about as good by fused score as the best (a near tie is the
    # decision's to break); the rest follow by confidence (for "did you mean").
    near = [c for c in judged if c.fused >= judged[0].fused - (_NEAR_TIE if rerank else 0.0)]
    best = max(near, key=lambda c: (c.confidence, c.fused))
    return [best, *sorted((c for c in judged if c is not best), key=lambda c: (-c.confidence, -c.fused, c.id))]


def extract_confidence(score: float, coverage: float, config: Config) -> float:
    """An extractive answer's score (0-1) discounted by how much of the question it leaves unexplained."""
    power = config.coverage_power + (1.0 if coverage < config.min_coverage else 0.0)
    return float(min(1.0, score * coverage ** power))


class Case:
    """One question as the rules of ``decide`` read it: the findings with the candidates judged, and the
    bars that apply to it. (A plain class: cheaper to define than a NamedTuple, on every one-shot ``ask``.)"""

    __slots__ = ("found", "decision", "config", "candidates", "answer_at", "close", "terse", "facts_of",
                 "states_maker")

    def __init__(self, found: Findings, decision: Decision, config: Config, candidates: tuple[Candidate, ...],
                 answer_at: float, close: tuple[Candidate, ...] = (), terse: tuple[Candidate, ...] = (),
                 facts_of: Callable[[str], int] | None = None,
                 states_maker: Callable[[str], bool] | None = None) -> None:
        self.found = found
        self.decision = decision
        self.config = config
        self.candidates = candidates   # judged: the one to answer first
        self.answer_at = answer_at     # the bar to answer (lower for a follow-up)
        self.close = close             # other questions too close to the best to pick one
        self.terse = terse             # for bare keywords the best cannot answer alone: any half as likely
        self.facts_of = facts_of or _no_facts
        self.states_maker = states_maker

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None

    @property
    def likely(self) -> bool:
        """The best candidate is likely enough to offer ("did you mean")."""
        return bool(self.candidates) and self.candidates[0].confidence >= self.decision.clarify_at


def _no_facts(entry_id: str) -> int:
    return 0


def case_of(found: Findings, decision: Decision, config: Config, facts_of: Callable[[str], int] = _no_facts,
            states_maker: Callable[[str], bool] | None = None) -> Case:
    """*found* judged by *decision*, with the bars and the close rivals the rules need."""
    candidates = tuple(judged(decision, found.candidates, rerank=not found.context))
    # A follow-up leans on the conversation, which the fitted features do not see: a lower bar.
    answer_at = (decision.answer_at + decision.clarify_at) / 2 if found.context else decision.answer_at
    close: list[Candidate] = []
    terse: list[Candidate] = []
    if candidates and not found.vague:
        best = candidates[0]
        # Entries that share the best one's question (several answers to one question) are no alternative.
        others = distinct_questions([c for c in candidates[1:]
                                     if c.question != best.question and c.confidence >= decision.clarify_at])
        close = [c for c in others[:2] if best.confidence - c.confidence < config.clarify_margin]
        keywords = len(found.query.content) == len(found.query.tokens) <= 2   # "code", "context window"
        if best.confidence < answer_at and keywords:
            terse = [c for c in others[:2] if c.confidence >= best.confidence / 2]
    return Case(found, decision, config, candidates, answer_at, tuple(close), tuple(terse), facts_of, states_maker)


def nothing_to_match(case: Case) -> Verdict | None:
    return Verdict("empty", reason="nothing to match") if case.found.empty else None


def small_talk(case: Case) -> Verdict | None:
    return Verdict("smalltalk", reason="small talk") if case.found.smalltalk is not None else None


def no_content_words(case: Case) -> Verdict | None:
    """A question of function words only: a near-verbatim phrasing answers it, else a greeting or "vague"."""
    if not case.found.vague:
        return None
    if case.candidates:   # only a near-verbatim phrasing is a candidate here
        return Verdict("answer", case.candidates, case.candidates[:1],
                       "a curated phrasing matched nearly word for word")
    if case.found.greeting is not None:
        return Verdict("greeting", reason="small talk")
    return Verdict("vague", case.candidates, reason="no content words")


def stated_chain(case: Case) -> Verdict | None:
    """"Is X a Y?" where the corpus states each link."""
    if not case.found.chain:
        return None
    links = " → ".join(entry for entry, _ in case.found.chain)
    return Verdict("chain", case.candidates, reason=f"the corpus states each link: {links}")


def missing_fact(case: Case) -> Verdict | None:
    """"How much does it cost?" is never answered by an answer, or article sentences, naming no price."""
    focus = case.found.focus
    if case.best is None or focus not in DECISIVE or not lacks(focus, case.facts_of(case.best.id)):
        return None
    return Verdict("decline", case.candidates, reason=f"focus: the question asks for a {focus}, "
                                                      "the best entry's answer has none", missing=focus)


def who_makes(case: Case) -> Verdict | None:
    """"Who makes X?": answered only by a likely entry that states X's maker."""
    if case.best is None or case.states_maker is None or case.found.focus != "person":
        return None
    return _maker_verdict(case.candidates, case.decision, case.states_maker)


def asked_word_for_word(case: Case) -> Verdict | None:
    """A question that is one of an entry's curated phrasings, word for word, is that entry's: no other
    entry's answer words outweigh what its author wrote (the vetoes before this rule still apply)."""
    asked_as = case.found.asked_as
    chosen = next((c for c in case.candidates if c.id == asked_as), None) if asked_as else None
    if chosen is None:
        return None
    return Verdict("answer", case.candidates, (chosen,), "a curated phrasing asked word for word")


def confident(case: Case) -> Verdict | None:
    """The best entry is likely enough and no other question is close."""
    best = case.best
    if best is None or best.confidence < case.answer_at or case.close:
        return None
    return Verdict("answer", case.candidates, (best,), f"curated entry matched (confidence {best.confidence:.2f} "
                                                       f"≥ {case.answer_at:.2f})")


def too_close(case: Case) -> Verdict | None:
    """A likely entry, and other questions too close to it to pick one: "did you mean" them all."""
    return _did_you_mean(case, case.close, "the best candidates are too close to pick one")


def thanks(case: Case) -> Verdict | None:
    """"thanks, that helped": small talk with at most one content word."""
    if case.found.greeting is None or len(case.found.query.content) > 1:
        return None
    return Verdict("greeting", case.candidates, reason="small talk")


def bare_keywords(case: Case) -> Verdict | None:
    """Keywords alone ("context window") that several entries may be meant by: "did you mean" them."""
    return _did_you_mean(case, case.terse, "bare keywords: several entries may be meant")


def _did_you_mean(case: Case, others: tuple[Candidate, ...], reason: str) -> Verdict | None:
    if not case.likely or not others:
        return None
    return Verdict("clarify", case.candidates, (case.candidates[0], *others), reason)


def article_sentences(case: Case) -> Verdict | None:
    """Sentences of the article that cover the question well enough, when no curated entry fits."""
    extract, config = case.found.extract, case.config
    if extract is None or extract.coverage < config.extract_coverage or \
            extract_confidence(extract.score, extract.coverage, config) < config.passage_threshold:
        return None
    return Verdict("extract", case.candidates, reason="article sentences matched (no curated entry fits)")


RULES: tuple[Callable[[Case], Verdict | None], ...] = (
    nothing_to_match, small_talk, no_content_words, stated_chain, missing_fact, who_makes, asked_word_for_word,
    confident,
    too_close, thanks, bare_keywords, article_sentences,
)
"""The rules of the decision, in the order they are tried: the first that gives a verdict decides."""


def decide(found: Findings, decision: Decision, config: Config, facts_of: Callable[[str], int],
           states_maker: Callable[[str], bool] | None = None) -> Verdict:
    """Answer, clarify, extract, small talk or decline for *found*; *facts_of* gives an entry's fact mask;
    *states_maker*, for a question asking who makes a thing it names, whether an entry says who."""
    if found.empty or found.smalltalk is not None:   # nothing to judge
        case = Case(found, decision, config, (), decision.answer_at)
    else:
        case = case_of(found, decision, config, facts_of, states_maker)
    for rule in RULES:
        verdict = rule(case)
        if verdict is not None:
            return verdict
    return Verdict("decline", case.candidates, reason=_why_not(case.best, case.answer_at))


def _maker_verdict(candidates: tuple[Candidate, ...], decision: Decision,
                   states_maker: Callable[[str], bool]) -> Verdict:
    """ "Who makes Gemini?": an entry likely enough that states Gemini's maker answers (that agreement
    is evidence the confidence does not see); when no likely entry states one, a decline saying so."""
    likely = [c for c in candidates[:3] if c.confidence >= decision.clarify_at]
    stating = next((c for c in likely if states_maker(c.id)), None)
    if stating is not None:
        return Verdict("answer", candidates, (stating,), "the entry states the maker of what the question names "
                                                         f"(confidence {stating.confidence:.2f})")
    return Verdict("decline", candidates, reason="focus: the question asks who makes it; no likely entry says",
                   missing="person")


SETTLED = frozenset({"answer", "chain", "smalltalk", "greeting", "empty", "vague"})
"""What the lexical decision settles alone: a sure answer, small talk, nothing to match. A decline,
"did you mean" or article sentences may still be bettered by meaning (whose gate checks the kind of
fact asked for against the entry or passage it would answer with)."""


def settled(verdict: Verdict) -> bool:
    """Whether *verdict* stands without asking the sentence encoder."""
    return verdict.action in SETTLED or verdict.final


def nearest_in_meaning(verdict: Verdict, nearest: str, cosine: float, rival: float, config: Config, *,
                       only_names: bool = False) -> Verdict:
    """The gate: the entry *nearest* in meaning (its *cosine*; *rival*, the best of another question's)
    answers when it is among the ``semantic_top`` best lexical candidates, clearly nearest, and no veto
    holds: the question asks for a kind of fact its answer lacks, uses rare words the corpus never
    does, names something the entry does not mention, or shares *only names* with it ("Does
    Midjourney have an API?" is near the Midjourney entry in meaning, and about something else)."""
    top = verdict.candidates[: int(config.semantic_top)]
    found = next((c for c in top if c.id == nearest), None)
    why = meaning_veto(found, cosine, rival, config, only_names=only_names)
    if why:   # said in the trace: what the encoder saw, and the check that held it back
        return verdict._replace(reason=f"{verdict.reason}; nearest in meaning: '{nearest}' at cosine {cosine:.2f}, "
                                       f"not answered ({why})")
    assert found is not None
    chosen = found._replace(confidence=round(cosine, 4))
    return Verdict("answer", (chosen, *(c for c in verdict.candidates if c is not found)), (chosen,),
                   f"nearest in meaning (cosine {cosine:.2f}, {cosine - rival:.2f} ahead), among the best "
                   f"{len(top)} lexical candidates; lexically: {verdict.reason}")


def meaning_veto(found: Candidate | None, cosine: float, rival: float, config: Config, *,
                 only_names: bool = False) -> str:
    """Why the entry nearest in meaning (*found* among the best lexical candidates, or None) may not
    answer, in words; "" when it may."""
    if found is None:
        return f"not among the {int(config.semantic_top)} best lexical candidates"
    if cosine < config.semantic_answer_at:
        return f"under semantic_answer_at {config.semantic_answer_at:.2f}"
    if cosine - rival < config.semantic_margin:
        return f"only {cosine - rival:.2f} ahead of another question's entry"
    if only_names:
        return "it shares only names with the question"
    features = found.features
    if features and features[_FOCUS_MISSING]:
        return "the question asks for a kind of fact its answer lacks"
    if features and features[_RARE_UNKNOWN] > 0:
        return "the question uses rare words the corpus never does"
    if features and features[_NAME_COVERAGE] < 1.0:
        return "the question names something the entry does not mention"
    return ""


_FOCUS_MISSING, _RARE_UNKNOWN, _NAME_COVERAGE = (FEATURE_NAMES.index(name) for name in
                                                 ("focus_missing", "rare_unknown", "name_coverage"))


def _why_not(best: Candidate | None, answer_at: float) -> str:
    """The check that declined: which feature held the best candidate back, in words."""
    if best is None:
        return "no curated entry shares a word with the question"
    if best.features and best.features[FEATURE_NAMES.index("focus_missing")]:
        return f"focus: the question asks for a fact the best entry's answer lacks (confidence {best.confidence:.2f})"
    return f"confidence {best.confidence:.2f} is under the fitted answer threshold {answer_at:.2f}"


def distinct_questions(candidates: Sequence[Candidate]) -> list[Candidate]:
    """The candidates, best first, keeping one per question text."""
    seen: set[str] = set()
    return [c for c in candidates if not (c.question in seen or seen.add(c.question))]   # type: ignore[func-returns-value]

"""Fit the decision to a corpus when its index is built: self-supervised, never on evaluation queries.

Examples come from the corpus itself:

- each curated paraphrase, held out of its entry (k folds), must find its entry: its candidates are
  labelled right (the entry, or one with the same question), unsure (an entry citing the same
  sections: not trained on) or wrong;
- each entry held out whole (k folds) gives questions whose candidates are wrong (or unsure);
- synthetic near misses put the corpus's own names into fact templates ("When was X released?"),
  kept when the best entry's answer lacks that kind of fact: wrong;
- a shipped list of everyday off-topic questions (``data/offtopic.txt``), dropping any that score
  high against this corpus: wrong;
- for entries with one phrasing, pseudo-questions from the key words of their answer.

First the fusion weights are chosen (``WEIGHT_CHOICES``, by held-out paraphrases found), unless the
corpus's config sets them. Then a logistic regression on ``faqbot.signals.FEATURES`` gives the probability
that a candidate is right, and the answer threshold is the lowest at which, on probabilities
cross-fitted on two halves of the questions, ``Config.target_precision`` of the answers go to
questions the corpus answers. Deterministic; bounded by a time budget.
"""

from __future__ import annotations

import os
import re
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from faqbot.config import Weights
from faqbot.engine.built import Built
from faqbot.engine.decision import DEFAULT, Decision
from faqbot.engine.index import Index, PassageAnalysis, top_indices
from faqbot.engine.pipeline import Engine
from faqbot.language.focus import lacks
from faqbot.language.text import NAME_PHRASE
from faqbot.models import Candidate, Corpus, Entry
from faqbot.signals import SIGNALS

FOLDS = 4
MIN_POSITIVES = 30        # fewer right examples than this: the corpus is too small to fit; defaults are used
MIN_NEGATIVES = 30
TOP = 3                   # candidates per question that become examples
MAX_PER_REMOVED = 4       # phrasings asked per entry held out whole
MAX_HELD_PER_FOLD = 1500  # held-out phrasings asked per fold (a sample, evenly spread, on a large corpus), and
                          # folds stop once they hold this many: the same fit on a fast machine as on a slow one
TIME_BUDGET_S = 20.0      # the fit stops collecting examples after 80 % of this many seconds
OFFTOPIC_FILE = "offtopic.txt"
WEIGHT_CHOICES: tuple[tuple[float, ...], ...] = (   # in the order of faqbot.signals.SIGNALS
    tuple(s.weight for s in SIGNALS),  # the default: every signal, function words count
    (0.35, 0.30, 0.00, 0.15, 0.20),   # content words only (earlier versions' default)
    (0.25, 0.15, 0.30, 0.15, 0.15),   # balanced
    (0.20, 0.00, 0.00, 0.70, 0.10),   # answers matter most (titles as questions)
    (0.00, 0.00, 0.80, 0.20, 0.00),   # wording: real questions, one phrasing each
)
"""Fusion weights the fit chooses among by held-out paraphrases found (first wins a tie)."""
ANSWERABLE = frozenset({"held-out phrasing", "pseudo"})   # kinds of examples the corpus answers

_TEMPLATES = (
    ("date", "When was {x} released?"), ("date", "What year did {x} come out?"),
    ("money", "How much does {x} cost?"), ("money", "What is the price of {x}?"),
    ("person", "Who founded {x}?"), ("person", "Who is the CEO of {x}?"),
    ("place", "Where is {x} headquartered?"),
    ("count", "How many parameters does {x} have?"), ("count", "How many people use {x}?"),
)
_NAME = re.compile(NAME_PHRASE)


@dataclass
class _Examples:
    rows: list[tuple[float, ...]]
    labels: list[int]
    question: list[int]       # which asked question each row belongs to
    kinds: Counter[str]
    answerable: list[bool]    # per asked question: does the corpus answer it (whatever its candidates)
    asked: int = 0

    def add(self, candidates: Sequence[Candidate], right: Callable[[Candidate], bool], kind: str,
            unsure: Callable[[Candidate], bool] | None = None) -> None:
        """The best candidates of one question as examples, labelled 1 right, 0 wrong, or -1 when *unsure*
        says it may be right (not trained on; a question answered with one counts neither way)."""
        if not candidates or not candidates[0].features:
            return
        for c in candidates[:TOP]:
            self.rows.append(c.features)
            self.labels.append(1 if right(c) else -1 if unsure is not None and unsure(c) else 0)
            self.question.append(self.asked)
        self.kinds[kind] += 1
        self.answerable.append(kind in ANSWERABLE)
        self.asked += 1


def fit_decision(built: Built, *, progress: Callable[[str], None] | None = None,
                 budget_s: float = TIME_BUDGET_S, passages: PassageAnalysis | None = None) -> Decision:
    """The decision fitted to *built*'s corpus, or ``DEFAULT`` (with a note saying why) when it cannot be.
    *passages*: the analysis of its passages, when the build kept it (the folds then skip that work)."""
    config = built.corpus.config
    if not config.fit_decision:
        return replace(DEFAULT, note="fitting is turned off (fit_decision: false): built-in defaults")
    askable = sum(len(e.paraphrases) or 1 for e in built.corpus.entries)   # questions that can be right
    if askable < MIN_POSITIVES:
        return replace(DEFAULT, note=f"the corpus is too small to fit ({askable} questions could find their "
                                     f"entry; {MIN_POSITIVES} needed): built-in defaults")
    started = time.perf_counter()
    deadline = started + 0.8 * budget_s
    folds = make_folds(built, progress=progress, deadline=deadline, passages=passages)
    weights = choose_weights(built, folds) if not config.weights_set else None
    examples = collect_examples(built, folds, weights, progress=progress, deadline=deadline)
    y = np.asarray(examples.labels)
    positives, negatives = int((y == 1).sum()), int((y == 0).sum())
    if positives < MIN_POSITIVES or negatives < MIN_NEGATIVES:
        return replace(DEFAULT, note=f"the corpus is too small to fit ({positives} right and {negatives} wrong "
                                     f"examples; {MIN_POSITIVES} of each needed): built-in defaults")
    if progress:
        progress("fitting the decision")
    x = np.asarray(examples.rows, dtype=float)
    questions = np.asarray(examples.question)
    # Probabilities for choosing thresholds come from models that did not see the question (two halves).
    held_out = np.zeros(len(y))
    sure = y >= 0
    for half in (0, 1):
        train = (questions % 2 != half) & sure
        if len(set(y[train].tolist())) < 2:
            held_out[questions % 2 == half] = 0.5
            continue
        held_out[questions % 2 == half] = _logistic(x[train], y[train]).probability(x[questions % 2 == half])
    model = _logistic(x[sure], y[sure])
    answerable = np.asarray(examples.answerable)
    answer_at, precision, recall = _threshold(held_out, y, questions, answerable, config.target_precision,
                                              config.expected_out_of_scope)
    clarify_at, _, _ = _threshold(held_out, y, questions, answerable, config.clarify_precision,
                                  config.expected_out_of_scope)
    clarify_at = min(clarify_at, answer_at)
    kinds = ", ".join(f"{n} {k}" for k, n in sorted(examples.kinds.items()))
    chosen = "" if weights is None else ", signal weights chosen among " + str(len(WEIGHT_CHOICES))
    return replace(model, answer_at=answer_at, clarify_at=clarify_at, fitted=True,
                   weights=() if weights is None else tuple(weights),
                   note=f"fitted on {examples.asked} questions ({kinds}){chosen}",
                   estimate={"precision": precision, "recall": recall, "questions": float(examples.asked),
                             "seconds": round(time.perf_counter() - started, 2)})


def _logistic(x: np.ndarray, y: np.ndarray) -> Decision:
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=1.0, max_iter=2000)
    model.fit(x, y)
    return Decision(tuple(float(c) for c in model.coef_[0]), float(model.intercept_[0]), 0.5, 0.5)


def _threshold(p: np.ndarray, y: np.ndarray, questions: np.ndarray, answerable: np.ndarray, target: float,
               out_of_scope: float) -> tuple[float, float, float]:
    """(lowest threshold at which at least *target* of the answers go to questions the corpus answers,
    that share, the share of those questions answered with the right entry).

    A wrong answer here is an answer to a question the corpus does not answer (what a decline is for);
    answering an answerable question with the wrong entry is a ranking miss, counted against recall.
    Per question, the first candidate (the best by fused score) is the one answered. Questions are
    weighted so that those the corpus does not answer make up *out_of_scope* of the total, as among
    real users' questions, whatever the mix of the examples."""
    first: dict[int, tuple[float, int]] = {}
    for prob, label, q in zip(p.tolist(), y.tolist(), questions.tolist(), strict=True):
        first.setdefault(q, (prob, label))
    keys = list(first)
    top = np.asarray([first[q][0] for q in keys])
    right = np.asarray([first[q][1] == 1 for q in keys])
    has = answerable[keys]
    n_in, n_out = max(1, int(has.sum())), max(1, int((~has).sum()))
    weight = np.where(has, (1.0 - out_of_scope) / n_in, out_of_scope / n_out)
    for t in np.round(np.arange(0.20, 0.991, 0.01), 2):
        answered = top >= t
        if answered.sum() < 5:
            break
        precision = float((weight * has)[answered].sum() / weight[answered].sum())
        if precision >= target:
            return float(t), precision, float((right & answered).sum() / n_in)
    return 0.99, 1.0, float((right & (top >= 0.99)).sum() / n_in)


@dataclass
class _Fold:
    """One fold: a build without some paraphrases (``held``) and without some whole entries (``removed``)."""

    built: Built
    held: list[tuple[str, Entry]]      # (held-out paraphrase, its entry)
    removed: list[Entry]


def make_folds(built: Built, *, progress: Callable[[str], None] | None = None,
               deadline: float = float("inf"), passages: PassageAnalysis | None = None) -> list[_Fold]:
    """The held-out folds of *built*'s corpus: each paraphrase out in one fold, each question group too."""
    index, corpus = built.index, built.corpus
    groups = _question_groups(corpus.entries)
    removable = len(set(groups)) >= 2 * FOLDS
    folds = []
    for fold in range(FOLDS):
        if time.perf_counter() > deadline:
            break
        if progress:
            progress(f"fitting the decision: held-out fold {fold + 1} of {FOLDS}")
        out_of_fold = {i for i, g in enumerate(groups) if removable and g % FOLDS == fold}
        removed = [e for i, e in enumerate(corpus.entries) if i in out_of_fold]
        kept, held = held_out(corpus.entries, fold, removed=out_of_fold)
        if len(held) > MAX_HELD_PER_FOLD:   # the fit's cost then stays bounded as the corpus grows
            held = [held[k * len(held) // MAX_HELD_PER_FOLD] for k in range(MAX_HELD_PER_FOLD)]
        if kept:
            sub = Index.build(replace(corpus, entries=tuple(kept)), stems=index.analyzer.stemmer.memo,
                              passages=passages)
            folds.append(_Fold(built.with_index(sub), held, removed))
        if sum(len(f.held) for f in folds) >= MAX_HELD_PER_FOLD:
            break   # enough held-out phrasings: a large corpus's fit is bounded by count, not by the clock
    return folds


def held_out(entries: Sequence[Entry], fold: int, *, questions_too: bool = False,
             removed: frozenset[int] | set[int] = frozenset()) -> tuple[list[Entry], list[tuple[str, Entry]]]:
    """Fold *fold* of *entries*: (the entries without their held-out phrasings, (phrasing, entry) held
    out). Phrasing j of entry i is held out when (i + j) % FOLDS == fold: its paraphrases, and with
    *questions_too* its question as well (then its first remaining phrasing stands in as the question;
    an entry with one phrasing keeps it). The entries at the positions *removed* are left out whole.
    The fit's folds and ``faqbot check``'s self-test are both made here."""
    kept: list[Entry] = []
    held: list[tuple[str, Entry]] = []
    for i, entry in enumerate(entries):
        if i in removed:
            continue
        phrasings = entry.phrasings
        out = [p for j, p in enumerate(phrasings) if (j or questions_too) and len(phrasings) > 1
               and (i + j) % FOLDS == fold]
        held += [(p, entry) for p in out]
        if questions_too:
            rest = [p for p in phrasings if p not in out]
            kept.append(entry._replace(question=rest[0], paraphrases=tuple(rest[1:])))
        else:
            kept.append(entry._replace(paraphrases=tuple(p for p in entry.paraphrases if p not in out)))
    return kept, held


def choose_weights(built: Built, folds: Sequence[_Fold]) -> Weights | None:
    """The fusion weights (of ``WEIGHT_CHOICES``) under which held-out paraphrases find their entry most
    often, or None when there are too few to tell (then the configured weights stay)."""
    asked = sum(len(f.held) for f in folds)
    if asked < MIN_POSITIVES:
        return None
    config = built.corpus.config
    choices = [Weights(*(w / sum(raw) for w in raw)) for raw in WEIGHT_CHOICES]
    every = Weights(*(max(ws) for ws in zip(*choices, strict=True)))   # each signal some choice weighs
    found = [0] * len(choices)
    for fold in folds:
        gatherer, index = Engine(fold.built, config, every).gatherer, fold.built.index
        for phrase, entry in fold.held:
            # The signals once per phrasing, fused under each choice (as Engine.search would, choice by choice).
            query = gatherer.query(gatherer.clip(phrase)[0])
            signals, sims = index.signals(query, every), dict[int, float]()
            for k, weights in enumerate(choices):
                fused = index.fuse(query, signals, weights=weights, fuzzy_candidates=config.fuzzy_candidates,
                                   sims=sims).fused
                top = top_indices(fused, 1)
                if top.size and index.corpus.entries[int(top[0])].question == entry.question:
                    found[k] += 1
    best = max(range(len(choices)), key=lambda k: (found[k], -k))
    return choices[best]


def collect_examples(built: Built, folds: Sequence[_Fold], weights: Weights | None = None, *,
                     progress: Callable[[str], None] | None = None, deadline: float = float("inf")) -> _Examples:
    """Every self-supervised example of *built*'s corpus (see the module docstring), scored with *weights*."""
    examples = _Examples([], [], [], Counter(), [])
    _held_out_examples(examples, built.corpus, folds, weights, deadline)
    bot = Engine(built, built.corpus.config, weights).gatherer
    for entry in built.corpus.entries:
        if len(entry.phrasings) < 2 and time.perf_counter() < deadline:
            for pseudo in _pseudo_questions(built.index, entry):
                examples.add(bot.gather(pseudo).candidates, _answers(entry.question), "pseudo")
    for question in built.corpus.out_of_scope:   # the author's own negatives: their paraphrases lean to a decline
        examples.add(bot.gather(question).candidates, _never, "author's out of scope")
    if progress:
        progress("fitting the decision: near misses and off-topic questions")
    for question in near_misses(built.corpus):
        if time.perf_counter() > deadline:
            break
        found = bot.gather(question)
        if found.candidates and lacks(found.focus,
                                      built.index.fact_mask(found.candidates[0].id)):
            examples.add(found.candidates, _never, "near miss")
    for question in offtopic_questions():
        if time.perf_counter() > deadline:
            break
        candidates = bot.gather(question).candidates
        if candidates and candidates[0].coverage >= 0.9 and candidates[0].fused >= 0.5:
            continue   # this corpus may well answer it
        examples.add(candidates, _never, "off-topic")
    return examples


def _held_out_examples(examples: _Examples, corpus: Corpus, folds: Sequence[_Fold], weights: Weights | None,
                       deadline: float) -> None:
    """Add each fold's held-out paraphrases (right: their entry) and removed entries (right: none)."""
    section_of = {p.id: p.section for p in corpus.passages}
    sections = {e.id: {section_of[s] for s in e.sources if s in section_of} for e in corpus.entries}
    for fold in folds:
        bot = Engine(fold.built, corpus.config, weights).gatherer
        for phrase, entry in fold.held:
            # Another entry citing the same sections is neither surely right nor surely wrong: "unsure".
            examples.add(bot.gather(phrase).candidates, _answers(entry.question), "held-out phrasing",
                         unsure=_shares(sections, sections[entry.id]))
        for removed in fold.removed:
            # An entry citing the same sections may answer the held-out one's questions too: "unsure".
            for phrase in removed.phrasings[:MAX_PER_REMOVED]:
                examples.add(bot.gather(phrase).candidates, _never, "held-out entry",
                             unsure=_shares(sections, sections[removed.id]))
            if time.perf_counter() > deadline:
                break


def _answers(question: str) -> Callable[[Candidate], bool]:
    """Right: the entry with this question (several entries may share one)."""
    return lambda c: c.question == question


def _never(candidate: Candidate) -> bool:
    return False


def _shares(sections: dict[str, set[str]], wanted: set[str]) -> Callable[[Candidate], bool]:
    """Unsure: an entry citing one of the *wanted* sections may well answer the question too."""
    return lambda c: bool(wanted & sections[c.id])


def _question_groups(entries: Sequence[Entry]) -> list[int]:
    """Per entry, a group number shared by entries with the same question (several answers to one)."""
    first: dict[str, int] = {}
    return [first.setdefault(e.question, len(first)) for e in entries]


def _pseudo_questions(index: Index, entry: Entry) -> list[str]:
    """Questions a user might ask of an entry with one phrasing: the key words of its answer (its rarest
    content words, in order), and its question with every other content word dropped and one of those
    key words in their place (a paraphrase shares some words, not all)."""
    answer = index.analyzer.document(entry.answer)
    idf = index.evidence.idf
    ranked = sorted(set(zip(answer.content, answer.stems, strict=True)), key=lambda ws: (-idf.get(ws[1], 0.0), ws))
    keep = {w for w, _ in ranked[:4]}
    keywords = list(dict.fromkeys(w for w in answer.content if w in keep))
    tokens = index.analyzer.document(entry.question).tokens
    content = [t for t in tokens if t in set(index.analyzer.document(entry.question).content)]
    dropped = set(content[1::2])
    partial = [t for t in tokens if t not in dropped] + keywords[:1]
    return [q for q in (" ".join(keywords), " ".join(partial)) if q]


def near_misses(corpus: Corpus, limit: int = 40) -> list[str]:
    """Fact questions about the names the corpus uses ("When was Midjourney released?")."""
    names: Counter[str] = Counter()
    for text in (*(p.text for p in corpus.passages), *(e.answer for e in corpus.entries)):
        names.update(m.group(0).rstrip(".") for m in _NAME.finditer(text))
    chosen = [n for n, _ in names.most_common(limit) if len(n) > 2]
    return [template.format(x=name) for name in chosen for _, template in _TEMPLATES]


def offtopic_questions() -> list[str]:
    """The shipped everyday off-topic questions."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", OFFTOPIC_FILE)
    try:
        with open(path, encoding="utf-8") as handle:
            return [line.strip() for line in handle if line.strip() and not line.startswith("#")]
    except OSError:
        return []

"""One question through the engine, before it is composed: evidence (``Gatherer``) then the fitted
decision (``decide``). The answerer, the fit's held-out folds and ``faqbot check``'s self-test all
score questions this one way."""

from __future__ import annotations

from collections.abc import Callable

from faqbot.config import Config, Weights
from faqbot.engine.built import Built
from faqbot.engine.decision import Decision, Verdict, decide, settled
from faqbot.engine.evidence import Gatherer
from faqbot.engine.findings import Findings
from faqbot.engine.index import Index, top_indices
from faqbot.engine.nearest import Nearest
from faqbot.language.focus import states_maker
from faqbot.models import Match


def weights_for(decision: Decision, config: Config, weights: Weights | None = None) -> Weights:
    """The fusion weights to score with: *weights* when given, else the config's when its author set
    them, else those the fit chose, else the config's defaults."""
    if weights is not None:
        return weights
    return Weights(*decision.weights) if decision.weights and not config.weights_set else config.weights


class Engine:
    """Evidence and the decision for one build. Read-only after construction (memos aside)."""

    def __init__(self, built: Built, config: Config, weights: Weights | None = None) -> None:
        self.index = built.index
        self.decision = built.decision
        self.config = config
        self.weights = weights_for(built.decision, config, weights)
        self.gatherer = Gatherer(built.index, built.smalltalk, config, self.weights)
        table = built.index.meaning.table
        self.nearest = Nearest(built.index, table, config, self.gatherer) if table is not None else None
        document = built.index.analyzer.document
        self.declined = frozenset(document(q).fuzzy_text for q in built.corpus.out_of_scope)

    def verdict(self, found: Findings) -> Verdict:
        """What to do with what was *found*, and the check that decided it (lexical evidence only)."""
        if self.declined and self.index.analyzer.document(found.question).fuzzy_text in self.declined:
            return Verdict("decline", reason="the author lists this question as out of scope (out_of_scope.yaml)",
                           offer=False, final=True)
        return self.judge(found)

    def judge(self, found: Findings) -> Verdict:
        """The fitted decision on *found*, as if the author had listed no question out of scope."""
        return decide(found, self.decision, self.config, self.index.fact_mask, maker_check(self.index, found))

    def settle(self, found: Findings) -> tuple[Findings, Verdict]:
        """Stage one is the lexical verdict; when it is not sure and the index holds embeddings, stage two
        (``faqbot.engine.nearest``) may answer by meaning. Stage one stands when the encoder cannot be loaded."""
        verdict = self.verdict(found)
        if self.nearest is None or settled(verdict):
            return found, verdict
        return self.nearest.settle(found, verdict)

    def search(self, question: str, limit: int = 10) -> list[Match]:
        """Curated entries ranked for *question*, best first, with fused scores (0-1); no decision."""
        gatherer = self.gatherer
        scores = gatherer.entry_scores(gatherer.query(gatherer.clip(question)[0])).fused
        entries = self.index.corpus.entries
        return [Match(entries[i].id, entries[i].question, float(scores[i]))
                for i in top_indices(scores, limit) if scores[i] > 0]


def maker_check(index: Index, found: Findings) -> Callable[[str], bool] | None:
    """For "who makes X?" naming X: whether an entry's answer states X's maker (an entry id in, a yes or
    no out); None for any other question."""
    query = found.query
    if "who" not in query.tokens or found.focus != "person":
        return None
    names = index.names_in(query)
    things = [w for w, t in zip(query.content, query.stems, strict=False) if t in names and w.isalpha()]
    if not things:
        return None
    return lambda entry_id: any(states_maker(index.entry(entry_id).answer, w) for w in things)


def winner(found: Findings, verdict: Verdict) -> str | None:
    """The entry a verdict answers with (None for an extract, clarification, small talk or decline)."""
    if verdict.action == "answer" and verdict.chosen:
        return verdict.chosen[0].id
    if verdict.action == "chain" and found.chain:
        return found.chain[0][0]
    return None

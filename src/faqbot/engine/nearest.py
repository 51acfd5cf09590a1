"""Stage two of the decision: when the lexical verdict is not sure, the entry (else the passage) nearest
in meaning may answer, through a gate (``faqbot.engine.decision.nearest_in_meaning``) and vetoes.

The question is embedded alone, once per turn: a follow-up's topic has already shaped the lexical
candidates that the nearest entry must be among. When it holds words the corpus never uses, the
question is also embedded without them: if dropping them brings it nearer the
passage by more than ``semantic_pull``, those words asked about something else ("Where does Corepack
cache what it downloads?" is near the Corepack passage, and about a cache it never mentions), and
the passage does not answer. (For entries that test cost 6 right answers on the development sets
and saved no false one: the lexical candidates an entry must be among already weigh those words.)
"""

from __future__ import annotations

import numpy as np

from faqbot.config import Config
from faqbot.engine.decision import Verdict, nearest_in_meaning
from faqbot.engine.evidence import Gatherer
from faqbot.engine.findings import Extract, Findings
from faqbot.engine.index import Index, top_indices
from faqbot.engine.semantic import Semantic
from faqbot.language.focus import DECISIVE, facts_in, lacks
from faqbot.language.text import tokenize


class Nearest:
    """The entry or passage nearest in meaning, for one index with embeddings."""

    def __init__(self, index: Index, table: Semantic, config: Config, gatherer: Gatherer) -> None:
        self.index, self.table, self.config, self.gatherer = index, table, config, gatherer

    def settle(self, found: Findings, verdict: Verdict) -> tuple[Findings, Verdict]:
        """(*found*, the verdict by meaning) when the gate lets one through, else (*found*, *verdict*)."""
        vectors = self.table.embed_questions([found.question])
        if vectors is None:   # the encoder cannot be loaded: stage one stands
            return found, verdict
        by_entry = self._entry(found, verdict, vectors[0])
        if by_entry.action == "answer":
            return found, by_entry
        verdict = by_entry   # its reason now says what meaning saw
        if verdict.action == "decline" and len(self.table.passages):
            extract = self._passage(found, vectors[0])
            if extract is not None:
                reason = f"the passage nearest in meaning (cosine {extract.score:.2f}); lexically: {verdict.reason}"
                return found._replace(extract=extract), Verdict("extract", verdict.candidates, reason=reason)
        return found, verdict

    def _entry(self, found: Findings, verdict: Verdict, vector: np.ndarray) -> Verdict:
        """The verdict by meaning: an answer through the gate, or *verdict* saying why not."""
        entries, evidence = self.index.corpus.entries, self.index.evidence
        cosines = self.index.best_per_entry(self.table.phrasing_cosines(vector))
        ranked = top_indices(cosines, 8)
        if not ranked.size:
            return verdict._replace(reason=f"{verdict.reason}; nothing is near in meaning")
        i = int(ranked[0])
        nearest = entries[i]
        rival = next((float(cosines[j]) for j in ranked[1:] if entries[int(j)].question != nearest.question), 0.0)
        names = self.index.names_in(found.query)
        others = set(found.query.stems) - names
        only_names = bool(names) and bool(others) and not others & evidence.entry_terms[i]
        return nearest_in_meaning(verdict, nearest.id, float(cosines[i]), rival, self.config, only_names=only_names)

    def _passage(self, found: Findings, vector: np.ndarray) -> Extract | None:
        """The nearest passage's best sentences, when its cosine clears ``semantic_passage_at`` and no veto
        holds: names it lacks, rare words the corpus never uses, a kind of fact it does not state, words
        that pull the question away from it."""
        cosines = self.table.passage_cosines(vector)
        if not cosines.size:
            return None
        p = int(np.argmax(cosines))
        cosine = float(cosines[p])
        query, index = found.query, self.index
        focus = found.focus
        if cosine < self.config.semantic_passage_at or index.rare_unknown_share(query) > 0 or \
                index.names_in(query) - index.evidence.passage_terms[p] or \
                (focus in DECISIVE and lacks(focus, facts_in(index.corpus.passages[p].text))) or \
                self._pulled_away(found, p, cosine):
            return None
        return self.gatherer.passage_extract(query, p, cosine)

    def _pulled_away(self, found: Findings, p: int, cosine: float) -> bool:
        """Whether the question without its words the corpus never uses is nearer passage *p*."""
        unknown = frozenset(self.index.unknown_words(found.query))
        if not unknown:
            return False
        vectors = self.table.embed_questions([without(found.question, unknown)])
        if vectors is None:
            return False
        return float(self.table.passage_cosines(vectors[0])[p]) > cosine + self.config.semantic_pull


def without(question: str, words: frozenset[str]) -> str:
    """*question* with every whitespace-separated token that holds one of *words* dropped."""
    return " ".join(token for token in question.split() if words.isdisjoint(tokenize(token)))

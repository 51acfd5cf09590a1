"""Decide what to say: a cited answer, a clarifying question, small talk, or an honest abstention.

``Answerer.ask`` is pure: it reads the index, writes nothing and draws no random numbers, so the
same question always gets the same answer, in any thread, and the evaluation sees what a user sees.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from faqbot.analysis import Analysis
from faqbot.config import Config
from faqbot.index import EntryScores, Index, top_indices
from faqbot.models import Answer, Candidate, Citation, Corpus, Entry, Match, Passage, PassageHit, SmallTalk, Trace

if TYPE_CHECKING:
    from faqbot.session import Session

_CANDIDATES = 8          # entries whose coverage is checked (the best by fused score)
_PASSAGES = 3            # passages whose sentences may make an extractive answer
_MIN_SENTENCE_WORDS = 4  # shorter "sentences" are lead-ins such as "Capabilities:"

NOT_COVERED = "The article doesn't cover that, as far as I can tell."
EMPTY_QUESTION = "Please type a question about the article."
TOO_VAGUE = "Could you say a little more? I'm not sure what you are asking about."


@dataclass(frozen=True, slots=True)
class Context:
    """What a follow-up question may lean on: the previous turn's topic, as text."""

    text: str
    weight: float


class Answerer:
    """Answers questions from one corpus. Thread-safe: nothing in it changes after construction."""

    def __init__(self, index: Index) -> None:
        self.index = index
        self.corpus: Corpus = index.corpus
        self.config: Config = index.corpus.config
        self._smalltalk = [(intent, [" ".join(index.analyzer.document(p).tokens) for p in intent.patterns])
                           for intent in self.corpus.smalltalk]
        self._entry_by_id = {e.id: e for e in self.corpus.entries}
        self._passage_by_id = {p.id: p for p in self.corpus.passages}

    @classmethod
    def from_corpus(cls, corpus: str | Path | Corpus | None = None, *, cache: bool = True,
                    cache_dir: str | Path | None = None) -> Answerer:
        """An answerer for the bundled corpus (None), a corpus folder, or an already loaded Corpus.

        With *cache*, the built index is kept in the user's cache directory and reused until the
        corpus files or faqbot's version change.
        """
        from faqbot.cache import load_or_build

        return cls(load_or_build(corpus, use_cache=cache, cache_dir=cache_dir))

    # ------------------------------------------------------------------ public API

    @property
    def questions(self) -> list[str]:
        """Every curated question, in corpus order (for completion and suggestions)."""
        return [e.question for e in self.corpus.entries]

    @property
    def examples(self) -> list[str]:
        """Three questions to show a new user."""
        return [e.question for e in self.corpus.entries[:3]]

    def ask(self, question: str) -> Answer:
        """The answer to *question* on its own, with no conversation around it."""
        return self.respond(question)

    def session(self) -> Session:
        """A conversation that remembers its previous turns (for follow-up questions)."""
        from faqbot.session import Session

        return Session(self)

    def search(self, question: str, limit: int = 10) -> list[Match]:
        """Curated entries ranked for *question*, best first, with fused scores (0-1); no decision."""
        query = self.index.analyzer.query(self._clip(question)[0])
        scores = self._entry_scores(query, None).fused
        return [Match(self.corpus.entries[i].id, self.corpus.entries[i].question, float(scores[i]))
                for i in top_indices(scores, limit) if scores[i] > 0]

    def respond(self, question: str, context: Context | None = None) -> Answer:
        """The decision for *question*, optionally leaning on a previous turn's *context*."""
        text, notice = self._clip(question)
        query = self.index.analyzer.query(text)
        if not query.tokens:
            return self._finish(Answer(question, "abstain", EMPTY_QUESTION, 1.0, suggestions=tuple(self.examples),
                                       options=self._matches_for(self.examples)), notice)
        smalltalk = self._smalltalk_answer(question, query)
        if smalltalk is not None:
            return self._finish(smalltalk, notice)
        rest, greeting = self._split_greeting(question, query)
        answer = self._decide(question, rest, context)
        if answer.kind == "abstain" and greeting is not None:
            answer = greeting   # "thanks, that helped": the courtesy was the message
        return self._finish(answer, notice)

    def answer_entry(self, entry_id: str, question: str, score: float = 1.0) -> Answer:
        """The curated answer of one entry (e.g. the option a user picked from a clarification)."""
        entry = self._entry_by_id[entry_id]
        return Answer(question, "answer", entry.answer, score, self._entry_citations(entry),
                      Match(entry.id, entry.question, score))

    def elaborate(self, previous: Answer, question: str) -> Answer | None:
        """More from the article around a previous answer: its first cited passage, in full."""
        for citation in previous.citations:
            passage = self._passage_by_id.get(citation.id)
            if passage is not None:
                text = " ".join(s for s in passage.sentences if s not in previous.text)
                if text:
                    return Answer(question, "answer", text, previous.confidence, (self._citation(passage),),
                                  previous.matched)
        return None

    # ------------------------------------------------------------------ the decision

    def _decide(self, question: str, query: Analysis, context: Context | None) -> Answer:
        cfg = self.config
        ctx = self.index.analyzer.query(context.text) if context else None
        if ctx is None and all(w.isdigit() for w in query.content):
            return self._abstain(question, query, [], [], TOO_VAGUE, "no content words")
        scores = self._entry_scores(query, ctx, context.weight if context else 0.0)
        candidates = self._candidates(query, scores, ctx, context.weight if context else 0.0)
        passages = self._passage_hits(query, ctx, context.weight if context else 0.0)
        best = candidates[0] if candidates else None
        close = [c for c in candidates[1:3] if best and c.confidence >= cfg.clarify_threshold
                 and best.confidence - c.confidence < cfg.clarify_margin]
        trace = Trace(query.normalized, query.stems, tuple(candidates[:5]), tuple(passages), "",
                      context.text if context else "")
        if best and best.confidence >= cfg.answer_threshold and not close:
            return self._curated(question, best, trace)
        if best and best.confidence >= cfg.clarify_threshold and close:
            return self._clarify(question, [best, *close], trace)
        extract = self._extract(question, query, ctx, context.weight if context else 0.0, passages, trace)
        if extract is not None:
            return extract
        return self._abstain(question, query, candidates, passages, NOT_COVERED, "no candidate is confident enough",
                             trace)

    def _entry_scores(self, query: Analysis, ctx: Analysis | None, weight: float = 0.0) -> EntryScores:
        cfg = self.config
        scores = self.index.entry_scores(query, weights=cfg.weights, fuzzy_candidates=cfg.fuzzy_candidates)
        if ctx is None or weight == 0:
            return scores
        prior = self.index.entry_scores(ctx, weights=cfg.weights, fuzzy_candidates=cfg.fuzzy_candidates)
        return EntryScores(scores.char, scores.word, scores.qa, scores.fuzzy,
                           np.clip(scores.fused + weight * prior.fused, 0.0, 1.0))

    def _candidates(self, query: Analysis, scores: EntryScores, ctx: Analysis | None, weight: float) -> list[Candidate]:
        """The best entries by fused score, re-ranked by confidence = fused x coverage^power."""
        extra = ctx.stems if ctx is not None else ()
        found = []
        for i in top_indices(scores.fused, _CANDIDATES).tolist():
            if scores.fused[i] <= 0:
                continue
            coverage = self.index.coverage(query.stems, self.index.evidence.entry_terms[i], extra, weight)
            fused = float(scores.fused[i])
            found.append(Candidate(self.corpus.entries[i].id, self.corpus.entries[i].question,
                                   float(scores.char[i]), float(scores.word[i]), float(scores.qa[i]),
                                   float(scores.fuzzy[i]), fused, coverage, self._confidence(fused, coverage)))
        found.sort(key=lambda c: (-c.confidence, c.id))
        return found

    def _confidence(self, score: float, coverage: float) -> float:
        if coverage < self.config.min_coverage:
            return score * coverage ** (self.config.coverage_power + 1)
        return min(1.0, score * coverage ** self.config.coverage_power)

    def _passage_hits(self, query: Analysis, ctx: Analysis | None, weight: float) -> list[PassageHit]:
        if not self.corpus.passages:
            return []
        scores = self.index.passage_scores(query)
        if ctx is not None and weight:
            scores = scores + weight * self.index.passage_scores(ctx)
        extra = ctx.stems if ctx is not None else ()
        hits = []
        for i in top_indices(scores, _PASSAGES).tolist():
            if scores[i] > 0:
                coverage = self.index.coverage(query.stems, self.index.evidence.passage_terms[i], extra, weight)
                p = self.corpus.passages[i]
                hits.append(PassageHit(p.id, p.section, float(min(1.0, scores[i])), coverage))
        return hits

    # ------------------------------------------------------------------ composing answers

    def _curated(self, question: str, best: Candidate, trace: Trace) -> Answer:
        entry = self._entry_by_id[best.id]
        return Answer(question, "answer", entry.answer, best.confidence, self._entry_citations(entry),
                      Match(entry.id, entry.question, best.confidence), self._related(entry),
                      self._matches_for(self._related(entry)), trace=_with_reason(trace, "curated entry matched"))

    def _clarify(self, question: str, options: Sequence[Candidate], trace: Trace) -> Answer:
        lines = "\n".join(f"{n}. {c.question}" for n, c in enumerate(options, start=1))
        matches = tuple(Match(c.id, c.question, c.confidence) for c in options)
        return Answer(question, "clarify", f"Did you mean:\n{lines}", options[0].confidence,
                      matched=matches[0], suggestions=tuple(c.question for c in options), options=matches,
                      trace=_with_reason(trace, "the best candidates are too close to pick one"))

    def _extract(self, question: str, query: Analysis, ctx: Analysis | None, weight: float,
                 hits: list[PassageHit], trace: Trace) -> Answer | None:
        """An answer made only of article sentences, when they contain what the question asks."""
        if not hits:
            return None
        extra = ctx.stems if ctx is not None else ()
        chosen: list[tuple[int, int]] = []            # (passage index, sentence index)
        covered: set[str] = set()
        for _ in range(self.config.extract_sentences):
            pick = self._best_sentence(query, hits, chosen, covered, extra, weight)
            if pick is None:
                break
            chosen.append(pick)
            covered |= self.index.evidence.sentence_terms[pick[0]][pick[1]]
        if not chosen:
            return None
        used = {p for p, _ in chosen}
        headings = set().union(*(self.index.evidence.heading_terms[p] for p in used))
        coverage = self.index.coverage(query.stems, covered | headings, extra, weight)
        score = max(h.score for h in hits if self.index.passage_index(h.id) in used) ** 0.5
        confidence = self._confidence(score, coverage)
        if confidence < self.config.passage_threshold or coverage < self.config.min_coverage:
            return None
        chosen.sort()
        passages = [self.corpus.passages[p] for p in dict.fromkeys(p for p, _ in chosen)]
        text = " ".join(self.corpus.passages[p].sentences[s] for p, s in chosen)
        return Answer(question, "answer", text, confidence, tuple(self._citation(p) for p in passages),
                      trace=_with_reason(trace, "article sentences matched (no curated entry fits)"))

    def _best_sentence(self, query: Analysis, hits: list[PassageHit], chosen: list[tuple[int, int]],
                       covered: set[str], extra: Sequence[str], weight: float) -> tuple[int, int] | None:
        """The sentence that adds the most uncovered question words, preferring better passages."""
        best: tuple[float, tuple[int, int]] | None = None
        before = self.index.coverage(query.stems, covered, extra, weight) if covered else 0.0
        for rank, hit in enumerate(hits):
            p = self.index.passage_index(hit.id)
            heading = self.index.evidence.heading_terms[p]
            for s, terms in enumerate(self.index.evidence.sentence_terms[p]):
                if (p, s) in chosen or len(self.corpus.passages[p].sentences[s].split()) < _MIN_SENTENCE_WORDS:
                    continue
                gain = self.index.coverage(query.stems, covered | terms | heading, extra, weight) - before
                value = gain * hit.score / (1 + 0.25 * rank)
                if gain > 0.05 and (best is None or value > best[0]):
                    best = (value, (p, s))
        return None if best is None else best[1]

    def _abstain(self, question: str, query: Analysis, candidates: Sequence[Candidate],
                 passages: Sequence[PassageHit], text: str, reason: str, trace: Trace | None = None) -> Answer:
        suggestions = [c.question for c in candidates if c.fused >= 0.15][: self.config.max_suggestions]
        for example in self.examples:
            if len(suggestions) >= self.config.max_suggestions:
                break
            if example not in suggestions:
                suggestions.append(example)
        top = max([c.confidence for c in candidates] + [0.0])
        trace = trace or Trace(query.normalized, query.stems, tuple(candidates[:5]), tuple(passages), "")
        return Answer(question, "abstain", text, round(1.0 - top, 4), suggestions=tuple(suggestions),
                      options=self._matches_for(suggestions), trace=_with_reason(trace, reason))

    def _smalltalk_answer(self, question: str, query: Analysis) -> Answer | None:
        utterance = " ".join(query.tokens)
        best = self._best_smalltalk(utterance)
        if best is None:
            return None
        intent, pattern, score = best
        return Answer(question, "smalltalk", intent.reply, score, matched=Match(intent.id, pattern, score))

    def _best_smalltalk(self, utterance: str) -> tuple[SmallTalk, str, float] | None:
        from rapidfuzz import fuzz

        best = None
        for intent, patterns in self._smalltalk:
            for pattern, normalized in zip(intent.patterns, patterns, strict=True):
                score = fuzz.ratio(utterance, normalized) / 100.0
                if score >= self.config.smalltalk_threshold and (best is None or score > best[2]):
                    best = (intent, pattern, score)
        return best

    def _split_greeting(self, question: str, query: Analysis) -> tuple[Analysis, Answer | None]:
        """ "hi, what is an LLM?" is a question: split off a leading greeting or thanks."""
        for k in (3, 2, 1):
            if len(query.tokens) > k:
                greeting = self._smalltalk_answer(question, self.index.analyzer.from_tokens("", list(query.tokens[:k])))
                if greeting is not None:
                    rest = list(query.tokens[k:])
                    return self.index.analyzer.from_tokens(" ".join(rest), rest, query.corrections), greeting
        return query, None

    # ------------------------------------------------------------------ helpers

    def _clip(self, question: str) -> tuple[str, str]:
        limit = self.config.max_question_chars
        if len(question) <= limit:
            return question, ""
        return question[:limit], f"Your question was shortened to its first {limit} characters."

    @staticmethod
    def _finish(answer: Answer, notice: str) -> Answer:
        if not notice:
            return answer
        from dataclasses import replace

        return replace(answer, notice=notice)

    def _entry_citations(self, entry: Entry) -> tuple[Citation, ...]:
        cited = [self._citation(self._passage_by_id[s]) for s in entry.sources if s in self._passage_by_id]
        if cited:
            return tuple(cited)
        return (Citation(entry.id, entry.question, (entry.question,), entry.answer, entry.source, entry.line,
                         entry.line),)

    @staticmethod
    def _citation(passage: Passage) -> Citation:
        return Citation(passage.id, passage.section, passage.path, passage.text, passage.source,
                        passage.start_line, passage.end_line)

    def _related(self, entry: Entry) -> tuple[str, ...]:
        return tuple(self._entry_by_id[r].question for r in entry.related if r in self._entry_by_id)

    def _matches_for(self, questions: Sequence[str]) -> tuple[Match, ...]:
        by_question = {e.question: e for e in self.corpus.entries}
        return tuple(Match(by_question[q].id, q, 0.0) for q in questions if q in by_question)


def _with_reason(trace: Trace, reason: str) -> Trace:
    from dataclasses import replace

    return replace(trace, reason=reason)

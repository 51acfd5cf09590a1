"""Gather the evidence for one question: curated candidates with the decision's features, passages,
and the article sentences that best answer it. Threshold-free: ``faqbot.engine.decision`` decides.

Deterministic: the only writes are memos (spelling corrections, stems) that change no result.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from faqbot.config import Config, Weights
from faqbot.engine.coverage import Coverage
from faqbot.engine.findings import Extract, Findings, Topic
from faqbot.engine.index import EntryScores, Index, top_indices
from faqbot.engine.intents import Intents
from faqbot.language.analysis import Analysis
from faqbot.language.focus import focus_of, lacks
from faqbot.language.text import announced, leans_on_context
from faqbot.models import Answer, Candidate, PassageHit
from faqbot.signals import NAMES as SIGNAL_NAMES

CANDIDATES = 8            # entries whose coverage is checked (the best by fused score)
_PASSAGES = 3             # passages whose sentences may make an extractive answer
_MIN_SENTENCE_WORDS = 4   # shorter "sentences" are lead-ins such as "Capabilities:"
_CONTEXT_COVERAGE = 0.25  # the previous turn's words count this much when checking coverage: what the
                          # question itself asks must be in the answer ("how much does it cost?" is not)
_MEMO_PASSAGES = 20_000  # passages whose sentences' words are remembered (a bound for huge corpora)
_TOPIC_GATE = 0.75        # with keep_topic, entries scoring under this share of the best prior drop out
_YES_NO = frozenset("is are was were does do can could would will".split())


def _position(tokens: Sequence[str], phrase: tuple[str, ...]) -> int:
    """Where *phrase* first occurs in *tokens* as consecutive words, or -1."""
    n = len(phrase)
    return next((i for i in range(len(tokens) - n + 1) if tuple(tokens[i:i + n]) == phrase), -1)


class Gatherer:
    """Scores questions against one index with one config and set of fusion weights."""

    def __init__(self, index: Index, smalltalk: Sequence[Sequence[str]], config: Config, weights: Weights) -> None:
        """*smalltalk*: each small-talk intent's patterns, analysed as questions are."""
        self.index = index
        self.config = config
        self.weights = weights
        self.intents = Intents(index.corpus, smalltalk, config.smalltalk_threshold,
                               lambda text: index.analyzer.document(text).tokens)
        self.features = {"chars": weights.char > 0, "wording": weights.wording > 0}   # what questions need
        self._links: list[tuple[tuple[str, ...], tuple[str, ...], str, str]] | None = None
        self._sentences: dict[int, tuple[tuple[int, frozenset[str]], ...]] = {}
        self._nothing = np.zeros(len(index.corpus.passages))   # the passage scores of a question with none
        self._nothing.flags.writeable = False

    @property
    def links(self) -> list[tuple[tuple[str, ...], tuple[str, ...], str, str]]:
        """The corpus's class links as (thing tokens, class tokens, entry, "thing class"), analysed on first use."""
        if self._links is None:
            analyze = self.index.analyzer.document
            self._links = [(tuple(analyze(thing).tokens), tuple(analyze(kind).tokens), entry, f"{thing} {kind}")
                           for thing, kind, entry in self.index.corpus.classes]
        return self._links

    def clip(self, question: str) -> tuple[str, str]:
        """(the question cut to ``max_question_chars``, a notice saying so or "")."""
        limit = self.config.max_question_chars
        if len(question) <= limit:
            return question, ""
        return question[:limit], f"Your question was shortened to its first {limit} characters."

    def query(self, text: str) -> Analysis:
        """*text* analysed as a question, with the features these weights need."""
        return self.index.analyzer.query(text, **self.features)

    def gather(self, question: str, topic: Topic | None = None) -> Findings:
        """Score *question* (leaning on *topic*, a previous turn's) against the corpus."""
        text, notice = self.clip(question)
        query = self.query(text)
        nothing = self._nothing
        if not query.tokens:
            return Findings(question, query, (), (), nothing, None, notice=notice, empty=True)
        smalltalk = self.intents.answer(question, query.tokens)
        if smalltalk is not None:
            return Findings(question, query, (), (), nothing, None, smalltalk=smalltalk, notice=notice)
        query, greeting = self._split_greeting(question, query)
        ctx = self.query(topic.text) if topic else None
        weight = topic.weight if topic else 0.0
        if ctx is None and not query.content:
            # "What is this article about?" has no content word: only a near-verbatim phrasing can match it.
            return Findings(question, query, self._verbatim_candidates(query), (), nothing, None, greeting=greeting,
                            notice=notice, vague=True)
        if all(w.isdigit() for w in query.content) or (ctx is None and leans_on_context(query.tokens)):
            return Findings(question, query, (), (), nothing, None, greeting=greeting, notice=notice, vague=True)
        scores = self.entry_scores(query, ctx, weight, topic.keep_topic if topic else False)
        own = self.index.passage_scores(query)
        # Without a previous turn there is no prior to add: at 100k passages every array op counts.
        prior = self.index.passage_scores(ctx) if ctx else None
        cover = _CONTEXT_COVERAGE * min(weight, 1.0)
        coverage = self.index.coverage(query.stems, ctx.stems if ctx else (), cover)
        rare = self.index.coverage(query.stems, ctx.stems if ctx else (), cover, words=query.content)
        hits = self._passage_hits(own if prior is None else own + weight * prior, coverage)
        top = [i for i in top_indices(scores.fused, CANDIDATES).tolist() if scores.fused[i] > 0]
        if ctx is not None and topic is not None and topic.judge_with_topic:
            # The decision was fitted on questions that stand alone: judge a follow-up that points back
            # as the question it stands for, its words and the previous turn's ("who makes it? Gemini 1.5").
            query = self.index.analyzer.from_tokens(f"{query.normalized} {ctx.normalized}",
                                                    [*query.tokens, *ctx.tokens], query.corrections, **self.features)
            scores = self.entry_scores(query)
            coverage = self.index.coverage(query.stems)
            rare = self.index.coverage(query.stems, words=query.content)
        elif ctx is not None:   # a follow-up that shifts the topic ("and music?") is judged on its own words
            scores = scores._replace(fused=self.entry_scores(query).fused)
        focus = focus_of(query.normalized)
        # Citations are ordered by what this question asks, the previous turn only breaking ties.
        passage_scores = own if prior is None else own + cover * prior
        owner = self.index.phrasing_owner(query.fuzzy_text) if ctx is None else None
        return Findings(question, query, self._candidates(query, top, scores, coverage, rare, focus), hits,
                        passage_scores, self._extract(query, hits, coverage), greeting=greeting, notice=notice,
                        context=topic.text if topic else "", chain=self.class_chain(query.tokens), focus=focus,
                        asked_as=None if owner is None else self.index.corpus.entries[owner].id)

    def class_chain(self, tokens: Sequence[str]) -> tuple[tuple[str, str], ...]:
        """For a yes/no question naming a thing and a class ("is Claude 3 generative AI?"), the entries
        that state the links from one to the other, in order; () when the corpus states no such chain."""
        if not tokens or tokens[0] not in _YES_NO or "or" in tokens or not self.index.corpus.classes or \
                not self.links:
            return ()   # "is ChatGPT an LLM or generative AI?" asks which, not whether
        phrases = {p for thing, kind, _, _ in self.links for p in (thing, kind)}
        found = sorted((at, -len(p), p) for p in phrases if (at := _position(tokens, p)) >= 0)
        if len(found) < 2:
            return ()
        at, size, subject = found[0]   # the thing asked about comes first: "is Claude 3 generative AI?"
        goals = {p for start, _, p in found[1:] if start >= at - size}
        return shortest_chain(self.links, subject, goals - {subject})

    def entry_scores(self, query: Analysis, ctx: Analysis | None = None, weight: float = 0.0,
                     keep_topic: bool = False) -> EntryScores:
        """Every entry's signals for *query*, the fused score leaning on *ctx* at *weight*."""
        fuzzy_candidates = self.config.fuzzy_candidates
        scores = self.index.entry_scores(query, weights=self.weights, fuzzy_candidates=fuzzy_candidates)
        if ctx is None or weight == 0:
            return scores
        prior = self.index.entry_scores(ctx, weights=self.weights, fuzzy_candidates=fuzzy_candidates).fused
        fused = scores.fused + weight * prior
        if keep_topic and prior.size:
            fused = np.where(prior >= _TOPIC_GATE * prior.max(), fused, 0.0)
        return scores._replace(fused=np.clip(fused, 0.0, 1.0))

    def _split_greeting(self, question: str, query: Analysis) -> tuple[Analysis, Answer | None]:
        """ "hi, what is an LLM?" is a question: split off a leading greeting or thanks."""
        opener = self.intents.opener(question, query.tokens)
        if opener is None:
            return query, None
        k, greeting = opener
        rest = list(query.tokens[k:])
        return self.index.analyzer.from_tokens(" ".join(rest), rest, query.corrections, **self.features), greeting

    def _candidates(self, query: Analysis, top: list[int], scores: EntryScores, coverage: Coverage,
                    rare: Coverage, focus: str) -> tuple[Candidate, ...]:
        """The entries *top* (the best by fused score) with their coverage and the decision's features."""
        index, evidence, entries = self.index, self.index.evidence, self.index.corpus.entries
        if not top:
            return ()
        unknown = index.rare_unknown_share(query)
        names = index.names_in(query)
        credit = self.config.source_credit
        leaders = []
        for name, w in zip(SIGNAL_NAMES, self.weights, strict=True):
            signal = getattr(scores, name)
            if w > 0 and signal.size and signal[leader := int(signal.argmax())] > 0:
                leaders.append(leader)
        # Plain floats of the candidates' rows, read once (indexing numpy scalars one by one is slow).
        char, word, wording, qa, fuzzy, fused = (a[top].tolist() for a in
                                                  (scores.char, scores.word, scores.wording, scores.qa, scores.fuzzy,
                                                   scores.fused))
        # top is best first: each candidate's rival is the first of another question.
        ranked = [(f, entries[j].question) for f, j in zip(fused, top, strict=True)]
        entry_terms, source_terms, facts = evidence.entry_terms, evidence.source_terms, evidence.entry_facts
        found = []
        for k, i in enumerate(top):
            entry, terms, nearby = entries[i], entry_terms[i], source_terms[i]
            covered = coverage.of(terms, nearby, credit)
            rival = next((f for f, question in ranked if question != entry.question), 0.0)
            features = (fused[k], fused[k] - rival, covered, rare.of(terms, nearby, credit),
                        float(lacks(focus, int(facts[i]))), leaders.count(i) / len(leaders) if leaders else 0.0,
                        fuzzy[k], qa[k], unknown, len(names & terms) / len(names) if names else 1.0)
            found.append(Candidate(entry.id, entry.question, char[k], word[k], wording[k], qa[k], fuzzy[k], fused[k],
                                   covered, 0.0, features))
        return tuple(found)

    def _verbatim_candidates(self, query: Analysis) -> tuple[Candidate, ...]:
        """Entries with a phrasing that is nearly the same words as *query* (fuzzy >= the small-talk bar)."""
        entries = self.index.corpus.entries
        best = self.index.verbatim_matches(query.fuzzy_text, self.config.smalltalk_threshold)
        return tuple(Candidate(entries[i].id, entries[i].question, 0.0, 0.0, 0.0, 0.0, score, score, 1.0, 0.0)
                     for i, score in best)

    def _passage_hits(self, scores: np.ndarray, coverage: Coverage) -> tuple[PassageHit, ...]:
        hits = []
        for i in top_indices(scores, _PASSAGES).tolist():
            if scores[i] > 0:
                p = self.index.corpus.passages[i]
                hits.append(PassageHit(p.id, p.section, float(min(1.0, scores[i])),
                                       coverage.of(self.index.evidence.passage_terms[i])))
        return tuple(hits)

    def _extract(self, query: Analysis, hits: Sequence[PassageHit], coverage: Coverage) -> Extract | None:
        """The one article sentence that covers the question best (with its heading), plus the next
        sentence when it continues the same point. Never stitched from unrelated places."""
        best: tuple[float, float, int, int, float] | None = None   # (value, coverage, passage, sentence, score)
        for rank, hit in enumerate(hits):
            p = self.index.passage_index(hit.id)
            for s, terms in self._sentence_terms(p):
                covered = coverage.of(terms)
                value = covered * hit.score / (1 + 0.25 * rank)
                if covered > 0 and (best is None or value > best[0]):
                    best = (value, covered, p, s, hit.score)
        if best is None:
            return None
        _, covered, p, s, score = best
        return Extract(self._sentences_from(query, p, s), score ** 0.5, covered)

    def _sentence_terms(self, p: int) -> tuple[tuple[int, frozenset[str]], ...]:
        """(sentence, its words and its heading's) for each full sentence of passage *p*, remembered: the
        same passages come up for question after question."""
        found = self._sentences.get(p)
        if found is None:
            if len(self._sentences) >= _MEMO_PASSAGES:
                self._sentences.clear()
            evidence, sentences = self.index.evidence, self.index.corpus.passages[p].sentences
            heading = evidence.heading_terms[p]
            found = self._sentences[p] = tuple((s, terms | heading)
                                               for s, terms in enumerate(evidence.sentence_terms[p])
                                               if len(sentences[s].split()) >= _MIN_SENTENCE_WORDS)
        return found

    def passage_extract(self, query: Analysis, p: int, score: float) -> Extract:
        """The sentences of passage *p* (found by meaning) that answer *query*: the one sharing most of its
        words, else the first full sentence; then as ``_extract`` continues."""
        passages, terms = self.index.corpus.passages, self.index.evidence.sentence_terms[p]
        stems = set(query.stems)
        full = [s for s, text in enumerate(passages[p].sentences) if len(text.split()) >= _MIN_SENTENCE_WORDS] or [0]
        s = max(full, key=lambda n: (len(terms[n] & stems), -n))
        return Extract(self._sentences_from(query, p, s), score, 1.0)

    def _sentences_from(self, query: Analysis, p: int, s: int) -> tuple[tuple[int, int], ...]:
        """Sentence *s* of passage *p*, the next when it continues the point, a list it announces whole."""
        passages, sentences = self.index.corpus.passages, self.index.evidence.sentence_terms[p]
        chosen = [(p, s)]
        if s + 1 < len(sentences) and sentences[s + 1] & set(query.stems) and \
                len(passages[p].sentences[s + 1].split()) >= _MIN_SENTENCE_WORDS:
            chosen.append((p, s + 1))
        chosen = chosen[: self.config.extract_sentences]
        lead_in = next((n for _, n in chosen if announced(passages[p].sentences, n)), None)
        if lead_in is not None:   # bring the list or code block it announces, whole
            chosen = [(p, n) for n in (*range(s, lead_in + 1), *announced(passages[p].sentences, lead_in))]
        return tuple(chosen)


def shortest_chain(links: Sequence[tuple[tuple[str, ...], tuple[str, ...], str, str]], start: tuple[str, ...],
                   goals: set[tuple[str, ...]]) -> tuple[tuple[str, str], ...]:
    """The shortest chain of *links* (thing, class, entry, words) from *start* to one of *goals*, breadth
    first, as (entry, words) per link; () when there is none."""
    frontier: list[tuple[tuple[str, ...], tuple[tuple[str, str], ...]]] = [(start, ())]
    seen = {start}
    while frontier:
        node, path = frontier.pop(0)
        for thing, kind, entry, words in links:
            if thing == node and kind not in seen:
                if kind in goals:
                    return (*path, (entry, words))
                seen.add(kind)
                frontier.append((kind, (*path, (entry, words))))
    return ()

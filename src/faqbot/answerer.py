"""Decide what to say: a cited answer, a clarifying question, small talk, or an honest abstention.

Answering is two steps. ``gather`` scores the question against the corpus and collects the
evidence (curated candidates, passages, the best article sentences). ``decide`` applies the
answer, clarify and coverage thresholds of :class:`faqbot.config.Config` to that evidence, so
calibrating those re-runs only ``decide`` (gather does use ``smalltalk_threshold``, ``source_credit``
and ``extract_sentences``, which calibration leaves alone).

``Answerer.ask`` is deterministic: the only writes are memos (spelling corrections, stems, the
shared vocabulary) that do not change any result, and nothing is random, so the same question always
gets the same answer, in any thread, and the evaluation sees what a user sees.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from faqbot.analysis import Analysis
from faqbot.config import Config, Weights
from faqbot.conversation import Context, Session, Topic, leans_on_context
from faqbot.focus import DECISIVE, focus_of, lacks
from faqbot.index import Coverage, EntryScores, Index, top_indices
from faqbot.models import Answer, Candidate, Citation, Corpus, Entry, Match, Passage, PassageHit, SmallTalk, Trace

if TYPE_CHECKING:
    from os import PathLike

_CANDIDATES = 8          # entries whose coverage is checked (the best by fused score)
_PASSAGES = 3            # passages whose sentences may make an extractive answer
_MIN_SENTENCE_WORDS = 4  # shorter "sentences" are lead-ins such as "Capabilities:"
_SUGGESTION_FLOOR = 0.15  # a candidate this weak is not worth suggesting
_CONTEXT_COVERAGE = 0.25  # the previous turn's words count this much when checking coverage: what the
                          # question itself asks must be in the answer ("how much does it cost?" is not)
_TOPIC_GATE = 0.75        # with keep_topic, entries scoring under this share of the best prior drop out
_NEAR_TIE = 0.05          # fused scores this close to the best: the fitted confidence picks among them
_AUTHOR_FIRST = 0.05      # head start of an entry's first-listed source when ordering its citations

NOT_COVERED = "{Source} doesn't cover that, as far as I can tell."
OFFER = "I'm not sure {source} covers that. Did you mean: \u201c{question}\u201d?"
EMPTY_QUESTION = "Please type a question about the article."
TOO_VAGUE = "Could you say a little more? I'm not sure what you are asking about."


class Extract(NamedTuple):
    """The article sentences that best answer a question: (passage index, sentence index) pairs."""

    sentences: tuple[tuple[int, int], ...]
    score: float       # sqrt of the best passage's TF-IDF score
    coverage: float    # share of the question's content words the sentences (and headings) contain


class Findings(NamedTuple):
    """Everything ``gather`` learnt about one question; threshold-free."""

    question: str
    query: Analysis
    candidates: tuple[Candidate, ...]        # best by fused score; `confidence` filled in by decide
    passages: tuple[PassageHit, ...]
    passage_scores: np.ndarray
    extract: Extract | None
    smalltalk: Answer | None = None          # the whole message was small talk
    greeting: Answer | None = None           # it started with small talk ("thanks, ...")
    notice: str = ""
    context: str = ""
    empty: bool = False                      # nothing to match at all
    vague: bool = False                      # no content word (or only numbers)


class Answerer:
    """Answers questions from one corpus. Thread-safe: after construction only memos fill in."""

    def __init__(self, index: Index, config: Config | None = None, *, weights: Weights | None = None) -> None:
        """*weights*: fusion weights to use; by default the config's when its author set them, else the
        ones the fit chose for this corpus, else the config's defaults."""
        self.index = index
        self.corpus: Corpus = index.corpus
        self.config: Config = config or index.corpus.config
        fitted = index.decision.weights
        self.weights: Weights = weights or (Weights(*fitted) if fitted and not self.config.weights_set
                                            else self.config.weights)
        pairs = [(intent, pattern, normalized) for intent, normalized_patterns in zip(self.corpus.smalltalk,
                 index.smalltalk, strict=True) for pattern, normalized in zip(intent.patterns, normalized_patterns,
                                                                              strict=True)]
        self._patterns = ([n for _, _, n in pairs], [(i, p) for i, p, _ in pairs])
        self._openers = ([n for i, _, n in pairs if i.opener], [(i, p) for i, p, _ in pairs if i.opener])
        self._entry_by_id = {e.id: e for e in self.corpus.entries}
        self._position = {e.id: i for i, e in enumerate(self.corpus.entries)}
        self._entry_by_question = {e.question: e for e in self.corpus.entries}
        self._passage_by_id = {p.id: p for p in self.corpus.passages}
        self._features = {"chars": self.weights.char > 0, "wording": self.weights.wording > 0}   # what questions need

    @classmethod
    def from_corpus(cls, corpus: str | PathLike[str] | Corpus | None = None, *, cache: bool = True,
                    cache_dir: str | PathLike[str] | None = None) -> Answerer:
        """An answerer for the bundled corpus (None), a corpus folder, or an already loaded Corpus.

        With *cache*, the built index is kept in the user's cache directory and reused until the
        corpus files or faqbot's version change.
        """
        from faqbot.cache import load_or_build

        return cls(load_or_build(corpus, use_cache=cache, cache_dir=cache_dir))

    def with_config(self, config: Config) -> Answerer:
        """The same corpus and index, other thresholds (cheap: nothing is rebuilt)."""
        return Answerer(self.index, config)

    # ------------------------------------------------------------------ public API

    @property
    def title(self) -> str:
        """The article's title (its first heading), else the corpus folder's name."""
        return self.corpus.passages[0].path[0] if self.corpus.passages and self.corpus.passages[0].path \
            else self.corpus.name

    @property
    def questions(self) -> list[str]:
        """Every curated question, in corpus order (for completion and suggestions)."""
        return [e.question for e in self.corpus.entries]

    @property
    def examples(self) -> list[str]:
        """A few questions to show a new user."""
        return list(self.corpus.examples)

    def ask(self, question: str) -> Answer:
        """The answer to *question* on its own, with no conversation around it."""
        return self.respond(question)

    def session(self, context: Context | None = None) -> Session:
        """A conversation that remembers its previous turns (for follow-up questions), optionally
        continuing from a *context* an earlier session left (``Session.context``)."""
        return Session(self, context)

    def stems(self, text: str) -> tuple[str, ...]:
        """The stemmed content words of *text*, typos corrected, as questions are matched."""
        return self.index.analyzer.query(text, chars=False, wording=False).stems

    def search(self, question: str, limit: int = 10) -> list[Match]:
        """Curated entries ranked for *question*, best first, with fused scores (0-1); no decision."""
        query = self.index.analyzer.query(self.clip(question)[0], **self._features)
        scores = self._entry_scores(query, None, 0.0).fused
        return [Match(self.corpus.entries[i].id, self.corpus.entries[i].question, float(scores[i]))
                for i in top_indices(scores, limit) if scores[i] > 0]

    def respond(self, question: str, topic: Topic | None = None) -> Answer:
        """The decision for *question*, optionally leaning on a previous turn's *topic*."""
        return self.decide(self.gather(question, topic))

    def answer_entry(self, entry_id: str, question: str, score: float = 1.0) -> Answer:
        """The curated answer of one entry (e.g. the option a user picked from a clarification)."""
        return self._entry_answer(self._entry_by_id[entry_id], question, score, None)

    def offer(self, question: str, lead: str, options: Sequence[Match]) -> Answer:
        """A "did you mean" of *options* (e.g. the runners-up after "that's not what I asked"), after *lead*."""
        lines = "\n".join(f"{n}. {o.question}" for n, o in enumerate(options, start=1))
        return Answer(question, "clarify", f"{lead} Did you mean:\n{lines}", options[0].score, matched=options[0],
                      suggestions=tuple(o.question for o in options), options=tuple(options))

    def elaborate(self, passages: Sequence[str], shown: str, question: str) -> Answer | None:
        """More from the article around a previous answer (its cited *passages*, its text *shown*): the
        rest of the first cited passage that has more to say."""
        for passage_id in passages:
            passage = self._passage_by_id.get(passage_id)
            if passage is not None:
                text = " ".join(s for s in passage.sentences if s not in shown)
                if text:
                    return Answer(question, "answer", text, 1.0, (self._citation(passage),))
        return None

    # ------------------------------------------------------------------ step 1: gather evidence

    def gather(self, question: str, context: Topic | None = None) -> Findings:
        """Score *question* against the corpus; no answer or clarify threshold is applied here."""
        text, notice = self.clip(question)
        query = self.index.analyzer.query(text, **self._features)
        nothing = np.zeros(len(self.corpus.passages))
        if not query.tokens:
            return Findings(question, query, (), (), nothing, None, notice=notice, empty=True)
        smalltalk = self._smalltalk_answer(question, query.tokens)
        if smalltalk is not None:
            return Findings(question, query, (), (), nothing, None, smalltalk=smalltalk, notice=notice)
        query, greeting = self._split_greeting(question, query)
        ctx = self.index.analyzer.query(context.text, **self._features) if context else None
        weight = context.weight if context else 0.0
        if ctx is None and not query.content:
            # "What is this article about?" has no content word: only a near-verbatim phrasing can match it.
            return Findings(question, query, self._verbatim_candidates(query), (), nothing, None, greeting=greeting,
                            notice=notice, vague=True)
        if all(w.isdigit() for w in query.content) or (ctx is None and leans_on_context(query.tokens)):
            return Findings(question, query, (), (), nothing, None, greeting=greeting, notice=notice, vague=True)
        scores = self._entry_scores(query, ctx, weight, context.keep_topic if context else False)
        own = self.index.passage_scores(query)
        prior = self.index.passage_scores(ctx) if ctx else np.zeros_like(own)
        cover = _CONTEXT_COVERAGE * min(weight, 1.0)
        coverage = self.index.coverage(query.stems, ctx.stems if ctx else (), cover)
        rare = self.index.coverage(query.stems, ctx.stems if ctx else (), cover, words=query.content)
        hits = self._passage_hits(own + weight * prior, coverage)
        top = [i for i in top_indices(scores.fused, _CANDIDATES).tolist() if scores.fused[i] > 0]
        if ctx is not None and context is not None and context.keep_topic:
            # The decision was fitted on questions that stand alone: judge a follow-up that points back
            # as the question it stands for, its words and the previous turn's ("who makes it? Gemini 1.5").
            query = self.index.analyzer.from_tokens(f"{query.normalized} {ctx.normalized}",
                                                    [*query.tokens, *ctx.tokens], query.corrections, **self._features)
            scores = self._entry_scores(query, None, 0.0)
            coverage = rare = self.index.coverage(query.stems, words=query.content)
        elif ctx is not None:   # a follow-up that shifts the topic ("and music?") is judged on its own words
            scores = scores._replace(fused=self._entry_scores(query, None, 0.0).fused)
        # Citations are ordered by what this question asks, the previous turn only breaking ties.
        return Findings(question, query, self._candidates(query, top, scores, coverage, rare), hits,
                        own + cover * prior,
                        self._extract(query, hits, coverage), greeting=greeting, notice=notice,
                        context=context.text if context else "")

    def _entry_scores(self, query: Analysis, ctx: Analysis | None, weight: float,
                      keep_topic: bool = False) -> EntryScores:
        cfg = self.config
        scores = self.index.entry_scores(query, weights=self.weights, fuzzy_candidates=cfg.fuzzy_candidates)
        if ctx is None or weight == 0:
            return scores
        prior = self.index.entry_scores(ctx, weights=self.weights, fuzzy_candidates=cfg.fuzzy_candidates).fused
        fused = scores.fused + weight * prior
        if keep_topic and prior.size:
            fused = np.where(prior >= _TOPIC_GATE * prior.max(), fused, 0.0)
        return scores._replace(fused=np.clip(fused, 0.0, 1.0))

    def _candidates(self, query: Analysis, top: list[int], scores: EntryScores, coverage: Coverage,
                    rare: Coverage) -> tuple[Candidate, ...]:
        """The entries *top* (the best by fused score) with their coverage and the decision's features."""
        evidence, index = self.index.evidence, self.index
        if not top:
            return ()
        unknown = index.rare_unknown_share(query)
        names = index.names_in(query)
        focus = focus_of(query.normalized)
        weights = self.weights
        signals = (scores.char, scores.word, scores.wording, scores.qa, scores.fuzzy)
        leaders = [int(np.argmax(s)) for s, w in zip(signals, weights, strict=True) if w > 0 and s.size and s.max() > 0]
        found = []
        for i in top:
            entry = self.corpus.entries[i]
            covered = coverage.of(evidence.entry_terms[i], evidence.source_terms[i], self.config.source_credit)
            rare_covered = rare.of(evidence.entry_terms[i], evidence.source_terms[i], self.config.source_credit)
            rival = max((float(scores.fused[j]) for j in top
                         if j != i and self.corpus.entries[j].question != entry.question), default=0.0)
            features = (float(scores.fused[i]), float(scores.fused[i]) - rival, covered, rare_covered,
                        float(lacks(focus, int(index.entry_facts[i]))),
                        leaders.count(i) / len(leaders) if leaders else 0.0,
                        float(scores.fuzzy[i]), float(scores.qa[i]), unknown,
                        len(names & evidence.entry_terms[i]) / len(names) if names else 1.0)
            found.append(Candidate(entry.id, entry.question, float(scores.char[i]), float(scores.word[i]),
                                   float(scores.wording[i]), float(scores.qa[i]), float(scores.fuzzy[i]),
                                   float(scores.fused[i]), covered, 0.0, features))
        return tuple(found)

    def _verbatim_candidates(self, query: Analysis) -> tuple[Candidate, ...]:
        """Entries with a phrasing that is nearly the same words as *query* (fuzzy >= the small-talk bar)."""
        best = self.index.verbatim_matches(query.fuzzy_text, self.config.smalltalk_threshold)
        return tuple(Candidate(self.corpus.entries[i].id, self.corpus.entries[i].question, 0.0, 0.0, 0.0, 0.0, score,
                               score, 1.0, 0.0) for i, score in best)

    def _passage_hits(self, scores: np.ndarray, coverage: Coverage) -> tuple[PassageHit, ...]:
        hits = []
        for i in top_indices(scores, _PASSAGES).tolist():
            if scores[i] > 0:
                p = self.corpus.passages[i]
                hits.append(PassageHit(p.id, p.section, float(min(1.0, scores[i])),
                                       coverage.of(self.index.evidence.passage_terms[i])))
        return tuple(hits)

    def _extract(self, query: Analysis, hits: Sequence[PassageHit], coverage: Coverage) -> Extract | None:
        """The one article sentence that covers the question best (with its heading), plus the next
        sentence when it continues the same point. Never stitched from unrelated places."""
        evidence = self.index.evidence
        best: tuple[float, float, int, int, float] | None = None   # (value, coverage, passage, sentence, score)
        for rank, hit in enumerate(hits):
            p = self.index.passage_index(hit.id)
            heading = evidence.heading_terms[p]
            for s, terms in enumerate(evidence.sentence_terms[p]):
                if len(self.corpus.passages[p].sentences[s].split()) < _MIN_SENTENCE_WORDS:
                    continue
                covered = coverage.of(terms | heading)
                value = covered * hit.score / (1 + 0.25 * rank)
                if covered > 0 and (best is None or value > best[0]):
                    best = (value, covered, p, s, hit.score)
        if best is None:
            return None
        _, covered, p, s, score = best
        chosen = [(p, s)]
        sentences = evidence.sentence_terms[p]
        if s + 1 < len(sentences) and sentences[s + 1] & set(query.stems) and \
                len(self.corpus.passages[p].sentences[s + 1].split()) >= _MIN_SENTENCE_WORDS:
            chosen.append((p, s + 1))
        return Extract(tuple(chosen[: self.config.extract_sentences]), score ** 0.5, covered)

    # ------------------------------------------------------------------ step 2: decide

    def decide(self, found: Findings) -> Answer:
        """Apply the thresholds to *found*: answer, clarify, small talk or abstain."""
        answer = self._decision(found)
        return replace(answer, notice=found.notice) if found.notice else answer

    def _decision(self, found: Findings) -> Answer:
        cfg = self.config
        if found.empty:
            return Answer(found.question, "abstain", EMPTY_QUESTION, 1.0, suggestions=tuple(self.examples),
                          options=self._matches_for(self.examples))
        if found.smalltalk is not None:
            return found.smalltalk
        decision = self.index.decision
        candidates = self.judged(found.candidates)
        trace = Trace(found.query.normalized, found.query.stems, tuple(candidates[:5]), found.passages, "",
                      found.context)
        if found.vague:
            if candidates:   # only a near-verbatim phrasing is a candidate here
                return self._curated(found, candidates[0], trace)
            if found.greeting is not None:
                return found.greeting
            return self._abstain(found, candidates, TOO_VAGUE, trace, "no content words")
        best = candidates[0] if candidates else None
        # A follow-up leans on the conversation, which the fitted features do not see: a lower bar.
        answer_at = (decision.answer_at + decision.clarify_at) / 2 if found.context else decision.answer_at
        close: list[Candidate] = []
        terse: list[Candidate] = []   # for bare keywords the best cannot answer alone: any half as likely
        if best is not None:
            # Entries that share the best one's question (several answers to one question) are no alternative.
            others = _distinct_questions([c for c in candidates[1:]
                                          if c.question != best.question and c.confidence >= decision.clarify_at])
            close = [c for c in others[:2] if best.confidence - c.confidence < cfg.clarify_margin]
            keywords = len(found.query.content) == len(found.query.tokens) <= 2   # "code", "context window"
            if best.confidence < answer_at and keywords:
                terse = [c for c in others[:2] if c.confidence >= best.confidence / 2]
        focus = focus_of(found.query.normalized)
        if best and focus in DECISIVE and lacks(focus, int(self.index.entry_facts[self._position[best.id]])):
            # "How much does it cost?" is never answered by an answer, or article sentences, naming no price.
            return self._abstain(found, candidates, self._not_covered, trace,
                                 f"focus: the question asks for a {focus}, the best entry's answer has none")
        if best and best.confidence >= answer_at and not close:
            return self._curated(found, best, trace)
        if best and best.confidence >= decision.clarify_at and close:
            return self._clarify(found.question, [best, *close], trace)
        if found.greeting is not None and len(found.query.content) <= 1:
            return found.greeting   # "thanks, that helped": the courtesy was the message
        extract = found.extract
        if best and best.confidence >= decision.clarify_at and terse:
            return self._clarify(found.question, [best, *terse], trace)
        if extract is not None and extract.coverage >= cfg.extract_coverage and \
                self.confidence(extract.score, extract.coverage) >= cfg.passage_threshold:
            return self._extractive(found, extract, trace)
        return self._abstain(found, candidates, self._not_covered, trace, _why_not(best, answer_at))

    def judged(self, candidates: Sequence[Candidate]) -> list[Candidate]:
        """*candidates* (best fused score first) with their fitted confidence, P(right answer)."""
        if not candidates or not candidates[0].features:
            return list(candidates)   # verbatim candidates: their similarity is their confidence
        p = self.index.decision.probability(np.asarray([c.features for c in candidates], dtype=float))
        judged = [c._replace(confidence=float(q)) for c, q in zip(candidates, p, strict=True)]
        # The answer comes from the entries about as good by fused score as the best (a near tie is the
        # decision's to break); the rest follow by confidence (for "did you mean").
        near = [c for c in judged if c.fused >= judged[0].fused - _NEAR_TIE]
        best = max(near, key=lambda c: (c.confidence, c.fused))
        return [best, *sorted((c for c in judged if c is not best), key=lambda c: (-c.confidence, -c.fused, c.id))]

    def confidence(self, score: float, coverage: float) -> float:
        """Score (0-1) discounted by how much of the question the evidence leaves unexplained."""
        power = self.config.coverage_power
        if coverage < self.config.min_coverage:
            power += 1.0
        return float(min(1.0, score * coverage ** power))

    # ------------------------------------------------------------------ composing answers

    def _curated(self, found: Findings, best: Candidate, trace: Trace) -> Answer:
        return self._entry_answer(self._entry_by_id[best.id], found.question, best.confidence, found.passage_scores,
                                  trace._replace(reason="curated entry matched"))

    def _entry_answer(self, entry: Entry, question: str, score: float, passage_scores: np.ndarray | None,
                      trace: Trace | None = None) -> Answer:
        related = self._related(entry)
        return Answer(question, "answer", entry.answer, score, self._entry_citations(entry, passage_scores),
                      Match(entry.id, entry.question, score), related, self._matches_for(related), trace=trace)

    def _clarify(self, question: str, options: Sequence[Candidate], trace: Trace) -> Answer:
        lines = "\n".join(f"{n}. {c.question}" for n, c in enumerate(options, start=1))
        matches = tuple(Match(c.id, c.question, c.confidence) for c in options)
        return Answer(question, "clarify", f"Did you mean:\n{lines}", options[0].confidence,
                      matched=matches[0], suggestions=tuple(c.question for c in options), options=matches,
                      trace=trace._replace(reason="the best candidates are too close to pick one"))

    def _extractive(self, found: Findings, extract: Extract, trace: Trace) -> Answer:
        passages = [self.corpus.passages[p] for p in dict.fromkeys(p for p, _ in extract.sentences)]
        text = " ".join(self.corpus.passages[p].sentences[s] for p, s in extract.sentences)
        return Answer(found.question, "answer", text, self.confidence(extract.score, extract.coverage),
                      tuple(self._citation(p) for p in passages),
                      trace=trace._replace(reason="article sentences matched (no curated entry fits)"))

    def _abstain(self, found: Findings, candidates: Sequence[Candidate], text: str, trace: Trace,
                 reason: str) -> Answer:
        relevant = [c for c in candidates if c.fused >= _SUGGESTION_FLOOR and c.coverage > 0]
        suggestions = [c.question for c in _distinct_questions(relevant)][: self.config.max_suggestions]
        if text == self._not_covered and relevant and relevant[0].confidence >= self.index.decision.clarify_at / 2:
            text = OFFER.format(source=self.source_name, question=relevant[0].question)
        for example in self.examples:
            if len(suggestions) >= self.config.max_suggestions:
                break
            if example not in suggestions:
                suggestions.append(example)
        top = max([c.confidence for c in candidates] + [0.0])
        return Answer(found.question, "abstain", text, round(1.0 - top, 4), suggestions=tuple(suggestions),
                      options=self._matches_for(suggestions), trace=trace._replace(reason=reason))

    @property
    def _not_covered(self) -> str:
        return NOT_COVERED.format(Source=self.source_name[:1].upper() + self.source_name[1:])

    @property
    def source_name(self) -> str:
        """What the bot calls its knowledge in replies: the corpus's ``source_name`` setting, else
        "the article" when there is one, else "the FAQ"."""
        return self.config.source_name or ("the article" if self.corpus.passages else "the FAQ")

    # ------------------------------------------------------------------ small talk

    def _smalltalk_answer(self, question: str, tokens: Sequence[str], *, openers_only: bool = False) -> Answer | None:
        best = self._best_smalltalk(" ".join(tokens), openers_only)
        if best is None:
            return None
        intent, pattern, score = best
        return Answer(question, "smalltalk", intent.reply, score, matched=Match(intent.id, pattern, score))

    def _best_smalltalk(self, utterance: str, openers_only: bool = False) -> tuple[SmallTalk, str, float] | None:
        from rapidfuzz import fuzz, process

        patterns, owners = self._openers if openers_only else self._patterns
        found = process.extractOne(utterance, patterns, scorer=fuzz.ratio, processor=None,
                                   score_cutoff=self.config.smalltalk_threshold * 100)
        if found is None:
            return None
        intent, pattern = owners[found[2]]
        return intent, pattern, found[1] / 100.0

    def _split_greeting(self, question: str, query: Analysis) -> tuple[Analysis, Answer | None]:
        """ "hi, what is an LLM?" is a question: split off a leading greeting or thanks."""
        for k in (3, 2, 1):
            if len(query.tokens) > k:
                greeting = self._smalltalk_answer(question, query.tokens[:k], openers_only=True)
                if greeting is not None:
                    rest = list(query.tokens[k:])
                    return self.index.analyzer.from_tokens(" ".join(rest), rest, query.corrections,
                                                           **self._features), greeting
        return query, None

    # ------------------------------------------------------------------ helpers

    def clip(self, question: str) -> tuple[str, str]:
        """(the question cut to ``max_question_chars``, a notice saying so or "")."""
        limit = self.config.max_question_chars
        if len(question) <= limit:
            return question, ""
        return question[:limit], f"Your question was shortened to its first {limit} characters."

    def _entry_citations(self, entry: Entry, passage_scores: np.ndarray | None) -> tuple[Citation, ...]:
        """The entry's sources, the one that best matches the question first."""
        sources = [self.index.passage_index(s) for s in entry.sources if s in self._passage_by_id]
        if passage_scores is not None and sources:
            # The author lists the main source first; a question clearly about another one promotes it.
            first = sources[0]
            sources.sort(key=lambda p: -(passage_scores[p] + (_AUTHOR_FIRST if p == first else 0.0)))
        if sources:
            return tuple(self._citation(self.corpus.passages[p]) for p in sources)
        return (Citation(entry.id, entry.question, (entry.question,), entry.answer, entry.source, entry.line,
                         entry.line),)

    @staticmethod
    def _citation(passage: Passage) -> Citation:
        return Citation(passage.id, passage.section, passage.path, passage.text, passage.source,
                        passage.start_line, passage.end_line)

    def _related(self, entry: Entry) -> tuple[str, ...]:
        return tuple(self._entry_by_id[r].question for r in entry.related if r in self._entry_by_id)

    def _matches_for(self, questions: Sequence[str]) -> tuple[Match, ...]:
        return tuple(Match(self._entry_by_question[q].id, q, 0.0) for q in questions if q in self._entry_by_question)


def _why_not(best: Candidate | None, answer_at: float) -> str:
    """The check that declined: which feature held the best candidate back, in words."""
    if best is None:
        return "no curated entry shares a word with the question"
    if best.features and best.features[4]:
        return f"focus: the question asks for a fact the best entry's answer lacks (confidence {best.confidence:.2f})"
    return f"confidence {best.confidence:.2f} is under the fitted answer threshold {answer_at:.2f}"


def _distinct_questions(candidates: Sequence[Candidate]) -> list[Candidate]:
    """The candidates, best first, keeping one per question text."""
    seen: set[str] = set()
    return [c for c in candidates if not (c.question in seen or seen.add(c.question))]   # type: ignore[func-returns-value]

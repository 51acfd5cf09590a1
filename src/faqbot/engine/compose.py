"""Turn a verdict into an Answer: the curated text or article sentences, the citations with the
passages they quote, suggestions, and the wording of declines (which comes from the corpus)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from functools import cached_property

import numpy as np

from faqbot.config import Config
from faqbot.engine.decision import Verdict, distinct_questions, extract_confidence
from faqbot.engine.findings import Extract, Findings
from faqbot.engine.index import Index
from faqbot.language.text import announced, is_code, join_sentences, normalize, split_sentences, tokenize
from faqbot.models import Answer, Candidate, Citation, Entry, Match, Passage, Trace
from faqbot.storage.columns import column_of

NOT_COVERED = "{Source} doesn't cover that, as far as I can tell."
OFFER = "I'm not sure {source} covers that. Did you mean: \u201c{question}\u201d?"
MISSING = "{Source} doesn't give {what}. It does answer \u201c{question}\u201d: want that?"
FACT_NOUNS = {"money": "price", "date": "date", "count": "figure", "place": "location", "person": "maker",
              "version": "version"}   # what a decline says is missing, by the fact kind asked for
EMPTY_QUESTION = "Please type a question about the article."
TOO_VAGUE = "Could you say a little more? I'm not sure what you are asking about."

_SUGGESTION_FLOOR = 0.15   # a candidate this weak is not worth suggesting
_AUTHOR_FIRST = 0.05       # head start of an entry's first-listed source when ordering its citations


class Composer:
    """Builds the answers of one corpus."""

    def __init__(self, index: Index, config: Config, clarify_at: float) -> None:
        """*clarify_at*: the fitted decision's bar for a "did you mean" (a decline offers at half of it)."""
        self.index = index
        self.corpus = index.corpus
        self.config = config
        self.clarify_at = clarify_at
        self._citations: dict[tuple[str, str], Citation] = {}   # memo: a curated answer cites alike each time

    def _cite(self, passage: Passage, answer: str) -> Citation:
        """``citation(passage, answer)``, remembered: picking the excerpt tokenises every sentence."""
        key = (passage.id, answer)
        found = self._citations.get(key)
        if found is None:
            if len(self._citations) > 20_000:
                self._citations.clear()
            found = self._citations[key] = citation(passage, answer)
        return found

    @property
    def source_name(self) -> str:
        """What the bot calls its knowledge in replies: the corpus's ``source_name`` setting, else
        "the article" when there is one, else "the FAQ"."""
        return self.config.source_name or ("the article" if self.corpus.passages else "the FAQ")

    def answer(self, found: Findings, verdict: Verdict) -> Answer:
        """The Answer *verdict* stands for, with the notice (e.g. of a shortened question) attached."""
        answer = self._compose(found, verdict)
        return replace(answer, notice=found.notice) if found.notice else answer

    def _compose(self, found: Findings, verdict: Verdict) -> Answer:
        trace = Trace(found.query.normalized, found.query.stems, verdict.candidates[:5], found.passages,
                      verdict.reason, found.context)
        action = verdict.action
        if action == "empty":
            examples = tuple(self.corpus.examples)
            return Answer(found.question, "abstain", EMPTY_QUESTION, 1.0, suggestions=examples)
        if action == "smalltalk" and found.smalltalk is not None:
            return found.smalltalk
        if action == "greeting" and found.greeting is not None:
            return found.greeting
        if action == "answer":
            best = verdict.chosen[0]
            entry = self.index.entry(best.id)
            if entry.implicit:
                return self._heading_answer(entry, found, best.confidence, trace)
            return self.entry_answer(entry, found.question, best.confidence, found.passage_scores, trace)
        if action == "clarify":
            return self.clarify(found.question, verdict.chosen, trace)
        if action == "chain":
            return self._chain(found, trace)
        if action == "extract" and found.extract is not None:
            return self._extractive(found, found.extract, trace)
        text = TOO_VAGUE if action == "vague" else self._not_covered
        return self._decline(found, verdict.candidates, text, trace, offer=verdict.offer, missing=verdict.missing)

    def entry_answer(self, entry: Entry, question: str, score: float, passage_scores: np.ndarray | None = None,
                     trace: Trace | None = None, *, picked: bool = False) -> Answer:
        """The curated answer of *entry*, its sources ordered by what *passage_scores* says was asked.
        *picked*: the user chose the entry (its own question is what was asked)."""
        related = tuple(self._question_of[r] for r in entry.related if r in self._question_of)
        text = entry.answer if picked else yes_no_kept(entry, question)
        return Answer(question, "answer", text, score, self._entry_citations(entry, passage_scores),
                      Match(entry.id, entry.question, score), related, trace=trace)

    def _heading_answer(self, entry: Entry, found: Findings, score: float, trace: Trace) -> Answer:
        """An implicit entry's answer: the opening of its section, unless other sentences of the section
        carry more of the question's words (then those, in order, with what a lead-in colon announces)."""
        passages = self.corpus.passages
        first = self.index.passage_index(entry.sources[0])
        section = self._section_around(first)
        evidence = self.index.evidence
        wanted = set(found.query.stems) - evidence.heading_terms[first]
        opening = len(wanted & set(self.index.analyzer.document(entry.answer).stems))
        carrying = [(p, s) for p in section for s, terms in enumerate(evidence.sentence_terms[p]) if wanted & terms]
        best = max(carrying, key=lambda ps: (len(wanted & evidence.sentence_terms[ps[0]][ps[1]]), -ps[0], -ps[1]),
                   default=None)
        if best is None or len(wanted & evidence.sentence_terms[best[0]][best[1]]) <= opening:
            answer = self.entry_answer(entry, found.question, score, found.passage_scores, trace)
            return replace(answer, citations=(self._cite(passages[first], entry.answer),))
        p, s = best
        sentences = passages[p].sentences
        chosen = [s, *announced(sentences, s)]   # with the list or code a lead-in colon announces
        if len(chosen) == 1 and s + 1 < len(sentences) and wanted & evidence.sentence_terms[p][s + 1]:
            chosen.append(s + 1)
        text = join_sentences([sentences[n] for n in chosen])
        return Answer(found.question, "answer", text, score, (citation(passages[p], text),),
                      Match(entry.id, entry.question, score), trace=trace)

    def clarify(self, question: str, options: Sequence[Candidate], trace: Trace) -> Answer:
        lines = "\n".join(f"{n}. {c.question}" for n, c in enumerate(options, start=1))
        matches = tuple(Match(c.id, c.question, c.confidence) for c in options)
        return Answer(question, "clarify", f"Did you mean:\n{lines}", options[0].confidence,
                      matched=matches[0], suggestions=tuple(c.question for c in options), options=matches,
                      trace=trace)

    def offer(self, question: str, lead: str, options: Sequence[Match]) -> Answer:
        """A "did you mean" of *options* (e.g. the runners-up after "that's not what I asked"), after *lead*."""
        lines = "\n".join(f"{n}. {o.question}" for n, o in enumerate(options, start=1))
        return Answer(question, "clarify", f"{lead} Did you mean:\n{lines}", options[0].score, matched=options[0],
                      suggestions=tuple(o.question for o in options), options=tuple(options))

    def elaborate(self, passages: Sequence[str], shown: str, question: str) -> Answer | None:
        """More from the article around a previous answer (its cited *passages*, its text *shown*): the
        rest of the first cited passage that has more to say."""
        for passage_id in passages:
            passage = self.index.passage(passage_id)
            if passage is not None:
                text = join_sentences([s for s in passage.sentences if s not in shown])
                if text:
                    return Answer(question, "answer", text, 1.0, (citation(passage, text),))
        return None

    def _chain(self, found: Findings, trace: Trace) -> Answer:
        """ "Yes." and, from each entry of the chain, the sentence stating its link, with their citations."""
        entries = [self.index.entry(e) for e, _ in found.chain]
        stems = self.index.analyzer.document
        said = []
        for entry, (_, link) in zip(entries, found.chain, strict=True):
            wanted = set(stems(link).stems)
            sentences = [s for s in split_sentences(entry.answer) if len(s.split()) >= 4] or [entry.answer]
            said.append(max(sentences, key=lambda s: (len(wanted & set(stems(s).stems)), -sentences.index(s))))
        text = " ".join(["Yes.", *said])
        # Each link cites its entry's main source, the excerpt being the sentence that states the link.
        citations = {c.id: replace(c, excerpt=excerpt(split_sentences(c.quote) or [c.quote], sentence))
                     for e, sentence in zip(entries, said, strict=True)
                     for c in self._entry_citations(e, found.passage_scores)[:1]}
        first = entries[0]
        return Answer(found.question, "answer", text, 1.0, tuple(citations.values()),
                      Match(first.id, first.question, 1.0), trace=trace)

    def _extractive(self, found: Findings, extract: Extract, trace: Trace) -> Answer:
        passages = [self.corpus.passages[p] for p in dict.fromkeys(p for p, _ in extract.sentences)]
        text = join_sentences([self.corpus.passages[p].sentences[s] for p, s in extract.sentences])
        return Answer(found.question, "answer", text, extract_confidence(extract.score, extract.coverage, self.config),
                      tuple(citation(p, text) for p in passages), trace=trace)

    def _decline(self, found: Findings, candidates: Sequence[Candidate], text: str, trace: Trace, *,
                 offer: bool = True, missing: str = "") -> Answer:
        """A decline: what is missing when the question asks for a fact the likely entry lacks, and an
        offer of that entry ("want that?", "did you mean") when the question shares a distinctive word
        with it; "You could ask" suggestions either way (a reply never picks those)."""
        relevant = [c for c in candidates if c.fused >= _SUGGESTION_FLOOR and c.coverage > 0]
        suggestions = [c.question for c in distinct_questions(relevant)][: self.config.max_suggestions]
        offered: tuple[Match, ...] = ()
        if offer and text == self._not_covered and relevant and \
                shares_distinctive_word(self.index, found, relevant[0].id, self.config.offer_max_zipf):
            best = relevant[0]
            if missing:
                what = missing_fact(self.index, found, best.question, missing)
                text = MISSING.format(Source=self._capitalised, what=what, question=best.question)
                offered = (Match(best.id, best.question, best.confidence),)
            elif best.confidence >= self.clarify_at / 2:
                text = OFFER.format(source=self.source_name, question=best.question)
                offered = (Match(best.id, best.question, best.confidence),)
        suggestions = [q for q in suggestions if all(q != o.question for o in offered)]   # offered: not again
        for example in self.corpus.examples:
            if len(suggestions) >= self.config.max_suggestions:
                break
            if example not in suggestions:
                suggestions.append(example)
        top = max([c.confidence for c in candidates] + [0.0])
        return Answer(found.question, "abstain", text, round(1.0 - top, 4), suggestions=tuple(suggestions),
                      options=offered, trace=trace)

    @property
    def _capitalised(self) -> str:
        return self.source_name[:1].upper() + self.source_name[1:]

    @property
    def _not_covered(self) -> str:
        return NOT_COVERED.format(Source=self._capitalised)

    def _entry_citations(self, entry: Entry, passage_scores: np.ndarray | None) -> tuple[Citation, ...]:
        """The entry's sources, the one that best matches the question first."""
        sources = [p for p in map(self.index.passage_position, entry.sources) if p is not None]
        if passage_scores is not None and sources:
            # The author lists the main source first; a question clearly about another one promotes it.
            first = sources[0]
            sources.sort(key=lambda p: -(passage_scores[p] + (_AUTHOR_FIRST if p == first else 0.0)))
        if sources:
            return tuple(self._cite(self.corpus.passages[p], entry.answer) for p in sources)
        return (Citation(entry.id, entry.question, (entry.question,), entry.answer, entry.source, entry.line,
                         entry.line, excerpt(split_sentences(entry.answer) or [entry.answer], entry.answer)),)

    @cached_property
    def _question_of(self) -> dict[str, str]:
        """Entry id -> its question (made on first use: a cached index decodes no entry until asked)."""
        return dict(zip(column_of(self.corpus.entries, "id"), column_of(self.corpus.entries, "question"),
                        strict=True))

    def _section_around(self, p: int) -> list[int]:
        """The passages of passage *p*'s section: the run of neighbours with its file and heading path."""
        passages = self.corpus.passages
        key = (passages[p].source, passages[p].path)
        first, last = p, p
        while first > 0 and (passages[first - 1].source, passages[first - 1].path) == key:
            first -= 1
        while last + 1 < len(passages) and (passages[last + 1].source, passages[last + 1].path) == key:
            last += 1
        return list(range(first, last + 1))


def shares_distinctive_word(index: Index, found: Findings, entry_id: str, max_zipf: float) -> bool:
    """Whether the question shares a distinctive word with the entry: a name the corpus uses, or a word
    rarer in English than *max_zipf*. "recommend me a good pizza place" shares only everyday words."""
    terms = index.evidence.entry_terms[index.entry_index(entry_id)]
    names = index.names_in(found.query)
    return any(stem in terms and (stem in names or index.analyzer.english.zipf(word) < max_zipf)
               for word, stem in zip(found.query.content, found.query.stems, strict=False))


def missing_fact(index: Index, found: Findings, offered: str, focus: str) -> str:
    """What a decline says the corpus lacks: "Midjourney's price" (the name as the *offered* question
    writes it), else "that price"."""
    noun = FACT_NOUNS.get(focus, "detail")
    names = index.names_in(found.query)
    for word, stem in zip(found.query.content, found.query.stems, strict=False):
        if stem in names:
            at = offered.casefold().find(word)
            shown = (re.match(r"[\w.\-]*\w", offered[at:]) or [word])[0] if at >= 0 else word[:1].upper() + word[1:]
            return f"{shown}\u2019s {noun}"
    return f"that {noun}"


_YES_NO = re.compile(r"(?:Yes|No)[.!]\s+")   # a sentence of its own: the rest stands without it
_NEGATION = re.compile(r"n't\b|\bnot\b")


def yes_no_kept(entry: Entry, question: str, closeness: float = 85.0) -> str:
    """*entry*'s answer, without a leading "Yes." or "No." unless *question* closely paraphrases one of
    the entry's own phrasings: a bare "No." answers only the question it was written for. A negated
    question is answered by the proposition, as English does ("Isn't X an LLM?" "Yes.")."""
    opening = _YES_NO.match(entry.answer)
    if opening is None:
        return entry.answer
    from rapidfuzz import fuzz

    asked = " ".join(_NEGATION.sub(" ", normalize(question)).split()).strip(" ?!.")
    if any(fuzz.token_sort_ratio(asked, normalize(p).strip(" ?!.")) >= closeness for p in entry.phrasings):
        return entry.answer
    rest = entry.answer[opening.end():]
    return rest[:1].upper() + rest[1:]


def citation(passage: Passage, answer: str) -> Citation:
    """A citation of *passage* for an answer whose text is *answer* (which picks its excerpt)."""
    return Citation(passage.id, passage.section, passage.path, passage.text, passage.source,
                    passage.start_line, passage.end_line, excerpt(passage.sentences or (passage.text,), answer))


def excerpt(sentences: Sequence[str], answer: str) -> str:
    """The sentence sharing most words with *answer* (the first of equals), whitespace folded; prose
    before a code block, which reads as noise folded into one line."""
    words = set(tokenize(answer))
    prose = [i for i, s in enumerate(sentences) if not is_code(s)] or range(len(sentences))
    best = max(prose, key=lambda i: (len(words & set(tokenize(sentences[i]))), -i))
    return " ".join(sentences[best].split())

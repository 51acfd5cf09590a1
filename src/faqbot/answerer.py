"""The answerer: the one object users import. It wires the steps and holds no logic of its own.

A question goes ``evidence`` (gather: candidates with their features, passages, article sentences)
→ ``decision`` (the fitted decision: answer, clarify, extract, small talk or decline, and why) →
``compose`` (the Answer: text, citations, suggestions). ``Answerer.ask`` is deterministic: the only
writes are memos (spelling corrections, stems) that change no result, and nothing is random, so the
same question always gets the same answer, in any thread, and the evaluation sees what a user sees.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from faqbot.config import Config, Weights
from faqbot.dialogue import Context, Session, Topic
from faqbot.engine.built import Built
from faqbot.engine.compose import Composer
from faqbot.engine.decision import Decision, judged
from faqbot.engine.findings import Findings
from faqbot.engine.pipeline import Engine
from faqbot.language.analysis import Analysis
from faqbot.models import Answer, Candidate, Corpus, Entry, Match, Passage
from faqbot.storage.columns import column_of

if TYPE_CHECKING:
    from os import PathLike


class Answerer:
    """Answers questions from one corpus. Thread-safe: after construction only memos fill in."""

    def __init__(self, built: Built, config: Config | None = None, *, weights: Weights | None = None) -> None:
        """*built*: a corpus built by ``faqbot.build`` (``from_corpus`` makes one); *weights*: fusion
        weights to use, by default the config's when its author set them, else the ones the fit chose
        for this corpus, else the config's defaults."""
        self.built = built
        self.index = built.index
        self.corpus: Corpus = built.corpus
        self.config: Config = config or built.corpus.config
        self._engine = Engine(built, self.config, weights)
        self.weights: Weights = self._engine.weights
        self._gatherer = self._engine.gatherer
        self._composer = Composer(built.index, self.config, built.decision.clarify_at)

    @classmethod
    def from_corpus(cls, corpus: str | PathLike[str] | Corpus | None = None, *, cache: bool = True,
                    cache_dir: str | PathLike[str] | None = None) -> Answerer:
        """An answerer for the bundled corpus (None), a corpus folder, or an already loaded Corpus.

        With *cache*, the built index is kept in the user's cache directory and reused until the
        corpus files or faqbot's version change.
        """
        from faqbot.build import load_or_build

        return cls(load_or_build(corpus, use_cache=cache, cache_dir=cache_dir))

    @classmethod
    def build(cls, corpus: str | PathLike[str] | None = None, *,
              progress: Callable[[str], None] | None = None) -> Answerer:
        """An answerer for the bundled corpus (None) or a corpus folder, built now from its files and never
        read from the cache (what ``faqbot index`` does); *progress* is called with each stage's name."""
        from faqbot.build import build_from_files
        from faqbot.corpus.files import bundled_corpus_dir

        return cls(build_from_files(bundled_corpus_dir() if corpus is None else os.fspath(corpus), progress=progress))

    def save(self, path: str) -> int:
        """Write this answerer's build to the cache file *path* (atomically); returns its size in bytes."""
        from faqbot.build import save

        return save(self.built, path)

    def with_config(self, config: Config) -> Answerer:
        """The same corpus and index, other settings (cheap: nothing is rebuilt)."""
        return Answerer(self.built, config)

    # ------------------------------------------------------------------ what the corpus offers

    def entry(self, entry_id: str) -> Entry | None:
        """The curated (or heading) entry *entry_id*, or None."""
        return self.index.entry(entry_id) if self.index.has_entry(entry_id) else None

    def passage(self, passage_id: str) -> Passage | None:
        """The article passage *passage_id*, or None."""
        return self.index.passage(passage_id)

    @property
    def decision(self) -> Decision:
        """The decision fitted to this corpus when its index was built (thresholds, weights, estimate)."""
        return self.built.decision

    @property
    def semantic_note(self) -> str:
        """Which semantic model the index was built with, or why none is used ("" when none was asked for)."""
        return self.index.meaning.note

    @property
    def notices(self) -> tuple[str, ...]:
        """What the corpus's author should know about it as loaded (e.g. a ``sources`` id an older release
        made, followed to its new passage). The library never prints them; the commands do, once."""
        return tuple(self.corpus.notices)

    @property
    def semantic_problem(self) -> str:
        """Why a semantic model that was asked for is not used ("" when it is, or none was asked for):
        it could not be loaded at build, or its encoder not when a question needed it. Answers are then
        lexical."""
        meaning = self.index.meaning
        if meaning.table is None:
            return meaning.note if meaning.asked else ""
        return meaning.table.problem

    def load_encoder(self) -> str:
        """Load the sentence encoder now rather than on the first question that needs it (``faqbot serve``
        does, at start); returns ``semantic_problem``."""
        if self.index.meaning.table is not None:
            self.index.meaning.table.embed_questions(["warm up"])
        return self.semantic_problem

    def analyse(self, text: str) -> Analysis:
        """*text* analysed as questions are: tokens, stems and features, typos corrected."""
        return self.index.analyzer.query(text)

    @property
    def title(self) -> str:
        """The article's title (its first heading), else the corpus folder's name."""
        return self.corpus.passages[0].path[0] if self.corpus.passages and self.corpus.passages[0].path \
            else self.corpus.name

    @property
    def questions(self) -> list[str]:
        """Every curated question, in corpus order (for completion and suggestions)."""
        return list(column_of(self.corpus.entries, "question"))

    @property
    def examples(self) -> list[str]:
        """A few questions to show a new user."""
        return list(self.corpus.examples)

    @property
    def source_name(self) -> str:
        """What replies call the knowledge ("the article", "the FAQ", or the corpus's own name for it)."""
        return self._composer.source_name

    # ------------------------------------------------------------------ answering

    def ask(self, question: str) -> Answer:
        """The answer to *question* on its own, with no conversation around it."""
        return self.respond(question)

    def session(self, context: Context | None = None) -> Session:
        """A conversation that remembers its previous turns (for follow-up questions), optionally
        continuing from a *context* an earlier session left (``Session.context``)."""
        return Session(self, context)

    def respond(self, question: str, topic: Topic | None = None) -> Answer:
        """The decision for *question*, optionally leaning on a previous turn's *topic*."""
        return self.decide(self.gather(question, topic))

    def gather(self, question: str, topic: Topic | None = None) -> Findings:
        """Everything the corpus says about *question*: candidates with their features, passages, sentences."""
        return self._gatherer.gather(question, topic)

    def decide(self, found: Findings) -> Answer:
        """The answer to what was *found*: the fitted decision, then the composed Answer."""
        found, verdict = self._engine.settle(found)
        return self._composer.answer(found, verdict)

    def judged(self, candidates: Sequence[Candidate]) -> list[Candidate]:
        """*candidates* with their fitted confidence, P(right answer), the one to answer first."""
        return judged(self.built.decision, candidates)

    def search(self, question: str, limit: int = 10) -> list[Match]:
        """Curated entries ranked for *question*, best first, with fused scores (0-1); no decision."""
        return self._engine.search(question, limit)

    # ------------------------------------------------------------------ what a conversation needs

    def answer_entry(self, entry_id: str, question: str, score: float = 1.0) -> Answer:
        """The curated answer of one entry (e.g. the option a user picked from a clarification)."""
        return self._composer.entry_answer(self.index.entry(entry_id), question, score, picked=True)

    def offer(self, question: str, lead: str, options: Sequence[Match]) -> Answer:
        """A "did you mean" of *options* (e.g. the runners-up after "that's not what I asked"), after *lead*."""
        return self._composer.offer(question, lead, options)

    def elaborate(self, passages: Sequence[str], shown: str, question: str) -> Answer | None:
        """More from the article around a previous answer: the rest of a cited passage (None if nothing)."""
        return self._composer.elaborate(passages, shown, question)

    def stems(self, text: str) -> tuple[str, ...]:
        """The stemmed content words of *text*, typos corrected, as questions are matched."""
        return self.index.analyzer.query(text, chars=False, wording=False).stems

    def unknown(self, text: str) -> tuple[str, ...]:
        """The content words of *text* the corpus never uses (typos corrected first)."""
        return self.index.unknown_words(self.index.analyzer.query(text, chars=False, wording=False))

    def names(self, text: str) -> frozenset[str]:
        """The names the corpus uses ("gpt", "midjourney") that *text* mentions, as stems."""
        return self.index.names_in(self.index.analyzer.query(text, chars=False, wording=False))

    def clip(self, question: str) -> tuple[str, str]:
        """(the question cut to ``max_question_chars``, a notice saying so or "")."""
        return self._gatherer.clip(question)

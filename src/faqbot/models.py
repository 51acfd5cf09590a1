"""Plain, frozen data that crosses module lines: the corpus going in, the answer coming out.

The answer side (Answer, Citation, Match) and the Corpus are frozen dataclasses. The records a
corpus is made of (Passage, Entry, SmallTalk) and those built on every question (candidates,
hits) are NamedTuples: as immutable, and several times cheaper to define, which every one-shot
`faqbot ask` pays at start-up.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

from faqbot.config import Config
from faqbot.signals import check

Kind = Literal["answer", "clarify", "smalltalk", "abstain"]
KINDS: tuple[Kind, ...] = ("answer", "clarify", "smalltalk", "abstain")


class Passage(NamedTuple):
    """A paragraph or bullet list of the article, never crossing a heading."""

    id: str
    section: str                 # the nearest heading above, exactly as written
    path: tuple[str, ...]        # headings from the top down to `section`
    text: str                    # the Markdown lines, verbatim
    start_line: int              # 1-based, inclusive
    end_line: int
    source: str                  # corpus-relative file, e.g. "article.md"
    sentences: tuple[str, ...]   # plain-text sentences (list markers removed), in order


class Entry(NamedTuple):
    """A curated question-and-answer pair (or one the article's headings imply)."""

    id: str
    question: str
    answer: str
    paraphrases: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()   # passage ids the answer rests on
    related: tuple[str, ...] = ()   # entry ids to suggest next
    source: str = "faq.yaml"        # corpus-relative file the entry was read from
    line: int = 0                   # 1-based line of the entry in that file
    implicit: bool = False          # made from a heading of the article, not written by the author
    sources_inferred: bool = False  # `sources` found by faqbot (the author named none)

    @property
    def phrasings(self) -> tuple[str, ...]:
        """The question first, then its paraphrases."""
        return (self.question, *self.paraphrases)


class SmallTalk(NamedTuple):
    """Greetings, thanks, help and the like: patterns and one fixed reply."""

    id: str
    patterns: tuple[str, ...]
    reply: str
    opener: bool = False   # may open a question ("hi, what is an LLM?"): split off, answer the rest


@dataclass(frozen=True, slots=True)
class Corpus:
    """Everything faqbot knows, loaded and validated; built once, only read afterwards."""

    name: str
    passages: Sequence[Passage]    # a tuple, or lazily decoded columns when read from a cache
    entries: Sequence[Entry]
    smalltalk: tuple[SmallTalk, ...] = ()
    aliases: tuple[tuple[str, str], ...] = ()   # (variant, canonical), both normalised
    classes: tuple[tuple[str, str, str], ...] = ()   # (thing, class, entry stating it): "Claude 3" is an "LLM"
    config: Config = field(default_factory=Config)
    examples: tuple[str, ...] = ()              # questions to show a new user
    signature: tuple[tuple[str, int, int], ...] = ()   # (file, size, CRC-32) when it was read
    root: str = ""                              # the folder it was read from
    notices: tuple[str, ...] = ()               # what the author should know: e.g. a source id followed to its new id
    out_of_scope: tuple[str, ...] = ()          # questions the author wants declined (out_of_scope.yaml)


@dataclass(frozen=True, slots=True)
class Citation:
    """Where an answer comes from: a passage of the article, or a curated entry when there is none."""

    id: str
    section: str
    path: tuple[str, ...]
    quote: str
    source: str
    start_line: int
    end_line: int
    excerpt: str = ""   # the sentence of `quote` that best backs the answer: what a reader is shown first

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "section": self.section, "path": list(self.path), "quote": self.quote,
                "excerpt": self.excerpt, "source": self.source, "start_line": self.start_line,
                "end_line": self.end_line}


@dataclass(frozen=True, slots=True)
class Match:
    """A curated entry (or small-talk intent) and how well it matched, 0-1."""

    id: str
    question: str
    score: float

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "question": self.question, "score": round(self.score, 4)}


class Candidate(NamedTuple):
    """One curated entry's evidence for a question: every signal, so answers can be explained."""

    id: str
    question: str
    char: float
    word: float
    wording: float
    qa: float
    fuzzy: float
    fused: float
    coverage: float
    confidence: float                 # P(this entry is the right answer), from the fitted decision
    features: tuple[float, ...] = ()  # the decision's inputs, named by faqbot.signals.FEATURES


check("Candidate", Candidate._fields[2:7])


class OfferOutcome(NamedTuple):
    """What a reader did with an offer ("Did you mean ...?"): for the unanswered log and `faqbot review`."""

    question: str     # the question that got the offer
    entry: str        # the entry offered (taken, or the first refused)
    taken: bool


class PassageHit(NamedTuple):
    """A passage's TF-IDF score for a question, and how much of the question it covers."""

    id: str
    section: str
    score: float
    coverage: float


class Trace(NamedTuple):
    """Why an answer was chosen: the query as matched and the top candidates of each kind."""

    normalized: str
    terms: tuple[str, ...]
    candidates: tuple[Candidate, ...]
    passages: tuple[PassageHit, ...]
    reason: str
    context: str = ""


@dataclass(frozen=True, slots=True)
class Answer:
    """The decision for one question. `to_dict()` is the stable JSON schema."""

    question: str
    kind: Kind
    text: str
    confidence: float
    citations: tuple[Citation, ...] = ()
    matched: Match | None = None
    suggestions: tuple[str, ...] = ()   # questions to try next ("Related", "You could ask"); never picked by a reply
    options: tuple[Match, ...] = ()     # what a reply can pick: a clarification's entries, or the one a decline offers
    notice: str = ""                    # e.g. that a long question was shortened
    trace: Trace | None = None
    outcome: OfferOutcome | None = None  # a reply to an offer: which question's offer it took or refused

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "kind": self.kind,
            "text": self.text,
            "confidence": round(self.confidence, 4),
            "citations": [c.to_dict() for c in self.citations],
            "matched": None if self.matched is None else self.matched.to_dict(),
            "suggestions": list(self.suggestions),
            "options": [o.to_dict() for o in self.options],
        }

"""What building a corpus makes: its index, its small-talk patterns analysed as questions are, and the
decision fitted to it. ``faqbot.build`` makes and caches one; the answerer answers from one."""

from __future__ import annotations

from typing import Any

import numpy as np

from faqbot.engine.decision import DEFAULT, Decision
from faqbot.engine.index import Index
from faqbot.models import Corpus


class Built:
    """One corpus, built: read-only after construction. (A plain class with slots: a dataclass costs a
    one-shot ``faqbot ask`` half a millisecond to define.)"""

    __slots__ = ("index", "smalltalk", "decision")

    def __init__(self, index: Index, smalltalk: tuple[tuple[str, ...], ...], decision: Decision = DEFAULT) -> None:
        self.index = index
        self.smalltalk = smalltalk   # each small-talk intent's patterns, analysed like questions
        self.decision = decision     # fitted by faqbot.engine.fit after the build

    @classmethod
    def of(cls, index: Index, decision: Decision = DEFAULT) -> Built:
        """*index* with its small talk analysed, and *decision*."""
        document = index.analyzer.document
        smalltalk = tuple(tuple(" ".join(document(p).tokens) for p in intent.patterns)
                          for intent in index.corpus.smalltalk)
        return cls(index, smalltalk, decision)

    @property
    def corpus(self) -> Corpus:
        return self.index.corpus

    def with_index(self, index: Index) -> Built:
        """Another index of the same corpus (a fold of the fit) with this small talk and decision."""
        return Built(index, self.smalltalk, self.decision)

    def with_decision(self, decision: Decision) -> Built:
        """The same build with another decision (the arrays are shared, not copied)."""
        return Built(self.index, self.smalltalk, decision)

    def to_parts(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """(settings, arrays) for the cache: each part saves its own."""
        meta, arrays = self.index.to_parts()
        return {"index": meta, "decision": self.decision.to_dict(),
                "smalltalk": [list(p) for p in self.smalltalk]}, arrays

    @classmethod
    def from_parts(cls, meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> Built:
        """The build ``to_parts`` saved; ValueError (or KeyError, TypeError) when it is damaged."""
        index = Index.from_parts(meta["index"], arrays)
        patterns = meta["smalltalk"]
        if not isinstance(patterns, list) or \
                not all(isinstance(p, list) and all(isinstance(t, str) for t in p) for p in patterns) or \
                [len(p) for p in patterns] != [len(s.patterns) for s in index.corpus.smalltalk]:
            raise ValueError("small-talk patterns that do not fit the corpus")
        return cls(index, tuple(tuple(p) for p in patterns), Decision.from_dict(meta["decision"]))

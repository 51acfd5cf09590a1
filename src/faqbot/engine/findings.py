"""What the engine is handed about a question (``Topic``: the conversation it leans on) and what the
evidence step hands the decision and the composer (``Findings``): plain data, no index."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from faqbot.language.analysis import Analysis
from faqbot.models import Answer, Candidate, PassageHit


class Extract(NamedTuple):
    """The article sentences that best answer a question: (passage index, sentence index) pairs."""

    sentences: tuple[tuple[int, int], ...]
    score: float       # sqrt of the best passage's TF-IDF score
    coverage: float    # share of the question's content words the sentences (and headings) contain


class Findings(NamedTuple):
    """Everything gathered about one question; threshold-free."""

    question: str
    query: Analysis
    candidates: tuple[Candidate, ...]        # best by fused score; `confidence` filled in by the decision
    passages: tuple[PassageHit, ...]
    passage_scores: np.ndarray
    extract: Extract | None
    smalltalk: Answer | None = None          # the whole message was small talk
    greeting: Answer | None = None           # it started with small talk ("thanks, ...")
    notice: str = ""
    context: str = ""
    empty: bool = False                      # nothing to match at all
    vague: bool = False                      # no content word (or only numbers)
    chain: tuple[tuple[str, str], ...] = ()  # "is X a Y?": (entry, "thing class") of each link, in order
    focus: str = ""                          # the kind of fact asked for (``faqbot.language.focus``), "" if none
    asked_as: str | None = None              # the entry one of whose phrasings the question is, word for word


class Topic(NamedTuple):
    """What one follow-up leans on: the previous turn's topic, as text, and its weight."""

    text: str
    weight: float
    keep_topic: bool = False   # "who makes it?": only entries about the previous topic may answer
    judge_with_topic: bool = False   # judge the question as it stands with the topic's words ("examples?")

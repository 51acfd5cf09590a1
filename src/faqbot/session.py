"""A conversation: follow-up questions lean on the previous turn; a clarification can be answered by number.

Pure logic: the only state is this object's own, and nothing is printed or written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from faqbot.answerer import Context
from faqbot.models import Answer, Match
from faqbot.text import normalize, tokenize

if TYPE_CHECKING:
    from faqbot.answerer import Answerer

_FOLLOWUP_OPENERS = ("and", "what about", "how about", "also", "then", "so", "but", "ok and", "okay and")
_ANAPHORA = frozenset("it its it's they them their theirs this that these those one ones he she him her "
                      "there such same both either".split())
_MORE = frozenset({"more", "tell me more", "more please", "go on", "continue", "elaborate", "more details",
                   "details", "explain more", "say more", "and", "keep going", "expand", "more info",
                   "tell me more about it", "tell me more about that", "can you elaborate", "more about that"})
_ORDINALS = {"first": 1, "1st": 1, "one": 1, "second": 2, "2nd": 2, "two": 2, "third": 3, "3rd": 3, "three": 3,
             "last": -1, "the first": 1, "the second": 2, "the third": 3, "the last": -1}
_NUMBER = re.compile(r"^\s*(?:#|no\.?\s*|number\s*|option\s*)?(\d{1,2})\s*[.)!]?\s*$", re.IGNORECASE)


@dataclass(slots=True)
class _State:
    topic: str = ""                       # the text a follow-up leans on
    options: tuple[Match, ...] = ()       # the choices of a pending clarification
    last: Answer | None = None            # the last grounded answer (for "tell me more")


class Session:
    """One conversation with an :class:`Answerer`. Not shared between users; cheap to create."""

    def __init__(self, answerer: Answerer) -> None:
        self._bot = answerer
        self._state = _State()

    def ask(self, question: str) -> Answer:
        """The answer to *question* in the light of the conversation so far."""
        answer = self._answer(question)
        self._remember(answer)
        return answer

    def reset(self) -> None:
        """Forget the conversation."""
        self._state = _State()

    @property
    def topic(self) -> str:
        """What a follow-up question would currently lean on ("" when nothing)."""
        return self._state.topic

    def _answer(self, question: str) -> Answer:
        state = self._state
        if state.options:
            picked = self._pick_option(question, state.options)
            if picked is not None:
                return self._bot.answer_entry(picked.id, question, max(picked.score, 0.5))
        if state.last is not None and normalize(question).strip(" ?!.") in _MORE:
            more = self._bot.elaborate(state.last, question)
            if more is not None:
                return more
        standalone = self._bot.respond(question)
        if not state.topic or standalone.kind == "smalltalk":
            return standalone
        if standalone.kind == "answer" and not _looks_like_followup(question):
            return standalone
        weight = self._bot.config.pronoun_weight if _has_pronoun(question) else self._bot.config.followup_weight
        contextual = self._bot.respond(question, Context(state.topic, weight))
        if contextual.kind == "answer" or (contextual.kind == "clarify" and standalone.kind == "abstain"):
            return contextual
        return standalone

    def _remember(self, answer: Answer) -> None:
        state = self._state
        if answer.kind == "clarify":
            state.options = answer.options
            return
        state.options = ()
        if answer.kind == "answer":
            state.topic = answer.matched.question if answer.matched else answer.question
            state.last = answer

    @staticmethod
    def _pick_option(reply: str, options: tuple[Match, ...]) -> Match | None:
        """The option a reply to "Did you mean ...?" chooses: by number, ordinal or words, else None."""
        text = normalize(reply).strip(" ?!.")
        number = _NUMBER.match(text)
        n = int(number.group(1)) if number else _ORDINALS.get(text.removeprefix("the ").strip())
        if n is not None:
            if n == -1:
                return options[-1]
            return options[n - 1] if 1 <= n <= len(options) else None
        return _option_by_words(text, options)


def _option_by_words(text: str, options: tuple[Match, ...]) -> Match | None:
    """The single option that shares clearly more of the reply's words than any other."""
    words = set(tokenize(text))
    if not words or len(words) > 8:
        return None
    overlaps = [(len(words & set(tokenize(o.question))) / len(words), i) for i, o in enumerate(options)]
    overlaps.sort(reverse=True)
    best, second = overlaps[0], overlaps[1] if len(overlaps) > 1 else (0.0, -1)
    if best[0] >= 0.5 and best[0] > second[0]:
        return replace(options[best[1]])
    return None


def _looks_like_followup(question: str) -> bool:
    """Starts like "and ...?" / "what about ...?" or leans on a pronoun ("is it open source?")."""
    text = " ".join(tokenize(question))
    return any(text == o or text.startswith(o + " ") for o in _FOLLOWUP_OPENERS) or _has_pronoun(question)


def _has_pronoun(question: str) -> bool:
    """ "who makes it?": the question is about the previous turn's topic."""
    return bool(_ANAPHORA & set(tokenize(question)))

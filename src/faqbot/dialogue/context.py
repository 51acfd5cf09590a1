"""What a conversation remembers between turns, and what a follow-up leans on.

``Context`` is the whole memory of a conversation: small, immutable, versioned and JSON-serialisable,
so a chat keeps it in a ``Session`` and an HTTP service can hand it to its client and take it back
with the next question (any worker can answer any turn). ``Topic`` is what one follow-up question
leans on when it is answered. Pure data and functions: nothing is printed or written.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from faqbot.engine.findings import Topic
from faqbot.language.text import POINTERS, PRONOUNS, leans_on_context
from faqbot.models import Answer, Match

__all__ = ["POINTERS", "PRONOUNS", "Context", "Topic", "leans_on_context", "remember"]


@dataclass(frozen=True, slots=True)
class Context:
    """Everything a conversation remembers between turns."""

    topic: str = ""                         # the question the last answer answered: what follow-ups lean on
    options: tuple[Match, ...] = ()         # the pending offer: what "yes", "2" or "the second one" can pick
    passages: tuple[str, ...] = ()          # passage ids the last answer cited ("tell me more")
    shown: str = ""                         # the last answer's text (what "tell me more" does not repeat)
    runners_up: tuple[Match, ...] = ()      # the entries that came close to the last answer ("that's wrong")
    offered_for: str = ""                   # the question the pending offer answered (for `faqbot review`)

    VERSION = 1

    def to_dict(self) -> dict[str, Any]:
        return {"version": self.VERSION, "topic": self.topic, "options": [m.to_dict() for m in self.options],
                "passages": list(self.passages), "shown": self.shown,
                "runners_up": [m.to_dict() for m in self.runners_up], "offered_for": self.offered_for}

    @classmethod
    def from_dict(cls, data: Any) -> Context:
        """The context ``to_dict`` made; ValueError for anything else (another version included)."""
        if not isinstance(data, dict) or data.get("version") != cls.VERSION:
            raise ValueError("not a faqbot conversation context of this version")
        texts = [data.get("topic", ""), data.get("shown", ""), data.get("offered_for", ""), *data.get("passages", [])]
        if not all(isinstance(t, str) for t in texts):
            raise ValueError("a conversation context holds texts where texts belong")
        return cls(data.get("topic", ""), _matches(data.get("options", [])), tuple(data.get("passages", [])),
                   data.get("shown", ""), _matches(data.get("runners_up", [])), data.get("offered_for", ""))


def _matches(items: Any) -> tuple[Match, ...]:
    if not isinstance(items, list) or not all(isinstance(m, dict) and isinstance(m.get("id"), str) and
                                              isinstance(m.get("question"), str) and
                                              isinstance(m.get("score", 0), int | float) for m in items):
        raise ValueError("bad options in a conversation context")
    return tuple(Match(m["id"], m["question"], float(m.get("score", 0))) for m in items)


def remember(context: Context, answer: Answer) -> Context:
    """The context after *answer* was given.

    An offer (a clarification's options, or the one entry a decline offers) stays pending for one
    turn. Small talk and declines keep the topic, so "and music?" after "thanks" still follows the
    answer before it. A clarification's runners-up are its own options."""
    offered_for = answer.question if answer.options else ""
    if answer.kind == "clarify":
        options = tuple(_rounded(m) for m in answer.options)
        return replace(context, options=options, runners_up=options,
                       offered_for=context.offered_for if answer.outcome else offered_for)
    if answer.kind != "answer":
        return replace(context, options=tuple(_rounded(m) for m in answer.options), offered_for=offered_for)
    chosen = answer.matched.id if answer.matched else ""
    close = [c for c in (answer.trace.candidates if answer.trace else ()) if c.id != chosen and c.fused > 0]
    return Context(topic=answer.matched.question if answer.matched else answer.question,
                   passages=tuple(c.id for c in answer.citations), shown=answer.text,
                   runners_up=tuple(_rounded(Match(c.id, c.question, c.confidence)) for c in close[:3]))


def _rounded(match: Match) -> Match:
    """*match* with its score as JSON carries it, so a context survives a round trip unchanged."""
    return Match(match.id, match.question, round(match.score, 4))

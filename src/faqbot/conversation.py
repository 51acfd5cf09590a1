"""A conversation: what a follow-up needs from the turns before it, and the session that keeps it.

``Context`` is the whole memory of a conversation: small, immutable, versioned and JSON-serialisable,
so a chat keeps it in a ``Session`` and an HTTP service can hand it to its client and take it back
with the next question (any worker can answer any turn). ``Topic`` is what one follow-up question
leans on when it is answered. Pure logic: nothing is printed or written.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, NamedTuple

from faqbot.models import Answer, Match
from faqbot.text import content_words, normalize, tokenize

if TYPE_CHECKING:
    from faqbot.answerer import Answerer

PRONOUNS: frozenset[str] = frozenset("it its itself they them their theirs themselves he she him her".split())
"""Personal pronouns: alone, a question with one means little ("who makes it?")."""
POINTERS: frozenset[str] = PRONOUNS | frozenset("this that these those one ones there such same both either".split())
"""Every word that may point back at a previous turn; "which one should I use?" still stands alone."""

WRONG = "wrong"   # the small-talk intent of "that's not what I asked": offer the runners-up
_MORE = frozenset({"more", "tell me more", "more please", "go on", "continue", "elaborate", "more details",
                   "details", "explain more", "say more", "and", "keep going", "expand", "more info",
                   "tell me more about it", "tell me more about that", "can you elaborate", "more about that"})
_ORDINALS = {f"{prefix}{word}{suffix}": n
             for word, n in (("first", 1), ("1st", 1), ("one", 1), ("second", 2), ("2nd", 2), ("two", 2),
                             ("third", 3), ("3rd", 3), ("three", 3), ("last", -1))
             for prefix in ("", "the ") for suffix in ("", " one", " option", " please")}
_ASKS_ITSELF = re.compile(r"(?:what|which|who|whom|whose|how|why|where|when|is|are|was|were|does|do|did)\b")
_SHIFT = re.compile(r"(?:and|but|what about|how about|what of|and what about|now)\b")   # "and music?"
_NUMBER = re.compile(r"^\s*(?:#|no\.?\s*|number\s*|option\s*)?(\d{1,2})\s*[.)!]?\s*$", re.IGNORECASE)


def leans_on_context(tokens: Sequence[str], pointers: frozenset[str] = PRONOUNS) -> bool:
    """True for a question that means little without the previous turn: one of *pointers* and at most
    two content words."""
    return not pointers.isdisjoint(tokens) and len(content_words(tokens)) <= 2


class Topic(NamedTuple):
    """What one follow-up leans on: the previous turn's topic, as text, and its weight."""

    text: str
    weight: float
    keep_topic: bool = False   # "who makes it?": only entries about the previous topic may answer
    judge_with_topic: bool = False   # judge the question as it stands with the topic's words ("examples?")


@dataclass(frozen=True, slots=True)
class Context:
    """Everything a conversation remembers between turns."""

    topic: str = ""                         # the question the last answer answered: what follow-ups lean on
    options: tuple[Match, ...] = ()         # the choices of a pending "did you mean"
    passages: tuple[str, ...] = ()          # passage ids the last answer cited ("tell me more")
    shown: str = ""                         # the last answer's text (what "tell me more" does not repeat)
    runners_up: tuple[Match, ...] = ()      # the entries that came close to the last answer ("that's wrong")

    VERSION = 1

    def to_dict(self) -> dict[str, Any]:
        return {"version": self.VERSION, "topic": self.topic, "options": [m.to_dict() for m in self.options],
                "passages": list(self.passages), "shown": self.shown,
                "runners_up": [m.to_dict() for m in self.runners_up]}

    @classmethod
    def from_dict(cls, data: Any) -> Context:
        """The context ``to_dict`` made; ValueError for anything else (another version included)."""
        if not isinstance(data, dict) or data.get("version") != cls.VERSION:
            raise ValueError("not a faqbot conversation context of this version")
        texts = [data.get("topic", ""), data.get("shown", ""), *data.get("passages", [])]
        if not all(isinstance(t, str) for t in texts):
            raise ValueError("a conversation context holds texts where texts belong")
        return cls(data.get("topic", ""), _matches(data.get("options", [])), tuple(data.get("passages", [])),
                   data.get("shown", ""), _matches(data.get("runners_up", [])))


def _matches(items: Any) -> tuple[Match, ...]:
    if not isinstance(items, list) or not all(isinstance(m, dict) and isinstance(m.get("id"), str) and
                                              isinstance(m.get("question"), str) and
                                              isinstance(m.get("score", 0), int | float) for m in items):
        raise ValueError("bad options in a conversation context")
    return tuple(Match(m["id"], m["question"], float(m.get("score", 0))) for m in items)


def remember(context: Context, answer: Answer) -> Context:
    """The context after *answer* was given."""
    if answer.kind == "clarify":
        return replace(context, options=tuple(_rounded(m) for m in answer.options))
    if answer.kind != "answer":
        return replace(context, options=())
    chosen = answer.matched.id if answer.matched else ""
    close = [c for c in (answer.trace.candidates if answer.trace else ()) if c.id != chosen and c.fused > 0]
    return Context(topic=answer.matched.question if answer.matched else answer.question,
                   passages=tuple(c.id for c in answer.citations), shown=answer.text,
                   runners_up=tuple(_rounded(Match(c.id, c.question, c.confidence)) for c in close[:3]))


def _rounded(match: Match) -> Match:
    """*match* with its score as JSON carries it, so a context survives a round trip unchanged."""
    return Match(match.id, match.question, round(match.score, 4))


class Session:
    """One conversation with an :class:`Answerer`. Not shared between users; cheap to create.

    It uses only the answerer's public methods, so it works the same in a chat and, with the context
    travelling through a client, over HTTP."""

    def __init__(self, answerer: Answerer, context: Context | None = None) -> None:
        self._bot = answerer
        self.context = context or Context()

    def ask(self, question: str) -> Answer:
        """The answer to *question* in the light of the conversation so far."""
        answer = self._answer(question)
        self.context = remember(self.context, answer)
        return answer

    def reset(self) -> None:
        """Forget the conversation."""
        self.context = Context()

    @property
    def topic(self) -> str:
        """What a follow-up question would currently lean on ("" when nothing)."""
        return self.context.topic

    def _answer(self, question: str) -> Answer:
        context, bot = self.context, self._bot
        short = bot.clip(question)[0]   # a megabyte of text is never a choice or "tell me more"
        standalone: Answer | None = None
        if context.options:
            picked = self._pick_option(short, context.options)
            if picked is not None:
                standalone = self._as_new_question(short, question, context.options)
                if standalone is None:
                    return bot.answer_entry(picked.id, question, max(picked.score, 0.5))
        if context.passages and normalize(short).strip(" ?!.") in _MORE:
            more = bot.elaborate(context.passages, context.shown, question)
            if more is not None:
                return more
        if standalone is None:
            standalone = bot.respond(question)
        if standalone.kind == "smalltalk" and standalone.matched is not None and standalone.matched.id == WRONG:
            return bot.offer(question, standalone.text, context.runners_up) if context.runners_up else standalone
        if not context.topic or standalone.kind == "smalltalk":
            return standalone
        tokens = tokenize(short)
        pointing, leans_back = not POINTERS.isdisjoint(tokens), leans_on_context(tokens, POINTERS)
        # "give me some examples" names nothing: the conversation says examples of what ("and music?"
        # moves to another topic instead, "what is generative AI?" asks its own question).
        generic = (not leans_back and len(bot.stems(short)) <= 2 and not bot.names(short)
                   and not _SHIFT.match(normalize(short)) and not _ASKS_ITSELF.match(normalize(short)))
        if standalone.kind == "answer" and standalone.matched is not None and not leans_back and not generic:
            return standalone   # a question that a curated entry answers on its own is answered as if asked fresh
        weight = bot.config.pronoun_weight if pointing else bot.config.followup_weight
        contextual = bot.respond(question, Topic(context.topic, weight, keep_topic=leans_back,
                                                 judge_with_topic=leans_back or generic))
        if leans_back:
            return contextual   # "who makes it?" means nothing on its own: never answer it out of context
        if generic and standalone.kind == "answer" and standalone.matched is not None:
            return contextual if contextual.kind == "answer" and contextual.matched is not None else standalone
        if standalone.kind == "clarify":
            # The conversation may settle which option was meant; otherwise ask, as if asked fresh.
            options = {o.id for o in standalone.options}
            settled = (contextual.kind == "answer" and contextual.matched is not None
                       and contextual.matched.id in options)
            return contextual if settled else standalone
        if standalone.kind == "answer":   # only article sentences: a curated answer in context is better
            return contextual if contextual.kind == "answer" and contextual.matched is not None else standalone
        return contextual if contextual.kind in ("answer", "clarify") else standalone

    def _pick_option(self, reply: str, options: tuple[Match, ...]) -> Match | None:
        """The option a reply to "Did you mean ...?" chooses: by number, ordinal or words, else None."""
        text = normalize(reply).strip(" ?!.")
        number = _NUMBER.match(text)
        n = int(number.group(1)) if number else _ORDINALS.get(text)
        if n is not None:
            if n == -1:
                return options[-1]
            return options[n - 1] if 1 <= n <= len(options) else None
        return self._option_by_words(reply, options)

    def _as_new_question(self, short: str, reply: str, options: tuple[Match, ...]) -> Answer | None:
        """The reply's own answer when it is a question of its own, else None (it chose an option).

        "what is an llm" after "Did you mean ... Can LLMs generate code?" is one: asked fresh, it is
        answered by an entry that was not offered. "2" or "the tools one" is not."""
        if _NUMBER.match(normalize(short).strip(" ?!.")):
            return None
        fresh = self._bot.respond(reply)
        offered = {o.id for o in options}
        new = fresh.kind == "answer" and fresh.matched is not None and fresh.matched.id not in offered
        return fresh if new else None

    def _option_by_words(self, reply: str, options: tuple[Match, ...]) -> Match | None:
        """The one option containing more of the reply's content words than any other ("the LLM ones")."""
        words = set(self._bot.stems(reply))
        if not words or len(tokenize(reply)) > 8:   # a longer reply is a new question
            return None
        shared = sorted(((len(words & set(self._bot.stems(o.question))), i) for i, o in enumerate(options)),
                        reverse=True)
        (best, index), runner_up = shared[0], shared[1][0] if len(shared) > 1 else 0
        return options[index] if best >= max(1, len(words) / 2) and best > runner_up else None

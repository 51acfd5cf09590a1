"""A conversation: follow-up questions lean on the previous turn; a clarification can be answered by number.

Pure logic: the only state is this object's own, and nothing is printed or written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from faqbot.answerer import Context
from faqbot.models import Answer, Match
from faqbot.text import POINTERS, leans_on_context, normalize, tokenize

if TYPE_CHECKING:
    from faqbot.answerer import Answerer

_MORE = frozenset({"more", "tell me more", "more please", "go on", "continue", "elaborate", "more details",
                   "details", "explain more", "say more", "and", "keep going", "expand", "more info",
                   "tell me more about it", "tell me more about that", "can you elaborate", "more about that"})
_ORDINALS = {f"{prefix}{word}{suffix}": n
             for word, n in (("first", 1), ("1st", 1), ("one", 1), ("second", 2), ("2nd", 2), ("two", 2),
                             ("third", 3), ("3rd", 3), ("three", 3), ("last", -1))
             for prefix in ("", "the ") for suffix in ("", " one", " option", " please")}
WRONG = "wrong"   # the small-talk intent of "that's not what I asked": offer the runners-up
_NUMBER = re.compile(r"^\s*(?:#|no\.?\s*|number\s*|option\s*)?(\d{1,2})\s*[.)!]?\s*$", re.IGNORECASE)


@dataclass(slots=True)
class _State:
    topic: str = ""                       # the text a follow-up leans on
    options: tuple[Match, ...] = ()       # the choices of a pending clarification
    last: Answer | None = None            # the last grounded answer (for "tell me more")
    runners_up: tuple[Match, ...] = ()    # the entries that came close to the last answer ("that's wrong")


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
        short = self._bot.clip(question)[0]   # a megabyte of text is never a choice or "tell me more"
        standalone: Answer | None = None
        if state.options:
            picked = self._pick_option(short, state.options)
            if picked is not None:
                standalone = self._as_new_question(short, question, state.options)
                if standalone is None:
                    return self._bot.answer_entry(picked.id, question, max(picked.score, 0.5))
        if state.last is not None and normalize(short).strip(" ?!.") in _MORE:
            more = self._bot.elaborate(state.last, question)
            if more is not None:
                return more
        if standalone is None:
            standalone = self._bot.respond(question)
        if standalone.kind == "smalltalk" and standalone.matched is not None and standalone.matched.id == WRONG:
            return self._bot.offer(question, standalone.text, state.runners_up) if state.runners_up else standalone
        if not state.topic or standalone.kind == "smalltalk":
            return standalone
        tokens = tokenize(short)
        pointing, leans_back = not POINTERS.isdisjoint(tokens), leans_on_context(tokens, POINTERS)
        if standalone.kind == "answer" and standalone.matched is not None and not leans_back:
            return standalone   # a question that a curated entry answers on its own is answered as if asked fresh
        weight = self._bot.config.pronoun_weight if pointing else self._bot.config.followup_weight
        contextual = self._bot.respond(question, Context(state.topic, weight, keep_topic=leans_back))
        if leans_back:
            return contextual   # "who makes it?" means nothing on its own: never answer it out of context
        if standalone.kind == "clarify":
            # The conversation may settle which option was meant; otherwise ask, as if asked fresh.
            options = {o.id for o in standalone.options}
            settled = (contextual.kind == "answer" and contextual.matched is not None
                       and contextual.matched.id in options)
            return contextual if settled else standalone
        if standalone.kind == "answer":   # only article sentences: a curated answer in context is better
            return contextual if contextual.kind == "answer" and contextual.matched is not None else standalone
        return contextual if contextual.kind in ("answer", "clarify") else standalone

    def _remember(self, answer: Answer) -> None:
        state = self._state
        if answer.kind == "clarify":
            state.options = answer.options
            return
        state.options = ()
        if answer.kind == "answer":
            state.topic = answer.matched.question if answer.matched else answer.question
            state.last = answer
            chosen = answer.matched.id if answer.matched else ""
            close = [c for c in (answer.trace.candidates if answer.trace else ()) if c.id != chosen and c.fused > 0]
            state.runners_up = tuple(Match(c.id, c.question, c.confidence) for c in close[:3])

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
        analyzer = self._bot.index.analyzer
        query = analyzer.query(reply, chars=False, wording=False)   # stems are all it needs
        words = set(query.stems)
        if not words or len(query.tokens) > 8:   # a longer reply is a new question
            return None
        shared = sorted(((len(words & set(analyzer.document(o.question).stems)), i) for i, o in enumerate(options)),
                        reverse=True)
        (best, index), runner_up = shared[0], shared[1][0] if len(shared) > 1 else 0
        return options[index] if best >= max(1, len(words) / 2) and best > runner_up else None

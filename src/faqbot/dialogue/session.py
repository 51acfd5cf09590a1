"""A conversation: the Session that keeps the context and applies the reply rules.

Each turn is read in order: a reply to a pending offer (affirm, affirm and ask on, refuse, pick an
option), "tell me more", a bare "yes" or "no" with nothing pending, and otherwise a question, asked
on its own and, when it leans on the previous turn, in the light of that turn's topic. Small talk
never repeats the previous answer and keeps its topic. Nothing is printed or written.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING, Protocol

from faqbot.dialogue.context import POINTERS, Context, Topic, leans_on_context, remember
from faqbot.dialogue.replies import Reply, read_reply
from faqbot.language.text import normalize, tokenize
from faqbot.models import Answer, Match, OfferOutcome

if TYPE_CHECKING:
    from collections.abc import Sequence

    from faqbot.config import Config

WRONG = "wrong"   # the small-talk intent of "that's not what I asked": offer the runners-up
NOTHING_PENDING = "nothing-pending"   # the reply to a bare "yes" or "no" when nothing was offered
REFUSED = "refused"                   # the reply to "no" when nothing else is left to offer

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


class Bot(Protocol):
    """What a Session needs of the answerer (``faqbot.answerer.Answerer`` is one): the dialogue sits
    below the facade and drives it through this interface only."""

    config: Config

    @property
    def source_name(self) -> str: ...
    def respond(self, question: str, topic: Topic | None = None) -> Answer: ...
    def answer_entry(self, entry_id: str, question: str, score: float = 1.0) -> Answer: ...
    def offer(self, question: str, lead: str, options: Sequence[Match]) -> Answer: ...
    def elaborate(self, passages: Sequence[str], shown: str, question: str) -> Answer | None: ...
    def stems(self, text: str) -> tuple[str, ...]: ...
    def names(self, text: str) -> frozenset[str]: ...
    def unknown(self, text: str) -> tuple[str, ...]: ...
    def clip(self, question: str) -> tuple[str, str]: ...


class Session:
    """One conversation with an :class:`Answerer`. Not shared between users; cheap to create.

    It uses only the answerer's public methods, so it works the same in a chat and, with the context
    travelling through a client, over HTTP."""

    def __init__(self, answerer: Bot, context: Context | None = None) -> None:
        self._bot = answerer
        self.context = context or Context()

    def ask(self, question: str) -> Answer:
        """The answer to *question* in the light of the conversation so far."""
        answer = self._answer(question, self.context)
        self.context = remember(self.context, answer)
        return answer

    def reset(self) -> None:
        """Forget the conversation."""
        self.context = Context()

    @property
    def topic(self) -> str:
        """What a follow-up question would currently lean on ("" when nothing)."""
        return self.context.topic

    # ------------------------------------------------------------------ the rules, in order

    def _answer(self, question: str, context: Context) -> Answer:
        short = self._bot.clip(question)[0]   # a megabyte of text is never a choice or "tell me more"
        reply = read_reply(short) if len(short) <= 200 else Reply(None)   # a long message is never "yes"
        standalone: Answer | None = None   # the question's own answer, when a reply to an offer needed it
        if context.options:
            taken, standalone = self._to_offer(question, short, reply, context)
            if taken is not None:
                return taken
        elif reply.says is not None and not reply.question:
            return self._nothing_pending(question, reply.says)
        elif reply.says is not None:
            return self._in_context(reply.question, context)   # "no, I meant the price": the question
        more = self._more(question, short, context) if standalone is None else None
        return more if more is not None else self._in_context(question, context, standalone)

    def _to_offer(self, question: str, short: str, reply: Reply,
                  context: Context) -> tuple[Answer | None, Answer | None]:
        """(the answer to a reply to the pending offer, None) or, when the reply is a question of its
        own, (None, its own answer if it was needed to tell)."""
        options, asked = context.options, context.offered_for
        if reply.says == "yes":
            first = options[0]
            if reply.question:   # "yes, and how much does it cost?": the offered entry is the topic
                return self._in_context(reply.question, Context(topic=first.question)), None
            return _outcome(self._bot.answer_entry(first.id, question, max(first.score, 0.5)), asked, first.id,
                            taken=True), None
        if reply.says == "no":
            if reply.question:
                return self._in_context(reply.question, Context(topic=context.topic)), None
            return _outcome(self._refused(question, options[1:]), asked, options[0].id, taken=False), None
        picked = self._pick_option(short, options)
        if picked is None:
            return None, None
        fresh = self._as_new_question(short, question, options)
        if fresh is not None:
            return None, fresh
        return _outcome(self._bot.answer_entry(picked.id, question, max(picked.score, 0.5)), asked, picked.id,
                        taken=True), None

    def _refused(self, question: str, remaining: tuple[Match, ...]) -> Answer:
        """ "no" to an offer: never the refused option; the others if any, else a request to rephrase."""
        if remaining:
            return self._bot.offer(question, "OK, not that one.", remaining)
        return Answer(question, "smalltalk", "OK. Could you ask it another way? A word or two more about what you "
                      f"want to know helps me find it in {self._bot.source_name}.", 1.0,
                      matched=Match(REFUSED, "no", 1.0))

    def _nothing_pending(self, question: str, says: str) -> Answer:
        """A bare "yes" or "no" when nothing was offered: a prompt to ask, never an answer."""
        lead = "There's nothing to say yes to yet." if says == "yes" else "All right."
        return Answer(question, "smalltalk", f"{lead} Ask me a question about {self._bot.source_name} whenever "
                      "you like.", 1.0, matched=Match(NOTHING_PENDING, says, 1.0))

    def _more(self, question: str, short: str, context: Context) -> Answer | None:
        if context.passages and normalize(short).strip(" ?!.") in _MORE:
            return self._bot.elaborate(context.passages, context.shown, question)
        return None

    def _in_context(self, question: str, context: Context, standalone: Answer | None = None) -> Answer:
        """*question* asked on its own (*standalone*, when already answered) and, when it leans on the
        previous turn, with that turn's topic."""
        bot = self._bot
        short = bot.clip(question)[0]
        standalone = standalone or bot.respond(question)
        if standalone.kind == "smalltalk" and standalone.matched is not None and standalone.matched.id == WRONG:
            return bot.offer(question, standalone.text, context.runners_up) if context.runners_up else standalone
        if not context.topic or standalone.kind == "smalltalk":
            return standalone
        tokens = tokenize(short)
        pointing, leans_back = not POINTERS.isdisjoint(tokens), leans_on_context(tokens, POINTERS)
        # "give me some examples" names nothing: the conversation says examples of what ("and music?"
        # moves to another topic instead, "what is generative AI?" asks its own question).
        # A question in words the corpus never uses ("what's the weather in paris?") is not generic either:
        # it asks about something else, and the topic must not answer it.
        generic = (not leans_back and len(bot.stems(short)) <= 2 and not bot.names(short) and not bot.unknown(short)
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

    # ------------------------------------------------------------------ picking an option

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
        if _NUMBER.match(normalize(short).strip(" ?!.")) or normalize(short).strip(" ?!.") in _ORDINALS:
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


def _outcome(answer: Answer, asked: str, entry: str, *, taken: bool) -> Answer:
    """*answer* to a reply that took or refused the offer of *entry* made for the question *asked*
    (for the unanswered log and `faqbot review`); unchanged when the question is not known."""
    return replace(answer, outcome=OfferOutcome(asked, entry, taken)) if asked else answer

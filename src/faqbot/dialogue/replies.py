"""What a short reply to an offer means: small named rules over the words typed, nothing else.

A reply to "Did you mean …?" or "…: want that?" can affirm ("yes", "sure, that one"), affirm and
ask on ("yes, and how much does it cost?"), refuse ("no", "not that"), name an option by number or
ordinal, or be a new question. Each rule here reads the normalised text only; ``Session`` decides
what to do with the result. Pure functions, no corpus.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from faqbot.language.text import normalize

AFFIRMATIONS: frozenset[str] = frozenset(
    "yes y ya yea yeah yep yup sure ok okay k alright right correct exactly absolutely definitely certainly "
    "indeed affirmative please aye".split())
"""Words that alone say "yes" to an offer."""
AFFIRMING_PHRASES: frozenset[str] = frozenset({
    "yes please", "yes thanks", "yes thank you", "sure thing", "that one", "this one", "yes that one",
    "that's it", "thats it", "that's right", "thats right", "that is right", "that's the one", "thats the one",
    "go ahead", "please do", "do it", "sounds good", "of course", "why not", "yes i did", "i did", "you got it",
    "correct one", "the first", "yes exactly", "yeah that one", "yep that one", "sure why not", "go for it",
    "ok sure", "okay sure", "yes sure", "sure please", "yes go ahead", "tell me", "show me", "yes tell me",
    "please tell me", "yes show me", "want that", "i want that", "yes i want that", "that please", "that",
})
"""Phrases that say "yes" to an offer (after normalisation: lower case, no punctuation)."""
REFUSALS: frozenset[str] = frozenset({
    "no", "nope", "nah", "n", "no thanks", "no thank you", "not that", "not that one", "not this", "neither",
    "none", "none of them", "none of those", "none of these", "no way", "not really", "wrong one", "no not that",
    "nope not that", "no that's not it", "no thats not it", "not quite", "no it isn't", "no it isnt",
    "not what i meant", "no not really", "neither of them", "neither one", "no neither", "the other one",
})
"""Replies that refuse an offer."""
_FILLER = frozenset("oh well um uh hmm so and but".split())
_SPLIT = re.compile(r"^(?P<head>[^,.;:!?]+)[,.;:!?]+\s*(?P<rest>.+)$")
_LEAD = re.compile(r"^(?:and|also|then|so|but)\s+")


class Reply(NamedTuple):
    """What a reply to an offer says: ``yes`` (take the first option), ``no``, or neither (None), and a
    question that follows it ("yes, and how much does it cost?" → "how much does it cost?")."""

    says: str | None
    question: str = ""


def words_of(text: str) -> str:
    """*text* as the rules compare it: normalised, punctuation dropped, single-spaced."""
    return " ".join(re.sub(r"[^\w'\s]", " ", normalize(text)).split())


def _is_yes(words: str) -> bool:
    tokens = [t for t in words.split() if t not in _FILLER]
    phrase = " ".join(tokens)
    return bool(tokens) and (phrase in AFFIRMING_PHRASES or all(t in AFFIRMATIONS for t in tokens)
                             or (tokens[0] in AFFIRMATIONS and " ".join(tokens[1:]) in AFFIRMING_PHRASES))


def _is_no(words: str) -> bool:
    tokens = [t for t in words.split() if t not in _FILLER]
    return " ".join(tokens) in REFUSALS


_OPENERS: frozenset[str] = frozenset(p.split()[0] for p in (*AFFIRMATIONS, *AFFIRMING_PHRASES, *REFUSALS)) | _FILLER
"""The words a reply to an offer can start with: anything else is a question (checked first, it is cheap)."""


def read_reply(text: str) -> Reply:
    """Whether *text* affirms, refuses or does neither, and the question it goes on to ask."""
    start = text.lstrip()[:12].split(maxsplit=1)
    if not start or start[0].casefold().replace("\u2019", "'").strip(",.!?;:") not in _OPENERS:
        return Reply(None)
    whole = words_of(text)
    if _is_yes(whole):
        return Reply("yes")
    if _is_no(whole):
        return Reply("no")
    split = _SPLIT.match(normalize(text).strip())
    if split is not None:
        head, rest = words_of(split["head"]), split["rest"].strip()
        if _is_yes(head) and rest:
            return Reply("yes", _LEAD.sub("", rest))
        if _is_no(head) and rest:
            return Reply("no", _LEAD.sub("", rest))
    return Reply(None)

"""Small talk: whether an utterance is a greeting, thanks, a farewell and the like, and whether a
greeting opens a question ("hi, what is an LLM?"). Matched by rapidfuzz on the whole utterance, or
part by part when people combine and pad it ("ok, thanks a lot!", "bye, and thanks!")."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from faqbot.models import Answer, Corpus, Match, SmallTalk

PADDING: frozenset[str] = frozenset(
    "ok okay k alright allright well so oh ah and then also again anyway anyways really very much lot a "
    "buddy mate friend man dude bot faqbot lol haha now for too yes yeah yep".split())
"""Words that pad small talk at either end of a part ("ok", "a lot", "again") and change nothing."""
PRECEDENCE: dict[str, int] = {name: n for n, name in enumerate(("goodbye", "thanks", "help", "identity", "greeting"))}
"""Which reply a combined utterance gets: "bye, and thanks!" is a farewell; an id not listed comes first."""
_PARTS = re.compile(r"\s*(?:[,;.!?]+|\band\b|\bbut\b)\s*")


class Intents:
    """The small-talk intents of one corpus, with their patterns analysed like questions."""

    def __init__(self, corpus: Corpus, normalized: Sequence[Sequence[str]], threshold: float,
                 tokens_of: Callable[[str], Sequence[str]] = str.split) -> None:
        """*normalized*: each intent's patterns as the index analysed them; *threshold*: the minimum
        similarity (0-1) of a whole utterance to a pattern; *tokens_of*: how the index tokenises text."""
        self._tokens_of = tokens_of
        pairs = [(intent, pattern, text) for intent, texts in zip(corpus.smalltalk, normalized, strict=True)
                 for pattern, text in zip(intent.patterns, texts, strict=True)]
        self._all = ([t for _, _, t in pairs], [(i, p) for i, p, _ in pairs])
        self._openers = ([t for i, _, t in pairs if i.opener], [(i, p) for i, p, _ in pairs if i.opener])
        self._threshold = threshold
        # The shortest and longest pattern: a text whose length alone keeps it under the threshold against
        # both cannot match any (rapidfuzz's ratio is at most 2·min(a, b)/(a + b) for lengths a and b).
        self._lengths = {False: _extremes(self._all[0]), True: _extremes(self._openers[0])}
        self._seen: dict[tuple[str, bool], tuple[SmallTalk, str, float] | None] = {}   # memo of _match

    def answer(self, question: str, tokens: Sequence[str], *, openers_only: bool = False) -> Answer | None:
        """The small-talk reply when the *tokens* of *question* are small talk, alone or combined, else None."""
        whole = self._match(" ".join(tokens), openers_only)
        if whole is not None or openers_only:
            return self._reply(question, whole) if whole else None
        if len(tokens) > 12:   # small talk is short; a long message is a question
            return None
        pieces = [p for p in _PARTS.split(question.casefold()) if p]   # "what is it?" is one piece
        if len(pieces) == 1 and tokens[0] not in PADDING and tokens[-1] not in PADDING:
            return None   # one part, nothing padding it: the whole-utterance match above was the test
        parts = [p for p in (_unpadded(" ".join(self._tokens_of(part))) for part in pieces) if p]
        if not parts or parts == [" ".join(tokens)]:
            return None
        found = [self._match(part, False) for part in parts]
        if any(f is None for f in found):
            return None
        best = min((f for f in found if f is not None), key=lambda m: (PRECEDENCE.get(m[0].id, -1), -m[2]))
        return self._reply(question, best)

    def _match(self, text: str, openers_only: bool) -> tuple[SmallTalk, str, float] | None:
        """(intent, pattern, similarity) of the pattern *text* is, or None. Remembered: the opening words
        of questions ("what is the", "how do") recur on every other question."""
        key = (text, openers_only)
        seen = self._seen.get(key, _UNSEEN)   # one look-up: another thread may clear the memo meanwhile
        if seen is not _UNSEEN:
            return seen   # type: ignore[return-value]
        if len(self._seen) > 20_000:
            self._seen.clear()
        found = self._seen[key] = self._closest(text, openers_only)
        return found

    def _closest(self, text: str, openers_only: bool) -> tuple[SmallTalk, str, float] | None:
        from rapidfuzz import fuzz, process

        shortest, longest = self._lengths[openers_only]
        size, nearest = len(text), min(max(len(text), shortest), longest)   # the pattern length nearest the text's
        if not longest or 2 * min(size, nearest) / (size + nearest) < self._threshold - 1e-9:
            return None
        patterns, owners = self._openers if openers_only else self._all
        found = process.extractOne(text, patterns, scorer=fuzz.ratio, processor=None,
                                   score_cutoff=self._threshold * 100)
        if found is None:
            return None
        intent, pattern = owners[found[2]]
        return intent, pattern, found[1] / 100.0

    @staticmethod
    def _reply(question: str, found: tuple[SmallTalk, str, float]) -> Answer:
        intent, pattern, score = found
        return Answer(question, "smalltalk", intent.reply, score, matched=Match(intent.id, pattern, score))

    def opener(self, question: str, tokens: Sequence[str]) -> tuple[int, Answer] | None:
        """(how many leading tokens are a greeting or thanks, its reply) when a question follows one."""
        for k in (3, 2, 1):
            if len(tokens) > k:
                greeting = self.answer(question, tokens[:k], openers_only=True)
                if greeting is not None:
                    return k, greeting
        return None


_UNSEEN = object()


def _unpadded(part: str) -> str:
    """*part* without the padding words at its ends ("ok thank you" → "thank you")."""
    words = part.split()
    while words and words[0] in PADDING:
        words.pop(0)
    while words and words[-1] in PADDING:
        words.pop()
    return " ".join(words)


def _extremes(texts: Sequence[str]) -> tuple[int, int]:
    """(the shortest length, the longest) of *texts*; (0, 0) for none."""
    lengths = [len(t) for t in texts]
    return (min(lengths), max(lengths)) if lengths else (0, 0)

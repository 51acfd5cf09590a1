"""Small talk: whether an utterance is a greeting, thanks, a farewell and the like, and whether a
greeting opens a question ("hi, what is an LLM?"). Matched by rapidfuzz on the whole utterance."""

from __future__ import annotations

from collections.abc import Sequence

from faqbot.models import Answer, Corpus, Match


class Intents:
    """The small-talk intents of one corpus, with their patterns analysed like questions."""

    def __init__(self, corpus: Corpus, normalized: Sequence[Sequence[str]], threshold: float) -> None:
        """*normalized*: each intent's patterns as the index analysed them; *threshold*: the minimum
        similarity (0-1) of a whole utterance to a pattern."""
        pairs = [(intent, pattern, text) for intent, texts in zip(corpus.smalltalk, normalized, strict=True)
                 for pattern, text in zip(intent.patterns, texts, strict=True)]
        self._all = ([t for _, _, t in pairs], [(i, p) for i, p, _ in pairs])
        self._openers = ([t for i, _, t in pairs if i.opener], [(i, p) for i, p, _ in pairs if i.opener])
        self._threshold = threshold

    def answer(self, question: str, tokens: Sequence[str], *, openers_only: bool = False) -> Answer | None:
        """The small-talk reply when the *tokens* of *question* are small talk, else None."""
        from rapidfuzz import fuzz, process

        patterns, owners = self._openers if openers_only else self._all
        found = process.extractOne(" ".join(tokens), patterns, scorer=fuzz.ratio, processor=None,
                                   score_cutoff=self._threshold * 100)
        if found is None:
            return None
        intent, pattern = owners[found[2]]
        score = found[1] / 100.0
        return Answer(question, "smalltalk", intent.reply, score, matched=Match(intent.id, pattern, score))

    def opener(self, question: str, tokens: Sequence[str]) -> tuple[int, Answer] | None:
        """(how many leading tokens are a greeting or thanks, its reply) when a question follows one."""
        for k in (3, 2, 1):
            if len(tokens) > k:
                greeting = self.answer(question, tokens[:k], openers_only=True)
                if greeting is not None:
                    return k, greeting
        return None


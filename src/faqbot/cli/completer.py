"""Tab completion of curated questions (fuzzy: "chatgpt" offers "Is ChatGPT an LLM or generative AI?")
and of /commands. ``suggest`` is pure; ``QuestionCompleter`` is the thin prompt_toolkit adapter."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from prompt_toolkit.completion import CompleteEvent, Completer, Completion
from prompt_toolkit.document import Document
from rapidfuzz import fuzz, process

from faqbot.language.text import normalize


def suggest(text: str, questions: Sequence[str], *, limit: int = 8, score_cutoff: float = 70.0) -> list[str]:
    """Curated questions that fuzzily contain what was typed, best first (0-100 partial ratio)."""
    typed = normalize(text)
    if len(typed) < 2:
        return []
    found = process.extract(typed, [normalize(q) for q in questions], scorer=fuzz.partial_ratio,
                            processor=None, limit=limit, score_cutoff=score_cutoff)
    ranked = sorted(found, key=lambda hit: (-hit[1], hit[2]))
    return [questions[index] for _, _, index in ranked]


def suggest_commands(text: str, commands: Iterable[str]) -> list[str]:
    return [c for c in commands if c.startswith(text.lower()) and c != text]


class QuestionCompleter(Completer):
    """Completes the whole line: a /command, or a curated question."""

    def __init__(self, questions: Sequence[str], commands: Sequence[str]) -> None:
        self._questions = list(questions)
        self._commands = list(commands)

    def get_completions(self, document: Document, complete_event: CompleteEvent) -> Iterable[Completion]:
        text = document.text_before_cursor
        if text.lstrip().startswith("/"):
            choices = suggest_commands(text.strip(), self._commands)
        else:
            choices = suggest(text, self._questions)
        for choice in choices:
            yield Completion(choice, start_position=-len(text), display=choice)

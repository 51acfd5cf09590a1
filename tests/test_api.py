"""The public API: what `from faqbot import ...` offers is pinned, so a change to it is a decision."""

from __future__ import annotations

import faqbot


def test_the_public_names_are_exactly_these() -> None:
    assert faqbot.__all__ == ["Answer", "Answerer", "CacheError", "Citation", "Config", "ConfigError", "Context",
                              "Corpus", "CorpusError", "Entry", "FaqbotError", "Match", "Passage", "Session",
                              "load_corpus"]
    for name in faqbot.__all__:
        assert getattr(faqbot, name).__name__ == name


def test_the_answerer_offers_entries_passages_and_its_fitted_decision() -> None:
    bot = faqbot.Answerer.from_corpus()
    entry = bot.entry("midjourney")
    assert entry is not None and entry.question == "What is Midjourney?"
    assert bot.entry("no-such-entry") is None
    passage = bot.passage(entry.sources[0])
    assert passage is not None and "Midjourney" in passage.text
    assert bot.decision.fitted and 0 < bot.decision.clarify_at <= bot.decision.answer_at < 1
    assert "midjourney" in bot.analyse("midjurney prices").tokens   # typos corrected, as questions are


def test_the_version_lives_in_one_place() -> None:
    from faqbot.version import __version__

    assert faqbot.__version__ == __version__

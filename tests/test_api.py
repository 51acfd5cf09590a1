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


def _modules() -> list[str]:
    import pkgutil

    return sorted(m.name for m in pkgutil.walk_packages(faqbot.__path__, "faqbot.") if m.name != "faqbot.__main__")


def test_every_docstring_example_runs_as_written() -> None:
    """The doctests of the installed package (an installed copy or this checkout, whichever is imported)."""
    import doctest
    import importlib

    tried = 0
    for name in _modules():   # serve's modules need the serve extra, which the test extra installs
        result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
        assert result.failed == 0, name
        tried += result.attempted
    assert tried >= 13   # the examples exist: a test that ran none would pass for nothing

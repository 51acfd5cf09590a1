"""faqbot: answers questions about one document, grounded in it and citing the lines it used.

>>> from faqbot import Answerer
>>> bot = Answerer.from_corpus()
>>> bot.ask("Is ChatGPT an LLM?").kind
'answer'
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from faqbot.version import __version__ as __version__

if TYPE_CHECKING:   # for type checkers and IDEs; at run time names load on first use (__getattr__)
    from faqbot.answerer import Answerer as Answerer
    from faqbot.config import Config as Config
    from faqbot.corpus.load import load_corpus as load_corpus
    from faqbot.dialogue import Context as Context
    from faqbot.dialogue import Session as Session
    from faqbot.errors import CacheError as CacheError
    from faqbot.errors import ConfigError as ConfigError
    from faqbot.errors import CorpusError as CorpusError
    from faqbot.errors import FaqbotError as FaqbotError
    from faqbot.models import Answer as Answer
    from faqbot.models import Citation as Citation
    from faqbot.models import Corpus as Corpus
    from faqbot.models import Entry as Entry
    from faqbot.models import Match as Match
    from faqbot.models import Passage as Passage

# Names are imported on first use so that `faqbot --help` and `--version` never load numpy.
_EXPORTS = {
    "Answer": "faqbot.models", "Answerer": "faqbot.answerer", "CacheError": "faqbot.errors",
    "Citation": "faqbot.models", "Config": "faqbot.config", "ConfigError": "faqbot.errors",
    "Corpus": "faqbot.models", "CorpusError": "faqbot.errors", "Entry": "faqbot.models",
    "FaqbotError": "faqbot.errors", "Match": "faqbot.models", "Passage": "faqbot.models",
    "Session": "faqbot.dialogue", "Context": "faqbot.dialogue", "load_corpus": "faqbot.corpus.load",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'faqbot' has no attribute {name!r}")

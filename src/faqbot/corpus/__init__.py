"""Files → a validated Corpus: the only code that reads corpus files (Markdown, FAQ tables, YAML).

``load_corpus`` is imported on first use: a one-shot ``faqbot ask`` answering from the index cache
never loads the Markdown parser or the loaders."""

from __future__ import annotations

from typing import Any

__all__ = ["load_corpus"]


def __getattr__(name: str) -> Any:
    if name == "load_corpus":
        from faqbot.corpus.load import load_corpus

        return load_corpus
    raise AttributeError(f"module 'faqbot.corpus' has no attribute {name!r}")

"""Errors raised on purpose by faqbot.

FaqbotError            catch this one at the CLI boundary
├── ConfigError        a setting is unknown, missing or out of range
├── CorpusError        a corpus file cannot be read or is malformed
└── CacheError         an index cache cannot be used (callers rebuild instead)
"""

from __future__ import annotations


class FaqbotError(Exception):
    """Base class for every faqbot error."""


class ConfigError(FaqbotError):
    """A setting is unknown, missing or out of range; `setting` names it when there is one."""

    def __init__(self, message: str, setting: str | None = None) -> None:
        super().__init__(message)
        self.setting = setting


class CorpusError(FaqbotError):
    """A corpus file could not be turned into passages or entries.

    The message starts with ``file:line:`` when the line is known, so editors can jump to it.
    """

    def __init__(self, message: str, *, path: str, line: int | None = None) -> None:
        where = path if line is None else f"{path}:{line}"
        super().__init__(f"{where}: {message}")
        self.path = path
        self.line = line
        self.problem = message


class CacheError(FaqbotError):
    """A cached index is missing, stale or damaged; the caller rebuilds it."""

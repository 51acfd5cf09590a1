"""Errors raised on purpose by faqbot, and ``describe``, the one way a bad value is quoted in them.

FaqbotError            catch this one at the CLI boundary
├── ConfigError        a setting is unknown, missing or out of range
├── CorpusError        a corpus file cannot be read or is malformed
└── CacheError         an index cache cannot be used (callers rebuild instead)
"""

from __future__ import annotations

import reprlib
from typing import Any


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


_SHORT = reprlib.Repr()
_SHORT.maxlevel, _SHORT.maxlist, _SHORT.maxdict, _SHORT.maxstring, _SHORT.maxother = 2, 4, 4, 60, 60


def describe(value: Any) -> str:
    """A short quotation of *value* for an error message, bounded however large or nested it is."""
    return _SHORT.repr(value)

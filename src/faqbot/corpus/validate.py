"""One set of rules for a curated entry, whatever file it came from (faq.yaml, JSONL, CSV, TSV): the
fields allowed, their types, the id's form, and the messages (file:line) an author sees."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Protocol

from faqbot.errors import CorpusError, describe
from faqbot.models import Entry

ENTRY_FIELDS = ("id", "question", "answer", "paraphrases", "sources", "related")
# Columns of a QnA Maker / Azure question answering export that faqbot reads past (documented in
# docs/authoring.md); QnaId groups the rows of one entry when there is no Id column.
IGNORED_COLUMNS = ("metadata", "suggestedquestions", "iscontextonly", "prompts", "qnaid", "source")
ID_RULE = "letters, digits and - _ . : (starting with a letter or digit)"
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$")


class Reader(Protocol):   # the slice of corpus._Reader the rules use to name a file
    def rel(self, path: Path) -> str: ...
    def error(self, path: Path, message: str, line: int | None = None) -> CorpusError: ...


def valid_id(text: str) -> bool:
    """True when *text* may be an entry id."""
    return bool(_ID.match(text))


def entry_from(reader: Reader, path: Path, item: Mapping[Any, Any], line: int,
               field_line: Callable[[str], int | None] | None = None, *, what: str = "field") -> Entry:
    """The entry *item* (field name → value) read at *line* of *path*; CorpusError naming the field and
    its line (*field_line*, else *line*) when it breaks a rule. *what* is "field" or "column"."""
    def at(key: str) -> int:
        return (field_line(key) if field_line else None) or line

    unknown = sorted(str(k) for k in item if k not in ENTRY_FIELDS)
    if unknown:
        raise reader.error(path, f"unknown {what} '{unknown[0]}' (allowed: {', '.join(sorted(ENTRY_FIELDS))})",
                           at(unknown[0]))
    entry_id = _required_text(reader, path, item, "id", at, what)
    if not valid_id(entry_id):
        raise reader.error(path, f"id '{entry_id}' may hold only {ID_RULE}", at("id"))
    return Entry(
        id=entry_id,
        question=_required_text(reader, path, item, "question", at, what),
        answer=_required_text(reader, path, item, "answer", at, what),
        paraphrases=_text_list(reader, path, item, "paraphrases", at, what),
        sources=_text_list(reader, path, item, "sources", at, what),
        related=_text_list(reader, path, item, "related", at, what),
        source=reader.rel(path),
        line=line,
    )


def _required_text(reader: Reader, path: Path, item: Mapping[Any, Any], key: str, at: Callable[[str], int],
                   what: str) -> str:
    where = f" in entry '{item['id']}'" if key != "id" and isinstance(item.get("id"), str) else ""
    value = item.get(key)
    if value is None:
        raise reader.error(path, f"missing {what} '{key}'{where}", at("id") if key != "id" else at(key))
    if key == "id" and isinstance(value, int) and not isinstance(value, bool):
        value = str(value)   # a numeric id (QnA Maker, JSON exports) is its digits
    if not isinstance(value, str):
        raise reader.error(path, f"{what} '{key}'{where} must be text, got {type(value).__name__} {describe(value)}"
                           " (quote it)", at(key))
    if not value.strip():
        raise reader.error(path, f"{what} '{key}'{where} is empty", at(key))
    return " ".join(value.split()) if key != "answer" else value.strip()


def _text_list(reader: Reader, path: Path, item: Mapping[Any, Any], key: str, at: Callable[[str], int],
               what: str) -> tuple[str, ...]:
    value = item.get(key)
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise reader.error(path, f"{what} '{key}' of entry '{item.get('id')}' must be a list of non-empty texts "
                                 "(quote a text that holds ': ' or ' #', or starts with a symbol YAML reads)", at(key))
    return tuple(" ".join(v.split()) for v in value)

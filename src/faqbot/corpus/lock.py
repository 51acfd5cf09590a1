"""Reading ``faq.lock``: for each curated entry, the text of each passage it cited when the author last
reviewed it (``faqbot check --accept`` writes it, ``faqbot.authoring.lock``). The loader uses it to
follow a ``sources:`` id that a newer chunker no longer makes to the passage whose text it recorded."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Sequence
from typing import Any

from faqbot.corpus.files import read_corpus_file
from faqbot.errors import CorpusError
from faqbot.models import Passage

LOCK_FILE = "faq.lock"
VERSION = 1

Locked = dict[str, dict[str, str]]   # entry id → passage id → the passage's text when reviewed


def lock_path(root: str) -> str:
    return os.path.join(root, LOCK_FILE)


def read_lock(root: str) -> Locked | None:
    """The lock of the corpus folder *root*, or None when it has none; CorpusError when it is damaged."""
    path = lock_path(root)
    if not os.path.lexists(path):
        return None
    if not stat.S_ISREG(os.lstat(path).st_mode):
        raise CorpusError("is not a regular file (a symlink, folder or FIFO); delete it", path=path)
    try:
        data: Any = json.loads(read_corpus_file(path).decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise CorpusError(f"is not a faqbot lock file ({exc.__class__.__name__}); delete it and run "
                          "`faqbot check --accept` to write a new one", path=path) from exc
    entries = data.get("entries") if isinstance(data, dict) and data.get("faqbot-lock") == VERSION else None
    if not isinstance(entries, dict) or not all(
            isinstance(texts, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in texts.items())
            for texts in entries.values()):
        raise CorpusError("is not a faqbot lock file of this version; delete it and run `faqbot check --accept`",
                          path=path)
    return entries


def most_like(passages: Sequence[Passage], text: str) -> str | None:
    """The id of the passage whose text is most like *text* (what a renumbered source said), or None
    when none is even 60 % alike."""
    from rapidfuzz import fuzz, process

    best = process.extractOne(text, {p.id: p.text for p in passages}, scorer=fuzz.ratio, score_cutoff=60)
    return None if best is None else str(best[2])

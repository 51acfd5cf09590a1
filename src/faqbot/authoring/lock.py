"""The drift lock: ``faq.lock`` in the corpus folder records, for each entry, the text of each passage
it cites as it was when the author last reviewed the answer (``faqbot check --accept``). After the
article changes, ``faqbot check`` lists the entries whose cited text changed. JSON, sorted, one
passage per line, so it diffs well in version control."""

from __future__ import annotations

import json
import os
import stat
from typing import Any

from faqbot.corpus.files import read_corpus_file, write_atomically
from faqbot.errors import CorpusError
from faqbot.models import Corpus

LOCK_FILE = "faq.lock"
VERSION = 1

Locked = dict[str, dict[str, str]]   # entry id → passage id → the passage's text when reviewed


def lock_path(root: str) -> str:
    return os.path.join(root, LOCK_FILE)


def locked_texts(corpus: Corpus) -> Locked:
    """What the lock would record for *corpus* now."""
    text_of = {p.id: p.text for p in corpus.passages}
    return {e.id: {s: text_of[s] for s in e.sources if s in text_of} for e in corpus.entries if not e.implicit}


def write_lock(root: str, corpus: Corpus) -> str:
    """Record the cited texts of every entry of *corpus* as reviewed; returns the lock's path."""
    path = lock_path(root)
    data = {"faqbot-lock": VERSION, "entries": locked_texts(corpus)}
    write_atomically(path, [json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False).encode("utf-8"), b"\n"],
                     mode=0o644)
    return path


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

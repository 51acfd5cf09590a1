"""The drift lock: ``faq.lock`` in the corpus folder records, for each entry, the text of each passage
it cites as it was when the author last reviewed the answer (``faqbot check --accept``). After the
article changes, ``faqbot check`` lists the entries whose cited text changed. JSON, sorted, one
passage per line, so it diffs well in version control."""

from __future__ import annotations

import json

from faqbot.corpus.files import write_atomically
from faqbot.corpus.lock import VERSION, Locked, lock_path, read_lock
from faqbot.models import Corpus

__all__ = ["Locked", "locked_texts", "read_lock", "write_lock"]


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

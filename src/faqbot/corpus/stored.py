"""A Corpus as cache parts and back: its records in column arrays (``faqbot.storage.columns``), decoded
when a question first touches one, and its small tables as settings."""

from __future__ import annotations

from typing import Any

import numpy as np

from faqbot.config import Config
from faqbot.models import Corpus, Entry, Passage, SmallTalk
from faqbot.storage.columns import Records, record_arrays


def corpus_parts(corpus: Corpus) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """(settings, arrays) of *corpus* for the cache."""
    meta = {
        "name": corpus.name, "root": corpus.root,
        "signature": [list(s) for s in corpus.signature],
        "passages": len(corpus.passages),
        "entries": len(corpus.entries),
        "smalltalk": [s._asdict() for s in corpus.smalltalk],
        "aliases": [list(a) for a in corpus.aliases],
        "classes": [list(c) for c in corpus.classes],
        "config": corpus.config.to_dict(),
        "examples": list(corpus.examples),
        "notices": list(corpus.notices),
        "out_of_scope": list(corpus.out_of_scope),
    }
    return meta, record_arrays("passages", Passage, corpus.passages) | record_arrays("entries", Entry, corpus.entries)


def corpus_from_parts(meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> Corpus:
    """The corpus ``corpus_parts`` saved (ValueError, KeyError or TypeError when the parts are damaged)."""
    return Corpus(
        name=meta["name"],
        passages=Records("passages", Passage, arrays, int(meta["passages"])),
        entries=Records("entries", Entry, arrays, int(meta["entries"])),
        smalltalk=tuple(SmallTalk(s["id"], tuple(s["patterns"]), s["reply"], bool(s["opener"]))
                        for s in meta["smalltalk"]),
        aliases=tuple((a, b) for a, b in meta["aliases"]),
        classes=tuple((str(t), str(k), str(e)) for t, k, e in meta["classes"]),
        config=Config().with_values(meta["config"]),
        examples=tuple(meta["examples"]),
        signature=tuple((str(n), int(s), int(m)) for n, s, m in meta["signature"]),
        root=meta["root"],
        notices=tuple(str(n) for n in meta["notices"]),
        out_of_scope=tuple(str(q) for q in meta["out_of_scope"]),
    )

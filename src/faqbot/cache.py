"""A persistent, pickle-free cache of built indexes, so a one-shot ``faqbot ask`` starts in a blink.

One ``.npz`` file per corpus version: numpy arrays plus one JSON document stored as bytes, read
with ``allow_pickle=False`` (nothing in it can execute). The file name is a hash of the corpus
files and faqbot's version, so a changed corpus or a new faqbot never reads an old index. Files are
written to a temporary name and renamed, so no process ever sees half a file. Any problem reading
it means "rebuild", never a crash.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
import zipfile
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from faqbot.analysis import Analyzer, Speller, Stemmer
from faqbot.config import Config
from faqbot.errors import CacheError, ConfigError
from faqbot.index import Evidence, Index
from faqbot.models import Corpus, Entry, Passage, SmallTalk
from faqbot.text import Aliases
from faqbot.tfidf import TermIndex

FORMAT = 1                       # bump when the layout of the cache changes
_INDEXES = ("phrase_char", "phrase_word", "entry_qa", "passage_word")


def default_cache_dir() -> Path:
    """``$FAQBOT_CACHE_DIR``, else the platform's user cache directory, plus ``faqbot``."""
    override = os.environ.get("FAQBOT_CACHE_DIR")
    if override:
        return Path(override).expanduser()
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Caches"
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "faqbot"


def cache_path(corpus_root: Path, cache_dir: Path | None = None) -> Path:
    """Where the index of the corpus in *corpus_root*, as it is now, is (or would be) cached."""
    from faqbot import __version__
    from faqbot.corpus import fingerprint

    key = hashlib.sha256(f"{fingerprint(corpus_root)}:{__version__}:{FORMAT}".encode()).hexdigest()[:24]
    name = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in corpus_root.resolve().name)[:40]
    return (cache_dir or default_cache_dir()) / f"{name}-{key}.npz"


def load_or_build(corpus: str | Path | Corpus | None, *, use_cache: bool = True,
                  cache_dir: str | Path | None = None) -> Index:
    """The index of *corpus*: from the cache when fresh, else built (and cached when possible)."""
    from faqbot.corpus import bundled_corpus_dir, load_corpus

    if isinstance(corpus, Corpus):
        return Index.build(corpus)
    root = bundled_corpus_dir() if corpus is None else Path(corpus)
    if not use_cache:
        return Index.build(load_corpus(root))
    path = cache_path(root, Path(cache_dir) if cache_dir is not None else None)
    try:
        return load_index(path)
    except CacheError:
        pass
    index = Index.build(load_corpus(root))
    try:
        save_index(index, path)
    except CacheError:
        pass   # a read-only or full disk only costs speed: answer without a cache
    return index


def save_index(index: Index, path: Path) -> int:
    """Write *index* to *path* atomically; returns the file size in bytes."""
    arrays: dict[str, np.ndarray] = {}
    for name in _INDEXES:
        arrays.update(getattr(index, name).to_arrays(name))
    arrays["phrase_entry"] = index.phrase_entry
    meta = json.dumps(_meta(index), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    arrays["meta"] = np.frombuffer(meta, dtype=np.uint8)
    tmp_name = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=".tmp-", suffix=".npz", dir=path.parent)
        with os.fdopen(fd, "wb") as handle:
            np.savez(handle, **arrays)   # type: ignore[arg-type]
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
        tmp_name = None
        return path.stat().st_size
    except OSError as exc:
        raise CacheError(f"cannot write the index cache {path} ({exc.strerror or exc})") from exc
    finally:
        if tmp_name is not None:
            try:
                os.unlink(tmp_name)
            except OSError:
                pass


def load_index(path: Path) -> Index:
    """The index cached at *path*; CacheError when it is missing, from another version, or damaged."""
    try:
        with np.load(path, allow_pickle=False) as npz:
            arrays = {name: npz[name] for name in npz.files}
        meta = json.loads(arrays.pop("meta").tobytes().decode("utf-8"))
        return _index_from(arrays, meta)
    except FileNotFoundError as exc:
        raise CacheError(f"no cached index at {path}") from exc
    except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError, EOFError, ConfigError,
            zipfile.BadZipFile, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CacheError(f"the cached index {path} is damaged ({exc.__class__.__name__}); rebuilding") from exc


def _meta(index: Index) -> dict[str, Any]:
    corpus, evidence = index.corpus, index.evidence
    return {
        "format": FORMAT,
        "corpus": {
            "name": corpus.name,
            "fingerprint": corpus.fingerprint,
            "passages": [asdict(p) for p in corpus.passages],
            "entries": [asdict(e) for e in corpus.entries],
            "smalltalk": [asdict(s) for s in corpus.smalltalk],
            "aliases": [list(a) for a in corpus.aliases],
            "config": corpus.config.to_dict(),
            "examples": list(corpus.examples),
        },
        "phrase_texts": list(index.phrase_texts),
        "vocabulary": index.analyzer.speller.counts,
        "stems": index.analyzer.stemmer.memo,
        "evidence": {
            "entry_terms": [sorted(t) for t in evidence.entry_terms],
            "source_terms": [sorted(t) for t in evidence.source_terms],
            "passage_terms": [sorted(t) for t in evidence.passage_terms],
            "sentence_terms": [[sorted(s) for s in group] for group in evidence.sentence_terms],
            "heading_terms": [sorted(t) for t in evidence.heading_terms],
            "idf": evidence.idf,
            "unknown_idf": evidence.unknown_idf,
        },
    }


def _index_from(arrays: dict[str, np.ndarray], meta: dict[str, Any]) -> Index:
    if meta.get("format") != FORMAT:
        raise ValueError("cache format differs")
    c = meta["corpus"]
    corpus = Corpus(
        name=c["name"],
        passages=tuple(Passage(**{**p, "path": tuple(p["path"]), "sentences": tuple(p["sentences"])})
                       for p in c["passages"]),
        entries=tuple(Entry(**{**e, **{k: tuple(e[k]) for k in ("paraphrases", "sources", "related")}})
                      for e in c["entries"]),
        smalltalk=tuple(SmallTalk(s["id"], tuple(s["patterns"]), s["reply"], bool(s["opener"])) for s in c["smalltalk"]),
        aliases=tuple((a, b) for a, b in c["aliases"]),
        config=Config().with_values(c["config"]),
        fingerprint=c["fingerprint"],
        examples=tuple(c["examples"]),
    )
    ev = meta["evidence"]
    evidence = Evidence(
        entry_terms=tuple(frozenset(t) for t in ev["entry_terms"]),
        source_terms=tuple(frozenset(t) for t in ev["source_terms"]),
        passage_terms=tuple(frozenset(t) for t in ev["passage_terms"]),
        sentence_terms=tuple(tuple(frozenset(s) for s in group) for group in ev["sentence_terms"]),
        heading_terms=tuple(frozenset(t) for t in ev["heading_terms"]),
        idf={str(k): float(v) for k, v in ev["idf"].items()},
        unknown_idf=float(ev["unknown_idf"]),
    )
    analyzer = Analyzer(Aliases(corpus.aliases), Speller({str(k): int(v) for k, v in meta["vocabulary"].items()}), Stemmer(meta["stems"]))
    indexes = {name: TermIndex.from_arrays(name, arrays) for name in _INDEXES}
    phrase_entry = arrays["phrase_entry"]
    _check_shapes(corpus, evidence, indexes, phrase_entry, meta["phrase_texts"])
    return Index(corpus, analyzer, phrase_entry=phrase_entry, phrase_texts=tuple(meta["phrase_texts"]),
                 evidence=evidence, **indexes)


def _check_shapes(corpus: Corpus, evidence: Evidence, indexes: dict[str, TermIndex], phrase_entry: np.ndarray,
                  phrase_texts: list[str]) -> None:
    n_phrases = sum(len(e.phrasings) for e in corpus.entries)
    n_entries, n_passages = len(corpus.entries), len(corpus.passages)
    if (phrase_entry.shape != (n_phrases,) or len(phrase_texts) != n_phrases
            or (n_phrases and (phrase_entry.min() < 0 or phrase_entry.max() >= n_entries))
            or indexes["phrase_char"].n_docs != n_phrases or indexes["phrase_word"].n_docs != n_phrases
            or indexes["entry_qa"].n_docs != n_entries or indexes["passage_word"].n_docs != n_passages
            or len(evidence.entry_terms) != n_entries or len(evidence.source_terms) != n_entries or len(evidence.passage_terms) != n_passages
            or len(evidence.sentence_terms) != n_passages or len(evidence.heading_terms) != n_passages):
        raise ValueError("cached arrays do not fit the cached corpus")

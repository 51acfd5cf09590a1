"""A persistent, pickle-free cache of built indexes, so a one-shot ``faqbot ask`` starts in a blink.

One file per corpus folder, in the user's cache directory (``$FAQBOT_CACHE_DIR`` overrides it):

    b"FAQBOTIX" | header length (8 bytes) | CRC-32 of the header (8 bytes) | header (JSON) | arrays

The header holds faqbot's version, the corpus's file signature (name, size, CRC-32 of each file),
its settings and small tables, the body's length and a table of arrays (dtype from a short
allow-list, shape, offset, CRC-32 of its bytes). The passages, entries and the coverage check's word
sets are arrays too (``faqbot.storage.columns``). The file is memory-mapped and arrays are views of it
(``numpy.frombuffer``): a record is decoded when a question first needs it, so a 100,000-passage
index loads in a fraction of a second and every worker shares its pages. Nothing in the file can
execute, and reading it needs neither zipfile, pickle nor YAML. A changed corpus or another faqbot
version means "rebuild"; so does any damage (a checksum catches a flipped byte). Files are written
under a temporary name and renamed, so no reader ever sees half a file.

Trust (docs/reliability.md): a cache is read only when it and its folder belong to the user or root
and no one else can write them, so a file another user could have forged is rebuilt, never
answered from. Each array carries its own checksum so a loader that maps the file can check an
array when it first touches it instead of reading the whole file on every load.
"""

from __future__ import annotations

import json
import mmap
import os
import stat
import zlib
from typing import Any

import numpy as np

from faqbot.config import Config
from faqbot.corpus.files import corpus_key, signature, user_dir, write_atomically
from faqbot.engine.decision import Decision
from faqbot.engine.index import Evidence, Index
from faqbot.engine.semantic import Semantic
from faqbot.engine.tfidf import TermIndex
from faqbot.errors import CacheError, ConfigError
from faqbot.language.analysis import Analyzer, English, Speller, Stemmer
from faqbot.language.text import Aliases
from faqbot.models import Corpus, Entry, Passage, SmallTalk
from faqbot.storage.columns import (
    Groups,
    Nested,
    Records,
    TermSets,
    Texts,
    group_arrays,
    record_arrays,
    term_set_arrays,
    text_arrays,
)
from faqbot.storage.statefiles import trust_problem

FORMAT = 9                       # bump when the layout of the file changes
MAGIC = b"FAQBOTIX"
_INDEXES = ("phrase_char", "phrase_word", "phrase_wording", "entry_qa", "passage_word")
_DTYPES = {"<f2", "<f4", "<f8", "<i4", "<i8", "|u1"}   # nothing else is ever read back
_ALIGN = 64


def default_cache_dir() -> str:
    """``$FAQBOT_CACHE_DIR``, else the platform's user cache directory, plus ``faqbot``."""
    override = os.environ.get("FAQBOT_CACHE_DIR")
    if override:
        return os.path.expanduser(override)
    return user_dir("XDG_CACHE_HOME", ".cache", macos=os.path.join("Library", "Caches"))


def cache_path(corpus_root: str | os.PathLike[str], cache_dir: str | os.PathLike[str] | None = None) -> str:
    """The cache file of the corpus folder *corpus_root* (one per folder; rebuilt in place)."""
    folder = os.fspath(cache_dir) if cache_dir is not None else default_cache_dir()
    return os.path.join(folder, f"{corpus_key(corpus_root)}.idx")


# ----------------------------------------------------------------------------- writing


def save_index(index: Index, path: str) -> int:
    """Write *index* to *path* atomically; returns the file size in bytes."""
    arrays: dict[str, np.ndarray] = {}
    shared = index.passage_word.shares_vocabulary(index.entry_qa)
    for name in _INDEXES:
        arrays.update(getattr(index, name).to_arrays(name, with_terms=not (shared and name == "passage_word")))
    arrays["phrase_entry"] = np.asarray(index.phrase_entry, dtype=np.int32)
    arrays["entry_facts"] = np.asarray(index.entry_facts, dtype=np.int32)
    arrays |= record_arrays("passages", Passage, index.corpus.passages)
    arrays |= record_arrays("entries", Entry, index.corpus.entries)
    arrays |= text_arrays("phrase_texts", index.phrase_texts)
    arrays |= _evidence_arrays(index.evidence)
    # wordfreq data, CC BY-SA 4.0 (see faqbot/data/english.txt): bytes, decoded only when a question needs it
    arrays["english"] = np.frombuffer(index.english.bands.encode("utf-8"), dtype=np.uint8)
    if index.semantic is not None:
        arrays["semantic.words"] = np.frombuffer("\n".join(index.semantic.words).encode("utf-8"), dtype=np.uint8)
        arrays["semantic.sums"] = index.semantic.sums
        arrays["semantic.counts"] = index.semantic.counts
        arrays["semantic.phrasings"] = index.semantic.phrasings
    table, blobs, offset = {}, [], 0
    for name, array in arrays.items():
        array = np.ascontiguousarray(array)
        array = array.astype(array.dtype.newbyteorder("<"), copy=False)
        pad = (-offset) % _ALIGN
        blobs.append(b"\0" * pad)
        offset += pad
        data = array.tobytes()
        table[name] = {"dtype": array.dtype.str, "shape": list(array.shape), "offset": offset,
                       "nbytes": array.nbytes, "crc32": zlib.crc32(data)}
        blobs.append(data)
        offset += array.nbytes
    # ensure_ascii: a folder name that is not UTF-8 (a surrogate escape) survives the round trip
    header = json.dumps({"meta": _meta(index), "arrays": table, "body": offset},
                        separators=(",", ":")).encode("ascii")
    return _write_atomically(path, [MAGIC, len(header).to_bytes(8, "little"),
                                    zlib.crc32(header).to_bytes(8, "little"), header, *blobs])


_TERM_SETS = ("entry_terms", "source_terms", "passage_terms", "heading_terms")


def _evidence_arrays(evidence: Evidence) -> dict[str, np.ndarray]:
    """The coverage check's word sets as word ids (one vocabulary for all), each sentence's set flat."""
    words = sorted(set().union(*evidence.entry_terms, *evidence.passage_terms,
                               *(s for group in evidence.sentence_terms for s in group)))
    vocabulary = {w: i for i, w in enumerate(words)}
    arrays = text_arrays("evidence.words", words)
    for name in _TERM_SETS:
        arrays |= term_set_arrays(f"evidence.{name}", vocabulary, getattr(evidence, name))
    arrays |= term_set_arrays("evidence.sentences", vocabulary, [s for g in evidence.sentence_terms for s in g])
    arrays |= group_arrays("evidence.sentence_terms", [len(g) for g in evidence.sentence_terms])
    return arrays


def _evidence_from(arrays: dict[str, np.ndarray], ev: dict[str, Any], n_entries: int, n_passages: int) -> Evidence:
    words = Texts("evidence.words", arrays).all()
    sets = {name: TermSets(f"evidence.{name}", arrays, words, n_entries if name.startswith(("entry", "source"))
                           else n_passages) for name in _TERM_SETS}
    sentences = TermSets("evidence.sentences", arrays, words)
    _require_texts(ev["names"])
    return Evidence(**sets, sentence_terms=Nested(Groups("evidence.sentence_terms", arrays, sentences, n_passages)),
                    idf=_numbers(ev["idf"]), unknown_idf=float(ev["unknown_idf"]), names=frozenset(ev["names"]))


def _write_atomically(path: str, parts: list[bytes]) -> int:
    try:
        return write_atomically(path, parts, suffix=".idx")
    except OSError as exc:
        raise CacheError(f"cannot write the index cache {path} ({exc.strerror or exc})") from exc


def _meta(index: Index) -> dict[str, Any]:
    from faqbot.version import __version__

    corpus, evidence = index.corpus, index.evidence
    return {
        "format": FORMAT,
        "version": __version__,
        "corpus": {
            "name": corpus.name, "root": corpus.root,
            "signature": [list(s) for s in corpus.signature],
            "passages": len(corpus.passages),   # the records are in arrays (faqbot.storage.columns)
            "entries": len(corpus.entries),
            "smalltalk": [s._asdict() for s in corpus.smalltalk],
            "aliases": [list(a) for a in corpus.aliases],
            "classes": [list(c) for c in corpus.classes],
            "config": corpus.config.to_dict(),
            "examples": list(corpus.examples),
        },
        "analyzer": {
            "rules": [[list(v), list(c)] for v, c in index.analyzer.aliases.rules],
            "vocabulary": index.analyzer.speller.counts,
            "stems": index.analyzer.stemmer.memo,
        },
        "decision": index.decision.to_dict(),
        "semantic": {"model": index.semantic.model if index.semantic else "", "note": index.semantic_note,
                     "asked": index.semantic_asked},
        "smalltalk": [list(p) for p in index.smalltalk],
        "evidence": {   # the word sets are in arrays
            "idf": evidence.idf,
            "unknown_idf": evidence.unknown_idf,
            "names": sorted(evidence.names),
        },
    }


# ----------------------------------------------------------------------------- reading


def load_index(path: str, root: str | None = None, files: list[str] | None = None) -> Index:
    """The index cached at *path*. With *root* and *files*, it must be of that corpus folder with exactly
    those file contents. CacheError when it is missing, stale, from another version, or damaged."""
    from faqbot.version import __version__

    try:
        data = _map_trusted_file(path, _max_cache_bytes())
    except FileNotFoundError as exc:
        raise CacheError(f"no cached index at {path}") from exc
    except OSError as exc:
        raise CacheError(f"cannot read the index cache {path} ({exc.strerror or exc})") from exc
    try:
        header, body_start = _header(data)
        if body_start + int(header["body"]) != len(data):
            raise ValueError("the file's length does not match its header")
        meta = header["meta"]
        if meta["format"] != FORMAT or meta["version"] != __version__:
            raise CacheError("the cache was written by another faqbot version")
        if root is not None and files is not None:
            _check_corpus(meta["corpus"], root, files)
        arrays = _arrays(data, body_start, header["arrays"])
        return _index_from(arrays, meta)
    except CacheError:
        raise
    except (ValueError, KeyError, TypeError, IndexError, AttributeError, OverflowError, RecursionError,
            MemoryError, ConfigError, UnicodeDecodeError) as exc:   # JSONDecodeError is a ValueError
        raise CacheError(f"the cached index {path} is damaged ({exc.__class__.__name__}); rebuilding") from exc


def cache_trust_problem(path: str) -> str | None:
    """Why the cache file at *path* would not be read back (see ``trust_problem``), or None."""
    try:
        return trust_problem(os.stat(path), os.stat(os.path.dirname(path) or "."))
    except OSError as exc:
        return exc.strerror or str(exc)


def _max_cache_bytes() -> int:
    """The largest cache file read: ``$FAQBOT_MAX_CACHE_BYTES`` (a user's setting, never the corpus's),
    else 4 GiB."""
    try:
        return max(0, int(os.environ.get("FAQBOT_MAX_CACHE_BYTES", "")))
    except ValueError:
        return 4 << 30


def _map_trusted_file(path: str, limit: int) -> memoryview:
    """*path* mapped read-only when it is a trusted regular file of at most *limit* bytes; OSError
    otherwise (a FIFO or /dev/zero at the cache path must not hang or fill memory; a file others could
    have written is not believed). Mapped, not read: pages are loaded as they are touched and shared
    by every process answering from the same file. The file is only ever replaced by a rename, never
    rewritten in place, so a mapping never sees it change."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise OSError(0, "not a regular file")
        problem = trust_problem(info, os.stat(os.path.dirname(path) or "."))
        if problem:
            raise OSError(0, f"not trusted: {problem}")
        if info.st_size > limit:
            raise OSError(0, f"larger than {limit} bytes (FAQBOT_MAX_CACHE_BYTES)")
        if info.st_size == 0:
            return memoryview(b"")
        return memoryview(mmap.mmap(fd, info.st_size, access=mmap.ACCESS_READ))
    finally:
        os.close(fd)


def _header(data: memoryview) -> tuple[dict[str, Any], int]:
    if len(data) < 24 or data[:8].tobytes() != MAGIC:
        raise ValueError("not a faqbot index file")
    length = int.from_bytes(data[8:16].tobytes(), "little")
    if length <= 0 or 24 + length > len(data):
        raise ValueError("truncated header")
    if zlib.crc32(data[24:24 + length]) != int.from_bytes(data[16:24].tobytes(), "little"):
        raise ValueError("checksum mismatch: the header is damaged")
    header = json.loads(data[24:24 + length].tobytes().decode("utf-8"))
    if not isinstance(header, dict):
        raise ValueError("bad header")
    return header, 24 + length


def _check_corpus(corpus: dict[str, Any], root: str, files: list[str]) -> None:
    """CacheError unless the cache was built from the folder *root* with exactly these file contents."""
    if corpus["root"] != os.path.realpath(root):
        raise CacheError("the cache belongs to another corpus folder")
    if [tuple(s) for s in corpus["signature"]] != signature(files):
        raise CacheError("the corpus changed since the cache was built")


def _arrays(data: memoryview, start: int, table: dict[str, Any]) -> dict[str, np.ndarray]:
    arrays = {}
    for name, spec in table.items():
        dtype, shape = spec["dtype"], tuple(int(n) for n in spec["shape"])
        if dtype not in _DTYPES:
            raise ValueError(f"array {name} has a dtype that is never written: {dtype}")
        array_dtype = np.dtype(dtype)
        count = int(np.prod(shape)) if shape else 1
        offset, nbytes = start + int(spec["offset"]), int(spec["nbytes"])
        if count * array_dtype.itemsize != nbytes or offset < start or offset + nbytes > len(data):
            raise ValueError(f"array {name} does not fit in the file")
        if zlib.crc32(data[offset:offset + nbytes]) != int(spec["crc32"]):
            raise ValueError(f"checksum mismatch: array {name} is damaged")
        arrays[name] = np.frombuffer(data, dtype=array_dtype, count=count, offset=offset).reshape(shape)
    return arrays


def _semantic_from(arrays: dict[str, np.ndarray], meta: dict[str, Any]) -> Semantic | None:
    """The semantic arrays saved with the index, or None when it was built without a model."""
    if "semantic.sums" not in arrays:
        return None
    words = tuple(arrays["semantic.words"].tobytes().decode("utf-8").split("\n"))
    sums, counts, phrasings = arrays["semantic.sums"], arrays["semantic.counts"], arrays["semantic.phrasings"]
    if sums.ndim != 2 or len(words) != len(sums) or counts.shape != (len(words),) or \
            phrasings.ndim != 2 or phrasings.shape[1] != sums.shape[1]:
        raise ValueError("semantic arrays that do not fit together")
    return Semantic(str(meta["model"]), words, sums, counts, phrasings)


def _numbers(mapping: Any) -> dict[str, float]:
    """*mapping* itself when it maps texts to numbers (as json.loads made it), else ValueError."""
    if not isinstance(mapping, dict) or not all(isinstance(v, float | int) for v in mapping.values()):
        raise ValueError("expected a mapping of words to numbers")
    return mapping


def _require_texts(*groups: Any) -> None:
    """ValueError unless every group is a list of strings (a crafted header must not crash a query)."""
    for group in groups:
        if not isinstance(group, list) or not all(isinstance(item, str) for item in group):
            raise ValueError("expected a list of texts")


def _index_from(arrays: dict[str, np.ndarray], meta: dict[str, Any]) -> Index:
    c = meta["corpus"]
    n_passages, n_entries = int(c["passages"]), int(c["entries"])
    corpus = Corpus(
        name=c["name"],
        passages=Records("passages", Passage, arrays, n_passages),
        entries=Records("entries", Entry, arrays, n_entries),
        smalltalk=tuple(SmallTalk(s["id"], tuple(s["patterns"]), s["reply"], bool(s["opener"]))
                        for s in c["smalltalk"]),
        aliases=tuple((a, b) for a, b in c["aliases"]),
        classes=tuple((str(t), str(k), str(e)) for t, k, e in c["classes"]),
        config=Config().with_values(c["config"]),
        examples=tuple(c["examples"]),
        signature=tuple((str(n), int(s), int(m)) for n, s, m in c["signature"]),
        root=c["root"],
    )
    a = meta["analyzer"]
    _require_texts(*meta["smalltalk"])
    stems = a["stems"]
    if not isinstance(stems, dict) or not all(isinstance(v, str) for v in stems.values()):
        raise ValueError("expected a mapping of words to stems")
    english = English(arrays["english"].tobytes())
    analyzer = Analyzer(Aliases((v, c) for v, c in a["rules"]),
                        Speller(_numbers(a["vocabulary"]), english, corpus.config.spelling_max_zipf), Stemmer(stems))
    indexes: dict[str, TermIndex] = {}
    for name in _INDEXES:
        like = indexes["entry_qa"] if name == "passage_word" and "passage_word.terms" not in arrays else None
        indexes[name] = TermIndex.from_arrays(name, arrays, like=like)
    index = Index(corpus, analyzer, phrase_entry=arrays["phrase_entry"],
                  phrase_texts=tuple(Texts("phrase_texts", arrays).all()),
                  evidence=_evidence_from(arrays, meta["evidence"], n_entries, n_passages),
                  smalltalk=tuple(tuple(p) for p in meta["smalltalk"]),
                  entry_facts=arrays["entry_facts"], english=english,
                  decision=Decision.from_dict(meta["decision"]), semantic=_semantic_from(arrays, meta["semantic"]),
                  semantic_note=str(meta["semantic"]["note"]), semantic_asked=str(meta["semantic"]["asked"]),
                  **indexes)
    index.check()
    return index

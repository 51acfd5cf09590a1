"""An optional semantic signal: static word embeddings (a model2vec model) that let a question match an
entry whose phrasings share its meaning but not its words.

At build (``faqbot[semantic]`` installed and a model given), each word faqbot may meet (the corpus's
and the shipped English word list) gets the sum of its tokens' vectors and its token count, and each
curated phrasing an embedding: the mean of its tokens' vectors, as model2vec computes it. Only those
arrays go in the index cache, so answering a question needs neither model2vec nor a tokenizer: its
words' sums, added and normalised. Its cosine to an entry's closest phrasing is a feature of the
fitted decision. Without the extra or the model, faqbot is lexical only, exactly as before.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

MODEL_ENV = "FAQBOT_SEMANTIC_MODEL"


@dataclass(frozen=True)
class Semantic:
    """Word vectors and phrasing embeddings of one index (read-only)."""

    model: str                 # the model's name and a hash of its weights: part of what the cache is of
    words: tuple[str, ...]
    sums: np.ndarray           # (words, dim) float16: the sum of each word's token vectors
    counts: np.ndarray         # (words,) uint8: how many tokens each word is
    phrasings: np.ndarray      # (phrasings, dim) float16, unit length (0 for a phrasing with no known word)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_position", {w: i for i, w in enumerate(self.words)})
        object.__setattr__(self, "_phrasings32", None)   # float32 copy, made on the first question

    def for_phrasings(self, phrasings: Sequence[Sequence[str]]) -> Semantic:
        """The same word vectors with *phrasings* (their tokens) embedded: a fold of the fit."""
        dim = self.sums.shape[1]
        vectors = [self.embed(p) for p in phrasings]
        matrix = np.stack([v if v is not None else np.zeros(dim, dtype=np.float32) for v in vectors]) \
            if vectors else np.zeros((0, dim), dtype=np.float32)
        return Semantic(self.model, self.words, self.sums, self.counts, matrix.astype(np.float16))

    def embed(self, tokens: Iterable[str]) -> np.ndarray | None:
        """The unit embedding of a text's *tokens*; None when no word of it is known."""
        position: dict[str, int] = self._position   # type: ignore[attr-defined]
        rows = [i for t in tokens if (i := position.get(t)) is not None]
        if not rows:
            return None
        total = self.sums[rows].astype(np.float32).sum(axis=0) / float(self.counts[rows].sum())
        norm = float(np.linalg.norm(total))
        return total / norm if norm > 0 else None

    def entry_similarity(self, tokens: Sequence[str], phrase_entry: np.ndarray, n_entries: int) -> np.ndarray:
        """Per entry, the cosine (0-1) of the question to its closest phrasing; zeros when unknown."""
        out = np.zeros(n_entries)
        vector = self.embed(tokens)
        if vector is None or not len(self.phrasings):
            return out
        matrix = self._phrasings32   # type: ignore[attr-defined]
        if matrix is None:
            matrix = np.ascontiguousarray(self.phrasings, dtype=np.float32)
            object.__setattr__(self, "_phrasings32", matrix)
        cosines = np.clip(matrix @ vector.astype(np.float32), 0.0, 1.0)
        starts = np.flatnonzero(np.r_[True, np.diff(phrase_entry) != 0])   # an entry's phrasings are consecutive
        out[phrase_entry[starts]] = np.maximum.reduceat(cosines, starts)
        return out


class Meaning(NamedTuple):
    """What an index knows of meaning: the semantic table (None: lexical only), which model was asked for
    at build ("" none: a cache is of it) and a note on what was used or why not."""

    table: Semantic | None = None
    asked: str = ""
    note: str = ""

    def to_parts(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """(settings, arrays) for the cache."""
        table = self.table
        meta = {"model": table.model if table else "", "asked": self.asked, "note": self.note}
        if table is None:
            return meta, {}
        return meta, {"semantic.words": np.frombuffer("\n".join(table.words).encode("utf-8"), dtype=np.uint8),
                      "semantic.sums": table.sums, "semantic.counts": table.counts,
                      "semantic.phrasings": table.phrasings}

    @classmethod
    def from_parts(cls, meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> Meaning:
        """The meaning ``to_parts`` saved (ValueError when its arrays do not fit together)."""
        asked, note = str(meta["asked"]), str(meta["note"])
        if "semantic.sums" not in arrays:
            return cls(None, asked, note)
        words = tuple(arrays["semantic.words"].tobytes().decode("utf-8").split("\n"))
        sums, counts, phrasings = arrays["semantic.sums"], arrays["semantic.counts"], arrays["semantic.phrasings"]
        if sums.ndim != 2 or len(words) != len(sums) or counts.shape != (len(words),) or \
                phrasings.ndim != 2 or phrasings.shape[1] != sums.shape[1]:
            raise ValueError("semantic arrays that do not fit together")
        return cls(Semantic(str(meta["model"]), words, sums, counts, phrasings), asked, note)


LEXICAL = Meaning()
"""No semantic model asked for: lexical signals only."""


def model_name(configured: str) -> str:
    """The model to use: ``$FAQBOT_SEMANTIC_MODEL`` (the user's), else the corpus's ``semantic_model``."""
    return os.environ.get(MODEL_ENV, "").strip() or configured.strip()


def build_semantic(name: str, vocabulary: Iterable[str],
                   phrasings: Sequence[Sequence[str]]) -> tuple[Semantic | None, str]:
    """(the semantic arrays for *phrasings* (their tokens), with *vocabulary* known, or None; a note on
    what was used or why not). Never raises: a missing extra or model means lexical only."""
    import hashlib  # 3 ms of start-up that only a build with a model needs

    if not name:
        return None, ""
    try:
        from model2vec import StaticModel
    except ImportError:
        return None, f"semantic model '{name}' not used: install faqbot[semantic] (model2vec); lexical only"
    try:
        model = StaticModel.from_pretrained(name)
    except Exception as exc:   # a missing, partial or foreign model: say so and answer lexically
        return None, f"semantic model '{name}' could not be loaded ({exc.__class__.__name__}: {str(exc)[:120]}); " \
                     "lexical only"
    words = sorted(set(vocabulary))
    ids = model.tokenize(words)
    counts = np.asarray([min(len(t), 255) for t in ids], dtype=np.uint8)
    keep = counts > 0
    words = [w for w, k in zip(words, keep.tolist(), strict=True) if k]
    means = np.asarray(model.encode(words, normalize=False, show_progress_bar=False), dtype=np.float32)
    sums = (means * counts[keep][:, None]).astype(np.float16)
    weights_hash = hashlib.sha256(np.ascontiguousarray(model.embedding).tobytes()).hexdigest()[:12]
    table = Semantic(f"{os.path.basename(os.path.normpath(name))}@{weights_hash}", tuple(words), sums,
                     counts[keep], np.zeros((0, sums.shape[1]), dtype=np.float16))
    return table.for_phrasings(phrasings), f"semantic model {table.model}: {len(words)} words, {sums.shape[1]} dims"

"""A TF-IDF index fitted by scikit-learn and searched with numpy alone.

scikit-learn fits the vocabulary and IDF weights once, at build time. Queries are vectorised here
exactly as ``TfidfVectorizer(sublinear_tf=True, norm="l2").transform`` would (a test proves it), and
scored against a feature-major (CSC) copy of the document matrix, so answering a question never
imports scikit-learn or scipy and costs a few array operations.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np


def _identity(features: Any) -> Sequence[str]:
    return features   # type: ignore[no-any-return]


@dataclass(frozen=True, slots=True)
class TermIndex:
    """L2-normalised TF-IDF rows of ``n_docs`` documents, stored feature-major for fast lookup."""

    terms: list[str]      # feature id -> feature (scikit-learn's sorted vocabulary)
    idf: np.ndarray       # float64, one per feature
    indptr: np.ndarray    # int64, feature j's postings are [indptr[j], indptr[j+1])
    indices: np.ndarray   # int32 document ids
    data: np.ndarray      # float32 weights
    n_docs: int
    _vocabulary: list[dict[str, int]] = field(default_factory=list, repr=False, compare=False)
    # The last query vector, shared by the indexes of one vocabulary and IDF (the entries' and the
    # passages' are scored with the same features of every question): (features, idf, vector).
    _last: list[Any] = field(default_factory=list, repr=False, compare=False)

    @property
    def vocabulary(self) -> dict[str, int]:
        """Feature -> id; built on first use, so an index no question needs costs nothing to load."""
        if not self._vocabulary:
            self._vocabulary.append(dict(zip(self.terms, range(len(self.terms)), strict=True)))
        return self._vocabulary[0]

    @classmethod
    def build(cls, docs: Sequence[Any], *, idf_docs: Sequence[Any] = (),
              features: Callable[[Any], Sequence[str]] = _identity) -> TermIndex:
        """Fit on *docs* plus *idf_docs* (which only shape the IDF), then index *docs*.

        *features* turns a document into its features (see ``faqbot.language.text``); it runs inside the fit,
        so a large corpus never holds every document's features in memory at once.
        """
        return cls.build_many([docs], idf_docs=idf_docs, features=features)[0]

    @classmethod
    def build_many(cls, doc_sets: Sequence[Sequence[Any]], *, idf_docs: Sequence[Any] = (),
                   features: Callable[[Any], Sequence[str]] = _identity) -> list[TermIndex]:
        """One index per set of documents, sharing one vocabulary and IDF fitted on all of them."""
        from sklearn.feature_extraction.text import TfidfVectorizer  # build time only

        if not any(features(doc) for docs in doc_sets for doc in docs) and not any(features(d) for d in idf_docs):
            return [cls.empty(len(docs)) for docs in doc_sets]
        vectorizer = TfidfVectorizer(analyzer=features, sublinear_tf=True, norm="l2", dtype=np.float64)
        # One pass: fit and transform together, then each set of documents is a block of rows.
        everything = vectorizer.fit_transform([doc for docs in doc_sets for doc in docs] + list(idf_docs)).tocsr()
        terms = [str(t) for t in vectorizer.get_feature_names_out()]
        vocabulary = [dict(zip(terms, range(len(terms)), strict=True))]   # shared by every index built here
        last: list[Any] = []
        idf = np.asarray(vectorizer.idf_, dtype=np.float64)
        indexes, start = [], 0
        for docs in doc_sets:
            matrix = everything[start:start + len(docs)].tocsc()
            start += len(docs)
            matrix.sort_indices()
            indexes.append(cls(terms, idf, matrix.indptr.astype(np.int64), matrix.indices.astype(np.int32),
                               matrix.data.astype(np.float32), len(docs), vocabulary, last))
        return indexes

    @classmethod
    def empty(cls, n_docs: int) -> TermIndex:
        return cls([], np.zeros(0), np.zeros(1, dtype=np.int64), np.zeros(0, dtype=np.int32),
                   np.zeros(0, dtype=np.float32), n_docs)

    def vector(self, features: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """(feature ids, weights) of the query's L2-normalised TF-IDF vector; unknown features vanish."""
        last = self._last[0] if self._last else None   # one read: another thread may replace it meanwhile
        if last is not None and last[0] is features and last[1] is self.idf:
            return last[2]   # type: ignore[no-any-return]
        found = self._vector(features)
        if self._last:
            self._last[0] = (features, self.idf, found)
        else:
            self._last.append((features, self.idf, found))
        return found

    def _vector(self, features: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        get = self.vocabulary.get
        ids, counts = [], []
        for feature, n in Counter(features).items():
            if (i := get(feature)) is not None:
                ids.append(i)
                counts.append(n)
        if not ids:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        found = np.array(ids, dtype=np.int64)
        weights = self.idf[found]
        if max(counts) > 1:   # sublinear tf, 1 + log(n): 1 for a feature seen once
            weights = (1.0 + np.log(np.array(counts, dtype=np.float64))) * weights
        return found, weights / np.sqrt(weights @ weights)

    def scores(self, features: Sequence[str]) -> np.ndarray:
        """Cosine similarity (0-1) of the query to every document."""
        ids, weights = self.vector(features)
        return self.scores_of_vector(ids, weights)

    def scores_of_vector(self, ids: np.ndarray, weights: np.ndarray) -> np.ndarray:
        if ids.size == 0:
            return np.zeros(self.n_docs)
        starts, ends = self.indptr[ids], self.indptr[ids + 1]
        lengths = ends - starts
        total = int(lengths.sum())
        if total == 0:
            return np.zeros(self.n_docs)
        # Gather every posting of the query's features in one go (no Python loop over features).
        offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(total)
        contributions = self.data[offsets] * np.repeat(weights, lengths)
        return np.bincount(self.indices[offsets], weights=contributions, minlength=self.n_docs)

    def to_arrays(self, prefix: str, *, with_terms: bool = True) -> dict[str, np.ndarray]:
        """Plain arrays (no objects, no pickle) for the on-disk cache; without the terms when another
        index with the same vocabulary carries them."""
        terms = {f"{prefix}.terms": np.frombuffer("\n".join(self.terms).encode("utf-8"), dtype=np.uint8)}
        return {
            **(terms if with_terms else {}),
            f"{prefix}.idf": self.idf,
            f"{prefix}.indptr": self.indptr,
            f"{prefix}.indices": self.indices,
            f"{prefix}.data": self.data,
            f"{prefix}.n_docs": np.array([self.n_docs], dtype=np.int64),
        }

    @classmethod
    def from_arrays(cls, prefix: str, arrays: dict[str, np.ndarray], *, like: TermIndex | None = None) -> TermIndex:
        """The index saved by ``to_arrays``; *like*: the index whose vocabulary it shares."""
        idf, last = arrays[f"{prefix}.idf"], []
        if like is None:
            raw = arrays[f"{prefix}.terms"].tobytes().decode("utf-8")
            terms, vocabulary = (raw.split("\n") if raw else []), []
        else:
            terms, vocabulary = like.terms, like._vocabulary
            if idf.shape == like.idf.shape and np.array_equal(idf, like.idf):
                idf, last = like.idf, like._last   # one IDF: the query vector is shared too
        index = cls(terms, idf, arrays[f"{prefix}.indptr"], arrays[f"{prefix}.indices"],
                    arrays[f"{prefix}.data"], int(arrays[f"{prefix}.n_docs"][0]), vocabulary, last)
        index.check()
        return index

    def shares_vocabulary(self, other: TermIndex) -> bool:
        return self.terms is other.terms

    def check(self) -> None:
        """Raise ValueError unless the arrays are mutually consistent (a damaged cache must not be used)."""
        n_terms = len(self.terms)
        if (self.idf.shape != (n_terms,) or self.indptr.shape != (n_terms + 1,) or self.indptr[0] != 0
                or self.indices.shape != self.data.shape or int(self.indptr[-1]) != self.indices.size
                or np.any(np.diff(self.indptr) < 0)
                or (self.indices.size and (self.indices.min() < 0 or self.indices.max() >= self.n_docs))
                or not np.all(np.isfinite(self.data)) or not np.all(np.isfinite(self.idf))):
            raise ValueError("inconsistent TF-IDF arrays")

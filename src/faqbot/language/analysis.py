"""Turning a text into the words, stems and features the indexes compare.

``Analyzer.document`` is used at build time; ``Analyzer.query`` adds spelling correction against
the corpus vocabulary ("chatgtp" → "chatgpt"). Both go through the same aliases, stopwords and
stemmer, so a question and a corpus text are always seen alike.
"""

from __future__ import annotations

import _thread
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np

from faqbot.language.text import (
    Aliases,
    char_features,
    content_words,
    normalize,
    question_kinds,
    tokens_of,
    word_features,
)


class Analysis(NamedTuple):
    """One text, analysed: what every index and the coverage check look at."""

    normalized: str
    tokens: tuple[str, ...]          # after spelling correction and aliases
    content: tuple[str, ...]         # content words, unstemmed
    stems: tuple[str, ...]           # content words, stemmed
    word_features: tuple[str, ...]   # word TF-IDF features: content-word stems, adjacent pairs, question kinds
    char_features: tuple[str, ...]   # character 3-5-grams of the content words; () if not asked
    question_features: tuple[str, ...]   # word TF-IDF features of every word, "where"/"can" too; () if not asked
    corrections: tuple[tuple[str, str], ...] = ()

    @property
    def fuzzy_text(self) -> str:
        """What rapidfuzz compares: every word, function words included (so "what is X" and "what can X
        do" differ), sorted, so word order does not matter (rapidfuzz's token_sort_ratio, precomputed)."""
        return " ".join(sorted(self.tokens))


class Stemmer:
    """Snowball English stems, memoised; the library is imported only for a word never seen before."""

    MAX_SEEN = 50_000   # words memoised beyond the known ones before the memo starts over (bounded memory)

    def __init__(self, known: dict[str, str] | None = None) -> None:
        self._memo: dict[str, str] = known if known is not None else {}   # owned from here on
        self._known = len(self._memo)
        self._lock = _thread.allocate_lock()   # _thread: the threading module costs a one-shot ask 0.5 ms
        self._stemmer: Any = None

    def __call__(self, word: str) -> str:
        stem = self._memo.get(word)
        if stem is None:
            stem = self._snowball(word)
            if len(self._memo) >= self._known + self.MAX_SEEN:
                # A long-lived answerer asked ever new words: keep the corpus's own, forget the rest.
                self._memo = dict(list(self._memo.items())[: self._known])
            self._memo[word] = stem
        return stem

    def _snowball(self, word: str) -> str:
        if not word.isalpha() or len(word) <= 3:
            return word
        with self._lock:   # snowball stemmer objects keep per-call state: not thread-safe
            if self._stemmer is None:
                import snowballstemmer

                self._stemmer = snowballstemmer.stemmer("english")
            return str(self._stemmer.stemWord(word))

    def stems(self, words: list[str]) -> list[str]:
        """The stem of each word (memoised words take one dictionary look-up)."""
        memo = self._memo
        return [memo.get(w) or self(w) for w in words]

    @property
    def memo(self) -> dict[str, str]:
        return dict(self._memo)


_UNSEEN = ""   # Speller memo marker: "" is never a correction (None is one: "no correction")


class Speller:
    """Corrects a query word to the closest corpus word: same first letter, 1 edit (2 when long).

    Among equally close words the most frequent in the corpus wins ("larg" → "large", not "lang").
    A word at least *everyday_zipf* common in *english* is a word, not a typo: never corrected.
    """

    def __init__(self, counts: Mapping[str, float], english: English | None = None,
                 everyday_zipf: float = 3.5) -> None:
        self._counts = counts if isinstance(counts, dict) else dict(counts)   # owned from here on
        self._english = english
        self._everyday_zipf = everyday_zipf
        self._buckets: dict[tuple[str, int], list[str]] | None = None   # built on the first unknown word
        self._seen: dict[str, str | None] = {}   # unknown words already looked up (bounded, see correct)

    def _bucket(self, first: str, length: int) -> list[str]:
        """Corpus words of that first letter and length, most frequent first."""
        if self._buckets is None:
            buckets: dict[tuple[str, int], list[str]] = {}
            for word in sorted(self._counts, key=lambda w: (-self._counts[w], w)):
                if word.isalpha() and len(word) >= 3:
                    buckets.setdefault((word[0], len(word)), []).append(word)
            self._buckets = buckets
        return self._buckets.get((first, length), [])

    @property
    def english(self) -> English:
        """How everyday an English word is (the bundled list when none was given: every word rare)."""
        if self._english is None:
            self._english = English("")
        return self._english

    @property
    def counts(self) -> dict[str, float]:
        """How often each known word occurs in the corpus (0 for stopwords and alias-only words)."""
        return dict(self._counts)

    def correct(self, word: str) -> str | None:
        """The corpus word *word* is most likely a typo of, or None when it is known or too far."""
        if word in self._counts or len(word) < 4 or not word.isalpha():
            return None
        seen = self._seen.get(word, _UNSEEN)   # one look-up: another thread may clear the memo meanwhile
        if seen is not _UNSEEN:
            return seen
        if len(self._seen) > 50_000:
            self._seen.clear()
        everyday = self._english is not None and self._english.zipf(word) >= self._everyday_zipf
        self._seen[word] = fixed = None if everyday else self._closest(word)
        return fixed

    def _closest(self, word: str) -> str | None:
        from rapidfuzz.distance import OSA
        from rapidfuzz.process import extractOne

        max_edits = 1 if len(word) <= 7 else 2
        best: tuple[float, float, str] | None = None   # (edits, -frequency, word)
        for length in range(len(word) - max_edits, len(word) + max_edits + 1):
            found = extractOne(word, self._bucket(word[0], length), scorer=OSA.distance, score_cutoff=max_edits)
            if found is not None:
                key = (found[1], -self._counts[found[0]], found[0])
                best = key if best is None or key < best else best
        return None if best is None else best[2]


class Analyzer:
    """Question and document analysis for one corpus."""

    MAX_GRAMS = 50_000   # words whose character n-grams are remembered (a bound, not a cache size to tune)

    def __init__(self, aliases: Aliases, speller: Speller, stemmer: Stemmer) -> None:
        self.aliases = aliases
        self.speller = speller
        self.stemmer = stemmer
        self._grams: dict[str, tuple[str, ...]] = {}

    @property
    def english(self) -> English:
        return self.speller.english

    def to_parts(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """(settings, arrays) for the cache; the English list as bytes, decoded when a question needs it."""
        meta = {"rules": [[list(v), list(c)] for v, c in self.aliases.rules], "vocabulary": self.speller.counts,
                "stems": self.stemmer.memo}
        # wordfreq data, CC BY-SA 4.0 (see faqbot/data/english.txt)
        return meta, {"english": np.frombuffer(self.english.bands.encode("utf-8"), dtype=np.uint8)}

    @classmethod
    def from_parts(cls, meta: dict[str, Any], arrays: dict[str, np.ndarray], everyday_zipf: float) -> Analyzer:
        """The analyzer ``to_parts`` saved (ValueError or TypeError when the settings are not what it writes)."""
        stems, counts = meta["stems"], meta["vocabulary"]
        if not isinstance(stems, dict) or not all(isinstance(v, str) for v in stems.values()):
            raise ValueError("expected a mapping of words to stems")
        if not isinstance(counts, dict) or not all(isinstance(v, float | int) for v in counts.values()):
            raise ValueError("expected a mapping of words to counts")
        english = English(arrays["english"].tobytes())
        return cls(Aliases((v, c) for v, c in meta["rules"]), Speller(counts, english, everyday_zipf), Stemmer(stems))

    def document(self, text: str, *, chars: bool = False, wording: bool = False) -> Analysis:
        """Analysis of corpus text (no spelling correction: the corpus defines the vocabulary).
        Character n-grams and every-word features only when asked (only phrasings are matched by them)."""
        normalized = normalize(text)
        return self.from_tokens(normalized, self.aliases.apply(tokens_of(normalized)), (), chars=chars,
                                wording=wording)

    def stems(self, text: str) -> tuple[str, ...]:
        """The stems of corpus text's content words: ``document(text).stems`` without the features."""
        return tuple(self.stemmer.stems(content_words(self.aliases.apply(tokens_of(normalize(text))))))

    def query(self, text: str, *, chars: bool = True, wording: bool = True) -> Analysis:
        """Analysis of a question, with typos of corpus words corrected first. Character n-grams and
        every-word features only when asked for (a corpus whose weights ignore them saves the work)."""
        normalized = normalize(text)
        tokens = tokens_of(normalized)
        corrections: list[tuple[str, str]] = []
        for i, token in enumerate(tokens):
            fixed = self.speller.correct(token)
            if fixed is not None:
                corrections.append((token, fixed))
                tokens[i] = fixed
        return self.from_tokens(normalized, self.aliases.apply(tokens), tuple(corrections), chars=chars,
                                wording=wording)

    def from_tokens(self, normalized: str, tokens: list[str], corrections: tuple[tuple[str, str], ...] = (),
                    *, chars: bool = False, wording: bool = False) -> Analysis:
        """Analysis of already tokenised (and alias-folded) text; n-gram and every-word features when asked."""
        content = content_words(tokens)
        stems = self.stemmer.stems(content)
        return Analysis(normalized, tuple(tokens), tuple(content), tuple(stems),
                        (*word_features(stems), *question_kinds(tokens)),
                        self.char_features(content) if chars else (),
                        tuple(word_features(self.every_stem(tokens))) if wording else (), corrections)

    def char_features(self, words: Sequence[str]) -> tuple[str, ...]:
        """``char_features(words)``, each word's n-grams remembered: questions reuse the corpus's words."""
        memo, grams = self._grams, list[str]()
        for word in words:
            found = memo.get(word)
            if found is None:
                if len(memo) >= self.MAX_GRAMS:
                    memo.clear()
                found = memo[word] = tuple(char_features((word,)))
            grams += found
        return tuple(grams)

    def every_stem(self, tokens: Sequence[str]) -> list[str]:
        """The stem of every word, question words too: what the wording signal is made of."""
        return self.stemmer.stems(list(tokens))


ENGLISH_FILE = "english.txt"   # in faqbot/data: wordfreq's most frequent English words (CC BY-SA 4.0)


class English:
    """How everyday an English word is (0 rare or unknown, 1 among the most common), from wordfreq's list.

    A question word the corpus never uses is filler or a paraphrase when it is everyday English
    ("basically", "opt"), and a sign the question is about something else when it is rare. The list
    is read from the package when an index is built and kept in the index cache as *bands*: one line
    per quarter-point of Zipf frequency, "zipf<TAB> word word ... ". A look-up is one substring search,
    so loading costs nothing and only a word the corpus lacks is ever looked up.
    """

    COMMON_ZIPF = 4.0   # zipf at and above which a word counts as fully everyday ("cost", "opt", "basically")
    RARE_ZIPF = 3.0     # at and below which it counts as rare ("headquartered" is 3.4)

    def __init__(self, bands: str | bytes | memoryview) -> None:
        """*bands* as text, or as UTF-8 bytes (from the index cache: decoded on the first look-up)."""
        self._bands = bands
        self._zipf: dict[str, float] = {}   # words already looked up (a look-up scans the bands)

    @property
    def bands(self) -> str:
        if not isinstance(self._bands, str):
            self._bands = bytes(self._bands).decode("utf-8")
        return self._bands

    @classmethod
    def bundled(cls) -> English:
        """The list shipped in ``faqbot/data`` (empty when it is missing: then every word counts as rare)."""
        import os

        path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", ENGLISH_FILE)
        bands: dict[float, list[str]] = {}
        try:
            with open(path, encoding="utf-8") as handle:
                for line in handle:
                    word, _, zipf = line.strip().partition("\t")
                    if zipf and not word.startswith("#") and word.isalpha():
                        bands.setdefault(int(float(zipf) * 4) / 4, []).append(word)
        except (OSError, ValueError):
            return cls("")
        return cls("".join(f"{zipf}\t {' '.join(words)} \n" for zipf, words in sorted(bands.items(), reverse=True)))

    @classmethod
    def bundled_words(cls) -> set[str]:
        """Every word of the shipped list (for a semantic model's word table)."""
        return {w for w in cls.bundled().bands.split() if w.isalpha()}

    def zipf(self, word: str) -> float:
        """The word's Zipf frequency, to a quarter point (0 when it is not in the list)."""
        known = self._zipf.get(word)
        if known is not None:
            return known
        if len(self._zipf) > 50_000:
            self._zipf.clear()
        self._zipf[word] = found = self._look_up(word)
        return found

    def _look_up(self, word: str) -> float:
        bands = self.bands
        at = bands.find(f" {word} ") if word.isalpha() else -1
        if at < 0:
            return 0.0
        line = bands.rfind("\n", 0, at) + 1
        return float(bands[line:bands.index("\t", line)])

    def commonness(self, word: str) -> float:
        """0 for a rare or unknown word, 1 for an everyday one, linear in Zipf frequency between."""
        return min(1.0, max(0.0, (self.zipf(word) - self.RARE_ZIPF) / (self.COMMON_ZIPF - self.RARE_ZIPF)))

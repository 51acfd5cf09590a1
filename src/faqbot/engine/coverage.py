"""The coverage check: which content words each unit of the corpus contains, and how much of a question
a unit covers (rare words weigh most). Built with the index, saved with it, read lazily."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

import numpy as np

from faqbot.language.analysis import Analyzer
from faqbot.language.focus import facts_in
from faqbot.language.text import NAME_CAPITALISED, NAME_WORD, tokenize
from faqbot.models import Corpus
from faqbot.storage.columns import Groups, Nested, TermSets, Texts, group_arrays, term_set_arrays, text_arrays

_TERM_SETS = ("entry_terms", "source_terms", "passage_terms", "heading_terms")


class Evidence(NamedTuple):
    """The content words each unit of the corpus contains: the basis of the coverage check."""

    entry_terms: Sequence[frozenset[str]]
    source_terms: Sequence[frozenset[str]]                   # per entry: the passages it cites
    passage_terms: Sequence[frozenset[str]]
    sentence_terms: Sequence[tuple[frozenset[str], ...]]     # per passage, per sentence
    heading_terms: Sequence[frozenset[str]]                  # per passage: its section heading
    idf: dict[str, float]                                     # unigram IDF over every text
    unknown_idf: float                                        # for words the corpus never uses
    names: frozenset[str]                                     # stems the corpus writes as names (GPT-4.5, Adobe)
    entry_facts: np.ndarray                                   # per entry: the fact kinds it states (focus mask)

    @classmethod
    def of(cls, corpus: Corpus, analyzer: Analyzer, entry_stems: Sequence[Sequence[str]],
           passage_terms: Sequence[frozenset[str]], sentence_terms: Sequence[tuple[frozenset[str], ...]],
           heading_terms: Sequence[frozenset[str]], texts: TextFacts | None = None) -> Evidence:
        """The coverage check's basis for *corpus*, from the entries' and passages' stems; *texts*: what
        another build of the same passages already read off them."""
        texts = texts or TextFacts()
        entry_terms = tuple(frozenset(stems) for stems in entry_stems)
        return cls(entry_terms, source_terms_of(corpus, passage_terms), passage_terms, sentence_terms,
                   heading_terms, **_idf_of([*entry_terms, *passage_terms]), names=texts.names(corpus, analyzer),
                   entry_facts=np.asarray(texts.entry_facts(corpus), dtype=np.int32))

    def to_parts(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """(settings, arrays) for the cache: the word sets as word ids of one vocabulary, each sentence's
        set flat."""
        words = sorted(set().union(*self.entry_terms, *self.passage_terms,
                                   *(s for group in self.sentence_terms for s in group)))
        vocabulary = {w: i for i, w in enumerate(words)}
        arrays = text_arrays("evidence.words", words)
        for name in _TERM_SETS:
            arrays |= term_set_arrays(f"evidence.{name}", vocabulary, getattr(self, name))
        arrays |= term_set_arrays("evidence.sentences", vocabulary, [s for g in self.sentence_terms for s in g])
        arrays |= group_arrays("evidence.sentence_terms", [len(g) for g in self.sentence_terms])
        arrays["evidence.entry_facts"] = np.asarray(self.entry_facts, dtype=np.int32)
        return {"idf": self.idf, "unknown_idf": self.unknown_idf, "names": sorted(self.names)}, arrays

    @classmethod
    def from_parts(cls, meta: dict[str, Any], arrays: dict[str, np.ndarray], n_entries: int,
                   n_passages: int) -> Evidence:
        """The evidence ``to_parts`` saved (ValueError when the arrays do not fit the counts)."""
        words = Texts("evidence.words", arrays).all()
        sets = {name: TermSets(f"evidence.{name}", arrays, words, n_entries if name.startswith(("entry", "source"))
                               else n_passages) for name in _TERM_SETS}
        sentences = TermSets("evidence.sentences", arrays, words)
        names = meta["names"]
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise ValueError("expected a list of names")
        facts = arrays["evidence.entry_facts"]
        if facts.shape != (n_entries,):
            raise ValueError("the entries' fact kinds do not fit")
        return cls(**sets, sentence_terms=Nested(Groups("evidence.sentence_terms", arrays, sentences, n_passages)),
                   idf=numbers(meta["idf"]), unknown_idf=float(meta["unknown_idf"]), names=frozenset(names),
                   entry_facts=facts)


class Coverage:
    """IDF-weighted share of a question's content words that a piece of evidence contains.

    Rare words weigh most, and words the corpus never uses weigh more than any it does, so a
    question about something absent cannot be "covered" by its common words.
    """

    __slots__ = ("_weights", "_total")

    def __init__(self, weights: dict[str, float]) -> None:
        self._weights = weights
        self._total = sum(weights.values())

    def of(self, terms: frozenset[str] | set[str], nearby: frozenset[str] = frozenset(), credit: float = 0.0) -> float:
        """Share (0-1) of the question in *terms*; words only in *nearby* count *credit* of their weight.
        A question without content words is fully covered."""
        if self._total == 0:
            return 1.0
        found = 0.0
        for term, weight in self._weights.items():
            if term in terms:
                found += weight
            elif term in nearby:
                found += credit * weight
        return found / self._total


def numbers(mapping: Any) -> dict[str, float]:
    """*mapping* itself when it maps texts to numbers (as json.loads made it), else ValueError."""
    if not isinstance(mapping, dict) or not all(isinstance(v, float | int) for v in mapping.values()):
        raise ValueError("expected a mapping of words to numbers")
    return mapping


def source_terms_of(corpus: Corpus, passage_terms: Sequence[frozenset[str]]) -> tuple[frozenset[str], ...]:
    """Per entry, the words of the passages it cites."""
    passage_of = {p.id: i for i, p in enumerate(corpus.passages)}
    return tuple(frozenset().union(*(passage_terms[passage_of[s]] for s in e.sources if s in passage_of))
                 for e in corpus.entries)


class TextFacts:
    """What the coverage check reads off a corpus's texts with regular expressions (the fact kinds an
    entry states, the words written as names), worked out once for the index and the fit's folds:
    their passages are the same, and a fold's entries are the index's, fewer."""

    def __init__(self) -> None:
        self._sections: dict[tuple[str, tuple[str, ...]], int] = {}   # a section's fact kinds
        self._answers: dict[str, int] = {}                              # an answer's fact kinds
        self._passage_words: tuple[set[str], set[str]] | None = None   # (lower-case words, name candidates)

    def entry_facts(self, corpus: Corpus) -> list[int]:
        """Per entry, the kinds of fact its answer states (``faqbot.language.focus``). An implicit entry
        stands for its whole section (its answer is the sentences a question asks for), so it states
        what the section does."""
        if not any(e.implicit for e in corpus.entries):
            return [self._answer_facts(e.answer) for e in corpus.entries]
        sections: dict[tuple[str, tuple[str, ...]], list[str]] = {}
        section_of: dict[str, tuple[str, tuple[str, ...]]] = {}
        for p in corpus.passages:
            sections.setdefault((p.source, p.path), []).append(p.text)
            section_of[p.id] = (p.source, p.path)
        found = []
        for e in corpus.entries:
            if e.implicit and e.sources and e.sources[0] in section_of:
                key = section_of[e.sources[0]]
                facts = self._sections.get(key)
                if facts is None:
                    facts = self._sections[key] = facts_in(" ".join(sections[key]))
            else:
                facts = self._answer_facts(e.answer)
            found.append(facts)
        return found

    def _answer_facts(self, answer: str) -> int:
        facts = self._answers.get(answer)
        if facts is None:
            facts = self._answers[answer] = facts_in(answer)
        return facts

    def names(self, corpus: Corpus, analyzer: Analyzer) -> frozenset[str]:
        """Stems of the words the corpus writes as names: capitalised inside a sentence and never in lower
        case ("Midjourney", "Google", not "Code"), or holding a digit ("GPT-4.5", "70B")."""
        if self._passage_words is None:
            self._passage_words = _words_of(p.text for p in corpus.passages)
        lower, names = _words_of(e.answer for e in corpus.entries)
        lower |= self._passage_words[0]
        names |= self._passage_words[1]
        found: set[str] = set()
        for name in names:
            if any(ch.isdigit() for ch in name) or not lower.intersection(tokenize(name)):
                found.update(analyzer.stems(name))
        return frozenset(found)


def _words_of(texts: Iterable[str]) -> tuple[set[str], set[str]]:
    """(the lower-case words, the words written as a name could be) of *texts*."""
    lower: set[str] = set()
    names: set[str] = set()   # each name once
    lowercase, named = re.compile(r"\b[a-z][a-z]+\b"), re.compile(NAME_WORD)
    capitalised, digit = re.compile(NAME_CAPITALISED), re.compile(r"\d")
    for text in texts:
        lower.update(lowercase.findall(text))
        # Without a digit only NAME_WORD's capitalised half can match: the same words, found faster.
        names.update((named if digit.search(text) else capitalised).findall(text))
    return lower, names


def _idf_of(documents: Sequence[frozenset[str]]) -> dict[str, Any]:
    """Unigram IDF over every text (the coverage check's weights); unknown words weigh more than any."""
    n = max(1, len(documents))
    df: Counter[str] = Counter()
    for doc in documents:
        df.update(doc)
    return {"idf": {t: math.log((1 + n) / (1 + d)) + 1.0 for t, d in df.items()}, "unknown_idf": math.log(1 + n) + 2.0}

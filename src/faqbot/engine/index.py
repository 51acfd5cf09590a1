"""Build and search a corpus: curated entries by fused TF-IDF + fuzzy scores, passages by TF-IDF.

Knows nothing of terminals or answers: it returns scores and evidence, and the answerer decides.
All arrays are plain numpy, so an ``Index`` can be saved to and loaded from a pickle-free cache.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import numpy as np

from faqbot.config import Weights
from faqbot.corpus.stored import corpus_from_parts, corpus_parts
from faqbot.engine.coverage import Coverage, Evidence, TextFacts
from faqbot.engine.semantic import LEXICAL, Meaning
from faqbot.engine.tfidf import TermIndex
from faqbot.language.analysis import Analysis, Analyzer, English, Speller, Stemmer
from faqbot.language.text import STOPWORDS, Aliases, char_features, tokenize, word_features
from faqbot.models import Corpus, Entry, Passage
from faqbot.signals import check
from faqbot.storage.columns import Texts, column_of, sizes_of, text_arrays


class EntryScores(NamedTuple):
    """Per-entry signals (0-1 each) for one question, aligned with ``corpus.entries``."""

    char: np.ndarray
    word: np.ndarray
    wording: np.ndarray
    qa: np.ndarray
    fuzzy: np.ndarray
    fused: np.ndarray


check("EntryScores", EntryScores._fields[:-1])


class Signals(NamedTuple):
    """One question's TF-IDF signals before fusion (None: not computed)."""

    phrase: list[np.ndarray | None]      # char, word, wording: per phrasing
    per_entry: list[np.ndarray | None]   # the same, each entry's best phrasing
    qa: np.ndarray | None                # per entry: its question and answer together


class PassageAnalysis(NamedTuple):
    """The analysis of a corpus's passages: made once, shared by the index and the fit's folds."""

    aliases: Aliases
    stemmer: Stemmer
    counts: Counter[str]                               # how often each word occurs in the passages
    parts: list[tuple[tuple[str, ...], ...]]           # per passage: heading and sentences, as stems
    sentence_terms: tuple[tuple[frozenset[str], ...], ...]
    heading_terms: tuple[frozenset[str], ...]
    passage_terms: tuple[frozenset[str], ...]
    texts: TextFacts                                   # fact kinds and names read off the texts, remembered

    @classmethod
    def of(cls, corpus: Corpus, stems: dict[str, str] | None = None) -> PassageAnalysis:
        aliases = Aliases.from_phrases(corpus.aliases)
        stemmer = Stemmer(dict(stems or {}))
        # The speller's counts: every alias and stopword is a known word (document() never corrects).
        counts: Counter[str] = Counter(dict.fromkeys(aliases.words | STOPWORDS, 0))
        analyzer = Analyzer(aliases, Speller({}), stemmer)
        # A passage is found by its heading too ("Underlying Architectures and Models").
        parts, sentence_terms, heading_terms, passage_terms = [], [], [], []
        headings: dict[str, tuple[str, ...]] = {}
        for p in corpus.passages:
            counts.update(tokenize(p.text))
            heading = headings.get(p.section) or headings.setdefault(p.section, analyzer.stems(p.section))
            sentences = [analyzer.stems(s) for s in p.sentences]
            parts.append((heading, *sentences))
            sentence_terms.append(tuple(frozenset(s) for s in sentences))
            heading_terms.append(frozenset(heading))
            passage_terms.append(heading_terms[-1].union(*sentence_terms[-1]))
        return cls(aliases, stemmer, counts, parts, tuple(sentence_terms), tuple(heading_terms), tuple(passage_terms),
                   TextFacts())


class Tables(NamedTuple):
    """The TF-IDF indexes of one corpus: the phrasings by characters, content words and every word; the
    entries (question and answer) and the passages, which share one vocabulary."""

    phrase_char: TermIndex
    phrase_word: TermIndex
    phrase_wording: TermIndex
    entry_qa: TermIndex
    passage_word: TermIndex

    def to_arrays(self) -> dict[str, np.ndarray]:
        shared = self.passage_word.shares_vocabulary(self.entry_qa)
        arrays: dict[str, np.ndarray] = {}
        for name, table in self._asdict().items():
            arrays |= table.to_arrays(name, with_terms=not (shared and name == "passage_word"))
        return arrays

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray]) -> Tables:
        tables: dict[str, TermIndex] = {}
        for name in cls._fields:
            like = tables["entry_qa"] if name == "passage_word" and "passage_word.terms" not in arrays else None
            tables[name] = TermIndex.from_arrays(name, arrays, like=like)
        return cls(**tables)


class Index:
    """Every search structure of one corpus. Build once with ``Index.build``; read-only afterwards (but
    for the phrasing lookup ``phrasing_owner`` makes on first use, the same whoever makes it)."""

    def __init__(self, corpus: Corpus, analyzer: Analyzer, *, tables: Tables, phrase_entry: np.ndarray,
                 phrase_texts: Sequence[str], evidence: Evidence, meaning: Meaning = LEXICAL) -> None:
        self.corpus = corpus
        self.analyzer = analyzer
        self.tables = tables
        self.phrase_char, self.phrase_word, self.phrase_wording, self.entry_qa, self.passage_word = tables
        self.phrase_entry = phrase_entry   # per phrasing, its entry (an entry's phrasings are consecutive)
        self.phrase_texts = phrase_texts   # per phrasing, as the fuzzy signal compares it
        self.evidence = evidence
        self.meaning = meaning             # the semantic table when a model was given, and what was asked for
        self._passage_of = {p: i for i, p in enumerate(column_of(corpus.passages, "id"))}
        self._entry_of = {e: i for i, e in enumerate(column_of(corpus.entries, "id"))}
        # An entry's phrasings are consecutive: its best phrase score is one reduceat away.
        self._phrase_starts = np.flatnonzero(np.r_[True, np.diff(phrase_entry) != 0]) if phrase_entry.size else None
        self._owners: dict[str, int] | None = None   # phrasing text -> its entry, made on first use

    # ------------------------------------------------------------------ building

    @classmethod
    def build(cls, corpus: Corpus, stems: dict[str, str] | None = None,
              progress: Callable[[str], None] | None = None, passages: PassageAnalysis | None = None) -> Index:
        """Analyse every text of *corpus* and fit the TF-IDF indexes (this is where scikit-learn runs).

        *progress*, when given, is called with the name of each stage as it starts. *passages*: the
        passages' analysis when another build of the same passages made it already (the fit's folds
        differ from the index in their entries only). Lexical: ``with_meaning`` adds the embeddings.
        """
        report = progress or (lambda stage: None)
        report("analysing text")
        shared = passages or PassageAnalysis.of(corpus, stems)
        analyzer = _analyzer_of(corpus, shared, stems)
        # Only what the indexes and the coverage check need is kept, as words and stems; the TF-IDF
        # features are made from them during the fit, so a large corpus fits in memory.
        phrases = [analyzer.document(p) for e in corpus.entries for p in e.phrasings]
        answers = [analyzer.document(e.answer) for e in corpus.entries]
        entry_stems = [analyzer.stems(" ".join((*e.phrasings, e.answer))) for e in corpus.entries]
        report("fitting TF-IDF indexes")
        tables = _tables_of(analyzer, phrases, answers, entry_stems, shared.parts)
        evidence = Evidence.of(corpus, analyzer, entry_stems, shared.passage_terms, shared.sentence_terms,
                               shared.heading_terms, shared.texts)
        del shared   # the passages' word lists, the largest thing built (unless a caller keeps them)
        return cls(corpus, analyzer, tables=tables,
                   phrase_entry=np.asarray([i for i, e in enumerate(corpus.entries) for _ in e.phrasings],
                                           dtype=np.int32),
                   phrase_texts=tuple(a.fuzzy_text for a in phrases), evidence=evidence)

    def with_meaning(self, meaning: Meaning) -> Index:
        """The same index with *meaning* (embeddings of its phrasings and passages; arrays shared)."""
        return Index(self.corpus, self.analyzer, tables=self.tables, phrase_entry=self.phrase_entry,
                     phrase_texts=self.phrase_texts, evidence=self.evidence, meaning=meaning)

    def to_parts(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """(settings, arrays) for the cache: each part saves its own."""
        corpus_meta, arrays = corpus_parts(self.corpus)
        analyzer_meta, analyzer_arrays = self.analyzer.to_parts()
        evidence_meta, evidence_arrays = self.evidence.to_parts()
        meaning_meta, meaning_arrays = self.meaning.to_parts()
        arrays |= analyzer_arrays | evidence_arrays | meaning_arrays | self.tables.to_arrays()
        arrays["phrase_entry"] = np.asarray(self.phrase_entry, dtype=np.int32)
        arrays |= text_arrays("phrase_texts", self.phrase_texts)
        return {"corpus": corpus_meta, "analyzer": analyzer_meta, "evidence": evidence_meta,
                "semantic": meaning_meta}, arrays

    @classmethod
    def from_parts(cls, meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> Index:
        """The index ``to_parts`` saved; ValueError (or KeyError, TypeError) when it is damaged."""
        corpus = corpus_from_parts(meta["corpus"], arrays)
        index = cls(corpus, Analyzer.from_parts(meta["analyzer"], arrays, corpus.config.spelling_max_zipf),
                    tables=Tables.from_arrays(arrays), phrase_entry=arrays["phrase_entry"],
                    phrase_texts=tuple(Texts("phrase_texts", arrays).all()),
                    evidence=Evidence.from_parts(meta["evidence"], arrays, len(corpus.entries), len(corpus.passages)),
                    meaning=Meaning.from_parts(meta["semantic"], arrays))
        if not fits_its_corpus(index):
            raise ValueError("the index does not fit its corpus")
        return index

    # ------------------------------------------------------------------ searching

    def entry_scores(self, query: Analysis, *, weights: Weights, fuzzy_candidates: int) -> EntryScores:
        """Every entry's signals for *query* (a signal with no weight is not computed: zeros);
        fuzzy scores only for the phrasings TF-IDF ranks best."""
        return self.fuse(query, self.signals(query, weights), weights=weights, fuzzy_candidates=fuzzy_candidates)

    def signals(self, query: Analysis, weights: Weights) -> Signals:
        """*query*'s TF-IDF signals that *weights* weigh, before fusion (the fit fuses one set under
        several weights)."""
        phrase = [self.phrase_char.scores(query.char_features) if weights.char else None,
                  self.phrase_word.scores(query.word_features) if weights.word else None,
                  self.phrase_wording.scores(query.question_features) if weights.wording else None]
        qa = self.entry_qa.scores(query.word_features) if weights.qa and len(self.corpus.entries) else None
        return Signals(phrase, [None if p is None else self._best_touched(p) for p in phrase], qa)

    def fuse(self, query: Analysis, found: Signals, *, weights: Weights, fuzzy_candidates: int,
             sims: dict[int, float] | None = None) -> EntryScores:
        """The signals *found* fused under *weights* (each of them computed), with fuzzy scores of the
        phrasings they rank best; *sims*: fuzzy scores already computed for this query, by phrasing."""
        n, n_phrases = len(self.corpus.entries), len(self.phrase_texts)
        phrase = [p if w else None for p, w in zip(found.phrase, weights[:3], strict=True)]
        per_entry = [p if w else None for p, w in zip(found.per_entry, weights[:3], strict=True)]
        qa = found.qa if weights.qa else None
        # Weighted sums of the signals that weigh, added in a fixed order (skipping a zero term changes no bit).
        partial = _weighted_sum([*zip(weights[:3], per_entry, strict=True), (weights.qa, qa)], n)
        fuzzy, top = np.zeros(n), np.zeros(0, dtype=np.int64)
        if weights.fuzzy and query.content and n_phrases:
            phrase_partial = _weighted_sum(list(zip(weights[:3], phrase, strict=True)), n_phrases)
            top = top_indices(phrase_partial, fuzzy_candidates)
            if not top.size and qa is not None:   # no phrasing scores (only qa weighs): the best entries' phrasings
                phrase_partial = qa[self.phrase_entry]
                top = top_indices(phrase_partial, fuzzy_candidates)
            if top.size:
                similar = self._fuzzy(query.fuzzy_text, top) if sims is None else \
                    self._remembered_fuzzy(query.fuzzy_text, top, sims)
                order = np.argsort(similar, kind="stable")   # ascending: an entry's last (= best) phrasing wins
                fuzzy[self.phrase_entry[top[order]]] = similar[order]
        zeros = np.zeros(n)
        char, word, wording = (zeros if p is None else p for p in per_entry)
        if top.size:   # partial is this question's own array: only the entries fuzzy scored change (x + 0.0 is x)
            scored = self.phrase_entry[top]
            partial[scored] += weights.fuzzy * fuzzy[scored]
        return EntryScores(char, word, wording, zeros if qa is None else qa, fuzzy,
                           np.clip(partial, 0.0, 1.0, out=partial))

    def _remembered_fuzzy(self, text: str, phrases: np.ndarray, sims: dict[int, float]) -> np.ndarray:
        """``_fuzzy``, computing only the phrasings *sims* does not hold yet (and adding them to it)."""
        wanted = phrases.tolist()
        missing = [p for p in wanted if p not in sims]
        if missing:
            sims.update(zip(missing, self._fuzzy(text, np.asarray(missing)).tolist(), strict=True))
        return np.asarray([sims[p] for p in wanted])

    def best_per_entry(self, phrase_scores: np.ndarray) -> np.ndarray:
        """Each entry's best score among its phrasings (*phrase_scores*: one per phrasing)."""
        if self._phrase_starts is None:
            return np.zeros(len(self.corpus.entries))
        return np.maximum.reduceat(phrase_scores, self._phrase_starts)

    def _best_touched(self, phrase_scores: np.ndarray) -> np.ndarray:
        """``best_per_entry`` of scores that are never negative (TF-IDF cosines): in a large corpus a
        question touches few phrasings, and only their entries are reduced."""
        if phrase_scores.size < _SPARSE_FROM:
            return self.best_per_entry(phrase_scores)
        touched = phrase_scores > 0   # numpy counts and finds True in booleans far faster than non-zero floats
        if np.count_nonzero(touched) * 8 > phrase_scores.size:   # dense enough: one reduce over all is faster
            return self.best_per_entry(phrase_scores)
        best = np.zeros(len(self.corpus.entries))
        hits = np.flatnonzero(touched)
        if hits.size:
            owners = self.phrase_entry[hits]   # non-decreasing: an entry's phrasings are contiguous
            firsts = np.flatnonzero(np.diff(owners, prepend=-1))
            best[owners[firsts]] = np.maximum.reduceat(phrase_scores[hits], firsts)
        return best

    def _fuzzy(self, text: str, phrases: np.ndarray) -> np.ndarray:
        """rapidfuzz similarity (0-1) of *text* to each of *phrases*, word order ignored."""
        from rapidfuzz import fuzz, process

        choices = [self.phrase_texts[p] for p in phrases.tolist()]
        return np.asarray(process.cdist([text], choices, scorer=fuzz.ratio, dtype=np.float32)[0], dtype=float) / 100.0

    def phrasing_owner(self, text: str) -> int | None:
        """The entry one of whose phrasings is *text* word for word (as the fuzzy signal compares them), or
        None (no such phrasing, or several entries share it)."""
        if self._owners is None:
            owners: dict[str, int] = {}
            for phrase, entry in zip(self.phrase_texts, self.phrase_entry.tolist(), strict=True):
                if owners.setdefault(phrase, entry) != entry:
                    owners[phrase] = -1
            self._owners = owners
        entry = self._owners.get(text, -1)
        return entry if entry >= 0 else None

    def verbatim_matches(self, text: str, score_cutoff: float) -> list[tuple[int, float]]:
        """(entry, similarity 0-1) for entries with a phrasing nearly equal to *text*, best first."""
        from rapidfuzz import fuzz, process

        hits = process.extract(text, self.phrase_texts, scorer=fuzz.ratio, processor=None, limit=5,
                               score_cutoff=score_cutoff * 100)
        best: dict[int, float] = {}
        for _, score, phrase in hits:
            entry = int(self.phrase_entry[phrase])
            best[entry] = max(best.get(entry, 0.0), score / 100)
        return sorted(best.items(), key=lambda item: (-item[1], item[0]))

    def passage_scores(self, query: Analysis) -> np.ndarray:
        """Cosine similarity (0-1) of *query* to every passage."""
        return self.passage_word.scores(query.word_features)

    def coverage(self, stems: Sequence[str], extra: Sequence[str] = (), extra_weight: float = 0.0, *,
                 words: Sequence[str] | None = None) -> Coverage:
        """The coverage check for one question (*extra*: the previous turn's words, at *extra_weight*).

        With *words* (the unstemmed content words behind *stems*), a word the corpus never uses weighs
        less the more everyday English it is: "basically" or "opt" is filler, "headquartered" is not.
        """
        idf, unknown = self.evidence.idf, self.evidence.unknown_idf
        weights = {t: idf.get(t, unknown) for t in stems}
        if words is not None:
            for word, t in zip(words, stems, strict=True):
                if t not in idf:
                    weights[t] = unknown * (1.0 - 0.9 * self.analyzer.english.commonness(word))
        for t in extra:
            weights.setdefault(t, extra_weight * idf.get(t, unknown))
        return Coverage(weights)

    def names_in(self, query: Analysis) -> frozenset[str]:
        """The question's stems that the corpus writes as names ("gpt", "4.5", "midjourney")."""
        return self.evidence.names.intersection(query.stems)

    def unknown_words(self, query: Analysis) -> tuple[str, ...]:
        """The question's content words the corpus never uses (as the question wrote them)."""
        idf = self.evidence.idf
        return tuple(w for w, t in zip(query.content, query.stems, strict=True) if t not in idf)

    def rare_unknown_share(self, query: Analysis) -> float:
        """Share of the question's content words that the corpus never uses and English rarely does."""
        if not query.content:
            return 0.0
        rare = sum(1 for word in self.unknown_words(query) if self.analyzer.english.commonness(word) < 0.5)
        return rare / len(query.content)

    def passage_index(self, passage_id: str) -> int:
        """The position of the passage *passage_id* (KeyError when there is none)."""
        return self._passage_of[passage_id]

    def passage_position(self, passage_id: str) -> int | None:
        """The position of the passage *passage_id*, or None when there is none."""
        return self._passage_of.get(passage_id)

    def fact_mask(self, entry_id: str) -> int:
        """The kinds of fact the entry's answer states (a ``faqbot.language.focus`` mask)."""
        return int(self.evidence.entry_facts[self._entry_of[entry_id]])

    def entry_index(self, entry_id: str) -> int:
        """The position of the entry *entry_id* (KeyError when there is none)."""
        return self._entry_of[entry_id]

    def has_entry(self, entry_id: str) -> bool:
        return entry_id in self._entry_of

    def entry(self, entry_id: str) -> Entry:
        """The entry *entry_id* (KeyError when there is none)."""
        return self.corpus.entries[self._entry_of[entry_id]]

    def passage(self, passage_id: str) -> Passage | None:
        """The passage *passage_id*, or None."""
        i = self._passage_of.get(passage_id)
        return None if i is None else self.corpus.passages[i]


def fits_its_corpus(index: Index) -> bool:
    """Whether every array fits the corpus (a damaged cache must never be used)."""
    corpus, evidence = index.corpus, index.evidence
    n_entries, n_passages = len(corpus.entries), len(corpus.passages)
    n_phrases = n_entries + sum(sizes_of(corpus.entries, "paraphrases"))
    problems = [
        index.phrase_entry.shape != (n_phrases,) or len(index.phrase_texts) != n_phrases,
        bool(n_phrases) and (int(index.phrase_entry.min()) < 0 or int(index.phrase_entry.max()) >= n_entries),
        index.phrase_char.n_docs != n_phrases or index.phrase_word.n_docs != n_phrases,
        index.phrase_wording.n_docs != n_phrases,
        index.entry_qa.n_docs != n_entries or index.passage_word.n_docs != n_passages,
        len(evidence.entry_terms) != n_entries or len(evidence.source_terms) != n_entries,
        len(evidence.passage_terms) != n_passages or len(evidence.heading_terms) != n_passages,
        sizes_of(evidence.sentence_terms) != sizes_of(corpus.passages, "sentences"),
        evidence.entry_facts.shape != (n_entries,),
    ]
    return not any(problems)


_SPARSE_FROM = 20_000   # phrasings from which _best_touched reduces only the touched ones


def _weighted_sum(terms: list[tuple[float, np.ndarray | None]], size: int) -> np.ndarray:
    """Σ weight · signal over the *terms* that weigh, left to right (zeros when none does)."""
    total: np.ndarray | None = None
    for weight, signal in terms:
        if weight and signal is not None:
            if total is None:
                total = weight * signal
            else:
                total += weight * signal   # in place: the same sum, one array fewer
    return np.zeros(size) if total is None else total


def top_indices(scores: np.ndarray, limit: int) -> np.ndarray:
    """Indices of the *limit* highest positive scores, best first, ties broken by index (also at the
    cut-off: every index tying with the last one kept competes, the lowest wins).

    Only positive scores are ranked: a question touches few documents, and partitioning a mostly
    zero array is the slow case of numpy's selection.
    """
    hits = np.flatnonzero(scores > 0)
    if hits.size > limit:
        values = scores[hits]
        kth = np.partition(values, values.size - limit)[values.size - limit]
        hits = hits[values >= kth]
    return hits[np.lexsort((hits, -scores[hits]))][:limit]


def _entry_word_counts(corpus: Corpus) -> Counter[str]:
    """How often each word occurs in the entries and small talk (the passages' words are counted by
    ``PassageAnalysis``): with them, the vocabulary typos are corrected into."""
    counts: Counter[str] = Counter()
    for entry in corpus.entries:
        for text in (*entry.phrasings, entry.answer):
            counts.update(tokenize(text))
    for intent in corpus.smalltalk:
        for pattern in intent.patterns:
            counts.update(tokenize(pattern))
    return counts


def _parts_features(parts: Sequence[Sequence[str]]) -> list[str]:
    """Word features of a text made of parts (heading, sentences): pairs never span two parts."""
    return [feature for part in parts for feature in word_features(part)]


def _analyzer_of(corpus: Corpus, shared: PassageAnalysis, stems: dict[str, str] | None) -> Analyzer:
    """The analyzer of *corpus*: its spelling vocabulary is every word of the passages, entries and small talk."""
    counts = dict(shared.counts)
    for word, n in _entry_word_counts(corpus).items():
        counts[word] = counts.get(word, 0) + n
    return Analyzer(shared.aliases, Speller(counts, English.bundled(), corpus.config.spelling_max_zipf),
                    Stemmer({**shared.stemmer.memo, **(stems or {})}))


def _tables_of(analyzer: Analyzer, phrases: Sequence[Analysis], answers: Sequence[Analysis],
               entry_stems: Sequence[Sequence[str]], passage_parts: Sequence[Sequence[Sequence[str]]]) -> Tables:
    """The TF-IDF indexes over the analysed phrasings, answers, entries and passages."""
    phrase_every = [tuple(analyzer.every_stem(a.tokens)) for a in phrases]
    answer_every = [tuple(analyzer.every_stem(a.tokens)) for a in answers]
    phrase_char = TermIndex.build([a.content for a in phrases], features=char_features)
    # IDF from the answers too, so that words common to every answer stop dominating. The wording
    # index matches every word ("where can I..." is not "should I...").
    phrase_word = TermIndex.build([a.word_features for a in phrases], idf_docs=[a.word_features for a in answers])
    phrase_wording = TermIndex.build(phrase_every, idf_docs=answer_every, features=word_features)
    # One vocabulary and IDF for entries and passages: fitted once on both.
    entry_qa, passage_word = TermIndex.build_many([[(stems,) for stems in entry_stems], passage_parts],
                                                  features=_parts_features)
    return Tables(phrase_char, phrase_word, phrase_wording, entry_qa, passage_word)

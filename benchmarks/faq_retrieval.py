#!/usr/bin/env python3
"""FAQ-retrieval benchmark: faqbot against standard lexical baselines on two public data sets.

    python benchmarks/faq_retrieval.py --datasets ../shared/datasets --json faq-retrieval.json

Data sets (read in place, never copied): StackFAQ (719 entries, 1,249 crowd-written queries, entries
of one StackExchange thread share one question) and CovidFAQ (68 entries, 1,037 real user queries).
See each data set's README for its caveats.

What it measures, in one process and on the same queries:

1. Ranking. faqbot (``Answerer.search``) and baselines: bm25s and rank_bm25 over question+answer and
   over questions, scikit-learn TF-IDF (word over questions, word over question+answer, char_wb
   3-5-grams over questions) and rapidfuzz ``token_set_ratio`` over questions. P@1, MRR@10 and
   Recall@5 against each query's ``relevant`` list; on StackFAQ also the same three with rankings
   collapsed to unique questions (a ranked entry becomes its group, first occurrence kept, relevant =
   the query's group). Index build time, and per-query latency of the ranking call (median, p95).
2. faqbot fusion-weight ablation, on the tune half only (weights set through ``config.yaml``).
3. Abstention on real queries (StackFAQ): every question group is left out of the corpus in turn and
   its own queries are asked (``Answerer.ask``); they should not be answered. With all entries present,
   the share of queries answered correctly. Both with no config.yaml (the decision faqbot fits to the
   corpus at build, at its fitted threshold) and as that threshold moves.

Held-out protocol: queries are split into a tune half and a test half (``split_half``); weights and
thresholds may only be chosen on the tune half. Every figure is reported on all queries and on the
test half. Nothing here trains anything; the baselines keep their libraries' default parameters.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import importlib
import importlib.util
import json
import os
import platform
import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DATASETS = REPO.parent / "shared" / "datasets"
DATASETS = ("stackfaq", "covidfaq")

# Figures measured before this script existed, with the same baselines (best baseline P@1).
REFERENCE_P1 = {"stackfaq": ("tfidf-char-q", 0.713), "covidfaq": ("tfidf-word-q", 0.616)}

THRESHOLDS = tuple(round(0.05 * i, 2) for i in range(1, 19))   # 0.05 .. 0.90
# The decision is fitted to each corpus at build; the sweep moves its answer threshold (``answer_at``),
# the fitted value being the default operating point.
PROFILES: dict[str, dict[str, float]] = {"fitted": {}}


def settings(thresholds: Sequence[float]) -> list[tuple[str, float, dict[str, float]]]:
    """(profile, threshold, overrides) for every point of the sweep."""
    return [(name, t, {**extra, "answer_at": t}) for name, extra in PROFILES.items() for t in thresholds]


def at_threshold(bot: Any, overrides: dict[str, float]) -> Any:
    """*bot* with its fitted decision answering at ``overrides['answer_at']`` (config overrides for the rest)."""
    from dataclasses import replace

    from faqbot import Answerer

    rest = {k: v for k, v in overrides.items() if k != "answer_at"}
    decision = bot.decision
    t = overrides.get("answer_at", decision.answer_at)
    return Answerer(bot.built.with_decision(replace(decision, answer_at=t, clarify_at=min(t, decision.clarify_at))),
                    bot.config.with_values(rest))
NOT_ANSWERED = ("abstain", "clarify")
TARGET_NOT_ANSWERED = 0.80
TARGET_CORRECT = 0.65


# ============================================================================ data and split


@dataclass
class Dataset:
    name: str
    entries: list[dict[str, Any]]
    queries: list[dict[str, Any]]
    grouped: bool                       # StackFAQ: entries carry a question `group`
    group_of: dict[str, str] = field(default_factory=dict)

    @property
    def ids(self) -> list[str]:
        return [e["id"] for e in self.entries]


def split_half(dataset: str, query: dict[str, Any]) -> str:
    """'tune' or 'test': the half of the queries a query belongs to (deterministic, no randomness).

    StackFAQ: by question group number, even -> tune, odd -> test (a thread's queries never straddle
    the halves). CovidFAQ: by the number in the query id (cq0001 -> 1), even -> tune, odd -> test.
    """
    if dataset == "stackfaq":
        number = int(query["group"])
    elif dataset == "covidfaq":
        number = int(re.sub(r"\D", "", query["id"]))
    else:
        raise ValueError(f"no split defined for data set {dataset!r}")
    return "tune" if number % 2 == 0 else "test"


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def load_datasets(root: Path, names: Sequence[str]) -> list[Dataset]:
    missing = [str(root / n / f) for n in names for f in ("faq.jsonl", "queries.jsonl") if not (root / n / f).is_file()]
    if missing:
        sys.exit(f"faq_retrieval: data set files not found: {', '.join(missing)}\n"
                 f"  pass the folder holding {', '.join(names)}/ with --datasets DIR "
                 f"(default: {DEFAULT_DATASETS})")
    out = []
    for name in names:
        entries = _read_jsonl(root / name / "faq.jsonl")
        queries = _read_jsonl(root / name / "queries.jsonl")
        grouped = all("group" in e for e in entries)
        ds = Dataset(name, entries, queries, grouped, {e["id"]: e["group"] for e in entries} if grouped else {})
        known = set(ds.ids)
        bad = [q["id"] for q in queries if not q["relevant"] or not set(q["relevant"]) <= known]
        if bad:
            sys.exit(f"faq_retrieval: {name}: queries with unknown or no relevant ids: {bad[:5]}")
        out.append(ds)
    return out


# ============================================================================ metrics


def _first_rank(ranked: Sequence[str], relevant: set[str], depth: int) -> int | None:
    for rank, item in enumerate(ranked[:depth], start=1):
        if item in relevant:
            return rank
    return None


def query_metrics(ranked: Sequence[str], relevant: set[str]) -> tuple[float, float, float]:
    """(P@1, reciprocal rank within the top 10, Recall@5) of one ranking."""
    rank = _first_rank(ranked, relevant, 10)
    p1 = 1.0 if ranked and ranked[0] in relevant else 0.0
    rr = 1.0 / rank if rank else 0.0
    r5 = len(set(ranked[:5]) & relevant) / len(relevant)
    return p1, rr, r5


def collapse(ranked: Sequence[str], group_of: dict[str, str]) -> list[str]:
    """A ranking of entries as a ranking of unique questions (groups), first occurrence kept."""
    return list(dict.fromkeys(group_of[i] for i in ranked))


METRICS = ("P@1", "MRR@10", "R@5")


def aggregate(rows: list[tuple[float, float, float]]) -> dict[str, float]:
    if not rows:
        return {m: float("nan") for m in METRICS}
    arr = np.asarray(rows)
    return {m: float(arr[:, k].mean()) for k, m in enumerate(METRICS)}


# ============================================================================ ranking systems


def _order(scores: np.ndarray) -> np.ndarray:
    """Indices by descending score, ties in corpus order; documents scoring 0 are not retrieved."""
    order = np.lexsort((np.arange(scores.size), -scores))
    return order[scores[order] > 0]


class System:
    """A ranker: ``build`` the index from entries, then ``rank`` a query to entry ids, best first."""

    name = ""
    description = ""
    family = ""

    def build(self, entries: list[dict[str, Any]]) -> None:
        raise NotImplementedError

    def rank(self, query: str) -> list[str]:
        raise NotImplementedError

    def rank_deep(self, query: str) -> list[str]:
        """A ranking deep enough to collapse to 10 unique questions (default: ``rank`` is complete)."""
        return self.rank(query)


def _over(fields: str) -> str:
    return "question+answer" if fields == "qa" else "questions"


def _texts(entries: list[dict[str, Any]], fields: str) -> list[str]:
    return [e["question"] if fields == "q" else f"{e['question']}\n{e['answer']}" for e in entries]


class _Tokenizer:
    """Lowercase, scikit-learn/bm25s token pattern, bm25s's English stop words, Snowball stems (memoised)."""

    def __init__(self) -> None:
        import snowballstemmer
        from bm25s.stopwords import STOPWORDS_EN

        self._pattern = re.compile(r"(?u)\b\w\w+\b")
        self._stop = frozenset(STOPWORDS_EN)
        self._stemmer = snowballstemmer.stemmer("english")
        self._memo: dict[str, str] = {}

    def __call__(self, text: str) -> list[str]:
        out = []
        for word in self._pattern.findall(text.lower()):
            if word in self._stop:
                continue
            stem = self._memo.get(word)
            if stem is None:
                stem = self._memo[word] = self._stemmer.stemWord(word)
            out.append(stem)
        return out


class _Bm25(System):
    """A BM25 library over questions or question+answer, fed the same tokens as every other BM25."""

    model = ""

    def __init__(self, fields: str) -> None:
        self.fields = fields
        self.name = f"{self.family}-{'qa' if fields == 'qa' else 'q'}"
        self.description = f"{self.family} {self.model} over {_over(fields)}"

    def build(self, entries: list[dict[str, Any]]) -> None:
        self.tok = _Tokenizer()
        self.ids = [e["id"] for e in entries]
        self.fit([self.tok(t) for t in _texts(entries, self.fields)])

    def rank(self, query: str) -> list[str]:
        tokens = self.tok(query)
        scores = self.scores(tokens) if tokens else np.zeros(len(self.ids))
        return [self.ids[i] for i in _order(np.asarray(scores, dtype=np.float64))]

    def fit(self, corpus_tokens: list[list[str]]) -> None:
        raise NotImplementedError

    def scores(self, tokens: list[str]) -> Any:
        raise NotImplementedError


class Bm25s(_Bm25):
    family = "bm25s"
    model = "BM25 (Lucene, k1=1.5, b=0.75)"

    def fit(self, corpus_tokens: list[list[str]]) -> None:
        import bm25s

        self.retriever = bm25s.BM25()
        self.retriever.index(corpus_tokens, show_progress=False)

    def scores(self, tokens: list[str]) -> Any:
        return self.retriever.get_scores(tokens)   # tokens it has not seen score 0


class RankBm25(_Bm25):
    family = "rank_bm25"
    model = "BM25Okapi (k1=1.5, b=0.75)"

    def fit(self, corpus_tokens: list[list[str]]) -> None:
        from rank_bm25 import BM25Okapi

        self.bm25 = BM25Okapi(corpus_tokens)

    def scores(self, tokens: list[str]) -> Any:
        return self.bm25.get_scores(tokens)


class Tfidf(System):
    family = "tfidf"

    def __init__(self, kind: str, fields: str) -> None:
        self.kind, self.fields = kind, fields
        self.name = f"tfidf-{kind}-{'qa' if fields == 'qa' else 'q'}"
        what = "word" if kind == "word" else "char_wb 3-5-gram"
        self.description = f"scikit-learn TF-IDF cosine, {what}, over {_over(fields)}"

    def build(self, entries: list[dict[str, Any]]) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.ids = [e["id"] for e in entries]
        self.vec = (TfidfVectorizer() if self.kind == "word"
                    else TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5)))
        self.matrix_t = self.vec.fit_transform(_texts(entries, self.fields)).T.tocsr()

    def rank(self, query: str) -> list[str]:
        scores = (self.vec.transform([query]) @ self.matrix_t).toarray().ravel()
        return [self.ids[i] for i in _order(scores)]


class Fuzzy(System):
    family = "rapidfuzz"
    name = "rapidfuzz-q"
    description = "rapidfuzz process.extract(query, questions, scorer=fuzz.token_set_ratio)"

    def build(self, entries: list[dict[str, Any]]) -> None:
        self.ids = [e["id"] for e in entries]
        self.questions = [e["question"] for e in entries]

    def rank(self, query: str) -> list[str]:
        from rapidfuzz import fuzz, process

        hits = process.extract(query, self.questions, scorer=fuzz.token_set_ratio, limit=None)
        scores = np.zeros(len(self.ids))
        for _, score, index in hits:
            scores[index] = score
        return [self.ids[i] for i in _order(scores)]


def write_corpus(folder: Path, entries: Sequence[dict[str, Any]], config: dict[str, float] | None = None) -> Path:
    """A faqbot corpus folder: faq.jsonl with {"id","question","answer"} per line (+ config.yaml)."""
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "faq.jsonl").open("w", encoding="utf-8") as f:
        for e in entries:
            f.write(json.dumps({"id": e["id"], "question": e["question"], "answer": e["answer"]},
                               ensure_ascii=False) + "\n")
    if config:
        (folder / "config.yaml").write_text("".join(f"{k}: {v}\n" for k, v in config.items()), encoding="utf-8")
    return folder


class Faqbot(System):
    family = "faqbot"

    def __init__(self, workdir: Path, config: dict[str, float] | None = None, name: str = "faqbot") -> None:
        self.workdir, self.config, self.name = workdir, config, name
        self.description = "faqbot Answerer.search(query, limit=10) (corpus: faq.jsonl only, no article)" + (
            f", config.yaml {config}" if config else "")

    def prepare(self, entries: list[dict[str, Any]]) -> None:
        """Write the corpus folder (not part of the timed build)."""
        self.folder = write_corpus(Path(tempfile.mkdtemp(prefix=f"{self.name}-", dir=self.workdir)), entries,
                                   self.config)

    def build(self, entries: list[dict[str, Any]]) -> None:
        from faqbot import Answerer

        self.bot = Answerer.from_corpus(self.folder, cache=False)
        self.n = len(entries)
        loaded = [e.id for e in self.bot.corpus.entries]
        if loaded != [e["id"] for e in entries]:
            raise SystemExit("faq_retrieval: faqbot changed or dropped entry ids; the benchmark cannot map them back")

    def rank(self, query: str) -> list[str]:
        return [m.id for m in self.bot.search(query, limit=10)]

    def rank_deep(self, query: str) -> list[str]:
        return [m.id for m in self.bot.search(query, limit=self.n)]


@dataclass(frozen=True, slots=True)
class WeightChoice:
    """Fusion weights chosen for ranking, and the MRR@10 they give (before: the corpus's own)."""

    values: dict[str, float]
    mrr_before: float
    mrr_after: float
    questions: int



def calibrate_weights(answerer: Any, labelled: Sequence[tuple[str, set[str]]], *,
                      step: float = 0.1) -> WeightChoice:
    """Search the fusion weights (a grid on the simplex) for the best MRR@10 of relevant curated entries.

    Each question is scored once; every weighting is then a dot product, so the whole grid is cheap.
    """
    import numpy as np

    from faqbot.config import Weights
    from faqbot.signals import NAMES, SETTINGS

    index, config = answerer.index, answerer.config
    entries = {e.id: i for i, e in enumerate(answerer.corpus.entries)}
    signals, targets = [], []
    for question, relevant in labelled:
        rel = [entries[r] for r in relevant if r in entries]
        if not rel:
            continue
        s = index.entry_scores(index.analyzer.query(question), weights=Weights(*[0.2] * 5),   # every signal
                               fuzzy_candidates=config.fuzzy_candidates)
        signals.append(np.stack([getattr(s, name) for name in NAMES], axis=1))
        mask = np.zeros(len(entries), dtype=bool)
        mask[rel] = True
        targets.append(mask)
    if not signals:
        raise ValueError("no labelled question names an entry of this corpus")
    stacked, relevant_mask = np.stack(signals), np.stack(targets)   # (questions, entries, 5), (questions, entries)

    def mrr(weights: np.ndarray) -> float:
        fused = stacked @ weights
        best_relevant = np.where(relevant_mask, fused, -np.inf).max(axis=1)
        # rank = 1 + entries scoring strictly higher (+ earlier ties, as search() orders them)
        first = np.argmax(np.where(relevant_mask, fused, -np.inf) == best_relevant[:, None], axis=1)
        higher = (fused > best_relevant[:, None]).sum(axis=1)
        ties_before = ((fused == best_relevant[:, None]) & (np.arange(fused.shape[1]) < first[:, None])).sum(axis=1)
        rank = 1 + higher + ties_before
        return float(np.where(rank <= 10, 1.0 / rank, 0.0).mean())

    n = round(1 / step)
    grid = [np.array([a, b, c, d, n - a - b - c - d]) / n for a in range(n + 1) for b in range(n + 1 - a)
            for c in range(n + 1 - a - b) for d in range(n + 1 - a - b - c)]
    before = mrr(np.array(config.weights))
    best = max(grid, key=lambda w: (round(mrr(w), 6), -abs(w - np.array(config.weights)).sum()))
    return WeightChoice({k: round(float(v), 3) for k, v in zip(SETTINGS, best, strict=True)}, before, mrr(best),
                        len(signals))


def tune_weights(ds: Dataset, bot: Any) -> dict[str, float]:
    """Fusion weights for this data set, chosen on the tune half only (a grid search over the weights)."""
    labelled = [(q["query"], set(q["relevant"])) for q in ds.queries if split_half(ds.name, q) == "tune"]
    return calibrate_weights(bot, labelled).values


def distinct_question_p1(ds: Dataset, system_name: str) -> float:
    """P@1 of a questions-only baseline fitted on each distinct question once (a group's first entry)."""
    firsts = list({e["group"]: e for e in ds.entries}.values())
    system = next(s for s in baseline_systems() if s.name == system_name)
    system.build(firsts)
    hits = [bool(r) and ds.group_of[r[0]] == q["group"] for q in ds.queries for r in [system.rank(q["query"])]]
    return sum(hits) / len(hits)


def baseline_systems() -> list[System]:
    return [Bm25s("qa"), Bm25s("q"), RankBm25("qa"), RankBm25("q"),
            Tfidf("word", "q"), Tfidf("word", "qa"), Tfidf("char", "q"), Fuzzy()]


# ============================================================================ running one system


def _subsets(ds: Dataset) -> dict[str, list[int]]:
    halves = [split_half(ds.name, q) for q in ds.queries]
    return {"all": list(range(len(ds.queries))),
            "tune": [i for i, h in enumerate(halves) if h == "tune"],
            "test": [i for i, h in enumerate(halves) if h == "test"]}


def evaluate(system: System, ds: Dataset, subsets: dict[str, list[int]], *, only: list[int] | None = None,
             repeats: int = 1) -> dict[str, Any]:
    """Build *system* on *ds*, rank every query (or those in *only*), score the rankings.

    Build time is the fastest of *repeats* builds (the first one pays for imports); a query's latency is
    the fastest of *repeats* calls of its ranking call (this machine may be shared: the minimum is the
    least noisy estimate). Metrics come from the first call.
    """
    if isinstance(system, Faqbot):
        system.prepare(ds.entries)
    builds = []
    for _ in range(max(1, repeats)):
        t0 = time.perf_counter()
        system.build(ds.entries)
        builds.append(time.perf_counter() - t0)
    system.rank("warm up the index")   # first-call imports are not query latency
    indices = list(range(len(ds.queries)) if only is None else only)
    per_query: dict[int, tuple[tuple[float, float, float], tuple[float, float, float] | None]] = {}
    latencies = []
    deep_mismatch = empty = 0
    gc.collect()
    for i in indices:
        q = ds.queries[i]
        best = float("inf")
        for r in range(max(1, repeats)):
            t0 = time.perf_counter()
            ranked_r = system.rank(q["query"])
            best = min(best, time.perf_counter() - t0)
            if r == 0:
                ranked = ranked_r
        latencies.append(best)
        empty += not ranked
        entry_m = query_metrics(ranked, set(q["relevant"]))
        collapsed_m = None
        if ds.grouped:
            deep = system.rank_deep(q["query"]) if isinstance(system, Faqbot) else ranked
            deep_mismatch += deep[:10] != ranked[:10]
            collapsed_m = query_metrics(collapse(deep, ds.group_of), {q["group"]})
        per_query[i] = (entry_m, collapsed_m)
    ms = np.asarray(latencies) * 1000
    result: dict[str, Any] = {"system": system.name, "description": system.description,
                              "build_s": min(builds), "queries": len(per_query), "no_result": empty / len(indices),
                              "latency_ms": {"median": float(np.median(ms)), "p95": float(np.percentile(ms, 95)),
                                             "mean": float(ms.mean())}}
    if deep_mismatch:
        result["note"] = (f"{deep_mismatch} queries: the last of search(limit=10) differ from the full ranking's "
                          "first 10 (equal scores at the cut-off, picked by argpartition, not by entry order)")
    for view, k in (("entries", 0), ("questions", 1)):
        if view == "questions" and not ds.grouped:
            continue
        result[view] = {name: aggregate([per_query[i][k] for i in idx if i in per_query])
                        for name, idx in subsets.items() if any(i in per_query for i in idx)}
    return result


# ============================================================================ abstention (StackFAQ)


_WORKER: dict[str, Any] = {}


def _init_worker(entries: list[dict[str, Any]], queries: list[dict[str, Any]], overrides: Sequence[dict[str, float]],
                 workdir: str, config: dict[str, float] | None) -> None:
    _WORKER.update(entries=entries, queries=queries, overrides=tuple(overrides), workdir=workdir, config=config)


def _held_out_group(group: str) -> tuple[str, float, float, dict[str, list[str]]]:
    """Build faqbot without *group* and ask the group's queries at every threshold: their kinds."""
    from faqbot import Answerer

    entries = [e for e in _WORKER["entries"] if e["group"] != group]
    folder = write_corpus(Path(tempfile.mkdtemp(prefix=f"logo-{group}-", dir=_WORKER["workdir"])), entries,
                          _WORKER["config"])
    t0 = time.perf_counter()
    bot = Answerer.from_corpus(folder, cache=False)
    build_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    bots = [at_threshold(bot, o) for o in _WORKER["overrides"]]
    kinds = {q["id"]: [b.ask(q["query"]).kind for b in bots] for q in _WORKER["queries"] if q["group"] == group}
    return group, build_s, time.perf_counter() - t0, kinds


def sample_groups(groups: list[str], n: int) -> list[str]:
    """*n* groups evenly spread over the sorted list (all when n is 0 or too large)."""
    if n <= 0 or n >= len(groups):
        return list(groups)
    return [groups[int(i * len(groups) / n)] for i in range(n)]


def first_entry_per_group(ds: Dataset) -> list[dict[str, Any]]:
    """One entry per distinct question: each thread's first (top) answer."""
    return list({e["group"]: e for e in ds.entries}.values())


def abstention(ds: Dataset, entries: list[dict[str, Any]], workdir: Path, *, jobs: int, sample: int,
               thresholds: Sequence[float], bot: Any = None, config: dict[str, float] | None = None) -> dict[str, Any]:
    """Leave-one-group-out 'not answered' shares and all-entries 'answered correctly' shares per threshold.

    *entries* is the corpus (all of the data set's entries, or one per question); *bot* the answerer
    already built on all of them (built here when None).
    """
    from faqbot import Answerer

    if bot is None:
        bot = Answerer.from_corpus(write_corpus(Path(tempfile.mkdtemp(prefix="abst-", dir=workdir)), entries,
                                                config), cache=False)
    groups = sorted({e["group"] for e in entries})
    chosen = sample_groups(groups, sample)
    default_t = bot.decision.answer_at
    t_list = sorted(set(thresholds) | {default_t})
    sweep = settings(t_list)
    half = {q["id"]: split_half(ds.name, q) for q in ds.queries}

    t0 = time.perf_counter()
    held: dict[str, list[str]] = {}
    build_times, ask_times = [], []
    args = (entries, ds.queries, [o for _, _, o in sweep], str(workdir), config)
    if jobs > 1:
        import multiprocessing

        with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork"), initializer=_init_worker,
                                 initargs=args) as pool:
            results = list(pool.map(_held_out_group, chosen))
    else:
        _init_worker(*args)
        results = [_held_out_group(g) for g in chosen]
    for _, build_s, ask_s, kinds in results:
        build_times.append(build_s)
        ask_times.append(ask_s)
        held.update(kinds)
    logo_wall = time.perf_counter() - t0

    t0 = time.perf_counter()
    bots = [at_threshold(bot, o) for _, _, o in sweep]
    full: dict[str, list[tuple[str, str | None]]] = {}
    for q in ds.queries:
        outs = [b.ask(q["query"]) for b in bots]
        full[q["id"]] = [(a.kind, a.matched.id if a.matched else None) for a in outs]
    full_wall = time.perf_counter() - t0
    relevant = {q["id"]: set(q["relevant"]) for q in ds.queries}

    def share(ids: list[str], test: Callable[[str], bool]) -> float:
        return sum(map(test, ids)) / len(ids) if ids else float("nan")

    def at(k: int, subset: str) -> dict[str, Any]:
        h_ids = [i for i in held if subset == "all" or half[i] == subset]
        f_ids = [q["id"] for q in ds.queries if subset == "all" or half[q["id"]] == subset]
        right = [i for i in f_ids if full[i][k][0] == "answer" and full[i][k][1] in relevant[i]]
        wrong = [i for i in f_ids if full[i][k][0] == "answer" and full[i][k][1] not in relevant[i]]
        return {"held_out_not_answered": share(h_ids, lambda i: held[i][k] in NOT_ANSWERED),
                "held_out_kinds": dict(Counter(held[i][k] for i in h_ids)),
                "answered_correctly": len(right) / len(f_ids), "answered_wrongly": len(wrong) / len(f_ids),
                "kinds": dict(Counter(full[i][k][0] for i in f_ids))}

    curve = [{"profile": profile, "threshold": t, **{subset: at(k, subset) for subset in ("all", "tune", "test")}}
             for k, (profile, t, _) in enumerate(sweep)]
    # The threshold a user of the tune half would pick: most correct answers with >= 80% held-out abstention.
    ok = [r for r in curve if r["tune"]["held_out_not_answered"] >= TARGET_NOT_ANSWERED]
    pick = max(ok, key=lambda r: (r["tune"]["answered_correctly"], -r["threshold"])) if ok else None
    return {
        "corpus_entries": len(entries), "groups_total": len(groups), "groups_used": len(chosen),
        "sampled": len(chosen) < len(groups), "held_out_queries": len(held), "default_threshold": default_t,
        "thresholds": t_list,
        "timing_s": {"held_out_wall": logo_wall, "held_out_builds_sum": sum(build_times),
                     "held_out_build_median": statistics.median(build_times), "held_out_asks_sum": sum(ask_times),
                     "all_entries_asks_wall": full_wall, "jobs": jobs},
        "curve": curve,
        "tuned_on_tune_half": None if pick is None else {"profile": pick["profile"], "threshold": pick["threshold"],
                                                         "test": pick["test"], "tune": pick["tune"]},
        "weights": config,
    }


def answered_correctly(ds: Dataset, bot: Any) -> dict[str, Any]:
    """With every entry present and the corpus's own thresholds: the share of queries answered correctly."""
    half = {q["id"]: split_half(ds.name, q) for q in ds.queries}
    out: dict[str, Any] = {"default_threshold": bot.decision.answer_at}
    answers = {q["id"]: bot.ask(q["query"]) for q in ds.queries}
    for subset in ("all", "test"):
        qs = [q for q in ds.queries if subset == "all" or half[q["id"]] == subset]
        good = [answers[q["id"]].kind == "answer" and answers[q["id"]].matched is not None
                and answers[q["id"]].matched.id in q["relevant"] for q in qs]
        out[subset] = {"answered_correctly": sum(good) / len(qs),
                       "kinds": dict(Counter(answers[q["id"]].kind for q in qs))}
    return out


# ============================================================================ ablation


ABLATIONS: list[tuple[str, dict[str, float]]] = [
    ("default", {}),
    ("char only", {"weight_char": 1, "weight_word": 0, "weight_qa": 0, "weight_fuzzy": 0}),
    ("word only", {"weight_char": 0, "weight_word": 1, "weight_qa": 0, "weight_fuzzy": 0}),
    ("qa only", {"weight_char": 0, "weight_word": 0, "weight_qa": 1, "weight_fuzzy": 0}),
    ("wording only", {"weight_char": 0, "weight_word": 0, "weight_wording": 1, "weight_qa": 0, "weight_fuzzy": 0}),
    ("with wording", {"weight_wording": 0.3}),
    ("without char", {"weight_char": 0}),
    ("without word", {"weight_word": 0}),
    ("without qa", {"weight_qa": 0}),
    ("without fuzzy", {"weight_fuzzy": 0}),
]
# "fuzzy only" is absent on purpose: faqbot computes the fuzzy signal only for the best TF-IDF candidates,
# so with the other weights at 0 it has no candidates. The default weighs wording 0.


def ablation(ds: Dataset, subsets: dict[str, list[int]], workdir: Path) -> list[dict[str, Any]]:
    rows = []
    tune = subsets["tune"]
    for label, values in ABLATIONS:
        system = Faqbot(workdir, values or None, name="faqbot-ablation")
        res = evaluate(system, ds, {"tune": tune}, only=tune)
        rows.append({"label": label, "config": values, "entries": res["entries"]["tune"],
                     **({"questions": res["questions"]["tune"]} if ds.grouped else {})})
    return rows


# ============================================================================ printing


def _f(x: float) -> str:
    return "  -  " if x != x else f"{x:.3f}"


def print_table(title: str, results: list[dict[str, Any]], view: str, marks: dict[str, str]) -> None:
    head = (f"{'system':<16} | {'all queries':^20} | {'test half':^20} | {'build':>6} {'lat med':>7} {'p95':>6} "
            f"{'no':>5}\n"
            f"{'':<16} | {'P@1':>6} {'MRR10':>6} {'R@5':>6} | {'P@1':>6} {'MRR10':>6} {'R@5':>6} | "
            f"{'s':>6} {'ms':>7} {'ms':>6} {'hit':>5}")
    print(f"\n{title}\n{head}\n{'-' * 98}")
    for r in results:
        cells = []
        for subset in ("all", "test"):
            m = r[view][subset]
            cells.append(" ".join(f"{_f(m[k]):>6}" for k in METRICS))
        lat = r["latency_ms"]
        print(f"{r['system'] + marks.get(r['system'], ''):<16} | {cells[0]} | {cells[1]} | "
              f"{r['build_s']:6.3f} {lat['median']:7.3f} {lat['p95']:6.3f} {r['no_result']:5.3f}")


def print_ablation(ds: Dataset, rows: list[dict[str, Any]]) -> None:
    views = ["entries"] + (["questions"] if ds.grouped else [])
    print(f"\n{ds.name}: faqbot fusion-weight ablation, TUNE half only (weights via config.yaml; default "
          "char .35 / word .30 / wording 0 / qa .15 / fuzzy .20, renormalised)")
    print(f"{'variant':<16} | " + " | ".join(f"{v + ': P@1  MRR10   R@5':^24}" for v in views))
    for r in rows:
        print(f"{r['label']:<16} | " + " | ".join(
            f"{'':<8}" + " ".join(f"{_f(r[v][k]):>5}" for k in METRICS) for v in views))


def print_abstention(ab: dict[str, Any], label: str) -> None:
    t = ab["timing_s"]
    sampled = (f"{ab['groups_used']} of {ab['groups_total']} groups (evenly spaced sample)" if ab["sampled"]
               else f"all {ab['groups_total']} groups")
    print(f"\nstackfaq: abstention, corpus = {label} ({ab['corpus_entries']} entries); Answerer.ask, "
          "'not answered' = abstain or clarify")
    print(f"  held out: {sampled}, {ab['held_out_queries']} queries; {t['jobs']} process(es); "
          f"wall {t['held_out_wall']:.1f} s (builds {t['held_out_builds_sum']:.1f} s summed, "
          f"median {t['held_out_build_median']:.2f} s/build; asks {t['held_out_asks_sum']:.1f} s summed); "
          f"all-entries asks {t['all_entries_asks_wall']:.1f} s")
    d = next(r for r in ab["curve"] if r["threshold"] == ab["default_threshold"] and r["profile"] == "fitted")
    print(f"  fusion weights: {ab['weights'] or 'the defaults'}")
    print(f"  at the fitted answer threshold {ab['default_threshold']}:")
    for subset in ("all", "test"):
        r = d[subset]
        print(f"    {subset:<4} held-out not answered {r['held_out_not_answered']:.3f} "
              f"(target >= {TARGET_NOT_ANSWERED:.2f}) {r['held_out_kinds']}")
        print(f"    {subset:<4} all entries: answered correctly {r['answered_correctly']:.3f} "
              f"(target >= {TARGET_CORRECT:.2f}), wrongly {r['answered_wrongly']:.3f} {r['kinds']}")
    print("  curve as the fitted decision's answer threshold moves (no rebuild):")
    print(f"  {'t':>5} | {'held-out not answered':^23} | {'answered correctly':^23} | {'answered wrongly':^17} "
          "| clarify")
    print(f"  {'':>5} | {'all':>7} {'tune':>7} {'test':>7} | {'all':>7} {'tune':>7} {'test':>7} | "
          f"{'all':>8} {'test':>8} | {'all':>7}")
    n_all = sum(ab["curve"][0]["all"]["kinds"].values())
    for r in ab["curve"]:
        na = [r[s]["held_out_not_answered"] for s in ("all", "tune", "test")]
        ok = [r[s]["answered_correctly"] for s in ("all", "tune", "test")]
        wr = [r[s]["answered_wrongly"] for s in ("all", "test")]
        cl = r["all"]["kinds"].get("clarify", 0) / n_all
        mark = " <- default" if r["threshold"] == ab["default_threshold"] and r["profile"] == "coverage" else ""
        if r["threshold"] == ab["curve"][0]["threshold"]:
            print(f"  [{r['profile']}]")
        print(f"  {r['threshold']:5.2f} | " + " ".join(f"{x:7.3f}" for x in na) + " | "
              + " ".join(f"{x:7.3f}" for x in ok) + " | " + " ".join(f"{x:8.3f}" for x in wr)
              + f" | {cl:7.3f}{mark}")
    pick = ab["tuned_on_tune_half"]
    if pick is None:
        print(f"  no threshold reaches {TARGET_NOT_ANSWERED:.0%} held-out abstention on the tune half")
    else:
        print(f"  chosen on the tune half (most correct with >= {TARGET_NOT_ANSWERED:.0%} held-out not answered): "
              f"{pick['profile']}, t = {pick['threshold']}; on the TEST half: not answered "
              f"{pick['test']['held_out_not_answered']:.3f}, "
              f"answered correctly {pick['test']['answered_correctly']:.3f}")


# ============================================================================ main


def engine_fingerprint() -> str:
    """A short hash of faqbot's installed source (*.py, *.yaml): which engine the figures belong to."""
    import faqbot

    root = Path(faqbot.__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted([*root.rglob("*.py"), *root.rglob("*.yaml")]):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


def _load_engine() -> str:
    """Import every faqbot module the benchmark runs now, and fingerprint the source just read."""
    for module in ("faqbot.answerer", "faqbot.storage.cache", "faqbot.corpus.load", "faqbot.engine.index",
                   "faqbot.language.analysis", "faqbot.engine.tfidf", "faqbot.language.text", "faqbot.models",
                   "faqbot.config", "faqbot.corpus.formats"):
        importlib.import_module(module)
    return engine_fingerprint()


def _versions() -> dict[str, str]:
    out = {"python": platform.python_version(), "platform": platform.platform()}
    for pkg in ("faqbot", "numpy", "scikit-learn", "rapidfuzz", "bm25s", "rank-bm25", "snowballstemmer", "scipy"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = "absent"
    return out


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--datasets", type=Path, default=DEFAULT_DATASETS,
                    help="folder holding stackfaq/ and covidfaq/ (default: ../shared/datasets from the repository)")
    ap.add_argument("--json", type=Path, help="also write every figure to this JSON file")
    ap.add_argument("--only", choices=DATASETS, action="append", help="run one data set (repeatable)")
    ap.add_argument("--jobs", type=int, default=min(4, os.cpu_count() or 1),
                    help="processes for the leave-one-group-out builds (default: min(4, CPUs))")
    ap.add_argument("--logo-groups", type=int, default=0,
                    help="leave out only this many StackFAQ groups, evenly spaced (default 0 = all 125)")
    ap.add_argument("--repeats", type=int, default=3,
                    help="builds and calls per query timed; the fastest counts (default 3)")
    ap.add_argument("--no-abstention", action="store_true", help="skip the abstention experiment")
    ap.add_argument("--no-unique", action="store_true",
                    help="skip the supplementary abstention run on a one-entry-per-question StackFAQ corpus")
    ap.add_argument("--no-ablation", action="store_true", help="skip the fusion-weight ablation")
    args = ap.parse_args(argv)

    started = time.perf_counter()
    missing = [m for m in ("bm25s", "rank_bm25", "sklearn", "rapidfuzz", "snowballstemmer", "faqbot")
               if importlib.util.find_spec(m) is None]
    if missing:
        sys.exit(f"faq_retrieval: missing Python packages: {', '.join(missing)}; install faqbot (pip install -e .) "
                 f"and the baselines (pip install -r benchmarks/requirements.txt)")
    root = args.datasets if args.datasets.is_absolute() else (Path.cwd() / args.datasets)
    if not root.is_dir():
        sys.exit(f"faq_retrieval: no data set folder at {root}; pass --datasets DIR (the folder holding "
                 f"stackfaq/ and covidfaq/)")
    datasets = load_datasets(root.resolve(), args.only or DATASETS)
    engine = _load_engine()
    versions = _versions()
    print("faq_retrieval benchmark  " + "  ".join(f"{k} {v}" for k, v in versions.items() if k != "platform"))
    import faqbot

    print(f"engine: {Path(faqbot.__file__).resolve().parent} source fingerprint {engine}")
    print(f"data sets: {root.resolve()}")
    out: dict[str, Any] = {"versions": versions, "engine_fingerprint": engine, "command": " ".join(sys.argv),
                           "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "datasets": {}}

    with tempfile.TemporaryDirectory(prefix="faq-retrieval-") as tmp:
        workdir = Path(tmp)
        for ds in datasets:
            subsets = _subsets(ds)
            rule = ("group number even -> tune, odd -> test" if ds.name == "stackfaq"
                    else "query id number even -> tune, odd -> test")
            print(f"\n=== {ds.name}: {len(ds.entries)} entries, {len(ds.queries)} queries; split by {rule}: "
                  f"tune {len(subsets['tune'])}, test {len(subsets['test'])} queries")
            results = []
            faqbot = Faqbot(workdir)
            results.append(evaluate(faqbot, ds, subsets, repeats=args.repeats))
            weights = tune_weights(ds, faqbot.bot)
            print(f"  fusion weights chosen on the tune half (calibrate_weights, MRR@10): {weights}")
            tuned = Faqbot(workdir, weights, name="faqbot-tuned")
            for system in [tuned, *baseline_systems()]:
                results.append(evaluate(system, ds, subsets, repeats=args.repeats))
                if "note" in results[-1]:
                    print(f"  note: {system.name}: {results[-1]['note']}")
            # Per family, the field choice (q vs qa) is made on the tune half, by MRR@10 then P@1.
            chosen = {}
            for family in ("bm25s", "rank_bm25"):
                rows = [r for r in results if r["system"].startswith(family + "-")]
                best = max(rows, key=lambda r: (r["entries"]["tune"]["MRR@10"], r["entries"]["tune"]["P@1"]))
                chosen[family] = best["system"]
            marks = {name: " *" for name in chosen.values()}
            print_table(f"{ds.name}: ranking entries (relevant = the query's `relevant` ids)", results, "entries",
                        marks)
            if ds.grouped:
                print_table(f"{ds.name}: collapsed to unique questions (ranked entry -> its group; relevant = the "
                            "query's group)", results, "questions", marks)
            print("  * = the better field choice of its BM25 library, picked on the tune half by MRR@10")
            baselines = [r for r in results if not r["system"].startswith("faqbot")]
            best = max(baselines, key=lambda r: r["entries"]["all"]["P@1"])
            ref_name, ref = REFERENCE_P1[ds.name]
            ours = next(r for r in results if r["system"] == ref_name)["entries"]["all"]["P@1"]
            print(f"  best baseline P@1 here: {best['system']} {best['entries']['all']['P@1']:.3f}; "
                  f"reference: {ref_name} {ref:.3f}, measured now {ours:.3f}"
                  f" ({'matches' if abs(ours - ref) < 0.0015 else 'differs'})")
            distinct = distinct_question_p1(ds, ref_name) if ds.grouped else None
            if distinct is not None:
                print(f"  {ref_name} fitted on the {len(set(ds.group_of.values()))} distinct questions instead of "
                      f"{len(ds.entries)} duplicated ones (IDF not skewed by thread size): P@1 {distinct:.3f}")
            entry: dict[str, Any] = {"entries": len(ds.entries), "queries": len(ds.queries), "tuned_weights": weights,
                                     "split": {"rule": rule, "tune": len(subsets["tune"]),
                                               "test": len(subsets["test"])},
                                     "systems": results, "bm25_field_choice": chosen,
                                     "reference_p1": {"system": ref_name, "value": ref, "measured": ours,
                                                      "measured_on_distinct_questions": distinct}}
            if not args.no_ablation:
                t0 = time.perf_counter()
                entry["ablation"] = ablation(ds, subsets, workdir)
                print_ablation(ds, entry["ablation"])
                print(f"  ({time.perf_counter() - t0:.1f} s)")
            if ds.grouped and not args.no_abstention:
                entry["abstention"] = abstention(ds, ds.entries, workdir, jobs=max(1, args.jobs),
                                                 sample=args.logo_groups, thresholds=THRESHOLDS, bot=faqbot.bot,
                                                 config=None)
                print_abstention(entry["abstention"], "all entries (several answers per question)")
                if not args.no_unique:
                    entry["abstention_one_per_question"] = abstention(
                        ds, first_entry_per_group(ds), workdir, jobs=max(1, args.jobs), sample=args.logo_groups,
                        thresholds=THRESHOLDS, config=None)
                    print_abstention(entry["abstention_one_per_question"],
                                     "one entry per question (each thread's first answer), supplementary")
            elif not ds.grouped and not args.no_abstention:
                entry["answered_correctly"] = ac = answered_correctly(ds, faqbot.bot)
                print(f"\n{ds.name}: all entries present, Answerer.ask at the fitted answer threshold "
                      f"{ac['default_threshold']}: "
                      f"answered correctly {ac['all']['answered_correctly']:.3f} (test half "
                      f"{ac['test']['answered_correctly']:.3f}); kinds {ac['all']['kinds']}")
            out["datasets"][ds.name] = entry

    out["total_s"] = time.perf_counter() - started
    print(f"\ntotal run time {out['total_s']:.1f} s")
    after = engine_fingerprint()
    out["engine_changed_during_run"] = after != engine
    if after != engine:
        print(f"WARNING: faqbot's source changed while this ran ({engine} -> {after}); the figures are those of "
              f"{engine} (imported at the start), but rerun to be sure")
    if args.json:
        args.json.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

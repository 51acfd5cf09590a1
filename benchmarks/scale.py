"""How build time, memory and query time grow with the corpus, and passage retrieval next to bm25s.

    pip install -r benchmarks/requirements.txt && apt-get install python3-doc
    python benchmarks/scale.py                       # 1k .. 100k passages, about 6 minutes
    python benchmarks/scale.py --sizes 1000 10000    # a quicker look

For each size a corpus of N passages and N/10 curated pairs is generated from the Python
documentation (benchmarks/make_corpus.py) and measured in a fresh process: corpus load + index
build time and peak memory (the process's maximum resident set size at the end of the build),
warm `Answerer.ask` latency over 200 questions (curated questions, some with a typo, and phrases
taken from passages), and passage retrieval (question analysis + TF-IDF scores + top 10) against
bm25s (tokenize + retrieve top 10) on the same passages and questions. Also the index cache's size
and load time in a fresh process (its pages in memory, and evicted first), and the memory of each of
two worker processes answering from that one file (USS: its own pages; PSS: shared pages split).
Targets at 100,000 passages and 10,000 pairs: build < 60 s, memory < 2 GiB, warm ask median < 20 ms,
passage retrieval no slower than bm25s, cache load <= 1 s (warm page cache).
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SIZES = (1_000, 3_000, 10_000, 30_000, 100_000)


def _questions(corpus, rng: random.Random, n: int = 200) -> list[str]:   # noqa: ANN001 - a faqbot Corpus
    questions = []
    for i in range(n):
        if i % 2 == 0 and corpus.entries:
            entry = rng.choice(corpus.entries)
            text = rng.choice(entry.phrasings)
            if i % 4 == 0 and len(text) > 8:   # a typo: two letters swapped
                k = rng.randrange(1, len(text) - 2)
                text = text[:k] + text[k + 1] + text[k] + text[k + 2:]
        else:
            passage = rng.choice(corpus.passages)
            words = passage.sentences[0].split() if passage.sentences else passage.text.split()
            start = rng.randrange(max(1, len(words) - 5))
            text = " ".join(words[start:start + rng.randint(3, 6)])
        questions.append(text)
    return questions


def child(corpus_dir: str) -> dict[str, float]:
    """Runs in a fresh process: everything measured for one corpus."""
    import bm25s
    import numpy as np

    from faqbot import Answerer
    from faqbot.build import save
    from faqbot.corpus.load import load_corpus
    from faqbot.engine.built import Built
    from faqbot.engine.index import Index, top_indices

    start = time.perf_counter()
    corpus = load_corpus(corpus_dir)
    loaded = time.perf_counter()
    index = Index.build(corpus)
    built = time.perf_counter()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024   # kilobytes on Linux
    rng = random.Random(11)
    questions = _questions(corpus, rng)
    bot = Answerer(Built.of(index))
    for q in questions[:20]:
        bot.ask(q)
    ask_ms = []
    for q in questions:
        t = time.perf_counter()
        bot.ask(q)
        ask_ms.append((time.perf_counter() - t) * 1000)

    def ours(question: str) -> np.ndarray:
        return top_indices(index.passage_scores(index.analyzer.query(question)), 10)

    texts = [f"{p.section}\n{p.text}" for p in corpus.passages]
    t = time.perf_counter()
    retriever = bm25s.BM25()
    retriever.index(bm25s.tokenize(texts, stopwords="en", show_progress=False), show_progress=False)
    bm25_build = time.perf_counter() - t

    def theirs(question: str) -> np.ndarray:
        tokens = bm25s.tokenize([question], stopwords="en", show_progress=False)
        return retriever.retrieve(tokens, k=min(10, len(texts)), show_progress=False)[0]

    ours_ms, theirs_ms = [], []
    for q in questions[:20]:
        ours(q)
        if q.strip():
            theirs(q)
    for q in questions:
        t = time.perf_counter()
        ours(q)
        ours_ms.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        try:
            theirs(q)
        except ValueError:   # bm25s cannot take a question with no known token
            pass
        theirs_ms.append((time.perf_counter() - t) * 1000)
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "index.idx")
        t = time.perf_counter()
        size = save(bot.built, path)
        saved = time.perf_counter() - t
        loads = _cache_loads(path)
        workers = _worker_memory(path, questions[:50])
    return {
        "passages": len(corpus.passages), "pairs": len(corpus.entries), "articles": len(corpus.signature),
        "load_s": loaded - start, "build_s": built - loaded, "total_build_s": built - start, "peak_mb": peak_mb,
        "ask_median_ms": statistics.median(ask_ms), "ask_p95_ms": sorted(ask_ms)[int(len(ask_ms) * 0.95)],
        "passages_median_ms": statistics.median(ours_ms), "bm25s_median_ms": statistics.median(theirs_ms),
        "passages_p95_ms": sorted(ours_ms)[int(len(ours_ms) * 0.95)],
        "bm25s_p95_ms": sorted(theirs_ms)[int(len(theirs_ms) * 0.95)], "bm25s_build_s": bm25_build,
        "cache_mb": size / 1e6, "cache_save_s": saved, **loads, **workers,
    }


def _cache_loads(path: str) -> dict[str, float]:
    """Seconds to load the cache in a fresh process: with its pages in memory (the best of three), and
    with them evicted first (``posix_fadvise(DONTNEED)``: read from disk)."""
    def load(cold: bool) -> float:
        code = ("import os, sys, time\n"
                "if sys.argv[2] == 'cold':\n"
                "    fd = os.open(sys.argv[1], os.O_RDONLY); os.fsync(fd)\n"
                "    os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED); os.close(fd)\n"
                "from faqbot.build import load\n"
                "t = time.perf_counter(); load(sys.argv[1]); print(time.perf_counter() - t)")
        out = subprocess.run([sys.executable, "-c", code, path, "cold" if cold else "warm"],
                             capture_output=True, text=True, check=True)
        return float(out.stdout.strip())

    load(False)
    return {"cache_load_s": min(load(False) for _ in range(3)), "cache_load_cold_s": load(True)}


WORKER = """
import json, sys
from faqbot import Answerer
from faqbot.build import load
bot = Answerer(load(sys.argv[1]))
for question in json.loads(sys.argv[2]):
    bot.ask(question)
print("ready", flush=True)
sys.stdin.readline()
"""


def _worker_memory(path: str, questions: list[str], n: int = 2) -> dict[str, float]:
    """What each of *n* worker processes answering from the same cache file holds, after 50 questions:
    unique (USS: private pages) and proportional (PSS: shared pages split between the processes) MB."""
    procs = [subprocess.Popen([sys.executable, "-c", WORKER, path, json.dumps(questions)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True) for _ in range(n)]
    try:
        for proc in procs:
            assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        rollups = [_smaps_rollup(proc.pid) for proc in procs]
    finally:
        for proc in procs:
            proc.communicate("\n")
    uss = [(r["Private_Clean"] + r["Private_Dirty"]) / 1024 for r in rollups]
    return {"worker_uss_mb": max(uss), "worker_pss_mb": max(r["Pss"] / 1024 for r in rollups),
            "worker_rss_mb": max(r["Rss"] / 1024 for r in rollups)}


def _smaps_rollup(pid: int) -> dict[str, int]:
    """The kilobyte counters of /proc/PID/smaps_rollup (Linux)."""
    fields = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, value = line.split(":", 1)
        fields[name] = int(value.split()[0])
    return fields


def run(sizes: list[int], workdir: Path, source: str) -> list[dict[str, float]]:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from make_corpus import build

    results = []
    for n in sizes:
        folder = workdir / f"corpus-{n}"
        stamp = folder / "made.json"
        if not stamp.exists():
            made = build(folder, n, n // 10, source)
            stamp.write_text(json.dumps(made), encoding="utf-8")
        out = subprocess.run([sys.executable, __file__, "--child", str(folder)], capture_output=True, text=True)
        if out.returncode != 0:
            sys.exit(f"measuring {n} passages failed:\n{out.stderr}")
        row = json.loads(out.stdout.strip().splitlines()[-1])
        results.append(row)
        print(_row(row), flush=True)
    return results


HEADER = (f"{'passages':>9} {'pairs':>6} | {'build s':>7} {'peak MB':>8} | {'ask med':>7} {'ask p95':>7} | "
          f"{'ours ms':>7} {'bm25s ms':>8} | {'cache MB':>8} {'load s':>6} {'cold s':>6} | {'USS MB':>6} {'PSS MB':>6}")


def _row(r: dict[str, float]) -> str:
    return (f"{r['passages']:>9,} {r['pairs']:>6,} | {r['total_build_s']:>7.1f} {r['peak_mb']:>8.0f} | "
            f"{r['ask_median_ms']:>7.2f} {r['ask_p95_ms']:>7.2f} | {r['passages_median_ms']:>7.2f} "
            f"{r['bm25s_median_ms']:>8.2f} | {r['cache_mb']:>8.1f} {r['cache_load_s']:>6.2f} "
            f"{r['cache_load_cold_s']:>6.2f} | {r['worker_uss_mb']:>6.0f} {r['worker_pss_mb']:>6.0f}")


def plot(results: list[dict[str, float]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n = [r["passages"] for r in results]
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.8))
    axes[0].plot(n, [r["total_build_s"] for r in results], "o-", label="load + build")
    axes[0].axhline(60, color="grey", ls=":", label="target 60 s")
    axes[0].set(title="Index build", ylabel="seconds")
    axes[1].plot(n, [r["peak_mb"] for r in results], "o-", color="tab:orange", label="peak RSS")
    axes[1].axhline(2048, color="grey", ls=":", label="target 2 GiB")
    axes[1].set(title="Peak memory", ylabel="MB")
    axes[2].plot(n, [r["ask_median_ms"] for r in results], "o-", label="faqbot ask (median)")
    axes[2].plot(n, [r["passages_median_ms"] for r in results], "s-", label="faqbot passages (median)")
    axes[2].plot(n, [r["bm25s_median_ms"] for r in results], "^-", label="bm25s retrieve (median)")
    axes[2].set(title="Query time", ylabel="ms")
    for ax in axes:
        ax.set_xscale("log")
        ax.set_xlabel("passages (pairs = passages / 10)")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "faqbot-scale")
    parser.add_argument("--source", default="/usr/share/doc/python3*/html/_sources/**/*.rst.txt")
    parser.add_argument("--json", type=Path, help="also write every figure to this file")
    parser.add_argument("--plot", type=Path, help="draw the growth curves into this PNG (needs matplotlib)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child)))
        return
    args.workdir.mkdir(parents=True, exist_ok=True)
    print(HEADER)
    results = run(args.sizes, args.workdir, args.source)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    if args.plot:
        plot(results, args.plot)


if __name__ == "__main__":
    main()

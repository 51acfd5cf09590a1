"""Lexical against lexical + a sentence encoder, on every question set, in one run.

    python benchmarks/semantic.py --model ../shared/models/all-MiniLM-L6-v2-onnx-int8

For each (question set, corpus): in-scope questions answered from the right section, out-of-scope
questions declined, false answers (an answer to a question that should be declined), with and
without the model. Then, with the model: the share of questions that reach the encoder (the lexical
stage was unsure), p50 and p99 of those questions' answer time, and the build time and cache size
of each corpus with and without the model. Each corpus is built fresh in a temporary cache.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA, CORPORA = ROOT / "tests" / "data", ROOT / "benchmarks" / "corpora"
# (label, question set, corpus folder or None for the bundled corpus)
SETS: list[tuple[str, Path, Path | None]] = [
    ("questions.yaml (dev)", DATA / "questions.yaml", None),
    ("tune1 (dev)", DATA / "tune1.yaml", None),
    ("heldout3", DATA / "heldout3.yaml", None),
    ("heldout5", DATA / "heldout5.yaml", None),
    ("heldout6", DATA / "heldout6.yaml", None),
    ("heldout7 (blind, written for issue 22)", DATA / "heldout7.yaml", None),
    ("heldout6, the article alone", DATA / "heldout6.yaml", Path("article-alone")),
    ("homebrew-faq, article alone (blind)", CORPORA / "about-homebrew-faq" / "questions.yaml",
     CORPORA / "homebrew-faq"),
    ("requests-faq, article alone", CORPORA / "about-requests-faq" / "questions.yaml", CORPORA / "requests-faq"),
    ("pip-resolver, with its FAQ", CORPORA / "about-pip-resolver" / "questions.yaml", CORPORA / "pip-resolver"),
    ("corepack, article alone", CORPORA / "about-corepack" / "questions.yaml", CORPORA / "corepack"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", required=True, help="a sentence encoder folder (or Hugging Face repo id)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        alone = Path(tmp) / "article-alone"
        alone.mkdir()
        (alone / "article.md").write_bytes((ROOT / "corpus" / "article.md").read_bytes())
        runs = {mode: run(mode, args.model, Path(tmp) / mode, alone) for mode in ("lexical", "semantic")}
    print(f"{'set':<42} {'lexical: right | declined | false':>34}   {'with the model':>30}")
    for label, *_ in SETS:
        print(f"{label:<42} {runs['lexical']['sets'][label]:>34}   {runs['semantic']['sets'][label]:>30}")
    reached, times = runs["semantic"]["reached"], runs["semantic"]["times"]
    print(f"\nquestions reaching the encoder: {len(reached)} of {runs['semantic']['asked']} "
          f"({len(reached) / max(1, runs['semantic']['asked']):.0%})")
    if reached:
        ordered = sorted(reached)
        print(f"  their answer time: p50 {statistics.median(ordered):.2f} ms, "
              f"p99 {ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]:.2f} ms")
    lexical_ms = sorted(times)
    print(f"  every question, with the model: p50 {statistics.median(lexical_ms):.2f} ms")
    print("\nbuild (fresh, fitted) and cache size:")
    for corpus, (seconds, size) in runs["semantic"]["builds"].items():
        lex_seconds, lex_size = runs["lexical"]["builds"][corpus]
        print(f"  {corpus:<20} lexical {lex_seconds:5.2f} s {lex_size / 1e6:6.2f} MB   with the model "
              f"{seconds:5.2f} s {size / 1e6:6.2f} MB")


def run(mode: str, model: str, cache: Path, alone: Path) -> dict[str, object]:
    """Every set answered with (*mode* "semantic") or without the model, from freshly built caches."""
    if mode == "semantic":
        os.environ["FAQBOT_SEMANTIC_MODEL"] = model
    else:
        os.environ.pop("FAQBOT_SEMANTIC_MODEL", None)
    from faqbot import Answerer
    from faqbot.engine.decision import settled
    from faqbot.evaluate import evaluate, load_question_set
    from faqbot.storage.cache import cache_path

    bots: dict[str, Answerer] = {}
    builds: dict[str, tuple[float, int]] = {}
    sets: dict[str, str] = {}
    reached: list[float] = []
    times: list[float] = []
    asked = 0
    for label, questions, corpus in SETS:
        folder = alone if corpus == Path("article-alone") else corpus
        key = str(folder or "bundled")
        if key not in bots:
            start = time.perf_counter()
            bots[key] = Answerer.from_corpus(folder, cache_dir=cache)
            path = cache_path(bots[key].corpus.root, cache)
            builds[Path(key).name] = (time.perf_counter() - start, os.path.getsize(path) if os.path.exists(path) else 0)
            bots[key].load_encoder()   # as `faqbot serve` does: the timings below are of warm answers
        bot = bots[key]
        summary = evaluate(bot, load_question_set(questions)).summary()
        ins, out = summary["in_scope_right_section"], summary["out_of_scope_abstained"]
        sets[label] = f"{ins['passed']}/{ins['total']} | {out['passed']}/{out['total']} | " \
                      f"{summary['abstention']['wrong_answers_on_abstain_items']}"
        for item in load_question_set(questions).questions:
            asked += 1
            start = time.perf_counter()
            found = bot.gather(item.q)
            verdict = bot._engine.verdict(found)   # the benchmark looks inside: did stage one settle it?
            bot.decide(found)
            elapsed = (time.perf_counter() - start) * 1000
            times.append(elapsed)
            if mode == "semantic" and not settled(verdict):
                reached.append(elapsed)
    return {"sets": sets, "reached": reached, "times": times, "asked": asked, "builds": builds}


if __name__ == "__main__":
    sys.exit(main())

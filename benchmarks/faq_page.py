"""A FAQ-shaped page, answered from the document alone: CovidFAQ rendered as one Markdown page.

    python benchmarks/faq_page.py                 # about a minute
    python benchmarks/faq_page.py --json out.json

CovidFAQ (../shared/datasets/covidfaq: 68 FAQ entries, 1,037 real user questions labelled with the
entries that answer them) is rendered as one Markdown page: each entry's question a `##` heading,
its answer the section. No faq.yaml, no config: faqbot answers from the page by itself. Every user
question is asked, and the script prints

- P@1: the share of questions whose best-ranked entry (`Answerer.search`) is a relevant one;
- answered: the share the bot answers (kind "answer"), and of those the share citing a section
  that does not answer them (wrong);
- answerable at <= 2 % wrong: the most questions one confidence threshold could answer with at
  most 2 % of them wrong (how well confidence ranks right above wrong);
- the same for the same data as a curated `faq.jsonl` (no article), for comparison.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from faqbot import Answerer

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "datasets" / "covidfaq"


def _read(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def page(entries: list[dict[str, Any]]) -> str:
    """The entries as one Markdown page: a `##` heading per question, the answer below it."""
    parts = ["# COVID-19 questions and answers\n"]
    for e in entries:
        parts.append(f"## {' '.join(e['question'].split())}\n\n{e['answer'].strip()}\n")
    return "\n".join(parts)


def measure(bot: Answerer, queries: list[dict[str, Any]], relevant_of: Any) -> dict[str, Any]:
    """P@1, answered share and wrong share among answered; *relevant_of(answer or match)* → entry id."""
    top1 = answered = wrong = 0
    scored: list[tuple[float, bool]] = []   # (confidence of the best entry, is it relevant)
    started = time.perf_counter()
    for query in queries:
        relevant = set(query["relevant"])
        ranked = bot.search(query["query"], 1)
        top1 += bool(ranked) and relevant_of(ranked[0].id) in relevant
        answer = bot.ask(query["query"])
        best = answer.trace.candidates[0] if answer.trace and answer.trace.candidates else None
        if best is not None:
            scored.append((best.confidence, relevant_of(best.id) in relevant))
        if answer.kind == "answer":
            answered += 1
            cited = answer.matched.id if answer.matched else answer.citations[0].id if answer.citations else ""
            wrong += relevant_of(cited) not in relevant
    n = len(queries)
    return {"questions": n, "p_at_1": round(top1 / n, 4), "answered": round(answered / n, 4),
            "answerable_at_2pct_wrong": round(_coverage_at(scored, 0.02) / n, 4),
            "wrong_of_answered": round(wrong / answered, 4) if answered else 0.0, "wrong": wrong,
            "ms_per_question": round((time.perf_counter() - started) * 1000 / n, 3)}


def _coverage_at(scored: list[tuple[float, bool]], max_wrong: float) -> int:
    """The most questions a confidence threshold could answer with at most *max_wrong* of them wrong."""
    best = wrong = 0
    for answered, (_, right) in enumerate(sorted(scored, key=lambda s: -s[0]), start=1):
        wrong += not right
        if wrong <= max_wrong * answered:
            best = answered
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DATA, help="the covidfaq folder")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--config", default="", help="a config.yaml for the page corpus (to try a setting)")
    args = parser.parse_args(argv)
    entries, queries = _read(args.data / "faq.jsonl"), _read(args.data / "queries.jsonl")
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="faqbot-faq-page-") as tmp:
        page_dir, table_dir = Path(tmp) / "page", Path(tmp) / "table"
        page_dir.mkdir()
        table_dir.mkdir()
        (page_dir / "article.md").write_text(page(entries), encoding="utf-8")
        if args.config:
            (page_dir / "config.yaml").write_text(args.config, encoding="utf-8")
        (table_dir / "faq.jsonl").write_text("".join(json.dumps({k: e[k] for k in ("id", "question", "answer")}) + "\n"
                                                     for e in entries), encoding="utf-8")
        started = time.perf_counter()
        bot = Answerer.from_corpus(page_dir, cache=False)
        build = time.perf_counter() - started
        # A section of the page is the entry whose question is its heading (passage id → section → entry).
        entry_of_heading = {" ".join(e["question"].split()): e["id"] for e in entries}
        by_passage = {p.id: entry_of_heading.get(" ".join(p.section.split()), "") for p in bot.corpus.passages}
        by_entry = {e.id: by_passage.get(e.sources[0], "") if e.sources else "" for e in bot.corpus.entries}

        def page_relevant(found: str) -> str:
            return by_entry.get(found) or by_passage.get(found, "")

        results["page"] = {**measure(bot, queries, page_relevant), "build_s": round(build, 2),
                           "implicit_entries": sum(e.implicit for e in bot.corpus.entries),
                           "sections_matched": sum(bool(v) for v in set(by_passage.values()))}
        table = Answerer.from_corpus(table_dir, cache=False)
        results["faq.jsonl"] = measure(table, queries, lambda found: found)
    for name, figures in results.items():
        print(f"{name:10s} P@1 {figures['p_at_1']:.3f}   answered {figures['answered']:.1%}   "
              f"wrong among answered {figures['wrong_of_answered']:.1%} ({figures['wrong']})   "
              f"answerable at <=2% wrong {figures['answerable_at_2pct_wrong']:.1%}   "
              f"{figures['ms_per_question']:.2f} ms/question")
    print(f"page: {results['page']['implicit_entries']} implicit entries, {results['page']['sections_matched']} of "
          f"{len(entries)} sections matched to their entry, built in {results['page']['build_s']} s")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

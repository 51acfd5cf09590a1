"""Fuzz corpora: random and adversarial corpus folders (YAML, Markdown, JSONL, CSV), each loaded, built
and asked a question as `faqbot ask` would, in one process under an address-space limit.

    python benchmarks/fuzz_corpus.py --cases 10000          # about an hour on 2 cores
    python benchmarks/fuzz_corpus.py --cases 300 --seed 3   # a quick run

A case passes when it ends in an answer or in a CorpusError/ConfigError (a one-line message for the
author). Anything else is a crash and is printed with its traceback; so is a case slower than the
time limit. Prints cases, clean errors, crashes, the slowest case and the peak memory of the run.
Exit status 1 when anything crashed or was too slow.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import string
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from faqbot import Answerer
from faqbot.errors import FaqbotError

WORDS = ("cats", "dogs", "sleep", "llm", "model", "what", "is", "the", "a", "#", "-", "*", "```", "|", "&a", "*a",
         "{", "}", "[", "]", ":", "'", '"', "\\", "é", "1e-3", "0x10", "sleep.", "walk?", "Cats", "LLMs")
NASTY = ("\x1b[31m", "\ud800", "\u202e", "\x00", "\t", "\x1b]0;t\x07", "\r")   # rare: each spoils a whole file


def _text(rng: random.Random, n: int) -> str:
    letters = string.ascii_letters + string.digits + " .,?!"
    return " ".join(rng.choice(NASTY) if rng.random() < 0.002 else rng.choice(WORDS) if rng.random() < 0.7 else
                    "".join(rng.choice(letters) for _ in range(rng.randint(1, 8))) for _ in range(n))


def markdown(rng: random.Random) -> str:
    lines = []
    for _ in range(rng.randint(0, 60)):
        kind = rng.random()
        if kind < 0.15:
            lines.append("#" * rng.randint(1, 8) + " " * rng.randint(0, 50) + _text(rng, 3) + " #" * rng.randint(0, 3))
        elif kind < 0.3:
            lines.append(rng.choice(["- ", "* ", "1. ", "  - ", "    "]) + _text(rng, rng.randint(0, 12)))
        elif kind < 0.35:
            lines.append(rng.choice(["```", "~~~", "- ```ini", "<!--", "-->", "---", "title: x", "| a | b |",
                                     "|---|---|", "===", "> quoted " + _text(rng, 3), "    code()", "````{note}"]))
        elif kind < 0.4:
            lines.append(" " * rng.randint(0, 3000) + "#" * rng.randint(0, 3000))
        else:
            lines.append(_text(rng, rng.randint(0, 30)))
    return "\n".join(lines) + rng.choice(["", "\n"])


def faq_yaml(rng: random.Random) -> str:
    if rng.random() < 0.2:   # aliases, possibly bombs
        levels = rng.randint(1, 9)
        anchors = ["- &l0 [x, x, x, x, x, x, x, x, x]"]
        anchors += [f"- &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]" for i in range(1, levels)]
        field = rng.choice(["question", "answer", "paraphrases", "sources", "id"])
        return "\n".join(anchors) + f"\n- id: e\n  question: Q?\n  answer: A.\n  {field}: *l{levels - 1}\n"
    entries = []
    for i in range(rng.randint(0, 12)):
        fields = {"id": rng.choice([f"e{i}", "e0", 5, None, "x y", ""]), "question": _text(rng, 5),
                  "answer": _text(rng, 10)}
        if rng.random() < 0.4:
            fields["paraphrases"] = [_text(rng, 4) for _ in range(rng.randint(0, 5))]
        if rng.random() < 0.2:
            fields[rng.choice(["sources", "related", "bogus", "paraphrases"])] = rng.choice(
                [[1, 2], "x", {"a": 1}, None, ["pets-1"]])
        entries.append(fields)
    text = json.dumps(entries)   # JSON is YAML: a list of mappings with hostile values
    if rng.random() < 0.2:
        cut = rng.randint(0, len(text))
        text = text[:cut] + rng.choice(["\x1b", ":", "{", "\t", "&", "*", "!!python/object:os.system"]) + text[cut:]
    return text


def faq_jsonl(rng: random.Random) -> str:
    lines = []
    for i in range(rng.randint(0, 10)):
        kind = rng.random()
        if kind < 0.1:
            lines.append("[" * rng.randint(1, 100_000))
        elif kind < 0.2:
            lines.append('{"id": "a", "question": "q?", "answer": ' + "9" * rng.randint(1, 6000) + "}")
        else:
            lines.append(json.dumps({"id": f"e{i}", "question": _text(rng, 4), "answer": _text(rng, 8),
                                     **({"extra": 1} if rng.random() < 0.1 else {})}))
    return "\n".join(lines)


def faq_csv(rng: random.Random) -> str:
    header = rng.choice(["Question,Answer", "Question,Answer,Id", "Question,Answer,QnaId,Metadata", "Q,A",
                         "Question,Answer,Bogus", ""])
    rows = [",".join(rng.choice([_text(rng, 4), '"' + _text(rng, 3), "", "x y", "5"]) for _ in range(rng.randint(1, 4)))
            for _ in range(rng.randint(0, 8))]
    return "\n".join([header, *rows])


def config_yaml(rng: random.Random) -> str:
    key = rng.choice(["target_precision", "weight_char", "answer_threshold", "fit_decision", "max_question_chars",
                      "source_name", "bogus", "true"])
    value = rng.choice(["0.5", "1e-3", "1e308", "-1", "yes", "[1, 2]", "{a: 1}", "nan", ".inf", "'text'", "7"])
    return f"{key}: {value}\n"


def corpus(rng: random.Random, folder: Path) -> None:
    """A random corpus folder: some of article.md, faq.yaml or faq.jsonl, config.yaml, aliases.yaml."""
    if rng.random() < 0.8:
        (folder / "article.md").write_text(markdown(rng), encoding="utf-8", errors="surrogatepass")
    choice = rng.random()
    if choice < 0.5:
        (folder / "faq.yaml").write_text(faq_yaml(rng), encoding="utf-8", errors="surrogatepass")
    elif choice < 0.7:
        (folder / "faq.jsonl").write_text(faq_jsonl(rng), encoding="utf-8", errors="surrogatepass")
    elif choice < 0.8:
        (folder / "faq.csv").write_text(faq_csv(rng), encoding="utf-8", errors="surrogatepass")
    if rng.random() < 0.3:
        (folder / "config.yaml").write_text(config_yaml(rng), encoding="utf-8")
    if rng.random() < 0.2:
        (folder / "aliases.yaml").write_text(rng.choice(["llm: [x]", "llm: 5", "- a", "a: &a [*a]", "{"]),
                                             encoding="utf-8")


def run(cases: int, seed: int, seconds: float, report: Callable[[str], None]) -> dict[str, object]:
    rng = random.Random(seed)
    outcomes: Counter[str] = Counter()
    crashes, slow = [], []
    slowest = 0.0
    with tempfile.TemporaryDirectory(prefix="faqbot-fuzz-corpus-") as tmp:
        for n in range(cases):
            folder = Path(tmp) / f"c{n}"
            folder.mkdir()
            corpus(rng, folder)
            started = time.perf_counter()
            try:
                answer = Answerer.from_corpus(folder, cache=False).ask(_text(rng, 4))
                outcomes[f"answered ({answer.kind})"] += 1
            except FaqbotError:
                outcomes["clean error"] += 1
            except Exception:   # a crash: exactly what this benchmark exists to find
                outcomes["crash"] += 1
                crashes.append((n, traceback.format_exc(limit=6)))
            elapsed = time.perf_counter() - started
            slowest = max(slowest, elapsed)
            if elapsed > seconds:
                slow.append((n, elapsed))
            if (n + 1) % 500 == 0:
                report(f"  {n + 1} cases, {dict(outcomes)}")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"cases": cases, "seed": seed, "outcomes": dict(outcomes), "crashes": crashes, "slow": slow,
            "slowest_s": round(slowest, 3), "peak_rss_mb": round(peak_mb, 1)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=5.0, help="a case slower than this fails (default 5)")
    parser.add_argument("--memory-mb", type=int, default=2048, help="address-space limit of the run (default 2048)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    limit = args.memory_mb << 20
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    result = run(args.cases, args.seed, args.seconds, print)
    print(f"cases {result['cases']}  seed {result['seed']}  outcomes {result['outcomes']}")
    print(f"slowest case {result['slowest_s']} s (limit {args.seconds}); peak RSS of the run "
          f"{result['peak_rss_mb']} MB (address space capped at {args.memory_mb} MB)")
    for n, tb in result["crashes"][:10]:   # type: ignore[index]
        print(f"\ncrash in case {n}:\n{tb}")
    for n, elapsed in result["slow"][:10]:   # type: ignore[index]
        print(f"slow case {n}: {elapsed:.2f} s")
    if args.json:
        args.json.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    return 1 if result["crashes"] or result["slow"] else 0


if __name__ == "__main__":
    sys.exit(main())

"""A longer fuzz run of faqbot: hostile and random questions through Answerer.ask, Session.ask and
`faqbot chat --json` in pipe mode, every answer checked (schema, range, citations, grounding).

    python benchmarks/fuzz.py                  # about three minutes
    python benchmarks/fuzz.py --seconds 30     # a quick run
    python benchmarks/fuzz.py --seed 7 --json  # reproducible; figures as JSON
    python benchmarks/fuzz.py --corpora 10000  # hostile corpora instead (benchmarks/fuzz_corpus.py)

Prints, per target, how many inputs of each kind were tried, the answer kinds, max / median / p99
latency and every failure (an exception, an invalid or ungrounded answer, a nondeterministic answer,
a traceback or raw control bytes from the CLI). Exit status 1 when anything failed.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import string
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))   # tests.reliability_checks holds the answer checker shared with the test suite

from tests.reliability_checks import (  # noqa: E402
    CONTROLS,
    ESCAPES,
    INJECTIONS,
    SCRIPTS,
    Checker,
    corpus_vocabulary,
    raw_controls,
)

from faqbot import Answer, Answerer  # noqa: E402

FOLLOW_UPS = ["1", "2", "3", "the first one", "last", "tell me more", "more", "what about it?", "and music?",
              "who makes it?", "and images?", "why?", "thanks", "ok", "/reset"]


class Inputs:
    """Generators of hostile questions, by kind."""

    def __init__(self, bot: Answerer, rng: random.Random) -> None:
        self.rng = rng
        self.vocabulary = corpus_vocabulary(bot)
        self.phrasings = [p for e in bot.corpus.entries for p in e.phrasings]
        self.kinds: dict[str, Callable[[], str]] = {
            "random-unicode": self.random_unicode,
            "control-chars": self.control_chars,
            "escape-sequences": self.escape_sequences,
            "huge": self.huge,
            "corpus-words": self.corpus_words,
            "curated-with-typos": self.curated_with_typos,
            "other-scripts": self.other_scripts,
            "injection": self.injection,
            "blank": self.blank,
        }
        self.weights = [14, 10, 10, 1, 20, 20, 8, 8, 4]

    def pick(self) -> tuple[str, str]:
        kind = self.rng.choices(list(self.kinds), self.weights)[0]
        return kind, self.kinds[kind]()

    def random_unicode(self) -> str:
        r = self.rng
        ranges = [(0x20, 0x7E), (0xA0, 0x2FF), (0x370, 0x52F), (0x590, 0x6FF), (0x900, 0x97F), (0x2000, 0x206F),
                  (0x3040, 0x30FF), (0x4E00, 0x9FFF), (0xAC00, 0xD7A3), (0xFB00, 0xFFFD), (0x1F300, 0x1FAFF),
                  (0x0, 0x10FFFF)]
        out = []
        for _ in range(r.randint(0, 120)):
            lo, hi = r.choice(ranges)
            out.append(chr(r.randint(lo, hi)))   # the last range includes lone surrogates, on purpose
        return "".join(out)

    def control_chars(self) -> str:
        r = self.rng
        words = r.choice(self.phrasings).split()
        pool = [*CONTROLS, *(chr(c) for c in range(0x20)), *(chr(c) for c in range(0x7F, 0xA0))]
        return "".join(w + "".join(r.choice(pool) for _ in range(r.randint(0, 3))) + " " for w in words)

    def escape_sequences(self) -> str:
        r = self.rng
        payload = "".join(r.choices(string.printable, k=r.randint(0, 40)))
        terminator = r.choice(["\x07", "\x1b\\", "\x9c", ""])
        made = [r.choice(ESCAPES),
                f"\x1b[{r.randint(0, 999)};{r.randint(0, 999)}{r.choice('ABCDHJKmnsu')}",
                f"\x1b]{r.choice([0, 2, 4, 8, 52, 777])};{payload}{terminator}",
                f"\x9b{r.randint(0, 99)}{r.choice('ABCDJKm')}",
                f"\x1b{r.choice('PX^_')}{r.random()}\x1b\\"]
        question = r.choice(self.phrasings)
        cut = r.randint(0, len(question))
        return question[:cut] + r.choice(made) + question[cut:] + r.choice(made)

    def huge(self) -> str:
        r = self.rng
        size = r.choice([10_000, 100_000, 1_000_000, 2_000_000])
        if r.random() < 0.5:
            unit = r.choice(self.phrasings) + " "
            return (unit * (size // len(unit) + 1))[:size]
        words = []
        total = 0
        while total < size:
            w = "".join(r.choices(string.ascii_lowercase, k=r.randint(2, 10)))
            words.append(w)
            total += len(w) + 1
        return " ".join(words)[:size]

    def corpus_words(self) -> str:
        r = self.rng
        extra = ["what", "is", "the", "how", "does", "which", "why", "it", "they", "and", "or", "not", "?", "!"]
        return " ".join(r.choice(self.vocabulary + extra) for _ in range(r.randint(1, 15)))

    def curated_with_typos(self) -> str:
        r = self.rng
        q = list(r.choice(self.phrasings))
        for _ in range(r.randint(0, 4)):
            if not q:
                break
            i = r.randrange(len(q))
            op = r.randrange(5)
            if op == 0:
                del q[i]
            elif op == 1:
                q.insert(i, r.choice(string.ascii_lowercase))
            elif op == 2 and i + 1 < len(q):
                q[i], q[i + 1] = q[i + 1], q[i]
            elif op == 3:
                q[i] = q[i].swapcase()
            else:
                q.insert(i, r.choice("?!.,;:'\"()-"))
        return "".join(q)

    def other_scripts(self) -> str:
        r = self.rng
        return " ".join(r.choice([*SCRIPTS, r.choice(self.vocabulary)]) for _ in range(r.randint(1, 4)))

    def injection(self) -> str:
        r = self.rng
        parts = [r.choice(INJECTIONS)]
        if r.random() < 0.5:
            parts.insert(r.randint(0, 1), r.choice(self.phrasings))
        return " ".join(parts)

    def blank(self) -> str:
        blanks = [" ", "\t", "\u00a0", "\u3000", "\u200b", "\ufeff", "\n", ""]
        return "".join(self.rng.choices(blanks, k=self.rng.randint(0, 8)))


class Tally:
    """Counts, latencies and failures of one target."""

    def __init__(self) -> None:
        self.tried: Counter[str] = Counter()
        self.kinds: Counter[str] = Counter()
        self.latency: list[float] = []
        self.slowest: tuple[float, str, int] = (0.0, "", 0)   # (seconds, input kind, characters)
        self.failures: list[dict[str, str]] = []

    def timed(self, seconds: float, kind: str, question: str) -> None:
        self.latency.append(seconds)
        if seconds > self.slowest[0]:
            self.slowest = (seconds, kind, len(question))

    def fail(self, kind: str, question: str, problem: str) -> None:
        self.failures.append({"input_kind": kind, "question": repr(question[:200]), "problem": problem[:500]})

    def summary(self) -> dict[str, Any]:
        lat = sorted(self.latency)

        def ms(seconds: float) -> float:
            return round(seconds * 1000, 3)

        return {
            "inputs": sum(self.tried.values()),
            "by_input_kind": dict(sorted(self.tried.items())),
            "answer_kinds": dict(sorted(self.kinds.items())),
            "latency_ms": {"median": ms(statistics.median(lat)) if lat else None,
                           "p99": ms(lat[int(0.99 * (len(lat) - 1))]) if lat else None,
                           "max": ms(lat[-1]) if lat else None,
                           "slowest_input": {"kind": self.slowest[1], "characters": self.slowest[2]}},
            "failures": len(self.failures),
            "failure_examples": self.failures[:20],
        }


def checked_ask(ask: Callable[[str], Answer], kind: str, q: str, tally: Tally,
                checker: Checker) -> Answer | None:
    """Ask once, timing it and recording any crash or broken promise; None when it crashed."""
    tally.tried[kind] += 1
    start = time.perf_counter()
    try:
        answer = ask(q)
    except Exception as exc:   # noqa: BLE001 - a crash is the finding
        tally.fail(kind, q, f"{type(exc).__name__}: {exc}")
        return None
    tally.timed(time.perf_counter() - start, kind, q)
    tally.kinds[answer.kind] += 1
    problems = checker.problems(answer, q)
    if problems:
        tally.fail(kind, q, "; ".join(problems))
    return answer


def fuzz_ask(bot: Answerer, checker: Checker, inputs: Inputs, seconds: float) -> Tally:
    tally = Tally()
    replay: list[tuple[str, str, dict[str, object]]] = []
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        kind, q = inputs.pick()
        answer = checked_ask(bot.ask, kind, q, tally, checker)
        if answer is None:
            continue
        if len(replay) < 2000 and inputs.rng.random() < 0.1:
            replay.append((kind, q, answer.to_dict()))
    inputs.rng.shuffle(replay)   # determinism: the same answer in another order
    for kind, q, first in replay:
        again = bot.ask(q).to_dict()
        if again != first:
            tally.fail(kind, q, "a different answer the second time")
    return tally


def fuzz_session(bot: Answerer, checker: Checker, inputs: Inputs, seconds: float) -> Tally:
    tally = Tally()
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        session = bot.session()
        for _ in range(inputs.rng.randint(1, 8)):
            if inputs.rng.random() < 0.35:
                kind, q = "follow-up", inputs.rng.choice(FOLLOW_UPS)
            else:
                kind, q = inputs.pick()
            if checked_ask(session.ask, kind, q, tally, checker) is None:
                break
    return tally


def _cli_env(cache_dir: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FAQBOT_HISTORY")}
    env["FAQBOT_CACHE_DIR"] = cache_dir
    return env


def fuzz_cli(bot: Answerer, checker: Checker, inputs: Inputs, seconds: float, corpus: str | None,
             cache_dir: str) -> Tally:
    """Batches of lines piped into `faqbot chat --json`; latency is per line (batch time / lines)."""
    tally = Tally()
    end = time.perf_counter() + seconds
    args = [sys.executable, "-m", "faqbot", "chat", "--json", "--no-log", *(["--corpus", corpus] if corpus else [])]
    while time.perf_counter() < end:
        batch: list[tuple[str, bytes]] = []
        for _ in range(inputs.rng.randint(50, 300)):
            kind, q = inputs.pick()
            if kind == "huge" and inputs.rng.random() < 0.7:
                continue   # a few megabyte lines per batch at most
            # lone surrogates become invalid UTF-8 bytes, on purpose
            line = q.replace("\n", " ").replace("\r", " ").encode("utf-8", "surrogatepass")
            if inputs.rng.random() < 0.05:   # invalid UTF-8 on stdin
                kind, line = "invalid-utf8", line + bytes(inputs.rng.choices(range(0x80, 0x100), k=3))
            if line.lstrip().startswith(b"/"):
                kind = "chat-command"   # the chat treats it as a /command: counted apart
            batch.append((kind, line))
        stdin = b"\n".join(line for _, line in batch) + b"\n"
        start = time.perf_counter()
        result = subprocess.run(args, input=stdin, capture_output=True, env=_cli_env(cache_dir), timeout=600,
                                check=False)
        elapsed = time.perf_counter() - start
        for kind, _ in batch:
            tally.tried[kind] += 1
        label = f"batch of {len(batch)} lines"
        if result.returncode != 0 or b"Traceback" in result.stderr:
            tally.fail("batch", label, f"exit {result.returncode}: {result.stderr.decode(errors='replace')[-400:]}")
            continue
        if raw_controls(result.stdout):
            tally.fail("batch", label, f"raw control bytes on stdout: {raw_controls(result.stdout)[:5]}")
        try:
            # split on "\n" only, not splitlines(): U+2028 may appear raw inside a JSON string
            replies = [json.loads(line) for line in result.stdout.decode("utf-8").split("\n") if line]
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            tally.fail("batch", label, f"output is not UTF-8 JSON Lines: {exc}")
            continue
        expected = [(kind, line) for kind, line in batch if line.decode("utf-8", "replace").strip()]
        if len(replies) != len(expected):
            tally.fail("batch", label, f"{len(replies)} replies to {len(expected)} non-blank lines")
            continue
        per_line = elapsed / max(1, len(batch))
        tally.latency.extend([per_line] * len(batch))
        if per_line > tally.slowest[0]:
            tally.slowest = (per_line, f"batch of {len(batch)} lines", len(stdin))
        for (kind, line), reply in zip(expected, replies, strict=True):
            tally.kinds[str(reply.get("kind") or f"command:{reply.get('command')}")] += 1
            if reply.get("kind") == "answer" and not checker.grounded(reply["text"]):
                tally.fail(kind, line.decode("utf-8", "replace"), f"ungrounded answer {reply['text'][:200]!r}")
    return tally


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--corpora":   # the corpus fuzzer: its own options follow
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        import fuzz_corpus

        return fuzz_corpus.main(["--cases", *argv[1:2], *argv[2:]])
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=180.0, help="total running time (default 180)")
    parser.add_argument("--seed", type=int, default=None, help="random seed (default: random, printed)")
    parser.add_argument("--corpus", help="corpus folder (default: the bundled article)")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    args = parser.parse_args(argv)
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(2**32)
    rng = random.Random(seed)
    started = time.perf_counter()
    bot = Answerer.from_corpus(args.corpus, cache=False)
    checker = Checker(bot)
    inputs = Inputs(bot, rng)
    with tempfile.TemporaryDirectory(prefix="faqbot-fuzz-") as cache_dir:
        Answerer.from_corpus(args.corpus, cache_dir=cache_dir)   # the CLI reads a warm cache
        results = {
            "Answerer.ask": fuzz_ask(bot, checker, inputs, args.seconds * 0.45),
            "Session.ask": fuzz_session(bot, checker, inputs, args.seconds * 0.35),
            "faqbot chat --json (pipe)": fuzz_cli(bot, checker, inputs, args.seconds * 0.20, args.corpus,
                                                  cache_dir),
        }
    summaries = {name: tally.summary() for name, tally in results.items()}
    report = {"seed": seed, "seconds": round(time.perf_counter() - started, 1), "python": sys.version.split()[0],
              "targets": summaries}
    failures = sum(len(t.failures) for t in results.values())
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        print(f"faqbot fuzz: seed {seed}, {report['seconds']} s, Python {report['python']}")
        for name, s in summaries.items():
            lat = s["latency_ms"]
            print(f"\n{name}: {s['inputs']} inputs, {s['failures']} failures")
            print("  inputs:  " + ", ".join(f"{k} {v}" for k, v in s["by_input_kind"].items()))
            print("  answers: " + ", ".join(f"{k} {v}" for k, v in s["answer_kinds"].items()))
            print(f"  latency: median {lat['median']} ms, p99 {lat['p99']} ms, max {lat['max']} ms "
                  f"(slowest: {lat['slowest_input']['kind']}, {lat['slowest_input']['characters']} characters)")
            for f in s["failure_examples"]:
                print(f"  FAIL [{f['input_kind']}] {f['question']}: {f['problem']}")
        print(f"\n{'FAILED' if failures else 'OK'}: {failures} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Speed targets of the bundled corpus, measured in one run: cold one-shot `ask` and warm answers.

    python benchmarks/perf.py            # about a minute

1. Cold one-shot: `faqbot ask --json "Is ChatGPT an LLM?"` as a whole process (the installed command,
   else `python -m faqbot`), index cache
   already built, against `python -c "import numpy"`, the two commands interleaved so that machine
   noise hits both alike. Target: median ratio <= 1.5.
2. Warm: one Answerer, `ask` over the development question set (median < 0.5 ms, p99 < 3 ms), and
   every conversation of the set through `Session.ask` (median no more than twice `ask`'s).

Run it against an installed faqbot (`pip install .`): Python then finds compiled bytecode, as users do.
PYTHONDONTWRITEBYTECODE is removed from the children's environment so a source checkout gets
bytecode too after the warm-up runs.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

QUESTION = "Is ChatGPT an LLM?"
ROOT = Path(__file__).resolve().parents[1]


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round((len(ordered) - 1) * pct / 100))]


def cold_start(runs: int) -> dict[str, float]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["FAQBOT_CACHE_DIR"] = tempfile.mkdtemp(prefix="faqbot-perf-")
    script = Path(sys.executable).with_name("faqbot")   # the installed command, as a user runs it
    ask = [str(script) if script.exists() else sys.executable, *([] if script.exists() else ["-m", "faqbot"]),
           "ask", "--json", QUESTION]
    numpy = [sys.executable, "-c", "import numpy"]
    subprocess.run([sys.executable, "-m", "faqbot", "index"], env=env, check=True, capture_output=True)
    for _ in range(3):   # warm-up: bytecode written, files in the page cache
        subprocess.run(ask, env=env, check=True, capture_output=True)
        subprocess.run(numpy, env=env, check=True, capture_output=True)
    times: dict[str, list[float]] = {"ask": [], "numpy": []}
    for _ in range(runs):
        for name, command in (("numpy", numpy), ("ask", ask)):
            start = time.perf_counter()
            result = subprocess.run(command, env=env, capture_output=True)
            times[name].append(time.perf_counter() - start)
            if result.returncode not in (0, 1):
                sys.exit(f"{' '.join(command)} failed: {result.stderr.decode()}")
    first = subprocess.run(ask, env=env, capture_output=True, text=True)
    assert json.loads(first.stdout)["kind"] == "answer"
    ask_ms, numpy_ms = statistics.median(times["ask"]) * 1000, statistics.median(times["numpy"]) * 1000
    return {"runs": runs, "ask_median_ms": ask_ms, "numpy_median_ms": numpy_ms, "ratio": ask_ms / numpy_ms,
            "ask_p90_ms": _percentile(times["ask"], 90) * 1000, "numpy_p90_ms": _percentile(times["numpy"], 90) * 1000}


def warm(rounds: int) -> dict[str, float]:
    from faqbot import Answerer
    from faqbot.evaluate import load_question_set

    questions = load_question_set(ROOT / "tests" / "data" / "questions.yaml")
    bot = Answerer.from_corpus(cache=False)
    singles = [item.q for item in questions.questions]
    for q in singles:   # warm-up: stems memoised, numpy paths hot
        bot.ask(q)
    ask_times, turn_times = [], []
    for _ in range(rounds):
        for q in singles:
            start = time.perf_counter()
            bot.ask(q)
            ask_times.append(time.perf_counter() - start)
        for _, turns in questions.conversations:
            session = bot.session()
            for item in turns:
                start = time.perf_counter()
                session.ask(item.q)
                turn_times.append(time.perf_counter() - start)
    ms = [t * 1000 for t in ask_times]
    turn_ms = [t * 1000 for t in turn_times]
    return {"questions": len(singles), "rounds": rounds, "ask_median_ms": statistics.median(ms),
            "ask_p99_ms": _percentile(ms, 99), "session_turns": len(turn_ms) // rounds,
            "session_median_ms": statistics.median(turn_ms), "session_p99_ms": _percentile(turn_ms, 99)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=30, help="cold-start runs of each command (default 30)")
    parser.add_argument("--rounds", type=int, default=20, help="rounds over the question set (default 20)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    import faqbot

    where = Path(faqbot.__file__).resolve()
    origin = "a source checkout" if ROOT / "src" in where.parents else "site-packages"
    print(f"faqbot {faqbot.__version__} from {origin}"
          f"; Python {sys.version.split()[0]}; {os.cpu_count()} CPUs")
    cold = cold_start(args.runs)
    print(f"\ncold one-shot (median of {cold['runs']}, interleaved)")
    print(f"  python -c 'import numpy'            {cold['numpy_median_ms']:7.1f} ms   (p90 {cold['numpy_p90_ms']:.1f})")
    print(f"  faqbot ask --json '{QUESTION}' {cold['ask_median_ms']:7.1f} ms   (p90 {cold['ask_p90_ms']:.1f})")
    print(f"  ratio                               {cold['ratio']:7.2f}      target <= 1.5  "
          f"{'MET' if cold['ratio'] <= 1.5 else 'MISSED'}")
    hot = warm(args.rounds)
    print(f"\nwarm answers ({hot['questions']} questions x {hot['rounds']} rounds; "
          f"{hot['session_turns']} conversation turns per round)")
    print(f"  Answerer.ask   median {hot['ask_median_ms']:.3f} ms (target < 0.5 "
          f"{'MET' if hot['ask_median_ms'] < 0.5 else 'MISSED'})   p99 {hot['ask_p99_ms']:.3f} ms (target < 3 "
          f"{'MET' if hot['ask_p99_ms'] < 3 else 'MISSED'})")
    ratio = hot["session_median_ms"] / hot["ask_median_ms"]
    print(f"  Session.ask    median {hot['session_median_ms']:.3f} ms = {ratio:.2f}x ask (target <= 2 "
          f"{'MET' if ratio <= 2 else 'MISSED'})   p99 {hot['session_p99_ms']:.3f} ms")
    if args.json:
        args.json.write_text(json.dumps({"cold": cold, "warm": hot}, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

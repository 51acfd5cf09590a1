"""Speed targets of the bundled corpus, measured in one run: cold one-shot `ask` and warm answers.

    python benchmarks/perf.py            # about a minute

1. Cold one-shot: `faqbot ask --json "Is ChatGPT an LLM?"` as a whole process (the installed command,
   else `python -m faqbot`), index cache
   already built, against `python -c "import numpy"`, the two commands interleaved so that machine
   noise hits both alike. Target: median ratio <= 1.5. With `--baseline PATH/TO/faqbot` (another
   install, e.g. main before a change), that command is timed in the same runs: no slower.
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


def cold_start(runs: int, baseline: str | None = None) -> dict[str, float]:
    """Cold one-shot `ask` against `import numpy` (and, with *baseline*, another install's `faqbot`
    command, e.g. main before a change), interleaved so that machine noise hits all alike."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    script = Path(sys.executable).with_name("faqbot")   # the installed command, as a user runs it
    ask = [str(script) if script.exists() else sys.executable, *([] if script.exists() else ["-m", "faqbot"]),
           "ask", "--json", QUESTION]
    commands = {"numpy": [sys.executable, "-c", "import numpy"], "ask": ask}
    if baseline:
        commands["baseline"] = [baseline, "ask", "--json", QUESTION]
    envs = {name: {**env, "FAQBOT_CACHE_DIR": tempfile.mkdtemp(prefix=f"faqbot-perf-{name}-")} for name in commands}
    for name in ("ask", "baseline"):
        if name in commands:   # the index cache, built ahead as `faqbot index` would
            subprocess.run(commands[name][:-3] + ["index"], env=envs[name], check=True, capture_output=True)
    for _ in range(3):   # warm-up: bytecode written, files in the page cache
        for name, command in commands.items():
            subprocess.run(command, env=envs[name], check=True, capture_output=True)
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            start = time.perf_counter()
            result = subprocess.run(command, env=envs[name], capture_output=True)
            times[name].append(time.perf_counter() - start)
            if result.returncode not in (0, 1):
                sys.exit(f"{' '.join(command)} failed: {result.stderr.decode()}")
    first = subprocess.run(ask, env=envs["ask"], capture_output=True, text=True)
    assert json.loads(first.stdout)["kind"] == "answer"
    median = {name: statistics.median(t) * 1000 for name, t in times.items()}
    out = {"runs": runs, "ask_median_ms": median["ask"], "numpy_median_ms": median["numpy"],
           "ratio": median["ask"] / median["numpy"],
           "ask_p90_ms": _percentile(times["ask"], 90) * 1000, "numpy_p90_ms": _percentile(times["numpy"], 90) * 1000}
    if baseline:
        out |= {"baseline_median_ms": median["baseline"], "ask_over_baseline": median["ask"] / median["baseline"]}
    return out


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
    parser.add_argument("--baseline", metavar="FAQBOT", help="another install's faqbot command (e.g. main before "
                        "a change, in its own venv), timed in the same interleaved runs")
    args = parser.parse_args()
    import faqbot

    where = Path(faqbot.__file__).resolve()
    origin = "a source checkout" if ROOT / "src" in where.parents else "site-packages"
    print(f"faqbot {faqbot.__version__} from {origin}"
          f"; Python {sys.version.split()[0]}; {os.cpu_count()} CPUs")
    cold = cold_start(args.runs, args.baseline)
    print(f"\ncold one-shot (median of {cold['runs']}, interleaved)")
    print(f"  python -c 'import numpy'            {cold['numpy_median_ms']:7.1f} ms   (p90 {cold['numpy_p90_ms']:.1f})")
    print(f"  faqbot ask --json '{QUESTION}' {cold['ask_median_ms']:7.1f} ms   (p90 {cold['ask_p90_ms']:.1f})")
    print(f"  ratio                               {cold['ratio']:7.2f}      target <= 1.5  "
          f"{'MET' if cold['ratio'] <= 1.5 else 'MISSED'}")
    if args.baseline:
        print(f"  baseline {args.baseline} ask   {cold['baseline_median_ms']:7.1f} ms; this one is "
              f"{cold['ask_over_baseline']:.2f} x it (target <= 1: no slower)")
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

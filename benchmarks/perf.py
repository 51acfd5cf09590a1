"""Speed targets of the bundled corpus, measured in one run: cold one-shot `ask` and warm answers.

    python benchmarks/perf.py            # about two minutes
    python benchmarks/perf.py --baseline OTHER/bin/faqbot   # and another install, in the same runs

1. Cold one-shot: `faqbot ask --json QUESTION` as a whole process (the installed command, else
   `python -m faqbot`), index cache already built, against `python -c "import numpy"`, the commands
   interleaved so that machine noise hits both alike; each run asks the next of a rotating mix of
   questions (answered, declined, typos, small talk). Target (issue 23): median ratio <= 1.3. Also
   faqbot's own modules' import time (`python -X importtime`, their self times summed). With
   `--baseline PATH/TO/faqbot` (another install, e.g. main before a change), that command is timed
   in the same runs.
2. Warm: one Answerer in a fresh process, `ask` over questions.yaml, tune1 and heldout1-5 together
   (p50 <= 0.25 ms, p99 <= 2 ms), and every conversation of questions.yaml through `Session.ask`.
   With `--baseline`, the baseline's Python measures the same, the two alternating.

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

ROOT = Path(__file__).resolve().parents[1]
WARM_SETS = ("questions", "tune1", "heldout", "heldout2", "heldout3", "heldout4", "heldout5")
MIX_EVERY = 80   # the cold runs' mix: every 80th question of those sets


def _questions() -> list[str]:
    from faqbot.evaluate import load_question_set

    return [item.q for name in WARM_SETS
            for item in load_question_set(ROOT / "tests" / "data" / f"{name}.yaml").questions]


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round((len(ordered) - 1) * pct / 100))]


def cold_start(runs: int, baseline: str | None = None) -> dict[str, float]:
    """Cold one-shot `ask` against `import numpy` (and, with *baseline*, another install's `faqbot`
    command, e.g. main before a change), interleaved so that machine noise hits all alike."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    script = Path(sys.executable).with_name("faqbot")   # the installed command, as a user runs it
    ask = [str(script) if script.exists() else sys.executable, *([] if script.exists() else ["-m", "faqbot"]),
           "ask", "--json"]
    mix = _questions()[::MIX_EVERY]
    commands = {"numpy": [sys.executable, "-c", "import numpy"], "ask": ask}
    if baseline:
        commands["baseline"] = [baseline, "ask", "--json"]
    envs = {name: {**env, "FAQBOT_CACHE_DIR": tempfile.mkdtemp(prefix=f"faqbot-perf-{name}-")} for name in commands}
    for name in ("ask", "baseline"):
        if name in commands:   # the index cache, built ahead as `faqbot index` would
            subprocess.run(commands[name][:-2] + ["index"], env=envs[name], check=True, capture_output=True)

    def command(name: str, run: int) -> list[str]:
        return commands[name] + ([mix[run % len(mix)]] if name != "numpy" else [])

    times: dict[str, list[float]] = {name: [] for name in commands}
    for run in range(-3, runs):   # three runs of warm-up: bytecode written, files in the page cache
        for name in commands:
            start = time.perf_counter()
            result = subprocess.run(command(name, run), env=envs[name], capture_output=True)
            if run >= 0:
                times[name].append(time.perf_counter() - start)
            if result.returncode not in (0, 1):   # 1: declined, as `ask` says it
                sys.exit(f"{' '.join(command(name, run))} failed: {result.stderr.decode()}")
    median = {name: statistics.median(t) * 1000 for name, t in times.items()}
    out = {"runs": runs, "questions": len(mix), "ask_median_ms": median["ask"], "numpy_median_ms": median["numpy"],
           "ratio": median["ask"] / median["numpy"], "ask_p90_ms": _percentile(times["ask"], 90) * 1000,
           "numpy_p90_ms": _percentile(times["numpy"], 90) * 1000,
           "faqbot_imports_ms": _own_imports(ask + [mix[0]], envs["ask"])}
    if baseline:
        out |= {"baseline_median_ms": median["baseline"], "ask_over_baseline": median["ask"] / median["baseline"],
                "baseline_imports_ms": _own_imports(commands["baseline"] + [mix[0]], envs["baseline"])}
    return out


def _own_imports(command: list[str], env: dict[str, str], runs: int = 7) -> float:
    """Median over *runs* of the self time of faqbot's own modules on *command* (`python -X importtime`)."""
    totals = []
    for _ in range(runs):
        result = subprocess.run(command, env={**env, "PYTHONPROFILEIMPORTTIME": "1"}, capture_output=True, text=True)
        totals.append(sum(int(line.split("|")[0].split(":")[1]) for line in result.stderr.splitlines()
                          if line.startswith("import time:") and line.split("|")[2].strip().startswith("faqbot")))
    return statistics.median(totals) / 1000


def warm(rounds: int) -> dict[str, float]:
    """Warm answers in this process (``--warm-child``: what a baseline's Python runs)."""
    from faqbot import Answerer
    from faqbot.evaluate import load_question_set

    conversations = load_question_set(ROOT / "tests" / "data" / "questions.yaml").conversations
    bot = Answerer.from_corpus(cache=False)
    singles = _questions()
    for q in singles:   # warm-up: stems memoised, numpy paths hot
        bot.ask(q)
    ask_times, turn_times = [], []
    for _ in range(rounds):
        for q in singles:
            start = time.perf_counter()
            bot.ask(q)
            ask_times.append(time.perf_counter() - start)
        for _, turns in conversations:
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


def warm_side_by_side(rounds: int, baseline: str | None, repeats: int = 2) -> dict[str, dict[str, float]]:
    """``warm`` in fresh processes, this install's Python and the baseline's alternating; the best of
    *repeats* for each (the machine's slow moments hit one run, not a tree)."""
    pythons = {"this": sys.executable, **({"baseline": str(Path(baseline).with_name("python"))} if baseline else {})}
    found: dict[str, list[dict[str, float]]] = {name: [] for name in pythons}
    for _ in range(repeats):
        for name, python in pythons.items():
            result = subprocess.run([python, __file__, "--warm-child", "--rounds", str(rounds)], capture_output=True,
                                    text=True, check=True, cwd=ROOT)
            found[name].append(json.loads(result.stdout))
    return {name: min(runs, key=lambda r: r["ask_median_ms"]) for name, runs in found.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=30, help="cold-start runs of each command (default 30)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds over the question sets (default 5)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--baseline", metavar="FAQBOT", help="another install's faqbot command (e.g. main before "
                        "a change, in its own venv), timed in the same interleaved runs")
    parser.add_argument("--warm-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.warm_child:
        print(json.dumps(warm(args.rounds)))
        return
    import faqbot

    where = Path(faqbot.__file__).resolve()
    origin = "a source checkout" if ROOT / "src" in where.parents else "site-packages"
    print(f"faqbot {faqbot.__version__} from {origin}"
          f"; Python {sys.version.split()[0]}; {os.cpu_count()} CPUs")
    cold = cold_start(args.runs, args.baseline)
    print(f"\ncold one-shot (median of {cold['runs']}, interleaved; a mix of {cold['questions']} questions in turn)")
    print(f"  python -c 'import numpy'     {cold['numpy_median_ms']:7.1f} ms   (p90 {cold['numpy_p90_ms']:.1f})")
    print(f"  faqbot ask --json QUESTION   {cold['ask_median_ms']:7.1f} ms   (p90 {cold['ask_p90_ms']:.1f}); "
          f"faqbot's own imports {cold['faqbot_imports_ms']:.1f} ms")
    print(f"  ratio                        {cold['ratio']:7.2f}      target <= 1.3  "
          f"{'MET' if cold['ratio'] <= 1.3 else 'MISSED'}")
    if args.baseline:
        print(f"  baseline {args.baseline} ask   {cold['baseline_median_ms']:7.1f} ms (ratio "
              f"{cold['baseline_median_ms'] / cold['numpy_median_ms']:.2f}; its own imports "
              f"{cold['baseline_imports_ms']:.1f} ms); this one is {cold['ask_over_baseline']:.2f} x it")
    hot = warm_side_by_side(args.rounds, args.baseline)
    for name, figures in hot.items():
        ratio = figures["session_median_ms"] / figures["ask_median_ms"]
        print(f"\nwarm answers, {name} ({figures['questions']} questions x {figures['rounds']} rounds; "
              f"{figures['session_turns']} conversation turns per round)")
        print(f"  Answerer.ask   median {figures['ask_median_ms']:.3f} ms (target <= 0.25 "
              f"{'MET' if figures['ask_median_ms'] <= 0.25 else 'MISSED'})   p99 {figures['ask_p99_ms']:.3f} ms "
              f"(target <= 2 {'MET' if figures['ask_p99_ms'] <= 2 else 'MISSED'})")
        print(f"  Session.ask    median {figures['session_median_ms']:.3f} ms = {ratio:.2f}x ask   "
              f"p99 {figures['session_p99_ms']:.3f} ms")
    if args.json:
        args.json.write_text(json.dumps({"cold": cold, "warm": hot}, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

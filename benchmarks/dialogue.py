"""A dialogue script, exchange by exchange, through a Session and through the piped chat.

    python benchmarks/dialogue.py tests/data/dialogue_blind.yaml [--corpus DIR] [--verbose]

A script is a question file (see ``faqbot.evaluate``) whose conversations may also hold turns with
``expect: exit``: a bare ``exit``/``quit``/``:q`` that must end the chat. Every other turn is judged
as ``faqbot eval`` judges it (kind, section, words, offer). The same lines are then piped into
``faqbot chat --json`` (in this process): each answer must be the Session's, and the chat must stop
at the exit turn with nothing more printed. Prints each failing exchange and the counts.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

from faqbot import Answerer
from faqbot.cli.repl import run_lines
from faqbot.evaluate import judge, load_question_set

EXIT = "exit"


def split_exits(raw: dict[str, Any]) -> tuple[dict[str, Any], list[list[int]]]:
    """(the script without its exit turns, the index of each conversation's exit turns)."""
    exits: list[list[int]] = []
    kept = []
    for conversation in raw.get("conversations") or []:
        turns = conversation["turns"]
        exits.append([i for i, t in enumerate(turns) if t.get("expect") == EXIT])
        kept.append({**conversation, "turns": [t for t in turns if t.get("expect") != EXIT]})
    return {**raw, "conversations": kept}, exits


def run(path: Path, corpus: str | None, verbose: bool) -> dict[str, int]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    script, exits = split_exits(raw)
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False, encoding="utf-8") as handle:
        yaml.safe_dump(script, handle, allow_unicode=True)
    questions = load_question_set(handle.name)
    Path(handle.name).unlink()
    bot = Answerer.from_corpus(corpus)
    counts = {"exchanges": 0, "right": 0, "exit_turns": 0, "exits_right": 0, "piped_differs": 0}
    for (name, turns), exit_at, original in zip(questions.conversations, exits, raw["conversations"], strict=True):
        session = bot.session()
        answers = []
        for item in turns:
            answer = session.ask(item.q)
            answers.append(answer)
            problem = judge(item, answer)
            counts["exchanges"] += 1
            counts["right"] += not problem
            if problem or verbose:
                mark = "FAIL" if problem else "ok  "
                print(f"{mark} [{name}] {item.q!r}: {problem or answer.kind} -> {answer.text[:110]!r}")
        lines = [t["q"] for t in original["turns"]]
        out = io.StringIO()
        run_lines(bot, io.StringIO("\n".join(lines) + "\n"), out, json_lines=True, stderr=io.StringIO())
        printed = [json.loads(line) for line in out.getvalue().splitlines() if line.strip()]
        quits = [n for n, p in enumerate(printed) if p.get("command") == "quit"]
        printed = printed[:quits[0]] if quits and quits[0] == len(printed) - 1 else printed   # the chat's last word
        first_exit = exit_at[0] if exit_at else len(lines)
        expected = [a.to_dict() for a in answers[:first_exit]]
        if printed[:len(expected)] != expected:
            counts["piped_differs"] += 1
            print(f"FAIL [{name}] the piped chat answered otherwise than the Session")
        for _ in exit_at:
            counts["exchanges"] += 1
            counts["exit_turns"] += 1
        if exit_at:
            stopped = len(printed) == first_exit   # nothing printed for the exit line or after it
            counts["exits_right"] += stopped
            counts["right"] += stopped   # the first exit ends the chat; a later one is never reached
            counts["right"] += len(exit_at) - 1 if stopped else 0
            if not stopped:
                print(f"FAIL [{name}] {lines[first_exit]!r} did not end the chat ({len(printed)} replies printed)")
    return counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("script", type=Path)
    parser.add_argument("--corpus", default=None)
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    counts = run(args.script, args.corpus, args.verbose)
    print(f"{counts['right']}/{counts['exchanges']} exchanges right; exits {counts['exits_right']}/"
          f"{len([1 for _ in range(counts['exit_turns'])])} turns; piped chat differing from Session in "
          f"{counts['piped_differs']} conversations")
    return 0


if __name__ == "__main__":
    sys.exit(main())

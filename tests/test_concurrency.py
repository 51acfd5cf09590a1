"""One Answerer serves many threads; every Session is its own conversation.

The shared answerer is built fresh from the corpus so that its lazily built parts (the spelling
corrector's candidate table, the stemmer's memo) are first used by many threads at once.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable, Sequence
from typing import Any

import pytest

from faqbot import Answerer

THREADS = 8
TOTAL = 10_000

CONVERSATIONS = [
    ["What is an LLM?", "give me some examples", "which one supports 29 languages?", "tell me more"],
    ["What tools make videos?", "and music?", "who makes it?", "thanks!"],
    ["code", "2", "tell me more", "what about images?"],
    ["What is Midjourney?", "what architecture does it use?", "what is it used for?"],
    ["hi", "Is ChatGPT an LLM?", "and Claude?", "bye"],
    ["tools", "the first one", "more", "/reset is not a command here"],
    ["what is it used for?", "What is Qwen2.5?", "how many languages does it support?"],
    ["weather in paris", "asdf", "what is generative ai", "examples of it"],
]


def _run_threads(work: Callable[[int], Any], n: int = THREADS) -> list[Any]:
    """Run work(0..n-1) in n threads started together; returns results (or the exceptions raised)."""
    barrier = threading.Barrier(n)
    results: list[Any] = [None] * n

    def run(k: int) -> None:
        barrier.wait()
        try:
            results[k] = work(k)
        except BaseException as exc:   # noqa: BLE001 - every failure is reported by the test
            results[k] = exc

    threads = [threading.Thread(target=run, args=(k,)) for k in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not any(t.is_alive() for t in threads), "a thread hung"
    errors = [r for r in results if isinstance(r, BaseException)]
    assert errors == [], errors[:3]
    return results


def _question_pool(bot: Answerer) -> list[str]:
    """Curated phrasings, typos of them, small talk, junk and nasty inputs."""
    rng = random.Random(11)
    phrasings = [p for e in bot.corpus.entries for p in e.phrasings]

    def typo(q: str) -> str:
        i = rng.randrange(len(q))
        return q[:i] + q[i + 1:]

    pool = rng.sample(phrasings, 250) + [typo(q) for q in rng.sample(phrasings, 150)]
    pool += ["hi", "thanks", "bye", "help", "", "   ", "\x00", "\x1b[2J", "🍕", "什么是大语言模型", "code", "tools",
             "weather in paris", "asdf", "chatgtp llm", "diffrence btwn llm and genai", "x" * 5000]
    return pool


@pytest.mark.slow
def test_one_answerer_shared_by_8_threads_gives_the_sequential_results(bot: Answerer) -> None:
    shared = Answerer.from_corpus(bot.corpus)   # cold: lazily built parts are first touched by the threads
    pool = _question_pool(bot)
    rng = random.Random(5)
    work = [rng.choice(pool) for _ in range(TOTAL)]

    def ask_slice(k: int) -> list[dict[str, Any]]:
        return [shared.ask(q).to_dict() for q in work[k::THREADS]]

    results = _run_threads(ask_slice)
    expected = {q: bot.ask(q).to_dict() for q in set(work)}   # sequential, on another answerer
    mismatches = [(q, got["kind"], expected[q]["kind"]) for k in range(THREADS)
                  for q, got in zip(work[k::THREADS], results[k], strict=True) if got != expected[q]]
    assert sum(len(r) for r in results) == TOTAL
    assert mismatches == []


def test_cold_answerer_corrects_typos_the_same_in_every_thread(bot: Answerer) -> None:
    typos = ["chatgtp", "larg langauge modle", "genrative ai", "diffrence btwn llm and genai", "midjurney",
             "transfomers", "qwen languges", "stabel difusion"]
    shared = Answerer.from_corpus()   # cold: read from the session's cache, nothing decoded or memoised yet
    results = _run_threads(lambda k: [shared.ask(q).to_dict() for q in typos])
    assert all(r == results[0] for r in results)
    assert results[0] == [bot.ask(q).to_dict() for q in typos]


def _conversation(bot: Answerer, script: Sequence[str]) -> list[dict[str, Any]]:
    session = bot.session()
    return [session.ask(q).to_dict() for q in script]


def test_sessions_in_threads_are_independent_of_each_other(bot: Answerer) -> None:
    expected = [_conversation(bot, script) for script in CONVERSATIONS]
    rounds = 15

    def talk(k: int) -> list[list[dict[str, Any]]]:
        return [_conversation(bot, CONVERSATIONS[k]) for _ in range(rounds)]

    results = _run_threads(talk, len(CONVERSATIONS))
    for k, conversations in enumerate(results):
        assert conversations == [expected[k]] * rounds, CONVERSATIONS[k]


def test_interleaved_sessions_in_one_thread_do_not_leak_into_each_other(bot: Answerer) -> None:
    expected = [_conversation(bot, script) for script in CONVERSATIONS]
    sessions = [bot.session() for _ in CONVERSATIONS]
    got: list[list[dict[str, Any]]] = [[] for _ in CONVERSATIONS]
    for turn in range(max(map(len, CONVERSATIONS))):
        for k, script in enumerate(CONVERSATIONS):
            if turn < len(script):
                got[k].append(sessions[k].ask(script[turn]).to_dict())
    assert got == expected


def test_a_session_shared_by_threads_never_raises(bot: Answerer) -> None:
    """Sessions are not meant to be shared, but sharing one by mistake must not crash."""
    session = bot.session()
    script = [q for conversation in CONVERSATIONS for q in conversation]
    results = _run_threads(lambda k: [session.ask(q).kind for q in script[k:] + script[:k]], 4)
    assert all(kind in ("answer", "clarify", "smalltalk", "abstain") for r in results for kind in r)


@pytest.mark.parametrize("threads", [2, 8])
def test_search_is_the_same_from_many_threads(bot: Answerer, threads: int) -> None:
    queries = ["qwen languages", "chatgpt", "video tools", "code", "diffusion models"]
    expected = [bot.search(q) for q in queries]
    results = _run_threads(lambda k: [bot.search(q) for q in queries], threads)
    assert all(r == expected for r in results)

"""Bad questions never break the answerer, and answers are always valid, grounded and deterministic.

Library level (Answerer.ask, Session.ask); the CLI's handling of the same inputs is in test_cli_input.py.
"""

from __future__ import annotations

import json
import random
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from faqbot import Answer, Answerer, Session
from faqbot.engine.compose import EMPTY_QUESTION
from tests.conftest import seed_cache
from tests.reliability_checks import (
    CONTROLS,
    ESCAPES,
    INJECTIONS,
    SCRIPTS,
    TRUNCATION_NOTICE,
    Checker,
    corpus_vocabulary,
    megabyte_of_words,
    run_cli,
)

# Hypothesis: ~200 examples, no per-example deadline, reproducible runs (benchmarks/fuzz.py explores at random),
# no example database written into the work tree. The autouse home isolation is function-scoped: harmless here.
PROPERTY = settings(max_examples=200, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

NORMAL_QUESTION_SECONDS = 0.3   # a question of normal length takes a few milliseconds; this is the slack


@pytest.fixture(scope="module")
def checker(bot: Answerer) -> Checker:
    return Checker(bot)


def _assert_valid(checker: Checker, answer: Answer, question: str) -> None:
    assert checker.problems(answer, question, article_only_citations=True) == []


def _same(a: Answer, b: Answer) -> bool:
    return (a.kind, a.text, a.matched, a.citations, a.suggestions) == (b.kind, b.text, b.matched, b.citations,
                                                                       b.suggestions)


# ----------------------------------------------------------------------------- bad questions


@pytest.mark.parametrize("question", ["", " ", "\t\n  \r\n", "\u3000\u00a0", "\u200b\u200f\ufeff", "\x00", "\x00" * 50,
                                      "\x1b[2J", "\x1b]52;c;SGVsbG8=\x07", "?!...", "🍕"],
                         ids=["empty", "space", "whitespace", "unicode-spaces", "invisible", "nul", "nuls",
                              "clear-screen", "osc52", "punctuation", "emoji"])
def test_empty_or_invisible_question_asks_for_a_question(bot: Answerer, checker: Checker, question: str) -> None:
    answer = bot.ask(question)
    assert answer.kind == "abstain" and answer.text == EMPTY_QUESTION
    assert answer.suggestions and not answer.citations
    _assert_valid(checker, answer, question)


@pytest.mark.parametrize("control", CONTROLS, ids=[f"U+{ord(c[0]):04X}" for c in CONTROLS])
def test_control_characters_around_words_do_not_change_the_answer(bot: Answerer, checker: Checker,
                                                                  control: str) -> None:
    clean = bot.ask("What is a large language model?")
    question = f"{control}What {control} is a large{control} language model?{control}"
    answer = bot.ask(question)
    assert _same(answer, clean), (answer.kind, answer.text[:80])
    _assert_valid(checker, answer, question)


@pytest.mark.parametrize("escape", ESCAPES, ids=["clear", "osc52", "title", "colour", "dsr", "csi8", "dcs"])
def test_escape_sequences_are_ignored_and_never_appear_in_the_answer(bot: Answerer, checker: Checker,
                                                                      escape: str) -> None:
    clean = bot.ask("Is ChatGPT an LLM?")
    question = f"{escape}Is ChatGPT {escape} an LLM?{escape}"
    answer = bot.ask(question)
    assert _same(answer, clean)
    shown = [answer.text, *answer.suggestions, *(c.quote for c in answer.citations), answer.notice]
    assert not any("\x1b" in s or "\x9b" in s or "\x07" in s for s in shown)
    _assert_valid(checker, answer, question)


@pytest.mark.parametrize("question", SCRIPTS, ids=["pizza", "robot", "chinese", "arabic", "hebrew", "russian",
                                                   "japanese", "rtl-marks", "ligature"])
def test_other_scripts_and_emoji_abstain_cleanly(bot: Answerer, checker: Checker, question: str) -> None:
    answer = bot.ask(question)
    assert answer.kind == "abstain" and not answer.citations
    _assert_valid(checker, answer, question)


def test_right_to_left_marks_around_an_english_question_do_not_change_the_answer(bot: Answerer) -> None:
    assert _same(bot.ask("\u200f\u202bIs ChatGPT an LLM?\u202c\u200f"), bot.ask("Is ChatGPT an LLM?"))


@pytest.mark.parametrize("question", INJECTIONS, ids=["sql", "sql-or", "script", "img", "template", "jndi", "printf",
                                                      "path", "prompt-injection", "fake-system"])
def test_injection_lookalikes_are_abstained_and_never_echoed(bot: Answerer, checker: Checker, question: str) -> None:
    answer = bot.ask(question)
    assert answer.kind == "abstain"
    assert question not in answer.text and all(question not in s for s in answer.suggestions)
    _assert_valid(checker, answer, question)


@pytest.mark.parametrize("injection", INJECTIONS[:3] + INJECTIONS[8:9], ids=["sql", "sql-or", "script", "prompt"])
def test_injection_lookalikes_next_to_a_real_question_give_only_grounded_text(bot: Answerer, checker: Checker,
                                                                              injection: str) -> None:
    question = f"Is ChatGPT an LLM? {injection}"
    answer = bot.ask(question)
    assert injection not in answer.text
    _assert_valid(checker, answer, question)


@pytest.mark.parametrize("question", ["\ud800", "what is an llm \udcff\udcfe", "\udfff" * 100],
                         ids=["lone-high", "escaped-bytes", "many-low"])
def test_lone_surrogates_do_not_break_the_answerer(bot: Answerer, checker: Checker, question: str) -> None:
    _assert_valid(checker, bot.ask(question), question)


# ----------------------------------------------------------------------------- huge questions


def test_a_1mb_question_is_truncated_with_a_notice_and_still_answered(bot: Answerer, checker: Checker) -> None:
    question = "What is an LLM? " * 62_500   # 1,000,000 characters; the cut falls between two repetitions
    start = time.perf_counter()
    answer = bot.ask(question)
    elapsed = time.perf_counter() - start
    assert TRUNCATION_NOTICE.search(answer.notice), answer.notice
    assert answer.kind == "answer" and answer.citations[0].section == "What Is a Large Language Model (LLM)?"
    assert _same(answer, bot.ask(question[: bot.config.max_question_chars]))   # what was documented: the start
    assert elapsed < NORMAL_QUESTION_SECONDS, f"{elapsed:.2f} s"
    _assert_valid(checker, answer, question)


def test_a_question_at_the_limit_has_no_notice_and_one_past_it_has_one(bot: Answerer) -> None:
    limit = bot.config.max_question_chars
    assert bot.ask("x" * limit).notice == ""
    assert TRUNCATION_NOTICE.search(bot.ask("x" * (limit + 1)).notice)


def _session_in(bot: Answerer, state: str) -> Session:
    session = bot.session()
    if state == "after-an-answer":
        assert session.ask("What is Midjourney?").kind == "answer"
    elif state == "after-a-clarification":
        assert session.ask("code").kind == "clarify"
    return session


def _fastest(bot: Answerer, state: str, question: str, runs: int) -> float:
    """The best of *runs* timings of Session.ask(question) in a session in *state* (least disturbed by load)."""
    best = float("inf")
    for _ in range(runs):
        session = _session_in(bot, state)
        start = time.perf_counter()
        answer = session.ask(question)
        best = min(best, time.perf_counter() - start)
        if len(question) > bot.config.max_question_chars:
            assert TRUNCATION_NOTICE.search(answer.notice)
    return best


@pytest.mark.parametrize("state", ["fresh", "after-an-answer", "after-a-clarification"])
def test_a_1mb_question_in_a_session_is_answered_in_normal_time(bot: Answerer, state: str) -> None:
    """Once truncated, a megabyte costs what its first max_question_chars characters cost (plus slack);
    any work on the untruncated text grows with its length."""
    question = megabyte_of_words()
    normal = _fastest(bot, state, question[: bot.config.max_question_chars], 3)
    elapsed = _fastest(bot, state, question, 2)
    assert elapsed < 0.1 + 3 * normal, f"{elapsed:.3f} s for 1 MB, {normal:.3f} s when truncated"


@pytest.mark.parametrize("state", ["fresh", "after-an-answer", "after-a-clarification"])
def test_a_1mb_question_in_a_session_carries_the_truncation_notice(bot: Answerer, checker: Checker,
                                                                   state: str) -> None:
    question = ("Which tools generate code? " * 40_000)[:1_000_000]
    answer = _session_in(bot, state).ask(question)
    assert TRUNCATION_NOTICE.search(answer.notice), f"{answer.kind} {answer.text[:60]!r} has no notice"
    _assert_valid(checker, answer, question)


# ----------------------------------------------------------------------------- properties


@pytest.fixture(scope="module")
def vocabulary(bot: Answerer) -> list[str]:
    return corpus_vocabulary(bot)


_NOISE = [*ESCAPES, *CONTROLS, *SCRIPTS, *INJECTIONS, "?", "!!!", "it", "they", "1", "2", "more", "tell me more",
          "hi", "thanks", "what", "is", "the", "how", "does", "which", "why", "\n", "\t"]


def _questions(bot: Answerer, vocabulary: list[str]) -> st.SearchStrategy[str]:
    words = st.sampled_from(vocabulary + _NOISE)

    def typo(args: tuple[str, int, str]) -> str:
        q, at, insert = args
        at %= max(1, len(q))
        return q[:at] + insert + q[at + 1:]

    return st.one_of(
        st.text(max_size=300),
        st.text(alphabet=st.characters(codec="utf-8"), max_size=100),
        st.lists(words, max_size=30).map(" ".join),
        st.tuples(st.sampled_from(bot.questions), st.integers(0, 200), st.sampled_from(["", "x", " ", *_NOISE[:12]]))
        .map(typo),
    )


def test_ask_never_raises_and_always_returns_a_valid_answer(bot: Answerer, checker: Checker,
                                                            vocabulary: list[str]) -> None:
    @PROPERTY
    @given(_questions(bot, vocabulary))
    def check(question: str) -> None:
        _assert_valid(checker, bot.ask(question), question)

    check()


def test_a_session_never_raises_and_every_turn_is_valid(bot: Answerer, checker: Checker,
                                                        vocabulary: list[str]) -> None:
    turns = st.one_of(_questions(bot, vocabulary), st.sampled_from(
        ["1", "2", "3", "the first one", "last", "tell me more", "more", "what about it?", "and music?",
         "who makes it?", "code", "tools", "What is Qwen2.5?", "/reset"]))

    @PROPERTY
    @given(st.lists(turns, min_size=1, max_size=8))
    def check(questions: list[str]) -> None:
        session = bot.session()
        for question in questions:
            _assert_valid(checker, session.ask(question), question)

    check()


def test_every_answer_to_every_curated_phrasing_is_grounded(bot: Answerer, checker: Checker) -> None:
    phrasings = [p for e in bot.corpus.entries for p in e.phrasings]
    answers = [(q, bot.ask(q)) for q in phrasings]
    assert sum(a.kind == "answer" for _, a in answers) > 0.8 * len(phrasings)   # grounding really is exercised
    bad = [(q, checker.problems(a, q, article_only_citations=True)) for q, a in answers]
    assert [b for b in bad if b[1]] == []


def test_extractive_and_elaborated_answers_are_grounded(bot: Answerer, checker: Checker) -> None:
    questions = ["what does the app's discover feed do", "what does o3 employ",
                 "who uses a hybrid model for lifelike voice", "which tools accelerate workflows in AR/VR"]
    extractive = [a for a in map(bot.ask, questions) if a.kind == "answer" and a.matched is None]
    assert extractive
    for answer in extractive:
        _assert_valid(checker, answer, answer.question)
    session = bot.session()
    session.ask("What is Qwen2.5?")
    more = session.ask("tell me more")
    assert more.kind == "answer"
    _assert_valid(checker, more, "tell me more")


def test_grounding_check_rejects_text_that_is_not_in_the_corpus(checker: Checker, bot: Answerer) -> None:
    sentence = bot.corpus.passages[0].sentences[0]
    assert checker.grounded(sentence) and checker.grounded(f"{sentence} {sentence}")
    assert not checker.grounded(sentence + " Also, the moon is cheese.")
    assert not checker.grounded(sentence.replace("a", "o", 1))


# ----------------------------------------------------------------------------- determinism


def test_the_same_question_gets_the_same_answer_in_any_order(bot: Answerer, vocabulary: list[str]) -> None:
    @PROPERTY
    @given(st.lists(_questions(bot, vocabulary), min_size=2, max_size=6, unique=True), st.randoms())
    def check(questions: list[str], rng: random.Random) -> None:
        first = {q: bot.ask(q).to_dict() for q in questions}
        shuffled = list(questions)
        rng.shuffle(shuffled)
        assert {q: bot.ask(q).to_dict() for q in shuffled} == first

    check()


@pytest.fixture(scope="module")
def cached_bot(tmp_path_factory: pytest.TempPathFactory, bundled_cache: bytes) -> Answerer:
    """The bundled corpus read back from an index cache (the session's, built and written once)."""
    from faqbot.build import load
    from faqbot.corpus.files import bundled_corpus_dir
    from faqbot.storage.cache import cache_path

    folder = seed_cache(tmp_path_factory.mktemp("determinism-cache"), bundled_cache)
    return Answerer(load(cache_path(bundled_corpus_dir(), folder)))


def test_answers_are_the_same_with_and_without_the_cache(bot: Answerer, cached_bot: Answerer,
                                                         vocabulary: list[str]) -> None:
    phrasings = [p for e in bot.corpus.entries for p in e.phrasings[:3]]
    assert [cached_bot.ask(q).to_dict() for q in phrasings] == [bot.ask(q).to_dict() for q in phrasings]

    @PROPERTY
    @given(_questions(bot, vocabulary))
    def check(question: str) -> None:
        assert cached_bot.ask(question).to_dict() == bot.ask(question).to_dict()

    check()


def test_conversations_are_the_same_with_and_without_the_cache(bot: Answerer, cached_bot: Answerer) -> None:
    script = ["What is an LLM?", "give me some examples", "which one supports 29 languages?", "code", "2",
              "tell me more", "What tools make videos?", "and music?", "who makes it?"]
    one, two = bot.session(), cached_bot.session()
    assert [two.ask(q).to_dict() for q in script] == [one.ask(q).to_dict() for q in script]


@pytest.mark.slow
def test_answers_are_the_same_in_other_processes_with_other_hash_seeds(bot: Answerer, tmp_path: Path) -> None:
    questions = [e.phrasings[-1] for e in bot.corpus.entries] + ["chatgtp llm", "diffrence llm genai", "hi", "code",
                                                                "2", "tell me more", "weather", "and music?"]
    expected = [json.loads(json.dumps(a.to_dict())) for a in map(bot.session().ask, questions)]
    stdin = "\n".join(questions).encode() + b"\n"
    for seed in ("1", "2"):   # the first process builds and writes the cache, the second reads it
        result = run_cli(["chat", "--json"], input=stdin,
                         env={"PYTHONHASHSEED": seed, "FAQBOT_CACHE_DIR": str(tmp_path / "c")})
        assert result.returncode == 0, result.stderr[-2000:]
        got = [json.loads(line) for line in result.stdout.decode().split("\n") if line]
        assert got == expected, f"PYTHONHASHSEED={seed}"

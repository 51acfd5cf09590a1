"""The figures of `faqbot eval`, each computed from made-up outcomes: no corpus, no answerer."""

from __future__ import annotations

from faqbot.evaluate import Item, Outcome, Report, abstention, by_kind, by_style, latency_ms, ranking, rate
from faqbot.models import Answer


def outcome(kind: str, expect: str = "answer", *, passed: bool = True, tags: tuple[str, ...] = (),
            conversation: str | None = None, ms: float = 1.0) -> Outcome:
    item = Item("q", tuple(expect.split("|")), tags=tags, conversation=conversation)
    return Outcome(item, Answer("q", kind, "text", 0.5), passed, "" if passed else "wrong", ms / 1000)  # type: ignore[arg-type]


def test_rate_counts_what_passed() -> None:
    assert rate([outcome("answer"), outcome("answer", passed=False)]) == {"passed": 1, "total": 2, "rate": 0.5}
    assert rate([]) == {"passed": 0, "total": 0, "rate": 0.0}


def test_by_kind_groups_single_questions_by_what_they_expect_and_turns_apart() -> None:
    figures = by_kind([outcome("answer"), outcome("abstain", "abstain"), outcome("clarify", "answer|clarify"),
                       outcome("answer", conversation="c", passed=False)])
    assert figures["answer"]["total"] == 1 and figures["abstain"]["total"] == 1
    assert figures["either"] == {"passed": 1, "total": 1, "rate": 1.0}
    assert figures["conversation turns"] == {"passed": 0, "total": 1, "rate": 0.0}
    assert "clarify" not in figures and "smalltalk" not in figures   # kinds no question expects


def test_by_style_uses_the_first_tag() -> None:
    figures = by_style([outcome("answer", tags=("typo", "short")), outcome("answer", tags=("typo",), passed=False),
                        outcome("answer")])
    assert figures == {"typo": {"passed": 1, "total": 2, "rate": 0.5}, "untagged": {"passed": 1, "total": 1, "rate": 1.0}}


def test_ranking_gives_top1_and_mean_reciprocal_rank() -> None:
    assert ranking([1, 2, None, 4]) == {"items": 4, "top1": 0.25, "mrr": round((1 + 0.5 + 0.25) / 4, 4)}
    assert ranking([]) == {"items": 0, "top1": None, "mrr": None}


def test_abstention_counts_answers_to_questions_that_should_be_declined() -> None:
    figures = abstention([outcome("abstain", "abstain"), outcome("answer", "abstain", passed=False),
                          outcome("abstain", "answer", passed=False), outcome("answer")])
    assert figures == {"precision": 0.5, "recall": 0.5, "wrong_answers_on_abstain_items": 1, "wrong_answer_rate": 0.5}
    assert abstention([outcome("answer")])["recall"] is None


def test_latency_is_in_milliseconds() -> None:
    figures = latency_ms([outcome("answer", ms=ms) for ms in (1.0, 2.0, 3.0, 10.0)])
    assert figures["p50"] == 2.5 and figures["max"] == 10.0
    assert latency_ms([]) == {"p50": 0.0, "p95": 0.0, "max": 0.0}


def test_the_summary_is_made_of_those_figures() -> None:
    outcomes = (outcome("answer"), outcome("abstain", "abstain", passed=False))
    summary = Report(outcomes, ranks=(1,)).summary()
    assert summary["overall"] == rate(outcomes) and summary["ranking"] == ranking([1])
    assert summary["abstention"] == abstention(outcomes) and Report(outcomes).pass_rate == 0.5

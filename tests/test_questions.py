"""The development question set: the same function `faqbot eval` runs, with the issue's floors."""

from __future__ import annotations

import pytest

from faqbot import Answerer
from faqbot.evaluate import Report, evaluate, load_question_set
from tests.conftest import DATA

IN_SCOPE_TODAY = 176      # of 194 in-scope questions answered from the right section
OUT_OF_SCOPE_TODAY = 47   # of 50 out-of-scope questions declined
MARGIN = 2                # about 1 % of the in-scope questions, 4 % of the out-of-scope ones


@pytest.fixture(scope="module")
def report(bot: Answerer) -> Report:
    return evaluate(bot, load_question_set(DATA / "questions.yaml"))


def test_the_set_is_big_and_varied_enough() -> None:
    questions = load_question_set(DATA / "questions.yaml")
    styles = {item.style for item in questions.questions}
    assert len(questions.questions) >= 100 and len(questions.conversations) >= 10
    assert {"paraphrase", "typo", "keywords", "near-miss", "out-of-scope", "junk", "smalltalk"} <= styles


def test_dev_question_set_meets_its_floors(report: Report, capsys: pytest.CaptureFixture[str]) -> None:
    summary = report.summary()
    in_scope, out_scope = summary["in_scope_right_section"], summary["out_of_scope_abstained"]
    with capsys.disabled():
        print(f"\n[question set] overall {summary['overall']['rate']:.1%} "
              f"| in scope from the right section {in_scope['rate']:.1%} ({in_scope['passed']}/{in_scope['total']}) "
              f"| out of scope abstained {out_scope['rate']:.1%} ({out_scope['passed']}/{out_scope['total']}) "
              f"| conversation turns {summary['by_kind']['conversation turns']['rate']:.1%} "
              f"| p50 {summary['latency_ms']['p50']:.2f} ms")
        for failure in report.failures():
            print(f"  miss: {failure['q']!r} — {failure['problem']}")
    # Floors are today's counts less a stated margin, so one question that moves with an unrelated fix does
    # not fail the suite, while a real regression (more than the margin) does. Raise them when a change
    # answers more; never lower them to let a change pass.
    assert in_scope["passed"] >= IN_SCOPE_TODAY - MARGIN, f"in scope {in_scope['passed']}/{in_scope['total']}"
    assert out_scope["passed"] >= OUT_OF_SCOPE_TODAY - MARGIN, f"out of scope {out_scope['passed']}/{out_scope['total']}"


def test_every_answer_is_well_formed(report: Report) -> None:
    for outcome in report.outcomes:
        answer = outcome.answer
        assert 0.0 <= answer.confidence <= 1.0
        if answer.kind == "answer":
            assert answer.citations, outcome.item.q
        if answer.kind in ("smalltalk", "abstain"):
            assert not answer.citations

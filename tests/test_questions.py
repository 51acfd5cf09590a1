"""The development question set: the same function `faqbot eval` runs, with the issue's floors."""

from __future__ import annotations

import pytest

from faqbot import Answerer
from faqbot.evaluate import Report, evaluate, load_question_set
from tests.conftest import DATA


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
    assert in_scope["rate"] >= 0.90
    assert out_scope["rate"] >= 0.92   # 0.96 with the hand-set thresholds; 0.94 fitted (see the closing note of issue 9)


def test_every_answer_is_well_formed(report: Report) -> None:
    for outcome in report.outcomes:
        answer = outcome.answer
        assert 0.0 <= answer.confidence <= 1.0
        if answer.kind == "answer":
            assert answer.citations, outcome.item.q
        if answer.kind in ("smalltalk", "abstain"):
            assert not answer.citations

"""The decision's rules, one by one, on made-up findings: no corpus, no index.

Candidates without features keep the confidence they are given (``judged`` leaves them as they are),
so each test states the confidences it is about."""

from __future__ import annotations

import numpy as np
import pytest

from faqbot.config import Config
from faqbot.engine.decision import (
    DEFAULT,
    RULES,
    Case,
    article_sentences,
    asked_word_for_word,
    bare_keywords,
    case_of,
    confident,
    decide,
    missing_fact,
    nearest_in_meaning,
    no_content_words,
    thanks,
    too_close,
    who_makes,
)
from faqbot.engine.findings import Extract, Findings
from faqbot.language.analysis import Analysis
from faqbot.language.focus import focus_of
from faqbot.models import Answer, Candidate

CONFIG = Config()
DECISION = DEFAULT   # answers at 0.70, offers at 0.20


def entry(entry_id: str, confidence: float, question: str = "") -> Candidate:
    return Candidate(entry_id, question or f"what is {entry_id}?", 0.0, 0.0, 0.0, 0.0, 0.0, confidence, 1.0,
                     confidence)


def found(text: str, *candidates: Candidate, **more: object) -> Findings:
    words = text.split()
    content = tuple(w for w in words if w not in {"how", "much", "does", "who", "makes", "what", "is", "it", "thanks"})
    query = Analysis(text, tuple(words), content, content, (), (), ())
    fields = {"extract": None, "focus": focus_of(text), **more}
    return Findings(text, query, candidates, (), np.zeros(0), **fields)  # type: ignore[arg-type]


def case(text: str, *candidates: Candidate, facts: int = 0, maker: str | None = None, **more: object) -> Case:
    states_maker = None if maker is None else (lambda entry_id: entry_id == maker)
    return case_of(found(text, *candidates, **more), DECISION, CONFIG, lambda entry_id: facts, states_maker)


def test_a_likely_entry_with_no_close_rival_is_answered() -> None:
    verdict = confident(case("foo bar", entry("a", 0.9), entry("b", 0.3)))
    assert verdict is not None and verdict.action == "answer" and [c.id for c in verdict.chosen] == ["a"]
    assert "0.90 ≥ 0.70" in verdict.reason


def test_a_close_rival_turns_an_answer_into_did_you_mean() -> None:
    c = case("foo bar", entry("a", 0.80), entry("b", 0.75))
    assert confident(c) is None
    verdict = too_close(c)
    assert verdict is not None and verdict.action == "clarify" and [e.id for e in verdict.chosen] == ["a", "b"]


def test_a_rival_with_the_same_question_is_no_alternative() -> None:
    same = "what is foo?"
    c = case("foo bar", entry("a", 0.80, same), entry("b", 0.79, same))
    assert too_close(c) is None and confident(c) is not None


def test_a_follow_up_is_answered_at_a_lower_bar() -> None:
    alone = case("foo bar", entry("a", 0.5))
    follow_up = case("foo bar", entry("a", 0.5), context="what is foo?")
    assert confident(alone) is None
    assert confident(follow_up) is not None and follow_up.answer_at == pytest.approx(0.45)


def test_a_question_for_a_fact_the_answer_lacks_is_declined_naming_it() -> None:
    verdict = missing_fact(case("how much does foo cost", entry("a", 0.95)))
    assert verdict is not None and verdict.action == "decline" and verdict.missing == "money"
    assert missing_fact(case("how much does foo cost", entry("a", 0.95), facts=0xFF)) is None


def test_who_makes_it_is_answered_only_by_an_entry_that_says_who() -> None:
    verdict = who_makes(case("who makes foo", entry("a", 0.9), entry("b", 0.4), maker="b"))
    assert verdict is not None and verdict.action == "answer" and verdict.chosen[0].id == "b"
    nobody = who_makes(case("who makes foo", entry("a", 0.9), maker="nobody"))
    assert nobody is not None and nobody.action == "decline" and nobody.missing == "person"
    assert who_makes(case("what is foo", entry("a", 0.9), maker="a")) is None


def test_bare_keywords_offer_every_entry_half_as_likely() -> None:
    c = case("foo", entry("a", 0.5), entry("b", 0.3), entry("c", 0.2))
    verdict = bare_keywords(c)
    assert verdict is not None and verdict.action == "clarify" and [e.id for e in verdict.chosen] == ["a", "b"]
    assert bare_keywords(case("foo bar baz", entry("a", 0.5), entry("b", 0.3))) is None   # a question, not keywords


def test_thanks_with_at_most_one_content_word_is_small_talk() -> None:
    hello = Answer("thanks", "smalltalk", "You're welcome!", 1.0)
    verdict = thanks(case("thanks foo", entry("a", 0.1), greeting=hello))
    assert verdict is not None and verdict.action == "greeting"
    assert thanks(case("thanks foo bar", entry("a", 0.1), greeting=hello)) is None


def test_article_sentences_answer_only_when_they_cover_the_question() -> None:
    covered = Extract(((0, 0),), 1.0, 1.0)
    verdict = article_sentences(case("foo bar", extract=covered))
    assert verdict is not None and verdict.action == "extract"
    assert article_sentences(case("foo bar", extract=Extract(((0, 0),), 1.0, 0.5))) is None


def test_a_question_of_function_words_is_vague_unless_a_phrasing_matches_it() -> None:
    verdict = no_content_words(case("what is it", vague=True))
    assert verdict is not None and verdict.action == "vague"
    verbatim = no_content_words(case("what is it", entry("a", 0.95), vague=True))
    assert verbatim is not None and verbatim.action == "answer"
    assert no_content_words(case("foo bar", entry("a", 0.95))) is None


def test_the_first_rule_that_gives_a_verdict_decides() -> None:
    # A stated chain comes before a confident answer; nothing at all is "empty" before anything else.
    chained = decide(found("is foo a bar", entry("a", 0.95), chain=(("a", "foo bar"),)), DECISION, CONFIG,
                     lambda e: 0)
    assert chained.action == "chain"
    assert decide(found("", empty=True), DECISION, CONFIG, lambda e: 0).action == "empty"
    assert len(RULES) == len(set(RULES))


def test_when_no_rule_applies_the_decline_says_which_check_held_it_back() -> None:
    verdict = decide(found("foo bar", entry("a", 0.4)), DECISION, CONFIG, lambda e: 0)
    assert verdict.action == "decline" and "0.40 is under the fitted answer threshold 0.70" in verdict.reason
    assert "shares a word" in decide(found("foo bar"), DECISION, CONFIG, lambda e: 0).reason


def test_meaning_answers_only_an_entry_among_the_best_lexical_candidates_clearly_nearest() -> None:
    declined = decide(found("foo bar", *(entry(f"e{i}", 0.3 - i / 100) for i in range(7))), DECISION, CONFIG,
                      lambda e: 0)
    by_meaning = nearest_in_meaning(declined, "e2", 0.8, 0.6, CONFIG)
    assert by_meaning is not None and by_meaning.action == "answer" and by_meaning.chosen[0].id == "e2"
    assert by_meaning.chosen[0].confidence == 0.8 and by_meaning.reason.startswith("nearest in meaning")
    for args, why in ((("e6", 0.8, 0.6), "not among the 5 best lexical candidates"),
                      (("e2", 0.5, 0.1), "under semantic_answer_at 0.60"),
                      (("e2", 0.8, 0.78), "only 0.02 ahead of another question's entry")):
        kept = nearest_in_meaning(declined, *args, CONFIG)
        assert kept.action == declined.action and kept.reason.endswith(f"not answered ({why})")
    assert nearest_in_meaning(declined, "e2", 0.8, 0.6, CONFIG, only_names=True).action == declined.action


def test_meaning_never_overrides_the_vetoes() -> None:
    features = dict.fromkeys(("focus_missing", "rare_unknown"), 0.0) | {"name_coverage": 1.0}

    def vetoed(**change: float) -> Candidate:
        from faqbot.signals import FEATURE_NAMES

        values = {name: 0.5 for name in FEATURE_NAMES} | features | change
        return entry("a", 0.3)._replace(features=tuple(values[name] for name in FEATURE_NAMES))

    for change in ({"focus_missing": 1.0}, {"rare_unknown": 0.5}, {"name_coverage": 0.5}):
        verdict = decide(found("foo bar", vetoed(**change)), DECISION, CONFIG, lambda e: 0)
        kept = nearest_in_meaning(verdict._replace(candidates=(vetoed(**change),)), "a", 0.9, 0.1, CONFIG)
        assert kept.action == "decline" and "not answered (the question" in kept.reason
    clean = vetoed()
    assert nearest_in_meaning(decide(found("foo bar", clean), DECISION, CONFIG, lambda e: 0)._replace(
        candidates=(clean,)), "a", 0.9, 0.1, CONFIG).action == "answer"


def test_a_question_asked_as_an_entrys_phrasing_word_for_word_is_that_entrys() -> None:
    # "b" scores higher (its answer shares the question's words), but the question is one of a's phrasings.
    verdict = asked_word_for_word(case("can i call cargo from a makefile", entry("b", 0.64), entry("a", 0.3),
                                       asked_as="a"))
    assert verdict is not None and verdict.action == "answer" and [c.id for c in verdict.chosen] == ["a"]
    assert asked_word_for_word(case("can i call cargo from a makefile", entry("b", 0.64))) is None


def test_a_phrasing_asked_word_for_word_still_meets_the_fact_veto() -> None:
    verdict = decide(found("how much does it cost", entry("a", 0.9), asked_as="a"), DECISION, CONFIG,
                     lambda entry_id: 0)
    assert verdict.action == "decline" and verdict.missing == "money"

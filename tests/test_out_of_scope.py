"""out_of_scope.yaml: questions the author wants declined. Declined exactly, offering nothing; used
by the fit as negatives; part of the cache signature; checked; proposed and written by review."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from faqbot import Answerer
from faqbot.authoring.check import check_corpus
from faqbot.authoring.review import apply_review
from faqbot.corpus.load import load_corpus
from faqbot.errors import CorpusError
from tests.conftest import SMALL_ARTICLE, SMALL_FAQ, MakeCorpus

DECLINED = "- How long do cats sleep when they are kittens?\n- Do dogs walk in the rain?\n"


@pytest.fixture
def corpus(make_corpus: MakeCorpus) -> Path:
    return make_corpus({"article.md": SMALL_ARTICLE, "faq.yaml": SMALL_FAQ, "out_of_scope.yaml": DECLINED})


def test_a_listed_question_is_declined_exactly_and_offers_nothing(corpus: Path) -> None:
    bot = Answerer.from_corpus(corpus, cache=False)
    for question in ("How long do cats sleep when they are kittens?", "do dogs WALK in the rain"):
        answer = bot.ask(question)
        assert answer.kind == "abstain" and answer.options == ()
        assert answer.trace is not None and "out_of_scope.yaml" in answer.trace.reason
    session = bot.session()
    session.ask("How long do cats sleep when they are kittens?")
    assert session.ask("yes").kind != "answer"           # nothing was offered to say yes to
    assert bot.ask("How long do cats sleep?").kind == "answer"   # the entry itself still answers


def test_the_fit_counts_the_authors_questions_as_negatives(make_corpus: MakeCorpus) -> None:
    many = "".join(f"- {q}\n" for q in ("How long do cats sleep when they are kittens?",
                                         "Do dogs walk in the rain?", "How long do cats live?"))
    faq = "\n".join(f"- id: e{i}\n  question: What is pet fact number {i}?\n  answer: Pets are animals kept for "
                    f"company, fact {i}.\n  paraphrases: [pet fact {i}, tell me pet fact {i}]" for i in range(40))
    root = make_corpus({"article.md": SMALL_ARTICLE, "faq.yaml": faq, "out_of_scope.yaml": many})
    note = Answerer.from_corpus(root, cache=False).decision.note
    assert "3 author's out of scope" in note


def test_the_file_is_part_of_the_cache_signature(corpus: Path, tmp_path: Path) -> None:
    assert Answerer.from_corpus(corpus, cache_dir=tmp_path / "c").ask("Do dogs walk in the rain?").kind == "abstain"
    (corpus / "out_of_scope.yaml").write_text("- How long do cats sleep when they are kittens?\n")
    assert Answerer.from_corpus(corpus, cache_dir=tmp_path / "c").corpus.out_of_scope == (
        "How long do cats sleep when they are kittens?",)


def test_a_bad_file_names_its_line(make_corpus: MakeCorpus) -> None:
    root = make_corpus({"article.md": SMALL_ARTICLE, "out_of_scope.yaml": "- fine\n- [not, a, question]\n"})
    with pytest.raises(CorpusError, match=r"out_of_scope.yaml:2: each item must be a question"):
        load_corpus(root)


def test_check_warns_when_a_listed_question_would_still_be_answered(make_corpus: MakeCorpus) -> None:
    root = make_corpus({"article.md": SMALL_ARTICLE, "faq.yaml": SMALL_FAQ,
                        "out_of_scope.yaml": "- How long do cats sleep?\n"})
    report = check_corpus(str(root))
    warnings = [f for f in report.findings if f.check == "out of scope"]
    assert len(warnings) == 1 and warnings[0].entry == "cat-sleep" and "would be answered by 'cat-sleep'" in \
        warnings[0].message


def test_review_apply_writes_accepted_out_of_scope_groups(corpus: Path, tmp_path: Path) -> None:
    review = tmp_path / "review.yaml"
    review.write_text("- group: 1\n  proposal: out of scope\n  questions:\n    - " + json.dumps("Can cats swim?") +
                      "\n    - " + json.dumps("Do dogs walk in the rain?") + "\n  accept: true\n")
    applied = apply_review(str(corpus), str(review))
    assert applied.out_of_scope == 1 and applied.paraphrases == {} and applied.new_entries == ()
    assert load_corpus(corpus).out_of_scope[-1] == "Can cats swim?"
    assert Answerer.from_corpus(corpus, cache=False).ask("Can cats swim?").kind == "abstain"

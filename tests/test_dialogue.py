"""Issue 20's dialogue, through a Session, the piped chat and the HTTP API: offers taken with "yes",
refused with "no", small talk as people type it, declines that still help, makers, and leaving."""

from __future__ import annotations

import json

import pytest

from faqbot import Answerer
from faqbot.dialogue.replies import read_reply
from tests.conftest import MakeCorpus
from tests.reliability_checks import run_cli_here


def test_yes_takes_the_offer_of_a_decline_for_a_missing_fact(bot: Answerer) -> None:
    session = bot.session()
    declined = session.ask("How much does Midjourney cost?")
    assert declined.kind == "abstain" and [o.id for o in declined.options] == ["midjourney"]
    assert declined.text.startswith("The article doesn't give Midjourney\u2019s price. It does answer")
    assert "What is Midjourney?" not in declined.suggestions   # offered once, not also suggested
    taken = session.ask("yes please")
    assert taken.kind == "answer" and taken.matched is not None and taken.matched.id == "midjourney"
    assert taken.citations and "Midjourney" in taken.text


@pytest.mark.parametrize("reply", ["yes", "yep", "sure", "that one", "correct", "exactly", "Yes!", "ok"])
def test_every_affirmation_answers_the_first_option_of_a_clarification(bot: Answerer, reply: str) -> None:
    session = bot.session()
    offer = session.ask("code")
    assert offer.kind == "clarify" and len(offer.options) == 2
    answer = session.ask(reply)
    assert answer.kind == "answer" and answer.matched is not None and answer.matched.id == offer.options[0].id


def test_yes_and_a_question_answers_the_question_about_the_offered_entry(bot: Answerer) -> None:
    session = bot.session()
    assert session.ask("How much does Midjourney cost?").options
    answer = session.ask("yes, and what architecture does it use?")
    assert answer.kind == "answer" and "diffusion" in answer.text


def test_no_never_answers_the_refused_option_and_offers_the_rest(bot: Answerer) -> None:
    session = bot.session()
    offer = session.ask("code")
    refused = session.ask("nope")
    assert refused.kind == "clarify" and [o.id for o in refused.options] == [o.id for o in offer.options[1:]]
    assert refused.text.startswith("OK, not that one.")
    assert session.ask("yes").matched.id == offer.options[1].id   # type: ignore[union-attr]
    single = bot.session()
    assert single.ask("How much does Midjourney cost?").options
    last = single.ask("not that")
    assert last.kind == "smalltalk" and not last.options and "another way" in last.text


def test_a_bare_yes_or_no_with_nothing_pending_asks_for_a_question(bot: Answerer) -> None:
    for reply in ("yes", "no"):
        answer = bot.session().ask(reply)
        assert answer.kind == "smalltalk" and not answer.citations and "Ask me a question" in answer.text


def test_small_talk_never_repeats_the_answer_and_keeps_the_topic(bot: Answerer) -> None:
    session = bot.session()
    videos = session.ask("What tools make videos?")
    thanks = session.ask("thanks, that helps")
    assert thanks.kind == "smalltalk" and videos.text not in thanks.text
    music = session.ask("and music?")
    assert music.kind == "answer" and "Suno" in music.text


def test_help_says_what_the_document_covers_with_three_examples(make_corpus: MakeCorpus) -> None:
    from tests.conftest import SMALL_ARTICLE, SMALL_FAQ

    bot = Answerer.from_corpus(make_corpus({"article.md": SMALL_ARTICLE, "faq.yaml": SMALL_FAQ}), cache=False)
    answer = bot.ask("what can you help me with?")
    assert answer.kind == "smalltalk" and "It covers: Cats; Dogs." in answer.text
    assert answer.text.count("\n  - ") == 3 and "How long do cats sleep?" in answer.text


def test_a_decline_offers_nothing_for_everyday_words(bot: Answerer) -> None:
    answer = bot.ask("recommend me a good pizza place")
    assert answer.kind == "abstain" and answer.options == () and answer.suggestions
    assert bot.session().ask("yes").kind == "smalltalk"


def test_makers_are_names_next_to_the_thing_asked_about(bot: Answerer) -> None:
    gemini = bot.ask("who makes Gemini?")
    assert gemini.kind == "answer" and "Google" in gemini.text and gemini.citations
    chatgpt = bot.ask("who makes ChatGPT?")   # "It's an LLM" names no maker
    assert chatgpt.kind == "abstain" and "ChatGPT\u2019s maker" in chatgpt.text and chatgpt.options
    phi = bot.ask("who makes phi-2?")   # "Phi-2, and Apple's OpenELM": Apple makes OpenELM
    assert phi.kind == "abstain"


def test_spelling_never_turns_an_everyday_word_into_a_corpus_word(bot: Answerer) -> None:
    assert "plane" in bot.index.analyzer.query("is a plane an llm").tokens
    assert ("langauge", "language") in bot.index.analyzer.query("larg langauge model").corrections   # typos still are


def test_a_leading_no_is_kept_only_for_a_close_paraphrase(bot: Answerer) -> None:
    entry = next(e for e in bot.corpus.entries if e.answer.startswith("No. "))
    assert bot.ask(entry.question).text.startswith("No. ")
    picked = bot.answer_entry(entry.id, "yes")
    assert picked.text.startswith("No. ")   # a picked entry answers its own question
    from faqbot.engine.compose import yes_no_kept

    assert not yes_no_kept(entry, "tell me about image tools and text").startswith("No.")


@pytest.mark.parametrize(("reply", "says", "question"), [
    ("yes", "yes", ""), ("Yes please!", "yes", ""), ("yeah sure", "yes", ""), ("that one", "yes", ""),
    ("exactly.", "yes", ""), ("yes, and how much does it cost?", "yes", "how much does it cost?"),
    ("sure, who makes it?", "yes", "who makes it?"), ("no", "no", ""), ("Nope.", "no", ""),
    ("not that one", "no", ""), ("no, I meant the price", "no", "i meant the price"),
    ("How much does Midjourney cost?", None, ""), ("2", None, ""), ("the second one", None, ""),
    ("exit", None, ""), ("ok thank you!", None, ""), ("nothing", None, "")])
def test_a_reply_to_an_offer_is_read_as_yes_no_or_neither(reply: str, says: str | None, question: str) -> None:
    assert read_reply(reply) == (says, question)


def test_the_piped_chat_takes_yes_and_leaves_on_exit_with_status_0() -> None:
    result = run_cli_here(["chat", "--json"], input=b"How much does Midjourney cost?\nyes\nexit\nwhat is an llm\n")
    assert result.returncode == 0
    lines = [json.loads(line) for line in result.stdout.decode().splitlines()]
    assert [d.get("kind", d.get("command")) for d in lines] == ["abstain", "answer", "quit"]
    assert lines[0]["options"] == [{"id": "midjourney", "question": "What is Midjourney?", "score": lines[0]["options"][0]["score"]}]
    for leave in ("quit", ":q", "EXIT"):
        assert run_cli_here(["chat"], input=f"{leave}\nwhat is an llm\n".encode()).stdout.strip() == b""


def test_the_http_api_carries_the_offer_in_its_signed_context(bot: Answerer) -> None:
    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from faqbot.serve.app import Settings, create_app

    client = TestClient(create_app(bot, Settings(key=b"k" * 32)))
    first = client.post("/v1/ask", json={"question": "How much does Midjourney cost?"}).json()
    assert first["kind"] == "abstain" and first["options"][0]["id"] == "midjourney"
    second = client.post("/v1/ask", json={"question": "yes", "context": first["context"]}).json()
    assert second["kind"] == "answer" and second["matched"]["id"] == "midjourney"
    schema = client.get("/openapi.json").json()["components"]["schemas"]["AnswerOut"]["properties"]
    assert {"options", "suggestions", "context"} <= set(schema)


def test_a_follow_up_in_words_the_corpus_never_uses_is_not_answered_by_the_topic(bot: Answerer) -> None:
    session = bot.session()
    assert session.ask("which ai tool should a legal team use").kind == "answer"
    weather = session.ask("whats the weather like in paris")
    assert weather.kind == "abstain" and weather.matched is None


def test_offers_taken_and_refused_feed_the_review(bot: Answerer, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from faqbot.authoring.review import review_groups
    from faqbot.storage.unanswered import read_log, recorder

    log = str(tmp_path / "log.jsonl")
    record = recorder(log)
    session = bot.session()
    for question in ("How much does Midjourney cost?", "yes"):   # a decline's offer, taken
        record(session.ask(question))
    session = bot.session()
    for question in ("code", "nope"):                             # a clarification, its first option refused
        record(session.ask(question))
    kinds = [row["kind"] for row in read_log(log)]
    assert kinds == ["abstain", "offer taken", "clarify", "offer refused"]
    groups = {(g.proposal, g.entry): g.questions for g in review_groups(bot, read_log(log))}
    assert groups[("paraphrases", "midjourney")] == ("How much does Midjourney cost?",)
    refused = [questions for (proposal, entry), questions in groups.items() if proposal == "out of scope" and entry]
    assert refused == [("code",)]
    assert all("How much does Midjourney cost?" not in qs for (p, e), qs in groups.items() if e != "midjourney")

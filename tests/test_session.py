"""Conversations: follow-ups lean on the previous turn, clarifications are answered by number."""

from __future__ import annotations

import pytest

from faqbot import Answerer


def _ids(bot: Answerer, questions: list[str]) -> list[str | None]:
    chat = bot.session()
    return [(a.matched.id if a.matched else a.kind) for a in map(chat.ask, questions)]


def test_llm_then_examples_then_the_one_with_29_languages(bot: Answerer) -> None:
    chat = bot.session()
    first = chat.ask("What is an LLM?")
    examples = chat.ask("give me some examples")
    languages = chat.ask("which one supports 29 languages?")
    assert first.matched and first.matched.id == "what-is-llm"
    assert examples.kind == "answer" and "Qwen2.5" in examples.text and "GPT-4.5" in examples.text
    assert languages.kind == "answer" and "Qwen2.5" in languages.text and "29 languages" in languages.text


def test_and_music_after_video_tools_switches_the_medium(bot: Answerer) -> None:
    chat = bot.session()
    video = chat.ask("What tools make videos?")
    music = chat.ask("and music?")
    assert video.kind == "answer" and "Runway" in video.text
    assert music.kind == "answer" and "Suno" in music.text


def test_a_pronoun_follow_up_is_about_the_previous_topic(bot: Answerer) -> None:
    chat = bot.session()
    chat.ask("What is Midjourney?")
    answer = chat.ask("what architecture does it use?")
    assert answer.kind == "answer" and "diffusion" in answer.text.lower()


def test_a_follow_up_needs_its_context(bot: Answerer) -> None:
    assert bot.ask("and music?").kind in ("answer", "clarify")   # alone it still makes sense...
    assert bot.ask("what is it used for?").kind == "abstain"     # ...this does not


def test_clarification_answered_by_number_gives_that_option(bot: Answerer) -> None:
    chat = bot.session()
    question = next(q for q in ("code", "tools", "context", "transformers", "claude", "examples") if bot.ask(q).kind == "clarify")
    clarify = chat.ask(question)
    assert clarify.kind == "clarify"
    picked = chat.ask("2")
    assert picked.kind == "answer" and picked.matched and picked.matched.id == clarify.options[1].id


def test_clarification_answered_by_words_from_an_option(bot: Answerer) -> None:
    chat = bot.session()
    clarify = chat.ask("code")
    assert {o.id for o in clarify.options} == {"code-generation-tools", "llm-code-generation"}
    picked = chat.ask("the one about tools")
    assert picked.matched is not None and picked.matched.id == "code-generation-tools"


def test_a_number_outside_the_options_is_treated_as_a_question(bot: Answerer) -> None:
    chat = bot.session()
    question = next(q for q in ("code", "tools", "context", "transformers", "claude", "examples") if bot.ask(q).kind == "clarify")
    chat.ask(question)
    assert chat.ask("7").kind == "abstain"


def test_a_standalone_question_in_a_session_is_answered_as_if_fresh(bot: Answerer) -> None:
    chat = bot.session()
    chat.ask("What tools make videos?")
    fresh = bot.ask("Is ChatGPT an LLM?")
    in_session = chat.ask("Is ChatGPT an LLM?")
    assert in_session.to_dict() == fresh.to_dict()


def test_reset_forgets_the_conversation(bot: Answerer) -> None:
    chat = bot.session()
    chat.ask("What is Midjourney?")
    chat.reset()
    assert chat.topic == "" and chat.ask("what is it used for?").kind == "abstain"


def test_tell_me_more_continues_with_the_cited_passage(bot: Answerer) -> None:
    chat = bot.session()
    first = chat.ask("What is Qwen2.5?")
    more = chat.ask("tell me more")
    assert more.kind == "answer" and more.text and more.text != first.text
    assert more.citations[0].id == first.citations[0].id


def test_sessions_are_independent(bot: Answerer) -> None:
    one, two = bot.session(), bot.session()
    one.ask("What is Midjourney?")
    assert two.ask("what is it used for?").kind == "abstain"
    assert one.ask("what is it used for?").kind == "answer"


def test_a_new_question_after_a_clarification_is_not_taken_for_an_option(bot: Answerer) -> None:
    chat = bot.session()
    assert chat.ask("code").kind == "clarify"
    answer = chat.ask("what is an llm")   # shares "llm" with option 2, but asks something else
    assert answer.matched is not None and answer.matched.id == "what-is-llm"


def test_a_new_question_after_a_clarification_is_answered_once(bot: Answerer,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    chat = bot.session()
    assert chat.ask("code").kind == "clarify"
    asked: list[str] = []
    respond = bot.respond
    monkeypatch.setattr(bot, "respond", lambda q, context=None: asked.append(q) or respond(q, context))
    answer = chat.ask("what is an llm")
    assert answer.matched is not None and answer.matched.id == "what-is-llm"
    assert asked == ["what is an llm"]   # the check "is it a new question?" is the answer, not a rehearsal

"""The fitted decision, the focus check, English word rarity, default small talk and conversation topic."""

from __future__ import annotations

from dataclasses import replace

import pytest

from faqbot import Answerer
from faqbot.build import build_fitted, load, save
from faqbot.corpus.load import load_corpus
from faqbot.engine.decision import DEFAULT, FEATURE_NAMES, Decision
from faqbot.engine.fit import near_misses, offtopic_questions
from faqbot.language.analysis import English
from faqbot.language.focus import FACTS, facts_in, focus_of, mask

EXAMPLES = "Examples and Capabilities of LLMs"


def test_the_bundled_decision_is_fitted_to_the_corpus(bot: Answerer) -> None:
    decision = bot.decision
    assert decision.fitted and decision.note.startswith("fitted on")
    assert decision.estimate["precision"] >= 0.98 and 0.0 < decision.clarify_at <= decision.answer_at < 1.0
    assert len(decision.coefficients) == len(FEATURE_NAMES)


def test_fitting_can_be_turned_off(corpus_dir) -> None:  # type: ignore[no-untyped-def]
    corpus = load_corpus(corpus_dir)
    built = build_fitted(replace(corpus, config=corpus.config.with_values({"fit_decision": False})))
    assert not built.decision.fitted and "turned off" in built.decision.note
    assert built.decision.coefficients == DEFAULT.coefficients


def test_a_tiny_corpus_falls_back_to_the_defaults_and_says_why(make_corpus) -> None:  # type: ignore[no-untyped-def]
    root = make_corpus({"faq.yaml": "- id: one\n  question: Do cats sleep a lot?\n  answer: Cats sleep 16 hours a day.\n"})
    decision = Answerer.from_corpus(root, cache=False).decision
    assert not decision.fitted and "too small to fit" in decision.note


def test_a_large_corpus_fits_on_a_bounded_number_of_held_out_phrasings_whatever_the_clock(
        bot: Answerer, monkeypatch: pytest.MonkeyPatch) -> None:
    import faqbot.engine.fit

    everything = faqbot.engine.fit.make_folds(bot.built)
    assert len(everything) == faqbot.engine.fit.FOLDS   # the bundled corpus: every fold
    monkeypatch.setattr(faqbot.engine.fit, "MAX_HELD_PER_FOLD", 100)
    bounded = faqbot.engine.fit.make_folds(bot.built)   # no deadline: the count alone stops the folds
    assert len(bounded) == 1 and len(bounded[0].held) == 100


def test_the_fitted_decision_survives_the_cache(bot: Answerer, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = str(tmp_path / "index.idx")
    save(bot.built, path)
    assert load(path).decision == bot.decision


def test_the_default_decision_fits_the_features() -> None:
    assert Decision.from_dict(DEFAULT.to_dict()) == DEFAULT and len(DEFAULT.coefficients) == len(FEATURE_NAMES)


def test_a_damaged_decision_is_refused() -> None:
    with pytest.raises(ValueError):
        Decision.from_dict({**DEFAULT.to_dict(), "coefficients": [1.0, 2.0]})


@pytest.mark.parametrize(("question", "focus"), [
    ("How many parameters does GPT-4.5 have?", "count"), ("When was Midjourney released?", "date"),
    ("How much does Midjourney cost?", "money"), ("Is DALL-E 3 free to use?", "money"),
    ("Which company owns Pika Labs?", "person"), ("Where is Anthropic headquartered?", "place"),
    ("When should I use an LLM?", ""), ("How much does it help?", ""), ("What is generative AI?", "")])
def test_the_focus_is_the_kind_of_fact_a_question_asks_for(question: str, focus: str) -> None:
    from faqbot.language.text import normalize

    assert focus_of(normalize(question)) == focus


def test_facts_are_found_in_text_but_names_are_not_counts() -> None:
    found = facts_in("Qwen2.5 (Alibaba) supports 29 languages; GPT-4.5 was released in February 2025.")
    assert {f for f in FACTS if found & mask(f)} == {"date", "count", "person", "version"}
    assert not facts_in("Claude 3 Opus and Llama 4 are models.") & mask("count")


@pytest.mark.parametrize("question", ["How many parameters does GPT-4.5 have?", "Who is the CEO of OpenAI?",
                                      "How much does Midjourney cost?", "Is DALL-E 3 free to use?"])
def test_a_near_miss_is_declined_because_the_answer_lacks_the_fact(bot: Answerer, question: str) -> None:
    answer = bot.ask(question)
    assert answer.kind == "abstain" and not answer.citations


def test_a_fact_the_article_states_is_answered(bot: Answerer) -> None:
    answer = bot.ask("When did OpenAI release GPT-4.5?")
    assert answer.kind == "answer" and answer.citations[0].section == EXAMPLES and "February 2025" in answer.text


def test_everyday_words_the_corpus_lacks_weigh_less_than_rare_ones() -> None:
    english = English.bundled()
    assert english.commonness("basically") > 0.6 and english.commonness("the") == 1.0
    assert english.commonness("headquartered") < 0.3 and english.commonness("qwen") == 0.0


def test_a_paraphrase_with_an_everyday_word_the_corpus_lacks_is_answered(bot: Answerer) -> None:
    answer = bot.ask("which tool should a filmmaker opt for?")
    assert answer.kind == "answer" and answer.matched is not None and answer.matched.id == "filmmakers-ad-agencies"


def test_the_fit_makes_near_misses_from_the_corpus_names_and_ships_off_topic_questions(bot: Answerer) -> None:
    misses = near_misses(bot.corpus)
    assert "How much does Midjourney cost?" in misses or "How much does Adobe Firefly cost?" in misses
    assert len(offtopic_questions()) >= 300


def test_a_decline_offers_the_entry_it_may_have_meant(bot: Answerer) -> None:
    answer = bot.ask("How would you define a large language model?")
    if answer.kind == "abstain":
        assert answer.text.startswith("I'm not sure the article covers that. Did you mean:")
        assert answer.suggestions[0] in answer.text
    else:
        assert answer.citations[0].section == "What Is a Large Language Model (LLM)?"


def test_a_corpus_without_an_article_never_says_the_article(make_corpus) -> None:  # type: ignore[no-untyped-def]
    root = make_corpus({"faq.yaml": "- id: one\n  question: Do cats sleep a lot?\n  answer: Cats sleep 16 hours.\n"})
    answer = Answerer.from_corpus(root, cache=False).ask("what is the capital of peru")
    assert answer.kind == "abstain" and "the article" not in answer.text.lower() and "FAQ" in answer.text


@pytest.mark.parametrize(("said", "intent"), [
    ("ok bye for now", "goodbye"), ("what can I ask you?", "help"), ("are you a bot?", "identity"),
    ("thanks, that clears it up", "thanks"),
    # as people type it (issue 20): combined, padded, any case and punctuation
    ("thanks, that helps", "thanks"), ("ok thank you!", "thanks"), ("bye, and thanks!", "goodbye"),
    ("alright, catch you later", "goodbye"), ("Thank you so much, that was helpful.", "thanks"),
    ("what can you help me with?", "help"), ("who are you?", "identity"), ("HELLO!!", "greeting")])
def test_default_small_talk(bot: Answerer, said: str, intent: str) -> None:
    answer = bot.ask(said)
    assert answer.kind == "smalltalk" and answer.matched is not None and answer.matched.id == intent


def test_that_is_not_what_i_asked_offers_the_runners_up(bot: Answerer) -> None:
    session = bot.session()
    first = session.ask("Which tools generate video?")
    assert first.kind == "answer" and first.matched is not None
    sorry = session.ask("that's not what I asked")
    assert sorry.kind == "clarify" and sorry.text.startswith("Sorry about that. Did you mean:")
    assert first.matched.question not in sorry.suggestions and len(sorry.options) >= 1
    picked = session.ask("1")
    assert picked.kind == "answer" and picked.matched is not None and picked.matched.id == sorry.options[0].id


def test_a_new_self_contained_question_drops_the_old_topic(bot: Answerer) -> None:
    session = bot.session()
    assert session.ask("Which tools generate music?").kind == "answer"
    answer = session.ask("different question: is ChatGPT an LLM?")
    assert answer.kind == "answer" and answer.matched is not None and answer.matched.id == "chatgpt-llm-or-genai"


def test_a_pronoun_follow_up_is_judged_with_its_topic(bot: Answerer) -> None:
    session = bot.session()
    assert session.ask("Tell me about Gemini 1.5").kind == "answer"
    answer = session.ask("who makes it?")
    assert answer.kind == "answer" and "Google" in answer.text


def test_a_conversation_continues_from_its_context_as_json(bot: Answerer) -> None:
    import json

    from faqbot.conversation import Context

    first = bot.session()
    assert first.ask("Tell me about Gemini 1.5").kind == "answer"
    carried = Context.from_dict(json.loads(json.dumps(first.context.to_dict())))
    assert carried == first.context and carried.topic == "What is Gemini 1.5?"
    answer = bot.session(carried).ask("who makes it?")   # another session, as another worker would
    assert answer.kind == "answer" and "Google" in answer.text


@pytest.mark.parametrize("bad", [None, [], {"version": 99}, {"version": 1, "topic": 5},
                                 {"version": 1, "options": [{"id": 1}]}])
def test_a_malformed_context_is_refused(bad: object) -> None:
    from faqbot.conversation import Context

    with pytest.raises(ValueError):
        Context.from_dict(bad)


def test_tell_me_more_continues_from_the_cited_passage(bot: Answerer) -> None:
    session = bot.session()
    first = session.ask("What is GPT-4.5?")
    more = session.ask("tell me more")
    assert more.kind == "answer" and more.citations[0].id == first.citations[0].id and more.text not in first.text


def test_the_excerpt_a_citation_shows_is_chosen_in_the_core(bot: Answerer) -> None:
    from faqbot.cli.render import Painter, answer_text

    answer = bot.ask("Which LLM supports 29 languages?")
    first = answer.citations[0]
    assert "29 languages" in first.excerpt and first.excerpt in " ".join(first.quote.split())
    assert answer.to_dict()["citations"][0]["excerpt"] == first.excerpt
    assert first.excerpt[:40] in answer_text(answer, Painter(False))


def test_give_me_some_examples_follows_the_conversation_topic(bot: Answerer) -> None:
    genai = bot.session()
    assert genai.ask("what is generative AI?").kind == "answer"
    examples = genai.ask("give me some examples")
    assert examples.kind == "answer" and examples.matched is not None and examples.matched.id == "genai-beyond-text"
    llm = bot.session()
    assert llm.ask("What is an LLM?").kind == "answer"
    examples = llm.ask("give me some examples")
    assert examples.kind == "answer" and "Qwen2.5" in examples.text


def test_and_music_moves_to_the_new_topic(bot: Answerer) -> None:
    session = bot.session()
    assert session.ask("Which tools generate video?").kind == "answer"
    music = session.ask("and music?")
    assert music.kind == "answer" and "Suno" in music.text


@pytest.mark.parametrize(("question", "entries"), [
    ("Is Claude 3 generative AI?", ["claude-3", "all-llms-are-genai"]),
    ("is qwen2.5 gen ai", ["qwen-2-5", "all-llms-are-genai"]),
    ("Is GPT-4.5 an LLM?", ["llm-examples"])])
def test_a_question_about_the_class_of_a_named_thing_follows_the_article_links(bot: Answerer, question: str,
                                                                              entries: list[str]) -> None:
    answer = bot.ask(question)
    assert answer.kind == "answer" and answer.text.startswith("Yes. ")
    assert answer.trace is not None and answer.trace.reason.endswith(" → ".join(entries))
    if "all-llms-are-genai" in entries:
        assert "All LLMs are a form of generative AI" in answer.text
        assert "LLMs vs Generative AI: Core Differences" in {c.section for c in answer.citations}


def test_no_chain_means_no_yes(bot: Answerer) -> None:
    answer = bot.ask("Is Midjourney an LLM?")
    assert not answer.text.startswith("Yes") and answer.matched is not None
    assert answer.matched.id == "image-tools-not-llms"


def test_a_class_link_naming_an_unknown_entry_is_reported_with_its_line(make_corpus) -> None:  # type: ignore[no-untyped-def]
    from faqbot.errors import CorpusError

    root = make_corpus({"faq.yaml": "- id: one\n  question: Do cats sleep a lot?\n  answer: Cats sleep.\n",
                        "classes.yaml": "- {thing: Tom, is: cat, entry: one}\n- {thing: cat, is: pet, entry: onne}\n"})
    with pytest.raises(CorpusError) as error:
        load_corpus(root)
    assert "classes.yaml:2" in str(error.value) and "unknown entry 'onne'" in str(error.value)


def test_a_short_question_of_its_own_is_not_taken_for_a_follow_up(bot: Answerer) -> None:
    session = bot.session()
    assert session.ask("Is Claude 3 generative AI?").kind == "answer"
    answer = session.ask("what is generative AI?")
    assert answer.kind == "answer" and answer.matched is not None and answer.matched.id == "what-is-genai"


def test_the_signals_are_declared_once_and_every_record_follows_them() -> None:
    from faqbot.config import Config, Weights
    from faqbot.engine.index import EntryScores
    from faqbot.models import Candidate
    from faqbot.signals import NAMES, SETTINGS, SIGNALS

    assert Weights._fields == NAMES == EntryScores._fields[:-1] == Candidate._fields[2:7]
    assert Config().weights_raw == tuple(s.weight for s in SIGNALS)
    assert all(hasattr(Config(), setting) for setting in SETTINGS)


def test_explain_columns_come_from_the_signals(bot: Answerer) -> None:
    from faqbot.cli.render import Painter, explain_dict, explain_text
    from faqbot.signals import NAMES

    answer = bot.ask("what is an llm")
    header = next(line for line in explain_text(answer, Painter(False)).splitlines() if line.startswith("curated"))
    assert header.split()[2:] == ["conf", "fused", *NAMES, "cover"]
    assert set(NAMES) <= set(explain_dict(answer)["candidates"][0])

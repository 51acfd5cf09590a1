"""Normalisation and analysis: the same for the corpus and for every question."""

from __future__ import annotations

from faqbot.language.text import Aliases, char_features, normalize, slugify, split_sentences, strip_controls, tokenize


def test_normalize_folds_case_accents_and_typographic_quotes() -> None:
    assert normalize("  Is ChatGPT an “LLM”?  Café ") == 'is chatgpt an "llm"? cafe'


def test_escape_sequences_and_controls_are_removed() -> None:
    assert strip_controls("a\x1b[2Jb\x1b]52;c;aGk=\x07c\x00d\u202e") == "abcd"


def test_version_numbers_stay_whole_and_words_split_from_numbers() -> None:
    assert tokenize("GPT-4.5 vs gpt4.5 vs Qwen2.5, 3D, o3, Mistral 7B") == [
        "gpt", "4.5", "vs", "gpt", "4.5", "vs", "qwen", "2.5", "3d", "o3", "mistral", "7b"]


def test_longest_alias_wins_and_replaces_the_phrase() -> None:
    aliases = Aliases.from_phrases([("large language model", "llm"), ("large language models", "llm"), ("gen ai", "genai")])
    assert aliases.apply(tokenize("Large Language Models vs gen AI")) == ["llm", "vs", "genai"]


def test_char_features_match_scikit_learn_char_wb() -> None:
    from sklearn.feature_extraction.text import CountVectorizer

    text = "multimodal llm gpt 4.5 a"
    ours = sorted(char_features(text.split(), 3, 5))
    theirs_vec = CountVectorizer(analyzer="char_wb", ngram_range=(3, 5), lowercase=False)
    counts = theirs_vec.fit_transform([text]).toarray()[0]
    theirs = sorted(g for g, i in theirs_vec.vocabulary_.items() for _ in range(counts[i]))
    assert ours == theirs


def test_sentences_never_join_two_list_items() -> None:
    text = "Lead in:\n\n- First item. Second sentence.\n- Other item\n  continues here."
    assert split_sentences(text) == ["Lead in:", "First item.", "Second sentence.", "Other item continues here."]


def test_slug_drops_function_words_and_keeps_five_words() -> None:
    assert slugify("What Is a Large Language Model (LLM)?") == "large-language-model-llm"
    assert slugify("Which is better for content creation: LLM or generative AI?") == \
        "better-content-creation-llm-generative"

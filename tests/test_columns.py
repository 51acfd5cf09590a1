"""Records and word sets stored in columns come back equal, decoded only when touched, and never
from arrays that do not fit."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from faqbot import Answerer
from faqbot.build import load
from faqbot.corpus.files import bundled_corpus_dir
from faqbot.models import Entry, Passage
from faqbot.storage.cache import cache_path
from faqbot.storage.columns import (
    Records,
    TermSets,
    Texts,
    column_of,
    record_arrays,
    sizes_of,
    term_set_arrays,
    text_arrays,
)


def test_passages_and_entries_come_back_equal_from_their_columns(bot: Answerer) -> None:
    corpus = bot.corpus
    passages = Records("p", Passage, record_arrays("p", Passage, corpus.passages), len(corpus.passages))
    entries = Records("e", Entry, record_arrays("e", Entry, corpus.entries), len(corpus.entries))
    assert list(passages) == list(corpus.passages)
    assert list(entries) == list(corpus.entries)
    assert passages[-1] == corpus.passages[-1] and entries[3:5] == list(corpus.entries[3:5])
    assert column_of(entries, "question") == [e.question for e in corpus.entries]
    assert sizes_of(passages, "sentences") == [len(p.sentences) for p in corpus.passages]


def test_a_record_is_decoded_only_when_touched_and_once() -> None:
    rows = [Passage(f"p{i}", "Héading", ("Top", "Héading"), f"Text {i} – ok", i, i + 1, "a.md", ("One.", "Two."))
            for i in range(5)]
    passages = Records("p", Passage, record_arrays("p", Passage, rows), 5)
    assert passages._memo == {}
    assert passages[2] == rows[2] and passages[2] is passages[2] and passages[-3] is passages[2]
    assert list(passages._memo) == [2]
    assert column_of(passages, "id") == ["p0", "p1", "p2", "p3", "p4"]
    with pytest.raises(IndexError):
        passages[5]


def test_texts_decode_unicode_and_the_ascii_fast_path_alike() -> None:
    texts = ["", "plain", "naïve – ünïcode", "emoji 🙂", "line\nbreak"]
    assert list(Texts("t", text_arrays("t", texts))) == texts
    assert Texts("t", text_arrays("t", texts)).all() == texts
    assert Texts("t", text_arrays("t", ["a", "bc", ""])).all() == ["a", "bc", ""]


def test_word_sets_come_back_equal() -> None:
    sets = [frozenset({"llm", "gpt"}), frozenset(), frozenset({"imag", "gpt"})]
    vocabulary = {w: i for i, w in enumerate(sorted(set().union(*sets)))}
    loaded = TermSets("s", term_set_arrays("s", vocabulary, sets), sorted(vocabulary))
    assert list(loaded) == sets


@pytest.mark.parametrize("edit", ["offsets-past-the-blob", "offsets-descending", "count-mismatch"])
def test_columns_that_do_not_fit_are_refused(edit: str) -> None:
    arrays = text_arrays("t", ["ab", "cd", "ef"])
    if edit == "offsets-past-the-blob":
        arrays["t.offsets"] = arrays["t.offsets"] + 1
    elif edit == "offsets-descending":
        arrays["t.offsets"] = np.array([0, 4, 2, 6], dtype=np.int64)
    with pytest.raises(ValueError, match="offsets of t"):
        Texts("t", arrays, 4 if edit == "count-mismatch" else None)


def test_word_ids_past_the_vocabulary_are_refused() -> None:
    arrays = term_set_arrays("s", {"a": 0, "b": 1}, [frozenset({"a", "b"})])
    with pytest.raises(ValueError, match="word ids"):
        TermSets("s", arrays, ["a"])


def test_a_cached_index_answers_alike_without_decoding_every_record(bot: Answerer, tmp_path: Path) -> None:
    cached = Answerer(load(cache_path(bundled_corpus_dir(), tmp_path / "cache")))   # the session's cache
    passages = cached.corpus.passages
    assert isinstance(passages, Records)
    question = "Is ChatGPT an LLM?"
    assert cached.ask(question).to_dict() == bot.ask(question).to_dict()
    decoded = len(passages._memo)
    assert 0 < decoded < len(passages) / 2

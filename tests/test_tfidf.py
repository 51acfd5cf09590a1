"""The numpy query path equals scikit-learn's TfidfVectorizer.transform, so skipping sklearn at query time is safe."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from faqbot import Answerer
from faqbot.engine.tfidf import TermIndex

QUERIES = [
    "Is ChatGPT an LLM?", "whats the diffrence btwn llm and gen ai", "which tool should a filmmaker use?",
    "qwen 29 languages", "How many parameters does GPT-4.5 have?", "weather in paris", "asdf", "",
    "what about music and video and music again", "Claude 3 Opus 200K context window", "3d models from sketches",
    "in-context learning without additional training", "GANs VAEs diffusion transformers", "llm llm llm llm",
]


def _sklearn_twin(index_docs: list[list[str]], idf_docs: list[list[str]]) -> TfidfVectorizer:
    vectorizer = TfidfVectorizer(analyzer=lambda doc: doc, sublinear_tf=True, norm="l2")
    vectorizer.fit(index_docs + idf_docs)
    return vectorizer


@pytest.mark.parametrize("kind", ["char", "word"])
def test_query_vectors_equal_scikit_learn_transform(bot: Answerer, kind: str) -> None:
    analyzer = bot.index.analyzer
    phrases = [analyzer.document(p, chars=True) for e in bot.corpus.entries for p in e.phrasings]
    answers = [analyzer.document(e.answer) for e in bot.corpus.entries]
    features = (lambda a: a.char_features) if kind == "char" else (lambda a: a.word_features)
    docs = [features(a) for a in phrases]
    idf_docs = [] if kind == "char" else [features(a) for a in answers]
    ours = TermIndex.build(docs, idf_docs=idf_docs)
    theirs = _sklearn_twin(docs, idf_docs)
    queries = [features(analyzer.query(q)) for q in QUERIES] + docs[:50]
    expected = theirs.transform(queries).toarray()
    for row, query in zip(expected, queries, strict=True):
        ids, weights = ours.vector(query)
        got = np.zeros(len(ours.vocabulary))
        got[ids] = weights
        reorder = [theirs.vocabulary_[t] for t in sorted(ours.vocabulary, key=ours.vocabulary.__getitem__)]
        assert np.allclose(got, row[reorder], atol=1e-9)


def test_scores_equal_the_cosine_of_scikit_learn_vectors(bot: Answerer) -> None:
    analyzer = bot.index.analyzer
    docs = [analyzer.document(p.text).word_features for p in bot.corpus.passages]
    ours = TermIndex.build(docs)
    theirs = _sklearn_twin(docs, [])
    matrix = theirs.transform(docs)
    for question in QUERIES:
        query = analyzer.query(question).word_features
        expected = (matrix @ theirs.transform([query]).T).toarray().ravel()
        assert np.allclose(ours.scores(query), expected, atol=1e-6)


def test_arrays_round_trip_and_damage_is_detected(bot: Answerer) -> None:
    index = bot.index.passage_word
    arrays = index.to_arrays("p")
    again = TermIndex.from_arrays("p", arrays)
    assert again.vocabulary == index.vocabulary and np.array_equal(again.data, index.data)
    broken = {**arrays, "p.indices": arrays["p.indices"] + 10_000}
    with pytest.raises(ValueError):
        TermIndex.from_arrays("p", broken)

"""The optional semantic signal, offline: a tiny static model made here in model2vec's own format and
loaded through the code path users take; and the lexical fallback when the extra or model is missing."""

from __future__ import annotations

import builtins
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from faqbot import Answerer
from faqbot.signals import FEATURE_NAMES
from tests.conftest import SMALL_ARTICLE, SMALL_FAQ, MakeCorpus

pytest.importorskip("model2vec")
pytestmark = pytest.mark.no_cache_seed

QUESTIONS = ["How long do cats sleep?", "feline doze hours", "how often should a hound stroll", "weather in paris",
             "hi", "dog walks"]


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A word-level static model: synonyms (cat/feline/kitty, sleep/nap/doze, dog/hound, walk/stroll)
    get nearly the same vector."""
    from model2vec import StaticModel
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers

    groups = {"cat": "cat", "cats": "cat", "feline": "cat", "kitty": "cat", "sleep": "sleep", "nap": "sleep",
              "naps": "sleep", "doze": "sleep", "dog": "dog", "hound": "dog", "walk": "walk", "walks": "walk",
              "stroll": "walk", "long": "time", "hours": "time", "often": "time"}
    words = ["[UNK]", *groups]
    rng = np.random.default_rng(0)
    base = {g: rng.normal(size=16) for g in sorted(set(groups.values()))}
    vectors = np.stack([np.zeros(16)] + [base[groups[w]] + 0.05 * rng.normal(size=16) for w in words[1:]])
    tokenizer = Tokenizer(models.WordLevel({w: i for i, w in enumerate(words)}, unk_token="[UNK]"))
    tokenizer.normalizer = normalizers.Lowercase()
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    path = tmp_path_factory.mktemp("models") / "tiny-m2v"
    StaticModel(vectors=vectors.astype(np.float32), tokenizer=tokenizer, config={"hidden_dim": 16},
                normalize=True).save_pretrained(str(path))
    return path


def _answers(bot: Answerer) -> list[dict[str, Any]]:
    return [bot.ask(q).to_dict() for q in QUESTIONS]


def test_the_model_gives_each_candidate_its_meaning_similarity(make_corpus: MakeCorpus, tiny_model: Path) -> None:
    root = make_corpus({"article.md": SMALL_ARTICLE, "faq.yaml": SMALL_FAQ,
                        "config.yaml": f"semantic_model: {tiny_model}\n"})
    bot = Answerer.from_corpus(root, cache=False)
    assert bot.index.meaning.table is not None and bot.semantic_note.startswith("semantic model tiny-m2v@")
    found = bot.gather("feline doze hours")
    best = {c.id: c.features[FEATURE_NAMES.index("semantic")] for c in found.candidates}
    assert best["cat-sleep"] > 0.7 and best["cat-sleep"] > best.get("dog-walks", 0.0) + 0.3


def test_the_semantic_arrays_survive_the_cache(make_corpus: MakeCorpus, tiny_model: Path, tmp_path: Path) -> None:
    root = make_corpus({"article.md": SMALL_ARTICLE, "faq.yaml": SMALL_FAQ,
                        "config.yaml": f"semantic_model: {tiny_model}\n"})
    built = Answerer.from_corpus(root, cache_dir=tmp_path / "cache")
    cached = Answerer.from_corpus(root, cache_dir=tmp_path / "cache")
    assert cached.index.meaning.table is not None and cached.index.meaning.table.words == built.index.meaning.table.words
    assert _answers(cached) == _answers(built) == _answers(Answerer.from_corpus(root, cache=False))


def test_the_users_model_wins_and_a_change_of_model_rebuilds_the_cache(make_corpus: MakeCorpus, tiny_model: Path,
                                                                        tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_corpus({"article.md": SMALL_ARTICLE, "faq.yaml": SMALL_FAQ})
    assert Answerer.from_corpus(root, cache_dir=tmp_path / "c").index.meaning.table is None
    monkeypatch.setenv("FAQBOT_SEMANTIC_MODEL", str(tiny_model))
    assert Answerer.from_corpus(root, cache_dir=tmp_path / "c").index.meaning.table is not None


@pytest.mark.parametrize("problem", ["missing", "broken", "no-extra"])
def test_without_a_usable_model_answers_are_the_lexical_builds(make_corpus: MakeCorpus, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch, problem: str) -> None:
    lexical = _answers(Answerer.from_corpus(make_corpus({"article.md": SMALL_ARTICLE, "faq.yaml": SMALL_FAQ},
                                                        name="lexical"), cache=False))
    model = tmp_path / "model"
    if problem == "broken":
        model.mkdir()
        (model / "config.json").write_text("{not json")
    if problem == "no-extra":
        real = builtins.__import__

        def no_model2vec(name: str, *args: Any, **kwargs: Any) -> Any:
            if name.startswith("model2vec"):
                raise ImportError("No module named 'model2vec'")
            return real(name, *args, **kwargs)

        monkeypatch.setattr(builtins, "__import__", no_model2vec)
    root = make_corpus({"article.md": SMALL_ARTICLE, "faq.yaml": SMALL_FAQ, "config.yaml": f"semantic_model: {model}\n"})
    bot = Answerer.from_corpus(root, cache=False)
    assert bot.index.meaning.table is None and "lexical only" in bot.semantic_note
    assert ("install faqbot[semantic]" in bot.semantic_note) == (problem == "no-extra")
    assert _answers(bot) == lexical

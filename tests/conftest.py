"""Shared fixtures: an isolated home for every test, the bundled answerer, small corpora on disk."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from faqbot import Answerer
from faqbot.build import save
from faqbot.corpus.files import bundled_corpus_dir
from faqbot.storage.cache import cache_path

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def bundled_cache(bot: Answerer, tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """The bundled corpus's index cache file, built once: a command run by a test starts from it as a
    user's second command would (the index build and fit take seconds; tests of the cache make their own)."""
    path = tmp_path_factory.mktemp("bundled-cache") / "index.idx"
    save(bot.built, str(path))
    return path.read_bytes()


def seed_cache(folder: Path, data: bytes) -> Path:
    """*folder* holding the bundled corpus's index cache *data* (the ``bundled_cache`` bytes) where
    faqbot looks for it, as if a user had run a command before: a warm start without another build."""
    path = Path(cache_path(bundled_corpus_dir(), folder))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return folder


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> None:
    """Never read or write a developer's real cache, history or config. The cache folder starts with
    the bundled corpus's index unless the test is marked ``no_cache_seed``."""
    monkeypatch.setenv("FAQBOT_CACHE_DIR", str(tmp_path / "cache"))
    if request.node.get_closest_marker("no_cache_seed") is None:
        seed_cache(tmp_path / "cache", request.getfixturevalue("bundled_cache"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("FAQBOT_LOG", "off")   # tests never record what they type; the log's own tests turn it on
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    monkeypatch.delenv("FAQBOT_HISTORY", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)


@pytest.fixture(scope="session")
def bot() -> Answerer:
    """The bundled corpus, built in memory once for the whole run."""
    return Answerer.from_corpus(cache=False)


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    return Path(bundled_corpus_dir())


MakeCorpus = Callable[..., Path]


@pytest.fixture
def make_corpus(tmp_path: Path) -> MakeCorpus:
    """Write a corpus folder: make_corpus({"article.md": "...", "faq.yaml": "..."}). Text is dedented."""

    def make(files: dict[str, str | bytes], name: str = "corpus") -> Path:
        root = tmp_path / name
        root.mkdir()
        for filename, content in files.items():
            target = root / filename
            if isinstance(content, bytes):
                target.write_bytes(content)
            else:
                target.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")
        return root

    return make


SMALL_ARTICLE = """
    # Pets

    Pets are animals kept for company. Cats and dogs are the most common pets in many homes today.

    ## Cats

    Cats are independent animals that sleep up to sixteen hours a day. They groom themselves and
    usually use a litter box indoors.

    ## Dogs

    Dogs are loyal and need a walk at least twice a day. Many dogs enjoy fetching balls in the park.
"""

SMALL_FAQ = """
    - id: cat-sleep
      question: How long do cats sleep?
      paraphrases: [cat sleep hours, do cats sleep a lot, how much do cats sleep, cat naps]
      answer: Cats sleep up to sixteen hours a day.
      sources: [cats-1]
    - id: dog-walks
      question: How often should I walk my dog?
      paraphrases: [dog walks, walking a dog, how many walks does a dog need, dog exercise]
      answer: Dogs need a walk at least twice a day.
      sources: [dogs-1]
"""

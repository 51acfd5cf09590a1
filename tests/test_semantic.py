"""Meaning from a sentence encoder, offline: a tiny ONNX encoder shipped in tests/data/tiny-encoder
(made by tests/make_tiny_encoder.py) loaded through the code path users take; the gate that lets the
entry or passage nearest in meaning answer; the lexical fallback when the extra or model is missing;
and the shared MiniLM model in the slow tier when ../shared/models is present."""

from __future__ import annotations

import builtins
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from faqbot import Answerer
from faqbot.cli.main import main
from faqbot.engine.semantic import SemanticError, locate
from tests.conftest import SMALL_ARTICLE, SMALL_FAQ, MakeCorpus

pytest.importorskip("onnxruntime")
pytest.importorskip("tokenizers")
pytestmark = pytest.mark.no_cache_seed

TINY = Path(__file__).with_name("data") / "tiny-encoder"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "models" / "all-MiniLM-L6-v2-onnx-int8"
QUESTIONS = ["How long do cats sleep?", "kitty nap hours", "how often should a puppy stroll", "weather in paris",
             "hi", "dog walks", "puppy stroll"]


def _answers(bot: Answerer) -> list[dict[str, Any]]:
    return [bot.ask(q).to_dict() for q in QUESTIONS]


@pytest.fixture
def model(tmp_path: Path) -> Path:
    """A private copy of the tiny encoder (a test may touch or break it)."""
    return Path(shutil.copytree(TINY, tmp_path / "tiny-encoder"))


@pytest.fixture
def corpus(make_corpus: MakeCorpus, model: Path) -> Path:
    return make_corpus({"article.md": SMALL_ARTICLE, "faq.yaml": SMALL_FAQ, "config.yaml": f"semantic_model: {model}\n"})


def test_a_paraphrase_in_other_words_is_answered_by_meaning_and_says_so(corpus: Path) -> None:
    bot = Answerer.from_corpus(corpus, cache=False)
    assert bot.semantic_note.startswith("semantic model tiny-encoder@") and bot.semantic_problem == ""
    answer = bot.ask("how often should a puppy stroll")
    assert answer.kind == "answer" and answer.matched is not None and answer.matched.id == "dog-walks"
    assert answer.trace is not None and answer.trace.reason.startswith("nearest in meaning")
    assert answer.citations and answer.citations[0].section == "Dogs"


def test_without_a_model_the_same_question_is_declined(make_corpus: MakeCorpus) -> None:
    lexical = Answerer.from_corpus(make_corpus({"article.md": SMALL_ARTICLE, "faq.yaml": SMALL_FAQ}), cache=False)
    assert lexical.ask("how often should a puppy stroll").kind != "answer"


def test_what_the_lexical_decision_is_sure_of_never_loads_the_encoder(corpus: Path) -> None:
    bot = Answerer.from_corpus(corpus, cache=False)
    table = bot.index.meaning.table
    assert table is not None
    fresh = Answerer(bot.built.with_index(bot.index.with_meaning(bot.index.meaning._replace(
        table=type(table)(table.model, table.files, table.stamp, table.phrasings, table.passages)))))
    assert fresh.ask("How long do cats sleep?").kind == "answer" and fresh.ask("hi").kind == "smalltalk"
    assert fresh.index.meaning.table._encoder is None   # type: ignore[union-attr]


def test_meaning_never_answers_a_question_about_something_else(corpus: Path) -> None:
    bot = Answerer.from_corpus(corpus, cache=False)
    assert bot.ask("weather in paris").kind == "abstain"


def test_passages_found_by_meaning_answer_an_article_alone(make_corpus: MakeCorpus, model: Path) -> None:
    root = make_corpus({"article.md": SMALL_ARTICLE, "config.yaml": f"semantic_model: {model}\n"}, name="alone")
    answer = Answerer.from_corpus(root, cache=False).ask("puppy stroll")
    assert answer.kind == "answer" and answer.citations[0].section == "Dogs" and "walk" in answer.text
    assert answer.trace is not None and answer.trace.reason.startswith("the passage nearest in meaning")


def test_the_embeddings_survive_the_cache_and_answers_match(corpus: Path, tmp_path: Path) -> None:
    built = Answerer.from_corpus(corpus, cache_dir=tmp_path / "cache")
    cached = Answerer.from_corpus(corpus, cache_dir=tmp_path / "cache")
    assert cached.index.meaning.table is not None and built.index.meaning.table is not None
    assert cached.index.meaning.table.model == built.index.meaning.table.model
    assert (cached.index.meaning.table.phrasings == built.index.meaning.table.phrasings).all()
    assert _answers(cached) == _answers(built) == _answers(Answerer.from_corpus(corpus, cache=False))


def test_the_network_optimised_for_this_machine_is_kept_beside_the_cache_and_used(corpus: Path,
                                                                                 tmp_path: Path) -> None:
    from faqbot.storage.cache import cache_path

    built = Answerer.from_corpus(corpus, cache_dir=tmp_path / "cache")
    sidecar = Path(cache_path(corpus, tmp_path / "cache") + ".onnx")
    assert sidecar.is_file()
    cached = Answerer.from_corpus(corpus, cache_dir=tmp_path / "cache")
    assert cached.index.meaning.table is not None and cached.index.meaning.table.network == str(sidecar)
    assert _answers(cached) == _answers(built)
    sidecar.write_bytes(b"damaged")   # a damaged optimised copy: the model's own network answers
    damaged = Answerer.from_corpus(corpus, cache_dir=tmp_path / "cache")
    assert _answers(damaged) == _answers(built) and damaged.semantic_problem == ""
    sidecar.chmod(0o666)   # writable by others: not trusted, the model's own file is loaded instead
    again = Answerer.from_corpus(corpus, cache_dir=tmp_path / "cache")
    assert again.index.meaning.table is not None and again.index.meaning.table.network == ""
    assert _answers(again) == _answers(built)


def test_a_changed_model_file_rebuilds_the_cache_without_hashing_an_unchanged_one(
        corpus: Path, model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import faqbot.engine.semantic as semantic

    first = Answerer.from_corpus(corpus, cache_dir=tmp_path / "c").index.meaning.table
    with monkeypatch.context() as m:   # a cold start checks the files' size and mtime, never their bytes
        m.setattr(semantic, "identity_of", lambda files: pytest.fail("hashed the model on a cold start"))
        Answerer.from_corpus(corpus, cache_dir=tmp_path / "c")
    onnx = model / "onnx" / "model.onnx"
    os.utime(onnx, ns=(onnx.stat().st_atime_ns, onnx.stat().st_mtime_ns + 5_000_000_000))
    again = Answerer.from_corpus(corpus, cache_dir=tmp_path / "c").index.meaning.table
    assert first is not None and again is not None and again.stamp != first.stamp


def test_the_users_model_wins_and_a_change_of_model_rebuilds_the_cache(make_corpus: MakeCorpus, model: Path,
                                                                        tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_corpus({"article.md": SMALL_ARTICLE, "faq.yaml": SMALL_FAQ})
    assert Answerer.from_corpus(root, cache_dir=tmp_path / "c").index.meaning.table is None
    monkeypatch.setenv("FAQBOT_SEMANTIC_MODEL", str(model))
    assert Answerer.from_corpus(root, cache_dir=tmp_path / "c").index.meaning.table is not None


@pytest.mark.parametrize("problem", ["missing", "broken", "no-extra", "model2vec"])
def test_without_a_usable_model_answers_are_the_lexical_ones_and_the_note_says_why(
        make_corpus: MakeCorpus, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, problem: str) -> None:
    lexical = _answers(Answerer.from_corpus(make_corpus({"article.md": SMALL_ARTICLE, "faq.yaml": SMALL_FAQ},
                                                        name="lexical"), cache=False))
    folder = tmp_path / "model"
    if problem == "broken":
        shutil.copytree(TINY, folder)
        (folder / "onnx" / "model.onnx").write_bytes(b"not a network")
    if problem == "model2vec":
        folder.mkdir()
        (folder / "model.safetensors").write_bytes(b"")
        (folder / "config.json").write_text("{}")
    if problem == "no-extra":
        shutil.copytree(TINY, folder)
        real = builtins.__import__

        def no_onnxruntime(name: str, *args: Any, **kwargs: Any) -> Any:
            if name.startswith("onnxruntime"):
                raise ImportError("No module named 'onnxruntime'")
            return real(name, *args, **kwargs)

        monkeypatch.setattr(builtins, "__import__", no_onnxruntime)
    root = make_corpus({"article.md": SMALL_ARTICLE, "faq.yaml": SMALL_FAQ, "config.yaml": f"semantic_model: {folder}\n"})
    bot = Answerer.from_corpus(root, cache=False)
    assert bot.index.meaning.table is None and bot.semantic_problem and "lexical" not in bot.semantic_problem
    expected = {"missing": "no such folder", "broken": "could not be loaded", "no-extra": "faqbot[semantic]",
                "model2vec": "model2vec"}[problem]
    assert expected in bot.semantic_problem
    assert _answers(bot) == lexical


def test_ask_warns_in_one_line_and_index_and_check_fail(make_corpus: MakeCorpus, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    root = make_corpus({"article.md": SMALL_ARTICLE, "faq.yaml": SMALL_FAQ,
                        "config.yaml": f"semantic_model: {tmp_path / 'nowhere'}\n"})
    assert main(["ask", "--corpus", str(root), "--no-cache", "How long do cats sleep?"]) == 0
    out, err = capsys.readouterr()
    assert "sixteen hours" in out and err.count("\n") == 1 and err.startswith("faqbot: warning: semantic model")
    assert err.rstrip().endswith("; answering lexically")
    assert main(["index", "--corpus", str(root), "--cache-dir", str(tmp_path / "c")]) != 0
    assert "no such folder" in capsys.readouterr().err and not (tmp_path / "c").exists()
    assert main(["check", "--corpus", str(root)]) != 0
    assert "no such folder" in capsys.readouterr().err


def test_a_repo_id_is_fetched_once_into_the_hugging_face_cache_only_the_files_used(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The real loading code, offline: huggingface_hub resolves the repo from a cache laid out as it
    writes one (HF_HUB_OFFLINE), and the files asked for are the config and one ONNX network."""
    pytest.importorskip("huggingface_hub")
    import huggingface_hub

    snapshot = tmp_path / "hub" / "models--tiny--encoder" / "snapshots" / ("0" * 40)
    shutil.copytree(TINY, snapshot)
    (snapshot / "onnx" / "model_O4.onnx").write_bytes(b"another export, never fetched")
    (tmp_path / "hub" / "models--tiny--encoder" / "refs").mkdir()
    (tmp_path / "hub" / "models--tiny--encoder" / "refs" / "main").write_text("0" * 40)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hub"))
    asked: list[list[str]] = []
    real = huggingface_hub.snapshot_download

    def spy(repo_id: str, **kwargs: Any) -> str:
        asked.append(list(kwargs.get("allow_patterns") or []))
        return str(real(repo_id, cache_dir=str(tmp_path / "hub"), **kwargs))

    monkeypatch.setattr(huggingface_hub, "snapshot_download", spy)
    files = locate("tiny/encoder")
    assert Path(files.folder) == snapshot.resolve() and files.onnx == "onnx/model.onnx" and files.pooling == "mean"
    assert all(not any("O4" in p or p == "*" for p in patterns) for patterns in asked)
    with pytest.raises(SemanticError, match="could not be fetched"):
        locate("nobody/nothing")


@pytest.mark.slow
def test_a_one_shot_ask_the_lexical_stage_settles_does_not_import_onnxruntime(corpus: Path, tmp_path: Path) -> None:
    env = {**os.environ, "FAQBOT_CACHE_DIR": str(tmp_path / "c")}
    subprocess.run([sys.executable, "-m", "faqbot", "index", "--corpus", str(corpus)], env=env, check=True,
                   capture_output=True)
    code = ("import sys; from faqbot.cli.main import main; main(['ask', '--corpus', sys.argv[1], sys.argv[2]]); "
            "print('onnxruntime' in sys.modules)")
    sure = subprocess.run([sys.executable, "-c", code, str(corpus), "How long do cats sleep?"], env=env,
                          capture_output=True, text=True)
    unsure = subprocess.run([sys.executable, "-c", code, str(corpus), "puppy stroll"], env=env, capture_output=True,
                            text=True)
    assert sure.stdout.strip().endswith("False") and unsure.stdout.strip().endswith("True")


@pytest.mark.slow
@pytest.mark.skipif(not SHARED.is_dir(), reason="the shared MiniLM model is not on this machine")
def test_the_shared_encoder_answers_words_the_article_never_uses(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAQBOT_SEMANTIC_MODEL", str(SHARED))
    bot = Answerer.from_corpus(cache_dir=tmp_path / "c")
    answer = bot.ask("i wanna make beats with ai, what should i use")
    assert answer.kind == "answer" and answer.matched is not None and answer.matched.id == "music-audio-tools"
    assert bot.ask("Does Midjourney have an API?").kind != "answer"

"""The bundled corpus is faithful to the article, and broken corpora fail with file, line and problem."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from faqbot.corpus.load import load_corpus
from faqbot.errors import CorpusError
from tests.conftest import DATA, SMALL_ARTICLE, SMALL_FAQ, MakeCorpus

FAQ_WITHOUT_SOURCES = re.sub(r"\n\s*sources: .*", "", SMALL_FAQ)
NOISE = ("Leave a Comment", "Leave a Reply", "Your email address")


def _plain(text: str) -> str:
    text = re.sub(r"^\s*(#+|[-*]|•)\s+", "", text, flags=re.MULTILINE)
    return " ".join(text.split())


def test_every_sentence_of_the_seed_is_in_the_article_verbatim(corpus_dir: Path) -> None:
    seed = (DATA / "seed_article.txt").read_text(encoding="utf-8")
    article = _plain((corpus_dir / "article.md").read_text(encoding="utf-8"))
    kept = [line for line in seed.splitlines() if line.strip() and not line.startswith(NOISE)]
    sentences = [s for line in kept for s in re.split(r"(?<=[.!?])\s+", _plain(line)) if s]
    assert len(sentences) > 100
    missing = [s for s in sentences if s not in article]
    assert missing == []


def test_the_web_page_noise_is_gone(corpus_dir: Path) -> None:
    article = (corpus_dir / "article.md").read_text(encoding="utf-8")
    assert not any(noise in article for noise in NOISE)
    assert article.count("From writing blog posts and generating code") == 1
    assert article.count("Difference between LLM and Generative AI") == 1
    assert article.startswith("# Difference between LLM and Generative AI\n")


def test_headings_are_restored_with_their_hierarchy(corpus_dir: Path) -> None:
    lines = (corpus_dir / "article.md").read_text(encoding="utf-8").splitlines()
    assert "## What Is a Large Language Model (LLM)?" in lines
    assert "### Examples and Capabilities of LLMs" in lines
    assert "## FAQ" in lines
    faq = lines.index("## FAQ")
    assert [ln for ln in lines[faq:] if ln.startswith("#")] == [
        "## FAQ", "### What is the difference between LLM and generative AI?",
        "### Is ChatGPT an LLM or generative AI?", "### Which is better for content creation: LLM or generative AI?"]
    assert "  - GPT-4.5 – Transformer-based, optimized for reasoning and summarization." in lines   # nested bullet


def test_curated_entries_cover_every_section_with_paraphrases_and_sources() -> None:
    corpus = load_corpus()
    assert len(corpus.entries) >= 45
    assert all(len(e.paraphrases) >= 4 for e in corpus.entries)
    assert all(e.sources for e in corpus.entries)
    assert all(2 <= len(re.findall(r"[.!?](?:\s|$)", e.answer)) + (not e.answer.rstrip().endswith((".", "!", "?")))
               <= 5 for e in corpus.entries)
    passage = {p.id: p for p in corpus.passages}
    cited_sections = {passage[s].section for e in corpus.entries for s in e.sources}
    all_sections = {p.section for p in corpus.passages}
    assert all_sections - cited_sections == set()


def test_the_articles_own_faq_questions_are_curated() -> None:
    questions = {e.question for e in load_corpus().entries}
    assert {"What is the difference between LLM and generative AI?", "Is ChatGPT an LLM or generative AI?",
            "Which is better for content creation: LLM or generative AI?"} <= questions


def test_aliases_smalltalk_and_config_come_from_the_corpus() -> None:
    corpus = load_corpus()
    assert ("large language model", "llm") in corpus.aliases
    assert {s.id for s in corpus.smalltalk} >= {"greeting", "thanks", "goodbye", "help", "identity"}
    help_reply = next(s.reply for s in corpus.smalltalk if s.id == "help")
    assert "Is ChatGPT an LLM or generative AI?" in help_reply   # the help reply shows example questions


# ----------------------------------------------------------------------------- broken corpora


def _error(root: Path) -> str:
    with pytest.raises(CorpusError) as caught:
        load_corpus(root)
    return str(caught.value)


def test_bad_yaml_names_file_and_line(make_corpus: MakeCorpus) -> None:
    root = make_corpus({"article.md": SMALL_ARTICLE, "faq.yaml": "- id: a\n  question: [unclosed\n  answer: x\n"})
    message = _error(root)
    assert message.startswith(f"{root / 'faq.yaml'}:")
    assert "not valid YAML" in message


def test_missing_field_names_the_entry_and_line(make_corpus: MakeCorpus) -> None:
    root = make_corpus({"article.md": SMALL_ARTICLE,
                        "faq.yaml": "- id: one\n  question: Q?\n  answer: A.\n- id: two\n  question: Q2?\n"})
    assert _error(root) == f"{root / 'faq.yaml'}:4: missing field 'answer' in entry 'two'"


def test_a_number_where_text_belongs_is_reported(make_corpus: MakeCorpus) -> None:
    root = make_corpus({"faq.yaml": "- id: one\n  question: 42\n  answer: A.\n"})
    message = _error(root)
    assert ":2: field 'question' in entry 'one' must be text, got int 42" in message


def test_duplicate_id_points_at_the_second_entry(make_corpus: MakeCorpus) -> None:
    root = make_corpus({"faq.yaml": "- id: one\n  question: Q?\n  answer: A.\n- id: one\n  question: R?\n  answer: B.\n"})
    assert _error(root) == f"{root / 'faq.yaml'}:4: duplicate id 'one' (first used at faq.yaml:1)"


def test_an_unknown_source_is_a_notice_naming_the_likely_id_and_the_sources_are_inferred(
        make_corpus: MakeCorpus) -> None:
    faq = "- id: cat-sleep\n  question: How long do cats sleep?\n  answer: Cats sleep up to sixteen hours a day.\n" \
          "  sources: [cat-1]\n"
    corpus = load_corpus(make_corpus({"article.md": SMALL_ARTICLE, "faq.yaml": faq}))
    assert corpus.notices == ("faq.yaml:1: 'cat-sleep' cites 'cat-1', which names no passage now (did you mean "
                              "'cats-1'?); its sources are inferred until it is fixed (run faqbot check)",)
    entry = next(e for e in corpus.entries if e.id == "cat-sleep")
    assert entry.sources == ("cats-1",) and entry.sources_inferred


def test_a_corpus_written_against_an_older_release_keeps_answering(make_corpus: MakeCorpus,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """faq.yaml and faq.lock as an older chunker numbered the passages (``pets-cats-0``): the lock's
    recorded text leads to today's id, the bot answers and cites it, and each command says so once."""
    import json

    from faqbot import Answerer
    from faqbot.cli.main import main

    cats = "Cats are independent animals that sleep up to sixteen hours a day. They groom themselves and\n" \
           "usually use a litter box indoors."
    faq = "- id: cat-sleep\n  question: How long do cats sleep?\n  answer: Cats sleep up to sixteen hours a day.\n" \
          "  sources: [pets-cats-0]\n"
    lock = json.dumps({"faqbot-lock": 1, "entries": {"cat-sleep": {"pets-cats-0": cats}}})
    root = make_corpus({"article.md": SMALL_ARTICLE, "faq.yaml": faq, "faq.lock": lock})
    bot = Answerer.from_corpus(root, cache=False)
    assert bot.notices == ("faq.yaml:1: 'cat-sleep' cites 'pets-cats-0', which names no passage now; answering "
                           "from 'cats-1', the passage most like its text in faq.lock (run faqbot check)",)
    answer = bot.ask("How long do cats sleep?")
    assert answer.kind == "answer" and answer.citations[0].id == "cats-1"
    assert main(["ask", "--corpus", str(root), "--no-cache", "How long do cats sleep?"]) == 0
    out, err = capsys.readouterr()
    assert "sixteen hours" in out and err.count("pets-cats-0") == 1
    assert main(["check", "--corpus", str(root)]) == 1   # the author is still told to fix it
    assert "likely now 'cats-1'" in capsys.readouterr().out


def test_unknown_field_is_rejected(make_corpus: MakeCorpus) -> None:
    root = make_corpus({"faq.yaml": "- id: one\n  question: Q?\n  answer: A.\n  paraphrase: [oops]\n"})
    assert "unknown field 'paraphrase'" in _error(root)


def test_empty_article_is_an_error(make_corpus: MakeCorpus) -> None:
    root = make_corpus({"article.md": "# Only a title\n\n## And a heading\n", "faq.yaml": SMALL_FAQ})
    assert _error(root) == f"{root / 'article.md'}: the article is empty: it has no paragraphs or lists to answer from"


def test_binary_article_is_an_error(make_corpus: MakeCorpus) -> None:
    root = make_corpus({"article.md": b"# T\n\x00\x01\x02binary"})
    assert "looks like a binary file" in _error(root)


def test_non_utf8_file_names_the_line(make_corpus: MakeCorpus) -> None:
    root = make_corpus({"article.md": SMALL_ARTICLE, "faq.yaml": "- id: a\n  question: caf\xe9?\n".encode("latin-1")})
    message = _error(root)
    assert message.startswith(f"{root / 'faq.yaml'}:2: is not UTF-8 text")


def test_missing_folder_is_an_error(tmp_path: Path) -> None:
    assert "corpus folder does not exist" in _error(tmp_path / "nope")


def test_folder_without_article_or_faq_is_an_error(make_corpus: MakeCorpus) -> None:
    assert "nothing to answer from" in _error(make_corpus({"notes.txt": "hello"}))


def test_unknown_config_setting_is_rejected_with_its_line(make_corpus: MakeCorpus) -> None:
    root = make_corpus({"faq.yaml": FAQ_WITHOUT_SOURCES, "config.yaml": "target_precision: 0.9\ntarget_precison: 0.4\n"})
    message = _error(root)
    assert message.startswith(f"{root / 'config.yaml'}:2: unknown setting(s): target_precison")


def test_a_retired_threshold_setting_is_refused_naming_what_replaces_it(make_corpus: MakeCorpus) -> None:
    message = _error(make_corpus({"faq.yaml": FAQ_WITHOUT_SOURCES, "config.yaml": "clarify_threshold: 0.3\n"}))
    assert "config.yaml:1: setting 'clarify_threshold' is no longer used" in message
    assert "target_precision" in message and "fit_decision: false" in message


def test_article_only_and_faq_only_corpora_load(make_corpus: MakeCorpus) -> None:
    article_only = load_corpus(make_corpus({"article.md": SMALL_ARTICLE}, name="a"))
    assert [p.id for p in article_only.passages] == ["pets-1", "cats-1", "dogs-1"]
    assert all(e.implicit for e in article_only.entries)   # only what its headings imply
    faq_only = load_corpus(make_corpus({"faq.yaml": FAQ_WITHOUT_SOURCES}, name="b"))
    assert [e.id for e in faq_only.entries] == ["cat-sleep", "dog-walks"] and not faq_only.passages

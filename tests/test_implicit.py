"""What the article answers by itself: its headings as entries, and sources found for entries that name none."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from faqbot import Answerer
from faqbot.authoring.check import check_corpus
from faqbot.corpus.implicit import is_question
from faqbot.corpus.load import load_corpus
from tests.conftest import SMALL_ARTICLE, MakeCorpus
from tests.reliability_checks import run_cli_here

FAQ_PAGE = """\
# Tea questions

## How long should green tea steep?

Steep green tea for two to three minutes. Longer makes it bitter.

## Can I reuse tea leaves?

Yes. Good leaves give two or three infusions, each a little longer than the last.

## Storage

Keep tea in an airtight tin, away from light and strong smells.
"""

UNSOURCED_FAQ = """\
- id: reuse
  question: Is it fine to brew the same leaves twice?
  answer: Good leaves give two or three infusions.
- id: caffeine
  question: How much caffeine is in tea?
  answer: About forty milligrams a cup, depending on the blend.
"""


def test_question_headings_are_asked_as_written_and_others_as_keywords() -> None:
    assert [is_question(h) for h in ("How long should green tea steep?", "Can I reuse tea leaves", "Storage",
                                     "Loading order", "What's new")] == [True, True, False, False, True]


def test_each_heading_of_a_faq_shaped_page_is_an_entry_citing_its_section(make_corpus: MakeCorpus) -> None:
    corpus = load_corpus(make_corpus({"article.md": FAQ_PAGE}))
    entries = {e.id: e for e in corpus.entries}
    green = entries["heading:long-green-tea-steep"]
    assert green.implicit and green.question == "How long should green tea steep?"
    assert green.answer == "Steep green tea for two to three minutes. Longer makes it bitter."
    assert green.sources == ("long-green-tea-steep-1",)
    answer = Answerer.from_corpus(corpus).ask("how many minutes for green tea")
    assert answer.kind == "answer" and answer.citations[0].section == "How long should green tea steep?"
    assert "two to three minutes" in answer.text


def test_a_curated_entry_citing_a_section_replaces_its_implicit_entry(make_corpus: MakeCorpus) -> None:
    faq = "- id: reuse\n  question: Can tea leaves be reused?\n  answer: Yes, two or three times.\n" \
          "  sources: [reuse-tea-leaves-1]\n"
    corpus = load_corpus(make_corpus({"article.md": FAQ_PAGE, "faq.yaml": faq}))
    ids = [e.id for e in corpus.entries]
    assert "reuse" in ids and "heading:reuse-tea-leaves" not in ids and "heading:storage" in ids


def test_implicit_entries_can_be_turned_off(make_corpus: MakeCorpus) -> None:
    corpus = load_corpus(make_corpus({"article.md": FAQ_PAGE, "config.yaml": "implicit_entries: false\n"}))
    assert corpus.entries == ()


def test_an_entry_without_sources_cites_the_passage_that_backs_it_and_check_lists_it(make_corpus: MakeCorpus) -> None:
    root = make_corpus({"article.md": FAQ_PAGE, "faq.yaml": UNSOURCED_FAQ})
    entries = {e.id: e for e in load_corpus(root).entries}
    assert entries["reuse"].sources == ("reuse-tea-leaves-1",) and entries["reuse"].sources_inferred
    assert entries["caffeine"].sources == ()   # nothing in the article backs it
    answer = Answerer.from_corpus(root, cache=False).ask("Is it fine to brew the same leaves twice?")
    assert answer.citations[0].source == "article.md" and answer.citations[0].section == "Can I reuse tea leaves?"
    messages = {(f.entry, f.message.split(":")[0]) for f in check_corpus(str(root)).findings if f.check == "grounding"}
    assert ("reuse", "cites 'reuse-tea-leaves-1', found by faqbot (it names no sources)") in messages
    assert ("caffeine", "no passage of the article backs its answer, so it cites the FAQ file") in messages


def test_export_writes_implicit_entries_only_when_asked(make_corpus: MakeCorpus) -> None:
    root = make_corpus({"article.md": SMALL_ARTICLE})
    assert run_cli_here(["export", "--corpus", str(root)]).stdout.decode().strip() == "[]"
    starting = run_cli_here(["export", "--corpus", str(root), "--implicit"]).stdout.decode()
    assert "id: heading:cats" in starting and "sources:\n  - cats-1" in starting


@pytest.mark.slow   # three processes, each building and fitting
def test_the_fit_of_a_page_of_one_phrasing_entries_is_the_same_in_every_process(tmp_path: Path) -> None:
    """Pseudo-questions of one-phrasing entries once took their key words in set order (ties of equal
    rarity), so the fitted decision, and answers, changed with PYTHONHASHSEED."""
    import random
    import subprocess
    import sys

    rng = random.Random(5)
    words = ["".join(rng.choices("abcdefghijklmnopqrstuvwxyz", k=7)) for _ in range(600)]
    sections = [f"## What is {words[i]} {words[i + 1]}?\n\n" + " ".join(rng.sample(words, 12)).capitalize() + ". "
                + " ".join(rng.sample(words, 10)) + ".\n" for i in range(0, 160, 2)]
    (tmp_path / "article.md").write_text("# Glossary\n\n" + "\n".join(sections))
    script = ("import sys, json; from faqbot import Answerer; d = Answerer.from_corpus(sys.argv[1], cache=False)"
              ".decision.to_dict(); d['estimate'].pop('seconds', None); print(json.dumps(d, sort_keys=True))")
    fits = {subprocess.run([sys.executable, "-c", script, str(tmp_path)], capture_output=True, text=True, check=True,
                           env={**os.environ, "PYTHONHASHSEED": seed}, timeout=120).stdout for seed in ("1", "2")}
    assert len(fits) == 1 and "coefficients" in next(iter(fits))


def test_a_heading_entry_answers_with_the_sentences_of_its_section_that_carry_the_question(
        make_corpus: MakeCorpus) -> None:
    article = ("# Tea guide\n\n## Black tea\n\nSteep black tea for four to five minutes in freshly boiled water. "
               "It is the most popular tea in Britain and Ireland, drunk at breakfast and in the afternoon.\n\n"
               "Assam and Darjeeling are the best known kinds, named after the regions of India they grow in.\n\n"
               "Milk and sugar are optional, and a slice of lemon works too.\n\n"
               "## Green tea\n\nSteep green tea for two to three minutes at about 80 degrees Celsius.\n")
    bot = Answerer.from_corpus(make_corpus({"article.md": article}), cache=False)
    answer = bot.ask("can I put milk in black tea?")
    assert answer.kind == "answer" and answer.matched is not None and answer.matched.id == "heading:black-tea"
    assert answer.text == "Milk and sugar are optional, and a slice of lemon works too."
    assert answer.citations[0].section == "Black tea" and answer.citations[0].excerpt == answer.text
    opening = bot.ask("black tea")
    assert opening.text.startswith("Steep black tea for four to five minutes")


def test_a_heading_entry_states_the_facts_of_its_whole_section(make_corpus: MakeCorpus) -> None:
    """The focus check must not decline a count its section states after the opening sentences."""
    article = ("# Project governance\n\n## Collaborators\n\nCollaborators maintain the repository and review "
               "the pull requests that contributors open. They help newcomers find their way around the code.\n\n"
               "Both collaborators and outside contributors may propose changes to the source code.\n\n"
               "Two collaborators must approve a pull request before the pull request can land.\n\n"
               "## Triagers\n\nTriagers label new issues and close duplicates in the issue tracker.\n")
    bot = Answerer.from_corpus(make_corpus({"article.md": article}), cache=False)
    answer = bot.ask("How many collaborators must approve a pull request?")
    assert answer.kind == "answer" and answer.matched is not None and answer.matched.id == "heading:collaborators"
    assert answer.text.startswith("Two collaborators must approve a pull request")
    assert bot.ask("How many triagers are there?").kind == "abstain"   # that section states no count


def test_headings_read_without_markup_and_keep_their_ids(make_corpus) -> None:  # type: ignore[no-untyped-def]
    from faqbot import Answerer

    root = make_corpus({"article.md": """
        # Cargo

        ## Why have `Cargo.lock` in *version* control?

        > error: failed to select a version for the requirement `rand = "^0.9"`

        The lock file records the exact versions every build used, so that builds repeat.
        It belongs in version control for applications.
        """})
    bot = Answerer.from_corpus(root, cache=False)
    passages = bot.corpus.passages
    assert {p.section for p in passages} == {"Why have Cargo.lock in version control?"}
    assert all(p.id.startswith("cargo-lock-version-control") for p in passages)   # from the heading as written
    answer = bot.ask("Why have Cargo.lock in version control?")
    assert answer.kind == "answer" and answer.text.startswith("The lock file records")   # not the quoted error
    assert "`" not in answer.citations[0].section


def test_a_citation_excerpt_is_prose_not_a_code_block() -> None:
    from faqbot.engine.compose import excerpt

    sentences = ["```bash\ncorepack use pnpm@7.x\n```", "You can use corepack use to pin the version."]
    assert excerpt(sentences, "corepack use pnpm pins the version") == "You can use corepack use to pin the version."
    assert excerpt(sentences[:1], "anything") == "```bash corepack use pnpm@7.x ```"   # nothing else to quote

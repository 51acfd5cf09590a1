"""The article as a CommonMark reader sees it: headings of both kinds, code inside lists, tables,
front matter and comments, with exact line spans and stable passage ids."""

from __future__ import annotations

from faqbot.corpus.files import bundled_corpus_dir
from faqbot.corpus.load import load_corpus
from faqbot.corpus.markdown import chunk_markdown
from faqbot.language.text import split_sentences
from tests.conftest import MakeCorpus

BUNDLED_PASSAGES = [
    ("difference-llm-generative-ai-1", 3, 3), ("difference-llm-generative-ai-2", 5, 5),
    ("large-language-model-llm-1", 9, 9), ("examples-capabilities-llms-1", 13, 16),
    ("examples-capabilities-llms-2", 17, 18), ("examples-capabilities-llms-3", 20, 25),
    ("generative-ai-1", 29, 29), ("generative-ai-2", 31, 31), ("examples-generative-ai-beyond-text-1", 35, 38),
    ("examples-generative-ai-beyond-text-2", 39, 41), ("examples-generative-ai-beyond-text-3", 43, 43),
    ("llms-generative-ai-core-differences-1", 47, 47), ("use-cases-text-generation-art-1", 51, 53),
    ("use-cases-text-generation-art-2", 54, 57), ("underlying-architectures-models-1", 61, 66),
    ("underlying-architectures-models-2", 67, 70), ("underlying-architectures-models-3", 72, 72),
    ("one-use-1", 76, 76), ("choosing-based-use-case-goals-1", 80, 86), ("choosing-based-use-case-goals-2", 88, 92),
    ("choosing-based-use-case-goals-3", 94, 94), ("choosing-based-use-case-goals-4", 96, 102),
    ("future-outlook-llms-generative-ai-1", 106, 106), ("trends-ai-model-development-1", 110, 113),
    ("trends-ai-model-development-2", 114, 115), ("role-business-content-creation-1", 119, 125),
    ("role-business-content-creation-2", 126, 128), ("faq-difference-llm-generative-ai-1", 134, 134),
    ("chatgpt-llm-generative-ai-1", 138, 138), ("better-content-creation-llm-generative-1", 142, 142),
]


def test_the_bundled_articles_passage_ids_and_spans_never_change() -> None:
    passages = load_corpus(bundled_corpus_dir()).passages
    assert [(p.id, p.start_line, p.end_line) for p in passages] == BUNDLED_PASSAGES


FENCE_IN_LIST = """# Settings

The file is read in the following order:

- ```ini
  [global]
  timeout = 60
  ```
- the user file, then the site file.

# Loading order

Later files override earlier ones, so the site file wins over the user file every time.
"""


def test_a_fence_opened_in_a_list_item_does_not_swallow_the_next_heading() -> None:
    passages = chunk_markdown(FENCE_IN_LIST, "a.md")
    assert [(p.section, p.start_line, p.end_line) for p in passages] == [("Settings", 3, 9), ("Loading order", 13, 13)]
    code = next(s for s in passages[0].sentences if s.startswith("```"))
    assert code == "```ini\n[global]\ntimeout = 60\n```"   # the code block stays one block, lines kept
    assert passages[0].sentences[0] == "The file is read in the following order:"


def test_setext_headings_front_matter_and_comments() -> None:
    text = ("---\ntitle: Tea guide\nauthor: x\n---\nTea is a drink made from leaves, loved the world over.\n\n"
            "Brewing\n=======\n\n<!-- TODO: check the times -->\n\nBrew green tea for two minutes at 80 degrees.\n\n"
            "Storing\n-------\n\nKeep tea in a dry tin away from light.\n")
    passages = chunk_markdown(text, "a.md")
    assert [(p.section, p.path, p.start_line) for p in passages] == [
        ("Tea guide", ("Tea guide",), 5), ("Brewing", ("Brewing",), 12), ("Storing", ("Brewing", "Storing"), 17)]
    assert all("TODO" not in p.text and "author" not in p.text for p in passages)


def test_a_table_stays_whole_and_follows_its_lead_in() -> None:
    text = "# Operators\n\nThe operators are:\n\n| op | meaning |\n|----|---------|\n| >= | at least |\n| == | exactly |\n"
    [passage] = chunk_markdown(text, "a.md")
    assert (passage.start_line, passage.end_line) == (3, 8)
    assert passage.sentences[1] == "| op | meaning |\n|----|---------|\n| >= | at least |\n| == | exactly |"


def test_a_long_code_block_is_never_split() -> None:
    code = "\n".join(f"step {i} does something with the value here" for i in range(60))
    text = f"# Script\n\nRun this:\n\n```sh\n{code}\n```\n"
    passages = chunk_markdown(text, "a.md", max_words=50)
    assert len(passages) == 1 and passages[0].end_line == 66


def test_an_answer_ending_in_a_lead_in_colon_brings_its_list_and_code(make_corpus: MakeCorpus) -> None:
    from faqbot import Answerer

    root = make_corpus({"article.md": FENCE_IN_LIST})
    answer = Answerer.from_corpus(root, cache=False).ask("in what order is the file read?")
    assert answer.kind == "answer" and answer.citations[0].section == "Settings"
    assert answer.text.startswith("The file is read in the following order:\n```ini\n[global]\ntimeout = 60\n```\n"
                                  "the user file, then the site file.")


def test_sentences_read_links_and_strong_emphasis_as_a_reader_sees_them() -> None:
    text = ("Triagers assess issues in the [nodejs/node][] and [nodejs/help][help] repositories, **daily**. "
            "See: [List of triagers](./README.md#triagers) and ![the logo](logo.png).")
    assert split_sentences(text) == ["Triagers assess issues in the nodejs/node and nodejs/help repositories, daily.",
                                     "See: List of triagers and the logo."]
    assert split_sentences("A [x] box, snake_case and *emphasis* stay.") == ["A [x] box, snake_case and *emphasis* stay."]


def test_a_closing_bracket_or_quote_stays_with_its_sentence() -> None:
    assert split_sentences('Two must approve. (One is enough after 7 days.) He said "stop." Then left.') == [
        "Two must approve.", "(One is enough after 7 days.)", 'He said "stop."', "Then left."]


def test_a_table_of_contents_is_navigation_not_a_passage() -> None:
    text = ("# Guide\n\n<!-- TOC -->\n\n* [Setup](#setup)\n* [Usage](#usage)\n  * [Flags](#flags)\n\n<!-- /TOC -->\n\n"
            "## Setup\n\nRun the installer.\n\n## Usage\n\nSee [the flags](#flags) below:\n\n"
            "* [Flags](#flags)\n* [Setup](#setup)\n* and the [manual](https://example.org/manual)\n")
    passages = chunk_markdown(text, "guide.md")
    assert [p.section for p in passages] == ["Setup", "Usage"]
    assert passages[-1].sentences[-1] == "and the manual"   # a list with other content stays

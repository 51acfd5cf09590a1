"""Curated pairs as JSON Lines, CSV and TSV (QnA Maker layout): loading, citing, broken files, export."""

from __future__ import annotations

from pathlib import Path

import pytest

from faqbot import Answerer
from faqbot.corpus.formats import export_entries
from faqbot.corpus.load import load_corpus
from faqbot.errors import CorpusError

from .conftest import MakeCorpus

JSONL = (
    '{"id": "cat-sleep", "question": "How long do cats sleep?", "answer": "Cats sleep 12 to 16 hours a day.",'
    ' "paraphrases": ["cat sleeping hours"]}\n'
    "\n"
    '{"id": 7, "question": "Do dogs need walks?", "answer": "Yes, a dog needs a walk every day."}\n'
)
CSV = (
    "Question,Answer,Source\n"
    "How long do cats sleep?,Cats sleep 12 to 16 hours a day.,editorial\n"
    "how many hours does a cat sleep,Cats sleep 12 to 16 hours a day.,editorial\n"
    'Do dogs need walks?,"Yes, a dog needs a walk every day.",editorial\n'
)


def _error(root: Path) -> CorpusError:
    with pytest.raises(CorpusError) as caught:
        load_corpus(root)
    return caught.value


def test_jsonl_entries_load_with_their_lines_and_a_numeric_id_becomes_text(make_corpus: MakeCorpus) -> None:
    corpus = load_corpus(make_corpus({"faq.jsonl": JSONL}))
    assert [(e.id, e.question, e.line) for e in corpus.entries] == [
        ("cat-sleep", "How long do cats sleep?", 1), ("7", "Do dogs need walks?", 3)]
    assert corpus.entries[0].paraphrases == ("cat sleeping hours",)


def test_without_an_article_the_answer_cites_the_qa_entry_file_and_line(make_corpus: MakeCorpus) -> None:
    bot = Answerer.from_corpus(make_corpus({"faq.jsonl": JSONL}), cache=False)
    answer = bot.ask("how many hours do cats sleep")
    assert answer.kind == "answer" and answer.text == "Cats sleep 12 to 16 hours a day."
    (citation,) = answer.citations
    assert (citation.source, citation.start_line, citation.id) == ("faq.jsonl", 1, "cat-sleep")


def test_csv_rows_sharing_an_answer_are_one_entry_with_paraphrases(make_corpus: MakeCorpus) -> None:
    corpus = load_corpus(make_corpus({"faq.csv": CSV}))
    assert [(e.question, e.paraphrases, e.line) for e in corpus.entries] == [
        ("How long do cats sleep?", ("how many hours does a cat sleep",), 2), ("Do dogs need walks?", (), 4)]
    assert corpus.entries[1].answer == "Yes, a dog needs a walk every day."   # the quoted comma stays


def test_tsv_in_the_qna_maker_layout_is_answered(make_corpus: MakeCorpus) -> None:
    tsv = "Question\tAnswer\tSource\tQnaId\nDo dogs need walks?\tYes, every day.\tmanual\t12\n"
    bot = Answerer.from_corpus(make_corpus({"faq.tsv": tsv}), cache=False)
    answer = bot.ask("does my dog need a walk")
    assert answer.kind == "answer" and answer.matched is not None and answer.matched.id == "12"
    assert answer.citations[0].source == "faq.tsv" and answer.citations[0].start_line == 2


def test_a_row_without_its_trailing_optional_column_counts_as_empty(make_corpus: MakeCorpus) -> None:
    tsv = "Question\tAnswer\tId\nHow long do cats sleep?\tAll day.\tcat-sleep\nDo dogs need walks?\tYes.\n"
    corpus = load_corpus(make_corpus({"faq.tsv": tsv}))
    assert [e.id for e in corpus.entries] == ["cat-sleep", "qa-2"]


@pytest.mark.parametrize(("name", "content", "line", "problem"), [
    ("faq.csv", "Question,Reply\nWhy?,Because.\n", 1, "no 'Answer' column in the header (found: Question, Reply)"),
    ("faq.tsv", "Question,Answer\nWhy?,Because.\n", 1, "no 'Question' column in the header"),
    ("faq.csv", "Question,Answer\nWhy?\n", 2, "row has 1 column(s), the header has 2"),
    ("faq.csv", "Question,Answer\nWhy?,\n", 2, "empty answer"),
    ("faq.csv", "Question,Answer\n", 1, "has a header but no question-and-answer rows"),
    ("faq.csv", "", 1, "is empty"),
    ("faq.jsonl", "  \n", 1, "is empty"),
    ("faq.jsonl", '{"id": "a", "question": "Why?"}\n', 1, "missing field 'answer'"),
    ("faq.jsonl", '{"id": "a", "question": "Why?", "answer": "Yes."}\n{"id": "b",\n', 2, "not valid JSON"),
    ("faq.jsonl", '["Why?", "Yes."]\n', 1, "each line must be an object"),
    ("faq.jsonl", '{"id": "a", "question": "Why?", "answer": "Yes.", "sources": 5}\n', 1,
     "field 'sources' of entry 'a' must be a list of non-empty texts"),
])

def test_broken_table_files_name_the_file_line_and_problem(make_corpus: MakeCorpus, name: str, content: str,
                                                           line: int, problem: str) -> None:
    root = make_corpus({name: content})
    error = _error(root)
    assert (error.path, error.line) == (str(root / name), line)
    assert error.problem.startswith(problem)


# The same rules as faq.yaml, whatever the format: an unknown field or column is named, a bad id is
# refused (never rewritten), QnA Maker's own columns are read past.
ONE_RULEBOOK = {
    "faq.yaml": ("- id: a\n  question: Why?\n  answer: Yes.\n  tags: [x]\n", 4, "unknown field 'tags'"),
    "faq.jsonl": ('{"id": "a", "question": "Why?", "answer": "Yes.", "tags": ["x"]}\n', 1, "unknown field 'tags'"),
    "faq.csv": ("Question,Answer,Tags\nWhy?,Yes.,x\n", 1, "unknown column 'Tags'"),
    "faq.tsv": ("Question\tAnswer\tId\nWhy?\tYes.\tnot ok!\n", 2, "id 'not ok!' may hold only letters"),
    "faq.yml": ("- id: not ok!\n  question: Why?\n  answer: Yes.\n", 1, "id 'not ok!' may hold only letters"),
    "faq.jsonl ": ('{"id": "not ok!", "question": "Why?", "answer": "Yes."}\n', 1, "id 'not ok!' may hold only letters"),
}


@pytest.mark.parametrize("case", list(ONE_RULEBOOK))
def test_every_format_follows_the_same_rules_and_messages(make_corpus: MakeCorpus, case: str) -> None:
    content, line, problem = ONE_RULEBOOK[case]
    name = case.strip()
    root = make_corpus({name: content})
    error = _error(root)
    assert (error.path, error.line) == (str(root / name), line)
    assert error.problem.startswith(problem), error.problem


def test_qna_maker_columns_faqbot_does_not_use_are_read_past(make_corpus: MakeCorpus) -> None:
    tsv = ("Question\tAnswer\tSource\tMetadata\tSuggestedQuestions\tIsContextOnly\tPrompts\tQnaId\n"
           "How long do cats sleep?\tAll day.\tEditorial\tpets:cats\t[]\tfalse\t[]\t7\n"
           "Do cats sleep a lot?\tAll day.\tEditorial\tpets:cats\t[]\tfalse\t[]\t7\n")
    [entry] = load_corpus(make_corpus({"faq.tsv": tsv})).entries
    assert (entry.id, entry.question, entry.paraphrases, entry.answer) == (
        "7", "How long do cats sleep?", ("Do cats sleep a lot?",), "All day.")


@pytest.mark.parametrize("name", ["faq.csv", "faq.tsv", "faq.jsonl"])
def test_a_file_that_is_not_utf8_is_named_with_its_line(make_corpus: MakeCorpus, name: str) -> None:
    root = make_corpus({name: b"Question,Answer\nCaf\xe9?,Yes.\n"})
    error = _error(root)
    assert (error.path, error.line) == (str(root / name), 2)
    assert "is not UTF-8 text (byte 0xe9)" in error.problem


def test_a_config_key_yaml_reads_as_a_boolean_is_an_unknown_setting(make_corpus: MakeCorpus) -> None:
    error = _error(make_corpus({"faq.jsonl": JSONL, "config.yaml": "on: 0.5\n"}))
    assert "unknown setting(s): True" in error.problem and "target_precision" in error.problem


def test_yaml_and_jsonl_exports_load_back_as_the_same_entries(tmp_path: Path) -> None:
    original = load_corpus()
    article = (Path(original.root) / "article.md").read_text(encoding="utf-8")
    for fmt in ("yaml", "jsonl"):
        folder = tmp_path / fmt
        folder.mkdir()
        (folder / "article.md").write_text(article, encoding="utf-8")   # the passage ids stay valid
        (folder / f"faq.{fmt}").write_text(export_entries(original.entries, fmt), encoding="utf-8")
        again = load_corpus(folder)
        assert [e._replace(source="", line=0) for e in again.entries] == \
               [e._replace(source="", line=0) for e in original.entries]


def test_tsv_export_keeps_each_phrasing_as_a_row_but_not_the_passage_sources(tmp_path: Path) -> None:
    original = load_corpus()
    text = export_entries(original.entries, "tsv")
    assert text.splitlines()[0] == "Question\tAnswer\tSource\tId"
    assert len(text.splitlines()) == 1 + sum(len(e.phrasings) for e in original.entries)
    (tmp_path / "faq.tsv").write_text(text, encoding="utf-8")
    again = load_corpus(tmp_path)
    assert [(e.id, e.question, e.paraphrases, e.answer) for e in again.entries] == \
           [(e.id, e.question, e.paraphrases, e.answer) for e in original.entries]
    assert all(not e.sources and not e.related for e in again.entries)   # QnA Maker has no such columns

"""Broken corpora at the command line: exit status 2 and ONE line on stderr naming file, line and problem,
never a traceback. Article-only and Q&A-only corpora work. (tests/test_corpus.py covers the library.)"""

from __future__ import annotations

import io
import os
import re
import subprocess
from pathlib import Path

import pytest

from faqbot import Answerer
from faqbot.cli.main import main
from faqbot.corpus.files import bundled_corpus_dir
from tests.conftest import SMALL_ARTICLE, SMALL_FAQ, MakeCorpus
from tests.reliability_checks import run_cli

FAQ_WITHOUT_SOURCES = re.sub(r"\n\s*sources: .*", "", SMALL_FAQ)

ANY_LINE = -1   # the message may or may not name a line
DUPLICATE_IDS = "- id: one\n  question: Q?\n  answer: A.\n- id: one\n  question: R?\n  answer: B.\n"

# name: (files, file named in the message, line (None: the problem is the whole file or folder), problem)
BROKEN: dict[str, tuple[dict[str, str | bytes], str, int | None, str]] = {
    "malformed-yaml": ({"article.md": SMALL_ARTICLE, "faq.yaml": "- id: a\n  question: [unclosed\n  answer: x\n"},
                       "faq.yaml", 3, "not valid YAML"),
    "python-tag-in-yaml": ({"faq.yaml": "- !!python/object/apply:os.system ['echo pwned']\n"}, "faq.yaml", 1,
                           "not valid YAML"),
    "missing-field": ({"article.md": SMALL_ARTICLE,
                       "faq.yaml": "- id: one\n  question: Q?\n  answer: A.\n- id: two\n  question: Q2?\n"},
                      "faq.yaml", 4, "missing field 'answer' in entry 'two'"),
    "wrong-type": ({"faq.yaml": "- id: one\n  question: 42\n  answer: A.\n"}, "faq.yaml", 2,
                   "field 'question' in entry 'one' must be text, got int 42"),
    "duplicate-ids": ({"faq.yaml": DUPLICATE_IDS}, "faq.yaml", 4, "duplicate id 'one' (first used at faq.yaml:1)"),
    "empty-article": ({"article.md": "# Only a title\n\n## And a heading\n", "faq.yaml": FAQ_WITHOUT_SOURCES},
                      "article.md", None, "the article is empty"),
    "binary-article": ({"article.md": b"# T\n\x00\x01\x02binary\x89PNG"}, "article.md", 2,
                       "looks like a binary file, not text"),
    "non-utf8-faq": ({"article.md": SMALL_ARTICLE, "faq.yaml": "- id: a\n  question: caf\xe9?\n".encode("latin-1")},
                     "faq.yaml", 2, "is not UTF-8 text (byte 0xe9)"),
    "unknown-config-setting": ({"faq.yaml": FAQ_WITHOUT_SOURCES, "config.yaml": "answer_treshold: 0.4\n"},
                               "config.yaml", 1, "unknown setting(s): answer_treshold"),
    "deeply-nested-yaml": ({"article.md": SMALL_ARTICLE, "faq.yaml": "[" * 5000 + "]" * 5000 + "\n"},
                           "faq.yaml", ANY_LINE, "faq.yaml"),
    "nothing-to-answer-from": ({"notes.txt": "hello"}, "", None, "corpus has nothing to answer from"),
}
# More ways to break a corpus, checked in-process through faqbot.cli.main.main (same messages, no subprocess).
MORE_BROKEN: dict[str, tuple[dict[str, str | bytes], str, int | None, str]] = {
    "yaml-tab-indent": ({"faq.yaml": "- id: a\n\tquestion: Q?\n  answer: A.\n"}, "faq.yaml", 2, "not valid YAML"),
    "list-where-text-belongs": ({"faq.yaml": "- id: one\n  question: Q?\n  answer: [a, b]\n"}, "faq.yaml", 3,
                                "field 'answer' in entry 'one' must be text"),
    "related-pointing-nowhere": ({"faq.yaml": "- id: one\n  question: Q?\n  answer: A.\n  related: [two]\n"},
                                 "faq.yaml", 1, "entry 'one' relates to unknown entry 'two'"),
    "faq-not-a-list": ({"faq.yaml": "id: one\nquestion: Q?\n"}, "faq.yaml", 1, "must be a list of entries"),
    "empty-faq": ({"article.md": SMALL_ARTICLE, "faq.yaml": ""}, "faq.yaml", None, "is empty"),
    "zero-byte-article": ({"article.md": b""}, "article.md", None, "the article is empty"),
    "non-utf8-article": ({"article.md": "# T\n\nLine one.\n\nCaf\xe9 au lait.\n".encode("cp1252")}, "article.md", 5,
                         "is not UTF-8 text"),
    "utf16-article": ({"article.md": "# Pets\n\nCats sleep.\n".encode("utf-16")}, "article.md", 1,
                      "is UTF-16 text; save it as UTF-8"),
    "config-out-of-range": ({"faq.yaml": FAQ_WITHOUT_SOURCES, "config.yaml": "target_precision: 7\n"},
                            "config.yaml", 1, "setting 'target_precision' is on a 0-1 scale, got 7"),
    "config-retired-threshold": ({"faq.yaml": FAQ_WITHOUT_SOURCES, "config.yaml": "answer_threshold: 0.5\n"},
                                 "config.yaml", 1, "setting 'answer_threshold' is no longer used"),
    "bad-smalltalk": ({"faq.yaml": FAQ_WITHOUT_SOURCES, "smalltalk.yaml": "intents: 5\n"}, "smalltalk.yaml", 1,
                      "must be a mapping with 'intents:'"),
    "bad-aliases": ({"faq.yaml": FAQ_WITHOUT_SOURCES, "aliases.yaml": "llm: 5\n"}, "aliases.yaml", 1,
                    "alias 'llm' must map to a list of texts"),
}


def _check_one_message(result: subprocess.CompletedProcess[bytes], path: str, line: int | None,
                        problem: str) -> None:
    stderr = result.stderr.decode("utf-8", "replace")
    assert "Traceback" not in stderr, stderr[-3000:]
    assert result.returncode == 2, (result.returncode, stderr)
    assert result.stdout == b""
    _check_message(stderr, path, line, problem)


def _check_message(stderr: str, path: str, line: int | None, problem: str) -> None:
    lines = stderr.splitlines()
    assert len(lines) == 1, lines
    if line == ANY_LINE:
        assert re.match(rf"faqbot: {re.escape(path)}(:\d+)?: \S", lines[0]), lines[0]
    else:
        where = path if line is None else f"{path}:{line}"
        assert lines[0].startswith(f"faqbot: {where}: "), lines[0]
    assert problem in lines[0]


@pytest.mark.parametrize("case", list(BROKEN), ids=list(BROKEN))
def test_broken_corpus_exits_2_with_one_message_naming_file_line_and_problem(make_corpus: MakeCorpus,
                                                                              case: str) -> None:
    files, name, line, problem = BROKEN[case]
    root = make_corpus(files)
    result = run_cli(["ask", "--corpus", str(root), "how long do cats sleep"])
    _check_one_message(result, str(root / name) if name else str(root), line, problem)


def test_missing_corpus_folder_exits_2_with_one_message(tmp_path: Path) -> None:
    missing = tmp_path / "does-not-exist"
    result = run_cli(["ask", "--corpus", str(missing), "how long do cats sleep"])
    _check_one_message(result, str(missing), None, "corpus folder does not exist")


def test_corpus_that_is_a_file_exits_2_with_one_message(tmp_path: Path) -> None:
    not_a_folder = tmp_path / "article.md"
    not_a_folder.write_text("# A file, not a folder\n\nSome text here.\n")
    result = run_cli(["ask", "--corpus", str(not_a_folder), "text"])
    _check_one_message(result, str(not_a_folder), None, "corpus folder does not exist")


@pytest.mark.parametrize("case", list(MORE_BROKEN), ids=list(MORE_BROKEN))
def test_more_broken_corpora_exit_2_with_one_message(make_corpus: MakeCorpus, capsys: pytest.CaptureFixture[str],
                                                    case: str) -> None:
    files, name, line, problem = MORE_BROKEN[case]
    root = make_corpus(files)
    assert main(["ask", "--corpus", str(root), "how long do cats sleep"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    _check_message(err, str(root / name) if name else str(root), line, problem)


@pytest.mark.parametrize("command", [["chat"], ["eval", "tests/data/questions.yaml"], ["index"], ["export"]],
                         ids=["chat", "eval", "index", "export"])
def test_every_command_reports_a_broken_corpus_the_same_way(make_corpus: MakeCorpus, command: list[str],
                                                            capsys: pytest.CaptureFixture[str],
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_corpus({"faq.yaml": DUPLICATE_IDS})
    monkeypatch.chdir(Path(__file__).parent.parent)
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b"how long do cats sleep\n")))
    assert main([*command, "--corpus", str(root)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    _check_message(err, str(root / "faq.yaml"), 4, "duplicate id 'one'")


# ----------------------------------------------------------------------------- corpora that must work


def test_article_only_corpus_answers_from_the_article(make_corpus: MakeCorpus) -> None:
    root = make_corpus({"article.md": SMALL_ARTICLE})
    Answerer.from_corpus(root)   # warm the (test-private) cache in-process: the subprocesses start in a blink
    result = run_cli(["ask", "--corpus", str(root), "do cats sleep sixteen hours a day"])
    assert result.returncode == 0 and result.stderr == b""
    out = result.stdout.decode()
    assert out.startswith("Cats are independent animals that sleep up to sixteen hours a day.")
    assert "(article.md:7" in out
    chat = run_cli(["chat", "--corpus", str(root)], input=b"hi\nhelp\nwhat do dogs need\nweather in paris\n")
    assert chat.returncode == 0 and chat.stderr == b"" and "Dogs are loyal" in chat.stdout.decode()


def test_faq_only_corpus_answers_from_its_entries(make_corpus: MakeCorpus) -> None:
    root = make_corpus({"faq.yaml": FAQ_WITHOUT_SOURCES})
    Answerer.from_corpus(root)
    result = run_cli(["ask", "--corpus", str(root), "how long do cats sleep"])
    assert result.returncode == 0 and result.stderr == b""
    out = result.stdout.decode()
    assert out.startswith("Cats sleep up to sixteen hours a day.") and "(faq.yaml:1)" in out
    chat = run_cli(["chat", "--corpus", str(root)], input=b"hi\nhelp\ndog walks\ntell me more\n/sources\n")
    assert chat.returncode == 0 and chat.stderr == b"" and "Dogs need a walk" in chat.stdout.decode()


def test_corpus_folder_with_a_non_utf8_name_answers(tmp_path: Path) -> None:
    root = os.fsencode(tmp_path) + b"/corpus-\xff"
    os.mkdir(root)
    for name in ("article.md", "faq.yaml"):
        with open(os.path.join(os.fsencode(bundled_corpus_dir()), name.encode()), "rb") as src, \
                open(root + b"/" + name.encode(), "wb") as dst:
            dst.write(src.read())
    with open(root + b"/config.yaml", "wb") as config:
        config.write(b"fit_decision: false\n")   # the test is about the folder's name, not the fit
    answer = Answerer.from_corpus(os.fsdecode(root)).ask("Is ChatGPT an LLM?")   # builds and caches in-process
    assert answer.kind == "answer"
    result = run_cli(["ask", "--corpus", root, "Is ChatGPT an LLM?"])
    assert b"Traceback" not in result.stderr, result.stderr.decode(errors="replace")[-2000:]
    assert result.returncode == 0 and result.stdout.startswith(b"ChatGPT is both")

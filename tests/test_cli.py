"""`faqbot ask` and friends as a script or a person uses them: arguments, stdin, JSON, exit codes, colour."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from faqbot.cli.main import main
from tests.conftest import SMALL_ARTICLE, SMALL_FAQ, MakeCorpus


def run(*args: str, stdin: bytes | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    """The real program in a child process, as a shell would start it."""
    return subprocess.run([sys.executable, "-m", "faqbot", *args], input=stdin, capture_output=True, timeout=60,
                          env={**os.environ, **(env or {})})


def test_ask_prints_the_answer_and_numbered_citations(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "Is ChatGPT an LLM?"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("ChatGPT is both.")
    assert '[1] FAQ › Is ChatGPT an LLM or generative AI? (article.md:' in out
    assert "\x1b[" not in out   # captured output is not a terminal: no colour


def test_words_without_quotes_are_one_question(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "is", "chatgpt", "an", "llm"]) == 0
    assert "ChatGPT is both" in capsys.readouterr().out


def test_question_from_stdin_with_and_without_dash() -> None:
    for args in (["ask"], ["ask", "-"]):
        result = run(*args, stdin=b"what is an llm\n")
        assert result.returncode == 0, result.stderr
        assert b"Large Language Model" in result.stdout


def test_json_is_exactly_to_dict(capsys: pytest.CaptureFixture[str]) -> None:
    from faqbot import Answerer

    assert main(["ask", "--json", "which tool should a filmmaker use?"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == json.loads(json.dumps(Answerer.from_corpus().ask("which tool should a filmmaker use?").to_dict()))
    assert set(printed) == {"question", "kind", "text", "confidence", "citations", "matched", "suggestions", "options"}


def test_abstaining_exits_1_and_lists_suggestions(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "weather in Paris"]) == 1
    out = capsys.readouterr().out
    assert "doesn't cover" in out and "You could ask:" in out


def test_clarification_and_small_talk_exit_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "code"]) == 0
    assert "Did you mean:" in capsys.readouterr().out
    assert main(["ask", "hello"]) == 0
    assert capsys.readouterr().out.startswith("Hello! I can answer questions about the article")


def test_explain_shows_candidates_and_passages(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "--explain", "whats the diffrence btwn llm and gen ai"]) == 0
    out = capsys.readouterr().out
    assert "curated entries" in out and "difference-llm-genai" in out and "article passages" in out


def test_usage_errors_exit_2_without_a_traceback() -> None:
    for args in (["ask", "--bogus"], ["frobnicate"], ["eval"]):
        result = run(*args)
        assert result.returncode == 2
        assert b"Traceback" not in result.stderr and b"error" in result.stderr


def test_empty_stdin_is_a_usage_error() -> None:
    result = run("ask", stdin=b"   \n")
    assert result.returncode == 2 and b"no question given" in result.stderr


def test_broken_corpus_exits_2_with_file_and_line(make_corpus: MakeCorpus) -> None:
    root = make_corpus({"article.md": SMALL_ARTICLE, "faq.yaml": "- id: a\n  question: Q?\n"})
    result = run("ask", "--corpus", str(root), "anything")
    assert result.returncode == 2
    assert result.stderr.decode().strip() == f"faqbot: {root / 'faq.yaml'}:1: missing field 'answer' in entry 'a'"


def test_another_corpus_is_used_with_corpus_dir(make_corpus: MakeCorpus, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_corpus({"article.md": SMALL_ARTICLE, "faq.yaml": SMALL_FAQ})
    assert main(["ask", "--corpus", str(root), "how long do cats sleep"]) == 0
    assert "sixteen hours" in capsys.readouterr().out


def test_colour_on_a_terminal_but_not_with_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    from faqbot.cli import render

    class Tty:
        def isatty(self) -> bool:
            return True

    assert render.use_color(Tty())   # type: ignore[arg-type]
    monkeypatch.setenv("NO_COLOR", "1")
    assert not render.use_color(Tty())   # type: ignore[arg-type]


def test_invalid_utf8_on_stdin_is_replaced_not_fatal() -> None:
    result = run("ask", stdin=b"\xff\xfe what is an llm")
    assert result.returncode == 0 and b"Traceback" not in result.stderr


def test_version_and_help_show_examples() -> None:
    from faqbot import __version__

    assert run("--version").stdout.decode().strip() == f"faqbot {__version__}"
    help_text = run("ask", "--help").stdout.decode()
    assert "examples:" in help_text and 'faqbot ask "Is ChatGPT an LLM?"' in help_text


def test_export_writes_the_curated_pairs_in_each_format(capsys: pytest.CaptureFixture[str]) -> None:
    from faqbot.corpus.formats import export_entries
    from faqbot.corpus.load import load_corpus

    entries = load_corpus().entries
    for fmt in ("yaml", "jsonl", "tsv"):
        assert main(["export", "--format", fmt]) == 0
        assert capsys.readouterr().out == export_entries(entries, fmt)   # loading back: tests/test_formats.py


def test_json_escapes_line_separators_and_bidi_controls(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "--json", "what\u2028is\u202ean llm\u2029"]) in (0, 1)
    out = capsys.readouterr().out
    assert len(out.splitlines()) == 1 and "\u2028" not in out and "\u202e" not in out
    assert json.loads(out)["question"] == "what\u2028is\u202ean llm\u2029"

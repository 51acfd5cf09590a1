"""docs/authoring.md is run, not just read: every file it shows is written and loaded, every command
in its walkthrough is run in order, and the output it shows must appear."""

from __future__ import annotations

import dataclasses
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from faqbot.config import Config
from faqbot.corpus.load import load_corpus
from faqbot.evaluate import load_question_set

DOC = Path(__file__).resolve().parents[1] / "docs" / "authoring.md"
pytestmark = pytest.mark.no_cache_seed


def _blocks() -> list[tuple[str, str]]:
    """(info string, content) of every fenced block of the page, in order."""
    tokens = MarkdownIt("commonmark").parse(DOC.read_text(encoding="utf-8"))
    return [(t.info, t.content) for t in tokens if t.type == "fence"]


def _title(info: str) -> str | None:
    return info.split('title="', 1)[1].split('"', 1)[0] if 'title="' in info else None


def _run(command: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    words = shlex.split(command)
    assert words[0] == "faqbot", command
    return subprocess.run([sys.executable, "-m", "faqbot", *words[1:]], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300, check=False)


def test_every_block_of_the_page_is_a_file_or_a_command() -> None:
    for info, content in _blocks():
        assert _title(info) or info == "console", f"a block that no test runs: {info!r} {content[:60]!r}"


@pytest.mark.slow   # runs every command of the authoring walkthrough in its own process
def test_the_walkthrough_runs_as_written(tmp_path: Path) -> None:
    env = {**os.environ, "FAQBOT_LOG_DIR": str(tmp_path / "log"), "NO_COLOR": "1"}
    ran = 0
    for info, content in _blocks():
        title = _title(info)
        if title and not title.startswith("example/"):
            target = tmp_path / title
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(content, encoding="utf-8")
        elif info == "console":
            command, expected = None, []
            for line in [*content.splitlines(), "$ (end)"]:
                if line.startswith("$ "):
                    if command is not None:
                        result = _run(command, tmp_path, env)
                        assert result.returncode in (0, 1), (command, result.stderr)
                        for want in expected:
                            assert want.strip() in result.stdout, (command, want, result.stdout)
                        ran += 1
                    command, expected = line[2:], []
                else:
                    expected.append(line)
    assert ran == 7
    assert "does tea go stale" in (tmp_path / "teabot" / "faq.yaml").read_text()   # --apply merged it


def test_the_example_files_make_a_corpus_that_loads(tmp_path: Path) -> None:
    folder = tmp_path / "example"
    folder.mkdir()
    for info, content in _blocks():
        title = _title(info)
        if title == "tea.md":
            (folder / "article.md").write_text(content, encoding="utf-8")
        elif title and title.startswith("example/") and title != "example/questions.yaml":
            (folder / title.split("/", 1)[1]).write_text(content, encoding="utf-8")
        elif title == "example/questions.yaml":
            (tmp_path / "questions.yaml").write_text(content, encoding="utf-8")
    corpus = load_corpus(folder)
    assert {"green-tea-time", "water-temperature", "sencha"} <= {e.id for e in corpus.entries}
    assert corpus.config.source_name == "the tea guide" and corpus.config.log_unanswered == "always"
    questions = load_question_set(tmp_path / "questions.yaml")
    assert questions.questions[0].must_include == ("three minutes",) and len(questions.conversations) == 1


def test_every_setting_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    missing = [f.name for f in dataclasses.fields(Config) if f"`{f.name}`" not in text]
    assert missing == []

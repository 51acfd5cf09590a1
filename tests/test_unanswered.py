"""The unanswered log: what readers asked and didn't get, recorded where the README says and nowhere else."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from faqbot import Answerer
from faqbot.corpus.files import bundled_corpus_dir
from faqbot.storage.unanswered import log_path, read_log
from tests.conftest import SMALL_ARTICLE, SMALL_FAQ, MakeCorpus
from tests.reliability_checks import run_cli_here

ASKED = "what is an llm\nwhat is the weather in paris\nhow tall is the eiffel tower\n"


@pytest.fixture
def log_on(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """The log as a user has it: on (the suite turns it off), in a folder of its own."""
    monkeypatch.delenv("FAQBOT_LOG")
    monkeypatch.setenv("FAQBOT_LOG_DIR", str(tmp_path / "log"))
    return Path(log_path(bundled_corpus_dir()))


def test_chat_records_declined_questions_privately_and_not_answered_ones(log_on: Path) -> None:
    result = run_cli_here(["chat", "--json"], input=ASKED.encode())
    assert result.returncode == 0
    rows = read_log(str(log_on))
    assert [(r["question"], r["kind"]) for r in rows] == [("what is the weather in paris", "abstain"),
                                                          ("how tall is the eiffel tower", "abstain")]
    assert set(rows[0]) == {"time", "question", "kind", "best", "best_confidence"}
    assert stat.S_IMODE(log_on.stat().st_mode) == 0o600 and stat.S_IMODE(log_on.parent.stat().st_mode) == 0o700


@pytest.mark.parametrize(("args", "env", "config", "logged"), [
    (["ask"], {}, None, False),                                   # a one-shot ask records nothing by default
    (["ask", "--log"], {}, None, True),
    (["ask"], {}, "log_unanswered: always\n", True),              # the author's corpus says so
    (["ask", "--no-log"], {}, "log_unanswered: always\n", False),
    (["chat"], {}, "log_unanswered: off\n", False),
    (["chat", "--log"], {"FAQBOT_LOG": "off"}, None, False),      # the user's setting wins over everything
])
def test_who_records_and_how_to_turn_it_off(log_on: Path, make_corpus: MakeCorpus, args: list[str],
                                            env: dict[str, str], config: str | None, logged: bool) -> None:
    files = {"article.md": SMALL_ARTICLE, "faq.yaml": SMALL_FAQ, **({"config.yaml": config} if config else {})}
    root = make_corpus(files)
    question = "what is the weather in paris"
    extra = [question] if args[0] == "ask" else []
    result = run_cli_here([*args, "--corpus", str(root), *extra], input=(question + "\n").encode(), env=env)
    assert result.returncode in (0, 1)
    rows = read_log(log_path(str(root)))
    assert [r["question"] for r in rows] == ([question] if logged else [])


def test_the_library_never_writes_the_log(log_on: Path) -> None:
    answer = Answerer.from_corpus().ask("what is the weather in paris")
    assert answer.kind == "abstain" and not log_on.parent.exists()


def test_a_symlink_planted_at_the_log_path_is_not_followed(log_on: Path, tmp_path: Path) -> None:
    target = tmp_path / "victim"
    target.write_text("precious\n")
    log_on.parent.mkdir(mode=0o700, parents=True)
    os.symlink(target, log_on)
    result = run_cli_here(["chat"], input=b"what is the weather in paris\n")
    assert result.returncode == 0 and target.read_text() == "precious\n"


def test_review_purge_empties_the_log(log_on: Path) -> None:
    run_cli_here(["chat"], input=ASKED.encode())
    assert read_log(str(log_on))
    result = run_cli_here(["review", "--purge"])
    assert result.returncode == 0 and not log_on.exists()
    assert "removed" in result.stdout.decode()

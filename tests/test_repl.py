"""`faqbot chat`: the prompt_toolkit loop driven through a pipe, a real pseudo-terminal, and piped lines."""

from __future__ import annotations

import io
import json
import os
import stat
import sys
from pathlib import Path

import pytest
from prompt_toolkit.history import InMemoryHistory
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from faqbot import Answerer
from faqbot.cli.completer import suggest
from faqbot.cli.repl import build_prompt_session, history_path, open_history, run_lines, run_repl


def _chat(bot: Answerer, keys: str) -> str:
    """Type *keys* into the REPL; return everything it printed."""
    printed: list[str] = []
    with create_pipe_input() as pipe:
        pipe.send_text(keys)
        session = build_prompt_session(bot, InMemoryHistory(), input=pipe, output=DummyOutput())
        run_repl(bot, prompt_session=session, write=printed.append)
    return "\n".join(printed)


def test_scripted_conversation_through_the_prompt(bot: Answerer) -> None:
    out = _chat(bot, "What is an LLM?\n"          # a question
                     "give me some examples\n"     # a follow-up
                     "/sources 1\n"                # the full text of citation 1, with line numbers
                     "code\n"                      # ambiguous: did you mean ...
                     "2\n"                         # the clarification answered by number
                     "/reset\n"
                     "what is it used for?\n"      # no context after /reset
                     "\x04")                       # Ctrl-D leaves
    assert out.startswith("faqbot ")                                   # the welcome
    assert "Try:" in out and "Is ChatGPT an LLM or generative AI?" in out
    assert "A Large Language Model (LLM) is a sophisticated AI system" in out
    assert "Qwen2.5" in out                                            # the examples follow-up
    assert "article.md:13-16" in out and "   15 │ - GPT-4.5 (OpenAI): Released in February 2025" in out   # /sources 1
    assert "Did you mean:" in out and "Can LLMs generate code?" in out
    assert "Conversation forgotten" in out
    assert "Could you say a little more?" in out


def test_unknown_command_and_ctrl_c_do_not_end_the_chat(bot: Answerer) -> None:
    out = _chat(bot, "/frobnicate\nhalf a question\x03hello\n/quit\n")
    assert "Unknown command /frobnicate. Commands: /help" in out and "(/help explains them)" in out
    assert "Hello!" in out   # Ctrl-C cleared the line, the next line still works


def test_help_lists_the_commands(bot: Answerer) -> None:
    out = _chat(bot, "/help\n\x04")
    for command in ("/help", "/sources N", "/explain", "/reset", "/quit"):
        assert command in out


def test_sources_and_explain_before_any_question_say_so(bot: Answerer) -> None:
    out = _chat(bot, "/sources 1\n/explain\nIs ChatGPT an LLM?\n/sources 9\n/explain\n\x04")
    assert "No citations to show" in out and "Nothing to explain yet" in out
    assert "There is no citation 9: the last answer has 1" in out
    assert "decision: answer" in out and "chatgpt-llm-or-genai" in out


def test_completion_of_curated_questions_is_fuzzy(bot: Answerer) -> None:
    assert suggest("chatgpt", bot.questions)[0] == "Is ChatGPT an LLM or generative AI?"
    assert "What is Qwen2.5?" in suggest("qwen", bot.questions)
    assert suggest("x", bot.questions) == []


def test_piped_chat_keeps_the_conversation_and_writes_json_lines(bot: Answerer) -> None:
    stdin = io.TextIOWrapper(io.BytesIO(b"what is an llm\ngive me some examples\n\n/reset\n"), encoding="utf-8")
    out = io.StringIO()
    run_lines(bot, stdin, out, json_lines=True)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [line.get("kind", line.get("command")) for line in lines] == ["answer", "answer", "reset"]
    assert "Qwen2.5" in lines[1]["text"]


def test_history_file_is_private_and_its_folder_is_created(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "state" / "history"
    history, warning = open_history(path)
    assert warning == "" and path.exists()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    history.store_string("what is \x1b[2Jan llm")   # type: ignore[attr-defined]
    assert "\x1b" not in path.read_text(encoding="utf-8")


def test_unwritable_history_falls_back_to_memory_with_one_warning(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    history, warning = open_history(blocker / "history")
    assert isinstance(history, InMemoryHistory) and warning.startswith("History is kept in memory only")


def test_history_goes_under_the_state_directory(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    assert history_path() == tmp_path / "faqbot" / "history"


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
@pytest.mark.slow
def test_real_terminal_round_trip(tmp_path: Path) -> None:
    pexpect = pytest.importorskip("pexpect")
    env = {**os.environ, "FAQBOT_HISTORY": str(tmp_path / "history"), "TERM": "xterm", "COLUMNS": "100"}
    child = pexpect.spawn(sys.executable, ["-m", "faqbot", "chat"], env=env, encoding="utf-8", timeout=60)
    try:
        child.expect("faqbot> ")
        child.sendline("Is ChatGPT an LLM?")
        child.expect("ChatGPT is both")
        child.expect("faqbot> ")
        child.sendline("What tools make videos?")
        child.expect("Runway")
        child.expect("faqbot> ")
        child.sendline("and music?")   # a follow-up: the conversation carries over
        child.expect("Suno")
        child.expect("faqbot> ")
        child.sendcontrol("c")          # Ctrl-C: a new prompt, no traceback
        child.expect("faqbot> ")
        child.sendcontrol("d")          # Ctrl-D: leave
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0
    assert "Traceback" not in (child.before or "")
    assert stat.S_IMODE((tmp_path / "history").stat().st_mode) == 0o600

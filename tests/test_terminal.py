"""The interactive chat's terminal side: a private history file (0600) in a folder created on demand,
an in-memory fallback with one warning, and no escape sequence from the user ever stored or echoed raw."""

from __future__ import annotations

import io
import os
import stat
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest
from prompt_toolkit.application import create_app_session
from prompt_toolkit.history import InMemoryHistory
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from faqbot import Answerer
from faqbot.cli import repl
from tests.reliability_checks import ESCAPES, build_warm_cache, raw_controls

WARNING = "History is kept in memory only"
PASTED = "\x1b[200~what is an llm \x1b]52;c;SGVsbG8=\x07 \x1b[2J\x1b]0;pwned\x07\x1b[201~\r"   # a bracketed paste


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _chat(bot: Answerer, keys: list[str]) -> list[str]:
    """Run the real REPL (real PromptSession, real history) on *keys*; returns what it printed."""
    printed: list[str] = []
    with create_pipe_input() as pipe, create_app_session(input=pipe, output=DummyOutput()):
        for k in keys:
            pipe.send_text(k)
        pipe.send_text("\x04")   # Ctrl-D leaves
        repl.run_repl(bot, write=printed.append)
    return printed


# ----------------------------------------------------------------------------- where and how history is kept


def test_history_file_is_created_with_mode_0600_in_a_missing_directory(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state" / "deeper"))
    path = repl.history_path()
    assert path == tmp_path / "state" / "deeper" / "faqbot" / "history" and not path.parent.exists()
    history, warning = repl.open_history(path)
    assert warning == "" and not isinstance(history, InMemoryHistory)
    assert path.is_file() and _mode(path) == 0o600
    assert _mode(path.parent) & 0o077 == 0   # the folder holding it is private too


def test_faqbot_history_overrides_the_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "custom" / "place" / "my-history"
    monkeypatch.setenv("FAQBOT_HISTORY", str(target))
    assert repl.history_path() == target
    _, warning = repl.open_history(repl.history_path())
    assert warning == "" and target.is_file() and _mode(target) == 0o600


def test_faqbot_history_expands_the_home_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("FAQBOT_HISTORY", "~/hist/faqbot")
    assert repl.history_path() == tmp_path / "hist" / "faqbot"


def test_existing_history_file_with_loose_permissions_is_tightened_to_0600(tmp_path: Path) -> None:
    path = tmp_path / "history"
    path.write_text("\n# old\n+what is an llm\n")
    path.chmod(0o644)
    _, warning = repl.open_history(path)
    assert warning == "" and _mode(path) == 0o600
    assert "+what is an llm" in path.read_text()   # kept, not truncated


@pytest.mark.parametrize("where", ["parent-is-a-file", "path-is-a-directory", "read-only-directory"])
def test_unwritable_history_location_falls_back_to_memory_with_a_warning(tmp_path: Path, where: str,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    if where == "parent-is-a-file":
        (tmp_path / "afile").write_text("x")
        path = tmp_path / "afile" / "history"
    elif where == "path-is-a-directory":
        path = tmp_path / "history"
        path.mkdir()
    else:
        folder = tmp_path / "locked"
        folder.mkdir()
        folder.chmod(0o500)
        path = folder / "history"
        real_open = os.open

        def refuse(file: str | bytes | os.PathLike[str], flags: int, *args: int, **kwargs: object) -> int:
            if Path(os.fsdecode(file)) == path:   # root ignores mode bits: refuse explicitly as well
                raise PermissionError(13, "Permission denied", str(file))
            return real_open(file, flags, *args, **kwargs)   # type: ignore[arg-type]

        monkeypatch.setattr(os, "open", refuse)
    try:
        history, warning = repl.open_history(path)
    finally:
        if where == "read-only-directory":
            (tmp_path / "locked").chmod(0o700)
    assert isinstance(history, InMemoryHistory)
    assert warning.startswith(WARNING) and str(path) in warning
    assert "\n" not in warning


def test_repl_with_an_unwritable_history_warns_exactly_once_and_keeps_answering(
        bot: Answerer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "afile").write_text("x")
    monkeypatch.setenv("FAQBOT_HISTORY", str(tmp_path / "afile" / "history"))
    printed = _chat(bot, ["what is an llm\r", "hi\r", "Is ChatGPT an LLM?\r"])
    assert sum(WARNING in p for p in printed) == 1
    assert printed[0].count(WARNING) == 1   # before the welcome, not in the middle of answers
    assert any("ChatGPT is both" in p for p in printed)


# ----------------------------------------------------------------------------- no escape sequences stored or echoed


def test_history_file_never_stores_escape_sequences(tmp_path: Path) -> None:
    path = tmp_path / "history"
    history, _ = repl.open_history(path)
    for escape in ESCAPES:
        history.store_string(f"what is {escape} an llm{escape}")   # type: ignore[attr-defined]
    data = path.read_bytes()
    assert raw_controls(data) == [] and b"\x1b" not in data and b"\x07" not in data
    assert data.count(b"+what is ") == len(ESCAPES)


def test_a_pasted_question_with_escape_sequences_is_answered_stored_and_echoed_clean(
        bot: Answerer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "state" / "history"
    monkeypatch.setenv("FAQBOT_HISTORY", str(path))
    printed = _chat(bot, [PASTED, "/sources 1\r", "/bogus\x1b]52;c;QUJD\x07\r"])
    assert any(p.startswith("A Large Language Model (LLM)") for p in printed)
    assert raw_controls("".join(printed).encode()) == []
    data = path.read_bytes()
    assert b"what is an llm" in data and raw_controls(data) == []
    assert _mode(path) == 0o600


def test_chat_reads_an_old_history_file_holding_escape_sequences_without_replaying_them(
        bot: Answerer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "history"
    path.write_bytes(b"\n# 2020-01-01\n+\x1b]52;c;SGVsbG8=\x07what is an llm\n")
    monkeypatch.setenv("FAQBOT_HISTORY", str(path))
    printed = _chat(bot, ["\x1b[A\r"])   # arrow up recalls it, Enter sends it
    assert raw_controls("".join(printed).encode()) == []


# ----------------------------------------------------------------------------- a real terminal


def _chat_in_a_pty(home: Path, cache: Path, typed: Sequence[bytes], **env: str) -> tuple[int, bytes]:
    """`faqbot chat` in a pseudo-terminal: type *typed*, wait for the LLM answer and the next prompt,
    then Ctrl-D. (exit status, everything the terminal received)."""
    pexpect = pytest.importorskip("pexpect")
    full = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "PYTHONWARNINGS")}
    full |= {"FAQBOT_CACHE_DIR": str(cache), "TERM": "xterm-256color", "HOME": str(home), **env}
    log = io.BytesIO()
    child = pexpect.spawn(sys.executable, ["-m", "faqbot", "chat"], env=full, timeout=30, dimensions=(40, 160))
    child.logfile_read = log
    try:
        child.expect(b"faqbot> ")
        for keys in typed:
            child.send(keys)
        child.expect(b"sophisticated AI system")
        child.expect(b"faqbot> ")
        child.sendcontrol("d")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    return (-1 if child.exitstatus is None else int(child.exitstatus)), log.getvalue()   # -1: killed by a signal


@pytest.mark.slow
def test_chat_in_a_pseudo_terminal_warns_once_and_never_echoes_escape_sequences(
        tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    (tmp_path / "afile").write_text("x")
    status, out = _chat_in_a_pty(tmp_path, build_warm_cache(tmp_path_factory.mktemp("pty-cache")), [PASTED.encode()],
                                 FAQBOT_HISTORY=str(tmp_path / "afile" / "history"))
    assert status == 0
    assert out.count(WARNING.encode()) == 1
    assert b"\x1b]52" not in out and b"\x1b]0;pwned" not in out and b"\x07" not in out


@pytest.mark.slow
def test_typing_an_escape_sequence_into_the_chat_does_not_stop_it(
        tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    # ESC[31m is parsed as a malformed mouse report by prompt_toolkit: the chat must go on.
    status, _ = _chat_in_a_pty(tmp_path, build_warm_cache(tmp_path_factory.mktemp("pty-cache-esc")),
                               [b"\x1b[31m", b"what is an llm\r"], FAQBOT_HISTORY="off", TERM="xterm")
    assert status == 0

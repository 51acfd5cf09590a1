"""`faqbot ask` and piped `faqbot chat` with hostile input and output: clean answers, no traceback,
nothing a terminal would act on, bounded time. One subprocess per case (``python -m faqbot``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from faqbot import Answerer
from faqbot.cli import render
from faqbot.cli.commands import ChatState, dispatch
from faqbot.cli.main import main
from faqbot.engine.compose import EMPTY_QUESTION
from faqbot.models import KINDS
from tests.conftest import SMALL_ARTICLE, SMALL_FAQ, MakeCorpus, seed_cache
from tests.reliability_checks import (
    CONTROLS,
    ESCAPES,
    INJECTIONS,
    SCRIPTS,
    TRUNCATION_NOTICE,
    raw_controls,
    run_cli,
    stderr_lines,
)

LLM_ANSWER = "A Large Language Model (LLM) is a sophisticated AI system"


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory, bundled_cache: bytes) -> dict[str, str]:
    """A warm index cache of the bundled corpus and an isolated home, for every subprocess of this module."""
    home = tmp_path_factory.mktemp("cli-home")
    cache = seed_cache(tmp_path_factory.mktemp("cli-cache"), bundled_cache)
    return {"FAQBOT_CACHE_DIR": str(cache), "HOME": str(home), "XDG_STATE_HOME": str(home / "state"),
            "XDG_CACHE_HOME": str(home / "cache")}


def _no_traceback(result: subprocess.CompletedProcess[bytes]) -> None:
    assert b"Traceback" not in result.stderr, result.stderr.decode(errors="replace")[-3000:]


def _json_lines(result: subprocess.CompletedProcess[bytes]) -> list[dict[str, object]]:
    return [json.loads(line) for line in result.stdout.decode("utf-8").split("\n") if line]


# ----------------------------------------------------------------------------- encodings


def test_invalid_utf8_on_stdin_abstains_cleanly(env: dict[str, str]) -> None:
    result = run_cli(["ask"], input=b"\xff\xfe", env=env)
    _no_traceback(result)
    assert result.returncode == 1 and result.stderr == b""
    assert result.stdout.decode("utf-8").startswith(EMPTY_QUESTION)


def test_invalid_utf8_on_stdin_gives_valid_utf8_json(env: dict[str, str]) -> None:
    result = run_cli(["ask", "--json"], input=b"what is an llm \xff\xfe\xc3", env=env)
    _no_traceback(result)
    assert result.returncode == 0
    answer = json.loads(result.stdout.decode("utf-8"))
    assert answer["kind"] == "answer" and answer["text"].startswith(LLM_ANSWER)
    assert answer["question"] == "what is an llm \ufffd\ufffd\ufffd"


def test_invalid_utf8_in_the_question_argument_gives_valid_utf8_json(env: dict[str, str]) -> None:
    """argv is decoded with surrogateescape: the question holds lone surrogates, which must not reach stdout."""
    result = run_cli(["ask", "--json", b"what is an llm \xff"], env=env)
    _no_traceback(result)
    assert result.returncode == 0
    answer = json.loads(result.stdout.decode("utf-8"))   # strict: the output must be UTF-8
    assert answer["kind"] == "answer" and answer["text"].startswith(LLM_ANSWER)


def test_invalid_utf8_in_the_question_argument_answers_in_text_mode(env: dict[str, str]) -> None:
    result = run_cli(["ask", b"what is an llm \xff"], env=env)
    _no_traceback(result)
    assert result.returncode == 0 and result.stdout.decode("utf-8").startswith(LLM_ANSWER)


def test_invalid_utf8_lines_in_piped_chat_are_answered(env: dict[str, str]) -> None:
    result = run_cli(["chat", "--json"], input=b"what is an llm\xff\n\xfe\xfd\n\xc3\n", env=env)
    _no_traceback(result)
    answers = _json_lines(result)
    assert result.returncode == 0 and [a["kind"] for a in answers] == ["answer", "abstain", "abstain"]
    assert answers[1]["text"] == EMPTY_QUESTION


def test_nul_bytes_and_control_characters_on_stdin_do_not_change_the_answer(env: dict[str, str]) -> None:
    question = b"what\x00 is\x07 an\x1b[2J llm\x00" + "".join(CONTROLS).encode()
    result = run_cli(["ask"], input=question, env=env)
    _no_traceback(result)
    assert result.returncode == 0 and result.stdout.decode().startswith(LLM_ANSWER)
    assert raw_controls(result.stdout) == []


# ----------------------------------------------------------------------------- empty input


@pytest.mark.parametrize(("args", "stdin"), [(["ask", ""], b""), (["ask"], b"  \n\t \n"), (["ask", "-"], b""),
                                             (["ask"], None)], ids=["empty-argument", "blank-stdin", "dash-empty",
                                                                    "dev-null"])
def test_empty_question_is_a_usage_error_with_one_message(env: dict[str, str], args: list[str],
                                                          stdin: bytes | None) -> None:
    result = run_cli(args, input=stdin, env=env)
    _no_traceback(result)
    assert result.returncode == 2 and result.stdout == b""
    assert stderr_lines(result) == ['faqbot: no question given: faqbot ask "your question" (or pipe it on stdin)']


def test_chat_with_stdin_from_dev_null_exits_0_silently(env: dict[str, str]) -> None:
    result = run_cli(["chat"], input=None, env=env)
    assert (result.returncode, result.stdout, result.stderr) == (0, b"", b"")


def _with_closed_stdin(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[bytes]:
    full_env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FAQBOT_HISTORY")} | env
    return subprocess.run(["sh", "-c", 'exec "$0" -m faqbot "$@" <&-', sys.executable, *args], capture_output=True,
                          env=full_env, timeout=60, check=False)


def test_chat_with_a_closed_stdin_exits_0_silently(env: dict[str, str]) -> None:
    result = _with_closed_stdin(["chat"], env)
    _no_traceback(result)
    assert (result.returncode, result.stdout, result.stderr) == (0, b"", b"")


def test_ask_with_a_closed_stdin_is_a_usage_error(env: dict[str, str]) -> None:
    result = _with_closed_stdin(["ask"], env)
    _no_traceback(result)
    assert result.returncode == 2 and len(stderr_lines(result)) == 1


# ----------------------------------------------------------------------------- escape sequences


def test_escape_sequences_in_questions_never_reach_the_terminal(env: dict[str, str]) -> None:
    lines = [f"{e}what is an llm{e}" for e in ESCAPES] + [f"{e}" for e in ESCAPES]
    lines += ["code", "2", "/explain", "/sources", "/sources 1\x1b]52;c;QUJD\x07", "/\x1b]52;c;QUJD\x07",
              "/sources \x1b[2J", "help", "thanks \x1b[6n"]
    result = run_cli(["chat"], input="\n".join(lines).encode() + b"\n", env=env)
    _no_traceback(result)
    assert result.returncode == 0 and result.stderr == b""
    assert raw_controls(result.stdout) == []
    assert result.stdout.count(LLM_ANSWER.encode()) >= len(ESCAPES)


@pytest.mark.parametrize("args", [["ask", "--explain"], ["ask", "--json", "--explain"], ["chat", "--json"]],
                         ids=["ask-explain", "ask-json", "chat-json"])
def test_escape_sequences_in_a_question_are_not_echoed_raw(env: dict[str, str], args: list[str]) -> None:
    question = "\x1b]52;c;SGVsbG8=\x07what is\x9b2J an\u009d0;x\u009c llm \x1b[2J\x85"
    result = run_cli(args, input=question.encode() + b"\n", env=env)
    _no_traceback(result)
    assert result.returncode == 0 and raw_controls(result.stdout) == [] and raw_controls(result.stderr) == []


ESCAPING_ARTICLE = """\
# Pets \x1b[2J\x1b]52;c;SGVsbG8=\x07

Pets are animals kept for company\x1b]0;title\x07. Cats and dogs are the most common pets in many homes today.

## Cats \x1b[31m

Cats are independent animals that sleep up to sixteen hours a day. They groom themselves \u009b2J and
usually use a litter box indoors.
"""
ESCAPING_FAQ = """\
- id: cat-sleep
  question: "How long do cats sleep? \\e]52;c;QUJD\\a"
  answer: "Cats sleep up to sixteen hours a day. \\e[2J\\e]52;c;QUJD\\a"
  paraphrases: ["cat sleep \\e[6n hours"]
  sources: [cats-1]
- id: cat-box
  question: "Do cats use a litter box? \\x9b1m"
  answer: "Usually, indoors."
  sources: [cats-1]
"""


def test_escape_sequences_in_the_corpus_never_reach_the_terminal(env: dict[str, str], make_corpus: MakeCorpus,
                                                                  tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    root = make_corpus({"article.md": ESCAPING_ARTICLE, "faq.yaml": ESCAPING_FAQ}, name="esc\x1b]0;t\x07")
    cache = tmp_path / "cache\x1b]52;c;QUJD\x07"
    monkeypatch.setenv("FAQBOT_CACHE_DIR", str(cache))
    assert main(["index", "--corpus", str(root)]) == 0   # in-process: builds the cache the subprocesses read
    out, err = capsys.readouterr()
    assert raw_controls(out.encode()) == [] and raw_controls(err.encode()) == [] and "Index cache:" in out
    own = env | {"FAQBOT_CACHE_DIR": str(cache)}
    lines = ["how long do cats sleep", "/sources", "/sources 1", "/explain", "cats", "1", "help", "pets",
             "what are pets kept for", "weather"]
    for args, stdin in ((["chat", "--corpus", str(root)], "\n".join(lines)),
                        (["ask", "--explain", "--corpus", str(root)], "how long do cats sleep"),
                        (["ask", "--json", "--explain", "--corpus", str(root)], "how long do cats sleep")):
        result = run_cli(args, input=stdin.encode(), env=own)
        _no_traceback(result)
        assert result.returncode in (0, 1), result.stderr
        assert b"sixteen hours" in result.stdout
        assert raw_controls(result.stdout) == [] and raw_controls(result.stderr) == [], args


def test_escape_sequences_in_an_error_message_never_reach_the_terminal(env: dict[str, str],
                                                                       make_corpus: MakeCorpus) -> None:
    root = make_corpus({"faq.yaml": "- id: a\x1b]52;c;QUJD\x07\n  question: Q?\n"}, name="bad\x1b[2J")
    result = run_cli(["ask", "--corpus", str(root), "q"], env=env)
    _no_traceback(result)
    assert result.returncode == 2 and len(stderr_lines(result)) == 1
    assert raw_controls(result.stderr) == []


# ----------------------------------------------------------------------------- other scripts, injections


def test_emoji_other_scripts_and_injections_abstain_via_the_cli(env: dict[str, str]) -> None:
    lines = [*SCRIPTS, *INJECTIONS]
    result = run_cli(["chat", "--json"], input="\n".join(lines).encode() + b"\n", env=env)
    _no_traceback(result)
    answers = _json_lines(result)
    assert result.returncode == 0 and len(answers) == len(lines)
    assert [a["kind"] for a in answers] == ["abstain"] * len(lines)
    assert [a["question"] for a in answers] == [line.strip() for line in lines]


# ----------------------------------------------------------------------------- huge input


def test_a_1mb_question_on_stdin_is_truncated_with_a_printed_notice(env: dict[str, str]) -> None:
    question = b"What is an LLM? " * 62_500
    start = time.perf_counter()
    result = run_cli(["ask"], input=question, env=env)
    elapsed = time.perf_counter() - start
    _no_traceback(result)
    first, *rest = result.stdout.decode().split("\n")
    assert result.returncode == 0 and TRUNCATION_NOTICE.search(first) and first.startswith("Note: ")
    assert rest[0].startswith(LLM_ANSWER)
    assert elapsed < 15, f"{elapsed:.1f} s"


def test_a_1mb_question_in_json_mode_prints_the_notice_on_stderr(env: dict[str, str]) -> None:
    result = run_cli(["ask", "--json"], input=b"What is an LLM? " * 62_500, env=env)
    _no_traceback(result)
    assert result.returncode == 0 and json.loads(result.stdout)["kind"] == "answer"
    lines = stderr_lines(result)
    assert len(lines) == 1 and TRUNCATION_NOTICE.search(lines[0])


@pytest.mark.parametrize("json_mode", [False, True], ids=["text", "json"])
def test_a_1mb_line_in_piped_chat_prints_the_truncation_notice(env: dict[str, str], json_mode: bool) -> None:
    result = run_cli(["chat", *(["--json"] if json_mode else [])], input=b"What is an LLM? " * 62_500 + b"\nhi\n",
                     env=env)
    _no_traceback(result)
    assert result.returncode == 0
    printed = result.stdout.decode() + result.stderr.decode()
    assert TRUNCATION_NOTICE.search(printed), "the truncation notice was not printed"


@pytest.mark.slow
def test_10000_questions_piped_into_chat_get_one_reply_each(make_corpus: MakeCorpus, tmp_path: Path,
                                                             env: dict[str, str]) -> None:
    root = make_corpus({"article.md": SMALL_ARTICLE, "faq.yaml": SMALL_FAQ})
    menu = [b"How long do cats sleep?", b"how often should I walk my dog", b"dogs", b"hi", b"thanks", b"2",
            b"tell me more", b"what about cats?", b"weather in paris", b"\x00", b"\x1b[2J",
            b"\x1b]52;c;SGVsbG8=\x07 cats", b"\xff\xfe", b"\xf0\x9f\x8d\x95", "什么是猫".encode(),
            b"'; DROP TABLE pets; --", b"<script>alert(1)</script>", b"x" * 3000, b"/help", b"/sources 1",
            b"/explain", b"/reset", b"   ", b""]
    lines = [menu[(i * 7919) % len(menu)] for i in range(10_000)]
    replies = sum(1 for line in lines if line.decode("utf-8", "replace").strip())
    Answerer.from_corpus(root, cache_dir=tmp_path / "cache")   # warm the cache in-process: time the chat only
    start = time.perf_counter()
    result = run_cli(["chat", "--json", "--corpus", str(root)], input=b"\n".join(lines) + b"\n",
                     env=env | {"FAQBOT_CACHE_DIR": str(tmp_path / "cache")}, timeout=120)
    elapsed = time.perf_counter() - start
    _no_traceback(result)
    assert result.returncode == 0
    long_lines = sum(1 for line in lines if len(line) > 2000)
    notices = stderr_lines(result)   # stderr holds the truncation notices and nothing else
    assert all(TRUNCATION_NOTICE.search(n) for n in notices) and len(notices) in (0, long_lines)
    out = _json_lines(result)
    assert len(out) == replies
    assert all(o["kind"] in KINDS for o in out if "kind" in o)
    assert all(o["command"] in ("help", "sources", "explain", "reset") for o in out if "kind" not in o)
    assert raw_controls(result.stdout) == []
    assert elapsed < 60, f"{elapsed:.1f} s"


# ----------------------------------------------------------------------------- output faults


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.parametrize(("args", "stdin"), [(["ask", "what is an llm"], b""),
                                             (["ask", "--json", "what is an llm"], b""),
                                             (["chat"], b"what is an llm\nhi\n")], ids=["ask", "ask-json", "chat"])
def test_output_to_a_full_disk_is_reported_without_a_traceback(env: dict[str, str], args: list[str],
                                                               stdin: bytes) -> None:
    full_env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FAQBOT_HISTORY")} | env
    with open("/dev/full", "wb") as full:
        result = subprocess.run([sys.executable, "-m", "faqbot", *args], input=stdin, stdout=full,
                                stderr=subprocess.PIPE, env=full_env, timeout=60, check=False)
    _no_traceback(result)
    assert result.returncode != 0
    lines = stderr_lines(result)
    assert len(lines) == 1 and lines[0].startswith("faqbot: "), lines


def test_a_closed_pipe_on_stdout_ends_chat_quietly(env: dict[str, str], tmp_path: Path) -> None:
    questions = tmp_path / "questions.txt"
    questions.write_bytes(b"what is an llm\n" * 2000)
    full_env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FAQBOT_HISTORY")} | env
    with questions.open("rb") as stdin:
        proc = subprocess.Popen([sys.executable, "-m", "faqbot", "chat"], stdin=stdin, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env=full_env)
        assert proc.stdout is not None and proc.stderr is not None
        first = proc.stdout.readline()
        proc.stdout.close()
        err = proc.stderr.read()
        proc.stderr.close()
        proc.wait(timeout=60)
    assert first.startswith(LLM_ANSWER.encode())
    assert b"Traceback" not in err and proc.returncode == 0, err.decode(errors="replace")


# ----------------------------------------------------------------------------- chat commands


@pytest.mark.parametrize("argument", ["²", "١", "٢", "𝟏", "1.0", "-1", "99999999999999999999999", "\x1b[2J", "①"])
def test_sources_with_an_odd_number_answers_without_crashing(bot: Answerer, argument: str) -> None:
    state = ChatState(bot.session(), render.Painter(False))
    assert dispatch("What is an LLM?", state, bot.examples).answer is not None
    reply = dispatch(f"/sources {argument}", state, bot.examples)
    assert reply.command == "sources" and reply.text
    assert raw_controls(reply.text.encode()) == []

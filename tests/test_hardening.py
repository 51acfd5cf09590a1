"""Hostile input that once ended in a traceback: one line naming the problem and exit status 2.

Every hostile case that reaches faqbot from outside runs in a subprocess capped at 2 GiB of address
space (RLIMIT_AS), so a regression fails fast instead of eating the machine."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from faqbot.cli.main import main
from tests.conftest import MakeCorpus
from tests.reliability_checks import HOSTILE_MEMORY, limit_memory, run_cli, stderr_lines

HOSTILE_JSONL = {
    "deep-nesting": ("[" * 100_000, "JSON nested too deeply to read"),
    "huge-number": ('{"id": "a", "question": "q?", "answer": ' + "9" * 5000 + "}", "a JSON value faqbot cannot read"),
}


@pytest.mark.parametrize("command", ["ask", "index"])
@pytest.mark.parametrize("case", sorted(HOSTILE_JSONL))
def test_a_hostile_jsonl_line_is_one_error_naming_file_and_line(make_corpus: MakeCorpus, command: str,
                                                                 case: str) -> None:
    line, problem = HOSTILE_JSONL[case]
    root = make_corpus({"faq.jsonl": line + "\n"})
    result = run_cli([command, "--corpus", str(root), *(["hi"] if command == "ask" else [])], memory=HOSTILE_MEMORY)
    assert result.returncode == 2 and b"Traceback" not in result.stderr
    lines = stderr_lines(result)
    assert len(lines) == 1 and lines[0].startswith(f"faqbot: {root / 'faq.jsonl'}:1: {problem}")


def test_an_unexpected_error_is_one_line_and_exit_2(monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    from faqbot.answerer import Answerer

    def broken(self: Answerer, question: str) -> None:
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(Answerer, "ask", broken)
    monkeypatch.delenv("FAQBOT_DEBUG", raising=False)
    assert main(["ask", "what is an llm"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("faqbot: unexpected error, a bug in faqbot (ZeroDivisionError: a bug)") and "FAQBOT_DEBUG=1" in err
    monkeypatch.setenv("FAQBOT_DEBUG", "1")
    with pytest.raises(ZeroDivisionError):
        main(["ask", "what is an llm"])


def test_closed_stdout_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-c", "import os, sys; os.close(1); sys.stdout = None; "
                             "from faqbot.cli.main import main; raise SystemExit(main(['ask', 'hi']))"],
                            capture_output=False, stderr=subprocess.PIPE, check=False, timeout=60,
                            preexec_fn=limit_memory())
    assert result.returncode == 2
    assert result.stderr.decode().strip() == "faqbot: standard output is closed: nothing can be printed"


PATHOLOGICAL_MARKDOWN = {
    # Once cubic: the heading pattern backtracked on spaces and #s that do not close the heading (42 s).
    "heading-backtracking": "# T\n\nText here.\n\n" + "# a" + " " * 3000 + "#" * 3000 + " " * 3000 + "x\n",
    # Once quadratic: every continuation line of a list item re-joined the item so far (30 s at 400k).
    "long-list-item": "# T\n\n- item\n" + "continued line\n" * 200_000,
}


@pytest.mark.slow   # a process loading a 200,000-line article
@pytest.mark.parametrize("case", sorted(PATHOLOGICAL_MARKDOWN))
def test_pathological_markdown_loads_in_linear_time(make_corpus: MakeCorpus, case: str) -> None:
    root = make_corpus({"article.md": PATHOLOGICAL_MARKDOWN[case]})
    script = ("import sys, time; from faqbot.corpus.load import load_corpus; t = time.perf_counter(); "
              "c = load_corpus(sys.argv[1]); print(time.perf_counter() - t, c.passages[0].section)")
    result = subprocess.run([sys.executable, "-c", script, str(root)], capture_output=True, text=True, timeout=60,
                            check=False, preexec_fn=limit_memory())
    assert result.returncode == 0, result.stderr[-500:]
    seconds, section = result.stdout.split()
    assert float(seconds) < 20 and section == "T"   # generous: linear code takes well under a second here


def test_closing_hashes_of_a_heading_are_dropped_but_not_a_trailing_hash_of_a_word() -> None:
    from faqbot.corpus.markdown import _heading_text

    assert [_heading_text(t) for t in ("Title ##", "C#", "A # b #", "x", "#")] == ["Title", "C#", "A # b", "x", ""]


def test_an_endless_question_on_stdin_is_read_only_as_far_as_needed() -> None:
    endless = subprocess.Popen(["yes", "what is an llm"], stdout=subprocess.PIPE)
    try:
        result = subprocess.run([sys.executable, "-m", "faqbot", "ask"], stdin=endless.stdout, capture_output=True,
                                timeout=60, check=False, preexec_fn=limit_memory())
    finally:
        endless.kill()
        endless.wait()
        if endless.stdout is not None:
            endless.stdout.close()
    assert result.returncode == 0 and b"shortened to its first 2000 characters" in result.stdout
    assert b"A Large Language Model (LLM)" in result.stdout


@pytest.mark.slow   # a fresh build and 200 questions of unknown words
def test_the_stem_memo_stays_bounded_in_a_long_lived_answerer(monkeypatch: pytest.MonkeyPatch) -> None:
    import random
    import string

    from faqbot import Answerer
    from faqbot.language.analysis import Stemmer

    monkeypatch.setattr(Stemmer, "MAX_SEEN", 500)
    bot = Answerer.from_corpus(cache=False)
    stemmer = bot.index.analyzer.stemmer
    known = len(stemmer.memo)
    rng = random.Random(7)
    for _ in range(200):
        bot.ask(" ".join("".join(rng.choices(string.ascii_lowercase, k=9)) for _ in range(20)))
    assert len(stemmer.memo) <= known + 500
    answer = bot.ask("what is an llm")
    assert answer.matched is not None and answer.matched.id == "what-is-llm"


SURROGATE_FAQ = '- id: z\n  question: "zebra \\ud800 food?"\n  answer: "Zebras eat grass. \\x1b]0;title\\x07 Really."\n'


_BUILDS = pytest.mark.slow   # a process that builds the index (about a second each)


@pytest.mark.parametrize("args", [pytest.param(["ask", "--json", "zebra food"], marks=_BUILDS),
                                  pytest.param(["ask", "zebra food"], marks=_BUILDS),
                                  pytest.param(["chat", "--json"], marks=_BUILDS),
                                  ["export", "--format", "jsonl"], ["export", "--format", "yaml"],
                                  ["export", "--format", "tsv"]])
def test_lone_surrogates_and_escapes_in_a_corpus_never_reach_the_output_raw(make_corpus: MakeCorpus,
                                                                            args: list[str]) -> None:
    import json

    root = make_corpus({"faq.yaml": SURROGATE_FAQ})
    result = run_cli([*args, "--corpus", str(root)], input=b"zebra food\n", memory=HOSTILE_MEMORY)
    assert result.returncode == 0, result.stderr
    out = result.stdout.decode("utf-8")            # strict: valid UTF-8
    assert "\x1b" not in out and "\x07" not in out and "Zebras eat grass." in out
    if "--json" in args or "jsonl" in args:
        for line in out.splitlines():
            json.loads(line)


def test_history_never_follows_a_symlink_planted_at_its_path(tmp_path: Path) -> None:
    from faqbot.cli.repl import open_history

    target = tmp_path / "victim.txt"
    target.write_text("precious\n")
    target.chmod(0o644)
    link = tmp_path / "state" / "history"
    link.parent.mkdir()
    link.symlink_to(target)
    history, warning = open_history(link)
    history.store_string("what is an llm")   # in memory only
    assert warning.startswith("History is kept in memory only")
    assert target.read_text() == "precious\n" and (target.stat().st_mode & 0o777) == 0o644


def test_history_as_a_fifo_does_not_hang_the_chat(tmp_path: Path) -> None:
    import os

    from faqbot.cli.repl import open_history

    fifo = tmp_path / "history"
    os.mkfifo(fifo)
    _, warning = open_history(fifo)
    assert warning.startswith("History is kept in memory only")   # at once: O_NONBLOCK, then "not a regular file"


def test_history_round_trips_stays_private_and_is_rotated_when_large(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    import faqbot.storage.statefiles
    from faqbot.cli.repl import open_history

    folder = tmp_path / "state"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    path = folder / "history"
    history, warning = open_history(path)
    assert warning == "" and (folder.stat().st_mode & 0o777) == 0o700 and (path.stat().st_mode & 0o777) == 0o600
    history.store_string("first question")
    history.store_string("second\x1b[31m question")
    assert list(open_history(path)[0].load_history_strings()) == ["second question", "first question"]
    monkeypatch.setattr(faqbot.storage.statefiles, "MAX_STATE_FILE", 64)
    monkeypatch.setattr(faqbot.storage.statefiles.append_private, "__defaults__", (64,))
    for n in range(10):
        history.store_string(f"question number {n}")
    assert path.stat().st_size <= 64 and (folder / "history.1").exists()


def test_a_service_log_kept_open_rotates_when_full_and_follows_a_rotation_made_outside(tmp_path: Path) -> None:
    import json

    from faqbot.storage.statefiles import AppendLog

    path = tmp_path / "serve" / "access.jsonl"
    log = AppendLog(str(path), limit=200, recheck_s=0.0)
    for n in range(6):
        assert log({"path": "/v1/ask", "n": n})
    rows = [json.loads(line) for part in (path.with_name("access.jsonl.1"), path)
            for line in part.read_text().splitlines()]
    assert [r["n"] for r in rows] == list(range(6)) and path.stat().st_size <= 200
    assert (path.stat().st_mode & 0o777) == 0o600 and (path.parent.stat().st_mode & 0o777) == 0o700
    path.rename(tmp_path / "moved-away.jsonl")   # logrotate, or an operator, moved it
    assert log({"n": 6})
    assert json.loads(path.read_text())["n"] == 6   # a new file at the path, not the moved one


def test_a_service_log_never_writes_through_a_symlink_planted_at_its_path(tmp_path: Path) -> None:
    from faqbot.storage.statefiles import AppendLog

    target = tmp_path / "victim.txt"
    target.write_text("precious\n")
    (tmp_path / "serve").mkdir(mode=0o700)
    (tmp_path / "serve" / "access.jsonl").symlink_to(target)
    log = AppendLog(str(tmp_path / "serve" / "access.jsonl"))
    assert log({"path": "/"}) is False and log({"path": "/"}) is False   # refused each time, and no crash
    assert target.read_text() == "precious\n"


@pytest.mark.slow   # a process building and fitting the bundled corpus from nothing
@pytest.mark.no_cache_seed
@pytest.mark.parametrize("kind", ["fifo", "dev-zero"])
def test_a_fifo_or_dev_zero_at_the_cache_path_is_neither_waited_on_nor_read(tmp_path: Path, kind: str) -> None:
    import os

    from faqbot.corpus.files import bundled_corpus_dir
    from faqbot.storage.cache import cache_path

    cache = tmp_path / "special-cache"
    cache.mkdir()
    path = Path(cache_path(bundled_corpus_dir(), cache))
    if kind == "fifo":
        os.mkfifo(path)
    else:
        path.symlink_to("/dev/zero")
    result = run_cli(["ask", "what is an llm"], env={"FAQBOT_CACHE_DIR": str(cache)}, timeout=60, memory=HOSTILE_MEMORY)
    assert result.returncode == 0 and b"A Large Language Model (LLM)" in result.stdout
    assert path.is_file() and not path.is_symlink()   # replaced by a real cache, atomically


@pytest.mark.parametrize(("value", "off"), [("off", True), ("OFF", True), ("0", True), ("", False)])
def test_faqbot_history_off_keeps_nothing(monkeypatch: pytest.MonkeyPatch, value: str, off: bool) -> None:
    from faqbot.cli.repl import history_enabled

    monkeypatch.setenv("FAQBOT_HISTORY", value)
    assert history_enabled() is not off


def _alias_bomb(levels: int = 9) -> str:
    """A small YAML value whose aliases stand for 9**levels strings."""
    lines = ["  - &l0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"  - &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


BOMBS = {
    "faq.yaml": "- id: one\n  question: Q?\n  answer: A.\n  paraphrases:\n" + _alias_bomb().replace("  - ", "    - "),
    "config.yaml": "bombs:\n" + _alias_bomb() + "target_precision: *l8\n",
    "aliases.yaml": "llm:\n" + _alias_bomb(),
    "smalltalk.yaml": "intents:\n" + _alias_bomb(),
    "classes.yaml": _alias_bomb(),
}


def _limited_run(args: list[str]) -> subprocess.CompletedProcess[bytes]:
    return run_cli(args, input=None, memory=HOSTILE_MEMORY, timeout=120)


@pytest.mark.parametrize("name", sorted(BOMBS))
def test_an_alias_bomb_in_any_yaml_file_is_one_error_in_bounded_time_and_memory(make_corpus: MakeCorpus,
                                                                                name: str) -> None:
    files = {"faq.yaml": "- id: one\n  question: Q?\n  answer: A.\n", name: BOMBS[name]}
    root = make_corpus(files)
    result = _limited_run(["ask", "--corpus", str(root), "hi"])
    lines = stderr_lines(result)
    assert result.returncode == 2 and len(lines) == 1, result.stderr[-500:]
    assert lines[0].startswith(f"faqbot: {root / name}") and "expands to more than 1,000,000 values" in lines[0]


def test_an_alias_bomb_in_an_eval_file_is_one_error(tmp_path: Path) -> None:
    questions = tmp_path / "questions.yaml"
    questions.write_text("bombs:\n" + _alias_bomb() + "questions:\n  - q: hi\n    expect: smalltalk\n    tags: *l8\n")
    result = _limited_run(["eval", str(questions)])
    assert result.returncode == 2 and b"expands to more than 1,000,000 values" in result.stderr


def test_one_list_reused_by_hundreds_of_entries_is_refused_not_expanded(make_corpus: MakeCorpus) -> None:
    paraphrases = ", ".join(f"q{i}" for i in range(5000))
    entries = [f"- id: e0\n  question: Q0?\n  answer: A.\n  paraphrases: &p [{paraphrases}]\n"]
    entries += [f"- id: e{i}\n  question: Q{i}?\n  answer: A.\n  paraphrases: *p\n" for i in range(1, 400)]
    root = make_corpus({"faq.yaml": "".join(entries)})
    result = _limited_run(["ask", "--corpus", str(root), "hi"])
    assert result.returncode == 2 and b"expands to more than 1,000,000 values" in result.stderr


def test_a_bad_value_is_quoted_short_in_its_error() -> None:
    from faqbot.config import Config
    from faqbot.errors import ConfigError

    huge = [["x"] * 1000] * 1000
    with pytest.raises(ConfigError) as error:
        Config().with_values({"target_precision": huge})
    assert len(str(error.value)) < 400


@_BUILDS
def test_a_symlink_leading_out_of_the_corpus_is_refused_unless_allowed(make_corpus: MakeCorpus, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.md"
    outside.write_text("# Secret\n\nThe password is swordfish.\n")
    root = make_corpus({"faq.yaml": "- id: one\n  question: Q?\n  answer: A.\n"})
    (root / "article.md").symlink_to(outside)
    refused = run_cli(["ask", "--corpus", str(root), "what is the password"], memory=HOSTILE_MEMORY)
    assert refused.returncode == 2 and b"symlink leading out of the corpus folder" in refused.stderr
    assert b"swordfish" not in refused.stdout
    allowed = run_cli(["ask", "--corpus", str(root), "what is the password"], env={"FAQBOT_ALLOW_SYMLINKS": "1"}, memory=HOSTILE_MEMORY)
    assert allowed.returncode == 0 and b"swordfish" in allowed.stdout


@pytest.mark.parametrize("kind", ["fifo", "folder"])
def test_a_corpus_file_that_is_not_a_regular_file_is_named(make_corpus: MakeCorpus, kind: str) -> None:
    import os

    root = make_corpus({"article.md": "# T\n\nSome text here.\n"})
    if kind == "fifo":
        os.mkfifo(root / "faq.yaml")
    else:
        (root / "faq.yaml").mkdir()
    result = run_cli(["ask", "--corpus", str(root), "hi"], timeout=60, memory=HOSTILE_MEMORY)
    assert result.returncode == 2 and b"faq.yaml: is not a regular file" in result.stderr


def test_a_corpus_file_over_the_read_limit_is_refused_before_it_is_read(make_corpus: MakeCorpus) -> None:
    root = make_corpus({"article.md": "# T\n\n" + "Words and more words. " * 1000})
    result = run_cli(["ask", "--corpus", str(root), "words"], env={"FAQBOT_MAX_CORPUS_BYTES": "10000"}, memory=HOSTILE_MEMORY)
    assert result.returncode == 2 and b"more than a corpus file may be (10,000" in result.stderr


@pytest.mark.parametrize(("field", "problem"), [("tags: [{a: 1}]", "'tags' must be a text or a list of texts"),
                                                ("sections: 5", "'sections' must be a text or a list of texts"),
                                                ("entry: [x]", "'entry' must be an entry id")])
def test_a_malformed_eval_item_is_one_error_with_its_line(tmp_path: Path, field: str, problem: str) -> None:
    questions = tmp_path / "questions.yaml"
    questions.write_text(f"questions:\n  - q: what is an llm\n    expect: answer\n    {field}\n")
    result = run_cli(["eval", str(questions)], memory=HOSTILE_MEMORY)
    assert result.returncode == 2 and stderr_lines(result)[0].startswith(f"faqbot: {questions}:2: {problem}")


def test_config_numbers_yaml_reads_as_text_are_numbers_and_endless_weights_are_refused() -> None:
    from faqbot.config import Config
    from faqbot.errors import ConfigError

    assert Config().with_values({"target_precision": "1e-3"}).target_precision == 0.001
    with pytest.raises(ConfigError, match="too large to add up"):
        Config().with_values({"weight_char": 1e308, "weight_word": 1e308})


def test_a_raw_escape_in_yaml_is_named_with_its_line(make_corpus: MakeCorpus) -> None:
    root = make_corpus({"faq.yaml": '- id: a\n  question: Q?\n  answer: "A \x1b bad"\n'})
    result = run_cli(["ask", "--corpus", str(root), "Q"], memory=HOSTILE_MEMORY)
    assert result.returncode == 2
    assert stderr_lines(result) == [f"faqbot: {root / 'faq.yaml'}:3: holds a character YAML does not allow (U+001B); "
                                    "remove it"]

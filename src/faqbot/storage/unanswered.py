"""The unanswered log: questions readers asked that the bot declined or met only with "did you mean",
one JSON Lines file per corpus in the user's state folder, for the author to review (`faqbot review`).

It is a record of what users typed, so it is written only where the README says: by `faqbot chat`
by default, by `faqbot ask` when asked (``--log`` or the corpus's ``log_unanswered: always``), never
by the library, `eval`, tests or benchmarks. ``--no-log``, ``log_unanswered: off`` or the user's
``FAQBOT_LOG=off`` turn it off; `faqbot review --purge` empties it. The file is private (0600 in a
0700 folder), never followed through a symlink, and rotated past 1 MiB (one older copy is kept).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from functools import partial
from typing import Any

from faqbot.config import env_off
from faqbot.corpus.files import corpus_key, state_dir
from faqbot.models import Answer
from faqbot.storage.statefiles import MAX_STATE_FILE, AppendLog, append_record, read_private

LOGGED_KINDS = ("abstain", "clarify")
MAX_LOGGED_CHARS = 500   # of a question: enough to review, and a log line stays small
CHOICES = ("chat", "always", "off")


def log_path(corpus_root: str) -> str:
    """The log of the corpus folder *corpus_root*: ``$FAQBOT_LOG_DIR`` or the state folder, one file per
    corpus folder."""
    folder = os.environ.get("FAQBOT_LOG_DIR") or os.path.join(state_dir(), "unanswered")
    return os.path.join(folder, f"{corpus_key(corpus_root)}.jsonl")


def logging_on(command: str, setting: str, flag: bool | None) -> bool:
    """Whether *command* ("chat" or "ask") records: the user's ``FAQBOT_LOG=off`` first, then the
    command line's ``--log``/``--no-log`` (*flag*), then the corpus's ``log_unanswered`` *setting*."""
    if env_off("FAQBOT_LOG"):
        return False
    if flag is not None:
        return flag
    return setting == "always" or (setting == "chat" and command == "chat")


def entry_of(answer: Answer) -> dict[str, Any]:
    """The log line of *answer*: when, what was asked, what the bot did, and the entry that came closest."""
    top = answer.trace.candidates[0] if answer.trace and answer.trace.candidates else None
    return {"question": answer.question[:MAX_LOGGED_CHARS],
            "kind": answer.kind, "best": top.id if top else None,
            "best_confidence": round(top.confidence, 3) if top else None}


def recorder(path: str, *, kept_open: bool = False) -> Callable[[Answer], None]:
    """A function that appends each declined or clarified answer to the log at *path*, and each offer a
    reader took ("yes") or refused ("no"), logged under the question that got it. A log that cannot be
    written (a read-only home, a planted symlink) costs nothing but the record. *kept_open*: for a
    long-running service, the file stays open between records (``AppendLog``)."""
    append: Callable[[dict[str, Any]], bool] = AppendLog(path) if kept_open else partial(append_record, path)

    def record(answer: Answer) -> None:
        if answer.outcome is not None:   # a reply to an offer: what the reader did with it, not the reply
            outcome = answer.outcome
            append({"question": outcome.question[:MAX_LOGGED_CHARS],
                    "kind": "offer taken" if outcome.taken else "offer refused",
                    "best": outcome.entry, "best_confidence": None})
        elif answer.kind in LOGGED_KINDS:
            append(entry_of(answer))
    return record


def read_log(path: str) -> list[dict[str, Any]]:
    """The logged questions, oldest first (the rotated copy, then the current file); lines that are
    not a log entry are skipped."""
    rows = []
    for part in (path + ".1", path):
        try:
            data = read_private(part, MAX_STATE_FILE)
        except OSError:
            continue
        for raw in data.decode("utf-8", "replace").splitlines():
            try:
                row = json.loads(raw)
            except (ValueError, RecursionError):
                continue
            if isinstance(row, dict) and isinstance(row.get("question"), str):
                rows.append(row)
    return rows


def purge(path: str) -> int:
    """Delete the log (and its rotated copy); returns how many files were removed."""
    removed = 0
    for part in (path, path + ".1"):
        try:
            os.unlink(part)
            removed += 1
        except FileNotFoundError:
            pass
    return removed

"""What changed since the last `faqbot check` of a corpus folder: which curated phrasings the self-test
now brings back that it did not, which it no longer does, and whether the fitted answer threshold
moved. An edit to one entry can move another's phrasings (the decision is fitted to the whole corpus
again), and this says which, so an author can tell an edit's effect from noise.

The record is the self-test's outcome per phrasing and the threshold, kept in faqbot's state folder
(``$XDG_STATE_HOME/faqbot/checks``), never in the corpus; ``faqbot check --no-history`` neither reads
nor writes it."""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from typing import Any

from faqbot.authoring.check import CheckReport, Result
from faqbot.corpus.files import corpus_key, state_dir
from faqbot.storage.statefiles import open_private, private_folder, read_private

RECORD_FORMAT = 2
_SEP = "\t"   # between an entry's id and a phrasing in a record's keys (neither holds a tab)


@dataclass(frozen=True, slots=True)
class Changes:
    """The self-test against the last check's: phrasings added since, those found now and missed then,
    the other way round, those that miss in another way, and the answer threshold then and now."""

    seconds_ago: float
    added: tuple[Result, ...]               # phrasings the last check did not have, and what became of them
    newly_found: tuple[Result, ...]
    newly_missed: tuple[Result, ...]
    moved: tuple[tuple[Result, Result], ...]   # missed then and now, in another way: (then, now)
    answer_at: tuple[float, float]

    @property
    def threshold_moved(self) -> bool:
        return abs(self.answer_at[0] - self.answer_at[1]) >= 0.005

    @property
    def nothing(self) -> bool:
        return not (self.added or self.newly_found or self.newly_missed or self.moved or self.threshold_moved)

    def to_dict(self) -> dict[str, object]:
        return {"seconds_ago": round(self.seconds_ago, 1), "added": [_as_dict(r) for r in self.added],
                "newly_found": [_as_dict(r) for r in self.newly_found],
                "newly_missed": [_as_dict(r) for r in self.newly_missed],
                "moved": [{"then": _as_dict(a), "now": _as_dict(b)} for a, b in self.moved],
                "answer_at": list(self.answer_at)}


def history_path(corpus_root: str) -> str:
    """The record of the last check of the corpus folder *corpus_root*."""
    return os.path.join(state_dir(), "checks", f"{corpus_key(corpus_root)}.json")


def changes_since(path: str, report: CheckReport, now: float | None = None) -> Changes | None:
    """*report* against the record at *path*; None when there is none (or it cannot be read)."""
    last = _read(path)
    if last is None:
        return None
    then: dict[tuple[str, str], Result] = {}
    for key, (outcome, rival) in last["outcomes"].items():
        entry, phrase = key.split(_SEP, 1)
        then[(entry, phrase)] = Result(entry, phrase, outcome, rival)
    added, found, missed, moved = [], [], [], []
    for result in report.self_test.results:
        before = then.get((result.entry, result.phrase))
        if before is None:
            added.append(result)
        elif result.came_back and not before.came_back:
            found.append(result)
        elif before.came_back and not result.came_back:
            missed.append(result)
        elif not result.came_back and (before.outcome, before.rival) != (result.outcome, result.rival):
            moved.append((before, result))
    return Changes((now or time.time()) - float(last["time"]), tuple(added), tuple(found), tuple(missed),
                   tuple(moved), (float(last["answer_at"]), report.answer_at))


def record(path: str, report: CheckReport, now: float | None = None) -> bool:
    """Keep *report*'s self-test as the last check's; False when it cannot be written (the check itself
    never fails for that)."""
    data = {"format": RECORD_FORMAT, "time": now or time.time(), "answer_at": report.answer_at,
            "outcomes": {f"{r.entry}{_SEP}{r.phrase}": [r.outcome, r.rival] for r in report.self_test.results}}
    try:
        private_folder(os.path.dirname(path))
        fd = open_private(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        with os.fdopen(fd, "wb") as handle:
            handle.write(json.dumps(data, ensure_ascii=True).encode("ascii"))
    except OSError:
        return False
    return True


def _as_dict(result: Result) -> dict[str, object]:
    return {"entry": result.entry, "phrase": result.phrase, "outcome": result.outcome, "rival": result.rival}


def _read(path: str) -> dict[str, Any] | None:
    try:
        data = json.loads(read_private(path) or b"null")
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("format") != RECORD_FORMAT or \
            not all(isinstance(data.get(k), float | int) for k in ("time", "answer_at")) or \
            not isinstance(data.get("outcomes"), dict) or \
            not all(_SEP in k and isinstance(v, list) and len(v) == 2 and isinstance(v[0], str) and
                    (v[1] is None or isinstance(v[1], str)) for k, v in data["outcomes"].items()):
        return None   # another version's, or damaged: as if there were none
    return data

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

from faqbot.authoring.check import CheckReport, Miss
from faqbot.corpus.files import corpus_key, state_dir
from faqbot.storage.statefiles import open_private, private_folder, read_private

RECORD_FORMAT = 1
_SEP = "\t"   # between an entry's id and a phrasing in a record's keys (neither holds a tab)


@dataclass(frozen=True, slots=True)
class Changes:
    """The self-test against the last check's: phrasings found now and missed then, the other way
    round (with how they miss now), and the answer threshold then and now."""

    seconds_ago: float
    newly_found: tuple[tuple[str, str], ...]   # (entry, phrasing)
    newly_missed: tuple[Miss, ...]
    answer_at: tuple[float, float]

    @property
    def threshold_moved(self) -> bool:
        return abs(self.answer_at[0] - self.answer_at[1]) >= 0.005

    def to_dict(self) -> dict[str, object]:
        return {"seconds_ago": round(self.seconds_ago, 1),
                "newly_found": [{"entry": e, "phrase": p} for e, p in self.newly_found],
                "newly_missed": [m.to_dict() for m in self.newly_missed], "answer_at": list(self.answer_at)}


def history_path(corpus_root: str) -> str:
    """The record of the last check of the corpus folder *corpus_root*."""
    return os.path.join(state_dir(), "checks", f"{corpus_key(corpus_root)}.json")


def changes_since(path: str, report: CheckReport, now: float | None = None) -> Changes | None:
    """*report* against the record at *path*; None when there is none (or it cannot be read)."""
    last = _read(path)
    if last is None:
        return None
    found_then = {tuple(k.split(_SEP, 1)) for k in last["found"]}
    missed_then = {tuple(k.split(_SEP, 1)) for k in last["missed"]}
    misses = {(m.entry, m.phrase): m for f in report.findings for m in f.misses} | \
        {(m.entry, m.phrase): m for m in report.stand_alone}
    newly_found = tuple((e, p) for e, p, back in report.results if back and (e, p) in missed_then)
    newly_missed = tuple(misses[(e, p)] for e, p, back in report.results
                         if not back and (e, p) in found_then and (e, p) in misses)
    return Changes((now or time.time()) - float(last["time"]), newly_found, newly_missed,
                   (float(last["answer_at"]), report.answer_at))


def record(path: str, report: CheckReport, now: float | None = None) -> bool:
    """Keep *report*'s self-test as the last check's; False when it cannot be written (the check itself
    never fails for that)."""
    data = {"format": RECORD_FORMAT, "time": now or time.time(), "answer_at": report.answer_at,
            "found": [f"{e}{_SEP}{p}" for e, p, back in report.results if back],
            "missed": [f"{e}{_SEP}{p}" for e, p, back in report.results if not back]}
    try:
        private_folder(os.path.dirname(path))
        fd = open_private(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        with os.fdopen(fd, "wb") as handle:
            handle.write(json.dumps(data, ensure_ascii=True).encode("ascii"))
    except OSError:
        return False
    return True


def _read(path: str) -> dict[str, Any] | None:
    try:
        data = json.loads(read_private(path) or b"null")
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("format") != RECORD_FORMAT or \
            not all(isinstance(data.get(k), list) and all(isinstance(x, str) for x in data[k])
                    for k in ("found", "missed")) or \
            not all(isinstance(data.get(k), float | int) for k in ("time", "answer_at")):
        return None   # another version's, or damaged: as if there were none
    return data

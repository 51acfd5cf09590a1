"""Measure an answerer against a labelled question file: what `faqbot eval` and the tests both run.

A question file (YAML) has ``questions:`` (single questions) and ``conversations:`` (turns asked in
one session). Each item: ``q``, ``expect`` (a kind or a list of acceptable kinds), optional
``sections`` (headings an answer's first citation may come from), ``entry`` (the curated entry id
that should match), ``must_include`` (words the answer's text must hold, any case),
``must_not_include`` (words it must not hold: a small-talk reply repeating the last answer),
``offer`` (true: the reply offers something a "yes" can take; false: it offers nothing) and ``tags``.
An item naming ``entry`` or ``must_include`` can't be passed by a wrong answer from the right
section; items naming neither are judged by kind and section as before, so figures stay comparable.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from faqbot.errors import CorpusError, describe
from faqbot.models import KINDS, Answer, Corpus

if TYPE_CHECKING:
    from faqbot.answerer import Answerer

_ITEM_KEYS = {"q", "expect", "sections", "entry", "must_include", "must_not_include", "offer", "tags", "intent"}


@dataclass(frozen=True, slots=True)
class Item:
    """One labelled question (alone, or a turn of a conversation)."""

    q: str
    expect: tuple[str, ...]
    sections: tuple[str, ...] = ()
    entry: str | None = None
    tags: tuple[str, ...] = ()
    must_include: tuple[str, ...] = ()
    must_not_include: tuple[str, ...] = ()
    offer: bool | None = None   # whether the reply must carry options a reply can pick (None: either)
    conversation: str | None = None
    turn: int = 0
    line: int = 0

    @property
    def style(self) -> str:
        return self.tags[0] if self.tags else "untagged"

    @property
    def in_scope(self) -> bool:
        return "answer" in self.expect

    @property
    def out_of_scope(self) -> bool:
        return self.expect == ("abstain",)


@dataclass(frozen=True, slots=True)
class QuestionSet:
    questions: tuple[Item, ...]
    conversations: tuple[tuple[str, tuple[Item, ...]], ...]

    @property
    def items(self) -> list[Item]:
        return [*self.questions, *(t for _, turns in self.conversations for t in turns)]


@dataclass(frozen=True, slots=True)
class Outcome:
    item: Item
    answer: Answer
    passed: bool
    problem: str
    seconds: float


@dataclass(frozen=True, slots=True)
class Report:
    """Every figure of one evaluation run; ``to_dict()`` is what ``faqbot eval --json`` prints."""

    outcomes: tuple[Outcome, ...]
    ranks: tuple[int | None, ...] = field(default=())   # rank of the expected entry in search(), per item with `entry`

    @property
    def pass_rate(self) -> float:
        return float(rate(self.outcomes)["rate"])

    def summary(self) -> dict[str, Any]:
        """The figures, each from one small named function of the outcomes."""
        return {
            "overall": rate(self.outcomes),
            "in_scope_right_section": rate(o for o in self.outcomes if o.item.in_scope),
            "out_of_scope_abstained": rate(o for o in self.outcomes if o.item.out_of_scope),
            "by_kind": by_kind(self.outcomes),
            "by_style": by_style(self.outcomes),
            "ranking": ranking(self.ranks),
            "abstention": abstention(self.outcomes),
            "latency_ms": latency_ms(self.outcomes),
        }

    def failures(self) -> list[dict[str, Any]]:
        return [{"q": o.item.q, "conversation": o.item.conversation, "turn": o.item.turn, "line": o.item.line,
                 "expected": {"kind": list(o.item.expect), "sections": list(o.item.sections), "entry": o.item.entry,
                              "must_include": list(o.item.must_include)},
                 "got": {"kind": o.answer.kind, "confidence": round(o.answer.confidence, 3),
                         "sections": [c.section for c in o.answer.citations[:1]],
                         "entry": o.answer.matched.id if o.answer.matched else None, "text": o.answer.text[:160]},
                 "problem": o.problem, "decided_by": o.answer.trace.reason if o.answer.trace else ""}
                for o in self.outcomes if not o.passed]

    def to_dict(self) -> dict[str, Any]:
        return {**self.summary(), "failures": self.failures()}


def rate(chosen: Iterable[Outcome]) -> dict[str, float | int]:
    """How many of *chosen* passed, of how many, and the share."""
    chosen = list(chosen)
    passed = sum(o.passed for o in chosen)
    return {"passed": passed, "total": len(chosen), "rate": round(passed / len(chosen), 4) if chosen else 0.0}


def by_kind(outcomes: Sequence[Outcome]) -> dict[str, dict[str, float | int]]:
    """The pass rate of single questions per expected kind (and "either" for several), then of
    conversation turns."""
    singles = [o for o in outcomes if o.item.conversation is None]
    kinds = {kind: rate(o for o in singles if o.item.expect == (kind,)) for kind in KINDS}
    found: dict[str, dict[str, float | int]] = {kind: figures for kind, figures in kinds.items() if figures["total"]}
    if any(len(o.item.expect) > 1 for o in singles):
        found["either"] = rate(o for o in singles if len(o.item.expect) > 1)
    found["conversation turns"] = rate(o for o in outcomes if o.item.conversation is not None)
    return found


def by_style(outcomes: Sequence[Outcome]) -> dict[str, dict[str, float | int]]:
    """The pass rate of single questions per style (their first tag)."""
    singles = [o for o in outcomes if o.item.conversation is None]
    styles = sorted({o.item.style for o in singles})
    return {style: rate(o for o in singles if o.item.style == style) for style in styles}


def ranking(ranks: Sequence[int | None]) -> dict[str, Any]:
    """Top-1 share and mean reciprocal rank of the expected entries in ``search()`` (None: none ranked)."""
    if not ranks:
        return {"items": 0, "top1": None, "mrr": None}
    return {"items": len(ranks), "top1": round(sum(r == 1 for r in ranks) / len(ranks), 4),
            "mrr": round(sum(1 / r for r in ranks if r) / len(ranks), 4)}


def abstention(outcomes: Sequence[Outcome]) -> dict[str, Any]:
    """How right the declines were (precision), how many of the questions to decline were (recall), and
    the answers given to questions that should have been declined."""
    expected = [o for o in outcomes if o.item.out_of_scope]
    declined = [o for o in outcomes if o.answer.kind == "abstain"]
    wrong = sum(o.answer.kind == "answer" for o in expected)
    return {
        "precision": round(sum(o.item.out_of_scope for o in declined) / len(declined), 4) if declined else None,
        "recall": round(sum(o.answer.kind == "abstain" for o in expected) / len(expected), 4) if expected else None,
        "wrong_answers_on_abstain_items": wrong,
        "wrong_answer_rate": round(wrong / len(expected), 4) if expected else None,
    }


def latency_ms(outcomes: Sequence[Outcome]) -> dict[str, float]:
    """Median, 95th percentile and worst time per question, in milliseconds."""
    latencies = sorted(o.seconds * 1000 for o in outcomes)
    return {"p50": round(_percentile(latencies, 50), 3), "p95": round(_percentile(latencies, 95), 3),
            "max": round(latencies[-1], 3) if latencies else 0.0}


def _percentile(values: Sequence[float], pct: float) -> float:
    if not values:
        return 0.0
    k = (len(values) - 1) * pct / 100
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


# ----------------------------------------------------------------------------- loading


def load_question_set(path: str | Path) -> QuestionSet:
    """Read and validate a labelled question file; CorpusError names the file and line of a problem."""
    import yaml

    from faqbot.corpus import safeyaml
    from faqbot.corpus.files import read_corpus_file

    path = Path(path)
    text = ""
    try:
        text = read_corpus_file(str(path)).decode("utf-8")   # regular file, size-capped
        data, root = safeyaml.load(text)
    except safeyaml.TooLarge as exc:
        raise CorpusError(str(exc), path=str(path)) from exc
    except RecursionError as exc:
        raise CorpusError("is nested too deeply to be a question file", path=str(path)) from exc
    except OSError as exc:
        raise CorpusError(f"cannot read question file ({exc.strerror or exc})", path=str(path)) from exc
    except UnicodeDecodeError as exc:
        raise CorpusError("is not UTF-8 text", path=str(path)) from exc
    except yaml.YAMLError as exc:
        problem, line = safeyaml.problem_of(exc, text)
        raise CorpusError(problem, path=str(path), line=line) from exc
    if not isinstance(data, dict) or not (data.get("questions") or data.get("conversations")):
        raise CorpusError("expected 'questions:' and/or 'conversations:' lists", path=str(path))
    nodes = {k.value: v for k, v in root.value} if root is not None else {}
    questions = tuple(_item(path, raw, _line(nodes.get("questions"), i))
                      for i, raw in enumerate(data.get("questions") or []))
    conversations = []
    for i, conv in enumerate(data.get("conversations") or []):
        conv_node = nodes["conversations"].value[i] if "conversations" in nodes else None
        if not isinstance(conv, dict) or not isinstance(conv.get("turns"), list):
            raise CorpusError("each conversation needs 'name' and 'turns'", path=str(path), line=_line_of(conv_node))
        name = str(conv.get("name") or f"conversation {i + 1}")
        turns_node = dict((k.value, v) for k, v in conv_node.value).get("turns") if conv_node is not None else None
        turns = tuple(_item(path, raw, _line(turns_node, t), name, t + 1) for t, raw in enumerate(conv["turns"]))
        conversations.append((name, turns))
    return QuestionSet(questions, tuple(conversations))


def _line(seq_node: Any, i: int) -> int:
    try:
        return int(seq_node.value[i].start_mark.line) + 1
    except (AttributeError, IndexError, TypeError):
        return 0


def _line_of(node: Any) -> int | None:
    return None if node is None else node.start_mark.line + 1


def _item(path: Path, raw: Any, line: int, conversation: str | None = None, turn: int = 0) -> Item:
    if not isinstance(raw, dict) or not isinstance(raw.get("q"), str):
        raise CorpusError("each item needs a 'q:' text", path=str(path), line=line)
    unknown = set(raw) - _ITEM_KEYS
    if unknown:
        raise CorpusError(f"unknown field '{sorted(unknown)[0]}'", path=str(path), line=line)
    expect = _texts(path, raw, "expect", line) or ("answer",)
    if any(k not in KINDS for k in expect):
        raise CorpusError(f"'expect' must be one or more of {', '.join(KINDS)}", path=str(path), line=line)
    entry = raw.get("entry")
    if entry is not None and not isinstance(entry, str):
        raise CorpusError("'entry' must be an entry id (text)", path=str(path), line=line)
    offer = raw.get("offer")
    if offer is not None and not isinstance(offer, bool):
        raise CorpusError("'offer' must be true or false", path=str(path), line=line)
    return Item(q=raw["q"], expect=expect, sections=_texts(path, raw, "sections", line), entry=entry,
                tags=_texts(path, raw, "tags", line), must_include=_texts(path, raw, "must_include", line),
                must_not_include=_texts(path, raw, "must_not_include", line), offer=offer,
                conversation=conversation, turn=turn, line=line)


def _texts(path: Path, raw: dict[str, Any], key: str, line: int) -> tuple[str, ...]:
    """Field *key* of an item as texts: one text or a list of texts (empty when absent)."""
    value = raw.get(key)
    if value is None:
        return ()
    values = value if isinstance(value, list) else [value]
    if not all(isinstance(v, str) for v in values):
        raise CorpusError(f"'{key}' must be a text or a list of texts, got {describe(value)}", path=str(path),
                          line=line)
    return tuple(values)


# ----------------------------------------------------------------------------- running


def judge(item: Item, answer: Answer) -> str:
    """Why *answer* fails *item*, or "" when it passes."""
    if answer.kind not in item.expect:
        return f"expected {'/'.join(item.expect)}, got {answer.kind}"
    if item.offer is not None and item.offer != bool(answer.options):
        return "expected an offer, got none" if item.offer else "expected no offer, got one"
    present = [w for w in item.must_not_include if w.casefold() in answer.text.casefold()]
    if present:
        return f"the reply holds {', '.join(repr(w) for w in present)}"
    if answer.kind == "answer":
        if item.entry and (answer.matched is None or answer.matched.id != item.entry):
            return f"expected entry {item.entry}, got {answer.matched.id if answer.matched else 'an extract'}"
        if item.sections and (not answer.citations or
                              heading_key(answer.citations[0].section) not in map(heading_key, item.sections)):
            got = answer.citations[0].section if answer.citations else "no citation"
            return f"answered from '{got}', expected {' or '.join(repr(s) for s in item.sections)}"
        missing = [w for w in item.must_include if w.casefold() not in answer.text.casefold()]
        if missing:
            return f"the answer lacks {', '.join(repr(w) for w in missing)}"
    return ""


def heading_key(heading: str) -> str:
    """A heading as labels are compared: any case, inline markup (`code`, *emphasis*) and spacing ignored."""
    return " ".join(re.sub(r"[`*_]", "", heading).split()).casefold()


def unknown_sections(questions: QuestionSet, corpus: Corpus) -> list[tuple[int, str]]:
    """(line, label) of each ``sections`` label that names no heading of the corpus: a typo in the
    question file would otherwise fail its questions silently."""
    known = {heading_key(p.section) for p in corpus.passages} | {heading_key(h) for p in corpus.passages
                                                                 for h in p.path}
    return [(item.line, label) for item in questions.items for label in item.sections
            if heading_key(label) not in known]


def evaluate(answerer: Answerer, questions: QuestionSet, *,
             clock: Callable[[], float] = time.perf_counter) -> Report:
    """Ask every question (conversations in their own session) and judge each answer."""
    outcomes: list[Outcome] = []
    for item in questions.questions:
        start = clock()
        answer = answerer.ask(item.q)
        outcomes.append(Outcome(item, answer, not judge(item, answer), judge(item, answer), clock() - start))
    for _, turns in questions.conversations:
        session = answerer.session()
        for item in turns:
            start = clock()
            answer = session.ask(item.q)
            outcomes.append(Outcome(item, answer, not judge(item, answer), judge(item, answer), clock() - start))
    ranks = tuple(_rank(answerer, item) for item in questions.questions if item.entry)
    return Report(tuple(outcomes), ranks)


def _rank(answerer: Answerer, item: Item) -> int | None:
    for rank, match in enumerate(answerer.search(item.q, limit=10), start=1):
        if match.id == item.entry:
            return rank
    return None


# ----------------------------------------------------------------------------- calibration

@dataclass(frozen=True, slots=True)
class Calibration:
    """How well ``confidence`` means "probability the top entry is right", on a labelled question set.

    ``bins``: per confidence range, the questions in it, their mean fitted confidence, their mean raw
    fused score, and the share whose top entry was right (a question the corpus does not answer never is).
    ``ece`` is the expected calibration error: the questions-weighted mean gap between confidence and
    that share."""

    bins: list[dict[str, float]]
    ece: float
    questions: int
    decision: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {"ece": self.ece, "questions": self.questions, "bins": self.bins, "decision": self.decision}


def calibrate(answerer: Answerer, questions: QuestionSet, *, bins: int = 10) -> Calibration:
    """The reliability of the fitted decision on *questions* (single questions with a candidate)."""
    rows: list[tuple[float, float, bool]] = []   # (confidence, fused, right)
    for item in questions.questions:
        if not (item.in_scope or item.out_of_scope):
            continue
        found = answerer.gather(item.q)
        judged = answerer.judged(found.candidates)
        if not judged or not judged[0].features:
            continue
        top = judged[0]
        right = item.in_scope and top.id in relevant_entries(answerer, item)
        rows.append((top.confidence, top.fused, right))
    table = []
    for b in range(bins):
        low, high = b / bins, (b + 1) / bins
        inside = [r for r in rows if low <= r[0] < high or (b == bins - 1 and r[0] == 1.0)]
        if inside:
            table.append({"from": low, "to": high, "questions": len(inside),
                          "confidence": round(sum(r[0] for r in inside) / len(inside), 4),
                          "fused": round(sum(r[1] for r in inside) / len(inside), 4),
                          "right": round(sum(r[2] for r in inside) / len(inside), 4)})
    ece = sum(t["questions"] * abs(t["confidence"] - t["right"]) for t in table) / max(1, len(rows))
    return Calibration(table, round(ece, 4), len(rows), answerer.decision.to_dict())


def relevant_entries(answerer: Answerer, item: Item) -> set[str]:
    """The curated entries that answer *item*: its `entry`, else those citing one of its `sections`."""
    if item.entry:
        return {item.entry}
    by_id = {p.id: heading_key(p.section) for p in answerer.corpus.passages}
    wanted = {heading_key(s) for s in item.sections}
    return {e.id for e in answerer.corpus.entries if any(by_id.get(s) in wanted for s in e.sources)}

"""`faqbot check`: test a corpus against its article the way its readers will meet it.

Errors (exit 1) are findings that put a wrong or unchecked answer in front of a reader:

- **sources**: a ``sources`` id that names no passage (with its likely new id);
- **drift**: a cited passage changed since the answer was last reviewed (``faq.lock``), with a diff;
- **grounding**: fewer than half of an answer's content words are in the passages it cites.

Warnings (exit 0, or 1 with ``--strict``) are worth a look but are judgement calls:

- **self-test**: a curated phrasing, held out of its own entry, is answered by another entry or
  gets only "did you mean" (listed one by one), or is declined (counted per entry);
- **collision**: near-identical phrasings in two entries;
- **grounding**: sources faqbot inferred for an entry that names none (to confirm), and an entry no
  passage backs (it cites the FAQ file, not the article);
- **drift**: no lock yet, or an entry not in it;
- **coverage**: sections no curated entry cites (their implicit heading entry answers for them).
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

from faqbot.authoring.lock import Locked, locked_texts, read_lock
from faqbot.corpus.lock import most_like
from faqbot.engine.built import Built
from faqbot.engine.fit import FOLDS, held_out
from faqbot.engine.index import Index
from faqbot.engine.pipeline import Engine, winner
from faqbot.errors import FaqbotError
from faqbot.models import Corpus, Entry

Severity = Literal["error", "warning"]
GROUNDED = 0.5           # share of an answer's content words its cited passages must hold
NEAR_IDENTICAL = 92.0    # rapidfuzz ratio (0-100) above which two entries' phrasings collide


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing `faqbot check` found: which check, how serious, about which entry, and what to do."""

    check: str
    severity: Severity
    message: str
    entry: str | None = None
    file: str | None = None
    line: int | None = None
    detail: str = ""          # e.g. a diff of a cited passage

    def to_dict(self) -> dict[str, object]:
        return {"check": self.check, "severity": self.severity, "message": self.message, "entry": self.entry,
                "file": self.file, "line": self.line, "detail": self.detail}


@dataclass(frozen=True, slots=True)
class CheckReport:
    """Everything `faqbot check` found, with the self-test's figures."""

    corpus: str
    findings: tuple[Finding, ...]
    tested: int               # phrasings held out and asked
    found: int                # of those, answered by their own entry

    @property
    def errors(self) -> int:
        return sum(f.severity == "error" for f in self.findings)

    @property
    def warnings(self) -> int:
        return sum(f.severity == "warning" for f in self.findings)

    def to_dict(self) -> dict[str, object]:
        return {"corpus": self.corpus, "errors": self.errors, "warnings": self.warnings,
                "self_test": {"tested": self.tested, "found": self.found},
                "findings": [f.to_dict() for f in self.findings]}


def check_corpus(root: str) -> CheckReport:
    """Load the corpus folder *root*, build its index and run every check."""
    from faqbot.build import build_fitted
    from faqbot.corpus.load import load_corpus

    unresolved: list[tuple[Entry, str]] = []
    corpus = load_corpus(root, unresolved=unresolved)
    built = build_fitted(corpus)
    meaning = built.index.meaning
    if meaning.asked and meaning.table is None:
        raise FaqbotError(meaning.note)
    lock = read_lock(root)
    findings = [*_unresolved(corpus, unresolved, lock)]
    self_test, tested, found = _self_test(built)
    findings += self_test
    findings += _collisions(corpus)
    findings += _still_answered(built)
    findings += _grounding(built.index)
    findings += _drift(corpus, lock)
    findings += _coverage(corpus)
    return CheckReport(corpus.name, tuple(findings), tested, found)


def _about(entry: Entry | None, check: str, severity: Severity, message: str, detail: str = "") -> Finding:
    """A finding about *entry* (or the corpus as a whole), naming its file and line."""
    if entry is None:
        return Finding(check, severity, message, detail=detail)
    return Finding(check, severity, message, entry.id, entry.source, entry.line or None, detail)


# ----------------------------------------------------------------------------- sources


def _unresolved(corpus: Corpus, unresolved: Sequence[tuple[Entry, str]], lock: Locked | None) -> list[Finding]:
    """Each ``sources`` id that names no passage, with the passage most like the one it named."""
    findings = []
    for entry, source in unresolved:
        was = (lock or {}).get(entry.id, {}).get(source)
        likely = most_like(corpus.passages, was) if was else _closest_id(corpus, source)
        hint = f"; likely now '{likely}'" if likely else ""
        findings.append(_about(entry, "sources", "error", f"cites '{source}', which names no passage{hint}"))
    return findings


def _closest_id(corpus: Corpus, source: str) -> str | None:
    close = difflib.get_close_matches(source, [p.id for p in corpus.passages], n=1)
    return close[0] if close else None


# ----------------------------------------------------------------------------- self-test


def _self_test(built: Built) -> tuple[list[Finding], int, int]:
    """Each phrasing of an entry with two or more, held out of its entry (as the fitted decision's
    folds do), asked of the rest through the engine: it should come back as its own entry."""
    index, corpus = built.index, built.corpus
    by_id = {e.id: e for e in corpus.entries}
    findings: list[Finding] = []
    tested = found = 0
    declined: Counter[str] = Counter()
    for fold in range(FOLDS):
        kept, held = held_out(corpus.entries, fold, questions_too=True)
        if not held:
            continue
        sub = Index.build(replace(corpus, entries=tuple(kept)), stems=index.analyzer.stemmer.memo)
        engine = Engine(built.with_index(sub), corpus.config)
        for phrase, entry in held:
            tested += 1
            evidence = engine.gatherer.gather(phrase)
            verdict = engine.verdict(evidence)
            chosen = winner(evidence, verdict)
            if chosen is not None and by_id[chosen].question in (entry.question, phrase):
                found += 1   # its own entry (or one with the same question: several answers to one)
                continue
            top = ", ".join(f"{c.id} {c.fused:.2f}" for c in evidence.candidates[:3])
            if chosen is not None:
                findings.append(_about(entry, "self-test", "warning", f"'{phrase}' is answered by '{chosen}' "
                                       f"(best scores: {top})"))
            elif verdict.action == "clarify":
                findings.append(_about(entry, "self-test", "warning", f"'{phrase}' gets only \"did you mean\" "
                                       f"(best scores: {top})"))
            else:
                declined[entry.id] += 1
    findings += [_about(by_id[entry_id], "self-test", "warning",
                        f"{count} of its phrasings, held out, {'is' if count == 1 else 'are'} declined or answered "
                        "from the article: more paraphrases would help")
                 for entry_id, count in declined.items()]
    return findings, tested, found


def _still_answered(built: Built) -> list[Finding]:
    """Each question of out_of_scope.yaml that the bot would answer were it not listed: it is declined as
    written, and its paraphrases likely are not."""
    engine = Engine(built, built.corpus.config)
    by_id = {e.id: e for e in built.corpus.entries}
    findings = []
    for question in built.corpus.out_of_scope:
        found = engine.gatherer.gather(question)
        chosen = winner(found, engine.judge(found))
        if chosen is not None:
            findings.append(_about(by_id[chosen], "out of scope", "warning",
                                   f"out_of_scope.yaml declines '{question}' as written, but asked otherwise it "
                                   f"would be answered by '{chosen}': add its paraphrases there, or make this "
                                   "entry's questions more specific"))
    return findings


# ----------------------------------------------------------------------------- collisions


def _collisions(corpus: Corpus) -> list[Finding]:
    """Near-identical phrasings in two entries that do not share their question."""
    from rapidfuzz import fuzz, process

    from faqbot.language.text import normalize

    owners = [(normalize(p), e) for e in corpus.entries for p in e.phrasings]
    texts = [t for t, _ in owners]
    findings = []
    seen: set[tuple[str, str]] = set()
    for i, (text, entry) in enumerate(owners):
        for _, score, j in process.extract(text, texts, scorer=fuzz.ratio, score_cutoff=NEAR_IDENTICAL, limit=None):
            other = owners[j][1]
            pair = (min(entry.id, other.id), max(entry.id, other.id))
            if j <= i or other.id == entry.id or other.question == entry.question or pair in seen:
                continue
            seen.add(pair)
            findings.append(_about(entry, "collision", "warning", f"this entry and '{other.id}' have near-identical "
                                   f"phrasings ('{text}' / '{texts[j]}', {score:.0f}% alike): a reader asking it "
                                   "may get either"))
    return findings


# ----------------------------------------------------------------------------- grounding


def _grounding(index: Index) -> list[Finding]:
    """Answers whose content words the passages they cite mostly lack, and answers citing nothing."""
    corpus, analyze = index.corpus, index.analyzer.document
    terms = {p.id: set(analyze(f"{p.section} {p.text}").stems) for p in corpus.passages}
    findings = []
    for entry in corpus.entries:
        if entry.implicit:
            continue   # the opening of its own section, word for word
        if not entry.sources:
            if corpus.passages:
                findings.append(_about(entry, "grounding", "warning", "no passage of the article backs its answer, "
                                       "so it cites the FAQ file: check it against the article, or name "
                                       "`sources:` (`faqbot passages` lists the ids)"))
            continue
        if entry.sources_inferred:
            findings.append(_about(entry, "grounding", "warning", f"cites '{entry.sources[0]}', found by faqbot "
                                   "(it names no sources): confirm with `sources: "
                                   f"[{entry.sources[0]}]` or name the right ones"))
        words = set(analyze(entry.answer).stems)
        cited = set().union(*(terms[s] for s in entry.sources))
        missing = sorted(words - cited)
        if words and len(missing) > (1 - GROUNDED) * len(words):
            findings.append(_about(entry, "grounding", "error", f"{len(words) - len(missing)} of {len(words)} content "
                                    f"words of its answer are in the passages it cites (missing: "
                                    f"{', '.join(missing[:8])}): the article may not back it"))
    return findings


# ----------------------------------------------------------------------------- drift


def _drift(corpus: Corpus, lock: Locked | None) -> list[Finding]:
    """Entries whose cited passages changed since the answer was last reviewed."""
    if lock is None:
        return [_about(None, "drift", "warning", "no faq.lock yet: run `faqbot check --accept` once the answers are "
                        "reviewed, and later checks will list answers whose cited text changed")] \
            if corpus.passages and any(not e.implicit for e in corpus.entries) else []
    now = locked_texts(corpus)
    findings = []
    for entry in corpus.entries:
        if entry.implicit:
            continue   # its answer is the article's own text: it cannot drift from it
        if entry.id not in lock:
            findings.append(_about(entry, "drift", "warning", "not in faq.lock yet: review it, then "
                                    "`faqbot check --accept`"))
            continue
        for source, text in now[entry.id].items():
            before = lock[entry.id].get(source)
            if before is not None and before != text:
                diff = "\n".join(difflib.unified_diff(before.splitlines(), text.splitlines(), "reviewed", "now",
                                                      lineterm="", n=1))
                findings.append(_about(entry, "drift", "error", f"the passage it cites, '{source}', changed since its "
                                        "answer was reviewed: check the answer, then `faqbot check --accept`",
                                        detail=diff))
    return findings


# ----------------------------------------------------------------------------- coverage


def _coverage(corpus: Corpus) -> list[Finding]:
    """Sections none of whose passages an entry cites (the article still answers from them)."""
    cited = {s for e in corpus.entries if not e.implicit for s in e.sources}
    if not cited:
        return []   # no entry cites anything yet: the grounding warnings say so
    sections: dict[tuple[str, ...], list[str]] = {}
    for p in corpus.passages:
        sections.setdefault(p.path, []).append(p.id)
    return [_about(None, "coverage", "warning", f"no curated entry cites the section "
                   f"'{' > '.join(path) or '(opening text)'}' ({', '.join(ids)}): its heading and opening answer "
                   "for it, and article excerpts") for path, ids in sections.items() if not cited & set(ids)]

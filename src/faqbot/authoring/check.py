"""`faqbot check`: test a corpus against its article the way its readers will meet it.

Errors (exit 1) are findings that put a wrong or unchecked answer in front of a reader:

- **sources**: a ``sources`` id that names no passage (with its likely new id);
- **drift**: a cited passage changed since the answer was last reviewed (``faq.lock``), with a diff;
- **grounding**: fewer than half of an answer's content words are in the passages it cites.

Warnings (exit 0, or 1 with ``--strict``) are worth a look but are judgement calls:

- **self-test**: curated phrasings that, held out of their own entry, are answered by another entry,
  get only "did you mean", are answered from the article or are declined (one finding per entry);
- **collision**: near-identical phrasings in two entries;
- **grounding**: sources faqbot inferred for an entry that names none (to confirm), and an entry no
  passage backs (it cites the FAQ file, not the article);
- **drift**: an entry not in the lock yet;
- **coverage**: sections no curated entry cites (their implicit heading entry answers for them).

Notes are next steps, never counted: "no faq.lock yet".
"""

from __future__ import annotations

import difflib
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal, NamedTuple

from faqbot.authoring.lock import Locked, locked_texts, read_lock
from faqbot.corpus.lock import most_like
from faqbot.engine.built import Built
from faqbot.engine.fit import FOLDS, held_out
from faqbot.engine.index import Index
from faqbot.engine.pipeline import Engine, winner
from faqbot.errors import FaqbotError
from faqbot.language.text import normalize
from faqbot.models import Corpus, Entry

_URL = re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.-]*://\S+")   # https://, file:///foo/bar.js, ...
_CODE = re.compile(r"```.*?```|`[^`\n]*`", re.DOTALL)   # code says what to type, seldom how readers ask
Severity = Literal["error", "warning", "note"]   # a note is a next step, not a problem: never counted
GROUNDED = 0.5           # share of an answer's content words its cited passages must hold
NEAR_IDENTICAL = 92.0    # rapidfuzz ratio (0-100) above which two entries' phrasings collide
ARTICLE_WORDS = 4        # the article's own words for an entry that a self-test finding names
EVERYDAY_ZIPF = 5.0      # words this common in English ("way", "almost") say nothing of an entry
_COMMON_IDF = math.log(2) + 1.0   # the IDF of a word in half the texts: it tells no entry apart
SECTION_WORDS = 25       # a section saying fewer words than this (a title's one-line introduction) wants no entry
FILLER_ZIPF = 5.5        # a missing word this common ("use", "go") is not one to write again; one that pulls
                         # the phrasing elsewhere is named however common it is


Outcome = Literal["answered", "clarified", "extract", "declined"]


class Result(NamedTuple):
    """What became of one phrasing held out of its entry: it came back ("found", or "article": as the
    article's sentences from a passage the entry cites), or an ``Outcome`` (with the *rival* entry)."""

    entry: str
    phrase: str
    outcome: str
    rival: str | None = None

    @property
    def came_back(self) -> bool:
        return self.outcome in ("found", "article")


@dataclass(frozen=True, slots=True)
class Miss:
    """A curated phrasing that, held out of its entry, did not come back as it: what happened, and why."""

    phrase: str
    outcome: Outcome                   # answered by *rival*, "did you mean" *rival*, an article extract, declined
    rival: str | None
    words_missing: tuple[str, ...]     # the phrasing's words its own entry lacks
    words_pulled: tuple[str, ...]      # of those, the ones *rival* has
    known: tuple[str, ...] = ()        # of those missing, the ones worth writing again (the corpus uses them)
    entry: str = ""                    # the entry it is a phrasing of

    def to_dict(self) -> dict[str, object]:
        return {"phrase": self.phrase, "entry": self.entry, "outcome": self.outcome, "rival": self.rival,
                "words_missing": list(self.words_missing), "words_pulled": list(self.words_pulled)}


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
    misses: tuple[Miss, ...] = ()         # self-test: each held-out phrasing of the entry that missed

    @property
    def words_missing(self) -> tuple[str, ...]:
        """Self-test: its missed phrasings' words the entry lacks."""
        return tuple(dict.fromkeys(w for m in self.misses for w in m.words_missing))

    @property
    def words_pulled(self) -> tuple[str, ...]:
        """Self-test: of those, the ones the entries that took them have."""
        return tuple(dict.fromkeys(w for m in self.misses for w in m.words_pulled))

    @property
    def rival(self) -> str | None:
        """Self-test: the entry that took most of its missed phrasings (or was offered first)."""
        rivals = Counter(m.rival for m in self.misses if m.rival)
        return rivals.most_common(1)[0][0] if rivals else None

    def to_dict(self) -> dict[str, object]:
        data: dict[str, object] = {"check": self.check, "severity": self.severity, "message": self.message,
                                   "entry": self.entry, "file": self.file, "line": self.line, "detail": self.detail}
        if self.check == "self-test":
            data |= {"words_missing": list(self.words_missing), "words_pulled": list(self.words_pulled),
                     "rival": self.rival, "misses": [m.to_dict() for m in self.misses]}
        return data


@dataclass(frozen=True, slots=True)
class SelfTest:
    """The self-test's figures: each phrasing held out of its entry, and what became of it."""

    tested: int                       # phrasings held out and asked
    found: int                        # of those, answered by their own entry (or from a passage it cites)
    from_article: int                 # of those found, answered from a passage the entry cites, not by the entry
    stand_alone: tuple[Miss, ...]     # declined misses nothing else would bring back: the phrasing is the fix
    entries: int                      # entries with two or more phrasings (each was held out)
    results: tuple[Result, ...]       # per phrasing held out, what became of it

    def to_dict(self) -> dict[str, object]:
        return {"tested": self.tested, "found": self.found, "missed": self.tested - self.found,
                "from_article": self.from_article, "stand_alone": [m.to_dict() for m in self.stand_alone],
                "entries_tested": self.entries}


@dataclass(frozen=True, slots=True)
class CheckReport:
    """Everything `faqbot check` found, with the self-test's figures."""

    corpus: str
    findings: tuple[Finding, ...]
    self_test: SelfTest
    decision: str = ""        # how the decision was made for this corpus: fitted, or why the defaults
    answer_at: float = 0.0    # the decision's answer threshold

    @property
    def errors(self) -> int:
        return sum(f.severity == "error" for f in self.findings)

    @property
    def warnings(self) -> int:
        return sum(f.severity == "warning" for f in self.findings)

    @property
    def entries_to_fix(self) -> int:
        """Entries with a self-test warning: what to write for them is said."""
        return sum(f.check == "self-test" for f in self.findings)

    @property
    def entries_all_back(self) -> int:
        """Entries whose every phrasing, held out, comes back to them."""
        missing = {f.entry for f in self.findings if f.check == "self-test"} | \
            {m.entry for m in self.self_test.stand_alone}
        return self.self_test.entries - len(missing)

    def pulling(self) -> list[tuple[str, int]]:
        """The entries that won most self-test misses, with how many: the first to make more specific."""
        return Counter(m.rival for f in self.findings for m in f.misses if m.rival).most_common()

    def to_dict(self) -> dict[str, object]:
        return {"corpus": self.corpus, "errors": self.errors, "warnings": self.warnings,
                "self_test": self.self_test.to_dict() | {
                    "entries_to_fix": self.entries_to_fix, "entries_all_back": self.entries_all_back,
                    "pulled_by": dict(self.pulling())},
                "decision": self.decision, "findings": [f.to_dict() for f in self.findings]}


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
    self_findings, self_test = _self_test(built)
    findings += self_findings
    findings += _collisions(corpus)
    findings += _still_answered(built)
    findings += _grounding(built.index)
    findings += _drift(corpus, lock)
    findings += _coverage(corpus)
    return CheckReport(corpus.name, tuple(findings), self_test, built.decision.note, built.decision.answer_at)


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




def _self_test(built: Built) -> tuple[tuple[Finding, ...], SelfTest]:
    """Each phrasing of an entry with two or more, held out of its entry (as the fitted decision's
    folds do), asked of the rest through the engine: it should come back as its own entry, or as the
    article's sentences from a passage the entry cites (the reader still gets the right section).

    The misses to act on are one finding per entry, each saying why in the phrasings' own words: those
    the entry lacks, those that pull them elsewhere, and the article's own words for the entry that no
    phrasing uses yet. A phrasing declined is asked to be backed up by the article's words for its entry,
    never by its own words again; when the article has none left, it stands alone: written, it is what
    teaches the bot its words, which a test that holds it out cannot show."""
    index, corpus = built.index, built.corpus
    by_id = {e.id: e for e in corpus.entries}
    misses: dict[str, list[Miss]] = {}
    stand_alone: list[Miss] = []
    results: list[Result] = []
    article: dict[str, tuple[str, ...]] = {}   # per entry, found on its first miss
    tested = found = from_article = 0
    entries = sum(len(e.phrasings) > 1 for e in corpus.entries)
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
            own = chosen is not None and by_id[chosen].question in (entry.question, phrase)
            # (its own entry, or one with the same question: several answers to one)
            cited = not own and verdict.action == "extract" and evidence.extract is not None and \
                sub.corpus.passages[evidence.extract.sentences[0][0]].id in entry.sources
            if own or cited:
                results.append(Result(entry.id, phrase, "found" if own else "article"))
                found += 1
                from_article += cited
                continue
            offered = [c.id for c in verdict.chosen if by_id[c.id].question != entry.question] \
                if verdict.action == "clarify" else []
            rival = chosen or (offered[0] if offered else None)   # the other entry offered, never its own
            outcome: Outcome = "answered" if chosen else "clarified" if rival else \
                "extract" if verdict.action == "extract" else "declined"
            miss = _miss(sub, entry, phrase, rival, outcome)
            results.append(Result(entry.id, phrase, outcome, rival))
            if entry.id not in article:
                article[entry.id] = article_words(index, entry)
            if rival is None and not article[entry.id]:
                stand_alone.append(miss)   # nothing to write that would bring it back: the phrasing is the fix
            else:
                misses.setdefault(entry.id, []).append(miss)
    findings = tuple(_entry_misses(by_id[entry_id], tuple(found_misses), by_id, article[entry_id])
                     for entry_id, found_misses in misses.items())
    return findings, SelfTest(tested, found, from_article, tuple(stand_alone), entries, tuple(results))


def _miss(sub: Index, entry: Entry, phrase: str, rival: str | None, outcome: Outcome) -> Miss:
    """Why *phrase* did not come back as *entry*: its words the entry lacks, those worth writing again (the
    rest of the corpus uses them; the others are the author's own wording, which teach the self-test only)
    and those that *rival* has."""
    analysis = sub.analyzer.document(phrase)
    # A word in most entries (the product's own name) tells no entry apart: never asked for.
    idf = sub.evidence.idf
    words = [(w, t) for w, t in zip(analysis.content, analysis.stems, strict=True)
             if idf.get(t, _COMMON_IDF + 1) > _COMMON_IDF]
    # What the entry says besides this phrasing, as written (a fold may hold out two of its phrasings at
    # once: a word the other one has is not missing).
    own = frozenset(sub.analyzer.stems(" ".join((*(p for p in entry.phrasings if p != phrase), entry.answer))))
    missing = tuple(dict.fromkeys(w for w, t in words if t not in own))
    english = sub.analyzer.english
    known = tuple(dict.fromkeys(w for w, t in words if t not in own and t in idf and english.zipf(w) < FILLER_ZIPF))
    theirs = sub.evidence.entry_terms[sub.entry_index(rival)] if rival and sub.has_entry(rival) else frozenset()
    pulled = tuple(dict.fromkeys(w for w, t in words if t in theirs and t not in own))
    return Miss(phrase, outcome, rival, missing, pulled, known, entry.id)


def _entry_misses(entry: Entry, misses: tuple[Miss, ...], by_id: dict[str, Entry], article: Sequence[str]) -> Finding:
    """The one self-test finding for *entry*: which of its phrasings missed, how, and what to write."""
    found = Finding("self-test", "warning", "", entry.id, entry.source, entry.line or None, misses=misses)
    rival = found.rival
    pulled = tuple(dict.fromkeys(w for m in misses if m.rival == rival for w in m.words_pulled))
    # A declined phrasing's own words are what it brings: only the words that pull one elsewhere, or the
    # article's, are worth writing again.
    known = tuple(dict.fromkeys(w for m in misses if m.rival for w in m.known))
    several = len(misses) > 1
    shared = sorted(set(entry.sources) & set(by_id[rival].sources)) if rival else []
    nothing_missing = not any(m.words_missing for m in misses)
    fallback = ("its words are all in this entry already, but they do not tell it apart: "
                f"{'paraphrases' if several else 'a paraphrase'} with a word only this entry uses would help"
                if nothing_missing else "")
    if shared:
        # Two entries on one passage: the other's words would only make them collide more.
        ties = f", and {_quoted(pulled)} tie{'s' if len(pulled) == 1 else ''} the question to it" if pulled else ""
        # The article's words for a shared passage would fit both: not asked for.
        own = _advice([w for w in known if w not in pulled], (), None, (), several=True,
                      fallback=f"paraphrases in words '{rival}' does not use would help")
        advice = (f"this entry and '{rival}' both cite '{shared[0]}'{ties}: if they answer one question, merge them; "
                  f"if not, {own}")
    else:
        advice = _advice(known, pulled, rival, article, several=several, fallback=fallback)
    if several:
        said = f"{len(misses)} of its {len(entry.phrasings)} phrasings, held out, do not come back to it: " + \
            "; ".join(_outcomes(misses))
    else:
        said = _outcomes(misses)[0]
    return replace(found, message=f"{said}: {advice}")


def _outcomes(misses: Sequence[Miss], shown: int = 2) -> list[str]:
    """The misses grouped by what happened to them ("'a' and 'b' are answered by 'x'"), a few quoted each."""
    groups: dict[tuple[Outcome, str | None], list[str]] = {}
    for m in misses:
        groups.setdefault((m.outcome, m.rival), []).append(m.phrase)
    said = []
    for (outcome, rival), phrases in groups.items():
        said.append(_some(phrases, shown) + " " + outcome_text(outcome, rival, one=len(phrases) == 1))
    return said


def outcome_text(outcome: str, rival: str | None, *, one: bool = True, past: bool = False) -> str:
    """What happened to held-out phrasings ("is answered by 'x'", "are declined", with *past* "was
    declined"): an ``Outcome``, or a ``Result``'s "found" or "article"."""
    be = ("was" if one else "were") if past else ("is" if one else "are")
    come = "came" if past else "comes" if one else "come"
    get = "got" if past else "gets" if one else "get"
    return {"found": f"{come} back", "article": f"{come} back as the article's sentences",
            "answered": f"{be} answered by '{rival}'", "clarified": f"{get} only \"did you mean\" (with '{rival}')",
            "extract": f"{be} answered from another part of the article", "declined": f"{be} declined"}[outcome]


def _advice(missing: Sequence[str], pulled: Sequence[str], rival: str | None, article: Sequence[str], *,
            several: bool = False, fallback: str = "") -> str:
    """What to write for held-out phrasings that missed: the words that pull them to *rival* are named as
    the reason; the other words this entry lacks, then the article's own words for it, are the fix."""
    others = [w for w in missing if w not in pulled]
    a_paraphrase = "paraphrases" if several else "a paraphrase"
    if pulled:
        # The words that pull it are the reason, never the fix: written into this entry too, they only make
        # the two entries collide more. What sets this entry apart is.
        one = len(pulled) == 1
        why = (f"{_quoted(pulled)} {'is' if one else 'are'} in '{rival}' and not in this entry, which is why "
               f"{'it pulls' if one else 'they pull'} the question there")
        if others:
            advice = f"{why}: {a_paraphrase} using the words that set this entry apart ({_quoted(others)}) would help"
        elif article:
            advice = (f"{why}: {a_paraphrase} in the words the article uses for this entry, which no phrasing has yet "
                      f"({_quoted(article)}), would help")
            article = ()
        else:
            advice = f"{why}: {a_paraphrase} in words '{rival}' does not use would help"
    elif missing:
        advice = f"{a_paraphrase} using {_quoted(missing)} would help"
    else:
        advice = ""
    if article:
        said = (f"{a_paraphrase} in the words the article uses for it, which no phrasing has yet "
                f"({_quoted(article)}), would help" if not advice else
                f"; so would the words the article uses for it, which no phrasing has yet ({_quoted(article)})")
        advice += said
    return advice or fallback or f"{a_paraphrase} in other words readers use would help"


def article_words(index: Index, entry: Entry, limit: int = ARTICLE_WORDS) -> tuple[str, ...]:
    """The words that mark the passages *entry* cites, and none of its phrasings uses: those of their
    heading, and those said twice or more, rarest in the corpus first. Readers who ask in the article's
    words use these; a word said once in passing ("hindsight") is seldom one of them, and one that many
    entries use does not mark this one."""
    said = set(index.analyzer.stems(" ".join(entry.phrasings)))
    idf, english = index.evidence.idf, index.analyzer.english
    passages = {p.id: p for p in index.corpus.passages}
    count: Counter[str] = Counter()
    surface: dict[str, str] = {}
    for source in entry.sources:
        passage = passages.get(source)
        if passage is None:
            continue
        for text, times in ((passage.section, 2), (_CODE.sub(" ", _URL.sub(" ", passage.text)), 1)):
            analysis = index.analyzer.document(text)
            for word, stem in zip(analysis.content, analysis.stems, strict=True):
                if stem not in said and word.isalpha() and len(word) > 2 and idf.get(stem, 0.0) > _COMMON_IDF \
                        and english.zipf(word) < EVERYDAY_ZIPF:
                    count[stem] += times
                    surface.setdefault(stem, word)
    # A word many entries use ("python" in a Python tool's FAQ) would not tell this one apart.
    entry_terms = index.evidence.entry_terms
    spread = max(2, len(entry_terms) // 4)
    marked = sorted((t for t, n in count.items() if n >= 2 and sum(t in terms for terms in entry_terms) <= spread),
                    key=lambda t: (-count[t] * idf[t], t))
    return tuple(surface[t] for t in marked[:limit])


def _quoted(words: Sequence[str]) -> str:
    return ", ".join(f"'{w}'" for w in words)


def _some(texts: Sequence[str], shown: int = 2) -> str:
    """The first *shown* of *texts*, quoted, and how many more: "'a' and 'b' (and 3 more)"."""
    return " and ".join(f"'{t}'" for t in texts[:shown]) + (
        f" (and {len(texts) - shown} more)" if len(texts) > shown else "")


def _still_answered(built: Built) -> list[Finding]:
    """Per entry, the questions of out_of_scope.yaml it would answer were they not listed: they are
    declined as written, and their paraphrases likely are not (one finding per entry to make specific)."""
    engine = Engine(built, built.corpus.config)
    by_id = {e.id: e for e in built.corpus.entries}
    answered: dict[str, list[str]] = {}
    for question in built.corpus.out_of_scope:
        found = engine.gatherer.gather(question)
        chosen = winner(found, engine.judge(found))
        if chosen is not None:
            answered.setdefault(chosen, []).append(question)
    findings = []
    for entry_id, questions in answered.items():
        one = len(questions) == 1
        findings.append(_about(by_id[entry_id], "out of scope", "warning",
                               f"out_of_scope.yaml declines {_some(questions)} as written, but asked otherwise "
                               f"{'it' if one else 'they'} would be answered by '{entry_id}': make this entry's "
                               f"questions more specific, or list {'its' if one else 'their'} paraphrases too"))
    return findings


# ----------------------------------------------------------------------------- collisions


def _collisions(corpus: Corpus) -> list[Finding]:
    """Near-identical phrasings in two entries that do not share their question."""
    from rapidfuzz import fuzz, process

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
        return [_about(None, "drift", "note", "no faq.lock yet: run `faqbot check --accept` once the answers are "
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
    """Sections none of whose passages an entry cites (the article still answers from them), unless they
    say too little to ask about: a title's one-line introduction wants no entry of its own."""
    cited = {s for e in corpus.entries if not e.implicit for s in e.sources}
    if not cited:
        return []   # no entry cites anything yet: the grounding warnings say so
    sections: dict[tuple[str, ...], list[str]] = {}
    words: Counter[tuple[str, ...]] = Counter()
    for p in corpus.passages:
        sections.setdefault(p.path, []).append(p.id)
        words[p.path] += len(p.text.split())
    return [_about(None, "coverage", "warning", f"no curated entry cites the section "
                   f"'{' > '.join(path) or '(opening text)'}' ({', '.join(ids)}): its heading and opening answer "
                   "for it, and article excerpts") for path, ids in sections.items()
            if not cited & set(ids) and words[path] >= SECTION_WORDS]

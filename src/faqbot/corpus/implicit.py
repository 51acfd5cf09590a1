"""What the article itself offers as FAQ: an entry per section (its heading as the question, the
opening of the section as the answer, citing it), and sources for curated entries that name none
(the passages whose words back their answer best). Build time only: the corpus loader calls it.

A heading phrased as a question ("How do I turn it off?") is asked as written; any other heading
("Loading order") is a keyword phrasing of its section, so terse questions land. Curated entries
win: a section a curated entry cites gets no implicit entry, and an explicit ``sources:`` is
never replaced.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

from faqbot.language.analysis import Stemmer
from faqbot.language.text import announced, content_words, is_code, is_quote, join_sentences, tokenize
from faqbot.models import Entry, Passage

_QUESTION_START = re.compile(r"^(what|how|why|when|where|who|whom|whose|which|can|could|does|do|did|is|are|was|"
                             r"were|should|would|will|may|might|must|shall|has|have|am)\b", re.IGNORECASE)
OPENING_WORDS = 25        # an implicit answer is the section's opening sentences, up to about this many words
BACKED = 0.6              # share of an answer's content words (IDF-weighted) a passage must hold to back it
ID_PREFIX = "heading:"


def is_question(heading: str) -> bool:
    """True for a heading phrased as a question: it ends with "?" or starts like one."""
    text = heading.strip()
    return text.endswith("?") or bool(_QUESTION_START.match(text))


def section_key(passage: Passage) -> str:
    """The id prefix of *passage*'s section (``green-tea`` for ``green-tea-2``)."""
    return passage.id.rsplit("-", 1)[0]


def heading_entries(passages: Sequence[Passage], curated: Sequence[Entry]) -> list[Entry]:
    """An implicit entry for each section with a heading and text that no curated entry cites."""
    cited = {p for e in curated for p in e.sources}
    by_id = {p.id: p for p in passages}
    covered = {(by_id[p].source, by_id[p].path) for p in cited if p in by_id}
    taken = {e.id for e in curated}
    entries: list[Entry] = []
    sections: dict[tuple[str, tuple[str, ...]], list[Passage]] = {}
    for passage in passages:
        sections.setdefault((passage.source, passage.path), []).append(passage)
    for where, members in sections.items():
        if not members[0].section or where in covered:
            continue
        # A section may open with an example (a quoted error message, a command): the answer is the
        # first passage that explains.
        passage = next((p for p in members if not only_example(p.text)), members[0])
        answer = opening(passage)
        entry_id = ID_PREFIX + section_key(passage)
        if not answer or entry_id in taken:
            continue
        entries.append(Entry(id=entry_id, question=" ".join(passage.section.split()), answer=answer,
                             sources=(passage.id,), source=passage.source, line=passage.start_line, implicit=True))
    return entries




def only_example(text: str) -> bool:
    """Whether a passage's Markdown is only a block quote or only code: an example, not an explanation."""
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        return False
    if all(is_quote(line) for line in lines):
        return True
    if is_code(lines[0]) and is_code(lines[-1]) and len(lines) >= 2:
        return True
    return all(line.startswith(("    ", "\t")) for line in lines)


def opening(passage: Passage) -> str:
    """The first sentences of *passage* (about ``OPENING_WORDS`` words), with the list or code block a
    lead-in colon announces; a quote or code the section opens with (an example) is skipped."""
    sentences = passage.sentences
    start = next((n for n, sentence in enumerate(sentences) if not (is_code(sentence) or is_quote(sentence))), 0)
    chosen: list[str] = []
    words = 0
    for n, sentence in enumerate(sentences[start:], start):
        chosen.append(sentence)
        words += len(sentence.split())
        if sentence.endswith(":"):
            chosen += [sentences[i] for i in announced(sentences, n)]
            break
        if words >= OPENING_WORDS:
            break
    return join_sentences(chosen)


def inferred_sources(entries: Sequence[Entry], passages: Sequence[Passage], *,
                     named: frozenset[str] | set[str] = frozenset()) -> list[Entry]:
    """*entries*, each curated one without ``sources`` given the passage that backs its answer best
    (when one holds most of its words); others unchanged. Entries in *named* named sources that do not
    resolve (``faqbot check`` reports them): nothing is inferred for them."""
    if not passages or all(e.sources or e.implicit or e.id in named for e in entries):
        return list(entries)
    stem = Stemmer()

    def terms(text: str) -> set[str]:
        return {stem(w) for w in content_words(tokenize(text))}

    passage_terms = [terms(f"{p.section} {p.text}") for p in passages]
    df = Counter(t for ts in passage_terms for t in ts)
    idf = {t: math.log((1 + len(passages)) / (1 + n)) + 1 for t, n in df.items()}
    unseen = math.log(1 + len(passages)) + 1
    out = []
    for entry in entries:
        if entry.sources or entry.implicit or entry.id in named:
            out.append(entry)
            continue
        wanted = terms(entry.answer)
        total = sum(idf.get(t, unseen) for t in wanted)
        if not total:
            out.append(entry)
            continue
        shares = [sum(idf[t] for t in wanted & held) / total for held in passage_terms]
        best = max(range(len(passages)), key=lambda i: (shares[i], -i))
        out.append(entry._replace(sources=(passages[best].id,), sources_inferred=True)
                   if shares[best] >= BACKED else entry)
    return out

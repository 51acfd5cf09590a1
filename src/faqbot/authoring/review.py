"""`faqbot review`: group what readers asked and didn't get (the unanswered log), and propose for each
group what the author could do: add the questions as paraphrases of the entry that nearly won, write a
new entry from the passage that answers them, or leave them (out of scope). The proposals go to a
``review.yaml`` the author edits; ``apply_review`` merges the accepted paraphrases and new entries into
``faq.yaml``, changing only the lines of the entries it touches (positions from PyYAML's node marks)."""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from faqbot.answerer import Answerer
from faqbot.corpus.validate import ID_RULE, valid_id
from faqbot.errors import CorpusError

MAX_QUESTIONS = 2000     # the most recent distinct questions clustered (the log holds at most ~2 MiB)
GROUP_DISTANCE = 0.8     # cosine distance under which two questions join one group (average linkage)
NEAR_WINNER = 0.2        # an entry this confident, though declined, is the one the questions were after;
NEAR_FUSED, NEAR_COVERAGE = 0.3, 0.5   # so is one scoring this high on the words the question shares with it
PASSAGE_COVERAGE = 0.6   # a passage covering this share of a question's words may answer it
PROPOSALS = ("paraphrases", "new entry", "out of scope")


@dataclass(frozen=True, slots=True)
class Group:
    """Similar logged questions, how often they were asked, and what the author could do about them."""

    questions: tuple[str, ...]       # distinct, most asked first
    asked: int
    proposal: str                    # one of PROPOSALS
    entry: str | None = None         # for "paraphrases": the entry that nearly won
    passage: str | None = None       # for "new entry": the passage that answers them
    section: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"asked": self.asked, "questions": list(self.questions), "proposal": self.proposal}
        if self.entry:
            data["entry"] = self.entry
        if self.passage:
            data |= {"passage": self.passage, "section": self.section}
        return data


def group_questions(answerer: Answerer, logged: Sequence[str]) -> list[Group]:
    """The logged questions the bot still does not answer, grouped by meaning (most asked group first),
    each with a proposal."""
    counts = Counter(" ".join(q.split()) for q in logged if q.strip())
    # What the bot answers now (a merged paraphrase, an entry added since) is done: not proposed again.
    distinct = [q for q in list(counts)[-MAX_QUESTIONS:] if answerer.ask(q).kind != "answer"]
    if not distinct:
        return []
    labels = _cluster(answerer, distinct)
    members: dict[int, list[str]] = {}
    for question, label in zip(distinct, labels, strict=True):
        members.setdefault(label, []).append(question)
    groups = [_propose(answerer, sorted(qs, key=lambda q: -counts[q]), sum(counts[q] for q in qs))
              for qs in members.values()]
    return sorted(groups, key=lambda g: (-g.asked, g.questions[0]))


OFFER_KINDS = ("offer taken", "offer refused")


def review_groups(answerer: Answerer, rows: Sequence[dict[str, Any]]) -> list[Group]:
    """The groups to propose from the log's *rows*: each offer readers took, as paraphrases of its
    entry; each they refused, as out of scope (a near miss); the rest grouped by meaning."""
    offers: dict[tuple[str, str], list[str]] = {}
    for row in rows:
        if row.get("kind") in OFFER_KINDS and isinstance(row.get("best"), str) and answerer.entry(row["best"]):
            offers.setdefault((str(row["kind"]), row["best"]), []).append(" ".join(row["question"].split()))
    settled = {q for questions in offers.values() for q in questions}
    groups = group_questions(answerer, [row["question"] for row in rows if row.get("kind") not in OFFER_KINDS
                                        and " ".join(row["question"].split()) not in settled])
    for (kind, entry), questions in offers.items():
        counts = Counter(questions)
        distinct = tuple(sorted(counts, key=lambda q: -counts[q]))
        if kind == "offer taken":
            groups.append(Group(distinct, len(questions), "paraphrases", entry=entry))
        else:
            groups.append(Group(distinct, len(questions), "out of scope", entry=entry))
    return sorted(groups, key=lambda g: (-g.asked, g.questions[0]))


def _cluster(answerer: Answerer, questions: list[str]) -> list[int]:
    """A group label per question: agglomerative clustering (scikit-learn) of TF-IDF vectors made of
    the analyzer's own features (spelling-corrected stems and character n-grams)."""
    if len(questions) == 1:
        return [0]
    from sklearn.cluster import AgglomerativeClustering
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics.pairwise import cosine_distances

    analyze = answerer.analyse
    features = [[*a.stems, *a.char_features] or list(a.tokens) or ["(empty)"] for a in map(analyze, questions)]
    vectors = TfidfVectorizer(analyzer=lambda f: f, sublinear_tf=True).fit_transform(features)
    model = AgglomerativeClustering(n_clusters=None, metric="precomputed", linkage="average",
                                    distance_threshold=GROUP_DISTANCE)
    return [int(label) for label in model.fit_predict(cosine_distances(vectors))]


def _propose(answerer: Answerer, questions: list[str], asked: int) -> Group:
    """What to do with a group, judged by its most asked question."""
    found = answerer.gather(questions[0])
    answer = answerer.decide(found)
    judged = answer.trace.candidates if answer.trace else ()
    best = judged[0] if judged else None
    if answer.kind == "clarify" and answer.options:
        return Group(tuple(questions), asked, "paraphrases", entry=answer.options[0].id)
    if best is not None and (best.confidence >= NEAR_WINNER or (best.fused >= NEAR_FUSED and
                                                                 best.coverage >= NEAR_COVERAGE)):
        return Group(tuple(questions), asked, "paraphrases", entry=best.id)
    hit = found.passages[0] if found.passages else None
    if hit is not None and hit.coverage >= PASSAGE_COVERAGE:
        return Group(tuple(questions), asked, "new entry", passage=hit.id, section=hit.section)
    return Group(tuple(questions), asked, "out of scope")


# ----------------------------------------------------------------------------- review.yaml


def review_yaml(groups: Sequence[Group], corpus_name: str) -> str:
    """The review file: a commented list of groups, each to accept (or not) and edit."""
    lines = [
        f"# faqbot review of {corpus_name}: what readers asked and didn't get, grouped.",
        "# For each group you want merged into faq.yaml, set `accept: true`. Delete questions you don't",
        "# want. For a new entry, also write its `id` and its `answer` (from the passage named). Then:",
        "#   faqbot review --apply review.yaml",
        "",
    ]
    for n, group in enumerate(groups, start=1):
        lines.append(f"- group: {n}")
        lines.append(f"  asked: {group.asked}")
        lines.append(f"  proposal: {group.proposal}")
        if group.proposal == "paraphrases":
            lines.append(f"  entry: {group.entry}   # add the questions as its paraphrases")
        elif group.proposal == "new entry":
            lines.append(f"  passage: {group.passage}   # section: {_comment(group.section or '')}")
            lines.append("  id: ''          # a short name for the new entry")
            lines.append("  answer: ''      # written from that passage")
        else:
            if group.entry:
                lines.append(f"  # readers said no when offered '{group.entry}' for these: a near miss")
            lines.append("  # accepted: the questions go to out_of_scope.yaml, declined exactly from then on")
        lines.append("  questions:")
        lines += [f"    - {_quoted(q)}" for q in group.questions]
        lines.append("  accept: false")
        lines.append("")
    return "\n".join(lines)


def _quoted(text: str) -> str:
    """*text* as a YAML scalar that reads back as itself (a JSON string is a YAML double-quoted one)."""
    return json.dumps(text, ensure_ascii=False)


def _comment(text: str) -> str:
    return " ".join(text.split())


# ----------------------------------------------------------------------------- applying


@dataclass(frozen=True, slots=True)
class Applied:
    """What `review --apply` changed in faq.yaml and out_of_scope.yaml."""

    paraphrases: dict[str, int]      # entry id → paraphrases added
    new_entries: tuple[str, ...]
    out_of_scope: int = 0            # questions added to out_of_scope.yaml

    def to_dict(self) -> dict[str, Any]:
        return {"paraphrases": self.paraphrases, "new_entries": list(self.new_entries),
                "out_of_scope": self.out_of_scope}


def apply_review(root: str, review_path: str) -> Applied:
    """Merge the accepted groups of the review file into the corpus folder *root*: paraphrases and new
    entries into ``faq.yaml``, questions to decline into ``out_of_scope.yaml``."""
    accepted = _accepted(review_path)
    declined = _add_out_of_scope(root, [q for item, _ in accepted if item.get("proposal") == "out of scope"
                                        for q in item.get("questions") or [] if isinstance(q, str) and q.strip()])
    merged = [(item, line) for item, line in accepted if item.get("proposal") != "out of scope"]
    if not merged:
        return Applied({}, (), declined)
    added, new = _merge_into_faq(root, review_path, merged)
    return Applied(added, new, declined)


def _add_out_of_scope(root: str, questions: list[str]) -> int:
    """Append *questions* (those not there yet) to the corpus's out_of_scope.yaml; how many were added."""
    from faqbot.corpus.files import read_corpus_file, write_atomically
    from faqbot.corpus.load import load_corpus

    path = os.path.join(root, "out_of_scope.yaml")
    text = read_corpus_file(path).decode("utf-8") if os.path.isfile(path) else \
        "# Questions faqbot declines exactly; the fit leans their paraphrases to a decline too.\n"
    have = {" ".join(q.lower().split()) for q in load_corpus(root).out_of_scope}   # read as faqbot reads it
    fresh = list(dict.fromkeys(q for q in questions if " ".join(q.lower().split()) not in have))
    if fresh:
        body = text if text.endswith("\n") else text + "\n"
        write_atomically(path, [(body + "".join(f"- {_quoted(' '.join(q.split()))}\n" for q in fresh)).encode("utf-8")],
                         mode=_mode(path) if os.path.exists(path) else 0o644)
    return len(fresh)


def _merge_into_faq(root: str, review_path: str,
                    accepted: list[tuple[dict[str, Any], int]]) -> tuple[dict[str, int], tuple[str, ...]]:
    """Merge accepted paraphrases and new entries into ``faq.yaml``, changing only the lines it touches."""
    from faqbot.corpus import safeyaml
    from faqbot.corpus.files import read_corpus_file, write_atomically
    from faqbot.corpus.load import load_corpus

    faq_path = os.path.join(root, "faq.yaml")
    if not os.path.isfile(faq_path):
        raise CorpusError("review --apply merges into faq.yaml, and this corpus has none", path=root)
    corpus = load_corpus(root)
    entries = {e.id: e for e in corpus.entries if e.source in ("faq.yaml",)}
    passages = {p.id for p in corpus.passages}
    text = read_corpus_file(faq_path).decode("utf-8")
    lines = text.splitlines(keepends=True)
    _, root_node = safeyaml.load(text)
    nodes = {_scalar(n, "id"): n for n in (root_node.value if root_node is not None else [])}
    added: dict[str, int] = {}
    new: list[str] = []
    edits: list[tuple[int, int, list[str]]] = []   # (first line, end line, replacement lines): 0-based
    appended: list[str] = []
    for item, line in accepted:
        questions = [q for q in item.get("questions") or [] if isinstance(q, str) and q.strip()]
        if item.get("proposal") == "paraphrases":
            entry_id = item.get("entry")
            if entry_id not in entries or entry_id not in nodes:
                raise CorpusError(f"group accepts paraphrases for '{entry_id}', which is not an entry of faq.yaml",
                                  path=review_path, line=line)
            have = {" ".join(p.lower().split()) for p in entries[entry_id].phrasings}
            fresh = [q for q in questions if " ".join(q.lower().split()) not in have]
            if fresh:
                edits.append(_paraphrase_edit(lines, nodes[entry_id], fresh))
                added[entry_id] = added.get(entry_id, 0) + len(fresh)
        elif item.get("proposal") == "new entry":
            entry_id, answer, passage = item.get("id"), item.get("answer"), item.get("passage")
            if not (isinstance(entry_id, str) and entry_id.strip() and isinstance(answer, str) and answer.strip()):
                raise CorpusError("an accepted new entry needs its id and answer written in", path=review_path,
                                  line=line)
            if not valid_id(entry_id.strip()):
                raise CorpusError(f"id '{entry_id}' may hold only {ID_RULE}", path=review_path, line=line)
            if entry_id in entries or entry_id in new:
                raise CorpusError(f"id '{entry_id}' is already an entry", path=review_path, line=line)
            if passage not in passages or not questions:
                raise CorpusError(f"new entry '{entry_id}' needs its questions and a passage of the article",
                                  path=review_path, line=line)
            appended += _new_entry(entry_id, questions, answer, str(passage))
            new.append(entry_id)
    for first, end, replacement in sorted(edits, reverse=True):   # bottom up: earlier positions stay valid
        lines[first:end] = replacement
    if appended:
        if lines and not lines[-1].endswith("\n"):
            lines[-1] += "\n"
        lines += appended
    if edits or appended:
        write_atomically(faq_path, ["".join(lines).encode("utf-8")], mode=_mode(faq_path))
    return added, tuple(new)


def _mode(path: str) -> int:
    return int(os.stat(path).st_mode & 0o777)


def _accepted(review_path: str) -> list[tuple[dict[str, Any], int]]:
    """The groups of the review file with ``accept: true``, with their lines."""
    from faqbot.corpus import safeyaml
    from faqbot.corpus.files import read_corpus_file

    try:
        data, node = safeyaml.load(read_corpus_file(review_path).decode("utf-8"))
    except (UnicodeDecodeError, safeyaml.TooLarge, ValueError) as exc:
        raise CorpusError(f"cannot read the review file ({exc})", path=review_path) from exc
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise CorpusError("is not a review file: expected the list `faqbot review` wrote", path=review_path)
    lines = [n.start_mark.line + 1 for n in node.value] if node is not None else [0] * len(data)
    return [(item, line) for item, line in zip(data, lines, strict=False) if item.get("accept") is True]


def _scalar(mapping: Any, key: str) -> str | None:
    for k, v in getattr(mapping, "value", []) or []:
        if getattr(k, "value", None) == key and isinstance(getattr(v, "value", None), str):
            return str(v.value)
    return None


def _paraphrase_edit(lines: list[str], entry: Any, fresh: list[str]) -> tuple[int, int, list[str]]:
    """The edit adding *fresh* paraphrases to the entry whose mapping node is *entry*: new items after
    the last item of a block list (its comments and layout kept), a block list in place of a flow list,
    or a new ``paraphrases:`` key after the question."""
    pairs = list(entry.value)
    keys = [k.value for k, _ in pairs]
    indent = " " * entry.start_mark.column
    if "paraphrases" in keys:
        key, value = pairs[keys.index("paraphrases")]
        if getattr(value, "flow_style", True) is False and value.value:   # a block list: append
            last = value.value[-1]
            column = last.start_mark.column
            end = last.end_mark.line + (1 if last.end_mark.column > 0 else 0)
            dash = " " * max(0, column - 2)
            return end, end, [f"{dash}- {_quoted(q)}\n" for q in fresh]
        existing = [str(item.value) for item in getattr(value, "value", []) if isinstance(item.value, str)] \
            if isinstance(value.value, list) else [str(value.value)] if value.value else []
        end = _end_line(lines, value)
        return key.start_mark.line, end, _block_list(indent, [*existing, *fresh])
    question = pairs[keys.index("question")][1]
    end = _end_line(lines, question)
    return end, end, _block_list(indent, fresh)


def _end_line(lines: list[str], node: Any) -> int:
    """The line after the one where *node* ends (0-based), trailing blank lines left where they are."""
    end = int(node.end_mark.line) + (1 if node.end_mark.column > 0 else 0)
    while end > node.start_mark.line + 1 and not lines[end - 1].strip():
        end -= 1
    return end


def _block_list(indent: str, items: list[str]) -> list[str]:
    return [f"{indent}paraphrases:\n", *(f"{indent}  - {_quoted(q)}\n" for q in items)]


def _new_entry(entry_id: str, questions: list[str], answer: str, passage: str) -> list[str]:
    lines = [f"\n- id: {entry_id.strip()}\n", f"  question: {_quoted(questions[0])}\n"]
    if questions[1:]:
        lines += _block_list("  ", questions[1:])
    lines += [f"  answer: {_quoted(' '.join(answer.split()))}\n", f"  sources: [{passage}]\n"]
    return lines

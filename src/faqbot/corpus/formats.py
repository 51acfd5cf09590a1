"""Curated pairs in other formats: JSON Lines, CSV and TSV in, YAML / JSON Lines / TSV out.

CSV and TSV follow the QnA Maker / Azure question answering export layout: a header row with
``Question`` and ``Answer`` (any case) and optional ``Id``; rows that share an id (or ``QnaId``, or
else an answer) are alternative phrasings of one entry (the first row is the question, the others
paraphrases). QnA Maker's other columns are read past; any other column is an error. Every entry
goes through the same rules as faq.yaml (``faqbot.corpus.validate``). Called from ``faqbot.corpus.load``, which
owns reading files and reports errors with file and line.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

from faqbot.corpus.validate import IGNORED_COLUMNS, entry_from
from faqbot.errors import CorpusError
from faqbot.models import Entry

_COLUMNS = ("question", "answer", "id")
_QNA_MAKER = ("Metadata", "SuggestedQuestions", "IsContextOnly", "Prompts", "QnaId", "Source")


class _Reader(Protocol):   # the slice of corpus._Reader this module uses
    def text(self, path: Path) -> str: ...
    def rel(self, path: Path) -> str: ...
    def error(self, path: Path, message: str, line: int | None = None) -> CorpusError: ...


def read_table_entries(reader: _Reader, path: Path) -> list[Entry]:
    """Entries of a faq.jsonl, faq.csv or faq.tsv file."""
    text = reader.text(path)
    if not text.strip():
        raise reader.error(path, "is empty: expected curated question-and-answer pairs", 1)
    if path.suffix == ".jsonl":
        return _jsonl_entries(reader, path, text)
    return _table_entries(reader, path, text, "\t" if path.suffix == ".tsv" else ",")


def _jsonl_entries(reader: _Reader, path: Path, text: str) -> list[Entry]:
    entries = []
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise reader.error(path, f"not valid JSON ({exc.msg} at column {exc.colno})", number) from exc
        except RecursionError as exc:
            raise reader.error(path, "JSON nested too deeply to read", number) from exc
        except ValueError as exc:   # e.g. an integer of thousands of digits
            raise reader.error(path, f"a JSON value faqbot cannot read ({str(exc)[:80]})", number) from exc
        if not isinstance(item, dict):
            raise reader.error(path, 'each line must be an object like {"id": ..., "question": ..., "answer": ...}',
                               number)
        entries.append(entry_from(reader, path, item, number))
    return entries


def _table_entries(reader: _Reader, path: Path, text: str, delimiter: str) -> list[Entry]:
    try:
        rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    except csv.Error as exc:
        raise reader.error(path, f"not valid {'TSV' if delimiter == chr(9) else 'CSV'} ({exc})") from exc
    header = [h.strip().lower() for h in rows[0]]
    columns = {name: header.index(name) for name in (*_COLUMNS, "qnaid") if name in header}
    for needed in ("question", "answer"):
        if needed not in columns:
            kind = "tab" if delimiter == "\t" else "comma"
            raise reader.error(path, f"no '{needed.title()}' column in the header (found: {', '.join(rows[0])}); "
                                     f"expected {kind}-separated columns Question, Answer and optional Id", 1)
    for name, raw in zip(header, rows[0], strict=True):
        if name not in _COLUMNS and name not in IGNORED_COLUMNS:
            raise reader.error(path, f"unknown column '{raw.strip()}' (faqbot reads Question, Answer and Id; "
                                     f"QnA Maker's {', '.join(_QNA_MAKER)} are read past)", 1)

    def cell(row: list[str], name: str) -> str:   # an optional trailing cell may be missing: empty
        return row[columns[name]].strip() if name in columns and columns[name] < len(row) else ""

    groups: dict[str, dict[str, Any]] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        if len(row) <= max(columns["question"], columns["answer"]):
            raise reader.error(path, f"row has {len(row)} column(s), the header has {len(header)}", number)
        question, answer = cell(row, "question"), cell(row, "answer")
        if not question or not answer:
            raise reader.error(path, f"empty {'question' if not question else 'answer'}", number)
        given_id = cell(row, "id") or cell(row, "qnaid")
        group = groups.setdefault(given_id or answer, {"id": given_id or f"qa-{len(groups) + 1}", "question": question,
                                                       "answer": answer, "paraphrases": [], "line": number})
        if question and question != group["question"] and question not in group["paraphrases"]:
            group["paraphrases"].append(question)
    if not groups:
        raise reader.error(path, "has a header but no question-and-answer rows", 1)
    return [entry_from(reader, path, {k: v for k, v in g.items() if k != "line"}, g["line"], what="column")
            for g in groups.values()]


# ----------------------------------------------------------------------------- export


def export_entries(entries: Sequence[Entry], fmt: str) -> str:
    """The entries as YAML (faq.yaml layout), JSON Lines or TSV (QnA Maker layout, one row per phrasing)."""
    if fmt == "yaml":
        import yaml

        data = [_entry_dict(e) for e in entries]
        return str(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100))
    if fmt == "jsonl":
        return "".join(json.dumps(_entry_dict(e), ensure_ascii=False) + "\n" for e in entries)
    if fmt == "tsv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter="\t", lineterminator="\n")
        writer.writerow(["Question", "Answer", "Source", "Id"])
        for e in entries:
            for phrasing in e.phrasings:
                writer.writerow([phrasing, e.answer, e.source, e.id])
        return buffer.getvalue()
    raise ValueError(f"unknown export format {fmt!r} (yaml, jsonl or tsv)")


def _entry_dict(entry: Entry) -> dict[str, Any]:
    data: dict[str, Any] = {"id": entry.id, "question": entry.question}
    if entry.paraphrases:
        data["paraphrases"] = list(entry.paraphrases)
    data["answer"] = entry.answer
    if entry.sources:
        data["sources"] = list(entry.sources)
    if entry.related:
        data["related"] = list(entry.related)
    return data

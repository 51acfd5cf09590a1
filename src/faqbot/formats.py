"""Curated pairs in other formats: JSON Lines, CSV and TSV in, YAML / JSON Lines / TSV out.

CSV and TSV follow the QnA Maker / Azure question answering export layout: a header row with
``Question`` and ``Answer`` (any case), optional ``Source``, ``Id``/``QnaId``; rows that share an answer
are alternative phrasings of one entry (the first row is the question, the others paraphrases).
Called from ``faqbot.corpus``, which owns reading files and reports errors with file and line.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

from faqbot.errors import CorpusError
from faqbot.models import Entry
from faqbot.safeyaml import describe

_ID_UNSAFE = re.compile(r"[^A-Za-z0-9_.:-]+")


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
        entries.append(_entry_from(reader, path, item, number))
    return entries


def _entry_from(reader: _Reader, path: Path, item: dict[str, Any], line: int) -> Entry:
    for key in ("id", "question", "answer"):
        value = item.get(key)
        if isinstance(value, int) and key == "id" and not isinstance(value, bool):
            value = item[key] = str(value)
        if value is None:
            raise reader.error(path, f"missing field '{key}'", line)
        if not isinstance(value, str) or not value.strip():
            raise reader.error(path, f"field '{key}' must be non-empty text, got {describe(value)}", line)
    lists = {}
    for key in ("paraphrases", "sources", "related"):
        value = item.get(key) or []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise reader.error(path, f"field '{key}' must be a list of texts", line)
        lists[key] = tuple(" ".join(v.split()) for v in value if v.strip())
    return Entry(id=_safe_id(item["id"]), question=" ".join(item["question"].split()), answer=item["answer"].strip(),
                 source=reader.rel(path), line=line, **lists)


def _table_entries(reader: _Reader, path: Path, text: str, delimiter: str) -> list[Entry]:
    try:
        rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    except csv.Error as exc:
        raise reader.error(path, f"not valid {'TSV' if delimiter == chr(9) else 'CSV'} ({exc})") from exc
    header = [h.strip().lower() for h in rows[0]]
    columns = {name: header.index(name) for name in ("question", "answer", "id", "qnaid") if name in header}
    for needed in ("question", "answer"):
        if needed not in columns:
            kind = "tab" if delimiter == "\t" else "comma"
            raise reader.error(path, f"no '{needed.title()}' column in the header (found: {', '.join(rows[0])}); "
                                     f"expected {kind}-separated columns Question, Answer and optional Source", 1)
    groups: dict[str, dict[str, Any]] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) <= max(columns["question"], columns["answer"]):
            raise reader.error(path, f"row has {len(row)} column(s), the header has {len(header)}", number)
        question, answer = " ".join(row[columns["question"]].split()), row[columns["answer"]].strip()
        if not question or not answer:
            raise reader.error(path, f"empty {'question' if not question else 'answer'}", number)
        # An optional trailing cell may be missing from a row: it counts as empty.
        given_id = next((cell for c in ("id", "qnaid") if c in columns
                         and (cell := (row[columns[c]] if columns[c] < len(row) else "").strip())), "")
        key = given_id or answer
        group = groups.setdefault(key, {"id": given_id or f"qa-{len(groups) + 1}", "answer": answer,
                                        "phrasings": [], "line": number})
        if question not in group["phrasings"]:
            group["phrasings"].append(question)
    if not groups:
        raise reader.error(path, "has a header but no question-and-answer rows", 1)
    return [Entry(id=_safe_id(g["id"]), question=g["phrasings"][0], answer=g["answer"],
                  paraphrases=tuple(g["phrasings"][1:]), source=reader.rel(path), line=g["line"])
            for g in groups.values()]


def _safe_id(raw: str) -> str:
    return _ID_UNSAFE.sub("-", raw.strip()).strip("-") or "entry"


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

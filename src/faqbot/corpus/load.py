"""Load and validate a corpus folder into frozen dataclasses. The only module that reads corpus files.

A corpus folder holds any of:

- ``article.md`` (or other ``*.md`` files): the article, chunked into passages;
- ``faq.yaml`` / ``faq.jsonl`` / ``faq.csv`` / ``faq.tsv``: curated question-and-answer pairs;
- ``smalltalk.yaml``: greetings, thanks, help (faqbot's defaults when absent);
- ``aliases.yaml``: ``canonical: [variant, ...]`` phrasings folded together at build and query time;
- ``config.yaml``: overrides of :class:`faqbot.config.Config`.

Every problem is a :class:`CorpusError` naming the file, the line and what to fix.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from faqbot.config import Config
from faqbot.corpus.files import FAQ_FILES, bundled_corpus_dir, corpus_files, read_corpus_file, signature
from faqbot.corpus.implicit import heading_entries, inferred_sources
from faqbot.corpus.lock import Locked, most_like, read_lock
from faqbot.corpus.markdown import chunk_markdown
from faqbot.corpus.validate import entry_from
from faqbot.errors import ConfigError, CorpusError, describe
from faqbot.models import Corpus, Entry, Passage, SmallTalk

_DEFAULT_SMALLTALK = Path(__file__).with_name("smalltalk_default.yaml")


def load_corpus(root: str | Path | None = None, *, unresolved: list[tuple[Entry, str]] | None = None) -> Corpus:
    """Read and validate the corpus in *root* (the bundled one when None).

    A ``sources`` id that names no passage is followed to its likely new passage, with a notice on the
    corpus (``_check_references``). *unresolved*, when given, collects such ids as (entry, id):
    ``faqbot check`` reports them all as errors, with the likely new id."""
    root = Path(bundled_corpus_dir() if root is None else root)
    names = corpus_files(root)
    stamp = signature(names)
    files = [Path(f) for f in names]
    by_name = {p.name: p for p in files}
    reader = _Reader(root)
    passages = _load_articles(reader, [p for p in files if p.suffix == ".md"])
    entries = _load_entries(reader, [by_name[n] for n in FAQ_FILES if n in by_name])
    if not passages and not entries:
        raise CorpusError("corpus has nothing to answer from: add an article.md or a faq.yaml", path=str(root))
    entries, notices = _check_references(reader, entries, passages, unresolved)
    named = {e.id for e in entries if e.sources}
    config = _load_config(reader, by_name.get("config.yaml"))
    entries = inferred_sources(entries, passages, named=named)
    if config.implicit_entries:
        entries += heading_entries(passages, entries)
    smalltalk, examples = _smalltalk_of(reader, by_name.get("smalltalk.yaml"))
    examples = examples or [e.question for e in entries[:3]]
    return Corpus(
        name=root.resolve().name,
        passages=tuple(passages),
        entries=tuple(entries),
        smalltalk=_fill_examples(smalltalk, examples, main_sections(passages)),
        aliases=_load_aliases(reader, by_name.get("aliases.yaml")),
        classes=_load_classes(reader, by_name.get("classes.yaml"), {e.id for e in entries}),
        config=config,
        signature=tuple(stamp),
        root=str(root.resolve()),
        examples=tuple(examples),
        notices=tuple(notices),
        out_of_scope=_load_out_of_scope(reader, by_name.get("out_of_scope.yaml")),
    )


def _smalltalk_of(reader: _Reader, path: Path | None) -> tuple[list[SmallTalk], list[str]]:
    """The default small talk with the corpus's own intents (which override a default's reply and add
    to its patterns), and the corpus's example questions."""
    smalltalk, examples = _load_smalltalk(reader, None)
    if path is not None:
        own, examples = _load_smalltalk(reader, path)
        smalltalk = _overridden(smalltalk, own)
    return smalltalk, examples


# ----------------------------------------------------------------------------- reading


@dataclass(frozen=True, slots=True)
class _Reader:
    root: Path

    def rel(self, path: Path) -> str:
        return path.name if path.parent == self.root else str(path)

    def display(self, path: Path) -> str:
        """The path as the user should see it in an error message."""
        return str(self.root / path.name) if path.parent == self.root else str(path)

    def error(self, path: Path, message: str, line: int | None = None) -> CorpusError:
        return CorpusError(message, path=self.display(path), line=line)

    def text(self, path: Path) -> str:
        data = _read_bytes(path)
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise self.error(path, "is UTF-16 text; save it as UTF-8", 1)
        if b"\0" in data:
            raise self.error(path, "looks like a binary file, not text", _line_of(data, data.index(b"\0")))
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise self.error(path, f"is not UTF-8 text (byte 0x{data[exc.start]:02x}); save it as UTF-8",
                             _line_of(data, exc.start)) from exc
        return text.replace("\r\n", "\n").replace("\r", "\n")

    def yaml(self, path: Path) -> tuple[Any, Any]:
        """(data, node tree): data from yaml.safe_load, the composed node tree only for line numbers."""
        import yaml  # imported here: a fresh index cache never needs it

        from faqbot.corpus import safeyaml

        text = self.text(path)
        try:
            return safeyaml.load(text)
        except safeyaml.TooLarge as exc:
            raise self.error(path, str(exc)) from exc
        except yaml.YAMLError as exc:
            raise self.error(path, *safeyaml.problem_of(exc, text)) from exc
        except RecursionError as exc:
            raise self.error(path, "is nested too deeply to be a corpus file") from exc


def _read_bytes(path: Path) -> bytes:
    return read_corpus_file(str(path))


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _node_line(node: Any) -> int | None:
    return None if node is None else node.start_mark.line + 1


def _items_with_nodes(data: Any, node: Any) -> Iterator[tuple[Any, Any]]:
    """Pair each item of a YAML sequence with its node (for line numbers)."""
    nodes = list(node.value) if node is not None and isinstance(node.value, list) else []
    for i, item in enumerate(data):
        yield item, nodes[i] if i < len(nodes) else None


def _key_node(mapping_node: Any, key: str) -> Any:
    """The value node of *key* in a YAML mapping node, or the mapping node itself."""
    if mapping_node is not None and isinstance(mapping_node.value, list):
        for k, v in mapping_node.value:
            if getattr(k, "value", None) == key:
                return v
    return mapping_node


# ----------------------------------------------------------------------------- articles


def _load_articles(reader: _Reader, paths: list[Path]) -> list[Passage]:
    passages: list[Passage] = []
    used: dict[str, int] = {}
    for path in paths:
        text = reader.text(path)
        found = chunk_markdown(text, reader.rel(path), used_keys=used)
        if not found:
            raise reader.error(path, "the article is empty: it has no paragraphs or lists to answer from")
        passages.extend(found)
    return passages


# ----------------------------------------------------------------------------- curated entries


def _load_entries(reader: _Reader, paths: list[Path]) -> list[Entry]:
    from faqbot.corpus import formats  # CSV/JSONL readers, only needed for those files

    entries: list[Entry] = []
    seen: dict[str, str] = {}
    for path in paths:
        if path.suffix in (".yaml", ".yml"):
            found = _yaml_entries(reader, path)
        else:
            found = formats.read_table_entries(reader, path)
        for entry in found:
            if entry.id in seen:
                raise reader.error(path, f"duplicate id '{entry.id}' (first used at {seen[entry.id]})", entry.line)
            seen[entry.id] = f"{entry.source}:{entry.line}"
            entries.append(entry)
    return entries


def _yaml_entries(reader: _Reader, path: Path) -> list[Entry]:
    data, root_node = reader.yaml(path)
    if data is None and reader.text(path).strip():
        return []   # only comments: a template not filled in yet (`faqbot init` writes one)
    if data is None:
        raise reader.error(path, "is empty: expected a list of entries with id, question and answer")
    if not isinstance(data, list):
        raise reader.error(path, "must be a list of entries (each starting with '- id: ...')", _node_line(root_node))
    return [_yaml_entry(reader, path, item, node) for item, node in _items_with_nodes(data, root_node)]


def _yaml_entry(reader: _Reader, path: Path, item: Any, node: Any) -> Entry:
    line = _node_line(node)
    if not isinstance(item, dict):
        raise reader.error(path, "each entry must be a mapping with id, question and answer", line)
    return entry_from(reader, path, item, line or 0, lambda key: _node_line(_key_node(node, key)))


def _check_references(reader: _Reader, entries: list[Entry], passages: list[Passage],
                      unresolved: list[tuple[Entry, str]] | None) -> tuple[list[Entry], list[str]]:
    """The entries with every ``sources`` id resolved, and a notice for each id that names no passage.

    Such an id is usually one an older chunker made: it is followed to the passage most like the text
    ``faq.lock`` recorded for it, else dropped (an entry left with no source gets inferred ones), and
    the bot keeps answering. *unresolved*, when given, collects them for ``faqbot check``."""
    passage_ids = {p.id for p in passages}
    entry_ids = {e.id for e in entries}
    lock: Locked | None = None
    kept, notices = [], []
    for entry in entries:
        path = reader.root / entry.source
        for related in entry.related:
            if related not in entry_ids:
                raise reader.error(path, f"entry '{entry.id}' relates to unknown entry '{related}'", entry.line)
        sources = []
        for source in entry.sources:
            if source in passage_ids:
                sources.append(source)
                continue
            if unresolved is not None:
                unresolved.append((entry, source))
            if lock is None:
                lock = read_lock(str(reader.root)) or {}
            was = lock.get(entry.id, {}).get(source)
            likely = most_like(passages, was) if was else None
            where = f"{entry.source}:{entry.line}" if entry.line else entry.source
            if likely is not None:
                sources.append(likely)
                notices.append(f"{where}: '{entry.id}' cites '{source}', which names no passage now; answering from "
                               f"'{likely}', the passage most like its text in faq.lock (run faqbot check)")
            else:
                notices.append(f"{where}: '{entry.id}' cites '{source}', which names no passage now"
                               f"{_closest(source, passage_ids)}; its sources are inferred until it is fixed "
                               "(run faqbot check)")
        kept.append(entry._replace(sources=tuple(dict.fromkeys(sources))))
    return kept, notices


def _closest(name: str, options: set[str]) -> str:
    import difflib

    close = difflib.get_close_matches(name, sorted(options), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


# ----------------------------------------------------------------------------- small talk, aliases, config


def _load_smalltalk(reader: _Reader, path: Path | None) -> tuple[list[SmallTalk], list[str]]:
    """Small-talk intents, and the example questions the help reply and welcome show."""
    path = path or _DEFAULT_SMALLTALK
    data, node = reader.yaml(path)
    if data is None:
        return [], []
    if not isinstance(data, dict) or not isinstance(data.get("intents", []), list):
        raise reader.error(path, "must be a mapping with 'intents:' (a list) and optional 'examples:'",
                           _node_line(node))
    intents: list[SmallTalk] = []
    for item, item_node in _items_with_nodes(data.get("intents") or [], _key_node(node, "intents")):
        line = _node_line(item_node)
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            raise reader.error(path, "each intent needs an 'id', 'patterns' and a 'reply'", line)
        patterns = item.get("patterns")
        reply = item.get("reply")
        if not isinstance(patterns, list) or not patterns or not all(isinstance(p, str) for p in patterns):
            raise reader.error(path, f"intent '{item['id']}' needs 'patterns': a list of texts", line)
        if not isinstance(reply, str) or not reply.strip():
            raise reader.error(path, f"intent '{item['id']}' needs a 'reply' text", line)
        opener = item.get("opener", False)
        if not isinstance(opener, bool):
            raise reader.error(path, f"intent '{item['id']}': 'opener' must be true or false", line)
        intents.append(SmallTalk(id=item["id"], patterns=tuple(patterns), reply=reply.strip(), opener=opener))
    examples = data.get("examples") or []
    if not isinstance(examples, list) or not all(isinstance(e, str) for e in examples):
        raise reader.error(path, "'examples' must be a list of questions", _node_line(_key_node(node, "examples")))
    return intents, examples


def _overridden(defaults: list[SmallTalk], own: list[SmallTalk]) -> list[SmallTalk]:
    """The default intents with a corpus's own: an intent of the same id takes its reply and opener
    from the corpus and its patterns from both (the defaults keep up with how people type); others add."""
    mine = {i.id: i for i in own}
    merged = [i if i.id not in mine else
              mine[i.id]._replace(patterns=tuple(dict.fromkeys((*mine[i.id].patterns, *i.patterns))))
              for i in defaults]
    known = {i.id for i in defaults}
    return merged + [i for i in own if i.id not in known]


def _fill_examples(intents: list[SmallTalk], examples: list[str], sections: list[str]) -> tuple[SmallTalk, ...]:
    """Replace ``{examples}`` in replies with a bulleted list of (at most three) example questions, and
    ``{sections}`` with the document's main sections, in words."""
    bullets = "\n".join(f"  - {q}" for q in examples[:3])
    covers = "; ".join(sections) if sections else "the questions in its FAQ"
    return tuple(SmallTalk(i.id, i.patterns, i.reply.replace("{examples}", bullets).replace("{sections}", covers),
                           i.opener) for i in intents)


def main_sections(passages: Sequence[Passage], most: int = 6) -> list[str]:
    """The document's main sections, in order: the headings just below its title (at most *most*),
    or the top headings when it has no single title."""
    paths = [p.path for p in passages if p.path]
    titled = len({p[0] for p in paths}) == 1 and any(len(p) > 1 for p in paths)
    level = 1 if titled else 0
    seen = dict.fromkeys(p[level] for p in paths if len(p) > level and p[level].strip().upper() != "FAQ")
    return [heading.rstrip("?:.") for heading in seen][:most]


def _optional(reader: _Reader, path: Path | None, shape: type, wrong: str) -> tuple[Any, Any, Path] | None:
    """(data, node tree, path) of an optional YAML file of the corpus that must hold a *shape* (dict or
    list), None when it is absent or empty; CorpusError saying *wrong* when it holds something else."""
    if path is None:
        return None
    data, node = reader.yaml(path)
    if data is None:
        return None
    if not isinstance(data, shape):
        raise reader.error(path, wrong, _node_line(node))
    return data, node, path


def _load_aliases(reader: _Reader, path: Path | None) -> tuple[tuple[str, str], ...]:
    found = _optional(reader, path, dict, "must map each canonical form to a list of variants, "
                                          "e.g. 'llm: [large language model]'")
    if found is None:
        return ()
    data, node, path = found
    pairs: list[tuple[str, str]] = []
    for canonical, variants in data.items():
        if isinstance(variants, str):
            variants = [variants]
        if not isinstance(canonical, str) or not isinstance(variants, list) or not all(
                isinstance(v, str) for v in variants):
            raise reader.error(path, f"alias '{canonical}' must map to a list of texts",
                               _node_line(_key_node(node, str(canonical))))
        pairs.extend((v, canonical) for v in variants)
    return tuple(pairs)


def _load_out_of_scope(reader: _Reader, path: Path | None) -> tuple[str, ...]:
    """The questions the author wants declined: a YAML list of texts."""
    found = _optional(reader, path, list, "must be a list of questions to decline, e.g. '- How do I publish a "
                                          "crate?'")
    if found is None:
        return ()
    data, node, path = found
    for item, item_node in zip(data, node.value, strict=True):
        if not isinstance(item, str) or not item.strip():
            raise reader.error(path, f"each item must be a question (text), got {describe(item)}",
                               _node_line(item_node))
    return tuple(" ".join(q.split()) for q in data)


def _load_classes(reader: _Reader, path: Path | None, entry_ids: set[str]) -> tuple[tuple[str, str, str], ...]:
    """What the article says things are: (thing, class, the entry that states it)."""
    example = "e.g. '- {thing: Claude 3, is: LLM, entry: claude-3}'"
    found = _optional(reader, path, list, f"must be a list of links, {example}")
    if found is None:
        return ()
    data, node, path = found
    links: list[tuple[str, str, str]] = []
    for item, item_node in _items_with_nodes(data, node):
        line = _node_line(item_node)
        if not isinstance(item, dict) or set(item) != {"thing", "is", "entry"} or \
                not all(isinstance(v, str) and v.strip() for v in item.values()):
            raise reader.error(path, f"each link needs exactly 'thing', 'is' and 'entry' texts, {example}", line)
        if item["entry"] not in entry_ids:
            hint = _closest(item["entry"], entry_ids)
            raise reader.error(path, f"link '{item['thing']}' is '{item['is']}' names unknown entry "
                                     f"'{item['entry']}'{hint}", line)
        links.append((item["thing"].strip(), item["is"].strip(), item["entry"]))
    return tuple(links)


def _load_config(reader: _Reader, path: Path | None) -> Config:
    found = _optional(reader, path, dict, "must be a mapping of setting: value")
    if found is None:
        return Config()
    data, node, path = found
    try:
        return Config().with_values(data)
    except ConfigError as exc:
        line = _node_line(_key_node(node, exc.setting)) if exc.setting else None
        raise reader.error(path, str(exc), line) from exc

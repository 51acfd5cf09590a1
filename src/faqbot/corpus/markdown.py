"""Section-aware chunking of a Markdown article into passages with stable ids and line spans.

The article is parsed by a CommonMark parser (markdown-it-py, with tables): ATX and setext
headings, lists with code blocks nested in their items, fenced and indented code, tables and
block quotes are seen as a reader sees them. YAML front matter is skipped (its ``title`` names
the text before the first heading) and HTML comments are dropped. A passage is a paragraph, a
list (a paragraph that ends in ':' leads in the list, code block or table that follows), a code
block or a table, split when longer than ``max_words`` (never inside code or a table) and merged
into a neighbour when shorter than ``min_words``; it never crosses a heading. Ids come from the
heading (``core-differences-2``), so they survive edits elsewhere in the article. Build time only.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.token import Token

from faqbot.language.text import heading_as_read, slugify, split_sentences
from faqbot.models import Passage

_TOP_ITEM = re.compile(r"^(?:[-*+]|\d+[.)])\s+")
_BLOCKS = {"paragraph_open": "text", "blockquote_open": "text", "html_block": "text", "bullet_list_open": "list",
           "ordered_list_open": "list", "fence": "code", "code_block": "code", "table_open": "table"}
_ATOMIC = {"code", "table"}   # never split, and a lead-in colon brings them along like a list


@dataclass(slots=True)
class _Block:
    """One block of the article as its lines (blank lines inside a list or code block kept)."""

    lines: list[tuple[int, str]]   # (1-based line number, text)
    is_list: bool
    atomic: bool = False
    _words: int = -1

    @property
    def words(self) -> int:
        if self._words < 0:   # counted once: blocks are compared many times while merging
            self._words = sum(len(text.split()) for _, text in self.lines)
        return self._words


@dataclass(slots=True)
class _Section:
    heading: str
    path: tuple[str, ...]
    key: str
    blocks: list[_Block]


def chunk_markdown(text: str, source: str, *, min_words: int = 30, max_words: int = 120,
                   used_keys: dict[str, int] | None = None) -> list[Passage]:
    """Passages of a Markdown document, in reading order.

    *used_keys* holds id prefixes already taken (by other files of the same corpus) and is updated.
    """
    used = used_keys if used_keys is not None else {}
    passages: list[Passage] = []
    for section in _sections(text.splitlines(), used):
        units = _merge_short(_split_long(_units(section.blocks), max_words), min_words, max_words)
        for n, unit in enumerate(units, start=1):
            passages.append(_passage(unit, section, n, source))
    return passages


def _front_matter(lines: list[str]) -> tuple[int, str]:
    """How many lines a YAML front matter block takes at the top (0 when there is none), and its title."""
    if not lines or lines[0].rstrip() != "---":
        return 0, ""
    for end in range(1, min(len(lines), 500)):
        if lines[end].rstrip() in ("---", "..."):
            title = next((line.split(":", 1)[1].strip().strip("'\"") for line in lines[1:end]
                          if line.startswith("title:")), "")
            return end + 1, title
    return 0, ""


def _parse(lines: list[str]) -> list[Token]:
    # Only the block structure is read: the inline parser (links, emphasis) would be half the time.
    return MarkdownIt("commonmark").enable("table").disable(["inline", "text_join"]).parse("\n".join(lines))


def _sections(lines: list[str], used: dict[str, int]) -> list[_Section]:
    skip, title = _front_matter(lines)
    body = [""] * skip + lines[skip:]   # front matter blanked: line numbers stay those of the file
    sections: list[_Section] = []
    stack: list[tuple[int, str, str]] = []   # (level, heading, key)
    current = _Section(title, (title,) if title else (), _unique_key("intro", "", used), [])
    tokens = _parse(body)
    for i, token in enumerate(tokens):
        if token.level != 0 or token.map is None:
            continue
        first, last = token.map
        if token.type == "heading_open":
            sections.append(current)
            level, heading = int(token.tag[1:]), _heading_text(tokens[i + 1].content)
            while stack and stack[-1][0] >= level:
                stack.pop()
            parent_key = stack[-1][2] if stack else ""
            key = _unique_key(slugify(heading), parent_key, used)   # from the heading as written: ids never move
            stack.append((level, heading_as_read(heading), key))
            current = _Section(stack[-1][1], tuple(h for _, h, _ in stack), key, [])
        elif token.type in _BLOCKS:
            if token.type == "html_block" and token.content.lstrip().startswith("<!--"):
                continue   # an HTML comment is for the author, not the reader
            block = _lines(body, first, last)
            if block and _BLOCKS[token.type] == "list" and _is_table_of_contents(block):
                continue   # links to the document's own headings: navigation, not content
            if block:
                kind = _BLOCKS[token.type]
                current.blocks.append(_Block(block, kind == "list", kind in _ATOMIC))
    sections.append(current)
    return [s for s in sections if s.blocks]


_TOC_ITEM = re.compile(r"^\s*(?:[*+-]|\d+[.)])\s+\[[^\]]+\]\(#[^)\s]*\)\s*$")


def _is_table_of_contents(block: list[tuple[int, str]]) -> bool:
    """A list whose every item is only a link to a heading of the same page ("* [Setup](#setup)")."""
    items = [text for _, text in block if text.strip()]
    return len(items) >= 2 and all(_TOC_ITEM.match(text) for text in items)


def _lines(body: list[str], first: int, last: int) -> list[tuple[int, str]]:
    """Lines *first*..*last* (0-based, end exclusive) as (line number, text), blank ends trimmed."""
    block = [(n + 1, body[n].rstrip()) for n in range(first, min(last, len(body)))]
    while block and not block[-1][1].strip():
        block.pop()
    while block and not block[0][1].strip():
        block.pop(0)
    return block


def _unique_key(slug: str, parent_key: str, used: dict[str, int]) -> str:
    """*slug*, or parent-slug when taken, or that plus -2, -3...; *used* counts what each base has handed out."""
    key = slug
    if key in used and parent_key:
        key = f"{parent_key}-{slug}"
    if key in used:
        base, n = key, used[key] + 1
        key = f"{base}-{n}"
        while key in used:
            n += 1
            key = f"{base}-{n}"
        used[base] = n
    used[key] = 1
    return key


def _units(blocks: list[_Block]) -> list[_Block]:
    """Join a lead-in paragraph ending in ':' with the list, code block or table that follows it."""
    units: list[_Block] = []
    for block in blocks:
        previous = units[-1] if units else None
        if (block.is_list or block.atomic) and previous and not previous.is_list and not previous.atomic \
                and previous.lines[-1][1].rstrip().endswith(":"):
            units[-1] = _Block(previous.lines + block.lines, block.is_list, block.atomic)
        else:
            units.append(_Block(list(block.lines), block.is_list, block.atomic))
    return units


def _split_long(units: list[_Block], max_words: int) -> list[_Block]:
    out: list[_Block] = []
    for unit in units:
        if unit.words <= max_words or (unit.atomic and not unit.is_list):
            out.append(unit)
            continue
        pieces = _list_pieces(unit) if unit.is_list else _sentence_pieces(unit)
        out.extend(_balanced_groups(pieces, max_words, unit.is_list))
    return out


def _list_pieces(unit: _Block) -> list[list[tuple[int, str]]]:
    """Top-level items with their nested lines; a lead-in paragraph stays with the first item."""
    pieces: list[list[tuple[int, str]]] = []
    for number, line in unit.lines:
        if _TOP_ITEM.match(line) and pieces and any(_TOP_ITEM.match(t) for _, t in pieces[-1]):
            pieces.append([(number, line)])
        elif pieces:
            pieces[-1].append((number, line))
        else:
            pieces.append([(number, line)])
    return pieces


def _sentence_pieces(unit: _Block) -> list[list[tuple[int, str]]]:
    """A long paragraph split at line ends; a one-line paragraph stays whole (line spans stay exact)."""
    return [[line] for line in unit.lines]


def _balanced_groups(pieces: list[list[tuple[int, str]]], max_words: int, is_list: bool) -> list[_Block]:
    total = sum(len(t.split()) for piece in pieces for _, t in piece)
    target = total / max(1, math.ceil(total / max_words))
    groups: list[_Block] = []
    current: list[tuple[int, str]] = []
    for piece in pieces:
        words = sum(len(t.split()) for _, t in piece)
        so_far = sum(len(t.split()) for _, t in current)
        if current and so_far + words / 2 > target:
            groups.append(_Block(current, is_list))
            current = []
        current = current + piece
    if current:
        groups.append(_Block(current, is_list))
    return groups


def _merge_short(units: list[_Block], min_words: int, max_words: int) -> list[_Block]:
    """A short paragraph joins the passage before it (or after it) when the result stays short."""
    out: list[_Block] = []
    pending: _Block | None = None
    for unit in units:
        if pending is not None:
            unit = _Block(pending.lines + unit.lines, unit.is_list or pending.is_list, unit.atomic or pending.atomic)
            pending = None
        if unit.words < min_words and out and out[-1].words + unit.words <= max_words:
            out[-1] = _Block(out[-1].lines + unit.lines, out[-1].is_list, out[-1].atomic or unit.atomic)
        elif unit.words < min_words and unit is not units[-1] and not unit.is_list and not unit.atomic:
            pending = unit
        else:
            out.append(unit)
    if pending is not None:
        out.append(pending)
    return out


def _passage(unit: _Block, section: _Section, n: int, source: str) -> Passage:
    first, last = unit.lines[0][0], unit.lines[-1][0]
    lines: list[str] = []
    for (number, text), previous in zip(unit.lines, [None, *unit.lines], strict=False):
        if previous is not None and number > previous[0] + 1:
            lines.append("")
        lines.append(text)
    markdown = "\n".join(lines)
    return Passage(
        id=f"{section.key}-{n}",
        section=section.heading,
        path=section.path,
        text=markdown,
        start_line=first,
        end_line=last,
        source=source,
        sentences=tuple(split_sentences(markdown)),
    )


def _heading_text(rest: str) -> str:
    """A heading's text without the optional closing #s ("## Title ##" → "Title"), in linear time."""
    text = rest.strip()
    bare = text.rstrip("#")
    if bare != text and (not bare or bare[-1].isspace()):
        text = bare.rstrip()
    return text

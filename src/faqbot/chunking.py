"""Section-aware chunking of a Markdown article into passages with stable ids and line spans.

A passage is a paragraph or a bullet list (a paragraph that ends in ':' leads its list in), split
when longer than ``max_words`` and merged into a neighbour when shorter than ``min_words``; it
never crosses a heading. Ids come from the heading (``core-differences-2``), so they survive edits
elsewhere in the article.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from faqbot.models import Passage
from faqbot.text import slugify, split_sentences

_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")   # linear: the closing #s are stripped by _heading_text
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_TOP_ITEM = re.compile(r"^(?:[-*+]|\d+[.)])\s+")


@dataclass(slots=True)
class _Block:
    """Consecutive non-blank lines: one paragraph, or a list (items with their nested items)."""

    lines: list[tuple[int, str]]   # (1-based line number, text)
    is_list: bool
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


def _sections(lines: list[str], used: dict[str, int]) -> list[_Section]:
    sections: list[_Section] = []
    stack: list[tuple[int, str, str]] = []   # (level, heading, key)
    current = _Section("", (), _unique_key("intro", "", used), [])
    block: list[tuple[int, str]] = []

    def close_block() -> None:
        if block:
            is_list = bool(_LIST_ITEM.match(block[0][1]))
            if is_list and current.blocks and current.blocks[-1].is_list and _was_loose(current.blocks[-1], block):
                current.blocks[-1].lines.extend(block)
            else:
                current.blocks.append(_Block(list(block), is_list))
            block.clear()

    in_fence = False
    for number, line in enumerate(lines, start=1):
        if line.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
        heading = None if in_fence else _HEADING.match(line)
        if heading:
            close_block()
            sections.append(current)
            level, title = len(heading.group(1)), _heading_text(heading.group(2))
            while stack and stack[-1][0] >= level:
                stack.pop()
            parent_key = stack[-1][2] if stack else ""
            key = _unique_key(slugify(title), parent_key, used)
            stack.append((level, title, key))
            current = _Section(title, tuple(h for _, h, _ in stack), key, [])
        elif line.strip():
            block.append((number, line.rstrip()))
        else:
            close_block()
    close_block()
    sections.append(current)
    return [s for s in sections if s.blocks]


def _was_loose(previous: _Block, block: list[tuple[int, str]]) -> bool:
    """A list whose items are separated by a single blank line is still one list."""
    return block[0][0] - previous.lines[-1][0] == 2


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
    """Join a lead-in paragraph ending in ':' with the list that follows it."""
    units: list[_Block] = []
    for block in blocks:
        previous = units[-1] if units else None
        if block.is_list and previous and not previous.is_list and previous.lines[-1][1].rstrip().endswith(":"):
            units[-1] = _Block(previous.lines + block.lines, True)
        else:
            units.append(_Block(list(block.lines), block.is_list))
    return units


def _split_long(units: list[_Block], max_words: int) -> list[_Block]:
    out: list[_Block] = []
    for unit in units:
        if unit.words <= max_words:
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
            unit = _Block(pending.lines + unit.lines, unit.is_list or pending.is_list)
            pending = None
        if unit.words < min_words and out and out[-1].words + unit.words <= max_words:
            out[-1] = _Block(out[-1].lines + unit.lines, out[-1].is_list)
        elif unit.words < min_words and unit is not units[-1] and not unit.is_list:
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

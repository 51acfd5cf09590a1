"""Answer → text for a terminal (with or without colour) or JSON. The only place that knows about colours.

Every piece of corpus or user text goes through ``safe`` first: no escape sequence or control
character from a question or a corpus file ever reaches the terminal raw.
"""

from __future__ import annotations

import json
import os
import re
from typing import IO, Any

from faqbot.language.text import strip_controls
from faqbot.models import Answer, Citation, Trace
from faqbot.signals import FEATURE_NAMES
from faqbot.signals import NAMES as SIGNAL_NAMES

_STYLES = {"bold": "1", "dim": "2", "italic": "3", "cyan": "36", "green": "32", "yellow": "33", "magenta": "35",
           "red": "31", "blue": "34"}
_SURROGATE = re.compile("[\ud800-\udfff]")
# C1 controls, line/paragraph separators and bidi overrides: escaped in JSON, so a terminal never
# acts on them and a JSON Lines reader that splits on Unicode line breaks still sees one line. Lone
# surrogates (a corpus's "\ud800", a file name's undecodable byte) too: JSON may escape them, UTF-8
# cannot carry them.
_C1 = {code: f"\\u{code:04x}" for code in (*range(0x7F, 0xA0), 0x2028, 0x2029, *range(0x202A, 0x202F),
                                           *range(0x2066, 0x206A), *range(0xD800, 0xE000))}
QUOTE_CHARS = 90


def use_color(stream: IO[str]) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org)."""
    if os.environ.get("NO_COLOR") is not None or os.environ.get("TERM") == "dumb":
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def safe(text: str) -> str:
    """*text* without escape sequences or control characters (newlines kept), always encodable as UTF-8
    (a file name's undecodable bytes become U+FFFD)."""
    text = _SURROGATE.sub("\ufffd", text)
    return "\n".join(strip_controls(line) for line in text.split("\n"))


class Painter:
    """Wraps text in ANSI styles when colour is on; a no-op otherwise."""

    def __init__(self, color: bool) -> None:
        self.color = color

    def __call__(self, text: str, *styles: str) -> str:
        if not self.color or not styles:
            return text
        codes = ";".join(_STYLES[s] for s in styles)
        return f"\x1b[{codes}m{text}\x1b[0m"


def answer_text(answer: Answer, paint: Painter, *, width: int | None = None) -> str:
    """The answer as a person reads it: text, then numbered citations or suggestions.

    With *width* (the chat passes the terminal's), prose is wrapped and long citation lines put
    their quote on a line of its own; without it every citation is one line, for scripts.
    """
    lines = [_body(answer, paint, width)]
    if answer.kind == "answer" and answer.citations:
        lines.append("")
        lines.extend(citation_line(n, c, paint, width) for n, c in enumerate(answer.citations, start=1))
    if answer.kind == "abstain" and answer.suggestions:
        lines.append("")
        lines.append(paint("You could ask:", "bold"))
        lines.extend(f"  - {safe(s)}" for s in answer.suggestions)
    if answer.kind == "answer" and answer.suggestions:
        lines.append("")
        related = wrap("Related: " + " · ".join(safe(s) for s in answer.suggestions), width)
        lines.append(paint(related, "dim"))
    if answer.notice:
        lines.insert(0, paint(f"Note: {safe(answer.notice)}", "yellow"))
    return "\n".join(lines)


def wrap(text: str, width: int | None) -> str:
    """*text* wrapped to *width* columns, line by line (unchanged when width is None)."""
    if width is None:
        return text
    import textwrap  # only for the chat

    return "\n".join(textwrap.fill(line, width, break_on_hyphens=False) if line.strip() else line
                     for line in text.split("\n"))


def _body(answer: Answer, paint: Painter, width: int | None = None) -> str:
    if answer.kind == "clarify":
        lead = answer.text.split("Did you mean:", 1)[0].strip()   # e.g. "Sorry about that."
        head = (safe(lead) + " " if lead else "") + paint("Did you mean:", "bold")
        options = "\n".join(f"  {paint(str(n), 'cyan', 'bold')}. {safe(o.question)}"
                            for n, o in enumerate(answer.options, start=1))
        return f"{head}\n{options}\n{paint('(answer with a number, or yes for the first)', 'dim')}"
    if answer.kind == "abstain" and answer.options:
        return paint(wrap(safe(answer.text), width), "yellow") + "\n" + paint("(answer yes or no)", "dim")
    if answer.kind == "abstain":
        return paint(wrap(safe(answer.text), width), "yellow")
    return wrap(safe(answer.text), width)


def citation_line(n: int, citation: Citation, paint: Painter, width: int | None = None) -> str:
    """``[1] FAQ › Is ChatGPT an LLM or generative AI? (article.md:138) "ChatGPT is both..."``

    The quote shown is the citation's excerpt (chosen in the core, so JSON carries the same one).
    """
    head_plain = f"[{n}] {section_path(citation)} ({span(citation)})"
    head = (f"{paint(f'[{n}]', 'cyan', 'bold')} {paint(section_path(citation), 'bold')} "
            f"{paint(f'({span(citation)})', 'dim')}")
    quote = _short_quote(citation)
    if width is None or len(head_plain) + 1 + len(quote) <= width:
        return f"{head} {paint(quote, 'italic')}"
    if len(head_plain) > width:   # the span moves down to the quote's line
        head = f"{paint(f'[{n}]', 'cyan', 'bold')} {paint(section_path(citation), 'bold')}"
        quote = f"({span(citation)}) {quote}"
    room = max(20, width - 4)
    if len(quote) > room:
        quote = quote[: room - 2].rsplit(" ", 1)[0] + '…"'
    return f"{head}\n    {paint(quote, 'italic')}"


def section_path(citation: Citation) -> str:
    """Headings below the document title, joined by ›."""
    path = citation.path[1:] if len(citation.path) > 1 else citation.path
    return safe(" › ".join(path) or citation.section)


def span(citation: Citation) -> str:
    lines = (f"{citation.start_line}" if citation.start_line == citation.end_line
             else f"{citation.start_line}-{citation.end_line}")
    return f"{safe(citation.source)}:{lines}"


def _short_quote(citation: Citation) -> str:
    flat = " ".join(safe(citation.excerpt or citation.quote).split())
    if len(flat) > QUOTE_CHARS:
        flat = flat[: QUOTE_CHARS - 1].rsplit(" ", 1)[0] + "…"
    return f'"{flat}"'


def full_citation(n: int, citation: Citation, paint: Painter, width: int | None = None) -> str:
    """Citation *n* with its full text, each line numbered as in the source file (wrapped to *width*)."""
    header = f"{paint(f'[{n}]', 'cyan', 'bold')} {paint(section_path(citation), 'bold')}"
    fits = width is None or len(f"[{n}] {section_path(citation)} {span(citation)}") <= width
    header += f" {paint(span(citation), 'dim')}" if fits else f"\n    {paint(span(citation), 'dim')}"
    body = []
    for number, line in zip(range(citation.start_line, citation.end_line + 1), _quote_lines(citation), strict=False):
        wrapped = wrap(line, None if width is None else width - 8).split("\n") if line else [""]
        body.append(f"{paint(f'{number:>5} │', 'dim')} {wrapped[0]}")
        body.extend(f"{paint('      │', 'dim')} {rest}" for rest in wrapped[1:])
    return "\n".join([header, *body])


def _quote_lines(citation: Citation) -> list[str]:
    """The quote's lines, with blank lines re-inserted so numbering matches the file."""
    lines = safe(citation.quote).split("\n")
    span_len = citation.end_line - citation.start_line + 1
    return lines if len(lines) == span_len else [*lines, *[""] * max(0, span_len - len(lines))]


def explain_text(answer: Answer, paint: Painter) -> str:
    """Why this answer: the question as matched, each candidate's signals, the passages."""
    trace = answer.trace
    if trace is None:
        return f"{answer.kind}: {paint('no matching was needed', 'dim')} (confidence {answer.confidence:.2f})"
    return "\n".join(_explain_lines(answer, trace, paint))


def _explain_lines(answer: Answer, trace: Trace, paint: Painter) -> list[str]:
    lines = [f"{paint('decision:', 'bold')} {answer.kind} (confidence {answer.confidence:.2f}) — {trace.reason}",
             f"{paint('matched as:', 'bold')} {safe(' '.join(trace.terms)) or '(no content words)'}"]
    if trace.context:
        lines.append(f"{paint('context:', 'bold')} {safe(trace.context)}")
    columns = ("conf", "fused", *SIGNAL_NAMES, "cover")
    lines.append(paint("curated entries", "bold") + paint(" " * 14 + " ".join(f"{c:>7}" for c in columns), "dim"))
    for c in trace.candidates:
        values = (c.confidence, c.fused, *(getattr(c, name) for name in SIGNAL_NAMES), c.coverage)
        lines.append(f"  {safe(c.id)[:28]:<28} " + " ".join(f"{v:7.2f}" for v in values))
    if not trace.candidates:
        lines.append(paint("  (none)", "dim"))
    lines.append(paint("article passages", "bold") + paint("   score  cover", "dim"))
    for p in trace.passages:
        lines.append(f"  {safe(p.id)[:32]:<32} {p.score:5.2f}  {p.coverage:5.2f}  {paint(safe(p.section), 'dim')}")
    if not trace.passages:
        lines.append(paint("  (none)", "dim"))
    return lines


def explain_dict(answer: Answer) -> dict[str, Any]:
    """The trace as JSON-ready data (for ``ask --json --explain``)."""
    trace = answer.trace
    if trace is None:
        return {}
    return {
        "reason": trace.reason,
        "terms": list(trace.terms),
        "context": trace.context,
        "candidates": [{"id": c.id, "question": c.question, "confidence": round(c.confidence, 4),
                        "fused": round(c.fused, 4), **{name: round(getattr(c, name), 4) for name in SIGNAL_NAMES},
                        "coverage": round(c.coverage, 4),
                        "features": {name: round(value, 4) for name, value in zip(FEATURE_NAMES, c.features,
                                                                                   strict=False)}}
                       for c in trace.candidates],
        "passages": [{"id": p.id, "section": p.section, "score": round(p.score, 4), "coverage": round(p.coverage, 4)}
                     for p in trace.passages],
    }


def exported(text: str, fmt: str) -> str:
    """`faqbot export` output that is safe on a terminal and valid UTF-8: JSON escaped like ``to_json``,
    YAML and TSV without escape sequences or control characters (TSV keeps its tabs)."""
    if fmt == "jsonl":
        return text.translate(_C1)
    if fmt == "tsv":
        return "\n".join("\t".join(safe(field) for field in line.split("\t")) for line in text.split("\n"))
    return safe(text)


def to_json(data: Any) -> str:
    """One line of UTF-8 JSON; C1 control characters escaped too, so a terminal never sees them raw."""
    return json.dumps(data, ensure_ascii=False, separators=(", ", ": ")).translate(_C1)

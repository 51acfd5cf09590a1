"""Start a corpus folder: the article and a commented ``faq.yaml`` template listing the sections and
their passage ids, ready to fill in. Never overwrites a file."""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass

from faqbot.corpus.files import read_corpus_file, write_atomically
from faqbot.errors import CorpusError
from faqbot.language.text import heading_as_read
from faqbot.models import Passage

STARTER_ARTICLE = """# Your topic

Write your document here in Markdown. Each heading starts a section, and faqbot answers from the
paragraphs, lists, tables and code blocks under it, citing their lines.
"""


@dataclass(frozen=True, slots=True)
class Written:
    """A file `faqbot init` dealt with: written, or kept because it already existed."""

    path: str
    written: bool

    def to_dict(self) -> dict[str, object]:
        return {"path": self.path, "written": self.written}


def passages_under(passages: Sequence[Passage], section: str | None = None) -> list[Passage]:
    """The passages whose heading path mentions *section* (any case), or all of them."""
    if not section:
        return list(passages)
    wanted = section.casefold()
    return [p for p in passages if any(wanted in heading.casefold() for heading in p.path)]


def first_words(text: str, count: int = 12) -> str:
    """The first *count* words of a passage, on one line, as a reader sees them: link and emphasis
    markup and code fences dropped ("[ICU][ICU]" reads "ICU")."""
    text = re.sub(r"^\s*(?:`{3,}|~{3,}).*$", " ", text, flags=re.MULTILINE)        # fence lines
    text = re.sub(r"[*`]+", "", heading_as_read(text))   # what is left of emphasis; node_modules keeps its _
    words = " ".join(text.split()).split(" ")
    return " ".join(words[:count]) + (" …" if len(words) > count else "")


def faq_template(passages: Sequence[Passage], article: str = "article.md") -> str:
    """A faq.yaml of comments only (it loads as no entries): the fields, and every section with its
    passage ids and first words, so ``sources:`` can be written without reading code."""
    lines = [
        "# Curated questions and answers. Uncomment the example below, copy it once per question your",
        "# readers ask, and write each answer from the article. Fields (docs/authoring.md has them all):",
        "#",
        "#   id           a short name: letters, digits and - _ . :",
        "#   question     the question as a reader would ask it",
        "#   paraphrases  other ways readers ask it (optional; the more, the better it understands)",
        "#   answer       the answer, written from the article",
        "#   sources      the passage ids the answer rests on (listed below); answers cite their lines",
        "#   related      ids of entries to suggest next (optional)",
        "#",
        "# `faqbot check` tests this file against the article; `faqbot passages` lists the ids again.",
        "#",
    ]
    example = passages[0] if passages else None
    heading = heading_as_read(example.section).strip() if example and example.section else ""
    question = heading if heading.endswith("?") else f"What does the article say about {heading}?" if heading \
        else "Your question?"
    lines += [
        "# - id: example",
        f"#   question: {question}",
        "#   paraphrases:",
        "#     - another way to ask it",
        "#   answer: >-",
        "#     The answer, in a sentence or two from the article.",
        f"#   sources: [{example.id if example else 'passage-id'}]",
        "#",
        f"# Sections of {article} and their passages:",
    ]
    section: tuple[str, ...] | None = None
    for passage in passages:
        if passage.path != section:
            section = passage.path
            lines += ["#", f"# {' > '.join(section) or '(before the first heading)'}"]
        lines.append(f"#   {passage.id} (lines {passage.start_line}-{passage.end_line}): {first_words(passage.text)}")
    return "\n".join(lines) + "\n"


def init_corpus(folder: str, article: str | None = None) -> list[Written]:
    """Create the corpus *folder* with ``article.md`` (a copy of *article*, or a starter) and a
    ``faq.yaml`` template. Existing files are kept as they are."""
    from faqbot.corpus.markdown import chunk_markdown

    if os.path.exists(folder) and not os.path.isdir(folder):
        raise CorpusError("exists and is not a folder", path=folder)
    os.makedirs(folder, exist_ok=True)
    article_path, faq_path = os.path.join(folder, "article.md"), os.path.join(folder, "faq.yaml")
    done = []
    if os.path.lexists(article_path):
        done.append(Written(article_path, False))
        text = _utf8(read_corpus_file(article_path), article_path)
    else:
        text = STARTER_ARTICLE if article is None else _utf8(read_corpus_file(article), article)
        write_atomically(article_path, [text.encode("utf-8")], mode=0o644)
        done.append(Written(article_path, True))
    if os.path.lexists(faq_path):
        done.append(Written(faq_path, False))
    else:
        passages = chunk_markdown(text.replace("\r\n", "\n"), "article.md")
        write_atomically(faq_path, [faq_template(passages).encode("utf-8")], mode=0o644)
        done.append(Written(faq_path, True))
    return done


def _utf8(data: bytes, path: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CorpusError("is not UTF-8 text; save it as UTF-8", path=path) from exc

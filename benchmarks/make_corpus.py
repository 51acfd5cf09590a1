"""Generate a large, realistic corpus for the scale benchmark: real prose, real headings, many Q&A pairs.

Source text: the Python documentation's reStructuredText sources from Debian's python3-doc package
(``/usr/share/doc/python3.*/html/_sources``; ``apt-get install python3-doc``). Each .rst.txt file
becomes Markdown (its section headings kept, directives and code blocks dropped); files are packed
into articles and reused (with numbered copies) until the corpus has the requested number of
passages. Curated pairs are made from sections: "What is <heading>?" with keyword paraphrases,
answered by the section's first sentences and citing its first passage.

    python benchmarks/make_corpus.py OUT_DIR --passages 100000 --pairs 10000
"""

from __future__ import annotations

import argparse
import glob
import json
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from faqbot.corpus.markdown import chunk_markdown  # noqa: E402

_UNDERLINE = re.compile(r"^([=\-~^\"'`#*+.:_])\1{2,}\s*$")
_INLINE_ROLE = re.compile(r":[a-z:]+:`~?!?([^`<]*?)(?:\s*<[^>]*>)?`")
_MARKUP = re.compile(r"``|\*\*|`_?|\|")


def rst_to_markdown(text: str) -> str:
    """Headings (underlined titles) become #/##/###; prose paragraphs and bullets stay; the rest goes."""
    lines = text.splitlines()
    levels: list[str] = []
    out: list[str] = []
    i, skip_indented = 0, False
    while i < len(lines):
        line = lines[i]
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if _UNDERLINE.match(line) and i + 2 < len(lines) and _UNDERLINE.match(lines[i + 2]):
            i += 1   # an overline: the title follows
            continue
        if line.strip() and _UNDERLINE.match(nxt) and len(nxt.strip()) >= len(line.strip()) - 1:
            mark = nxt.strip()[0]
            if mark not in levels:
                levels.append(mark)
            depth = min(levels.index(mark) + 1, 4)
            out += ["", "#" * depth + " " + _clean(line.strip()), ""]
            i += 2
            skip_indented = False
            continue
        stripped = line.strip()
        if stripped.startswith(".. ") or stripped.endswith("::"):
            skip_indented = True   # a directive or a literal block: drop its indented body
            if stripped.endswith("::") and not stripped.startswith(".. "):
                out.append(_clean(stripped[:-1]))
            i += 1
            continue
        if skip_indented and (line.startswith((" ", "\t")) or not stripped):
            i += 1
            continue
        skip_indented = False
        if line.startswith((" ", "\t")) and not stripped.startswith(("* ", "- ")):
            if out and out[-1].lstrip().startswith(("* ", "- ")):
                out[-1] += " " + _clean(stripped)   # a list item continues
            i += 1   # other indented text (quotes, tables) is dropped
            continue
        out.append(_clean(line.rstrip()) if stripped else "")
        i += 1
    return re.sub(r"\n{3,}", "\n\n", "\n".join(out)).strip() + "\n"


def _clean(text: str) -> str:
    return _MARKUP.sub("", _INLINE_ROLE.sub(r"\1", text))


def source_files(pattern: str) -> list[Path]:
    files = sorted(Path(p) for p in glob.glob(pattern, recursive=True))
    if not files:
        sys.exit(f"no source files match {pattern!r}: install Debian's python3-doc (apt-get install python3-doc) "
                 "or pass --source GLOB")
    return files


def build(out: Path, passages: int, pairs: int, source: str, seed: int = 7) -> dict[str, int]:
    rng = random.Random(seed)
    docs = [rst_to_markdown(p.read_text(encoding="utf-8", errors="replace")) for p in source_files(source)]
    docs = [d for d in docs if d.count("\n\n") > 3]
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.md"):
        old.unlink()
    total, copy, n, used = 0, 0, 0, {}
    sections: list[tuple[str, str, str]] = []   # (heading, passage id, first sentences)
    while total < passages:
        copy += 1
        for doc in docs:
            if total >= passages:
                break
            text = doc if copy == 1 else doc.replace("\n# ", f"\n# ({copy}) ", 1)
            if not text.startswith("#"):
                text = f"# Part {n}\n\n{text}"
            found = chunk_markdown(text, f"article-{n:05d}.md", used_keys=used)
            if not found:
                continue
            (out / f"article-{n:05d}.md").write_text(text, encoding="utf-8")
            n += 1
            total += len(found)
            seen = set()
            for p in found:
                if p.section and p.section not in seen and p.sentences and len(p.sentences[0].split()) >= 6:
                    seen.add(p.section)
                    sections.append((p.section, p.id, " ".join(p.sentences[:2])))
    rng.shuffle(sections)
    with (out / "faq.jsonl").open("w", encoding="utf-8") as handle:
        for i, (heading, pid, answer) in enumerate(sections[:pairs]):
            words = re.findall(r"[A-Za-z][A-Za-z0-9_.]+", heading)
            handle.write(json.dumps({
                "id": f"q{i:05d}", "question": heading if heading.endswith("?") else f"What is {heading}?",
                "paraphrases": [heading, f"explain {heading.lower()}", " ".join(words[:3]).lower(),
                                f"tell me about {heading.lower()}"],
                "answer": answer, "sources": [pid]}) + "\n")
    return {"articles": n, "passages": total, "pairs": min(pairs, len(sections))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path)
    parser.add_argument("--passages", type=int, default=10_000)
    parser.add_argument("--pairs", type=int, default=1_000)
    parser.add_argument("--source", default="/usr/share/doc/python3*/html/_sources/**/*.rst.txt")
    args = parser.parse_args()
    print(json.dumps(build(args.out, args.passages, args.pairs, args.source)))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Write src/faqbot/data/english.txt: the most frequent English words with their Zipf frequency.

    pip install wordfreq && python scripts/make_english_words.py

faqbot reads the file when it builds an index (never at query time, never wordfreq itself): a word a
question uses that the corpus never does is filler or a paraphrase when it is everyday English, and a
sign the question is about something else when it is rare. The data is wordfreq's (Robyn Speer et
al.), licensed CC BY-SA 4.0; the file's header says so and must stay with it.
"""

from __future__ import annotations

from pathlib import Path

import wordfreq

WORDS = 30_000
OUT = Path(__file__).resolve().parent.parent / "src" / "faqbot" / "data" / "english.txt"
HEADER = f"""\
# The {WORDS:,} most frequent English words (letters only) and their Zipf frequency (log10 of
# occurrences per billion words), from wordfreq 3.1
# (https://github.com/rspeer/wordfreq), by Robyn Speer and contributors. This data is licensed under
# the Creative Commons Attribution-ShareAlike 4.0 license (CC BY-SA 4.0); so is this derived list.
# Made by scripts/make_english_words.py. Format: word<TAB>zipf, most frequent first.
"""


def main() -> None:
    rows = []
    for word in wordfreq.top_n_list("en", WORDS * 2):
        if word.isascii() and word.isalpha():
            rows.append(f"{word}\t{wordfreq.zipf_frequency(word, 'en'):.2f}")
        if len(rows) == WORDS:
            break
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    print(f"wrote {len(rows)} words to {OUT}")


if __name__ == "__main__":
    main()

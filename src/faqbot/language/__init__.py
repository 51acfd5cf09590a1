"""Text analysis used identically at build and query time: normalising, stems, English rarity,
spelling, and what a question asks for (its focus). Touches no files but its own word list."""

"""Curated pairs in table formats: JSON Lines, CSV and TSV (the QnA Maker export layout)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from faqbot.models import Entry


def read_table_entries(reader: Any, path: Path) -> list[Entry]:
    raise reader.error(path, "this format is not supported yet")

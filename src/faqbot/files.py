"""Where a corpus's files are and whether they changed: cheap enough for every one-shot `faqbot ask`.

Kept apart from ``faqbot.corpus`` (which parses and validates) so that checking a cached index
imports neither the parser, the chunker, YAML nor pathlib: paths here are plain strings.
"""

from __future__ import annotations

import os
import sys

from faqbot.errors import CorpusError

FAQ_FILES = ("faq.yaml", "faq.yml", "faq.jsonl", "faq.csv", "faq.tsv")
OPTIONAL_FILES = ("smalltalk.yaml", "aliases.yaml", "classes.yaml", "config.yaml")

Signature = list[tuple[str, int, int]]   # (file name, size, CRC-32)


def user_dir(xdg_variable: str, posix_default: str, macos: str | None = None) -> str:
    """faqbot's folder of one kind in the user's home: under LOCALAPPDATA on Windows, *macos* (a path
    under ~) on macOS when given, else ``$xdg_variable`` or ~/*posix_default*."""
    home = os.path.expanduser("~")
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or os.path.join(home, "AppData", "Local")
    elif sys.platform == "darwin" and macos:
        base = os.path.join(home, macos)
    else:
        base = os.environ.get(xdg_variable) or os.path.join(home, posix_default)
    return os.path.join(base, "faqbot")


def bundled_corpus_dir() -> str:
    """The corpus shipped with faqbot: inside the installed package, or the source tree's `corpus/`."""
    here = os.path.dirname(os.path.abspath(__file__))
    installed = os.path.join(here, "corpus")
    if os.path.isfile(os.path.join(installed, "article.md")):
        return installed
    return os.path.join(os.path.dirname(os.path.dirname(here)), "corpus")


def corpus_files(root: str | os.PathLike[str]) -> list[str]:
    """The files of a corpus folder that faqbot reads, in a fixed order (articles first)."""
    root = os.fspath(root)
    if not os.path.isdir(root):
        raise CorpusError("corpus folder does not exist (pass --corpus DIR with an article.md or faq.yaml)", path=root)
    try:
        names = [entry.name for entry in os.scandir(root) if entry.is_file()]
    except OSError as exc:
        raise CorpusError(f"cannot list the corpus folder ({exc.strerror or exc})", path=root) from exc
    articles = sorted(n for n in names if n.endswith(".md") and not n.upper().startswith("README"))
    known = [n for n in (*FAQ_FILES, *OPTIONAL_FILES) if n in names]
    return [os.path.join(root, n) for n in (*articles, *known)]


def signature(files: list[str]) -> Signature:
    """(name, size, CRC-32 of the bytes) of each file: changes whenever a file's content does.

    Reading a corpus is cheap next to loading its index, and unlike modification times a checksum
    cannot be fooled by a copy that keeps timestamps (``cp -p``, ``rsync -t``).
    """
    import zlib

    found = []
    for path in files:
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError as exc:
            raise CorpusError(f"cannot read file ({exc.strerror or exc})", path=path) from exc
        found.append((os.path.basename(path), len(data), zlib.crc32(data)))
    return found

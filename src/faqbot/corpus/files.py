"""Where a corpus's files are and whether they changed: cheap enough for every one-shot `faqbot ask`.

Kept apart from ``faqbot.corpus.load`` (which parses and validates) so that checking a cached index
imports neither the parser, the chunker, YAML nor pathlib: paths here are plain strings.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from faqbot.config import env_number
from faqbot.errors import CorpusError

FAQ_FILES = ("faq.yaml", "faq.yml", "faq.jsonl", "faq.csv", "faq.tsv")
OPTIONAL_FILES = ("smalltalk.yaml", "aliases.yaml", "classes.yaml", "config.yaml", "out_of_scope.yaml", "faq.lock")

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


def state_dir() -> str:
    """faqbot's folder for what it keeps for the user (history, logs): ``$XDG_STATE_HOME/faqbot``."""
    return user_dir("XDG_STATE_HOME", os.path.join(".local", "state"))


def corpus_key(corpus_root: str | os.PathLike[str]) -> str:
    """A file-name-safe name of the corpus folder *corpus_root*, unique per folder ("corpus-afc92374"):
    what its cache and logs are called."""
    import zlib

    resolved = os.path.realpath(corpus_root)
    name = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in os.path.basename(resolved))[:40]
    return f"{name}-{zlib.crc32(os.fsencode(resolved)):08x}"


def bundled_corpus_dir() -> str:
    """The corpus shipped with faqbot: inside the installed package (``faqbot/data/corpus``), or the
    source tree's `corpus/`."""
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))   # faqbot/
    installed = os.path.join(package, "data", "corpus")
    if os.path.isfile(os.path.join(installed, "article.md")):
        return installed
    return os.path.join(os.path.dirname(os.path.dirname(package)), "corpus")


def corpus_files(root: str | os.PathLike[str]) -> list[str]:
    """The files of a corpus folder that faqbot reads, in a fixed order (articles first)."""
    root = os.fspath(root)
    if not os.path.isdir(root):
        raise CorpusError("corpus folder does not exist (pass --corpus DIR with an article.md or faq.yaml)", path=root)
    try:
        entries = {entry.name: entry for entry in os.scandir(root)}
    except OSError as exc:
        raise CorpusError(f"cannot list the corpus folder ({exc.strerror or exc})", path=root) from exc
    articles = sorted(n for n, e in entries.items() if n.endswith(".md") and not n.upper().startswith("README")
                      and e.is_file())
    known = [n for n in (*FAQ_FILES, *OPTIONAL_FILES) if n in entries]
    paths = [os.path.join(root, n) for n in (*articles, *known)]
    for name, path in zip((*articles, *known), paths, strict=True):
        _check_corpus_file(entries[name], path, root)
    return paths


def _check_corpus_file(entry: os.DirEntry[str], path: str, root: str) -> None:
    """CorpusError unless *entry* is a regular file inside the corpus folder (a symlink leading out of
    it only with ``FAQBOT_ALLOW_SYMLINKS=1``, a user's setting) and no larger than the read limit."""
    if not entry.is_file():
        raise CorpusError("is not a regular file (a folder, FIFO or device cannot be a corpus file)", path=path)
    if entry.is_symlink() and os.environ.get("FAQBOT_ALLOW_SYMLINKS") != "1":
        target, folder = os.path.realpath(path), os.path.realpath(root)
        if os.path.commonpath([target, folder]) != folder:
            raise CorpusError(f"is a symlink leading out of the corpus folder (to {target}); copy the file in, "
                              "or set FAQBOT_ALLOW_SYMLINKS=1 to follow it", path=path)
    size, limit = entry.stat().st_size, max_corpus_bytes()
    if size > limit:
        raise CorpusError(f"is {size:,} bytes, more than a corpus file may be ({limit:,}; FAQBOT_MAX_CORPUS_BYTES "
                          "raises it)", path=path)


def max_corpus_bytes() -> int:
    """The largest corpus file read: ``$FAQBOT_MAX_CORPUS_BYTES`` (a user's setting), else 64 MiB."""
    return env_number("FAQBOT_MAX_CORPUS_BYTES", 64 << 20)


def read_corpus_file(path: str) -> bytes:
    """The bytes of a corpus file, never more than the read limit (it may have grown since it was listed)."""
    limit = max_corpus_bytes()
    try:
        with open(path, "rb") as handle:   # read no more than it holds: read(n) allocates n bytes up front
            data = handle.read(min(os.fstat(handle.fileno()).st_size, limit) + 1)
    except OSError as exc:
        raise CorpusError(f"cannot read file ({exc.strerror or exc})", path=path) from exc
    if len(data) > limit:
        raise CorpusError(f"is more than {limit:,} bytes (FAQBOT_MAX_CORPUS_BYTES raises the limit)", path=path)
    return data


def signature(files: list[str]) -> Signature:
    """(name, size, CRC-32 of the bytes) of each file: changes whenever a file's content does.

    Reading a corpus is cheap next to loading its index, and unlike modification times a checksum
    cannot be fooled by a copy that keeps timestamps (``cp -p``, ``rsync -t``).
    """
    import zlib

    found = []
    for path in files:
        data = read_corpus_file(path)
        found.append((os.path.basename(path), len(data), zlib.crc32(data)))
    return found


def write_atomically(path: str, parts: Sequence[bytes | memoryview], *, suffix: str = "",
                     mode: int | None = None) -> int:
    """Write *parts* to *path* under a temporary name, fsync, then rename: a reader sees the old file or
    the new one, never half of one. Temporaries a killed writer left (older than an hour) are swept.
    Returns the size written; OSError when it cannot be written (nothing is left behind)."""
    import tempfile  # only when writing

    folder = os.path.dirname(path) or "."
    _remove_stale_temporaries(folder, suffix)
    os.makedirs(folder, mode=0o700, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".tmp-", suffix=suffix, dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            for part in parts:
                handle.write(part)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(tmp_name, mode)
        os.replace(tmp_name, path)
    except BaseException:
        try:
            os.unlink(tmp_name)
        except OSError:
            pass
        raise
    return os.path.getsize(path)


def _remove_stale_temporaries(folder: str, suffix: str, older_than: float = 3600.0) -> None:
    """Delete temporary files a killed writer left behind (a live writer's file is younger than an hour)."""
    import time

    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        if entry.name.startswith(".tmp-") and entry.name.endswith(suffix):
            try:
                if time.time() - entry.stat().st_mtime > older_than:
                    os.unlink(entry.path)
            except OSError:
                pass

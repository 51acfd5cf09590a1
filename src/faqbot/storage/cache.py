"""A persistent, pickle-free cache of built indexes, so a one-shot ``faqbot ask`` starts in a blink.

One file per corpus folder, in the user's cache directory (``$FAQBOT_CACHE_DIR`` overrides it):

    b"FAQBOTIX" | header length (8 bytes) | CRC-32 of the header (8 bytes) | header (JSON) | arrays

The header holds the format, faqbot's version, the parts' settings, the body's length and a table
of arrays (dtype from a short allow-list, shape, offset, CRC-32 of its bytes). This module is only
the container: each part of a build saves and loads its own settings and arrays
(``faqbot.engine.built``), and nothing here knows their fields. The file is memory-mapped and arrays
are views of it (``numpy.frombuffer``): a record is decoded when a question first needs it, so a
100,000-passage index loads in a fraction of a second and every worker shares its pages. Nothing in the file can
execute, and reading it needs neither zipfile, pickle nor YAML. A changed corpus or another faqbot
version means "rebuild"; so does any damage (a checksum catches a flipped byte). Files are written
under a temporary name and renamed, so no reader ever sees half a file.

Trust (docs/reliability.md): a cache is read only when it and its folder belong to the user or root
and no one else can write them, so a file another user could have forged is rebuilt, never
answered from. Each array carries its own checksum so a loader that maps the file can check an
array when it first touches it instead of reading the whole file on every load.
"""

from __future__ import annotations

import json
import mmap
import os
import stat
import zlib
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np

from faqbot.config import env_number
from faqbot.corpus.files import corpus_key, user_dir, write_atomically
from faqbot.errors import CacheError, ConfigError
from faqbot.storage.statefiles import trust_problem

T = TypeVar("T")
Arrays = dict[str, np.ndarray]

FORMAT = 10                      # bump when the layout of the file changes
MAGIC = b"FAQBOTIX"
_DTYPES = {"<f2", "<f4", "<f8", "<i4", "<i8", "|u1"}   # nothing else is ever read back
_ALIGN = 64


def default_cache_dir() -> str:
    """``$FAQBOT_CACHE_DIR``, else the platform's user cache directory, plus ``faqbot``."""
    override = os.environ.get("FAQBOT_CACHE_DIR")
    if override:
        return os.path.expanduser(override)
    return user_dir("XDG_CACHE_HOME", ".cache", macos=os.path.join("Library", "Caches"))


def cache_path(corpus_root: str | os.PathLike[str], cache_dir: str | os.PathLike[str] | None = None) -> str:
    """The cache file of the corpus folder *corpus_root* (one per folder; rebuilt in place)."""
    folder = os.fspath(cache_dir) if cache_dir is not None else default_cache_dir()
    return os.path.join(folder, f"{corpus_key(corpus_root)}.idx")


# ----------------------------------------------------------------------------- writing


def write(path: str, meta: dict[str, Any], arrays: Arrays) -> int:
    """Write the parts' settings *meta* and their *arrays* to *path* atomically; returns the file size."""
    from faqbot.version import __version__

    table: dict[str, dict[str, Any]] = {}
    blobs: list[bytes | memoryview] = []
    offset = 0
    for name, array in arrays.items():
        array = np.ascontiguousarray(array)
        array = array.astype(array.dtype.newbyteorder("<"), copy=False)
        pad = (-offset) % _ALIGN
        blobs.append(b"\0" * pad)
        offset += pad
        data = array.reshape(-1).view(np.uint8).data   # the array's own bytes: no copy of the file in memory
        table[name] = {"dtype": array.dtype.str, "shape": list(array.shape), "offset": offset,
                       "nbytes": array.nbytes, "crc32": zlib.crc32(data)}
        blobs.append(data)
        offset += array.nbytes
    # ensure_ascii: a folder name that is not UTF-8 (a surrogate escape) survives the round trip
    header = json.dumps({"format": FORMAT, "version": __version__, "meta": meta, "arrays": table, "body": offset},
                        separators=(",", ":")).encode("ascii")
    return _write_atomically(path, [MAGIC, len(header).to_bytes(8, "little"),
                                    zlib.crc32(header).to_bytes(8, "little"), header, *blobs])


def _write_atomically(path: str, parts: list[bytes | memoryview]) -> int:
    try:
        return write_atomically(path, parts, suffix=".idx")
    except OSError as exc:
        raise CacheError(f"cannot write the index cache {path} ({exc.strerror or exc})") from exc


# ----------------------------------------------------------------------------- reading


def read(path: str, decode: Callable[[dict[str, Any], Arrays], T],
         accept: Callable[[dict[str, Any]], None] | None = None) -> T:
    """*decode* (meta, arrays) of the file at *path*, after *accept* (meta) raised no CacheError for it.
    CacheError when the file is missing, from another version, not accepted, or damaged: anything
    *decode* raises on bad parts (ValueError, KeyError, TypeError, ...) means damaged."""
    from faqbot.version import __version__

    try:
        data = _map_trusted_file(path, _max_cache_bytes())
    except FileNotFoundError as exc:
        raise CacheError(f"no cached index at {path}") from exc
    except OSError as exc:
        raise CacheError(f"cannot read the index cache {path} ({exc.strerror or exc})") from exc
    try:
        header, body_start = _header(data)
        if body_start + int(header["body"]) != len(data):
            raise ValueError("the file's length does not match its header")
        if header["format"] != FORMAT or header["version"] != __version__:
            raise CacheError("the cache was written by another faqbot version")
        meta = header["meta"]
        if accept is not None:
            accept(meta)
        return decode(meta, _arrays(data, body_start, header["arrays"]))
    except CacheError:
        raise
    except (ValueError, KeyError, TypeError, IndexError, AttributeError, OverflowError, RecursionError,
            MemoryError, ConfigError, UnicodeDecodeError) as exc:   # JSONDecodeError is a ValueError
        raise CacheError(f"the cached index {path} is damaged ({exc.__class__.__name__}); rebuilding") from exc


def cache_trust_problem(path: str) -> str | None:
    """Why the cache file at *path* would not be read back (see ``trust_problem``), or None."""
    try:
        return trust_problem(os.stat(path), os.stat(os.path.dirname(path) or "."))
    except OSError as exc:
        return exc.strerror or str(exc)


def _max_cache_bytes() -> int:
    """The largest cache file read: ``$FAQBOT_MAX_CACHE_BYTES`` (a user's setting, never the corpus's),
    else 4 GiB."""
    return env_number("FAQBOT_MAX_CACHE_BYTES", 4 << 30, minimum=0)


def _map_trusted_file(path: str, limit: int) -> memoryview:
    """*path* mapped read-only when it is a trusted regular file of at most *limit* bytes; OSError
    otherwise (a FIFO or /dev/zero at the cache path must not hang or fill memory; a file others could
    have written is not believed). Mapped, not read: pages are loaded as they are touched and shared
    by every process answering from the same file. The file is only ever replaced by a rename, never
    rewritten in place, so a mapping never sees it change."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise OSError(0, "not a regular file")
        problem = trust_problem(info, os.stat(os.path.dirname(path) or "."))
        if problem:
            raise OSError(0, f"not trusted: {problem}")
        if info.st_size > limit:
            raise OSError(0, f"larger than {limit} bytes (FAQBOT_MAX_CACHE_BYTES)")
        if info.st_size == 0:
            return memoryview(b"")
        return memoryview(mmap.mmap(fd, info.st_size, access=mmap.ACCESS_READ))
    finally:
        os.close(fd)


def _header(data: memoryview) -> tuple[dict[str, Any], int]:
    if len(data) < 24 or data[:8].tobytes() != MAGIC:
        raise ValueError("not a faqbot index file")
    length = int.from_bytes(data[8:16].tobytes(), "little")
    if length <= 0 or 24 + length > len(data):
        raise ValueError("truncated header")
    if zlib.crc32(data[24:24 + length]) != int.from_bytes(data[16:24].tobytes(), "little"):
        raise ValueError("checksum mismatch: the header is damaged")
    header = json.loads(data[24:24 + length].tobytes().decode("utf-8"))
    if not isinstance(header, dict):
        raise ValueError("bad header")
    return header, 24 + length


def _arrays(data: memoryview, start: int, table: dict[str, Any]) -> dict[str, np.ndarray]:
    arrays = {}
    for name, spec in table.items():
        dtype, shape = spec["dtype"], tuple(int(n) for n in spec["shape"])
        if dtype not in _DTYPES:
            raise ValueError(f"array {name} has a dtype that is never written: {dtype}")
        array_dtype = np.dtype(dtype)
        count = int(np.prod(shape)) if shape else 1
        offset, nbytes = start + int(spec["offset"]), int(spec["nbytes"])
        if count * array_dtype.itemsize != nbytes or offset < start or offset + nbytes > len(data):
            raise ValueError(f"array {name} does not fit in the file")
        if zlib.crc32(data[offset:offset + nbytes]) != int(spec["crc32"]):
            raise ValueError(f"checksum mismatch: array {name} is damaged")
        arrays[name] = np.frombuffer(data, dtype=array_dtype, count=count, offset=offset).reshape(shape)
    return arrays

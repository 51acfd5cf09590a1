"""Files faqbot keeps for the user (chat history, and the logs to come): private, bounded, never
followed through a symlink or into a FIFO or device another user planted there."""

from __future__ import annotations

import json
import os
import stat
import time
from collections.abc import Callable
from typing import Any

MAX_STATE_FILE = 1 << 20   # bytes a state file may reach before it is rotated (one older copy is kept)


def private_folder(path: str) -> None:
    """Create *path* (mode 0700) or, when it is the user's own, tighten it to 0700; OSError when it is
    not a folder of this user's."""
    try:
        info = os.lstat(path)   # the usual case, the folder is there: no mkdir to fail with EEXIST
    except FileNotFoundError:
        os.makedirs(path, mode=0o700, exist_ok=True)
        info = os.lstat(path)
    if _loose(info, path, stat.S_ISDIR, "a folder"):
        os.chmod(path, 0o700)


def open_private(path: str, flags: int) -> int:
    """A file descriptor of *path* opened with *flags* (created 0600 with O_CREAT): never through a
    symlink, never a FIFO, device or folder, never another user's file. OSError otherwise."""
    extra = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags | extra, 0o600)
    try:
        if _loose(os.fstat(fd), path, stat.S_ISREG, "a regular file"):
            os.fchmod(fd, 0o600)
    except BaseException:
        os.close(fd)
        raise
    return fd


def _loose(info: os.stat_result, path: str, is_kind: Callable[[int], bool], kind: str) -> bool:
    """True when *info* (of *path*) is the user's own *kind* that others may read or write; OSError when
    it is not of that kind or not the user's."""
    if not is_kind(info.st_mode):
        raise OSError(f"{path} is not {kind}")
    if hasattr(os, "getuid") and info.st_uid != os.getuid():
        raise OSError(f"{path} belongs to another user")
    return bool(stat.S_IMODE(info.st_mode) & 0o077)


def append_record(path: str, row: dict[str, Any]) -> bool:
    """Append *row*, stamped with the UTC time, as one JSON line (ASCII: no lone surrogate can break
    it) to the private log at *path*, its folder made private first. False when it cannot be written
    (a read-only home, a planted symlink): a log costs at most its record, never the answer."""
    try:
        private_folder(os.path.dirname(path) or ".")
        append_private(path, _record_line(row))
    except OSError:
        return False
    return True


def _record_line(row: dict[str, Any]) -> bytes:
    """*row* stamped with the UTC time, as one line of ASCII JSON."""
    stamped = {"time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), **row}
    return (json.dumps(stamped, ensure_ascii=True) + "\n").encode("ascii")


class AppendLog:
    """``append_record`` for a long-running service: the file stays open between records instead of
    being checked, opened and closed for each (a third of a small request's cost). At most every
    *recheck_s* seconds, and before a record would pass *limit*, it checks again that the open file is
    still the one at *path* (rotated or removed meanwhile: it reopens) and rotates it when full. Several
    processes may append to one log: each line is one ``write`` to an ``O_APPEND`` file."""

    def __init__(self, path: str, limit: int = MAX_STATE_FILE, recheck_s: float = 1.0) -> None:
        import threading

        self.path, self.limit, self.recheck_s = path, limit, recheck_s
        self._fd: int | None = None
        self._size = 0
        self._checked = 0.0
        self._lock = threading.Lock()

    def __call__(self, row: dict[str, Any]) -> bool:
        """Append *row* as ``append_record`` does; False when it cannot be written."""
        data = _record_line(row)
        with self._lock:
            try:
                now = time.monotonic()
                if self._fd is None or now - self._checked > self.recheck_s or self._size + len(data) > self.limit:
                    self._reopen(len(data))
                    self._checked = now
                assert self._fd is not None
                _write_all(self._fd, data)
                self._size += len(data)
            except OSError:
                self.close()
                return False
        return True

    def _reopen(self, incoming: int) -> None:
        """Keep the open file when it is still the one at *path* with room for *incoming* bytes; else
        rotate it when full and open the file at *path* anew."""
        private_folder(os.path.dirname(self.path) or ".")
        try:
            info = os.lstat(self.path)
        except FileNotFoundError:
            info = None
        if self._fd is not None and info is not None:
            mine = os.fstat(self._fd)
            if (mine.st_dev, mine.st_ino) == (info.st_dev, info.st_ino) and info.st_size + incoming <= self.limit:
                self._size = info.st_size
                return
        self.close()
        if info is not None:
            _rotate_if_full(self.path, info, incoming, self.limit)
        self._fd = open_private(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
        self._size = os.fstat(self._fd).st_size

    def close(self) -> None:
        """Close the file (the next record opens it again)."""
        if self._fd is not None:
            fd, self._fd = self._fd, None
            os.close(fd)


def trust_problem(info: os.stat_result, folder: os.stat_result) -> str | None:
    """Why a file faqbot reads back (the index cache) with status *info* in a folder with status *folder*
    cannot be trusted, or None. Trusted: the file and its folder belong to the user or to root, and no
    one else can write either (a shared folder with the sticky bit, like /tmp, is fine: no one can
    replace another's file there). A root-owned read-only file in a container image passes."""
    owners = {0, os.getuid()} if hasattr(os, "getuid") else None
    for what, status in (("it", info), ("its folder", folder)):
        if owners is not None and status.st_uid not in owners:
            return f"{what} belongs to another user"
        if stat.S_IMODE(status.st_mode) & 0o022 and not (status is folder and status.st_mode & stat.S_ISVTX):
            return f"other users can write {what}"
    return None


def read_private(path: str, limit: int = MAX_STATE_FILE) -> bytes:
    """At most the last *limit* bytes of a private state file (b"" when it does not exist)."""
    try:
        fd = open_private(path, os.O_RDONLY)
    except FileNotFoundError:
        return b""
    with os.fdopen(fd, "rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        if size > limit:
            handle.seek(size - limit)
        return handle.read(limit)


def append_private(path: str, data: bytes, limit: int = MAX_STATE_FILE) -> None:
    """Append *data* to a private state file; past *limit* bytes the file becomes ``path.1`` first."""
    try:
        _rotate_if_full(path, os.lstat(path), len(data), limit)
    except FileNotFoundError:
        pass
    fd = open_private(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    try:
        _write_all(fd, data)
    finally:
        os.close(fd)


def _rotate_if_full(path: str, info: os.stat_result, incoming: int, limit: int) -> None:
    """Move the file at *path* (status *info*) to ``path.1`` when *incoming* more bytes would pass *limit*."""
    if info.st_size + incoming > limit and stat.S_ISREG(info.st_mode):
        os.replace(path, path + ".1")


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]

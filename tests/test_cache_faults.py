"""A damaged, foreign, stale, unwritable or contested index cache never breaks or fools faqbot.

Every case: the answers equal those of an index built in memory (cache=False), nothing from the file is
executed, and the cache folder holds no half-written file afterwards (no ``.tmp-*``).
"""

from __future__ import annotations

import contextlib
import copy
import errno
import io
import json
import os
import pickle
import random
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

import faqbot
import faqbot.build
import faqbot.storage.cache
import faqbot.version
from faqbot import Answerer
from faqbot.corpus.files import corpus_files
from faqbot.engine.built import Built
from faqbot.errors import CacheError
from faqbot.storage.cache import MAGIC, cache_path
from tests.conftest import SMALL_ARTICLE, SMALL_FAQ, MakeCorpus

QUESTIONS = ["How long do cats sleep?", "how often should I walk my dog", "do cats use a litter box indoors",
             "which pets are the most common", "weather in paris", "hi", "", "dogs", "cats"]

pytestmark = pytest.mark.no_cache_seed   # these tests build, damage and race caches from nothing


@pytest.fixture
def corpus(make_corpus: MakeCorpus) -> Path:
    return make_corpus({"article.md": SMALL_ARTICLE, "faq.yaml": SMALL_FAQ})


@pytest.fixture
def cache_dir(tmp_path: Path) -> Path:
    return tmp_path / "cache"


def _answers(bot: Answerer) -> list[dict[str, object]]:
    return [bot.ask(q).to_dict() for q in QUESTIONS]


@pytest.fixture
def expected(corpus: Path) -> list[dict[str, object]]:
    return _answers(Answerer.from_corpus(corpus, cache=False))


def _stray(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".tmp-")) if folder.exists() else []


def _load(corpus: Path, cache_dir: Path) -> Built:
    """The cached index of *corpus* as it is now (CacheError when missing, stale or damaged)."""
    return faqbot.build.load(cache_path(corpus, cache_dir), str(corpus), corpus_files(corpus))


def _assert_cache_is_valid(corpus: Path, cache_dir: Path) -> None:
    """The cache file now holds a good, current index of *corpus* (rebuilt in place)."""
    assert _load(corpus, cache_dir).corpus.root == str(corpus.resolve())


@contextlib.contextmanager
def _no_rebuild(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fail if the index is built instead of read from the cache."""
    with monkeypatch.context() as m:
        m.setattr(faqbot.build, "build_from_files", lambda root: pytest.fail("the cache was not used"))
        yield


@pytest.fixture
def built(corpus: Path, cache_dir: Path) -> Path:
    """A good cache file of *corpus*; returns its path."""
    Answerer.from_corpus(corpus, cache_dir=cache_dir)
    path = Path(cache_path(corpus, cache_dir))
    assert path.is_file() and _stray(cache_dir) == []
    return path


def test_the_cache_is_used_when_nothing_changed(corpus: Path, cache_dir: Path, built: Path, expected: list,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    with _no_rebuild(monkeypatch):
        assert _answers(Answerer.from_corpus(corpus, cache_dir=cache_dir)) == expected


# ----------------------------------------------------------------------------- damaged files (accidents)


def _flip(fraction: float) -> Callable[[bytes], bytes]:
    def damage(data: bytes) -> bytes:
        at = int(len(data) * fraction)
        return data[:at] + bytes([data[at] ^ 0x20]) + data[at + 1:]
    return damage


def _random_over(start: float, end: float) -> Callable[[bytes], bytes]:
    def damage(data: bytes) -> bytes:
        a, b = int(len(data) * start), int(len(data) * end)
        return data[:a] + random.Random(a).randbytes(b - a) + data[b:]
    return damage


# Byte-level damage, independent of the file layout: a checksum (or stricter parsing) must catch all of it.
DAMAGE: dict[str, Callable[[bytes], bytes]] = {
    "empty-file": lambda data: b"",
    "magic-only": lambda data: data[:8],
    "cut-in-the-prefix": lambda data: data[:20],
    "cut-in-the-header": lambda data: data[: len(data) // 10],
    "cut-in-the-middle": lambda data: data[: len(data) // 2],
    "cut-in-the-arrays": lambda data: data[: len(data) - len(data) // 4],
    "last-byte-missing": lambda data: data[:-1],
    "garbage-appended": lambda data: data + b"\0garbage" * 100,
    "random-bytes": lambda data: random.Random(1).randbytes(len(data)),
    "magic-then-random-bytes": lambda data: MAGIC + random.Random(2).randbytes(len(data) - 8),
    "one-bit-flipped-early": _flip(0.05),
    "one-bit-flipped-in-the-middle": _flip(0.5),
    "one-bit-flipped-late": _flip(0.97),
    "random-bytes-over-a-stretch": _random_over(0.6, 0.62),
    "last-4kb-zeroed": lambda data: data[:-4096] + bytes(4096),
    "answer-text-altered": lambda data: data.replace(b"Cats sleep up to sixteen hours",
                                                     b"Cats sleep up to seventy hours"),
}


@pytest.mark.parametrize("damage", list(DAMAGE), ids=list(DAMAGE))
def test_damaged_cache_is_rebuilt_and_answers_correctly(corpus: Path, cache_dir: Path, built: Path, expected: list,
                                                        damage: str) -> None:
    damaged = DAMAGE[damage](built.read_bytes())
    assert damaged != built.read_bytes()
    built.write_bytes(damaged)
    assert _answers(Answerer.from_corpus(corpus, cache_dir=cache_dir)) == expected
    _assert_cache_is_valid(corpus, cache_dir)
    assert _stray(cache_dir) == []


def test_truncated_cache_file_is_rebuilt_and_answers_correctly(corpus: Path, cache_dir: Path, built: Path,
                                                               expected: list) -> None:
    data = built.read_bytes()
    for size in sorted({0, 1, 15, 16, 17, 23, 24, 25, len(data) // 3, len(data) // 2, len(data) - 64}):
        built.write_bytes(data[:size])
        assert _answers(Answerer.from_corpus(corpus, cache_dir=cache_dir)) == expected, f"cut at {size}"
        assert built.read_bytes() == data   # rebuilt in place, byte for byte (the build is deterministic)
    assert _stray(cache_dir) == []


# ----------------------------------------------------------------------------- well-formed but hostile files


def _set_array(name: str, **spec: object) -> Callable[[dict[str, Any]], None]:
    return lambda h: h["arrays"][name].update(spec)


# Files faqbot's own writer seals (so any checksum matches) around a header that parses but lies about its
# shapes and types: faqbot must reject them, not crash. (A forged file that is consistent in every respect is
# out of scope: whoever can write the cache folder can also write the corpus.)
HOSTILE: dict[str, Callable[[dict[str, Any]], str | None]] = {
    "deeply-nested-header": lambda h: "[" * 100_000 + "]" * 100_000,
    "header-a-list": lambda h: "[1, 2, 3]",
    "header-a-huge-number": lambda h: "9" * 10_000,
    "object-dtype": _set_array("phrase_entry", dtype="|O"),
    "negative-shape": _set_array("phrase_entry", shape=[-1], nbytes=-4),
    "huge-shape": _set_array("phrase_entry", shape=[2**62, 2**62]),
    "infinite-array-offset": _set_array("phrase_entry", offset=float("inf")),
    "array-past-the-end": _set_array("phrase_entry", offset=2**40),
    "phrase-texts-cut-short": _set_array("phrase_texts.offsets", shape=[1], nbytes=8),
    "numbers-for-smalltalk-patterns": lambda h: h["meta"].update(smalltalk=[[1, 2]] * len(h["meta"]["smalltalk"])),
    "text-for-idf": lambda h: h["meta"]["index"]["evidence"].update(idf={"cat": "high"}),
    "bad-config-value": lambda h: h["meta"]["index"]["corpus"]["config"].update(answer_threshold=7),
    "missing-evidence": lambda h: h["meta"]["index"].pop("evidence"),
    "one-passage-too-many": lambda h: h["meta"]["index"]["corpus"].update(
        passages=h["meta"]["index"]["corpus"]["passages"] + 1),
    "text-for-stems": lambda h: h["meta"]["index"]["analyzer"].update(stems=["cat"]),
    "fact-kinds-cut-short": _set_array("evidence.entry_facts", shape=[1], nbytes=4),
    "passage-texts-cut-short": _set_array("passages.text.offsets", shape=[2], nbytes=16),
    "bytes-for-line-numbers": _set_array("entries.line", dtype="|u1"),
    "word-ids-past-the-vocabulary": _set_array("evidence.words.offsets", shape=[2], nbytes=16),
    "sentences-of-another-passage": _set_array("evidence.sentence_terms.groups", shape=[1], nbytes=8),
}


def _write_sealed(corpus: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch,
                  edit: Callable[[dict[str, Any]], str | None]) -> None:
    """Write *corpus*'s cache with faqbot's own writer, its header passed through *edit* first."""
    built = Answerer.from_corpus(corpus, cache=False).built
    real = json.dumps

    def dumps(obj: Any, **kwargs: Any) -> str:
        if isinstance(obj, dict) and "arrays" in obj:   # the header
            obj = copy.deepcopy(obj)
            raw = edit(obj)
            if isinstance(raw, str):
                return raw
        return real(obj, **kwargs)

    with monkeypatch.context() as m:
        m.setattr(faqbot.storage.cache, "json", SimpleNamespace(dumps=dumps, loads=json.loads))
        faqbot.build.save(built, cache_path(corpus, cache_dir))


@pytest.mark.parametrize("hostile", list(HOSTILE), ids=list(HOSTILE))
def test_well_formed_cache_with_a_lying_header_is_rebuilt_and_answers_correctly(
        corpus: Path, cache_dir: Path, expected: list, monkeypatch: pytest.MonkeyPatch, hostile: str) -> None:
    _write_sealed(corpus, cache_dir, monkeypatch, HOSTILE[hostile])
    assert _answers(Answerer.from_corpus(corpus, cache_dir=cache_dir)) == expected
    _assert_cache_is_valid(corpus, cache_dir)
    assert _stray(cache_dir) == []


def test_cache_is_never_unpickled_or_executed(corpus: Path, cache_dir: Path, built: Path, expected: list,
                                              tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    marker = tmp_path / "executed"

    class Exploit:
        def __reduce__(self) -> tuple[object, tuple[str]]:
            return (os.system, (f"touch {marker}",))

    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("the cache must never be unpickled")

    for name in ("load", "loads", "Unpickler"):
        monkeypatch.setattr(pickle, name, forbidden)
    monkeypatch.setattr(np, "load", forbidden)
    payloads = [pickle.dumps(Exploit()), MAGIC + pickle.dumps(Exploit())]
    npy = io.BytesIO()
    np.save(npy, np.array([Exploit()], dtype=object), allow_pickle=True)
    payloads.append(npy.getvalue())
    for payload in payloads:
        built.write_bytes(payload)
        assert _answers(Answerer.from_corpus(corpus, cache_dir=cache_dir)) == expected
    assert not marker.exists()
    assert built.read_bytes().startswith(MAGIC)


# ----------------------------------------------------------------------------- foreign and stale caches


def test_cache_from_another_faqbot_version_is_rebuilt(corpus: Path, cache_dir: Path, expected: list,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    with monkeypatch.context() as m:
        m.setattr(faqbot.version, "__version__", "0.0.0-old")
        faqbot.build.save(Answerer.from_corpus(corpus, cache=False).built, cache_path(corpus, cache_dir))
    with pytest.raises(CacheError):
        _load(corpus, cache_dir)
    assert _answers(Answerer.from_corpus(corpus, cache_dir=cache_dir)) == expected
    _assert_cache_is_valid(corpus, cache_dir)   # rewritten by this version


def test_cache_of_another_format_is_rebuilt(corpus: Path, cache_dir: Path, expected: list,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    with monkeypatch.context() as m:
        m.setattr(faqbot.storage.cache, "FORMAT", faqbot.storage.cache.FORMAT + 1)
        faqbot.build.save(Answerer.from_corpus(corpus, cache=False).built, cache_path(corpus, cache_dir))
    with pytest.raises(CacheError):
        _load(corpus, cache_dir)
    assert _answers(Answerer.from_corpus(corpus, cache_dir=cache_dir)) == expected
    _assert_cache_is_valid(corpus, cache_dir)


def test_cache_of_another_corpus_is_not_used(make_corpus: MakeCorpus, corpus: Path, cache_dir: Path,
                                             built: Path) -> None:
    other = make_corpus({"article.md": SMALL_ARTICLE,
                         "faq.yaml": SMALL_FAQ.replace("Cats sleep up to sixteen hours a day.",
                                                       "Cats sleep a lot, up to sixteen hours a day.")}, name="other")
    expected_other = _answers(Answerer.from_corpus(other, cache=False))
    Path(cache_path(other, cache_dir)).write_bytes(built.read_bytes())   # corpus's cache under other's name
    answers = _answers(Answerer.from_corpus(other, cache_dir=cache_dir))
    assert answers == expected_other and answers[0]["text"] == "Cats sleep a lot, up to sixteen hours a day."
    _assert_cache_is_valid(other, cache_dir)


def test_edited_corpus_is_rebuilt(corpus: Path, cache_dir: Path, built: Path) -> None:
    faq = corpus / "faq.yaml"
    faq.write_text(faq.read_text().replace("sixteen hours a day.", "sixteen hours a day, often in the sun."))
    bot = Answerer.from_corpus(corpus, cache_dir=cache_dir)
    assert bot.ask("How long do cats sleep?").text == "Cats sleep up to sixteen hours a day, often in the sun."


def test_corpus_edited_with_the_same_size_and_mtime_is_not_answered_from_the_stale_cache(
        corpus: Path, cache_dir: Path, built: Path) -> None:
    """Tools that restore timestamps (tar, rsync -t, cp -p, some editors' 'keep mtime') leave size and mtime
    equal after an edit: the stale cache would put text that is no longer in the corpus in an answer."""
    faq = corpus / "faq.yaml"
    before = faq.stat()
    faq.write_text(faq.read_text().replace("Cats sleep up to sixteen hours", "Cats sleep up to fifteen hours"))
    os.utime(faq, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert faq.stat().st_size == before.st_size
    fresh = Answerer.from_corpus(corpus, cache=False).ask("How long do cats sleep?").text
    assert fresh.startswith("Cats sleep up to fifteen hours")
    assert Answerer.from_corpus(corpus, cache_dir=cache_dir).ask("How long do cats sleep?").text == fresh


def test_touched_corpus_reuses_the_cache_without_rewriting_it(corpus: Path, cache_dir: Path, built: Path,
                                                              expected: list,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    for f in corpus.iterdir():   # same content, new modification times
        os.utime(f, ns=(f.stat().st_atime_ns, f.stat().st_mtime_ns + 5_000_000_000))
    with _no_rebuild(monkeypatch), monkeypatch.context() as m:
        m.setattr(faqbot.build, "save",
                  lambda *a, **k: pytest.fail("touching the corpus rewrote the cache (it is keyed by content)"))
        for _ in range(2):
            assert _answers(Answerer.from_corpus(corpus, cache_dir=cache_dir)) == expected
    _assert_cache_is_valid(corpus, cache_dir)


# ----------------------------------------------------------------------------- unusable cache folders


def test_missing_cache_directory_is_created(corpus: Path, tmp_path: Path, expected: list,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "not" / "there" / "yet"
    monkeypatch.setenv("FAQBOT_CACHE_DIR", str(folder))
    assert _answers(Answerer.from_corpus(corpus)) == expected
    assert [p.suffix for p in folder.iterdir()] == [".idx"]
    with _no_rebuild(monkeypatch):
        assert _answers(Answerer.from_corpus(corpus)) == expected


def _refuse_writes_in(folder: Path, monkeypatch: pytest.MonkeyPatch, code: int) -> None:
    """Writes into *folder* fail with *code*; with real permissions too when not running as root."""
    real = tempfile.mkstemp

    def mkstemp(*args: object, **kwargs: object) -> tuple[int, str]:
        if Path(str(kwargs.get("dir", ""))).resolve() == folder.resolve():
            raise OSError(code, os.strerror(code))
        return real(*args, **kwargs)   # type: ignore[arg-type]

    monkeypatch.setattr(tempfile, "mkstemp", mkstemp)


@pytest.mark.parametrize("code", [errno.EACCES, errno.EROFS], ids=["permission-denied", "read-only-filesystem"])
def test_read_only_cache_directory_answers_without_a_cache(corpus: Path, cache_dir: Path, expected: list,
                                                           monkeypatch: pytest.MonkeyPatch, code: int) -> None:
    cache_dir.mkdir()
    cache_dir.chmod(0o555)
    try:
        _refuse_writes_in(cache_dir, monkeypatch, code)   # root ignores mode bits: refuse explicitly as well
        assert _answers(Answerer.from_corpus(corpus, cache_dir=cache_dir)) == expected
        assert _answers(Answerer.from_corpus(corpus, cache_dir=cache_dir)) == expected
        assert list(cache_dir.iterdir()) == []
    finally:
        cache_dir.chmod(0o755)


def test_read_only_cache_keeps_being_read(corpus: Path, cache_dir: Path, built: Path, expected: list,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    cache_dir.chmod(0o555)
    try:
        _refuse_writes_in(cache_dir, monkeypatch, errno.EROFS)
        with _no_rebuild(monkeypatch):
            assert _answers(Answerer.from_corpus(corpus, cache_dir=cache_dir)) == expected
    finally:
        cache_dir.chmod(0o755)


@pytest.mark.parametrize("where", ["under-a-file", "is-a-file", "is-a-directory"])
def test_cache_location_that_cannot_hold_a_file_answers_without_a_cache(corpus: Path, tmp_path: Path,
                                                                         expected: list, where: str) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("not a folder")
    if where == "under-a-file":
        folder = blocker / "cache"
    elif where == "is-a-file":
        folder = blocker
    else:
        folder = tmp_path / "cache"
        Path(cache_path(corpus, folder)).mkdir(parents=True)   # a directory where the cache file belongs
    assert _answers(Answerer.from_corpus(corpus, cache_dir=folder)) == expected
    assert blocker.read_text() == "not a folder"


# ----------------------------------------------------------------------------- failing writes


def _enospc(*args: object, **kwargs: object) -> None:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_disk_full_at_fsync_leaves_no_cache_and_no_temp_file(corpus: Path, cache_dir: Path, expected: list,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "fsync", _enospc)
    assert _answers(Answerer.from_corpus(corpus, cache_dir=cache_dir)) == expected
    assert list(cache_dir.iterdir()) == []


_REAL_FDOPEN = os.fdopen


class _FullDisk(io.RawIOBase):
    """A file that accepts *room* bytes, then fails with ENOSPC (the bytes do reach the disk)."""

    failures = 0

    def __init__(self, fd: int, room: int) -> None:
        self._file = _REAL_FDOPEN(fd, "wb", buffering=0)
        self._room = room

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:   # type: ignore[override]
        if len(data) > self._room:
            self._file.write(bytes(data)[: self._room])
            self._room = 0
            _FullDisk.failures += 1
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        self._room -= len(data)
        return self._file.write(data) or 0

    def fileno(self) -> int:
        return self._file.fileno()

    def close(self) -> None:
        self._file.close()
        super().close()


@pytest.mark.parametrize("room", [0, 100, 4_000], ids=["nothing-fits", "magic-fits", "partway"])
def test_disk_full_mid_write_leaves_no_partial_cache(corpus: Path, cache_dir: Path, expected: list,
                                                     monkeypatch: pytest.MonkeyPatch, room: int) -> None:
    monkeypatch.setattr(os, "fdopen", lambda fd, mode="r", *a, **k: _FullDisk(fd, room))
    monkeypatch.setattr(_FullDisk, "failures", 0)
    assert _answers(Answerer.from_corpus(corpus, cache_dir=cache_dir)) == expected
    assert _FullDisk.failures >= 1   # the disk really filled up during the write
    assert list(cache_dir.iterdir()) == []


def test_disk_full_while_replacing_a_stale_cache_keeps_the_old_file_whole(corpus: Path, cache_dir: Path,
                                                                          built: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    before = built.read_bytes()
    faq = corpus / "faq.yaml"
    faq.write_text(faq.read_text().replace("sixteen hours a day.", "sixteen hours a day, often in the sun."))
    monkeypatch.setattr(os, "fsync", _enospc)
    answer = Answerer.from_corpus(corpus, cache_dir=cache_dir).ask("How long do cats sleep?")
    assert answer.text == "Cats sleep up to sixteen hours a day, often in the sun."
    assert built.read_bytes() == before and _stray(cache_dir) == []   # the old file: untouched, never half-replaced
    with pytest.raises(CacheError):
        _load(corpus, cache_dir)   # ... and recognised as stale


def test_interrupt_during_the_cache_write_leaves_no_temp_file(corpus: Path, cache_dir: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupt(fd: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupt)
    with pytest.raises(KeyboardInterrupt):
        Answerer.from_corpus(corpus, cache_dir=cache_dir)
    assert list(cache_dir.iterdir()) == []


def test_saving_reports_a_full_disk_as_a_cache_error(corpus: Path, cache_dir: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    built = Answerer.from_corpus(corpus, cache=False).built
    monkeypatch.setattr(os, "fsync", _enospc)
    with pytest.raises(CacheError, match="No space left on device"):
        faqbot.build.save(built, cache_path(corpus, cache_dir))
    assert list(cache_dir.iterdir()) == []


# ----------------------------------------------------------------------------- concurrent builders


def test_threads_building_the_same_cache_at_once_all_answer_correctly(corpus: Path, cache_dir: Path,
                                                                      expected: list) -> None:
    barrier = threading.Barrier(6)
    results: list[object] = []

    def build() -> None:
        barrier.wait()
        try:
            results.append(_answers(Answerer.from_corpus(corpus, cache_dir=cache_dir)))
        except Exception as exc:   # noqa: BLE001 - reported below
            results.append(exc)

    threads = [threading.Thread(target=build) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [expected] * 6
    assert [p.suffix for p in cache_dir.iterdir()] == [".idx"]
    _assert_cache_is_valid(corpus, cache_dir)


@pytest.mark.slow   # two processes building at once
def test_two_processes_building_at_the_same_time_both_answer_and_leave_one_valid_cache(
        corpus: Path, cache_dir: Path, expected: list) -> None:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONWARNINGS"} | {"FAQBOT_CACHE_DIR": str(cache_dir)}
    question = QUESTIONS[0]
    procs = [subprocess.Popen([sys.executable, "-m", "faqbot", "ask", "--json", "--corpus", str(corpus), question],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env) for _ in range(2)]
    outputs = [p.communicate(timeout=120) for p in procs]
    for proc, (out, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0 and err == b"", err.decode(errors="replace")
        assert json.loads(out) == expected[0]
    assert [p.suffix for p in cache_dir.iterdir()] == [".idx"]
    _assert_cache_is_valid(corpus, cache_dir)


def test_a_killed_writers_temporary_file_is_removed_by_the_next_save(corpus: Path, tmp_path: Path) -> None:
    import os
    import time

    from faqbot.build import load_or_build
    from faqbot.storage.cache import cache_path

    cache_dir = tmp_path / "cache-stale"
    cache_dir.mkdir()
    stale, fresh = cache_dir / ".tmp-killed.idx", cache_dir / ".tmp-writing-now.idx"
    stale.write_bytes(b"half a file")
    fresh.write_bytes(b"another writer, still busy")
    old = time.time() - 7200
    os.utime(stale, (old, old))
    load_or_build(corpus, cache_dir=cache_dir)
    assert not stale.exists() and fresh.exists()
    assert os.path.exists(cache_path(Path(load_or_build(corpus, cache_dir=cache_dir).corpus.root), cache_dir))


# ----------------------------------------------------------------------------- trust (docs/reliability.md)

UNTRUSTED: dict[str, tuple[Callable[[Path], None], str]] = {
    "file-writable-by-others": (lambda f: f.chmod(0o666), "other users can write it"),
    "file-writable-by-its-group": (lambda f: f.chmod(0o620), "other users can write it"),
    "folder-writable-by-others": (lambda f: f.parent.chmod(0o777), "other users can write its folder"),
    "file-of-another-user": (lambda f: os.chown(f, 4242, 4242), "it belongs to another user"),
    "folder-of-another-user": (lambda f: os.chown(f.parent, 4242, 4242), "its folder belongs to another user"),
}


@pytest.mark.parametrize("case", list(UNTRUSTED), ids=list(UNTRUSTED))
def test_a_cache_others_could_have_written_is_never_answered_from(corpus: Path, cache_dir: Path, built: Path,
                                                                  expected: list, case: str) -> None:
    make_untrusted, reason = UNTRUSTED[case]
    if "another-user" in case and os.getuid() != 0:
        pytest.skip("giving a file to another user needs root")
    make_untrusted(built)
    with pytest.raises(CacheError, match=f"not trusted: {reason}"):
        _load(corpus, cache_dir)
    assert _answers(Answerer.from_corpus(corpus, cache_dir=cache_dir)) == expected


def test_a_read_only_cache_in_a_shared_sticky_folder_or_an_image_is_trusted(corpus: Path, cache_dir: Path,
                                                                            built: Path, expected: list,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    built.chmod(0o444)           # as a container image ships it: read-only for everyone
    cache_dir.chmod(0o1777)      # a shared folder with the sticky bit, like /tmp
    with _no_rebuild(monkeypatch):
        assert _answers(Answerer.from_corpus(corpus, cache_dir=cache_dir)) == expected
    cache_dir.chmod(0o555)
    with _no_rebuild(monkeypatch):
        assert _answers(Answerer.from_corpus(corpus, cache_dir=cache_dir)) == expected


@pytest.mark.slow   # a process that builds and writes the index
def test_faqbot_index_warns_when_the_cache_it_wrote_will_not_be_read(corpus: Path, tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o777)
    shared.chmod(0o777)
    result = subprocess.run([sys.executable, "-m", "faqbot", "index", "--corpus", str(corpus), "--cache-dir",
                             str(shared)], capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert "the cache will not be used: other users can write its folder" in result.stderr

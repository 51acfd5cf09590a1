"""Records and word sets stored column by column in flat numpy arrays, and read back lazily.

A cached index maps its file (``faqbot.storage.cache``); the corpus's passages and entries and the coverage
check's word sets live in these arrays, and a record is decoded only when a question first touches
it. A worker answering from a 100,000-passage index thus starts in a fraction of a second and shares
the file's pages with every other worker. Every array is checked with numpy when it is read, so no
access can fail later: offsets ascend and stay in bounds, and text decodes with replacement.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator, Sequence
from typing import Any, Generic, TypeVar, overload

import numpy as np

T = TypeVar("T")
_STR, _INT, _BOOL, _TEXTS = "str", "int", "bool", "tuple[str, ...]"   # the field types a record may have


def text_arrays(name: str, texts: Sequence[str]) -> dict[str, np.ndarray]:
    """*texts* as one UTF-8 blob and the offsets that cut it (``name.blob``, ``name.offsets``)."""
    encoded = [t.encode("utf-8", "surrogatepass") for t in texts]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum([len(b) for b in encoded], out=offsets[1:])
    return {f"{name}.blob": np.frombuffer(b"".join(encoded), dtype=np.uint8), f"{name}.offsets": offsets}


def group_arrays(name: str, sizes: Sequence[int]) -> dict[str, np.ndarray]:
    """Where each group starts in a flat list, for groups of *sizes* (``name.groups``)."""
    starts = np.zeros(len(sizes) + 1, dtype=np.int64)
    np.cumsum(np.asarray(sizes, dtype=np.int64), out=starts[1:])
    return {f"{name}.groups": starts}


def _bounds(starts: np.ndarray, n: int, total: int, what: str) -> np.ndarray:
    """*starts* (n + 1 ascending offsets from 0 to *total*), else ValueError."""
    if starts.shape != (n + 1,) or starts.dtype.kind != "i" or int(starts[0]) != 0 or int(starts[-1]) != total \
            or (n and bool(np.any(starts[1:] < starts[:-1]))):
        raise ValueError(f"the offsets of {what} do not fit")
    return starts


class _Lazy(Sequence[T]):
    """A read-only sequence of *n* items, each made by ``_item`` when it is asked for."""

    __slots__ = ("_n",)

    def __init__(self, n: int) -> None:
        self._n = n

    def _item(self, i: int) -> T:
        raise NotImplementedError

    def __len__(self) -> int:
        return self._n

    @overload
    def __getitem__(self, i: int) -> T: ...
    @overload
    def __getitem__(self, i: slice) -> list[T]: ...

    def __getitem__(self, i: int | slice) -> T | list[T]:
        if isinstance(i, slice):
            return [self._item(k) for k in range(*i.indices(self._n))]
        k = i + self._n if i < 0 else i
        if not 0 <= k < self._n:
            raise IndexError(i)
        return self._item(k)

    def __iter__(self) -> Iterator[T]:
        return (self._item(k) for k in range(self._n))


class Texts(_Lazy[str]):
    """The *n* texts saved by ``text_arrays``; each decoded on access."""

    __slots__ = ("_blob", "_offsets")

    def __init__(self, name: str, arrays: dict[str, np.ndarray], n: int | None = None) -> None:
        offsets = arrays[f"{name}.offsets"]
        n = len(offsets) - 1 if n is None else n
        super().__init__(n)
        self._blob = arrays[f"{name}.blob"]
        # numpy, not a list: a list of 100,000s of Python ints would be each worker's own memory
        self._offsets = _bounds(offsets, n, self._blob.size, name)

    def _item(self, i: int) -> str:
        return self._blob[int(self._offsets[i]):int(self._offsets[i + 1])].tobytes().decode("utf-8", "replace")

    def all(self) -> list[str]:
        """Every text, decoded in one pass (for an id map or a fuzzy-matching list)."""
        raw = self._blob.tobytes()
        if raw.isascii():   # byte offsets are character offsets
            text, o = raw.decode("ascii"), self._offsets.tolist()
            return [text[o[k]:o[k + 1]] for k in range(len(o) - 1)]
        return list(self)


class Groups(Generic[T]):
    """Consecutive runs of a flat sequence: group *i* is ``items[starts[i]:starts[i + 1]]``."""

    __slots__ = ("starts", "_items")

    def __init__(self, name: str, arrays: dict[str, np.ndarray], items: Sequence[T], n: int | None = None) -> None:
        starts = arrays[f"{name}.groups"]
        self.starts = _bounds(starts, len(starts) - 1 if n is None else n, len(items), name)
        self._items = items

    def __len__(self) -> int:
        return len(self.starts) - 1

    def group(self, i: int) -> tuple[T, ...]:
        return tuple(self._items[k] for k in range(int(self.starts[i]), int(self.starts[i + 1])))

    def sizes(self) -> np.ndarray:
        return np.diff(self.starts)


class _Memo(_Lazy[T]):
    """A read-only sequence whose items are made by ``_make`` on first access and kept (in a dict: only
    the items questions touched cost memory)."""

    __slots__ = ("_memo",)

    def __init__(self, n: int) -> None:
        super().__init__(n)
        self._memo: dict[int, T] = {}

    def _make(self, i: int) -> T:
        raise NotImplementedError

    def _item(self, i: int) -> T:
        item = self._memo.get(i)
        if item is None:
            item = self._memo[i] = self._make(i)
        return item

    @overload
    def __getitem__(self, i: int) -> T: ...
    @overload
    def __getitem__(self, i: slice) -> list[T]: ...

    def __getitem__(self, i: int | slice) -> T | list[T]:
        if type(i) is int:   # the hot path: an item a question already touched
            item = self._memo.get(i)
            if item is not None:
                return item
        return super().__getitem__(i)


# ----------------------------------------------------------------------------- records


def _field_types(cls: type) -> dict[str, str]:
    """Each field of the NamedTuple *cls* and its type, as written in its annotation."""
    return {f: str(getattr(t, "__forward_arg__", t)).replace("typing.", "") for f, t in cls.__annotations__.items()}


def record_arrays(name: str, cls: type, records: Sequence[Any]) -> dict[str, np.ndarray]:
    """The NamedTuples *records* of type *cls* (fields: str, int, bool, tuple[str, ...]) as columns."""
    arrays: dict[str, np.ndarray] = {}
    for field, kind in _field_types(cls).items():
        values = [getattr(r, field) for r in records]
        column = f"{name}.{field}"
        if kind == _STR:
            arrays |= text_arrays(column, values)
        elif kind in (_INT, _BOOL):
            arrays[column] = np.asarray(values, dtype=np.int64 if kind == _INT else np.uint8).reshape(len(values))
        elif kind == _TEXTS:
            arrays |= text_arrays(column, [t for group in values for t in group])
            arrays |= group_arrays(column, [len(group) for group in values])
        else:
            raise TypeError(f"{cls.__name__}.{field}: a {kind} cannot be stored in columns")
    return arrays


class Records(_Memo[T]):
    """The records saved by ``record_arrays``: each built on first access from its columns."""

    __slots__ = ("_cls", "_fields", "_columns")

    def __init__(self, name: str, cls: type[T], arrays: dict[str, np.ndarray], n: int) -> None:
        super().__init__(n)
        self._cls = cls
        kinds = _field_types(cls)
        self._fields = list(kinds)
        self._columns: list[Any] = []
        for field, kind in kinds.items():
            column = f"{name}.{field}"
            if kind == _STR:
                self._columns.append(Texts(column, arrays, n))
            elif kind in (_INT, _BOOL):
                values = arrays[column]
                if values.shape != (n,) or values.dtype.kind not in "iu":
                    raise ValueError(f"the column {column} does not fit")
                self._columns.append(values.astype(bool) if kind == _BOOL else values)
            else:
                texts = Texts(column, arrays)
                self._columns.append(Groups(column, arrays, texts, n))

    def _make(self, i: int) -> T:
        return self._cls(*(c.group(i) if isinstance(c, Groups) else c[i].item() if isinstance(c, np.ndarray)
                           else c[i] for c in self._columns))

    def column(self, field: str) -> Sequence[Any]:
        """One field of every record, without building the records (a Groups for tuple fields)."""
        column = self._columns[self._fields.index(field)]
        return column.all() if isinstance(column, Texts) else column


def column_of(records: Sequence[Any], field: str) -> Sequence[Any]:
    """*field* of every record: read from the columns when *records* came from them, never decoding
    the rest."""
    if isinstance(records, Records):
        column = records.column(field)
        return column if not isinstance(column, Groups) else [column.group(i) for i in range(len(column))]
    return [getattr(r, field) for r in records]


def sizes_of(records: Sequence[Any], field: str | None = None) -> list[int]:
    """The length of every item of *records* (of its tuple *field*, when given: e.g. each passage's
    sentence count), without building records or sets that are not built yet."""
    if field is None:
        return records.sizes() if isinstance(records, Nested) else [len(r) for r in records]
    if isinstance(records, Records):
        column = records.column(field)
        if isinstance(column, Groups):
            return column.sizes().tolist()  # type: ignore[no-any-return]
    return [len(getattr(r, field)) for r in records]


# ----------------------------------------------------------------------------- word sets


def term_set_arrays(name: str, vocabulary: dict[str, int], sets: Sequence[frozenset[str]]) -> dict[str, np.ndarray]:
    """Word sets as ids into *vocabulary* (a word -> id map every set's words are in)."""
    word_id = vocabulary.__getitem__
    ids = array("i")   # flat, each set's ids sorted: a large corpus has half a million sets
    sizes = []
    for words in sets:
        ids.extend(sorted(map(word_id, words)))
        sizes.append(len(words))
    return {f"{name}.ids": np.frombuffer(ids, dtype=np.int32) if ids else np.zeros(0, dtype=np.int32),   # no copy
            **group_arrays(name, sizes)}


class TermSets(_Memo[frozenset[str]]):
    """The word sets saved by ``term_set_arrays``; each made into a frozenset on first access."""

    __slots__ = ("_words", "_starts", "_ids")

    def __init__(self, name: str, arrays: dict[str, np.ndarray], words: Sequence[str], n: int | None = None) -> None:
        ids, starts = arrays[f"{name}.ids"], arrays[f"{name}.groups"]
        n = len(starts) - 1 if n is None else n
        super().__init__(n)
        self._starts = _bounds(starts, n, ids.size, name)
        if ids.ndim != 1 or ids.dtype.kind != "i" or (ids.size and (ids.min() < 0 or ids.max() >= len(words))):
            raise ValueError(f"the word ids of {name} do not fit")
        self._words, self._ids = words, ids

    def _make(self, i: int) -> frozenset[str]:
        words = self._words
        return frozenset(words[k] for k in self._ids[int(self._starts[i]):int(self._starts[i + 1])].tolist())


class Nested(_Memo[tuple[T, ...]]):
    """Runs of a flat sequence as tuples (e.g. a passage's sentences' word sets), made on first access."""

    __slots__ = ("_groups",)

    def __init__(self, groups: Groups[T]) -> None:
        super().__init__(len(groups))
        self._groups = groups

    def _make(self, i: int) -> tuple[T, ...]:
        return self._groups.group(i)

    def sizes(self) -> list[int]:
        return self._groups.sizes().tolist()  # type: ignore[no-any-return]

"""Meaning from a sentence encoder (``faqbot[semantic]``: onnxruntime and tokenizers, no torch).

A model is a folder laid out as a Hugging Face snapshot of a sentence-transformers model exported
to ONNX (``tokenizer.json``, ``1_Pooling/config.json``, ``onnx/model.onnx`` or ``model.onnx``), or a
repo id (``sentence-transformers/all-MiniLM-L6-v2``) fetched once, only the files used, into the
Hugging Face cache by huggingface_hub. Pooling follows the model's config; vectors are L2-normalised,
so a dot product is a cosine.

At build, every phrasing (curated and heading entries) and passage is embedded once and the vectors go
in the index cache, memory-mapped like the other arrays. The model's identity (a hash of its files)
is stored with each file's size and modification time, so a cold start checks a few ``stat`` calls,
never hashes 23 MB. At query time the encoder is loaded only when the lexical decision is not sure
(``faqbot.engine.pipeline``): a one-shot ``ask`` it settles never imports onnxruntime.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np

from faqbot.errors import FaqbotError

MODEL_ENV = "FAQBOT_SEMANTIC_MODEL"
_CONFIG_FILES = ("tokenizer.json", "modules.json", "sentence_bert_config.json", "1_Pooling/config.json")
_ONNX_FILES = ("onnx/model.onnx", "model.onnx")   # the first that exists is used (a repo holds several)
_REPO_ID = re.compile(r"[A-Za-z0-9][\w.\-]*/[\w.\-]+")
PASSAGE_TOKENS = 128   # a passage is embedded from its first 128 tokens: its topic, at half the cost of 256


class SemanticError(FaqbotError):
    """A semantic model that cannot be found, fetched or loaded."""


class ModelFiles(NamedTuple):
    """Where a model's files are, and how it pools."""

    folder: str
    onnx: str                 # relative to folder
    pooling: str              # "mean", "cls" or "max"
    max_tokens: int           # sentence_bert_config's max_seq_length (truncation)

    def paths(self) -> list[str]:
        """The files whose content is the model (hashed into its identity; their stat is its stamp)."""
        return [os.path.join(self.folder, "tokenizer.json"), os.path.join(self.folder, self.onnx)]


def model_name(configured: str) -> str:
    """The model to use: ``$FAQBOT_SEMANTIC_MODEL`` (the user's), else the corpus's ``semantic_model``."""
    return os.environ.get(MODEL_ENV, "").strip() or configured.strip()


def locate(name: str) -> ModelFiles:
    """The files of the model *name*: a local folder, else a Hugging Face repo id fetched into its cache
    (only the files used). SemanticError says what is missing and how to fix it."""
    folder = os.path.expanduser(name)
    if not os.path.isdir(folder):
        first = name.split("/", 1)[0]
        if not _REPO_ID.fullmatch(name) or name.startswith((".", "/", "~")) or os.path.isdir(first):
            raise SemanticError(f"semantic model '{name}': no such folder" +
                                ("" if os.path.isdir(first) else ", and not a Hugging Face repo id"))
        folder = _fetch(name)
    return _read_files(folder, name)


def _fetch(repo_id: str) -> str:
    try:
        from huggingface_hub import snapshot_download
    except ImportError as exc:
        raise SemanticError(f"semantic model '{repo_id}': fetching by repo id needs huggingface_hub "
                            "(pip install 'faqbot[semantic]'), or give a local folder") from exc
    try:   # the config files, then the one network file we run (a repo may hold a dozen ONNX variants)
        folder = snapshot_download(repo_id, allow_patterns=[*_CONFIG_FILES, "config.json"])
        for onnx in _ONNX_FILES:
            found = snapshot_download(repo_id, allow_patterns=[onnx])
            if os.path.exists(os.path.join(found, onnx)):
                return str(found)
        return str(folder)
    except Exception as exc:   # network, authentication, a missing repo: one message, no traceback
        raise SemanticError(f"semantic model '{repo_id}' could not be fetched ({exc.__class__.__name__}: "
                            f"{_first_line(exc)}); with no network, download it once elsewhere or give a "
                            "local folder") from exc


def _read_files(folder: str, name: str) -> ModelFiles:
    """The model files in *folder*, with its pooling and truncation; SemanticError when it is not a
    sentence encoder exported to ONNX (a model2vec folder says what changed)."""
    onnx = next((f for f in _ONNX_FILES if os.path.isfile(os.path.join(folder, f))), None)
    if onnx is None:
        if os.path.isfile(os.path.join(folder, "model.safetensors")) and \
                not os.path.isfile(os.path.join(folder, "1_Pooling", "config.json")):
            raise SemanticError(f"semantic model '{name}' looks like a model2vec model: faqbot now runs sentence "
                                "encoders exported to ONNX (e.g. sentence-transformers/all-MiniLM-L6-v2); see "
                                "docs/semantic.md")
        raise SemanticError(f"semantic model '{name}' has no onnx/model.onnx or model.onnx")
    if not os.path.isfile(os.path.join(folder, "tokenizer.json")):
        raise SemanticError(f"semantic model '{name}' has no tokenizer.json")
    pooling = _json(folder, "1_Pooling/config.json")
    mode = "cls" if pooling.get("pooling_mode_cls_token") else "max" if pooling.get("pooling_mode_max_tokens") \
        else "mean"
    max_tokens = int(_json(folder, "sentence_bert_config.json").get("max_seq_length") or 256)
    return ModelFiles(os.path.realpath(folder), onnx, mode, max(8, min(max_tokens, 512)))


def _first_line(exc: BaseException, limit: int = 160) -> str:
    """An exception's message as one line of at most *limit* characters, cut at a word."""
    line = next((part.strip() for part in str(exc).splitlines() if part.strip()), "")
    return line if len(line) <= limit else line[:limit].rsplit(" ", 1)[0] + " …"


def _json(folder: str, name: str) -> dict[str, Any]:
    try:
        with open(os.path.join(folder, name), encoding="utf-8") as handle:
            data = json.load(handle)
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def stamp_of(files: ModelFiles) -> list[list[Any]]:
    """(path, size, mtime in ns) of each model file: what a cache checks instead of hashing them."""
    stamp = []
    for path in files.paths():
        info = os.stat(path)
        stamp.append([path, info.st_size, info.st_mtime_ns])
    return stamp


def is_current(stamp: Sequence[Sequence[Any]]) -> bool:
    """Whether the model files recorded in *stamp* are still there, unchanged (size and mtime)."""
    try:
        return bool(stamp) and all((info := os.stat(str(path))).st_size == size and info.st_mtime_ns == mtime
                                   for path, size, mtime in stamp)
    except (OSError, ValueError, TypeError):
        return False


def identity_of(files: ModelFiles) -> str:
    """The model's name and a hash of its files: part of what a cache is of."""
    import hashlib  # only builds with a model need it

    digest = hashlib.sha256()
    for path in files.paths():
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return f"{os.path.basename(files.folder.rstrip(os.sep))}@{digest.hexdigest()[:12]}"


def _session(onnxruntime: Any, files: ModelFiles, threads: int | None, network: str) -> Any:
    """An onnxruntime session of the model's network, or of *network*, the same optimised already."""
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads or min(2, os.cpu_count() or 1)
    options.log_severity_level = 3
    path = os.path.join(files.folder, files.onnx)
    if network:
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_DISABLE_ALL
        path = network
    return onnxruntime.InferenceSession(path, options, providers=["CPUExecutionProvider"])


class Encoder:
    """A sentence encoder: texts in, unit vectors out. Thread-safe (onnxruntime sessions are)."""

    def __init__(self, files: ModelFiles, threads: int | None = None, network: str = "") -> None:
        """*network*: the same network already optimised for this machine (``save_network``), which
        loads in a third of the time; the model's own file otherwise."""
        try:
            import onnxruntime
            from tokenizers import Tokenizer
        except ImportError as exc:
            raise SemanticError("a semantic model needs faqbot[semantic] (pip install 'faqbot[semantic]': "
                                "onnxruntime and tokenizers)") from exc
        loaded: dict[str, Any] = {}

        def load_tokenizer() -> None:   # in parallel with the session: both release the GIL
            try:
                loaded["tokenizer"] = Tokenizer.from_file(os.path.join(files.folder, "tokenizer.json"))
            except Exception as exc:
                loaded["error"] = exc

        import threading

        reader = threading.Thread(target=load_tokenizer, daemon=True)
        reader.start()
        try:
            self._session = _session(onnxruntime, files, threads, network)
            reader.join()
            if "error" in loaded:
                raise loaded["error"]
            self._tokenizer = loaded["tokenizer"]
            # The shipped tokenizer.json pads every input to 128 tokens (6x the cost of a question):
            # batches are padded here, to their longest text only.
            self._tokenizer.no_padding()
            self._tokenizer.enable_truncation(files.max_tokens)
        except Exception as exc:   # a damaged or foreign file: one message
            raise SemanticError(f"semantic model in {files.folder} could not be loaded ({exc.__class__.__name__}: "
                                f"{_first_line(exc)})") from exc
        self._inputs = {i.name for i in self._session.get_inputs()}
        self.files = files

    def save_network(self, path: str) -> None:
        """Write the network, optimised for this machine, to *path* (atomically; OSError when it cannot)."""
        import tempfile

        import onnxruntime

        folder = os.path.dirname(path) or "."
        fd, temporary = tempfile.mkstemp(prefix=".tmp-", suffix=".onnx", dir=folder)
        os.close(fd)
        try:
            options = onnxruntime.SessionOptions()
            options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_EXTENDED
            options.optimized_model_filepath = temporary
            options.log_severity_level = 3
            onnxruntime.InferenceSession(os.path.join(self.files.folder, self.files.onnx), options,
                                         providers=["CPUExecutionProvider"])
            os.replace(temporary, path)
        except BaseException:
            if os.path.exists(temporary):
                os.unlink(temporary)
            raise

    def embed(self, texts: Sequence[str], *, max_tokens: int | None = None, batch: int = 32) -> np.ndarray:
        """(len(texts), dim) float32 unit rows, in order; *max_tokens* truncates further (passages)."""
        encodings = self._tokenizer.encode_batch(list(texts))
        limit = min(max_tokens or self.files.max_tokens, self.files.max_tokens)
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))   # like lengths share a batch
        rows: dict[int, np.ndarray] = {}
        for start in range(0, len(order), batch):
            chunk = order[start:start + batch]
            width = max(1, max(min(len(encodings[i].ids), limit) for i in chunk))
            ids = np.zeros((len(chunk), width), dtype=np.int64)
            mask = np.zeros((len(chunk), width), dtype=np.int64)
            for row, i in enumerate(chunk):
                tokens = encodings[i].ids[:limit]
                ids[row, :len(tokens)] = tokens
                mask[row, :len(tokens)] = 1
            for row, vector in zip(chunk, self._run(ids, mask), strict=True):
                rows[row] = vector
        if not rows:
            return np.zeros((0, self.dimension()), dtype=np.float32)
        return np.stack([rows[i] for i in range(len(texts))])

    def dimension(self) -> int:
        return int(self._run(np.zeros((1, 1), dtype=np.int64), np.ones((1, 1), dtype=np.int64)).shape[1])

    def _run(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        hidden = np.asarray(self._session.run(None, {k: v for k, v in feeds.items() if k in self._inputs})[0],
                            dtype=np.float32)
        if self.files.pooling == "cls":
            pooled = hidden[:, 0]
        elif self.files.pooling == "max":
            pooled = np.where(mask[:, :, None] > 0, hidden, -np.inf).max(axis=1)
        else:
            weights = mask[:, :, None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1.0)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return np.asarray(pooled / np.where(norms > 0, norms, 1.0), dtype=np.float32)


class Semantic:
    """The embeddings of one index and, loaded on first use, the encoder that embeds questions alike.
    Read-only after construction but for that lazy load (under a lock: any thread may ask first)."""

    __slots__ = ("model", "files", "stamp", "phrasings", "passages", "network", "_encoder", "_problem", "_lock",
                 "_phrasings32", "_passages32")

    def __init__(self, model: str, files: ModelFiles, stamp: list[list[Any]], phrasings: np.ndarray,
                 passages: np.ndarray, encoder: Encoder | None = None) -> None:
        self.model = model            # name@hash: what the cache is of
        self.files = files
        self.stamp = stamp            # (path, size, mtime) of the model's files when they were embedded
        self.phrasings = phrasings    # (phrasings, dim) float16 unit rows
        self.passages = passages      # (passages, dim) float16 unit rows; zero rows were not embedded
        self.network = ""             # the network optimised for this machine, beside the cache ("" none)
        self._encoder = encoder
        self._problem = ""
        import threading  # only an index with embeddings needs it: not on a lexical cold start

        self._lock = threading.Lock()
        self._phrasings32: np.ndarray | None = None
        self._passages32: np.ndarray | None = None

    @property
    def problem(self) -> str:
        """Why questions cannot be embedded ("" when they can, or nobody has tried yet)."""
        return self._problem

    def embed_questions(self, texts: Sequence[str]) -> np.ndarray | None:
        """The questions' unit vectors (one batch), or None when the encoder cannot be loaded (``problem``
        says why)."""
        with self._lock:
            if self._encoder is None and not self._problem:
                try:
                    self._encoder = Encoder(self.files, network=self.network)
                except SemanticError as exc:
                    try:   # a damaged optimised copy: the model's own network still serves
                        self._encoder = Encoder(self.files) if self.network else None
                    except SemanticError:
                        pass
                    if self._encoder is None:
                        self._problem = str(exc)
            encoder = self._encoder
        return None if encoder is None else encoder.embed(texts)

    def save_network(self, path: str) -> bool:
        """Write the encoder's network, optimised for this machine, to *path*; False when it cannot be."""
        if self._encoder is None:
            return False
        try:
            self._encoder.save_network(path)
        except Exception:   # noqa: BLE001 - a faster start, never a reason to fail a build
            return False
        return True

    def phrasing_cosines(self, vector: np.ndarray) -> np.ndarray:
        """Per phrasing, the cosine of *vector* to it (``Index.best_per_entry`` makes it per entry)."""
        if self._phrasings32 is None:
            self._phrasings32 = np.ascontiguousarray(self.phrasings, dtype=np.float32)
        return np.asarray(self._phrasings32 @ vector, dtype=float)

    def passage_cosines(self, vector: np.ndarray) -> np.ndarray:
        """Per passage, the cosine of *vector* to it (0 for a passage that was not embedded)."""
        if self._passages32 is None:
            self._passages32 = np.ascontiguousarray(self.passages, dtype=np.float32)
        return np.asarray(self._passages32 @ vector, dtype=float) if len(self._passages32) else np.zeros(0)


class Meaning(NamedTuple):
    """What an index knows of meaning: the embeddings (None: lexical only), which model was asked for
    at build ("" none: a cache is of it) and a note on what was used or why not."""

    table: Semantic | None = None
    asked: str = ""
    note: str = ""

    def to_parts(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """(settings, arrays) for the cache."""
        table = self.table
        meta: dict[str, Any] = {"asked": self.asked, "note": self.note}
        if table is None:
            return meta, {}
        meta |= {"model": table.model, "files": list(table.files), "stamp": table.stamp}
        return meta, {"semantic.phrasings": table.phrasings, "semantic.passages": table.passages}

    @classmethod
    def from_parts(cls, meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> Meaning:
        """The meaning ``to_parts`` saved (ValueError when its arrays do not fit together)."""
        asked, note = str(meta["asked"]), str(meta["note"])
        if "semantic.phrasings" not in arrays:
            return cls(None, asked, note)
        phrasings, passages = arrays["semantic.phrasings"], arrays["semantic.passages"]
        if phrasings.ndim != 2 or passages.ndim != 2 or phrasings.shape[1] != passages.shape[1]:
            raise ValueError("semantic arrays that do not fit together")
        folder, onnx, pooling, max_tokens = meta["files"]
        files = ModelFiles(str(folder), str(onnx), str(pooling), int(max_tokens))
        return cls(Semantic(str(meta["model"]), files, meta["stamp"], phrasings, passages), asked, note)

    def is_current(self, asked: str) -> bool:
        """Whether this meaning was built for the model asked for now, from the same files. (A model that
        failed at build stays failed until ``faqbot index`` builds again: a cold start never retries it.)"""
        if self.asked != asked:
            return False
        return self.table is None or is_current(self.table.stamp)


LEXICAL = Meaning()
"""No semantic model asked for: lexical signals only."""


def build_meaning(name: str, phrasings: Sequence[str], passages: Sequence[str], max_passages: int,
                  progress: Any = None) -> Meaning:
    """The embeddings of *phrasings* and of the first *max_passages* of *passages* with the model *name*.
    Never raises: a model that cannot be loaded is a note, and the index is lexical."""
    if not name:
        return LEXICAL
    try:
        files = locate(name)
        stamp, model = stamp_of(files), identity_of(files)
        encoder = Encoder(files)
        if progress:
            progress("embedding phrasings and passages")
        phrase_vectors = encoder.embed(phrasings)
        kept = list(passages[:max_passages])
        passage_vectors = encoder.embed(kept, max_tokens=PASSAGE_TOKENS)
    except SemanticError as exc:
        return Meaning(None, name, str(exc))
    dim = phrase_vectors.shape[1] if len(phrase_vectors) else passage_vectors.shape[1] if len(passage_vectors) else 0
    passage_rows = np.zeros((len(passages), dim), dtype=np.float16)
    passage_rows[:len(kept)] = passage_vectors
    skipped = len(passages) - len(kept)
    note = f"semantic model {model}: {len(phrasings)} phrasings and {len(kept)} passages embedded, {dim} dims" + (
        f" ({skipped} passages past semantic_max_passages not embedded)" if skipped else "")
    return Meaning(Semantic(model, files, stamp, phrase_vectors.astype(np.float16), passage_rows, encoder), name,
                   note)

"""Load or build: corpus files → Corpus → Index → fitted decision → the cache file, and back.

The one place that knows the order of the build: ``faqbot.corpus`` reads the files, ``faqbot.engine``
indexes them and fits the decision (scoring its held-out folds through the engine), and
``faqbot.storage.cache`` keeps the parts each piece saves. Nothing here answers a question.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from faqbot.engine.built import Built
from faqbot.engine.index import Index, PassageAnalysis
from faqbot.engine.semantic import LEXICAL, Meaning, build_meaning, model_name
from faqbot.errors import CacheError
from faqbot.models import Corpus
from faqbot.storage import cache


def build_fitted(corpus: Corpus, *, progress: Callable[[str], None] | None = None) -> Built:
    """*corpus* indexed with its decision fitted: what every command that builds an index uses."""
    from faqbot.engine.fit import fit_decision  # not on the path of a question the cache answers

    if progress:
        progress("analysing text")
    passages = PassageAnalysis.of(corpus)   # once: the fit's folds differ from the index in entries only
    index = Index.build(corpus, progress=progress, passages=passages)
    built = Built.of(index.with_meaning(meaning_of(corpus, progress)))
    return built.with_decision(fit_decision(built, progress=progress, passages=passages))


def meaning_of(corpus: Corpus, progress: Callable[[str], None] | None = None) -> Meaning:
    """The embeddings of *corpus*'s phrasings and passages with the model it asks for (none: lexical)."""
    name = model_name(corpus.config.semantic_model)
    if not name:
        return LEXICAL
    if progress:
        progress("loading the semantic model")
    return build_meaning(name, [p for e in corpus.entries for p in e.phrasings],
                         [f"{p.section}. {' '.join(p.sentences)}" for p in corpus.passages],
                         int(corpus.config.semantic_max_passages), progress)


def build_from_files(root: str, *, progress: Callable[[str], None] | None = None) -> Built:
    """The corpus folder *root* built and fitted (reading it with the corpus loaders)."""
    from faqbot.corpus.load import load_corpus  # the parser, chunker and YAML: only when building

    if progress:
        progress("reading the corpus")
    return build_fitted(load_corpus(root), progress=progress)


def save(built: Built, path: str) -> int:
    """Write *built* to the cache file *path* atomically; returns its size in bytes. With a semantic
    model, its network optimised for this machine goes beside it (``<path>.onnx``): a cold question
    that needs the encoder then loads it in a third of the time."""
    size = cache.write(path, *built.to_parts())
    table = built.index.meaning.table
    if table is not None and table.save_network(path + ".onnx"):
        table.network = path + ".onnx"
    return size


def load(path: str, root: str | None = None, files: list[str] | None = None) -> Built:
    """The build cached at *path*. With *root* and *files*, it must be of that corpus folder with exactly
    those file contents. CacheError when it is missing, stale, from another version, or damaged."""
    accept = None if root is None or files is None else _of_folder(root, files)
    built = cache.read(path, Built.from_parts, accept)
    table = built.index.meaning.table
    if table is not None and cache.cache_trust_problem(path + ".onnx") is None:
        table.network = path + ".onnx"   # trusted as the cache is; missing or foreign: the model's own file
    return built


def load_or_build(corpus: str | os.PathLike[str] | Corpus | None, *, use_cache: bool = True,
                  cache_dir: str | os.PathLike[str] | None = None) -> Built:
    """*corpus* built: from the cache when it matches the files, else built (and cached if possible)."""
    from faqbot.corpus.files import bundled_corpus_dir, corpus_files

    if isinstance(corpus, Corpus):
        return build_fitted(corpus)
    root = bundled_corpus_dir() if corpus is None else os.fspath(corpus)
    if not use_cache:
        return build_from_files(root)
    path = cache.cache_path(root, cache_dir)
    try:
        built = load(path, root, corpus_files(root))
        if built.index.meaning.is_current(model_name(built.corpus.config.semantic_model)):
            return built   # built for the semantic model asked for now, from the same files (or none)
    except CacheError:
        pass
    built = build_from_files(root)
    try:
        save(built, path)
    except CacheError:
        pass   # a read-only or full disk only costs speed: answer without a cache
    return built


def _of_folder(root: str, files: list[str]) -> Callable[[dict[str, Any]], None]:
    """A check that a cache's parts were built from the folder *root* with exactly these file contents."""
    from faqbot.corpus.files import signature

    def accept(meta: dict[str, Any]) -> None:
        corpus = meta["index"]["corpus"]
        if corpus["root"] != os.path.realpath(root):
            raise CacheError("the cache belongs to another corpus folder")
        if [tuple(s) for s in corpus["signature"]] != signature(files):
            raise CacheError("the corpus changed since the cache was built")

    return accept

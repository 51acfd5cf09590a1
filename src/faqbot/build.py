"""Load or build: corpus files → Corpus → Index → fitted decision → the cache file, and back.

The one place that knows the order of the build: ``faqbot.corpus`` reads the files, ``faqbot.engine``
indexes them and fits the decision (scoring its held-out folds through the engine), and
``faqbot.storage`` keeps the result. Nothing here answers a question.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from faqbot.engine.index import Index, PassageAnalysis
from faqbot.engine.semantic import model_name
from faqbot.errors import CacheError
from faqbot.models import Corpus
from faqbot.storage.cache import cache_path, load_index, save_index


def build_fitted(corpus: Corpus, *, progress: Callable[[str], None] | None = None) -> Index:
    """The index of *corpus* with its decision fitted: what every command that builds an index uses."""
    from faqbot.engine.fit import fit_decision  # not on the path of a question the cache answers

    if progress:
        progress("analysing text")
    passages = PassageAnalysis.of(corpus)   # once: the fit's folds differ from the index in entries only
    index = Index.build(corpus, progress=progress, passages=passages)
    return index.with_decision(fit_decision(index, progress=progress, passages=passages))


def build_from_files(root: str, *, progress: Callable[[str], None] | None = None) -> Index:
    """The fitted index of the corpus folder *root* (reading it with the corpus loaders)."""
    from faqbot.corpus.load import load_corpus  # the parser, chunker and YAML: only when building

    if progress:
        progress("reading the corpus")
    return build_fitted(load_corpus(root), progress=progress)


def load_or_build(corpus: str | os.PathLike[str] | Corpus | None, *, use_cache: bool = True,
                  cache_dir: str | os.PathLike[str] | None = None) -> Index:
    """The index of *corpus*: from the cache when it matches the files, else built (and cached if possible)."""
    from faqbot.corpus.files import bundled_corpus_dir, corpus_files

    if isinstance(corpus, Corpus):
        return build_fitted(corpus)
    root = bundled_corpus_dir() if corpus is None else os.fspath(corpus)
    if not use_cache:
        return build_from_files(root)
    path = cache_path(root, cache_dir)
    try:
        index = load_index(path, root, corpus_files(root))
        if index.semantic_asked == model_name(index.corpus.config.semantic_model):
            return index   # built for the semantic model asked for now (or none, both times)
    except CacheError:
        pass
    index = build_from_files(root)
    try:
        save_index(index, path)
    except CacheError:
        pass   # a read-only or full disk only costs speed: answer without a cache
    return index

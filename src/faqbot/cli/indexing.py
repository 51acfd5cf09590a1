"""`faqbot index`: build the index cache ahead of time, with a progress bar when it takes a while."""

from __future__ import annotations

import sys
import threading
import time

from faqbot.cli.render import Painter, safe, use_color

_STAGES = ("reading the corpus", "analysing text", "fitting TF-IDF indexes", "writing the cache")


def build_index_command(corpus: str | None, cache_dir: str | None, *, no_cache: bool = False) -> int:
    from faqbot.cache import cache_path, save_index
    from faqbot.corpus import load_corpus
    from faqbot.errors import CacheError, FaqbotError
    from faqbot.files import bundled_corpus_dir
    from faqbot.index import Index

    root = bundled_corpus_dir() if corpus is None else corpus
    path = cache_path(root, cache_dir)
    stage = {"name": _STAGES[0], "n": 0}
    result: dict[str, object] = {}

    def progress(name: str) -> None:
        stage["name"], stage["n"] = name, _STAGES.index(name)

    def work() -> None:
        try:
            progress("reading the corpus")
            index = Index.build(load_corpus(root), progress=progress)
            result["index"] = index
            if not no_cache:
                progress("writing the cache")
                result["size"] = save_index(index, path)
        except (FaqbotError, CacheError) as exc:
            result["error"] = exc

    start = time.perf_counter()
    worker = threading.Thread(target=work, daemon=True)
    worker.start()
    worker.join(1.0)
    if worker.is_alive() and sys.stderr.isatty():
        _show_progress(worker, stage)
    worker.join()
    seconds = time.perf_counter() - start
    if "error" in result:
        raise result["error"]   # type: ignore[misc]
    index = result["index"]
    paint = Painter(use_color(sys.stdout))
    what = f"{len(index.corpus.passages)} passages, {len(index.corpus.entries)} curated entries"   # type: ignore[attr-defined]
    if no_cache:
        print(f"Built the index in {seconds:.2f} s ({what}); not written (--no-cache).")
    else:
        size = int(result["size"])   # type: ignore[call-overload]
        print(f"{paint('Index cache:', 'bold')} {safe(path)}")
        print(f"  {_human(size)}, built in {seconds:.2f} s ({what}).")
        print(paint("  `faqbot ask` and `faqbot chat` use it until the corpus or faqbot changes.", "dim"))
    return 0


def _show_progress(worker: threading.Thread, stage: dict[str, object]) -> None:
    from prompt_toolkit.output import create_output
    from prompt_toolkit.shortcuts import ProgressBar
    from prompt_toolkit.shortcuts.progress_bar.base import ProgressBarCounter

    with ProgressBar(title="Building the index", output=create_output(stdout=sys.stderr)) as bar:
        counter: ProgressBarCounter[int] = bar(label=str(stage["name"]), total=len(_STAGES))
        done = 0
        while worker.is_alive():
            n = int(stage["n"])   # type: ignore[call-overload]
            while done < n:
                counter.item_completed()
                done += 1
            counter.label = str(stage["name"])
            worker.join(0.1)
        while done < len(_STAGES):
            counter.item_completed()
            done += 1


def _human(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"

"""`faqbot index`: build the index cache ahead of time, with a progress bar when it takes a while."""

from __future__ import annotations

import sys
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from faqbot.cli.render import Painter, safe, use_color
from faqbot.errors import FaqbotError

if TYPE_CHECKING:
    from faqbot.answerer import Answerer

_STAGES = ("reading the corpus", "analysing text", "fitting TF-IDF indexes", "writing the cache")


@dataclass
class _Job:
    """What the build thread reports back: its stage while it runs, then its index, size or error."""

    stage: str = _STAGES[0]
    bot: Answerer | None = None
    size: int = 0
    error: Exception | None = None

    def progress(self, name: str) -> None:
        self.stage = name


def build_index_command(corpus: str | None, cache_dir: str | None, *, no_cache: bool = False) -> int:
    from faqbot.answerer import Answerer
    from faqbot.corpus.files import bundled_corpus_dir
    from faqbot.storage.cache import cache_path

    root = bundled_corpus_dir() if corpus is None else corpus
    path = cache_path(root, cache_dir)
    job = _Job()

    def work() -> None:
        try:
            job.bot = Answerer.build(root, progress=job.progress)
            if job.bot.semantic_problem:   # asked for and not usable: an error here, a warning when answering
                raise FaqbotError(job.bot.semantic_problem)
            if not no_cache:
                job.progress("writing the cache")
                job.size = job.bot.save(path)
        except Exception as exc:   # handed to the main thread, which reports it like any command's error
            job.error = exc

    start = time.perf_counter()
    worker = threading.Thread(target=work, daemon=True)
    worker.start()
    worker.join(1.0)
    if worker.is_alive() and sys.stderr.isatty():
        _show_progress(worker, job)
    worker.join()
    seconds = time.perf_counter() - start
    if job.error is not None:
        raise job.error
    if job.bot is None:
        raise FaqbotError("the index build stopped without a result")
    _report(job.bot, path, job.size, seconds, written=not no_cache)
    return 0


def _report(bot: Answerer, path: str, size: int, seconds: float, *, written: bool) -> None:
    """What was built, the fitted decision in a line, and where the cache went (or why it will not be used)."""
    from faqbot.storage.cache import cache_trust_problem

    paint = Painter(use_color(sys.stdout))
    entries = bot.corpus.entries
    implicit = sum(1 for e in entries if e.implicit)
    what = f"{len(bot.corpus.passages)} passages, {len(entries) - implicit} curated entries" + (
        f", {implicit} from headings" if implicit else "")
    print(decision_line(bot))
    if bot.semantic_note:
        print(bot.semantic_note)
    if not written:
        print(f"Built the index in {seconds:.2f} s ({what}); not written (--no-cache).")
    else:
        print(f"{paint('Index cache:', 'bold')} {safe(path)}")
        print(f"  {_human(size)}, built in {seconds:.2f} s ({what}).")
        problem = cache_trust_problem(path)
        if problem:
            print(f"faqbot: warning: the cache will not be used: {problem} (make it and its folder writable "
                  "only by you, e.g. chmod go-w)", file=sys.stderr)
        else:
            print(paint("  `faqbot ask`, `chat` and `serve` use it until the corpus or faqbot changes.", "dim"))


def _show_progress(worker: threading.Thread, job: _Job) -> None:
    from prompt_toolkit.output import create_output
    from prompt_toolkit.shortcuts import ProgressBar
    from prompt_toolkit.shortcuts.progress_bar.base import ProgressBarCounter

    with ProgressBar(title="Building the index", output=create_output(stdout=sys.stderr)) as bar:
        counter: ProgressBarCounter[int] = bar(label=job.stage, total=len(_STAGES))
        done = 0
        while worker.is_alive():
            while done < _STAGES.index(job.stage):
                counter.item_completed()
                done += 1
            counter.label = job.stage
            worker.join(0.1)
        while done < len(_STAGES):
            counter.item_completed()
            done += 1


def _human(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB"):
        if value < 1024:
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"


def decision_line(bot: Answerer) -> str:
    """The fitted decision in words: what it was fitted on, the fusion weights by name, and what a user
    sees at each confidence (with its estimated precision and recall); or why defaults are used."""
    from faqbot.signals import NAMES

    decision = bot.decision
    weights = bot.weights
    used = ", ".join(f"{name} {w:.2f}" for name, w in zip(NAMES, weights, strict=True) if w > 0)
    unused = [name for name, w in zip(NAMES, weights, strict=True) if w == 0]
    chosen = "chosen by the fit" if decision.weights and not bot.config.weights_set else "from the config"
    lines = [f"Decision: {decision.note}" + (f", in {decision.estimate.get('seconds', 0):.1f} s." if decision.fitted
                                             else "."),
             f"  Signal weights ({chosen}): {used}" + (f"; {', '.join(unused)} unused." if unused else ".")]
    e = decision.estimate
    estimate = f" (estimated precision {e.get('precision', 0):.1%}, recall {e.get('recall', 0):.1%})" \
        if decision.fitted else ""
    offers = f"from {decision.clarify_at:.2f} it offers the likely entry (\"did you mean ...?\"), and below that " \
        if decision.clarify_at < decision.answer_at else "below that "
    lines.append(f"  It answers at confidence ≥ {decision.answer_at:.2f}{estimate}, unless another entry is about as "
                 f"likely (then it asks \"did you mean ...?\"); {offers}it declines and suggests questions.")
    return "\n".join(lines)

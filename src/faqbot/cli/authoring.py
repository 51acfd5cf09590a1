"""`faqbot init`, `faqbot passages` and `faqbot check`: parse nothing, decide nothing, render the
author's tools (``faqbot.authoring``) for a terminal or as JSON."""

from __future__ import annotations

import sys
from collections import defaultdict
from collections.abc import Sequence

from faqbot.authoring.check import CheckReport, Finding, Result, check_corpus, outcome_text
from faqbot.authoring.history import Changes
from faqbot.cli.render import Painter, safe, to_json, use_color

EXIT_CLEAN, EXIT_ERRORS = 0, 1
SHOWN_PER_CHECK = 12   # warnings of one check shown in the terminal; --json has them all


def init_command(folder: str, article: str | None) -> int:
    from faqbot.authoring.scaffold import init_corpus

    paint = Painter(use_color(sys.stdout))
    for done in init_corpus(folder, article):
        what = paint("wrote", "green") if done.written else paint("kept (it exists)", "yellow")
        print(f"{what} {safe(done.path)}")
    print(f"\nNext: write entries in {safe(folder)}/faq.yaml (it lists the passage ids to cite), then\n"
          f"  faqbot check --corpus {safe(folder)}\n  faqbot chat --corpus {safe(folder)}")
    return EXIT_CLEAN


def passages_command(corpus: str | None, section: str | None, as_json: bool) -> int:
    from faqbot.authoring.scaffold import first_words, passages_under
    from faqbot.corpus.load import load_corpus

    loaded = load_corpus(corpus)
    passages = passages_under(loaded.passages, section)
    implicit = {e.sources[0]: e.id for e in loaded.entries if e.implicit}
    if as_json:
        print(to_json([{"id": p.id, "section": p.section, "path": list(p.path), "source": p.source,
                        "start_line": p.start_line, "end_line": p.end_line, "text": p.text,
                        "implicit_entry": implicit.get(p.id)} for p in passages]))
        return EXIT_CLEAN
    paint = Painter(use_color(sys.stdout))
    heading: tuple[str, ...] | None = None
    for p in passages:
        if p.path != heading:
            heading = p.path
            print(paint(safe(" > ".join(heading) or "(before the first heading)"), "bold"))
        print(f"  {paint(safe(p.id), 'cyan')}  {paint(f'{safe(p.source)}:{p.start_line}-{p.end_line}', 'dim')}  "
              f"{safe(first_words(p.text))}")
        if p.id in implicit:
            print(paint(f"      implicit entry {safe(implicit[p.id])}: the heading answered by this passage's opening",
                        "dim"))
    if not passages:
        print(f"no passage under a heading matching {safe(section)!r}" if section else "the corpus has no article")
        return EXIT_ERRORS
    return EXIT_CLEAN


def check_command(corpus: str | None, *, as_json: bool, strict: bool, accept: bool, history: bool = True) -> int:
    from faqbot.corpus.files import bundled_corpus_dir

    root = corpus or bundled_corpus_dir()
    if accept:
        from faqbot.authoring.lock import write_lock
        from faqbot.corpus.load import load_corpus

        path = write_lock(root, load_corpus(root))
        print(f"recorded the cited text of every answer as reviewed: {safe(path)}", file=sys.stderr)
    report = check_corpus(root)
    changes = None
    if history:
        from faqbot.authoring.history import changes_since, history_path, record

        path = history_path(root)
        changes = changes_since(path, report)
        record(path, report)
    if as_json:
        print(to_json(report.to_dict() | {"since_last": changes.to_dict() if changes else None}))
    else:
        print(check_text(report, Painter(use_color(sys.stdout)), changes))
    failed = report.errors or (strict and report.warnings)
    return EXIT_ERRORS if failed else EXIT_CLEAN


def check_text(report: CheckReport, paint: Painter, changes: Changes | None = None) -> str:
    """The report for a terminal: errors in full, warnings grouped by check (a dozen of each), the
    self-test's figures, and what changed since the last check."""
    lines = []
    for severity, style in (("error", "red"), ("warning", "yellow"), ("note", "dim")):
        by_check: dict[str, list[Finding]] = defaultdict(list)
        for finding in report.findings:
            if finding.severity == severity:
                by_check[finding.check].append(finding)
        for check, findings in by_check.items():
            plural = "s" if len(findings) > 1 else ""
            lines.append(paint(f"{check} ({len(findings)} {severity}{plural})", "bold", style))
            shown = findings if severity == "error" else findings[:SHOWN_PER_CHECK]
            for f in shown:
                where = f"{f.file}:{f.line}: " if f.file and f.line else f"{f.file}: " if f.file else ""
                about = f"{f.entry}: " if f.entry else ""
                lines.append(f"  {paint(safe(where), 'dim')}{safe(about)}{safe(f.message)}")
                lines += [f"      {safe(d)}" for d in f.detail.splitlines()]
            if len(findings) > len(shown):
                lines.append(paint(f"  … and {len(findings) - len(shown)} more (--json lists them all)", "dim"))
            lines.append("")
    lines += _self_test_summary(report)
    if changes is not None:
        lines += _changes_text(changes)
    verdict = paint("errors", "red") if report.errors else paint("passes", "yellow") if report.warnings \
        else paint("clean", "green")
    lines.append(f"{report.corpus}: {verdict}: {report.errors} error(s), {report.warnings} warning(s)")
    return "\n".join(lines)


def _self_test_summary(report: CheckReport) -> list[str]:
    """The self-test in figures: phrasings that come back, entries that bring back all of theirs, what is
    left to do, and how the decision was made."""
    test = report.self_test
    if not test.tested:
        return ["self-test: no entry has two phrasings yet, so none could be held out"]
    article = f"; {test.from_article} of them by the article's sentences from a passage the entry cites, not by " \
        "the entry" if test.from_article else ""
    lines = [f"self-test: {test.found} of {test.tested} curated phrasings, each held out of its entry, come back "
             f"to it ({test.found / test.tested:.0%}{article})"]
    to_fix = report.entries_to_fix
    alone = test.entries - report.entries_all_back - to_fix
    lines.append(f"  entries: {report.entries_all_back} of {test.entries} bring back every phrasing" +
                 (f"; the self-test warnings above say what to write for {to_fix}" if to_fix else "") +
                 (f"; {alone} more miss only phrasings that stand alone" if alone else ""))
    if test.stand_alone:
        shown = ", ".join(f"'{safe(m.phrase)}'" for m in test.stand_alone[:3])
        shown += " …" if len(test.stand_alone) > 3 else ""
        lines.append(f"  {len(test.stand_alone)} stand alone ({shown}): held out, nothing else in the corpus brings "
                     "them back, and check has no words to suggest; the bot knows these wordings through them alone, "
                     "so keep them (readers who ask otherwise need paraphrases of their own)")
    taking = ", ".join(f"{entry} ({n})" for entry, n in report.pulling()[:3])
    if taking:
        lines.append(f"  the entries that other entries' phrasings go to most: {taking}")
    if report.decision:
        lines.append(f"decision: {report.decision}")
    return lines


def _changes_text(changes: Changes) -> list[str]:
    """What became of the phrasings since the last check: added, found again, lost, or missing otherwise."""
    minutes = changes.seconds_ago / 60
    when = "just now" if minutes < 1 else f"{minutes:.0f} min ago" if minutes < 120 else f"{minutes / 60:.0f} h ago"
    if changes.nothing:
        return [f"since the last check ({when}): every phrasing fared as it did then"]
    lines = [f"since the last check ({when}):"]
    if changes.added:
        back = sum(r.came_back for r in changes.added)
        lines.append(f"  {len(changes.added)} new phrasing(s): {back} come back" +
                     (f"; {_results([r for r in changes.added if not r.came_back])}" if back < len(changes.added)
                      else ""))
    if changes.newly_found:
        lines.append(f"  {len(changes.newly_found)} come back now that did not: {_results(changes.newly_found, True)}")
    if changes.newly_missed:
        one = len(changes.newly_missed) == 1
        lines.append(f"  {len(changes.newly_missed)} that came back no longer {'does' if one else 'do'}: "
                     f"{_results(changes.newly_missed)}")
    if changes.moved:
        shown = "; ".join(f"'{safe(now.phrase)}' ({safe(now.entry)}) {safe(outcome_text(now.outcome, now.rival))}, "
                          f"where it {safe(outcome_text(then.outcome, then.rival, past=True))}"
                          for then, now in changes.moved[:3])
        lines.append(f"  {len(changes.moved)} that missed miss in another way: {shown}" +
                     (" …" if len(changes.moved) > 3 else ""))
    if changes.threshold_moved:
        before, now = changes.answer_at
        lines.append(f"  the answer threshold moved from {before:.2f} to {now:.2f}: the decision is fitted to the "
                     "whole corpus again after each change, so an edit to one entry can move another's phrasings")
    return lines


def _results(results: Sequence[Result], names_only: bool = False) -> str:
    shown = "; ".join(f"'{safe(r.phrase)}' ({safe(r.entry)})" + ("" if names_only else
                      f" {safe(outcome_text(r.outcome, r.rival))}") for r in results[:3])
    return shown + (" …" if len(results) > 3 else "")


def review_command(corpus: str | None, *, log: str | None, out: str, apply: str | None, purge: bool,
                   as_json: bool) -> int:
    from faqbot.corpus.files import bundled_corpus_dir
    from faqbot.storage.unanswered import log_path, read_log
    from faqbot.storage.unanswered import purge as purge_log

    root = corpus or bundled_corpus_dir()
    path = log or log_path(root)
    if purge:
        removed = purge_log(path)
        print(f"removed the unanswered log {safe(path)}" if removed else f"no unanswered log at {safe(path)}")
        return EXIT_CLEAN
    if apply:
        return _apply(root, apply, as_json)
    import os

    from faqbot.answerer import Answerer
    from faqbot.authoring.review import review_groups, review_yaml
    from faqbot.errors import FaqbotError

    answerer = Answerer.from_corpus(root)
    groups = review_groups(answerer, read_log(path))
    if as_json:
        print(to_json({"log": path, "groups": [g.to_dict() for g in groups]}))
        return EXIT_CLEAN
    if not groups:
        print(f"nothing to review: the unanswered log {safe(path)} is empty")
        return EXIT_CLEAN
    if os.path.lexists(out):
        raise FaqbotError(f"{out} exists (it may hold your edits): apply it with `faqbot review --apply {out}`, "
                          "delete it, or pass --out FILE")
    from faqbot.corpus.files import write_atomically

    write_atomically(out, [review_yaml(groups, answerer.corpus.name).encode("utf-8")], mode=0o644)
    paint = Painter(use_color(sys.stdout))
    for n, g in enumerate(groups, start=1):
        target = f" → {g.entry}" if g.entry else f" → from {g.passage} ({g.section})" if g.passage else ""
        print(f"{n:>3}. {paint(f'asked {g.asked}×', 'bold')} {safe(g.questions[0])!r}"
              f"{f' (+{len(g.questions) - 1} alike)' if len(g.questions) > 1 else ''}: "
              f"{paint(g.proposal, 'cyan')}{safe(target)}")
    print(f"\nwrote {safe(out)}: set `accept: true` on the groups to merge, then `faqbot review --apply {safe(out)}`")
    return EXIT_CLEAN


def _apply(root: str, review: str, as_json: bool) -> int:
    from faqbot.authoring.review import apply_review

    applied = apply_review(root, review)
    if as_json:
        print(to_json(applied.to_dict()))
    else:
        for entry_id, count in applied.paraphrases.items():
            print(f"added {count} paraphrase(s) to {safe(entry_id)}")
        for entry_id in applied.new_entries:
            print(f"added the entry {safe(entry_id)}")
        if not applied.paraphrases and not applied.new_entries:
            print("nothing accepted: set `accept: true` on the groups to merge")
        print()
    report = check_corpus(root)
    if not as_json:
        print(check_text(report, Painter(use_color(sys.stdout))))
    return EXIT_ERRORS if report.errors else EXIT_CLEAN

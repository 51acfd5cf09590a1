"""The `faqbot` command: argument parsing, exit codes and error messages only.

Exit status: 0 for an answer, small talk or a clarification; 1 when it abstained (or an
evaluation fell below --min-pass); 2 for a usage error or a broken corpus. Heavy modules are
imported inside the commands, so `faqbot --help` and `--version` stay instant.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from faqbot.version import __version__

if TYPE_CHECKING:
    from faqbot.answerer import Answerer
    from faqbot.models import Answer

EXIT_OK, EXIT_ABSTAIN, EXIT_USAGE = 0, 1, 2

_EPILOG = """examples:
  faqbot chat                               talk to the bundled article's bot
  faqbot ask "Is ChatGPT an LLM?"           one answer, with its citations
  faqbot ask --json "what is an llm"        the answer as JSON (Answer.to_dict())
  echo "what is an llm" | faqbot ask        the question on stdin
  faqbot ask --corpus my-docs/ "..."        another corpus (article.md and/or faq.yaml)
  faqbot eval tests/data/questions.yaml     how well the bot answers a labelled set
  faqbot index                              build the index cache ahead of time
  faqbot init my-docs --article README.md   start a corpus of your own document
  faqbot passages --corpus my-docs          the passage ids answers can cite
  faqbot check --corpus my-docs             test the FAQ against its article

exit status: 0 answered, 1 abstained, 2 usage error or broken corpus"""


class _Formatter(argparse.RawDescriptionHelpFormatter):
    """argparse's formatter, told the terminal width so that it need not import shutil for it
    (argparse makes a formatter for every add_argument: shutil, bz2 and lzma cost a one-shot ask 3 ms)."""

    def __init__(self, prog: str) -> None:
        try:
            columns = int(os.environ.get("COLUMNS", "")) or os.get_terminal_size(sys.stdout.fileno()).columns
        except (ValueError, OSError, AttributeError):
            columns = 80
        super().__init__(prog, width=max(40, columns - 2))


class _Parser(argparse.ArgumentParser):
    """argparse, but usage errors exit with status 2 and a hint, never a traceback."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> None:   # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n(see '{self.prog} --help')\n")


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The command line; with *only*, just that subcommand (a one-shot `ask` need not build the rest)."""
    parser = _Parser(prog="faqbot", description="Answers questions about one document, citing the lines it used.",
                     epilog=_EPILOG, formatter_class=_Formatter)
    parser.add_argument("--version", action="version", version=f"faqbot {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    shared = _Parser(add_help=False)
    shared.add_argument("--corpus", metavar="DIR", help="corpus folder (default: the bundled article)")
    shared.add_argument("--no-cache", action="store_true", help="build the index in memory; do not use the cache")
    for name, add in _SUBCOMMANDS.items():
        if only in (None, name):
            add(commands, shared)
    return parser


def _subcommand(commands: Any, shared: argparse.ArgumentParser, name: str, summary: str, description: str,
                epilog: str | None = None) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = commands.add_parser(
        name, parents=[shared], help=summary, description=description, epilog=epilog,
        formatter_class=_Formatter)
    return parser


def _add_ask(commands: Any, shared: argparse.ArgumentParser) -> None:
    ask = _subcommand(commands, shared, "ask", "answer one question and exit",
                      "Answer one question, with numbered citations.", _ASK_EPILOG)
    ask.add_argument("question", nargs="*", help="the question (words are joined); '-' or nothing reads stdin")
    ask.add_argument("--json", action="store_true", help="print Answer.to_dict() as JSON")
    ask.add_argument("--explain", action="store_true", help="also show the top candidates and their scores")
    _add_log_flags(ask, "record the question in the unanswered log if it is declined or clarified")
    ask.set_defaults(run=_cmd_ask)


def _add_log_flags(parser: argparse.ArgumentParser, log_help: str) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--log", dest="log", action="store_true", default=None, help=log_help)
    group.add_argument("--no-log", dest="log", action="store_false",
                       help="record nothing in the unanswered log (FAQBOT_LOG=off does the same for every run)")


def _add_chat(commands: Any, shared: argparse.ArgumentParser) -> None:
    chat = _subcommand(commands, shared, "chat", "interactive chat (one question per line when piped)",
                       "Chat with the bot. Follow-up questions use the conversation so far.", _CHAT_EPILOG)
    chat.add_argument("--json", action="store_true", help="when piped: one JSON object per answer (JSON Lines)")
    _add_log_flags(chat, "record declined and clarified questions in the unanswered log (the default)")
    chat.set_defaults(run=_cmd_chat)


def _add_eval(commands: Any, shared: argparse.ArgumentParser) -> None:
    evaluate = _subcommand(commands, shared, "eval", "measure answers against a labelled question file",
                           "Run a labelled question file and report pass rates, ranking, abstention and latency, "
                           "then every failure.", _EVAL_EPILOG)
    evaluate.add_argument("questions", help="YAML question file (format: docs/authoring.md)")
    evaluate.add_argument("--json", action="store_true", help="print the report as one JSON object")
    evaluate.add_argument("--min-pass", type=_percent, metavar="PCT",
                          help="exit 1 if the overall pass rate is below PCT")
    evaluate.add_argument("--calibrate", action="store_true",
                          help="report how well confidence matches how often the top entry is right "
                               "(expected calibration error and a reliability table)")
    evaluate.set_defaults(run=_cmd_eval)


def _add_index(commands: Any, shared: argparse.ArgumentParser) -> None:
    index = _subcommand(commands, shared, "index", "build the index cache ahead of time",
                        "Build (or rebuild) the index cache and say where it is.")
    index.add_argument("--cache-dir", metavar="DIR",
                       help="cache folder (default: $FAQBOT_CACHE_DIR or the user cache)")
    index.set_defaults(run=_cmd_index)


def _add_export(commands: Any, shared: argparse.ArgumentParser) -> None:
    export = _subcommand(commands, shared, "export", "write the curated Q&A pairs in another format",
                         "Write the corpus's curated Q&A pairs to stdout. yaml and jsonl keep everything; "
                         "tsv is the QnA Maker layout (a row per phrasing) and drops passage sources and "
                         "related entries, which it has no columns for.")
    export.add_argument("--format", choices=("yaml", "jsonl", "tsv"), default="yaml", help="output format")
    export.add_argument("--implicit", action="store_true",
                        help="also write the entries the article's headings imply (a starting faq.yaml)")
    export.set_defaults(run=_cmd_export)


def _add_init(commands: Any, shared: argparse.ArgumentParser) -> None:
    init = commands.add_parser("init", help="start a corpus folder: the article and a faq.yaml template",
                               description="Create DIR with article.md (a copy of --article, or a starter) and a "
                                           "commented faq.yaml listing the article's sections and passage ids. "
                                           "Existing files are never overwritten.", formatter_class=_Formatter)
    init.add_argument("folder", metavar="DIR", help="the corpus folder to create")
    init.add_argument("--article", metavar="FILE", help="a Markdown file to copy in as article.md")
    init.set_defaults(run=_cmd_init)


def _add_passages(commands: Any, shared: argparse.ArgumentParser) -> None:
    passages = _subcommand(commands, shared, "passages", "list the article's passages and their ids",
                           "List every passage: its id (what `sources:` cites), heading path, lines and first words.")
    passages.add_argument("--section", metavar="TEXT", help="only passages under a heading containing TEXT")
    passages.add_argument("--json", action="store_true", help="print the passages as JSON, with their text")
    passages.set_defaults(run=_cmd_passages)


def _add_check(commands: Any, shared: argparse.ArgumentParser) -> None:
    check = _subcommand(commands, shared, "check", "test the FAQ against its article (for an author's CI)",
                        "Self-test each curated phrasing held out of its entry, and check sources, grounding, "
                        "drift since the last review (faq.lock), near-identical phrasings and coverage. "
                        "See docs/authoring.md.", "exit status: 0 clean (warnings allowed), 1 errors "
                        "(or warnings with --strict), 2 broken corpus")
    check.add_argument("--json", action="store_true", help="print the report as one JSON object")
    check.add_argument("--strict", action="store_true", help="warnings fail the check too")
    check.add_argument("--accept", action="store_true",
                       help="record the text each answer cites as reviewed (writes faq.lock), then check")
    check.add_argument("--no-history", dest="history", action="store_false",
                       help="do not compare with the last check or keep this one (kept in faqbot's state folder)")
    check.set_defaults(run=_cmd_check)


def _add_review(commands: Any, shared: argparse.ArgumentParser) -> None:
    review = _subcommand(commands, shared, "review", "group what readers asked and didn't get; merge fixes",
                         "Group the questions of the unanswered log and propose, per group: paraphrases of the "
                         "entry that nearly won, a new entry from the passage that answers them, or out of "
                         "scope. Writes review.yaml to edit; --apply merges the accepted groups into faq.yaml "
                         "(only the changed entries' lines change), then checks the corpus.")
    review.add_argument("--log", metavar="FILE", help="the unanswered log to read (default: this corpus's)")
    review.add_argument("--out", metavar="FILE", default="review.yaml", help="where to write the proposals")
    review.add_argument("--apply", metavar="FILE", help="merge the accepted groups of FILE into faq.yaml")
    review.add_argument("--purge", action="store_true", help="empty the unanswered log")
    review.add_argument("--json", action="store_true", help="print the groups (or what --apply did) as JSON")
    review.set_defaults(run=_cmd_review)


def _add_serve(commands: Any, shared: argparse.ArgumentParser) -> None:
    serve = _subcommand(commands, shared, "serve", "an HTTP API and a chat page (needs faqbot[serve])",
                        "Serve POST /v1/ask (and search, entries, passages, feedback, /healthz, /readyz) and a "
                        "chat page at /. Stateless: each answer comes with a signed context token the client "
                        "sends back. Set FAQBOT_SERVE_KEY to share contexts across machines and "
                        "FAQBOT_SERVE_TOKEN to require a bearer token on /v1.")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine only)")
    serve.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    serve.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    serve.add_argument("--root-path", default="", help="the path prefix a reverse proxy serves it under")
    serve.add_argument("--frame-ancestors", default="'self'", metavar="SOURCES",
                       help="sites that may embed the chat page (CSP frame-ancestors; default 'self')")
    serve.add_argument("--allow-origin", action="append", default=[], metavar="ORIGIN",
                       help="a site whose pages may call the API from a browser (CORS); repeatable")
    serve.add_argument("--context-ttl", type=float, default=3600.0, metavar="SECONDS",
                       help="how long a conversation's context stays valid (default 3600)")
    serve.add_argument("--log-questions", action="store_true", help="put the question text in the access log")
    _add_log_flags(serve, "record declined and clarified questions in the unanswered log (the default)")
    serve.set_defaults(run=_cmd_serve)


_SUBCOMMANDS = {"ask": _add_ask, "chat": _add_chat, "eval": _add_eval, "index": _add_index, "export": _add_export,
                "init": _add_init, "passages": _add_passages, "check": _add_check, "review": _add_review,
                "serve": _add_serve}


_ASK_EPILOG = """examples:
  faqbot ask "Is ChatGPT an LLM?"
  faqbot ask is chatgpt an llm
  echo "what is an llm" | faqbot ask
  faqbot ask --json "which tool should a filmmaker use?"
  faqbot ask --explain "whats the diffrence btwn llm and gen ai"

exit status: 0 answered (or small talk, or a clarifying question), 1 abstained, 2 error"""

_CHAT_EPILOG = """in the chat: /help, /sources N, /explain, /reset, /quit (Ctrl-D also leaves)

examples:
  faqbot chat
  printf 'what is an llm\\ngive me some examples\\n' | faqbot chat --json"""

_EVAL_EPILOG = """examples:
  faqbot eval tests/data/questions.yaml
  faqbot eval tests/data/questions.yaml --json --min-pass 90
  faqbot eval tests/data/questions.yaml --calibrate"""


def _percent(text: str) -> float:
    try:
        value = float(text.rstrip("%"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a percentage: {text!r}") from None
    if not 0 <= value <= 100:
        raise argparse.ArgumentTypeError(f"must be between 0 and 100, got {value}")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    words = list(sys.argv[1:] if argv is None else argv)
    command = next((w for w in words if not w.startswith("-")), None)
    parser = build_parser(command if command in _SUBCOMMANDS else None)
    args = parser.parse_args(words)
    if not getattr(args, "run", None):
        parser.print_help()
        return EXIT_USAGE
    from faqbot.errors import FaqbotError

    if sys.stdout is None:   # started with stdout closed (>&-): nothing could be printed
        _error("standard output is closed: nothing can be printed")
        return EXIT_USAGE
    try:
        return int(args.run(args))
    except FaqbotError as exc:
        _error(str(exc))
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_OK
    except OSError as exc:   # e.g. stdout on a full disk: say so, no traceback
        _silence_stdout()
        _error(f"input/output error: {exc.strerror or exc}")
        return EXIT_USAGE
    except Exception as exc:   # a bug: one line and exit 2, never a traceback (FAQBOT_DEBUG=1 shows it)
        if os.environ.get("FAQBOT_DEBUG"):
            raise
        _error(f"unexpected error, a bug in faqbot ({exc.__class__.__name__}: {str(exc)[:200]}); "
               "run with FAQBOT_DEBUG=1 to see where")
        return EXIT_USAGE


def _error(message: str) -> None:
    from faqbot.cli.render import safe

    if sys.stderr is not None:   # closed (2>&-): nothing can be said
        print(f"faqbot: {safe(message)}", file=sys.stderr)


def _silence_stdout() -> None:
    """After a closed pipe (`faqbot ask ... | head -1`), exit quietly."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def load_answerer(args: argparse.Namespace) -> Answerer:
    """The answerer of the command's corpus; what its author should know is said once, on stderr."""
    from faqbot.answerer import Answerer

    answerer = Answerer.from_corpus(args.corpus, cache=not args.no_cache)
    for notice in answerer.notices:
        _error(f"warning: {notice}")
    return answerer


# ----------------------------------------------------------------------------- commands


def _cmd_ask(args: argparse.Namespace) -> int:
    from faqbot.cli import render

    question = _question_from(args.question)
    if question is None:
        _error("no question given: faqbot ask \"your question\" (or pipe it on stdin)")
        return EXIT_USAGE
    answerer = load_answerer(args)
    answer = answerer.ask(question)
    record = unanswered_recorder(args, answerer, "ask")
    if record is not None:
        record(answer)
    if args.json:
        data = answer.to_dict()
        if args.explain:
            data = {**data, "explain": render.explain_dict(answer)}
        _write(render.to_json(data))
    else:
        paint = render.Painter(render.use_color(sys.stdout))
        _write(render.answer_text(answer, paint))
        if args.explain:
            _write("\n" + render.explain_text(answer, paint))
    if answer.notice and args.json:
        _error(answer.notice)
    if answerer.semantic_problem:
        _error(f"warning: {answerer.semantic_problem}; answering lexically")
    return EXIT_ABSTAIN if answer.kind == "abstain" else EXIT_OK


def unanswered_recorder(args: argparse.Namespace, answerer: Answerer, command: str) -> Callable[[Answer], None] | None:
    """What records declined and clarified questions for this run, or None when nothing is recorded."""
    from faqbot.corpus.files import bundled_corpus_dir
    from faqbot.storage.unanswered import log_path, logging_on, recorder

    if not logging_on(command, answerer.config.log_unanswered, args.log):
        return None
    return recorder(log_path(args.corpus or bundled_corpus_dir()))


def _question_from(words: list[str]) -> str | None:
    """The question from the arguments, or stdin for '-' / no arguments; None when empty."""
    if words and words != ["-"]:
        # Bytes that are not UTF-8 arrive as surrogate escapes: make them U+FFFD like stdin does.
        text = " ".join(words).encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    elif sys.stdin is None or (sys.stdin.isatty() and not words):
        return None
    else:
        text = read_stdin()
    return text if text.strip() else None


STDIN_LIMIT = 1 << 16   # bytes of a piped question read at most: questions are cut far shorter anyway


def read_stdin(limit: int = STDIN_LIMIT) -> str:
    """Stdin as text, at most *limit* bytes (``yes | faqbot ask`` must end); invalid UTF-8 becomes U+FFFD."""
    data = sys.stdin.buffer.read(limit) if hasattr(sys.stdin, "buffer") else sys.stdin.read(limit).encode()
    return data.decode("utf-8", errors="replace")


def _write(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def _cmd_chat(args: argparse.Namespace) -> int:
    answerer = load_answerer(args)
    if answerer.semantic_problem:
        _error(f"warning: {answerer.semantic_problem}; answering lexically")
    if sys.stdin is None or sys.stdin.closed:
        return EXIT_OK   # nothing to read: a closed stdin is an empty conversation
    if sys.stdin.isatty() and sys.stdout.isatty() and not args.json:
        from faqbot.cli.repl import run_repl

        run_repl(answerer, record=unanswered_recorder(args, answerer, "chat"))
    else:
        from faqbot.cli.repl import run_lines

        run_lines(answerer, sys.stdin, sys.stdout, json_lines=args.json,
                  record=unanswered_recorder(args, answerer, "chat"))
    return EXIT_OK


def _cmd_eval(args: argparse.Namespace) -> int:
    from faqbot.cli import render
    from faqbot.cli.report import calibration_text, report_text
    from faqbot.evaluate import calibrate, evaluate, load_question_set, unknown_sections

    questions = load_question_set(args.questions)   # a broken question file fails before any index work
    answerer = load_answerer(args)
    for line, label in unknown_sections(questions, answerer.corpus):
        _error(f"warning: {args.questions}:{line}: section {label!r} is not a heading of the article")
    if args.calibrate:
        result = calibrate(answerer, questions)
        if args.json:
            _write(render.to_json(result.to_dict()))
        else:
            _write(calibration_text(result, render.Painter(render.use_color(sys.stdout))))
        return EXIT_OK
    report = evaluate(answerer, questions)
    if args.json:
        _write(render.to_json(report.to_dict()))
    else:
        _write(report_text(report, render.Painter(render.use_color(sys.stdout))))
    if args.min_pass is not None and report.pass_rate * 100 < args.min_pass:
        _error(f"pass rate {report.pass_rate:.1%} is below --min-pass {args.min_pass:g}%")
        return EXIT_ABSTAIN
    return EXIT_OK


def _cmd_index(args: argparse.Namespace) -> int:
    from faqbot.cli.indexing import build_index_command

    return build_index_command(args.corpus, args.cache_dir, no_cache=args.no_cache)


def _cmd_init(args: argparse.Namespace) -> int:
    from faqbot.cli.authoring import init_command

    return init_command(args.folder, args.article)


def _cmd_passages(args: argparse.Namespace) -> int:
    from faqbot.cli.authoring import passages_command

    return passages_command(args.corpus, args.section, args.json)


def _cmd_check(args: argparse.Namespace) -> int:
    from faqbot.cli.authoring import check_command

    return check_command(args.corpus, as_json=args.json, strict=args.strict, accept=args.accept,
                         history=args.history)


def _cmd_review(args: argparse.Namespace) -> int:
    from faqbot.cli.authoring import review_command

    return review_command(args.corpus, log=args.log, out=args.out, apply=args.apply, purge=args.purge,
                          as_json=args.json)


def _cmd_serve(args: argparse.Namespace) -> int:
    from faqbot.errors import FaqbotError

    try:
        from faqbot.serve.run import TOKEN_ENV, Options, export, run
    except ImportError as exc:
        raise FaqbotError(f"faqbot serve needs the serve extra ({exc.name} is missing): "
                          "pip install 'faqbot[serve]'") from exc
    from faqbot.answerer import Answerer
    from faqbot.corpus.files import bundled_corpus_dir

    corpus = args.corpus or bundled_corpus_dir()
    # Build and cache the index once, before any worker starts; keep only its title (the workers
    # answer, the supervisor holds no index).
    title = Answerer.from_corpus(corpus).title
    if args.host not in ("127.0.0.1", "localhost", "::1") and not os.environ.get(TOKEN_ENV):
        _error(f"warning: serving on {args.host} to other machines without a bearer token "
               f"(set {TOKEN_ENV} to require one)")
    export(Options(corpus=os.path.realpath(corpus), log_unanswered=args.log, log_questions=args.log_questions,
                   frame_ancestors=args.frame_ancestors, allowed_origins=tuple(args.allow_origin),
                   context_ttl_s=args.context_ttl))
    host = f"[{args.host}]" if ":" in args.host else args.host
    workers = f"{args.workers} workers" if args.workers > 1 else "1 worker"
    _error(f"serving {title!r} on http://{host}:{args.port}{args.root_path}/ with {workers} (Ctrl-C stops it)")
    try:
        run(args.host, args.port, args.workers, root_path=args.root_path)
    except OSError as exc:   # the port is taken, the address is not this machine's...
        raise FaqbotError(f"cannot serve on {args.host}:{args.port} ({exc.strerror or exc})") from exc
    return EXIT_OK


def _cmd_export(args: argparse.Namespace) -> int:
    from faqbot.cli.render import exported
    from faqbot.corpus.formats import export_entries
    from faqbot.corpus.load import load_corpus

    corpus = load_corpus(args.corpus)
    entries = [e for e in corpus.entries if args.implicit or not e.implicit]
    sys.stdout.write(exported(export_entries(entries, args.format), args.format))
    return EXIT_OK


if __name__ == "__main__":   # pragma: no cover
    raise SystemExit(main())

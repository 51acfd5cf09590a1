"""Starting the service: the settings the command line chose travel to every worker process through
one environment variable, and each worker builds its app from them (uvicorn's factory)."""

from __future__ import annotations

import gc
import json
import logging
import os
from dataclasses import asdict, dataclass
from typing import Any

from faqbot.corpus.files import bundled_corpus_dir
from faqbot.serve.app import BodyLimit, Settings, create_app
from faqbot.serve.tokens import server_key

SETTINGS_ENV = "FAQBOT_SERVE_SETTINGS"
TOKEN_ENV = "FAQBOT_SERVE_TOKEN"
CORPUS_ENV = "FAQBOT_CORPUS"


@dataclass(frozen=True, slots=True)
class Options:
    """What `faqbot serve` was asked for (JSON-able: it crosses into the worker processes)."""

    corpus: str
    log_unanswered: bool | None = None      # --log / --no-log; None: the corpus's setting
    log_questions: bool = False
    frame_ancestors: str = "'self'"
    allowed_origins: tuple[str, ...] = ()
    context_ttl_s: float = 3600.0


def export(options: Options) -> None:
    """Hand *options* (and the signing key) to the worker processes about to start."""
    server_key()   # generated now if not given, so every worker signs with the same key
    os.environ[SETTINGS_ENV] = json.dumps(asdict(options))


def run(host: str, port: int, workers: int, *, root_path: str = "") -> None:
    """Serve the app `export` described with uvicorn: one process, or *workers* under uvicorn's own
    supervisor; under *root_path*, the prefix a reverse proxy serves it at (and whose forwarded
    headers it then trusts). The listening socket of several workers is made here, as TCP, because the one uvicorn
    makes leaves Nagle's algorithm on for every connection (Kludex/uvicorn#3149): each keep-alive
    request after the first then waits ~40 ms for the client's delayed ACK."""
    import socket

    import uvicorn
    from uvicorn.supervisors import Multiprocess

    config = uvicorn.Config("faqbot.serve.run:app_from_environment", factory=True, host=host, port=port,
                            workers=max(1, workers), log_level="warning", root_path=root_path,
                            proxy_headers=bool(root_path))
    if config.workers == 1:
        uvicorn.Server(config).run()
        return
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    Multiprocess(config, sockets=[sock]).run()


def app_from_environment() -> BodyLimit:
    """The app of one worker, built from what `export` handed over (uvicorn calls this). Started by
    another process manager (gunicorn, docs/deploy.md), it serves ``$FAQBOT_CORPUS`` (the bundled
    corpus when unset) with the default settings."""
    raw = os.environ.get(SETTINGS_ENV)
    if raw is None:
        return build(Options(corpus=os.environ.get(CORPUS_ENV) or bundled_corpus_dir()))
    data: dict[str, Any] = json.loads(raw)
    data["allowed_origins"] = tuple(data.get("allowed_origins", ()))
    return build(Options(**data))


def build(options: Options) -> BodyLimit:
    """The service for *options*: the index from the cache the command line built, the logs it asked for."""
    from faqbot.answerer import Answerer
    from faqbot.corpus.files import corpus_key, state_dir
    from faqbot.storage.statefiles import AppendLog
    from faqbot.storage.unanswered import log_path, logging_on, recorder

    answerer = Answerer.from_corpus(options.corpus)
    problem = answerer.load_encoder()   # now, not on the first question that needs it
    for notice in (*answerer.notices, *([f"{problem}; answering lexically"] if problem else [])):
        logging.getLogger("faqbot.serve").warning("faqbot: warning: %s", notice)

    def appender(kind: str) -> AppendLog:
        return AppendLog(os.path.join(state_dir(), "serve", f"{corpus_key(options.corpus)}-{kind}.jsonl"))

    record = recorder(log_path(options.corpus), kept_open=True) \
        if logging_on("chat", answerer.config.log_unanswered, options.log_unanswered) else None
    settings = Settings(key=server_key(), context_ttl_s=options.context_ttl_s,
                        max_question_chars=answerer.config.max_question_chars,
                        bearer_token=os.environ.get(TOKEN_ENV, ""), frame_ancestors=options.frame_ancestors,
                        allowed_origins=options.allowed_origins, record=record, feedback=appender("feedback"),
                        access=appender("access"), log_questions=options.log_questions)
    app = create_app(answerer, settings)
    # Ready means answering at full speed: the first question's one-off work (the fuzzy matcher's import,
    # the vocabularies) is done now, not in a user's request.
    answerer.ask(next(iter(answerer.corpus.examples), "hello"))
    # The index's objects live as long as the worker: moved out of the collector's sight, so that a
    # full collection between requests does not walk them.
    gc.freeze()
    return app

"""The HTTP service: FastAPI routes over one :class:`Answerer`. Parse, call the library, render JSON.

No state between requests: a conversation's context goes out with each answer as a signed token and
comes back with the next question. Bad input is a JSON error with the right status, never a
traceback; a crash in the answerer is logged with an id and answered 500, and serving goes on.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException
from starlette.types import Message, Receive, Scope, Send

from faqbot.answerer import Answerer
from faqbot.models import Answer
from faqbot.serve.tokens import TokenError, sign, verify
from faqbot.storage.columns import column_of
from faqbot.version import __version__

log = logging.getLogger("faqbot.serve")
_PAGE_FILES = {"/": ("index.html", "text/html; charset=utf-8"), "/chat.js": ("chat.js", "text/javascript"),
               "/chat.css": ("chat.css", "text/css"), "/widget.js": ("widget.js", "text/javascript")}


@dataclass(frozen=True, slots=True)
class Settings:
    """How one server runs (from the command line; never from the corpus)."""

    key: bytes
    context_ttl_s: float = 3600.0          # a conversation's context expires this long after its last answer
    max_body_bytes: int = 64 * 1024
    max_question_chars: int = 2000
    bearer_token: str = ""                 # when set, the /v1 endpoints require "Authorization: Bearer <it>"
    frame_ancestors: str = "'self'"        # sites that may embed the chat page (the widget's iframe)
    allowed_origins: tuple[str, ...] = ()  # other sites' pages that may call the API from a browser
    record: Callable[[Answer], None] | None = None        # the unanswered log, when on
    feedback: Callable[[dict[str, Any]], None] | None = None
    access: Callable[[dict[str, Any]], None] | None = None   # one JSON line per request
    log_questions: bool = False            # put the question text in the access log


class AskRequest(BaseModel):
    """A question, and the context the previous answer came with (none for a new conversation)."""

    question: str = Field(description="the question, as the user typed it")
    context: str | None = Field(default=None, description="the `context` of the previous answer, unchanged")
    top: int = Field(default=3, ge=1, le=10, description="how many suggestions or options at most")


class MatchOut(BaseModel):
    """A curated entry and how well it matched (0-1)."""

    id: str
    question: str
    score: float


class AnswerOut(BaseModel):
    """The answer (``Answer.to_dict()``) and the context to send with the next question."""

    question: str
    kind: str = Field(description="answer, clarify, smalltalk or abstain")
    text: str
    confidence: float
    citations: list[dict[str, Any]] = Field(description="the passages the answer rests on, with their lines")
    matched: MatchOut | None = None
    suggestions: list[str] = Field(description="questions to try next; a reply never picks them")
    options: list[MatchOut] = Field(description="what a reply can pick: a clarification's entries (\"2\"), or "
                                                "the one entry a decline offers (\"yes\")")
    context: str = Field(description="the signed conversation, pending offer included: send it back unchanged")


class FeedbackRequest(BaseModel):
    """Whether an answer helped."""

    question: str = Field(max_length=4000)
    entry_id: str | None = Field(default=None, max_length=200, description="the matched entry, if any")
    helpful: bool
    comment: str | None = Field(default=None, max_length=2000)


def _json(data: Any, status: int = 200) -> Response:
    """*data* as JSON that is always valid UTF-8: a lone surrogate (from a question or a corpus) is
    escaped, never a reason to fail the request."""
    return Response(json.dumps(data, ensure_ascii=True, separators=(",", ":")), status_code=status,
                    media_type="application/json")


def index_version(answerer: Answerer) -> str:
    """A short name of this index build: a context made for another build means nothing here."""
    corpus = answerer.corpus
    stamp = json.dumps([__version__, list(map(list, corpus.signature)), corpus.root]).encode("utf-8", "replace")
    return hashlib.sha256(stamp).hexdigest()[:16]


def create_app(answerer: Answerer, settings: Settings) -> BodyLimit:
    """The service for *answerer* (built once; shared read-only by every request), as an ASGI app."""
    app = FastAPI(title="faqbot", version=__version__,
                  description=f"Answers questions about one document ({answerer.title}), citing its lines.")
    version = index_version(answerer)
    entries = answerer.corpus.entries   # records decode when first asked for

    def error(status: int, message: str, **extra: Any) -> Response:
        return _json({"error": message, **extra}, status)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        first = exc.errors()[0] if exc.errors() else {}
        if first.get("type") == "json_invalid":
            return error(422, "the request body is not valid JSON")
        if tuple(first.get("loc", ())) == ("body",):
            return error(422, "the request body must be a JSON object (sent as application/json)")
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body")
        return error(422, f"{where or 'request'}: {first.get('msg', 'invalid request')}")

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        return error(exc.status_code, str(exc.detail))

    @app.exception_handler(Exception)
    async def crash(request: Request, exc: Exception) -> Response:
        incident = uuid.uuid4().hex[:12]
        log.error("incident %s on %s", incident, request.url.path, exc_info=exc)
        return error(500, "the server failed on this request (a bug in faqbot); it goes on serving", id=incident)

    if settings.bearer_token:
        _declare_bearer(app)
    app.add_middleware(Guard, settings=settings,
                       unauthorized=error(401, "this server needs 'Authorization: Bearer <token>'"))

    @app.post("/v1/ask", summary="Answer a question, in the conversation its context carries",
              response_class=Response, responses={200: {"model": AnswerOut, "description": "the answer"}})
    async def ask(body: AskRequest, request: Request) -> Response:
        if len(body.question) > settings.max_question_chars:
            raise HTTPException(413, f"the question is longer than {settings.max_question_chars} characters")
        try:
            context = verify(body.context, settings.key, version) if body.context else None
        except TokenError as exc:   # the code lets a client start a new conversation and ask again
            return error(400, str(exc), code="bad_context")
        session = answerer.session(context)
        answer = session.ask(body.question)
        if settings.record is not None:
            settings.record(answer)
        request.state.logged = {"kind": answer.kind, "matched": answer.matched.id if answer.matched else None,
                                **({"question": body.question} if settings.log_questions else {})}
        data = answer.to_dict()
        data["suggestions"] = data["suggestions"][: body.top]
        return _json({**data, "context": sign(session.context, settings.key, version, settings.context_ttl_s)})

    @app.get("/v1/search", summary="Ranked curated entries and article passages for a query",
             response_class=Response)
    def search(q: str, limit: int = 10) -> Response:
        if len(q) > settings.max_question_chars:
            raise HTTPException(413, f"the query is longer than {settings.max_question_chars} characters")
        limit = max(1, min(limit, 50))
        hits = answerer.gather(q).passages[:limit]
        return _json({"entries": [m.to_dict() for m in answerer.search(q, limit)],
                      "passages": [{"id": h.id, "section": h.section, "score": round(h.score, 4),
                                    "coverage": round(h.coverage, 4)} for h in hits]})

    @app.get("/v1/entries", summary="Every entry: id and question", response_class=Response)
    def list_entries() -> Response:
        return _json([{"id": i, "question": q, "implicit": bool(m)} for i, q, m in
                      zip(column_of(entries, "id"), column_of(entries, "question"), column_of(entries, "implicit"),
                          strict=True)])

    @app.get("/v1/entries/{entry_id}", summary="One entry in full", response_class=Response)
    def entry(entry_id: str) -> Response:
        found = answerer.entry(entry_id)
        if found is None:
            raise HTTPException(404, f"no entry '{entry_id[:100]}'")
        return _json({"id": found.id, "question": found.question, "paraphrases": list(found.paraphrases),
                      "answer": found.answer, "sources": list(found.sources), "related": list(found.related),
                      "implicit": found.implicit})

    @app.get("/v1/passages/{passage_id}", summary="One passage of the article: text, section path, lines",
             response_class=Response)
    def passage(passage_id: str) -> Response:
        found = answerer.passage(passage_id)
        if found is None:
            raise HTTPException(404, f"no passage '{passage_id[:100]}'")
        return _json({"id": found.id, "section": found.section, "path": list(found.path), "text": found.text,
                      "source": found.source, "start_line": found.start_line, "end_line": found.end_line})

    @app.post("/v1/feedback", summary="Whether an answer helped (kept in the feedback log)")
    def feedback(body: FeedbackRequest) -> dict[str, Any]:
        if body.entry_id is not None and answerer.entry(body.entry_id) is None:
            raise HTTPException(404, f"no entry '{body.entry_id[:100]}'")
        if settings.feedback is not None:
            settings.feedback(body.model_dump())
            # (the feedback log is written with ensure_ascii: a lone surrogate cannot break it)
        return {"recorded": settings.feedback is not None}

    healthy = _json({"status": "ok"}).body

    @app.get("/healthz", summary="The process is up", response_class=Response)
    async def healthz() -> Response:   # on the event loop, never queued behind answers in the thread pool
        return Response(healthy, media_type="application/json")

    @app.get("/readyz", summary="The index is loaded and answers", response_class=Response)
    async def readyz() -> Response:
        return _json({"status": "ready", "corpus": answerer.corpus.name, "title": answerer.title,
                      "entries": len(entries), "passages": len(answerer.corpus.passages), "index": version})

    def page(path: str, name: str, media: str) -> None:
        data = resources.files("faqbot.serve").joinpath("page", name).read_bytes()

        @app.get(path, include_in_schema=False)
        def serve_file() -> Response:
            return Response(data, media_type=media, headers={"Cache-Control": "no-cache"})

    for path, (name, media) in _PAGE_FILES.items():
        page(path, name, media)

    if settings.allowed_origins:
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(CORSMiddleware, allow_origins=list(settings.allowed_origins), allow_methods=["GET", "POST"],
                           allow_headers=["content-type", "authorization"])
    return BodyLimit(app, settings.max_body_bytes)


def _security_headers(settings: Settings) -> list[tuple[bytes, bytes]]:
    return [(b"content-security-policy", (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        f"base-uri 'none'; form-action 'none'; object-src 'none'; frame-ancestors {settings.frame_ancestors}"
    ).encode("latin-1")), (b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer")]


def _declare_bearer(app: FastAPI) -> None:
    """Say in the OpenAPI schema that every /v1 endpoint needs the bearer token (the Guard enforces it)."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        schema = generate()   # made once and kept by FastAPI; these additions are idempotent
        schema.setdefault("components", {}).setdefault("securitySchemes", {})["bearer"] = {
            "type": "http", "scheme": "bearer"}
        for path, operations in schema.get("paths", {}).items():
            if path.startswith("/v1/"):
                for operation in operations.values():
                    operation["security"] = [{"bearer": []}]
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


class Guard:
    """ASGI middleware around every route: the bearer token on /v1/, the security headers on every
    response, one access-log line per request. Pure ASGI: no task group or memory stream per request."""

    def __init__(self, app: Any, settings: Settings, unauthorized: Response) -> None:
        self.app, self.settings, self.unauthorized = app, settings, unauthorized
        self.headers = _security_headers(settings)
        self.names = {name for name, _ in self.headers}
        self.token = settings.bearer_token.encode()

    def _authorized(self, scope: Scope) -> bool:
        """The request's first Authorization header is "Bearer <the token>" (the scheme in any case)."""
        given = next((v for k, v in scope["headers"] if k == b"authorization"), b"")
        scheme, _, token = given.partition(b" ")
        return scheme.lower() == b"bearer" and hmac.compare_digest(token.strip(), self.token)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 0

        async def secured(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*(h for h in message.get("headers", ()) if h[0].lower() not in self.names),
                                      *self.headers]
            await send(message)

        path, root = scope["path"], scope.get("root_path", "")
        route = path[len(root):] if root and path.startswith(root) else path   # as the router sees it
        settings = self.settings
        if route.startswith("/v1/") and settings.bearer_token and not self._authorized(scope):
            await self.unauthorized(scope, receive, secured)
        else:
            await self.app(scope, receive, secured)
        if settings.access is not None:
            settings.access({"path": path, "status": status, "ms": round((time.perf_counter() - started) * 1000, 2),
                             **scope.get("state", {}).get("logged", {})})


class BodyLimit:
    """ASGI wrapper refusing a request body over *limit* bytes with 413, whether its length is declared
    or it streams in chunks; everything else passes through."""

    def __init__(self, app: FastAPI, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length", b"0")
        if not declared.isdigit() or int(declared) > self.limit:
            await _too_large(send, self.limit)
            return
        seen, over, answered = 0, False, False

        async def limited() -> Message:
            nonlocal seen, over
            if over:
                return {"type": "http.request", "body": b"", "more_body": False}
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:   # end the body here; the app's reply is replaced by a 413 below
                over = True
                return {"type": "http.request", "body": b"", "more_body": False}
            return message

        async def replying(message: Message) -> None:
            nonlocal answered
            if not over:
                await send(message)
            elif not answered:
                answered = True
                await _too_large(send, self.limit)

        await self.app(scope, limited, replying)


async def _too_large(send: Send, limit: int) -> None:
    body = json.dumps({"error": f"the request body is larger than {limit} bytes"}).encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


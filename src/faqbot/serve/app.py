"""The HTTP service: FastAPI routes over one :class:`Answerer`. Parse, call the library, render JSON.

No state between requests: a conversation's context goes out with each answer as a signed token and
comes back with the next question. Bad input is a JSON error with the right status, never a
traceback; a crash in the answerer is logged with an id and answered 500, and serving goes on. The
routes live in ``faqbot.serve.routes``, one APIRouter module per concern; the middleware in
``faqbot.serve.middleware``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException

from faqbot.answerer import Answerer
from faqbot.serve.middleware import BodyLimit, Guard
from faqbot.serve.routes import Service, ask, corpus, feedback, health
from faqbot.serve.schemas import error_response
from faqbot.serve.settings import Settings
from faqbot.version import __version__

__all__ = ["BodyLimit", "Settings", "create_app", "index_version"]

log = logging.getLogger("faqbot.serve")


def index_version(answerer: Answerer) -> str:
    """A short name of this index build: a context made for another build means nothing here."""
    corpus = answerer.corpus
    stamp = json.dumps([__version__, list(map(list, corpus.signature)), corpus.root]).encode("utf-8", "replace")
    return hashlib.sha256(stamp).hexdigest()[:16]


def create_app(answerer: Answerer, settings: Settings) -> BodyLimit:
    """The service for *answerer* (built once; shared read-only by every request), as an ASGI app."""
    app = FastAPI(title="faqbot", version=__version__,
                  description=f"Answers questions about one document ({answerer.title}), citing its lines.")
    _report_errors(app)
    if settings.bearer_token:
        _declare_bearer(app)
    app.add_middleware(Guard, settings=settings,
                       unauthorized=error_response(401, "this server needs 'Authorization: Bearer <token>'"))
    service = Service(answerer, settings, index_version(answerer))
    for module in (ask, corpus, feedback, health):
        app.include_router(module.router(service))
    app.include_router(health.page_router())
    if settings.allowed_origins:
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(CORSMiddleware, allow_origins=list(settings.allowed_origins), allow_methods=["GET", "POST"],
                           allow_headers=["content-type", "authorization"])
    return BodyLimit(app, settings.max_body_bytes)


def _report_errors(app: FastAPI) -> None:
    """Every error as ``{"error": ...}`` with its status: a bad request in words, a crash with an incident id."""

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        first = exc.errors()[0] if exc.errors() else {}
        if first.get("type") == "json_invalid":
            return error_response(422, "the request body is not valid JSON")
        if tuple(first.get("loc", ())) == ("body",):
            return error_response(422, "the request body must be a JSON object (sent as application/json)")
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body")
        return error_response(422, f"{where or 'request'}: {first.get('msg', 'invalid request')}")

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        return error_response(exc.status_code, str(exc.detail))

    @app.exception_handler(Exception)
    async def crash(request: Request, exc: Exception) -> Response:
        incident = uuid.uuid4().hex[:12]
        log.error("incident %s on %s", incident, request.url.path, exc_info=exc)
        return error_response(500, "the server failed on this request (a bug in faqbot); it goes on serving",
                              id=incident)


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

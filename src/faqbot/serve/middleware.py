"""ASGI middleware around every route: the bearer token, security headers and access log (``Guard``),
and the request body's size limit (``BodyLimit``)."""

from __future__ import annotations

import hmac
import json
import time
from typing import Any

from fastapi import FastAPI
from fastapi.responses import Response
from starlette.types import Message, Receive, Scope, Send

from faqbot.serve.settings import Settings


def _security_headers(settings: Settings) -> list[tuple[bytes, bytes]]:
    return [(b"content-security-policy", (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        f"base-uri 'none'; form-action 'none'; object-src 'none'; frame-ancestors {settings.frame_ancestors}"
    ).encode("latin-1")), (b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer")]


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


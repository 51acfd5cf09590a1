"""Conversation contexts as signed, expiring tokens the client carries between requests.

A token is ``base64url(payload) "." base64url(HMAC-SHA256(key, NAMESPACE + payload))``; the payload is
JSON: the format version, the index version it was made for, an expiry time and the conversation
``Context``. A token from another corpus build, an expired one, or one whose signature does not match
(forged, tampered, another deployment's key) is refused. Standard library only.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import time

from faqbot.dialogue import Context
from faqbot.errors import FaqbotError

NAMESPACE = b"faqbot.context.v1:"   # so a signature made for anything else with the same key never verifies
VERSION = 1
MAX_TOKEN_CHARS = 16_384
KEY_ENV = "FAQBOT_SERVE_KEY"


class TokenError(FaqbotError):
    """A context token the server will not accept; the message says why."""


def server_key() -> bytes:
    """The signing key: ``$FAQBOT_SERVE_KEY`` (the same on every machine of a deployment), else a new
    random one, put in the environment so that every worker this process starts shares it."""
    key = os.environ.get(KEY_ENV, "")
    if not key:
        key = secrets.token_urlsafe(32)
        os.environ[KEY_ENV] = key
    return key.encode("utf-8")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(key: bytes, payload: bytes) -> bytes:
    return hmac.new(key, NAMESPACE + payload, hashlib.sha256).digest()


def sign(context: Context, key: bytes, index_version: str, ttl_s: float, now: float | None = None) -> str:
    """The token of *context* for the index *index_version*, valid for *ttl_s* seconds."""
    expires = (time.time() if now is None else now) + ttl_s
    payload = json.dumps({"v": VERSION, "index": index_version, "exp": round(expires), "ctx": context.to_dict()},
                         separators=(",", ":"), ensure_ascii=True).encode("ascii")
    return f"{_b64(payload)}.{_b64(_mac(key, payload))}"


def verify(token: str, key: bytes, index_version: str, now: float | None = None) -> Context:
    """The context in *token*; an empty one when it was made for another index build (the corpus
    changed: the conversation starts over); TokenError when it is malformed, forged or expired."""
    if not isinstance(token, str) or len(token) > MAX_TOKEN_CHARS or token.count(".") != 1:
        raise TokenError("the context is not a token this server made")
    body, mac = token.split(".")
    try:
        payload, given = _unb64(body), _unb64(mac)
    except (ValueError, TypeError) as exc:
        raise TokenError("the context is not a token this server made") from exc
    if not hmac.compare_digest(given, _mac(key, payload)):
        raise TokenError("the context's signature does not match: it was changed, or made by another server")
    try:
        data = json.loads(payload)
    except (ValueError, RecursionError) as exc:
        raise TokenError("the context is damaged") from exc
    if not isinstance(data, dict) or data.get("v") != VERSION or not isinstance(data.get("exp"), int | float):
        raise TokenError("the context is from another version of faqbot")
    if data["exp"] < (time.time() if now is None else now):
        raise TokenError("the context has expired: start a new conversation")
    if data.get("index") != index_version:
        return Context()
    try:
        return Context.from_dict(data.get("ctx"))
    except ValueError as exc:
        raise TokenError(f"the context is damaged ({exc})") from exc

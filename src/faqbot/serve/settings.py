"""How one server runs: its settings, from the command line and never from the corpus."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from faqbot.models import Answer


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
    feedback: Callable[[dict[str, Any]], object] | None = None
    access: Callable[[dict[str, Any]], object] | None = None   # one JSON line per request
    log_questions: bool = False            # put the question text in the access log

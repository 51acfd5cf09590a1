"""What the HTTP service takes and gives: the request and response models (they make the OpenAPI
schema) and the one way a response body is written."""

from __future__ import annotations

import json
from typing import Any

from fastapi.responses import Response
from pydantic import BaseModel, Field


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


def json_response(data: Any, status: int = 200) -> Response:
    """*data* as JSON that is always valid UTF-8: a lone surrogate (from a question or a corpus) is
    escaped, never a reason to fail the request."""
    return Response(json.dumps(data, ensure_ascii=True, separators=(",", ":")), status_code=status,
                    media_type="application/json")


def error_response(status: int, message: str, **extra: Any) -> Response:
    """An error as every endpoint reports one: ``{"error": message, ...}``."""
    return json_response({"error": message, **extra}, status)

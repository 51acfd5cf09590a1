"""POST /v1/feedback: whether an answer helped."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.exceptions import HTTPException

from faqbot.serve.routes import Service
from faqbot.serve.schemas import FeedbackRequest


def router(service: Service) -> APIRouter:
    answerer, settings = service.answerer, service.settings
    routes = APIRouter()

    @routes.post("/v1/feedback", summary="Whether an answer helped (kept in the feedback log)")
    def feedback(body: FeedbackRequest) -> dict[str, Any]:
        if body.entry_id is not None and answerer.entry(body.entry_id) is None:
            raise HTTPException(404, f"no entry '{body.entry_id[:100]}'")
        if settings.feedback is not None:
            settings.feedback(body.model_dump())
            # (the feedback log is written with ensure_ascii: a lone surrogate cannot break it)
        return {"recorded": settings.feedback is not None}

    return routes

"""GET /healthz (the process is up) and /readyz (the index is loaded), and the chat page's files."""

from __future__ import annotations

from importlib import resources

from fastapi import APIRouter
from fastapi.responses import Response

from faqbot.serve.routes import Service
from faqbot.serve.schemas import json_response

PAGE_FILES = {"/": ("index.html", "text/html; charset=utf-8"), "/chat.js": ("chat.js", "text/javascript"),
              "/chat.css": ("chat.css", "text/css"), "/widget.js": ("widget.js", "text/javascript")}


def router(service: Service) -> APIRouter:
    answerer, version = service.answerer, service.version
    routes = APIRouter()
    healthy = json_response({"status": "ok"}).body

    @routes.get("/healthz", summary="The process is up", response_class=Response)
    async def healthz() -> Response:   # on the event loop, never queued behind answers in the thread pool
        return Response(healthy, media_type="application/json")

    @routes.get("/readyz", summary="The index is loaded and answers", response_class=Response)
    async def readyz() -> Response:
        return json_response({"status": "ready", "corpus": answerer.corpus.name, "title": answerer.title,
                              "entries": len(answerer.corpus.entries), "passages": len(answerer.corpus.passages),
                              "index": version, "semantic": {"note": answerer.semantic_note,
                                                             "problem": answerer.semantic_problem}})

    return routes


def page_router() -> APIRouter:
    """The chat page and its scripts, read once from the package."""
    routes = APIRouter()

    def serve(path: str, name: str, media: str) -> None:
        data = resources.files("faqbot.serve").joinpath("page", name).read_bytes()

        @routes.get(path, include_in_schema=False)
        def serve_file() -> Response:
            return Response(data, media_type=media, headers={"Cache-Control": "no-cache"})

    for path, (name, media) in PAGE_FILES.items():
        serve(path, name, media)
    return routes

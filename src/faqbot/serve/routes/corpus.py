"""GET /v1/search, /v1/entries, /v1/entries/{id} and /v1/passages/{id}: what the corpus holds."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response
from starlette.exceptions import HTTPException

from faqbot.serve.routes import Service
from faqbot.serve.schemas import json_response
from faqbot.storage.columns import column_of


def router(service: Service) -> APIRouter:
    answerer, settings = service.answerer, service.settings
    entries = answerer.corpus.entries   # records decode when first asked for
    routes = APIRouter()

    @routes.get("/v1/search", summary="Ranked curated entries and article passages for a query",
                response_class=Response)
    def search(q: str, limit: int = 10) -> Response:
        if len(q) > settings.max_question_chars:
            raise HTTPException(413, f"the query is longer than {settings.max_question_chars} characters")
        limit = max(1, min(limit, 50))
        hits = answerer.gather(q).passages[:limit]
        return json_response({"entries": [m.to_dict() for m in answerer.search(q, limit)],
                              "passages": [{"id": h.id, "section": h.section, "score": round(h.score, 4),
                                            "coverage": round(h.coverage, 4)} for h in hits]})

    @routes.get("/v1/entries", summary="Every entry: id and question", response_class=Response)
    def list_entries() -> Response:
        return json_response([{"id": i, "question": q, "implicit": bool(m)} for i, q, m in
                              zip(column_of(entries, "id"), column_of(entries, "question"),
                                  column_of(entries, "implicit"), strict=True)])

    @routes.get("/v1/entries/{entry_id}", summary="One entry in full", response_class=Response)
    def entry(entry_id: str) -> Response:
        found = answerer.entry(entry_id)
        if found is None:
            raise HTTPException(404, f"no entry '{entry_id[:100]}'")
        return json_response({"id": found.id, "question": found.question, "paraphrases": list(found.paraphrases),
                              "answer": found.answer, "sources": list(found.sources), "related": list(found.related),
                              "implicit": found.implicit})

    @routes.get("/v1/passages/{passage_id}", summary="One passage of the article: text, section path, lines",
                response_class=Response)
    def passage(passage_id: str) -> Response:
        found = answerer.passage(passage_id)
        if found is None:
            raise HTTPException(404, f"no passage '{passage_id[:100]}'")
        return json_response({"id": found.id, "section": found.section, "path": list(found.path),
                              "text": found.text, "source": found.source, "start_line": found.start_line,
                              "end_line": found.end_line})

    return routes

"""POST /v1/ask: one question, in the conversation its signed context carries."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.exceptions import HTTPException

from faqbot.serve.routes import Service
from faqbot.serve.schemas import AnswerOut, AskRequest, error_response, json_response
from faqbot.serve.tokens import TokenError, sign, verify


def router(service: Service) -> APIRouter:
    answerer, settings, version = service.answerer, service.settings, service.version
    routes = APIRouter()

    @routes.post("/v1/ask", summary="Answer a question, in the conversation its context carries",
                 response_class=Response, responses={200: {"model": AnswerOut, "description": "the answer"}})
    async def ask(body: AskRequest, request: Request) -> Response:
        if len(body.question) > settings.max_question_chars:
            raise HTTPException(413, f"the question is longer than {settings.max_question_chars} characters")
        try:
            context = verify(body.context, settings.key, version) if body.context else None
        except TokenError as exc:   # the code lets a client start a new conversation and ask again
            return error_response(400, str(exc), code="bad_context")
        session = answerer.session(context)
        answer = session.ask(body.question)
        if settings.record is not None:
            settings.record(answer)
        request.state.logged = {"kind": answer.kind, "matched": answer.matched.id if answer.matched else None,
                                **({"question": body.question} if settings.log_questions else {})}
        data = answer.to_dict()
        data["suggestions"] = data["suggestions"][: body.top]
        return json_response({**data, "context": sign(session.context, settings.key, version,
                                                      settings.context_ttl_s)})

    return routes

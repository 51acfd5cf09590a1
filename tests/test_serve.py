"""`faqbot serve` through HTTP: every endpoint, every error, a conversation whose context travels only
through the client, tampered and expired contexts, and two servers sharing one key."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi")
import httpx  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402

from faqbot import Answerer  # noqa: E402
from faqbot.conversation import Context  # noqa: E402
from faqbot.serve.app import Settings, create_app, index_version  # noqa: E402
from faqbot.serve.tokens import sign  # noqa: E402
from tests.conftest import SMALL_ARTICLE, SMALL_FAQ, MakeCorpus  # noqa: E402

KEY = b"test-key"


def _client(bot: Answerer, **settings: Any) -> TestClient:
    return TestClient(create_app(bot, Settings(key=KEY, **settings)), raise_server_exceptions=False)


@pytest.fixture
def client(bot: Answerer) -> TestClient:
    return _client(bot)


def _ask(client: TestClient, question: str, context: str | None = None) -> dict[str, Any]:
    response = client.post("/v1/ask", json={"question": question, "context": context})
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_a_three_turn_conversation_carries_its_context_through_the_client_only(client: TestClient,
                                                                                bot: Answerer) -> None:
    first = _ask(client, "what is an llm")
    assert first["kind"] == "answer" and first["citations"][0]["section"] == "What Is a Large Language Model (LLM)?"
    second = _ask(client, "give me some examples", first["context"])
    assert second["kind"] == "answer" and "GPT-4.5" in second["text"]
    third = _ask(client, "who makes it?", second["context"])
    # exactly what one Session gives for the same turns
    session = bot.session()
    expected = [session.ask(q).to_dict() for q in ("what is an llm", "give me some examples", "who makes it?")]
    assert [{k: v for k, v in t.items() if k != "context"} for t in (first, second, third)] == expected


def test_did_you_mean_is_answered_by_its_number(client: TestClient) -> None:
    clarify = _ask(client, "code")
    assert clarify["kind"] == "clarify" and len(clarify["suggestions"]) >= 2
    picked = _ask(client, "2", clarify["context"])
    assert picked["kind"] == "answer" and picked["matched"]["question"] == clarify["suggestions"][1]


@pytest.mark.parametrize(("body", "status", "message"), [
    ({"context": None}, 422, "question: Field required"),
    ({"question": 5}, 422, "question: Input should be a valid string"),
    ({"question": "x" * 2001}, 413, "the question is longer than 2000 characters"),
    ({"question": "hi", "context": "not-a-token"}, 400, "the context is not a token this server made"),
    (b"{not json", 422, "the request body is not valid JSON"),
    (b"[1, 2]", 422, "the request body must be a JSON object (sent as application/json)"),
    ({"question": "hi", "top": 99}, 422, "top: Input should be less than or equal to 10"),
])
def test_bad_requests_get_a_json_error_with_the_right_status(client: TestClient, body: Any, status: int,
                                                             message: str) -> None:
    raw = {"content": body, "headers": {"content-type": "application/json"}} if isinstance(body, bytes) else {}
    response = client.post("/v1/ask", **(raw or {"json": body}))
    assert response.status_code == status and response.json()["error"] == message
    assert response.json().get("code") == ("bad_context" if status == 400 else None)


def test_a_tampered_an_expired_and_another_builds_context(client: TestClient, bot: Answerer) -> None:
    token = _ask(client, "what is an llm")["context"]
    body, mac = token.split(".")
    forged = body[:-2] + ("A" if body[-2] != "A" else "B") + body[-1] + "." + mac
    response = client.post("/v1/ask", json={"question": "who makes it?", "context": forged})
    assert response.status_code == 400 and "signature does not match" in response.json()["error"]
    expired = sign(Context(topic="What is an LLM?"), KEY, index_version(bot), ttl_s=-1)
    response = client.post("/v1/ask", json={"question": "who makes it?", "context": expired})
    assert response.status_code == 400 and "expired" in response.json()["error"]
    elsewhere = sign(Context(topic="What is an LLM?"), KEY, "another-build", ttl_s=60)
    fresh = _ask(client, "give me some examples", elsewhere)   # a context of another build is no context
    assert fresh == {**_ask(client, "give me some examples"), "context": fresh["context"]}


def test_a_body_over_the_cap_is_refused_declared_or_streamed(client: TestClient) -> None:
    big = json.dumps({"question": "a" * 70_000}).encode()
    response = client.post("/v1/ask", content=big, headers={"content-type": "application/json"})
    assert response.status_code == 413 and "larger than 65536 bytes" in response.json()["error"]

    def chunks() -> Iterator[bytes]:
        yield b'{"question": "'
        for _ in range(100):
            yield b"a" * 1000
        yield b'"}'

    response = client.post("/v1/ask", content=chunks(), headers={"content-type": "application/json"})
    assert response.status_code == 413


def test_search_entries_passages_and_their_404s(client: TestClient, bot: Answerer) -> None:
    found = client.get("/v1/search", params={"q": "chatgpt llm", "limit": 3}).json()
    assert found["entries"][0]["id"] == "chatgpt-llm-or-genai" and len(found["entries"]) <= 3
    assert found["passages"][0]["section"] == "Is ChatGPT an LLM or generative AI?"
    entries = {e["id"]: e for e in client.get("/v1/entries").json()}
    assert len(entries) == len(bot.corpus.entries)
    assert entries["what-is-llm"] == {"id": "what-is-llm", "question": "What is a large language model (LLM)?",
                                      "implicit": False}
    entry = client.get("/v1/entries/what-is-llm").json()
    assert entry["sources"] and entry["answer"].startswith("A Large Language Model")
    passage = client.get(f"/v1/passages/{entry['sources'][0]}").json()
    assert passage["start_line"] <= passage["end_line"] and passage["text"]
    assert client.get("/v1/entries/nope").status_code == 404
    assert client.get("/v1/passages/nope").json() == {"error": "no passage 'nope'"}


def test_feedback_is_recorded_and_an_unknown_entry_refused(bot: Answerer) -> None:
    rows: list[dict[str, Any]] = []
    client = _client(bot, feedback=rows.append)
    assert client.post("/v1/feedback", json={"question": "q", "entry_id": "what-is-llm", "helpful": False}).json() \
        == {"recorded": True}
    assert rows[0]["entry_id"] == "what-is-llm" and rows[0]["helpful"] is False
    assert client.post("/v1/feedback", json={"question": "q", "entry_id": "nope", "helpful": True}).status_code == 404


def test_health_readiness_openapi_page_and_security_headers(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json()["entries"] > 0
    schema = client.get("/openapi.json").json()
    assert {"/v1/ask", "/v1/search", "/v1/feedback", "/v1/entries/{entry_id}"} <= set(schema["paths"])
    assert "AskRequest" in schema["components"]["schemas"]
    page = client.get("/")
    assert page.status_code == 200 and '<script src="chat.js" defer></script>' in page.text
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'self'" in csp and "unsafe-inline" not in csp
    assert client.get("/widget.js").headers["content-type"].startswith("text/javascript")


def test_the_page_never_inserts_text_as_html() -> None:
    script = (Path(__file__).resolve().parents[1] / "src" / "faqbot" / "serve" / "page" / "chat.js").read_text()
    assert "innerHTML" not in script and "insertAdjacentHTML" not in script and "document.write" not in script


def test_a_bearer_token_guards_the_api_but_not_health(bot: Answerer) -> None:
    client = _client(bot, bearer_token="s3cret")
    assert client.post("/v1/ask", json={"question": "hi"}).status_code == 401
    for scheme in ("Bearer", "bearer", "BEARER"):   # the scheme is case-insensitive (RFC 7235)
        response = client.post("/v1/ask", json={"question": "hi"}, headers={"authorization": f"{scheme} s3cret"})
        assert response.status_code == 200
    for wrong in ("Bearer s3cre", "Basic s3cret", "s3cret", "Bearer  "):
        assert client.post("/v1/ask", json={"question": "hi"}, headers={"authorization": wrong}).status_code == 401
    assert client.get("/healthz").status_code == 200
    schema = client.get("/openapi.json").json()   # the schema says so, for client generators
    assert schema["components"]["securitySchemes"]["bearer"] == {"type": "http", "scheme": "bearer"}
    assert schema["paths"]["/v1/ask"]["post"]["security"] == [{"bearer": []}]
    assert "security" not in schema["paths"]["/healthz"]["get"]


def test_the_bearer_token_also_guards_the_api_under_a_root_path(bot: Answerer) -> None:
    client = TestClient(create_app(bot, Settings(key=KEY, bearer_token="s3cret")), root_path="/faq")
    for path in ("/faq/v1/entries", "/v1/entries"):
        assert client.get(path).status_code == 401, path
        assert client.get(path, headers={"authorization": "Bearer s3cret"}).status_code == 200, path
    assert client.get("/faq/healthz").status_code == 200


def test_every_response_carries_the_security_headers_once(bot: Answerer) -> None:
    client = _client(bot, bearer_token="s3cret")
    for response in (client.get("/"), client.get("/healthz"), client.get("/v1/entries"),
                     client.get("/v1/entries/nope", headers={"authorization": "Bearer s3cret"})):
        assert response.headers.get_list("content-security-policy") == [response.headers["content-security-policy"]]
        assert "frame-ancestors 'self'" in response.headers["content-security-policy"]
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"


def test_a_crash_in_the_answerer_is_a_500_with_an_id_and_serving_goes_on(bot: Answerer,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    client = _client(bot)
    with monkeypatch.context() as m:
        m.setattr(Answerer, "session", lambda self, context=None: (_ for _ in ()).throw(ZeroDivisionError("bug")))
        response = client.post("/v1/ask", json={"question": "hi"})
    assert response.status_code == 500 and len(response.json()["id"]) == 12 and "Traceback" not in response.text
    assert _ask(client, "what is an llm")["kind"] == "answer"


def test_declined_questions_go_to_the_unanswered_log(bot: Answerer, tmp_path: Path) -> None:
    from faqbot.storage.unanswered import read_log, recorder

    log = tmp_path / "unanswered.jsonl"
    client = _client(bot, record=recorder(str(log)))
    _ask(client, "what is an llm")
    _ask(client, "what is the weather in paris")
    assert [(row["question"], row["kind"]) for row in read_log(str(log))] == [("what is the weather in paris", "abstain")]


# ----------------------------------------------------------------------------- real servers


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(port: int, env: dict[str, str], *extra: str) -> subprocess.Popen[bytes]:
    process = subprocess.Popen([sys.executable, "-m", "faqbot", "serve", "--port", str(port), "--no-log", *extra],
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    process.wait()
    raise AssertionError(f"the server on port {port} did not start (exit status {process.returncode})")


@pytest.mark.slow
def test_two_servers_sharing_a_key_answer_one_conversation_alternately() -> None:
    env = {**os.environ, "FAQBOT_SERVE_KEY": "shared-deployment-key"}
    ports = [_free_port(), _free_port()]
    servers = [_start(port, env) for port in ports]
    try:
        context = None
        answers = []
        for turn, question in enumerate(("what is an llm", "give me some examples", "who makes it?")):
            reply = httpx.post(f"http://127.0.0.1:{ports[turn % 2]}/v1/ask",
                               json={"question": question, "context": context}, timeout=30).json()
            context = reply.pop("context")
            answers.append(reply)
        session = Answerer.from_corpus().session()
        assert answers == [session.ask(q).to_dict() for q in ("what is an llm", "give me some examples",
                                                               "who makes it?")]
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=30)


@pytest.mark.slow
def test_workers_2_serves_a_conversation() -> None:
    port = _free_port()
    server = _start(port, dict(os.environ), "--workers", "2")
    try:
        context = None
        for question in ("what is an llm", "give me some examples", "who makes it?", "and music?"):
            reply = httpx.post(f"http://127.0.0.1:{port}/v1/ask", json={"question": question, "context": context},
                               timeout=30)
            assert reply.status_code == 200
            context = reply.json()["context"]
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.mark.parametrize(("body", "status"), [
    (b"[" * 60_000, 400),                                                        # nested past the parser
    (b'{"question": "hi", "context": ' + b"[" * 30_000 + b"]" * 30_000 + b"}", 400),
    (b"\xff\xfe", 422),                                                           # not UTF-8
    (b'{"question": "\\ud800 what is an llm"}', 200),                              # a lone surrogate
    (b'{"question": "what is an llm", "context": "' + b"a" * 20_000 + b'.b"}', 400),   # a token too long
])
def test_hostile_bodies_get_a_clean_status_and_valid_json(client: TestClient, body: bytes, status: int) -> None:
    response = client.post("/v1/ask", content=body, headers={"content-type": "application/json"})
    assert response.status_code == status, response.text
    data = json.loads(response.content.decode("utf-8"))   # strict UTF-8, valid JSON
    assert ("error" in data) == (status != 200)


def test_another_process_manager_serves_the_corpus_it_names(make_corpus: MakeCorpus, monkeypatch: pytest.MonkeyPatch,
                                                            tmp_path: Path) -> None:
    """gunicorn (docs/deploy.md) builds each worker's app with no settings from `faqbot serve`."""
    from faqbot.serve.run import app_from_environment

    corpus = make_corpus({"article.md": SMALL_ARTICLE, "faq.yaml": SMALL_FAQ})
    monkeypatch.delenv("FAQBOT_SERVE_SETTINGS", raising=False)
    monkeypatch.setenv("FAQBOT_CORPUS", str(corpus))
    monkeypatch.setenv("FAQBOT_SERVE_KEY", "shared-by-every-worker")
    monkeypatch.setenv("FAQBOT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    client = TestClient(app_from_environment())
    answer = _ask(client, "how long do cats sleep")
    assert answer["kind"] == "answer" and answer["text"] == "Cats sleep up to sixteen hours a day."
    assert answer["citations"][0]["section"] == "Cats"

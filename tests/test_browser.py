"""The chat page in a real browser: Debian's Chromium driven by Playwright (never a downloaded browser)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.test_serve import _free_port, _start

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.slow


@pytest.fixture
def browser_page():  # type: ignore[no-untyped-def]
    if CHROMIUM is None or not _has_playwright():
        if os.environ.get("CI"):
            pytest.fail("CI needs Debian's chromium and playwright (see .ci/run)")
        pytest.skip("needs Debian's chromium and the playwright package")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 420, "height": 800})   # a phone-width screen
        yield page
        browser.close()


def _has_playwright() -> bool:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return False
    return True


def test_a_reader_asks_reads_the_citation_and_picks_a_did_you_mean(browser_page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: E501
    page = browser_page
    port = _free_port()
    server = _start(port, dict(os.environ))
    try:
        page.goto(f"http://127.0.0.1:{port}/")
        page.wait_for_selector("text=Difference between LLM and Generative AI")
        page.fill("#question", "what is an llm")
        page.keyboard.press("Enter")
        answer = page.locator("li.bot").first
        answer.wait_for()
        assert "A Large Language Model (LLM) is a sophisticated AI system" in answer.inner_text()
        citation = answer.locator(".citations button").first
        assert "What Is a Large Language Model (LLM)?" in citation.inner_text()
        quote = answer.locator("blockquote").first
        assert not quote.is_visible()
        citation.click()
        assert quote.is_visible() and citation.get_attribute("aria-expanded") == "true"

        page.click("#new")   # a new conversation: "code" is not read as a follow-up about LLMs
        assert page.locator("li").count() == 0
        page.fill("#question", "code")
        page.keyboard.press("Enter")
        options = page.locator("li.bot").nth(0).locator("button.option")
        options.first.wait_for()
        assert options.count() >= 2
        chosen = options.nth(1).inner_text().split(". ", 1)[1]
        options.nth(1).click()
        picked = page.locator("li.bot").nth(1)
        picked.wait_for()
        assert page.locator("li.me").nth(1).inner_text() == f"2. {chosen}"
        assert picked.locator(".citations button").count() >= 1

        page.fill("#question", "How much does Midjourney cost?")   # a decline that offers one entry
        page.keyboard.press("Enter")
        declined = page.locator("li.bot").nth(2)
        declined.wait_for()
        offer = declined.locator("button.option")
        assert offer.count() == 1 and offer.inner_text() == "Yes: What is Midjourney?"
        assert declined.locator("button.chip").count() >= 1   # suggestions, apart from the offer
        offer.click()
        taken = page.locator("li.bot").nth(3)
        taken.wait_for()
        assert page.locator("li.me").nth(3).inner_text() == "Yes: What is Midjourney?"
        assert "Midjourney is a generative AI image tool" in taken.inner_text()

        page.fill("#question", "<img src=x onerror=alert(1)>")   # text, never markup
        page.keyboard.press("Enter")
        page.locator("li.bot").nth(4).wait_for()
        assert page.locator("li.me").nth(4).inner_text() == "<img src=x onerror=alert(1)>"
        assert page.locator("li img").count() == 0
        shot = Path(os.environ.get("FAQBOT_SCREENSHOT_DIR", tmp_path)) / "chat-page.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 10_000
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_after_a_restart_the_page_starts_a_new_conversation_and_answers(browser_page) -> None:  # type: ignore[no-untyped-def]  # noqa: E501
    page = browser_page
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "FAQBOT_SERVE_KEY"}   # each start makes its own key
    server = _start(port, env)
    try:
        page.goto(f"http://127.0.0.1:{port}/")
        page.fill("#question", "what is an llm")
        page.keyboard.press("Enter")
        page.locator("li.bot").first.wait_for()
        server.terminate()
        server.wait(timeout=30)
        server = _start(port, env)   # the page's context was signed with the old key
        page.fill("#question", "what is generative ai")
        page.keyboard.press("Enter")
        page.locator("li.note").wait_for()
        answer = page.locator("li.bot:not(.note)").nth(1)
        answer.wait_for()
        assert "new conversation" in page.locator("li.note").inner_text()
        assert page.locator("li.error").count() == 0
        assert "What Is Generative AI?" in answer.locator(".citations button").first.inner_text()
    finally:
        server.terminate()
        server.wait(timeout=30)

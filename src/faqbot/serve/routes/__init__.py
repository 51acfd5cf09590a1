"""The HTTP routes, one APIRouter module per concern; each is made for one ``Service``."""

from __future__ import annotations

from dataclasses import dataclass

from faqbot.answerer import Answerer
from faqbot.serve.settings import Settings


@dataclass(frozen=True, slots=True)
class Service:
    """What every route works with: the answerer (shared read-only), the server's settings and the name
    of this index build (a signed context made for another build means nothing here)."""

    answerer: Answerer
    settings: Settings
    version: str

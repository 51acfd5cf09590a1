"""The conversation: what it remembers between turns (``context``), what a short reply to an offer
means (``replies``), and the ``Session`` that applies those rules turn by turn."""

from faqbot.dialogue.context import POINTERS, PRONOUNS, Context, Topic, leans_on_context, remember
from faqbot.dialogue.session import WRONG, Session

__all__ = ["POINTERS", "PRONOUNS", "WRONG", "Context", "Session", "Topic", "leans_on_context", "remember"]

"""Deprecated home of the conversation (until 0.3.0): it moved to ``faqbot.dialogue``."""

from faqbot.dialogue import POINTERS, PRONOUNS, WRONG, Context, Session, Topic, leans_on_context, remember

__all__ = ["POINTERS", "PRONOUNS", "WRONG", "Context", "Session", "Topic", "leans_on_context", "remember"]

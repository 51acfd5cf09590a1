"""What a line typed in the chat does: a question for the session, or a /command. Pure: returns text."""

from __future__ import annotations

from dataclasses import dataclass

from faqbot.cli import render
from faqbot.dialogue import Session
from faqbot.models import Answer

COMMANDS = {
    "/help": "show this help",
    "/sources N": "the full text of citation N of the last answer, with its line numbers",
    "/explain": "why the last answer was chosen (candidates and their scores)",
    "/reset": "forget the conversation (follow-ups start afresh)",
    "/quit": "leave (so do exit, quit, :q and Ctrl-D)",
}
LEAVE = frozenset({"exit", "quit", ":q", ":q!", ":wq", "\\q"})
"""Typed alone, these end the chat (as in psql and pgcli), rather than being asked as questions."""


@dataclass(slots=True)
class ChatState:
    """The chat's only mutable state: the conversation and the last answer shown."""

    session: Session
    paint: render.Painter
    last: Answer | None = None
    width: int | None = None   # wrap output to this many columns (the terminal's), or not at all


@dataclass(frozen=True, slots=True)
class Reply:
    text: str
    quit: bool = False
    answer: Answer | None = None
    command: str | None = None


def dispatch(line: str, state: ChatState, examples: list[str]) -> Reply:
    """Run one line of input: a /command or a question. Returns what to show."""
    text = line.strip()
    if not text:
        return Reply("")
    if text.lower() in LEAVE:
        return Reply("", quit=True, command="quit")
    if text.startswith("/"):
        return _command(text, state, examples)
    answer = state.session.ask(text)
    state.last = answer
    return Reply(render.answer_text(answer, state.paint, width=state.width), answer=answer)


def _command(text: str, state: ChatState, examples: list[str]) -> Reply:
    name, _, argument = text.partition(" ")
    name = name.lower()
    if name in ("/quit", "/exit", "/q"):
        return Reply("", quit=True, command="quit")
    if name in ("/help", "/?"):
        return Reply(help_text(state.paint, examples), command="help")
    if name == "/reset":
        state.session.reset()
        state.last = None
        return Reply(state.paint("Conversation forgotten: the next question starts afresh.", "dim"), command="reset")
    if name == "/explain":
        if state.last is None:
            return Reply("Nothing to explain yet: ask a question first.", command="explain")
        return Reply(render.explain_text(state.last, state.paint), command="explain")
    if name == "/sources":
        return Reply(_sources(argument.strip(), state), command="sources")
    known = ", ".join(c.split()[0] for c in COMMANDS)
    return Reply(f"Unknown command {render.safe(name)!s}. Commands: {known} (/help explains them).", command="unknown")


def _sources(argument: str, state: ChatState) -> str:
    answer = state.last
    if answer is None:
        return "No citations to show yet: ask a question first."
    if not answer.citations:
        return "No citations to show: the last reply was not an answer from the article."
    count = len(answer.citations)
    if not argument:
        return "\n\n".join(render.full_citation(n, c, state.paint, state.width)
                             for n, c in enumerate(answer.citations, 1))
    if not (argument.isascii() and argument.isdigit()) or not 1 <= int(argument) <= count:
        return f"There is no citation {render.safe(argument)}: the last answer has {count} (try /sources 1)."
    n = int(argument)
    return render.full_citation(n, answer.citations[n - 1], state.paint, state.width)


def help_text(paint: render.Painter, examples: list[str]) -> str:
    lines = [paint("Ask a question in your own words. Follow-ups (\"and music?\", \"who makes it?\") use the "
                   "conversation so far; answer an offer with \"yes\", \"no\" or an option's number. exit, quit or :q "
                   "leaves.", "dim"), ""]
    lines += [f"  {paint(cmd, 'cyan'):<24} {what}" if paint.color else f"  {cmd:<12} {what}"
              for cmd, what in COMMANDS.items()]
    if examples:
        lines += ["", paint("Try:", "bold"), *(f"  • {render.safe(q)}" for q in examples)]
    return "\n".join(lines)

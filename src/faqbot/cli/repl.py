"""`faqbot chat`: the prompt_toolkit loop on a terminal, one question per line when piped.

The loop only reads, dispatches (``faqbot.cli.commands``) and prints. Ctrl-C clears the line,
Ctrl-D or /quit leaves; nothing in here knows how answers are made.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from faqbot.answerer import Answerer
from faqbot.cli import render
from faqbot.cli.commands import COMMANDS, ChatState, Reply, dispatch
from faqbot.config import env_off
from faqbot.corpus.files import state_dir
from faqbot.language.text import strip_controls
from faqbot.models import Answer

Write = Callable[[str], None]

if TYPE_CHECKING:
    from prompt_toolkit import PromptSession
    from prompt_toolkit.history import History
    from prompt_toolkit.input import Input
    from prompt_toolkit.key_binding import KeyBindings
    from prompt_toolkit.output import Output


def history_path() -> Path:
    """``$FAQBOT_HISTORY``, else ``$XDG_STATE_HOME/faqbot/history`` (``~/.local/state/faqbot/history``)."""
    override = os.environ.get("FAQBOT_HISTORY")
    if override:
        return Path(override).expanduser()
    return Path(state_dir()) / "history"


def history_enabled() -> bool:
    """False when ``$FAQBOT_HISTORY`` is ``off`` (or ``0``, ``no``, ``none``): nothing typed is kept."""
    return not env_off("FAQBOT_HISTORY")


def open_history(path: Path) -> tuple[History, str]:
    """(a prompt_toolkit History, a warning or ""): the file when it can be used, else in memory."""
    from prompt_toolkit.history import FileHistory, InMemoryHistory

    from faqbot.storage.statefiles import append_private, open_private, private_folder, read_private

    class SafeFileHistory(FileHistory):
        """prompt_toolkit's history file, read and written as a private, bounded state file: never
        through a symlink or into a FIFO, without control characters or escape sequences."""

        def load_history_strings(self) -> Iterable[str]:
            strings: list[str] = []
            lines: list[str] = []
            for line in read_private(str(path)).decode("utf-8", errors="replace").splitlines(keepends=True):
                if line.startswith("+"):
                    lines.append(line[1:])
                elif lines:
                    strings.append("".join(lines)[:-1])
                    lines = []
            if lines:
                strings.append("".join(lines)[:-1])
            return reversed(strings)

        def store_string(self, string: str) -> None:
            text = "\n# entry\n" + "".join(f"+{line}\n" for line in strip_controls(string).split("\n"))
            append_private(str(path), text.encode("utf-8", errors="replace"))

    try:
        private_folder(str(path.parent))
        os.close(open_private(str(path), os.O_WRONLY | os.O_CREAT | os.O_APPEND))
        return SafeFileHistory(str(path)), ""
    except OSError as exc:
        return InMemoryHistory(), f"History is kept in memory only: cannot write {path} ({exc.strerror or exc})."


def welcome_text(answerer: Answerer, paint: render.Painter, width: int | None = None) -> str:
    from faqbot.version import __version__

    corpus = answerer.corpus
    about = (f"{len(corpus.entries)} curated answers, {len(corpus.passages)} passages. Ask in your own words: every "
             "answer cites the lines it comes from. /help for commands, Ctrl-D to leave.")
    title = paint(render.safe(answerer.title), "bold")
    lines = [f"{paint('faqbot', 'bold', 'cyan')} {__version__} — answers from {title}",
             paint(render.wrap(about, width), "dim")]
    if answerer.examples:
        lines += [paint("Try:", "bold"), *(f"  • {render.safe(q)}" for q in answerer.examples[:3])]
    return "\n".join(lines)


def build_prompt_session(answerer: Answerer, history: History, *, input: Input | None = None,   # noqa: A002
                         output: Output | None = None) -> PromptSession[str]:
    """The PromptSession: history, auto-suggestion, fuzzy completion, a bottom toolbar (*input* and
    *output* replace the terminal, as tests do)."""
    from prompt_toolkit import PromptSession
    from prompt_toolkit.auto_suggest import AutoSuggestFromHistory
    from prompt_toolkit.styles import Style

    from faqbot.cli.completer import QuestionCompleter

    commands = [c.split()[0] for c in COMMANDS] + ["/exit"]
    style = Style.from_dict({"prompt": "ansicyan bold", "bottom-toolbar": "noreverse ansibrightblack"})
    title = render.safe(answerer.title)
    return PromptSession(
        history=history,
        key_bindings=_ignore_mouse_reports(),
        auto_suggest=AutoSuggestFromHistory(),
        completer=QuestionCompleter(answerer.questions, commands),
        complete_while_typing=False,
        style=style,
        bottom_toolbar=lambda: f" faqbot · {title} · Tab completes · /help · Ctrl-D quits",
        input=input,
        output=output,
    )


def _ignore_mouse_reports() -> KeyBindings:
    """The chat has no mouse support, yet typed text such as "ESC[31m" parses as a mouse report that
    prompt_toolkit's own handler cannot read (it stops the prompt): such reports are ignored."""
    from prompt_toolkit.key_binding import KeyBindings
    from prompt_toolkit.keys import Keys

    bindings = KeyBindings()

    @bindings.add(Keys.Vt100MouseEvent)
    def _(event: Any) -> None:
        return None

    return bindings


def run_repl(answerer: Answerer, *, prompt_session: PromptSession[str] | None = None,
             write: Write | None = None, record: Callable[[Answer], None] | None = None) -> None:
    """The interactive loop. Ctrl-C clears the line; Ctrl-D or /quit leaves. *record*, when given,
    is handed every answer (the unanswered log keeps the declined and clarified ones)."""
    from prompt_toolkit import print_formatted_text
    from prompt_toolkit.formatted_text import ANSI
    from prompt_toolkit.history import InMemoryHistory

    color = render.use_color(sys.stdout)
    out = write or (lambda text: print_formatted_text(ANSI(text)))
    state = ChatState(answerer.session(), render.Painter(color), width=_terminal_width())
    if prompt_session is None:
        history, warning = open_history(history_path()) if history_enabled() else (InMemoryHistory(), "")
        if warning:
            out(state.paint(warning, "yellow"))
        prompt_session = build_prompt_session(answerer, history)
    out(welcome_text(answerer, state.paint, state.width))
    while True:
        try:
            line = prompt_session.prompt([("class:prompt", "faqbot> ")])
        except KeyboardInterrupt:
            continue
        except EOFError:
            break
        state.width = _terminal_width()
        reply = dispatch(line, state, answerer.examples)
        if record is not None and reply.answer is not None:
            record(reply.answer)
        if reply.text:
            out(reply.text + "\n")
        if reply.quit:
            break


def _terminal_width() -> int:
    """Columns to wrap to: the terminal's (read once; a resize applies from the next answer on)."""
    import shutil

    return max(40, min(shutil.get_terminal_size((100, 24)).columns - 1, 110))


def run_lines(answerer: Answerer, stdin: IO[str], stdout: IO[str], *, json_lines: bool = False,
              stderr: IO[str] | None = None, record: Callable[[Answer], None] | None = None) -> None:
    """Piped chat: one question per line, one answer per turn (JSON Lines with *json_lines*; then
    notices such as a shortened question go to *stderr*, keeping stdout pure JSON)."""
    state = ChatState(answerer.session(), render.Painter(False))
    for raw in _lines(stdin):
        line = raw.strip()
        if not line:
            continue
        reply = dispatch(line, state, answerer.examples)
        if record is not None and reply.answer is not None:
            record(reply.answer)
        stdout.write(_format(reply, json_lines) + "\n")
        stdout.flush()
        if json_lines and reply.answer is not None and reply.answer.notice:
            print(f"faqbot: {render.safe(reply.answer.notice)}", file=stderr or sys.stderr)
        if reply.quit:
            break


def _lines(stdin: IO[str]) -> Iterator[str]:
    """Lines of stdin; invalid UTF-8 becomes U+FFFD rather than an error."""
    buffer = getattr(stdin, "buffer", None)
    if buffer is None:
        yield from stdin
        return
    for raw in buffer:
        yield raw.decode("utf-8", errors="replace")


def _format(reply: Reply, json_lines: bool) -> str:
    if not json_lines:
        return reply.text + ("\n" if reply.text else "")
    if reply.answer is not None:
        return render.to_json(reply.answer.to_dict())
    return render.to_json({"command": reply.command, "text": reply.text})


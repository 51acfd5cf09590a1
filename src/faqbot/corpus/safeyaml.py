"""The one way faqbot reads YAML: safe constructors only, parsed once, and refused when its aliases
would expand it past a budget (a 357-byte file of nested aliases can stand for billions of values).
A bad value is quoted in an error message by ``faqbot.errors.describe``."""

from __future__ import annotations

from typing import Any

from faqbot.config import env_number

DEFAULT_MAX_VALUES = 1_000_000   # scalars a YAML file may expand to, aliases counted each time used


def max_values() -> int:
    """``$FAQBOT_YAML_MAX_VALUES`` (a user's setting: a corpus cannot raise its own limit), else 1,000,000."""
    return env_number("FAQBOT_YAML_MAX_VALUES", DEFAULT_MAX_VALUES)


def problem_of(exc: Exception, text: str) -> tuple[str, int | None]:
    """(what is wrong, its 1-based line or None) for a ``yaml.YAMLError`` raised while reading *text*:
    the one translation of PyYAML's errors into words an author can act on."""
    import yaml

    if isinstance(exc, yaml.reader.ReaderError):   # a character YAML forbids, e.g. a raw escape (ESC)
        return (f"holds a character YAML does not allow (U+{exc.character:04X}); remove it",
                text[: exc.position].count("\n") + 1)
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or "could not be parsed"
    return f"not valid YAML ({problem}); check indentation and quoting", None if mark is None else mark.line + 1


class TooLarge(ValueError):
    """The document expands past the budget."""


def load(text: str, limit: int | None = None) -> tuple[Any, Any]:
    """(data, node tree) of one YAML document (None, None when empty). yaml.YAMLError when it is not
    valid YAML, TooLarge when it expands past *limit* values (default ``max_values()``)."""
    import yaml

    node = yaml.compose(text, Loader=yaml.SafeLoader)
    if node is None:
        return None, None
    budget = max_values() if limit is None else limit
    if _expanded_size(node, budget) > budget:
        raise TooLarge(f"expands to more than {budget:,} values (YAML aliases reused too often?); "
                       "FAQBOT_YAML_MAX_VALUES raises the limit")
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_document(node), node
    finally:
        loader.dispose()


def _expanded_size(root: Any, budget: int) -> int:
    """How many scalars the node tree stands for once every alias is expanded (stops past *budget*).
    Aliases are shared node objects in a composed tree: each node's size is computed once."""
    sizes: dict[int, int] = {}
    started: set[int] = set()
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if id(node) in sizes:
            continue
        value = node.value
        if isinstance(value, str):
            sizes[id(node)] = 1
            continue
        children = [c for pair in value for c in (pair if isinstance(pair, tuple) else (pair,))]
        if not children_done:
            if id(node) in started:   # a node inside itself (a recursive alias): endless
                return budget + 1
            started.add(id(node))
            stack.append((node, True))
            stack.extend((c, False) for c in children if id(c) not in sizes)
            continue
        sizes[id(node)] = min(budget + 1, 1 + sum(sizes.get(id(c), budget + 1) for c in children))
    return sizes[id(root)]

"""What a question asks for, and whether a text has it: the focus check.

"How many parameters does GPT-4.5 have?" asks for a count; an answer about GPT-4.5 that states no
count does not answer it, however well its words match. The fact types are found by small patterns
(no model can be downloaded): dates, amounts of money, counts and sizes first, then versions, and
persons or companies and places by heuristics. A question with none of them asks for a description
or a yes/no, which any matching answer can give.

Used identically on corpus texts at build time (``facts_in``) and on questions (``focus_of``).
"""

from __future__ import annotations

import re
from collections.abc import Callable

FACTS: tuple[str, ...] = ("date", "money", "count", "person", "place", "version")
"""The fact types a question can ask for, in the order of their bit in ``facts_in``'s mask."""

_BIT = {name: 1 << i for i, name in enumerate(FACTS)}
DECISIVE: frozenset[str] = frozenset({"date", "money", "count", "place"})
"""Fact types found reliably enough that an answer lacking the one asked for is never given."""

# Questions. Each is tried on the normalised (lower-case) question; the first that matches wins.
_ASKS = (
    ("money", r"\b(?:cost|costs|price|prices|priced|pricing|expensive|cheap|cheaper|fee|fees|subscription|"
              r"(?:is|are) (?:\w+ ){1,4}free|free (?:to use|version|plan|tier)|pay for|"
              r"how much (?:is|are|does|do|would|will|did)(?! it (?:help|matter|improve|change)))\b"),
    ("date", r"\b(?:when (?:was|were|did|will|is it coming|are they coming)|what year|which year|what date|"
             r"release date|launch date|since when|how old|in which year|what month|which month)\b"),
    ("count", r"\b(?:how many|how big|how large|how long (?:is|are|can|do|does)|"
              r"how much (?:data|memory|context|text)|number of|"
              r"size of|parameter count|how many parameters)\b"),
    ("place", r"\b(?:where (?:is|are|was|were) (?:\w+ ){0,4}(?:based|located|headquartered|made|from|built)|"
              r"which country|what country|which city|what city|headquarters|headquartered)\b"),
    ("person", r"\b(?:who (?:is|was|are|were) (?:the )?(?:ceo|founder|founders|inventor|creator|head|boss|author)|"
               r"who (?:founded|invented|created|owns|runs|leads|funds|built|designed|wrote|trained|made|makes|"
               r"developed|develops|started)|founder of|ceo of|which company|what company|who is behind)\b"),
    ("version", r"\b(?:which version|what version|latest version|newest version|current version|version number)\b"),
)
# A question can only ask for a fact type when it has one of its words: most questions skip every
# pattern (and a one-shot `ask` never compiles them).
_TRIGGERS = {
    "money": frozenset("cost costs price prices priced pricing expensive cheap cheaper fee fees subscription free "
                       "pay much".split()),
    "date": frozenset("when year date since old month".split()),
    "count": frozenset("many big large long much number size parameter parameters".split()),
    "place": frozenset("where country city headquarters headquartered".split()),
    "person": frozenset("who founder ceo company".split()),
    "version": frozenset(["version"]),
}
_ASK_PATTERNS: dict[str, re.Pattern[str]] = {}

# Corpus texts (original case: names are capitalised).
_NUMBER_WORDS = ("two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|"
                 "seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|"
                 "a dozen|several")
_MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
_NOT_MAKERS = "It|Here|That|There|What|Let|This|He|She|Who|Where|When|How|Today|Everyone|One|Which|Why"
_MAKER = rf"(?=[A-Z])(?!(?:{_NOT_MAKERS})\b)[A-Z][a-zA-Z]+"   # a proper name: "Google", never "It" of "It's"
_DIGIT = re.compile(r"\d")


def _any_of(keys: tuple[str, ...]) -> Callable[[str], bool]:
    return lambda text: any(key in text for key in keys)


def _has_digit(text: str) -> bool:
    return _DIGIT.search(text) is not None


_COUNT_WORDS = (*_NUMBER_WORDS.replace("a dozen", "dozen").split("|"), "millions", "billions", "trillions",
                "thousands", "hundreds", "dozens")


def _has_count_word(text: str) -> bool:
    """Whether *text* has a word of the case-insensitive count pattern (lower-casing is exact for ASCII only)."""
    if not text.isascii():
        return True
    lower = text.lower()
    return any(word in lower for word in _COUNT_WORDS)


# Corpus texts: (fact, a cheap test without which the pattern cannot match, the pattern). A fact may
# have several patterns; most of a large corpus's texts skip the slow ones on the cheap test.
_HAS: tuple[tuple[str, Callable[[str], bool] | None, str], ...] = (
    ("date", None, rf"\b(?:1[89]\d\d|20\d\d)\b|\b(?:{_MONTHS})\b|\b(?:yesterday|last year|this year|next year)\b"),
    ("money", _any_of(("$", "€", "£", "¥", "dollars", "usd", "euro", "cents", "free of charge", "free tier",
                       "free plan", "per month", "a month", "per year", "pricing", "subscription fee")),
     r"[$€£¥]\s?\d|\b\d[\d,.]*\s?(?:dollars|usd|euros?|cents)\b|\b(?:free of charge|free tier|"
     r"free plan|per month|a month|per year|pricing|subscription fee)\b"),
    # A number that counts something ("29 languages", "72 billion parameters"), not a name ("GPT-4.5",
    # "Claude 3 Opus", "Llama 4"): not glued to a word, not after a capitalised word, a lower-case word next.
    ("count", _has_digit,
     r"(?=\d)(?<![\w.\-])(?<![A-Z][a-z]\s)(?<![A-Z][a-z]{2}\s)(?<![A-Z][a-z]{3}\s)(?<![A-Z][a-z]{4}\s)"
     r"(?:\d[\d,.]*\s?(?:%|k|m|b)?|\d+\+?)\s+(?:\(|million|billion|trillion|thousand|[a-z]{3,})"
     r"|\b\d+(?:\.\d+)?[BMK]\b"),
    ("count", _has_count_word,   # "Four configure options" opens a sentence
     rf"\b(?:millions|billions|trillions|thousands|hundreds|dozens) of\b|\b(?i:{_NUMBER_WORDS})\s+[a-z]{{3,}}"),
    ("version", _has_digit, r"\b[A-Za-z][\w]*[\s\-]?v?\d+(?:\.\d+)+\b|\bv\d+\b|\b[A-Z][\w]*[\s\-]\d{1,2}\b"),
    # Who made or owns something: "by Adobe", "from Google", "Meta's", "GPT-4.5 (OpenAI)".
    ("person", None, rf"\b(?:by|from) (?:the )?{_MAKER}|\b{_MAKER}(?:'s|\u2019s)\b|\({_MAKER}\)"),
    ("place", _any_of(("based in", "located in", "headquartered in", "headquarters", "country", "countries",
                       "city", "cities")),
     r"\b(?:based in|located in|headquartered in|headquarters|country|countries|city|cities)\b"),
)
_HAS_PATTERNS: list[tuple[int, Callable[[str], bool] | None, re.Pattern[str]]] | None = None


def focus_of(normalized_question: str) -> str:
    """The fact type a (normalised) question asks for, or "" for a description or a yes/no.

    >>> focus_of("how many parameters does gpt 4.5 have?")
    'count'
    >>> focus_of("when should i use an llm?")
    ''
    """
    words = set(re.findall(r"[a-z]+", normalized_question))
    for name, pattern in _ASKS:
        if _TRIGGERS[name].isdisjoint(words):
            continue
        compiled = _ASK_PATTERNS.get(name) or _ASK_PATTERNS.setdefault(name, re.compile(pattern))
        if compiled.search(normalized_question):
            return name
    return ""


def facts_in(text: str) -> int:
    """A bit mask (see ``FACTS``) of the fact types *text* states.

    >>> [name for name in FACTS if facts_in("Qwen2.5 supports 29 languages, released in 2025.") & mask(name)]
    ['date', 'count', 'version']
    >>> [name for name in FACTS if facts_in("Four configure options are available.") & mask(name)]
    ['count']
    """
    global _HAS_PATTERNS
    if _HAS_PATTERNS is None:
        _HAS_PATTERNS = [(_BIT[fact], test, re.compile(pattern)) for fact, test, pattern in _HAS]
    found = 0
    for bit, test, pattern in _HAS_PATTERNS:
        if not found & bit and (test is None or test(text)) and pattern.search(text):
            found |= bit
    return found


def mask(fact: str) -> int:
    """The bit of one fact type (0 for "")."""
    return _BIT.get(fact, 0)


def lacks(focus: str, facts: int) -> bool:
    """True when a question asking for *focus* meets evidence whose fact mask *facts* has none of it."""
    return bool(focus) and not facts & _BIT[focus]


def states_maker(text: str, thing: str) -> bool:
    """Whether *text* names who makes *thing* (a word of a name, any case), next to it: "Apple's
    OpenELM", "Gemini 1.5 – Google's LLMs", "Qwen2.5 (Alibaba)", "Codex by OpenAI". A maker elsewhere
    in the sentence is another thing's ("Phi-2, and Apple's OpenELM" names no maker of Phi-2).

    >>> states_maker("Gemini 1.5 \u2013 Google's LLMs designed for longer context.", "gemini")
    True
    >>> states_maker("such as Mistral 7B, Phi-2, and Apple's OpenELM", "phi")
    False
    >>> states_maker("ChatGPT is both. It's an LLM.", "chatgpt")
    False
    """
    possessive = rf"({_MAKER})(?:'s|\u2019s)"
    before = re.compile(possessive + r"\s+$")
    after = re.compile(rf"^[^,;]*?(?:\b(?:by|from|is|are)\s+(?:the\s+)?{_MAKER}\b|\(({_MAKER})\)"
                       rf"|[\u2013\u2014-]\s*{possessive})")
    for found in re.finditer(rf"(?<![\w-]){re.escape(thing)}", text, re.IGNORECASE):
        head, tail = text[max(0, found.start() - 40):found.start()], text[found.end():]
        tail = re.split(r"\.\s|[,;]", tail, maxsplit=1)[0]
        maker = before.search(head) or after.search(tail)
        if maker is not None and thing.casefold() not in maker.group(0).casefold():
            return True
    return False

"""Text normalisation, used identically when the index is built and when a question arrives.

The pipeline is: ``normalize`` (Unicode, case, quotes) → ``tokenize`` → (query only: spelling
correction against the corpus vocabulary) → ``Aliases.apply`` → content words → stems. The
TF-IDF analysers, ``word_features`` and ``char_features``, start from the content words (the
"wording" signal applies ``word_features`` to the stems of every word), and a question and a corpus
text always go through the same steps.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

# Patterns kept as text are compiled on first use (re caches them): a one-shot `faqbot ask --json`
# without control characters, accents or quotes to render never pays for compiling them.
# Escape sequences (CSI, OSC, DCS and other ESC forms, 7- and 8-bit) and C0/C1 controls mean nothing to us.
_ANSI = (r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]|(?:\x1b\]|\x9d)[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
         r"|\x1b[PX^_][^\x1b\x9c]*(?:\x1b\\|\x9c)?|\x1b[ -/]*[0-~]")
_CONTROL = r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]"
_UNSAFE = re.compile(rf"\t|{_CONTROL}")   # the controls, and tabs too
_TOKEN = re.compile(r"[^\W_]+(?:\.\d+)*")
# "gpt4" → "gpt 4" and "qwen2.5" → "qwen 2.5", but "3d", "o3", "7b" and "v6" stay whole.
_WORD_NUMBER = r"(?<=[^\W\d_]{3})(?=\d)|(?<=\d)(?=[^\W\d_]{3})"
_TYPOGRAPHIC = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"',
                              "\u2013": "-", "\u2014": "-", "\u00b7": " "})
# A closing quote or bracket stays with its sentence.
_SENTENCE_END = r"(?:(?<=[.!?])|(?<=[.!?][\"”’)]))\s+(?=[\"“(A-Z0-9])"
_MARKS = "[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]"   # combining accents
_LIST_MARKER = r"^\s*(?:[-*+]|\d+[.)])\s+"

FUNCTION_WORDS: frozenset[str] = frozenset("""
a about above after again against all am an and any are aren as at be because been before being
below between both but by can cannot could couldn d did didn do does doesn doing don down during
each few for from further had hadn has hasn have haven having he her here hers herself him himself
his how i if in into is isn it its itself just ll m me might more most must mustn my myself no nor
not now o of off on once only or other our ours ourselves out over own re s same shan she should
shouldn so some such t than that the their theirs them themselves then there these they this those
through to too under until up ve very was wasn we were weren what when where which while who whom
why will with won would wouldn y you your yours yourself yourselves vs versus
""".split())
"""English function words. Fixed: passage ids are made from headings without them."""

FILLERS: frozenset[str] = frozenset("""
also anything article something tell explain know please give show say mean means meant want
wanna gonna get got thing things kind sort etc hi hey hello ok okay thanks thank
whats whos hows wheres whens whys thats theres im ive id dont doesnt isnt arent cant wont youre
wat wut wht lol lmao pls plz tho anyway anyways honestly actually basically really just like stuff
kinda sorta ya yeah yes yep nope hmm um uh wait well guys dude bro maybe quick quickly simply
exactly one ones even question questions wondering curious need needs guess think us someone
somebody anyone anybody everyone everybody please thx many much
""".split())
"""What people wrap questions in ("tell me", "please", "lol"): never the topic of a question."""

MEANINGFUL = frozenset({"all", "same", "both", "only"})
"""Function words that change what a question asks ("are ALL LLMs generative AI?"): kept as content."""

STOPWORDS: frozenset[str] = (FUNCTION_WORDS - MEANINGFUL) | FILLERS


def strip_controls(text: str) -> str:
    """Remove escape sequences and control characters, keeping newlines and tabs as spaces."""
    if _UNSAFE.search(text) is None:
        return text   # the common case: nothing to remove, one scan
    return re.sub(_CONTROL, "", re.sub(_ANSI, "", text.replace("\t", " ").replace("\r", " ")))


def normalize(text: str) -> str:
    """Fold Unicode compatibility forms, accents, typographic quotes and case.

    >>> normalize("  Is ChatGPT an “LLM”?  ")
    'is chatgpt an "llm"?'
    >>> normalize("Café DALL·E")
    'cafe dall e'
    """
    text = strip_controls(text).translate(_TYPOGRAPHIC)
    if not text.isascii():   # plain ASCII needs no Unicode folding (the common case, and much faster)
        text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text).translate(_TYPOGRAPHIC))
        text = re.sub(_MARKS, "", text)
    return " ".join(text.casefold().split())


def tokenize(text: str) -> list[str]:
    """Lower-case word and number tokens; decimals such as 4.5 stay whole, a word and a number split.

    >>> tokenize("GPT-4.5 and Qwen2.5, 3D, o3 or gpt4!")
    ['gpt', '4.5', 'and', 'qwen', '2.5', '3d', 'o3', 'or', 'gpt', '4']
    """
    return tokens_of(normalize(text))


def tokens_of(normalized: str) -> list[str]:
    """Tokens of text that is already normalized (see ``tokenize``)."""
    return [part for token in _TOKEN.findall(normalized)
            for part in ((token,) if token.isalpha() or token.isdigit() else re.split(_WORD_NUMBER, token))]


class Aliases:
    """Rewrites variant phrasings to one canonical form ("large language models" → "llm")."""

    def __init__(self, rules: Iterable[tuple[Sequence[str], Sequence[str]]]) -> None:
        """*rules*: (variant tokens, canonical tokens) pairs; see ``from_phrases`` for text."""
        by_first: dict[str, list[tuple[tuple[str, ...], tuple[str, ...]]]] = {}
        for variant, canonical in rules:
            seq, repl = tuple(variant), tuple(canonical)
            if seq and seq != repl:
                by_first.setdefault(seq[0], []).append((seq, repl))
        for options in by_first.values():
            options.sort(key=lambda option: -len(option[0]))   # longest phrase wins
        self._by_first = by_first

    @classmethod
    def from_phrases(cls, pairs: Iterable[tuple[str, str]]) -> Aliases:
        """Aliases from (variant, canonical) texts, tokenised like everything else."""
        return cls((tokenize(variant), tokenize(canonical)) for variant, canonical in pairs)

    @property
    def rules(self) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
        """Every (variant tokens, canonical tokens) rule, for saving in the index cache."""
        return [rule for options in self._by_first.values() for rule in options]

    def apply(self, tokens: Sequence[str]) -> list[str]:
        """The tokens with every alias phrase replaced by its canonical tokens, left to right.

        >>> rules = Aliases.from_phrases([("large language models", "llm")])
        >>> rules.apply(["what", "are", "large", "language", "models"])
        ['what', 'are', 'llm']
        """
        if self._by_first.keys().isdisjoint(tokens):
            return list(tokens)   # the common case: nothing to rewrite
        out: list[str] = []
        i = 0
        while i < len(tokens):
            for seq, repl in self._by_first.get(tokens[i], ()):
                if tuple(tokens[i:i + len(seq)]) == seq:
                    out.extend(repl)
                    i += len(seq)
                    break
            else:
                out.append(tokens[i])
                i += 1
        return out

    @property
    def words(self) -> set[str]:
        """Every token that appears in a variant or a canonical form."""
        found: set[str] = set()
        for options in self._by_first.values():
            for seq, repl in options:
                found.update(seq)
                found.update(repl)
        return found


def content_words(tokens: Iterable[str]) -> list[str]:
    """The tokens that carry meaning: stopwords and fillers removed."""
    return [t for t in tokens if t not in STOPWORDS]


_PAIRED_KINDS = {"many": "?how-many", "much": "?how-much", "long": "?how-long", "old": "?how-old"}
_SINGLE_KINDS = {"why": "?why", "where": "?where", "who": "?who", "whom": "?who", "when": "?when"}


def question_kinds(tokens: Sequence[str]) -> list[str]:
    """What kind of question the words make ("how many" → "?how-many", "why" → "?why"), as word features.

    Stopwords carry these, yet "How many cases are there?" and "How can I protect myself?" ask different
    things: a question and a phrasing asking the same kind match on it.

    >>> question_kinds(["how", "many", "people", "died", "and", "why"])
    ['?how-many', '?why']
    """
    kinds: list[str] = []
    for i, token in enumerate(tokens):
        kind = _SINGLE_KINDS.get(token)
        if token == "how":
            following = tokens[i + 1] if i + 1 < len(tokens) else ""
            kind = _PAIRED_KINDS.get(following, "?how")
        if kind and kind not in kinds:
            kinds.append(kind)
    return kinds


def word_features(stems: Sequence[str]) -> list[str]:
    """Unigrams and adjacent bigrams of stemmed content words: the word-level TF-IDF analyser.

    >>> word_features(["gpt", "4.5", "languag"])
    ['gpt', '4.5', 'languag', 'gpt 4.5', '4.5 languag']
    """
    return [*stems, *map(" ".join, zip(stems, stems[1:], strict=False))]


def char_features(words: Sequence[str], min_n: int = 3, max_n: int = 5) -> list[str]:
    """Character n-grams inside word boundaries (like scikit-learn's ``char_wb``): survives typos.

    >>> char_features(["llm"], 3, 4)
    [' ll', 'llm', 'lm ', ' llm', 'llm ']
    """
    grams: list[str] = []
    for word in words:
        padded = f" {word} "
        size = len(padded)
        for n in range(min_n, min(max_n, size) + 1):
            grams += [padded[i:i + n] for i in range(size - n + 1)]
    return grams


def split_sentences(text: str) -> list[str]:
    """Plain-text sentences of a Markdown paragraph or list: one list item never joins another.

    >>> split_sentences("- GPT-4.5: Released in 2025. It supports 15 languages.\\n- o3: Reasons.")
    ['GPT-4.5: Released in 2025.', 'It supports 15 languages.', 'o3: Reasons.']
    """
    sentences: list[str] = []
    for line in _items(text):
        if "\n" in line:   # a code block or table: one sentence, its lines kept
            sentences.append(line)
        else:
            sentences.extend(s.strip() for s in re.split(_SENTENCE_END, as_read(line)) if s.strip())
    return sentences


_LINK = re.compile(r"!?\[([^\]]*)\](?:\([^)]*\)|\[[^\]]*\])")   # [text](url), [text][ref], [text][], ![alt](src)
_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")


def as_read(line: str) -> str:
    """A line of Markdown prose as a reader sees it: a link is its text, strong emphasis its words.

    >>> as_read("See the [guide](https://example.org/g) and [nodejs/node][] **now**.")
    'See the guide and nodejs/node now.'
    """
    return _STRONG.sub(r"\2", _LINK.sub(r"\1", line))


_INLINE = re.compile(r"`+([^`]*)`+|(?<!\w)([*_])(?=\S)(.+?)(?<=\S)\2(?!\w)")


def heading_as_read(heading: str) -> str:
    """A heading as a reader sees it: inline code, emphasis, links and strong emphasis as their words.

    >>> heading_as_read("Why have `Cargo.lock` in *version* control?")
    'Why have Cargo.lock in version control?'
    """
    return _INLINE.sub(lambda m: m.group(1) if m.group(1) is not None else m.group(3), as_read(heading))


_FENCE = re.compile(r"\s{0,3}(```|~~~)")


def is_code(sentence: str) -> bool:
    """Whether a sentence of a passage (see ``split_sentences``) is a fenced code block."""
    return bool(_FENCE.match(sentence))


def is_quote(sentence: str) -> bool:
    """Whether a sentence of a passage is a block quote."""
    return sentence.lstrip().startswith(">")


def _items(text: str) -> list[str]:
    """Paragraph text and list items as single lines, markers removed; a fenced code block or a table
    as one item that keeps its lines (the only items with a newline)."""
    items: list[list[str]] = []   # each item's lines, joined once at the end (linear in the text)
    verbatim: list[bool] = []     # per item: code or table, joined by newlines
    boundary, fence, table = True, "", False
    for raw in text.splitlines():
        bare = re.sub(_LIST_MARKER, "", raw).strip()
        if fence:   # inside a fenced code block, until its closing fence
            items[-1].append(raw)
            if bare.startswith(fence) and not bare.strip(fence[0]):
                fence, boundary = "", True
            continue
        opener = re.match(r"`{3,}|~{3,}", bare)
        if table and bare.startswith("|"):
            items[-1].append(raw)
            continue
        table = False
        if opener or bare.startswith("|"):
            items.append([raw])
            verbatim.append(True)
            fence, table = (opener.group(0) if opener else ""), not opener
        elif not raw.strip():
            boundary = True
        elif boundary or re.match(_LIST_MARKER, raw) or verbatim[-1]:
            items.append([bare])
            verbatim.append(False)
            boundary = False
        else:
            items[-1].append(raw.strip())
    return ["\n".join(_dedent(parts)) if code else " ".join(parts) for parts, code in zip(items, verbatim, strict=True)]


def _dedent(lines: list[str]) -> list[str]:
    """Code or table lines without the indentation they share (a block nested in a list item)."""
    first = re.sub(_LIST_MARKER, "", lines[0]).strip()
    rest = lines[1:] if first != lines[0] else lines
    cut = min((len(line) - len(line.lstrip()) for line in rest if line.strip()), default=0)
    return ([first] if rest is not lines else []) + [line[cut:].rstrip() for line in rest]


LEAD_IN_ITEMS = 8   # sentences a lead-in colon brings along at most (a list's items, a code block)


def announced(sentences: Sequence[str], n: int) -> range:
    """The indexes of the sentences that sentence *n* announces when it ends in a lead-in colon ("in the
    following order:"): the list items or code block after it. Empty otherwise."""
    if not sentences[n].endswith(":"):
        return range(0)
    return range(n + 1, min(len(sentences), n + 1 + LEAD_IN_ITEMS))


def join_sentences(sentences: Sequence[str]) -> str:
    """Sentences as one text: spaces between prose; after a lead-in colon (the items of its list) and
    around a code block or table (the only sentences with a line break in them), line breaks."""
    parts: list[str] = []
    listing = False
    for previous, sentence in zip(["", *sentences], sentences, strict=False):
        listing = listing or previous.endswith(":")
        if parts:
            parts.append("\n" if listing or "\n" in sentence or "\n" in previous else " ")
        parts.append(sentence)
    return "".join(parts)


def slugify(heading: str, max_words: int = 5) -> str:
    """A short, stable id fragment for a heading: content words only.

    >>> slugify("LLMs vs Generative AI: Core Differences")
    'llms-generative-ai-core-differences'
    >>> slugify("FAQ")
    'faq'
    """
    words = tokenize(heading)
    kept = [w for w in words if w not in FUNCTION_WORDS] or words
    return "-".join(w.replace(".", "-") for w in kept[:max_words]) or "section"


# How a name is written in running text, in one place: capitalised inside a sentence, or holding a digit.
NAME_CAPITALISED = r"(?<=[a-z,;(] )[A-Z][\w.\-]*"
"""A capitalised word inside a sentence: what ``NAME_WORD`` finds in text without a digit."""
NAME_WORD = NAME_CAPITALISED + r"|\b[^\W\d_]*\d[\w.\-]*"
"""One word of a name ("Midjourney", "GPT-4.5", "70B"); not after a colon, where sentences of lists start."""
NAME_PHRASE = r"(?<=[a-z,;:(] )[A-Z][\w.\-]*(?: [A-Z0-9][\w.\-]*)?"
"""A capitalised name of up to two words ("Stable Diffusion")."""

PRONOUNS: frozenset[str] = frozenset("it its itself they them their theirs themselves he she him her".split())
"""Personal pronouns: alone, a question with one means little ("who makes it?")."""
POINTERS: frozenset[str] = PRONOUNS | frozenset("this that these those one ones there such same both either".split())
"""Every word that may point back at a previous turn; "which one should I use?" still stands alone."""


def leans_on_context(tokens: Sequence[str], pointers: frozenset[str] = PRONOUNS) -> bool:
    """True for a question that means little without the previous turn: one of *pointers* and at most
    two content words."""
    return not pointers.isdisjoint(tokens) and len(content_words(tokens)) <= 2

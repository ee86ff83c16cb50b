"""Language-independent anchors of a sentence: its numbers and its names.

Numbers and names survive rewording and translation, so they tie a translated sentence to
its source where a static embedding model sees two languages. Numbers are read in any
script's digits (Devanagari ``३२``, Gujarati ``૩૨``, Arabic-Indic ``٣٢`` are all 32) and in
either convention for thousands and decimals (``2,000`` = ``2.000`` = 2000; ``4,74`` = 4.74).
Names are transliterated to ASCII (``anyascii``) and reduced to a consonant skeleton, which
absorbs the vowels that scripts such as Devanagari leave unwritten (``फरीदाबाद`` →
``phridabad`` → ``frdbd`` = ``Faridabad``), and compared fuzzily (``rapidfuzz``). In a
script with capital letters a name is a capitalised word not opening the sentence; in a
script without them (Devanagari, Gujarati, Arabic, Chinese ...) every word may be one, and
only words that match a name on the other side count.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from anyascii import anyascii
from rapidfuzz.distance import Indel

from copydesk.native import NATIVE
from copydesk.text.scripts import letters

_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")  # \d is any script's decimal digit
# A word: a run without spaces, digits or punctuation (so a script's combining vowel
# signs, which are not "word" characters to ``re``, stay inside it).
_WORD = re.compile(r"[^\s\d.,;:!?()\[\]{}\"“”‘’«»„|/\\–—*#@&+=<>…।॥،؛-]+")
_SKELETON_DROP = re.compile(r"[aeiouyh\W\d_]+")
MIN_SKELETON = 2  # consonants a name needs to count in a sentence
MIN_KEY_SKELETON = 3  # ... to be an article's index key (shorter ones collide by chance)
NAME_SIMILARITY = 0.75  # normalised Indel similarity of two skeletons that match


@dataclass(slots=True, frozen=True)
class Anchors:
    """One sentence's numbers and name skeletons; ``cased`` when its script has capitals
    (its names are then known, otherwise every word is a possible name)."""

    numbers: frozenset[str]
    names: frozenset[str]
    cased: bool


def number_key(raw: str) -> str:
    """A number in ASCII digits, thousands separators removed, decimal point a dot."""
    digits = (
        raw
        if raw.isascii()
        else "".join(str(unicodedata.digit(c)) if c.isdigit() else c for c in raw)
    )
    parts = re.split(r"[.,]", digits)
    if len(parts) == 1:
        return digits.lstrip("0") or "0"
    if all(len(p) == 3 for p in parts[1:]):
        return "".join(parts).lstrip("0") or "0"
    return ("".join(parts[:-1]).lstrip("0") or "0") + "." + parts[-1]


@lru_cache(maxsize=200_000)
def skeleton(word: str) -> str:
    """The consonants of a word's transliteration, spelled one way (ph = f, c/q = k,
    w = v, z = s), doubled letters once."""
    s = anyascii(word).lower()
    s = s.replace("ph", "f").replace("ck", "k").replace("x", "ks")
    s = s.translate(_SPELL)
    s = _SKELETON_DROP.sub("", s)
    return re.sub(r"(.)\1+", r"\1", s)


_SPELL = str.maketrans({"c": "k", "q": "k", "w": "v", "z": "s"})


def _is_cased_script(text: str) -> bool:
    """Whether most of the text's letters are of a script with capitals."""
    if text.isascii():
        return True
    ascii_letters, others = letters(text)
    if not others:
        return True
    cased = ascii_letters + sum(c.lower() != c.upper() for c in others)
    return cased >= 0.5 * (ascii_letters + len(others))


@lru_cache(maxsize=100_000)  # an article's sentences come up in each of its pairs
def sentence_anchors(sentence: str) -> Anchors:
    numbers = frozenset(number_key(m.group()) for m in _NUMBER.finditer(sentence))
    numbers = frozenset(n for n in numbers if n not in {"0", "1"})
    cased = _is_cased_script(sentence)
    names: set[str] = set()
    words = list(_WORD.finditer(sentence))
    for k, m in enumerate(words):
        w = m.group().strip("'-")
        if not w or not w[0].isalpha():
            continue
        if cased:
            if not w[0].isupper() or w.lower() == w.upper():
                continue
            if k == 0 and not w.isupper():  # the sentence's first word is capitalised anyway
                continue
        elif w[0].isascii() and not w[0].isupper():
            continue  # a lower-case Latin word among a caseless script's words
        sk = skeleton(w)
        if len(sk) >= MIN_SKELETON:
            names.add(sk)
    return Anchors(numbers, frozenset(names), cased)


def names_match(a: str, b: str) -> bool:
    return a == b or Indel.normalized_similarity(a, b) >= NAME_SIMILARITY


def shared_names(a: Anchors, b: Anchors) -> int:
    """How many names of the side whose names are known (a cased one) match a name or
    word of the other. Between two caseless scripts none are known (the words both share
    are as often common words of two related languages, as Hindi and Gujarati share)."""
    if not (a.cased or b.cased):
        return 0
    first, second = (a, b) if (a.cased, -len(a.names)) >= (b.cased, -len(b.names)) else (b, a)
    return sum(any(names_match(x, y) for y in second.names) for x in first.names)


def agree(a: Anchors, b: Anchors) -> bool:
    """The anchors do not contradict: numbers on both sides share one; two or more known
    names on both sides share one."""
    if a.numbers and b.numbers and not (a.numbers & b.numbers):
        return False
    if a.cased and b.cased and len(a.names) >= 2 and len(b.names) >= 2:
        return shared_names(a, b) > 0
    return True


def share_anchor(a: Anchors, b: Anchors) -> bool:
    return bool(a.numbers & b.numbers) or shared_names(a, b) > 0


def _name_words_python(text: str, cased: bool) -> set[str]:
    """The words of a text that may be names, each once: stripped of "'" and "-", opening
    with a letter, and with a capital when the script is ``cased``."""
    names: set[str] = set()
    for word in set(_WORD.findall(text)):  # each distinct word once
        w = word.strip("'-")
        if w and w[0].isalpha() and (not cased or w[0].isupper()):
            names.add(w)
    return names


# ``_name_words_python`` in one compiled call when the module is built (and has it):
# the same words to the character (tested), and no str object for a word it leaves out.
_name_words: Callable[[str, bool], set[str]] = (
    getattr(NATIVE, "name_words", None) or _name_words_python
)
COMPILED = _name_words is not _name_words_python  # whether ``article_keys`` runs compiled


def article_keys(text: str) -> set[str]:
    """An article's anchors as index keys (numbers of two or more digits, name skeletons):
    two articles in different languages that share several are compared."""
    numbers = {number_key(raw) for raw in set(_NUMBER.findall(text))}
    keys = {"#" + n for n in numbers if len(n.replace(".", "")) >= 2}
    cased = _is_cased_script(text[:2000])
    for w in _name_words(text, cased):
        sk = skeleton(w)
        if len(sk) >= MIN_KEY_SKELETON:
            keys.add(sk)
    return keys

"""Which outlets a text credits, and how: wire datelines, credit lines, bylines, quotes.

A ``Registry`` knows the names outlets are credited by (the shipped agencies, a user's
file, and the collection's own outlets with their names and aliases). ``outlet_credits``
finds every credit in a text and resolves it to an outlet; a name the registry does not
know, after a cue that can only introduce a source ("first appeared on", "Source:", "©"),
is kept as written.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from copydesk.families.agencies import Agency

# How strongly each kind of credit names the outlet the story came from.
WEIGHTS = {
    "wire_dateline": 3.0,
    "credit_line": 2.0,
    "byline": 2.0,
    "quote_credit": 0.5,
    "photo_credit": 0.5,
}
# Kinds that name the outlet a text came from; the others (a quote given to an outlet, an
# agency's picture) name an outlet the text mentions.
STRONG = frozenset({"wire_dateline", "credit_line", "byline"})

_DOMAIN = r"(?:www\.)?[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.[a-z]{2,}"
# An outlet's name: up to five capitalised words ("Express.co.uk", "U.S. News"); a word
# that ends a sentence (three letters or more before its full stop) ends the name, so
# "Copyright 2021 Hawaii News Now. All rights reserved." names Hawaii News Now.
_NAME = (
    r"(?:[Tt]he[ \t]+)?[A-Z][\w&'’.-]*"
    r"(?:(?<!\w\w\w\.)[ \t]+(?:of[ \t]+|and[ \t]+|&[ \t]+)?[A-Z][\w&'’.-]*){0,4}"
)
# Cues that introduce the outlet a text came from, and the kind of credit they make.
_SOURCE_CUES = [
    (r"(?:first|originally)\s+(?:appeared|published|ran)\s+(?:on|in|at|by)", "credit_line"),
    (
        r"(?:this|the)\s+(?:article|story|report)\s+(?:is\s+)?(?:republished|reproduced)\s+"
        r"(?:from|with\s+permission\s+(?:of|from))",
        "credit_line",
    ),
    (
        r"(?:^|\n|\()\s*(?:Source|Sources|Credit|Courtesy|Via|Syndicated\s+from)\s*[:|-]",
        "credit_line",
    ),
    (r"(?:©|\(c\)|Copyright)\s*(?:\d{4}\s*)?", "credit_line"),
    (r"with\s+(?:inputs|input|reporting)\s+from", "credit_line"),
    (r"(?:according\s+to|reported\s+by|from|via)", "known_credit"),
    (
        r"(?:told|speaking\s+to|said\s+(?:in\s+an\s+interview\s+)?(?:with|to)|in\s+an\s+interview"
        r"\s+with|an\s+interview\s+with)",
        "quote_credit",
    ),
]


# Each cue case-insensitive, and lower-cased for the lower-cased text of an ASCII text:
# there lower-casing keeps every offset and decides case as the case-insensitive match
# does (the cues hold no upper-case escapes), and a literal start lets ``re`` skip ahead.
_CUES = [
    (re.compile(cue, re.IGNORECASE), re.compile(cue.lower()), kind) for cue, kind in _SOURCE_CUES
]


@dataclass(slots=True, frozen=True)
class Credit:
    outlet: str  # the outlet's domain, or the name as written when it is not known
    text: str
    kind: str  # wire_dateline | credit_line | byline | quote_credit
    start: int
    end: int

    def to_json(self) -> dict:
        return {
            "outlet": self.outlet,
            "text": self.text,
            "kind": self.kind,
            "article_start": self.start,
            "article_end": self.end,
        }


def _norm(name: str) -> str:
    name = re.sub(r"^the\s+", "", name.strip(), flags=re.IGNORECASE)
    return re.sub(r"\s+", " ", name).strip(" .,;:'’").casefold()


@dataclass
class Registry:
    """Names by which outlets are credited: ``forms`` maps a folded name to an outlet."""

    forms: dict[str, str] = field(default_factory=dict)
    display: dict[str, str] = field(default_factory=dict)  # outlet -> a name to show
    agencies: frozenset[str] = frozenset()
    # A collection outlet's domain labels ("scmp", "nzherald"): a written name that
    # squashes to one, or whose initials are one, is that outlet.
    labels: dict[str, str] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        agencies: Iterable[Agency],
        outlets: Iterable[tuple[str, Iterable[str]]] = (),
    ) -> Registry:
        """Agencies, then the collection's outlets (domain, names); a name both carry is
        the agency's."""
        reg = cls()
        agency_outlets = set()
        for agency in agencies:
            agency_outlets.add(agency.outlet)
            reg.display.setdefault(agency.outlet, agency.name)
            for form in agency.forms:
                reg.forms.setdefault(_norm(form), agency.outlet)
            reg.forms.setdefault(agency.outlet, agency.outlet)
        seen_labels: dict[str, set[str]] = defaultdict(set)
        for outlet, names in outlets:
            if not outlet:
                continue
            reg.forms.setdefault(outlet.casefold(), outlet)
            for name in names:
                if name and len(_norm(name)) >= 3:
                    reg.forms.setdefault(_norm(name), outlet)
                    reg.display.setdefault(outlet, name)
            if reg.canonical_in(outlet, agency_outlets) == outlet:
                for label in _labels(outlet):
                    seen_labels[label].add(outlet)
        reg.agencies = frozenset(agency_outlets)
        reg.labels = {lb: next(iter(o)) for lb, o in seen_labels.items() if len(o) == 1}
        return reg

    @staticmethod
    def canonical_in(outlet: str, agencies: Iterable[str]) -> str:
        folded = outlet.casefold().removeprefix("www.")
        return next((a for a in agencies if folded == a or folded.endswith("." + a)), outlet)

    def by_label(self, name: str) -> str | None:
        """The collection outlet a written name stands for by its domain: "South China
        Morning Post" (initials) is scmp.com, "NZ Herald" (squashed) is nzherald.co.nz."""
        if not self.labels:
            return None
        words = re.findall(r"[\w'’&]+", re.sub(r"^the\s+", "", name.strip(), flags=re.I))
        if not words or not all(w[:1].isupper() or w.casefold() in _LINKS for w in words):
            return None
        squashed = "".join(w for w in words).casefold()
        if len(squashed) >= 4 and squashed in self.labels:
            return self.labels[squashed]
        capital = [w for w in words if w.casefold() not in _LINKS]
        if len(capital) >= 3:
            initials = "".join(w[0] for w in capital).casefold()
            return self.labels.get(initials)
        return None

    def resolve(self, name: str) -> str | None:
        """The outlet a written name stands for, or None."""
        folded = _norm(name)
        if folded in self.forms:
            return self.forms[folded]
        bare = re.sub(r"^(?:https?://)?(?:www\.)?", "", folded).split("/")[0]
        if bare in self.forms:
            return self.forms[bare]
        if re.fullmatch(_DOMAIN, bare):
            return bare
        return None

    def canonical(self, outlet: str | None) -> str | None:
        """An agency's subdomain is the agency: uk.reuters.com is reuters.com."""
        return self.canonical_in(outlet, self.agencies) if outlet else outlet

    def __getstate__(self) -> dict[str, Any]:
        # The lookups built from the forms go with a pickled registry: a pool's tasks
        # would otherwise each build them again (30 ms each for the 21k corpus's outlets).
        for lookup in ("_form_index", "_agency_probe"):
            getattr(self, lookup)
        return self.__dict__

    def names_of(self, outlet: str) -> list[str]:
        """Every form (folded) that resolves to ``outlet``."""
        return [f for f, o in self.forms.items() if o == outlet]

    @cached_property
    def _form_pattern(self) -> re.Pattern[str]:
        # Longest first, so "Associated Press" is taken before "Press". Forms keep their
        # case (or are all capitals) when matched in running text.
        return _forms_pattern(self.forms)

    @cached_property
    def _form_index(self) -> _FormIndex:
        return _FormIndex.of(self.forms)

    def find_forms(self, text: str) -> Iterator[re.Match[str]]:
        """The known forms written in ``text``: what ``_form_pattern.finditer(text)`` finds,
        found without trying every form at every position (see ``_FormIndex``)."""
        index = self._form_index
        finder, subject = index.starts, text
        if index.lower_starts is not None and text.isascii():
            finder, subject = index.lower_starts, text.lower()
        pos = 0
        while (hit := finder.search(subject, pos)) is not None:
            m = index.match(text, hit.start(), len(text))
            if m is None:  # the finder may say more than the forms do, never less
                pos = hit.start() + 1
                continue
            yield m
            pos = m.end()

    def outlet_of_form(self, written: str) -> str:
        """The outlet of a form as ``find_forms`` or ``match_form`` found it written. That
        match is case-insensitive, which is not always case-folding: "ANİ" matches "ani"
        but folds to "ani̇", so then the form it matches is looked for."""
        folded = _norm(written)
        if folded in self.forms:
            return self.forms[folded]
        return next(
            o for f, o in self.forms.items() if re.fullmatch(re.escape(f), written, re.IGNORECASE)
        )

    def match_form(self, text: str, pos: int, endpos: int) -> re.Match[str] | None:
        """``_form_pattern.match(text, pos, endpos)``, from the forms of that first letter."""
        return self._form_index.match(text, pos, endpos)

    @cached_property
    def _agency_probe(self) -> _AgencyProbe:
        return _AgencyProbe.of([f for f, o in self.forms.items() if o in self.agencies])

    def may_credit_agency(self, text: str) -> bool:
        """False when no wire dateline or byline that ``outlet_credits`` finds in ``text``
        can name an agency: no agency's form or domain is written in it between non-word
        characters, as the text is or case-folded. Those credits resolve a written name by
        matching a form case-insensitively (a byline) or by case-folding it (a dateline's
        tag, its spaces collapsed, "the" and stops trimmed), so the probe looks for both;
        it may say yes where there is none, never no where there is one."""
        return self._agency_probe.may_match(text)


def _forms_pattern(forms: Iterable[str]) -> re.Pattern[str]:
    """Any of ``forms`` between non-word characters, the longest that fits."""
    originals = sorted(forms, key=len, reverse=True)
    return re.compile(
        r"(?<![\w.-])(" + "|".join(re.escape(f) for f in originals) + r")(?![\w-])",
        re.IGNORECASE,
    )


def _tree_pattern(forms: list[str], atom: Callable[[str], str] = re.escape) -> str:
    """A pattern matching exactly the strings of ``forms``, branching letter by letter;
    ``atom`` gives the pattern of one character."""
    root: dict = {}
    for form in forms:
        node = root
        for ch in form:
            node = node.setdefault(ch, {})
        node[""] = {}

    def render(node: dict) -> str:
        alts = [atom(ch) + render(child) for ch, child in sorted(node.items()) if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if "" in node else body

    return "(?:" + render(root) + ")"


def _starts_pattern(forms: list[str], flags: int) -> re.Pattern[str]:
    """Where one of ``forms`` is written between non-word characters (``_forms_pattern``'s
    bounds)."""
    if not forms:
        return re.compile(r"(?!)")
    tree = _tree_pattern(forms)
    if all(re.match(r"\w", f[0]) for f in forms):
        # a word character not after one: \b first lets the scan skip ahead
        return re.compile(r"\b(?<![.-])" + tree + r"(?![\w-])", flags)
    return re.compile(r"(?<![\w.-])" + tree + r"(?![\w-])", flags)


@dataclass(slots=True)
class _FormIndex:
    """The forms grouped by their first character, for finding them fast.

    One alternation of every form is tried form by form at every position of a text.
    Here ``starts``, the forms as a tree of their characters (one branch per first letter,
    then per next letter), finds where some form is written, and only the forms of that
    first character decide the match there: where several groups fit one character
    (case-insensitively), the longest match is the one the whole alternation, longest form
    first, would give. For an ASCII text, where lower-casing keeps every offset and decides
    case exactly as the case-insensitive match does, ``lower_starts`` (the tree of the
    forms lower-cased, matched case-sensitively, when every form is ASCII) looks in the
    lower-cased text instead: a literal first letter lets ``re`` skip ahead.
    """

    starts: re.Pattern[str]
    lower_starts: re.Pattern[str] | None
    groups: dict[str, re.Pattern[str]]
    _by_char: dict[str, tuple[re.Pattern[str], ...]]

    @classmethod
    def of(cls, forms: Iterable[str]) -> _FormIndex:
        by_first: dict[str, list[str]] = defaultdict(list)
        for form in forms:
            if form:
                by_first[form[0]].append(form)
        groups = {c: _forms_pattern(fs) for c, fs in by_first.items()}
        every = [f for fs in by_first.values() for f in fs]
        starts = _starts_pattern(every, re.IGNORECASE)
        lower_starts = None
        if every and all(f.isascii() for f in every):
            lower_starts = _starts_pattern([f.lower() for f in every], 0)
        return cls(starts, lower_starts, groups, {})

    def match(self, text: str, pos: int, endpos: int) -> re.Match[str] | None:
        if pos >= min(endpos, len(text)):
            return None
        ch = text[pos]
        fitting = self._by_char.get(ch)
        if fitting is None:
            fitting = tuple(
                p for c, p in self.groups.items() if re.fullmatch(re.escape(c), ch, re.IGNORECASE)
            )
            self._by_char[ch] = fitting
        best = None
        for pattern in fitting:
            m = pattern.match(text, pos, endpos)
            if m is not None and (best is None or m.end() > best.end()):
                best = m
        return best


def _probe_pattern(forms: Iterable[str], flags: int = 0) -> re.Pattern[str]:
    """Any of ``forms`` between non-word characters, a space in a form standing for any
    run of whitespace."""
    every = sorted(set(forms))
    if not every:
        return re.compile(r"(?!)")
    tree = _tree_pattern(every, lambda ch: r"\s+" if ch == " " else re.escape(ch))
    return re.compile(r"(?<!\w)" + tree + r"(?!\w)", flags)


def _ascii_twin(ch: str) -> str | None:
    """The one lower-case ASCII character ``ch`` matches case-insensitively ("ı" is "i"),
    ``ch`` itself if ASCII, "" if it matches none; None if it matches several."""
    if ch.isascii():
        return ch.lower()
    found = {a.lower() for a in map(chr, range(128)) if re.fullmatch(re.escape(ch), a, re.I)}
    return found.pop() if len(found) == 1 else "" if not found else None


@dataclass(slots=True)
class _AgencyProbe:
    """Where some agency form may be written: the forms (case-folded, as the registry
    keeps them) as one tree of their characters, between non-word characters.

    ``folded`` looks case-insensitively in the text and in its case-folded form ("İ"
    matches "i" case-insensitively; "ß" folds to "ss"). An ASCII text needs only one
    case-sensitive search of its lower-cased form for ``lower``, the forms as the ASCII
    they can match (a form that can match no ASCII text left out): there lower-casing,
    case-folding and the case-insensitive match agree. A text whose other characters are
    all caseless and non-word (£, curly quotes, dashes) or spaces is searched so too, each
    of those written as one ASCII character of its kind (``_stand_ins``).
    """

    folded: re.Pattern[str]
    lower: re.Pattern[str] | None
    form_chars: frozenset[str]
    _stand_ins: dict[str, str | None] = field(default_factory=dict)

    @classmethod
    def of(cls, forms: Iterable[str]) -> _AgencyProbe:
        every = sorted({f for f in forms if f})
        twins = []
        for form in every:
            chars = [_ascii_twin(ch) for ch in form]
            if any(c is None for c in chars):
                twins = None
                break
            if all(chars):
                twins.append("".join(c for c in chars if c))
        lower = _probe_pattern(twins) if twins is not None else None
        return cls(_probe_pattern(every, re.IGNORECASE), lower, frozenset("".join(every)))

    def _stand_in(self, ch: str) -> str | None:
        if ch not in self._stand_ins:
            out = None
            if re.fullmatch(r"\s", ch):
                out = " "
            elif (
                not re.fullmatch(r"\w", ch)
                and ch.casefold() == ch.lower() == ch.upper() == ch
                and ch not in self.form_chars
                and "\x00" not in self.form_chars
            ):
                out = "\x00"
            self._stand_ins[ch] = out
        return self._stand_ins[ch]

    def may_match(self, text: str) -> bool:
        if self.lower is not None:
            ascii_text = text if text.isascii() else self._as_ascii(text)
            if ascii_text is not None:
                return self.lower.search(ascii_text.lower()) is not None
        return bool(self.folded.search(text) or self.folded.search(text.casefold()))

    def _as_ascii(self, text: str) -> str | None:
        table = {}
        for ch in set(text):
            if not ch.isascii():
                stand_in = self._stand_in(ch)
                if stand_in is None:
                    return None
                table[ord(ch)] = stand_in
        return text.translate(table)


_LINKS = frozenset({"of", "and", "&", "the"})
_SUFFIXES = frozenset({"co", "com", "org", "net", "gov", "ac", "edu", "www", "news", "amp", "m"})


def _labels(outlet: str) -> list[str]:
    """The distinctive labels of a domain: ``nzherald`` of nzherald.co.nz."""
    parts = outlet.casefold().split(".")[:-1]
    return [p for p in parts if len(p) >= 3 and p not in _SUFFIXES]


def _cased(text: str, folded_form: str) -> bool:
    """A form matched case-insensitively counts when written capitalised (or as a domain):
    "the sun rose" never credits The Sun."""
    if "." in folded_form and " " not in folded_form:
        return True
    words = text.split()
    return all(w[:1].isupper() or not w[:1].isalpha() for w in words)


_LEAD = re.compile(r"\s*(?:the\s+)?", re.IGNORECASE)
_NAME_AT = re.compile(_NAME)


def _known_at(reg: Registry, text: str, start: int, limit: int = 80) -> tuple[str, int, int] | None:
    """A known outlet form starting at ``start`` (after optional "the"), or a name that
    is a collection outlet's by its domain ("South China Morning Post"), or None."""
    m = _LEAD.match(text, start)
    at = m.end() if m else start
    m2 = reg.match_form(text, at, min(len(text), at + limit))
    if m2 and _cased(m2.group(1), m2.group(1).casefold()):
        return reg.outlet_of_form(m2.group(1)), m2.start(1), m2.end(1)
    m3 = _NAME_AT.match(text, at, min(len(text), at + limit))
    if m3:
        outlet = reg.by_label(m3.group(0))
        if outlet:
            return outlet, m3.start(), m3.end()
    return None


# Dates, times and "Updated:" stamps that follow a byline on its line.
_STAMP = re.compile(
    r"\b(?:(?:last\s+)?updated|modified|published|posted|created|on)\b\s*:?"
    r"|\b\d[\d:/.,-]*\b|\b(?:am|pm|a\.m\.|p\.m\.|ist|gmt|utc|edt|est|jst|bst|cet)\b"
    r"|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?(?!\w)"
    r"|[•|·]",
    re.IGNORECASE,
)
# Words around a picture: a credit inside them names who took the picture, not the text.
_PICTURE = re.compile(
    r"\b(?:photo|photos|photograph|picture|pictures|image|images|camera\s+icon|file\s+photo"
    r"|video|handout|pic)\b",
    re.IGNORECASE,
)
# The same words in a lower-cased ASCII text (where lower-casing keeps every offset and
# decides case as the case-insensitive match does): a case-sensitive search skips ahead
# on the words' first letters, twice as fast over the 21k corpus.
_PICTURE_LOWER = re.compile(_PICTURE.pattern)
# "Reuters could not independently verify ...": the agency reporting is the author.
_VERIFY = re.compile(
    r"[ \t]+(?:(?:was|were|is|are|has\s+been|have\s+been)[ \t]+(?:unable|not\s+able)[ \t]+to"
    r"|(?:could|can|did|was|has)[ \t]*(?:not|n['’]t))[ \t]+(?:independently[ \t]+)?"
    r"(?:verify|confirm)\b"
)


def picture_spans(text: str) -> list[tuple[int, int]]:
    """Picture captions and credits: a bracket, or a short line, that speaks of a photo
    ("(Photo: STAFF/Reuters)", "PHOTO: Everland via ...", "(AP PHOTO)")."""
    out = []
    # a bracket or a line is bounded by characters that are no word's, so it speaks of a
    # picture only where the whole text does
    if not (_PICTURE_LOWER.search(text.lower()) if text.isascii() else _PICTURE.search(text)):
        return out
    for m in re.finditer(r"\([^()\n]{0,120}\)", text):
        if _PICTURE.search(m.group(0)):
            out.append((m.start(), m.end()))
    pos = 0
    for line in text.split("\n"):
        head = line.lstrip()
        if _PICTURE.match(head) or (len(line.split()) <= 12 and _PICTURE.search(line)):
            out.append((pos, pos + len(line)))
        pos += len(line) + 1
    return out


def _inside(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(lo <= start and end <= hi for lo, hi in spans)


def _by_line(text: str, found: list[re.Match[str]]) -> Iterator[tuple[int, list[re.Match[str]]]]:
    """The matches (in order) grouped by the line they start in, with its start."""
    group: list[re.Match[str]] = []
    start = -1
    for m in found:
        at = text.rfind("\n", 0, m.start()) + 1
        if at != start and group:
            yield start, group
            group = []
        start = at
        group.append(m)
    if group:
        yield start, group


def outlet_credits(text: str, reg: Registry, *, own: str | None = None) -> list[Credit]:
    """Every credit ``text`` gives to an outlet other than ``own`` (its own outlet)."""
    out: list[Credit] = []
    seen: set[tuple[int, int]] = set()
    pictures = picture_spans(text)

    def add(outlet: str | None, start: int, end: int, kind: str) -> None:
        if not outlet or outlet == own or (start, end) in seen:
            return
        seen.add((start, end))
        if outlet in reg.agencies and kind != "quote_credit" and _inside(pictures, start, end):
            # An agency's picture says nothing of where the text came from; another
            # outlet's ("PHOTO: ... via The Post") is part of the package it sent.
            kind = "photo_credit"
        out.append(Credit(outlet, text[start:end], kind, start, end))

    if not reg.forms:
        return out
    # 1. Wire datelines: "LONDON (Reuters) -", "(AP) —", "NEW DELHI, May 3 (PTI):".
    for m in re.finditer(r"\(([^()\n]{2,40})\)\s*[-—–:]", text):
        # "(BSS/AFP)": a national agency carrying a wire's story; the last is its origin.
        for part in reversed(re.split(r"\s*/\s*", m.group(1))):
            outlet = reg.resolve(part)
            if outlet and _cased(part, part.casefold()):
                add(outlet, m.start(1), m.end(1), "wire_dateline")
                break
    # "(AP) The storm ...", "Thane, Aug 24 (PTI) Police ...", "... said. (ANI)": the
    # bracketed tag of an agency in the opening words of a line, or closing a paragraph.
    for m in re.finditer(
        r"(?:^|\n)[^\n.]{0,60}?\(([^()\n]{2,40})\)[ \t]+(?=[A-Z])"
        r"|\(([^()\n]{2,40})\)[ \t]*(?=\n|$)"
        r"|[-—–][ \t]*\(?([A-Z]{2,12})\)?[ \t]*(?=\n|$)",
        text,
    ):
        group = next(i for i in (1, 2, 3) if m.group(i))
        tag = m.group(group)
        at = m.start(group)
        for part in re.split(r"\s*[/:]\s*", tag):
            outlet = reg.resolve(part)
            if outlet in reg.agencies and _cased(part, part.casefold()):
                lo = at + tag.find(part)
                add(outlet, lo, lo + len(part), "wire_dateline")
                break
    # "..., Reuters reported.": a known outlet named as the reporter; "Reuters could not
    # independently verify": the agency is the author. ". Reuters" closing a line: a
    # sign-off (or a caption's credit, see above).
    forms_found = list(reg.find_forms(text))
    for m in forms_found:
        form = m.group(1)
        if not _cased(form, form.casefold()):
            continue
        outlet = reg.outlet_of_form(form)
        rest = text[m.end() : m.end() + 80]
        if re.match(r"[ \t]+(?:reported|reports|said in a report|news agency reported)\b", rest):
            add(outlet, m.start(1), m.end(1), "credit_line")
        elif _VERIFY.match(rest) or (
            outlet in reg.agencies
            and re.match(r"[ \t]*(?:\n|$)", rest)
            and re.search(r"[.!?”\"][ \t]+$", text[max(0, m.start() - 3) : m.start()])
        ):
            add(outlet, m.start(1), m.end(1), "byline")
    # 2. Cues that introduce a source: the known outlet after them, else a name or domain.
    lowered = text.lower() if text.isascii() else None
    for cue, lower_cue, kind in _CUES:
        for m in cue.finditer(text) if lowered is None else lower_cue.finditer(lowered):
            found = _known_at(reg, text, m.end())
            if found:
                add(found[0], found[1], found[2], "credit_line" if kind == "known_credit" else kind)
                continue
            if kind in ("quote_credit", "known_credit"):
                continue  # "told reporters": only a known outlet is credited by a quote
            rest = text[m.end() : m.end() + 80]
            n = re.match(r"\s*(" + _DOMAIN + r")", rest, re.IGNORECASE) or re.match(
                r"\s*(" + _NAME + r")", rest
            )
            if n:
                name = n.group(1).rstrip(".")
                add(
                    reg.resolve(name) or _norm(name),
                    m.end() + n.start(1),
                    m.end() + n.start(1) + len(name),
                    kind,
                )
    # 3. Bylines and credit lines: a short line that is mostly a known outlet's name
    # ("Reuters", "By AFP", "Reuters | London", "— AP").
    # Only lines with a form in them can be one; no form spans a line break, so a line's
    # forms are the text's that start in it.
    for line_start, found in _by_line(text, forms_found):
        line_end = text.find("\n", line_start)
        line = text[line_start : line_end if line_end >= 0 else len(text)]
        words = _STAMP.sub(" ", line).split()
        if 0 < len(words) <= 12 and (
            len(words) <= 6 or not line.rstrip().endswith((".", "?", "!"))
        ):
            for m in found:
                form = m.group(1)
                if not _cased(form, form.casefold()):
                    continue
                before = line[: m.start() - line_start].strip(" \t—–-|,:·•/")
                if before and before.casefold() not in ("by", "from", "via", "source", "credit"):
                    continue
                add(reg.outlet_of_form(form), m.start(1), m.end(1), "byline")
                break
    out.sort(key=lambda c: (c.start, c.end))
    return out

"""Which outlets a text credits, and how: wire datelines, credit lines, bylines, quotes.

A ``Registry`` knows the names outlets are credited by (the shipped agencies, a user's
file, and the collection's own outlets with their names and aliases). ``outlet_credits``
finds every credit in a text and resolves it to an outlet; a name the registry does not
know, after a cue that can only introduce a source ("first appeared on", "Source:", "©"),
is kept as written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

from copydesk.families.agencies import Agency

# How strongly each kind of credit names the outlet the story came from.
WEIGHTS = {"wire_dateline": 3.0, "credit_line": 2.0, "byline": 2.0, "quote_credit": 0.5}

_DOMAIN = r"(?:www\.)?[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.[a-z]{2,}"
_NAME = (
    r"(?:[Tt]he[ \t]+)?[A-Z][\w&'’.-]*(?:[ \t]+(?:of[ \t]+|and[ \t]+|&[ \t]+)?[A-Z][\w&'’.-]*){0,4}"
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
        for outlet, names in outlets:
            if not outlet:
                continue
            reg.forms.setdefault(outlet.casefold(), outlet)
            for name in names:
                if name and len(_norm(name)) >= 3:
                    reg.forms.setdefault(_norm(name), outlet)
                    reg.display.setdefault(outlet, name)
        reg.agencies = frozenset(agency_outlets)
        return reg

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
        if not outlet:
            return outlet
        folded = outlet.casefold().removeprefix("www.")
        for agency in self.agencies:
            if folded == agency or folded.endswith("." + agency):
                return agency
        return outlet

    def names_of(self, outlet: str) -> list[str]:
        """Every form (folded) that resolves to ``outlet``."""
        return [f for f, o in self.forms.items() if o == outlet]

    @cached_property
    def _form_pattern(self) -> re.Pattern[str]:
        # Longest first, so "Associated Press" is taken before "Press". Forms keep their
        # case (or are all capitals) when matched in running text.
        originals = sorted(self.forms, key=len, reverse=True)
        return re.compile(
            r"(?<![\w.-])(" + "|".join(re.escape(f) for f in originals) + r")(?![\w-])",
            re.IGNORECASE,
        )


def _cased(text: str, folded_form: str) -> bool:
    """A form matched case-insensitively counts when written capitalised (or as a domain):
    "the sun rose" never credits The Sun."""
    if "." in folded_form and " " not in folded_form:
        return True
    words = text.split()
    return all(w[:1].isupper() or not w[:1].isalpha() for w in words)


def _known_at(reg: Registry, text: str, start: int, limit: int = 80) -> tuple[str, int, int] | None:
    """A known outlet form starting at ``start`` (after optional "the"), or None."""
    m = re.compile(r"\s*(?:the\s+)?", re.IGNORECASE).match(text, start)
    at = m.end() if m else start
    m2 = reg._form_pattern.match(text, at, min(len(text), at + limit))
    if m2 and _cased(m2.group(1), m2.group(1).casefold()):
        return reg.forms[_norm(m2.group(1))], m2.start(1), m2.end(1)
    return None


def outlet_credits(text: str, reg: Registry, *, own: str | None = None) -> list[Credit]:
    """Every credit ``text`` gives to an outlet other than ``own`` (its own outlet)."""
    out: list[Credit] = []
    seen: set[tuple[int, int]] = set()

    def add(outlet: str | None, start: int, end: int, kind: str) -> None:
        if not outlet or outlet == own or (start, end) in seen:
            return
        seen.add((start, end))
        out.append(Credit(outlet, text[start:end], kind, start, end))

    if not reg.forms:
        return out
    # 1. Wire datelines: "LONDON (Reuters) -", "(AP) —", "NEW DELHI, May 3 (PTI):".
    for m in re.finditer(r"\(([^()\n]{2,40})\)\s*[-—–:]", text):
        for part in re.split(r"\s*/\s*", m.group(1)):
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
        outlet = reg.resolve(tag)
        if outlet in reg.agencies and _cased(tag, tag.casefold()):
            add(outlet, m.start(group), m.end(group), "wire_dateline")
    # "..., Reuters reported.": a known outlet named as the reporter.
    for m in reg._form_pattern.finditer(text):
        form = m.group(1)
        if _cased(form, form.casefold()) and re.match(
            r"[ \t]+(?:reported|reports|said in a report|news agency reported)\b", text[m.end() :]
        ):
            add(reg.forms[_norm(form)], m.start(1), m.end(1), "credit_line")
    # 2. Cues that introduce a source: the known outlet after them, else a name or domain.
    for cue, kind in _SOURCE_CUES:
        for m in re.finditer(cue, text, re.IGNORECASE):
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
    pos = 0
    for line in text.split("\n"):
        words = line.split()
        if 0 < len(words) <= 12 and (
            len(words) <= 6 or not line.rstrip().endswith((".", "?", "!"))
        ):
            for m in reg._form_pattern.finditer(line):
                form = m.group(1)
                if not _cased(form, form.casefold()):
                    continue
                before = line[: m.start()].strip(" \t—–-|,:·•/")
                if before and before.casefold() not in ("by", "from", "via", "source", "credit"):
                    continue
                add(reg.forms[_norm(form)], pos + m.start(1), pos + m.end(1), "byline")
                break
        pos += len(line) + 1
    out.sort(key=lambda c: (c.start, c.end))
    return out

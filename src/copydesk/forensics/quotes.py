"""Quotations, who said them and to whom: quotes an outlet got first-hand.

A quote given to one outlet ("He told Express.co.uk") that appears first there and later
elsewhere without credit identifies the source (DESIGN.md, "Exclusive quotes"). This module

- finds the quotations in an article (``extract_quotes``), attributes each to a speaker
  and, when the text says so, to the outlet it was given to (``told_to``);
- indexes quotes across articles by a normalised key (``index_quotes``): the earliest
  appearance is the first, and a quote is *exclusive* to that outlet when the first
  appearance says it was told to the outlet itself;
- turns a later, uncredited appearance of an exclusive quote in another outlet into
  ``exclusive_quote`` evidence (``exclusive_quote_evidence``).

Attribution is rule-based (no parser): a speech verb ("said", "told", "added", ...) next
to the quotation, its subject a name, a pronoun or a plain noun phrase ("a spokesperson",
which names nobody). Pronouns resolve to the last person named before them outside
quotations; "Mr Fenn" resolves to an earlier "Gareth Fenn" by surname. A pronoun's quote
also keeps the outlet its speaker was speaking to in the same or the previous sentence
("Speaking to the Clarion, Jo Bell said ... . She said: “…”").

Pure functions over strings and dataclasses; no I/O. Offsets point into the text as given.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from copydesk.model import Evidence
from copydesk.text.tokens import words_of

__all__ = [
    "SUB_QUOTE_WORDS",
    "Quote",
    "QuoteAppearance",
    "QuoteRecord",
    "exclusive_quote_evidence",
    "extract_quotes",
    "index_quotes",
    "quote_key",
    "told_to_outlet",
]

SUB_QUOTE_WORDS = 8  # a quote inside a longer one is the same quote from this many words on
_MAX_QUOTE_CHARS = 2000
_WINDOW = 400  # how far an attribution is looked for around a quote or a verb

# -- quotations ----------------------------------------------------------------------------

# Inside a quotation: anything but its own marks and a newline; a single newline is allowed
# (hard-wrapped copy), a blank line never.
_NL = r"\n(?![ \t\r]*\n)"
_IN_CURLY = rf"(?:[^“”\n]|{_NL}){{1,{_MAX_QUOTE_CHARS}}}"
_IN_GUILLEMETS = rf"(?:[^«»\n]|{_NL}){{1,{_MAX_QUOTE_CHARS}}}"
_IN_STRAIGHT = rf'(?:[^"\n]|{_NL}){{1,{_MAX_QUOTE_CHARS}}}'
_QUOTE = re.compile(
    "|".join(
        (
            rf"“(?P<a>{_IN_CURLY})”",
            rf"«(?P<b>{_IN_GUILLEMETS})»",
            # Straight quotes open before a non-space and close after one, never inside a
            # word, so inch marks and stray quotes pair up less often.
            rf'"(?<![\w"]")(?=[^\s"])(?P<c>{_IN_STRAIGHT})(?<=\S)"(?!\w)',
            # Single curly quotes double as apostrophes (“I’ve”): an ’ before a letter is an
            # apostrophe; only long single-quoted runs count (short ones are scare quotes).
            rf"‘(?<!\w‘)(?=\S)(?P<d>(?:[^‘’\n]|’(?=\w)|{_NL}){{20,{_MAX_QUOTE_CHARS}}})’(?!\w)",
        )
    )
)

# Sentence ends (as in copydesk.text.segment: "Mr." and initials are not ends) and blank
# lines. A single newline is not an end: quotes and sentences wrap in hard-wrapped copy.
# The punctuation comes first and the look-behinds after it: sre then tries them only at
# punctuation, not at every character.
_BOUNDARY = re.compile(
    r"[.!?](?<!\b[A-Z].)(?<!\bMr.)(?<!\bMrs.)(?<!\bMs.)(?<!\bDr.)(?<!\bSt.)(?<!\bNo.)"
    r"[.!?]*[\"'\u201d\u2019\u00bb)\]]*\s+(?=[\"'\u201c\u2018\u00ab(\[]?[A-Z0-9])"
    r"|\n[ \t\r]*\n\s*"
)
_BLANK_LINE = re.compile(r"\n[ \t\r]*\n")

# -- names ---------------------------------------------------------------------------------

_UP = "A-ZÀ-ÖØ-Þ"
_LO = "a-zß-öø-ÿ"
# Smith, McDonald, O’Brien, Smith-Jones; not all-capitals (READ MORE, BBC).
_NW = rf"[{_UP}](?:[{_LO}]+(?:[{_UP}][{_LO}]+)?|[’'][{_UP}][{_LO}]+)(?:-[{_UP}{_LO}][{_LO}]+)?"
_DOTTED_TITLE = r"(?:Mr|Mrs|Ms|Dr|Prof|Rev|Sen|Gov|Capt|Col|Sgt|Det|Insp|Supt|Gen|Lt)\.[ \t]+"
_PERSON = re.compile(
    rf"(?=[{_UP}])(?<![\w’'.@/-])(?:{_DOTTED_TITLE})?{_NW}(?:[ \t]+{_NW}){{0,4}}(?!\w|\.\w)"
)
_NAME_WORD = re.compile(_NW)
_WORD = re.compile(r"[\w’'-]+")
_SINGLE_AFTER = re.compile(rf"[ \t]+(?P<w>{_NW})(?!\w|\.\w)")


def _set(words: str) -> frozenset[str]:
    return frozenset(words.split())


_TITLES = _set(
    """Mr Mrs Ms Miss Mx Dr Prof Professor Sir Dame Lord Lady Councillor Cllr Judge Justice Rev
    Revd Reverend Father Canon Captain Capt Colonel Col Major Sergeant Sgt Inspector Insp Det
    Detective Chief Superintendent Supt Constable PC President Senator Sen Governor Gov Mayor
    Minister Chancellor Bishop Archbishop Rabbi Imam"""
)
# Capitalised words that start sentences or name no one.
_FUNCTION = _set(
    """The A An And But Or Nor So Yet If In On At As By For From To Of With Without When While
    Whilst After Before Since Until Although Though Because However Meanwhile Speaking Asked
    According Under Over Despite During This That These Those It Its He She They We I You His
    Her Their Our My Your There Here Then Now Yesterday Today Tonight Tomorrow Last Next One
    Two Three Four Five Every Each All Some Many Most Both Another Other Such What Who Where
    Why How Which Not No Yes Also Earlier Later Still Even Just Only Nobody Everyone Someone
    Anyone Read More Image Picture Photo Video Watch Please Thanks Dear"""
)
_CALENDAR = _set(
    """Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April
    June July August September October November December"""
)
_STOP = _FUNCTION | _CALENDAR
# A capitalised role in front of a name: "Vet Hannah Corwell", "Boss Gordon Pryce".
_ROLES = _set(
    """Farmer Vet Boss Zoologist Teacher Nurse Doctor Dad Mum Mother Grandmother Grandfather Gran
    Grandad Pensioner Student Retired Former Singer Actor Actress Star Chef Expert Campaigner
    Landlord Landlady Owner Manager Coach Striker Defender Midfielder Goalkeeper Skipper Driver
    Shopper Resident Leader Chairman Chairwoman Chair Director Spokesman Spokeswoman
    Spokesperson Engineer Scientist Researcher Economist Analyst Lawyer Barrister Solicitor
    Businessman Businesswoman Author Writer Presenter Journalist Reporter Photographer
    Historian Volunteer Fisherman Worker Trader Stallholder Pilot Surgeon Paramedic
    Firefighter Officer Consumer Local Veteran Tourist Witness Neighbour Organiser Founder
    Headteacher Principal Parent Wife Husband Son Daughter Brother Singer Rapper
    Comedian Influencer Entrepreneur Boxer Player Cyclist Runner Swimmer"""
)
# Last words that make a capitalised run a place, body or publication, not a person.
_NOT_PERSON_LAST = _set(
    """Council Court Airport Union Association Authority Ltd Limited Plc Group Party Club
    Street Road Lane Avenue Square Hospital Practice University College School Academy
    Church Cathedral Station Centre Center Park Bridge River Valley Moor Reservoir Hall
    House Office Department Ministry Agency Service Services Trust Foundation Institute
    Society Company Corporation Bank Board Committee Commission Police Force Army Navy
    Government Parliament Assembly News Times Post Echo Gazette Herald Mail Express
    Telegraph Guardian Mirror Sun Observer Journal Standard Press Dispatch Wire Radio
    Television Channel Media Network Water Energy Airlines Airways Rovers United City Town
    Athletic Stadium Market Festival Prize Award Awards Cup League Games Day Week Year
    Christmas Easter Store Stores Supermarket Pool Museum Gallery Theatre Cinema Library
    Castle Abbey Pier Harbour Port Beach Bay Coast Island Isle Lake Hill Hills Mountain Forest
    Wood Woods Farm Estate Works Mill Mills Way Close Drive Place Crescent Gardens Green
    Common Quay Quayside Wharf Dock Docks Railway Railways Rail Motors Handling Plus Kingdom
    Republic States Nations Traders Workers Members Team Unit Fund Project Campaign Alliance"""
)
_NOT_PERSON_FIRST = _set(
    """River Mount Lake Port Fort Saint St Lower Upper North South East West New Great Little
    Old Royal National Central Greater Daily Sunday Weekly Evening Morning"""
)
# A capitalised run right after one of these is a place or an addressee, not a speaker.
_NOT_BEFORE_PERSON = _set(
    "the a an at in on from near into to of outside inside across via towards"
)

# -- speech verbs and the outlets quotes are given to --------------------------------------

_VERBS = (
    "said|says|say|told|tells|added|adds|explained|explains|warned|warns|insisted|insists|"
    "claimed|admitted|admits|continued|stated|recalled|recalls|revealed|reveals|asked|asks|"
    "wrote|writes|declared|declares|replied|replies|noted|argued|argues|urged|confirmed|"
    "confirms|stressed|stresses|joked|jokes|agreed|agrees|predicted|predicts|conceded|"
    "concedes|announced|announces|exclaimed|suggested|suggests|acknowledged|remarked|"
    "responded|cautioned|spoke|speaks|vowed|vows"
)
# "..., adding: “…”": the subject is the one who was speaking already.
_PARTICIPLES = "saying|adding|insisting|explaining|warning|telling"


def _trie(words: Iterable[str]) -> str:
    """An alternation of words as a prefix tree: sre then tests one letter, not every word."""
    tree: dict[str, dict] = {}
    for word in words:
        node = tree
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict[str, dict]) -> str:
        alts = [re.escape(ch) + emit(sub) for ch, sub in sorted(node.items()) if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if "" in node else body

    return emit(tree)


_SPEECH_WORDS = _trie(_VERBS.split("|") + _PARTICIPLES.split("|"))
_SPEECH = re.compile(
    rf"(?<![\w’'])(?:(?P<verb>{_SPEECH_WORDS})|(?P<acc>[Aa]ccording[ \t]+to))(?![\w’'])"
)
_TOLD_VERBS = frozenset({"told", "tells", "telling"})
_PARTICIPLE_SET = frozenset(_PARTICIPLES.split("|"))
# "has been told", "is said to": passive, no speaker; "who asked ...": a relative clause.
_NOT_BEFORE_VERB = _set("been being was were is are be am who which that")
_ADVERBS = r"(?:(?:also|then|later|has|had|have|once|previously|\w+ly)[ \t]+)*"
_PRONOUNS = frozenset({"he", "she", "they", "we", "I", "He", "She", "They", "We"})
_ADVERB_WORDS = frozenset({"also", "then", "later", "has", "had", "have", "once", "previously"})
_PRONOUN_AFTER = re.compile(r"[ \t]+(?:he|she|they|we|I)(?!\w)")
_DIRECT_GAP = re.compile(rf"[ \t]+{_ADVERBS}")
# "Jo Bell, 71, from Ambrell, said" / "The secretary, Jo Bell, said"
_APPOSITIVE_GAP = re.compile(r",(?:[^“”\"\n]{0,160},)?[ \t]+" + _ADVERBS)
# Before a name that opens its clause: "But", "Retired postman", "union rep" (no commas).
_CLAUSE_OPENING = re.compile(r"[\s“‘\"«(]*(?:[\w’'-]+[ \t]+){0,4}")
_VERB_FIRST_GAP = re.compile(r"[\s,;:–—-]*")
# "said the group's founder, Jo Bell" / "said team captain Jo Bell"
_AFTER_VERB_NP = re.compile(
    r"[ \t]+(?:(?:the|a|an|its|their|his|her|our)\b[^“”\"\n.;:]{0,80}?,[ \t]*"
    r"|(?:[\w’'&.-]+[ \t]+){1,5})"
)
# Between a closing mark and the verb of its attribution: nothing, a pronoun, a name or a
# plain noun phrase ("“…,” the staff member said", "“…,” Mr Fenn told the Clarion").
_POST_GAP = re.compile(
    r"[\s,;:.!?–—-]*(?!(?:and|but|or|while|as|before|after|then|which|who|that|when|because|so)\b)"
    r"(?:(?:[\w’'&.-]+[ \t]+){0,7}[\w’'&.-]+(?:,[^“”\"\n;:]{0,100}?,)?"
    r"|(?:the|a|an|one|another|his|her|their|its|our)\b[^“”\"\n;:]{0,100}?)?[ \t]*" + _ADVERBS
)

_DOMAIN = r"[A-Za-z0-9][A-Za-z0-9-]*(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![\w-])"
_CAPW = r"[A-Z0-9][\w&-]*(?:[’'][A-Z]\w*)?"
_NAMED = (
    rf"[A-Z][\w&-]*(?:[’'][A-Z]\w*)?(?:(?:[ \t]+(?:of|and|&|on|the|for|de))*[ \t]+{_CAPW}){{0,5}}"
)


def _outlet(group: str) -> str:
    return rf"(?:the[ \t]+)?(?P<{group}>{_DOMAIN}|{_NAMED})"


_INTERVIEW = r"(?:in|during)[ \t]+an?[ \t]+(?:exclusive[ \t]+)?interview[ \t]+with"
_TOLD_AFTER = re.compile(rf"[ \t]+(?:exclusively[ \t]+)?{_outlet('x')}")
_SAID_AFTER = re.compile(rf"[ \t]+(?:exclusively[ \t]+)?(?:to|{_INTERVIEW})[ \t]+{_outlet('x')}")
_CLAUSE_TOLD = re.compile(
    rf"(?<!\w)(?:[Ss]peaking|[Tt]alking)[ \t]+(?:exclusively[ \t]+)?(?:to|with)[ \t]+"
    rf"{_outlet('x')}|(?<!\w)(?:[Ii]n|[Dd]uring)[ \t]+an?[ \t]+(?:exclusive[ \t]+)?"
    rf"interview[ \t]+with[ \t]+{_outlet('y')}"
)


# -- data ----------------------------------------------------------------------------------


def quote_key(text: str) -> str:
    """The matching key of a quotation: its case-folded words, typography and spacing gone."""
    return " ".join(words_of(text))


@dataclass(slots=True)
class Quote:
    """One quotation in an article; ``start``/``end`` span it with its marks."""

    text: str  # the quoted words as in the article, without the marks
    start: int
    end: int
    speaker: str | None = None  # whom the article attributes it to, when it names them
    told_to: str | None = None  # the outlet it was given to, when the article says so
    key: str = ""  # quote_key(text), filled in when left empty

    def __post_init__(self) -> None:
        if not self.key:
            self.key = quote_key(self.text)


@dataclass(slots=True)
class QuoteAppearance:
    """Where one article carries a quote."""

    article_id: str
    outlet: str | None
    published: datetime | None
    told_to: str | None
    start: int
    end: int


@dataclass(slots=True)
class QuoteRecord:
    """One quote across a collection: its first appearance and the later ones."""

    key: str  # the longest form's key when shorter forms were merged into it
    text: str  # as it first appeared
    speaker: str | None
    first: QuoteAppearance
    later: list[QuoteAppearance] = field(default_factory=list)
    exclusive_to: str | None = None  # the first outlet, when the quote was told to it


# -- analysis of one article ---------------------------------------------------------------


@dataclass(slots=True)
class _Mention:
    start: int
    end: int
    full: str | None  # "Gareth Fenn" (titles and roles dropped)
    surname: str | None  # for "Mr Fenn": "Fenn"
    display: str  # "Mr Fenn" as written
    used: bool = False  # the subject of a speech verb, or the outlet it was told to


@dataclass(slots=True)
class _Event:
    """A speech verb outside quotations, with its subject and the outlet addressed."""

    pos: int
    end: int
    sent: int
    kind: str  # "person" | "single" | "pronoun" | "anon"
    mention: _Mention | None = None
    single: str | None = None
    told: str | None = None
    attached: bool = False  # the attribution of a quotation
    speaker: str | None = None  # resolved in the sweep
    told_to: str | None = None


@dataclass(slots=True)
class _Span:
    start: int
    end: int
    text: str
    words: int
    event: _Event | None = None
    source: str = ""  # "post" | "pre" | "inherited" | ""
    speaker: str | None = None
    told_to: str | None = None


def _prev_word(text: str, pos: int) -> str:
    """The word right before ``pos`` when only spaces or tabs separate them, else ""."""
    j = pos
    while j > 0 and text[j - 1] in " \t":
        j -= 1
    if j == pos:
        return ""
    i = j
    while i > 0 and i > j - 30 and (text[i - 1].isalnum() or text[i - 1] == "_"):
        i -= 1
    return text[i:j]


def _subject_word(text: str, lo: int, pos: int) -> tuple[int, str] | None:
    """The word before a verb at ``pos``, past adverbs ("he also said"): (start, word)."""
    for _ in range(4):
        j = pos
        while j > lo and text[j - 1] in " \t":
            j -= 1
        if j == pos:
            return None
        i = j
        while i > lo and i > j - 40 and (text[i - 1].isalnum() or text[i - 1] in "’'-_"):
            i -= 1
        word = text[i:j]
        if not word or (i > lo and not text[i - 1].isspace() and text[i - 1] not in '“‘"(«'):
            return None
        if word not in _ADVERB_WORDS and not (word.endswith("ly") and word.islower()):
            return i, word
        pos = i
    return None


def _subject_word_after(text: str, lo: int, hi: int) -> tuple[int, str] | None:
    """The first word of a sentence starting at ``lo`` (past a "But" or an opening mark)."""
    for m in _WORD.finditer(text, lo, hi):
        if m.group() not in {"But", "And", "So", "Yet", "Then"}:
            return m.start(), m.group()
    return None


class _Article:
    """Sentence bounds, name mentions and speech verbs of one text, outside its quotes."""

    def __init__(self, text: str, spans: list[_Span]) -> None:
        self.text = text
        # Nothing past the last quotation's attribution matters.
        self.limit = limit = min(len(text), spans[-1].end + 2 * _WINDOW) if spans else 0
        self.spans = spans
        self.q_starts = [s.start for s in spans]
        self.q_ends = [s.end for s in spans]
        b_starts: list[int] = []
        b_ends: list[int] = []
        for m in _BOUNDARY.finditer(text, 0, limit):
            i = self._quote_at(m.start())
            if i >= 0 and m.end() <= self.q_ends[i]:
                continue  # a sentence end inside a quotation
            b_starts.append(m.start())
            b_ends.append(m.end())
        self.b_starts = b_starts
        self.b_ends = b_ends

    def _quote_at(self, pos: int) -> int:
        i = bisect_right(self.q_starts, pos) - 1
        return i if i >= 0 and pos < self.q_ends[i] else -1

    def sentence(self, pos: int) -> int:
        return bisect_right(self.b_ends, pos)

    def clause(self, pos: int) -> tuple[int, int]:
        """From the sentence start or the last quote before ``pos`` to the next of either."""
        i = bisect_right(self.b_ends, pos)
        lo = self.b_ends[i - 1] if i else 0
        hi = self.b_starts[i] if i < len(self.b_starts) else len(self.text)
        hi = max(hi, pos)  # a sentence end that straddles pos (".” Then") ends the clause here
        j = bisect_right(self.q_ends, pos) - 1
        if j >= 0:
            lo = max(lo, self.q_ends[j])
        k = bisect_left(self.q_starts, pos)
        if k < len(self.q_starts):
            hi = min(hi, self.q_starts[k])
        return max(lo, pos - _WINDOW), min(hi, pos + _WINDOW)

    # -- mentions of people

    def mentions(self) -> list[_Mention]:
        text = self.text
        out: list[_Mention] = []
        for m in _PERSON.finditer(text, 0, self.limit):
            start = m.start()
            if self._quote_at(start) >= 0:
                continue
            found = m.group()
            if " " not in found and "\t" not in found:
                continue  # one capitalised word: a sentence opening more often than a name
            if _prev_word(text, start) in _NOT_BEFORE_PERSON:
                continue
            words = [w.rstrip(".") for w in found.split()]
            mention = self._person(words, start, m.end())
            if mention:
                out.append(mention)
        return out

    def _person(self, words: list[str], start: int, end: int) -> _Mention | None:
        if words[0] in {"The", "A", "An"}:
            return None  # "The Rural Transport Forum": a body, not a person
        at_start = self._at_sentence_start(start)
        while words and words[0] in _STOP:
            words.pop(0)
            at_start = False
        titles = [w for w in words if w in _TITLES]
        names = [w for w in words if w not in _TITLES]
        if titles and words[-1] not in _TITLES:
            # "Deputy Prime Minister John Prescott", "Zoologist Dr Martin Howse"
            last = max(i for i, w in enumerate(words) if w in _TITLES)
            names = words[last + 1 :]
        if len(names) >= 2 and names[0] in _ROLES:
            names.pop(0)
        elif len(names) >= 3 and at_start and not titles:
            names.pop(0)  # "Zoologist Martin Howse": a capitalised role opening the sentence
        if not names or names[-1] in _NOT_PERSON_LAST or names[0] in _NOT_PERSON_FIRST:
            return None
        if any(w in _CALENDAR for w in names):
            return None
        if len(names) >= 2:
            full = " ".join(names if len(names) <= 3 else names[-2:])
            return _Mention(start, end, full, None, full)
        if titles:
            return _Mention(start, end, None, names[0], f"{titles[-1]} {names[0]}")
        return None

    def _at_sentence_start(self, pos: int) -> bool:
        text = self.text
        while pos > 0 and text[pos - 1] in ' \t“‘"«(':
            pos -= 1
        if pos == 0 or text[pos - 1] in "\n.!?":
            return True
        return text[pos - 1] in '”’")»' and pos > 1 and text[pos - 2] in ".!?"

    # -- speech verbs

    def events(self, mentions: list[_Mention]) -> list[_Event]:
        text = self.text
        m_starts = [m.start for m in mentions]
        out: list[_Event] = []
        for m in _SPEECH.finditer(text, 0, self.limit):
            pos, end = m.start(), m.end()
            if self._quote_at(pos) >= 0:
                continue
            if _prev_word(text, pos).lower() in _NOT_BEFORE_VERB:
                continue
            lo, hi = self.clause(pos)
            event = _Event(pos, end, self.sentence(pos), "anon")
            if m.group("acc"):
                self._according_to(event, end, hi)
                out.append(event)
                continue
            verb = m.group("verb")
            j = bisect_right(self.q_ends, pos) - 1
            if verb in _PARTICIPLE_SET:
                self._participle_subject(event, out, mentions, m_starts)
            elif (
                j >= 0
                and self.q_ends[j] >= lo
                and _VERB_FIRST_GAP.fullmatch(text, self.q_ends[j], pos)
            ):
                self._subject_after(event, end, hi, mentions, m_starts)  # “…,” said Jo Bell
            else:
                self._subject_before(event, lo, mentions, m_starts)
            event.told = self._told_to(verb, end, lo, hi, mentions, m_starts)
            out.append(event)
        return out

    def _according_to(self, event: _Event, end: int, hi: int) -> None:
        """The name right after "according to": "according to Jo Bell", "... to Bell"."""
        text = self.text
        start = end
        while start < hi and text[start] in " \t":
            start += 1
        found = _PERSON.match(text, start, hi)
        if found is None:
            return
        words = [w.rstrip(".") for w in found.group().split()]
        mention = self._person(words, start, found.end())
        if mention is not None:
            event.kind, event.mention = "person", mention
        elif len(words) == 1 and words[0] not in _FUNCTION | _NOT_PERSON_LAST:
            event.kind, event.single = "single", words[0]

    def _subject_after(
        self, event: _Event, end: int, hi: int, mentions: list[_Mention], m_starts: list[int]
    ) -> None:
        text = self.text
        if _PRONOUN_AFTER.match(text, end, hi):
            event.kind = "pronoun"
            return
        i = bisect_left(m_starts, end)
        if i < len(mentions) and mentions[i].start < hi:
            mention = mentions[i]
            if _DIRECT_GAP.fullmatch(text, end, mention.start) or _AFTER_VERB_NP.fullmatch(
                text, end, mention.start
            ):
                event.kind, event.mention = "person", mention
                mention.used = True
                return
        single = _SINGLE_AFTER.match(text, end, hi)
        if single and self._lone_name(single.group("w"), single.start("w")):
            event.kind, event.single = "single", single.group("w")

    def _subject_before(
        self, event: _Event, lo: int, mentions: list[_Mention], m_starts: list[int]
    ) -> None:
        text = self.text
        pos = event.pos
        before = _subject_word(text, lo, pos)
        if before is not None and before[1] in _PRONOUNS:
            event.kind = "pronoun"
            return
        first = bisect_left(m_starts, lo)
        last = bisect_left(m_starts, pos) - 1
        chosen = None
        if last >= first and _DIRECT_GAP.fullmatch(text, mentions[last].end, pos):
            chosen = mentions[last]  # Jo Bell said / union rep Jo Bell told
        elif last >= first:
            # The clause's first name, when it is the subject: "Jo Bell, who ..., said",
            # "Jo Bell of the residents' group said"; never across another speech verb.
            mention = mentions[first]
            opens = _CLAUSE_OPENING.fullmatch(text, lo, mention.start)
            if (opens or _APPOSITIVE_GAP.fullmatch(text, mention.end, pos)) and not _SPEECH.search(
                text, mention.end, pos
            ):
                chosen = mention
        if chosen is not None:
            event.kind, event.mention = "person", chosen
            chosen.used = True
            return
        if (
            before is not None
            and _NAME_WORD.fullmatch(before[1])
            and self._lone_name(before[1], before[0])
        ):
            event.kind, event.single = "single", before[1]

    def _participle_subject(
        self, event: _Event, earlier: list[_Event], mentions: list[_Mention], m_starts: list[int]
    ) -> None:
        """In "X said ..., adding: “…”", the sentence's speaker so far, else its subject."""
        if earlier and earlier[-1].sent == event.sent:
            event.kind = "pronoun"  # the same speaker as the sentence's verb before it
            return
        i = bisect_right(self.b_ends, event.pos)
        lo = max(self.b_ends[i - 1] if i else 0, event.pos - _WINDOW)
        opening = _subject_word_after(self.text, lo, event.pos)
        if opening is None:
            return
        start, word = opening
        k = bisect_left(m_starts, start)
        if k < len(mentions) and mentions[k].start == start:
            event.kind, event.mention = "person", mentions[k]
            mentions[k].used = True
        elif word in _PRONOUNS:
            event.kind = "pronoun"
        elif _NAME_WORD.fullmatch(word) and word not in _FUNCTION | _NOT_PERSON_LAST:
            event.kind, event.single = "single", word

    def _lone_name(self, word: str, start: int) -> bool:
        """A capitalised word standing alone as a speaker: "Smith said", not "Council said"."""
        if word in _FUNCTION or word in _NOT_PERSON_LAST or word in _TITLES:
            return False
        before = _prev_word(self.text, start)
        if not before:
            return True
        return before not in _NOT_BEFORE_PERSON and (before[0].islower() or before in _FUNCTION)

    def _told_to(
        self,
        verb: str,
        end: int,
        lo: int,
        hi: int,
        mentions: list[_Mention],
        m_starts: list[int],
    ) -> str | None:
        after = (_TOLD_AFTER if verb in _TOLD_VERBS else _SAID_AFTER).match(self.text, end, hi)
        m = after
        if m is None:
            clause = self.text[lo:hi]
            if "peaking" in clause or "alking" in clause or "nterview" in clause:
                m = _CLAUSE_TOLD.search(self.text, lo, hi)
        if not m:
            return None
        group = "x" if m.group("x") else "y"
        start, stop = m.span(group)
        # The outlet is no one's antecedent: "told Sky News" names no speaker.
        for i in range(bisect_left(m_starts, start), len(mentions)):
            if mentions[i].start >= stop:
                break
            mentions[i].used = True
        return _trim_outlet(m.group(group))


_ON_SUNDAY = frozenset({"Mail", "Independent", "Scotland", "Wales"})  # "Mail on Sunday"


def _trim_outlet(name: str) -> str:
    """Drop a trailing day: "Sky News on Monday" → "Sky News" (not "Mail on Sunday")."""
    words = name.split()
    while (
        len(words) >= 3
        and words[-2] == "on"
        and words[-1] in _CALENDAR
        and not (words[-1] == "Sunday" and words[-3] in _ON_SUNDAY)
    ):
        del words[-2:]
    return name if len(words) == len(name.split()) else " ".join(words)


def _resolve(event: _Event, surnames: dict[str, str]) -> str | None:
    mention = event.mention
    if mention is not None:
        return _mention_name(mention, surnames)
    if event.single:
        return surnames.get(event.single, event.single)
    return None


def _mention_name(mention: _Mention, surnames: dict[str, str]) -> str:
    if mention.full:
        surnames[mention.full.rsplit(" ", 1)[-1]] = mention.full
        return mention.full
    return surnames.get(mention.surname or "", mention.display)


def _sweep(art: _Article, mentions: list[_Mention], events: list[_Event]) -> None:
    """Resolve pronouns in reading order: the last person named (or speaking) before them."""
    items: list[tuple[int, int, _Mention | _Event]] = [(m.start, 0, m) for m in mentions]
    items += [(e.pos, 1, e) for e in events]
    items.sort(key=lambda item: (item[0], item[1]))
    quoted = {art.sentence(span.start) for span in art.spans}
    surnames: dict[str, str] = {}
    speaker: str | None = None
    told: str | None = None
    sent = -10
    from_event = False
    for pos, _, item in items:
        if isinstance(item, _Mention):
            if item.used:
                if item.full:
                    _mention_name(item, surnames)  # still the full name "Mr X" refers to
                continue
            speaker, told, sent, from_event = (
                _mention_name(item, surnames),
                None,
                art.sentence(pos),
                False,
            )
            continue
        if item.kind == "anon" and not (
            item.attached or item.told is not None or item.sent in quoted
        ):
            continue  # "Shoppers urged to ..." (a headline), not someone being quoted
        if item.kind == "pronoun":
            item.speaker = speaker
            near = from_event and item.sent - sent <= 1
            item.told_to = item.told or (told if near else None)
        else:
            item.speaker = _resolve(item, surnames)
            item.told_to = item.told
        speaker, told, sent, from_event = item.speaker, item.told_to, item.sent, True


def _spans(text: str) -> list[_Span]:
    out: list[_Span] = []
    for m in _QUOTE.finditer(text):
        group = m.lastgroup or "a"
        inner = m.group(group).strip()
        if inner.endswith(","):
            inner = inner[:-1].rstrip()
        out.append(_Span(m.start(), m.end(), inner, len(words_of(inner))))
    return out


def _attach(art: _Article, events: list[_Event]) -> None:
    """Which speech verb attributes each quotation (before pronouns are resolved)."""
    text = art.text
    positions = [e.pos for e in events]
    spans = art.spans
    for n, span in enumerate(spans):
        # After the closing mark: “…,” he said / said Jo Bell / the staff member said.
        _, hi = art.clause(span.end)
        i = bisect_left(positions, span.end)
        if (
            i < len(events)
            and events[i].pos < hi
            and _POST_GAP.fullmatch(text, span.end, events[i].pos)
        ):
            span.event, span.source = events[i], "post"
        else:
            # Before the opening mark, in the same clause: Jo Bell told the Clarion: “…”.
            lo, _ = art.clause(span.start)
            j = bisect_left(positions, span.start) - 1
            if j >= 0 and events[j].pos >= lo:
                span.event, span.source = events[j], "pre"
        if span.event is not None:
            span.event.attached = True
        elif n and _continues(art, spans[n - 1], span, positions):
            span.source = "inherited"


def _fill(spans: list[_Span]) -> None:
    for n, span in enumerate(spans):
        if span.event is not None:
            span.speaker, span.told_to = span.event.speaker, span.event.told_to
        elif span.source == "inherited":
            span.speaker, span.told_to = spans[n - 1].speaker, spans[n - 1].told_to


def _continues(art: _Article, prev: _Span, span: _Span, positions: list[int]) -> bool:
    """A quote split by its attribution (“A,” he said. “B.”) or run on (said: “A.” “B.”)."""
    if not prev.source or span.start - prev.end > 160:
        return False
    if _BLANK_LINE.search(art.text, prev.end, span.start):
        return False
    between = positions[bisect_left(positions, prev.end) : bisect_left(positions, span.start)]
    allowed = {prev.event.pos} if prev.event is not None and prev.source == "post" else set()
    return set(between) <= allowed


def extract_quotes(text: str, *, min_words: int = 6) -> list[Quote]:
    """Quotations of at least ``min_words`` words (at least one), in text order.

    Marks: “…”, "…", «…», and ‘…’ for long runs (20 characters or more). A quotation may
    wrap over a single newline but never runs past a blank line. Each is attributed (see
    the module docstring); a quote split by its attribution gives two quotes with the same
    speaker and outlet. Shorter quotations are not returned but still bound the context.
    """
    spans = _spans(text)
    least = max(1, min_words)
    if not any(s.words >= least for s in spans):
        return []
    art = _Article(text, spans)
    mentions = art.mentions()
    events = art.events(mentions)
    _attach(art, events)
    _sweep(art, mentions, events)
    _fill(spans)
    return [Quote(s.text, s.start, s.end, s.speaker, s.told_to) for s in spans if s.words >= least]


# -- outlets -------------------------------------------------------------------------------

_LEADING_THE = re.compile(r"^the(?:\s+|$)", re.IGNORECASE)
_SCHEME = re.compile(r"^(?:https?://)?(?:www\.)?", re.IGNORECASE)
_NAME_NOISE = re.compile(r"[\s.\-_’']+")


def _norm(name: str) -> str:
    name = _LEADING_THE.sub("", _SCHEME.sub("", name.strip()))
    return _NAME_NOISE.sub("", name.lower())


def _registered_label(domain: str) -> str:
    """``dailyclarion.com`` → ``dailyclarion``, ``news.bbc.co.uk`` → ``bbc`` (roughly)."""
    labels = [x for x in _SCHEME.sub("", domain.strip().lower()).split("/")[0].split(".") if x]
    dropped = 0
    while len(labels) > 1 and dropped < 2 and len(labels[-1]) <= 3:
        labels.pop()
        dropped += 1
    return labels[-1] if labels else ""


def told_to_outlet(told_to: str, outlet: str | None, outlet_name: str | None) -> bool:
    """Does ``told_to`` name this outlet, by its domain or by the name it goes by?

    Case-insensitive; a leading "the", dots, spaces and hyphens are ignored, so
    "Express.co.uk" names express.co.uk and "the Daily Clarion" names "Daily Clarion".
    A domain also answers to its registered name: "Daily Clarion" names dailyclarion.com.
    """
    said = _norm(told_to or "")
    if not said:
        return False
    if outlet:
        if said == _norm(outlet):
            return True
        if "." in outlet and said == _NAME_NOISE.sub("", _registered_label(outlet)):
            return True
    return bool(outlet_name) and said == _norm(outlet_name or "")


# -- across articles -----------------------------------------------------------------------


def _when(published: datetime | None, order: int) -> tuple[int, float, int]:
    if published is None:
        return (1, 0.0, order)
    if published.tzinfo is None:
        published = published.replace(tzinfo=UTC)
    return (0, published.timestamp(), order)


def _canonical(keys: Iterable[str]) -> dict[str, str]:
    """Each key inside a longer key (from SUB_QUOTE_WORDS words) → the longest such key.

    Keys are indexed by their first SUB_QUOTE_WORDS-word shingle; every shingle of every
    key is looked up once, so the cost is linear in the words plus the true hits.
    """
    n = SUB_QUOTE_WORDS
    words = {k: k.split() for k in keys}
    by_head: dict[tuple[str, ...], list[str]] = {}
    for key, ws in words.items():
        if len(ws) >= n:
            by_head.setdefault(tuple(ws[:n]), []).append(key)
    if not by_head:
        return {}
    out: dict[str, str] = {}
    for key, ws in words.items():
        for i in range(len(ws) - n + 1):
            for short in by_head.get(tuple(ws[i : i + n]), ()):
                sw = words[short]
                if len(sw) >= len(ws) or ws[i : i + len(sw)] != sw:
                    continue
                best = out.get(short)
                if best is None or len(words[best]) < len(ws):
                    out[short] = key
    return out


def index_quotes(
    articles: Iterable[tuple[str, str | None, str | None, datetime | None, str]],
    *,
    min_words: int = 6,
) -> dict[str, QuoteRecord]:
    """Every quote of a collection, by key: where it appeared first and where later.

    Items are ``(article_id, outlet, outlet_name, published, text)``. The first appearance
    is the earliest published (undated articles after dated ones; ties keep input order).
    Quotes match by ``key``; a quote of at least SUB_QUOTE_WORDS words found word for word
    inside a longer one is the same quote, filed under the longest form's key. One article
    gives one appearance per quote (the one that says whom it was told to, if any).
    ``exclusive_to`` is set when the first appearance says the quote was told to the
    first article's own outlet (see ``told_to_outlet``).
    """
    items = list(articles)
    order = sorted(range(len(items)), key=lambda i: _when(items[i][3], i))
    found: list[tuple[int, Quote]] = []
    for i in order:
        found.extend((i, q) for q in extract_quotes(items[i][4], min_words=min_words) if q.key)
    canonical = _canonical({q.key for _, q in found})
    groups: dict[str, dict[int, Quote]] = {}
    for i, q in found:
        per_article = groups.setdefault(canonical.get(q.key, q.key), {})
        held = per_article.get(i)
        if held is None or (held.told_to is None and q.told_to is not None):
            per_article[i] = q
    records: dict[str, QuoteRecord] = {}
    for key, per_article in groups.items():
        appearances = []
        for i, q in per_article.items():  # in order of publication: dicts keep insertion
            article_id, outlet, _, published, _ = items[i]
            appearances.append(
                QuoteAppearance(article_id, outlet, published, q.told_to, q.start, q.end)
            )
        first_index, first_quote = next(iter(per_article.items()))
        speaker = next((q.speaker for q in per_article.values() if q.speaker), None)
        first = appearances[0]
        _, outlet, outlet_name, _, _ = items[first_index]
        exclusive = None
        if first.told_to and told_to_outlet(first.told_to, outlet, outlet_name):
            exclusive = outlet or outlet_name
        records[key] = QuoteRecord(
            key=key,
            text=first_quote.text,
            speaker=speaker,
            first=first,
            later=appearances[1:],
            exclusive_to=exclusive,
        )
    return records


def exclusive_quote_evidence(
    record: QuoteRecord, appearance: QuoteAppearance, credited: bool
) -> Evidence | None:
    """``exclusive_quote`` evidence when another outlet carries an exclusive quote uncredited.

    None when the quote is not exclusive, when ``credited`` (the caller found the origin
    outlet credited), when the appearance is the first one or in the origin outlet, or
    when the appearance itself says the quote was told to the origin outlet.
    """
    origin = record.exclusive_to
    if origin is None or credited:
        return None
    if appearance.article_id == record.first.article_id:
        return None
    if appearance.outlet and _norm(appearance.outlet) == _norm(origin):
        return None
    if appearance.told_to and told_to_outlet(appearance.told_to, origin, None):
        return None
    return Evidence(
        kind="exclusive_quote",
        text=record.text[:200],
        article_start=appearance.start,
        article_end=appearance.end,
        data={
            "outlet_of_origin": origin,
            "first_article": record.first.article_id,
            "speaker": record.speaker,
        },
    )

"""Signals seen in one article alone: cut credits and leftover rewriting-prompt text.

A copy that cut its source's name out of a credit ("... told Express.co.uk ...") often
leaves the sentence broken around the gap. ``dangling_attribution`` looks for those breaks
(``data["rule"]`` names the rule that fired):

- ``told_quote``: active "told" (not "was told") straight before a quotation that opens on
  a capital ("He told “From my perspective"), a colon ("told: “..."), punctuation set off
  by a space ("told , adding"), a stranded "the" ("told the that") or "'s" ("told's Today").
- ``told_end``: an attribution that ends on "told": "“...,” a spokesman told." / ", he
  told, adding ..." (after a comma only, or "He told." alone: "the story he told." and
  "their fitness eventually told." are normal English).
- ``told_clause``: active "told" followed by a clause with no one told: (determiner +) 1-3
  lower-case words + finite verb ("told the move would be a mistake", "told progress had
  been made"), a name + finite verb ("told Mr Hartley had"), a subject pronoun ("told he
  hoped", "told there were"), "told it would", "told that he ...". Not when an audience
  comes first ("told the court the ...", "told a news conference taxes were ...", "told
  the BBC the ...", "told the panel it ..."), nor in relative clauses ("what he told the
  players was", "the lies he told Parliament were").
- ``told_when_that``: "told on Monday that", "told in an interview that", "told yesterday:".
- ``prep_hole``: a preposition of attribution followed by punctuation instead of a name
  ("according to ,", "in an interview with .", "reported by ,", "said in a statement to .",
  "when contacted by ,", "according to the ."). For "speaking to" and the like only with a
  space before the punctuation or where a participle phrase starts ("Speaking to, he
  said", "Mr Ruddock, speaking to, said"): "who he was speaking to." is normal English.
- ``missing_subject``: a subordinator with a finite reporting verb and no subject
  ("– although has been told that", "because understands that", "as exclusively revealed
  last week"), a sentence that opens on the verb ("Has been told that", "Has contacted"),
  or a lone comma or dash before "has been told that" (", has been told that"; not
  "The mill, which ..., has been told that", where the commas close a parenthesis).
  Coordinations ("..., but was told there were") share the earlier subject: not flagged.

Passive "told" ("He was told the move would fail", "we're told", "as he was told."), "all
told" and "as told by" are normal English and never flagged.

``prompt_leftovers`` finds text a language model adds when asked to rewrite an article
("Here is a rewritten version", "As an AI language model", "I hope this helps!" closing a
line, "Let me know if you'd like any changes"); its phrases are specific enough that real
reporting, quotes included, does not use them ("in conclusion," alone is not enough).

All functions are pure and return :class:`~copydesk.model.Evidence` with character offsets
into ``text`` such that ``text[ev.article_start:ev.article_end] == ev.text``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from copydesk.model import Evidence

__all__ = ["dangling_attribution", "prompt_leftovers", "signals"]

DANGLING = "dangling_attribution"
PROMPT = "prompt_leftover"

_APOS = "['’]"
_OPEN_QUOTE = "\"“‘'«"
_CLOSE_QUOTE = "\"”’'»"


def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


# --- what comes before "told" --------------------------------------------------------------

# Passive "was told", "we're told", "get told": the subject is the one told, nothing is cut.
_BE = _wordset(
    "am is are was were be been being get gets got getting gotten isn't aren't wasn't weren't"
)
_BE_CONTRACTION = re.compile(r"\w[’'](?:re|m|s)$")
# Adverbs that sit between the auxiliary and the participle ("was later told").
_SKIPPABLE = _wordset(
    "not never also later then already just first once still since only all both each "
    "reportedly apparently allegedly repeatedly previously subsequently initially "
    "eventually recently formally officially privately publicly personally separately "
    "directly simply clearly specifically explicitly"
)
_WORD_BACK = re.compile(r"[A-Za-z][\w’'-]*")
# Wire copy is hard-wrapped: a line end is no stop, a blank line is.
_CLAUSE_STOP = re.compile(r"[.!?;:\"“”()]|\n[ \t]*\n")


def _words_before(text: str, pos: int, limit: int = 100) -> list[str]:
    """The words of the clause before ``pos``, last first, lower case."""
    lo = max(0, pos - limit)
    window = text[lo:pos]
    stops = [m.end() for m in _CLAUSE_STOP.finditer(window)]
    if stops:
        window = window[stops[-1] :]
    return [w.lower() for w in reversed(_WORD_BACK.findall(window))]


def _passive_or_idiom(before: list[str]) -> bool:
    """True when "told" after the words ``before`` (last first) is passive ("was told"),
    "all told" or "as told"."""
    if not before:
        return False
    if before[0] in ("all", "as", "untold", "retold", "foretold"):
        return True
    for word in before[:4]:
        if word in _BE or _BE_CONTRACTION.search(word):
            return True
        if word not in _SKIPPABLE and not word.endswith("ly"):
            break
    # "contacted and told that ...": a passive coordinated with an earlier one.
    if before[0] in ("and", "or", "but", "then"):
        return any(w in _BE for w in before[1:14])
    return False


# --- dangling attribution: the rules -------------------------------------------------------

_FINITE = (
    r"(?:would|will|was|is|were|are|had|has|have|could|can|should|may|might|must|did|"
    r"does|won['’]t|wouldn['’]t|isn['’]t|wasn['’]t)"
)
# Words that cannot be a plain noun phrase: if one is between "told the" and the verb, the
# phrase after "told" is (or may be) its indirect object ("told the panel it would").
_NOT_NP = _wordset(
    """
    the a an this that these those it its he she they we i you him her them us me his their
    our my your who whom whose which what there here and or but nor so yet if as than then
    to of in on at by for with from about into onto over under after before during since
    until while because although though when where whether yesterday today tonight
    tomorrow earlier later last next recently now not never also already still just only
    again once twice monday tuesday wednesday thursday friday saturday sunday week weeks
    month months year years morning afternoon evening night everyone everybody anyone anybody
    nobody someone somebody people
    """
)
# Nouns that name an audience: "told the court the ..." is normal English (the object is
# the court; "that" is left out), and so is "told a news conference taxes were ...".
_ADDRESSEES = _wordset(
    """
    court courts jury judge judges magistrate magistrates coroner sheriff tribunal inquest
    inquiry hearing committee subcommittee panel commission commissioners board meeting
    meetings conference conferences convention congress parliament commons lords senate
    house assembly council chamber summit forum seminar symposium session sessions briefing
    gathering rally audience audiences crowd crowds delegates delegation members member
    shareholders stockholders investors analysts bankers traders reporters journalists
    correspondents press media newspaper newspapers paper papers magazine journal agency
    station channel programme program show broadcaster network website site radio
    television tv viewers listeners readers public nation country people voters electors
    citizens residents fans supporters players squad team club union unions workers
    employees staff officials official officers ministers minister government governments
    cabinet party leaders leader chairman president colleagues colleague delegates
    diplomats envoys ambassador legislators lawmakers senators congressmen mps peers
    councillors students pupils children parents family families relatives friends friend
    wife husband mother father son daughter brother sister boss bosses manager managers
    police detectives investigators officers inspectors regulators authorities agents
    company companies firm firms bank banks exchange exchanges bourse market markets group
    groups organisation organization association federation institute society
    gatherings reception dinner luncheon lunch breakfast parade congregation class
    listeners doctors nurses patients victim victims court's jurors lawyer lawyers
    attorney attorneys counsel prosecutors prosecutor defence defense client clients
    customers creditors lenders banks suppliers partners buyers sellers bidders
    subscribers user users audience's man woman men women boy girl boys girls person
    persons caller callers interviewer interviewers
    """
)

_WORD_CHAR = re.compile(r"[\w’'-]")


def _boundary(text: str, start: int, end: int) -> bool:
    """True when ``text[start:end]`` is a whole word (regexes here avoid a leading ``\b``,
    which makes Python's ``re`` scan far slower than a literal prefix does)."""
    return _starts_word(text, start) and (end >= len(text) or not text[end].isalnum())


_TOLD = re.compile("told")

# "told “From ...", "told: ...", "told. “...", "told , ...".
_AFTER_TOLD_QUOTE = re.compile(
    rf"\s*(?:(?P<stop>[,.])\s*|:\s*)?[{_OPEN_QUOTE}](?=\s?[A-Z])"  # opening quote, capital
    r"|\s*:"  # a colon: "told: the move ..."
    r"|\s+(?:the\s*)?[,.;:](?!\d)"  # "told , adding", "told the ." : the name was cut
    r"|\s+the\s+that\b"  # "told the that": the determiner survived its noun
    r"|['’]s\s"  # "told's Today programme": the possessive survived its owner
)
# A title in quotes ("told 'Newsnight' that"): the quote closes soon and the sentence goes on.
_QUOTED_TITLE = re.compile(rf"[^{_CLOSE_QUOTE}\n]{{1,40}}[{_CLOSE_QUOTE}]\s+(?:that|on|in)\b")

# "told the move would", "told progress had": (determiner,) 1-3 plain words, finite verb.
# After a determiner a capitalised first word is a name ("told the BBC ...") unless it looks
# like a nationality ("the Russian attack").
_AFTER_TOLD_CLAUSE = re.compile(
    r"\s+(?P<det>(?:the|a|an|this|that|these|those|his|their|its|our|my)\s+)?"
    r"(?P<np>(?:[a-z][a-z’'-]*|(?P<nation>[A-Z][a-z]+(?:an|ish|ese|i|ch|ic)))"
    r"(?:\s+[a-z][a-z’'-]*){0,2})"
    rf"\s+{_FINITE}\b"
)
# Titles that look like nationalities: "told the Guardian ministers were ...".
_NATION_NAMES = _wordset("guardian australian scotsman statesman")
# "told Mr Blair had", "told Parliament was": a name, then a verb, nothing in between.
_AFTER_TOLD_NAME = re.compile(
    r"\s+(?:(?:Mr|Mrs|Ms|Miss|Dr|Sir|Lord|Lady|Prof)\.?\s+)?[A-Z][\w’'-]*"
    rf"\s+{_FINITE}\b"
)
# "told he hoped", "told there were": a subject pronoun cannot be the one told.
_AFTER_TOLD_SUBJECT = re.compile(r"\s+(?:he|she|they|we|I|there)\s+[a-z]")
# Words that may open a clause before "he told ...": otherwise "the man I told he could go"
# (a relative clause whose object is "the man") is possible.
_CLAUSE_OPENERS = _wordset(
    "and but so then when as because while although though if since after before that said "
    "says added adds later earlier also yesterday today once until unless whether"
)
_PRONOUN_AFTER_WORD = re.compile(
    r"([A-Za-z][\w’'-]*)[ \t\n]+(?:I|[Ww]e|[Yy]ou|[Tt]hey|[Hh]e|[Ss]he)\s+\Z"
)
# "told it would", "told that he had": a clause straight after "told".
# ("told that story", "told that to the jury", "told that meeting ...": "that" is the object
# or points to it; those are left alone.)
_AFTER_TOLD_PRONOUN_CLAUSE = re.compile(
    rf"\s+(?:it|this)\s+{_FINITE}\b"
    r"|\s+that\s+(?!(?:story|stories|tale|tales|joke|lie|lies|one|version|anecdote|much|same|"
    r"particular|to|in|on|at|by|for|with|way|day|night|week|time|morning|evening)\b)"
    r"[A-Za-z“\"‘'][\w’'-]*"
)
# "told on Monday that", "told yesterday: ...": no addressee before the time or the clause.
_AFTER_TOLD_WHEN = re.compile(
    r"\s+(?:on\s+(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)|yesterday|"
    r"today|earlier|last\s+(?:week|night|month|year)|in\s+(?:an?\s+(?:exclusive\s+)?interview|"
    r"\d{4}))"
    r"\s*(?:that\s+(?!(?:was|is|were|are|had|has|will|would|aired|appeared|ran)\b)|:|"
    r",\s*[“\"‘]\s?[A-Z])"
)
# Relative clauses: "what he told the players was" (the object came first).
_RELATIVE = _wordset("what whatever all everything anything nothing something way")
# ", has been told that" / " – was told that": checked just before a passive "told that".
_SEPARATOR_BEFORE = re.compile(r"(?P<sep>,|\s[–—-])\s+(?:(?:has|have|had)\s+been|was|were)\s+$")
_THAT = re.compile(r"\s+that\b")
_SENTENCE_BACK = re.compile(r"[.!?\n]")
_DASH = re.compile(r"[–—]|\s-\s")


def _separator_unpaired(text: str, sep_pos: int) -> bool:
    """True when no comma or dash comes earlier in the sentence: the separator does not
    close a parenthesis ("The man, 45, has been told"), so nothing before it is a subject."""
    lo = max(0, sep_pos - 300)
    stops = [m.end() for m in _SENTENCE_BACK.finditer(text, lo, sep_pos)]
    before = text[stops[-1] if stops else lo : sep_pos]
    return "," not in before and not _DASH.search(before)


_CLAUSE_BACK = re.compile(r"[,.!?;:\"“”()]")
# "…, he told." / "…, he told, adding …": the sentence or clause ends on "told".
_AFTER_TOLD_END = re.compile(r"\.(?![\w.])|,\s+(?:adding|saying|explaining|insisting|claiming)\b")
_SUBJECT_PRONOUNS = _wordset("he she they we i")
# Objects a relative clause may have left before "told": "the lies, he told." is rare,
# "the story he told." common.
_TOLD_OBJECTS = _wordset("story stories tale tales lie lies joke jokes truth version account")


def _attribution_gap(text: str, pos: int, before: list[str]) -> int | None:
    """Where the subject starts when "told" at ``pos`` closes an attribution with no one
    told: "…,” a spokesman told." / ", he told." / "He told.".

    Only after a comma (the clause is then just a subject: "the firm's chief told.") or in
    a sentence of its own with a pronoun subject, so relative clauses ("the story he told.")
    and intransitive uses ("their fitness eventually told.") pass."""
    if before and (before[0].endswith("ly") or any(w in _TOLD_OBJECTS for w in before[:8])):
        return None
    lo = max(0, pos - 120)
    stops = list(_CLAUSE_BACK.finditer(text, lo, pos))
    start = stops[-1].end() if stops else lo
    subject = text[start:pos].split()
    if not stops:
        alone = lo == 0 and len(subject) == 1 and subject[0].lower() in _SUBJECT_PRONOUNS
        return start if alone else None
    mark = stops[-1].group()
    if mark == "," or (
        mark in '”"' and stops[-1].start() > 0 and text[stops[-1].start() - 1] == ","
    ):
        return start if len(subject) <= 8 else None
    if mark in ".!?" and len(subject) == 1 and subject[0].lower() in _SUBJECT_PRONOUNS:
        return start
    return None


def _told_hits(text: str) -> Iterator[tuple[int, int, str]]:
    for m in _TOLD.finditer(text):
        pos, end = m.start(), m.end()
        if not _boundary(text, pos, end):
            continue
        before = _words_before(text, pos)
        if _passive_or_idiom(before):
            sep = _SEPARATOR_BEFORE.search(text, max(0, pos - 40), pos)
            if sep and _THAT.match(text, end) and _separator_unpaired(text, sep.start()):
                yield sep.start("sep"), _THAT.match(text, end).end(), "missing_subject"
            continue
        relative = any(w in _RELATIVE for w in before[:4])
        q = _AFTER_TOLD_QUOTE.match(text, end)
        if q:
            # "Their fitness eventually told. “We ...": "told" used intransitively.
            intransitive = q.group("stop") and before and before[0].endswith("ly")
            if not (relative or intransitive or _QUOTED_TITLE.match(text, q.end())):
                yield pos, q.end(), "told_quote"
            continue
        # "the lies he told Parliament were ...": an object-gap relative clause is possible
        # when the subject of "told" is a pronoun after a noun; the clause rules keep out.
        after_noun = _PRONOUN_AFTER_WORD.search(text, max(0, pos - 40), pos)
        relative = relative or bool(
            after_noun and after_noun.group(1).lower() not in _CLAUSE_OPENERS
        )
        e = _AFTER_TOLD_END.match(text, end)
        if e and not relative:
            subject = _attribution_gap(text, pos, before)
            if subject is not None:
                yield subject, e.end(), "told_end"
                continue
        c = _AFTER_TOLD_CLAUSE.match(text, end)
        if c and not relative:
            words = c.group("np").lower().split()
            nation = c.group("nation")
            if not any(w in _NOT_NP or w in _ADDRESSEES for w in words) and not (
                nation and (not c.group("det") or len(words) < 2 or words[0] in _NATION_NAMES)
            ):
                yield pos, c.end(), "told_clause"
                continue
        p = _AFTER_TOLD_PRONOUN_CLAUSE.match(text, end)
        if p and not relative and p.group().split()[-1].lower() not in _ADDRESSEES:
            yield pos, p.end(), "told_clause"
            continue
        n = _AFTER_TOLD_NAME.match(text, end)
        if n and not relative:
            yield pos, n.end(), "told_clause"
            continue
        subj = _AFTER_TOLD_SUBJECT.match(text, end)
        if subj and not relative:
            yield pos, subj.end() - 1, "told_clause"
            continue
        w = _AFTER_TOLD_WHEN.match(text, end)
        if w:
            yield pos, w.end(), "told_when_that"


# A preposition of attribution followed by punctuation instead of a name ("according to
# ,", "according to the ."). Found from the gap back to the phrase. "speaking to" and
# friends need a space before the punctuation, a left-over "the", or a place where a
# participle phrase starts ("Speaking to, he said", "Mr Smith, speaking to, said"): "who he
# was speaking to." is a normal stranded preposition.
_GAP = re.compile(r"(?:to|with|by|in|for|the)(?P<gap>[ \t]*)(?:[,.;:)](?!\d)|(?P<s>['’]s\s))")
_PREP_BEFORE = re.compile(
    r"(?:according\s+to|interview\s+with|statement\s+to|(?:reported|quoted|contacted|"
    r"approached|asked)\s+by|(?P<verb>speaking|talking|spoke|talked|writing|wrote|revealed|"
    r"confirmed)\s+(?:exclusively\s+)?(?:to|with|in|for))(?P<the>\s+the)?\Z",
    re.IGNORECASE,
)
_SENTENCE_START = re.compile(r"(?:^|[.!?\n][\"”’)]?)\s*\Z")
_PARTICIPLE_START = re.compile(r"(?:^|[.!?\n][\"”’)]?|,)\s*\Z")

_REPORTING = re.compile(
    r"\s+(?:(?:has|have|had)\s+been\s+(?:told|informed|advised)|(?:was|were)\s+told|"
    r"understands\s+that|can\s+(?:exclusively\s+)?reveal|has\s+(?:learned|learnt)\s+that|"
    r"has\s+(?:seen|obtained)\s+(?:documents|emails|letters|a\s+copy|a\s+letter)|"
    r"exclusively\s+(?:revealed|reported|disclosed))\b"
)
# A subordinator needs its own subject: "although has been told" lost it. Coordinators
# ("but was told there were ...") share the earlier one and are left alone. (Each
# alternative opens on a literal: much faster in ``re`` than a leading character class.)
_SUBORDINATOR = re.compile(r"[AaTtWwBbUu](?:lthough|hough|hereas|ecause|nless|hile|hilst)")
# "as" too, but not before a passive: "as has been reported" is normal English, "as
# understands that" and "as exclusively revealed last week" (not "... by the Sun") are not.
_AS_GAP = re.compile(
    r"as\s+(?:exclusively\s+(?:revealed|reported|disclosed)\b(?!\s+(?:by|in|on)\b)|"
    r"understands\s+that|can\s+(?:exclusively\s+)?reveal|has\s+(?:learned|learnt)\s+that)\b"
)
# A sentence that opens on the verb: "Has been told that ...", "Understands that ...".
_OPENING_VERB = re.compile(
    r"(?:Has|Have)\s+(?:been\s+told\s+that|contacted|approached)\b|Understands\s+that|"
    r"Can\s+(?:exclusively\s+)?reveal\s+that|Has\s+(?:learned|learnt)\s+that"
)


def _starts_word(text: str, start: int) -> bool:
    return start == 0 or not _WORD_CHAR.match(text, start - 1)


def _other_hits(text: str) -> Iterator[tuple[int, int, str]]:
    for m in _GAP.finditer(text):
        if not _boundary(text, m.start(), m.start("gap")):
            continue
        p = _PREP_BEFORE.search(text, max(0, m.start() - 50), m.start("gap"))
        if p is None or not _starts_word(text, p.start()):
            continue
        bare = p.group("verb") and not (m.group("gap") or m.group("s") or p.group("the"))
        if bare and not _PARTICIPLE_START.search(text, max(0, p.start() - 4), p.start()):
            continue
        yield p.start(), m.end(), "prep_hole"
    for m in _SUBORDINATOR.finditer(text):
        if not _boundary(text, m.start(), m.end()):
            continue
        r = _REPORTING.match(text, m.end())
        if r:
            yield m.start(), r.end(), "missing_subject"
    for m in _AS_GAP.finditer(text):
        if _starts_word(text, m.start()):
            yield m.start(), m.end(), "missing_subject"
    for m in _OPENING_VERB.finditer(text):
        if _SENTENCE_START.search(text, max(0, m.start() - 4), m.start()):
            yield m.start(), m.end(), "missing_subject"


# --- snippets ------------------------------------------------------------------------------

_NEXT_WORDS = re.compile(r"(?:[ \t]*[^\s,;.!?]+){0,3}")


def _snippet(text: str, start: int, core_end: int) -> tuple[int, int]:
    """``start`` to the end of the match plus up to three words of the same sentence."""
    m = (
        None
        if text[core_end - 1 : core_end] in (".", "!", "?")
        else _NEXT_WORDS.match(text, core_end)
    )
    end = m.end() if m else core_end
    while end > core_end and text[end - 1] in " \t,;:":
        end -= 1
    while end > start and text[end - 1].isspace():  # the rule's own match may end in one
        end -= 1
    while start < end and text[start].isspace():
        start += 1
    return start, end


def _evidence(kind: str, text: str, start: int, end: int, rule: str) -> Evidence:
    return Evidence(
        kind=kind, text=text[start:end], article_start=start, article_end=end, data={"rule": rule}
    )


def _collect(
    text: str, kind: str, finders: tuple[Callable[[str], Iterator[tuple[int, int, str]]], ...]
) -> list[Evidence]:
    out: list[Evidence] = []
    covered = -1
    hits = sorted((h for find in finders for h in find(text)), key=lambda h: (h[0], -h[1]))
    for start, core_end, rule in hits:
        if start < covered:
            continue  # one gap, one piece of evidence
        covered = core_end
        lo, hi = _snippet(text, start, core_end)
        out.append(_evidence(kind, text, lo, hi, rule))
    return out


def dangling_attribution(text: str) -> list[Evidence]:
    """Reporting verbs and prepositions left without the name a copy cut out."""
    if not text:
        return []
    return _collect(text, DANGLING, (_told_hits, _other_hits))


# --- prompt leftovers ----------------------------------------------------------------------

_REWRITTEN = r"(?:rewritten|re-written|reworded|re-worded|paraphrased|rephrased|rewrite)"
_HERE = rf"here(?:{_APOS}s|\s+is)\s+(?:a|an|the|your)"
_REWRITE_KEYS = ("rewr", "rewor", "re-w", "paraphras", "rephras")
_HERE_KEYS = ("here's", "here’s", "here is")
# (substrings of which the lower-cased text must hold one, pattern): a few plain substring
# checks spare almost every real article the slower case-insensitive scans.
_PROMPT_RULES: tuple[tuple[tuple[str, ...], str], ...] = (
    # "Here is a rewritten version", "Here's a unique, plagiarism-free version".
    (
        _HERE_KEYS,
        rf"{_HERE}\s+(?:[\w-]+,?\s+){{0,3}}?(?:{_REWRITTEN}|plagiarism[- ]free|humani[sz]ed|"
        r"seo[- ](?:optimi[sz]ed|friendly))\b",
    ),
    (
        ("as an a", "language model"),
        r"as\s+(?:an?\s+(?:ai|artificial\s+intelligence)\s+(?:language\s+model|assistant|model|"
        r"chatbot)|a\s+(?:large\s+)?language\s+model)\b",
    ),
    (
        ("please note",),
        rf"please\s+note\s+that\s+(?:this|the\s+above)\s+(?:{_REWRITTEN}|version|"
        rf"(?:article|text|content)\s+(?:has\s+been|was|is)\s+(?:{_REWRITTEN}|generated))",
    ),
    (
        ("request",),
        rf"I\s+(?:cannot|can\s*not|can{_APOS}t|am\s+unable\s+to|{_APOS}m\s+unable\s+to|"
        rf"{_APOS}m\s+not\s+able\s+to)\s+(?:fulfil|fulfill|complete|comply\s+with|assist\s+"
        r"with|help\s+with)\s+(?:this|that|your)\s+request\b",
    ),
    (
        ("sorry",),
        rf"I{_APOS}m\s+sorry,?\s+but\s+I\s+(?:can{_APOS}t|cannot|am\s+unable\s+to)\s+"
        r"(?:assist|help|fulfil|fulfill|comply|rewrite|paraphrase)\s+with\s+(?:that|this)"
        r"(?:\s+request)?\b",
    ),
    (
        _HERE_KEYS,
        rf"(?:sure|certainly|absolutely|of\s+course)\s*[!,]\s*{_HERE}\s+(?:[\w-]+,?\s+){{0,3}}?"
        r"(?:version|article|text|rewrite|paraphrase|draft|content|story|summary|revision)\b",
    ),
    (
        _REWRITE_KEYS,
        rf"{_REWRITTEN}\s+(?:news\s+)?(?:article|version|text|content|story)\s*:",
    ),
    (
        ("note:", "note :", "disclaimer"),
        r"(?:note|disclaimer)\s*:\s*(?:this|the\s+above)\s+(?:article|text|content|version|"
        rf"piece|story)\s+(?:has\s+been|was|is)\s+(?:{_REWRITTEN}|generated)",
    ),
    (
        ("as of my", "knowledge cut"),
        r"as\s+of\s+my\s+(?:last\s+)?(?:knowledge\s+cut-?\s?off|training\s+(?:data|cut-?\s?off)|"
        r"last\s+update)\b|my\s+knowledge\s+cut-?\s?off\b",
    ),
    # Only where it closes the text or a line, outside a quotation ("I hope this helps
    # other families," she said).
    (
        ("hope th",),
        r"I\s+hope\s+(?:this|that)\s+(?:helps|is\s+helpful)\b[.!]?"
        rf"(?=\s*(?:\n|$|let\s+me\s+know|if\s+you))(?![{_CLOSE_QUOTE}])",
    ),
    (
        ("let me know",),
        rf"let\s+me\s+know\s+if\s+you(?:{_APOS}d|\s+would)\s+like\s+(?:any\s+(?:changes|"
        r"modifications|adjustments|revisions|edits|further)|me\s+to\s+(?:make|modify|adjust|"
        r"revise|expand|rewrite|change|shorten))\b",
    ),
    (
        _REWRITE_KEYS,
        rf"I(?:{_APOS}ve|\s+have)\s+{_REWRITTEN}\s+(?:the|your|this)\s+(?:article|text|content|"
        r"passage|story|news)\b",
    ),
    (("regenerate",), r"^[ \t]*regenerate\s+response[ \t]*$"),
)
# Each pattern twice: lower-cased, for the lower-cased text (a literal start makes ``re``
# scan fast; the patterns hold no upper-case escapes), and case-insensitive, for the odd
# text whose lower-casing changes its length (offsets must stay those of ``text``).
_PROMPT = tuple(
    (
        keys,
        re.compile(pattern.lower(), re.MULTILINE),
        re.compile(pattern, re.IGNORECASE | re.MULTILINE),
    )
    for keys, pattern in _PROMPT_RULES
)


def _prompt_hits(text: str) -> Iterator[tuple[int, int, str]]:
    lowered = text.lower()
    same_length = len(lowered) == len(text)
    present: dict[tuple[str, ...], bool] = {}
    for keys, lower_pattern, pattern in _PROMPT:
        if keys not in present:
            present[keys] = any(key in lowered for key in keys)
        if present[keys]:
            if same_length:
                yield from _prompt_matches(text, lower_pattern.finditer(lowered))
            else:
                yield from _prompt_matches(text, pattern.finditer(text))


def _prompt_matches(text: str, matches: Iterator[re.Match[str]]) -> Iterator[tuple[int, int, str]]:
    for m in matches:
        start, end = m.start(), m.end()
        if not _starts_word(text, start):
            continue
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        yield start, end, "prompt"


def prompt_leftovers(text: str) -> list[Evidence]:
    """Text a language model leaves when asked to rewrite an article."""
    if not text:
        return []
    return _collect(text, PROMPT, (_prompt_hits,))


def signals(text: str) -> list[Evidence]:
    """Every lone-article signal in ``text``, in order of where it starts."""
    found = dangling_attribution(text) + prompt_leftovers(text)
    found.sort(key=lambda e: (e.article_start or 0, e.kind))
    return found

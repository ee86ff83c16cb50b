"""Labelled copy collection for the accuracy benchmark, generated from the real corpora.

Every BBC article and Reuters body becomes an *original* of one of twelve invented outlets
(``northgate-herald.example``, "Northgate Herald", ...) with an invented publication time
in 2025 (a past year: copydesk rightly distrusts dates in the future). Copies are then made
by documented operations, each by a different outlet than its source, 1-48 hours after it.
The articles are shuffled, so the ingestion order does not tell a copy from its source:

``verbatim``     the source's text unchanged;
``furniture``    verbatim plus the copier's masthead and strapline on top, the source
                 outlet's caption line "(Image: X Pictures)" and its promo lines
                 ("READ MORE: <another headline> [TAG]") between paragraphs;
``partial``      2-4 consecutive paragraphs of the source (at least 60 words, above copydesk's
                 documented 40-word floor, when the source allows) inside another
                 (unrelated) original of the copier (that original is replaced by the copy);
``credit_kept``  2-3 attributions to the source outlet are first written into the source
                 ("he told the Northgate Herald", "..., a spokesperson told the Northgate
                 Herald.", "Speaking to the Northgate Herald, ..."); the copy keeps them;
``credit_cut``   the same, and the copy cuts only the outlet ("told the Northgate Herald" ->
                 "told");
``light``        ~1 word in 25 replaced, straight <-> curly quotes, hyphen <-> en dash, one
                 sentence dropped, two paragraphs swapped;
``heavy``        about half the sentences altered (several words replaced or dropped each).

About 10% of the credit copies carry no date or the source's exact time, so direction must
come from the text. Originals also get their own outlet's furniture (promo lines, captions)
now and then, so that the outlets have boilerplate to learn.

Gold per copy: source, op, credit (``credited`` for credit_kept, ``stripped`` for
credit_cut, else ``absent``), and passages as character intervals in both texts: the copied
paragraphs, consecutive ones merged into one passage (a passage spans furniture lines
inserted inside it, as copydesk's passages do); a dropped sentence stays inside its
paragraph's passage; swapped paragraphs are passages of their own.

The corpora also contain real near-duplicates, which get no gold. Two originals sharing
at least 10 distinct word 8-grams (8-grams in more than 20 originals ignored: rule
``DUPLICATE``) are *corpus duplicates*; two sharing at least 8 distinct word 6-grams once
digits are masked (6-grams in more than 50 originals ignored: rule ``TEMPLATE``) are
*template* pairs: Reuters' recurring wire reports (hog slaughter estimates, bond terms, Fed
borrowings) that differ in their figures. A predicted pair that is not gold but whose
articles descend from the same original, or from two originals related by either rule, is
excluded from precision (bench/README.md says how the two kinds are reported).

Negatives: ``NEGATIVES`` pairs of different BBC stories of the same category that are not
corpus duplicates; none of them should be reported.

Nothing here is written into the repository: ``write`` puts the collection (JSONL) and the
gold (JSON) under bench/work/, which git ignores.
"""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from copydesk.model import Article, parse_iso
from copydesk.reading.corpora import read_bbc, read_reuters

SEED = 20261125
OPS = ("verbatim", "furniture", "partial", "credit_kept", "credit_cut", "light", "heavy")
CREDIT_OPS = ("credit_kept", "credit_cut")
UNDATED_SHARE = 0.10
NEGATIVES = 2000
PARTIAL_MIN_WORDS = 60
YEAR_START = datetime(2025, 1, 1, tzinfo=UTC)  # a past year: future dates are implausible

# (domain, name, promo tag, picture agency, strapline)
OUTLETS: tuple[tuple[str, str, str, str, str], ...] = (
    ("northgate-herald.example", "Northgate Herald", "LATEST", "Lensbank", "News from the north"),
    ("dailyclarion.example", "Daily Clarion", "REVEAL", "Picturewire", "The nation's voice"),
    ("westmarch-gazette.example", "Westmarch Gazette", "INSIGHT", "Shutterfield", "Since 1881"),
    ("capital-sentinel.example", "Capital Sentinel", "ANALYSIS", "Camrose", "Truth first"),
    ("harbour-post.example", "Harbour Post", "UPDATE", "Brightfoto", "Your port of call"),
    ("the-lantern.example", "The Lantern", "EXCLUSIVE", "Pixhall", "Shedding light"),
    (
        "riverside-echo.example",
        "Riverside Echo",
        "PICTURED",
        "Imagemark",
        "Local news that matters",
    ),
    ("morning-ledger.example", "Morning Ledger", "EXPLAINED", "Framesmith", "Business first"),
    ("the-beacon-times.example", "Beacon Times", "VIDEO", "Snapcourt", "Lighting the way"),
    ("eastfield-courier.example", "Eastfield Courier", "WATCH", "Viewline", "All the news"),
    ("the-weekly-tribune.example", "Weekly Tribune", "POLL", "Photonest", "Independent always"),
    ("summit-observer.example", "Summit Observer", "LIVE", "Stillhouse", "News from the top"),
)

SYNONYMS: dict[str, str] = {
    "said": "stated",
    "big": "large",
    "large": "big",
    "small": "little",
    "new": "fresh",
    "company": "firm",
    "firm": "company",
    "people": "individuals",
    "government": "administration",
    "increase": "rise",
    "rise": "increase",
    "fall": "drop",
    "drop": "fall",
    "help": "assist",
    "show": "reveal",
    "shows": "reveals",
    "buy": "purchase",
    "bought": "purchased",
    "sell": "offer",
    "major": "key",
    "key": "major",
    "also": "additionally",
    "but": "however",
    "because": "since",
    "about": "around",
    "around": "about",
    "many": "numerous",
    "start": "begin",
    "began": "started",
    "month": "period",
    "year": "twelve months",
    "week": "seven days",
    "biggest": "largest",
    "important": "significant",
    "expected": "predicted",
    "plans": "proposals",
    "told": "informed",
    "country": "nation",
    "city": "town",
    "game": "match",
    "match": "game",
    "win": "victory",
    "film": "movie",
    "music": "songs",
    "market": "sector",
    "shares": "stock",
    "profit": "earnings",
}
VOCAB = [
    "local",
    "officials",
    "record",
    "latest",
    "several",
    "recent",
    "further",
    "overall",
    "strong",
    "public",
    "private",
    "early",
    "likely",
    "national",
    "global",
    "annual",
    "series",
    "senior",
    "former",
    "current",
    "report",
    "figures",
    "deal",
    "level",
    "growth",
    "plan",
    "decision",
    "support",
    "pressure",
    "position",
    "interest",
    "rate",
    "value",
    "share",
    "chance",
]

_PARA_SPLIT = re.compile(r"\n\s*\n|\n(?=[ \t]{2,}\S)")
_SENT_SPLIT = re.compile(r"(?<=[.!?])[\"”’']?\s+(?=[\"“A-Z])")
_WORD = re.compile(r"[A-Za-z][A-Za-z']*")
_HE_SAID = re.compile(r"\b([Hh]e|[Ss]he|[Tt]hey) said\b")


@dataclass(slots=True)
class Outlet:
    domain: str
    name: str
    tag: str
    agency: str
    strap: str


@dataclass(slots=True)
class Gold:
    copy: str
    source: str
    op: str
    credit: str  # credited | stripped | absent
    copy_outlet: str
    source_outlet: str
    undated: bool
    passages: list[tuple[int, int, int, int]]  # copy_start, copy_end, source_start, source_end
    host: str | None = None


@dataclass(slots=True)
class Collection:
    articles: list[Article]
    gold: list[Gold]
    negatives: list[tuple[str, str]]
    origins: dict[str, list[str]]  # copy id -> originals it descends from (source, host)
    dup_pairs: list[tuple[str, str]]  # corpus duplicates among originals (DUPLICATE rule)
    template_pairs: list[tuple[str, str]]  # templated wire stories (TEMPLATE rule), not dups
    meta: dict[str, Any] = field(default_factory=dict)

    def roots(self, article_id: str) -> list[str]:
        """The originals an article descends from: itself, or a copy's source and host."""
        return self.origins.get(article_id, [article_id])


# --- text helpers --------------------------------------------------------------------------


def paragraphs(text: str) -> list[str]:
    """Paragraphs (BBC: blank lines; Reuters: indented lines), stripped, empty ones dropped."""
    return [p.strip() for p in _PARA_SPLIT.split(text) if p.strip()]


def sentences(paragraph: str) -> list[str]:
    return [s for s in _SENT_SPLIT.split(paragraph) if s]


def _words(text: str) -> int:
    return len(text.split())


class Builder:
    """Concatenates blocks with blank lines, remembering which source paragraph each is."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.blocks: list[tuple[int, int, int | None, bool]] = []  # start, end, src idx, bridge
        self.length = 0

    def add(self, text: str, source_index: int | None = None, bridge: bool = False) -> None:
        if self.parts:
            self.parts.append("\n\n")
            self.length += 2
        self.parts.append(text)
        self.blocks.append((self.length, self.length + len(text), source_index, bridge))
        self.length += len(text)

    @property
    def text(self) -> str:
        return "".join(self.parts)

    def passages(self, source_spans: list[tuple[int, int]]) -> list[tuple[int, int, int, int]]:
        """Copied paragraphs, merged while consecutive in both texts (``bridge`` blocks, the
        inserted furniture, may sit between them)."""
        out: list[list[int]] = []
        last_src: int | None = None
        for start, end, src, bridge in self.blocks:
            if src is None:
                if not bridge:
                    last_src = None
                continue
            s_start, s_end = source_spans[src]
            if out and last_src is not None and src == last_src + 1:
                out[-1][1], out[-1][3] = end, s_end
            else:
                out.append([start, end, s_start, s_end])
            last_src = src
        return [(a, b, c, d) for a, b, c, d in out]


def spans_of(paras: list[str]) -> list[tuple[int, int]]:
    """Spans of paragraphs joined by blank lines."""
    spans, pos = [], 0
    for p in paras:
        spans.append((pos, pos + len(p)))
        pos += len(p) + 2
    return spans


# --- word-level edits ----------------------------------------------------------------------


def _replace_word(word: str, rng: random.Random) -> str:
    low = word.lower()
    new = SYNONYMS.get(low) or rng.choice(VOCAB)
    return new.capitalize() if word[:1].isupper() else new


def substitute(text: str, rate: float, rng: random.Random, drop: float = 0.0) -> str:
    """Replace about ``rate`` of the words (and drop about ``drop``) keeping the spacing."""

    def edit(match: re.Match[str]) -> str:
        roll = rng.random()
        if roll < drop:
            return ""
        if roll < drop + rate:
            return _replace_word(match.group(0), rng)
        return match.group(0)

    return re.sub(r"  +", " ", _WORD.sub(edit, text))


def typography(text: str) -> str:
    """Straight <-> curly quotes, hyphen/dash <-> en dash."""
    out: list[str] = []
    opening = True
    for ch in text:
        if ch == '"':
            out.append("“" if opening else "”")
            opening = not opening
        elif ch in "“”":
            out.append('"')
        elif ch == "'":
            out.append("’")
        elif ch == "’":
            out.append("'")
        else:
            out.append(ch)
    text = "".join(out)
    if " – " in text:
        return text.replace(" – ", " - ")
    return text.replace(" - ", " – ")


def light_paragraph(paragraph: str, rng: random.Random) -> str:
    return typography(substitute(paragraph, 1 / 25, rng))


def heavy_paragraph(paragraph: str, rng: random.Random) -> str:
    parts = sentences(paragraph)
    return " ".join(substitute(s, 0.18, rng, drop=0.07) if rng.random() < 0.5 else s for s in parts)


# --- credit insertions ---------------------------------------------------------------------

SUBJECTS = ("A spokesperson", "One official", "A source close to the matter", "An adviser")
TOPICS = ("talks", "the figures", "the plans", "the review", "the deal", "the changes")
OUTCOMES = ("would continue", "were being checked", "was expected soon", "had been delayed")


def _attribution(mention: str, rng: random.Random) -> str:
    """A sentence crediting ``mention``, varied (random words) so that two sources never
    share a run of eight words through it."""
    words = " ".join(rng.sample(VOCAB, 2))
    return (
        f"{rng.choice(SUBJECTS)} told {mention} that {rng.choice(TOPICS)} on {words} "
        f"{rng.choice(OUTCOMES)}."
    )


def _speaking_to(mention: str, rng: random.Random) -> str:
    pronoun = rng.choice(("she", "he"))
    first, second, third = rng.sample(VOCAB, 3)
    return (
        f"Speaking to {mention}, {pronoun} said the {first} {second} was "
        f'"{rng.choice(("far from", "close to", "nowhere near"))} {third}".'
    )


def with_credit(paras: list[str], name: str, rng: random.Random) -> list[str]:
    """2-3 attributions naming ``name`` ("the Northgate Herald") written into paragraphs:
    the first "he said" becomes "he told the Northgate Herald" (when there is one), a
    sentence "..., X told the Northgate Herald that ..." is appended to a paragraph, and a
    paragraph "Speaking to the Northgate Herald, she said ..." is inserted."""
    paras = list(paras)
    mention = _mention(name)
    for i, p in enumerate(paras):
        if _HE_SAID.search(p):
            paras[i] = _HE_SAID.sub(lambda m: f"{m.group(1)} told {mention}", p, count=1)
            break
    target = rng.randrange(len(paras))
    paras[target] = paras[target] + " " + _attribution(mention, rng)
    paras.insert(rng.randrange(1, len(paras) + 1), _speaking_to(mention, rng))
    return paras


def _mention(name: str) -> str:
    return name if name.startswith("The ") else f"the {name}"


def cut_credit(paragraph: str, name: str) -> str:
    return paragraph.replace(f" {_mention(name)}", "")


# --- corpus duplicates ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SharedText:
    """How two originals must share text to count as related: ``min_shared`` distinct word
    ``n``-grams found in at most ``max_df`` originals; digits masked if ``mask_numbers``."""

    n: int
    min_shared: int
    max_df: int
    mask_numbers: bool


DUPLICATE = SharedText(n=8, min_shared=10, max_df=20, mask_numbers=False)
TEMPLATE = SharedText(n=6, min_shared=8, max_df=50, mask_numbers=True)
_TOKEN = re.compile(r"\w+")


def _grams(text: str, rule: SharedText) -> set[int]:
    words = _TOKEN.findall(text.lower())
    if rule.mask_numbers:
        words = ["#" if any(ch.isdigit() for ch in w) else w for w in words]
    return {hash(" ".join(words[j : j + rule.n])) for j in range(len(words) - rule.n + 1)}


def shared_text_pairs(articles: list[Article], rule: SharedText) -> list[tuple[str, str]]:
    """Pairs of articles sharing text under ``rule`` (ids sorted within and across pairs)."""
    doc_idx: list[np.ndarray] = []
    hashes: list[np.ndarray] = []
    for i, article in enumerate(articles):
        grams = _grams(article.text, rule)
        if grams:
            hashes.append(np.fromiter(grams, dtype=np.int64, count=len(grams)))
            doc_idx.append(np.full(len(grams), i, dtype=np.int32))
    if not hashes:
        return []
    h, d = np.concatenate(hashes), np.concatenate(doc_idx)
    order = np.argsort(h, kind="stable")
    h, d = h[order], d[order]
    cuts = np.flatnonzero(np.diff(h)) + 1
    starts, ends = np.r_[0, cuts], np.r_[cuts, len(h)]
    keep = (ends - starts >= 2) & (ends - starts <= rule.max_df)
    counts: Counter[tuple[int, int]] = Counter()
    for s, e in zip(starts[keep], ends[keep], strict=True):
        docs = sorted(set(d[s:e].tolist()))
        for x in range(len(docs)):
            for y in range(x + 1, len(docs)):
                counts[(docs[x], docs[y])] += 1
    return sorted(
        tuple(sorted((articles[a].id, articles[b].id)))  # type: ignore[misc]
        for (a, b), n in counts.items()
        if n >= rule.min_shared
    )


# --- generation ----------------------------------------------------------------------------


def load_originals(
    root: Path | None, bbc_limit: int | None, reuters_limit: int | None
) -> list[Article]:
    bbc = list(read_bbc(root))[:bbc_limit] if bbc_limit != 0 else []
    reuters = list(read_reuters(root))[:reuters_limit] if reuters_limit != 0 else []
    return bbc + reuters


class Generator:
    def __init__(self, originals: list[Article], seed: int = SEED) -> None:
        self.rng = random.Random(seed)
        self.outlets = [Outlet(*o) for o in OUTLETS]
        self.by_id: dict[str, Article] = {}
        self.paras: dict[str, list[str]] = {}
        self.order: list[str] = []
        for article in originals:
            self._add_original(article)
        self.copies: list[Article] = []
        self.gold: list[Gold] = []
        self.origins: dict[str, list[str]] = {}
        self.used: set[str] = set()
        self.hosts: list[Article] = []  # originals replaced by partial copies

    # originals

    def _add_original(self, article: Article) -> None:
        paras = paragraphs(article.text)
        if not paras:
            return
        outlet = self.rng.choice(self.outlets)
        published = YEAR_START + timedelta(seconds=self.rng.uniform(0, 365 * 86400))
        if self.rng.random() < 0.3 and len(paras) >= 3:
            paras = self._own_furniture(paras, outlet)
        self.paras[article.id] = paras
        self.by_id[article.id] = Article(
            id=article.id,
            text="\n\n".join(paras),
            url=f"https://{outlet.domain}/{article.id}",
            outlet=outlet.domain,
            outlet_name=outlet.name,
            published=published.replace(microsecond=0),
            title=article.title,
            extra={"corpus": article.outlet, **_category(article)},
        )
        self.order.append(article.id)

    def _own_furniture(self, paras: list[str], outlet: Outlet) -> list[str]:
        paras = list(paras)
        paras.insert(self.rng.randrange(1, len(paras)), self._promo(outlet))
        if self.rng.random() < 0.5:
            paras.insert(1, self._caption(outlet))
        return paras

    def _promo(self, outlet: Outlet) -> str:
        other = self.by_id.get(self.rng.choice(self.order)) if self.order else None
        headline = other.title if other and other.title else "Markets react to the news"
        return f"READ MORE: {headline.strip().rstrip('.')} [{outlet.tag}]"

    def _caption(self, outlet: Outlet) -> str:
        scene = self.rng.choice(("A view of the scene", "Officials at the meeting", "The site"))
        return f"{scene} (Image: {outlet.agency} Pictures)"

    def outlet_of(self, article_id: str) -> Outlet:
        domain = self.by_id[article_id].outlet
        return next(o for o in self.outlets if o.domain == domain)

    # copies

    def make(self, n_copies: int) -> None:
        ops = [OPS[i % len(OPS)] for i in range(n_copies)]
        self.rng.shuffle(ops)
        sources = [
            i
            for i in self.order
            if len(self.paras[i]) >= 4 and 120 <= _words(self.by_id[i].text) <= 1500
        ]
        self.rng.shuffle(sources)
        hosts = [
            i for i in self.order if len(self.paras[i]) >= 3 and _words(self.by_id[i].text) >= 80
        ]
        self.rng.shuffle(hosts)
        for n, op in enumerate(ops):
            source_id = self._take(sources)
            if source_id is None:
                break
            self._copy(f"copy/{op}/{n:05d}", op, source_id, hosts)

    def _take(self, pool: list[str]) -> str | None:
        while pool:
            candidate = pool.pop()
            if candidate not in self.used:
                self.used.add(candidate)
                return candidate
        return None

    def _copy(self, copy_id: str, op: str, source_id: str, hosts: list[str]) -> None:
        source_outlet = self.outlet_of(source_id)
        copier = self.rng.choice([o for o in self.outlets if o is not source_outlet])
        host_id = None
        if op in CREDIT_OPS:
            self._credit_source(source_id, source_outlet)
        paras = self.paras[source_id]
        if op == "partial":
            host_id = self._host(hosts, copier)
            if host_id is None:
                return
        builder = OPERATIONS[op](self, paras, copier, source_outlet, host_id)
        source = self.by_id[source_id]
        undated = op in CREDIT_OPS and self.rng.random() < UNDATED_SHARE
        published = self._copy_time(source.published, undated)
        host = self.by_id.pop(host_id) if host_id else None
        if host is not None:
            self.hosts.append(host)
        article = Article(
            id=copy_id,
            text=builder.text,
            url=f"https://{copier.domain}/{copy_id}",
            outlet=copier.domain,
            outlet_name=copier.name,
            published=published,
            title=(host.title if host else source.title),
            extra={"op": op},
        )
        self.copies.append(article)
        self.origins[copy_id] = [source_id] + ([host_id] if host_id else [])
        self.gold.append(
            Gold(
                copy=copy_id,
                source=source_id,
                op=op,
                credit={"credit_kept": "credited", "credit_cut": "stripped"}.get(op, "absent"),
                copy_outlet=copier.domain,
                source_outlet=source_outlet.domain,
                undated=undated,
                passages=builder.passages(spans_of(paras)),
                host=host_id,
            )
        )

    def _copy_time(self, source_time: datetime | None, undated: bool) -> datetime | None:
        if undated:
            return None if self.rng.random() < 0.5 else source_time
        assert source_time is not None
        return source_time + timedelta(seconds=int(self.rng.uniform(3600, 48 * 3600)))

    def _credit_source(self, source_id: str, outlet: Outlet) -> None:
        paras = with_credit(self.paras[source_id], outlet.name, self.rng)
        self.paras[source_id] = paras
        self.by_id[source_id].text = "\n\n".join(paras)

    def _host(self, hosts: list[str], copier: Outlet) -> str | None:
        """An unused original of the copier (its own furniture must stay its own)."""
        for k in range(len(hosts) - 1, -1, -1):
            candidate = hosts[k]
            if candidate in self.used or candidate not in self.by_id:
                del hosts[k]
            elif self.by_id[candidate].outlet == copier.domain:
                del hosts[k]
                self.used.add(candidate)
                return candidate
        return None

    # output

    def collection(self, negatives: int = NEGATIVES) -> Collection:
        originals = list(self.by_id.values())
        everything = originals + self.hosts  # a host's neighbours matter too
        dups = shared_text_pairs(everything, DUPLICATE)
        templates = sorted(set(shared_text_pairs(everything, TEMPLATE)) - set(dups))
        articles = originals + self.copies
        self.rng.shuffle(articles)  # ingestion order must not tell copies from sources
        return Collection(
            articles=articles,
            gold=self.gold,
            negatives=self._negatives(originals, set(dups), negatives),
            origins=self.origins,
            dup_pairs=dups,
            template_pairs=templates,
            meta={"originals": len(originals), "copies": len(self.copies)},
        )

    def _negatives(
        self, originals: list[Article], dups: set[tuple[str, str]], n: int
    ) -> list[tuple[str, str]]:
        by_cat: dict[str, list[str]] = {}
        for a in originals:
            if a.extra.get("category") and a.id not in self.used:
                by_cat.setdefault(a.extra["category"], []).append(a.id)
        cats = sorted(c for c, ids in by_cat.items() if len(ids) >= 2)
        out: set[tuple[str, str]] = set()
        for _ in range(n * 3):
            if len(out) >= n or not cats:
                break
            a, b = sorted(self.rng.sample(by_cat[self.rng.choice(cats)], 2))
            if (a, b) not in dups:
                out.add((a, b))
        return sorted(out)


def _category(article: Article) -> dict[str, str]:
    category = article.extra.get("category")
    return {"category": category} if category else {}


# --- the operations: each returns a Builder for the copy's text -----------------------------

Op = Callable[["Generator", list[str], Outlet, Outlet, str | None], Builder]


def op_verbatim(g: Generator, paras: list[str], *_: Any) -> Builder:
    b = Builder()
    for i, p in enumerate(paras):
        b.add(p, i)
    return b


def op_furniture(g: Generator, paras: list[str], copier: Outlet, source: Outlet, _: Any) -> Builder:
    b = Builder()
    b.add(copier.name.upper())
    b.add(copier.strap)
    promo_at = set(g.rng.sample(range(1, len(paras)), min(2, len(paras) - 1)))
    caption_at = g.rng.randrange(1, len(paras))
    for i, p in enumerate(paras):
        if i == caption_at:
            b.add(g._caption(source), bridge=True)
        if i in promo_at:
            b.add(g._promo(source), bridge=True)
        b.add(p, i)
    return b


def op_partial(
    g: Generator, paras: list[str], copier: Outlet, source: Outlet, host: str | None
) -> Builder:
    assert host is not None
    first, k = _partial_window(paras, g.rng)
    host_paras = g.paras[host]
    at = g.rng.randrange(1, len(host_paras))
    b = Builder()
    for p in host_paras[:at]:
        b.add(p)
    for i in range(first, first + k):
        b.add(paras[i], i)
    for p in host_paras[at:]:
        b.add(p)
    return b


def _partial_window(paras: list[str], rng: random.Random) -> tuple[int, int]:
    """k = 2-4 consecutive paragraphs holding at least PARTIAL_MIN_WORDS words (above
    copydesk's documented 40-word reporting floor); the wordiest 4 if none does."""
    k = min(rng.randint(2, 4), len(paras))
    windows = [(i, n) for n in range(k, min(4, len(paras)) + 1) for i in range(len(paras) - n + 1)]
    good = [
        w for w in windows if sum(_words(p) for p in paras[w[0] : w[0] + w[1]]) >= PARTIAL_MIN_WORDS
    ]
    if good:
        smallest = min(n for _, n in good)
        return rng.choice([w for w in good if w[1] == smallest])
    return max(windows, key=lambda w: sum(_words(p) for p in paras[w[0] : w[0] + w[1]]))


def op_credit_kept(g: Generator, paras: list[str], *_: Any) -> Builder:
    return op_verbatim(g, paras)


def op_credit_cut(
    g: Generator, paras: list[str], copier: Outlet, source: Outlet, _: Any
) -> Builder:
    b = Builder()
    for i, p in enumerate(paras):
        b.add(cut_credit(p, source.name), i)
    return b


def op_light(g: Generator, paras: list[str], *_: Any) -> Builder:
    edited = [light_paragraph(p, g.rng) for p in paras]
    multi = [i for i, p in enumerate(edited) if len(sentences(p)) >= 2]
    if multi:  # drop one sentence
        i = g.rng.choice(multi)
        parts = sentences(edited[i])
        del parts[g.rng.randrange(len(parts))]
        edited[i] = " ".join(parts)
    order = list(range(len(paras)))
    j = g.rng.randrange(1, len(paras) - 1)  # swap two neighbouring paragraphs (not the lede)
    order[j], order[j + 1] = order[j + 1], order[j]
    b = Builder()
    for i in order:
        b.add(edited[i], i)
    return b


def op_heavy(g: Generator, paras: list[str], *_: Any) -> Builder:
    b = Builder()
    for i, p in enumerate(paras):
        b.add(heavy_paragraph(p, g.rng), i)
    return b


OPERATIONS: dict[str, Op] = {
    "verbatim": op_verbatim,
    "furniture": op_furniture,
    "partial": op_partial,
    "credit_kept": op_credit_kept,
    "credit_cut": op_credit_cut,
    "light": op_light,
    "heavy": op_heavy,
}


def generate(
    originals: Iterable[Article], copies: int = 3000, seed: int = SEED, negatives: int = NEGATIVES
) -> Collection:
    """The labelled collection: every original (relabelled) plus ``copies`` copies."""
    generator = Generator(list(originals), seed)
    generator.make(copies)
    collection = generator.collection(negatives)
    collection.meta.update(
        seed=seed, requested_copies=copies, ops=dict(Counter(g.op for g in generator.gold))
    )
    return collection


# --- files ---------------------------------------------------------------------------------


def article_json(article: Article) -> dict[str, Any]:
    return article.to_json()


def write(collection: Collection, directory: Path) -> tuple[Path, Path]:
    """``labelled.jsonl`` (the articles) and ``labelled-gold.json`` in ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    articles_path, gold_path = directory / "labelled.jsonl", directory / "labelled-gold.json"
    with articles_path.open("w", encoding="utf-8") as fh:
        for article in collection.articles:
            fh.write(json.dumps(article_json(article), ensure_ascii=False) + "\n")
    gold = {
        "meta": collection.meta,
        "gold": [asdict(g) for g in collection.gold],
        "negatives": collection.negatives,
        "origins": collection.origins,
        "dup_pairs": collection.dup_pairs,
        "template_pairs": collection.template_pairs,
    }
    gold_path.write_text(json.dumps(gold), "utf-8")
    return articles_path, gold_path


def read(directory: Path) -> Collection:
    articles = []
    with (directory / "labelled.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            obj = json.loads(line)
            obj["published"] = parse_iso(obj["published"])
            articles.append(Article(**obj))
    gold = json.loads((directory / "labelled-gold.json").read_text("utf-8"))
    return Collection(
        articles=articles,
        gold=[Gold(**{**g, "passages": [tuple(p) for p in g["passages"]]}) for g in gold["gold"]],
        negatives=[tuple(p) for p in gold["negatives"]],
        origins=gold["origins"],
        dup_pairs=[tuple(p) for p in gold["dup_pairs"]],
        template_pairs=[tuple(p) for p in gold["template_pairs"]],
        meta=gold["meta"],
    )

"""Generated story families: who published first, who took from whom, who kept the name.

A second, smaller labelled collection beside the pair benchmark of ``labelled.py``, made
from other originals of the same real corpora (relabelled to the same invented outlets),
for what a pair benchmark cannot ask: the family of each story, its origin, the version
each copy took its text from, and whether each copy names the origin. One case per
story, each from a different original:

``wire_in``       the story of an invented wire agency ("Northgate Wire", given to the scan
                  as a user agency file) opening with its own dateline "PLACE - "; one
                  carrier credits it in the dateline, "PLACE (Northgate Wire) - ", another
                  with a closing "Source: Northgate Wire" line; a scraper takes the wire's
                  text whole. Origin: the wire's article; credit: credited, credited,
                  absent (the scraper kept the wire's own dateline, which never named it).
``wire_out``      the same story with the wire's article not collected: the two carriers
                  credit it, the scraper keeps the carrier's dateline without the agency
                  ("PLACE (Northgate Wire) - " becomes "PLACE - "). Origin: the wire's
                  outlet, outside the collection; the scraper's credit is stripped.
``chain``         an original carrying its outlet's promo line, then an undated copy by
                  another outlet (two words changed, the last paragraph dropped, a closing
                  line of its own added), then an undated copy of that copy by a third
                  outlet (its changes and closing line kept, one more paragraph dropped),
                  both keeping the promo line: the only evidence of direction. Tree: each
                  took from the one before; both copies carry the origin's furniture
                  without its name, so their origin credit is stripped.
``masthead``      a copy under the copier's own masthead and strapline, the original's text
                  whole below; ``trace`` of the copy's text (its outlet unknown) must name
                  the original's outlet as the origin, not the copier.
``furniture``     two different stories of two different outlets, each ending with the
                  same sign-up notice and social line of a third outlet: never linked.
``quote``         a long quote credited inside its paragraph to the outlet of story S
                  ("..., she told the Harbour Post.") appears in S and in a different story
                  T of another outlet: S is never taken for T's copy, and T is never a
                  duplicate or partial copy of S.

``background`` more originals, unrelated, fill the collection so that outlets have texts
to learn boilerplate and names from (30% carry their outlet's promo line). Originals whose
text names the BBC or Reuters are left out (they would contradict their invented outlet),
and so are those sharing text with another (the corpora's near-duplicates and templated
wire reports, by the rules of ``labelled.py``). The articles are shuffled (ingest order
tells nothing) and nothing is written into the repository.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from copydesk.model import Article
from labelled import (
    DUPLICATE,
    OUTLETS,
    TEMPLATE,
    YEAR_START,
    Outlet,
    paragraphs,
    sentences,
    shared_text_pairs,
    substitute,
)

STORIES_SEED = 20261202
CASES = ("wire_in", "wire_out", "chain", "masthead", "furniture", "quote")
WIRE = Outlet("northgate-wire.example", "Northgate Wire", "WIRE", "Wirefoto", "The wire")
AGENCIES = f"{WIRE.domain}: {WIRE.name} | NGW\n"  # the user agency file the scan is given
PLACES = ("LONDON", "MANCHESTER", "GLASGOW", "CARDIFF", "BELFAST", "LEEDS", "BRISTOL", "DUBLIN")
NOTICE = (
    "Get the best of the {name} in your inbox: sign up to our free morning newsletter and "
    "never miss a story. You can unsubscribe at any time."
)
SOCIAL = "Follow the {name} on social media for the latest updates and join the conversation."
CLOSING = (
    "Tell us what you think in the comments below.",
    "Share this story with your friends and family.",
    "What do you make of it? Let us know below.",
)


@dataclass(slots=True)
class StoryGold:
    """One story's family as it should come out: ``origin`` (an article id, or None when
    the origin is outside the collection) and ``origin_outlet``; per copy, the version it
    took its text from (None: not labelled) and its origin credit."""

    case: str
    members: list[str]
    origin: str | None
    origin_outlet: str
    took_from: dict[str, str | None] = field(default_factory=dict)
    credit: dict[str, str] = field(default_factory=dict)
    trace: str | None = None  # masthead: the copy whose text is traced


@dataclass(slots=True)
class Stories:
    articles: list[Article]
    families: list[StoryGold]
    apart: list[tuple[str, str, str]]  # (a, b, case): must never be linked or share a family
    quotes: list[tuple[str, str]]  # (S, T): S the quote's outlet's story, T the re-user
    meta: dict[str, Any] = field(default_factory=dict)


class _Maker:
    def __init__(self, originals: list[Article], seed: int) -> None:
        self.rng = random.Random(seed)
        self.outlets = [Outlet(*o) for o in OUTLETS]
        # The text must not contradict its invented outlet: a BBC or Reuters text that names
        # its real outlet ("told BBC News") would rightly name that outlet as the origin.
        pool = [
            a
            for a in originals
            if len(paragraphs(a.text)) >= 4
            and 120 <= _words(a) <= 900
            and not _REAL_OUTLET.search(a.text)
        ]
        # Nor may two of them share text already (the corpora's own near-duplicates and
        # templated wire reports): an unplanned link would count against the cases.
        related = {i for rule in (DUPLICATE, TEMPLATE) for p in shared_text_pairs(pool, rule)
                   for i in p}  # fmt: skip
        pool = [a for a in pool if a.id not in related]
        self.rng.shuffle(pool)
        self.pool = pool
        self.articles: list[Article] = []

    def take(self) -> Article | None:
        return self.pool.pop() if self.pool else None

    def headline(self) -> Article:
        """Some other article, for a promo line's headline."""
        return self.rng.choice(self.pool) if self.pool else Article(id="-", text="-")

    def when(self):
        return (YEAR_START + timedelta(seconds=self.rng.uniform(0, 330 * 86400))).replace(
            microsecond=0
        )

    def outlets_but(self, n: int, *avoid: Outlet) -> list[Outlet]:
        return self.rng.sample([o for o in self.outlets if o not in avoid], n)

    def add(self, id_: str, text: str, outlet: Outlet, published, base: Article) -> str:
        self.articles.append(
            Article(
                id=id_,
                text=text,
                url=f"https://{outlet.domain}/{id_}",
                outlet=outlet.domain,
                outlet_name=outlet.name,
                published=published,
                title=base.title,
                extra={"case": id_.split("/")[1]},
            )
        )
        return id_


_REAL_OUTLET = re.compile(r"\bBBC\b|Reuters|bbc\.co", re.IGNORECASE)


def _promo(outlet: Outlet, base: Article) -> str:
    """The outlet's promo line, as its own articles carry them (see labelled.py)."""
    headline = (base.title or "More news today").strip().rstrip(".")
    return f"READ MORE: {headline} [{outlet.tag}]"


def _words(a: Article) -> int:
    return len(a.text.split())


def _join(paras: list[str]) -> str:
    return "\n\n".join(paras)


def _wire(m: _Maker, n: int, inside: bool) -> StoryGold | None:
    base = m.take()
    if base is None:
        return None
    case = "wire_in" if inside else "wire_out"
    place = m.rng.choice(PLACES)
    paras = paragraphs(base.text)
    plain = [f"{place} - {paras[0]}", *paras[1:]]
    credited = [f"{place} ({WIRE.name}) - {paras[0]}", *paras[1:]]
    t0 = m.when()
    first, second, scraper = m.outlets_but(3)
    ids = [f"story/{case}/{n:04d}/{k}" for k in ("wire", "carrier1", "carrier2", "scraper")]
    if inside:
        m.add(ids[0], _join(plain), WIRE, t0, base)
    m.add(ids[1], _join(credited), first, t0 + timedelta(hours=2), base)
    m.add(ids[2], _join([*plain, f"Source: {WIRE.name}"]), second, t0 + timedelta(hours=3), base)
    m.add(ids[3], _join(plain), scraper, t0 + timedelta(hours=9), base)
    members = ids if inside else ids[1:]
    return StoryGold(
        case=case,
        members=members,
        origin=ids[0] if inside else None,
        origin_outlet=WIRE.domain,
        took_from={ids[1]: ids[0], ids[2]: ids[0], ids[3]: ids[0]} if inside else {},
        credit={ids[1]: "credited", ids[2]: "credited", ids[3]: "absent" if inside else "stripped"},
    )


def _swap_two_words(text: str, rng: random.Random) -> str:
    out = text
    for _ in range(20):
        out = substitute(text, 0.03, rng)
        if out != text:
            break
    return out


def _chain(m: _Maker, n: int) -> StoryGold | None:
    base = m.take()
    if base is None:
        return None
    src, mid, end = m.outlets_but(3)
    paras = paragraphs(base.text)
    # The original carries its outlet's promo line, and so do the copies: evidence of
    # direction that no date gives.
    paras.insert(m.rng.randrange(1, len(paras) - 1), _promo(src, m.headline()))
    ids = [f"story/chain/{n:04d}/{k}" for k in ("original", "copy", "copy-of-copy")]
    m.add(ids[0], _join(paras), src, m.when(), base)
    first = [_swap_two_words(paras[0], m.rng), *paras[1:-1], m.rng.choice(CLOSING)]
    m.add(ids[1], _join(first), mid, None, base)
    drop = m.rng.randrange(1, len(first) - 1)
    second = [p for i, p in enumerate(first) if i != drop]
    m.add(ids[2], _join(second), end, None, base)
    return StoryGold(
        case="chain",
        members=ids,
        origin=ids[0],
        origin_outlet=src.domain,
        took_from={ids[1]: ids[0], ids[2]: ids[1]},
        credit={ids[1]: "stripped", ids[2]: "stripped"},
    )


def _masthead(m: _Maker, n: int) -> StoryGold | None:
    base = m.take()
    if base is None:
        return None
    paras = paragraphs(base.text)
    src, copier = m.outlets_but(2)
    ids = [f"story/masthead/{n:04d}/{k}" for k in ("original", "copy")]
    t0 = m.when()
    m.add(ids[0], _join(paras), src, t0, base)
    m.add(ids[1], _join([copier.name.upper(), copier.strap, *paras]), copier,
          t0 + timedelta(hours=5), base)  # fmt: skip
    return StoryGold(
        case="masthead",
        members=ids,
        origin=ids[0],
        origin_outlet=src.domain,
        took_from={ids[1]: ids[0]},
        credit={ids[1]: "absent"},
        trace=ids[1],
    )


def _furniture(m: _Maker, n: int) -> tuple[str, str] | None:
    a, b = m.take(), m.take()
    if a is None or b is None:
        return None
    owner, x, y = m.outlets_but(3)
    tail = [NOTICE.format(name=owner.name), SOCIAL.format(name=owner.name)]
    ida = m.add(f"story/furniture/{n:04d}/a", _join([*paragraphs(a.text), *tail]), x, m.when(), a)
    idb = m.add(f"story/furniture/{n:04d}/b", _join([*paragraphs(b.text), *tail]), y, m.when(), b)
    return ida, idb


def _quote(m: _Maker, n: int) -> tuple[str, str] | None:
    s, t, q = m.take(), m.take(), m.take()
    if s is None or t is None or q is None:
        return None
    told, other = m.outlets_but(2)
    spoken = [x for p in paragraphs(q.text) for x in sentences(p)][:3]
    quote = " ".join(spoken).rstrip(".")
    speaker = m.rng.choice(("she", "he"))
    para = f"“{quote},” {speaker} told the {told.name}."
    sp, tp = paragraphs(s.text), paragraphs(t.text)
    at_s, at_t = m.rng.randrange(1, len(sp)), m.rng.randrange(1, len(tp))
    t0 = m.when()
    ids = m.add(f"story/quote/{n:04d}/told", _join([*sp[:at_s], para, *sp[at_s:]]), told, t0, s)
    idt = m.add(f"story/quote/{n:04d}/reuse", _join([*tp[:at_t], para, *tp[at_t:]]), other,
                t0 + timedelta(hours=6), t)  # fmt: skip
    return ids, idt


def generate_stories(
    originals: list[Article], per_case: int = 60, background: int = 1500, seed: int = STORIES_SEED
) -> Stories:
    """``per_case`` stories of each case and ``background`` unrelated originals."""
    m = _Maker(originals, seed)
    families: list[StoryGold] = []
    apart: list[tuple[str, str, str]] = []
    quotes: list[tuple[str, str]] = []
    for n in range(per_case):
        for made in (_wire(m, n, True), _wire(m, n, False), _chain(m, n), _masthead(m, n)):
            if made is not None:
                families.append(made)
        pair = _furniture(m, n)
        if pair:
            apart.append((*pair, "furniture"))
        quoted = _quote(m, n)
        if quoted:
            quotes.append(quoted)
            apart.append((*quoted, "quote"))
    for k in range(background):
        base = m.take()
        if base is None:
            break
        outlet = m.rng.choice(m.outlets)
        paras = paragraphs(base.text)
        if m.rng.random() < 0.3:  # its own outlet's furniture, for boilerplate to learn
            paras.insert(m.rng.randrange(1, len(paras)), _promo(outlet, m.headline()))
        m.add(f"story/background/{k:05d}", _join(paras), outlet, m.when(), base)
    articles = list(m.articles)
    m.rng.shuffle(articles)
    return Stories(
        articles=articles,
        families=families,
        apart=apart,
        quotes=quotes,
        meta={"seed": seed, "per_case": per_case, "articles": len(articles)},
    )


# --- scoring -------------------------------------------------------------------------------


def score_stories(stories: Stories, desk: Any) -> dict[str, Any]:
    """Origin, tree and origin-credit accuracy per case; links that must not exist."""
    from copydesk.model import Article as _Article

    fam_of = {}
    for fam in desk.families():
        for member in fam.nodes:
            fam_of[member] = fam
    by_case: dict[str, dict[str, list[int]]] = {}

    def tally(case: str, metric: str, ok: bool) -> None:
        cell = by_case.setdefault(case, {}).setdefault(metric, [0, 0])
        cell[0] += int(ok)
        cell[1] += 1

    failures: list[dict[str, Any]] = []
    texts = {a.id: a for a in stories.articles}
    for gold in stories.families:
        fams = {fam_of[m].id for m in gold.members if m in fam_of}
        fam = fam_of.get(gold.members[-1])
        whole = len(fams) == 1 and fam is not None and set(fam.nodes) == set(gold.members)
        tally(gold.case, "family", whole)
        if not whole:
            failures.append({"case": gold.case, "what": "family", "story": gold.members[0],
                             "got": sorted(fam.nodes) if fam else None})  # fmt: skip
        got_origin = (fam.origin.article, fam.origin.outlet) if fam else (None, None)
        origin_ok = fam is not None and got_origin == (gold.origin, gold.origin_outlet)
        tally(gold.case, "origin", origin_ok)
        if not origin_ok:
            failures.append({"case": gold.case, "what": "origin", "story": gold.members[0],
                             "want": [gold.origin, gold.origin_outlet],
                             "got": list(got_origin)})  # fmt: skip
        for copy, want in gold.credit.items():
            node = fam.nodes.get(copy) if fam else None
            got = node.origin_credit if node else None
            tally(gold.case, "origin_credit", got == want)
            if got != want:
                failures.append({"case": gold.case, "what": "origin_credit", "article": copy,
                                 "want": want, "got": got})  # fmt: skip
        for copy, want in gold.took_from.items():
            node = fam.nodes.get(copy) if fam else None
            tally(gold.case, "took_from", bool(node and node.took_from == want))
        if gold.trace:
            traced = texts[gold.trace]
            probe = _Article(id="traced-text", text=traced.text)
            verdict = desk.trace(probe)
            origin = (verdict.family or {}).get("origin") or {}
            tally(gold.case, "trace_origin", origin.get("outlet") == gold.origin_outlet)
    linked = _linked_pairs(desk)
    for a, b, case in stories.apart:
        bad = (
            (a, b) in linked
            or (b, a) in linked
            or (a in fam_of and b in fam_of and fam_of[a].id == fam_of[b].id)
        )
        tally(case, "kept_apart", not bad)
        if bad:
            failures.append({"case": case, "what": "linked", "pair": [a, b],
                             "relation": linked.get((a, b)) or linked.get((b, a))})  # fmt: skip
    for s, t in stories.quotes:
        tally("quote", "never_reversed", (s, t) not in linked)
        rel = linked.get((t, s))
        tally("quote", "never_a_copy", rel not in ("duplicate", "partial"))
    cases = {
        case: {metric: {"right": r, "of": n, "accuracy": r / n if n else None}
               for metric, (r, n) in metrics.items()}
        for case, metrics in sorted(by_case.items())
    }  # fmt: skip

    def overall(metric: str) -> dict[str, Any]:
        r = sum(m[metric][0] for m in by_case.values() if metric in m)
        n = sum(m[metric][1] for m in by_case.values() if metric in m)
        return {"right": r, "of": n, "accuracy": r / n if n else None}

    return {
        "cases": cases,
        "overall": {
            m: overall(m)
            for m in (
                "family",
                "origin",
                "took_from",
                "origin_credit",
                "trace_origin",
                "kept_apart",
                "never_reversed",
                "never_a_copy",
            )
        },
        "failures": failures[:40],
    }


def _linked_pairs(desk: Any) -> dict[tuple[str, str], str]:
    """(copy, source) -> relation of every cross-outlet verdict source."""
    return {
        (v.article, m.source): m.relation
        for v in desk.verdicts(include_same_outlet=False)
        for m in v.sources
    }

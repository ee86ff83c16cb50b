"""Story-family cases for the accuracy benchmark, made from real originals of the collection.

The labelled collection (``labelled.py``) always has its source in the collection, dated,
and one version per copy. These cases add what real web copies do, each from its own
original texts under invented outlets (``*.case``), in a small collection of their own so
that the pair figures of the main collection do not change:

``wire``        an agency's story (outside the collection) carried as "CITY (Reuters) -", with
                "Source: AFP" at its foot, "By AP" above it, or under a bare "CITY —"
                dateline with the agency cut; a scraper copies the bare-dateline version
                (it cut nothing itself);
``chain``       undated copies of copies: a dated original, an undated copy that cuts a
                sentence and changes a figure, and an undated copy of that copy;
``masthead``    a copy that puts its own masthead and strapline on top of an original;
``furniture``   two different stories carrying one outlet's sign-up notice at their foot,
                and an author box three different stories close with;
``quote``       a quote given to an outlet ("..., Rennick told the Harbour Herald") run
                first, with the credit, inside another outlet's different story.

Gold: each family's origin (an article, or an outside outlet), every version's origin
credit and the version it took from; the pairs that must never be linked; for quote cases
which article is the quote's source.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from copydesk.families import Registry, builtin_agencies, outlet_credits
from copydesk.model import Article

SEED = 20261202
KINDS = ("wire", "chain", "masthead", "furniture", "quote")
AGENCIES = (("Reuters", "reuters.com"), ("AFP", "afp.com"), ("AP", "apnews.com"))
CITIES = ("KESTREL BAY", "NORTHGATE", "WESTMARCH", "ELSTOW", "MARROWBY", "HOLT ISLAND")
SPEAKERS = ("Jo Rennick", "Ada Morrow", "Tomas Quill", "Priya Hale", "Owen Marsh", "Lena Voss")
TOPICS = ("morning", "evening", "weekend", "business", "sport", "politics")
# Invented places for the mastheads and papers of the cases, one per case so that no two
# outlets go by one name.
PLACES = (
    "Copper Valley",
    "Ashby Vale",
    "Brindle Moor",
    "Calder Reach",
    "Dunmere",
    "Evenlode",
    "Fallowfield",
    "Greyhaven",
    "Harrowgate Cross",
    "Ironbridge Fold",
    "Juniper Bay",
    "Kestrel Point",
    "Larkspur",
    "Millbrook",
    "Netherby",
    "Orchard Hythe",
    "Pennick",
    "Quarry Hill",
    "Rookwood",
    "Saltmarsh",
    "Thornbury Ley",
    "Umberside",
    "Vexford",
    "Wyndham",
)

_PARA = re.compile(r"\n\s*\n")
_SENT = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")


@dataclass(slots=True)
class Case:
    kind: str
    members: list[str]
    origin: dict[str, str | None] | None = None  # {"article": id | None, "outlet": domain}
    credit: dict[str, str | None] = field(default_factory=dict)
    took_from: dict[str, str | None] = field(default_factory=dict)
    apart: list[tuple[str, str]] = field(default_factory=list)  # never linked
    quote_source: dict[str, str] = field(default_factory=dict)  # reuser -> source


def _paras(text: str) -> list[str]:
    return [p.strip() for p in _PARA.split(text) if len(p.split()) >= 8]


def _bodies(originals: list[Article], rng: random.Random, n: int) -> list[list[str]]:
    """Paragraph lists of originals that credit no outlet (a BBC text saying "told the
    BBC" would name an origin of its own)."""
    reg = Registry.build(builtin_agencies())
    pool = [p for a in originals if 4 <= len(p := _paras(a.text)) <= 12]
    pool = [p for p in pool if 250 <= sum(len(x.split()) for x in p) <= 900]
    rng.shuffle(pool)
    return [p for p in pool[: n * 2] if not outlet_credits("\n\n".join(p), reg)][:n]


class _Maker:
    def __init__(self, bodies: list[list[str]], rng: random.Random) -> None:
        self.bodies = iter(bodies)
        self.rng = rng
        self.articles: list[Article] = []
        self.cases: list[Case] = []
        self.n = 0
        self.t0 = datetime(2025, 3, 1, 8, tzinfo=UTC)

    def body(self) -> list[str]:
        return list(next(self.bodies))

    def add(self, kind: str, text: str, hours: float | None, name: str | None = None) -> str:
        self.n += 1
        aid = f"case-{kind}-{self.n:04d}"
        outlet = f"{kind}{self.n:04d}.case"
        self.articles.append(
            Article(
                aid,
                text,
                outlet=outlet,
                outlet_name=name,
                url=f"https://{outlet}/{aid}",
                published=None if hours is None else self.t0 + timedelta(hours=hours),
            )
        )
        return aid

    def outlet(self, aid: str) -> str:
        return next(a.outlet for a in self.articles if a.id == aid) or ""

    # -- the cases -------------------------------------------------------------------------

    def wire(self, i: int) -> None:
        name, domain = AGENCIES[i % len(AGENCIES)]
        city = CITIES[i % len(CITIES)]
        paras = self.body()
        text = "\n\n".join(paras)
        h = 24.0 * i
        forms = [
            (f"{city} ({name}) - {text}", "credited"),
            (f"{text}\n\nSource: {name}", "credited"),
            (f"By {name}\n\n{text}", "credited"),
        ]
        dated = self.add("wire", f"{city} — {text}", h + 2)
        ids = {dated: "stripped"}
        for k, (form, credit) in enumerate(forms[: 1 + i % 3]):
            ids[self.add("wire", form, h + k * 0.5)] = credit
        scraper = self.add("wire", f"{city} — {text}\n\nShare this story with a friend.", None)
        ids[scraper] = "absent"
        self.cases.append(
            Case(
                "wire",
                list(ids),
                origin={"article": None, "outlet": domain},
                credit=ids,
                took_from={scraper: dated},
            )
        )

    def chain(self, i: int) -> None:
        paras = self.body()
        a_text = "\n\n".join(paras)
        last = _SENT.split(paras[-1])
        end = " ".join(last[:-1]) if len(last) > 1 else paras[-1][: len(paras[-1]) // 2]
        cut = [*paras[:-1], end]
        b_paras = [
            re.sub(r"\b(\d+)\b", lambda m: str(int(m.group(1)) + 1), p, count=1) for p in cut
        ]
        if b_paras == cut:
            b_paras[0] = b_paras[0].replace(" the ", " teh ", 1)
        b_text = "\n\n".join(b_paras)
        c_text = b_text + "\n\nMore stories like this one are on our front page."
        a = self.add("chain", a_text, 24.0 * i)
        b = self.add("chain", b_text, None)
        c = self.add("chain", c_text, None)
        self.cases.append(
            Case(
                "chain",
                [a, b, c],
                origin={"article": a, "outlet": self.outlet(a)},
                credit={a: None, b: "absent", c: "absent"},
                took_from={a: None, b: a, c: b},
            )
        )

    def masthead(self, i: int) -> None:
        paras = self.body()
        text = "\n\n".join(paras)
        a = self.add("masthead", text, 24.0 * i)
        name = f"The {PLACES[i % len(PLACES)]} {['Times', 'Courier', 'Star'][i % 3]}"
        b = self.add(
            "masthead", f"{name.upper()}\nNews for the whole valley\n\n{text}", 24.0 * i + 3, name
        )
        self.cases.append(
            Case(
                "masthead",
                [a, b],
                origin={"article": a, "outlet": self.outlet(a)},
                credit={a: None, b: "absent"},
                took_from={a: None, b: a},
            )
        )

    def furniture(self, i: int) -> None:
        topic = TOPICS[i % len(TOPICS)]
        notice = (
            f"Sign up to the Copper Valley {topic} briefing to get the day's top stories in "
            "your inbox every weekday at seven, plus breaking alerts and longer reads at the "
            "weekend. You can unsubscribe at any time and we will never share your address."
        )
        box = (
            f"Mara Quill is our {topic} correspondent. She has covered the valley's towns, its "
            "mills and its councils for eleven years, and before that reported from the county "
            "courts and the regional assembly for two weekly papers on the coast."
        )
        x = self.add("furniture", "\n\n".join(self.body()) + "\n\n" + notice, 24.0 * i)
        y = self.add("furniture", "\n\n".join(self.body()) + "\n\n" + notice, 24.0 * i + 5)
        boxed = [
            self.add("furniture", "\n\n".join(self.body()) + "\n\n" + box, 24.0 * i + k)
            for k in range(3)
        ]
        pairs = [(x, y)] + [(p, q) for n, p in enumerate(boxed) for q in boxed[n + 1 :]]
        self.cases.append(Case("furniture", [x, y, *boxed], apart=pairs))

    def quote(self, i: int) -> None:
        speaker = SPEAKERS[i % len(SPEAKERS)]
        paper = f"{PLACES[-1 - i % len(PLACES)]} {['Herald', 'Gazette', 'Record'][i % 3]}"
        narrative = _SENT.split(" ".join(self.body()))[0]
        said = " ".join(_SENT.split(" ".join(self.body()))[:4]).rstrip(".")
        # Mostly quotation: the narrative sentence and the credit are the smaller part.
        passage = f"{narrative} “{said},” {speaker} told the {paper} in an interview on Tuesday."
        own, other = self.body(), self.body()
        own.insert(len(own) // 2, passage)
        other.insert(len(other) // 2, passage)
        source = self.add("quote", "\n\n".join(own), 24.0 * i + 6, paper)
        reuser = self.add("quote", "\n\n".join(other), 24.0 * i)  # ran first, by date
        self.cases.append(
            Case("quote", [source, reuser], apart=[(source, reuser)], quote_source={reuser: source})
        )


def generate(
    originals: list[Article], per_kind: int = 12, seed: int = SEED
) -> tuple[list[Article], list[Case]]:
    """The case articles and their gold, ``per_kind`` cases of each kind."""
    rng = random.Random(seed)
    maker = _Maker(_bodies(originals, rng, per_kind * 12), rng)
    for i in range(per_kind):
        for kind in KINDS:
            getattr(maker, kind)(i)
    articles = list(maker.articles)
    rng.shuffle(articles)  # the ingestion order says nothing of who copied whom
    return articles, maker.cases


def score(
    cases: list[Case], verdicts: dict[str, dict[str, Any]], families: dict[str, Any]
) -> dict[str, Any]:
    """Origin, origin credit, took_from, pairs kept apart and quote direction, from the
    verdicts (article -> verdict JSON) and each article's family (article -> Family)."""

    def ratio(right: int, total: int) -> dict[str, Any]:
        return {"right": right, "of": total, "accuracy": round(right / total, 4) if total else None}

    origin = credit = took = apart = quote = 0
    n_origin = n_credit = n_took = n_apart = n_quote = 0
    per_kind: dict[str, dict[str, int]] = {}
    for case in cases:
        k = per_kind.setdefault(case.kind, {"right": 0, "of": 0})
        if case.origin is not None:
            n_origin += 1
            fam = families.get(case.members[0])
            got = fam.origin.to_json() if fam else {}
            ok = (
                bool(fam)
                and got.get("article") == case.origin["article"]
                and (
                    case.origin["article"] is not None or got.get("outlet") == case.origin["outlet"]
                )
            )
            origin += ok
            k["right"] += ok
            k["of"] += 1
        for aid, want in case.credit.items():
            if want is None:
                continue
            n_credit += 1
            fam = families.get(aid)
            got_c = fam.nodes[aid].origin_credit if fam and aid in fam.nodes else None
            credit += got_c == want
        for aid, want in case.took_from.items():
            n_took += 1
            fam = families.get(aid)
            took += bool(fam) and aid in fam.nodes and fam.nodes[aid].took_from == want
        for a, b in case.apart:
            n_apart += 1
            linked = any(s["source"] == b for s in verdicts.get(a, {}).get("sources", [])) or any(
                s["source"] == a for s in verdicts.get(b, {}).get("sources", [])
            )
            fa, fb = families.get(a), families.get(b)
            apart += not linked and not (fa and fb and fa.id == fb.id)
        for reuser, source in case.quote_source.items():
            n_quote += 1
            reuse = [
                s
                for s in verdicts.get(reuser, {}).get("signals", [])
                if s.get("kind") == "quote_reuse"
            ]
            wrong = [
                s
                for s in verdicts.get(source, {}).get("signals", [])
                if s.get("kind") == "quote_reuse"
            ]
            quote += [s.get("with") for s in reuse] == [source] and not wrong
    return {
        "cases": {kind: sum(c.kind == kind for c in cases) for kind in KINDS},
        "origin": ratio(origin, n_origin),
        "origin_by_kind": {
            kind: ratio(v["right"], v["of"]) for kind, v in per_kind.items() if v["of"]
        },
        "origin_credit": ratio(credit, n_credit),
        "took_from": ratio(took, n_took),
        "kept_apart": ratio(apart, n_apart),
        "quote_direction": ratio(quote, n_quote),
    }

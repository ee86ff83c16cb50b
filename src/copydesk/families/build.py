"""Story families from verified reuse: components, the tree, the origin, origin credit.

Pure functions over plain data (``Member``, ``Link``): the result depends only on the
members and links given, never on the order they come in.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from copydesk.families.credits import (
    STRONG,
    WEIGHTS,
    Credit,
    Registry,
    outlet_credits,
    picture_spans,
)
from copydesk.model import iso


@dataclass(slots=True, frozen=True)
class Member:
    """One article of the collection, as families need it."""

    id: str
    outlet: str | None
    published: datetime | None
    text: str
    url: str | None = None
    signals: tuple[dict[str, Any], ...] = ()  # its lone-article evidence (JSON)
    links: tuple[str, ...] = ()  # URLs its HTML links to


@dataclass(slots=True, frozen=True)
class Link:
    """One verified reuse: ``copy`` took text from ``source``."""

    copy: str
    source: str
    coverage: float
    confidence: float = 1.0
    direction_basis: str = "published"
    # Where the aligned passages lie in the source: (start, end) character offsets.
    source_spans: tuple[tuple[int, int], ...] = ()
    # Where the first aligned passage starts in the copy (None when not known).
    copy_start: int | None = None


@dataclass(slots=True)
class Origin:
    article: str | None
    outlet: str | None
    basis: list[str]
    name: str | None = None  # how the outlet is credited ("NCA NewsWire"), when known

    def to_json(self) -> dict[str, Any]:
        return {
            "article": self.article,
            "outlet": self.outlet,
            "name": self.name,
            "basis": list(self.basis),
        }


@dataclass(slots=True)
class Node:
    id: str
    outlet: str | None
    published: datetime | None
    took_from: str | None
    basis: str | None  # published | variants | evidence; None for a root
    origin_credit: str | None  # credited | stripped | absent; None for the origin article

    def to_json(self) -> dict[str, Any]:
        return {
            "article": self.id,
            "outlet": self.outlet,
            "published": iso(self.published),
            "took_from": self.took_from,
            "basis": self.basis,
            "origin_credit": self.origin_credit,
        }


@dataclass(slots=True)
class Family:
    id: str
    origin: Origin
    nodes: dict[str, Node] = field(default_factory=dict)  # by article id, sorted

    @property
    def size(self) -> int:
        return len(self.nodes)

    def dates(self) -> tuple[datetime | None, datetime | None]:
        dated = sorted(n.published for n in self.nodes.values() if n.published)
        return (dated[0], dated[-1]) if dated else (None, None)

    def credit_counts(self) -> dict[str, int]:
        out = {"credited": 0, "stripped": 0, "absent": 0}
        for n in self.nodes.values():
            if n.origin_credit:
                out[n.origin_credit] += 1
        return out

    def ordered(self) -> list[Node]:
        """Origin first, then each version after the one it took from (depth first,
        siblings by date then id)."""
        children: dict[str | None, list[Node]] = defaultdict(list)
        for n in self.nodes.values():
            children[n.took_from].append(n)
        for kids in children.values():
            kids.sort(key=_date_key)
        out: list[Node] = []

        def walk(node: Node) -> None:
            out.append(node)
            for kid in children.get(node.id, []):
                walk(kid)

        roots = children.get(None, [])
        roots.sort(key=lambda n: (n.id != self.origin.article, *_date_key(n)))
        for root in roots:
            walk(root)
        return out

    def depth(self, article: str) -> int:
        d, node = 0, self.nodes[article]
        while node.took_from and d <= len(self.nodes):
            d, node = d + 1, self.nodes[node.took_from]
        return d

    def to_json(self) -> dict[str, Any]:
        first, last = self.dates()
        return {
            "id": self.id,
            "size": self.size,
            "origin": self.origin.to_json(),
            "first_published": iso(first),
            "last_published": iso(last),
            "origin_credit": self.credit_counts(),
            "tree": [n.to_json() for n in self.ordered()],
        }

    def member_json(self, article: str) -> dict[str, Any]:
        """The ``family`` field of one article's verdict (DESIGN.md)."""
        return {
            "id": self.id,
            "size": self.size,
            "origin": self.origin.to_json(),
            "took_from": self.nodes[article].took_from,
        }

    @staticmethod
    def id_for(member_ids: Iterable[str]) -> str:
        return family_id(member_ids)

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> Family:
        from copydesk.model import parse_iso

        o = obj["origin"]
        fam = cls(obj["id"], Origin(o["article"], o["outlet"], list(o["basis"]), o.get("name")))
        for n in obj["tree"]:
            fam.nodes[n["article"]] = Node(
                n["article"],
                n["outlet"],
                parse_iso(n["published"]),
                n["took_from"],
                n["basis"],
                n["origin_credit"],
            )
        fam.nodes = dict(sorted(fam.nodes.items()))
        return fam


def _date_key(n: Node | Member) -> tuple[int, float, str]:
    return (0, n.published.timestamp(), n.id) if n.published else (1, 0.0, n.id)


def family_id(member_ids: Iterable[str]) -> str:
    """Stable and order-independent: from the smallest member id."""
    return "f-" + hashlib.sha1(min(member_ids).encode("utf-8")).hexdigest()[:10]


def components(ids: Iterable[str], links: Iterable[Link]) -> list[list[str]]:
    """Connected sets of articles joined by links, each sorted, smallest id first; an
    article with no link is no family."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for link in links:
        a, b = find(link.copy), find(link.source)
        if a != b:
            parent[max(a, b)] = min(a, b)
    groups: dict[str, list[str]] = defaultdict(list)
    for x in list(parent):
        groups[find(x)].append(x)
    del ids
    return sorted((sorted(g) for g in groups.values() if len(g) > 1), key=lambda g: g[0])


_WORD = re.compile(r"\w+", re.UNICODE)


def _trigrams(text: str) -> set[int]:
    words = [w.casefold() for w in _WORD.findall(text)]
    return {hash((words[i], words[i + 1], words[i + 2])) for i in range(len(words) - 2)}


def variant_agreement(copy: str, candidate: str) -> float:
    """How much of the copy's wording a candidate version shares, cuts and additions
    alike (Jaccard of word trigrams): the version a copy took from shares its variants."""
    a, b = _trigrams(copy), _trigrams(candidate)
    return len(a & b) / len(a | b) if a and b else 0.0


Tree = dict[str, tuple[str | None, str | None]]  # article -> (took_from, basis)


def _tree(members: dict[str, Member], links: list[Link]) -> Tree:
    sources: dict[str, list[Link]] = defaultdict(list)
    for link in links:
        sources[link.copy].append(link)
    chosen: dict[str, tuple[str | None, str | None]] = {}
    for mid in sorted(members):
        cands = sorted(sources.get(mid, []), key=lambda link: link.source)
        if not cands:
            chosen[mid] = (None, None)
            continue
        me = members[mid]
        dated = [
            c
            for c in cands
            if me.published
            and members[c.source].published
            and members[c.source].published < me.published
        ]
        if len(cands) == 1:
            c = cands[0]
            basis = (
                "published"
                if dated
                else ("evidence" if c.direction_basis != "published" else "published")
            )
            chosen[mid] = (c.source, basis)
            continue
        pool = dated if len(dated) >= 1 else cands
        if len(pool) == 1 and len(dated) == 1:
            chosen[mid] = (pool[0].source, "published")
            continue
        scored = sorted(
            (
                (variant_agreement(me.text, members[c.source].text), c.coverage, c.source)
                for c in pool
            ),
            key=lambda t: (-t[0], -t[1], t[2]),
        )
        best = scored[0]
        clear = len(scored) == 1 or best[0] - scored[1][0] >= 0.02
        chosen[mid] = (best[2], "variants" if clear else "evidence")
    # Cut any cycle at its earliest member (by date, then id): it becomes a root.
    for mid in sorted(chosen):
        seen: list[str] = []
        x: str | None = mid
        while x is not None and x not in seen:
            seen.append(x)
            x = chosen[x][0]
        if x is not None:  # a cycle through x
            loop = seen[seen.index(x) :]
            first = min(loop, key=lambda i: _date_key(members[i]))
            chosen[first] = (None, None)
    return chosen


def _descendants(chosen: dict[str, tuple[str | None, str | None]]) -> dict[str, int]:
    count: dict[str, int] = defaultdict(int)
    for mid in chosen:
        x = chosen[mid][0]
        steps = 0
        while x is not None and steps <= len(chosen):
            count[x] += 1
            x = chosen[x][0]
            steps += 1
    return count


def _furniture_outlets(member: Member) -> list[str]:
    return sorted(
        {
            s["outlet_of_origin"]
            for s in member.signals
            if s.get("kind") == "foreign_boilerplate" and s.get("outlet_of_origin")
        }
    )


def _origin(
    members: dict[str, Member],
    chosen: dict[str, tuple[str | None, str | None]],
    credits: dict[str, list[Credit]],
    agencies: frozenset[str] = frozenset(),
) -> Origin:
    desc = _descendants(chosen)
    roots = [m for m in members if chosen[m][0] is None]
    root = min(roots, key=lambda r: (-desc.get(r, 0), *_date_key(members[r])))
    outlets_in = {m.outlet for m in members.values() if m.outlet}
    votes: dict[str, float] = defaultdict(float)
    kinds: dict[str, set[str]] = defaultdict(set)
    voters: dict[str, set[str]] = defaultdict(set)
    for mid, found in credits.items():
        per: dict[str, float] = {}
        for c in found:
            per[c.outlet] = max(per.get(c.outlet, 0.0), WEIGHTS[c.kind])
            kinds[c.outlet].add(c.kind)
        for mid_outlet in _furniture_outlets(members[mid]):
            if mid_outlet != members[mid].outlet:
                per[mid_outlet] = max(per.get(mid_outlet, 0.0), 2.0)
                kinds[mid_outlet].add("foreign_boilerplate")
        for outlet, w in per.items():
            votes[outlet] += w
            voters[outlet].add(mid)
    root_outlet = members[root].outlet
    root_named = root_outlet is not None and votes.get(root_outlet, 0.0) > 0
    tree_basis = sorted({b for _, b in chosen.values() if b})
    # An outlet outside the family that the root itself credits, that a version credits
    # as its source while none names the family's outlets, or that most versions credit,
    # is where the story came from. What the root (the earliest version) credits comes
    # first.
    outside = sorted(
        (o for o in votes if o not in outlets_in),
        key=lambda o: (root not in voters[o] or not kinds[o] & _SOURCE_KINDS, -votes[o], o),
    )
    inside_named = root_named or any(o in outlets_in for o in votes)
    for outlet in outside:
        strong = kinds[outlet] & _SOURCE_KINDS
        by_root = root in voters[outlet] and bool(strong)
        by_most = len(voters[outlet]) * 2 >= len(members) and not root_named
        # A version that credits the outside outlet as a source (dateline, credit line,
        # byline, its furniture) while no version credits any outlet of the family.
        by_any = bool(strong) and not inside_named
        if by_root or by_any or (by_most and (strong or len(voters[outlet]) >= 2)):
            return Origin(None, outlet, sorted(kinds[outlet]))
    # A root filed under a dateline without its agency ("MANILA —") is a wire's text:
    # when no version names a source, the one agency they mention (a quote given to it,
    # its picture) is that wire.
    mentioned = [o for o in outside if o in agencies]
    if (
        len(mentioned) == 1
        and not inside_named
        and not any(kinds[o] & _SOURCE_KINDS for o in votes)
        and len(members) > 1
        and bare_dateline(members[root].text) is not None
    ):
        return Origin(None, mentioned[0], sorted(kinds[mentioned[0]] | {"dateline"}))
    # The origin is in the collection: the credited outlet's earliest version if the
    # copies name one of the family's outlets and the root is not it, else the root.
    inside = sorted(
        (o for o in votes if o in outlets_in and o != root_outlet), key=lambda o: (-votes[o], o)
    )
    if inside and not root_named and votes[inside[0]] >= 2.0 * max(1, len(members) // 3):
        cands = [m for m in members.values() if m.outlet == inside[0]]
        art = min(cands, key=_date_key)
        return Origin(art.id, art.outlet, sorted(kinds[inside[0]] | {"credited_in_family"}))
    basis = ["root", *tree_basis]
    if root_named:
        basis += sorted(kinds[root_outlet])
    return Origin(root, root_outlet, basis)


_SOURCE_KINDS = STRONG | {"foreign_boilerplate"}

# A dateline opening a line: "NEW YORK:", "GIANYAR BEACH —", "CAIRO •", "THE HAGUE,
# Netherlands —", or in running case with a date, "Utrecht, March 18:".
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
_DATELINE = re.compile(
    r"(?m)^[ \t]*(?P<place>(?:[A-Z][A-Z.'’-]+)(?:[ \t]+[A-Z][A-Z.'’-]+){0,3}"
    r"(?:,[ \t]+[A-Z][\w.'’ ]{1,30}?)?(?:,[ \t]+" + _MONTH + r"[ \t]+\d{1,2}(?:,[ \t]+\d{4})?)?"
    r"|[A-Z][a-z]+(?:[ \t]+[A-Z][a-z]+){0,2},[ \t]+" + _MONTH + r"[ \t]+\d{1,2}(?:,[ \t]+\d{4})?)"
    r"[ \t]*(?:--|[:—–•-])[ \t]+(?=[A-Z\"“‘'])"
)


def bare_dateline(text: str, head: int = 400) -> str | None:
    """The dateline a text opens with, without an agency's name (within the first lines,
    after a headline): folded, e.g. ``"utrecht march 18"``; None if it has none."""
    m = _DATELINE.search(text[:head])
    if not m or len(re.sub(r"[^A-Za-z]", "", m.group("place"))) < 3:
        return None
    return " ".join(re.findall(r"\w+", m.group("place").casefold()))


def _names_origin(
    member: Member,
    origin: Origin,
    reg: Registry,
    found: list[Credit],
    origin_article: Member | None,
) -> bool:
    if any(c.outlet == origin.outlet and c.kind != "photo_credit" for c in found):
        return True
    if origin_article is not None and origin_article.url:
        bare = re.sub(r"^https?://(www\.)?", "", origin_article.url).rstrip("/").casefold()
        if bare and bare in member.text.casefold():
            return True
        if any(
            bare == re.sub(r"^https?://(www\.)?", "", u).rstrip("/").casefold()
            for u in member.links
        ):
            return True
    if origin.outlet and origin.outlet != member.outlet:
        pictures = picture_spans(member.text) if origin.outlet in reg.agencies else []
        for form in reg.names_of(origin.outlet):
            pattern = re.compile(r"(?<![\w.-])" + re.escape(form) + r"(?![\w-])", re.IGNORECASE)
            for m in pattern.finditer(member.text):
                word = m.group(0)
                if any(lo <= m.start() < hi for lo, hi in pictures):
                    continue  # an agency's picture credit is no credit of the text
                if "." in form or all(w[:1].isupper() for w in word.split() if w[:1].isalpha()):
                    return True
    return False


def build_family(members: Iterable[Member], links: Iterable[Link], reg: Registry) -> Family:
    """One family from its members and the links between them."""
    members = list(members)
    shown = {m.id: m.outlet for m in members}
    # Comparisons use the canonical outlet (an agency's subdomain is the agency).
    by_id = {
        m.id: replace(m, outlet=reg.canonical(m.outlet))
        for m in sorted(members, key=lambda m: m.id)
    }
    links = sorted(
        (lk for lk in links if lk.copy in by_id and lk.source in by_id),
        key=lambda lk: (lk.copy, lk.source),
    )
    chosen = _tree(by_id, links)
    credits = {mid: outlet_credits(m.text, reg, own=m.outlet) for mid, m in by_id.items()}
    origin = _origin(by_id, chosen, credits, reg.agencies)
    if origin.article is None and origin.outlet:
        written = [c.text for found in credits.values() for c in found if c.outlet == origin.outlet]
        origin.name = reg.display.get(origin.outlet) or (
            min(written, key=lambda w: (-written.count(w), w)) if written else None
        )
    origin_article = by_id.get(origin.article) if origin.article else None
    fam = Family(family_id(by_id), origin)
    for mid, m in by_id.items():
        took_from, basis = chosen[mid]
        if mid == origin.article:
            oc = None
        elif _names_origin(m, origin, reg, credits[mid], origin_article):
            oc = "credited"
        elif origin.outlet in _furniture_outlets(m) and origin.outlet != m.outlet:
            oc = "stripped"
        elif any(c.kind in STRONG and c.outlet != origin.outlet for c in credits[mid]):
            oc = "absent"  # it names the version it took as another outlet's, not the origin
        elif took_from is not None and _self_mention(
            by_id[took_from], origin, reg, _spans_of(links, mid, took_from, m.text)
        ):
            oc = "stripped"  # the version it took from names the origin; the copy cut it
        elif not _inherited_dateline(m, by_id.get(took_from) if took_from else None) and (
            _dateline_cut(m, origin, by_id, credits) or _bare_wire_dateline(m, origin, reg)
        ):
            oc = "stripped"  # the wire dateline's place kept, the agency's name cut
        elif m.outlet is not None and m.outlet == origin.outlet:
            oc = "credited"  # the origin outlet's own later version
        else:
            oc = "absent"
        fam.nodes[mid] = Node(mid, shown[mid], m.published, took_from, basis, oc)
    if origin.article:
        origin.outlet = shown[origin.article]
    return fam


def _spans_of(
    links: list[Link], copy: str, source: str, copy_text: str = ""
) -> tuple[tuple[int, int], ...]:
    """The passages ``copy`` took from ``source``, in the source; when the copy opens with
    them (nothing but a headline before), the source's lead before them too: the copy
    dropped that lead rather than writing its own."""
    link = next((lk for lk in links if lk.copy == copy and lk.source == source), None)
    if link is None or not link.source_spans:
        return ()
    spans = link.source_spans
    before = copy_text[: link.copy_start or 0].strip()
    if link.copy_start is not None and (
        not before or (len(before.split()) <= 20 and "\n" not in before and before[-1] not in ".!?")
    ):
        first = min(lo for lo, _ in spans)
        spans = ((0, first), *spans)
    return spans


def _self_mention(
    member: Member, origin: Origin, reg: Registry, spans: tuple[tuple[int, int], ...] = ()
) -> bool:
    """Does the text name the origin outlet, its own or not (a mention a copy can cut)?
    With ``spans`` (the passages a copy took), only a mention inside or beside them
    counts: a copy that took the body after a rewritten lead did not cut the lead's
    credit."""
    if not origin.outlet:
        return False
    text = member.text
    if spans:
        slack = 80
        kept = [" "] * len(text)
        for lo, hi in spans:
            lo, hi = max(0, lo - slack), min(len(text), hi + slack)
            kept[lo:hi] = text[lo:hi]
        text = "".join(kept)
    probe = Member(member.id, None, member.published, text)
    return _names_origin(probe, origin, reg, outlet_credits(text, reg), None)


def _dateline_cut(
    member: Member, origin: Origin, by_id: dict[str, Member], credits: dict[str, list[Credit]]
) -> bool:
    """The copy opens with the place of another version's wire dateline ("NEW YORK (AP)
    —") but without the agency: "NEW YORK: ..." (a copy keeping the bare dateline of the
    version it took from is judged by ``_inherited_dateline``)."""
    head = member.text.lstrip()[:120]
    for other, found in credits.items():
        if other == member.id:
            continue
        text = by_id[other].text
        for c in found:
            if c.kind != "wire_dateline" or c.outlet != origin.outlet:
                continue
            line_start = text.rfind("\n", 0, c.start) + 1
            place = text[line_start : c.start].rstrip(" (").strip()
            if (
                len(place) >= 3
                and place.upper() == place
                and any(ch.isalpha() for ch in place)
                and re.match(re.escape(place) + r"\s*[:—–,-]", head)
            ):
                return True
    return False


def _inherited_dateline(member: Member, took: Member | None) -> bool:
    """The copy keeps the bare dateline of the version it took from as it was: the
    agency's name was cut before it."""
    line = bare_dateline(member.text)
    return line is not None and took is not None and bare_dateline(took.text) == line


def _bare_wire_dateline(member: Member, origin: Origin, reg: Registry) -> bool:
    """A copy of an agency's story that keeps a dateline without the agency ("TOKYO —")
    cut the credit."""
    if origin.article is not None or origin.outlet not in reg.agencies:
        return False
    return bare_dateline(member.text) is not None


def build_families(members: Iterable[Member], links: Iterable[Link], reg: Registry) -> list[Family]:
    """Every family of a collection, smallest member id first."""
    by_id = {m.id: m for m in members}
    links = [lk for lk in links if lk.copy in by_id and lk.source in by_id]
    by_copy: dict[str, list[Link]] = defaultdict(list)
    for lk in links:
        by_copy[lk.copy].append(lk)
    out = []
    for group in components(by_id, links):
        gset = set(group)
        glinks = [lk for m in group for lk in by_copy.get(m, []) if lk.source in gset]
        out.append(build_family([by_id[m] for m in group], glinks, reg))
    return out

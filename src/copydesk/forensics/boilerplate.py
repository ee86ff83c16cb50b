"""Boilerplate: each outlet's recurring lines, learned from a collection, found elsewhere.

Outlets put the same furniture in their stories: a tabloid's promo lines ("READ MORE: …
[LATEST]", a "DON'T MISS:" block of headlines tagged "[REVEALED]"), its picture captions
ending "(Image: Lensbank)", a regional paper's newsletter footer. Lines that are outlet A's
boilerplate turning up on outlet B betray the source even when A's article is not in the
collection; and an outlet's own boilerplate is not text anybody copied.

Three steps, all pure functions over plain data:

- :func:`line_shape` turns one line into a *shape*: promo and caption templates become a
  pattern ("read more: * [latest]", "* (image: lensbank)"); any other line becomes its own
  text, folded (case, quotes, dashes, spaces, digits), so a fixed footer sentence is one shape.
- :func:`learn` counts shapes per outlet over a collection and keeps the ones that are
  frequent in one outlet's articles and rare in every other outlet's (the rule is spelled
  out in its docstring) in a :class:`BoilerplateModel`.
- :func:`find_boilerplate` looks every line of one article up in the model and returns
  ``foreign_boilerplate`` evidence for lines owned by another outlet and ``own_boilerplate``
  for the article's own outlet's lines, each with the line's character offsets.

Boilerplate lines, own or foreign, are not narration: a caller measuring how much of an
article is copied (coverage) leaves the spans from :func:`boilerplate_spans` out, so two
articles of one outlet never look alike for sharing a footer, and a copy is not judged on
the promo lines it carried along. Foreign boilerplate is still evidence about where the
copy came from.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from copydesk.batches import batches
from copydesk.model import Evidence

__all__ = [
    "FOREIGN",
    "OWN",
    "BoilerplateModel",
    "BoilerplateShape",
    "boilerplate_spans",
    "find_boilerplate",
    "learn",
    "line_shape",
    "lines",
    "shape_kind",
]

FOREIGN = "foreign_boilerplate"
OWN = "own_boilerplate"
PATTERN = "pattern"
LINE = "line"

# --- line shapes ---------------------------------------------------------------------------

_TYPOGRAPHY = {
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "`": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    "\u00ab": '"', "\u00bb": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-",
    "\u2015": "-", "\u2212": "-",
    "\u00a0": " ", "\u2009": " ", "\u200a": " ", "\u202f": " ", "\u2007": " ",
    "\u200b": "", "\u200c": "", "\u200d": "", "\u2060": "", "\ufeff": "",
}  # fmt: skip
# Finding the few such characters a line has and replacing each with str.replace is several
# times faster than str.translate with a dict, which looks every character up.
_SPECIAL = re.compile("[" + "".join(re.escape(c) for c in _TYPOGRAPHY) + "]")
_DIGIT = re.compile("[1-9]")
_LETTER = re.compile(r"[^\W\d_]")


def _fold(line: str) -> str:
    """Quotes, dashes and odd spaces to plain ones, every digit to "0"; case is kept."""
    for char in set(_SPECIAL.findall(line)):
        line = line.replace(char, _TYPOGRAPHY[char])
    return _DIGIT.sub("0", line)


def _labels(spec: str) -> frozenset[str]:
    return frozenset(label.strip() for label in spec.split("|"))


# Labels that open a promo line; what follows them (a headline, a video title) varies from
# story to story and becomes "*".
_PROMO_LABELS = _labels(
    "read more|read also|also read|more|don't miss|do not miss|see also|related"
    "|related stories|related articles|related content|latest|watch|watch now|watch live"
    "|listen|video|videos|gallery|in pictures|pictured|recommended|trending|most read"
    "|must read|breaking|exclusive|editor's note|sponsored|advertisement|sign up|subscribe"
    "|follow us|click here|full story"
)
# Labels that credit a picture or a source; a short credit ("Getty Images") is kept, since
# which agency an outlet credits is part of its template, a long one becomes "*".
_CREDIT_LABELS = _labels(
    "pic|pics|picture|pictures|photo|photos|photograph|photographs|image|images|credit"
    "|credits|source|illustration|graphic|footage|camera"
)
_MAX_CREDIT_WORDS = 6
_MAX_PROMO_PREFIX = 32  # the colon of a promo label comes early in the line
_MAX_UPPER_REST_WORDS = 20  # "NEW DELHI: <a 40-word lede>" is narration, not a promo line
_MAX_PATTERN_LINE = 400  # promo lines and captions are short; longer lines are narration

_PREFIX_WORDS = re.compile(r"[^\W\d_]+(?:['&.\-][^\W\d_]+)*(?: [^\W\d_]+(?:['&.\-][^\W\d_]+)*)*")
_CAPTION = re.compile(
    r"^(.*?)\s*\(\s*(" + "|".join(sorted(_CREDIT_LABELS, key=len, reverse=True)) + r")\s*:\s*"
    r"([^()]{1,80})\)$",
    re.IGNORECASE,
)
_TAGS = re.compile(r"(?:\s*\[[^\[\]]{1,30}\])+$")
_TAG = re.compile(r"\[([^\[\]]{1,30})\]")


def _words(text: str) -> int:
    return text.count(" ") + 1 if text else 0


def _upper_tags(tail: str) -> list[str] | None:
    """The tags of a trailing "[REVEAL] [INSIGHT]" run if all are written in capitals."""
    tags = [t.strip() for t in _TAG.findall(tail)]
    if tags and all(t and t.isupper() for t in tags):
        return [t.casefold() for t in tags]
    return None


def _shape_and_kind(line: str) -> tuple[str, str] | None:
    """``line``'s shape and whether it is a template ("pattern") or fixed text ("line")."""
    return _folded_shape_and_kind(_fold(line))


def _folded_shape_and_kind(folded: str) -> tuple[str, str] | None:
    """``_shape_and_kind`` of a line already through ``_fold``."""
    t = " ".join(folded.split())
    if len(t) < 3 or not _LETTER.search(t):
        return None
    if len(t) <= _MAX_PATTERN_LINE:
        shape = _pattern(t)
        if shape is not None:
            return shape, PATTERN
    return t.casefold(), LINE


def _pattern(t: str) -> str | None:
    """The template shape of a promo line or a caption, or None for any other line."""
    # A caption ending in a picture credit: "A radiator being bled (Image: Lensbank)".
    if t.endswith(")"):
        m = _CAPTION.match(t)
        if m:
            credit = " ".join(m.group(3).split()).casefold()
            label = m.group(2).casefold()
            return f"{'* ' if m.group(1) else ''}({label}: {credit})"
    # Trailing capitalised tags: "... [REVEAL]", "... [INSIGHT] [ANALYSIS]".
    tags: list[str] | None = None
    body = t
    if t.endswith("]"):
        m = _TAGS.search(t)
        if m:
            tags = _upper_tags(m.group())
            if tags is not None:
                body = t[: m.start()].rstrip()
    suffix = "".join(f" [{tag}]" for tag in tags) if tags else ""
    # A label before a colon: "READ MORE: ...", "DON'T MISS:", "Pic: Lensbank", "Video: ...".
    colon = body.find(":", 0, _MAX_PROMO_PREFIX)
    if colon > 0:
        prefix = body[:colon].strip()
        rest = body[colon + 1 :].strip()
        label = prefix.casefold()
        if _PREFIX_WORDS.fullmatch(prefix) and _words(prefix) <= 4:
            if label in _CREDIT_LABELS and not tags:
                kept = rest.casefold() if _words(rest) <= _MAX_CREDIT_WORDS else "*"
                return f"{label}: {kept}" if rest else f"{label}:"
            promo = label in _PROMO_LABELS
            shouted = (
                prefix.isupper()
                and sum(c.isalpha() for c in prefix) >= 3
                and (tags is not None or _words(rest) <= _MAX_UPPER_REST_WORDS)
            )
            if promo or shouted:
                return f"{label}:{' *' if rest else ''}{suffix}"
    if tags is not None:
        return f"{'* ' if body else ''}{suffix.strip()}"
    return None


def line_shape(line: str) -> str | None:
    """The shape under which ``line`` is counted as boilerplate, or None for a non-line.

    Typography is folded first (curly quotes to straight, dashes to "-", runs of spaces to
    one, every digit to "0", case folded). Templates then keep only what an outlet repeats:

    - a caption ending in a picture credit: ``"A radiator being bled (Image: Lensbank)"``
      → ``"* (image: lensbank)"``;
    - a promo label before a colon, with any capitalised tags at the end:
      ``"READ MORE: Energy customers urged … [LATEST]"`` → ``"read more: * [latest]"``,
      ``"DON'T MISS:"`` → ``"don't miss:"``, ``"Video: Minister visits …"`` → ``"video: *"``
      (known labels in any case; any other label only in capitals and before a short line);
    - a credit label keeps a short credit: ``"Pic: Lensbank"`` → ``"pic: lensbank"``;
    - a headline with capitalised tags: ``"Putin puppet … [ANALYSIS]"`` → ``"* [analysis]"``.

    Any other line is its folded text, so a fixed footer sentence is one shape. Lines with
    fewer than 3 characters or no letter give None.
    """
    found = _shape_and_kind(line)
    return found[0] if found else None


def shape_kind(line: str) -> str | None:
    """ "pattern" when ``line`` is shaped as a template, "line" when by its text, else None."""
    found = _shape_and_kind(line)
    return found[1] if found else None


# --- the model -----------------------------------------------------------------------------


@dataclass(slots=True)
class BoilerplateShape:
    """One learned shape and the outlet that owns it.

    ``owner_count`` articles of ``outlet`` contain it, ``share`` of the articles it was
    counted over; ``other_count`` articles of ``other_outlets`` other outlets (never copies)
    contain it too.
    """

    outlet: str
    owner_count: int
    other_count: int
    share: float
    kind: str  # "pattern" | "line"
    other_outlets: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "outlet": self.outlet,
            "owner_count": self.owner_count,
            "other_count": self.other_count,
            "other_outlets": self.other_outlets,
            "share": self.share,
            "kind": self.kind,
        }

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> BoilerplateShape:
        return cls(
            outlet=obj["outlet"],
            owner_count=int(obj["owner_count"]),
            other_count=int(obj["other_count"]),
            share=float(obj["share"]),
            kind=obj.get("kind", LINE),
            other_outlets=int(obj.get("other_outlets", 0)),
        )


def shape_key(shape: str) -> str:
    """The digest a furniture atlas files a shape under (BLAKE2b, 96 bits, hex)."""
    return hashlib.blake2b(shape.encode("utf-8"), digest_size=12).hexdigest()


@dataclass(slots=True)
class BoilerplateModel:
    """Shapes (see :func:`line_shape`) and who owns them; ``outlets`` counts the articles
    of each outlet that were learned from (copies included); ``params`` records the rule's
    settings. ``atlas`` holds shapes learned elsewhere (a furniture atlas,
    :mod:`copydesk.forensics.atlas`), filed by :func:`shape_key`: a line is looked up in
    ``shapes`` first, then in ``atlas``."""

    shapes: dict[str, BoilerplateShape] = field(default_factory=dict)
    outlets: dict[str, int] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)
    atlas: dict[str, BoilerplateShape] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.shapes)

    def owner(self, shape: str) -> BoilerplateShape | None:
        """Who owns ``shape``: the collection's model, else the atlas."""
        owned = self.shapes.get(shape)
        if owned is None and self.atlas:
            owned = self.atlas.get(shape_key(shape))
        return owned

    def owned_by(self, outlet: str) -> dict[str, BoilerplateShape]:
        """The shapes ``outlet`` owns."""
        return {s: b for s, b in self.shapes.items() if b.outlet == outlet}

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "version": 1,
            "params": dict(self.params),
            "outlets": dict(sorted(self.outlets.items())),
            "shapes": {s: b.to_json() for s, b in sorted(self.shapes.items())},
        }
        if self.atlas:
            out["atlas"] = {k: b.to_json() for k, b in sorted(self.atlas.items())}
        return out

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> BoilerplateModel:
        return cls(
            shapes={s: BoilerplateShape.from_json(b) for s, b in obj.get("shapes", {}).items()},
            outlets={o: int(n) for o, n in obj.get("outlets", {}).items()},
            params=dict(obj.get("params", {})),
            atlas={k: BoilerplateShape.from_json(b) for k, b in obj.get("atlas", {}).items()},
        )


def lines(text: str) -> Iterator[tuple[int, int]]:
    """``(start, end)`` of each line of ``text``, trimmed of whitespace, blank lines left out.

    The same spans as :func:`copydesk.text.segment.paragraphs` gives (a single newline
    ends a paragraph there), found with ``str.split`` for speed.
    """
    pos = 0
    for part in text.split("\n"):
        stripped = part.strip()
        if stripped:
            start = pos + len(part) - len(part.lstrip())
            yield start, start + len(stripped)
        pos += len(part) + 1


# --- learning ------------------------------------------------------------------------------


def article_shapes(text: str) -> dict[str, str]:
    """Each distinct shape of ``text``'s lines, with its kind."""
    out: dict[str, str] = {}
    # _fold maps character by character and never makes or removes a line break, so the
    # whole text is folded at once: the same lines as folding each.
    for folded in _fold(text).split("\n"):
        found = _folded_shape_and_kind(folded)
        if found is not None:
            out[found[0]] = found[1]
    return out


def learn(
    articles: Iterable[tuple[str, str, bool]],
    **params: Any,
) -> BoilerplateModel:
    """Learn from ``(outlet, text, is_copy)`` items; see :func:`learn_from_shapes`."""
    return learn_from_shapes(
        ((outlet, article_shapes(text or ""), is_copy) for outlet, text, is_copy in articles),
        **params,
    )


_LEARN_CHUNK = 200_000  # distinct shapes gathered before they are checked against earlier ones


def _isin_sorted(values: np.ndarray, sorted_keys: np.ndarray) -> np.ndarray:
    """``np.isin`` for a sorted, unique ``sorted_keys``."""
    if not sorted_keys.size:
        return np.zeros(values.shape, dtype=bool)
    at = np.searchsorted(sorted_keys, values).clip(max=sorted_keys.size - 1)
    return sorted_keys[at] == values


@dataclass(slots=True)
class ShapeTally:
    """How many articles of each outlet have one shape: ``noncopies`` among the outlet's
    articles not known to be copies, ``copies`` among its known copies. ``kind`` is the
    shape's kind ("pattern" or "line"; a function of the shape)."""

    kind: str
    noncopies: dict[str, int] = field(default_factory=dict)
    copies: dict[str, int] = field(default_factory=dict)

    @property
    def articles(self) -> int:
        return sum(self.noncopies.values()) + sum(self.copies.values())

    def add(self, other: ShapeTally) -> ShapeTally:
        self.kind = min(self.kind, other.kind)
        for mine, theirs in ((self.noncopies, other.noncopies), (self.copies, other.copies)):
            for outlet, n in theirs.items():
                mine[outlet] = mine.get(outlet, 0) + n
        return self


@dataclass(slots=True)
class ShapeCounts:
    """What boilerplate learning counts: each outlet's articles learned from (non-copies
    and copies) and a :class:`ShapeTally` per shape. Counts of disjoint sets of articles
    add up (:meth:`add`); shapes in fewer articles than the rule's ``min_articles`` can
    be dropped (:meth:`keep`) without changing the model, so an engine can count its
    partitions apart and keep only the shapes that can matter."""

    noncopies: dict[str, int] = field(default_factory=dict)
    copies: dict[str, int] = field(default_factory=dict)
    shapes: dict[str, ShapeTally] = field(default_factory=dict)

    def add(self, other: ShapeCounts) -> ShapeCounts:
        for mine, theirs in ((self.noncopies, other.noncopies), (self.copies, other.copies)):
            for outlet, n in theirs.items():
                mine[outlet] = mine.get(outlet, 0) + n
        for shape, tally in other.shapes.items():
            have = self.shapes.get(shape)
            if have is None:
                self.shapes[shape] = ShapeTally(
                    tally.kind, dict(tally.noncopies), dict(tally.copies)
                )
            else:
                have.add(tally)
        return self

    def keep(self, min_articles: int) -> ShapeCounts:
        """Drop the shapes in fewer than ``min_articles`` articles (in place)."""
        self.shapes = {s: t for s, t in self.shapes.items() if t.articles >= min_articles}
        return self


def tally_shapes(articles: Iterable[tuple[str, dict[str, str], bool]]) -> ShapeCounts:
    """:class:`ShapeCounts` of ``(outlet, shapes, is_copy)`` items (as
    :func:`learn_from_shapes` takes them), every shape kept: the per-partition count an
    engine adds up. Items with an empty outlet are skipped."""
    counted = ShapeCounts()
    for outlet, article, is_copy in articles:
        if not outlet:
            continue
        side = counted.copies if is_copy else counted.noncopies
        side[outlet] = side.get(outlet, 0) + 1
        for shape, kind in article.items():
            tally = counted.shapes.get(shape)
            if tally is None:
                tally = counted.shapes[shape] = ShapeTally(kind)
            elif kind < tally.kind:
                tally.kind = kind
            by = tally.copies if is_copy else tally.noncopies
            by[outlet] = by.get(outlet, 0) + 1
    return counted


def _shape_hash(shape: str) -> int:
    """A line shape's stable 64-bit key for counting (the same in every process and run;
    a collision among a million shapes is about 3e-8 likely)."""
    digest = hashlib.blake2b(shape.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "little", signed=True)


@dataclass(slots=True)
class HashedShapes:
    """A batch of articles' line shapes, hashed: what boilerplate counting needs of each
    article, computed where the shapes are (an engine's worker). Articles without an
    outlet are left out."""

    outlets: list[str]  # per article
    copies: list[bool]  # per article: known to be a copy
    lengths: np.ndarray  # int64 per article: how many distinct shapes it has
    keys: np.ndarray  # int64: each article's shape keys, one article after another
    texts: dict[int, tuple[str, str]]  # (shape, kind) of each key in the batch

    def __len__(self) -> int:
        return len(self.outlets)


def hash_shapes(articles: Iterable[tuple[str, dict[str, str], bool]]) -> HashedShapes:
    """:class:`HashedShapes` of ``(outlet, shapes, is_copy)`` items."""
    outlets: list[str] = []
    copies: list[bool] = []
    lengths: list[int] = []
    keys: list[int] = []
    texts: dict[int, tuple[str, str]] = {}
    for outlet, article, is_copy in articles:
        if not outlet:
            continue
        outlets.append(outlet)
        copies.append(bool(is_copy))
        lengths.append(len(article))
        for shape, kind in article.items():
            key = _shape_hash(shape)
            keys.append(key)
            texts[key] = (shape, kind)
    return HashedShapes(
        outlets, copies, np.array(lengths, dtype=np.int64), np.array(keys, dtype=np.int64), texts
    )


def count_shapes(
    articles: Iterable[tuple[str, dict[str, str], bool]], *, min_articles: int = 3
) -> ShapeCounts:
    """:func:`tally_shapes` of a whole collection, keeping only the shapes in at least
    ``min_articles`` articles, in bounded memory (see :func:`count_hashed`)."""
    hashed = (hash_shapes(batch) for batch in batches(articles, 500))
    return count_hashed(hashed, min_articles=min_articles)


def count_hashed(hashed: Iterable[HashedShapes], *, min_articles: int = 3) -> ShapeCounts:
    """:func:`tally_shapes` of a whole collection given as batches of
    :class:`HashedShapes`, keeping only the shapes in at least ``min_articles``
    articles. Two passes over the keys, with numpy over each batch: a few integers per
    (article, shape), and the text only of shapes seen twice, so a million articles with
    millions of distinct lines fit."""
    index: dict[str, int] = {}
    names: list[str] = []
    noncopies: list[int] = []
    copies: list[int] = []
    key_parts: list[np.ndarray] = []
    length_parts: list[np.ndarray] = []
    outlet_parts: list[np.ndarray] = []
    copy_parts: list[np.ndarray] = []
    text_of: dict[int, tuple[str, str]] = {}  # shapes seen in at least keep_at articles
    keep_at = 1 if min_articles <= 1 else 2  # no shape seen fewer times can be kept
    flushed = np.zeros(0, dtype=np.int64)  # sorted keys of the batches already looked at
    pending: list[tuple[np.ndarray, np.ndarray]] = []  # (unique keys, counts) per batch
    pending_texts: dict[int, tuple[str, str]] = {}

    def flush(flushed: np.ndarray) -> np.ndarray:
        if not pending:
            return flushed
        found, where = np.unique(np.concatenate([u for u, _ in pending]), return_inverse=True)
        counts = np.bincount(where, weights=np.concatenate([c for _, c in pending]))
        keep = _isin_sorted(found, flushed) | (counts >= keep_at)
        for key in found[keep].tolist():
            if key not in text_of:
                text_of[key] = pending_texts[key]
        pending.clear()
        pending_texts.clear()
        return np.union1d(flushed, found)

    for batch in hashed:
        outlet_ids = np.empty(len(batch.outlets), dtype=np.int64)
        for n, (outlet, is_copy) in enumerate(zip(batch.outlets, batch.copies, strict=True)):
            oi = index.get(outlet)
            if oi is None:
                oi = index[outlet] = len(names)
                names.append(outlet)
                noncopies.append(0)
                copies.append(0)
            if is_copy:
                copies[oi] += 1
            else:
                noncopies[oi] += 1
            outlet_ids[n] = oi
        key_parts.append(batch.keys)
        length_parts.append(batch.lengths)
        outlet_parts.append(outlet_ids)
        copy_parts.append(np.array(batch.copies, dtype=bool))
        pending.append(np.unique(batch.keys, return_counts=True))
        pending_texts.update(batch.texts)  # a shape's kind is a function of the shape
        if len(pending_texts) >= _LEARN_CHUNK:
            flushed = flush(flushed)
    flush(flushed)
    del flushed

    floor = max(1, min_articles)
    all_keys = np.concatenate(key_parts) if key_parts else np.zeros(0, dtype=np.int64)
    lengths = np.concatenate(length_parts) if length_parts else np.zeros(0, dtype=np.int64)
    outlet_of = np.concatenate(outlet_parts) if outlet_parts else np.zeros(0, dtype=np.int64)
    copy_of = np.concatenate(copy_parts) if copy_parts else np.zeros(0, dtype=bool)
    del key_parts
    found, counts = np.unique(all_keys, return_counts=True)
    wanted = found[counts >= floor]
    wanted = wanted[np.isin(wanted, np.fromiter(text_of, dtype=np.int64, count=len(text_of)))]
    hit = _isin_sorted(all_keys, wanted)
    article_of = np.repeat(np.arange(lengths.size, dtype=np.int64), lengths)[hit]
    # (shape, outlet, copy or not) of each hit, counted: one Python step per distinct one.
    k, o, c = all_keys[hit], outlet_of[article_of], copy_of[article_of]
    order = np.lexsort((c, o, k))
    k, o, c = k[order], o[order], c[order]
    starts = (k[1:] != k[:-1]) | (o[1:] != o[:-1]) | (c[1:] != c[:-1])
    firsts = np.flatnonzero(np.r_[k.size > 0, starts])
    n_of = np.diff(np.r_[firsts, k.size])
    distinct = zip(k[firsts].tolist(), o[firsts].tolist(), c[firsts].tolist(), strict=True)
    tallies = {k: ShapeTally(text_of[k][1]) for k in wanted.tolist()}
    for (key, oi, is_copy), n in zip(distinct, n_of.tolist(), strict=True):
        tally = tallies[key]
        (tally.copies if is_copy else tally.noncopies)[names[oi]] = n
    return ShapeCounts(
        noncopies={names[i]: n for i, n in enumerate(noncopies) if n},
        copies={names[i]: n for i, n in enumerate(copies) if n},
        shapes={text_of[k][0]: t for k, t in tallies.items()},
    )


def learn_from_shapes(
    articles: Iterable[tuple[str, dict[str, str], bool]],
    *,
    min_articles: int = 3,
    min_share: float = 0.2,
    max_other_share: float = 0.1,
    max_outlets: int = 4,
) -> BoilerplateModel:
    """Learn which outlet owns which line shapes from ``(outlet, shapes, is_copy)`` items,
    ``shapes`` being :func:`article_shapes` of the article's text (which an engine may
    compute in parallel).

    ``is_copy`` is True for an article already known to copy another outlet's (pass False
    when unknown). A copy's lines carry its source's boilerplate, so they never count as
    the copier's own, with one exception: a shape that no article of any other outlet has
    at all and that at least one of the copier's non-copy articles has (its own masthead
    or footer, put on its copies too) counts for the copier in all its articles, copies
    included. Items with an empty outlet are skipped.

    Each article counts once per shape. Shape *s* belongs to outlet *O* when all hold:

    1. **Frequent in O.** At least ``min_articles`` of O's articles have *s*, and they are
       at least ``min_share`` of O's articles (its non-copies; all its articles for a
       shape of its own, see above).
    2. **Rare elsewhere.** Of the other outlets' non-copy articles, at most
       ``max_other_share`` have *s*, and at most half as large a share as in O. Copies of
       O's stories elsewhere carry O's shapes — that is what the model is for — so known
       copies are left out here; a few undetected ones are tolerated.
    3. **Nobody else's.** No other outlet passes rule 1 for *s*: when two outlets both use
       a line regularly (a shared caption style, a wire's standard line on its clients, a
       content farm whose copies were not marked), which of them owns it cannot be told.
    4. **Not generic.** The non-copy articles of at most ``max_outlets`` outlets (O
       included) have *s*: "(Image: Getty)" on five outlets is common furniture.

    Two passes over hashed shapes keep memory to a few integers per line, so 20,000
    articles take a few seconds.
    """
    return model_from_counts(
        count_shapes(articles, min_articles=min_articles),
        min_articles=min_articles,
        min_share=min_share,
        max_other_share=max_other_share,
        max_outlets=max_outlets,
    )


def model_from_counts(
    counted: ShapeCounts,
    *,
    min_articles: int = 3,
    min_share: float = 0.2,
    max_other_share: float = 0.1,
    max_outlets: int = 4,
) -> BoilerplateModel:
    """The model :func:`learn_from_shapes` learns, from the collection's
    :class:`ShapeCounts` (shapes in fewer than ``min_articles`` articles may be left out
    of them)."""
    floor = max(1, min_articles)
    noncopies, copies = counted.noncopies, counted.copies
    all_noncopies = sum(noncopies.values())
    shapes: dict[str, BoilerplateShape] = {}
    for shape, tally in counted.shapes.items():
        nc, cc = tally.noncopies, tally.copies
        if tally.articles < floor or not nc:
            continue
        present = set(nc) | set(cc)
        # A shape of the copier's own (see learn_from_shapes) counts in all its articles.
        own = next(iter(present)) if len(present) == 1 else None
        frequent: list[tuple[str, int, float]] = []  # (outlet, count, share)
        for outlet in present:
            n, of = nc.get(outlet, 0), noncopies.get(outlet, 0)
            if outlet == own:
                n, of = n + cc.get(outlet, 0), of + copies.get(outlet, 0)
            if n >= floor and of and n / of >= min_share:
                frequent.append((outlet, n, n / of))
        if len(frequent) != 1:  # rule 1 (nobody) or rule 3 (more than one)
            continue
        owner, owner_count, share = frequent[0]
        others = [o for o in nc if o != owner]
        if len(others) + 1 > max_outlets:  # rule 4
            continue
        other_count = sum(nc[o] for o in others)
        other_total = all_noncopies - noncopies.get(owner, 0)
        other_rate = other_count / other_total if other_total else 0.0
        if other_rate > max_other_share or other_rate * 2 > share:  # rule 2
            continue
        shapes[shape] = BoilerplateShape(
            outlet=owner,
            owner_count=owner_count,
            other_count=other_count,
            share=share,
            kind=tally.kind,
            other_outlets=len(others),
        )
    outlets = sorted(set(noncopies) | set(copies))
    return BoilerplateModel(
        shapes=dict(sorted(shapes.items())),
        outlets={o: noncopies.get(o, 0) + copies.get(o, 0) for o in outlets},
        params={
            "min_articles": min_articles,
            "min_share": min_share,
            "max_other_share": max_other_share,
            "max_outlets": max_outlets,
        },
    )


# --- finding -------------------------------------------------------------------------------


def find_boilerplate(text: str, outlet: str | None, model: BoilerplateModel) -> list[Evidence]:
    """Lines of ``text`` whose shape the model knows, in text order.

    A line owned by another outlet gives ``foreign_boilerplate`` evidence, one owned by
    ``outlet`` (compared case-insensitively) ``own_boilerplate``; with ``outlet`` None
    every known line is foreign. Each carries the line as ``text``, its offsets
    (``text[article_start:article_end]`` is the line, trimmed of surrounding whitespace) and
    ``data`` ``{"outlet_of_origin": <owner>, "shape": <shape>}``. Lines are the spans of
    :func:`lines`, the same as :func:`copydesk.text.segment.paragraphs` gives.

    Boilerplate does not count toward coverage: callers leave :func:`boilerplate_spans`
    out of the text they measure.
    """
    if not (model.shapes or model.atlas) or not text:
        return []
    mine = outlet.casefold() if outlet else None
    out: list[Evidence] = []
    for start, end in lines(text):
        line = text[start:end]
        shape = line_shape(line)
        if shape is None:
            continue
        owned = model.owner(shape)
        if owned is None:
            continue
        kind = OWN if mine is not None and owned.outlet.casefold() == mine else FOREIGN
        out.append(
            Evidence(
                kind=kind,
                text=line,
                article_start=start,
                article_end=end,
                data={"outlet_of_origin": owned.outlet, "shape": shape},
            )
        )
    return out


def boilerplate_spans(evidence: Iterable[Evidence]) -> list[tuple[int, int]]:
    """The sorted, merged ``(start, end)`` spans of own and foreign boilerplate evidence."""
    spans = sorted(
        (e.article_start, e.article_end)
        for e in evidence
        if e.kind in (OWN, FOREIGN) and e.article_start is not None and e.article_end is not None
    )
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged

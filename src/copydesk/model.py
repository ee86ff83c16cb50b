"""The plain data that flows between copydesk's stages.

Every stage is a function over these dataclasses; none of them knows where its input
came from (a file, the store, a Spark partition).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(slots=True)
class Article:
    """One news article as read from input. ``text`` is the extracted body, shown as is."""

    id: str
    text: str
    url: str | None = None
    outlet: str | None = None
    published: datetime | None = None  # always timezone-aware (UTC) once read
    title: str | None = None
    author: str | None = None
    outlet_name: str | None = None  # how the outlet names itself, e.g. "The Northern Post"
    extra: dict[str, Any] = field(default_factory=dict)  # unknown input fields, kept

    def to_json(self, *, extra: bool = True) -> dict[str, Any]:
        """The article as an input record (DESIGN.md); unknown fields under ``extra``,
        without the private ``_``-prefixed ones (raw HTML)."""
        out: dict[str, Any] = {
            "id": self.id,
            "url": self.url,
            "outlet": self.outlet,
            "outlet_name": self.outlet_name,
            "published": iso(self.published),
            "title": self.title,
            "author": self.author,
            "text": self.text,
        }
        if extra:
            out["extra"] = {k: v for k, v in self.extra.items() if not k.startswith("_")}
        return out


@dataclass(slots=True)
class Rejection:
    """A record that could not be read; the rest of the batch goes on."""

    source: str  # file name, "<stdin>" or a URL
    line: int | None  # 1-based line (JSONL, CSV row's line) or None
    reason: str
    record_id: str | None = None
    severity: str = "error"  # "error": the record was skipped; "warning": kept, but noted

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line is not None else self.source
        rid = f" [{self.record_id}]" if self.record_id else ""
        return f"{where}{rid}: {self.reason}"


@dataclass(slots=True, frozen=True)
class Passage:
    """One aligned stretch: character offsets into the copy (article) and the source."""

    article_start: int
    article_end: int
    source_start: int
    source_end: int
    similarity: float

    def to_json(self) -> dict[str, Any]:
        return {
            "article_start": self.article_start,
            "article_end": self.article_end,
            "source_start": self.source_start,
            "source_end": self.source_end,
            "similarity": round(self.similarity, 4),
        }


@dataclass(slots=True)
class Evidence:
    """One observation supporting a verdict; ``kind`` names it (see DESIGN.md)."""

    kind: str
    text: str | None = None
    article_start: int | None = None
    article_end: int | None = None
    source_start: int | None = None
    source_end: int | None = None
    data: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind}
        for key in ("text", "source_start", "source_end", "article_start", "article_end"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        out.update(self.data)
        return out

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> Evidence:
        known = {"kind", "text", "article_start", "article_end", "source_start", "source_end"}
        return cls(
            kind=obj["kind"],
            text=obj.get("text"),
            article_start=obj.get("article_start"),
            article_end=obj.get("article_end"),
            source_start=obj.get("source_start"),
            source_end=obj.get("source_end"),
            data={k: v for k, v in obj.items() if k not in known},
        )


# The relations the semantic stage decides (the lexical stage decides the others).
SEMANTIC_RELATIONS = ("rewrite", "translation")


@dataclass(slots=True)
class SourceMatch:
    """What one article (the copy) takes from one earlier article (the source)."""

    source: str
    outlet: str | None
    published: datetime | None
    relation: str  # duplicate | partial | syndicated | rewrite | translation
    credit: str  # credited | stripped | absent
    coverage: float  # share of the copy's text that is aligned
    source_coverage: float  # share of the source's text that is aligned
    confidence: float
    passages: list[Passage]
    evidence: list[Evidence] = field(default_factory=list)
    direction_basis: str = "published"  # published | credit | first_seen
    same_outlet: bool = False
    languages: tuple[str | None, str | None] | None = None  # (copy, source), semantic only

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "source": self.source,
            "outlet": self.outlet,
            "published": iso(self.published),
            "relation": self.relation,
            "credit": self.credit,
            "coverage": round(self.coverage, 4),
            "source_coverage": round(self.source_coverage, 4),
            "confidence": round(self.confidence, 4),
            "direction_basis": self.direction_basis,
            "passages": [p.to_json() for p in self.passages],
            "evidence": [e.to_json() for e in self.evidence],
        }
        if self.languages is not None:
            out["language"] = {"article": self.languages[0], "source": self.languages[1]}
        return out

    @classmethod
    def from_json(cls, obj: dict[str, Any], *, same_outlet: bool = False) -> SourceMatch:
        return cls(
            source=obj["source"],
            outlet=obj.get("outlet"),
            published=parse_iso(obj.get("published")),
            relation=obj["relation"],
            credit=obj["credit"],
            coverage=obj["coverage"],
            source_coverage=obj["source_coverage"],
            confidence=obj["confidence"],
            passages=[Passage(**p) for p in obj.get("passages", [])],
            evidence=[Evidence.from_json(e) for e in obj.get("evidence", [])],
            direction_basis=obj.get("direction_basis", "published"),
            same_outlet=same_outlet,
            languages=(
                (obj["language"].get("article"), obj["language"].get("source"))
                if isinstance(obj.get("language"), dict)
                else None
            ),
        )


@dataclass(slots=True)
class Verdict:
    """Everything copydesk says about one article: its sources and lone-article signals."""

    article: str
    outlet: str | None
    url: str | None
    published: datetime | None
    sources: list[SourceMatch]
    signals: list[Evidence] = field(default_factory=list)
    # The story family it belongs to (DESIGN.md): {id, size, origin, took_from}, and
    # whether it names the family's origin; None when it belongs to no family.
    family: dict[str, Any] | None = None
    origin_credit: str | None = None
    stored_as: str | None = None  # trace: the stored article with this very text
    # A partners file licenses its outlet to carry its origin's (or its source's) stories.
    licensed: bool = False

    def to_json(self) -> dict[str, Any]:
        out = {
            "article": self.article,
            "outlet": self.outlet,
            "url": self.url,
            "published": iso(self.published),
            "sources": [s.to_json() for s in self.sources],
            "signals": [s.to_json() for s in self.signals],
            "family": self.family,
            "origin_credit": self.origin_credit,
        }
        if self.stored_as is not None:
            out["stored_as"] = self.stored_as
        if self.licensed:
            out["licensed"] = True
        return out


def iso(value: datetime | None) -> str | None:
    """ISO 8601 in UTC with a ``Z``, the form every copydesk output uses."""
    if value is None:
        return None
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def parse_iso(value: str | None) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00"))

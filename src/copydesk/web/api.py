"""The JSON API under `/api` (OpenAPI docs at `/docs`)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, HTTPException, Query
from pydantic import BaseModel, Field

from copydesk.desk import Desk
from copydesk.model import Article, Rejection
from copydesk.reading import RecordError, article_from_mapping, parse_published
from copydesk.web.deps import DeskDep, SearchDeskDep, WriterDep, require_token
from copydesk.web.queries import MAX_LIMIT, MAX_OFFSET, Filters, end_bound, search

router = APIRouter(prefix="/api", tags=["api"])

TEXT = "The harbour board voted on Monday to close the old ferry pier after divers found rot."
ARTICLE_EXAMPLE = {
    "id": "hb-001", "url": "https://harbourbeacon.example/pier", "outlet": "harbourbeacon.example",
    "published": "2026-03-02T08:30:00+00:00", "title": "Ferry pier to close", "text": TEXT,
}  # fmt: skip
VERDICT_EXAMPLE = {
    "article": "qt-007", "outlet": "quaytimes.example",
    "url": "https://quaytimes.example/news/pier", "published": "2026-03-02T20:00:00Z",
    "sources": [{
        "source": "hb-001", "outlet": "harbourbeacon.example",
        "published": "2026-03-02T08:30:00Z", "relation": "duplicate", "credit": "stripped",
        "coverage": 0.94, "source_coverage": 1.0, "confidence": 0.99,
        "direction_basis": "published",
        "passages": [{"article_start": 0, "article_end": 86, "source_start": 0,
                      "source_end": 86, "similarity": 0.99}],
        "evidence": [{"kind": "credit_removed", "text": "Harbour Beacon", "source_start": 40,
                      "source_end": 54, "article_start": 38}],
    }],
}  # fmt: skip
OUTLET_EXAMPLE = {
    "outlet": "quaytimes.example", "articles": 12, "reusing": 9, "reuse_share": 0.75,
    "reused": 0, "reused_share": 0.0,
    "top_sources": [{"outlet": "harbourbeacon.example", "copies": 9, "share": 1.0}],
    "top_copiers": [],
    "credit": {"copies": 9, "credited": 1, "stripped": 6, "absent": 2, "credited_rate": 0.11,
               "stripped_rate": 0.67, "absent_rate": 0.22},
    "median_lag_hours": 11.5, "first_publisher_rate": 0.25, "foreign_boilerplate": 3,
    "flagged": True, "reasons": ["copies 75% of its articles"],
}  # fmt: skip
LIST_EXAMPLE = {
    "total": 1, "limit": 50, "offset": 0,
    "items": [{"id": "qt-007", "url": "https://quaytimes.example/news/pier",
               "outlet": "quaytimes.example", "title": "Ferry pier to close",
               "published": "2026-03-02T20:00:00Z", "relation": "duplicate",
               "credit": "stripped", "sources": 1, "reused_by": 0, "signals": True}],
}  # fmt: skip
NETWORK_EXAMPLE = {
    "nodes": [{"outlet": "quaytimes.example", "articles": 12, "reusing": 9, "reused": 0,
               "flagged": True}],
    "edges": [{"copier": "quaytimes.example", "source": "harbourbeacon.example", "weight": 9,
               "credited": 1, "stripped": 6, "absent": 2, "credit_rate": 0.11,
               "median_lag_hours": 11.5}],
}  # fmt: skip


def example(value: Any) -> dict[int | str, dict[str, Any]]:
    """A 200 response example for the OpenAPI schema (shown on /docs)."""
    return {200: {"content": {"application/json": {"example": value}}}}


MAX_ARTICLES_PER_REQUEST = 1000
RelationFilter = Literal[
    "duplicate", "partial", "syndicated", "rewrite", "translation", "any", "none"
]
CreditFilter = Literal["credited", "stripped", "absent"]


class TraceRequest(BaseModel):
    """One article to trace; it is not stored."""

    model_config = {"json_schema_extra": {"example": {"text": TEXT, "outlet": "quaytimes.example"}}}

    text: str = Field(min_length=1, description="The article's text.")
    outlet: str | None = Field(None, description="Its outlet (domain).")
    published: str | None = Field(None, description="When it was published (ISO 8601).")
    url: str | None = None
    title: str | None = None


def not_found(article_id: str) -> HTTPException:
    return HTTPException(404, f"no article with id {article_id!r}")


def parse_date(value: str | None, name: str) -> Any:
    if value is None or value == "":
        return None
    try:
        return parse_published(value)
    except RecordError as exc:
        raise HTTPException(400, f"{name}: {exc}") from None


def filters(
    q: Annotated[str | None, Query(description="Words in the id, title, outlet or text.")] = None,
    outlet: str | None = None,
    date_from: Annotated[str | None, Query(description="Published on or after (ISO).")] = None,
    date_to: Annotated[
        str | None, Query(description="Published before (ISO); a date alone: on or before it.")
    ] = None,
    relation: RelationFilter | None = None,
    credit: CreditFilter | None = None,
    source_outlet: Annotated[
        str | None, Query(description="Copies of this outlet's articles.")
    ] = None,
    min_coverage: Annotated[
        float | None, Query(ge=0, le=1, description="At least this share of the copy reused.")
    ] = None,
) -> Filters:
    return Filters(
        q=q or None,
        outlet=outlet or None,
        source_outlet=source_outlet or None,
        min_coverage=min_coverage,
        date_from=parse_date(date_from, "date_from"),
        date_to=end_bound(parse_date(date_to, "date_to"), date_to),
        relation=relation,
        credit=credit,
    )


def article_json(article: Article) -> dict[str, Any]:
    return article.to_json(extra=False)


@router.get(
    "/articles",
    summary="Search and list articles",
    responses=example(LIST_EXAMPLE),
)
def list_articles(
    desk: SearchDeskDep,
    f: Annotated[Filters, Depends(filters)],
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page (1–200).")] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Items to skip.")] = 0,
) -> dict[str, Any]:
    """Articles matching the filters: by relevance with `q`, else newest first.
    `relation` and `credit` select articles that copy another outlet that way
    (`relation=any`: copies of any kind, `none`: articles that copy nothing)."""
    return search(desk.store, f, limit=limit, offset=offset).to_json()


@router.get(
    "/articles/{article_id:path}/verdict",
    summary="An article's verdict",
    responses=example(VERDICT_EXAMPLE),
)
def article_verdict(article_id: str, desk: DeskDep) -> dict[str, Any]:
    """The verdict JSON of DESIGN.md (`sources` empty when it reuses nothing)."""
    verdict = desk.verdict(article_id)
    if verdict is None:
        raise not_found(article_id)
    return verdict.to_json()


@router.get(
    "/articles/{article_id:path}", summary="One article", responses=example(ARTICLE_EXAMPLE)
)
def get_article(article_id: str, desk: DeskDep) -> dict[str, Any]:
    article = desk.article(article_id)
    if article is None:
        raise not_found(article_id)
    return article_json(article)


def trace_article(body: TraceRequest) -> Article:
    record: dict[str, Any] = {"id": body.url or "trace", **body.model_dump(exclude_none=True)}
    try:
        article, _ = article_from_mapping(record)
    except RecordError as exc:
        raise HTTPException(422, str(exc)) from None
    return article


@router.post(
    "/trace",
    summary="Trace a text (not stored)",
    responses=example({**VERDICT_EXAMPLE, "article": "trace", "url": None}),
)
def trace(body: TraceRequest, desk: DeskDep) -> dict[str, Any]:
    """The verdict of a text that need not be in the store; nothing is written."""
    return desk.trace(trace_article(body)).to_json()


def ingest_records(desk: Desk, records: list[Any], source: str) -> dict[str, Any]:
    """Read, store and scan records; the summary names every rejected one."""
    items: list[Article | Rejection] = []
    for i, record in enumerate(records, 1):
        if not isinstance(record, dict):
            items.append(Rejection(source, i, "not a JSON object"))
            continue
        try:
            items.append(article_from_mapping(record)[0])
        except RecordError as exc:
            items.append(Rejection(source, i, str(exc), record_id=str(record.get("id") or "")))
    summary = desk.ingest(items)
    scanned = desk.scan()
    return {
        "added": summary.added,
        "updated": summary.updated,
        "unchanged": summary.unchanged,
        "rejected": [
            {"index": r.line, "id": r.record_id or None, "reason": r.reason}
            for r in summary.rejected
        ],
        "scanned": scanned.scanned,
        "pairs": scanned.pairs,
    }


@router.post(
    "/articles",
    summary="Store articles and scan",
    dependencies=[Depends(require_token)],
    responses=example(
        {"added": 1, "updated": 0, "unchanged": 0, "rejected": [], "scanned": 1, "pairs": 0}
    ),
)
def post_articles(
    desk: WriterDep,
    body: Annotated[
        dict[str, Any] | list[Any],
        Body(
            description="One article object or a list of them, as in the JSON Lines input.",
            examples=[ARTICLE_EXAMPLE],
        ),
    ],
) -> dict[str, Any]:
    """Ingest one article or a list (the input format of `copydesk ingest`), then scan.
    Needs `Authorization: Bearer TOKEN` when the server was started with a token."""
    records = [body] if isinstance(body, dict) else body
    if not records:
        raise HTTPException(422, "no articles given")
    if len(records) > MAX_ARTICLES_PER_REQUEST:
        raise HTTPException(
            422, f"{len(records)} articles, over the {MAX_ARTICLES_PER_REQUEST} per request"
        )
    return ingest_records(desk, records, "request")


@router.get("/outlets", summary="Outlet profiles", responses=example([OUTLET_EXAMPLE]))
def list_outlets(desk: DeskDep) -> list[dict[str, Any]]:
    """Every outlet's profile, as `copydesk outlets --json`."""
    return [p.to_json() for p in desk.outlets()]


@router.get(
    "/outlets/{outlet:path}", summary="One outlet's profile", responses=example(OUTLET_EXAMPLE)
)
def get_outlet(outlet: str, desk: DeskDep) -> dict[str, Any]:
    for p in desk.outlets():
        if p.outlet == outlet:
            return p.to_json()
    raise HTTPException(404, f"no outlet {outlet!r}")


@router.get(
    "/network",
    summary="The outlet copy network",
    responses=example(NETWORK_EXAMPLE),
)
def get_network(desk: DeskDep) -> dict[str, Any]:
    """Outlets as nodes, copying as edges from copier to source outlet."""
    nodes, edges = desk.network()
    return {"nodes": [n.to_json() for n in nodes], "edges": [e.to_json() for e in edges]}

"""The HTML pages: search, article, trace, outlets, network, API docs."""

from __future__ import annotations

import hashlib
import inspect
import json
import math
import re
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, FastAPI, HTTPException, Query, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from markdown_it import MarkdownIt
from markupsafe import Markup
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException

from copydesk.desk import Desk
from copydesk.model import Article, iso
from copydesk.reading import RecordError, parse_published, read_single
from copydesk.reports.outlets import OutletProfile
from copydesk.web import queries
from copydesk.web.deps import DeskDep, SearchDeskDep, Settings, get_settings
from copydesk.web.highlight import snippet_html
from copydesk.web.layout import credit_colour, force_layout, time_ticks
from copydesk.web.queries import CREDITS, RELATIONS, Filters, end_bound, search
from copydesk.web.security import token_matches
from copydesk.web.views import build_view

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 25


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    templates = request.app.state.templates
    settings: Settings = request.app.state.settings
    return templates.TemplateResponse(
        request, name, {"settings": settings, **context}, status_code=status_code
    )


def article_href(article_id: str) -> str:
    return "/articles/" + quote(article_id, safe="")


def outlet_href(outlet: str) -> str:
    return "/outlets/" + quote(outlet, safe="")


def safe_url(url: str | None) -> str | None:
    """An article URL fit for an ``href``: http(s) only, never ``javascript:``."""
    if url and url.lower().startswith(("http://", "https://")):
        return url
    return None


# -- search ------------------------------------------------------------------------------


@router.get("/", response_class=HTMLResponse)
def search_page(
    request: Request,
    desk: SearchDeskDep,
    q: str = "",
    outlet: str = "",
    date_from: str = "",
    date_to: str = "",
    relation: str = "",
    credit: str = "",
    source_outlet: str = "",
    min_coverage: str = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    errors: list[str] = []
    f = Filters(q=q.strip() or None, outlet=outlet or None, source_outlet=source_outlet or None)
    if min_coverage:
        try:
            f.min_coverage = float(min_coverage)
            f.check()
        except ValueError:
            errors.append(f"min coverage: {min_coverage!r} is not a share between 0 and 1")
            f.min_coverage = None
    for name, value in (("from", date_from), ("to", date_to)):
        if value:
            try:
                parsed = parse_published(value)
            except RecordError as exc:
                errors.append(f"date {name}: {exc}")
                continue
            setattr(f, f"date_{name}", end_bound(parsed, value) if name == "to" else parsed)
    if relation in (*RELATIONS, "any", "none"):
        f.relation = relation
    elif relation:
        errors.append(f"unknown relation {relation!r}")
    if credit in CREDITS:
        f.credit = credit
    elif credit:
        errors.append(f"unknown credit {credit!r}")
    result = search(desk.store, f, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    pages = max(1, math.ceil(result.total / PAGE_SIZE))
    params = {
        k: v
        for k, v in dict(
            q=q, outlet=outlet, date_from=date_from, date_to=date_to,
            relation=relation, credit=credit, source_outlet=source_outlet,
            min_coverage=min_coverage,
        ).items()
        if v
    }  # fmt: skip

    def page_href(n: int) -> str:
        return "/?" + urlencode({**params, "page": n})

    return render(
        request,
        "search.html",
        result=result,
        params=params,
        errors=errors,
        outlets=queries.outlets(desk.store),
        relations=RELATIONS,
        credits=CREDITS,
        page=page,
        pages=pages,
        prev_href=page_href(page - 1) if page > 1 else None,
        next_href=page_href(page + 1) if page < pages else None,
        total_articles=desk.store.count(),
        article_href=article_href,
        outlet_href=outlet_href,
        snippet=lambda s: snippet_html(s, queries.HIT_OPEN, queries.HIT_CLOSE),
    )


# -- article -----------------------------------------------------------------------------


@router.get("/articles/{article_id:path}", response_class=HTMLResponse)
def article_page(
    request: Request, article_id: str, desk: DeskDep, source: str | None = None
) -> HTMLResponse:
    article = desk.article(article_id)
    if article is None:
        raise HTTPException(404, f"no article with id {article_id!r}")
    verdict = desk.verdict(article_id)
    view = build_view(desk, article, verdict, source_id=source)
    family = desk.family_of(article_id)
    return render(
        request,
        "article.html",
        **_article_context(view, family),
        reviews=desk.reviews(article_id),
    )


def _article_context(view: Any, family: Any = None) -> dict[str, Any]:
    """``family``: the story family (origin first, each version under the one it took
    from) shown as a small tree/timeline."""
    rows = []
    if family is not None:
        outside = family.origin.article is None
        rows = [(family.depth(n.id) + (1 if outside else 0), n) for n in family.ordered()]
    return {
        "family": family,
        "family_rows": rows,
        "view": view,
        "article_href": article_href,
        "outlet_href": outlet_href,
        "safe_url": safe_url,
        "iso": iso,
        "quote": quote,
    }


# -- trace -------------------------------------------------------------------------------


@router.get("/trace", response_class=HTMLResponse)
def trace_form(request: Request) -> HTMLResponse:
    return render(request, "trace.html", form={}, error=None)


def _read_upload(filename: str, data: bytes) -> Article:
    try:
        content = data.decode("utf-8")
    except UnicodeDecodeError:
        raise RecordError("the file is not UTF-8 text; save it as UTF-8") from None
    return read_single(filename, text=content)


def _read_form(fields: dict[str, str], upload: tuple[str, bytes] | None) -> Article:
    """The article of a trace form (runs in a worker thread: parsing HTML takes time)."""
    if upload is not None:
        article = _read_upload(*upload)
    else:
        article = read_single("pasted", text=fields.get("text", ""))
    for name in ("outlet", "url", "title"):
        if fields.get(name, "").strip():
            setattr(article, name, fields[name].strip())
    if fields.get("published", "").strip():
        article.published = parse_published(fields["published"].strip())
    return article


@router.post("/trace", response_class=HTMLResponse)
async def trace_submit(request: Request) -> Response:
    settings = get_settings(request)
    form = await request.form(max_part_size=settings.max_request_bytes)
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    file = form.get("file")
    upload = None
    if isinstance(file, UploadFile) and file.filename:
        upload = (file.filename, await file.read())
    echo = {k: fields.get(k, "") for k in ("text", "outlet", "published", "url", "title")}
    echo["store"] = bool(fields.get("store"))
    try:
        article = await run_in_threadpool(_read_form, fields, upload)
    except RecordError as exc:
        return render(request, "trace.html", 422, form=echo, error=str(exc))
    if echo["store"]:
        if not token_matches(settings.token, None, fields.get("token")):
            return render(
                request, "trace.html", 401, form=echo,
                error="storing needs this server's write token",
            )  # fmt: skip
        if article.id == "trace":  # pasted text: named by its URL, else by its text
            digest = hashlib.blake2b(article.text.encode(), digest_size=6).hexdigest()
            article.id = article.url or f"trace-{digest}"
        async with request.app.state.desks.turn() as desk:
            await run_in_threadpool(_store, desk, article)
        return RedirectResponse(article_href(article.id), status_code=303)
    return await run_in_threadpool(_trace_view, request, article)


def _store(desk: Desk, article: Article) -> None:
    desk.ingest([article])
    desk.scan()


def _trace_view(request: Request, article: Article) -> HTMLResponse:
    desk = request.app.state.desks.reader
    verdict = desk.trace(article)
    view = build_view(desk, article, verdict, stored=False)
    return render(request, "article.html", **_article_context(view))


# -- outlets -----------------------------------------------------------------------------


@router.get("/outlets", response_class=HTMLResponse)
def outlets_page(request: Request, desk: DeskDep) -> HTMLResponse:
    profiles = desk.outlets()
    return render(
        request, "outlets.html", profiles=profiles, outlet_href=outlet_href, pct=_pct,
        hours=_hours,
    )  # fmt: skip


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def _hours(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:.1f} h" if value < 48 else f"{value / 24:.1f} days"


TIMELINE_W, TIMELINE_H, TIMELINE_PAD = 900, 200, 40
LANES = (
    ("original", "its own", 40),
    ("copied", "copied by others", 75),
    ("copy", "copies of others", 110),
    ("marked", "marks of copying", 145),
)


def timeline(desk: Desk, outlet: str) -> dict[str, Any]:
    items = queries.outlet_timeline(desk.store, outlet)
    if not items:
        return {"dots": [], "ticks": [], "lanes": LANES}
    t0, t1 = items[0].ts, items[-1].ts
    if t1 - t0 < 3600:
        t0, t1 = t0 - 43200, t1 + 43200
    left, right = 150, TIMELINE_W - TIMELINE_PAD

    def x(ts: float) -> float:
        return round(left + (ts - t0) / (t1 - t0) * (right - left), 1)

    lane_y = {name: y for name, _, y in LANES}
    dots = [
        {"x": x(i.ts), "y": lane_y[i.lane], "lane": i.lane, "id": i.id, "title": i.title,
         "href": article_href(i.id)}
        for i in items
    ]  # fmt: skip
    ticks = [(x(ts), label) for ts, label in time_ticks(t0, t1)]
    return {"dots": dots, "ticks": ticks, "lanes": LANES, "width": TIMELINE_W,
            "height": TIMELINE_H, "left": left, "right": right}  # fmt: skip


@router.get("/outlets/{outlet:path}", response_class=HTMLResponse)
def outlet_page(request: Request, outlet: str, desk: DeskDep) -> HTMLResponse:
    profile: OutletProfile | None = next((p for p in desk.outlets() if p.outlet == outlet), None)
    if profile is None:
        raise HTTPException(404, f"no outlet {outlet!r}")
    return render(
        request,
        "outlet.html",
        p=profile,
        timeline=timeline(desk, outlet),
        articles=queries.outlet_articles(desk.store, outlet),
        article_href=article_href,
        outlet_href=outlet_href,
        pct=_pct,
        hours=_hours,
    )


# -- network -----------------------------------------------------------------------------

NET_W, NET_H = 960, 600


@router.get("/network", response_class=HTMLResponse)
def network_page(request: Request, desk: DeskDep) -> HTMLResponse:
    nodes, edges = desk.network()
    profiles = {p.outlet: p for p in desk.outlets()}
    biggest = max((n.articles for n in nodes), default=1) or 1
    heaviest = max((e.weight for e in edges), default=1) or 1
    radius = {n.outlet: 8 + 22 * math.sqrt(n.articles / biggest) for n in nodes}
    pos = force_layout(
        [n.outlet for n in nodes],
        [(e.copier, e.source, e.weight) for e in edges],
        width=NET_W,
        height=NET_H,
        margin=70,
        radii=radius,
    )
    svg_nodes = []
    for n in nodes:
        x, y = pos[n.outlet]
        rate = profiles[n.outlet].credit.get("credited_rate") if n.outlet in profiles else None
        svg_nodes.append(
            {"outlet": n.outlet, "x": round(x, 1), "y": round(y, 1),
             "r": round(radius[n.outlet], 1), "fill": credit_colour(rate),
             "flagged": n.flagged, "articles": n.articles, "reusing": n.reusing,
             "reused": n.reused, "rate": rate, "href": outlet_href(n.outlet)}
        )  # fmt: skip
    svg_edges = []
    for e in edges:
        (x1, y1), (x2, y2) = pos[e.copier], pos[e.source]
        d = math.hypot(x2 - x1, y2 - y1) or 1
        r1, r2 = radius[e.copier], radius[e.source] + 6  # room for the arrow head
        svg_edges.append(
            {"copier": e.copier, "source": e.source, "weight": e.weight,
             "x1": round(x1 + (x2 - x1) * r1 / d, 1), "y1": round(y1 + (y2 - y1) * r1 / d, 1),
             "x2": round(x2 - (x2 - x1) * r2 / d, 1), "y2": round(y2 - (y2 - y1) * r2 / d, 1),
             "width": round(1.5 + 6 * math.sqrt(e.weight / heaviest), 1),
             "colour": credit_colour(e.credit_rate), "credit_rate": e.credit_rate,
             "credited": e.credited, "stripped": e.stripped, "absent": e.absent,
             "lag": e.median_lag_hours}
        )  # fmt: skip
    return render(
        request, "network.html", nodes=svg_nodes, edges=svg_edges, width=NET_W, height=NET_H,
        pct=_pct, hours=_hours, outlet_href=outlet_href,
    )  # fmt: skip


# -- API docs (rendered here: FastAPI's Swagger UI would load scripts from a CDN) ----------


@router.get("/docs", response_class=HTMLResponse)
def api_docs(request: Request) -> HTMLResponse:
    schema = request.app.openapi()
    ops = []
    for path, methods in schema.get("paths", {}).items():
        for method, op in methods.items():
            params = [
                {"name": p["name"], "in": p["in"], "required": p.get("required", False),
                 "type": _schema_type(p.get("schema", {})),
                 "description": markdown(p.get("description") or "", inline=True)}
                for p in op.get("parameters", []) if p["name"] != "authorization"
            ]  # fmt: skip
            body = op.get("requestBody", {}).get("content", {}).get("application/json")
            body_schema = body.get("schema", {}) if body else {}
            ops.append(
                {"method": method.upper(), "path": path, "summary": op.get("summary"),
                 "description": markdown(op.get("description") or ""), "params": params,
                 "body": _schema_type(body_schema) if body else None,
                 "fields": _fields(schema, body_schema),
                 "request": _curl(method.upper(), path, _body_example(schema, body_schema)
                                  if body else None),
                 "response": _response_example(op)}
            )  # fmt: skip
    return render(
        request, "docs.html", ops=ops, info=schema.get("info", {}),
        description=markdown(schema.get("info", {}).get("description") or ""),
    )  # fmt: skip


_MARKDOWN = MarkdownIt("commonmark", {"html": False})  # raw HTML in a docstring is escaped


def markdown(text: str, *, inline: bool = False) -> Markup:
    """A docstring's Markdown as HTML (never raw HTML from the text)."""
    if not text.strip():
        return Markup("")
    text = inspect.cleandoc(text)
    return Markup(_MARKDOWN.renderInline(text) if inline else _MARKDOWN.render(text))


PATH_EXAMPLES = {"article_id": "cs-001", "outlet": "dailyclarion.com"}


def _curl(method: str, path: str, body: Any) -> str:
    url = "http://127.0.0.1:8000" + re.sub(
        r"\{(\w+)(?::\w+)?\}", lambda m: PATH_EXAMPLES.get(m.group(1), m.group(1)), path
    )
    if method == "GET":
        return f"curl {url}"
    lines = [f"curl -X {method} {url}", "  -H 'Content-Type: application/json'"]
    if path == "/api/articles":
        lines.append("  -H 'Authorization: Bearer TOKEN'   # when the server has a token")
    if body is not None:
        lines.append(f"  -d '{json.dumps(body, ensure_ascii=False)}'")
    return " \\\n".join(lines)


def _body_example(openapi: dict[str, Any], schema: dict[str, Any]) -> Any:
    if schema.get("examples"):
        return schema["examples"][0]
    ref = schema.get("$ref", "")
    named = openapi.get("components", {}).get("schemas", {}).get(ref.rsplit("/", 1)[-1], {})
    return named.get("example")


def _response_example(op: dict[str, Any]) -> str | None:
    content = op.get("responses", {}).get("200", {}).get("content", {})
    value = content.get("application/json", {}).get("example")
    return None if value is None else json.dumps(value, indent=2, ensure_ascii=False)


def _fields(openapi: dict[str, Any], schema: dict[str, Any]) -> list[dict[str, Any]]:
    """The properties of a request body that refers to a named schema."""
    ref = schema.get("$ref", "")
    if not ref.startswith("#/components/schemas/"):
        return []
    named = openapi.get("components", {}).get("schemas", {}).get(ref.rsplit("/", 1)[-1], {})
    required = set(named.get("required", []))
    return [
        {"name": name, "type": _schema_type(prop), "required": name in required,
         "description": prop.get("description")}
        for name, prop in named.get("properties", {}).items()
    ]  # fmt: skip


def _schema_type(schema: dict[str, Any]) -> str:
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if "anyOf" in schema:
        return " | ".join(_schema_type(s) for s in schema["anyOf"])
    if "enum" in schema:
        return " | ".join(map(str, schema["enum"]))
    return str(schema.get("type", "any"))


# -- errors ------------------------------------------------------------------------------


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith(("/api", "/openapi"))


def install_error_pages(app: FastAPI) -> None:
    """JSON errors under /api, HTML error pages elsewhere; 400s and 422s with a readable
    message."""

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if _wants_json(request):
            return await http_exception_handler(request, exc)
        return render(
            request, "error.html", exc.status_code, status=exc.status_code, message=exc.detail
        )

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        messages = []
        for err in exc.errors():
            where = ".".join(str(p) for p in err.get("loc", ()))
            messages.append(f"{where}: {err.get('msg')}")
        status = _validation_status(exc.errors())
        if _wants_json(request):
            return JSONResponse(
                {"detail": "; ".join(messages), "errors": _plain(exc.errors())}, status_code=status
            )
        return render(request, "error.html", status, status=status, message="; ".join(messages))


def _validation_status(errors: Any) -> int:
    """400 when the address itself is wrong (a query or path parameter of the wrong type
    or out of range, e.g. ``offset=99999999999999999999``); 422 for a body that fails."""
    places = {str(err.get("loc", ("",))[0]) for err in errors}
    return 400 if places <= {"query", "path"} else 422


def _plain(errors: Any) -> Any:
    """Validation errors as JSON-safe data (``ctx`` may hold exceptions)."""
    out = []
    for err in errors:
        item = {k: v for k, v in err.items() if k in ("type", "loc", "msg")}
        out.append(item)
    return out

"""The web app's rights pages: review an article's verdict, download its evidence pack,
trace a page by its URL."""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from copydesk.desk import Desk
from copydesk.rights.fetch_one import FetchError, fetch_article
from copydesk.rights.review import ReviewError
from copydesk.web.deps import Desks, get_settings
from copydesk.web.security import token_matches

router = APIRouter(include_in_schema=False)
MAX_FIELD = 10_000


def _href(article_id: str) -> str:
    from copydesk.web.pages import article_href

    return article_href(article_id)


@router.post("/articles/{article_id:path}/review")
async def review_submit(request: Request, article_id: str) -> Response:
    settings = get_settings(request)
    form = await request.form(max_part_size=MAX_FIELD)
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    if not token_matches(settings.token, request.headers.get("authorization"), fields.get("token")):
        raise HTTPException(401, "reviewing needs this server's write token")
    action = fields.get("action", "")
    note, by = fields.get("note", "")[:MAX_FIELD], fields.get("by", "")[:200]

    desks: Desks = request.app.state.desks

    try:
        async with desks.turn() as desk:
            await run_in_threadpool(lambda: desk.review(article_id, action, by=by, note=note))
    except ReviewError as exc:
        raise HTTPException(422, str(exc)) from None
    return RedirectResponse(_href(article_id) + "#review", status_code=303)


def _pack_zip(desk: Desk, article_id: str) -> bytes:
    from copydesk.rights.evidence import EvidenceError

    with tempfile.TemporaryDirectory(prefix="copydesk-evidence-") as tmp:
        folder = Path(tmp) / "pack"
        try:
            desk.evidence(article_id, folder)
        except EvidenceError as exc:
            raise HTTPException(404, str(exc)) from None
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(folder.rglob("*")):
                if path.is_file():
                    archive.write(path, path.relative_to(folder).as_posix())
        return buffer.getvalue()


@router.get("/articles/{article_id:path}/evidence.zip")
async def evidence_zip(request: Request, article_id: str) -> Response:
    async with request.app.state.desks.turn() as desk:  # one at a time: a pack is recorded
        data = await run_in_threadpool(_pack_zip, desk, article_id)
    name = "".join(c if c.isalnum() or c in "-_." else "_" for c in article_id)[:80]
    return Response(
        data,
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="evidence-{name}.zip"'},
    )


@router.post("/trace/url", response_class=HTMLResponse)
async def trace_url_submit(request: Request) -> Response:
    from copydesk.web.pages import _trace_view, render

    settings = get_settings(request)
    form = await request.form(max_part_size=MAX_FIELD)
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    url = fields.get("fetch_url", "").strip()
    echo = {"fetch_url": url, "store": bool(fields.get("store"))}
    if not url:
        return render(request, "trace.html", 422, form=echo, error="give the page's URL")
    if echo["store"] and not token_matches(settings.token, None, fields.get("token")):
        return render(request, "trace.html", 401, form=echo,
                      error="storing needs this server's write token")  # fmt: skip
    try:
        article = await run_in_threadpool(fetch_article, url)
    except FetchError as exc:
        return render(request, "trace.html", 422, form=echo, error=str(exc))
    if echo["store"]:
        from copydesk.web.pages import _store

        await run_in_threadpool(_store, request.app.state.desks, article)
        return RedirectResponse(_href(article.id), status_code=303)
    return await run_in_threadpool(_trace_view, request, article)

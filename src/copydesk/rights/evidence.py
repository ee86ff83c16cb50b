"""Evidence packs: one article's verdict as files that can be read offline and checked.

A pack is a folder::

    index.html      source and copy side by side with the article page's marks, the
                    hashes, URLs and fetch times; no external asset (inline CSS, no script)
    evidence.pdf    the same page printed (WeasyPrint)
    verdict.json    the stored verdict
    texts/*.txt     the copy's and every source's stored text (their SHA-256 are shown)
    raw/*.html      the raw pages stored for them (when they were read from web pages)
    manifest.json   every file above with its SHA-256, and the facts of each article

``verify_pack`` hashes the files again and names what changed, is missing or was added.
"""

from __future__ import annotations

import hashlib
import json
import re
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from copydesk import __version__
from copydesk.errors import CopydeskError
from copydesk.model import iso

MANIFEST = "manifest.json"
_STYLE = Path(__file__).resolve().parent.parent / "web" / "static" / "style.css"
_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


class EvidenceError(CopydeskError, ValueError):
    pass


@dataclass(slots=True)
class Pack:
    folder: Path
    files: dict[str, str]  # relative path -> SHA-256
    pdf_error: str | None = None


@dataclass(slots=True)
class Check:
    ok: bool
    changed: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    problem: str | None = None  # the manifest itself cannot be read


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _file_name(role: str, article_id: str) -> str:
    return f"{role}-{_SAFE.sub('_', article_id)[:80]}"


def _facts(desk: Any, article_id: str, role: str) -> tuple[dict[str, Any], bytes | None]:
    row = desk.store.db.execute(
        "SELECT key, id, url, outlet, published, ingested_at, text FROM articles WHERE id = ?",
        (article_id,),
    ).fetchone()
    key, id_, url, outlet, published, ingested_at, text = row
    raw = desk.store.db.execute("SELECT html FROM raw_html WHERE article = ?", (key,)).fetchone()
    fetched = None
    if url:
        got = desk.store.db.execute(
            "SELECT fetched_at FROM fetched WHERE url = ? AND kind = 'page'", (url,)
        ).fetchone()
        fetched = got[0] if got else None
    html = zlib.decompress(raw[0]) if raw else None
    facts = {
        "role": role,
        "id": id_,
        "outlet": outlet,
        "url": url,
        "published": published,
        "ingested_at": ingested_at,
        "fetched_at": fetched,
        "text_sha256": sha256(text.encode("utf-8")),
        "text_file": f"texts/{_file_name(role, id_)}.txt",
        "raw_sha256": sha256(html) if html is not None else None,
        "raw_file": f"raw/{_file_name(role, id_)}.html" if html is not None else None,
    }
    return facts, html


def _render_pdf(html: str, target: Path) -> None:
    import weasyprint

    def no_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
        raise ValueError(f"an evidence pack loads nothing from outside ({url})")

    weasyprint.HTML(string=html, url_fetcher=no_fetch).write_pdf(str(target))


def write_pack(
    desk: Any, article_id: str, folder: str | Path, *, pdf: bool = True,
    now: datetime | None = None,
) -> Pack:  # fmt: skip
    """Write the evidence pack of ``article_id`` into ``folder`` (created; must be empty)."""
    from copydesk.rights.review import status
    from copydesk.web.views import build_view

    folder = Path(folder)
    article = desk.article(article_id)
    if article is None:
        raise EvidenceError(f"no article with id {article_id!r}")
    if folder.exists() and any(folder.iterdir()):
        raise EvidenceError(f"{folder}: not empty; give a new folder with --out")
    verdict = desk.verdict(article_id)
    sources = [m for m in (verdict.sources if verdict else []) if not m.same_outlet]
    views = [build_view(desk, article, verdict, source_id=m.source) for m in sources]
    lone = build_view(desk, article, verdict) if not views else None

    facts, raws = [], []
    for role, id_ in [("copy", article_id)] + [
        ("source", m.source) for m in sources if desk.article(m.source) is not None
    ]:
        f, html = _facts(desk, id_, role)
        facts.append(f)
        raws.append(html)

    (folder / "texts").mkdir(parents=True, exist_ok=True)
    written: dict[str, bytes] = {}
    for f, html in zip(facts, raws, strict=True):
        text = desk.article(f["id"]).text.encode("utf-8")
        written[f["text_file"]] = text
        if html is not None:
            written[f["raw_file"]] = html
    verdict_json = json.dumps(verdict.to_json() if verdict else None, indent=2, ensure_ascii=False)
    written["verdict.json"] = verdict_json.encode("utf-8")
    created = iso((now or datetime.now(UTC)).replace(microsecond=0))
    env = Environment(
        loader=PackageLoader("copydesk.rights", "templates"), autoescape=select_autoescape()
    )
    page = env.get_template("evidence.html").render(
        copy=article,
        articles=facts,
        views=views,
        lone_html=lone.copy_html if lone else "",
        verdict_json=verdict_json,
        css=_STYLE.read_text(encoding="utf-8"),
        created_at=created,
        version=__version__,
        review=status(desk.store, article_id),
    )
    written["index.html"] = page.encode("utf-8")
    for name, data in written.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    pdf_error = None
    if pdf:
        try:
            _render_pdf(page, folder / "evidence.pdf")
            written["evidence.pdf"] = (folder / "evidence.pdf").read_bytes()
        except Exception as exc:  # the HTML pack stands without it; say why
            pdf_error = f"no PDF: {exc}"
    files = {name: sha256(data) for name, data in sorted(written.items())}
    manifest = {
        "copydesk": __version__,
        "article": article_id,
        "created_at": created,
        "articles": facts,
        "files": files,
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    return Pack(folder, files, pdf_error)


def verify_pack(folder: str | Path) -> Check:
    """Hash every file of the pack again and compare with its manifest."""
    folder = Path(folder)
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        files: dict[str, str] = manifest["files"]
        facts: list[dict[str, Any]] = manifest["articles"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return Check(False, problem=f"{folder / MANIFEST}: not a readable manifest ({exc})")
    check = Check(True)
    for name, digest in files.items():
        path = folder / name
        if not path.is_file():
            check.missing.append(name)
        elif sha256(path.read_bytes()) != digest:
            check.changed.append(name)
    for f in facts:  # the texts' hashes shown in the page agree with the manifest's
        name = f.get("text_file")
        if name in files and files[name] != f.get("text_sha256") and name not in check.changed:
            check.changed.append(MANIFEST)
    present = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()} - {
        MANIFEST
    }
    check.added = sorted(present - set(files))
    check.ok = not (check.changed or check.missing or check.added)
    return check

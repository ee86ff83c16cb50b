"""What the article page shows, built from a verdict: used by stored articles and traces."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from copydesk.desk import Desk
from copydesk.model import Article, Evidence, SourceMatch, Verdict
from copydesk.web import highlight
from copydesk.web.queries import reused_by

# Evidence kinds listed under the verdict, in this order, with a heading.
EVIDENCE_LABELS = {
    "credit_removed": "credit removed",
    "credit": "credit kept",
    "foreign_boilerplate": "source outlet's boilerplate",
    "exclusive_quote": "exclusive quote",
    "published_earlier": "published earlier",
}


@dataclass(slots=True)
class ArticleView:
    article: Article
    verdict: Verdict | None
    match: SourceMatch | None = None
    source: Article | None = None
    copy_html: Markup = field(default_factory=Markup)
    source_html: Markup | None = None
    others: list[SourceMatch] = field(default_factory=list)
    signals: list[Evidence] = field(default_factory=list)
    reused_by: list[dict[str, Any]] = field(default_factory=list)
    stored: bool = True

    @property
    def lag_hours(self) -> float | None:
        if self.match is None:
            return None
        for e in self.match.evidence:
            if e.kind == "published_earlier":
                return e.data.get("lag_hours")
        return None

    def evidence(self) -> list[tuple[str, list[Evidence]]]:
        if self.match is None:
            return []
        groups: list[tuple[str, list[Evidence]]] = []
        for kind, label in EVIDENCE_LABELS.items():
            items = [e for e in self.match.evidence if e.kind == kind]
            if items and kind != "published_earlier":
                groups.append((label, items))
        return groups


def build_view(
    desk: Desk,
    article: Article,
    verdict: Verdict | None,
    *,
    source_id: str | None = None,
    stored: bool = True,
) -> ArticleView:
    """The article, its chosen source (``source_id`` or the strongest) side by side."""
    sources = verdict.sources if verdict else []
    signals = list(verdict.signals) if verdict else []
    match = next((m for m in sources if m.source == source_id), None) if source_id else None
    if match is None and sources:
        match = sources[0]
    view = ArticleView(article=article, verdict=verdict, match=match, signals=signals)
    view.others = [m for m in sources if m is not match]
    view.stored = stored
    if stored:
        view.reused_by = reused_by(desk.store, article.id)
    copy_marks = highlight.copy_marks(signals, match, len(article.text))
    if match is not None:
        view.source = desk.article(match.source)
    if match is not None and view.source is not None:
        source_marks = highlight.source_marks(match)
        on_copy, on_source = highlight.word_diff(article.text, view.source.text, match)
        copy_marks.spans += on_copy
        source_marks.spans += on_source
        view.source_html = highlight.render(view.source.text, source_marks)
    view.copy_html = highlight.render(article.text, copy_marks)
    return view

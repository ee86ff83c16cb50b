"""Article text and metadata from an HTML page, via trafilatura (imported on first use).

Besides the text and metadata, the links in the article body (a link to the source is
credit evidence) and the page's image captions are kept; see ``Extracted``.

Hostile markup is refused before it reaches the parser: lxml takes time quadratic in the
attributes of one element (200,000 on a ``<div>`` keep it busy for minutes), and deep
nesting overflows the tree walkers. ``check_markup`` bounds attributes per element and
tag count before parsing, nesting depth and element count after, each with a clear
RecordError; the size of a page is bounded where it is read (``records.check_html``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urljoin

from .errors import RecordError

MAX_LINKS = 200
MAX_CAPTIONS = 50
MAX_ATTRIBUTES = 500  # per element; real pages stay under 50
MAX_TAGS = 500_000  # a 5 MB news page has some 50,000
MAX_DEPTH = 400  # real pages nest under 100 deep

_TAG = re.compile(r"<([A-Za-z][^\s/>]*)([^>]*)>")
_ATTRIBUTE = re.compile(r"""[^\s=/>"']+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]*))?""")


def check_markup(html: str) -> None:
    """RecordError if ``html`` has an element with over MAX_ATTRIBUTES attributes or
    over MAX_TAGS tags: the markup that makes the parser take minutes. Linear time."""
    for tags, match in enumerate(_TAG.finditer(html), 1):
        if tags > MAX_TAGS:
            raise RecordError(f"html has over {MAX_TAGS:,} tags: not a news page")
        attributes = match.group(2)
        if len(attributes) <= MAX_ATTRIBUTES * 2:  # too short to hold that many
            continue
        for count, _ in enumerate(_ATTRIBUTE.finditer(attributes), 1):
            if count > MAX_ATTRIBUTES:
                line = html.count("\n", 0, match.start()) + 1
                raise RecordError(
                    f"html: the <{match.group(1)[:40]}> element on line {line} has over "
                    f"{MAX_ATTRIBUTES} attributes: refused (hostile or broken markup)"
                )


def check_tree(tree: Any) -> None:
    """RecordError if the parsed page nests deeper than MAX_DEPTH (the extractor walks
    it recursively)."""
    from lxml import etree

    depth = deepest = 0
    for event, _ in etree.iterwalk(tree, events=("start", "end")):
        if event == "start":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > MAX_DEPTH:
                    raise RecordError(
                        f"html nests elements over {MAX_DEPTH} deep: refused "
                        "(hostile or broken markup)"
                    )
        else:
            depth -= 1


@dataclass(slots=True)
class Extracted:
    """What trafilatura found in a page; any field may be missing."""

    text: str | None
    title: str | None = None
    author: str | None = None
    date: str | None = None
    sitename: str | None = None
    url: str | None = None  # the page's own (canonical) address, when it names one
    links: list[str] = field(default_factory=list)  # hrefs in the article body, in order
    captions: list[str] = field(default_factory=list)  # <figcaption> texts of the page


def extractor_name() -> str:
    """The extractor and its version, stored beside raw HTML so a re-run can be judged."""
    import trafilatura

    return f"trafilatura {getattr(trafilatura, '__version__', '?')}"


def extract_html(html: str, url: str | None = None) -> Extracted:
    """Extract the main text and metadata of ``html``; raises RecordError if that fails.

    ``url`` is where the page was found: relative links are resolved against it (else
    against the page's canonical address). ``Extracted.url`` is the page's own address.
    """
    # trafilatura (lxml, htmldate, ...) takes a noticeable time to import: JSON Lines
    # with plain text must not pay for it.
    import trafilatura
    from lxml import etree
    from trafilatura.utils import load_html
    from trafilatura.xml import xmltotxt

    # The page's markup (meta tags, <time>, JSON-LD, the URL) first; the text only when
    # the markup has no date (see _text_date).
    date_params = {**_DATE_PARAMS, "extensive_search": False, "max_date": _today()}
    check_markup(html)
    try:
        tree = load_html(html)
        if tree is None:
            return Extracted(text=None)
        check_tree(tree)
        captions = _captions(tree)
        canonical = _canonical(tree, url)
        doc = trafilatura.bare_extraction(
            tree,
            url=url,
            with_metadata=True,
            include_comments=False,
            include_links=True,
            date_extraction_params=date_params,
        )
        if doc is None:
            return Extracted(text=None, captions=captions)
        links: list[str] = []
        text = _field(doc, "text")
        body = doc.get("body") if isinstance(doc, dict) else getattr(doc, "body", None)
        if body is not None:
            # Links are asked for so that their targets can be kept; the text is the
            # body without them, exactly as an extraction without links gives it.
            base = url or _field(doc, "url")
            for ref in body.iter("ref"):
                target = _absolute((ref.get("target") or "").strip(), base)
                if target and target not in links and len(links) < MAX_LINKS:
                    links.append(target)
            etree.strip_tags(body, "ref")
            text = xmltotxt(body, False) or None
    except RecordError:
        raise
    except Exception as exc:  # a third-party parser on untrusted input: any failure is the record's
        # (RecursionError included: deeply nested markup overflows lxml's tree walkers)
        raise RecordError(f"html: extraction failed ({type(exc).__name__}: {exc})") from exc
    return Extracted(
        text=text if text and text.strip() else None,
        title=_field(doc, "title"),
        author=_field(doc, "author"),
        date=_field(doc, "date") or _text_date(html),
        sitename=_field(doc, "sitename"),
        url=canonical or _field(doc, "url"),
        links=links,
        captions=captions,
    )


_DATE_PARAMS: dict[str, Any] = {
    "original_date": True,
    # Keep the time of day when the page has one; htmldate defaults to a date only.
    "outputformat": "%Y-%m-%dT%H:%M:%S%z",
}


def _today() -> str:
    return datetime.now().astimezone().strftime("%Y-%m-%d")


def _text_date(html: str) -> str | None:
    """A date written in the page's text ("Published 12 March 2021"), or None.

    htmldate's text search falls back to a bare year or month ("About 2000 people", "©
    2019") and fills in the first of the month (or January the 1st) at midnight: a date
    that precise is never the publication date, and a wrong early date would turn the
    direction of a copy around, so such a result counts as no date. A page really dated
    the 1st with no time and no date in its markup loses its date (the direction is then
    decided from the text, as for any undated page).
    """
    from htmldate import find_date

    try:
        found = find_date(html, extensive_search=True, max_date=_today(), **_DATE_PARAMS)
    except Exception:  # a third-party parser on untrusted input: no date, not a failure
        return None
    if not found or re.match(r"\d{4}-\d{2}-01T00:00:00", found):
        return None
    return found


def _canonical(tree: Any, base: str | None) -> str | None:
    """The page's ``<link rel="canonical">``, absolute."""
    for link in tree.iterfind(".//link[@rel]"):
        if (link.get("rel") or "").strip().lower() == "canonical":
            return _absolute((link.get("href") or "").strip(), base)
    return None


def _absolute(href: str, base: str | None) -> str | None:
    if not href or href.startswith(("#", "javascript:", "mailto:", "tel:", "data:")):
        return None
    if base and "://" not in href:
        try:
            return urljoin(base, href)
        except ValueError:
            return None
    return href


def _captions(tree: Any) -> list[str]:
    out: list[str] = []
    for node in tree.iter("figcaption"):
        text = " ".join(" ".join(node.itertext()).split())
        if text and text not in out:
            out.append(text)
            if len(out) >= MAX_CAPTIONS:
                break
    return out


def _field(doc: Any, name: str) -> str | None:
    # trafilatura 2 returns a Document object, 1.x a dict.
    value = doc.get(name) if isinstance(doc, dict) else getattr(doc, name, None)
    if isinstance(value, str) and value.strip():
        return value
    return None

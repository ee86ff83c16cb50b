"""Input records (JSON objects, CSV rows) → Articles.

Fields of a record:

``id``
    The article's name; defaults to ``url``. A number is taken as its decimal string.
``url``
    The article's address.
``outlet``
    Who published it, the key of outlet profiles; kept as given. Defaults to the URL's
    registered domain, lowercased ("https://www.news.bbc.co.uk/x" → "bbc.co.uk").
``published`` (alias ``date``)
    Publication date: ISO 8601, RFC 2822 or epoch seconds; see ``parse_published``.
``title``
    The headline.
``text`` (aliases ``body``, ``content``)
    The article body. Kept exactly as given except that line endings become "\\n":
    every later stage computes character offsets on this text.
``html``
    The page, instead of ``text``: the body is extracted with trafilatura, and the
    record's missing ``title``, ``author``, ``published``, ``outlet_name`` and ``url``
    are filled from the page's metadata. When a record has both, ``text`` wins and
    ``html`` is dropped.
``author``
    A string, or a list of strings (joined with ", ").
``outlet_name`` (aliases ``site_name``, ``sitename``)
    How the outlet names itself, e.g. "The Northern Post".

``extra``
    Fields kept with the article that copydesk does not read, as ``copydesk export``
    writes them: a JSON object, or a string holding one (CSV, Parquet). They come back
    in ``Article.extra`` as they were, so an export ingested again gives the same articles.

An alias is read only when its field is missing; otherwise it is kept in ``extra``.
Any other field is kept in ``Article.extra`` and reported as unknown (a warning).
Empty strings count as missing.

A ``published`` date that gives only the year or the month ("2022", "2022-04") cannot
order two articles of that month, and a day made up for it could name the wrong one the
source: the date is left out (the article is kept, textual evidence decides its
direction) and the reader warns, naming the file and line.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from ..model import Article, Rejection
from .dates import page_date, parse_published
from .errors import ImpreciseDateError, RecordError
from .html_extract import extract_html, extractor_name
from .outlets import outlet_from_url

DEFAULT_MAX_TEXT_BYTES = 2_000_000
# HTML carries markup, scripts and styles around the text: allow it more room, but not
# unbounded room, since extraction time grows with the page.
HTML_LIMIT_FACTOR = 5

FIELDS = ("id", "url", "outlet", "published", "title", "text", "html", "author", "outlet_name")
ALIASES: dict[str, tuple[str, ...]] = {
    "published": ("date",),
    "text": ("body", "content"),
    "outlet_name": ("site_name", "sitename"),
}
KNOWN_FIELDS = frozenset(FIELDS).union(*ALIASES.values(), ("extra",))
_TEXT_KEYS = ("text", "html", *ALIASES["text"])

NO_NAME = "no id and no url: one of them is needed to name the article"

# What a format reader hands on: a record with the line it starts on, or its own Rejection.
Record = tuple[int | None, Any] | Rejection


def line_limit(max_text_bytes: int) -> int:
    """Longest input line (or CSV field) read at all: JSON escapes can inflate text 6-fold."""
    return max(64_000_000, 8 * max_text_bytes)


def article_from_mapping(
    obj: Mapping[str, Any],
    *,
    max_text_bytes: int = DEFAULT_MAX_TEXT_BYTES,
    warnings: list[str] | None = None,
) -> tuple[Article, list[str]]:
    """Build an Article from one input record.

    Returns the article and the names of the record's unknown fields (kept in
    ``extra``). Raises RecordError with a reason when the record cannot be an article.
    What is left out of a record that is kept (a date of month precision) is said in
    ``warnings``.
    """
    extra: dict[str, Any] = {str(key): obj[key] for key in obj if key not in KNOWN_FIELDS}
    unknown = list(extra)
    kept = _kept_extra(obj.get("extra"))
    if kept is None:
        extra["extra"] = obj["extra"]
        unknown.append("extra")
    else:
        extra.update(kept)

    article_id = _id(obj.get("id"))
    url = _optional_str(obj.get("url"), "url")
    if article_id is None:
        if url is None:
            raise RecordError(NO_NAME)
        article_id = url

    published_value, _ = _resolve(obj, "published", extra)
    text_value, text_field = _resolve(obj, "text", extra)
    outlet_name_value, outlet_name_field = _resolve(obj, "outlet_name", extra)
    title = _optional_str(obj.get("title"), "title")
    author = _author(obj.get("author"))
    outlet_name = _optional_str(outlet_name_value, outlet_name_field)
    outlet = _optional_str(obj.get("outlet"), "outlet")
    try:
        published = parse_published(published_value)
    except ImpreciseDateError as exc:
        published = None
        if warnings is not None:
            warnings.append(exc.reason)

    if text_value is not None and not isinstance(text_value, str):
        raise RecordError(f"{text_field}: expected a string, got {type_name(text_value)}")
    html = obj.get("html")
    if (not text_value or text_value.isspace()) and html is not None:
        page = extract_html(check_html(html, max_text_bytes), url)
        if page.text is None:
            raise RecordError("html: no article text found in the page")
        text_value, text_field = page.text, "text extracted from html"
        title = title or page.title
        author = author or page.author
        outlet_name = outlet_name or page.sitename
        published = published or page_date(page.date)
        if url is None and page.url:
            url = page.url
        if page.links:
            extra.setdefault("links", page.links)
        if page.captions:
            extra.setdefault("captions", page.captions)
        extra["_html"] = html  # kept (compressed) by the store, for ``copydesk reextract``
        extra["_extractor"] = extractor_name()
    elif text_value is None and not any(key in obj for key in _TEXT_KEYS):
        raise RecordError("text is empty: the record has no 'text' or 'html' field")
    text = clean_text(text_value, text_field, max_text_bytes)

    if outlet is None and url is not None:
        outlet = outlet_from_url(url)
    article = Article(
        id=article_id,
        text=text,
        url=url,
        outlet=outlet,
        published=published,
        title=title,
        author=author,
        outlet_name=outlet_name,
        extra=extra,
    )
    return article, unknown


def _kept_extra(value: Any) -> dict[str, Any] | None:
    """The fields an ``extra`` value holds ({} for none); None if it holds no object."""
    if value is None or value == "":
        return {}
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return None
    return {str(k): v for k, v in value.items()} if isinstance(value, Mapping) else None


def clean_text(text: str | None, field: str, max_text_bytes: int) -> str:
    """Check article text and normalise its line endings, the only change ever made to it."""
    if not text or text.isspace():
        raise RecordError(f"{field} is empty" if field == "text" else f"text ({field}) is empty")
    size = len(text) if text.isascii() else _utf8_size(text, field)
    if size > max_text_bytes:
        raise RecordError(
            f"{field} is {format_size(size)}, over the {format_size(max_text_bytes)} limit"
            " (raise it with --max-text-mb)"
        )
    if "\x00" in text:
        raise RecordError(f"{field} contains NUL characters (\\x00): binary data, not text")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def articles_from_records(
    source: str,
    records: Iterable[Record],
    *,
    max_text_bytes: int = DEFAULT_MAX_TEXT_BYTES,
) -> Iterator[Article | Rejection]:
    """Turn ``(line, record)`` pairs into Articles; bad records into Rejections.

    Rejections already made by the format reader pass through. Unknown fields give one
    warning per distinct set of names, at the first line where that set occurs.
    """
    warned: set[frozenset[str]] = set()
    for item in records:
        if isinstance(item, Rejection):
            yield item
            continue
        line, obj = item
        if not isinstance(obj, Mapping):
            yield Rejection(
                source,
                line,
                f"not a JSON object (found {_a(type_name(obj))}); "
                "each line must hold one article object",
            )
            continue
        notes: list[str] = []
        try:
            article, unknown = article_from_mapping(
                obj, max_text_bytes=max_text_bytes, warnings=notes
            )
        except RecordError as exc:
            yield Rejection(source, line, exc.reason, record_id=record_id(obj))
            continue
        yield article
        for note in notes:
            yield Rejection(source, line, note, record_id=article.id, severity="warning")
        if unknown:
            names = frozenset(unknown)
            if names not in warned:
                warned.add(names)
                yield Rejection(
                    source,
                    line,
                    f"unknown field{'s' if len(unknown) > 1 else ''} "
                    f"{', '.join(repr(n) for n in unknown)} kept in extra "
                    f"(known: {', '.join(FIELDS)}); reported once per file",
                    record_id=article.id,
                    severity="warning",
                )


def record_id(obj: Mapping[str, Any]) -> str | None:
    """The best name for a record in an error message: its id, else its url."""
    for key in ("id", "url"):
        value = obj.get(key)
        if isinstance(value, str) and value.strip():
            return value
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
    return None


def type_name(value: object) -> str:
    """The JSON name of a value's type, as users of JSON files know them."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, Mapping):
        return "object"
    if isinstance(value, list | tuple):
        return "array"
    return type(value).__name__


def format_size(size: int) -> str:
    """Bytes as people read them: '10.5 MB', '2.0 MB', '12.3 kB', '900 bytes'."""
    if size >= 100_000:
        return f"{size / 1_000_000:.1f} MB"
    if size >= 1_000:
        return f"{size / 1_000:.1f} kB"
    return f"{size} bytes"


def _resolve(obj: Mapping[str, Any], name: str, extra: dict[str, Any]) -> tuple[Any, str]:
    value, field = obj.get(name), name
    for alias in ALIASES[name]:
        alias_value = obj.get(alias)
        if alias_value is None:
            continue
        if value is None:
            value, field = alias_value, alias
        else:
            extra[alias] = alias_value
    return value, field


def _id(value: Any) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return _optional_str(value, "id")


def _optional_str(value: Any, field: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise RecordError(f"{field}: expected a string, got {type_name(value)}")
    if not value or value.isspace():
        return None
    if not value.isascii():
        _utf8_size(value, field)
    return value


def _author(value: Any) -> str | None:
    if isinstance(value, list) and all(isinstance(name, str) for name in value):
        names = [name for name in value if name.strip()]
        return _optional_str(", ".join(names), "author")
    if value is not None and not isinstance(value, str):
        raise RecordError(f"author: expected a string or a list of strings, got {type_name(value)}")
    return _optional_str(value, "author")


def check_html(html: Any, max_text_bytes: int) -> str:
    """``html`` if it is a page worth extracting; RecordError says why it is not."""
    if not isinstance(html, str):
        raise RecordError(f"html: expected a string, got {type_name(html)}")
    if not html or html.isspace():
        raise RecordError("html is empty")
    limit = HTML_LIMIT_FACTOR * max_text_bytes
    size = len(html) if html.isascii() else _utf8_size(html, "html")
    if size > limit:
        raise RecordError(
            f"html is {format_size(size)}, over the {format_size(limit)} limit for pages"
            f" ({HTML_LIMIT_FACTOR} × the text limit; raise it with --max-text-mb)"
        )
    if "\x00" in html:
        raise RecordError("html contains NUL characters (\\x00): binary data, not a page")
    return html


def _utf8_size(text: str, field: str) -> int:
    try:
        return len(text.encode("utf-8"))
    except UnicodeEncodeError as exc:
        # JSON "\ud800" escapes decode to lone surrogates, which no UTF-8 output can hold.
        raise RecordError(
            f"{field} is not valid Unicode: lone surrogate U+{ord(text[exc.start]):04X}"
            f" at character {exc.start + 1}"
        ) from None


def _a(noun: str) -> str:
    return f"an {noun}" if noun[:1] in "aeiou" else f"a {noun}"

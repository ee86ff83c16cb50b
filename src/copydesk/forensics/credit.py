"""Credit: does a copy name its source's outlet, the source's URL or its author?"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from copydesk.model import Article, Evidence

_LEADING_THE = re.compile(r"^the\s+", re.IGNORECASE)


@dataclass(slots=True, frozen=True)
class Names:
    """The ways an outlet or a story can be credited."""

    domains: tuple[str, ...] = ()
    names: tuple[str, ...] = ()  # outlet names as written, e.g. "Northern Post"
    authors: tuple[str, ...] = ()
    urls: tuple[str, ...] = ()


def names_of(article: Article, aliases: tuple[str, ...] = ()) -> Names:
    """Everything by which a copy could credit ``article``."""
    domains = (article.outlet,) if article.outlet and "." in article.outlet else ()
    names = []
    for name in (article.outlet_name, *aliases):
        if name:
            bare = _LEADING_THE.sub("", name.strip())
            if len(bare) >= 3:
                names.append(bare)
    authors = ()
    if article.author and len(article.author.split()) >= 2:
        authors = (article.author.strip(),)
    urls = ()
    if article.url:
        bare_url = re.sub(r"^https?://(www\.)?", "", article.url).rstrip("/")
        if len(bare_url) > 8:
            urls = (bare_url,)
    return Names(tuple(domains), tuple(dict.fromkeys(names)), authors, urls)


@lru_cache(maxsize=4096)
def _patterns(names: Names) -> tuple[re.Pattern[str], ...]:
    # URLs and domains are case-insensitive ("NorthernPost.co.uk"); names keep their case
    # (or are all capitals), so "the sun rose" never credits "The Sun".
    loose = [r"(?:https?://)?(?:www\.)?" + re.escape(url) for url in names.urls]
    loose += [r"(?<![\w.-])(?:www\.)?" + re.escape(d) + r"(?![\w-])" for d in names.domains]
    strict = []
    for name in names.names:
        words = [re.escape(w) for w in name.split()]
        strict.append(r"\b" + r"[\s-]+".join(words) + r"\b")
        strict.append(r"\b" + r"[\s-]+".join(w.upper() for w in words) + r"\b")
    strict += [r"\b" + r"\s+".join(re.escape(w) for w in a.split()) + r"\b" for a in names.authors]
    out = []
    if loose:
        out.append(re.compile("|".join(f"(?:{p})" for p in loose), re.IGNORECASE))
    if strict:
        out.append(re.compile("|".join(f"(?:{p})" for p in strict)))
    return tuple(out)


def credit_mentions(text: str, names: Names) -> list[Evidence]:
    """Every place where ``text`` names the outlet, URL or author in ``names``."""
    found: dict[int, Evidence] = {}
    for pattern in _patterns(names):
        for m in pattern.finditer(text):
            if m.start() not in found:
                found[m.start()] = Evidence(
                    "credit", text=m.group(), article_start=m.start(), article_end=m.end()
                )
    return [found[k] for k in sorted(found)]

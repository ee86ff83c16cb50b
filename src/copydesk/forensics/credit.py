"""Credit: does a copy name its source's outlet, the source's URL or its author?"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from rapidfuzz.distance import Indel

from copydesk.align.local import Span
from copydesk.model import Article, Evidence
from copydesk.text.tokens import Tokens

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


# One compiled pattern per name, cached: an outlet's names and domain recur across all its
# articles; URLs and authors are tried only when a plain substring test finds them.
@lru_cache(maxsize=8192)
def _url_pattern(url: str) -> re.Pattern[str]:
    return re.compile(
        r"(?<![\w.-])(?:https?://)?(?:www\.)?" + re.escape(url) + r"(?![\w-]|/\w)",
        re.IGNORECASE,
    )


@lru_cache(maxsize=8192)
def _domain_pattern(domain: str) -> re.Pattern[str]:
    # Domains are case-insensitive: "NorthernPost.co.uk" credits northernpost.co.uk.
    return re.compile(r"(?<![\w.-])(?:www\.)?" + re.escape(domain) + r"(?![\w-])", re.IGNORECASE)


@lru_cache(maxsize=8192)
def _name_pattern(name: str) -> re.Pattern[str]:
    # Names keep their case (or are all capitals), so "the sun rose" never credits "The Sun".
    words = [re.escape(w) for w in name.split()]
    return re.compile(
        r"\b" + r"[\s-]+".join(words) + r"\b|\b" + r"[\s-]+".join(w.upper() for w in words) + r"\b"
    )


@lru_cache(maxsize=8192)
def _author_pattern(author: str) -> re.Pattern[str]:
    return re.compile(r"\b" + r"\s+".join(re.escape(w) for w in author.split()) + r"\b")


def _patterns(text: str, names: Names) -> list[re.Pattern[str]]:
    out = [_domain_pattern(d) for d in names.domains]
    out += [_name_pattern(n) for n in names.names]
    if names.urls:
        folded = text.casefold()
        out += [_url_pattern(u) for u in names.urls if u.casefold() in folded]
    out += [_author_pattern(a) for a in names.authors if a.split()[-1] in text]
    return out


def credit_mentions(text: str, names: Names) -> list[Evidence]:
    """Every place where ``text`` names the outlet, URL or author in ``names``."""
    spans = sorted(
        {m.span() for pattern in _patterns(text, names) for m in pattern.finditer(text)},
        key=lambda span: (span[0], -span[1]),
    )
    out: list[Evidence] = []
    for start, end in spans:  # a mention inside a longer one (a domain in a URL) is that one
        if out and start < out[-1].article_end:
            continue
        out.append(Evidence("credit", text=text[start:end], article_start=start, article_end=end))
    return out


def _bare_url(url: str) -> str:
    return re.sub(r"^https?://(www\.)?", "", url.strip()).split("#")[0].rstrip("/").lower()


def linked_credit(copy: Article, source: Article) -> list[Evidence]:
    """A link to the source's URL in the copy's HTML (``extra["links"]``, kept when the
    article was read from a web page) credits it even when the text does not."""
    links = copy.extra.get("links") if copy.extra else None
    if not source.url or not isinstance(links, list):
        return []
    target = _bare_url(source.url)
    for link in links:
        if isinstance(link, str) and _bare_url(link) == target:
            return [Evidence("credit", text=link, data={"via": "link"})]
    return []


def _token_range(tokens_starts: np.ndarray, start: int, end: int) -> tuple[int, int]:
    """Word indices [lo, hi) whose start offsets fall in [start, end)."""
    lo = int(np.searchsorted(tokens_starts, start, "left"))
    hi = int(np.searchsorted(tokens_starts, end, "left"))
    return lo, hi


def removed_credits(
    copy_text: str,
    copy_tokens: Tokens,
    source_text: str,
    source_tokens: Tokens,
    spans: list[Span],
    names: Names,
) -> list[Evidence]:
    """Mentions of the source (outlet, URL, author) inside aligned source passages that
    the copy's aligned passage does not carry: the credit that was cut.

    Words are aligned inside each passage (rapidfuzz's Indel opcodes over word hashes);
    a mention whose words fall in a deleted or replaced stretch was removed. The evidence
    names the removed text in the source and where the cut is in the copy.
    """
    mentions = credit_mentions(source_text, names)
    if not mentions:
        return []
    out: list[Evidence] = []
    for span in spans:
        lo_src = int(source_tokens.starts[span.b_start])
        hi_src = int(source_tokens.ends[span.b_end - 1])
        inside = [
            m for m in mentions if m.article_start >= lo_src and m.article_end <= hi_src
        ]  # Evidence offsets from credit_mentions are offsets in the text searched
        if not inside:
            continue
        a_words = copy_tokens.hashes[span.a_start : span.a_end].tolist()
        b_words = source_tokens.hashes[span.b_start : span.b_end].tolist()
        ops = Indel.opcodes(b_words, a_words)  # source → copy
        for m in inside:
            m_lo, m_hi = _token_range(source_tokens.starts, m.article_start, m.article_end)
            m_lo -= span.b_start
            m_hi -= span.b_start
            for op in ops:
                if op.tag == "equal" or op.src_end <= m_lo or op.src_start >= m_hi:
                    continue
                if op.tag == "delete":
                    # The cut sits right after the last word the copy kept before it.
                    at = span.a_start + op.dest_start
                    if at > span.a_start:
                        article_at = int(copy_tokens.ends[at - 1])
                    else:
                        article_at = int(copy_tokens.starts[at])
                    out.append(
                        Evidence(
                            "credit_removed",
                            text=m.text,
                            source_start=m.article_start,
                            source_end=m.article_end,
                            article_start=article_at,
                        )
                    )
                    break
    return out

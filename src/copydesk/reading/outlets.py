"""Outlet names from URLs: the registered domain, found offline."""

from __future__ import annotations

import ipaddress
import re
from functools import lru_cache

import tldextract

_extractor: tldextract.TLDExtract | None = None

# "example.com/page" (no scheme) still names a host; "x" or "mailto:a@b.c" do not.
_NETLOC_HOST = re.compile(r"(?:[A-Za-z][A-Za-z0-9+.-]*:)?//(?:[^/?#]*@)?(\[[^/?#]*|[^:/?#]*)")
_SCHEMELESS_HOST = re.compile(r"[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?:[:/?#]|$)")


def outlet_from_url(url: str) -> str | None:
    """The URL's registered domain, lowercased ("https://www.news.bbc.co.uk/x" → "bbc.co.uk").

    A host under a TLD outside the public suffix list (such as the reserved ``.example``
    and ``.test`` of invented outlets) keeps its last two labels; IP addresses and
    single-label hosts (``localhost``) are returned whole. None when there is no host.
    """
    host = _host(url)
    return _outlet_for_host(host) if host else None


def _host(url: str) -> str | None:
    url = url.strip()
    if "//" not in url:
        if not _SCHEMELESS_HOST.match(url):
            return None
        url = "//" + url
    # A regex, not urlsplit: this runs once per ingested record and urlsplit is slow.
    found = _NETLOC_HOST.match(url)
    if not found:
        return None
    host = found.group(1)
    if host.startswith("["):
        if not host.endswith("]"):
            return None
        host = host[1:-1]
    return host.rstrip(".").lower() or None


@lru_cache(maxsize=65536)
def _outlet_for_host(host: str) -> str:
    host = host.lower()
    try:
        ipaddress.ip_address(host)
        return host
    except ValueError:
        pass
    parts = _tld_extractor()(host)
    # tldextract ≥ 5.3 renamed registered_domain; keep older releases working.
    domain = getattr(parts, "top_domain_under_public_suffix", None)
    if domain is None:
        domain = parts.registered_domain
    if domain:
        return domain.lower()
    return ".".join(host.split(".")[-2:])


def _tld_extractor() -> tldextract.TLDExtract:
    global _extractor
    if _extractor is None:
        # No suffix-list URLs and no cache: the bundled snapshot only, never the network.
        _extractor = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)
    return _extractor

"""The names an outlet goes by, learned from how it names itself in its own articles.

A phrase is an alias of outlet ``example.co.uk`` when it appears in at least
``min_articles`` of that outlet's own articles and, squashed (case, spaces, dots and
hyphens removed), it contains the outlet's domain label ``example``: "Example.co.uk",
"the Daily Example", "EXAMPLE". Users can add names the rule cannot see (a brand that
differs from the domain) with an alias file: JSON ``{"outlet": ["Name", ...]}`` or CSV
lines ``outlet,name``.
"""

from __future__ import annotations

import csv
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from copydesk.errors import read_user_file

# Capitalised runs of up to four words (with "the" dropped), and domain-like tokens.
_PHRASE = re.compile(
    r"\b(?:[A-Z][\w'&]*(?:[ -](?:[A-Z][\w'&]*|of|and|&)){0,3}(?:\.(?:[a-z]{2,6}))+"
    r"|[A-Z][\w'&]*(?:[ -][A-Z][\w'&]*){0,3})\b"
)
_SQUASH = re.compile(r"[\W_]+")
_ARTICLE = re.compile(r"^(?:The|A|An)\s+")
_GENERIC_LABELS = {"news", "the", "daily", "times", "post", "online", "media", "press"}


def squash(text: str) -> str:
    return _SQUASH.sub("", text).lower()


def domain_label(outlet: str) -> str | None:
    """``dailyclarion`` for ``dailyclarion.com`` and ``news.example.co.uk``."""
    parts = outlet.lower().split(".")
    if len(parts) < 2:
        return None
    # The label before the public suffix: the longest part that is not a short suffix.
    for part in parts:
        if len(part) > 3 or part not in {"co", "com", "org", "net", "gov", "ac", "www"}:
            return part if part != "www" else None
    return None


@dataclass(slots=True)
class AliasCounts:
    """What alias learning counts, per outlet: its own articles (``totals``) and, for each
    phrase that names it, how many of them have the phrase (``seen``). Counts of disjoint
    sets of articles add up (:meth:`add`), so an engine can count its partitions apart."""

    totals: Counter[str] = field(default_factory=Counter)
    seen: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))

    def add(self, other: AliasCounts) -> AliasCounts:
        self.totals.update(other.totals)
        for outlet, counts in other.seen.items():
            self.seen.setdefault(outlet, Counter()).update(counts)
        return self


def count_aliases(articles: Iterable[tuple[str | None, str]]) -> AliasCounts:
    """The counts of :func:`learn_aliases` for (outlet, text) of own (not copied) articles."""
    counted = AliasCounts()
    finders: dict[str, tuple[str, re.Pattern[str]] | None] = {}
    for outlet, text in articles:
        if not outlet:
            continue
        counted.totals[outlet] += 1
        if outlet not in finders:
            label = domain_label(outlet)
            ok = label and len(label) >= 4 and label not in _GENERIC_LABELS
            # The label written any way: "dailyclarion", "Daily Clarion", "Daily-Clarion".
            spelled = r"[\s.-]?".join(re.escape(c) for c in label) if ok else ""
            finders[outlet] = (label, re.compile(spelled, re.IGNORECASE)) if ok else None
        found = finders[outlet]
        if found is None:
            continue
        label, finder = found
        phrases = set()
        # Only look around the places the label occurs: most of the text is skipped.
        for hit in finder.finditer(text):
            window = text[max(0, hit.start() - 60) : hit.end() + 60]
            for m in _PHRASE.finditer(window):
                phrase = _ARTICLE.sub("", m.group())
                if label in squash(phrase):
                    phrases.add(phrase)
        if phrases:
            counted.seen[outlet].update(phrases)
    return counted


def aliases_from_counts(
    counted: AliasCounts, *, min_articles: int = 2, min_share: float = 0.01
) -> dict[str, list[str]]:
    """Outlet -> aliases from :func:`count_aliases`' counts: each outlet's phrases in at
    least ``min_articles`` and ``min_share`` of its articles, most frequent first (ties in
    alphabetical order), ten at most. Outlets in alphabetical order."""
    out: dict[str, list[str]] = {}
    for outlet in sorted(counted.seen):
        floor = max(min_articles, min_share * counted.totals[outlet])
        ranked = sorted(counted.seen[outlet].items(), key=lambda pn: (-pn[1], pn[0]))
        names = [p for p, n in ranked if n >= floor]
        if names:
            out[outlet] = names[:10]
    return out


def learn_aliases(
    articles: Iterable[tuple[str | None, str]],
    *,
    min_articles: int = 2,
    min_share: float = 0.01,
) -> dict[str, list[str]]:
    """Outlet -> aliases, from (outlet, text) of each outlet's own (not copied) articles.

    A phrase must be in ``min_articles`` of the outlet's articles and in ``min_share`` of
    them, so a name that appears once in a headline ("Reuters Taiwan") is not an alias.
    The result depends only on which articles are given, not on their order.
    """
    return aliases_from_counts(
        count_aliases(articles), min_articles=min_articles, min_share=min_share
    )


def load_alias_file(path: str | Path) -> dict[str, list[str]]:
    """Aliases from a JSON object or a two-column CSV (outlet, name); clear errors."""
    path = Path(path)
    raw = read_user_file(path, "alias file", ValueError)
    if path.suffix.lower() == ".json" or raw.lstrip().startswith("{"):
        try:
            obj = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}: invalid JSON at line {exc.lineno}: {exc.msg}") from exc
        if not isinstance(obj, dict) or not all(
            isinstance(v, list) and all(isinstance(n, str) for n in v) for v in obj.values()
        ):
            raise ValueError(f'{path}: expected {{"outlet": ["Name", ...]}}')
        return {k.lower(): v for k, v in obj.items()}
    out: dict[str, list[str]] = defaultdict(list)
    for number, row in enumerate(csv.reader(raw.splitlines()), start=1):
        if not row or row[0].startswith("#"):
            continue
        if len(row) != 2 or not row[0].strip() or not row[1].strip():
            raise ValueError(f"{path}:{number}: expected two columns: outlet,name")
        out[row[0].strip().lower()].append(row[1].strip())
    return dict(out)


def merge(*maps: dict[str, list[str]]) -> dict[str, tuple[str, ...]]:
    merged: dict[str, list[str]] = defaultdict(list)
    for m in maps:
        for outlet, names in m.items():
            merged[outlet].extend(n for n in names if n not in merged[outlet])
    return {k: tuple(v) for k, v in merged.items()}

"""Readers for the real research corpora kept outside the repository.

The corpora (BBC News 2004-2005 and Reuters-21578) are for research use only: they are read
at run time from ``../shared/corpora`` (or ``$COPYDESK_CORPORA``) and their text is never
copied into the project. Tests and benchmarks that need them skip when they are absent.
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from copydesk.model import Article

__all__ = [
    "BBC_CATEGORIES",
    "SHARED_CORPORA",
    "corpora_available",
    "default_corpora",
    "read_bbc",
    "read_reuters",
]

BBC_CATEGORIES = ("business", "entertainment", "politics", "sport", "tech")
ENV_VAR = "COPYDESK_CORPORA"


def _repo_root(start: Path) -> Path | None:
    """The nearest directory above ``start`` that holds a ``pyproject.toml``."""
    for parent in start.resolve().parents:
        if (parent / "pyproject.toml").is_file():
            return parent
    return None


def default_corpora() -> Path:
    """``$COPYDESK_CORPORA`` if set, else ``<repo root>/../shared/corpora``."""
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser()
    root = _repo_root(Path(__file__))
    if root is not None:
        return root.parent / "shared" / "corpora"
    return Path("../shared/corpora").resolve()


SHARED_CORPORA: Path = default_corpora()


def _root(root: Path | str | None) -> Path:
    return Path(root) if root is not None else SHARED_CORPORA


def corpora_available(root: Path | str | None = None) -> bool:
    """True when both the BBC and the Reuters-21578 corpora are where the readers look."""
    base = _root(root)
    return (base / "bbc").is_dir() and any((base / "reuters21578").glob("reut2-*.sgm"))


# --- BBC -----------------------------------------------------------------------------------


def _decode(data: bytes) -> str:
    """UTF-8, falling back to cp1252 (then Latin-1, which never fails) for the odd file."""
    for encoding in ("utf-8", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


_ENTITY = re.compile(r"&(?:#\d{1,7}|#x[0-9a-fA-F]{1,6}|[A-Za-z]{2,8});")


def _unescape_entities(text: str) -> str:
    """A few BBC files carry HTML entities (``communiqu&#233;``); only ``&...;`` forms are
    touched, so ``R&D`` or ``AT&T`` stay as they are."""
    return _ENTITY.sub(lambda m: html.unescape(m.group(0)), text)


def _split_title(raw: str) -> tuple[str, str]:
    """First line is the title; the body follows after blank line(s)."""
    title, _, body = raw.partition("\n")
    return title.strip(), body.strip("\n").rstrip()


def _bbc_article(path: Path, category: str) -> Article:
    raw = _decode(path.read_bytes()).replace("\r\n", "\n").replace("\r", "\n")
    title, body = _split_title(_unescape_entities(raw))
    number = path.stem
    return Article(
        id=f"bbc/{category}/{number}",
        text=body,
        url=f"https://www.bbc.co.uk/news/{category}/{number}",
        outlet="bbc.co.uk",
        published=None,  # the corpus carries no dates
        title=title,
        outlet_name="BBC News",
        extra={"category": category},
    )


def read_bbc(root: Path | str | None = None) -> Iterator[Article]:
    """The 2,225 BBC News articles, category by category, file by file (sorted)."""
    base = _root(root) / "bbc"
    if not base.is_dir():
        raise FileNotFoundError(f"BBC corpus not found at {base}")
    for category_dir in sorted(p for p in base.iterdir() if p.is_dir()):
        for path in sorted(category_dir.glob("*.txt")):
            yield _bbc_article(path, category_dir.name)


# --- Reuters-21578 -------------------------------------------------------------------------

_STORY = re.compile(r"<REUTERS\b([^>]*)>(.*?)</REUTERS>", re.DOTALL)
_NEWID = re.compile(r'\bNEWID="(\d+)"')
_DATE_RE = re.compile(
    r"(\d{1,2})-([A-Za-z]{3})-(\d{4})\s+(\d{1,3}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?"
)
_MONTHS = {
    m: i
    for i, m in enumerate(
        ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"), 1
    )
}
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# The wire signature closing a story: "Reuter" / "REUTER..." on its own line, after the last
# sentence ("... an ounce. REUTER"), or upper case after a table cell ("... 17 REUTER").
_SIGNATURE = re.compile(
    r"(?:(?:\A|(?<=[\n.!?\"')]))[ \t]*(?i:reuters?)|(?<=[ \t])REUTERS?)\b\.{0,3}\s*\Z"
)


def _tag(block: str, name: str) -> str | None:
    match = re.search(rf"<{name}>(.*?)</{name}>", block, re.DOTALL)
    return match.group(1) if match else None


def _tags(block: str, name: str) -> list[str]:
    inner = _tag(block, name)
    return re.findall(r"<D>(.*?)</D>", inner, re.DOTALL) if inner else []


def _clean(raw: str) -> str:
    """Unescape entities, drop control characters (\\x03 ...), normalise line ends."""
    text = html.unescape(raw).replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", text)


def _clean_body(raw: str) -> str:
    """Cleaned body without its closing signature(s) (some stories carry two)."""
    text = _clean(raw).rstrip()
    while True:
        stripped = _SIGNATURE.sub("", text).rstrip()
        if stripped == text:
            return text.strip("\n")
        text = stripped


def parse_reuters_date(value: str | None) -> datetime | None:
    """``26-FEB-1987 15:01:01.79`` (stray padding or junk around it) as a UTC datetime.

    One story has an impossible time (``605:12:19.12``): its day is kept, at midnight.
    """
    if not value:
        return None
    match = _DATE_RE.search(value)
    if not match:
        return None
    day, month, year, hour, minute, second, frac = match.groups()
    month_no = _MONTHS.get(month.upper())
    if month_no is None:
        return None
    micros = int((frac or "0").ljust(6, "0"))
    try:
        date = datetime(int(year), month_no, int(day), tzinfo=UTC)
    except ValueError:
        return None
    try:
        return date.replace(
            hour=int(hour), minute=int(minute), second=int(second), microsecond=micros
        )
    except ValueError:
        return date


def _reuters_article(attrs: str, block: str, with_body_only: bool) -> Article | None:
    newid_match = _NEWID.search(attrs)
    if newid_match is None:
        return None
    body_raw = _tag(block, "BODY")
    body = _clean_body(body_raw) if body_raw is not None else ""
    if with_body_only and not body:
        return None
    title_raw = _tag(block, "TITLE")
    dateline = _tag(block, "DATELINE")
    newid = newid_match.group(1)
    return Article(
        id=f"reuters/{newid}",
        text=body,
        url=None,
        outlet="reuters.com",
        published=parse_reuters_date(_tag(block, "DATE")),
        title=" ".join(_clean(title_raw).split()) if title_raw else None,
        outlet_name="Reuters",
        extra={
            "newid": int(newid),
            "topics": _tags(block, "TOPICS"),
            "places": _tags(block, "PLACES"),
            "dateline": " ".join(_clean(dateline).split()).rstrip(" -") if dateline else None,
        },
    )


def reuters_files(root: Path | str | None = None) -> list[Path]:
    """``reut2-000.sgm`` ... ``reut2-021.sgm``, in order."""
    base = _root(root) / "reuters21578"
    files = sorted(base.glob("reut2-*.sgm"))
    if not files:
        raise FileNotFoundError(f"Reuters-21578 corpus not found at {base}")
    return files


def read_reuters(
    root: Path | str | None = None, *, with_body_only: bool = True
) -> Iterator[Article]:
    """Reuters-21578 stories in file order; only the 19,043 with a body by default."""
    for path in reuters_files(root):
        sgml = path.read_bytes().decode("latin-1")
        for match in _STORY.finditer(sgml):
            article = _reuters_article(match.group(1), match.group(2), with_body_only)
            if article is not None:
                yield article

"""Wire and syndication agencies, and the forms copies credit them by.

The list ships as ``agencies.txt`` beside this module; a user file of the same form
(``--agencies FILE``) adds agencies or more forms of known ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from copydesk.errors import read_user_file


class AgencyFileError(ValueError):
    """A line of an agencies file that cannot be read (the message names file and line)."""


@dataclass(slots=True, frozen=True)
class Agency:
    outlet: str  # its domain, e.g. "reuters.com"
    forms: tuple[str, ...]  # names it is credited by; the first is how it is shown

    @property
    def name(self) -> str:
        return self.forms[0]


def parse_agencies(text: str, source: str = "<agencies>") -> list[Agency]:
    """``outlet: Name | Form | ...`` lines; ``#`` starts a comment."""
    out: list[Agency] = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        outlet, sep, rest = line.partition(":")
        outlet = outlet.strip().lower()
        forms = tuple(f.strip() for f in rest.split("|") if f.strip())
        if not sep or not outlet or " " in outlet or not forms:
            raise AgencyFileError(
                f"{source}:{number}: expected 'outlet: Name | Form ...', got {raw.strip()!r}"
            )
        out.append(Agency(outlet, forms))
    return out


def builtin_agencies() -> list[Agency]:
    text = resources.files("copydesk.families").joinpath("agencies.txt").read_text("utf-8")
    return parse_agencies(text, "agencies.txt")


def read_agencies(path: str | Path) -> list[Agency]:
    return parse_agencies(read_user_file(path, "agencies file", AgencyFileError), str(path))


def merge_agencies(base: list[Agency], extra: list[Agency]) -> list[Agency]:
    """``extra`` adds agencies; for a known outlet its forms come first, then the old ones."""
    by_outlet: dict[str, list[str]] = {a.outlet: list(a.forms) for a in base}
    for agency in extra:
        known = by_outlet.setdefault(agency.outlet, [])
        by_outlet[agency.outlet] = list(dict.fromkeys([*agency.forms, *known]))
    return [Agency(o, tuple(f)) for o, f in by_outlet.items()]

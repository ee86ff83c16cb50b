"""Licensed syndication: which outlets may carry which outlets' stories.

A partners file has one licence a line::

    # copier may carry origin
    gazette.example may carry northernpost.example
    herald.example,northernpost.example
    weekly.example

A line with one outlet licenses it to carry the user's own outlets (the ``mine``
setting). ``#`` starts a comment; a first line ``outlet`` (or ``copier,origin``) is a
header. A copy is licensed when its outlet may carry the outlet of its story's origin, or
of the source it took from: licensed copies are marked ``licensed: true`` in verdicts and
findings and never count towards the content-farm flag.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from copydesk.errors import CopydeskError, read_user_file

_MAY_CARRY = re.compile(r"^(\S+)\s+may\s+carry\s+(\S+)$", re.IGNORECASE)
_HEADERS = {("outlet",), ("copier", "origin"), ("copier", "source")}


class SettingsError(CopydeskError, ValueError):
    pass


def _outlet(value: str) -> str:
    return value.strip().lower().removeprefix("www.")


@dataclass(slots=True, frozen=True)
class Partners:
    """Licences as (copier, origin) pairs; origin None: the user's own outlets."""

    pairs: frozenset[tuple[str, str | None]] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.pairs)

    def licensed(self, copier: str | None, origin: str | None, mine: Iterable[str] = ()) -> bool:
        """May ``copier`` carry ``origin``'s stories?"""
        if not copier or not origin:
            return False
        copier, origin = _outlet(copier), _outlet(origin)
        if (copier, origin) in self.pairs:
            return True
        return (copier, None) in self.pairs and origin in {_outlet(m) for m in mine}

    def to_setting(self) -> list[list[str | None]]:
        return [list(p) for p in sorted(self.pairs, key=lambda p: (p[0], p[1] or ""))]

    @classmethod
    def from_setting(cls, value: Any) -> Partners:
        """The stored setting: [copier, origin-or-null] pairs, or bare outlets (older)."""
        pairs: set[tuple[str, str | None]] = set()
        for item in value or []:
            if isinstance(item, str):
                pairs.add((_outlet(item), None))
            elif isinstance(item, list | tuple) and len(item) == 2 and item[0]:
                pairs.add((_outlet(item[0]), _outlet(item[1]) if item[1] else None))
        return cls(frozenset(pairs))


def parse_partners(text: str, where: str = "<partners>") -> Partners:
    """Licences from the text of a partners file; errors name the file and line."""
    pairs: set[tuple[str, str | None]] = set()
    for n, line in enumerate(text.splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        m = _MAY_CARRY.match(line)
        if m:
            row = [m.group(1), m.group(2)]
        else:
            row = [c.strip() for c in next(csv.reader([line])) if c.strip()]
        if n == 1 and tuple(c.lower() for c in row) in _HEADERS:
            continue
        if not 1 <= len(row) <= 2 or any(" " in c or "." not in c for c in row):
            raise SettingsError(
                f"{where}, line {n}: {line!r} is not a licence "
                "(write 'COPIER may carry ORIGIN', 'COPIER,ORIGIN' or one outlet, as domains)"
            )
        pairs.add((_outlet(row[0]), _outlet(row[1]) if len(row) == 2 else None))
    return Partners(frozenset(pairs))


def load_partners(path: str | Path) -> Partners:
    return parse_partners(read_user_file(path, "partners file", SettingsError), str(path))

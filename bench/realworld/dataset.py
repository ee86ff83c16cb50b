"""The real-world development set: its manifest (committed) and its text cache (git-ignored).

``manifest.jsonl`` has one version of a story a line: ``id``, ``story``, ``set``
(``families`` | ``rewrite`` | ``translation``), ``url``, ``outlet``, ``role``
(``origin`` | ``copy`` | ``independent``), ``origin_outlet``, ``origin_credit``
(``credited`` | ``stripped`` | ``absent``, copies only), ``took_from`` (an id, where it can
be told), ``published``, ``language``, ``first_words`` and an optional ``note``. The texts
are third-party and live only in ``cache/<id>.txt``; ``first_words`` checks that a rebuilt
cache holds the same text.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
MANIFEST = HERE / "manifest.jsonl"
CACHE = HERE / "cache"
FIRST_WORDS = 8

SETS = ("families", "rewrite", "translation")
ROLES = ("origin", "copy", "independent")
CREDITS = ("credited", "stripped", "absent")


@dataclass(frozen=True, slots=True)
class Version:
    id: str
    story: str
    set: str
    url: str
    outlet: str
    role: str
    origin_outlet: str | None
    origin_credit: str | None
    took_from: str | None
    published: str | None
    language: str
    first_words: str | None
    note: str | None = None


def first_words(text: str, n: int = FIRST_WORDS) -> str:
    return " ".join(re.findall(r"\w+", text)[:n])


def load_manifest(path: Path = MANIFEST) -> list[Version]:
    """Every version of the manifest; a malformed line is an error naming its line."""
    out: list[Version] = []
    seen: set[str] = set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            version = Version(**{k: obj.get(k) for k in Version.__dataclass_fields__})
        except (json.JSONDecodeError, TypeError) as exc:
            raise ValueError(f"{path}:{number}: {exc}") from exc
        problems = []
        if not version.id or version.id in seen:
            problems.append(f"id {version.id!r} missing or repeated")
        if version.set not in SETS:
            problems.append(f"set {version.set!r} not one of {SETS}")
        if version.role not in ROLES:
            problems.append(f"role {version.role!r} not one of {ROLES}")
        if version.role == "copy" and version.origin_credit not in CREDITS:
            problems.append(f"origin_credit {version.origin_credit!r} not one of {CREDITS}")
        if problems:
            raise ValueError(f"{path}:{number}: " + "; ".join(problems))
        seen.add(version.id)
        out.append(version)
    ids = {v.id for v in out}
    for v in out:
        if v.took_from and v.took_from not in ids:
            raise ValueError(f"{path}: {v.id} took_from {v.took_from!r} is not in the manifest")
    return out


def cached_text(version: Version, cache: Path = CACHE) -> str | None:
    path = cache / f"{version.id}.txt"
    return path.read_text(encoding="utf-8") if path.is_file() else None

"""The furniture atlas: outlets' boilerplate learned from a large crawl, kept as hashes.

A collection holds few of the outlets its copies come from: a scraper's copy of a
tabloid story carries the tabloid's promo lines and newsletter footer, but the tabloid
itself was never collected, so the collection cannot learn that those lines are its
own. An atlas learns each outlet's recurring lines from any large crawl (a month of
CC-NEWS, say) with the same rule the collection's boilerplate is learned with
(:func:`copydesk.forensics.boilerplate.learn_from_shapes`), and keeps, per line shape,
only a digest of the shape and the outlet that owns it: no text of any article is in
the file. A scan given an atlas looks every line up in the collection's model first and
in the atlas second, so the furniture of an absent outlet still names the origin.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from copydesk.errors import CopydeskError, read_user_file
from copydesk.forensics.boilerplate import (
    BoilerplateModel,
    BoilerplateShape,
    article_shapes,
    learn_from_shapes,
    shape_key,
)
from copydesk.model import Article

__all__ = [
    "Atlas", "AtlasError", "atlas_from_model", "build_atlas", "read_atlas", "shape_key",
    "write_atlas",
]  # fmt: skip

FORMAT = "copydesk-atlas"
VERSION = 1


class AtlasError(CopydeskError, ValueError):
    """An atlas file that cannot be read or written (names the file and what is wrong)."""


@dataclass(slots=True)
class Atlas:
    """Shape digests and the outlet that owns each; ``outlets`` counts the articles of
    each outlet it was learned from; ``sources`` names the inputs (file names only)."""

    shapes: dict[str, BoilerplateShape] = field(default_factory=dict)
    outlets: dict[str, int] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.shapes)

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "version": VERSION,
            "sources": list(self.sources),
            "outlets": dict(sorted(self.outlets.items())),
            "shapes": {k: b.to_json() for k, b in sorted(self.shapes.items())},
        }

    @classmethod
    def from_json(cls, obj: Any, where: str = "<atlas>") -> Atlas:
        if not isinstance(obj, dict) or obj.get("format") != FORMAT:
            raise AtlasError(
                f"{where}: not a copydesk atlas (build one with `copydesk atlas build`)"
            )
        if obj.get("version") != VERSION:
            raise AtlasError(f"{where}: atlas version {obj.get('version')!r} is not {VERSION}")
        try:
            return cls(
                shapes={str(k): BoilerplateShape.from_json(b) for k, b in obj["shapes"].items()},
                outlets={str(o): int(n) for o, n in obj.get("outlets", {}).items()},
                sources=[str(s) for s in obj.get("sources", [])],
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise AtlasError(f"{where}: a damaged atlas ({type(exc).__name__}: {exc})") from None


def atlas_from_model(model: BoilerplateModel, sources: Iterable[str] = ()) -> Atlas:
    """The atlas of a learned model: its shapes replaced by their digests."""
    return Atlas(
        shapes={shape_key(s): b for s, b in model.shapes.items()},
        outlets=dict(model.outlets),
        sources=sorted(set(sources)),
    )


def build_atlas(articles: Iterable[Article], sources: Iterable[str] = ()) -> Atlas:
    """Learn an atlas from the articles of a crawl (streamed: never all in memory). Nothing
    is known to be a copy there; articles with no outlet are skipped."""
    shaped = ((a.outlet or "", article_shapes(a.text), False) for a in articles if a.outlet)
    return atlas_from_model(learn_from_shapes(shaped), sources)


def write_atlas(atlas: Atlas, path: str | Path) -> None:
    """Write the atlas as JSON, atomically (a crash leaves the old file or the new one)."""
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    try:
        tmp.write_text(json.dumps(atlas.to_json(), ensure_ascii=False), encoding="utf-8")
        tmp.replace(path)
    except OSError as exc:
        raise AtlasError(f"{path}: cannot write the atlas ({exc.strerror})") from None


def read_atlas(path: str | Path) -> Atlas:
    text = read_user_file(path, "atlas", AtlasError)
    try:
        obj = json.loads(text)
    except ValueError as exc:
        raise AtlasError(f"{path}: not a copydesk atlas (bad JSON: {exc})") from None
    return Atlas.from_json(obj, str(path))

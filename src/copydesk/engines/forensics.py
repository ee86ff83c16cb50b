"""What every engine does around the pairwise comparison: learn from the whole collection
(outlet aliases, boilerplate) into a :class:`~copydesk.verdict.Context` value, and read one
article's own signals under that context.

The pure parts (``make_context``, ``shapes_of``, ``article_signals``) are what any engine
calls; ``learn`` and ``load_context`` are the embedded engine's reading and writing of the
models in its store. A context is passed to the stage functions as an argument: nothing
here is kept in a module global but a memo of contexts already read, keyed by the store
and its models' version.
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any

from copydesk.batches import batches
from copydesk.forensics.aliases import learn_aliases, merge
from copydesk.forensics.atlas import Atlas
from copydesk.forensics.boilerplate import (
    BoilerplateModel,
    HashedShapes,
    article_shapes,
    count_hashed,
    find_boilerplate,
    hash_shapes,
    model_from_counts,
)
from copydesk.forensics.signals import signals
from copydesk.model import Article, Evidence
from copydesk.store import Store
from copydesk.verdict import EMPTY, Context

MapFn = Callable[[Callable[[list], Any], Iterable[list]], Iterable[Any]]


def make_context(
    aliases: dict[str, list[str]] | None,
    user_aliases: dict[str, list[str]] | None,
    boilerplate: dict[str, Any] | None,
) -> Context:
    """The judging context from the models as stored (JSON values); its ``version`` is a
    digest of them, the same on every host."""
    if not aliases and not user_aliases and not boilerplate:
        return EMPTY
    canonical = json.dumps(
        [aliases or {}, user_aliases or {}, boilerplate or {}], sort_keys=True, ensure_ascii=True
    )
    return Context(
        aliases=merge(aliases or {}, user_aliases or {}),
        boilerplate=BoilerplateModel.from_json(boilerplate)
        if boilerplate
        else BoilerplateModel(shapes={}),
        version=hashlib.sha256(canonical.encode()).hexdigest()[:16],
    )


def shapes_of(rows: list[tuple[str | None, str, bool]]) -> list[tuple[str, dict[str, str], bool]]:
    """Line shapes of (outlet, text, is a copy) rows: the per-article part of boilerplate
    learning, which an engine spreads over its workers."""
    return [(outlet or "", article_shapes(text), bool(copy)) for outlet, text, copy in rows]


def hashed_shapes_of(rows: list[tuple[str | None, str, bool]]) -> HashedShapes:
    """:func:`shapes_of` the rows, hashed for counting (``count_hashed``)."""
    return hash_shapes(shapes_of(rows))


def learn(
    store: Store,
    *,
    aliases: bool = True,
    boilerplate: bool = True,
    map_fn: MapFn = map,
    copies: set[int] | None = None,
) -> Context:
    """Learn aliases and/or boilerplate from the whole collection, store them, and return
    the context they make (with the stored models not learned now).

    Boilerplate is best learned once the copies are known (a copy's lines are its
    source's, not its own), so a scan learns it after comparing pairs. ``map_fn`` (a
    ``map`` over a process pool that keeps few tasks in flight) spreads the per-article
    line shapes over the cores. ``copies`` (keys) says which articles are copies; by
    default, the copies of the stored matches.
    """
    with store.transaction():
        if aliases:
            texts = store.outlet_texts(copies)
            own = ((o, text) for o, text, is_copy in texts if not is_copy)
            store.save_model("aliases", learn_aliases(own))
        if boilerplate:
            # Streamed: a million articles' texts are never all in memory.
            # The shapes are found and hashed in the workers, counted here.
            hashed = map_fn(hashed_shapes_of, batches(store.outlet_texts(copies), 500))
            model = model_from_counts(count_hashed(hashed))
            atlas = store.load_model("atlas")
            if atlas:  # lines learned from a crawl: looked up after the collection's own
                model.atlas = Atlas.from_json(atlas, "the store's atlas").shapes
            store.save_model("boilerplate", model.to_json())
    return load_context(store)


_READ: OrderedDict[tuple[str, tuple[int, int, int]], Context] = OrderedDict()


def load_context(store: Store) -> Context:
    """The context of the models stored in ``store`` (learned and user-given). Read once
    per version of the store's models: ``trace`` asks for it at every call."""
    token = (str(store.path.resolve()), tuple(store.models_version()))
    ctx = _READ.get(token)
    if ctx is None:
        ctx = make_context(
            store.load_model("aliases"),
            store.load_model("user_aliases"),
            store.load_model("boilerplate"),
        )
        _READ[token] = ctx
        while len(_READ) > 4:
            _READ.popitem(last=False)
    return ctx


def article_signals(article: Article, ctx: Context = EMPTY) -> list[Evidence]:
    """What one article shows alone: dangling attributions, prompt leftovers, and lines
    that are another outlet's boilerplate. Needs only the text: no tokenising."""
    foreign = [
        e
        for e in find_boilerplate(article.text, article.outlet, ctx.boilerplate)
        if e.kind == "foreign_boilerplate"
    ]
    found = [*signals(article.text), *foreign]
    found.sort(key=lambda e: e.article_start or 0)
    return found

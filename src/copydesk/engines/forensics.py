"""What every engine does around the pairwise comparison: learn from the whole collection
(outlet aliases, boilerplate), and read one article's own signals.

``learn`` runs once per scan in the main process; the models it sets on
``copydesk.verdict.CONTEXT`` are inherited by forked workers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from itertools import islice

from copydesk.engines.compare import forget_docs
from copydesk.forensics.aliases import learn_aliases, merge
from copydesk.forensics.boilerplate import (
    BoilerplateModel,
    article_shapes,
    find_boilerplate,
    learn_from_shapes,
)
from copydesk.forensics.credit import credit_mentions
from copydesk.forensics.quotes import Quote, extract_quotes, told_to_outlet
from copydesk.forensics.signals import signals
from copydesk.model import Article, Evidence
from copydesk.store import Store
from copydesk.verdict import CONTEXT, Doc, source_names

_MODEL = BoilerplateModel(shapes={})
_LOADED: tuple[str, tuple[int, int, int]] | None = None  # which store's models are in use


MapFn = Callable[[Callable[[list], list], Iterable[list]], Iterable[list]]


def _shapes_of(rows: list[tuple[str | None, str, bool]]) -> list[tuple[str, dict[str, str], bool]]:
    return [(outlet or "", article_shapes(text), bool(copy)) for outlet, text, copy in rows]


def _chunks(rows: Iterable, size: int = 500) -> Iterator[list]:
    it = iter(rows)
    while chunk := list(islice(it, size)):
        yield chunk


def learn(
    store: Store, *, aliases: bool = True, boilerplate: bool = True, map_fn: MapFn = map
) -> None:
    """Learn aliases and/or boilerplate from the whole collection, store them, use them.

    Boilerplate is best learned once the copies are known (a copy's lines are its
    source's, not its own), so a scan learns it after comparing pairs. ``map_fn`` (a
    ``map`` over a process pool that keeps few tasks in flight) spreads the per-article
    line shapes over the cores.
    """
    with store.transaction():
        if aliases:
            own = ((o, text) for o, text, is_copy in store.outlet_texts() if not is_copy)
            store.save_model("aliases", learn_aliases(own))
        if boilerplate:
            # Streamed: a million articles' texts are never all in memory.
            shaped = map_fn(_shapes_of, _chunks(store.outlet_texts()))
            model = learn_from_shapes(item for chunk in shaped for item in chunk)
            store.save_model("boilerplate", model.to_json())
    use_models(store)


def use_models(store: Store) -> None:
    """Set the stored models (learned and user-given) as the judging context; a no-op
    when they are the ones already in use (``trace`` calls this every time)."""
    global _MODEL, _LOADED
    token = (str(store.path.resolve()), store.models_version())
    if token == _LOADED:
        return
    _LOADED = token
    learned = store.load_model("aliases") or {}
    CONTEXT.aliases = merge(learned, store.load_model("user_aliases") or {})
    stored = store.load_model("boilerplate")
    _MODEL = BoilerplateModel.from_json(stored) if stored else BoilerplateModel(shapes={})
    forget_docs()
    CONTEXT.boilerplate = boilerplate
    CONTEXT.foreign = foreign_boilerplate
    CONTEXT.exclusive_quotes = exclusive_quotes


def boilerplate(doc: Doc) -> list[Evidence]:
    """Own and foreign boilerplate lines of one article (computed once per Doc)."""
    cached = doc.cache.get("boilerplate")
    if cached is None:
        cached = find_boilerplate(doc.article.text, doc.article.outlet, _MODEL)
        doc.cache["boilerplate"] = cached
    return cached


def _quotes(doc: Doc) -> list[Quote]:
    cached = doc.cache.get("quotes")
    if cached is None:
        cached = doc.cache["quotes"] = extract_quotes(doc.article.text)
    return cached


def foreign_boilerplate(doc: Doc) -> list[Evidence]:
    return [e for e in boilerplate(doc) if e.kind == "foreign_boilerplate"]


def article_signals(article: Article) -> list[Evidence]:
    """What one article shows alone: dangling attributions, prompt leftovers, and lines
    that are another outlet's boilerplate. Needs only the text: no tokenising."""
    foreign = [
        e
        for e in find_boilerplate(article.text, article.outlet, _MODEL)
        if e.kind == "foreign_boilerplate"
    ]
    found = [*signals(article.text), *foreign]
    found.sort(key=lambda e: e.article_start or 0)
    return found


def exclusive_quotes(copy: Doc, source: Doc) -> list[Evidence]:
    """Quotes the source says were given to it, carried by a copy that does not credit it."""
    src = source.article
    if credit_mentions(copy.article.text, source_names(src)):
        return []
    out = []
    copy_quotes = None
    for quote in _quotes(source):
        if not quote.told_to or not told_to_outlet(quote.told_to, src.outlet, src.outlet_name):
            continue
        if copy_quotes is None:
            copy_quotes = {q.key: q for q in _quotes(copy)}
        hit = copy_quotes.get(quote.key)
        if hit is not None:
            out.append(
                Evidence(
                    "exclusive_quote",
                    text=hit.text[:200],
                    article_start=hit.start,
                    article_end=hit.end,
                    source_start=quote.start,
                    source_end=quote.end,
                    data={"outlet_of_origin": src.outlet, "speaker": quote.speaker},
                )
            )
    return out

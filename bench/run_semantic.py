"""Semantic benchmark: seeded rewrites of real BBC articles, and same-event hard negatives.

Run ``.venv/bin/python bench/run_semantic.py [--sources N] [--seed S]``. Needs the real
corpora (../shared/corpora); prints a table and writes bench/results/semantic-latest.json.

``--corpus [--workers W]`` instead times the stage on the whole real corpus (BBC +
Reuters, about 21k articles): ingest, the lexical scan, then the semantic stage on every
article (embedding over the worker pool, then candidates and alignment), each timed
apart; writes bench/results/semantic-corpus-latest.json.

The collection: N BBC articles (distinct texts) as sources, and for each one a rewrite
made by a seeded mix of documented operations (``rewrite``):

- ``reorder``: two neighbouring sentences of a paragraph swap places;
- ``split``: a sentence with ", and " or "; " becomes two;
- ``merge``: two neighbouring sentences become one joined by ", and";
- ``substitute``: content words replaced by their nearest neighbour among the sample's
  words in the static embedding space (a crude synonym), one word in two: most 5-word
  runs are broken, so the lexical stage alone misses many;
- ``clause``: "A, B." becomes "B, A." when both parts are long;
- ``voice``: "X said" becomes "said X" (attribution inversion), and "said that" drops "that";
- ``drop`` / ``add``: one sentence removed, one sentence from an unrelated article added;
- ``summary``: the rewrite keeps 40–60% of the sentences, in order (one rewrite in four).

Hard negatives: for each source, its nearest other BBC article by mean sentence vector
(same topic, often the same event; pairs the lexical stage links are left out), and the
rewrites of both members of such a pair (two rewrites of different sources about one
event). A link between them is a false link.

In the same run, on the same collection and pairs (``semantic_rivals.py``): semhash
(semantic deduplication, given the same local model) and datasketch (MinHash LSH).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR.parent / "src"))

from copydesk.desk import Desk  # noqa: E402
from copydesk.model import Article  # noqa: E402
from copydesk.reading.corpora import corpora_available, read_bbc  # noqa: E402
from copydesk.semantic import default_embedder  # noqa: E402
from copydesk.semantic.embed import embed_article  # noqa: E402
from copydesk.text.segment import paragraphs, sentences  # noqa: E402

_WORD = re.compile(r"\b[a-z]{5,}\b")
SUBSTITUTE = 0.5  # share of content words replaced


def _sentences(text: str) -> list[list[str]]:
    return [[s.slice(text) for s in sentences(text, p)] for p in paragraphs(text)]


def neighbours(words: list[str], embedder) -> dict[str, str]:
    """Each word's nearest other word in the static embedding space."""
    vecs = embedder.embed(words)
    sims = vecs @ vecs.T
    np.fill_diagonal(sims, -1)
    best = sims.argmax(axis=1)
    return {
        w: words[int(j)] for w, j in zip(words, best, strict=True) if sims[words.index(w), j] > 0.5
    }


def rewrite(text: str, rng: random.Random, synonyms: dict[str, str], filler: list[str]) -> str:
    paras = _sentences(text)
    out = []
    for para in paras:
        para = list(para)
        if len(para) >= 2 and rng.random() < 0.4:  # reorder
            i = rng.randrange(len(para) - 1)
            para[i], para[i + 1] = para[i + 1], para[i]
        if len(para) >= 2 and rng.random() < 0.2:  # merge
            i = rng.randrange(len(para) - 1)
            para[i : i + 2] = [
                para[i].rstrip(".") + ", and " + para[i + 1][:1].lower() + para[i + 1][1:]
            ]
        new = []
        for s in para:
            if rng.random() < 0.3 and (", and " in s or "; " in s):  # split
                a, _, b = s.partition(", and " if ", and " in s else "; ")
                s = a + ". " + b[:1].upper() + b[1:]
            parts = s.rstrip(".").split(", ", 1)
            if len(parts) == 2 and min(map(len, parts)) > 25 and rng.random() < 0.3:  # clause
                s = (
                    parts[1][:1].upper()
                    + parts[1][1:]
                    + ", "
                    + parts[0][:1].lower()
                    + parts[0][1:]
                    + "."
                )
            s = re.sub(r"\b([A-Z]\w+) said\b", r"said \1", s) if rng.random() < 0.5 else s  # voice
            s = s.replace("said that", "said")
            s = _WORD.sub(
                lambda m: (
                    synonyms.get(m.group(), m.group()) if rng.random() < SUBSTITUTE else m.group()
                ),
                s,
            )  # substitute
            new.append(s)
        out.append(new)
    flat = [(i, s) for i, p in enumerate(out) for s in p]
    if len(flat) > 4 and rng.random() < 0.5:  # drop
        flat.pop(rng.randrange(len(flat)))
    if rng.random() < 0.5 and filler:  # add
        flat.insert(rng.randrange(len(flat) + 1), (flat[-1][0] if flat else 0, rng.choice(filler)))
    if rng.random() < 0.25 and len(flat) >= 6:  # summary: keep 40–60%, in order
        keep = sorted(rng.sample(range(len(flat)), max(3, int(len(flat) * rng.uniform(0.4, 0.6)))))
        flat = [flat[k] for k in keep]
    paras_out: dict[int, list[str]] = {}
    for i, s in flat:
        paras_out.setdefault(i, []).append(s)
    return "\n\n".join(" ".join(p) for p in paras_out.values())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sources", type=int, default=300)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--corpus", action="store_true", help="time the stage on the 21k corpus")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument(
        "--no-rivals", action="store_true", help="skip semhash and datasketch on the same pairs"
    )
    args = ap.parse_args(argv)
    if not corpora_available():
        print("skipped: the real corpora (../shared/corpora) are not here")
        return 0
    if args.corpus:
        return corpus_timing(args.workers)
    rng = random.Random(args.seed)
    seen, pool = set(), []
    for a in read_bbc():
        if a.text not in seen:
            seen.add(a.text)
            pool.append(a)
    rng.shuffle(pool)
    sources = pool[: args.sources]
    others = pool[args.sources : args.sources * 2]
    embedder = default_embedder()
    words = sorted({w for a in sources for w in _WORD.findall(a.text)})
    synonyms = neighbours(words, embedder)
    # sentences for the "add" operation, each with the original it comes from
    added_from = [
        (f"bbc-{args.sources + j}", s)
        for j, a in enumerate(others[:50])
        for p in _sentences(a.text)
        for s in p
        if len(s) > 60
    ]
    filler = [s for _, s in added_from]
    filler_of = {s: origin for origin, s in added_from}
    base = datetime(2026, 1, 1, tzinfo=UTC)
    articles, gold = [], set()
    added: dict[str, set[str]] = {}
    for i, a in enumerate(sources + others):
        articles.append(
            Article(f"bbc-{i}", a.text, outlet="bbc.example", published=base + timedelta(hours=i))
        )
    for i, a in enumerate(sources):
        text = rewrite(a.text, rng, synonyms, filler)
        articles.append(
            Article(
                f"rw-{i}",
                text,
                outlet=f"farm{i % 7}.example",
                published=base + timedelta(days=60, hours=i),
            )
        )
        gold.add((f"rw-{i}", f"bbc-{i}"))
        # An added sentence is copied word for word: a link to its article is no error.
        added[f"rw-{i}"] = {filler_of[f] for f in filler if f in text}
    # Hard negatives: each source's nearest other original by mean sentence vector.
    means = []
    for a in sources + others:
        v = embed_article(a.text, embedder).unit()
        m = v.mean(axis=0) if len(v) else np.zeros(256)
        means.append(m / max(np.linalg.norm(m), 1e-6))
    means = np.array(means)
    sims = means[: len(sources)] @ means.T
    for i in range(len(sources)):
        sims[i, i] = -1
    same_event = {(f"bbc-{i}", f"bbc-{int(sims[i].argmax())}") for i in range(len(sources))}
    with tempfile.TemporaryDirectory() as tmp, Desk(Path(tmp) / "sem.db", workers=2) as desk:
        desk.ingest(articles)
        t0 = time.perf_counter()
        desk.scan(semantic=False)
        lexical_seconds = time.perf_counter() - t0
        desk.store.reset_scan()
        t0 = time.perf_counter()
        desk.scan(semantic=True)
        both_seconds = time.perf_counter() - t0
        links = {}
        twin_links = []  # one outlet's originals sharing text (hidden from the verdicts)
        for v in desk.verdicts(include_same_outlet=True):
            for m in v.sources:
                if m.same_outlet:
                    twin_links.append((v.article, m.source))
                else:
                    links[(v.article, m.source)] = m.relation
    # The semantic stage alone, on every gold pair and every same-event pair.
    from copydesk.semantic import SemanticParams
    from copydesk.semantic.judge import SemDoc
    from copydesk.semantic.language import detect
    from copydesk.semantic.stage import compare_pair

    by_id = {a.id: a for a in articles}
    docs: dict[str, SemDoc] = {}

    def doc(i: str) -> SemDoc:
        if i not in docs:
            a = by_id[i]
            docs[i] = SemDoc(len(docs), a, embed_article(a.text, embedder), detect(a.text))
        return docs[i]

    params = SemanticParams()
    alone_found = sum(compare_pair(doc(c), doc(s), params) is not None for c, s in sorted(gold))
    alone_linked = [p for p in sorted(same_event) if compare_pair(doc(p[0]), doc(p[1]), params)]
    found = {p for p in links if p in gold}
    # Originals the lexical stage links to each other share text in the corpus (one story
    # filed twice, a follow-up repeating background paragraphs): a rewrite linked to its
    # source's twin, or to the article of a sentence it was given word for word, is a
    # right link, not a false one.
    twins: dict[str, set[str]] = {}
    for c, s in twin_links:
        if c.startswith("bbc-") and s.startswith("bbc-"):
            twins.setdefault(c, set()).add(s)
            twins.setdefault(s, set()).add(c)
    # A same-event pair whose texts the lexical stage links (twins) shares text: linking
    # it is right; the others are false links of the semantic stage alone.
    alone_false = sum(b not in twins.get(a, set()) for a, b in alone_linked)
    right = {
        (c, s)
        for c, s in links
        if c.startswith("rw-")
        and (s in twins.get("bbc-" + c[3:], set()) or s in added.get(c, set()))
    }
    semantic_links = {p: r for p, r in links.items() if r in ("rewrite", "translation")}
    false = {p for p in links if p[0].startswith("rw-") and p not in gold and p not in right}
    false |= {p for p in semantic_links if not p[0].startswith("rw-")}
    linked_set = {tuple(sorted(p)) for p in links}
    hard_false = sum(
        tuple(sorted(p)) in linked_set and tuple(sorted(p)) in semantic_pairs(semantic_links)
        for p in same_event
    )
    rw_pairs = {
        tuple(sorted((f"rw-{i}", f"rw-{int(sims[i].argmax())}")))
        for i in range(len(sources))
        if int(sims[i].argmax()) < len(sources)
    }
    rw_false = sum(p in linked_set for p in rw_pairs)
    recall = len(found) / len(gold)
    relevant = [p for p in links if p[0].startswith("rw-") or p in semantic_links]
    precision = (len(found) / max(1, len(found) + len(false))) if relevant else 1.0
    result = {
        "sources": len(sources),
        "seed": args.seed,
        "rewrite_recall": round(recall, 4),
        "rewrite_precision": round(precision, 4),
        "rewrites_found_by_relation": {
            r: sum(1 for p in found if links[p] == r) for r in sorted({links[p] for p in found})
        },
        "false_links": len(false),
        "right_links_beside_gold": len(right),
        "false_links_by_relation": dict(sorted(Counter(links[p] for p in false).items())),
        "false_link_pairs": sorted(f"{c} -> {s} ({links[(c, s)]})" for c, s in false),
        "semantic_alone_recall": round(alone_found / len(gold), 4),
        "semantic_alone_same_event_false_links": alone_false,
        "semantic_alone_same_event_links_of_twins": len(alone_linked) - alone_false,
        "same_event_pairs": len(same_event),
        "same_event_false_links": hard_false,
        "rewrite_of_same_event_pairs": len(rw_pairs),
        "rewrite_of_same_event_false_links": rw_false,
        "lexical_scan_seconds": round(lexical_seconds, 2),
        "lexical_plus_semantic_scan_seconds": round(both_seconds, 2),
    }
    if not args.no_rivals:
        from semantic_rivals import rivals

        shared = right | {(c, s) for c, s in twin_links}  # text shared, not gold
        result["rivals"] = rivals(articles, embedder, gold, same_event, rw_pairs, shared)
    print(json.dumps(result, indent=2))
    out = BENCH_DIR / "results" / "semantic-latest.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    return 0


def corpus_timing(workers: int) -> int:
    """Seconds of ingest, lexical scan and the semantic stage's parts on the real corpus."""
    import resource

    from copydesk.reading.corpora import read_reuters
    from copydesk.semantic.stage import embed_missing
    from run_core import trace_latencies

    def cpu() -> float:  # this process and its finished workers (pools end with each phase)
        t = os.times()
        return t.user + t.system + t.children_user + t.children_system

    articles = list(read_bbc()) + list(read_reuters())
    out: dict[str, object] = {"articles": len(articles), "workers": workers}
    cpu_s: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp, Desk(Path(tmp) / "c.db", workers=workers) as desk:
        t0, c0 = time.perf_counter(), cpu()
        desk.ingest(articles)
        out["ingest_seconds"] = round(time.perf_counter() - t0, 1)
        cpu_s["ingest"] = cpu() - c0
        keys = desk.store.unscanned()
        t0, c0 = time.perf_counter(), cpu()
        desk.scan(semantic=False)
        out["lexical_scan_seconds"] = round(time.perf_counter() - t0, 1)
        cpu_s["lexical_scan"] = cpu() - c0
        embedder = default_embedder()
        t0, c0 = time.perf_counter(), cpu()
        embedded = embed_missing(desk.store.db, embedder, workers=workers)
        out["embed_seconds"] = round(time.perf_counter() - t0, 1)
        cpu_s["embed"] = cpu() - c0
        out["embedded_articles"] = embedded
        t0, c0 = time.perf_counter(), cpu()
        candidates, matches = desk.scan_semantic(keys)  # the vectors are there already
        out["candidates_and_alignment_seconds"] = round(time.perf_counter() - t0, 1)
        cpu_s["candidates_and_alignment"] = cpu() - c0
        out["semantic_candidates"] = candidates
        out["semantic_matches"] = matches
        out["languages"] = dict(
            desk.store.db.execute(
                "SELECT coalesce(language, '-'), count(*) FROM sentence_vectors GROUP BY 1"
            ).fetchall()
        )
        out["vector_bytes"] = desk.store.db.execute(
            "SELECT sum(length(vectors) + length(spans) + length(mean)) FROM sentence_vectors"
        ).fetchone()[0]
        out["trace"] = {
            kind: trace_latencies(desk, articles, semantic=kind == "semantic")
            for kind in ("lexical", "semantic")
        }
    semantic = float(out["embed_seconds"]) + float(out["candidates_and_alignment_seconds"])
    out["semantic_seconds"] = round(semantic, 1)
    lexical = float(out["ingest_seconds"]) + float(out["lexical_scan_seconds"])
    out["lexical_pipeline_seconds"] = round(lexical, 1)
    out["semantic_over_lexical"] = round(semantic / lexical, 3)
    # CPU seconds (this process and its pool workers) depend less on what else the
    # machine is running than wall-clock seconds do
    out["cpu_seconds"] = {k: round(v, 1) for k, v in cpu_s.items()}
    sem_cpu = cpu_s["embed"] + cpu_s["candidates_and_alignment"]
    out["semantic_over_lexical_cpu"] = round(sem_cpu / (cpu_s["ingest"] + cpu_s["lexical_scan"]), 3)
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(out, indent=2))
    path = BENCH_DIR / "results" / "semantic-corpus-latest.json"
    path.write_text(json.dumps(out, indent=2) + "\n")
    return 0


def semantic_pairs(semantic_links: dict) -> set[tuple[str, str]]:
    return {tuple(sorted(p)) for p in semantic_links}


if __name__ == "__main__":
    raise SystemExit(main())

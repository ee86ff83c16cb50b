"""Nearest-neighbour indexes for the semantic stage's sentence vectors, measured side by side.

``.venv/bin/python bench/run_ann.py [--articles N] [--k 10] [--threads 2]``. Needs the real
corpora (../shared/corpora). The sentences of N BBC and Reuters articles are embedded with
the semantic stage's own model (``copydesk.semantic.default_embedder``), quantised to int8
as the store keeps them, and indexed by each library that is installed:

- usearch HNSW over int8 vectors (what ``copydesk.semantic.stage`` uses) and over float32;
- faiss-cpu: exact inner product (``IndexFlatIP``), HNSW over float32 (``IndexHNSWFlat``)
  and HNSW over 8-bit scalar-quantised vectors (``IndexHNSWSQ``);
- hnswlib HNSW over float32.

Every sentence is then queried for its ``k`` nearest. Reported per index: build and query
time, queries per second, recall@k against the exact neighbours (numpy, float32, computed
once), and the index's size in bytes once written out (what it costs in memory, near
enough). Every side runs ``--rounds`` times, in alternating order, and keeps its fastest
times (the machine's load changes during a run). Results go to
bench/results/ann-latest.json and ann-latest.md. The HNSW settings are the same everywhere
(M = 16 links a node, ef_construction 128, ef_search 64).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

BENCH_DIR = Path(__file__).resolve().parent
for _path in (BENCH_DIR, BENCH_DIR.parent / "src"):
    if _path.is_dir() and str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from run_core import corpora_root, fmt, machine_info, write_latest  # noqa: E402

M, EF_CONSTRUCTION, EF_SEARCH = 16, 128, 64


def exact_neighbours(vectors: np.ndarray, k: int, chunk: int = 2048) -> np.ndarray:
    """The ``k`` nearest of every row by inner product (rows are unit vectors), itself
    included, by brute force in chunks."""
    out = np.empty((len(vectors), k), dtype=np.int64)
    for lo in range(0, len(vectors), chunk):
        sims = vectors[lo : lo + chunk] @ vectors.T
        top = np.argpartition(-sims, kth=min(k, sims.shape[1] - 1), axis=1)[:, :k]
        order = np.take_along_axis(sims, top, axis=1).argsort(axis=1)[:, ::-1]
        out[lo : lo + chunk] = np.take_along_axis(top, order, axis=1)
    return out


def recall_at_k(found: np.ndarray, exact: np.ndarray) -> float:
    """Share of the exact ``k`` nearest that an index returned (order ignored; -1 or any
    id outside the exact set counts as a miss)."""
    k = exact.shape[1]
    hits = sum(
        len(set(f[:k].tolist()) & set(e.tolist())) for f, e in zip(found, exact, strict=True)
    )
    return hits / exact.size


def _size_of(save: Callable[[str], None]) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "index")
        save(path)
        return os.path.getsize(path)


def run_usearch(vectors: np.ndarray, k: int, threads: int, dtype: str) -> dict[str, Any]:
    from usearch.index import Index

    data = quantise(vectors) if dtype == "i8" else vectors
    index = Index(
        ndim=vectors.shape[1], metric="cos", dtype=dtype, connectivity=M,
        expansion_add=EF_CONSTRUCTION, expansion_search=EF_SEARCH,
    )  # fmt: skip
    t0 = time.perf_counter()
    index.add(np.arange(len(data)), data, threads=threads)
    built = time.perf_counter() - t0
    t0 = time.perf_counter()
    found = index.search(data, k, threads=threads).keys
    queried = time.perf_counter() - t0
    return {"build_s": built, "query_s": queried, "found": np.asarray(found, dtype=np.int64),
            "bytes": _size_of(index.save)}  # fmt: skip


def run_faiss(vectors: np.ndarray, k: int, threads: int, kind: str) -> dict[str, Any]:
    import faiss

    faiss.omp_set_num_threads(threads)
    d = vectors.shape[1]
    if kind == "flat":
        index = faiss.IndexFlatIP(d)
    elif kind == "hnsw":
        index = faiss.IndexHNSWFlat(d, M, faiss.METRIC_INNER_PRODUCT)
    else:
        index = faiss.IndexHNSWSQ(d, faiss.ScalarQuantizer.QT_8bit, M, faiss.METRIC_INNER_PRODUCT)
    if kind != "flat":
        index.hnsw.efConstruction = EF_CONSTRUCTION
    t0 = time.perf_counter()
    if kind == "hnsw_sq8":
        index.train(vectors)
    index.add(vectors)
    built = time.perf_counter() - t0
    if kind != "flat":
        index.hnsw.efSearch = EF_SEARCH
    t0 = time.perf_counter()
    _, found = index.search(vectors, k)
    queried = time.perf_counter() - t0
    return {"build_s": built, "query_s": queried, "found": found.astype(np.int64),
            "bytes": _size_of(lambda p: faiss.write_index(index, p))}  # fmt: skip


def run_hnswlib(vectors: np.ndarray, k: int, threads: int) -> dict[str, Any]:
    import hnswlib

    index = hnswlib.Index(space="ip", dim=vectors.shape[1])
    index.init_index(max_elements=len(vectors), ef_construction=EF_CONSTRUCTION, M=M)
    index.set_num_threads(threads)
    t0 = time.perf_counter()
    index.add_items(vectors, np.arange(len(vectors)))
    built = time.perf_counter() - t0
    index.set_ef(EF_SEARCH)
    t0 = time.perf_counter()
    found, _ = index.knn_query(vectors, k=k)
    queried = time.perf_counter() - t0
    return {"build_s": built, "query_s": queried, "found": found.astype(np.int64),
            "bytes": _size_of(index.save_index)}  # fmt: skip


def quantise(vectors: np.ndarray) -> np.ndarray:
    from copydesk.semantic.embed import quantise as store_quantise

    return store_quantise(vectors)


def sides(threads: int) -> dict[str, Callable[[np.ndarray, int], dict[str, Any]]]:
    return {
        "usearch HNSW int8": lambda v, k: run_usearch(v, k, threads, "i8"),
        "usearch HNSW f32": lambda v, k: run_usearch(v, k, threads, "f32"),
        "faiss exact (IndexFlatIP)": lambda v, k: run_faiss(v, k, threads, "flat"),
        "faiss HNSW f32": lambda v, k: run_faiss(v, k, threads, "hnsw"),
        "faiss HNSW SQ8": lambda v, k: run_faiss(v, k, threads, "hnsw_sq8"),
        "hnswlib HNSW f32": lambda v, k: run_hnswlib(v, k, threads),
    }


def sentence_vectors(root: Path, articles: int) -> tuple[np.ndarray, int]:
    """Unit float32 sentence vectors of the first ``articles`` distinct texts, decoded from
    the int8 the store keeps (so every index sees what the stage would give it)."""
    from copydesk.reading.corpora import read_bbc, read_reuters
    from copydesk.semantic import default_embedder
    from copydesk.semantic.embed import embed_articles

    seen: set[str] = set()
    texts: list[str] = []
    for source in (read_bbc(root), read_reuters(root)):
        for a in source:
            if a.text not in seen and len(texts) < articles:
                seen.add(a.text)
                texts.append(a.text)
    embedder = default_embedder()
    parts = [sv.unit() for sv in embed_articles(texts, embedder) if len(sv)]
    vectors = np.concatenate(parts).astype(np.float32)
    vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-6)
    return vectors, len(texts)


def report_md(report: dict[str, Any]) -> str:
    lines = [
        "## Nearest-neighbour indexes over sentence vectors",
        "",
        f"{report['sentences']:,} sentences of {report['articles']:,} articles, "
        f"{report['dim']} dimensions, k = {report['k']}, {report['threads']} threads, "
        f"fastest of {report['rounds']} rounds, "
        f"{report['when']}. HNSW: M = {M}, ef_construction {EF_CONSTRUCTION}, "
        f"ef_search {EF_SEARCH}.",
        "",
        "| index | build s | query s | queries/s | recall@k | size MB |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, r in report["indexes"].items():
        if "error" in r:
            lines.append(f"| {name} | did not run: {r['error']} | | | | |")
            continue
        lines.append(
            f"| {name} | {fmt(r['build_s'], 2)} | {fmt(r['query_s'], 2)} | "
            f"{fmt(r['queries_per_s'], 0)} | {fmt(r['recall'], 3)} | {fmt(r['mb'], 1)} |"
        )
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=2, help="runs of every side (fastest kept)")
    parser.add_argument("--corpora", type=Path, default=None)
    args = parser.parse_args()
    root = corpora_root(args.corpora, "ANN")
    if root is None:
        return 2
    vectors, n_articles = sentence_vectors(root, args.articles)
    exact = exact_neighbours(vectors, args.k)
    results: dict[str, Any] = {}
    runs = sides(args.threads)
    names = list(runs)
    for round_ in range(args.rounds):
        # Sides alternate order between rounds and keep their fastest times: on a shared
        # machine the load changes during a run, and no side should always go first.
        for name in names if round_ % 2 == 0 else names[::-1]:
            if "error" in results.get(name, {}):
                continue
            try:
                r = runs[name](vectors, args.k)
            except ImportError as exc:
                results[name] = {"error": f"not installed ({exc.name})"}
                continue
            found = r.pop("found")
            r["recall"] = recall_at_k(found, exact)
            r["mb"] = r.pop("bytes") / 2**20
            best = results.setdefault(name, r)
            best["build_s"] = min(best["build_s"], r["build_s"])
            best["query_s"] = min(best["query_s"], r["query_s"])
            best["queries_per_s"] = len(vectors) / best["query_s"] if best["query_s"] else None
            print(name, json.dumps(r), flush=True)
    report = {
        "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine_info(),
        "articles": n_articles,
        "sentences": len(vectors),
        "dim": int(vectors.shape[1]),
        "k": args.k,
        "threads": args.threads,
        "rounds": args.rounds,
        "indexes": results,
    }
    write_latest("ann", report, report_md(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Scale tiers of the speed benchmark: copydesk vs datasketch and rensa as the corpus grows.

``.venv/bin/python bench/run_scale.py --tiers 21k,200k[,1m]``. The 21k tier is the real
corpus (BBC + Reuters, as in ``run_core.py``); larger tiers are synthetic corpora made by
``bench/synth.py`` from the real paragraphs. For every tier each tool runs in its own
subprocess; the parent writes ``bench/results/scale-latest.json``, ``scale-latest.md``,
``scale-throughput.png`` and ``scale-latency.png``. See bench/README.md.
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import os
import random
import shutil
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from itertools import chain
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
for _path in (BENCH_DIR, BENCH_DIR.parent / "src"):  # a checkout without installing works too
    if _path.is_dir() and str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from copydesk.model import Article  # noqa: E402
from copydesk.reading.corpora import (  # noqa: E402
    read_bbc,
    read_reuters,
)
from run_core import (  # noqa: E402
    LSH_THRESHOLD,
    MB,
    NUM_PERM,
    RESULTS_DIR,
    SAME_OUTLET,
    SHINGLE_WORDS,
    TRACE_SAMPLES,
    TRACE_SEED,
    WORK_DIR,
    TreeMemorySampler,
    _db_size,
    corpora_root,
    fmt,
    machine_info,
    peak_rss_self_mb,
    rensa_index_query,
    shingles,
    timed,
    trace_latencies,
)
from synth import PERTURB, UNITS, SynthCorpus, load_pool  # noqa: E402
from synth import SEED as SYNTH_SEED  # noqa: E402

REAL_TIER = "21k"  # the real corpus; any other tier (200k, 1m, 50k ...) is synthetic


def tier_size(tier: str) -> int | None:
    """Articles in a synthetic tier (``200k`` = 200,000, ``1m``), None for the real one."""
    if tier == REAL_TIER:
        return None
    units = {"k": 1_000, "m": 1_000_000}
    number, unit = (tier[:-1], tier[-1]) if tier[-1] in units else (tier, "")
    return int(float(number) * units.get(unit, 1))


TOOLS = ("copydesk", "datasketch", "rensa")
SCALE_WORK = WORK_DIR / "scale"
DATASKETCH_BUDGET_S = 1800.0  # skip datasketch when its projected time is above this ...
DATASKETCH_MEMORY_SHARE = 0.6  # ... or its projected peak above this share of the RAM
# Reuse shorter than this is below copydesk's reporting minimum (min_evidence_words), so a
# partial copy that keeps fewer words of its source is not expected to be found.
REPORTABLE_WORDS = 40
PLANTED_CHECK = 300  # planted copies whose verdict is looked up after the scan
# Memory is sampled every 0.5 s, not every 50 ms as in run_core: reading the PSS of 1 GB
# processes 20 times a second took a fifth of the CPU samples of a 200k run (py-spy).
SAMPLE_INTERVAL_S = 0.5


# --- the articles of a tier ----------------------------------------------------------------


def corpus_path(work: Path, tier: str) -> Path:
    return work / f"synth-{tier}.jsonl.gz"


def _to_json(article: Article) -> str:
    return json.dumps(
        {
            "id": article.id,
            "text": article.text,
            "url": article.url,
            "outlet": article.outlet,
            "outlet_name": article.outlet_name,
            "published": article.published.isoformat() if article.published else None,
            "title": article.title,
            "extra": article.extra,
        },
        ensure_ascii=False,
    )


def _from_json(line: str) -> Article:
    d = json.loads(line)
    published = d["published"]
    return Article(
        id=d["id"],
        text=d["text"],
        url=d["url"],
        outlet=d["outlet"],
        outlet_name=d["outlet_name"],
        published=datetime.fromisoformat(published) if published else None,
        title=d["title"],
        extra=d["extra"],
    )


def write_synthetic(
    root: Path, tier: str, n: int, work: Path, perturb: float = PERTURB, unit: str = "sentence"
) -> dict[str, Any]:
    """Generate a synthetic tier into the (git-ignored) work folder, streaming."""
    path = corpus_path(work, tier)
    start = time.perf_counter()
    corpus = SynthCorpus(n, load_pool(root), perturb=perturb, unit=unit)
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=1) as out:
        for article in corpus:
            out.write(_to_json(article))
            out.write("\n")
    return {"generate_s": time.perf_counter() - start, "file_mb": path.stat().st_size / MB}


def tier_articles(tier: str, root: Path, work: Path) -> Iterator[Article]:
    """The tier's articles, streamed: the real corpora, or the generated file."""
    if tier_size(tier) is None:
        return chain(read_bbc(root), read_reuters(root))
    return _read_synthetic(corpus_path(work, tier))


def _read_synthetic(path: Path) -> Iterator[Article]:
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            yield _from_json(line)


def survey(articles: Iterator[Article]) -> tuple[dict[str, Any], list[Article], list[str]]:
    """One pass: sizes, reading time, the trace sample (seed 7) and planted copies to check."""
    start = time.perf_counter()
    n = words = chars = 0
    kinds: Counter[str] = Counter()
    reservoir: list[Article] = []
    planted: list[str] = []
    rng = random.Random(TRACE_SEED)
    for article in articles:
        n += 1
        words += len(article.text.split())
        chars += len(article.text)
        kind = article.extra.get("planted")
        if kind:
            kinds[str(kind)] += 1
            if kind != "original" and len(planted) < PLANTED_CHECK and rng.random() < 0.1:
                planted.append(article.id)
        # reservoir sample: a uniform sample without holding the corpus
        if len(reservoir) < TRACE_SAMPLES:
            reservoir.append(article)
        else:
            j = rng.randrange(n)
            if j < TRACE_SAMPLES:
                reservoir[j] = article
    sizes = {"articles": n, "words": words, "chars": chars, "planted": dict(kinds)}
    return {**sizes, "read_s": time.perf_counter() - start}, reservoir, planted


# --- child: one tool on one tier -----------------------------------------------------------


def run_copydesk(tier: str, root: Path, work: Path, semantic: bool = False) -> dict[str, Any]:
    from copydesk import Desk

    sizes, sample, planted = survey(tier_articles(tier, root, work))
    db_path = work / f"scale-{tier}.db"
    for old in work.glob(db_path.name + "*"):
        old.unlink()
    timings: dict[str, float] = {}
    with TreeMemorySampler(SAMPLE_INTERVAL_S) as sampler:
        with timed(timings, "open"):
            desk = Desk(db_path)
        with timed(timings, "ingest"):
            summary = desk.ingest(tier_articles(tier, root, work))
        new = desk.store.unscanned()
        with timed(timings, "scan"):  # the lexical pipeline; --semantic times the stage apart
            scan = desk.scan(semantic=False)
        trace = trace_latencies(desk, sample)
        with timed(timings, "planted_check"):
            found = _planted_found(desk, planted, work, tier)
    extra = {"semantic": _semantic_stage(desk, new)} if semantic else {}
    desk.close()
    return {
        "sizes": sizes,
        "seconds": {**timings, "total": timings["ingest"] + timings["scan"]},
        "added": summary.added,
        "rejected": len(summary.rejected),
        "candidates": scan.candidates,
        "pairs": scan.pairs,
        "trace": trace,
        "planted_found": found,
        **sampler.result(),
        "db_mb": _db_size(db_path) / MB,
        **extra,
    }


def _semantic_stage(desk: Any, new: list[int]) -> dict[str, Any]:
    """The semantic stage after the lexical scan, on every article (embedding, candidates,
    alignment), with its own time and memory peak (this process and its workers)."""
    timings: dict[str, float] = {}
    with TreeMemorySampler(SAMPLE_INTERVAL_S) as sampler, timed(timings, "semantic"):
        candidates, matches = desk.scan_semantic(new)
    return {
        "seconds": timings["semantic"],
        "candidates": candidates,
        "matches": matches,
        **sampler.result(),
    }


def _planted_found(desk: Any, planted: list[str], work: Path, tier: str) -> dict[str, Any]:
    """Of a sample of planted copies, how many have their planted source in the verdict."""
    if not planted:
        return {}
    wanted = set(planted)
    sources = {
        a.id: (str(a.extra.get("source")), int(a.extra.get("source_words") or 0))
        for a in tier_articles(tier, Path(), work)
        if a.id in wanted
    }
    hits = long_hits = long = 0
    for article_id, (source, words) in sources.items():
        verdict = desk.verdict(article_id, **SAME_OUTLET)
        hit = bool(verdict and any(s.source == source for s in verdict.sources))
        hits += hit
        if words >= REPORTABLE_WORDS:
            long += 1
            long_hits += hit
    return {
        "checked": len(sources),
        "source_found": hits,
        "checked_reportable": long,
        "source_found_reportable": long_hits,
    }


def run_datasketch(tier: str, root: Path, work: Path) -> dict[str, Any]:
    from datasketch import MinHash, MinHashLSH

    timings: dict[str, float] = {}
    pairs = 0
    seen: set[tuple[str, str]] = set()
    with TreeMemorySampler(SAMPLE_INTERVAL_S) as sampler:
        with timed(timings, "index"):
            lsh = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERM)
            hashes: dict[str, MinHash] = {}
            n = 0
            for article in tier_articles(tier, root, work):
                minhash = MinHash(num_perm=NUM_PERM)
                minhash.update_batch(shingles(article.text))
                hashes[article.id] = minhash
                lsh.insert(article.id, minhash)
                n += 1
        with timed(timings, "query"):
            for key, minhash in hashes.items():
                for other in lsh.query(minhash):
                    if other != key:
                        seen.add((key, other) if key < other else (other, key))
            pairs = len(seen)
    return {
        "articles": n,
        "seconds": {**timings, "total": timings["index"] + timings["query"]},
        "pairs": pairs,
        "params": {"threshold": LSH_THRESHOLD, "num_perm": NUM_PERM, "shingle": SHINGLE_WORDS},
        **sampler.result(),
    }


def run_rensa(tier: str, root: Path, work: Path) -> dict[str, Any]:
    with TreeMemorySampler(SAMPLE_INTERVAL_S) as sampler:
        result = rensa_index_query((a.id, a.text) for a in tier_articles(tier, root, work))
    return {**result, **sampler.result()}


CHILD_RUNNERS: dict[str, Callable[[str, Path, Path], dict[str, Any]]] = {
    "copydesk": run_copydesk,
    "datasketch": run_datasketch,
    "rensa": run_rensa,
}


def run_child(tool: str, tier: str, root: Path, work: Path, semantic: bool = False) -> int:
    if tool == "copydesk":
        result = run_copydesk(tier, root, work, semantic)
    else:
        result = CHILD_RUNNERS[tool](tier, root, work)
    result.update(tool=tool, tier=tier, peak_rss_mb=peak_rss_self_mb())
    (work / f"result-{tier}-{tool}.json").write_text(json.dumps(result, indent=2), "utf-8")
    return 0


# --- parent --------------------------------------------------------------------------------


def spawn(tool: str, tier: str, root: Path, work: Path, semantic: bool = False) -> dict[str, Any]:
    result_path = work / f"result-{tier}-{tool}.json"
    result_path.unlink(missing_ok=True)
    cmd = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        tool,
        "--tiers",
        tier,
        "--corpora",
        str(root),
        "--work",
        str(work),
        *(["--semantic"] if semantic else []),
    ]
    print(f"[scale] {tier}: running {tool} ...", flush=True)
    load_before = _load()
    start = time.perf_counter()
    proc = subprocess.run(cmd, check=False)
    wall = time.perf_counter() - start
    if proc.returncode != 0 or not result_path.exists():
        return {"tool": tool, "error": f"{tool} failed (exit {proc.returncode})", "wall_s": wall}
    result = json.loads(result_path.read_text("utf-8"))
    # The machine's 1-minute load average around the run: other work slows the timings.
    result.update(wall_s=wall, load_before=load_before, load_after=_load())
    return result


def _load() -> float | None:
    try:
        return os.getloadavg()[0]
    except (AttributeError, OSError):
        return None


def fit_exponent(ns: list[float], values: list[float | None]) -> float | None:
    """Least-squares b in value ∝ N^b over the tiers that have a value."""
    points = [(math.log(n), math.log(v)) for n, v in zip(ns, values, strict=True) if v and v > 0]
    if len(points) < 2:
        return None
    mx = sum(x for x, _ in points) / len(points)
    my = sum(y for _, y in points) / len(points)
    sxx = sum((x - mx) ** 2 for x, _ in points)
    if sxx == 0:
        return None
    return sum((x - mx) * (y - my) for x, y in points) / sxx


def _get(d: dict[str, Any], *keys: str) -> Any:
    for key in keys:
        if not isinstance(d, dict):
            return None
        d = d.get(key)  # type: ignore[assignment]
    return d


GROWTH_METRICS: dict[str, tuple[str, ...]] = {
    "copydesk ingest s": ("copydesk", "seconds", "ingest"),
    "copydesk scan s": ("copydesk", "seconds", "scan"),
    "copydesk total s": ("copydesk", "seconds", "total"),
    "copydesk trace p50 ms": ("copydesk", "trace", "p50_ms"),
    "copydesk trace p95 ms": ("copydesk", "trace", "p95_ms"),
    "copydesk peak MB": ("copydesk", "peak_tree_mb"),
    "copydesk store MB": ("copydesk", "db_mb"),
    "copydesk pairs": ("copydesk", "pairs"),
    "datasketch total s": ("datasketch", "seconds", "total"),
    "datasketch peak MB": ("datasketch", "peak_tree_mb"),
    "rensa total s": ("rensa", "seconds", "total"),
    "rensa peak MB": ("rensa", "peak_tree_mb"),
}


def growth(tiers: list[dict[str, Any]]) -> dict[str, dict[str, float | None]]:
    """b in cost ∝ N^b (and the factor per doubling, 2^b); synthetic tiers alone too."""
    out: dict[str, dict[str, float | None]] = {}
    for name, path in GROWTH_METRICS.items():
        row: dict[str, float | None] = {}
        for label, chosen in (("all", tiers), ("synthetic", [t for t in tiers if t["synthetic"]])):
            pairs = [(t["sizes"]["articles"], _get(t, *path)) for t in chosen]
            pairs = [(n, v) for n, v in pairs if v]
            spread = max(n for n, _ in pairs) / min(n for n, _ in pairs) if pairs else 1
            # tiers of about one size (21k real, 20k synthetic) say nothing of growth
            b = fit_exponent([n for n, _ in pairs], [v for _, v in pairs]) if spread >= 2 else None
            row[f"b_{label}"] = b
            row[f"per_doubling_{label}"] = 2**b if b is not None else None
        out[name] = row
    return out


def datasketch_skip(
    tier_n: int, done: list[dict[str, Any]], budget_s: float, memory_gb: float | None
) -> str | None:
    """Why datasketch is skipped at this size (projected from the largest tier run), or None."""
    runs = [t for t in done if _get(t, "datasketch", "seconds", "total")]
    if not runs:
        return None
    last = max(runs, key=lambda t: t["sizes"]["articles"])
    scale = tier_n / last["sizes"]["articles"]
    sizes = [t["sizes"]["articles"] for t in runs]
    b = None
    if max(sizes) >= 2 * min(sizes):  # tiers of about one size say nothing of growth
        b = fit_exponent(sizes, [_get(t, "datasketch", "seconds", "total") for t in runs])
    # LSH indexing is linear; a fitted exponent (noisy) is only trusted within 1..2
    time_s = last["datasketch"]["seconds"]["total"] * scale ** min(max(b or 1.0, 1.0), 2.0)
    peak_mb = last["datasketch"]["peak_tree_mb"] * scale
    reasons = []
    if time_s > budget_s:
        reasons.append(f"projected {time_s:,.0f} s > budget {budget_s:,.0f} s")
    if memory_gb and peak_mb > DATASKETCH_MEMORY_SHARE * memory_gb * 1024:
        reasons.append(
            f"projected peak {peak_mb / 1024:,.1f} GB > {DATASKETCH_MEMORY_SHARE:.0%} "
            f"of {memory_gb:g} GB RAM"
        )
    return "; ".join(reasons) or None


def tier_summary(t: dict[str, Any]) -> dict[str, Any]:
    n, words = t["sizes"]["articles"], t["sizes"]["words"]
    cd, ds, rs = t.get("copydesk", {}), t.get("datasketch", {}), t.get("rensa", {})
    cd_s, ds_s = _get(cd, "seconds", "total"), _get(ds, "seconds", "total")
    rs_s = _get(rs, "seconds", "total")
    chars = t["sizes"].get("chars")
    ingest = _get(cd, "seconds", "ingest")
    cd_mb, ds_mb = cd.get("peak_tree_mb"), ds.get("peak_tree_mb")
    return {
        "copydesk_articles_per_s": n / cd_s if cd_s else None,
        "copydesk_words_per_s": words / cd_s if cd_s else None,
        "copydesk_ingest_articles_per_s": n / ingest if ingest else None,
        "copydesk_ingest_words_per_s": words / ingest if ingest else None,
        "datasketch_articles_per_s": n / ds_s if ds_s else None,
        "datasketch_words_per_s": words / ds_s if ds_s else None,
        "time_ratio_copydesk_over_datasketch": cd_s / ds_s if cd_s and ds_s else None,
        "rss_ratio_copydesk_over_datasketch": cd_mb / ds_mb if cd_mb and ds_mb else None,
        "copydesk_ingest_mb_per_s": chars / MB / ingest if chars and ingest else None,
        "rensa_articles_per_s": n / rs_s if rs_s else None,
        # speed ratios as in run_core: competitor time / copydesk time (> 1: copydesk faster)
        "speed_ratio_datasketch": ds_s / cd_s if cd_s and ds_s else None,
        "speed_ratio_rensa": rs_s / cd_s if cd_s and rs_s else None,
    }


def markdown(report: dict[str, Any]) -> str:
    lines = [
        f"# Scale benchmark ({report['started']})",
        "",
        f"Machine: {report['machine'].get('platform')}, {report['machine'].get('cpu_count')} "
        f"CPUs, {report['machine'].get('memory_gb')} GB RAM, Python "
        f"{report['machine'].get('python')}, datasketch {report['machine'].get('datasketch')}.",
        "21k = the real BBC + Reuters corpus; larger tiers are synthetic (bench/synth.py, "
        f"seed {SYNTH_SEED}, recombining real {report.get('synth_unit', 'paragraph')}s, "
        f"1 word in {1 / report.get('synth_perturb', PERTURB):.0f} perturbed). "
        "Peak = process tree, PSS summed.",
        "",
        "| tier | articles | words | tool | ingest s | scan s | total s | articles/s | "
        "words/s | trace p50 / p95 ms | peak MB | store MB | pairs |",
        "|---|--:|--:|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for t in report["tiers"]:
        n, words = t["sizes"]["articles"], t["sizes"]["words"]
        cd, ds, s = t.get("copydesk", {}), t.get("datasketch", {}), t["summary"]
        tr = cd.get("trace", {})
        lines.append(
            f"| {t['tier']} | {n:,} | {words:,} | copydesk | {fmt(_get(cd, 'seconds', 'ingest'))}"
            f" | {fmt(_get(cd, 'seconds', 'scan'))} | {fmt(_get(cd, 'seconds', 'total'))} | "
            f"{fmt(s['copydesk_articles_per_s'], 0)} | {fmt(s['copydesk_words_per_s'], 0)} | "
            f"{fmt(tr.get('p50_ms'), 2)} / {fmt(tr.get('p95_ms'), 2)} | "
            f"{fmt(cd.get('peak_tree_mb'), 0)} | {fmt(cd.get('db_mb'), 0)} | "
            f"{fmt(cd.get('pairs'))} |"
        )
        if "skipped" in ds or "error" in ds:
            note = ds.get("skipped") or ds.get("error")
            lines.append(f"| {t['tier']} | | | datasketch | skipped: {note} |||||||||")
        else:
            lines.append(
                f"| {t['tier']} | | | datasketch | {fmt(_get(ds, 'seconds', 'index'))} (index) | "
                f"{fmt(_get(ds, 'seconds', 'query'))} (query) | {fmt(_get(ds, 'seconds', 'total'))}"
                f" | {fmt(s['datasketch_articles_per_s'], 0)} | "
                f"{fmt(s['datasketch_words_per_s'], 0)} | — | {fmt(ds.get('peak_tree_mb'), 0)} | — "
                f"| {fmt(ds.get('pairs'))} |"
            )
        rs = t.get("rensa", {})
        if "skipped" in rs or "error" in rs:
            note = rs.get("skipped") or rs.get("error")
            lines.append(f"| {t['tier']} | | | rensa | skipped: {note} |||||||||")
        elif rs:
            lines.append(
                f"| {t['tier']} | | | rensa | {fmt(_get(rs, 'seconds', 'index'))} (index) | "
                f"{fmt(_get(rs, 'seconds', 'query'))} (query) | {fmt(_get(rs, 'seconds', 'total'))}"
                f" | {fmt(s.get('rensa_articles_per_s'), 0)} | — | — | "
                f"{fmt(rs.get('peak_tree_mb'), 0)} | — | {fmt(rs.get('pairs'))} |"
            )
    lines += [
        "",
        "Speed ratios (competitor index+query time / copydesk ingest+scan time; > 1: copydesk "
        "faster) and copydesk's ingest throughput in MB of text per second:",
        "",
        "| tier | datasketch/copydesk | rensa/copydesk | ingest MB/s |",
        "|---|--:|--:|--:|",
    ]
    for t in report["tiers"]:
        s = t["summary"]
        lines.append(
            f"| {t['tier']} | {fmt(s.get('speed_ratio_datasketch'), 2)} | "
            f"{fmt(s.get('speed_ratio_rensa'), 2)} | {fmt(s.get('copydesk_ingest_mb_per_s'), 2)} |"
        )
    lines += [
        "",
        "| tier | copydesk/datasketch time | copydesk/datasketch peak RSS | ingest articles/s "
        "| copydesk candidates | ms per candidate (scan) | planted copies: source found "
        "| generate s | read s | load avg (copydesk, datasketch) |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for t in report["tiers"]:
        s, cd = t["summary"], t.get("copydesk", {})
        found = cd.get("planted_found") or {}
        found_s = f"{found['source_found']}/{found['checked']}" if found.get("checked") else "—"
        if found.get("checked_reportable"):
            found_s += (
                f" ({found['source_found_reportable']}/{found['checked_reportable']} "
                f"reusing ≥ {REPORTABLE_WORDS} words)"
            )
        candidates, scan_s = cd.get("candidates"), _get(cd, "seconds", "scan")
        per_candidate = 1000 * scan_s / candidates if candidates and scan_s else None
        loads = [
            fmt(max(x for x in (side.get("load_before"), side.get("load_after")) if x), 1)
            if side.get("load_before") or side.get("load_after")
            else "—"
            for side in (cd, t.get("datasketch", {}))
        ]
        lines.append(
            f"| {t['tier']} | {fmt(s['time_ratio_copydesk_over_datasketch'], 2)} | "
            f"{fmt(s['rss_ratio_copydesk_over_datasketch'], 2)} | "
            f"{fmt(s['copydesk_ingest_articles_per_s'], 0)} | {fmt(candidates)} | "
            f"{fmt(per_candidate, 2)} | {found_s} | "
            f"{fmt(t.get('generate_s'))} | {fmt(_get(cd, 'sizes', 'read_s'))} | "
            f"{', '.join(loads)} |"
        )
    for t in report["tiers"]:
        for tool in TOOLS:
            note = t.get(tool, {}).get("note")
            if note:
                lines += ["", f"Note ({t['tier']}, {tool}): {note}."]
    lines += [
        "",
        "Growth: b in cost ∝ N^b fitted over the tiers (×2^b per doubling of the corpus); "
        "'synthetic' fits the synthetic tiers alone.",
        "",
        "| metric | b (all tiers) | × per doubling | b (synthetic) | × per doubling |",
        "|---|--:|--:|--:|--:|",
    ]
    for name, row in report["growth"].items():
        lines.append(
            f"| {name} | {fmt(row['b_all'], 2)} | {fmt(row['per_doubling_all'], 2)} | "
            f"{fmt(row['b_synthetic'], 2)} | {fmt(row['per_doubling_synthetic'], 2)} |"
        )
    return "\n".join(lines) + "\n"


def plots(report: dict[str, Any], results: Path) -> list[Path]:
    """Throughput and trace latency against corpus size, one PNG each."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    tiers = report["tiers"]
    size = [t["sizes"]["articles"] for t in tiers]
    throughput = [
        (tool, style, [t["summary"][key] for t in tiers])
        for tool, key, style in (
            ("copydesk ingest+scan", "copydesk_articles_per_s", "o-"),
            ("copydesk ingest", "copydesk_ingest_articles_per_s", "o--"),
            ("datasketch index+query", "datasketch_articles_per_s", "s-"),
            ("rensa index+query", "rensa_articles_per_s", "^-"),
        )
    ]
    latency = [
        (f"copydesk trace {label}", style, [_get(t, "copydesk", "trace", key) for t in tiers])
        for label, key, style in (("p50", "p50_ms", "o-"), ("p95", "p95_ms", "s--"))
    ]
    out = []
    for name, title, ylabel, lines in (
        ("scale-throughput.png", "Throughput vs corpus size", "articles / s", throughput),
        ("scale-latency.png", "Trace latency vs corpus size", "ms per trace (warm store)", latency),
    ):
        fig, ax = plt.subplots(figsize=(7, 4.5))
        for label, style, values in lines:
            pts = [(n, v) for n, v in zip(size, values, strict=True) if v]
            if pts:
                ax.plot(*zip(*pts, strict=True), style, label=label)
        ax.set_xscale("log")
        ax.set_xlabel("corpus size (articles)")
        ax.set_ylabel(ylabel)
        ax.set_title(title)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend()
        fig.tight_layout()
        fig.savefig(results / name, dpi=110)
        plt.close(fig)
        out.append(results / name)
    return out


def run_parent(root: Path, tiers: list[str], work: Path, args: argparse.Namespace) -> int:
    started = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    work.mkdir(parents=True, exist_ok=True)
    machine = machine_info()
    done: list[dict[str, Any]] = []
    failed = False
    for tier in tiers:
        n = tier_size(tier)
        entry: dict[str, Any] = {"tier": tier, "synthetic": n is not None}
        if n is not None:
            print(f"[scale] {tier}: generating {n:,} synthetic articles ...", flush=True)
            entry.update(write_synthetic(root, tier, n, work, args.perturb, args.unit))
        entry["copydesk"] = spawn("copydesk", tier, root, work, args.semantic)
        entry["sizes"] = entry["copydesk"].get("sizes") or {"articles": n or 0, "words": 0}
        skip = datasketch_skip(
            entry["sizes"]["articles"], done, args.datasketch_budget, machine.get("memory_gb")
        )
        if args.no_datasketch:
            skip = "--no-datasketch"
        if skip:
            print(f"[scale] {tier}: datasketch skipped: {skip}", flush=True)
            entry["datasketch"] = {"tool": "datasketch", "skipped": skip}
        else:
            entry["datasketch"] = spawn("datasketch", tier, root, work)
        entry["rensa"] = (
            {"tool": "rensa", "skipped": "--no-datasketch"}
            if args.no_datasketch
            else spawn("rensa", tier, root, work)
        )
        failed |= any("error" in entry[tool] for tool in TOOLS)
        entry["summary"] = tier_summary(entry)
        done.append(entry)
        if n is not None and not args.keep_corpus:
            corpus_path(work, tier).unlink(missing_ok=True)
        print(
            f"[scale] {tier}: copydesk {fmt(_get(entry, 'copydesk', 'seconds', 'total'))} s, "
            f"datasketch {fmt(_get(entry, 'datasketch', 'seconds', 'total'))} s, "
            f"rensa {fmt(_get(entry, 'rensa', 'seconds', 'total'))} s",
            flush=True,
        )
        if args.semantic and "semantic" in entry["copydesk"]:
            sem = entry["copydesk"]["semantic"]
            print(
                f"[scale] {tier}: semantic stage {fmt(sem['seconds'])} s, "
                f"{sem['candidates']:,} candidates, {sem['matches']:,} matches, "
                f"peak {fmt(sem.get('peak_tree_mb'))} MB",
                flush=True,
            )
    report = {
        "benchmark": "scale",
        "started": started,
        "corpora": str(root),
        "synth_seed": SYNTH_SEED,
        "synth_perturb": args.perturb,
        "synth_unit": args.unit,
        "machine": machine,
        "tiers": done,
        "growth": growth(done),
    }
    if failed:
        print(markdown(report))
        path = work / "scale-failed.json"
        path.write_text(json.dumps(report, indent=2) + "\n", "utf-8")
        print(f"[scale] a run failed; partial results in {path}")
        return 1
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    body = json.dumps(report, indent=2) + "\n"
    stamp = started.replace(":", "").replace("-", "")
    name = "scale-semantic" if args.semantic else "scale"
    (RESULTS_DIR / f"{name}-{stamp}.json").write_text(body, "utf-8")
    (RESULTS_DIR / f"{name}-latest.json").write_text(body, "utf-8")
    if args.semantic:  # the lexical tables and plots stay those of a run without it
        return 0
    return render(report)


def render(report: dict[str, Any]) -> int:
    """Print the tables; write scale-latest.md and the two plots."""
    report["growth"] = growth(report["tiers"])
    text = markdown(report)
    print(text)
    (RESULTS_DIR / "scale-latest.md").write_text(text, "utf-8")
    written = plots(report, RESULTS_DIR)
    print(
        "[scale] results: bench/results/scale-latest.json, scale-latest.md, "
        + ", ".join(p.name for p in written)
    )
    return 0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--tiers", default="21k,200k", help="comma-separated: 21k (real), 200k, 1m (synthetic)"
    )
    parser.add_argument("--corpora", type=Path, default=None, help="corpora folder")
    parser.add_argument("--work", type=Path, default=SCALE_WORK, help="stores and corpora")
    parser.add_argument(
        "--datasketch-budget",
        type=float,
        default=DATASKETCH_BUDGET_S,
        help="skip datasketch on a tier whose projected time is above this (s)",
    )
    parser.add_argument(
        "--perturb", type=float, default=PERTURB, help="synthetic: share of words perturbed"
    )
    parser.add_argument(
        "--unit",
        choices=UNITS,
        default="sentence",
        help="synthetic: what originals recombine (paragraph: a stress test of chance reuse)",
    )
    parser.add_argument("--no-datasketch", action="store_true", help="copydesk only")
    parser.add_argument("--keep-corpus", action="store_true", help="keep generated files")
    parser.add_argument(
        "--semantic",
        action="store_true",
        help="also run the semantic stage after copydesk's scan, timed and sampled apart "
        "(results in scale-semantic-latest.json)",
    )
    parser.add_argument(
        "--render", type=Path, default=None, help="only redo the tables and plots of a JSON"
    )
    parser.add_argument("--child", choices=TOOLS, default=None, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.render:
        RESULTS_DIR.mkdir(parents=True, exist_ok=True)
        return render(json.loads(args.render.read_text("utf-8")))
    tiers = [t.strip().lower() for t in args.tiers.split(",") if t.strip()]
    try:
        for tier in tiers:
            tier_size(tier)
    except ValueError:
        print(f"bad --tiers {args.tiers!r}: use 21k (real), 200k, 1m ...", file=sys.stderr)
        return 2
    root = corpora_root(args.corpora, "scale")
    if root is None:
        return 2
    work = args.work.resolve()
    if args.child:
        return run_child(args.child, tiers[0], root, work, args.semantic)
    if work == SCALE_WORK.resolve():
        shutil.rmtree(work, ignore_errors=True)
    return run_parent(root, tiers, work, args)


if __name__ == "__main__":
    sys.exit(main())

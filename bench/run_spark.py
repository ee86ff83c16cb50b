"""The Spark engine beside the embedded engine: time, memory, parity, growth, a cluster estimate.

``.venv/bin/python bench/run_spark.py [--tiers 21k,200k] [--master local[2]]``. The 21k tier
is the real corpus (BBC + Reuters, as in ``run_core.py``), 200k the synthetic tier of
``run_scale.py`` (generated into bench/work/ if missing). Each tier is written as 16 JSON
Lines files (one Spark task reads each), then, each in its own subprocess:

- ``embedded``: ``Desk.ingest_files`` + ``Desk.scan`` (the process pool on every core);
- ``spark``: a SparkSession on ``--master`` (start-up timed apart), ``spark.scan`` of the
  same files (reading, fingerprinting, candidates, aligning, learning, judging, writing the
  tables, and the families, verdicts and profiles);
- ``textdedup``: text-dedup's Spark MinHash (``text_dedup.minhash_spark``) on the same texts
  where it installs and runs; otherwise the reason it could not.

Peak memory is the PSS of each subprocess and all its children (the JVM and the Python
workers for Spark, the pool for the embedded engine). Parity: the sorted verdict JSON of
the two engines, compared line for line. Growth: the factor per doubling of the articles
from the smallest to the largest tier. The CC-NEWS estimate multiplies the measured
throughput per core (articles per core-second of the Spark scan at the largest tier) out
to a year of CC-NEWS, with and without the measured growth. Results go to
``bench/results/spark-latest.json`` and ``spark-latest.md``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
for _path in (BENCH_DIR, BENCH_DIR.parent / "src"):
    if _path.is_dir() and str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from run_core import (  # noqa: E402
    MB,
    RESULTS_DIR,
    TreeMemorySampler,
    corpora_root,
    fmt,
    machine_info,
    write_latest,
)
from run_scale import SCALE_WORK, corpus_path, tier_articles, tier_size, write_synthetic  # noqa: E402

SPARK_WORK = BENCH_DIR / "work" / "spark"
PARTS = 16  # input files per tier: one Spark task reads each
# A year of CC-NEWS, in articles: an assumption (Common Crawl's news crawl has gathered
# tens of millions of pages a year); pass --cc-news-articles to use your own figure.
CC_NEWS_YEAR = 30_000_000
TEXTDEDUP_TIMEOUT_S = 1800


# --- the inputs ----------------------------------------------------------------------------


def tier_files(tier: str, root: Path) -> list[Path]:
    """The tier as PARTS JSON Lines files (made once, in the git-ignored work folder)."""
    folder = SPARK_WORK / tier
    done = folder / "_COMPLETE"
    if done.exists():
        return sorted(folder.glob("part-*.jsonl"))
    folder.mkdir(parents=True, exist_ok=True)
    n = tier_size(tier)
    if n is not None and not corpus_path(SCALE_WORK, tier).exists():
        SCALE_WORK.mkdir(parents=True, exist_ok=True)
        print(f"[spark] {tier}: generating {n:,} synthetic articles ...", flush=True)
        write_synthetic(root, tier, n, SCALE_WORK)
    articles = list(tier_articles(tier, root, SCALE_WORK))
    size = math.ceil(len(articles) / PARTS)
    paths = []
    for i in range(PARTS):
        path = folder / f"part-{i:04d}.jsonl"
        with path.open("w", encoding="utf-8") as fh:
            for a in articles[i * size : (i + 1) * size]:
                fh.write(json.dumps(a.to_json(), ensure_ascii=False) + "\n")
        paths.append(path)
    done.write_text(str(len(articles)), encoding="utf-8")
    return paths


# --- the sides (each in its own process) ---------------------------------------------------


def side_embedded(files: list[Path], out: Path) -> dict[str, Any]:
    from copydesk import Desk

    db = out / "embedded.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    with TreeMemorySampler(0.5) as mem, Desk(db) as desk:
        t = time.perf_counter()
        summary = desk.ingest_files(files)
        ingest_s = time.perf_counter() - t
        t = time.perf_counter()
        desk.scan(semantic=False)  # the two engines' lexical scans (the stage: run_semantic)
        scan_s = time.perf_counter() - t
        verdicts = sorted(json.dumps(v.to_json(), ensure_ascii=False) for v in desk.verdicts())
    (out / "embedded-verdicts.jsonl").write_text("\n".join(verdicts), encoding="utf-8")
    return {
        "articles": summary.added,
        "ingest_s": ingest_s,
        "scan_s": scan_s,
        "total_s": ingest_s + scan_s,
        "peak_mb": mem.peak_bytes / MB,
        "verdicts": len(verdicts),
    }


def side_spark(files: list[Path], out: Path, master: str, partitions: int | None) -> dict[str, Any]:
    from copydesk.engines import spark as spark_engine

    with TreeMemorySampler(0.5) as mem:
        t = time.perf_counter()
        session = spark_engine.session(master, shuffle_partitions=partitions or 8)
        start_s = time.perf_counter() - t
        cores = session.sparkContext.defaultParallelism
        try:
            summary = spark_engine.scan(
                session, files, out / "spark-out", partitions=partitions, semantic=False
            )
        finally:
            session.stop()
    verdicts = sorted(
        json.dumps(json.loads(v), ensure_ascii=False)
        for v in spark_engine.read_back(out / "spark-out", "verdicts")
    )
    (out / "spark-verdicts.jsonl").write_text("\n".join(verdicts), encoding="utf-8")
    return {
        "articles": summary.articles,
        "startup_s": start_s,
        "scan_s": summary.seconds,
        "steps_s": summary.steps,
        "cores": cores,
        "candidates": summary.candidates,
        "pairs": summary.pairs,
        "peak_mb": mem.peak_bytes / MB,
        "verdicts": len(verdicts),
    }


def side_textdedup(files: list[Path], out: Path, master: str) -> dict[str, Any]:
    """text-dedup's Spark MinHash on the same texts (a Parquet copy with a ``text`` column)."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as exc:
        return {"error": f"pyarrow missing ({exc})"}
    try:
        import text_dedup  # noqa: F401
    except ImportError as exc:
        return {"error": f"text-dedup is not installed ({exc}): pip install text-dedup"}
    src = out / "textdedup-in"
    src.mkdir(parents=True, exist_ok=True)
    for i, path in enumerate(files):
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
        table = pa.table({"id": [r["id"] for r in rows], "text": [r["text"] for r in rows]})
        pq.write_table(table, src / f"part-{i:04d}.parquet")
    cmd = [
        sys.executable, "-m", "text_dedup.minhash_spark", "--input", str(src),
        "--output", str(out / "textdedup-out"), "--column", "text", "--threshold", "0.7",
        "--checkpoint_dir", str(out / "textdedup-checkpoint"),
    ]  # fmt: skip
    env = dict(
        os.environ,
        PYSPARK_PYTHON=sys.executable,
        PYSPARK_SUBMIT_ARGS=f"--master {master} pyspark-shell",
    )
    with TreeMemorySampler(0.5) as mem:
        t = time.perf_counter()
        try:
            proc = subprocess.run(
                cmd,
                capture_output=True,
                text=True,
                timeout=TEXTDEDUP_TIMEOUT_S,
                env=env,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return {"error": f"did not finish in {TEXTDEDUP_TIMEOUT_S} s"}
        seconds = time.perf_counter() - t
    if proc.returncode != 0:
        lines = [ln for ln in (proc.stderr or proc.stdout).splitlines() if ln.strip()]
        why = lines[-1] if lines else f"exit {proc.returncode}"
        if "graphframes" in (proc.stderr or ""):
            why += (
                " (text-dedup's Spark MinHash needs GraphFrames, whose JVM package is served"
                " only by the spark-packages Maven repository, which this machine cannot"
                " reach; the graphframes-py wheel on PyPI carries no jar)"
            )
        return {"error": why[:600], "seconds": seconds}
    return {"seconds": seconds, "peak_mb": mem.peak_bytes / MB}


def run_child(args: argparse.Namespace) -> int:
    out = SPARK_WORK / f"run-{args.tier}"
    out.mkdir(parents=True, exist_ok=True)
    files = sorted((SPARK_WORK / args.tier).glob("part-*.jsonl"))
    if args.side == "embedded":
        result = side_embedded(files, out)
    elif args.side == "spark":
        result = side_spark(files, out, args.master, args.partitions)
    else:
        result = side_textdedup(files, out, args.master)
    (out / f"result-{args.side}.json").write_text(json.dumps(result, indent=2), "utf-8")
    return 0


def spawn(side: str, tier: str, args: argparse.Namespace) -> dict[str, Any]:
    out = SPARK_WORK / f"run-{tier}"
    result_path = out / f"result-{side}.json"
    if args.reuse and result_path.exists():
        print(f"[spark] {tier}: {side}: the result of an earlier run (--reuse)", flush=True)
        return json.loads(result_path.read_text("utf-8"))
    result_path.unlink(missing_ok=True)
    cmd = [sys.executable, str(Path(__file__).resolve()), "--side", side, "--tier", tier,
           "--master", args.master]  # fmt: skip
    if args.partitions:
        cmd += ["--partitions", str(args.partitions)]
    print(f"[spark] {tier}: {side} ...", flush=True)
    proc = subprocess.run(cmd, check=False)
    if proc.returncode != 0 or not result_path.exists():
        return {"error": f"{side} failed (exit {proc.returncode})"}
    return json.loads(result_path.read_text("utf-8"))


# --- the report ----------------------------------------------------------------------------


def parity(tier: str) -> dict[str, Any]:
    out = SPARK_WORK / f"run-{tier}"
    try:
        a = (out / "embedded-verdicts.jsonl").read_text(encoding="utf-8").splitlines()
        b = (out / "spark-verdicts.jsonl").read_text(encoding="utf-8").splitlines()
    except OSError:
        return {"share": None}
    same = len(set(a) & set(b))
    return {"embedded": len(a), "spark": len(b), "identical": a == b,
            "share": same / max(1, len(set(a) | set(b)))}  # fmt: skip


def per_doubling(n1: int, t1: float, n2: int, t2: float) -> float:
    """The factor time grows by when the articles double, from two tiers."""
    return (t2 / t1) ** (1 / math.log2(n2 / n1))


def estimate(tiers: list[dict[str, Any]], year: int) -> dict[str, Any]:
    """A year of CC-NEWS on a cluster, from the largest tier's throughput per core."""
    big = max((t for t in tiers if "scan_s" in t["spark"]), key=lambda t: t["articles"])
    sp = big["spark"]
    core_s = sp["scan_s"] * sp["cores"]
    per_core = big["articles"] / core_s  # articles per core-second
    linear_h = year / per_core / 3600
    out: dict[str, Any] = {
        "articles_year": year,
        "measured_articles": big["articles"],
        "measured_scan_s": sp["scan_s"],
        "cores": sp["cores"],
        "articles_per_core_s": per_core,
        "core_hours_linear": linear_h,
    }
    growth = tiers[-1].get("growth_spark") if len(tiers) > 1 else None
    if growth:
        # cost ∝ N^b; below 1 the small tiers' fixed costs (job start-up, the driver's
        # steps) hide the growth, and linear is the floor a larger run cannot beat.
        b = max(1.0, math.log2(growth))
        grown_h = core_s * (year / big["articles"]) ** b / 3600
        out.update(growth_per_doubling=growth, exponent=b, core_hours_grown=grown_h)
    return out


def report_md(report: dict[str, Any]) -> str:
    rows = [
        "| tier | articles | embedded s (ingest + scan) | peak MB | Spark start-up s | Spark scan s"
        " | ratio | peak MB | parity | text-dedup Spark MinHash |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for t in report["tiers"]:
        e, s, d = t["embedded"], t["spark"], t["textdedup"]
        td = f"{fmt(d['seconds'])} s" if "peak_mb" in d else f"did not run: {d.get('error')}"
        share = t["parity"].get("share")
        rows.append(
            f"| {t['tier']} | {t['articles']:,} | {fmt(e.get('total_s'))} ({fmt(e.get('ingest_s'))}"
            f" + {fmt(e.get('scan_s'))}) | {fmt(e.get('peak_mb'), 0)} | {fmt(s.get('startup_s'))}"
            f" | {fmt(s.get('scan_s'))} | {fmt(t.get('ratio'), 2)}× | {fmt(s.get('peak_mb'), 0)}"
            f" | {'—' if share is None else f'{100 * share:.1f}%'} | {td} |"
        )
    lines = ["## Spark engine (local)", "", f"Master `{report['master']}`, {report['when']}.", ""]
    lines += [*rows, ""]
    for t in report["tiers"][1:]:
        lines.append(
            f"Growth per doubling, {report['tiers'][0]['tier']} → {t['tier']}: Spark"
            f" ×{fmt(t.get('growth_spark'), 2)}, embedded ×{fmt(t.get('growth_embedded'), 2)}."
        )
    est = report.get("estimate")
    if est:
        lines += [
            "",
            "A year of CC-NEWS (assumed "
            f"{est['articles_year']:,} articles), from the {est['measured_articles']:,}-article"
            " tier:",
            "",
            f"- throughput: {est['measured_articles']:,} articles /"
            f" ({fmt(est['measured_scan_s'])} s × {est['cores']} cores) ="
            f" {fmt(est['articles_per_core_s'], 2)} articles per core-second;",
            f"- linear: {est['articles_year']:,} / {fmt(est['articles_per_core_s'], 2)} / 3600 ="
            f" {fmt(est['core_hours_linear'], 0)} executor-core-hours (e.g."
            f" {fmt(est['core_hours_linear'] / 64, 1)} h on 16 executors × 4 cores);",
        ]
        if "core_hours_grown" in est:
            lines.append(
                f"- with the measured growth (×{fmt(est['growth_per_doubling'], 2)} per doubling,"
                f" cost ∝ N^{fmt(est['exponent'], 2)}, never below linear):"
                f" {fmt(est['measured_scan_s'])} s ×"
                f" {est['cores']} × ({est['articles_year']:,} / {est['measured_articles']:,})"
                f"^{fmt(est['exponent'], 2)} / 3600 = {fmt(est['core_hours_grown'], 0)}"
                " executor-core-hours."
            )
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tiers", default="21k,200k")
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--partitions", type=int, default=None)
    parser.add_argument("--corpora", type=Path, default=None)
    parser.add_argument("--cc-news-articles", type=int, default=CC_NEWS_YEAR)
    parser.add_argument("--no-textdedup", action="store_true")
    parser.add_argument(
        "--reuse", action="store_true", help="take the sides' results of an earlier run"
    )
    parser.add_argument(
        "--side", choices=("embedded", "spark", "textdedup"), help=argparse.SUPPRESS
    )
    parser.add_argument("--tier", help=argparse.SUPPRESS)
    parser.add_argument("--report-only", action="store_true", help="render spark-latest.json again")
    args = parser.parse_args()
    if args.side:
        return run_child(args)
    if args.report_only:
        report = json.loads((RESULTS_DIR / "spark-latest.json").read_text("utf-8"))
        report["estimate"] = estimate(report["tiers"], args.cc_news_articles)
        write_latest("spark", report, report_md(report))
        return 0
    root = corpora_root(args.corpora, "Spark")
    if root is None:
        return 2
    tiers = []
    for tier in args.tiers.split(","):
        files = tier_files(tier, root)
        entry: dict[str, Any] = {"tier": tier}
        entry["embedded"] = spawn("embedded", tier, args)
        entry["spark"] = spawn("spark", tier, args)
        entry["textdedup"] = (
            {"error": "skipped (--no-textdedup)"}
            if args.no_textdedup
            else spawn("textdedup", tier, args)
        )
        entry["articles"] = entry["spark"].get("articles") or entry["embedded"].get("articles")
        entry["parity"] = parity(tier)
        if "scan_s" in entry["spark"] and "total_s" in entry["embedded"]:
            entry["ratio"] = entry["spark"]["scan_s"] / entry["embedded"]["total_s"]
        if tiers and "scan_s" in entry["spark"]:
            first = tiers[0]
            entry["growth_spark"] = per_doubling(
                first["articles"],
                first["spark"]["scan_s"],
                entry["articles"],
                entry["spark"]["scan_s"],
            )
            entry["growth_embedded"] = per_doubling(
                first["articles"], first["embedded"]["total_s"],
                entry["articles"], entry["embedded"]["total_s"],
            )  # fmt: skip
        entry["files"] = len(files)
        tiers.append(entry)
        print(json.dumps(entry, indent=2, default=str), flush=True)
    report = {
        "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "master": args.master,
        "machine": machine_info(),
        "tiers": tiers,
    }
    if any("scan_s" in t["spark"] for t in tiers):
        report["estimate"] = estimate(tiers, args.cc_news_articles)
    write_latest("spark", report, report_md(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Core speed benchmark: copydesk vs datasketch and rensa MinHash LSH on the real corpora.

Run ``make bench`` (or ``.venv/bin/python bench/run_core.py [--limit N]``). Each side runs in
its own subprocess (``--side copydesk`` with its default pool of 2 workers, ``copydesk-1worker``,
``datasketch``, ``rensa``, and ``limits``: what compiled code does with the same text) so their
memory peaks do not mix; the parent collects the results, prints a table and writes
``bench/results/core-<UTC timestamp>.json`` and ``bench/results/core-latest.json``.
See bench/README.md for what is measured and the targets.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
WORK_DIR = BENCH_DIR / "work"
RESULTS_DIR = BENCH_DIR / "results"
SRC = REPO / "src"
if SRC.is_dir() and str(SRC) not in sys.path:  # runs from a checkout without installing too
    sys.path.insert(0, str(SRC))

from copydesk.model import Article  # noqa: E402
from copydesk.reading.corpora import (  # noqa: E402
    SHARED_CORPORA,
    corpora_available,
    read_bbc,
    read_reuters,
)

SIDES = ("copydesk", "copydesk-1worker", "datasketch", "rensa", "limits")
TRACE_SAMPLES = 200
TRACE_SEED = 7
TRACE_TARGET_MS = 2.0
LSH_THRESHOLD = 0.5
NUM_PERM = 128
SHINGLE_WORDS = 5
MB = 1024 * 1024
# Every real duplicate in these corpora is BBC-BBC or Reuters-Reuters: count same-outlet
# matches too (the API leaves them out by default).
SAME_OUTLET = {"include_same_outlet": True}


# --- corpus --------------------------------------------------------------------------------


@dataclass(slots=True)
class Corpus:
    articles: list[Article]
    bbc: int
    reuters: int

    @property
    def words(self) -> int:
        return sum(len(a.text.split()) for a in self.articles)

    @property
    def chars(self) -> int:
        return sum(len(a.text) for a in self.articles)

    def sizes(self) -> dict[str, int]:
        return {
            "articles": len(self.articles),
            "bbc": self.bbc,
            "reuters": self.reuters,
            "words": self.words,
            "chars": self.chars,
        }


def load_corpus(root: Path, limit: int | None) -> Corpus:
    """BBC then Reuters bodies; the first ``limit`` of them when a limit is given."""
    bbc = list(read_bbc(root))
    articles = bbc + list(read_reuters(root))
    if limit is not None:
        articles = articles[:limit]
    n_bbc = sum(1 for a in articles if a.id.startswith("bbc/"))
    return Corpus(articles, bbc=n_bbc, reuters=len(articles) - n_bbc)


# --- measuring -----------------------------------------------------------------------------


def peak_rss_self_mb() -> float:
    """Peak resident set of this process (getrusage), in MB."""
    try:
        import resource
    except ImportError:  # Windows
        import psutil

        info = psutil.Process().memory_info()
        return getattr(info, "peak_wset", info.rss) / MB
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / MB if sys.platform == "darwin" else peak / 1024


class TreeMemorySampler:
    """Samples the memory of this process plus its children (worker pools) in a thread.

    PSS (proportional set size) is summed where the OS reports it, so pages that forked
    workers share with their parent are not counted twice; RSS otherwise.
    """

    def __init__(self, interval: float = 0.05) -> None:
        self.interval = interval
        self.peak_bytes = 0
        self.metric = "pss"
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _memory(self, proc: Any) -> int:
        if self.metric == "pss":
            try:
                return int(proc.memory_full_info().pss)
            except (AttributeError, OSError):
                self.metric = "rss"
        return int(proc.memory_info().rss)

    def _sample(self) -> int:
        import psutil

        me = psutil.Process()
        total = self._memory(me)
        for child in me.children(recursive=True):
            try:
                total += self._memory(child)
            except psutil.Error:
                continue
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.peak_bytes = max(self.peak_bytes, self._sample())
            except Exception:  # psutil missing or a process vanished: keep what we have
                return
            self._stop.wait(self.interval)

    def __enter__(self) -> TreeMemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def result(self) -> dict[str, Any]:
        return {"peak_tree_mb": self.peak_bytes / MB, "tree_metric": self.metric}


@contextmanager
def timed(out: dict[str, float], key: str) -> Iterator[None]:
    start = time.perf_counter()
    yield
    out[key] = time.perf_counter() - start


def percentile(values: list[float], q: float) -> float:
    """Linear-interpolated percentile (numpy's default), ``q`` in 0..100."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    pos = (len(ordered) - 1) * q / 100
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def count_of(value: Any) -> int | None:
    """A summary field that may be a number or a collection."""
    if value is None:
        return None
    if isinstance(value, int):
        return value
    try:
        return len(value)
    except TypeError:
        return None


# --- copydesk side -------------------------------------------------------------------------


def trace_latencies(
    desk: Any, articles: list[Article], *, semantic: bool = False
) -> dict[str, Any]:
    """``desk.trace`` on a fixed random sample, after one warm-up call; ``semantic``:
    with the semantic stage too."""
    sample = random.Random(TRACE_SEED).sample(articles, min(TRACE_SAMPLES, len(articles)))
    desk.trace(sample[0], **SAME_OUTLET, semantic=semantic)  # warm-up
    times_ms: list[float] = []
    with_sources = self_matches = 0
    for article in sample:
        start = time.perf_counter()
        verdict = desk.trace(article, **SAME_OUTLET, semantic=semantic)
        times_ms.append((time.perf_counter() - start) * 1000)
        sources = [s.source for s in (verdict.sources if verdict else [])]
        with_sources += bool(sources)
        self_matches += article.id in sources
    return {
        "samples": len(sample),
        "seed": TRACE_SEED,
        "p50_ms": percentile(times_ms, 50),
        "p95_ms": percentile(times_ms, 95),
        "max_ms": max(times_ms),
        "with_sources": with_sources,
        "self_matches": self_matches,  # an article reported as its own source: a bug
    }


def run_copydesk(corpus: Corpus, workers: int | None = None) -> dict[str, Any]:
    """``Desk`` with its default pool (one worker per core) or ``workers``."""
    from copydesk import Desk
    from copydesk.engines.embedded import default_workers
    from copydesk.fingerprint.shingles import COMPILED

    db_path = WORK_DIR / ("core.db" if workers is None else f"core-{workers}w.db")
    timings: dict[str, float] = {}
    with TreeMemorySampler() as sampler:
        with timed(timings, "open"):
            desk = Desk(db_path, workers=workers)
        with timed(timings, "ingest"):
            summary = desk.ingest(iter(corpus.articles))
        with timed(timings, "scan"):  # the lexical pipeline (run_semantic.py times the rest)
            scan = desk.scan(semantic=False)
        with timed(timings, "verdicts"):
            verdicts = list(desk.verdicts(**SAME_OUTLET))
        trace = trace_latencies(desk, corpus.articles)
        desk.close()
    return {
        "seconds": {**timings, "total": timings["ingest"] + timings["scan"]},
        "workers": default_workers() if workers is None else workers,
        "compiled_fingerprints": COMPILED,
        "ingest": {k: count_of(getattr(summary, k, None)) for k in _INGEST_FIELDS},
        "scanned": count_of(getattr(scan, "scanned", None)),
        "candidates": count_of(getattr(scan, "candidates", None)),
        "pairs": count_of(getattr(scan, "pairs", None)),
        "verdicts": len(verdicts),
        "verdict_pairs": sum(len(v.sources) for v in verdicts),
        "relations": _relations(verdicts),
        "trace": trace,
        **sampler.result(),
        "db_mb": _db_size(db_path) / MB,
    }


_INGEST_FIELDS = ("added", "updated", "unchanged", "rejected")


def _relations(verdicts: list[Any]) -> dict[str, int]:
    out: dict[str, int] = {}
    for verdict in verdicts:
        for source in verdict.sources:
            out[source.relation] = out.get(source.relation, 0) + 1
    return out


def _db_size(db_path: Path) -> int:
    return sum(p.stat().st_size for p in db_path.parent.glob(db_path.name + "*") if p.is_file())


# --- datasketch side -----------------------------------------------------------------------

_WORD = re.compile(r"\w+")


def shingles(text: str) -> list[bytes]:
    """5-word shingles of lowercased ``\\w+`` tokens; short docs are one shingle."""
    words = _WORD.findall(text.lower())
    if len(words) < SHINGLE_WORDS:
        return [" ".join(words).encode("utf-8")]
    return [
        " ".join(words[i : i + SHINGLE_WORDS]).encode("utf-8")
        for i in range(len(words) - SHINGLE_WORDS + 1)
    ]


def shingle_strings(text: str) -> list[str]:
    """The same shingles as ``shingles`` as str (rensa hashes str itself), made by zipping
    the word list with its shifts: the fastest plain-Python way, so rensa's figure is not
    held back by the shingling around it."""
    words = _WORD.findall(text.lower())
    if len(words) < SHINGLE_WORDS:
        return [" ".join(words)]
    shifted = [words[i:] for i in range(SHINGLE_WORDS)]
    return list(map(" ".join, zip(*shifted, strict=False)))


def run_datasketch(corpus: Corpus) -> dict[str, Any]:
    from datasketch import MinHash, MinHashLSH

    timings: dict[str, float] = {}
    pairs: set[tuple[str, str]] = set()
    with TreeMemorySampler() as sampler:
        with timed(timings, "index"):
            lsh = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERM)
            hashes: dict[str, MinHash] = {}
            for article in corpus.articles:
                minhash = MinHash(num_perm=NUM_PERM)
                minhash.update_batch(shingles(article.text))
                hashes[article.id] = minhash
                lsh.insert(article.id, minhash)
        with timed(timings, "query"):
            for key, minhash in hashes.items():
                for other in lsh.query(minhash):
                    if other != key:
                        pairs.add((key, other) if key < other else (other, key))
    return {
        "seconds": {**timings, "total": timings["index"] + timings["query"]},
        "pairs": len(pairs),
        "params": {"threshold": LSH_THRESHOLD, "num_perm": NUM_PERM, "shingle": SHINGLE_WORDS},
        **sampler.result(),
    }


# --- rensa side ----------------------------------------------------------------------------

RENSA_SEED = 42


def lsh_bands() -> int:
    """rensa's band count: it needs one that divides NUM_PERM, so the divisor whose S-curve
    midpoint (1/b)^(1/r) is nearest LSH_THRESHOLD (32 bands of 4 rows at 0.5 and 128, a
    little more lenient than datasketch's 25 of 5)."""
    divisors = [b for b in range(1, NUM_PERM + 1) if NUM_PERM % b == 0]
    return min(divisors, key=lambda b: abs((1 / b) ** (b / NUM_PERM) - LSH_THRESHOLD))


def rensa_index_query(texts: Iterator[tuple[str, str]]) -> dict[str, Any]:
    """rensa's RMinHash + RMinHashLSH (Rust) over ``(id, text)``: index, then query each.

    The shingles are the same 5-word shingles datasketch gets (made in Python, as str); rensa
    hashes and permutes them in compiled code, as a user of the library would call it.
    """
    from rensa import RMinHash, RMinHashLSH

    timings: dict[str, float] = {}
    seen: set[tuple[int, int]] = set()
    with timed(timings, "index"):
        lsh = RMinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERM, num_bands=lsh_bands())
        hashes: list[Any] = []
        for _key, text in texts:
            minhash = RMinHash(num_perm=NUM_PERM, seed=RENSA_SEED)
            minhash.update(shingle_strings(text))
            lsh.insert(len(hashes), minhash)
            hashes.append(minhash)
    with timed(timings, "query"):
        for key, minhash in enumerate(hashes):
            for other in lsh.query(minhash):
                if other != key:
                    seen.add((key, other) if key < other else (other, key))
    return {
        "articles": len(hashes),
        "seconds": {**timings, "total": timings["index"] + timings["query"]},
        "pairs": len(seen),
        "params": {
            "threshold": LSH_THRESHOLD,
            "num_perm": NUM_PERM,
            "num_bands": lsh_bands(),
            "shingle": SHINGLE_WORDS,
        },
    }


def run_rensa(corpus: Corpus) -> dict[str, Any]:
    with TreeMemorySampler() as sampler:
        result = rensa_index_query((a.id, a.text) for a in corpus.articles)
    return {**result, **sampler.result()}


# --- limits: what compiled code does with the same text -----------------------------------


def _throughput(mb: float, fn: Callable[[], object], repeat: int = 3) -> float:
    """MB/s of the best of ``repeat`` runs of ``fn`` (one core)."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return mb / best


def run_limits(corpus: Corpus) -> dict[str, Any]:
    """The physical limit beside copydesk's ingest: one core's MB/s of text for a byte hash
    in C (zlib's CRC-32 over the UTF-8 text), for case folding alone (str.casefold), and
    for copydesk's own fingerprinting, compiled and numpy, without storing anything."""
    import zlib

    from copydesk.fingerprint.shingles import COMPILED, fingerprints_compiled, fingerprints_numpy

    texts = [a.text for a in corpus.articles]
    data = [t.encode("utf-8") for t in texts]
    mb = sum(map(len, texts)) / MB
    out: dict[str, Any] = {
        "text_mb": mb,
        "crc32_mb_per_s": _throughput(mb, lambda: [zlib.crc32(d) for d in data]),
        "casefold_mb_per_s": _throughput(mb, lambda: [t.casefold() for t in texts]),
        "fingerprint_numpy_mb_per_s": _throughput(mb, lambda: fingerprints_numpy(texts), 1),
        "compiled": COMPILED,
    }
    if COMPILED:
        out["fingerprint_compiled_mb_per_s"] = _throughput(mb, lambda: fingerprints_compiled(texts))
    return out


# --- child: one side in its own process ----------------------------------------------------

SIDE_RUNNERS: dict[str, Callable[[Corpus], dict[str, Any]]] = {
    "copydesk": run_copydesk,
    "copydesk-1worker": lambda corpus: run_copydesk(corpus, workers=1),
    "datasketch": run_datasketch,
    "rensa": run_rensa,
    "limits": run_limits,
}


def run_side(side: str, root: Path, limit: int | None, result_path: Path) -> int:
    start = time.perf_counter()
    corpus = load_corpus(root, limit)
    load_seconds = time.perf_counter() - start
    rss_after_load = peak_rss_self_mb()
    result = SIDE_RUNNERS[side](corpus)
    result.update(
        side=side,
        load_seconds=load_seconds,
        rss_after_load_mb=rss_after_load,
        peak_rss_mb=peak_rss_self_mb(),
    )
    result_path.write_text(json.dumps(result, indent=2, default=str), "utf-8")
    return 0


# --- parent: run both sides, report --------------------------------------------------------


def spawn_side(side: str, root: Path, limit: int | None) -> dict[str, Any]:
    result_path = WORK_DIR / f"result-{side}.json"
    result_path.unlink(missing_ok=True)
    cmd = [sys.executable, str(Path(__file__).resolve()), "--side", side, "--corpora", str(root)]
    if limit is not None:
        cmd += ["--limit", str(limit)]
    print(f"[bench] running {side} side ...", flush=True)
    proc = subprocess.run(cmd, check=False)
    if proc.returncode != 0 or not result_path.exists():
        return {"side": side, "error": f"{side} side failed (exit {proc.returncode})"}
    return json.loads(result_path.read_text("utf-8"))


def machine_info() -> dict[str, Any]:
    import numpy

    info: dict[str, Any] = {
        "platform": platform.platform(),
        "machine": platform.machine(),
        "processor": platform.processor(),
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "numpy": numpy.__version__,
    }
    try:
        import datasketch

        info["datasketch"] = datasketch.__version__
    except ImportError:
        info["datasketch"] = None
    try:
        from importlib.metadata import version

        info["rensa"] = version("rensa")
    except Exception:  # not installed
        info["rensa"] = None
    try:
        import psutil

        info["memory_gb"] = round(psutil.virtual_memory().total / 1024**3, 1)
    except ImportError:
        pass
    return info


def _rate(count: int, seconds: float | None) -> float | None:
    return count / seconds if seconds else None


def summarise(
    corpus_sizes: dict[str, int],
    cd: dict[str, Any],
    ds: dict[str, Any],
    rs: dict[str, Any],
    cd1: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Rates, the speed ratios (competitor time / copydesk time) and the targets; the
    targets are judged on copydesk's default (a pool of 2 workers on 2 cores), the ratios
    of ``cd1`` (one worker) are given beside them."""
    cd1 = cd1 or {}
    cd1_total = cd1.get("seconds", {}).get("total")
    cd1_ingest = cd1.get("seconds", {}).get("ingest")
    cd_total = cd.get("seconds", {}).get("total")
    ds_total = ds.get("seconds", {}).get("total")
    rs_total = rs.get("seconds", {}).get("total")
    n, words = corpus_sizes["articles"], corpus_sizes["words"]
    p50 = cd.get("trace", {}).get("p50_ms")
    ingest = cd.get("seconds", {}).get("ingest")
    chars = corpus_sizes.get("chars") or 0
    return {
        "copydesk_articles_per_s": _rate(n, cd_total),
        "copydesk_words_per_s": _rate(words, cd_total),
        "copydesk_ingest_mb_per_s": chars / MB / ingest if ingest else None,
        "datasketch_articles_per_s": _rate(n, ds_total),
        "datasketch_words_per_s": _rate(words, ds_total),
        "rensa_articles_per_s": _rate(n, rs_total),
        "rensa_words_per_s": _rate(words, rs_total),
        "speed_ratio": ds_total / cd_total if cd_total and ds_total else None,
        "speed_ratio_rensa": rs_total / cd_total if cd_total and rs_total else None,
        "copydesk-1worker_articles_per_s": _rate(n, cd1_total),
        "copydesk-1worker_words_per_s": _rate(words, cd1_total),
        "copydesk_1worker_ingest_mb_per_s": chars / MB / cd1_ingest if cd1_ingest else None,
        "speed_ratio_1worker": ds_total / cd1_total if cd1_total and ds_total else None,
        "speed_ratio_rensa_1worker": rs_total / cd1_total if cd1_total and rs_total else None,
        "targets": {
            "copydesk_not_slower_than_datasketch": (
                cd_total <= ds_total if cd_total and ds_total else None
            ),
            "copydesk_not_slower_than_rensa": (
                cd_total <= rs_total if cd_total and rs_total else None
            ),
            "trace_p50_le_2ms": p50 <= TRACE_TARGET_MS if p50 is not None else None,
        },
    }


def fmt(value: Any, digits: int = 1) -> str:
    """A number for a table: thousands separated, ``digits`` decimals for floats."""
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def _mark(ok: bool | None) -> str:
    return {True: "[green]met[/]", False: "[red]missed[/]", None: "[yellow]n/a[/]"}[ok]


def print_report(report: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console() if sys.stdout.isatty() else Console(width=120)
    cd, ds, summary = report["copydesk"], report["datasketch"], report["summary"]
    rs = report.get("rensa", {})
    cd1 = report.get("copydesk-1worker", {})
    limits = report.get("limits", {})
    sizes = report["corpus"]
    console.print(
        f"corpus: {sizes['articles']:,} articles ({sizes['bbc']:,} BBC, "
        f"{sizes['reuters']:,} Reuters), {sizes['words']:,} words"
    )
    table = Table(title="copydesk vs MinHash LSH (threshold 0.5, 128 perm, 5-word shingles)")
    columns = ("side", "seconds", "articles/s", "words/s", "peak RSS MB", "+workers MB", "pairs")
    for column in columns:
        table.add_column(column, justify="left" if column == "side" else "right")
    sides = (
        ("copydesk", cd), ("copydesk-1worker", cd1), ("datasketch", ds), ("rensa", rs),
    )  # fmt: skip
    for name, side in sides:
        table.add_row(*_side_row(name, side, summary))
    console.print(table)
    for name, side in sides:
        if "error" in side:
            console.print(f"[red]{side['error']}[/]")
        else:
            console.print(f"{name}: {_phases(side)}")
    trace = cd.get("trace", {})
    targets = summary["targets"]
    console.print(
        f"speed ratio datasketch/copydesk: {fmt(summary['speed_ratio'], 2)} "
        f"(>1 means copydesk faster) — target ingest+scan ≤ index+query: "
        f"{_mark(targets['copydesk_not_slower_than_datasketch'])}"
    )
    console.print(
        f"speed ratio rensa/copydesk: {fmt(summary['speed_ratio_rensa'], 2)} "
        f"— target ingest+scan ≤ rensa's index+query: "
        f"{_mark(targets['copydesk_not_slower_than_rensa'])}"
    )
    console.print(
        f"with one worker: datasketch/copydesk {fmt(summary.get('speed_ratio_1worker'), 2)}, "
        f"rensa/copydesk {fmt(summary.get('speed_ratio_rensa_1worker'), 2)}"
    )
    console.print(
        f"ingest throughput: {fmt(summary['copydesk_ingest_mb_per_s'], 2)} MB/s of text "
        f"({fmt(summary.get('copydesk_1worker_ingest_mb_per_s'), 2)} with one worker)"
    )
    if "error" not in limits and limits:
        console.print(
            "one core, the same text: CRC-32 in C "
            f"{fmt(limits.get('crc32_mb_per_s'), 0)} MB/s, str.casefold "
            f"{fmt(limits.get('casefold_mb_per_s'), 0)} MB/s, copydesk's fingerprinting "
            f"compiled {fmt(limits.get('fingerprint_compiled_mb_per_s'), 1)} MB/s, "
            f"numpy {fmt(limits.get('fingerprint_numpy_mb_per_s'), 1)} MB/s"
        )
    console.print(
        f"trace latency over {fmt(trace.get('samples'))} articles: "
        f"p50 {fmt(trace.get('p50_ms'), 2)} ms, p95 {fmt(trace.get('p95_ms'), 2)} ms — "
        f"target p50 ≤ {TRACE_TARGET_MS:g} ms: {_mark(targets['trace_p50_le_2ms'])}"
    )
    if trace.get("self_matches"):
        console.print(f"[red]trace reported {trace['self_matches']} article(s) as own source[/]")


def _phases(side: dict[str, Any]) -> str:
    seconds = ", ".join(f"{k} {v:.2f} s" for k, v in side.get("seconds", {}).items())
    rss = (
        f"RSS after loading the corpus {fmt(side.get('rss_after_load_mb'), 0)} MB, "
        f"peak (process) {fmt(side.get('peak_rss_mb'), 0)} MB, "
        f"peak with workers {fmt(side.get('peak_tree_mb'), 0)} MB "
        f"({side.get('tree_metric', 'pss').upper()} summed)"
    )
    return f"{seconds}; {rss}"


def _side_row(name: str, side: dict[str, Any], summary: dict[str, Any]) -> list[str]:
    pairs = fmt(side.get("pairs"))
    if side.get("verdict_pairs") is not None:
        pairs += f" ({fmt(side['verdict_pairs'])} in verdicts)"
    return [
        name,
        fmt(side.get("seconds", {}).get("total"), 2),
        fmt(summary.get(f"{name}_articles_per_s"), 0),
        fmt(summary.get(f"{name}_words_per_s"), 0),
        fmt(side.get("peak_rss_mb"), 0),
        fmt(side.get("peak_tree_mb"), 0),
        pairs,
    ]


def write_latest(name: str, report: dict[str, Any], markdown: str | None = None) -> None:
    """bench/results/NAME-latest.json (and NAME-latest.md, printed, when given)."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    body = json.dumps(report, indent=2, default=str)
    (RESULTS_DIR / f"{name}-latest.json").write_text(body, "utf-8")
    if markdown is not None:
        (RESULTS_DIR / f"{name}-latest.md").write_text(markdown, "utf-8")
        print(markdown)


def write_report(report: dict[str, Any], failed: bool) -> Path:
    """Timestamped JSON plus core-latest.json. A failed run, or one on part of the corpus
    (``--limit``), goes to bench/work only: the committed record is a full run's."""
    text = json.dumps(report, indent=2, default=str) + "\n"
    if failed or not report["full_corpus"]:
        path = WORK_DIR / ("core-failed.json" if failed else "core-partial.json")
        path.write_text(text, "utf-8")
        return path
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = report["started"].replace(":", "").replace("-", "")
    path = RESULTS_DIR / f"core-{stamp}.json"
    path.write_text(text, "utf-8")
    (RESULTS_DIR / "core-latest.json").write_text(text, "utf-8")
    return path


def run_parent(root: Path, limit: int | None) -> int:
    started = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    shutil.rmtree(WORK_DIR, ignore_errors=True)  # the old store goes first
    WORK_DIR.mkdir(parents=True)
    sizes = load_corpus(root, limit).sizes()
    results = {side: spawn_side(side, root, limit) for side in SIDES}
    report = {
        "benchmark": "core",
        "started": started,
        "limit": limit,
        "full_corpus": limit is None,
        "corpora": str(root),
        "machine": machine_info(),
        "corpus": sizes,
        **results,
        "summary": summarise(
            sizes,
            results["copydesk"],
            results["datasketch"],
            results["rensa"],
            results["copydesk-1worker"],
        ),
    }
    print_report(report)
    failed = any("error" in r for r in results.values())
    path = write_report(report, failed)
    if failed:
        print(f"[bench] a side failed; partial results in {path.relative_to(REPO)}")
        return 1
    also = " (and core-latest.json)" if report["full_corpus"] else " (a partial run)"
    print(f"[bench] results: {path.relative_to(REPO)}{also}")
    return 0


def corpora_root(given: Path | None, benchmark: str) -> Path | None:
    """The corpora folder to read, or None (having said why) when it is not there."""
    root = (given or SHARED_CORPORA).resolve()
    if corpora_available(root):
        return root
    print(
        f"corpora not found at {root}: the {benchmark} benchmark needs ../shared/corpora "
        "(bbc/ and reuters21578/); set COPYDESK_CORPORA or pass --corpora PATH",
        file=sys.stderr,
    )
    return None


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="use the first N articles")
    parser.add_argument("--corpora", type=Path, default=None, help="corpora folder")
    parser.add_argument("--side", choices=SIDES, default=None, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    root = corpora_root(args.corpora, "core")
    if root is None:
        return 2
    if args.side:
        return run_side(args.side, root, args.limit, WORK_DIR / f"result-{args.side}.json")
    return run_parent(root, args.limit)


if __name__ == "__main__":
    sys.exit(main())

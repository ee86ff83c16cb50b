"""Labelled accuracy benchmark: copydesk vs datasketch MinHashLSH and a difflib aligner.

Run ``.venv/bin/python bench/run_accuracy.py`` (``--reuse`` keeps the generated collection
in bench/work/, ``--copies N`` sets the number of copies). It generates the labelled
collection (``bench/labelled.py``) from the real corpora, runs copydesk on a fresh store,
datasketch's MinHashLSH on the same articles, and difflib on the gold pairs, scores them
(``bench/metrics.py``), prints a table and writes ``bench/results/accuracy-latest.json``.
See bench/README.md for the definitions and the targets.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import shutil
import sys
import time
from collections import Counter
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
WORK_DIR = BENCH_DIR / "work"
RESULTS_DIR = BENCH_DIR / "results"
SRC = REPO / "src"
for _path in (SRC, BENCH_DIR):
    if _path.is_dir() and str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

import labelled  # noqa: E402
import stories  # noqa: E402
from labelled import OPS, Collection, Gold  # noqa: E402
from metrics import (  # noqa: E402
    PRF,
    Span,
    accuracy,
    family_ari,
    pair_prf,
    pan_scores,
    unordered,
)
from run_core import (  # noqa: E402
    LSH_THRESHOLD,
    NUM_PERM,
    SHINGLE_WORDS,
    corpora_root,
    fmt,
    machine_info,
    shingles,
)

DIFFLIB_MIN_BLOCK = 40  # characters
DIFFLIB_MAX_GAP = 200  # characters between blocks merged into one passage
TARGETS = {
    "pair_f1_verbatim_partial": 0.99,
    "pair_f1_light": 0.95,
    "plagdet": 0.90,
    "credit_accuracy": 0.95,
    "direction_accuracy": 0.98,
}
MAX_DANGLING_RATE = 1 / 200  # dangling-attribution false alarms per real article, below
BASELINE = "originals"  # bucket of predicted pairs between two originals


@dataclass(slots=True)
class Predicted:
    """One (copy, source) pair as a system reports it."""

    copy: str
    source: str
    credit: str | None = None
    relation: str | None = None
    direction_basis: str | None = None
    passages: tuple[tuple[int, int, int, int], ...] = ()


# --- systems -------------------------------------------------------------------------------


def run_copydesk(collection: Collection, db_path: Path) -> tuple[list[Predicted], dict[str, Any]]:
    from copydesk import Desk

    for leftover in db_path.parent.glob(db_path.name + "*"):
        leftover.unlink()
    seconds: dict[str, float] = {}
    with Desk(db_path) as desk:
        start = time.perf_counter()
        desk.ingest(iter(collection.articles))
        seconds["ingest"] = time.perf_counter() - start
        start = time.perf_counter()
        desk.scan(semantic=False)  # the lexical stage's accuracy (run_semantic.py: the other)
        seconds["scan"] = time.perf_counter() - start
        start = time.perf_counter()
        predicted = [
            Predicted(
                copy=verdict.article,
                source=match.source,
                credit=match.credit,
                relation=match.relation,
                direction_basis=match.direction_basis,
                passages=tuple(
                    (p.article_start, p.article_end, p.source_start, p.source_end)
                    for p in match.passages
                ),
            )
            for verdict in desk.verdicts(include_same_outlet=False)
            for match in verdict.sources
        ]
        seconds["verdicts"] = time.perf_counter() - start
        # Dangling attributions on originals (real articles, not copies) are false alarms.
        copies = {g.copy for g in collection.gold}
        flagged = [
            article_id
            for article_id, data in desk.store.db.execute(
                "SELECT a.id, s.data FROM signals s JOIN articles a ON a.key = s.article"
            )
            if article_id not in copies and '"dangling_attribution"' in data
        ]
    originals = len(collection.articles) - len(copies)
    dangling = {
        "originals": originals,
        "flagged": len(flagged),
        "rate": len(flagged) / originals if originals else 0.0,
        "examples": flagged[:10],
    }
    return predicted, {"seconds": seconds, "pairs": len(predicted), "dangling": dangling}


def run_datasketch(collection: Collection) -> tuple[set[tuple[str, str]], dict[str, Any]]:
    from datasketch import MinHash, MinHashLSH

    start = time.perf_counter()
    lsh = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERM)
    hashes: dict[str, MinHash] = {}
    for article in collection.articles:
        minhash = MinHash(num_perm=NUM_PERM)
        minhash.update_batch(shingles(article.text))
        hashes[article.id] = minhash
        lsh.insert(article.id, minhash)
    pairs = {
        unordered(key, other)
        for key, minhash in hashes.items()
        for other in lsh.query(minhash)
        if other != key
    }
    seconds = time.perf_counter() - start
    params = {"threshold": LSH_THRESHOLD, "num_perm": NUM_PERM, "shingle": SHINGLE_WORDS}
    return pairs, {"seconds": seconds, "pairs": len(pairs), "params": params}


def difflib_passages(copy_text: str, source_text: str) -> list[tuple[int, int, int, int]]:
    """Character matching blocks of >= DIFFLIB_MIN_BLOCK chars, merged across small gaps."""
    matcher = difflib.SequenceMatcher(None, copy_text, source_text, autojunk=False)
    out: list[list[int]] = []
    for a, b, size in matcher.get_matching_blocks():
        if size < DIFFLIB_MIN_BLOCK:
            continue
        if out and a - out[-1][1] <= DIFFLIB_MAX_GAP and 0 <= b - out[-1][3] <= DIFFLIB_MAX_GAP:
            out[-1][1], out[-1][3] = a + size, b + size
        else:
            out.append([a, a + size, b, b + size])
    return [(a, b, c, d) for a, b, c, d in out]


def _difflib_job(job: tuple[str, str]) -> list[tuple[int, int, int, int]]:
    return difflib_passages(*job)


def run_difflib(
    collection: Collection, workers: int | None = None
) -> tuple[list[Predicted], dict[str, Any]]:
    """The baseline is given the gold pairs; it only aligns them (in a process pool)."""
    texts = {a.id: a.text for a in collection.articles}
    jobs = [(texts[g.copy], texts[g.source]) for g in collection.gold]
    workers = workers or os.cpu_count() or 1
    start = time.perf_counter()
    with ProcessPoolExecutor(max_workers=workers) as pool:
        found = list(pool.map(_difflib_job, jobs, chunksize=16))
    predicted = [
        Predicted(g.copy, g.source, passages=tuple(passages))
        for g, passages in zip(collection.gold, found, strict=True)
    ]
    seconds = time.perf_counter() - start
    return predicted, {"seconds": seconds, "pairs": len(predicted), "workers": workers}


# --- scoring -------------------------------------------------------------------------------


class Scorer:
    """Gold, exclusions and op buckets of one collection."""

    def __init__(self, collection: Collection) -> None:
        self.collection = collection
        self.gold: dict[tuple[str, str], Gold] = {
            unordered(g.copy, g.source): g for g in collection.gold
        }
        self.op_of = {g.copy: g.op for g in collection.gold}
        self.dups = {unordered(*p) for p in collection.dup_pairs}
        self.templates = {unordered(*p) for p in collection.template_pairs}

    def related_kind(self, pair: tuple[str, str]) -> str | None:
        """``duplicate`` / ``template`` when the pair is not gold but its articles descend
        from the same original or from two originals that share text; else None."""
        if pair in self.gold:
            return None
        kinds = set()
        for x in self.collection.roots(pair[0]):
            for y in self.collection.roots(pair[1]):
                key = unordered(x, y)
                if x == y or key in self.dups:
                    return "duplicate"
                if key in self.templates:
                    kinds.add("template")
        return "template" if kinds else None

    def excluded(self, pair: tuple[str, str]) -> bool:
        return self.related_kind(pair) is not None

    def bucket(self, pair: tuple[str, str]) -> str:
        gold = self.gold.get(pair)
        if gold is not None:
            return gold.op
        for x in pair:
            if x in self.op_of:
                return self.op_of[x]
        return BASELINE

    def prf(self, predicted: Iterable[tuple[str, str]]) -> dict[str, Any]:
        """Overall and per-op pair P/R/F1 (FPs go to the op of the copy they involve)."""
        pred = {unordered(*p) for p in predicted}
        kinds = Counter(self.related_kind(p) for p in pred)
        counted = {p for p in pred if self.related_kind(p) is None}
        templates = {p for p in pred if self.related_kind(p) == "template"}
        out: dict[str, Any] = {
            "overall": pair_prf(self.gold, counted).to_json(),
            # template pairs counted as false positives (corpus duplicates still excluded)
            "overall_templates_as_fp": pair_prf(self.gold, counted | templates).to_json(),
            "excluded_corpus_duplicates": kinds["duplicate"],
            "excluded_templates": kinds["template"],
        }
        by_op: dict[str, PRF] = {}
        for op in (*OPS, BASELINE):
            gold_op = [p for p, g in self.gold.items() if g.op == op]
            pred_op = [p for p in counted if self.bucket(p) == op]
            by_op[op] = pair_prf(gold_op, pred_op)
        out["per_op"] = {op: prf.to_json() for op, prf in by_op.items()}
        vp = PRF(
            *(
                sum(getattr(by_op[o], k) for o in ("verbatim", "partial"))
                for k in ("tp", "fp", "fn")
            )
        )
        out["verbatim_partial"] = vp.to_json()
        negatives = {unordered(*p) for p in self.collection.negatives}
        out["negatives_flagged"] = len(negatives & pred)
        out["negatives"] = len(negatives)
        return out

    def true_positives(self, predicted: list[Predicted]) -> list[tuple[Gold, Predicted]]:
        best: dict[tuple[str, str], Predicted] = {}
        for p in predicted:
            key = unordered(p.copy, p.source)
            if key in self.gold:
                best.setdefault(key, p)
        return [(self.gold[k], p) for k, p in best.items()]

    def pan(self, predicted: list[Predicted], ops: Iterable[str] | None = None) -> dict[str, Any]:
        wanted = set(ops) if ops else set(OPS)
        cases = [
            Span((g.copy, g.source), (a, b), (c, d))
            for g in self.collection.gold
            if g.op in wanted
            for a, b, c, d in g.passages
        ]
        detections = [
            _oriented(g, p, passage)
            for g, p in self.true_positives(predicted)
            if g.op in wanted
            for passage in p.passages
        ]
        return pan_scores(cases, detections).to_json()

    def pan_by_op(self, predicted: list[Predicted]) -> dict[str, Any]:
        return {"overall": self.pan(predicted), **{op: self.pan(predicted, [op]) for op in OPS}}

    def forensics(self, predicted: list[Predicted]) -> dict[str, Any]:
        """Credit and direction accuracy over true positives, overall and per op."""
        tps = self.true_positives(predicted)
        out: dict[str, Any] = {
            "credit_accuracy": accuracy(p.credit == g.credit for g, p in tps),
            "direction_accuracy": accuracy(p.copy == g.copy for g, p in tps),
            "direction_accuracy_undated": accuracy(p.copy == g.copy for g, p in tps if g.undated),
            "undated_true_positives": sum(g.undated for g, _ in tps),
            "credit_confusion": {
                f"{gold}->{pred}": n
                for (gold, pred), n in sorted(Counter((g.credit, p.credit) for g, p in tps).items())
            },
            "credit_kept_syndicated": accuracy(
                p.relation == "syndicated" for g, p in tps if g.op == "credit_kept"
            ),
            "direction_basis": dict(Counter(p.direction_basis for _, p in tps)),
            "per_op": {},
        }
        for op in OPS:
            rows = [(g, p) for g, p in tps if g.op == op]
            out["per_op"][op] = {
                "true_positives": len(rows),
                "credit_accuracy": accuracy(p.credit == g.credit for g, p in rows),
                "direction_accuracy": accuracy(p.copy == g.copy for g, p in rows),
                "relations": dict(Counter(p.relation for _, p in rows)),
            }
        return out

    def ari(self, predicted: Iterable[tuple[str, str]]) -> dict[str, Any]:
        counted = [p for p in {unordered(*q) for q in predicted} if not self.excluded(p)]
        value, items = family_ari(self.gold.keys(), counted)
        return {"ari": value, "articles": items}

    def failures(self, predicted: list[Predicted], limit: int = 8) -> dict[str, Any]:
        """Example ids of misses, wrong credit and wrong direction, per op."""
        found = {unordered(p.copy, p.source) for p in predicted}
        out: dict[str, Any] = {}
        for op in OPS:
            missed = [g.copy for k, g in self.gold.items() if g.op == op and k not in found]
            tps = [(g, p) for g, p in self.true_positives(predicted) if g.op == op]
            out[op] = {
                "missed": missed[:limit],
                "wrong_credit": [
                    f"{g.copy}: {g.credit}->{p.credit}" for g, p in tps if p.credit != g.credit
                ][:limit],
                "wrong_direction": [
                    f"{g.copy} ({p.direction_basis})" for g, p in tps if p.copy != g.copy
                ][:limit],
            }
        fps = sorted(
            unordered(p.copy, p.source)
            for p in predicted
            if unordered(p.copy, p.source) not in self.gold
            and not self.excluded(unordered(p.copy, p.source))
        )
        out["false_positives"] = [" ~ ".join(p) for p in fps[:limit]]
        return out


def _oriented(g: Gold, p: Predicted, passage: tuple[int, int, int, int]) -> Span:
    """A predicted passage in the gold pair's orientation (copy side first)."""
    a, b, c, d = passage
    if p.copy == g.copy:
        return Span((g.copy, g.source), (a, b), (c, d))
    return Span((g.copy, g.source), (c, d), (a, b))


def evaluate(
    collection: Collection,
    copydesk: list[Predicted],
    datasketch: set[tuple[str, str]] | None,
    difflib_pred: list[Predicted] | None,
) -> dict[str, Any]:
    scorer = Scorer(collection)
    cd_pairs = [(p.copy, p.source) for p in copydesk]
    out: dict[str, Any] = {
        "copydesk": {
            "pairs": scorer.prf(cd_pairs),
            "pan": scorer.pan_by_op(copydesk),
            "families": scorer.ari(cd_pairs),
            **scorer.forensics(copydesk),
            "failures": scorer.failures(copydesk),
        }
    }
    if datasketch is not None:
        out["datasketch"] = {"pairs": scorer.prf(datasketch), "families": scorer.ari(datasketch)}
    if difflib_pred is not None:
        out["difflib"] = {"pan": scorer.pan_by_op(difflib_pred)}
    out["targets"] = targets(out["copydesk"])
    return out


def targets(cd: dict[str, Any]) -> dict[str, dict[str, Any]]:
    values = {
        "pair_f1_verbatim_partial": cd["pairs"]["verbatim_partial"]["f1"],
        "pair_f1_light": cd["pairs"]["per_op"]["light"]["f1"],
        "plagdet": cd["pan"]["overall"]["plagdet"],
        "credit_accuracy": cd["credit_accuracy"],
        "direction_accuracy": cd["direction_accuracy"],
    }
    return {
        name: {
            "value": value,
            "target": TARGETS[name],
            "met": value is not None and value >= TARGETS[name],
            "margin": None if value is None else value - TARGETS[name],
        }
        for name, value in values.items()
    }


# --- report --------------------------------------------------------------------------------


OP_COLUMNS = (
    "op",
    "gold",
    "cd FP",
    "cd P",
    "cd R",
    "cd F1",
    "ds FP",
    "ds P",
    "ds R",
    "ds F1",
    "cd plagdet",
    "difflib plagdet",
    "credit acc",
    "dir acc",
)


def _prf_cells(side: dict[str, Any] | None, op: str) -> list[str]:
    if not side:
        return ["—"] * 4
    c = side["pairs"]["per_op"].get(op) or side["pairs"]["overall"]
    precision = c["precision"] if c["tp"] + c["fp"] and c["tp"] + c["fn"] else None
    return [
        str(c["fp"]),
        fmt(precision, 3),
        fmt(c["recall"] if c["tp"] + c["fn"] else None, 3),
        fmt(c["f1"] if precision is not None else None, 3),
    ]


def _op_row(
    op: str, cd: dict[str, Any], ds: dict[str, Any] | None, dl: dict[str, Any] | None
) -> list[str]:
    c = cd["pairs"]["per_op"].get(op) or cd["pairs"]["overall"]
    pan_c = cd["pan"].get(op, {})
    pan_d = dl["pan"].get(op, {}) if dl else {}
    if op == "overall":
        fx = {k: cd[k] for k in ("credit_accuracy", "direction_accuracy")}
    else:
        fx = cd["per_op"].get(op, {})
    return [
        op,
        str(c["tp"] + c["fn"]),
        *_prf_cells(cd, op),
        *_prf_cells(ds, op),
        fmt(pan_c.get("plagdet"), 3),
        fmt(pan_d.get("plagdet"), 3),
        fmt(fx.get("credit_accuracy"), 3),
        fmt(fx.get("direction_accuracy"), 3),
    ]


def _excluded_note(name: str, side: dict[str, Any]) -> str:
    pairs = side["pairs"]
    strict = pairs["overall_templates_as_fp"]
    return (
        f"{name}: excluded {pairs['excluded_corpus_duplicates']} corpus-duplicate and "
        f"{pairs['excluded_templates']} template pairs (counting templates as false "
        f"positives: P {fmt(strict['precision'], 3)}, F1 {fmt(strict['f1'], 3)})"
    )


def print_report(report: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console() if sys.stdout.isatty() else Console(width=140)
    res = report["results"]
    cd, ds, dl = res["copydesk"], res.get("datasketch"), res.get("difflib")
    meta = report["collection"]
    console.print(
        f"collection: {meta['articles']:,} articles ({meta['originals']:,} originals, "
        f"{meta['copies']:,} copies), seed {meta['seed']}; {meta['dup_pairs']:,} corpus-duplicate "
        f"and {meta['template_pairs']:,} template pairs among originals; "
        f"{meta['negatives']:,} same-category negative pairs"
    )
    table = Table(title="pair detection (direction-insensitive) and alignment per op")
    for col in OP_COLUMNS:
        table.add_column(col, justify="left" if col == "op" else "right")
    for op in (*OPS, BASELINE, "overall"):
        table.add_row(*_op_row(op, cd, ds, dl))
    console.print(table)
    pan = Table(
        title="PAN character-level alignment on the gold pairs (difflib is given the pairs)"
    )
    for col in (
        "system",
        "precision",
        "recall",
        "granularity",
        "F1",
        "plagdet",
        "cases",
        "detections",
    ):
        pan.add_column(col, justify="left" if col == "system" else "right")
    for name, side in (("copydesk", cd), ("difflib", dl)):
        if side:
            o = side["pan"]["overall"]
            pan.add_row(
                name,
                *(fmt(o[k], 3) for k in ("precision", "recall", "granularity", "f1", "plagdet")),
                str(o["cases"]),
                str(o["detections"]),
            )
    console.print(pan)
    console.print(
        f"families ARI: copydesk {fmt(cd['families']['ari'], 3)}"
        + (f", datasketch {fmt(ds['families']['ari'], 3)}" if ds else "")
        + f" over {cd['families']['articles']:,} articles; "
        f"credit confusion {cd['credit_confusion']}; direction on undated copies "
        f"{fmt(cd['direction_accuracy_undated'], 3)} ({cd['undated_true_positives']} pairs); "
        f"credit_kept reported syndicated {fmt(cd['credit_kept_syndicated'], 3)}; "
        f"negatives flagged {cd['pairs']['negatives_flagged']}/{cd['pairs']['negatives']}; "
        + "; ".join(
            _excluded_note(name, side)
            for name, side in (("copydesk", cd), ("datasketch", ds))
            if side
        )
    )
    for name, t in res["targets"].items():
        mark = "[green]met[/]" if t["met"] else "[red]missed[/]"
        op = "<" if name == "dangling_fp_rate" else "≥"
        console.print(
            f"target {name} {op} {t['target']}: {fmt(t['value'], 3)} {mark} "
            f"(margin {fmt(t['margin'], 4)})"
        )
    if report.get("stories"):
        print_stories(console, report["stories"])
    console.print("seconds: " + json.dumps(report["seconds"]))


def write_report(report: dict[str, Any]) -> Path:
    """Timestamped JSON plus accuracy-latest.json; a run on part of the corpora goes to
    bench/work/accuracy-partial.json instead, so it never replaces the full record."""
    text = json.dumps(report, indent=2, default=str) + "\n"
    if not report["full_corpus"]:
        path = WORK_DIR / "accuracy-partial.json"
        path.write_text(text, "utf-8")
        return path
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = report["started"].replace(":", "").replace("-", "")
    path = RESULTS_DIR / f"accuracy-{stamp}.json"
    path.write_text(text, "utf-8")
    (RESULTS_DIR / "accuracy-latest.json").write_text(text, "utf-8")
    return path


# --- main ----------------------------------------------------------------------------------


def run_stories(args: argparse.Namespace, root: Path) -> dict[str, Any]:
    """The story-families cases (bench/stories.py) in a store of their own."""
    from copydesk import Desk
    from copydesk.families import parse_agencies

    start = time.perf_counter()
    originals = labelled.load_originals(root, args.bbc_limit, args.reuters_limit)
    made = stories.generate_stories(originals, per_case=args.story_cases)
    seconds = {"generate": time.perf_counter() - start}
    db_path = WORK_DIR / "stories.db"
    for leftover in db_path.parent.glob(db_path.name + "*"):
        leftover.unlink()
    with Desk(db_path) as desk:
        desk.add_agencies(parse_agencies(stories.AGENCIES, "the benchmark's agency file"))
        start = time.perf_counter()
        desk.ingest(iter(made.articles))
        desk.scan(semantic=False)
        seconds["copydesk"] = time.perf_counter() - start
        scored = stories.score_stories(made, desk)
    return {"collection": made.meta, "seconds": seconds, **scored}


def print_stories(console: Any, result: dict[str, Any]) -> None:
    from rich.table import Table

    metrics = ("family", "origin", "took_from", "origin_credit", "trace_origin", "kept_apart",
               "never_reversed", "never_a_copy")  # fmt: skip
    table = Table(
        title=f"story families ({result['collection']['articles']:,} articles, "
        f"{result['collection']['per_case']} stories a case): right / labelled"
    )
    table.add_column("case")
    for m in metrics:
        table.add_column(m, justify="right")
    for case, cells in result["cases"].items():
        table.add_row(case, *(
            f"{cells[m]['right']}/{cells[m]['of']}" if m in cells else "" for m in metrics
        ))  # fmt: skip
    table.add_row("overall", *(
        f"{fmt(result['overall'][m]['accuracy'], 3)}" if m in result["overall"] else ""
        for m in metrics
    ))  # fmt: skip
    console.print(table)


def build_collection(args: argparse.Namespace, root: Path) -> tuple[Collection, float]:
    start = time.perf_counter()
    directory = WORK_DIR / "labelled"
    if args.reuse and (directory / "labelled-gold.json").exists():
        collection = labelled.read(directory)
    else:
        originals = labelled.load_originals(root, args.bbc_limit, args.reuters_limit)
        collection = labelled.generate(originals, args.copies, args.seed)
        collection.meta["limits"] = {"bbc": args.bbc_limit, "reuters": args.reuters_limit}
        labelled.write(collection, directory)
    return collection, time.perf_counter() - start


def _full(collection: Collection) -> bool:
    """Whether the collection was made from all of both corpora (--reuse keeps its limits)."""
    limits = collection.meta.get("limits", {})
    return limits.get("bbc") is None and limits.get("reuters") is None


def run(args: argparse.Namespace, root: Path) -> dict[str, Any]:
    started = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    collection, gen_seconds = build_collection(args, root)
    print(
        f"[bench] collection ready ({len(collection.articles):,} articles) in {gen_seconds:.1f} s",
        flush=True,
    )
    cd_pred, cd_info = run_copydesk(collection, WORK_DIR / "accuracy.db")
    print(f"[bench] copydesk done: {cd_info}", flush=True)
    ds_pairs, ds_info = (None, {}) if args.no_datasketch else run_datasketch(collection)
    dl_pred, dl_info = (None, {}) if args.no_difflib else run_difflib(collection, args.workers)
    start = time.perf_counter()
    results = evaluate(collection, cd_pred, ds_pairs, dl_pred)
    results["copydesk"]["dangling_false_positives"] = cd_info["dangling"]
    results["targets"]["dangling_fp_rate"] = {
        "value": cd_info["dangling"]["rate"],
        "target": MAX_DANGLING_RATE,
        "met": cd_info["dangling"]["rate"] < MAX_DANGLING_RATE,
        "margin": MAX_DANGLING_RATE - cd_info["dangling"]["rate"],
    }
    story_results = run_stories(args, root) if args.story_cases else None
    return {
        "benchmark": "accuracy",
        "stories": story_results,
        "started": started,
        "corpora": str(root),
        "full_corpus": _full(collection),
        "machine": machine_info(),
        "collection": {
            **collection.meta,
            "articles": len(collection.articles),
            "dup_pairs": len(collection.dup_pairs),
            "template_pairs": len(collection.template_pairs),
            "negatives": len(collection.negatives),
            "undated_copies": sum(g.undated for g in collection.gold),
        },
        "seconds": {
            "generate": gen_seconds,
            "copydesk": cd_info["seconds"],
            "datasketch": ds_info.get("seconds"),
            "difflib": dl_info.get("seconds"),
            "score": time.perf_counter() - start,
        },
        "copydesk_pairs": cd_info["pairs"],
        "datasketch_pairs": ds_info.get("pairs"),
        "results": results,
    }


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=3000, help="copies to generate")
    parser.add_argument("--seed", type=int, default=labelled.SEED)
    parser.add_argument("--reuse", action="store_true", help="reuse bench/work/labelled/")
    parser.add_argument("--bbc-limit", type=int, default=None, help="first N BBC articles")
    parser.add_argument("--reuters-limit", type=int, default=None, help="first N Reuters bodies")
    parser.add_argument("--no-datasketch", action="store_true")
    parser.add_argument("--no-difflib", action="store_true")
    parser.add_argument("--workers", type=int, default=None, help="difflib processes (CPUs)")
    parser.add_argument("--corpora", type=Path, default=None, help="corpora folder")
    parser.add_argument(
        "--story-cases", type=int, default=60, help="stories per story-families case (0: none)"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    root = corpora_root(args.corpora, "accuracy")
    if root is None:
        return 2
    WORK_DIR.mkdir(parents=True, exist_ok=True)
    if not args.reuse:
        shutil.rmtree(WORK_DIR / "labelled", ignore_errors=True)
    report = run(args, root)
    print_report(report)
    path = write_report(report)
    print(f"[bench] results: {path.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Real-world benchmark: copydesk on real web copies of real stories (bench/realworld/).

Loads the cached texts of ``bench/realworld/manifest.jsonl`` into a fresh store through the
ordinary JSONL reader (text, url, outlet, published when known), runs ingest + scan, and
compares with the labels: family ARI, origin, origin credit, false links between different
stories, and for the rewrite / translation set the share of copies linked to their story.
datasketch MinHashLSH runs on the same texts in the same run for the linking figures.
Without the cache (CI, a fresh clone) it says so and exits 0. Writes
``bench/results/realworld-latest.json`` and ``bench/realworld/FAILURES.md``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
WORK_DIR = BENCH_DIR / "work" / "realworld"
RESULTS_DIR = BENCH_DIR / "results"
RW_DIR = BENCH_DIR / "realworld"
for _path in (REPO / "src", BENCH_DIR, RW_DIR):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from dataset import CACHE, MANIFEST, Version, cached_text, first_words, load_manifest  # noqa: E402

from metrics import adjusted_rand_index, families, unordered  # noqa: E402
from run_core import shingles  # noqa: E402

LSH_THRESHOLD = 0.5
NUM_PERM = 128
NOT_PRODUCED = "not produced"

Pair = tuple[str, str]


def load(cache: Path) -> tuple[list[Version], dict[str, str], list[str]]:
    """The manifest's versions whose text is cached, their texts, and warnings."""
    versions = load_manifest(MANIFEST)
    texts: dict[str, str] = {}
    warnings: list[str] = []
    for v in versions:
        text = cached_text(v, cache)
        if text is None:
            warnings.append(f"{v.id}: not in the cache")
            continue
        if v.first_words and first_words(text) != v.first_words:
            warnings.append(f"{v.id}: cached text does not start with {v.first_words!r}")
        texts[v.id] = text
    return [v for v in versions if v.id in texts], texts, warnings


def write_input(versions: list[Version], texts: dict[str, str], path: Path) -> None:
    with path.open("w", encoding="utf-8") as out:
        for v in versions:
            record: dict[str, Any] = {"id": v.id, "url": v.url, "outlet": v.outlet}
            if v.published:
                record["published"] = v.published
            record["text"] = texts[v.id]
            out.write(json.dumps(record, ensure_ascii=False) + "\n")


def run_copydesk(
    input_path: Path, *, semantic: bool = False
) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    """Each article's verdict JSON (articles without one are absent) and timings."""
    from copydesk import Desk

    db = WORK_DIR / "realworld.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    start = time.perf_counter()
    with Desk(db, workers=1) as desk:
        summary = desk.ingest_files([input_path])
        desk.scan(semantic=semantic)
        verdicts = {v.article: v.to_json() for v in desk.verdicts(include_same_outlet=True)}
    seconds = time.perf_counter() - start
    rejected = [str(r) for r in getattr(summary, "rejected", [])]
    return verdicts, {
        "seconds": round(seconds, 3),
        "ingested": _count(summary),
        "rejected": rejected,
    }


def _count(summary: Any) -> Any:
    for name in ("stored", "ingested", "added", "articles"):
        value = getattr(summary, name, None)
        if isinstance(value, int):
            return value
    return None


def run_datasketch(texts: dict[str, str]) -> tuple[set[Pair], float]:
    from datasketch import MinHash, MinHashLSH

    start = time.perf_counter()
    lsh = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERM)
    hashes = {}
    for key, text in texts.items():
        minhash = MinHash(num_perm=NUM_PERM)
        minhash.update_batch(shingles(text))
        hashes[key] = minhash
        lsh.insert(key, minhash)
    pairs = {unordered(k, o) for k, m in hashes.items() for o in lsh.query(m) if o != k}
    return pairs, time.perf_counter() - start


def copydesk_pairs(verdicts: dict[str, dict[str, Any]]) -> set[Pair]:
    return {unordered(a, s["source"]) for a, v in verdicts.items() for s in v["sources"]}


# --- measures ------------------------------------------------------------------------------


def running_story(story: str) -> str:
    """``story#take``: takes (updates) of one running story. A link between two takes is
    not a false link, but is not required either (they may share only a lead sentence)."""
    return story.split("#", 1)[0]


def linking(versions: list[Version], pairs: set[Pair]) -> dict[str, Any]:
    """Family ARI, false links and missed links of one tool's pairs."""
    story = {v.id: v.story for v in versions}
    fam = [v for v in versions if v.set == "families"]
    fam_ids = {v.id for v in fam}
    fam_pairs = [p for p in pairs if p[0] in fam_ids and p[1] in fam_ids]
    predicted = families(sorted(fam_ids), fam_pairs)
    ari = adjusted_rand_index([story[v.id] for v in fam], [predicted[v.id] for v in fam])
    false_links = sorted(
        p for p in pairs if running_story(story[p[0]]) != running_story(story[p[1]])
    )
    # a labelled copy is linked when a pair joins it to another version of its story
    linked: dict[str, bool] = {}
    for v in versions:
        if v.role != "copy":
            continue
        others = {
            w.id
            for w in versions
            if w.story == v.story and w.id != v.id and (v.set != "families" or w.set == "families")
        }
        if not others:
            continue
        linked[v.id] = any(unordered(v.id, o) in pairs for o in others)
    gold_families = defaultdict(list)
    for v in fam:
        gold_families[v.story].append(v.id)
    # a labelled story that the predicted families split: its members, part by part
    split = {}
    for name, ids in sorted(gold_families.items()):
        parts: dict[int, list[str]] = defaultdict(list)
        for i in ids:
            parts[predicted[i]].append(i)
        if len(parts) > 1:
            split[name] = sorted((sorted(p) for p in parts.values()), key=lambda p: (-len(p), p))

    def share(kind: str) -> dict[str, Any]:
        keys = [v.id for v in versions if v.set == kind and v.id in linked]
        hit = sum(linked[k] for k in keys)
        return {
            "linked": hit,
            "of": len(keys),
            "share": round(hit / len(keys), 4) if keys else None,
        }

    return {
        "family_ari": round(ari, 4),
        "family_articles": len(fam),
        "gold_stories": len({v.story for v in fam}),
        "predicted_families": len(set(predicted.values())),
        "false_links": [list(p) for p in false_links],
        "false_link_count": len(false_links),
        "split_stories": split,
        "copies_linked": share("families"),
        "rewrites_linked": share("rewrite"),
        "translations_linked": share("translation"),
    }


def gold_origins(versions: list[Version]) -> dict[str, dict[str, Any]]:
    """For every story with two or more versions: its origin article (or None) and outlet."""
    by_story: dict[str, list[Version]] = defaultdict(list)
    for v in versions:
        by_story[v.story].append(v)
    out = {}
    for name, members in by_story.items():
        if len(members) < 2:
            continue
        origin = next((v for v in members if v.role == "origin"), None)
        outlet = (
            origin.outlet
            if origin
            else next((v.origin_outlet for v in members if v.origin_outlet), None)
        )
        out[name] = {"article": origin.id if origin else None, "outlet": outlet}
    return out


def _same_outlet(a: str | None, b: str | None) -> bool:
    def norm(x: str) -> str:
        return x.lower().removeprefix("www.").replace(" ", "")

    return bool(a and b) and (norm(a) in norm(b) or norm(b) in norm(a))


def origin_measures(
    versions: list[Version], verdicts: dict[str, dict[str, Any]], pairs: set[Pair]
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    gold = gold_origins(versions)
    by_story: dict[str, list[Version]] = defaultdict(list)
    for v in versions:
        by_story[v.story].append(v)
    produced = any("family" in v for v in verdicts.values())
    failures: list[dict[str, Any]] = []
    inside = [s for s, g in gold.items() if g["article"]]
    outside = [s for s, g in gold.items() if not g["article"]]
    result: dict[str, Any] = {
        "stories_with_origin_in_collection": len(inside),
        "stories_with_origin_outside": len(outside),
        "family_origin_field": "present" if produced else NOT_PRODUCED,
    }
    if produced:
        right_in = right_out = 0
        for name, g in gold.items():
            named = [
                verdicts[v.id]["family"].get("origin") or {}
                for v in by_story[name]
                if v.id in verdicts and verdicts[v.id].get("family")
            ]
            origin = named[0] if named else {}
            if g["article"]:
                ok = origin.get("article") == g["article"]
                right_in += ok
            else:
                ok = origin.get("article") is None and (
                    _same_outlet(origin.get("outlet"), g["outlet"])
                    or _same_outlet(origin.get("name"), g["outlet"])
                )
                right_out += ok
            if not ok:
                failures.append(
                    {"kind": "wrong origin", "story": name, "expected": g, "got": origin}
                )
        result["origin_in_collection"] = _ratio(right_in, len(inside))
        result["origin_outside"] = _ratio(right_out, len(outside))
        result["origin_all"] = _ratio(right_in + right_out, len(gold))
    else:
        result["origin_in_collection"] = result["origin_outside"] = NOT_PRODUCED
    # Measurable now: the root of the linked component (a member that copies no one) is the
    # labelled origin article.
    right = 0
    for name in inside:
        ids = {v.id for v in by_story[name] if v.set == "families"}
        roots = [
            i
            for i in ids
            if not any(
                unordered(i, s["source"]) in pairs for s in verdicts.get(i, {}).get("sources", [])
            )
        ]
        ok = roots == [gold[name]["article"]]
        right += ok
        if not ok:
            failures.append(
                {
                    "kind": "wrong root",
                    "story": name,
                    "expected": gold[name]["article"],
                    "got": sorted(roots),
                }
            )
    result["root_is_origin_article"] = _ratio(right, len(inside))
    return result, failures


def credit_measures(
    versions: list[Version], verdicts: dict[str, dict[str, Any]]
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    produced = any("origin_credit" in v for v in verdicts.values())
    story = {v.id: v.story for v in versions}
    right = total = unmeasured = 0
    failures = []
    for v in versions:
        if v.role != "copy" or v.set != "families" or not v.origin_credit:
            continue
        total += 1
        verdict = verdicts.get(v.id)
        if produced:
            got = (verdict or {}).get("origin_credit") or NOT_PRODUCED
            basis = "origin_credit"
        else:
            same = [
                s for s in (verdict or {}).get("sources", []) if story.get(s["source"]) == v.story
            ]
            if same:
                got, basis = same[0]["credit"], f"credit against {same[0]['source']}"
            else:
                got, basis = (
                    NOT_PRODUCED,
                    "no source of its story in the verdict (earliest version)",
                )
                unmeasured += 1
        if got == v.origin_credit:
            right += 1
        else:
            failures.append(
                {
                    "kind": "wrong credit",
                    "article": v.id,
                    "expected": v.origin_credit,
                    "got": got,
                    "basis": basis,
                    "origin_outlet": v.origin_outlet,
                }
            )
    return {
        "measure": "origin_credit"
        if produced
        else "per-source credit (origin_credit not produced)",
        "right": right,
        "of": total,
        "accuracy": round(right / total, 4) if total else None,
        "not_produced": unmeasured,
        "accuracy_where_produced": round(right / (total - unmeasured), 4)
        if total > unmeasured
        else None,
    }, failures


def _ratio(right: int, total: int) -> dict[str, Any]:
    return {"right": right, "of": total, "accuracy": round(right / total, 4) if total else None}


# --- failures ------------------------------------------------------------------------------


def load_diagnoses() -> dict[str, str]:
    path = RW_DIR / "diagnoses.tsv"
    out = {}
    if path.is_file():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#") and "\t" in line:
                key, text = line.split("\t", 1)
                out[key.strip()] = text.strip()
    return out


def failure_key(f: dict[str, Any]) -> str:
    if f["kind"] in ("false link", "missed link"):
        return f"{f['kind']} {' '.join(f['pair'])}"
    if f["kind"] == "wrong credit":
        return f"wrong credit {f['article']}"
    return f"{f['kind']} {f['story']}"


def _passage_hint(verdicts: dict[str, dict[str, Any]], a: str, b: str) -> str:
    for copy, source in ((a, b), (b, a)):
        for s in verdicts.get(copy, {}).get("sources", []):
            if s["source"] == source:
                kinds = sorted({e.get("kind", "?") for e in s.get("evidence", [])})
                return (
                    f"{copy} <- {source}: {s['relation']}, coverage {s['coverage']:.2f}, "
                    f"evidence {'+'.join(kinds) or 'none'}"
                )
    return ""


def all_failures(
    versions: list[Version],
    verdicts: dict[str, dict[str, Any]],
    link: dict[str, Any],
    ds_pairs: set[Pair],
    extra: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    out = []
    for a, b in link["false_links"]:
        out.append({"kind": "false link", "pair": [a, b], "hint": _passage_hint(verdicts, a, b)})
    for name, parts in link["split_stories"].items():
        out.append(
            {
                "kind": "split story",
                "story": name,
                "hint": "parts " + " | ".join(", ".join(p) for p in parts),
            }
        )
    pairs = copydesk_pairs(verdicts)
    for v in versions:
        others = [w.id for w in versions if w.story == v.story and w.id != v.id and w.set == v.set]
        linked = any(unordered(v.id, o) in pairs for o in others)
        if v.set == "families" and v.role == "copy" and others and not linked:
            out.append(
                {
                    "kind": "missed link",
                    "pair": list(unordered(v.id, others[0])),
                    "hint": "copy not linked to any version of its story",
                }
            )
    for kind in ("rewrite", "translation"):
        for v in versions:
            if v.set != kind or v.role != "copy":
                continue
            others = [w.id for w in versions if w.story == v.story and w.id != v.id]
            pairs = copydesk_pairs(verdicts)
            if others and not any(unordered(v.id, o) in pairs for o in others):
                target = v.took_from or others[0]
                out.append(
                    {
                        "kind": "missed link",
                        "pair": list(unordered(v.id, target)),
                        "hint": f"{kind} copy not linked to its story",
                    }
                )
    out.extend(extra)
    unique: dict[str, dict[str, Any]] = {}
    for f in out:
        unique.setdefault(failure_key(f), f)
    return list(unique.values())


def write_failures(failures: list[dict[str, Any]], path: Path, stamp: str) -> None:
    diagnoses = load_diagnoses()
    lines = [
        "# Real-world set: current failures",
        "",
        f"Written by `bench/run_realworld.py` ({stamp}); do not edit by hand. One-line",
        "diagnoses of the mechanism at fault come from `bench/realworld/diagnoses.tsv`",
        "(key, tab, diagnosis); a failure without one shows the measured hint.",
        "",
    ]
    if not failures:
        lines.append("No failures.")
    for f in failures:
        key = failure_key(f)
        detail = {
            k: v for k, v in f.items() if k not in ("kind", "pair", "story", "article", "hint")
        }
        diagnosis = diagnoses.get(key, "(no diagnosis yet)")
        lines.append(f"- **{key}** — {diagnosis}")
        extra = "; ".join(f"{k}: {v}" for k, v in detail.items())
        hint = "; ".join(x for x in (f.get("hint", ""), extra) if x)
        if hint:
            lines.append(f"  - measured: {hint}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


# --- main ----------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=CACHE, help="folder of <id>.txt texts")
    parser.add_argument(
        "--semantic",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="scan with the semantic stage (rewrites, translations), as copydesk scan does by"
        " default; --no-semantic: the lexical stage alone",
    )
    parser.add_argument("--no-failures", action="store_true", help="do not rewrite FAILURES.md")
    args = parser.parse_args(argv)

    if not args.cache.is_dir() or not any(args.cache.glob("*.txt")):
        print(
            f"run_realworld: skipped: no cached texts in {args.cache} (third-party text is "
            "never committed; rebuild it as bench/realworld/README.md says)"
        )
        return 0
    versions, texts, warnings = load(args.cache)
    for w in warnings:
        print(f"warning: {w}", file=sys.stderr)
    WORK_DIR.mkdir(parents=True, exist_ok=True)
    input_path = WORK_DIR / "input.jsonl"
    write_input(versions, texts, input_path)

    verdicts, cd_run = run_copydesk(input_path, semantic=args.semantic)
    cd_pairs = copydesk_pairs(verdicts)
    with (WORK_DIR / "verdicts.jsonl").open("w", encoding="utf-8") as out:
        for key in sorted(verdicts):
            out.write(json.dumps(verdicts[key], ensure_ascii=False) + "\n")
    ds_pairs, ds_seconds = run_datasketch(texts)

    cd_link = linking(versions, cd_pairs)
    ds_link = linking(versions, ds_pairs)
    origin, origin_failures = origin_measures(versions, verdicts, cd_pairs)
    credit, credit_failures = credit_measures(versions, verdicts)
    for r in cd_run["rejected"]:
        print(f"warning: copydesk rejected a record: {r}", file=sys.stderr)
    failures = all_failures(
        versions, verdicts, cd_link, ds_pairs, origin_failures + credit_failures
    )

    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    result = {
        "benchmark": "realworld",
        "when": stamp,
        "versions": len(versions),
        "stories": len({v.story for v in versions}),
        "sets": {
            s: sum(v.set == s for v in versions) for s in ("families", "rewrite", "translation")
        },
        "cache_warnings": warnings,
        "copydesk": {
            **cd_run,
            "pairs": len(cd_pairs),
            "linked_pairs": [list(p) for p in sorted(cd_pairs)],
            **cd_link,
            "origin": origin,
            "origin_credit": credit,
        },
        "datasketch": {
            "seconds": round(ds_seconds, 3),
            "pairs": len(ds_pairs),
            "params": {"threshold": LSH_THRESHOLD, "num_perm": NUM_PERM, "shingle": 5},
            **ds_link,
        },
        "failures": failures,
    }
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    (RESULTS_DIR / "realworld-latest.json").write_text(json.dumps(result, indent=2) + "\n")
    (RESULTS_DIR / f"realworld-{stamp.replace(':', '')}.json").write_text(
        json.dumps(result, indent=2) + "\n"
    )
    if not args.no_failures:
        write_failures(failures, RW_DIR / "FAILURES.md", stamp)
    print_table(result)
    return 0


def _fmt(x: Any) -> str:
    if isinstance(x, dict):
        if "share" in x:
            return f"{x['linked']}/{x['of']}" + (
                f" ({x['share']:.3f})" if x["share"] is not None else ""
            )
        if "accuracy" in x:
            return f"{x['right']}/{x['of']}" + (
                f" ({x['accuracy']:.3f})" if x["accuracy"] is not None else ""
            )
    return str(x)


def print_table(result: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    cd, ds = result["copydesk"], result["datasketch"]
    table = Table(
        title=f"real-world set: {result['versions']} versions, {result['stories']} stories"
    )
    table.add_column("measure")
    table.add_column("copydesk", justify="right")
    table.add_column("datasketch", justify="right")
    rows = [
        ("family ARI", cd["family_ari"], ds["family_ari"]),
        ("false links (different stories)", cd["false_link_count"], ds["false_link_count"]),
        ("stories split apart", len(cd["split_stories"]), len(ds["split_stories"])),
        ("copies linked to their story", _fmt(cd["copies_linked"]), _fmt(ds["copies_linked"])),
        ("rewritten copies linked", _fmt(cd["rewrites_linked"]), _fmt(ds["rewrites_linked"])),
        (
            "translated copies linked",
            _fmt(cd["translations_linked"]),
            _fmt(ds["translations_linked"]),
        ),
        ("origin in collection (family.origin)", _fmt(cd["origin"]["origin_in_collection"]), "-"),
        ("origin named outside (family.origin)", _fmt(cd["origin"]["origin_outside"]), "-"),
        ("root of linked story is its origin", _fmt(cd["origin"]["root_is_origin_article"]), "-"),
        (f"origin credit [{cd['origin_credit']['measure']}]", _fmt(cd["origin_credit"]), "-"),
        ("  of which not produced", cd["origin_credit"]["not_produced"], "-"),
        ("seconds", cd["seconds"], ds["seconds"]),
    ]
    for name, a, b in rows:
        table.add_row(name, str(a), str(b))
    Console().print(table)
    print(f"{len(result['failures'])} failures listed in bench/realworld/FAILURES.md")


if __name__ == "__main__":
    raise SystemExit(main())

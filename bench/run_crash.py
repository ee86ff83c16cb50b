"""kill -9 during ingest and scan, N times at random moments; then check the store.

Invented articles (the demo corpus repeated under new ids, so scans find reuse) are
ingested by ``copydesk ingest`` and scanned by ``copydesk scan``, each killed with SIGKILL
after a random delay; after every kill the store must pass ``PRAGMA integrity_check``, and
once everything has run to the end it must hold every article exactly once, no pair twice,
and give exactly the verdicts of a store built from the same file without interruption.

    python bench/run_crash.py --kills 20

Only runs that were still going when the signal came count as kills (a run that ended
before its delay is reported as finished).
"""

from __future__ import annotations

import argparse
import json
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from copydesk.demo import ARTICLES


def corpus(path: Path, copies: int) -> int:
    base = [json.loads(line) for line in ARTICLES.read_text(encoding="utf-8").splitlines()]
    with path.open("w", encoding="utf-8") as out:
        for k in range(copies):
            for record in base:
                out.write(json.dumps({**record, "id": f"{record['id']}~{k}"}) + "\n")
    return copies * len(base)


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "copydesk", *args]


def check(db: Path) -> tuple[str, int, int, int]:
    con = sqlite3.connect(db)
    try:
        integrity = con.execute("PRAGMA integrity_check").fetchone()[0]
        articles = con.execute("SELECT count(*) FROM articles").fetchone()[0]
        ids = con.execute("SELECT count(DISTINCT id) FROM articles").fetchone()[0]
        dup_pairs = con.execute(
            "SELECT count(*) FROM (SELECT copy, source FROM matches"
            " GROUP BY copy, source HAVING count(*) > 1)"
        ).fetchone()[0]
    finally:
        con.close()
    return integrity, articles, ids, dup_pairs


def verdicts(db: Path) -> list[str]:
    out = subprocess.run(
        command("verdicts", "--db", str(db), "--json", "--include-same-outlet"),
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    return sorted(out.splitlines())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--copies", type=int, default=40)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="copydesk-crash-") as tmp:
        data, db = Path(tmp) / "a.jsonl", Path(tmp) / "crash.db"
        expected = corpus(data, args.copies)
        ingest = command("ingest", "--db", str(db), "--workers", "1", str(data))
        scan = command("scan", "--db", str(db), "--workers", "1", "--json")
        survived = bad = 0
        killed_runs: Counter[str] = Counter()
        n = 0
        while sum(killed_runs.values()) < args.kills and n < 4 * args.kills:
            # ingest and scan in turn, until --kills runs were killed part-way
            cmd = ingest if n % 2 == 0 else scan
            n += 1
            proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(rng.uniform(0.5, 6.0))
            killed = proc.poll() is None
            if killed:
                proc.send_signal(signal.SIGKILL)
                killed_runs[cmd[3]] += 1
            proc.wait()
            if db.exists():
                integrity = check(db)[0]
                ok = integrity == "ok"
                survived += ok and killed
                bad += not ok
                state = "killed" if killed else "finished"
                print(f"{n}: {state} {cmd[3]}: {integrity}", flush=True)
        subprocess.run(ingest, check=False, capture_output=True)
        subprocess.run(scan, check=False, capture_output=True)
        integrity, articles, ids, dup_pairs = check(db)
        clean = Path(tmp) / "clean.db"
        subprocess.run([*ingest[:5], str(clean), *ingest[6:]], check=True, capture_output=True)
        subprocess.run([*scan[:5], str(clean), *scan[6:]], check=True, capture_output=True)
        got, want = verdicts(db), verdicts(clean)
        print(
            json.dumps(
                {
                    "kills": dict(killed_runs),
                    "survived": survived,
                    "corrupt": bad,
                    "integrity": integrity,
                    "expected_articles": expected,
                    "articles": articles,
                    "lost_articles": expected - ids,
                    "duplicated_articles": articles - ids,
                    "duplicate_pairs": dup_pairs,
                    "verdicts": len(got),
                    "verdicts_differing_from_a_clean_run": len(set(got) ^ set(want)),
                }
            )
        )
        lost_or_doubled = articles != expected or ids != expected or dup_pairs
        return 1 if bad or integrity != "ok" or lost_or_doubled or got != want else 0


if __name__ == "__main__":
    raise SystemExit(main())

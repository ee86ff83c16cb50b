"""The real-world set's manifest and benchmark: labels are consistent, the benchmark skips
cleanly without the (git-ignored) text cache, and its measures behave on invented data."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"
for _p in (BENCH, BENCH / "realworld"):
    if str(_p) not in sys.path:
        sys.path.insert(0, str(_p))

import dataset  # noqa: E402


def test_manifest_is_labelled_consistently() -> None:
    versions = dataset.load_manifest()
    assert len(versions) >= 30
    stories = {v.story for v in versions}
    multi = [s for s in stories if sum(v.story == s for v in versions) >= 2]
    assert len(multi) >= 25
    for v in versions:
        assert v.url.startswith("http"), v.id
        assert v.first_words, f"{v.id}: first_words missing (run rebuild.py freeze)"
        if v.role == "copy":
            assert v.origin_outlet, v.id
    banned = ("belarus", "russia", "ukrain", "louvre", "miss-world", "mar-a-lago", "upamecano")
    for v in versions:
        assert not any(b in (v.url + v.story).lower() for b in banned), v.id


def test_malformed_manifest_line_names_its_line(tmp_path: Path) -> None:
    bad = tmp_path / "m.jsonl"
    good = {
        "id": "a",
        "story": "s",
        "set": "families",
        "url": "http://x",
        "outlet": "x",
        "role": "copy",
        "origin_credit": "maybe",
        "language": "en",
    }
    bad.write_text(json.dumps(good) + "\n")
    with pytest.raises(ValueError, match=r"m.jsonl:1: .*origin_credit"):
        dataset.load_manifest(bad)


def test_benchmark_skips_without_cache(tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, str(BENCH / "run_realworld.py"), "--cache", str(tmp_path / "none")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert "skipped: no cached texts" in run.stdout


def test_linking_measures_on_invented_versions() -> None:
    import run_realworld as rw

    def v(i: str, story: str, role: str = "copy", kind: str = "families") -> dataset.Version:
        return dataset.Version(
            i,
            story,
            kind,
            "http://x/" + i,
            "x",
            role,
            "Wire",
            "absent" if role == "copy" else None,
            None,
            None,
            "en",
            "w",
        )

    versions = [
        v("a1", "a"),
        v("a2", "a"),
        v("b1", "b#t1"),
        v("b2", "b#t2"),
        v("c", "c", "independent"),
        v("r", "a", kind="rewrite"),
    ]
    pairs = {("a1", "a2"), ("b1", "b2"), ("a2", "r")}
    out = rw.linking(versions, pairs)
    assert out["false_link_count"] == 0  # takes of one running story may link
    assert out["rewrites_linked"] == {"linked": 1, "of": 1, "share": 1.0}
    out = rw.linking(versions, pairs | {("a1", "c")})
    assert out["false_links"] == [["a1", "c"]]
    assert out["family_ari"] < 1.0

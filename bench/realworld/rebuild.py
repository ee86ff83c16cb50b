"""Rebuild or check the text cache of the real-world set (texts stay out of the repository).

    python bench/realworld/rebuild.py fetch     # fetch every URL, extract the text, cache it
    python bench/realworld/rebuild.py check     # which cached texts are missing or differ
    python bench/realworld/rebuild.py freeze    # write first_words from the cache (curators)

``fetch`` needs the live web and trafilatura (a copydesk dependency); a page that has moved or
whose text no longer starts with the manifest's ``first_words`` is reported, not cached over
a good text. Where the live web is out of reach, README.md says how to rebuild the cache from
stored copies of the pages.
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dataset import CACHE, MANIFEST, Version, cached_text, first_words, load_manifest

USER_AGENT = "copydesk-realworld-rebuild/1 (+bench/realworld/README.md)"


def fetch_text(url: str, timeout: float = 30.0) -> str | None:
    import trafilatura

    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        html = response.read().decode("utf-8", errors="replace")
    return trafilatura.extract(html, include_comments=False, favor_recall=True)


def matches(version: Version, text: str) -> bool:
    """Whether ``text`` holds the version's opening words (pages gain furniture over time)."""
    if not version.first_words:
        return True
    return version.first_words in first_words(text, 400)


def fetch(versions: list[Version], cache: Path, force: bool) -> int:
    cache.mkdir(parents=True, exist_ok=True)
    bad = 0
    for v in versions:
        if not force and cached_text(v, cache) is not None:
            continue
        try:
            text = fetch_text(v.url)
        except Exception as exc:
            print(f"{v.id}: fetch failed: {exc}")
            bad += 1
            continue
        if not text or not matches(v, text):
            print(f"{v.id}: the page no longer holds the labelled text ({v.url})")
            bad += 1
            continue
        if v.first_words:  # start where the labelled text starts
            words = text.split()
            head = v.first_words.split()[0]
            for i, w in enumerate(words):
                if head in w:
                    text = " ".join(words[i:])
                    break
        (cache / f"{v.id}.txt").write_text(text, encoding="utf-8")
        print(f"{v.id}: cached")
    return bad


def check(versions: list[Version], cache: Path) -> int:
    bad = 0
    for v in versions:
        text = cached_text(v, cache)
        if text is None:
            print(f"{v.id}: missing")
            bad += 1
        elif v.first_words and first_words(text) != v.first_words:
            print(f"{v.id}: differs (expected to start {v.first_words!r})")
            bad += 1
    print(f"{len(versions) - bad} of {len(versions)} cached texts present and matching")
    return bad


def freeze(cache: Path) -> None:
    lines = []
    for line in MANIFEST.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        obj = json.loads(line)
        path = cache / f"{obj['id']}.txt"
        if path.is_file():
            obj["first_words"] = first_words(path.read_text(encoding="utf-8"))
        lines.append(json.dumps(obj, ensure_ascii=False))
    MANIFEST.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=("fetch", "check", "freeze"))
    parser.add_argument("--cache", type=Path, default=CACHE)
    parser.add_argument("--force", action="store_true", help="fetch: refetch cached texts too")
    args = parser.parse_args(argv)
    if args.action == "freeze":
        freeze(args.cache)
        return 0
    versions = load_manifest(MANIFEST)
    bad = (
        fetch(versions, args.cache, args.force)
        if args.action == "fetch"
        else check(versions, args.cache)
    )
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())

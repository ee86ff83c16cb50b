"""Realistic larger corpora for the scale benchmark, made from the real BBC + Reuters text.

``SynthCorpus(n)`` yields ``n`` copydesk ``Article``s, streaming: article ``i`` is a pure
function of ``(seed, i)``, so nothing but the real text (~20 MB) is held in memory and
a planted copy regenerates its source instead of remembering it.

Each **original** synthetic article (about 95% of them):

- has 3-8 paragraphs, each shaped like a real paragraph drawn from a different real
  article (BBC paragraphs are split on blank lines, Reuters paragraphs on their indented
  first lines; paragraphs under 8 words are not used): it has as many sentences as that
  paragraph, but each sentence is drawn from anywhere in the real text;
- renames: every number gets new digits and every capitalised word inside a sentence
  becomes another name met in the corpus (the same sentences tell of other people);
- perturbs about 1 word in 4 (``PERTURB``): a word with a digit gets new digits, any other
  word is swapped for a word of another of its paragraphs;
- is published by one of 200 invented outlets (``OUTLETS``, domains and names made of word
  lists, e.g. ``harbourledger.net`` / "The Harbour Ledger") at a time over two years
  (2024-01-01 to 2025-12-31), rising with ``i`` so later articles are later.

**Planted copies** (about 5%, ``COPY_RATE``), each of an earlier synthetic article ``j``
(``i - j`` is 1 + an exponential lag of mean 300 articles, i.e. recent news), published
5 minutes to a few hours after ``j``, by another outlet:

- ``duplicate`` (2 in 5 copies): the whole text of ``j`` with 1 word in 40 edited, a
  credit line naming ``j``'s outlet ("Originally published by ...") in a third of them;
- ``partial`` (3 in 5 copies): 40-80% of ``j``'s paragraphs, in order, plus 1-3 fresh
  paragraphs (drawn as for an original) placed before, between or after them.

``article.extra`` records ``{"planted": kind, "source": id of j, "source_words": words of
the copy taken from j}`` for copies (and ``{"planted": "original"}`` otherwise) so a runner
can check what was found.

Why sentences and not whole paragraphs: there are only ~130k distinct real sentences in
~88k paragraphs, and each is reused about ``n * 7.5 / 130k`` times (~12 at 200k, ~58 at
1M). Two originals that drew the same *paragraph* would share 40-60 words, a genuine
partial copy found by any reuse detector; with whole paragraphs recombined, chance overlaps
of that kind grew with the square of the corpus (about 200k of them at 200k articles,
against 10k planted copies) and turned the larger tiers into a stress test of unrelated
articles copying each other, which news collections are not. A shared *sentence*,
independently perturbed in each article, is what unrelated news stories do share (a stock
phrase, a quoted line) and stays below the length that copydesk reports. 1 word in 4 is
perturbed so that two uses of one sentence rarely keep a 5-word run in common (a 5-word
shingle survives in both with chance (3/4)^10, about 6%): with 1 in 6 (16%), at 20k
articles the scan compared 4,060 candidates instead of 1,496 for the same 1,065 verified
pairs, and the surplus grows with the square of the corpus. ``--unit paragraph --perturb
0.1667`` gives back the old workload as a stress test. The real text is read at run time
only; nothing generated here is written into the repository.

``python bench/synth.py --n 20000`` prints the generator's speed and the planted counts.
"""

from __future__ import annotations

import argparse
import math
import random
import re
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
SRC = BENCH_DIR.parent / "src"
if SRC.is_dir() and str(SRC) not in sys.path:  # runs from a checkout without installing too
    sys.path.insert(0, str(SRC))

from copydesk.model import Article  # noqa: E402
from copydesk.reading.corpora import SHARED_CORPORA, read_bbc, read_reuters  # noqa: E402

SEED = 20261125
PERTURB = 1 / 4  # share of words perturbed in an original (beyond names and figures)
COPY_EDIT = 1 / 40  # share of words edited in a duplicate
COPY_RATE = 0.05  # share of articles that are planted copies
DUPLICATE_SHARE = 0.4  # of the copies: whole-text duplicates; the rest are partial
MEAN_LAG = 300  # mean distance (in articles) from a copy back to its source
MIN_PARAGRAPH_WORDS = 8
MIN_SENTENCE_WORDS = 5
UNITS = ("sentence", "paragraph")  # what an original recombines (see the module notes)
START = datetime(2024, 1, 1, tzinfo=UTC)
SPAN = timedelta(days=731)

_PREFIXES = (
    "harbour", "north", "metro", "capital", "valley", "daily", "evening", "morning", "city",
    "coast", "county", "river", "summit", "prairie", "lakeside", "union", "liberty", "pioneer",
    "frontier", "granite",
)  # fmt: skip
_SUFFIXES = (
    "ledger", "post", "herald", "courier", "tribune", "gazette", "dispatch", "chronicle",
    "observer", "sentinel",
)  # fmt: skip
_TLDS = ("com", "net", "co.uk", "org", "news", "info", "com.au", "ie", "ca", "io")


def _outlets() -> list[tuple[str, str]]:
    """200 invented outlets: (domain, name), e.g. ('harbourledger.com', 'The Harbour Ledger')."""
    out = []
    for i, prefix in enumerate(_PREFIXES):
        for j, suffix in enumerate(_SUFFIXES):
            tld = _TLDS[(i * 3 + j) % len(_TLDS)]
            out.append((f"{prefix}{suffix}.{tld}", f"The {prefix.title()} {suffix.title()}"))
    return out


OUTLETS: list[tuple[str, str]] = _outlets()

_PARA_BREAK = re.compile(r"\n\s*\n|\n(?=[ \t]{2,}\S)")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'(])")
_DIGIT = re.compile(r"\d")


@dataclass(slots=True)
class ParagraphPool:
    """The real paragraphs, grouped by the real article they come from."""

    paragraphs: list[str]
    starts: list[int]  # paragraphs of article a: paragraphs[starts[a]:starts[a + 1]]
    names: list[str]  # capitalised words met inside sentences (people, places, firms)
    sentences: list[str]  # every sentence of the paragraphs found once (stock lines left out)
    sentence_counts: list[int]  # sentences in each paragraph

    @property
    def articles(self) -> int:
        return len(self.starts) - 1

    def chars(self) -> int:
        return sum(len(p) for p in self.paragraphs)


def split_paragraphs(text: str) -> list[str]:
    """Paragraphs of one real article, each on one line (wrapped lines are joined)."""
    out = []
    for block in _PARA_BREAK.split(text):
        words = block.split()
        if len(words) >= MIN_PARAGRAPH_WORDS:
            out.append(" ".join(words))
    return out


def load_pool(root: Path | str | None = None) -> ParagraphPool:
    by_article = [
        split_paragraphs(article.text)
        for source in (read_bbc(root), read_reuters(root))
        for article in source
    ]
    # Paragraphs found twice (digits and punctuation aside: Reuters' templated earnings
    # lines, stories filed twice) would make synthetic originals copies of each other.
    seen = Counter(_shape(p) for found in by_article for p in found)
    paragraphs: list[str] = []
    starts = [0]
    for found in by_article:
        unique = [p for p in found if seen[_shape(p)] == 1]
        if unique:
            paragraphs.extend(unique)
            starts.append(len(paragraphs))
    split = [_SENTENCE.split(p) for p in paragraphs]
    seen_sentences = Counter(_shape(x) for found in split for x in found)
    sentences = [
        x
        for found in split
        for x in found
        if seen_sentences[_shape(x)] == 1 and len(x.split(" ")) >= MIN_SENTENCE_WORDS
    ]
    return ParagraphPool(
        paragraphs, starts, _names(paragraphs), sentences, [len(found) for found in split]
    )


_NOT_WORD = re.compile(r"[\d\W_]+")


def _shape(paragraph: str) -> str:
    return _NOT_WORD.sub(" ", paragraph.lower()).strip()


def _names(paragraphs: list[str]) -> list[str]:
    """Capitalised words that do not open a sentence, each once, sorted (deterministic)."""
    found: set[str] = set()
    for paragraph in paragraphs:
        words = paragraph.split(" ")
        for prev, word in pairwise(words):
            if _is_name(word) and prev[-1:] not in ".!?\"'":
                found.add(word)
    return sorted(found)


def _is_name(word: str) -> bool:
    return len(word) > 2 and word[0].isupper() and word[1:].isalpha() and word[1:].islower()


@dataclass(slots=True)
class _Plan:
    kind: str  # original, duplicate, partial
    source: int | None
    outlet: int
    published: datetime


class SynthCorpus:
    """``n`` synthetic articles; iterate for all of them, ``article(i)`` for one."""

    def __init__(
        self,
        n: int,
        pool: ParagraphPool | None = None,
        *,
        root: Path | str | None = None,
        seed: int = SEED,
        perturb: float = PERTURB,
        unit: str = "sentence",
    ) -> None:
        if unit not in UNITS:
            raise ValueError(f"unit must be one of {', '.join(UNITS)}, not {unit!r}")
        self.n = n
        self.perturb = perturb
        self.unit = unit
        self.pool = pool if pool is not None else load_pool(root or SHARED_CORPORA)
        self.seed = seed
        self._slot = SPAN / max(n, 1)

    def __len__(self) -> int:
        return self.n

    def __iter__(self) -> Iterator[Article]:
        for i in range(self.n):
            yield self.article(i)

    # --- one article ---------------------------------------------------------------------

    def _rng(self, i: int, salt: int = 0) -> random.Random:
        return random.Random((self.seed * 1_000_003 + i) * 7 + salt)

    def _plan(self, i: int) -> _Plan:
        rng = self._rng(i, salt=1)
        outlet = rng.randrange(len(OUTLETS))
        own_time = START + self._slot * (i + rng.random())
        if i == 0 or rng.random() >= COPY_RATE:
            return _Plan("original", None, outlet, own_time)
        source = max(0, i - 1 - int(rng.expovariate(1 / MEAN_LAG)))
        kind = "duplicate" if rng.random() < DUPLICATE_SHARE else "partial"
        source_plan = self._plan(source)
        if outlet == source_plan.outlet:
            outlet = (outlet + 1 + rng.randrange(len(OUTLETS) - 1)) % len(OUTLETS)
        lag = timedelta(minutes=5 + rng.expovariate(1 / 180))
        return _Plan(kind, source, outlet, source_plan.published + lag)

    def _paragraphs(self, i: int) -> list[str]:
        """The paragraphs of article ``i`` (an original's, or a copy's as changed)."""
        plan = self._plan(i)
        rng = self._rng(i, salt=2)
        if plan.kind == "original" or plan.source is None:
            return self._fresh(rng, rng.randint(3, 8))
        source = self._paragraphs(plan.source)
        if plan.kind == "duplicate":
            out = [_perturb(p, rng, COPY_EDIT, source) for p in source]
            if rng.random() < 1 / 3:
                name = OUTLETS[self._plan(plan.source).outlet][1]
                out.append(f"Originally published by {name}.")
            return out
        keep = max(1, round(len(source) * rng.uniform(0.4, 0.8)))
        start = rng.randrange(len(source) - keep + 1)
        out = source[start : start + keep]
        for paragraph in self._fresh(rng, rng.randint(1, 3)):
            out.insert(rng.randrange(len(out) + 1), paragraph)
        return out

    def _fresh(self, rng: random.Random, count: int) -> list[str]:
        pool = self.pool
        drawn = [
            rng.randrange(pool.starts[a], pool.starts[a + 1])
            for a in rng.sample(range(pool.articles), count)
        ]
        if self.unit == "sentence":
            sentences = pool.sentences
            chosen = [
                " ".join(
                    sentences[rng.randrange(len(sentences))] for _ in range(pool.sentence_counts[k])
                )
                for k in drawn
            ]
        else:
            chosen = [pool.paragraphs[k] for k in drawn]
        out = [_perturb(p, rng, self.perturb, chosen, pool.names) for p in chosen]
        if self.unit == "sentence":
            return out  # sentence order is already random
        which = rng.randrange(len(out))
        sentences = _SENTENCE.split(out[which])
        if len(sentences) > 1:
            rng.shuffle(sentences)
            out[which] = " ".join(sentences)
        return out

    def article(self, i: int) -> Article:
        plan = self._plan(i)
        paragraphs = self._paragraphs(i)
        domain, name = OUTLETS[plan.outlet]
        title_words = paragraphs[0].split()[:9]
        extra: dict[str, object] = {"planted": plan.kind}
        if plan.source is not None:
            extra["source"] = synth_id(plan.source)
            taken = set(self._paragraphs(plan.source)) if plan.kind == "partial" else None
            extra["source_words"] = sum(
                len(p.split()) for p in paragraphs if taken is None or p in taken
            )
        return Article(
            id=synth_id(i),
            text="\n\n".join(paragraphs),
            url=f"https://www.{domain}/news/{i}",
            outlet=domain,
            published=plan.published,
            title=" ".join(title_words),
            outlet_name=name,
            extra=extra,
        )


def synth_id(i: int) -> str:
    return f"syn/{i:07d}"


def _perturb(
    paragraph: str,
    rng: random.Random,
    rate: float,
    others: list[str],
    names: list[str] | None = None,
) -> str:
    """About ``rate`` of the words changed: new digits, or a word of another paragraph.

    With ``names``, every number gets new digits and every capitalised word inside a
    sentence becomes a name drawn from ``names`` too (the same name for the same word
    throughout the paragraph): the same sentences then tell of other people and figures.
    """
    words = paragraph.split(" ")
    n = len(words)
    if n == 0:
        return paragraph
    if names:
        renamed: dict[str, str] = {}
        for k in range(1, n):
            word = words[k]
            if _DIGIT.search(word):
                words[k] = _DIGIT.sub(lambda _m: str(rng.randrange(10)), word)
            elif _is_name(word) and words[k - 1][-1:] not in ".!?\"'":
                if word not in renamed:
                    renamed[word] = names[rng.randrange(len(names))]
                words[k] = renamed[word]
    # Positions to change: geometric gaps, so the cost is per change, not per word.
    log_keep = math.log(1 - rate)
    pos = int(math.log(1 - rng.random()) / log_keep)
    donors = [o for o in others if o is not paragraph] or others
    while pos < n:
        word = words[pos]
        if _DIGIT.search(word):
            words[pos] = _DIGIT.sub(lambda _m: str(rng.randrange(10)), word)
        else:
            donor = rng.choice(donors).split(" ")
            words[pos] = donor[rng.randrange(len(donor))]
        pos += 1 + int(math.log(1 - rng.random()) / log_keep)
    return " ".join(words)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Speed and planted counts of the generator")
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--corpora", type=Path, default=None)
    parser.add_argument("--perturb", type=float, default=PERTURB)
    parser.add_argument("--unit", choices=UNITS, default="sentence")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    pool = load_pool(args.corpora or SHARED_CORPORA)
    loaded = time.perf_counter() - start
    print(
        f"pool: {len(pool.paragraphs):,} paragraphs from {pool.articles:,} real articles, "
        f"{len(pool.sentences):,} sentences, {pool.chars() / 1e6:.1f} M chars, "
        f"loaded in {loaded:.1f} s"
    )
    kinds: Counter[str] = Counter()
    words = 0
    start = time.perf_counter()
    for article in SynthCorpus(args.n, pool, perturb=args.perturb, unit=args.unit):
        kinds[str(article.extra["planted"])] += 1
        words += len(article.text.split())
    took = time.perf_counter() - start
    print(
        f"{args.n:,} articles, {words:,} words in {took:.1f} s ({args.n / took:,.0f} articles/s); "
        f"planted: {dict(kinds)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Seed-and-extend alignment over word trigrams.

1. Seeds: every word trigram the two texts share (a trigram repeated many times is paired
   occurrence by occurrence, so repetitive text cannot explode the seed count).
2. Runs: seeds on one diagonal, allowing a few missing seeds (a changed word breaks the
   trigrams around it but not the run).
3. Chains: runs joined across small gaps (a promo line or caption inserted, a sentence
   dropped, words replaced), so one copied stretch comes out as one passage. Paragraphs
   moved elsewhere start passages of their own.
4. Clean-up: passages that overlap a better one on either side are dropped.
5. Rewording: two passages in the same order in both texts, with a stretch between them
   on each side that is still similar word for word (a sentence reworded, too changed to
   seed a run), become one; the rest get character offsets, widened over adjacent
   punctuation and quotes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from rapidfuzz.distance import Indel

from copydesk.fingerprint.shingles import shingle_hashes
from copydesk.model import Passage
from copydesk.text.tokens import Tokens


@dataclass(slots=True, frozen=True)
class AlignParams:
    k: int = 3  # words per seed
    max_repeat: int = 3  # trigrams more frequent than this are paired by occurrence rank
    run_slack: int = 2  # missing seeds tolerated inside a run (beyond the k-1 a change costs)
    min_run_words: int = 4  # shorter runs are chance matches
    max_gap: int = 30  # words inserted or dropped on one side inside one passage
    max_both_gap: int = 12  # words replaced on both sides inside one passage
    min_passage_words: int = 8  # matched words a passage needs to be kept
    max_reworded_gap: int = 40  # words on each side of a reworded stretch between passages
    min_reworded_similarity: float = 0.5  # word-level similarity of such a stretch's sides


DEFAULT = AlignParams()


@dataclass(slots=True)
class Span:
    """One passage in word indices (end exclusive) and the words that matched in it."""

    a_start: int
    a_end: int
    b_start: int
    b_end: int
    matched: int


@dataclass(slots=True)
class Alignment:
    passages: list[Passage]
    spans: list[Span]  # the same passages in word indices
    a_words: int
    b_words: int

    @property
    def a_covered(self) -> int:
        return sum(s.a_end - s.a_start for s in self.spans)

    @property
    def b_covered(self) -> int:
        return sum(s.b_end - s.b_start for s in self.spans)

    @property
    def matched(self) -> int:
        return sum(s.matched for s in self.spans)

    def swapped(self) -> Alignment:
        """The same alignment seen from the other text."""
        return Alignment(
            passages=sorted(
                (
                    Passage(
                        p.source_start, p.source_end, p.article_start, p.article_end, p.similarity
                    )
                    for p in self.passages
                ),
                key=lambda p: p.article_start,
            ),
            spans=sorted(
                (Span(s.b_start, s.b_end, s.a_start, s.a_end, s.matched) for s in self.spans),
                key=lambda s: s.a_start,
            ),
            a_words=self.b_words,
            b_words=self.a_words,
        )

    @property
    def a_coverage(self) -> float:
        return self.a_covered / self.a_words if self.a_words else 0.0

    @property
    def b_coverage(self) -> float:
        return self.b_covered / self.b_words if self.b_words else 0.0


@dataclass(slots=True, frozen=True)
class Seeds:
    """A text's k-word hashes in word order, the stable order that sorts them, sorted."""

    hashes: np.ndarray
    order: np.ndarray
    sorted: np.ndarray


def seeds_of(t: Tokens, k: int) -> Seeds:
    """``t``'s k-word hashes, computed once per text (kept in ``t.cache``)."""
    found = t.cache.get(k)
    if found is None:
        h = shingle_hashes(t.hashes, k)
        order = np.argsort(h, kind="stable")
        found = t.cache[k] = Seeds(h, order, h[order])
    return found


def _seeds(ah: np.ndarray, b: Seeds, max_repeat: int) -> tuple[np.ndarray, np.ndarray]:
    """All (i, j) with ah[i] == b.hashes[j]; frequent hashes paired by occurrence rank."""
    order_b, sb = b.order, b.sorted
    lo = np.searchsorted(sb, ah, "left")
    cnt = np.searchsorted(sb, ah, "right") - lo

    sel = np.flatnonzero((cnt >= 1) & (cnt <= max_repeat))
    reps = cnt[sel]
    i_few = np.repeat(sel, reps)
    first = np.repeat(np.cumsum(reps) - reps, reps)
    j_few = order_b[np.repeat(lo[sel], reps) + (np.arange(i_few.size) - first)]

    freq = np.flatnonzero(cnt > max_repeat)
    if freq.size == 0:
        return i_few, j_few
    # Rank of each frequent position among the equal hashes of ``a`` (positions ascend).
    hf = ah[freq]
    order = np.lexsort((freq, hf))
    hs = hf[order]
    starts = np.flatnonzero(np.r_[True, hs[1:] != hs[:-1]])
    rank_sorted = np.arange(hs.size) - np.repeat(starts, np.diff(np.r_[starts, hs.size]))
    rank = np.empty_like(rank_sorted)
    rank[order] = rank_sorted
    ok = rank < cnt[freq]
    i_rep = freq[ok]
    j_rep = order_b[lo[freq][ok] + rank[ok]]
    i_all = np.concatenate([i_few, i_rep])
    j_all = np.concatenate([j_few, j_rep])
    return i_all, j_all


def _runs(i: np.ndarray, j: np.ndarray, k: int, p: AlignParams) -> list[Span]:
    """Seeds grouped along diagonals; each run remembers how many words it matched."""
    if i.size == 0:
        return []
    d = j - i
    order = np.lexsort((i, d))
    i, d = i[order], d[order]
    step = np.diff(i)
    brk = np.r_[True, (np.diff(d) != 0) | (step > k + p.run_slack)]
    run_id = np.cumsum(brk) - 1
    # Words matched by a seed: k, less the overlap with the next seed of the same run.
    gain = np.full(i.size, k, dtype=np.int64)
    same_next = ~brk[1:]
    gain[:-1][same_next] = np.minimum(step[same_next], k)
    matched = np.bincount(run_id, weights=gain).astype(np.int64)
    starts = np.flatnonzero(brk)
    ends = np.r_[starts[1:], i.size] - 1
    a_s, a_e = i[starts], i[ends] + k
    dd = d[starts]
    keep = matched >= p.min_run_words
    return [
        Span(int(s), int(e), int(s + dd_), int(e + dd_), int(m))
        for s, e, dd_, m in zip(a_s[keep], a_e[keep], dd[keep], matched[keep], strict=True)
    ]


def _joinable(
    p: Span, r: Span, prm: AlignParams, k: int, a_used: np.ndarray, b_used: np.ndarray
) -> int | None:
    """The cost of extending passage ``p`` with run ``r``, or None if they don't belong.

    ``a_used``/``b_used`` mark the words some substantial run matches: a gap that is mostly
    such words is a stretch the copy moved elsewhere, not an insertion, and is not bridged.
    """
    ga = r.a_start - p.a_end
    gb = r.b_start - p.b_end
    if ga < -k - prm.run_slack or gb < -k - prm.run_slack:
        return None
    if r.a_end <= p.a_end or r.b_end <= p.b_end:
        return None
    ga, gb = max(ga, 0), max(gb, 0)
    if r.matched < prm.min_passage_words and max(ga, gb) > k + prm.run_slack:
        return None  # a short run far away is a chance match, not the copy going on
    if max(ga, gb) > prm.max_gap or min(ga, gb) > prm.max_both_gap:
        return None
    slack = k + prm.run_slack
    if ga > slack and a_used[p.a_end : r.a_start].mean() > 0.5:
        return None
    if gb > slack and b_used[p.b_end : r.b_start].mean() > 0.5:
        return None
    return ga + gb


def _moved(runs: list[Span], prm: AlignParams, na: int, nb: int) -> tuple[np.ndarray, np.ndarray]:
    """Words of each text that a substantial run matches to a stretch of the other text
    matched by nothing else: text the copy moved. A line repeated in one text (a caption
    the copy inserted twice) matches a stretch that another run matches too, so it is
    not counted as moved and a chain may bridge it."""
    big = [r for r in runs if r.matched >= prm.min_passage_words]
    a_depth = np.zeros(na + 1, dtype=np.int32)
    b_depth = np.zeros(nb + 1, dtype=np.int32)
    for r in big:
        a_depth[r.a_start] += 1
        a_depth[r.a_end] -= 1
        b_depth[r.b_start] += 1
        b_depth[r.b_end] -= 1
    a_depth, b_depth = np.cumsum(a_depth), np.cumsum(b_depth)
    a_used = np.zeros(na, dtype=bool)
    b_used = np.zeros(nb, dtype=bool)
    for r in big:
        # Mostly matched by this run alone (edges may touch a neighbouring run).
        if (b_depth[r.b_start : r.b_end] == 1).mean() > 0.5:
            a_used[r.a_start : r.a_end] = True
        if (a_depth[r.a_start : r.a_end] == 1).mean() > 0.5:
            b_used[r.b_start : r.b_end] = True
    return a_used, b_used


def _chain(runs: list[Span], prm: AlignParams, k: int, na: int, nb: int) -> list[Span]:
    runs.sort(key=lambda s: (s.a_start, s.b_start))
    a_used, b_used = _moved(runs, prm, na, nb)
    done: list[Span] = []
    open_: list[Span] = []
    for r in runs:
        still_open = []
        for p in open_:
            (still_open if p.a_end + prm.max_gap >= r.a_start else done).append(p)
        open_ = still_open
        best, best_cost = None, None
        for p in open_:
            cost = _joinable(p, r, prm, k, a_used, b_used)
            if cost is not None and (best_cost is None or cost < best_cost):
                best, best_cost = p, cost
        if best is None:
            open_.append(Span(r.a_start, r.a_end, r.b_start, r.b_end, r.matched))
        else:
            # Words both already counted: the larger overlap of the two sides.
            overlap = max(0, best.a_end - r.a_start, best.b_end - r.b_start)
            best.matched += max(0, r.matched - overlap)
            best.a_end = max(best.a_end, r.a_end)
            best.b_end = max(best.b_end, r.b_end)
    return done + open_


def _overlap(s1: int, e1: int, s2: int, e2: int) -> int:
    return max(0, min(e1, e2) - max(s1, s2))


def _trim(s: Span, t: Span) -> None:
    """Cut from ``s`` whatever overlaps ``t`` on either side, keeping its larger remainder.

    Both sides are cut by the same number of words: inside a passage the two texts run
    (nearly) in step, so this keeps the pair of ranges aligned.
    """
    for side in ("a", "b"):
        s0, s1 = getattr(s, f"{side}_start"), getattr(s, f"{side}_end")
        t0, t1 = getattr(t, f"{side}_start"), getattr(t, f"{side}_end")
        if _overlap(s0, s1, t0, t1) == 0:
            continue
        if t0 - s0 >= s1 - t1:
            cut = s1 - max(t0, s0)
            s.a_end, s.b_end = s.a_end - cut, s.b_end - cut
        else:
            cut = min(t1, s1) - s0
            s.a_start, s.b_start = s.a_start + cut, s.b_start + cut
        s.matched -= cut


def _resolve(spans: list[Span], prm: AlignParams) -> list[Span]:
    """Keep the best passages; cut from weaker ones what overlaps a better one."""
    kept: list[Span] = []
    for s in sorted(spans, key=lambda s: -s.matched):
        for t in kept:
            _trim(s, t)
            if s.a_end <= s.a_start or s.b_end <= s.b_start:
                break
        if (
            s.matched >= prm.min_passage_words
            and s.a_end - s.a_start >= prm.min_passage_words
            and s.b_end - s.b_start >= prm.min_passage_words
        ):
            kept.append(s)
    kept.sort(key=lambda s: s.a_start)
    return kept


def _bridge_reworded(spans: list[Span], a: Tokens, b: Tokens, prm: AlignParams) -> list[Span]:
    """Join consecutive passages (``spans`` sorted by ``a_start``, not overlapping) whose
    gaps are, on both sides, short and similar word for word: a reworded stretch, not
    other text. Nothing else may lie between them in ``b`` (a moved paragraph there)."""
    out: list[Span] = []
    for s in spans:
        p = out[-1] if out else None
        if p is not None and _reworded(p, s, spans, a, b, prm):
            p.a_end, p.b_end, p.matched = s.a_end, s.b_end, p.matched + s.matched
        else:
            out.append(s)
    return out


def _reworded(p: Span, s: Span, spans: list[Span], a: Tokens, b: Tokens, prm: AlignParams) -> bool:
    ga, gb = s.a_start - p.a_end, s.b_start - p.b_end
    if not (0 < ga <= prm.max_reworded_gap and 0 < gb <= prm.max_reworded_gap):
        return False
    if any(_overlap(t.b_start, t.b_end, p.b_end, s.b_start) for t in spans):
        return False
    similarity = Indel.normalized_similarity(
        a.hashes[p.a_end : s.a_start].tolist(), b.hashes[p.b_end : s.b_start].tolist()
    )
    return similarity >= prm.min_reworded_similarity


_OPENERS = set("\"'“‘«([")
_CLOSERS = set("\"'”’».,;:!?)]…")


def _widen(text: str, start: int, end: int) -> tuple[int, int]:
    """Take in the punctuation and quotes that hug a passage's first and last words."""
    n = 0
    while start > 0 and text[start - 1] in _OPENERS and n < 2:
        start, n = start - 1, n + 1
    n = 0
    while end < len(text) and text[end] in _CLOSERS and n < 3:
        end, n = end + 1, n + 1
    return start, end


def _similarity(a: Tokens, b: Tokens, s: Span) -> float:
    return float(
        Indel.normalized_similarity(
            a.hashes[s.a_start : s.a_end].tolist(), b.hashes[s.b_start : s.b_end].tolist()
        )
    )


def align(
    a_text: str, a: Tokens, b_text: str, b: Tokens, params: AlignParams = DEFAULT
) -> Alignment:
    """Align text ``a`` (the copy) with text ``b`` (the source).

    Chains are built in one text's word order, so the two texts always take their roles
    in a fixed order (the longer one first, then by content): ``align(a, b)`` is exactly
    ``align(b, a).swapped()``, and a verdict never depends on which article was met first.
    """
    if _leads(b, a):
        return align(b_text, b, a_text, a, params).swapped()
    k = max(1, min(params.k, len(a), len(b)))
    if len(a) == 0 or len(b) == 0:
        return Alignment([], [], len(a), len(b))
    params = _short_ok(params, len(a), len(b))
    i, j = _seeds(seeds_of(a, k).hashes, seeds_of(b, k), params.max_repeat)
    spans = _resolve(_chain(_runs(i, j, k, params), params, k, len(a), len(b)), params)
    spans = _bridge_reworded(spans, a, b, params)
    passages = []
    for s in spans:
        a0, a1 = _widen(a_text, int(a.starts[s.a_start]), int(a.ends[s.a_end - 1]))
        b0, b1 = _widen(b_text, int(b.starts[s.b_start]), int(b.ends[s.b_end - 1]))
        passages.append(Passage(a0, a1, b0, b1, _similarity(a, b, s)))
    return Alignment(passages, spans, len(a), len(b))


def shared_words(a: Tokens, b: Tokens, params: AlignParams = DEFAULT) -> int:
    """An upper bound on the words any alignment of ``a`` and ``b`` matches: the words of
    either text inside a seed k-gram the other text has too. Far cheaper than aligning, so
    pairs that cannot reach a verdict's minimum are not aligned at all."""
    k = max(1, min(params.k, len(a), len(b)))
    if len(a) == 0 or len(b) == 0:
        return 0
    sa, sb = seeds_of(a, k), seeds_of(b, k)
    return max(
        _covered(_found_in(sa.hashes, sb.sorted), k, len(a)),
        _covered(_found_in(sb.hashes, sa.sorted), k, len(b)),
    )


def _found_in(values: np.ndarray, sorted_values: np.ndarray) -> np.ndarray:
    at = np.searchsorted(sorted_values, values).clip(max=sorted_values.size - 1)
    return sorted_values[at] == values


def _covered(hit: np.ndarray, k: int, n: int) -> int:
    """Words inside at least one of the k-grams marked in ``hit``."""
    return int(np.count_nonzero(np.convolve(hit, np.ones(k, dtype=np.int32))[:n]))


def _leads(x: Tokens, y: Tokens) -> bool:
    """Whether ``x`` takes the first role when aligned with ``y`` (a total order)."""
    if len(x) != len(y):
        return len(x) > len(y)
    return x.hashes.tobytes() < y.hashes.tobytes()


def _short_ok(params: AlignParams, na: int, nb: int) -> AlignParams:
    """Very short texts (a headline-sized item) may align in full below the usual minimum."""
    floor = min(na, nb)
    if floor >= params.min_passage_words:
        return params
    return replace(params, min_run_words=1, min_passage_words=max(1, floor))

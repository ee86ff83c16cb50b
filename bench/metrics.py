"""Pure metric functions for the labelled accuracy benchmark (``bench/run_accuracy.py``).

- pair precision / recall / F1 over unordered article pairs;
- PAN text-alignment measures (Potthast et al., "An Evaluation Framework for Plagiarism
  Detection", COLING 2010; the "detects" rule of PAN 2013): character-level precision,
  recall, granularity and plagdet = F1 / log2(1 + granularity), over passages that carry
  characters in both documents of a pair;
- the adjusted Rand index of two partitions (Hubert & Arabie 1985), written out here so the
  benchmark needs no scikit-learn;
- families (connected components) from pair lists; plain accuracy.

Everything here is a function of its arguments: no I/O, no copydesk import.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T", bound=Hashable)

Interval = tuple[int, int]  # [start, end) character offsets


# --- pairs ---------------------------------------------------------------------------------


def unordered(a: str, b: str) -> tuple[str, str]:
    """The pair (a, b) with its members in sorted order: direction-insensitive matching."""
    return (a, b) if a <= b else (b, a)


@dataclass(frozen=True, slots=True)
class PRF:
    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        return f1(self.precision, self.recall)

    def to_json(self) -> dict[str, float | int]:
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
        }


def f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def pair_prf(
    gold: Iterable[tuple[str, str]],
    predicted: Iterable[tuple[str, str]],
    ignore: Iterable[tuple[str, str]] = (),
) -> PRF:
    """Direction-insensitive pair counts; predicted pairs in ``ignore`` (and not in gold)
    count neither as true nor as false positives."""
    gold_set = {unordered(*p) for p in gold}
    pred_set = {unordered(*p) for p in predicted}
    ignore_set = {unordered(*p) for p in ignore} - gold_set
    pred_set -= ignore_set
    tp = len(gold_set & pred_set)
    return PRF(tp=tp, fp=len(pred_set) - tp, fn=len(gold_set) - tp)


def accuracy(outcomes: Iterable[bool]) -> float | None:
    """Share of True; None for no outcomes."""
    values = list(outcomes)
    return sum(values) / len(values) if values else None


# --- PAN text-alignment measures -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Span:
    """A case (gold) or detection: character intervals in both documents of one pair.

    ``pair`` names the document pair (copy id, source id as in the gold); ``copy`` is the
    interval in the copy (PAN's suspicious document), ``source`` the one in the source.
    """

    pair: tuple[str, str]
    copy: Interval
    source: Interval

    @property
    def size(self) -> int:
        return _length(self.copy) + _length(self.source)


def _length(iv: Interval) -> int:
    return max(0, iv[1] - iv[0])


def _intersect(a: Interval, b: Interval) -> Interval | None:
    start, end = max(a[0], b[0]), min(a[1], b[1])
    return (start, end) if start < end else None


def union_length(intervals: Iterable[Interval]) -> int:
    """Number of characters covered by the union of ``intervals``."""
    total = 0
    current: Interval | None = None
    for start, end in sorted(iv for iv in intervals if iv[1] > iv[0]):
        if current is None or start > current[1]:
            total += _length(current) if current else 0
            current = (start, end)
        else:
            current = (current[0], max(current[1], end))
    return total + (_length(current) if current else 0)


def detects(r: Span, s: Span) -> bool:
    """r detects s: same pair, and they share characters in both documents (PAN 2013)."""
    return (
        r.pair == s.pair
        and _intersect(r.copy, s.copy) is not None
        and _intersect(r.source, s.source) is not None
    )


def _covered(target: Span, others: Sequence[Span]) -> int:
    """|∪_o (target ⊓ o)| over the ``others`` that overlap ``target`` on both sides."""
    copy_parts: list[Interval] = []
    source_parts: list[Interval] = []
    for other in others:
        if not detects(other, target):
            continue
        copy_parts.append(_intersect(other.copy, target.copy))  # type: ignore[arg-type]
        source_parts.append(_intersect(other.source, target.source))  # type: ignore[arg-type]
    return union_length(copy_parts) + union_length(source_parts)


@dataclass(frozen=True, slots=True)
class PanScores:
    precision: float
    recall: float
    granularity: float
    cases: int
    detections: int

    @property
    def f1(self) -> float:
        return f1(self.precision, self.recall)

    @property
    def plagdet(self) -> float:
        return self.f1 / math.log2(1 + self.granularity)

    def to_json(self) -> dict[str, float | int]:
        return {
            "precision": self.precision,
            "recall": self.recall,
            "granularity": self.granularity,
            "f1": self.f1,
            "plagdet": self.plagdet,
            "cases": self.cases,
            "detections": self.detections,
        }


def _by_pair(spans: Iterable[Span]) -> dict[tuple[str, str], list[Span]]:
    out: dict[tuple[str, str], list[Span]] = {}
    for span in spans:
        if span.size > 0:
            out.setdefault(span.pair, []).append(span)
    return out


def pan_scores(cases: Iterable[Span], detections: Iterable[Span]) -> PanScores:
    """Macro-averaged PAN precision and recall, granularity and plagdet.

    prec = 1/|R| Σ_r |∪_s (s ⊓ r)| / |r|;  rec = 1/|S| Σ_s |∪_r (s ⊓ r)| / |s|;
    gran = 1/|S_R| Σ_{s ∈ S_R} |R_s| (S_R: cases detected at least once; 1 when none).
    With no detections precision is 0; with no cases recall is 0.
    """
    case_map, det_map = _by_pair(cases), _by_pair(detections)
    n_cases = sum(len(v) for v in case_map.values())
    n_dets = sum(len(v) for v in det_map.values())
    prec_sum = sum(
        _covered(r, case_map.get(pair, [])) / r.size for pair, rs in det_map.items() for r in rs
    )
    rec_sum = 0.0
    detected = hits = 0
    for pair, ss in case_map.items():
        rs = det_map.get(pair, [])
        for s in ss:
            rec_sum += _covered(s, rs) / s.size
            count = sum(detects(r, s) for r in rs)
            if count:
                detected += 1
                hits += count
    return PanScores(
        precision=prec_sum / n_dets if n_dets else 0.0,
        recall=rec_sum / n_cases if n_cases else 0.0,
        granularity=hits / detected if detected else 1.0,
        cases=n_cases,
        detections=n_dets,
    )


# --- families and the adjusted Rand index --------------------------------------------------


def families(items: Iterable[T], pairs: Iterable[tuple[T, T]]) -> dict[T, int]:
    """Connected components: item -> family number (items without pairs are singletons)."""
    parent: dict[T, T] = {item: item for item in items}

    def find(x: T) -> T:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[ra] = rb
    roots: dict[T, int] = {}
    return {item: roots.setdefault(find(item), len(roots)) for item in list(parent)}


def _comb2(n: int) -> int:
    return n * (n - 1) // 2


def adjusted_rand_index(labels_true: Sequence[Hashable], labels_pred: Sequence[Hashable]) -> float:
    """ARI of two labelings of the same items (1.0 identical partitions, ~0 chance)."""
    if len(labels_true) != len(labels_pred):
        raise ValueError("the two labelings must cover the same items")
    n = len(labels_true)
    if n < 2:
        return 1.0
    index = sum(_comb2(c) for c in Counter(zip(labels_true, labels_pred, strict=True)).values())
    sum_true = sum(_comb2(c) for c in Counter(labels_true).values())
    sum_pred = sum(_comb2(c) for c in Counter(labels_pred).values())
    expected = sum_true * sum_pred / _comb2(n)
    maximum = (sum_true + sum_pred) / 2
    if maximum == expected:  # both all singletons or both one cluster: identical partitions
        return 1.0
    return (index - expected) / (maximum - expected)


def family_ari(
    gold_pairs: Iterable[tuple[str, str]], predicted_pairs: Iterable[tuple[str, str]]
) -> tuple[float, int]:
    """ARI of the reprint families (components) of gold vs predicted pairs, over every
    article in either pair list; returns (ARI, number of articles)."""
    gold_list, pred_list = list(gold_pairs), list(predicted_pairs)
    items = sorted({x for p in gold_list + pred_list for x in p})
    gold_fam, pred_fam = families(items, gold_list), families(items, pred_list)
    return adjusted_rand_index([gold_fam[i] for i in items], [pred_fam[i] for i in items]), len(
        items
    )

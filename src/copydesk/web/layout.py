"""Geometry for the inline SVG plots: a small force layout for the outlet network and
the scales of an outlet's timeline. Deterministic: the same data gives the same picture."""

from __future__ import annotations

import math
from datetime import UTC, datetime


def force_layout(
    names: list[str],
    links: list[tuple[str, str, float]],
    *,
    width: float = 900,
    height: float = 560,
    margin: float = 60,
    radii: dict[str, float] | None = None,
    iterations: int = 400,
) -> dict[str, tuple[float, float]]:
    """Fruchterman–Reingold positions in pixels inside ``width`` x ``height`` (``margin``
    kept free), with circles of ``radii`` kept apart and a pull to the centre that keeps
    separate groups together. Nodes start on a circle in the given order, so the same
    input always gives the same picture."""
    n = len(names)
    if n == 0:
        return {}
    cx, cy = width / 2, height / 2
    if n == 1:
        return {names[0]: (cx, cy)}
    radii = radii or {}
    rad = [radii.get(name, 10.0) for name in names]
    spread = min(width, height) / 2 - margin
    pos = [
        [cx + math.cos(2 * math.pi * i / n) * spread, cy + math.sin(2 * math.pi * i / n) * spread]
        for i in range(n)
    ]
    index = {name: i for i, name in enumerate(names)}
    pairs = [(index[a], index[b], w) for a, b, w in links if a in index and b in index and a != b]
    k = 0.75 * math.sqrt((width - 2 * margin) * (height - 2 * margin) / n)
    iterations = max(40, min(iterations, int(4_000_000 / (n * n))))
    temp = width / 8
    for _ in range(iterations):
        disp = [[0.0, 0.0] for _ in range(n)]
        for i in range(n):
            for j in range(i + 1, n):
                dx, dy = pos[i][0] - pos[j][0], pos[i][1] - pos[j][1]
                d = max(math.hypot(dx, dy) - rad[i] - rad[j], 1.0)
                f = k * k / d
                dist = max(math.hypot(dx, dy), 1e-6)
                disp[i][0] += dx / dist * f
                disp[i][1] += dy / dist * f
                disp[j][0] -= dx / dist * f
                disp[j][1] -= dy / dist * f
        for i, j, w in pairs:
            dx, dy = pos[i][0] - pos[j][0], pos[i][1] - pos[j][1]
            d = max(math.hypot(dx, dy), 1e-6)
            f = d * d / k * (1 + 0.2 * math.log1p(w))
            disp[i][0] -= dx / d * f
            disp[i][1] -= dy / d * f
            disp[j][0] += dx / d * f
            disp[j][1] += dy / d * f
        for i in range(n):
            disp[i][0] -= (pos[i][0] - cx) * 0.9
            disp[i][1] -= (pos[i][1] - cy) * 1.4  # the canvas is wider than tall
            d = max(math.hypot(*disp[i]), 1e-9)
            step = min(d, temp)
            pos[i][0] = min(max(pos[i][0] + disp[i][0] / d * step, margin), width - margin)
            pos[i][1] = min(max(pos[i][1] + disp[i][1] / d * step, margin), height - margin)
        temp = max(temp * 0.985, 0.5)
    return {name: (pos[i][0], pos[i][1]) for i, name in enumerate(names)}


def credit_colour(rate: float | None) -> str:
    """Red (no credit) through amber to green (always credited); grey when unknown."""
    if rate is None:
        return "#9aa3ad"
    rate = min(max(rate, 0.0), 1.0)
    if rate < 0.5:
        a, b, t = (200, 40, 40), (222, 160, 30), rate / 0.5
    else:
        a, b, t = (222, 160, 30), (40, 150, 70), (rate - 0.5) / 0.5
    r, g, bl = (round(a[c] + (b[c] - a[c]) * t) for c in range(3))
    return f"#{r:02x}{g:02x}{bl:02x}"


def time_ticks(t0: float, t1: float, count: int = 6) -> list[tuple[float, str]]:
    """About ``count`` evenly spaced (timestamp, label) ticks between t0 and t1."""
    if t1 <= t0:
        return [(t0, _label(t0, 0))]
    step = (t1 - t0) / (count - 1)
    return [(t0 + i * step, _label(t0 + i * step, t1 - t0)) for i in range(count)]


def _label(ts: float, span: float) -> str:
    d = datetime.fromtimestamp(ts, UTC)
    if span < 2 * 86400:
        return d.strftime("%d %b %H:%M")
    if span < 400 * 86400:
        return d.strftime("%d %b")
    return d.strftime("%b %Y")

"""Which words stand inside quotation marks (quoted speech weighs less as evidence)."""

from __future__ import annotations

import re

import numpy as np

from copydesk.text.tokens import Tokens

# Curly pairs, guillemets and straight double quotes. A quote may wrap onto the next line
# (wire copy is hard-wrapped) but never runs past a blank line.
_IN = r"(?:[^{close}\n]|\n(?![ \t]*\n))"
_QUOTED = re.compile(
    "|".join(
        f"{o}{_IN.format(close=c)}{{{lo},2000}}{c}"
        for o, c, lo in (("“", "”", 1), ("«", "»", 1), ('"', '"', 1), ("‘", "’", 20))
    )
)


def quoted_mask(text: str, tokens: Tokens) -> np.ndarray:
    """A boolean per word: True when the word sits inside a quotation."""
    mask = np.zeros(len(tokens), dtype=bool)
    for m in _QUOTED.finditer(text):
        lo = np.searchsorted(tokens.starts, m.start(), "left")
        hi = np.searchsorted(tokens.starts, m.end(), "left")
        mask[lo:hi] = True
    return mask

"""Fingerprinting: word shingles, winnowed anchors and MinHash LSH band keys."""

from copydesk.fingerprint.minhash import NUM_PERM, band_keys, minhash
from copydesk.fingerprint.shingles import (
    Fingerprint,
    anchors,
    fingerprint,
    fingerprints,
    shingle_hashes,
)

__all__ = [
    "NUM_PERM",
    "Fingerprint",
    "anchors",
    "band_keys",
    "fingerprint",
    "fingerprints",
    "minhash",
    "shingle_hashes",
]

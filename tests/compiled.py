"""Whether the optional compiled module was built here, and the mark that skips the
tests comparing it with the Python paths when it was not."""

from __future__ import annotations

import importlib.util

import pytest

BUILT = importlib.util.find_spec("copydesk._fingerprint") is not None

needs_build = pytest.mark.skipif(
    not BUILT, reason="copydesk._fingerprint was not built here (no C compiler or headers)"
)

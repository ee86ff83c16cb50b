"""The optional compiled module ``copydesk._fingerprint``, loaded once for every user.

Fingerprinting (``copydesk.fingerprint.shingles``), the language-identification walk
(``copydesk.semantic.language``) and an article's name words (``copydesk.semantic.anchors``)
run in it when the install built it, and in Python or numpy otherwise, identically.
``COPYDESK_PURE`` set to anything but "" or "0" makes them all use Python.
"""

from __future__ import annotations

import os
from types import ModuleType


def compiled_module() -> ModuleType | None:
    """``copydesk._fingerprint``, or None when it was not built or COPYDESK_PURE is set."""
    if os.environ.get("COPYDESK_PURE", "") not in ("", "0"):
        return None
    try:
        from copydesk import _fingerprint
    except ImportError:  # not built on this platform: Python does the same
        return None
    return _fingerprint


NATIVE = compiled_module()

"""Which letters a text is written in: what tells a Latin-script text from another."""

from __future__ import annotations

import re

_ASCII_LETTER = re.compile(r"[A-Za-z]")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def letters(text: str) -> tuple[int, list[str]]:
    """(how many ASCII letters, the non-ASCII letters) of ``text``: the ASCII ones are
    counted in one pass, and only the (usually few) other characters are looked at one
    by one."""
    ascii_letters = len(_ASCII_LETTER.findall(text))
    if text.isascii():
        return ascii_letters, []
    return ascii_letters, [c for c in _NON_ASCII.findall(text) if c.isalpha()]

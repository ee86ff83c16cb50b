"""Line shapes of a whole text are those of its lines taken one by one."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from copydesk.forensics.boilerplate import _TYPOGRAPHY, _shape_and_kind, article_shapes

PIECES = [
    *_TYPOGRAPHY, "\n", "\n\n", " ", "READ MORE: ", "Pic: Lensbank", "(Image: Getty)",
    " [LATEST]", "DON'T MISS:", "2024", "7", "a", "Story", "\r", "\u2028", "\x1c", "é",
]  # fmt: skip


def line_by_line(text: str) -> list[tuple[str, str]]:
    out: dict[str, str] = {}
    for line in text.split("\n"):
        found = _shape_and_kind(line)
        if found is not None:
            out[found[0]] = found[1]
    return list(out.items())


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=4)), max_size=50))
@example(["Video: Minister 12 visits\u200b", "\n", "A radiator (Image: Lensbank)", "\n", "x"])
def test_article_shapes_equal_line_by_line(pieces: list[str]) -> None:
    text = "".join(pieces)
    assert list(article_shapes(text).items()) == line_by_line(text)

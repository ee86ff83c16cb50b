"""Finding outlet forms in a text: the fast finder gives what the one alternation gives."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from copydesk.families.credits import _CUES, Registry

# Forms that share beginnings, end in one another, carry dots, dashes, spaces and letters
# whose case-insensitive matches are not their own (Kelvin sign, long s, dotted capital I).
FORMS = [
    "ap", "apa", "ap news", "afp", "associated press", "press", "reuters", "reuters.com",
    "uk.reuters.com", "dpa", "ansa", "agência brasil", "ſtar", "ſun news", "kyodo",
    "kyodo news", "bss", "pti", "ani", "the sun", "sun", "9news.com.au", "-wire", "été",
    "i̇stanbul post",
]  # fmt: skip
PIECES = [
    *FORMS, *(f.upper() for f in FORMS), *(f.title() for f in FORMS),
    " ", "  ", "\n", ".", "-", "(", ")", ",", "x", "ed", "_", "K", "ſ", "İ", "é", "\u212a",
]  # fmt: skip


def registry(forms: list[str]) -> Registry:
    return Registry(forms={f: f.split(" ")[0] for f in forms})


def spans(matches) -> list[tuple[tuple[int, int], tuple[int, int], str]]:
    return [(m.span(), m.span(1), m.group(1)) for m in matches]


@settings(max_examples=400, deadline=None)
@given(
    st.lists(st.sampled_from(FORMS), min_size=1, max_size=len(FORMS), unique=True),
    st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=3)), max_size=40),
)
@example(FORMS, ["AP", " ", "Apa", "-", "AP News", ".", "ap", "news"])
@example(["ap", "apa"], ["xap", " ", "apa", "-", "ap", "_"])
@example(["sun", "ſun news"], ["The ", "Sun News", " and ", "sun"])
def test_find_forms_equals_the_alternation(forms: list[str], pieces: list[str]) -> None:
    reg = registry(forms)
    text = "".join(pieces)
    assert spans(reg.find_forms(text)) == spans(reg._form_pattern.finditer(text))
    for pos in range(len(text) + 1):
        for end in (len(text), min(len(text), pos + 5)):
            fast, slow = reg.match_form(text, pos, end), reg._form_pattern.match(text, pos, end)
            assert (fast and (fast.span(), fast.span(1))) == (slow and (slow.span(), slow.span(1)))


ASCII_FORMS = [f for f in FORMS if f.isascii()]
ASCII_PIECES = [p for p in PIECES if p.isascii()] + [
    "Told", "SPEAKING TO", "according to", "Source:", "(c) 2020", "Copyright", "via",
    "first appeared in", "With reporting from", "said in an interview with", "\n(Via -",
]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(ASCII_FORMS), min_size=1, max_size=len(ASCII_FORMS), unique=True),
    st.lists(
        st.one_of(st.sampled_from(ASCII_PIECES), st.text("aKsS -.\n(", max_size=3)), max_size=40
    ),
)
def test_ascii_text_finds_what_the_alternation_finds(forms: list[str], pieces: list[str]) -> None:
    """An ASCII text is searched lower-cased: the same forms and cues as case-insensitively."""
    reg = registry(forms)
    text = "".join(pieces)
    assert reg._form_index.lower_starts is not None
    assert spans(reg.find_forms(text)) == spans(reg._form_pattern.finditer(text))
    for cue, lower_cue, _kind in _CUES:
        assert [m.span() for m in cue.finditer(text)] == [
            m.span() for m in lower_cue.finditer(text.lower())
        ]


def test_find_forms_without_forms() -> None:
    reg = Registry()
    assert list(reg.find_forms("Reuters said")) == []
    assert reg.match_form("Reuters said", 0, 12) is None


def test_find_forms_takes_the_longest() -> None:
    reg = registry(["ap", "ap news", "press", "associated press"])
    text = "(AP News) Associated Press, AP and the press."
    assert [m.group(1) for m in reg.find_forms(text)] == [
        "AP News", "Associated Press", "AP", "press",
    ]  # fmt: skip

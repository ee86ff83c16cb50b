"""Finding outlet forms in a text: the fast finder gives what the one alternation gives."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from copydesk.families.credits import _CUES, Registry, outlet_credits

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


# Where wire datelines and bylines are written, with characters that fold or match
# case-insensitively other than themselves, caseless non-word characters and odd spaces.
CREDIT_PIECES = [
    *PIECES, "LONDON ", " (", ") -", ") —", "/", ": ", " ", "\n", "By ", "the ", "The ",
    "£", "“", "”", "’", "\xa0", "\u2009", "\u0345", "ı", "İ", "ß", "ss", "ﬀ", " said.", "\x00",
    "(Reuters) - ", "NEW DELHI, May 3 (PTI): ", "(BSS/AFP) -", "— AP\n", "reported",
]  # fmt: skip


def agency_registry(forms: list[str]) -> Registry:
    reg = registry(forms)
    reg.agencies = frozenset(reg.forms.values())
    return reg


def credits_an_agency(text: str, reg: Registry) -> bool:
    return any(
        c.kind in ("wire_dateline", "byline") and c.outlet in reg.agencies
        for c in outlet_credits(text, reg)
    )


@settings(max_examples=500, deadline=None)
@given(
    st.lists(st.sampled_from([*FORMS, "pıa", "reuters"]), min_size=1, max_size=8, unique=True),
    st.lists(st.one_of(st.sampled_from(CREDIT_PIECES), st.text(max_size=2)), max_size=30),
)
@example(["pti"], ["NEW DELHI, May 3 (", "PTİ", "): ", "Police said"])
@example(["pıa"], ["(", "PIA", ") - Police"])
@example(["ap"], ["\n", "\u0345", "AP", "\n"])
@example(["ap news"], ["(", "AP", "\xa0", "News", ") - X"])
def test_agency_probe_never_misses_a_credit(forms: list[str], pieces: list[str]) -> None:
    """The probe that spares a text the whole credit search may say yes wrongly, never no
    where a wire dateline or byline names an agency."""
    reg = agency_registry(forms)
    text = "".join(pieces)
    if credits_an_agency(text, reg):
        assert reg.may_credit_agency(text)


def test_agency_probe_says_no_to_texts_without_a_form() -> None:
    reg = agency_registry(["reuters", "ap", "agência brasil", "afp"])
    assert reg._agency_probe.lower is not None
    assert not reg.may_credit_agency("A map of the papers, “apart” from £5 — paid.")
    assert not reg.may_credit_agency("Cheaper rates.\xa0Reutersville is a town.")
    assert reg.may_credit_agency("LONDON (Reuters) - Rates fell.")
    assert reg.may_credit_agency("LONDON, May 3 (AP) — “Rates” fell £5.")
    assert reg.may_credit_agency("SÃO PAULO (Agência Brasil) - Ações caíram.")
    assert reg.may_credit_agency("SÃO PAULO (AGÊNCIA  BRASIL) - Ações caíram.")


def test_a_form_matched_but_not_folded_alike_keeps_its_outlet() -> None:
    """Turkish capitals "ANİ" match the form "ani" case-insensitively but fold to
    "ani̇": the credit is still the ANI agency's, found without a lookup error."""
    from copydesk.families.agencies import builtin_agencies

    reg = Registry.build(builtin_agencies())
    found = outlet_credits("İSTANBUL - Karar verildi.\nANİ\n", reg)
    assert [(c.outlet, c.kind) for c in found] == [("ani.in", "byline")]


def test_a_pickled_registry_carries_its_lookups() -> None:
    """A pool's task takes the registry pickled: it brings the probe and the form index
    built once, and finds what the original finds."""
    import pickle

    reg = agency_registry(["reuters", "ap", "afp"])
    copy = pickle.loads(pickle.dumps(reg))
    assert {"_agency_probe", "_form_index"} <= set(copy.__dict__)
    text = "LONDON (Reuters) - Rates fell, AFP said."
    assert copy.may_credit_agency(text) and not copy.may_credit_agency("A quiet day.")
    assert [m.span() for m in copy.find_forms(text)] == [m.span() for m in reg.find_forms(text)]

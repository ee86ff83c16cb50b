"""The compiled language-identification walk and name words give exactly what Python does."""

from __future__ import annotations

import os
import subprocess
import sys
from itertools import islice

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from compiled import BUILT, needs_build
from copydesk.reading.corpora import SHARED_CORPORA, read_bbc, read_reuters
from copydesk.semantic import anchors, language
from copydesk.semantic.anchors import _WORD, _name_words_python, article_keys
from copydesk.semantic.language import (
    SAMPLE_CHARS,
    _encode,
    detect_many,
    features_compiled,
    features_numpy,
    language_model,
    probabilities,
)

if BUILT:
    from copydesk._fingerprint import langid_features, name_words

pytestmark = needs_build

# What ends a word of _WORD (its listed characters), digits of other scripts, Unicode spaces
# and separators (U+001C is \s to Python), apostrophes and hyphens that strip() takes off,
# letters of scripts with and without capitals, titlecase, a lone surrogate, astral letters.
SEPARATORS = list('.,;:!?()[]{}"“”‘’«»„|/\\–—*#@&+=<>…।॥،؛-')
EDGE = [
    *SEPARATORS, "३", "२", "٣", "૩", "0", "7", "²", "½", " ", "\n", "\t", "\u00a0",
    "\u2003", "\u2028", "\x1c", "\x1f", "\x85", "'", "-", "’", "क", "ि", "्", "ष",
    "ع", "ب", "\u064b", "中", "文", "ǅ", "ǈ", "Σ", "ß", "İ", "ı", "Ⅻ", "ⅻ", "\u0345", "_",
    "\u0301", "\u200d", "\ud800", "\udfff", "😀", "𝔘", "𝔲", "𐐀", "a", "Z", "é", "É",
]  # fmt: skip
PIECES = ["३२", "٣٤", "''", "'-'", "O'Neill", "-'x'-", "Jean-Luc", "हिंदी", "中文", "\ud800A"]
CHARS = st.one_of(st.characters(), st.sampled_from(EDGE))
WORDS = st.text(alphabet=CHARS, min_size=0, max_size=12)
TEXTS = st.one_of(
    st.text(alphabet=CHARS, max_size=300),
    st.lists(WORDS, max_size=60).map(" ".join),
    st.lists(st.one_of(WORDS, st.sampled_from(EDGE + PIECES)), max_size=60).map("".join),
)
# Invented sentences in several languages and scripts (none from the corpora).
SENTENCES = [
    "The harbour ferry was late again on Monday, the council's transport chief said.",
    "Le conseil municipal a approuvé mardi soir un projet de reconstruction du terminal.",
    "Der Stadtrat hat am Dienstagabend einen Plan für das alte Fährterminal gebilligt.",
    "El ayuntamiento aprobó el martes por la noche un plan para la antigua terminal.",
    "A câmara aprovou na terça-feira à noite um plano para o antigo terminal de balsas.",
    "Il consiglio comunale ha approvato martedì sera il piano per il vecchio terminal.",
    "De gemeenteraad keurde dinsdagavond het plan voor de oude veerterminal goed.",
    "Городской совет во вторник вечером одобрил план реконструкции старого терминала.",
    "Η δημοτική επιτροπή ενέκρινε την Τρίτη το σχέδιο για τον παλιό σταθμό των πλοίων.",
    "हार्बरव्यू परिषद ने मंगलवार शाम पुराने फेरी टर्मिनल के पुनर्निर्माण की योजना को मंजूरी दी।",
    "હાર્બરવ્યૂ પરિષદે મંગળવારે સાંજે જૂના ફેરી ટર્મિનલના પુનઃનિર્માણની યોજનાને મંજૂરી આપી.",
    "وافق مجلس المدينة مساء الثلاثاء على خطة لإعادة بناء محطة العبارات القديمة، بحسب المسؤولين.",
    "市议会周二晚间批准了重建旧渡轮码头的计划，议员们经过四个小时的辩论后投票。",
    "市議会は火曜日の夜、古いフェリーターミナルを再建する計画を承認した。",
    "시의회는 화요일 저녁 오래된 여객선 터미널을 재건하는 계획을 승인했다.",
    "Gempa berkekuatan 4,7 skala Richter mengguncang negara bagian itu pada hari Sabtu.",
    "Bystrzycki radny Paweł Żółtowski powiedział, że prom spóźnił się w poniedziałek.",
    "31 - 9 | 42.0 | 2029 | 120 | 4.5 | 17 - 3 | 88 | 1.25 | 600 | 12 - 12 | 7",
    "O'Neill and D'Arcy met Jean-Luc in Saint-Étienne; 'Quoted' -dashed- words.",
    "",
]


# -- name words ---------------------------------------------------------------------------


@settings(max_examples=400, deadline=None)
@given(TEXTS, st.booleans())
@example("O'Neill's 'Quoted' -x- ''  'a' '' -", True)
@example("\ud800Ab ǅx ǈy Σς \u0345x 中文 ३२क ع٣ب x\x1cY X\u2003Z", False)
@example("\ud800Ab ǅx ǈy Σς \u0345x 中文 ३२क ع٣ब x\x1cY X\u2003Z", True)
@example("𝔘nit 𐐀x 😀a a😀 'É'", True)
def test_name_words_compiled_equals_python(text: str, cased: bool) -> None:
    assert name_words(text, cased) == _name_words_python(text, cased)


def test_name_words_decide_every_code_point_as_python() -> None:
    """Every code point, lone surrogates included, between letters (is it inside a word, as
    _WORD decides?) and opening a word (is it a letter, a capital?)."""
    text = " ".join(f"Q{c}Q {c}q" for c in map(chr, range(sys.maxunicode + 1)))
    for cased in (False, True):
        assert name_words(text, cased) == _name_words_python(text, cased)
    # the separators the tests list are the pattern's own
    assert all(_WORD.fullmatch(c) is None for c in SEPARATORS)


def test_article_keys_are_the_same_on_either_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(anchors, "_name_words", name_words)
    compiled = [article_keys(s) for s in SENTENCES]
    monkeypatch.setattr(anchors, "_name_words", _name_words_python)
    assert [article_keys(s) for s in SENTENCES] == compiled
    assert any(compiled)


def test_name_words_rejects_what_is_not_text() -> None:
    with pytest.raises(TypeError):
        name_words(b"bytes", True)  # type: ignore[arg-type]


# -- language identification --------------------------------------------------------------


def _same_walk(data: list[bytes]) -> None:
    model = language_model()
    c_indptr, c_features = features_compiled(data, model)
    n_indptr, n_features = features_numpy(data, model)
    assert c_indptr.dtype == n_indptr.dtype == np.int64
    assert c_features.dtype == n_features.dtype == np.int32
    assert np.array_equal(c_indptr, n_indptr)
    assert np.array_equal(c_features, n_features)
    assert c_indptr.size == len(data) + 1


def _same_probabilities(samples: list[str]) -> None:
    model = language_model()
    compiled = probabilities(samples, model, compiled=True)
    numpy_path = probabilities(samples, model, compiled=False)
    assert compiled.dtype == numpy_path.dtype == np.float32
    assert compiled.shape == numpy_path.shape == (len(samples), len(model.labels))
    assert np.array_equal(compiled, numpy_path)


@settings(max_examples=150, deadline=None)
@given(st.lists(TEXTS, max_size=12))
@example(SENTENCES)
@example(["", "a", "", "ab" * 600, "x"])
def test_langid_compiled_equals_numpy_on_any_unicode(samples: list[str]) -> None:
    _same_walk([_encode(s) for s in samples])
    _same_probabilities(samples)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.binary(max_size=200), max_size=20))
def test_langid_walk_compiled_equals_numpy_on_any_bytes(data: list[bytes]) -> None:
    _same_walk(data)


def test_langid_compiled_equals_numpy_on_sentences(monkeypatch: pytest.MonkeyPatch) -> None:
    """Sentences in several languages, alone, in one batch and repeated in a longer one."""
    batch = SENTENCES + [s.upper() for s in SENTENCES] + [" ".join(SENTENCES)] * 2
    _same_probabilities(batch)
    for s in SENTENCES:
        _same_probabilities([s])
    monkeypatch.setattr(language, "COMPILED", True)
    labels = detect_many(batch)
    monkeypatch.setattr(language, "COMPILED", False)
    assert detect_many(batch) == labels
    assert {"en", "fr", "de", "es", "pt", "it", "nl", "el", "gu", "pl"} <= set(labels)


def test_langid_compiled_equals_numpy_on_real_news(
    corpora: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    articles = list(islice(read_bbc(SHARED_CORPORA), 300))
    articles += list(islice(read_reuters(SHARED_CORPORA), 3000))
    texts = [a.text for a in articles]
    _same_probabilities([t[:SAMPLE_CHARS] for t in texts])
    monkeypatch.setattr(language, "COMPILED", True)
    labels = detect_many(texts)
    monkeypatch.setattr(language, "COMPILED", False)
    assert detect_many(texts) == labels
    assert labels.count("en") > 0.8 * len(texts)


def test_langid_walk_rejects_a_bad_model() -> None:
    model = language_model()
    args = (model.next_state, model.row_base, model.emits)
    indptr, features = langid_features([], *args)
    assert np.frombuffer(indptr, dtype=np.int64).tolist() == [0] and len(features) == 0
    with pytest.raises(TypeError, match="not bytes"):
        langid_features([b"text", "text"], *args)
    with pytest.raises(TypeError, match="int32"):
        langid_features([b"text"], model.next_state.astype(np.int64), *args[1:])
    with pytest.raises(TypeError, match="int64"):
        langid_features([b"text"], args[0], model.row_base.astype(np.int32), args[2])
    with pytest.raises(TypeError, match="int32"):
        langid_features([b"text"], model.next_state.astype(np.uint32), *args[1:])
    with pytest.raises(TypeError, match="native byte order"):
        langid_features([b"text"], model.next_state.astype(">i4"), *args[1:])
    with pytest.raises(ValueError, match="contiguous"):
        langid_features([b"text"], model.next_state[::2], *args[1:])
    one = np.zeros(1, dtype=np.int64)
    emits = np.zeros(1, dtype=np.int32)
    with pytest.raises(ValueError, match="outside next_state"):
        langid_features([b"a"], np.zeros(97, dtype=np.int32), one, emits)
    with pytest.raises(ValueError, match="outside next_state"):
        langid_features([b"a"], np.zeros(256, dtype=np.int32), one - 98, emits)
    with pytest.raises(ValueError, match="not a state"):
        langid_features([b"a"], np.ones(256, dtype=np.int32), one, emits)
    with pytest.raises(ValueError, match="not a state"):
        langid_features([b"a"], -np.ones(256, dtype=np.int32), one, emits)
    with pytest.raises(ValueError, match="no state 0"):
        langid_features([b"a"], np.zeros(256, dtype=np.int32), one[:0], emits[:0])
    # state 0 of a one-state automaton emits feature 0 for every byte
    indptr, features = langid_features([b"ab", b"", b"c"], np.zeros(256, np.int32), one, emits)
    assert np.frombuffer(indptr, dtype=np.int64).tolist() == [0, 2, 2, 3]
    assert np.frombuffer(features, dtype=np.int32).tolist() == [0, 0, 0]


# -- which path runs -----------------------------------------------------------------------


def test_pure_path_forced_by_environment() -> None:
    """COPYDESK_PURE=1 makes language identification and name words use Python though the
    module is built."""
    code = (
        "from copydesk.semantic import anchors, language; "
        "import copydesk; print(copydesk.__file__, language.COMPILED, anchors.COMPILED, "
        "anchors._name_words.__name__)"
    )
    expected_file = os.path.dirname(language.__file__).rsplit(os.sep, 1)[0]
    for value, expected in (
        ("1", "False False _name_words_python"),
        ("0", "True True name_words"),
        ("", "True True name_words"),
    ):
        env = {**os.environ, "COPYDESK_PURE": value}
        out = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        )
        where, rest = out.stdout.strip().split(" ", 1)
        assert where.startswith(expected_file)  # the copy these tests import
        assert rest == expected

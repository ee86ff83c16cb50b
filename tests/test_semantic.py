"""The semantic stage on invented stories: a rewrite is linked, a same-event report is not."""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from copydesk.desk import Desk
from copydesk.model import Article
from copydesk.semantic import SemanticParams, align_sentences, default_embedder, embed_article
from copydesk.semantic.align import agree, anchors
from copydesk.semantic.embed import SentenceVectors

SOURCE = (
    "The Harbourview council approved a 42 million pound plan to rebuild the old ferry "
    "terminal on Tuesday evening.\n\n"
    "Councillors voted 31 to 9 in favour after a debate that lasted more than four hours.\n\n"
    "The scheme, drawn up by the Dunmore Partnership, includes a covered market, a cycle "
    "hub and 120 homes above the waterfront.\n\n"
    "Work is expected to begin next spring and to finish by the end of 2029, the council's "
    "planning office said.\n\n"
    "Opponents of the plan said the terminal should be kept as a working port and warned "
    "that the cost could rise sharply.\n\n"
    "The ferry service to Kelmarsh Island will move to a temporary pier during the works."
)

REWRITE = (
    "On Tuesday evening Harbourview council gave the green light to a 42 million pound "
    "scheme to rebuild the former ferry terminal.\n\n"
    "After a debate lasting over four hours, councillors backed the plan by 31 votes to 9.\n\n"
    "Drawn up by the Dunmore Partnership, the project features a covered market, a cycle "
    "hub and 120 homes overlooking the waterfront.\n\n"
    "The council's planning office said work should start next spring and be completed by "
    "the end of 2029.\n\n"
    "Critics warned the cost could rise sharply and said the terminal should remain a "
    "working port.\n\n"
    "During construction the ferry service to Kelmarsh Island will use a temporary pier."
)

SAME_EVENT = (
    "A packed public gallery watched as Harbourview's ferry terminal plan cleared its last "
    "hurdle.\n\n"
    "Local fisherman Tom Reddy, 58, said he feared the harbour would lose its character and "
    "that rents would climb for families who had lived there for generations.\n\n"
    "Business groups welcomed the vote, saying the market would draw visitors all year.\n\n"
    "The Dunmore Partnership has built similar schemes in three other coastal towns, with "
    "mixed results for local traders.\n\n"
    "Campaigners are considering whether to ask for a judicial review of the decision.\n\n"
    "A spokesperson for the island's residents' association said they would watch the "
    "temporary pier arrangements closely."
)


@pytest.fixture(scope="module")
def embedder():
    return default_embedder()


def test_vectors_round_trip_through_blobs(embedder) -> None:
    sv = embed_article(SOURCE, embedder)
    assert len(sv) == 6
    back = SentenceVectors.from_blobs(*sv.to_blobs())
    assert (back.vectors == sv.vectors).all()
    assert (back.starts == sv.starts).all() and (back.ends == sv.ends).all()
    assert SOURCE[back.starts[0] : back.ends[0]].startswith("The Harbourview council")


def test_anchors_contradict_on_numbers_and_names() -> None:
    a = anchors("Councillors voted 31 to 9 in favour on Tuesday.")
    assert agree(a, anchors("The vote was 31 to 9, councillors said."))
    assert not agree(a, anchors("The vote was 22 to 18, councillors said."))


def test_rewrite_aligns_in_order_and_same_event_does_not(embedder) -> None:
    params = SemanticParams()
    src = embed_article(SOURCE, embedder)
    rw = align_sentences(REWRITE, embed_article(REWRITE, embedder), SOURCE, src, params)
    assert len(rw.pairs) >= 5
    assert rw.order >= 0.8 and rw.coverage >= 0.8
    for p in rw.pairs:
        assert REWRITE[:200] and p.similarity >= params.threshold
    same = align_sentences(SAME_EVENT, embed_article(SAME_EVENT, embedder), SOURCE, src, params)
    assert same.coverage < params.min_coverage


def test_a_rewrite_carrying_a_shorter_source_whole_and_adding_its_own_is_a_copy(
    embedder,
) -> None:
    # A later version rewords a three-paragraph first take whole and adds twice as much of
    # its own: a minority of the copy is matched, nearly all of the source, in its order.
    from copydesk.semantic.align import is_semantic_copy

    params = SemanticParams()
    short = "\n\n".join(SOURCE.split("\n\n")[:4])
    longer = REWRITE.split("\n\n")[:4] + SAME_EVENT.split("\n\n")
    text = "\n\n".join(longer)
    al = align_sentences(
        text, embed_article(text, embedder), short, embed_article(short, embedder), params
    )
    assert al.coverage < params.min_coverage <= al.source_coverage
    assert is_semantic_copy(al, params)
    # The same-event report alone carries no source's narration from either side.
    same = align_sentences(
        SAME_EVENT,
        embed_article(SAME_EVENT, embedder),
        short,
        embed_article(short, embedder),
        params,
    )
    assert not is_semantic_copy(same, params)


def _article(id_: str, outlet: str, text: str, day: int) -> Article:
    return Article(id_, text, outlet=outlet, published=datetime(2026, 3, day, 9, tzinfo=UTC))


@contextmanager
def _scanned(path, *articles: Article) -> Iterator[Desk]:
    """A store holding ``articles``, scanned with the semantic stage."""
    with Desk(path / "s.db", workers=1) as desk:
        desk.ingest(list(articles))
        desk.scan(semantic=True)
        yield desk


def test_show_lists_matched_sentences_with_similarity(tmp_path) -> None:
    from rich.console import Console

    from copydesk.reports.side_by_side import render_side_by_side

    with Desk(tmp_path / "s.db", workers=1) as desk:
        desk.ingest(
            [
                _article("src", "harbourgazette.example", SOURCE, 1),
                _article("rw", "contentfarm.example", REWRITE, 2),
            ]
        )
        desk.scan(semantic=True)
        match = desk.verdict("rw").sources[0]
        console = Console(width=160, record=True)
        console.print(render_side_by_side(desk.article("rw"), desk.article("src"), match))
    shown = console.export_text()
    assert "rewrite" in shown and "similarity" in shown
    assert f"{match.passages[0].similarity:.2f}" in shown


def test_article_page_lists_matched_sentences(tmp_path) -> None:
    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from copydesk.web.app import create_app

    db = tmp_path / "s.db"
    with Desk(db, workers=1) as desk:
        desk.ingest(
            [
                _article("src", "harbourgazette.example", SOURCE, 1),
                _article("rw", "contentfarm.example", REWRITE, 2),
            ]
        )
        desk.scan(semantic=True)
        match = desk.verdict("rw").sources[0]
    with TestClient(create_app(db), base_url="http://127.0.0.1") as client:
        page = client.get("/articles/rw").text
    assert 'id="matched-sentences"' in page
    assert page.count('class="similarity"') == len(match.passages)
    assert 'href="#src-p0"' in page and 'id="copy-p0"' in page


# An invented story's Spanish translation, and an independent Spanish report of the same
# event (same names and figures, its own narration).
SPANISH = (
    "El consejo de Harbourview aprobó el martes por la noche un plan de 42 millones de "
    "libras para reconstruir la antigua terminal de ferris.\n\n"
    "Los concejales votaron 31 a 9 a favor tras un debate que duró más de cuatro horas.\n\n"
    "El proyecto, elaborado por Dunmore Partnership, incluye un mercado cubierto, un centro "
    "para bicicletas y 120 viviendas sobre el paseo marítimo.\n\n"
    "Se espera que las obras comiencen la próxima primavera y terminen a finales de 2029, "
    "según la oficina de urbanismo del consejo.\n\n"
    "Los opositores al plan dijeron que la terminal debería mantenerse como puerto en "
    "funcionamiento y advirtieron que el coste podría dispararse.\n\n"
    "El servicio de ferri a la isla de Kelmarsh se trasladará a un muelle provisional "
    "durante las obras."
)

SPANISH_SAME_EVENT = (
    "Una galería pública abarrotada vio cómo el plan de la terminal de Harbourview superaba "
    "su último obstáculo.\n\n"
    "El pescador Tom Reddy, de 58 años, dijo temer que el puerto pierda su carácter y que "
    "suban los alquileres para las familias de toda la vida.\n\n"
    "Los grupos empresariales celebraron la votación y dijeron que el mercado atraería "
    "visitantes todo el año.\n\n"
    "Dunmore Partnership ha construido proyectos similares en otras tres ciudades costeras, "
    "con resultados desiguales para los comerciantes.\n\n"
    "Los activistas estudian pedir una revisión judicial de la decisión sobre el plan de 42 "
    "millones de libras, previsto hasta 2029.\n\n"
    "La asociación de vecinos de la isla de Kelmarsh vigilará de cerca el muelle provisional."
)


def test_numbers_read_in_any_script_and_convention() -> None:
    from copydesk.semantic.anchors import number_key

    assert number_key("32") == number_key("३२") == number_key("૩૨") == number_key("٣٢") == "32"
    assert number_key("2,000") == number_key("2.000") == "2000"
    assert number_key("4,74") == number_key("4.74") == "4.74"
    assert number_key("18.000") == "18000"


def test_names_match_across_scripts() -> None:
    from copydesk.semantic.anchors import sentence_anchors, shared_names, skeleton

    assert skeleton("फरीदाबाद") == skeleton("Faridabad")
    english = sentence_anchors("On Tuesday the Harbourview council met Kamal Verma in Dunmore.")
    hindi = sentence_anchors("मंगलवार को हार्बरव्यू परिषद ने डनमोर में कमल वर्मा से मुलाकात की।")
    assert not hindi.cased and english.cased
    assert shared_names(english, hindi) >= 3
    other = sentence_anchors("मंगलवार को परिषद ने नए बजट पर चर्चा की और बैठक समाप्त हुई।")
    assert shared_names(english, other) == 0
    # two caseless scripts: their shared words are not names
    gujarati = sentence_anchors("મંગળવારે હાર્બરવ્યૂ પરિષદે કમલ વર્માને મળી.")
    assert shared_names(hindi, gujarati) == 0


def test_anchor_keys_tie_a_translation_to_its_source() -> None:
    from copydesk.semantic.anchors import article_keys

    shared = article_keys(SOURCE) & article_keys(SPANISH)
    assert {"#42", "#31", "#120", "#2029"} <= shared
    assert len(shared) >= 6


@pytest.mark.parametrize(
    ("copy", "same_event", "relation", "languages", "passages", "in_order"),
    [
        (REWRITE, SAME_EVENT, "rewrite", ("en", "en"), 3, False),  # reordered in places
        (SPANISH, SPANISH_SAME_EVENT, "translation", ("es", "en"), 4, True),
    ],
    ids=["rewrite", "translation"],
)
@pytest.mark.parametrize("search", ["exact", "clustered"])
def test_scan_links_the_copy_not_a_same_event_report(
    tmp_path, monkeypatch, copy, same_event, relation, languages, passages, in_order, search
) -> None:
    if search == "clustered":  # the search a first scan of a large collection makes
        monkeypatch.setattr("copydesk.semantic.stage.EXACT_BUDGET", 0)
    with _scanned(
        tmp_path,
        _article("src", "harbourgazette.example", SOURCE, 1),
        _article("copy", "copier.example", copy, 2),
        _article("other", "otherpaper.example", same_event, 2),
    ) as desk:
        found = desk.verdict("copy")
        assert found is not None and [m.source for m in found.sources] == ["src"]
        match = found.sources[0]
        assert (match.relation, match.languages) == (relation, languages)
        assert len(match.passages) >= passages
        for p in match.passages:
            assert 0 <= p.article_start < p.article_end <= len(copy)
            assert 0 <= p.source_start < p.source_end <= len(SOURCE)
        starts = [p.source_start for p in match.passages]
        assert not in_order or starts == sorted(starts)
        data = found.to_json()["sources"][0]
        assert data["language"] == {"article": languages[0], "source": languages[1]}
        other = desk.verdict("other")
        assert other is None or not other.sources


def test_embedding_over_workers_matches_one_process(tmp_path) -> None:
    from copydesk.semantic.stage import embed_missing

    texts = [SOURCE, REWRITE, SAME_EVENT, SPANISH, SPANISH_SAME_EVENT] * 20
    stored = []
    for workers in (1, 2):
        with Desk(tmp_path / f"w{workers}.db", workers=1) as desk:
            desk.ingest(
                [
                    _article(f"a{i}", "paper.example", f"{t}\n\nItem {i}.", 1)
                    for i, t in enumerate(texts)
                ]
            )
            db = desk.store.db
            assert embed_missing(db, default_embedder(), workers=workers, batch_size=30) == 100
            assert embed_missing(db, default_embedder(), workers=workers) == 0  # all done
            stored.append(
                db.execute(
                    "SELECT a.id, v.spans, v.vectors, v.mean, v.language FROM sentence_vectors v "
                    "JOIN articles a ON a.key = v.article ORDER BY a.id"
                ).fetchall()
            )
    assert stored[0] == stored[1]
    assert {row[4] for row in stored[0]} == {"en", "es"}


def test_embedder_pools_as_wordllama_does(embedder) -> None:
    import numpy as np

    texts = [SOURCE[:120], REWRITE[:40], SPANISH[:300], "Kelmarsh " * 60]
    from wordllama import WordLlama

    from copydesk.semantic.embed import DIM, _wordllama_dir

    model = WordLlama.load(
        config="l2_supercat", dim=DIM, cache_dir=_wordllama_dir(), disable_download=True
    )
    ours = embedder.embed(texts)
    theirs = np.asarray(model.embed(texts, norm=True), dtype=np.float32)
    assert ours.shape == (4, 256)
    assert np.abs(ours - theirs).max() < 1e-5


def test_trace_finds_a_rewrite_of_a_stored_article_only_when_asked(tmp_path) -> None:
    with _scanned(  # stores the vectors trace compares against
        tmp_path,
        _article("src", "harbourgazette.example", SOURCE, 1),
        _article("other", "coastweekly.example", SAME_EVENT, 2),
    ) as desk:
        pasted = Article("pasted", REWRITE, outlet="contentfarm.example")
        assert not desk.trace(pasted).sources  # the lexical stage alone: too few runs left
        found = desk.trace(pasted, semantic=True)
        assert [(m.source, m.relation) for m in found.sources] == [("src", "rewrite")]
        assert found.family is not None
        # A same-event report (stored as "other") is a copy of "other", never of "src".
        report = Article("report", SAME_EVENT + "\n\nMore follows.", outlet="x.example")
        assert [m.source for m in desk.trace(report, semantic=True).sources] == ["other"]
        desk.ingest([_article("later", "harbourgazette.example", SOURCE + "\n\nUpdated.", 3)])
        desk.scan(semantic=True)  # new vectors: trace reads them again
        again = desk.trace(pasted, semantic=True)
        assert {m.source for m in again.sources} == {"src", "later"}


def test_cli_trace_semantic(tmp_path) -> None:
    import json

    from typer.testing import CliRunner

    from copydesk.cli import app

    db = tmp_path / "s.db"
    with Desk(db, workers=1) as desk:
        desk.ingest([_article("src", "harbourgazette.example", SOURCE, 1)])
        desk.scan(semantic=True)
    pasted = tmp_path / "pasted.txt"
    pasted.write_text(REWRITE, encoding="utf-8")
    runner = CliRunner()
    plain = runner.invoke(app, ["trace", "--db", str(db), "--json", str(pasted)])
    assert plain.exit_code == 0, plain.output
    assert json.loads(plain.stdout)["sources"] == []
    found = runner.invoke(app, ["trace", "--db", str(db), "--json", "--semantic", str(pasted)])
    assert found.exit_code == 0, found.output
    sources = json.loads(found.stdout)["sources"]
    assert [(s["source"], s["relation"]) for s in sources] == [("src", "rewrite")]


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 60), st.integers(0, 60), st.lists(st.floats(0.0, 1.0), min_size=60))
def test_pairs_dropped_before_alignment_could_never_pass(matched, extra, quoted) -> None:
    # The coverage bound drops a pair only when no alignment of it could cover enough:
    # with m of n sentences matched, whatever share of each sentence is quoted.
    from copydesk.semantic.align import could_pass

    params = SemanticParams()
    n = matched + extra
    w = [(1.0 - q) + params.quote_weight * q for q in quoted[:n]]
    coverage = sum(w[:matched]) / max(sum(w), 1e-9)
    if not could_pass(matched, n, params):
        assert matched < params.min_sentences or coverage < params.min_coverage


# -- language ------------------------------------------------------------------------------

LANGUAGE_SAMPLES = [
    SOURCE,
    REWRITE,
    SOURCE.upper(),  # an all-capitals text is read lower-cased
    "Le conseil municipal de Harbourview a approuvé mardi soir un projet de 42 millions de "
    "livres pour reconstruire l'ancien terminal des ferries, après quatre heures de débat.",
    "Der Stadtrat von Harbourview hat am Dienstagabend einen Plan über 42 Millionen Pfund "
    "gebilligt, mit dem das alte Fährterminal neu gebaut werden soll.",
    "El ayuntamiento de Harbourview aprobó el martes por la noche un plan de 42 millones de "
    "libras para reconstruir la antigua terminal de transbordadores.",
    "A câmara de Harbourview aprovou na terça-feira à noite um plano de 42 milhões de libras "
    "para reconstruir o antigo terminal de balsas, depois de quatro horas de debate.",
    "हार्बरव्यू परिषद ने मंगलवार शाम पुराने फेरी टर्मिनल के पुनर्निर्माण की योजना को मंजूरी दी। "
    "पार्षदों ने चार घंटे की बहस के बाद योजना के पक्ष में मतदान किया।",
    "31 - 9 | 42.0 | 2029 | 120 | 4.5 | 17 - 3 | 88 | 1.25 | 600 | 12 - 12 | 7",  # no language
    "Harbourview council ferry plan: 42 million",  # short
    "",
    "   \n  ",
]


@functools.lru_cache(maxsize=1)
def _py3langid():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(min_size=0, max_size=300), max_size=6))
def test_batched_language_detection_agrees_with_py3langid(extra: list[str]) -> None:
    from copydesk.semantic.language import (
        MACROLANGUAGES,
        MIN_CHARS,
        MIN_PROBABILITY,
        SAMPLE_CHARS,
        detect_many,
        language_model,
        probabilities,
    )

    texts = LANGUAGE_SAMPLES + extra
    reference = _py3langid()
    expected = []
    for text in texts:
        sample = text[:SAMPLE_CHARS]
        if len(sample.strip()) < MIN_CHARS:
            expected.append(None)
            continue
        lang, prob = reference.classify(sample)
        group = next((g for g in MACROLANGUAGES if lang in g), (lang,))
        sure = sum(p for label, p in reference.rank(sample) if label in group)
        expected.append(lang if max(prob, sure) >= MIN_PROBABILITY - 1e-6 else None)
        mine = probabilities([sample], language_model())[0]
        assert abs(float(mine.max()) - prob) < 1e-4
    assert detect_many(texts) == expected
    # one batch or one text at a time: the same answers
    assert [detect_many([t])[0] for t in texts] == expected


def test_a_language_split_with_its_macrolanguage_sibling_is_kept() -> None:
    """Indonesian that the model reads as part Malay is Indonesian, not of no language."""
    from copydesk.semantic.language import detect_many, language_model, probabilities

    text = (
        "Gempa berkekuatan 4,7 skala Richter mengguncang negara bagian Oklahoma pada hari "
        "Sabtu dan merusak sejumlah rumah, kata para pejabat. Warga melaporkan guncangan "
        "kuat di kota-kota sekitar, namun tidak ada laporan korban jiwa hingga saat ini."
    )
    probs = probabilities([text], language_model())[0]
    labels = language_model().labels
    best = labels[int(probs.argmax())]
    assert best == "id"
    assert detect_many([text]) == ["id"]


def test_languages_of_the_samples() -> None:
    from copydesk.semantic.language import detect_many

    assert detect_many(LANGUAGE_SAMPLES[:8]) == ["en", "en", "en", "fr", "de", "es", "pt", "hi"]
    assert detect_many(LANGUAGE_SAMPLES[8:]) == [None] * 4


# -- nearest articles by mean vector ------------------------------------------------------


def _reference_neighbours(queries, qkeys, base, bkeys, k, cosine):
    """Brute force in float64, with the margins where float32 could round either way."""
    import numpy as np

    qn = queries.astype(np.float64)
    bn = base.astype(np.float64)
    qn /= np.maximum(np.linalg.norm(qn, axis=1, keepdims=True), 1.0)
    bn /= np.maximum(np.linalg.norm(bn, axis=1, keepdims=True), 1.0)
    sims = qn @ bn.T
    out, margins = [], []
    for r, key in enumerate(qkeys):
        hits = sorted(
            (-float(sims[r, c]), int(bkeys[c]))
            for c in range(len(bkeys))
            if int(bkeys[c]) != int(key)
        )
        values = [-h[0] for h in hits]
        margins += [abs(v - cosine) for v in values]
        margins += [abs(a - b) for a, b in itertools.pairwise(values)]
        out.append([key for neg, key in hits[:k] if -neg >= cosine])
    return out, min(margins, default=1.0)


@settings(max_examples=80, deadline=None)
@given(
    st.integers(1, 12),
    st.integers(2, 30),
    st.integers(1, 5),
    st.floats(-0.5, 0.9),
    st.integers(0, 2**32 - 1),
)
def test_exact_neighbours_are_the_brute_force_ones(nq, nb, k, cosine, seed) -> None:
    import numpy as np
    from hypothesis import assume

    from copydesk.semantic import neighbours

    rng = np.random.default_rng(seed)
    base = rng.integers(-127, 128, size=(nb, 256)).astype(np.int8)
    base[rng.random(nb) < 0.3] //= 3  # rows of other lengths, same directions nearby
    bkeys = rng.permutation(10 * nb)[:nb].astype(np.int64)
    pick = rng.choice(nb, size=min(nq, nb), replace=False)
    queries, qkeys = base[pick], bkeys[pick]  # queries are stored articles too
    expected, margin = _reference_neighbours(queries, qkeys, base, bkeys, k, cosine)
    assume(margin > 1e-5)  # no cosine within float32 rounding of the threshold or a tie
    got = neighbours.exact_neighbours(queries, qkeys, base, bkeys, k, cosine)
    assert [[key for key, _ in hits] for hits in got] == expected


def test_exact_neighbours_do_not_depend_on_blocks_or_row_order(monkeypatch) -> None:
    import numpy as np

    from copydesk.semantic import neighbours

    rng = np.random.default_rng(5)
    centres = rng.integers(-127, 128, size=(6, 256))
    base = np.clip(
        centres[rng.integers(0, 6, 300)] + rng.integers(-40, 41, (300, 256)), -127, 127
    ).astype(np.int8)
    keys = np.arange(1000, 1300, dtype=np.int64)
    whole = neighbours.exact_neighbours(base, keys, base, keys, 8, 0.5)
    assert sum(map(len, whole)) > 300  # the test has neighbours to find
    monkeypatch.setattr(neighbours, "_QUERY_BLOCK", 7)
    monkeypatch.setattr(neighbours, "_BASE_BLOCK", 13)
    # the queries as the stored rows themselves (each product used both ways) ...
    assert neighbours.exact_neighbours(base, keys, base, keys, 8, 0.5) == whole
    # ... the blocks shared out over a pool of two: the same answers
    assert neighbours.exact_neighbours(base, keys, base, keys, 8, 0.5, workers=2) == whole
    monkeypatch.setattr(neighbours, "WHOLE_BASE", 0)
    monkeypatch.setattr(neighbours._Hits, "LIMIT", 50)
    # ... and as other rows (the stored ones shuffled): the same neighbours
    order = rng.permutation(300)
    blocked = neighbours.exact_neighbours(base, keys, base[order], keys[order], 8, 0.5)
    assert blocked == whole
    pooled = neighbours.exact_neighbours(base, keys, base[order], keys[order], 8, 0.5, workers=2)
    assert pooled == whole
    some = rng.choice(300, 40, replace=False)
    assert neighbours.exact_neighbours(base[some], keys[some], base, keys, 8, 0.5) == [
        whole[i] for i in some
    ]


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(2, 9), st.floats(0.0, 0.6))
def test_may_align_over_many_pairs_is_the_pair_by_pair_rule(seed, n, threshold) -> None:
    """The sift over all of an article's partners at once keeps exactly the pairs the
    coverage bound keeps one pair at a time (same cosines: exact integer dots)."""
    import dataclasses

    import numpy as np

    from copydesk.semantic.align import could_pass
    from copydesk.semantic.embed import cosines
    from copydesk.semantic.stage import may_align

    rng = np.random.default_rng(seed)
    params = dataclasses.replace(SemanticParams(), threshold=threshold)
    topic = rng.integers(-127, 128, size=256)
    vectors = {}
    for key in range(n):
        m = int(rng.integers(0, 7))
        vecs = np.clip(topic + rng.integers(-127, 128, size=(m, 256)), -127, 127)
        spans = np.arange(m, dtype=np.int32)
        sv = SentenceVectors(spans, spans + 1, vecs.astype(np.int8))
        vectors[key] = (sv, [None, "en", "en", "fr"][int(rng.integers(0, 4))])
    pairs = sorted({(int(a), int(b)) for a, b in rng.integers(0, n + 1, size=(3 * n, 2)) if a != b})

    def one(x: int, y: int) -> bool:
        if x not in vectors or y not in vectors:
            return False
        (a, la), (b, lb) = vectors[x], vectors[y]
        if not len(a) or not len(b):
            return False
        if la and lb and la != lb:
            return True
        close = cosines(a.vectors, b.vectors) >= params.threshold
        return could_pass(int(close.any(axis=1).sum()), len(a), params) or could_pass(
            int(close.any(axis=0).sum()), len(b), params
        )

    assert may_align(pairs, vectors, params) == [p for p in pairs if one(*p)]


def test_clustered_neighbours_are_the_exact_ones_found_in_the_probed_cells(monkeypatch) -> None:
    import numpy as np

    from copydesk.semantic import neighbours

    rng = np.random.default_rng(11)
    centres = rng.integers(-127, 128, size=(12, 256))
    base = np.clip(
        centres[rng.integers(0, 12, 600)] + rng.integers(-60, 61, (600, 256)), -127, 127
    ).astype(np.int8)
    keys = np.arange(5000, 5600, dtype=np.int64)
    exact = neighbours.exact_neighbours(base, keys, base, keys, 6, 0.6)
    assert sum(map(len, exact)) > 1000
    # every cell probed: the exact search's answer, to the last digit
    every = neighbours.clustered_neighbours(base, keys, base, keys, 6, 0.6, cells=10, probes=10)
    assert every == exact
    # fewer cells probed: each neighbour found is a true one with the exact cosine
    few = neighbours.clustered_neighbours(base, keys, base, keys, 6, 0.6, cells=10, probes=2)
    truth = [dict(hits) for hits in neighbours.exact_neighbours(base, keys, base, keys, 600, 0.6)]
    for found, true in zip(few, truth, strict=True):
        assert all(true.get(key) == sim for key, sim in found)
    recall = sum(len(f) for f in few) / sum(map(len, exact))
    assert recall > 0.9  # clustered data: the neighbours share the query's cells
    # the same cells and answers again: nothing random
    again = neighbours.clustered_neighbours(base, keys, base, keys, 6, 0.6, cells=10, probes=2)
    assert again == few
    # the queries a few at a time (as a large collection's are), in one process or
    # spread over a pool: the same answers
    monkeypatch.setattr(neighbours, "_PROBE_CHUNK", 37)
    chunked = neighbours.clustered_neighbours(base, keys, base, keys, 6, 0.6, cells=10, probes=2)
    assert chunked == few
    pooled = neighbours.clustered_neighbours(
        base, keys, base, keys, 6, 0.6, cells=10, probes=2, workers=2
    )
    assert pooled == few
    assert np.array_equal(neighbours.train_cells(base, 10), neighbours.train_cells(base, 10))


@settings(max_examples=60, deadline=None)
@given(
    st.integers(min_value=2, max_value=40),
    st.integers(min_value=1, max_value=4),
    st.integers(min_value=0, max_value=2**32 - 1),
    st.lists(st.integers(min_value=1, max_value=10), min_size=1, max_size=6),
)
def test_mean_candidates_are_the_collections_however_it_was_scanned(
    n: int, k: int, seed: int, steps: list[int]
) -> None:
    """Found in increments (each scan told only of its new articles and the last set), the
    candidate pairs are those of the whole collection found at once."""
    import numpy as np

    from copydesk.semantic.align import SemanticParams
    from copydesk.semantic.stage import mean_candidates

    rng = np.random.default_rng(seed)
    base = rng.integers(-127, 128, size=(3, 32))
    vecs = np.clip(base[rng.integers(0, 3, n)] + rng.integers(-60, 61, (n, 32)), -127, 127)
    vecs = vecs.astype(np.int8)
    keys = np.arange(10, 10 + n, dtype=np.int64)
    params = SemanticParams(candidate_k=k, candidate_cosine=0.2)
    whole = mean_candidates(keys, vecs, keys.tolist(), None, params)
    previous: set[tuple[int, int]] | None = None
    upto = 0
    for step in [*steps, n]:
        new = list(range(upto, min(n, upto + step)))
        if not new:
            continue
        upto = new[-1] + 1
        previous = mean_candidates(keys[:upto], vecs[:upto], keys[new].tolist(), previous, params)
    assert previous == whole


def test_later_scans_keep_the_semantic_matches_and_find_the_new(tmp_path) -> None:
    """A rewrite found by one scan survives the next (the lexical stage leaves it alone),
    and scanning in two steps gives the matches of one scan of everything."""
    articles = [
        _article("src", "harbourgazette.example", SOURCE, 1),
        _article("copy", "copier.example", REWRITE, 2),
        _article("other", "otherpaper.example", SAME_EVENT, 2),
        _article("es", "diario.example", SPANISH, 3),
    ]

    def matches(desk: Desk) -> list[tuple]:
        return sorted((m.source, v.article, m.relation) for v in desk.verdicts() for m in v.sources)

    with Desk(tmp_path / "once.db", workers=1) as once:
        once.ingest(articles)
        once.scan(semantic=True)
        expected = matches(once)
    assert ("src", "copy", "rewrite") in expected
    with Desk(tmp_path / "steps.db", workers=1) as desk:
        desk.ingest(articles[:2])
        desk.scan(semantic=True)
        desk.ingest(articles[2:3])
        desk.scan()  # without the semantic stage: its articles stay due
        desk.ingest(articles[3:])
        desk.scan(semantic=True)
        assert matches(desk) == expected
        desk.scan(semantic=True)  # nothing new: nothing changes
        assert matches(desk) == expected


def test_pairs_judged_by_workers_reading_the_store_match_one_process(tmp_path, monkeypatch) -> None:
    """The pool's workers read their pairs' documents from the store themselves and hand
    back the pairs in two languages: the matches are those of one process."""
    monkeypatch.setattr("copydesk.semantic.stage._JUDGE_CHUNK", 2)  # many chunks
    articles = [
        _article("src", "harbourgazette.example", SOURCE, 1),
        _article("copy", "copier.example", REWRITE, 2),
        _article("other", "otherpaper.example", SAME_EVENT, 2),
        _article("es", "diario.example", SPANISH, 3),
        _article("es-other", "periodico.example", SPANISH_SAME_EVENT, 3),
        _article("copy2", "farm.example", REWRITE + "\n\nShare this story.", 4),
    ]
    found = []
    for workers in (1, 2):
        with Desk(tmp_path / f"w{workers}.db", workers=workers) as desk:
            desk.ingest(articles)
            desk.scan(semantic=True)
            found.append(
                sorted(
                    (v.article, m.source, m.relation, m.coverage, len(m.passages))
                    for v in desk.verdicts()
                    for m in v.sources
                )
            )
    assert found[0] == found[1]
    relations = {(a, s, r) for a, s, r, *_ in found[0]}
    assert {("copy", "src", "rewrite"), ("es", "src", "translation")} <= relations


def _reads_by_letter(text: str) -> bool:
    letters = [ch for ch in text[:4000] if ch.isalpha()]
    return 2 * sum(ch < "\u0250" for ch in letters) >= len(letters)


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        st.sampled_from("ab Zé–“”ñ½²ªµ\u0905\u0915\u093e\u0627\u4e2d\u0416 .,1\n"), max_size=300
    ),
    st.integers(3700, 4300),
)
def test_static_reads_is_the_share_of_latin_letters(text: str, pad: int) -> None:
    from copydesk.semantic.embed import static_reads

    # around the 4,000-character window: what lies beyond it does not count
    for t in (text, "x" * pad + text, text * 20):
        assert static_reads(t) == _reads_by_letter(t)


def test_sentences_the_static_model_cannot_tell_apart_match_nothing(embedder) -> None:
    # Words the model has no pieces for (invented here) give every sentence nearly the
    # same vector: two unrelated such texts pass the cosine threshold sentence by
    # sentence, but no match stands out from the pair's other cosines.
    import random
    from dataclasses import replace

    from test_outlets import _text, _vocabulary

    rnd = random.Random(20260302)
    vocab = _vocabulary(rnd)

    def text() -> str:
        return _text(rnd, vocab)

    a, b = text(), text()
    va, vb = embed_article(a, embedder), embed_article(b, embedder)
    params = SemanticParams()
    assert align_sentences(a, va, b, vb, params).pairs == []
    assert len(align_sentences(a, va, b, vb, replace(params, contrast=0.0)).pairs) >= 3
    # A real rewrite's matches stand out from its other cosines by far more.
    src = embed_article(SOURCE, embedder)
    rw = align_sentences(REWRITE, embed_article(REWRITE, embedder), SOURCE, src, params)
    assert len(rw.pairs) >= 5


@settings(max_examples=200, deadline=None)
@given(
    st.integers(1, 40),
    st.integers(1, 60),
    st.integers(1, 12),
    st.integers(0, 2**31),
)
def test_top_columns_are_a_stable_sorts_first(rows: int, cols: int, n: int, seed: int) -> None:
    import numpy as np

    from copydesk.semantic.neighbours import top_columns

    rng = np.random.default_rng(seed)
    # few distinct values: ties everywhere, at the n-th place too
    values = rng.integers(0, 4, size=(rows, cols)).astype(np.float32)
    want = np.argsort(-values, axis=1, kind="stable")[:, :n]
    assert np.array_equal(top_columns(values, n), want)


def test_kept_sentence_weights_align_as_computed_ones(embedder) -> None:
    from copydesk.semantic.judge import SemDoc

    params = SemanticParams()
    src = SemDoc(1, Article("s", SOURCE), embed_article(SOURCE, embedder), "en")
    rw = SemDoc(2, Article("r", REWRITE), embed_article(REWRITE, embedder), "en")
    plain = align_sentences(REWRITE, rw.vectors, SOURCE, src.vectors, params)
    kept = align_sentences(
        REWRITE,
        rw.vectors,
        SOURCE,
        src.vectors,
        params,
        copy_weights=lambda: rw.sentence_weights(params.quote_weight),
        source_weights=lambda: src.sentence_weights(params.quote_weight),
    )
    assert kept == plain and plain.pairs
    assert rw.sentence_weights(params.quote_weight) is rw.sentence_weights(params.quote_weight)

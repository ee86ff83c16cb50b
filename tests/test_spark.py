"""The Spark engine gives the embedded engine's verdicts, families and outlet profiles,
verdict for verdict (one SparkSession, local[2], for the whole module)."""

from __future__ import annotations

import json
import random
import shutil
import sys
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from copydesk import Desk
from copydesk.cli import app
from copydesk.demo import ARTICLES
from copydesk.engines import exchange
from copydesk.errors import CopydeskError, EngineError
from copydesk.forensics.aliases import learn_aliases
from copydesk.forensics.boilerplate import learn
from copydesk.model import Article
from copydesk.reading.corpora import corpora_available, default_corpora, read_bbc, read_reuters
from test_boilerplate import collection
from test_determinism import generated

pytest.importorskip("pyspark", reason="pyspark is not installed (pip install 'copydesk[spark]')")
if shutil.which("java") is None:
    pytest.skip("Java is not installed (apt-get install openjdk-17-jre-headless)",
                allow_module_level=True)  # fmt: skip

from copydesk.engines import spark as spark_engine


@pytest.fixture(scope="module")
def spark():
    session = spark_engine.session("local[2]", shuffle_partitions=2)
    yield session
    session.stop()


def write_jsonl(path: Path, articles: list[Article]) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        for a in articles:
            fh.write(json.dumps(a.to_json(), ensure_ascii=False) + "\n")
    return path


def _dumps(items) -> list[str]:
    return sorted(json.dumps(x.to_json(), ensure_ascii=False, sort_keys=True) for x in items)


def store_reports(desk: Desk) -> dict[str, list[str]]:
    """Everything a scan leaves that the two engines must agree on: the verdicts, the
    families, the profiles, and the raw matches (same-outlet ones too) and signals."""
    ids = dict(desk.store.db.execute("SELECT key, id FROM articles"))
    matches = sorted(
        f"{ids[c]}>{ids[s]}:{same}:{data}"
        for c, s, same, data in desk.store.db.execute(
            "SELECT copy, source, same_outlet, data FROM matches"
        )
    )
    signals = sorted(
        f"{ids[k]}:{d}" for k, d in desk.store.db.execute("SELECT article, data FROM signals")
    )
    return {
        "verdicts": _dumps(desk.verdicts()),
        "families": _dumps(desk.families()),
        "outlets": _dumps(desk.outlets()),
        "matches": matches,
        "signals": signals,
    }


def embedded_reports(paths: list[Path], db: Path) -> dict[str, list[str]]:
    with Desk(db, workers=1) as desk:
        desk.ingest_files(paths)
        desk.scan()
        return store_reports(desk)


def spark_reports(out: Path, db: Path) -> dict[str, list[str]]:
    """What the Spark run wrote, as files (verdicts, families, profiles) and through
    ``copydesk import`` (matches, signals: the same rows as the embedded store's)."""
    with Desk(db) as desk:
        exchange.import_output(desk.store, out)
        got = store_reports(desk)
    for name in ("verdicts", "families", "outlets"):
        written = sorted(
            json.dumps(json.loads(t), ensure_ascii=False, sort_keys=True)
            for t in spark_engine.read_back(out, name)
        )
        assert written == got[name], f"{name} written differ from {name} imported"
    return got


def assert_parity(spark, path: Path, tmp_path: Path, *, min_verdicts: int) -> None:
    want = embedded_reports([path], tmp_path / "embedded.db")
    summary = spark_engine.scan(spark, [path], tmp_path / "out", partitions=2)
    got = spark_reports(tmp_path / "out", tmp_path / "imported.db")
    assert summary.pairs == len(want["matches"])
    assert len(want["verdicts"]) >= min_verdicts
    for name in want:
        assert got[name] == want[name], f"{name} differ"


def test_generated_collection_parity(spark, tmp_path) -> None:
    """Undated copies, credit lines, carried footers: direction by text evidence and by
    ingest order, the same on both engines. A second file gives one id again with a
    changed text: the last record wins, at the place ingesting gives it."""
    articles = generated(seed=5, stories=16)
    folder = tmp_path / "in"
    folder.mkdir()
    first = write_jsonl(folder / "a-generated.jsonl", articles)
    again = replace(articles[1], text=articles[1].text + "\n\nCorrection: an earlier version.")
    second = write_jsonl(folder / "b-again.jsonl", [again])
    (folder / "_SUCCESS").write_text("", encoding="utf-8")
    (folder / ".b-again.jsonl.crc").write_text("x", encoding="utf-8")
    want = embedded_reports([first, second], tmp_path / "embedded.db")
    # The folder as a Hadoop filesystem URI: listed and read through pyarrow.
    assert spark_engine.input_files([folder.as_uri()]) == [first.as_uri(), second.as_uri()]
    spark_engine.scan(spark, [folder.as_uri()], tmp_path / "out", partitions=2)
    got = spark_reports(tmp_path / "out", tmp_path / "imported.db")
    assert len(want["verdicts"]) >= 20
    assert got == want
    keys = []
    for db in ("embedded.db", "imported.db"):
        with Desk(tmp_path / db) as desk:
            assert desk.article(again.id).text.endswith("an earlier version.")
            keys.append(desk.store.article(again.id).key)
    assert keys[0] == keys[1]


def test_rewrites_and_translations_parity(spark, tmp_path) -> None:
    """The semantic stage on both engines: a rewrite and a translation of an invented
    story (beside a same-event report in each language) among a generated collection,
    linked alike, in the same families; ``copydesk import`` brings back the vectors."""
    from copydesk.semantic.stage import stored_vector_rows
    from test_semantic import REWRITE, SAME_EVENT, SOURCE, SPANISH, SPANISH_SAME_EVENT

    base = generated(seed=7, stories=6)
    day = base[0].published or None
    invented = [
        Article(f"sem-{i}", text, outlet=f"sem{i}.example",
                published=day + timedelta(days=40 + i) if day else None)
        for i, text in enumerate([SOURCE, REWRITE, SAME_EVENT, SPANISH, SPANISH_SAME_EVENT])
    ]  # fmt: skip
    path = write_jsonl(tmp_path / "sem.jsonl", base + invented)
    want = embedded_reports([path], tmp_path / "embedded.db")
    summary = spark_engine.scan(spark, [path], tmp_path / "out", partitions=2)
    got = spark_reports(tmp_path / "out", tmp_path / "imported.db")
    assert summary.pairs == len(want["matches"])
    assert got == want
    relations = {m.split(":", 3)[0]: json.loads(m.split(":", 2)[2])["relation"]
                 for m in want["matches"] if m.startswith("sem-")}  # fmt: skip
    assert relations["sem-1>sem-0"] == "rewrite"
    assert relations["sem-3>sem-0"] == "translation"
    assert not any(k.startswith(("sem-2>", "sem-4>")) for k in relations)
    vectors = []
    for db in ("embedded.db", "imported.db"):
        with Desk(tmp_path / db) as desk:
            vectors.append(list(stored_vector_rows(desk.store.db)))
    assert vectors[0] == vectors[1] and len(vectors[0]) == len(base) + 5
    # Without the stage, no rewrites and no vectors in the output.
    spark_engine.scan(spark, [path], tmp_path / "lexical", partitions=2, semantic=False)
    assert not (tmp_path / "lexical" / exchange.SENTENCE_VECTORS).exists()
    with Desk(tmp_path / "lexical.db") as desk:
        exchange.import_output(desk.store, tmp_path / "lexical")
        assert not list(stored_vector_rows(desk.store.db))


def republished(articles: list[Article], every: int = 7) -> list[Article]:
    """The articles, and copies of some of them at invented outlets, trimmed, later."""
    rng = random.Random(3)
    out = list(articles)
    for i, a in enumerate(articles[::every]):
        paras = a.text.split("\n\n")
        kept = paras[: max(1, len(paras) - rng.randint(0, 2))]
        out.append(
            replace(
                a,
                id=f"relay-{i}",
                url=None,
                outlet=f"relay{i % 3}.example",
                outlet_name=None,
                text="\n\n".join(kept),
                published=a.published + timedelta(hours=5) if a.published else None,
                extra={},
            )
        )
    return out


def real_sample(n: int) -> list[Article]:
    if not corpora_available():
        pytest.skip(f"the real corpora are not at {default_corpora()} (BBC, Reuters-21578)")
    bbc = list(read_bbc())[: n // 2]
    reuters = []
    for a in read_reuters():
        reuters.append(a)
        if len(reuters) >= n // 2:
            break
    return republished(bbc + reuters)


def test_real_corpus_sample_parity(spark, tmp_path) -> None:
    path = write_jsonl(tmp_path / "real.jsonl", real_sample(400))
    assert_parity(spark, path, tmp_path, min_verdicts=30)


@pytest.mark.slow
def test_real_corpus_1200_parity(spark, tmp_path) -> None:
    path = write_jsonl(tmp_path / "real.jsonl", real_sample(1200))
    assert_parity(spark, path, tmp_path, min_verdicts=60)


def test_demo_corpus_parity_through_the_command_line(spark, tmp_path) -> None:
    """scan --engine spark --json, then import: the embedded engine's verdicts, families
    and profiles; show and trace work on the imported store."""
    runner = CliRunner()
    out = tmp_path / "out"
    result = runner.invoke(
        app,
        ["scan", "--engine", "spark", "--master", "local[2]", "--input", str(ARTICLES),
         "--output", str(out), "--json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    n = len(ARTICLES.read_text(encoding="utf-8").splitlines())
    assert f"scanned {n} articles" in result.output
    lines = spark_engine.read_back(out, "verdicts")
    assert any(json.loads(line)["article"] == "cs-001" for line in lines)
    assert sorted(p.name for p in (out / "verdicts").iterdir() if p.is_dir())[0].startswith(
        "month="
    )
    db = tmp_path / "run.db"
    result = runner.invoke(app, ["import", str(out), "--db", str(db)])
    assert result.exit_code == 0, result.output
    want = embedded_reports([ARTICLES], tmp_path / "embedded.db")
    with Desk(db) as desk:
        assert store_reports(desk) == want
    for name in ("verdicts", "families", "outlets"):
        written = sorted(
            json.dumps(json.loads(t), ensure_ascii=False, sort_keys=True)
            for t in spark_engine.read_back(out, name)
        )
        assert written == want[name]
    result = runner.invoke(app, ["show", "--db", str(db), "cs-001"])
    assert result.exit_code == 0 and "dc-001" in result.output
    text = next(
        json.loads(line)["text"]
        for line in ARTICLES.read_text(encoding="utf-8").splitlines()
        if json.loads(line)["id"] == "cs-001"
    )
    pasted = tmp_path / "pasted.txt"
    pasted.write_text(text.replace("Capital Sentinel", "Harbour Post"), encoding="utf-8")
    result = runner.invoke(
        app, ["trace", "--db", str(db), str(pasted), "--outlet", "other.example", "--json"]
    )
    assert result.exit_code == 0, result.output
    assert "dc-001" in result.output
    # A second import into the same store is refused, with a message.
    result = runner.invoke(app, ["import", str(out), "--db", str(db)])
    assert result.exit_code == 2 and "new store" in result.output


def test_without_pyspark_the_spark_engine_says_what_to_install(monkeypatch, tmp_path) -> None:
    monkeypatch.setitem(sys.modules, "pyspark", None)
    with pytest.raises(EngineError, match="pip install 'copydesk\\[spark\\]'"):
        spark_engine.require_pyspark()
    assert issubclass(EngineError, CopydeskError)
    result = CliRunner().invoke(
        app, ["scan", "--engine", "spark", "--input", str(ARTICLES), "--output", str(tmp_path)]
    )
    assert result.exit_code == 2
    assert "copydesk[spark]" in result.output
    # The embedded engine does not need it.
    db = tmp_path / "e.db"
    assert CliRunner().invoke(app, ["ingest", "--db", str(db), str(ARTICLES)]).exit_code == 0
    assert CliRunner().invoke(app, ["scan", "--db", str(db)]).exit_code == 0


def test_spark_engine_options_are_checked(tmp_path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["scan", "--engine", "spark", "--input", str(ARTICLES)])
    assert result.exit_code == 2 and "--output" in result.output
    result = runner.invoke(app, ["scan", "--engine", "other", "--db", str(tmp_path / "x.db")])
    assert result.exit_code == 2 and "embedded or spark" in result.output
    result = runner.invoke(app, ["scan"])
    assert result.exit_code == 2 and "--db" in result.output
    with pytest.raises(EngineError, match="no input files"):
        spark_engine.input_files([tmp_path])
    with pytest.raises(EngineError, match="no input files"):
        spark_engine.input_files([tmp_path.as_uri()])
    (tmp_path / "x.jsonl").write_text("{}\n", encoding="utf-8")
    assert spark_engine.input_files([tmp_path, tmp_path.as_uri()]) == [
        str(tmp_path / "x.jsonl"),
        (tmp_path / "x.jsonl").as_uri(),
    ]


@pytest.mark.parametrize("partitions", [1, 3])
def test_models_learned_in_partitions_are_the_embedded_models(spark, partitions) -> None:
    # Boilerplate counted per partition and added up, with copies marked, is the model
    # learned from the whole collection at once (adding tallies mutates them: no two may
    # share their counts).
    items = collection(unmarked_copies=0)
    rows = [
        (k + 1, exchange.article_row(Article(f"a{k}", text, outlet=outlet)))
        for k, (outlet, text, _) in enumerate(items)
    ]
    copies = {k + 1 for k, (_, _, is_copy) in enumerate(items) if is_copy}
    arts = spark.sparkContext.parallelize(rows, partitions)
    _, models = spark_engine.learn_context(arts, copies)
    assert models["boilerplate"] == learn(items).to_json()
    assert models["boilerplate"]["shapes"]
    own = [(o, t) for k, (o, t, _) in enumerate(items) if k + 1 not in copies]
    assert models["aliases"] == learn_aliases(own)

"""The Spark engine: the embedded engine's scan over a cluster, verdict for verdict.

It calls the same stage functions as the embedded engine (``fingerprints``,
``compare_group``, ``count_aliases`` + ``aliases_from_counts``, ``shapes_of`` +
``model_from_counts``, ``make_context``, ``article_signals``), with the models learned
from the whole collection passed as one broadcast :class:`~copydesk.verdict.Context`
value. The steps are the embedded scan's (see ``embedded.scan``):

1. read: every input file is one task (the readers of ``copydesk.reading``); articles
   get keys 1..N in reading order (the store's ingest order; an id read twice keeps its
   last record, at the place the embedded engine's ingest gives it);
2. fingerprint each partition; candidates: anchors and LSH band keys exploded and grouped
   by hash in Spark SQL; a group of one, an anchor in more than ``max_anchor_df`` articles
   and a band bucket of more than ``MAX_BUCKET`` are skipped, exactly as the embedded
   sort-merge join skips them; pairs counted, deduplicated, kept when they share a band
   or enough anchors (``enough_shared``);
3. each candidate pair aligned with the lower key first, grouped by that key
   (``compare_group``), with no model: the reusing pairs and which article of each is
   taken for the copy (``taken_for_copy``);
4. aliases and boilerplate counted in the partitions and added up (the counts of the
   line shapes in enough articles to matter, never the texts, reach the driver), the
   embedded engine's rules applied to the sums, made into the context and broadcast;
5. every reusing pair judged again under the context, every article's own signals;
6. the semantic stage (unless ``semantic=False``): every article embedded in the
   partitions (``semantic.stage.embed_rows``, the packaged model loaded once per
   worker process).

The run's tables (articles with keys and fingerprints, matches, signals, models, sentence
vectors) are written under the output folder; the semantic stage's candidates and
comparisons, the story families, the verdicts and the outlet profiles are then made from
them by the embedded engine's own functions (a store on the driver, see
``exchange.load_into_store`` and ``semantic.stage.scan_semantic``), so they are the same
by construction. The semantic candidates and comparisons run in the driver's one
process: only the embedding is spread over the cluster.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from copydesk.candidates import MAX_BUCKET
from copydesk.engines.compare import Params, compare_group
from copydesk.engines.embedded import _signals_of
from copydesk.engines.exchange import (
    ARTICLE_FIELDS,
    ARTICLES,
    FAMILIES,
    JUDGED,
    MATCHES,
    MODELS,
    OUTLETS,
    SEMANTIC_MATCHES,
    SENTENCE_VECTORS,
    SIGNALS,
    VECTOR_COLUMNS,
    VERDICTS,
    article_row,
    fingerprint_of,
    load_into_store,
    row_article,
    signed,
)
from copydesk.engines.forensics import make_context, shapes_of
from copydesk.errors import EngineError
from copydesk.fingerprint import fingerprints
from copydesk.forensics.aliases import AliasCounts, aliases_from_counts, count_aliases
from copydesk.forensics.boilerplate import ShapeCounts, ShapeTally, model_from_counts
from copydesk.model import Rejection
from copydesk.verdict import EMPTY, Context, taken_for_copy

if TYPE_CHECKING:
    from pyspark import RDD
    from pyspark.sql import SparkSession

INPUT_SUFFIXES = (
    ".jsonl", ".ndjson", ".jsonlines", ".json", ".csv", ".tsv", ".parquet",
    ".warc", ".arc", ".html", ".htm", ".xhtml",
)  # fmt: skip


def require_pyspark() -> None:
    """Raise ``EngineError`` with what to install when pyspark (or Java) is missing."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        raise EngineError(
            "the Spark engine needs pyspark: pip install 'copydesk[spark]' (and Java 17)"
        ) from None
    if not os.environ.get("JAVA_HOME") and shutil.which("java") is None:
        raise EngineError(
            "the Spark engine needs Java 17 (java not found on PATH and JAVA_HOME unset):"
            " apt-get install openjdk-17-jre-headless"
        )


def under_spark_submit() -> bool:
    """Whether this driver was started by ``spark-submit`` (which gives it its master
    and settings)."""
    return "PYSPARK_GATEWAY_PORT" in os.environ


def session(
    master: str | None = None,
    *,
    app_name: str = "copydesk",
    shuffle_partitions: int | None = None,
    conf: dict[str, str] | None = None,
) -> SparkSession:
    """A SparkSession for a scan. ``master``: ``local[*]``, ``spark://HOST:PORT``,
    ``yarn``; None: spark-submit's, else ``local[*]``. The UI is off and few shuffle
    partitions are used unless the submitted settings or ``conf`` say otherwise."""
    require_pyspark()
    from pyspark import SparkConf
    from pyspark.sql import SparkSession

    submitted = SparkConf() if under_spark_submit() else None
    builder = SparkSession.builder.appName(app_name)
    if master is not None or submitted is None:
        master = master or "local[*]"
        builder = builder.master(master)
    else:
        master = submitted.get("spark.master", "local[*]")
    defaults = {
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.sql.shuffle.partitions": str(shuffle_partitions or 8),
        "spark.python.worker.reuse": "true",
    }
    settings = {k: v for k, v in defaults.items() if submitted is None or not submitted.contains(k)}
    settings.update(conf or {})
    if master.startswith("local"):
        # A local run listens on the loopback address only; its one JVM is driver and
        # executors at once, so it gets the memory (Spark's default is 1 GB).
        if submitted is None or not submitted.contains("spark.driver.memory"):
            settings.setdefault("spark.driver.memory", local_driver_memory())
        settings.setdefault("spark.driver.host", "127.0.0.1")
        settings.setdefault("spark.driver.bindAddress", "127.0.0.1")
        if not os.environ.get("PYSPARK_PYTHON"):
            # Local workers run this interpreter (its installed copydesk), not the PATH's.
            os.environ["PYSPARK_PYTHON"] = sys.executable
    for k, v in settings.items():
        builder = builder.config(k, v)
    try:
        spark = builder.getOrCreate()
    except Exception as exc:  # the JVM could not start: Java missing or broken
        raise EngineError(f"Spark could not start ({str(exc).splitlines()[0][:200]})") from exc
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def local_driver_memory() -> str:
    """The JVM heap of a local run: a quarter of the machine's memory, 1 to 8 GB."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):  # not a POSIX system: Spark's default
        return "1g"
    return f"{min(8, max(1, total // 4 // 2**30))}g"


def open_session(master: str | None = None, **options: Any) -> tuple[SparkSession, bool]:
    """The running SparkSession (as under spark-submit), else a new one; and whether it
    was made here (then the caller stops it)."""
    require_pyspark()
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        return active, False
    return session(master, **options), True


@dataclass(slots=True)
class SparkSummary:
    master: str = ""
    articles: int = 0
    rejected: list[str] = field(default_factory=list)
    candidates: int = 0
    pairs: int = 0
    verdicts: int = 0
    families: int = 0
    outlets: int = 0
    seconds: float = 0.0
    steps: dict[str, float] = field(default_factory=dict)


# -- reading ----------------------------------------------------------------------------


def _is_uri(path: str) -> bool:
    return "://" in path


def _filesystem(uri: str) -> tuple[Any, str, str]:
    """(pyarrow filesystem, path in it, the URI's prefix) of a Hadoop filesystem URI:
    ``hdfs://``, ``s3a://`` (read as ``s3://``), ``gs://``, ``file://``."""
    from urllib.parse import urlsplit

    from pyarrow import fs

    parts = urlsplit(uri)
    scheme = {"s3a": "s3", "s3n": "s3"}.get(parts.scheme, parts.scheme)
    try:
        filesystem, path = fs.FileSystem.from_uri(scheme + uri[len(parts.scheme) :])
    except Exception as exc:  # pyarrow's errors for unknown schemes and unreachable hosts
        raise EngineError(f"{uri}: cannot read this filesystem ({exc})") from exc
    prefix = f"{parts.scheme}://{parts.netloc}" if path.startswith("/") else f"{parts.scheme}://"
    return filesystem, path, prefix


def _wanted(relative: str) -> bool:
    """An input file of a folder: not hidden, no Spark marker, a known kind."""
    parts = relative.split("/")
    return not any(p.startswith((".", "_")) for p in parts) and parts[-1].lower().removesuffix(
        ".gz"
    ).endswith(INPUT_SUFFIXES)


def input_files(paths: Sequence[str | Path]) -> list[str]:
    """The files of ``paths`` in reading order: a folder gives its input files, walked in
    name order (hidden files and Spark's ``_SUCCESS`` markers skipped). Local paths, or
    Hadoop filesystem URIs (``hdfs://``, ``s3a://``) read through pyarrow."""
    out: list[str] = []
    for raw in paths:
        found: list[str]
        if _is_uri(str(raw)):
            from pyarrow import fs

            filesystem, root, prefix = _filesystem(str(raw))
            if filesystem.get_file_info(root).type != fs.FileType.Directory:
                out.append(str(raw))
                continue
            infos = filesystem.get_file_info(fs.FileSelector(root, recursive=True))
            found = sorted(
                prefix + i.path
                for i in infos
                if i.type == fs.FileType.File and _wanted(i.path[len(root) :].strip("/"))
            )
        else:
            path = Path(raw)
            if not path.is_dir():
                out.append(str(raw))
                continue
            found = [
                str(p)
                for p in sorted(path.rglob("*"))
                if p.is_file() and _wanted(p.relative_to(path).as_posix())
            ]
        if not found:
            raise EngineError(f"{raw}: a folder with no input files (JSON Lines, Parquet, WARC)")
        out += found
    return out


def _read_file(item: tuple[int, str]) -> Iterator[tuple[Any, ...]]:
    """One input file's records: ("a", (file, record), row) or ("r", reason). A file on a
    Hadoop filesystem is copied to local disk first, under its own name."""
    from copydesk.reading import read_path

    number, path = item
    with tempfile.TemporaryDirectory(prefix="copydesk-input-") as tmp:
        local = path
        if _is_uri(path):
            filesystem, remote, _ = _filesystem(path)
            local = str(Path(tmp) / Path(remote).name)
            with filesystem.open_input_stream(remote) as src, open(local, "wb") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
        for i, got in enumerate(read_path(local, workers=1)):
            if isinstance(got, Rejection):
                if got.severity == "error":
                    yield ("r", (number, i), str(got).replace(local, path))
            else:
                yield ("a", (number, i), article_row(got))


# Articles a partition holds by default: a partition's articles are aligned, counted and
# written by one task, and a task's result must fit in its worker's memory.
PARTITION_ARTICLES = 10_000
INGEST_BATCH = 2000  # records the embedded engine ingests at once (``embedded.ingest``)


def _place(
    a: tuple[int, int, int, tuple], b: tuple[int, int, int, tuple]
) -> tuple[int, int, int, tuple]:
    """Of two records of one id, (batch, place, last, row): the batch it is first read
    in and its last place within that batch (the place ingesting gives it: a batch keeps
    an id's last record, later batches update it in place), and the last record."""
    if a[0] != b[0]:
        first = a if a[0] < b[0] else b
        batch, place = first[0], first[1]
    else:
        batch, place = a[0], max(a[1], b[1])
    last = a if a[2] > b[2] else b
    return batch, place, last[2], last[3]


def read_articles(
    spark: SparkSession, paths: Sequence[str | Path], *, partitions: int | None = None
) -> tuple[RDD, list[str]]:
    """RDD of (key, article row) in key order, and the rejections' messages. Keys are
    the store's: reading order, an id read twice keeping its last record at the place
    the embedded engine's ingest gives it."""
    files = input_files(paths)
    sc = spark.sparkContext
    records = sc.parallelize(list(enumerate(files)), max(1, len(files))).flatMap(_read_file)
    records.persist()
    counts = records.map(lambda r: (r[1][0], r[1][1] + 1)).reduceByKey(max).collectAsMap()
    offsets, total = {}, 0
    for number in range(len(files)):
        offsets[number] = total
        total += counts.get(number, 0)
    rejected = records.filter(lambda r: r[0] == "r").map(lambda r: r[2]).collect()

    def placed(r: tuple) -> tuple[str, tuple[int, int, int, tuple]]:
        g = offsets[r[1][0]] + r[1][1]  # the record's place in the whole input
        return r[2][0], (g // INGEST_BATCH, g, g, r[2])

    latest = (
        records.filter(lambda r: r[0] == "a")
        .map(placed)
        .reduceByKey(_place)
        .map(lambda kv: (kv[1][1], kv[1][3]))
    )
    parts = partitions or max(sc.defaultParallelism * 2, 2, -(-total // PARTITION_ARTICLES))
    arts = (
        latest.sortByKey(numPartitions=parts)
        .values()
        .zipWithIndex()
        .map(lambda ri: (ri[1] + 1, ri[0]))
    )
    arts.persist()
    arts.count()
    records.unpersist()
    return arts, rejected


# -- candidates -------------------------------------------------------------------------


def _fingerprint_partition(rows: Iterable[tuple[int, tuple]]) -> Iterator[tuple]:
    rows = list(rows)
    for (key, _), fp in zip(rows, fingerprints([r[7] for _, r in rows]), strict=True):
        anchors, bands = signed(fp.anchors), signed(fp.bands)
        yield key, fp.n_words, len(set(anchors)), anchors, bands


_PAIRS = (
    "flatten(transform(m, (x, i) -> "
    "transform(slice(m, i + 2, size(m)), y -> named_struct('x', x, 'y', y))))"
)


def _grouped_pairs(fps, column: str, max_size: int):
    """(x, y) x < y of every hash group of 2 to ``max_size`` articles (one row a pair
    and group)."""
    from pyspark.sql import functions as F

    groups = (
        fps.select("key", F.explode(F.array_distinct(column)).alias("h"))
        .groupBy("h")
        .agg(F.sort_array(F.collect_list("key")).alias("m"))
        .where(F.size("m").between(2, max_size))
    )
    return groups.select(F.explode(F.expr(_PAIRS)).alias("p")).select("p.x", "p.y")


def candidate_pairs(fps, params: Params):
    """DataFrame (x, y), x < y: pairs sharing a band key, or enough rare anchors."""
    from pyspark.sql import functions as F

    n = fps.select("key", "n_anchors")
    shared = _grouped_pairs(fps, "anchors", params.max_anchor_df).groupBy("x", "y").count()
    shared = shared.join(n.withColumnRenamed("key", "x").withColumnRenamed("n_anchors", "nx"), "x")
    shared = shared.join(n.withColumnRenamed("key", "y").withColumnRenamed("n_anchors", "ny"), "y")
    short = F.greatest(F.lit(2.0), F.ceil(F.lit(params.short_share) * F.least("nx", "ny")))
    enough = (F.col("count") >= max(2, params.min_shared_anchors)) | (F.col("count") >= short)
    anchored = shared.where(enough).select("x", "y")
    banded = _grouped_pairs(fps, "bands", MAX_BUCKET)
    return anchored.union(banded).distinct()


# -- comparing --------------------------------------------------------------------------


def _compare_partition(
    groups: Iterable[tuple[int, tuple[Iterable, Iterable]]], params: Params, ctx: Context
) -> Iterator[tuple[int, tuple, list[tuple[int, tuple]], list[tuple[int, int, Any]]]]:
    """Each lower article against its candidates: (x, row x, the candidates that reuse
    or are reused, the matches)."""
    for x, (ys, xs) in groups:
        xs = list(xs)
        ys = sorted(ys)
        if not xs or not ys:
            continue
        row_x = xs[0]
        others = [(y, row_article(row)) for y, row in ys]
        found = compare_group((x, row_article(row_x), others, params), ctx)
        reusing = {k for c, s, _ in found for k in (c, s)} - {x}
        yield x, row_x, [(y, row) for y, row in ys if y in reusing], found


def _learning_copies(item: tuple[int, tuple, list, list], params: Params) -> list[int]:
    """The article of each reusing cross-outlet pair taken for the copy when learning."""
    x, row_x, ys, found = item
    published = {x: row_article(row_x).published, **{y: row_article(r).published for y, r in ys}}
    return [
        c if taken_for_copy(published[c], c, published[s], s, params.judge) else s
        for c, s, match in found
        if not match.same_outlet
    ]


def _match_rows(item: tuple[int, tuple, list, list]) -> list[tuple]:
    return [
        (
            c,
            s,
            bool(m.same_outlet),
            m.coverage,
            m.confidence,
            json.dumps(m.to_json(), ensure_ascii=False),
        )
        for c, s, m in item[3]
    ]


def _alias_partition(rows: Iterable[tuple[int, tuple]], copies: Any) -> Iterator[AliasCounts]:
    """Alias counts of a partition's own (not copied) articles."""
    copy_keys = copies.value
    yield count_aliases((r[2], r[7]) for key, r in rows if key not in copy_keys)


def _shape_tallies(
    rows: Iterable[tuple[int, tuple]], copies: Any
) -> Iterator[tuple[str, ShapeTally]]:
    """(shape, its tally in one article) of each line shape of a partition's articles."""
    copy_keys = copies.value
    for outlet, shapes, is_copy in shapes_of([(r[2], r[7], k in copy_keys) for k, r in rows]):
        if not outlet:
            continue
        for shape, kind in shapes.items():  # each tally its own dicts: adding mutates them
            tally = ShapeTally(kind)
            (tally.copies if is_copy else tally.noncopies)[outlet] = 1
            yield shape, tally


def _signals_partition(rows: Iterable[tuple[int, tuple]], ctx: Any) -> Iterator[tuple[int, str]]:
    context = ctx.value
    for key, r in rows:
        _, found = _signals_of((key, r[2], r[7]), context)
        yield key, json.dumps(found, ensure_ascii=False)


def learn_context(
    arts: RDD,
    copies: set[int],
    user_aliases: dict[str, list[str]] | None = None,
    *,
    min_articles: int = 3,
) -> tuple[Context, dict[str, Any]]:
    """Aliases and boilerplate from the whole collection (the embedded engine's
    ``learn``), counted per partition and added up: no article's text reaches the driver,
    only the counts of the shapes in at least ``min_articles`` articles (the boilerplate
    rule's floor; no rarer shape can be owned). Returns the context and the models as the
    store keeps them."""
    sc = arts.context
    bc = sc.broadcast(copies)
    counted = AliasCounts()
    for part in arts.mapPartitions(lambda rows: _alias_partition(rows, bc)).collect():
        counted.add(part)
    aliases = aliases_from_counts(counted)
    totals = (
        arts.filter(lambda kv: bool(kv[1][2]))
        .map(lambda kv: ((kv[1][2], kv[0] in bc.value), 1))
        .reduceByKey(lambda a, b: a + b)
        .collect()
    )
    shapes = ShapeCounts(
        noncopies={o: n for (o, is_copy), n in totals if not is_copy},
        copies={o: n for (o, is_copy), n in totals if is_copy},
    )
    kept = (
        arts.mapPartitions(lambda rows: _shape_tallies(rows, bc))
        .reduceByKey(ShapeTally.add)
        .filter(lambda kv: kv[1].articles >= min_articles)
    )
    shapes.shapes = dict(kept.toLocalIterator())
    boilerplate = model_from_counts(shapes, min_articles=min_articles).to_json()
    bc.unpersist()
    # As the store keeps them: JSON values.
    models = json.loads(
        json.dumps(
            {"aliases": aliases, "boilerplate": boilerplate, "user_aliases": user_aliases},
            ensure_ascii=False,
        )
    )
    ctx = make_context(models["aliases"], models["user_aliases"], models["boilerplate"])
    models[JUDGED] = {"version": ctx.version}
    return ctx, models


def _by_lower_key(pairs_rdd: RDD, arts: RDD, parts: int) -> RDD:
    """(x, (candidates (y, row y), [row x])): each lower article with its candidates."""
    with_y = pairs_rdd.map(lambda p: (p[1], p[0])).join(arts, parts)
    return with_y.map(lambda kv: (kv[1][0], (kv[0], kv[1][1]))).cogroup(arts, parts)


# -- the scan ---------------------------------------------------------------------------


def scan(
    spark: SparkSession,
    inputs: Sequence[str | Path],
    output: str | Path,
    *,
    params: Params | None = None,
    user_aliases: dict[str, list[str]] | None = None,
    as_json: bool = False,
    partitions: int | None = None,
    semantic: bool = True,
) -> SparkSummary:
    """Scan ``inputs`` (files and folders of JSON Lines, Parquet, WARC, HTML) and write the
    run's tables and its verdicts, families and outlet profiles under ``output``;
    ``semantic`` adds the semantic stage (rewrites, translations), as the embedded
    engine's scan does by default."""
    from pyspark import StorageLevel
    from pyspark.sql import types as T

    params = params or Params()
    start = time.perf_counter()
    summary = SparkSummary()
    sc = spark.sparkContext
    summary.master = sc.master
    out = str(output).rstrip("/")

    def step(name: str, since: float) -> float:
        now = time.perf_counter()
        summary.steps[name] = round(now - since, 3)
        return now

    t = time.perf_counter()
    arts, summary.rejected = read_articles(spark, inputs, partitions=partitions)
    parts = arts.getNumPartitions()
    summary.articles = arts.count()
    t = step("read", t)

    fp_rdd = arts.mapPartitions(_fingerprint_partition)
    fp_schema = T.StructType(
        [
            T.StructField("key", T.LongType(), False),
            T.StructField("n_words", T.LongType(), False),
            T.StructField("n_anchors", T.LongType(), False),
            T.StructField("anchors", T.ArrayType(T.LongType(), False), False),
            T.StructField("bands", T.ArrayType(T.LongType(), False), False),
        ]
    )
    fps = spark.createDataFrame(fp_rdd, fp_schema).persist(StorageLevel.MEMORY_AND_DISK)
    fps.count()
    t = step("fingerprint", t)
    pairs = candidate_pairs(fps, params).rdd.map(lambda r: (int(r[0]), int(r[1])))
    pairs.persist(StorageLevel.MEMORY_AND_DISK)
    summary.candidates = pairs.count()
    t = step("candidates", t)

    # 3. Every candidate aligned, no model yet: which pairs reuse, which side is the copy.
    empty = sc.broadcast(EMPTY)
    first = _by_lower_key(pairs, arts, parts).mapPartitions(
        lambda groups: _compare_partition(groups, params, empty.value)
    )
    first = first.filter(lambda item: bool(item[3]))
    first.persist(StorageLevel.MEMORY_AND_DISK)
    copies = set(first.flatMap(lambda item: _learning_copies(item, params)).collect())
    pairs.unpersist()
    t = step("align", t)

    # 4. The models, from the whole collection.
    ctx, models = learn_context(arts, copies, user_aliases)
    context = sc.broadcast(ctx)
    t = step("learn", t)

    # 5. The reusing pairs judged again, every article's signals, under the models.
    def judge(items: Iterable[tuple]) -> Iterator[tuple]:
        for x, row_x, ys, _ in items:
            yield from _match_rows(
                (x, row_x, ys, compare_group((x, row_article(row_x),
                 [(y, row_article(r)) for y, r in ys], params), context.value))
            )  # fmt: skip

    matches = first.mapPartitions(judge)
    matches_df = spark.createDataFrame(matches, _MATCH_SCHEMA).persist(StorageLevel.MEMORY_AND_DISK)
    summary.pairs = matches_df.count()
    first.unpersist()
    signals = arts.mapPartitions(lambda rows: _signals_partition(rows, context))
    signals_df = spark.createDataFrame(signals, "key long, data string")
    t = step("judge", t)

    # The run's tables.
    article_schema = ", ".join(["key long", *(f"{f} string" for f in ARTICLE_FIELDS)])
    articles_df = spark.createDataFrame(arts.map(lambda kv: (kv[0], *kv[1])), article_schema)
    articles_df.join(fps.select("key", "n_words", "anchors", "bands"), "key").write.mode(
        "overwrite"
    ).parquet(f"{out}/{ARTICLES}")
    matches_df.write.mode("overwrite").parquet(f"{out}/{MATCHES}")
    signals_df.write.mode("overwrite").parquet(f"{out}/{SIGNALS}")
    spark.createDataFrame(
        [(k, json.dumps(v, ensure_ascii=False)) for k, v in sorted(models.items())],
        "name string, data string",
    ).coalesce(1).write.mode("overwrite").parquet(f"{out}/{MODELS}")
    t = step("write", t)

    if semantic:
        vectors = arts.mapPartitions(_embed_partition)
        vector_schema = (
            "key long, model string, text_hash string, language string, spans binary,"
            " vectors binary, mean binary, anchors string"
        )
        spark.createDataFrame(vectors, vector_schema).write.mode("overwrite").parquet(
            f"{out}/{SENTENCE_VECTORS}"
        )
        t = step("embed", t)

    # Families, verdicts and profiles by the embedded engine's own functions.
    reports = _reports(spark, out, as_json, summary, semantic)
    summary.verdicts, summary.families, summary.outlets = reports
    step("families_verdicts_profiles", t)
    fps.unpersist()
    matches_df.unpersist()
    arts.unpersist()
    summary.seconds = time.perf_counter() - start
    return summary


# A row of MATCHES (and of SEMANTIC_MATCHES): ``exchange.MATCH_COLUMNS``.
_MATCH_SCHEMA = (
    "copy long, source long, same_outlet boolean, coverage double, confidence double, data string"
)


def _rows_in_key_order(spark: SparkSession, path: str, columns: list[str]) -> Iterator[Any]:
    return spark.read.parquet(path).select(*columns).orderBy(columns[0]).toLocalIterator()


def _embed_partition(rows: Iterable[tuple[int, tuple]]) -> Iterator[tuple]:
    from copydesk.semantic import default_embedder
    from copydesk.semantic.stage import embed_rows
    from copydesk.store.sqlite import text_hash

    articles = ((key, row_article(row)) for key, row in rows)
    keyed = ((key, a.text, text_hash(a)) for key, a in articles)
    yield from embed_rows(keyed, default_embedder())


def _reports(
    spark: SparkSession, out: str, as_json: bool, summary: SparkSummary, semantic: bool
) -> tuple[int, int, int]:
    from copydesk.desk import Desk
    from copydesk.engines.families import update_families

    folder = tempfile.mkdtemp(prefix="copydesk-spark-")
    try:
        with Desk(Path(folder) / "run.db", workers=1) as desk:
            articles = (
                (
                    r["key"],
                    row_article(r[f] for f in ARTICLE_FIELDS),
                    fingerprint_of(r["n_words"], r["anchors"], r["bands"]),
                )
                for r in _rows_in_key_order(
                    spark,
                    f"{out}/{ARTICLES}",
                    ["key", *ARTICLE_FIELDS, "n_words", "anchors", "bands"],
                )
            )
            matches = (
                tuple(r)
                for r in spark.read.parquet(f"{out}/{MATCHES}")
                .orderBy("copy", "source")
                .toLocalIterator()
            )
            signals = (
                tuple(r) for r in _rows_in_key_order(spark, f"{out}/{SIGNALS}", ["key", "data"])
            )
            models = {
                r["name"]: json.loads(r["data"])
                for r in spark.read.parquet(f"{out}/{MODELS}").collect()
            }
            vectors = (
                tuple(r)
                for r in _rows_in_key_order(spark, f"{out}/{SENTENCE_VECTORS}", VECTOR_COLUMNS)
            ) if semantic else ()  # fmt: skip
            # The families, verdicts and profiles never look candidates up: no postings.
            load_into_store(
                desk.store, articles, matches, signals, models,
                postings=False, vectors=vectors, families=False,
            )  # fmt: skip
            if semantic:
                keys = desk.store.keys()
                candidates, pairs = desk.scan_semantic(keys)
                summary.candidates += candidates
                summary.pairs += pairs
                spark.createDataFrame(desk.store.semantic_match_rows(), _MATCH_SCHEMA).coalesce(
                    1
                ).write.mode("overwrite").parquet(f"{out}/{SEMANTIC_MATCHES}")
            update_families(desk.store, new=desk.store.keys())
            verdicts = [
                (v.article, v.outlet, v.published, json.dumps(v.to_json(), ensure_ascii=False))
                for v in desk.verdicts()
            ]
            families = [
                (f.id, f.size, f.origin.outlet, f.origin.article,
                 json.dumps(f.to_json(), ensure_ascii=False))
                for f in desk.families()
            ]  # fmt: skip
            outlets = [
                (p.outlet, p.articles, p.flagged, json.dumps(p.to_json(), ensure_ascii=False))
                for p in desk.outlets()
            ]
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    v_rows = [
        (a, o, p.isoformat() if p else None, p.strftime("%Y-%m") if p else "undated", d)
        for a, o, p, d in verdicts
    ]
    v_df = spark.createDataFrame(
        v_rows or [],
        "article string, outlet string, published string, month string, verdict string",
    )
    f_df = spark.createDataFrame(
        families or [],
        "family string, size long, origin_outlet string, origin_article string, data string",
    )
    o_df = spark.createDataFrame(
        outlets or [], "outlet string, articles long, flagged boolean, profile string"
    )
    if as_json:
        # One JSON object a line, as ``copydesk scan --json`` prints them.
        v_df.select("month", "verdict").write.mode("overwrite").partitionBy("month").text(
            f"{out}/{VERDICTS}"
        )
        f_df.select("data").coalesce(1).write.mode("overwrite").text(f"{out}/{FAMILIES}")
        o_df.select("profile").coalesce(1).write.mode("overwrite").text(f"{out}/{OUTLETS}")
    else:
        v_df.write.mode("overwrite").partitionBy("month").parquet(f"{out}/{VERDICTS}")
        f_df.coalesce(1).write.mode("overwrite").parquet(f"{out}/{FAMILIES}")
        o_df.coalesce(1).write.mode("overwrite").parquet(f"{out}/{OUTLETS}")
    return len(verdicts), len(families), len(outlets)


def read_back(folder: str | Path, name: str) -> list[str]:
    """The JSON objects of one report (``verdicts``, ``families``, ``outlets``) a scan wrote
    under a local ``folder``, Parquet or JSON Lines, one string each."""
    base = Path(folder) / name
    texts = sorted(p for p in base.rglob("part-*") if p.suffix in ("", ".txt"))
    if texts:
        return [line for p in texts for line in p.read_text(encoding="utf-8").splitlines() if line]
    import pyarrow.dataset as ds

    column = {VERDICTS: "verdict", FAMILIES: "data", OUTLETS: "profile"}[name]
    table = ds.dataset(base, format="parquet", partitioning="hive").to_table(columns=[column])
    return table.column(column).to_pylist()


__all__ = [
    "SparkSummary",
    "candidate_pairs",
    "input_files",
    "learn_context",
    "open_session",
    "read_articles",
    "read_back",
    "require_pyspark",
    "scan",
    "session",
]

"""The ``copydesk`` command line; every command has a twin on ``copydesk.Desk``."""

from __future__ import annotations

import inspect
import json
import re
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from copydesk.desk import Desk
from copydesk.errors import ImpreciseDateError
from copydesk.families import AgencyFileError, Family, read_agencies
from copydesk.forensics.aliases import load_alias_file
from copydesk.forensics.quotes import QuoteRecord
from copydesk.model import Verdict, iso
from copydesk.progress import Step
from copydesk.reading import RecordError, parse_published, read_single
from copydesk.reports import ingest_table, render_side_by_side, verdict_table
from copydesk.reports.families import families_table, family_tree, write_families_csv
from copydesk.reports.network import write_csv, write_gexf, write_graphml
from copydesk.reports.outlets import profiles_table, write_profiles_csv
from copydesk.reports.tables import shorten
from copydesk.rights.partners import Partners, SettingsError, load_partners

if TYPE_CHECKING:
    from copydesk.forensics.atlas import Atlas
from copydesk.store import StoreError

app = typer.Typer(
    help="Where did this news article really come from? Trace reused text between outlets.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
# Piped output is not squeezed into 80 columns: tables stay readable in a file or a pager.
out = Console(width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True, width=None if sys.stderr.isatty() else 160)

DbOption = Annotated[Path, typer.Option("--db", help="The store: an SQLite file.")]
NewDbOption = Annotated[
    Path, typer.Option("--db", help="The store: an SQLite file, created if missing.")
]
SameOutletOption = Annotated[
    bool,
    typer.Option(
        "--include-same-outlet",
        help="Also report an outlet's reuse of its own text (boilerplate, updated versions).",
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="JSON Lines, one verdict per line.")]
PartnersOption = Annotated[
    Path | None,
    typer.Option(help="Licences, 'COPIER may carry ORIGIN' a line (kept as a setting)."),
]

EXIT_REJECTED = 1  # ingest: some records could not be read; everything else was stored
EXIT_USAGE = 2  # the command could not run: bad arguments, unusable store or input


# -- what the commands print ----------------------------------------------------------
# Messages are Rich markup; every value that comes from the user or the data (ids, paths,
# texts, reasons naming them) goes through ``plain`` so that "[/x]" prints as itself.


def plain(value: object) -> str:
    """A user-supplied value made literal inside a Rich markup string."""
    return escape(str(value))


def plural(n: int, noun: str, many: str | None = None) -> str:
    """'1 article', '2 articles' ('1 story', '2 stories' with ``many``)."""
    return f"{n} {noun if n == 1 else (many or noun + 's')}"


def say(console: Console, label: str, message: object) -> None:
    """``label`` (markup) then ``message`` printed exactly as it is."""
    console.print(f"{label} {plain(message)}" if label else plain(message), highlight=False)


def _fail(message: str, code: int = EXIT_USAGE) -> typer.Exit:
    say(err, "[bold red]error:[/]", message)
    return typer.Exit(code)


@contextmanager
def _desk(db: Path, workers: int | None = None, *, create: bool = False) -> Iterator[Desk]:
    """The store of a command; only the commands that write new articles create one."""
    try:
        desk = Desk(db, workers=workers, create=create)
    except StoreError as exc:
        raise _fail(str(exc)) from None
    try:
        yield desk
    finally:
        desk.close()


class _Bar:
    """A library operation's progress on stderr (a terminal only: never in piped output):
    the phase in progress, a bar and the time left when its total is known, the time
    spent. Called with each ``Step``; a new phase replaces the line of the last one."""

    def __init__(self, title: str) -> None:
        self.title = title
        self.display = Progress(
            SpinnerColumn(),
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            TextColumn("{task.fields[count]}"),
            TimeRemainingColumn(),
            TextColumn("elapsed"),
            TimeElapsedColumn(),
            console=err,
            transient=True,
            disable=not err.is_terminal,
        )
        self.phase: str | None = None
        self.task: TaskID | None = None

    def __enter__(self) -> _Bar:
        self.display.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.display.stop()

    def __call__(self, step: Step) -> None:
        count = _count(step)
        if step.phase != self.phase or self.task is None:
            if self.task is not None:
                self.display.remove_task(self.task)
            self.phase = step.phase
            self.task = self.display.add_task(
                f"{self.title}: {step.phase}", total=step.total, count=count
            )
        self.display.update(self.task, completed=step.done, total=step.total, count=count)


def _count(step: Step) -> str:
    """'12.5/40.0 MB', '1,200/2,225 articles', '300 pairs' (no total known)."""
    if step.unit == "bytes":
        scale, unit = (1e6, "MB") if (step.total or step.done) >= 1e6 else (1e3, "kB")
        done = f"{step.done / scale:.1f}"
        return f"{done}/{step.total / scale:.1f} {unit}" if step.total else f"{done} {unit}"
    if step.total is None:
        return f"{step.done:,} {step.unit}" if step.done else ""
    return f"{step.done:,}/{step.total:,} {step.unit}"


def _partners(path: Path | None) -> Partners | None:
    try:
        return load_partners(path) if path is not None else None
    except SettingsError as exc:
        raise _fail(str(exc)) from None


def _atlas(path: Path | None) -> Atlas | None:
    from copydesk.forensics.atlas import AtlasError, read_atlas

    try:
        return read_atlas(path) if path is not None else None
    except AtlasError as exc:
        raise _fail(str(exc)) from None


def _since(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        return parse_published(value)
    except RecordError as exc:
        raise _fail(f"--since: {exc}") from None


@app.command()
def ingest(
    files: Annotated[
        list[str],
        typer.Argument(
            help="JSON Lines, JSON, CSV, Parquet, HTML files or folders, WARC/ARC archives;"
            " - is stdin (JSON)."
        ),
    ],
    db: NewDbOption,
    max_text_mb: Annotated[
        float, typer.Option(help="Reject articles whose text is larger than this.")
    ] = 2.0,
    workers: Annotated[int | None, typer.Option(help="Processes (default: all cores).")] = None,
    show_rejected: Annotated[int, typer.Option(help="List at most this many rejections.")] = 20,
) -> None:
    """Store articles and their fingerprints. Re-ingesting the same article changes nothing;
    a changed text replaces the old one and its verdicts are recomputed by the next scan.

    Exit status: 0 all read, 1 some records rejected (the rest stored), 2 nothing could run.
    """
    with _desk(db, workers, create=True) as desk, _Bar("ingest") as bar:
        summary = desk.ingest_files(
            files, progress=bar, max_text_bytes=int(max_text_mb * 1_000_000)
        )
    err.print(ingest_table(summary))
    for problem in (summary.rejected + summary.warnings)[:show_rejected]:
        label = "[red]rejected[/]" if problem.severity == "error" else "[yellow]warning[/]"
        say(err, label, problem)
    hidden = len(summary.rejected) + len(summary.warnings) - show_rejected
    if hidden > 0:
        err.print(f"... and {hidden} more (use --show-rejected N to list them)")
    if summary.rejected:
        raise typer.Exit(EXIT_REJECTED)


def _emit(verdicts: list[Verdict], as_json: bool, title: str) -> None:
    if as_json:
        for v in verdicts:
            sys.stdout.write(json.dumps(v.to_json(), ensure_ascii=False) + "\n")
    elif verdicts:
        out.print(verdict_table(verdicts, title=title))
    else:
        out.print("no reuse found")


@app.command()
def scan(
    db: Annotated[
        Path | None, typer.Option("--db", help="The store: an SQLite file (embedded engine).")
    ] = None,
    as_json: JsonOption = False,
    since: Annotated[
        str | None, typer.Option(help="Only verdicts on articles published on or after DATE.")
    ] = None,
    include_same_outlet: SameOutletOption = False,
    report: Annotated[
        Path | None, typer.Option(help="Also write every verdict as JSON Lines to this file.")
    ] = None,
    workers: Annotated[int | None, typer.Option(help="Processes (default: all cores).")] = None,
    aliases: Annotated[
        Path | None,
        typer.Option(
            help='Outlet names to add: JSON {"outlet": ["Name", ...]} or CSV outlet,name.'
        ),
    ] = None,
    rescan: Annotated[
        bool, typer.Option(help="Recompute every verdict (after adding aliases, say).")
    ] = False,
    agencies: Annotated[
        Path | None,
        typer.Option(
            help="More wire and syndication agencies: lines 'outlet: Name | Form ...'"
            " (kept in the store)."
        ),
    ] = None,
    partners: PartnersOption = None,
    atlas: Annotated[
        Path | None,
        typer.Option(
            help="A furniture atlas (copydesk atlas build): outlets' lines learned from a crawl"
            " (kept in the store)."
        ),
    ] = None,
    outlet: OutletFilter = None,
    source_outlet: SourceOutletFilter = None,
    relation: RelationFilter = None,
    credit: CreditFilter = None,
    min_coverage: CoverageFilter = None,
    until: UntilFilter = None,
    alert_webhook: AlertWebhook = None,
    alert_secret: AlertSecret = None,
    alert_smtp: AlertSmtp = None,
    alert_to: AlertTo = None,
    alert_from: AlertFrom = "copydesk@localhost",
    alert_jsonl: AlertJsonl = None,
    alert_digest: AlertDigest = False,
    semantic: Annotated[
        bool,
        typer.Option(
            "--semantic/--no-semantic",
            help="Also find rewritten and translated copies (sentence embeddings; on by"
            " default, --no-semantic for the lexical stage alone).",
        ),
    ] = True,
    engine: Annotated[
        str,
        typer.Option(
            help="embedded (the store, default) or spark (--input files, --output folder)."
        ),
    ] = "embedded",
    master: Annotated[
        str | None,
        typer.Option(
            help="Spark master: local[*] (default), spark://HOST:PORT, yarn;"
            " under spark-submit, its own."
        ),
    ] = None,
    inputs: Annotated[
        list[str] | None,
        typer.Option(
            "--input", help="Spark engine: JSON Lines, Parquet, WARC files or folders (repeat)."
        ),
    ] = None,
    output: Annotated[
        str | None,
        typer.Option(help="Spark engine: the folder for verdicts, families, outlet profiles."),
    ] = None,
    partitions: Annotated[
        int | None,
        typer.Option(
            help="Spark engine: partitions (default: 2 per core, and one per 10,000 articles)."
        ),
    ] = None,
) -> None:
    """Compare the articles not yet scanned with everything stored, then list every
    article that reuses another (its sources, relation, credit, coverage). With an
    --alert-* option, new findings of your outlets (the mine setting) are sent.

    --engine spark scans --input files on a Spark cluster and writes the verdicts,
    families and outlet profiles under --output (Parquet; JSON Lines with --json);
    copydesk import loads them into a store."""
    if engine == "spark":
        if db is not None or rescan:
            raise _fail("--engine spark reads --input files and writes --output: no --db"
                        " or --rescan")  # fmt: skip
        if not inputs or output is None:
            raise _fail("--engine spark needs --input PATH (one or more) and --output DIR")
        user = None
        if aliases is not None:
            try:
                user = {k.lower(): v for k, v in load_alias_file(aliases).items()}
            except ValueError as exc:
                raise _fail(str(exc)) from None
        _scan_spark(master, inputs, output, as_json, partitions, user, semantic)
        return
    if engine != "embedded":
        raise _fail(f"--engine must be embedded or spark, not {engine!r}")
    if db is None:
        raise _fail("--db is required (the store to scan)")
    filters = _verdict_filter(outlet, source_outlet, relation, credit, min_coverage, None, until)
    alerts = _alert_config(
        alert_webhook, alert_secret, alert_smtp, alert_to, alert_from, alert_jsonl, alert_digest
    )
    since_dt = _since(since)
    licences = _partners(partners)
    furniture = _atlas(atlas)
    with _desk(db, workers) as desk:
        if licences is not None:
            desk.set_partners(licences)
        if furniture is not None and desk.use_atlas(furniture):
            say(
                err,
                "",
                f"atlas {atlas}: {plural(len(furniture), 'line shape')} of "
                f"{plural(len(furniture.outlets), 'outlet')}; every verdict is judged again",
            )
        if aliases is not None:
            try:
                desk.add_aliases(load_alias_file(aliases))
            except ValueError as exc:
                raise _fail(str(exc)) from None
        if agencies is not None:
            try:
                desk.add_agencies(read_agencies(agencies))
            except AgencyFileError as exc:
                raise _fail(str(exc)) from None
        if rescan:
            desk.store.reset_scan()
        with _Bar("scan") as bar:
            summary = desk.scan(progress=bar, semantic=semantic)
        verdicts = list(
            desk.verdicts(include_same_outlet=include_same_outlet, since=since_dt, filters=filters)
        )
        total = desk.store.count()
        same_outlet = 0
        if not verdicts and not include_same_outlet:
            same_outlet = sum(
                1 for _ in desk.verdicts(include_same_outlet=True, since=since_dt, filters=filters)
            )
        if alerts is not None:
            _send_alerts(desk, alerts)
    err.print(
        f"scanned {summary.scanned} new of {total} articles in {summary.seconds:.2f}s: "
        f"{summary.candidates} candidate pairs, {summary.pairs} with reuse"
    )
    if report is not None:
        with report.open("w", encoding="utf-8") as fh:
            for v in verdicts:
                fh.write(json.dumps(v.to_json(), ensure_ascii=False) + "\n")
    _emit(verdicts, as_json, f"{plural(len(verdicts), 'article')} with reuse or signals of copying")
    if same_outlet:
        err.print(
            f"{plural(same_outlet, 'article')} reuse only their own outlet's text (boilerplate,"
            " updated versions), hidden by default: show them with --include-same-outlet"
        )
    if report is not None:
        say(err, "verdicts as JSON Lines:", report)


def _scan_spark(
    master: str | None,
    inputs: list[str],
    output: str,
    as_json: bool,
    partitions: int | None,
    user_aliases: dict[str, list[str]] | None,
    semantic: bool = True,
) -> None:
    from copydesk.engines import spark as spark_engine
    from copydesk.errors import EngineError

    try:
        started = time.perf_counter()
        session, created = spark_engine.open_session(master)
        start_up = time.perf_counter() - started
        try:
            summary = spark_engine.scan(
                session, inputs, output, as_json=as_json, partitions=partitions,
                user_aliases=user_aliases, semantic=semantic,
            )  # fmt: skip
        finally:
            if created:
                session.stop()
    except EngineError as exc:
        raise _fail(str(exc)) from None
    for problem in summary.rejected[:20]:
        say(err, "[red]rejected[/]", problem)
    err.print(
        f"Spark ({plain(summary.master)}): scanned {summary.articles} articles in"
        f" {summary.seconds:.2f}s (start-up {start_up:.2f}s): {summary.candidates}"
        f" candidate pairs, {summary.pairs} with reuse; {plural(summary.verdicts, 'verdict')},"
        f" {plural(summary.families, 'family', 'families')},"
        f" {plural(summary.outlets, 'outlet')}"
    )
    say(err, "written under:", output)


@app.command("import")
def import_(
    folder: Annotated[Path, typer.Argument(help="The --output folder of a Spark scan.")],
    db: NewDbOption,
) -> None:
    """Load the output of `scan --engine spark` into a new store, so that show, trace,
    outlets, families and the web app work on it."""
    from copydesk.engines.exchange import import_output

    with _desk(db, create=True) as desk:
        try:
            n = import_output(desk.store, folder)
        except StoreError as exc:
            raise _fail(str(exc)) from None
        verdicts = sum(1 for _ in desk.verdicts())
    err.print(f"imported {plural(n, 'article')}, {plural(verdicts, 'verdict')} into {plain(db)}")


@app.command()
def trace(
    file: Annotated[
        str | None,
        typer.Argument(help="Plain text, a JSON article or an HTML file; -. Or give --url."),
    ] = None,
    *,
    db: DbOption,
    as_json: JsonOption = False,
    include_same_outlet: SameOutletOption = False,
    outlet: Annotated[str | None, typer.Option(help="The article's outlet (domain).")] = None,
    published: Annotated[str | None, typer.Option(help="When it was published.")] = None,
    url: Annotated[
        str | None, typer.Option(help="Its URL; without FILE, the page is fetched from it.")
    ] = None,
    store: Annotated[
        bool, typer.Option("--store", help="With --url alone: keep the fetched page.")
    ] = False,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for the server.")] = 20.0,
    semantic: Annotated[
        bool,
        typer.Option(
            "--semantic", help="Also find stored articles it rewrites (after scan --semantic)."
        ),
    ] = False,
) -> None:
    """Trace one article (not stored) to the stored articles it reuses; with --url and
    no FILE, fetch the page politely (robots.txt, as watch does) and trace it."""
    if file is None:
        if not url:
            raise _fail("give a FILE, or --url URL to fetch the page")
        from copydesk.rights.fetch_one import FetchError

        with _desk(db) as desk:
            try:
                verdict = desk.trace_url(
                    url, store=store, timeout=timeout, include_same_outlet=include_same_outlet,
                    semantic=semantic,
                )  # fmt: skip
            except FetchError as exc:
                raise _fail(str(exc), 1) from None
        if store:
            say(err, "stored", url)
        _emit_trace(verdict, as_json, url)
        return
    try:
        article = read_single(file)
        if outlet:
            article.outlet = outlet
        if url:
            article.url = url
    except RecordError as exc:
        reason = exc.reason  # names the input itself when the problem is the file
        raise _fail(
            reason if reason.startswith(("<stdin>", file)) else f"{file}: {reason}"
        ) from None
    if published:
        try:
            article.published = parse_published(published)
        except ImpreciseDateError as exc:  # as the readers do: traced without a date
            say(err, "[yellow]warning[/]", f"--published: {exc.reason.removeprefix('published: ')}")
        except RecordError as exc:
            raise _fail(f"--published: {exc.reason.removeprefix('published: ')}") from None
    with _desk(db) as desk:
        verdict = desk.trace(article, include_same_outlet=include_same_outlet, semantic=semantic)
        fam = None
        if verdict.stored_as:
            fam = desk.family_of(verdict.stored_as)
        elif verdict.family:
            fam = desk.trace_family(article, include_same_outlet=include_same_outlet)
    _emit_trace(verdict, as_json, article.id, fam)


def _emit_trace(verdict: Verdict, as_json: bool, name: str, fam: Family | None = None) -> None:
    if as_json:
        sys.stdout.write(json.dumps(verdict.to_json()) + "\n")
        return
    if verdict.stored_as is not None:
        out.print(f"this text is stored as {escape(verdict.stored_as)}")
    if fam is not None:
        out.print(family_tree(fam, mark=verdict.stored_as or name))
    if verdict.sources:
        nearest = verdict.sources[0]
        out.print(f"nearest version: {escape(nearest.source)} ({escape(nearest.outlet or '-')})")
        out.print(verdict_table([verdict], title=f"sources of {name}"))
    elif verdict.stored_as:
        out.print(f"nearest version: {escape(verdict.stored_as)} (the same text)")
    else:
        out.print("no stored article is reused by this text")


@app.command()
def show(
    article_id: Annotated[str, typer.Argument(metavar="ID", help="The article's id.")],
    db: DbOption,
    include_same_outlet: SameOutletOption = False,
    source: Annotated[str | None, typer.Option(help="Only this source's comparison.")] = None,
) -> None:
    """One article's verdict for a person: copy and source side by side."""
    with _desk(db) as desk:
        copy = desk.article(article_id)
        if copy is None:
            raise _fail(f"no article with id {article_id!r} in {db}", 1)
        verdict = desk.verdict(article_id, include_same_outlet=include_same_outlet)
        fam = desk.family_of(article_id)
        if fam is not None and source is None:
            out.print(family_tree(fam, mark=article_id))
        matches = [m for m in (verdict.sources if verdict else []) if source in (None, m.source)]
        if not matches:
            say(out, "", f"{article_id}: no earlier article's text is reused here")
            return
        for match in matches:
            original = desk.article(match.source)
            if original is not None:
                out.print(render_side_by_side(copy, original, match))


@app.command()
def families(
    db: DbOption,
    as_json: Annotated[bool, typer.Option("--json", help="JSON Lines, one family a line.")] = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="CSV, one row per version.")] = False,
    outlet: Annotated[
        str | None, typer.Option(help="Only families with a version by, or origin at, OUTLET.")
    ] = None,
) -> None:
    """Every story family: its origin (in the store, or an outlet outside it), size, tree
    (who took from whom), first and last publication, and how many versions credit the
    origin, cut its name, or never named it."""
    with _desk(db) as desk:
        fams = desk.families(outlet=outlet)
    if as_json:
        for f in fams:
            sys.stdout.write(json.dumps(f.to_json(), ensure_ascii=False) + "\n")
    elif as_csv:
        write_families_csv(fams, sys.stdout)
    elif fams:
        out.print(families_table(fams, title=plural(len(fams), "story family", "story families")))
    else:
        out.print("no story families (no reuse found yet: run copydesk scan)")


@app.command()
def outlets(
    db: DbOption,
    as_json: JsonOption = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="CSV with a header row.")] = False,
    include_same_outlet: SameOutletOption = False,
) -> None:
    """Per outlet: articles, share that reuse others and that others reuse, top sources,
    credit rates, median lag, first-publisher rate, and a content-farm flag with reasons."""
    with _desk(db) as desk:
        profiles = desk.outlets(include_same_outlet=include_same_outlet)
    if as_json:
        for p in profiles:
            sys.stdout.write(json.dumps(p.to_json(), ensure_ascii=False) + "\n")
    elif as_csv:
        write_profiles_csv(profiles, sys.stdout)
    else:
        out.print(profiles_table(profiles, title=plural(len(profiles), "outlet")))


@app.command()
def network(
    db: DbOption,
    graphml: Annotated[Path | None, typer.Option(help="Write GraphML (Gephi, networkx).")] = None,
    gexf: Annotated[Path | None, typer.Option(help="Write GEXF 1.3 (Gephi).")] = None,
    csv: Annotated[
        Path | None, typer.Option(help="Write edges CSV (and NAME-nodes.csv beside it).")
    ] = None,
    include_same_outlet: SameOutletOption = False,
) -> None:
    """The copy network: outlets as nodes, copying as weighted directed edges (copier →
    source) with credit rates."""
    if not (graphml or gexf or csv):
        raise _fail("give --graphml FILE, --gexf FILE or --csv FILE")
    with _desk(db) as desk:
        nodes, edges = desk.network(include_same_outlet=include_same_outlet)
    written: list[Path] = []
    try:
        if graphml:
            written.append(write_graphml(nodes, edges, graphml))
        if gexf:
            written.append(write_gexf(nodes, edges, gexf))
        if csv:
            written.extend(write_csv(nodes, edges, csv))
    except OSError as exc:
        raise _fail(f"cannot write {exc.filename}: {exc.strerror}") from None
    say(
        err,
        "",
        f"{plural(len(nodes), 'outlet')}, {plural(len(edges), 'copy edge')}: "
        + ", ".join(map(str, written)),
    )


@app.command()
def quotes(
    db: DbOption,
    speaker: Annotated[str | None, typer.Option(help="Only quotes by this speaker.")] = None,
    as_json: JsonOption = False,
    limit: Annotated[int, typer.Option(help="At most this many quotes.")] = 50,
) -> None:
    """Quotes with their speaker, first publisher (and whether it was an exclusive) and
    every later appearance."""
    with _desk(db) as desk:
        records = desk.quotes(speaker=speaker)[:limit]
    if as_json:
        for r in records:
            sys.stdout.write(json.dumps(quote_json(r), ensure_ascii=False) + "\n")
        return
    table = Table(title=plural(len(records), "quote"), header_style="bold", show_lines=True)
    for column in ("quote", "speaker", "first", "exclusive to", "later"):
        table.add_column(column)
    for r in records:
        table.add_row(
            Text(shorten(r.text, 160)),
            Text(r.speaker or ""),
            Text(f"{r.first.article_id} ({r.first.outlet})"),
            Text(r.exclusive_to or ""),
            Text("\n".join(f"{a.article_id} ({a.outlet})" for a in r.later)),
        )
    out.print(table)


def quote_json(r: QuoteRecord) -> dict:
    def appearance(a):
        return {"article": a.article_id, "outlet": a.outlet, "published": iso(a.published),
                "told_to": a.told_to, "start": a.start, "end": a.end}  # fmt: skip

    return {
        "text": r.text,
        "speaker": r.speaker,
        "exclusive_to": r.exclusive_to,
        "first": appearance(r.first),
        "later": [appearance(a) for a in r.later],
    }


@app.command()
def export(
    db: DbOption,
    parquet: Annotated[Path | None, typer.Option(help="Write the articles as Parquet.")] = None,
    csv: Annotated[Path | None, typer.Option(help="Write the articles as CSV.")] = None,
) -> None:
    """Write every stored article (id, url, outlet, outlet_name, published, title, author,
    text, extra as JSON) to Parquet and/or CSV; both can be ingested again."""
    from copydesk.reading.parquet import write_csv as write_articles_csv
    from copydesk.reading.parquet import write_parquet

    if not (parquet or csv):
        raise _fail("give --parquet FILE or --csv FILE")
    with _desk(db) as desk:
        try:
            if parquet:
                n = write_parquet(desk.all_articles(), parquet)
                say(err, f"{plural(n, 'article')}:", parquet)
            if csv:
                with csv.open("w", encoding="utf-8", newline="") as handle:
                    n = write_articles_csv(desk.all_articles(), handle)
                say(err, f"{plural(n, 'article')}:", csv)
        except OSError as exc:
            raise _fail(f"cannot write {exc.filename}: {exc.strerror}") from None


@app.command()
def reextract(
    db: DbOption,
    workers: Annotated[int | None, typer.Option(help="Processes (default: all cores).")] = None,
) -> None:
    """Run HTML extraction again on the pages kept in the store (articles read from web
    pages, archives, feeds or html records). Changed texts are updated; the next scan
    recomputes their verdicts. Exit status: 0 done, 1 some pages failed (kept as they were).
    """
    with _desk(db, workers) as desk, _Bar("re-extract") as bar:
        summary = desk.reextract(progress=bar)
    err.print(ingest_table(summary, title="re-extract"))
    for problem in summary.rejected[:20]:
        say(err, "[red]failed[/]", problem)
    if summary.rejected:
        raise typer.Exit(EXIT_REJECTED)


@app.command()
def watch(
    db: NewDbOption,
    feeds: Annotated[
        Path, typer.Option(help="A file of RSS/Atom feed or news sitemap URLs, one a line.")
    ],
    every: Annotated[str, typer.Option(help="Time between polls: 90s, 15m, 1h.")] = "15m",
    once: Annotated[bool, typer.Option(help="Poll once, then stop.")] = False,
    delay: Annotated[
        float, typer.Option(help="Seconds between two requests to the same host.")
    ] = 1.0,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for a server.")] = 20.0,
    workers: Annotated[int | None, typer.Option(help="Processes (default: all cores).")] = None,
    mine: Annotated[
        str | None,
        typer.Option(help="OUTLET[,OUTLET]: the outlets you own (kept as the mine setting)."),
    ] = None,
    partners: PartnersOption = None,
    alert_webhook: AlertWebhook = None,
    alert_secret: AlertSecret = None,
    alert_smtp: AlertSmtp = None,
    alert_to: AlertTo = None,
    alert_from: AlertFrom = "copydesk@localhost",
    alert_jsonl: AlertJsonl = None,
    alert_digest: AlertDigest = False,
) -> None:
    """Poll feeds and sitemaps, fetch new article pages politely (robots.txt, a delay per
    host, conditional GET), ingest and scan them, until Ctrl-C. Each fetched batch is
    committed: stopping loses nothing. Exit status: 0 stopped cleanly (Ctrl-C, or --once
    with everything fetched), 1 --once with some feeds or pages failing, 2 cannot run."""
    from copydesk.reading.watch import FeedListError, load_feed_list, parse_every, run_watch
    from copydesk.rights.alerts import AlertSender
    from copydesk.rights.findings import SettingsError, load_partners, parse_outlets

    try:
        urls = load_feed_list(feeds)
        seconds = parse_every(every)
        mine_list = parse_outlets(mine) if mine is not None else None
        licences = load_partners(partners) if partners is not None else None
    except (FeedListError, SettingsError) as exc:
        raise _fail(str(exc)) from None
    alerts = _alert_config(
        alert_webhook, alert_secret, alert_smtp, alert_to, alert_from, alert_jsonl, alert_digest
    )
    with _desk(db, workers, create=True) as desk:
        if mine_list is not None:
            desk.set_setting("mine", mine_list)
        if licences is not None:
            desk.set_partners(licences)
        sender = None
        if alerts is not None:
            sender = AlertSender(db, alerts, log=lambda message: say(err, "", message))

        def after_poll() -> None:  # queue new findings; send them without waiting
            if sender is not None:
                desk.queue_alerts()
                sender.kick()

        result = run_watch(
            desk,
            urls,
            every=seconds,
            once=once,
            delay=delay,
            timeout=timeout,
            log=lambda message: say(err, "", message),
            after_poll=after_poll,
        )
        if sender is not None:
            sender.wait(timeout=60)  # what is left unsent is tried on the next run
    if once and result.failures:
        raise typer.Exit(EXIT_REJECTED)


def main() -> None:  # pragma: no cover - console entry point
    app()


@app.command()
def serve(
    db: DbOption,
    host: Annotated[str, typer.Option(help="Address to bind (loopback by default).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    token: Annotated[
        str | None,
        typer.Option(
            envvar="COPYDESK_TOKEN",
            help="Write token (Authorization: Bearer); required when --host is not loopback.",
        ),
    ] = None,
    allow_host: Annotated[
        list[str] | None,
        typer.Option(
            "--allow-host",
            help="Another Host name the server answers to (repeatable; '*' for any), "
            "e.g. its name behind a proxy. Others get 400: this stops DNS rebinding.",
        ),
    ] = None,
) -> None:
    """The web app and HTTP API: search, side-by-side verdicts, trace, outlets, network."""
    try:
        import uvicorn

        from copydesk.web.app import create_app, listen
    except ImportError as exc:  # pragma: no cover - the web dependencies are required
        raise _fail(f"the web app needs its dependencies: {exc}") from None
    if not db.exists():
        raise _fail(f"no store at {db}; ingest first (copydesk ingest --db)")
    try:
        web_app = create_app(db, token=token, bind_host=host, allow_hosts=allow_host or ())
        sock = listen(host, port)
    except (ValueError, StoreError, OSError) as exc:
        raise _fail(str(exc)) from None
    say(err, "", f"copydesk on http://{host}:{port}/ (store {db}); Ctrl+C stops it")
    # A stop (Ctrl+C, SIGTERM) waits at most 3 s for requests in flight.
    config = uvicorn.Config(web_app, log_level="info", timeout_graceful_shutdown=3)
    uvicorn.Server(config).run(sockets=[sock])


# -- acting on findings: filters, review, evidence, findings, alerts --------------------

OutletFilter = Annotated[str | None, typer.Option("--outlet", help="Copies by this outlet.")]
SourceOutletFilter = Annotated[
    str | None, typer.Option("--source-outlet", help="Copies of this outlet's articles.")
]
RelationFilter = Annotated[
    str | None,
    typer.Option("--relation", help="duplicate, partial, syndicated, rewrite or translation."),
]
CreditFilter = Annotated[str | None, typer.Option("--credit", help="credited, stripped or absent.")]
CoverageFilter = Annotated[
    float | None,
    typer.Option("--min-coverage", help="At least this share of the copy reused (0-1)."),
]
UntilFilter = Annotated[
    str | None, typer.Option("--until", help="Only articles published before DATE.")
]
AlertWebhook = Annotated[
    str | None, typer.Option("--alert-webhook", help="POST each new finding here (JSON).")
]
AlertSecret = Annotated[
    str | None,
    typer.Option(
        "--alert-secret", envvar="COPYDESK_ALERT_SECRET",
        help="Sign webhook bodies: X-Copydesk-Signature: sha256=HMAC.",
    ),
]  # fmt: skip
AlertSmtp = Annotated[
    str | None, typer.Option("--alert-smtp", help="Mail new findings through HOST[:PORT].")
]
AlertTo = Annotated[
    list[str] | None, typer.Option("--alert-to", help="Mail recipient (repeat for more).")
]
AlertFrom = Annotated[str, typer.Option("--alert-from", help="Mail sender.")]
AlertJsonl = Annotated[
    Path | None, typer.Option("--alert-jsonl", help="Append each new finding to this file.")
]
AlertDigest = Annotated[
    bool, typer.Option("--alert-digest", help="One message a day, not one per finding.")
]


def _verdict_filter(
    outlet: str | None, source_outlet: str | None, relation: str | None, credit: str | None,
    min_coverage: float | None, since: str | None, until: str | None,
):  # fmt: skip
    from copydesk.rights.filters import FilterError, VerdictFilter

    until_dt = None
    if until is not None:
        try:
            until_dt = parse_published(until)
        except RecordError as exc:
            raise _fail(f"--until: {exc}") from None
    try:
        return VerdictFilter(
            outlet=outlet, source_outlet=source_outlet, relation=relation, credit=credit,
            min_coverage=min_coverage, date_from=_since(since), date_to=until_dt,
        ).check()  # fmt: skip
    except FilterError as exc:
        raise _fail(f"--{str(exc).split(':')[0].replace('_', '-')}: {exc}") from None


def _alert_config(webhook, secret, smtp, to, sender, jsonl, digest):
    from copydesk.rights.alerts import AlertConfig, AlertConfigError

    try:
        config = AlertConfig(
            webhook=webhook, secret=secret, smtp=smtp, mail_to=list(to or []),
            mail_from=sender, jsonl=jsonl, digest=digest,
        ).check()  # fmt: skip
    except AlertConfigError as exc:
        raise _fail(str(exc)) from None
    return config if config.channels else None


@app.command()
def verdicts(
    db: DbOption,
    as_json: JsonOption = False,
    outlet: OutletFilter = None,
    source_outlet: SourceOutletFilter = None,
    relation: RelationFilter = None,
    credit: CreditFilter = None,
    min_coverage: CoverageFilter = None,
    since: Annotated[
        str | None, typer.Option(help="Only articles published on or after DATE.")
    ] = None,
    until: UntilFilter = None,
    include_same_outlet: SameOutletOption = False,
) -> None:
    """The stored verdicts (no scan), filtered: the same filters as the web search page
    and the API."""
    f = _verdict_filter(outlet, source_outlet, relation, credit, min_coverage, since, until)
    with _desk(db) as desk:
        found = list(desk.verdicts(include_same_outlet=include_same_outlet, filters=f))
    _emit(found, as_json, f"{plural(len(found), 'article')} with reuse or signals of copying")


@app.command()
def review(
    article_id: Annotated[str, typer.Argument(metavar="ID", help="The article's id.")],
    db: DbOption,
    confirm: Annotated[bool, typer.Option("--confirm", help="The verdict is right.")] = False,
    dismiss: Annotated[
        bool, typer.Option("--dismiss", help="The verdict is wrong: keep it out of findings.")
    ] = False,
    note: Annotated[str, typer.Option(help="Why (kept in the history).")] = "",
    by: Annotated[str | None, typer.Option(help="Who reviews (a name).")] = None,
) -> None:
    """Confirm or dismiss an article's verdict. A dismissed verdict stays out of
    findings, outlet profiles and alerts until the article's text changes."""
    from copydesk.rights.review import ReviewError

    if confirm == dismiss:
        raise _fail("give exactly one of --confirm or --dismiss")
    if not by:
        raise _fail("--by NAME: say who reviews")
    with _desk(db) as desk:
        try:
            r = desk.review(article_id, "confirm" if confirm else "dismiss", by=by, note=note)
        except ReviewError as exc:
            raise _fail(str(exc), 1) from None
    say(err, "", f"{r.article}: {r.action}ed by {r.reviewer} at {r.at} (review {r.id})")


@app.command()
def reviews(
    db: DbOption,
    article_id: Annotated[str | None, typer.Option("--id", help="One article's only.")] = None,
    as_csv: Annotated[bool, typer.Option("--csv", help="CSV with a header row.")] = False,
) -> None:
    """Export the review history (JSON Lines, or CSV), oldest first."""
    from copydesk.rights.review import write_reviews

    with _desk(db) as desk:
        items = desk.reviews(article_id)
    write_reviews(items, sys.stdout, as_csv=as_csv)


@app.command()
def evidence(
    article_id: Annotated[
        str | None, typer.Argument(metavar="ID", help="The article (the copy).")
    ] = None,
    db: Annotated[Path | None, typer.Option("--db", help="The store.")] = None,
    out_dir: Annotated[
        Path | None, typer.Option("--out", help="The pack's folder (default: evidence-ID).")
    ] = None,
    verify: Annotated[
        Path | None, typer.Option("--verify", help="Check a pack: has anything changed?")
    ] = None,
    pdf: Annotated[bool, typer.Option(help="Also print the page as PDF.")] = True,
) -> None:
    """Write an evidence pack (offline HTML page, PDF, verdict JSON, texts, raw pages,
    SHA-256 manifest), or check one with --verify DIR. Exit status of --verify: 0
    unchanged, 1 changed."""
    from copydesk.rights.evidence import EvidenceError, verify_pack

    if verify is not None:
        check = verify_pack(verify)
        if check.problem:
            raise _fail(check.problem, 1)
        for label, names in (("changed", check.changed), ("missing", check.missing),
                             ("added", check.added)):  # fmt: skip
            for name in names:
                say(out, f"[red]{label}[/]", name)
        if not check.ok:
            raise typer.Exit(1)
        say(out, "", f"{verify}: unchanged (every file matches its SHA-256)")
        return
    if article_id is None or db is None:
        raise _fail("give --db DB and the article ID (or --verify DIR)")
    target = out_dir or Path("evidence-" + "".join(c if c.isalnum() else "_" for c in article_id))
    with _desk(db) as desk:
        try:
            pack = desk.evidence(article_id, target, pdf=pdf)
        except EvidenceError as exc:
            raise _fail(str(exc), 1) from None
    if pack.pdf_error:
        say(err, "[yellow]warning[/]", pack.pdf_error)
    say(
        err, "", f"evidence pack of {article_id}: {pack.folder} ({plural(len(pack.files), 'file')})"
    )


atlas_app = typer.Typer(
    help="The furniture atlas: outlets' recurring lines learned from a large crawl, so that"
    " a copy carrying the furniture of an outlet absent from the collection still names it.",
    no_args_is_help=True,
)
app.add_typer(atlas_app, name="atlas")


@atlas_app.command("build")
def atlas_build(
    inputs: Annotated[
        list[str],
        typer.Argument(help="The crawl: WARC archives, JSON Lines, Parquet, HTML folders..."),
    ],
    atlas: Annotated[Path, typer.Option(help="The atlas file to write (JSON).")],
    workers: Annotated[int | None, typer.Option(help="Processes (default: all cores).")] = None,
) -> None:
    """Learn each outlet's furniture (promo lines, captions, sign-up and consent notices,
    footers) from INPUTS and write the atlas: a digest of each line shape and its outlet,
    never the text. Use it with `copydesk scan --atlas FILE`. Exit status: 0 written (some
    records may have been unreadable: they are counted), 2 nothing could be learned."""
    from copydesk.forensics.atlas import AtlasError, build_atlas, write_atlas
    from copydesk.model import Rejection
    from copydesk.reading import read_paths
    from copydesk.reading.meter import ReadMeter, metered

    counts = {"articles": 0, "rejected": 0}

    def articles():
        meter = ReadMeter.of(inputs)
        with _Bar("atlas") as bar:
            for item in metered(read_paths(inputs, workers=workers, meter=meter), meter, bar):
                if isinstance(item, Rejection):
                    counts["rejected"] += 1
                    continue
                counts["articles"] += 1
                yield item

    learned = build_atlas(articles(), sources=[Path(i).name for i in inputs])
    if not counts["articles"]:
        raise _fail(f"no articles could be read from {', '.join(inputs)}")
    try:
        write_atlas(learned, atlas)
    except AtlasError as exc:
        raise _fail(str(exc)) from None
    unreadable = counts["rejected"]
    say(err, "",
        f"atlas {atlas}: {plural(len(learned), 'line shape')} of "
        f"{plural(len(learned.outlets), 'outlet')} learned from "
        f"{plural(counts['articles'], 'article')}"
        + (f" ({plural(unreadable, 'record')} unreadable)" if unreadable else ""))  # fmt: skip


@app.command()
def findings(
    db: DbOption,
    since: Annotated[
        str | None, typer.Option(help="Only copies published on or after DATE.")
    ] = None,
    credit: CreditFilter = None,
    mine: Annotated[
        str | None, typer.Option(help="OUTLET[,OUTLET] for this look (default: the setting).")
    ] = None,
    partners: Annotated[
        Path | None,
        typer.Option(help="Licences for this look: 'COPIER may carry ORIGIN' a line."),
    ] = None,
    as_json: JsonOption = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="CSV with a header row.")] = False,
) -> None:
    """Other outlets' versions of the stories that started with you (the family origin
    is yours), newest first: copy URL, outlet, first seen, coverage, origin credit,
    licensed or not."""
    from copydesk.rights.filters import CREDITS
    from copydesk.rights.findings import SettingsError, load_partners, parse_outlets, write_findings

    if credit and credit not in CREDITS:
        raise _fail(f"--credit: {credit!r} is not one of {', '.join(CREDITS)}")
    since_dt = _since(since)
    try:
        mine_list = parse_outlets(mine) if mine is not None else None
        licences = load_partners(partners) if partners else None
    except SettingsError as exc:
        raise _fail(str(exc)) from None
    with _desk(db) as desk:
        if mine_list is None and not desk.setting("mine"):
            raise _fail("no outlets of yours: give --mine OUTLET or run watch --mine OUTLET")
        items = desk.findings(mine=mine_list, since=since_dt, credit=credit, partners=licences)
    if as_json or as_csv:
        write_findings(items, sys.stdout, as_csv=as_csv)
        return
    if not items:
        out.print("no findings")
        return
    table = Table(title=plural(len(items), "finding"), header_style="bold")
    for column in ("copy", "outlet", "first seen", "coverage", "origin credit", "licence",
                   "origin"):  # fmt: skip
        table.add_column(column)
    for f in items:
        table.add_row(
            plain(f.copy_url or f.copy), plain(f.outlet or ""), plain(f.first_seen),
            "" if f.coverage is None else f"{f.coverage * 100:.0f}%",
            f.credit, "licensed" if f.licensed else "[red]unlicensed[/]",
            plain(f.source or f"{f.source_outlet} (outside the collection)"),
        )  # fmt: skip
    out.print(table)


def _send_alerts(desk: Desk, config) -> None:
    """Queue new findings and send them (a scan has nothing to overlap with)."""
    new = desk.queue_alerts()
    result = desk.send_alerts(config)
    say(err, "",
        f"alerts: {new} new findings, {result.sent} sent"
        + (f", {result.failed} left to retry: {'; '.join(result.errors[:3])}" if result.failed
           else "")
        + (f", {result.waiting_for_digest} wait for the daily digest"
           if result.waiting_for_digest else "")
    )  # fmt: skip


def _short_helps(typer_app: typer.Typer) -> None:
    """The command list shows each command's first sentence on one line (typer would keep
    the line breaks of its docstring); the whole docstring is the command's --help."""
    for info in typer_app.registered_commands:
        doc = inspect.cleandoc(info.callback.__doc__ or "") if info.callback else ""
        if info.short_help is None and doc:
            paragraph = " ".join(doc.split("\n\n")[0].split())
            info.short_help = re.split(r"(?<=[A-Za-z)]\.)\s", paragraph, maxsplit=1)[0]


_short_helps(app)  # after every command is defined

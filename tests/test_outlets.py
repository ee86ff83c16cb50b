"""Outlet profiles and the copy network, on invented outlets and on the demo corpus."""

from __future__ import annotations

import csv
import io
import json
import random
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from copydesk import Article, Desk
from copydesk.reports.network import (
    EDGE_CSV_COLUMNS,
    NODE_CSV_COLUMNS,
    Edge,
    Node,
    network,
    nodes_csv_path,
    write_csv,
    write_gexf,
    write_graphml,
)
from copydesk.reports.outlets import (
    PROFILE_CSV_COLUMNS,
    UNKNOWN_OUTLET,
    OutletProfile,
    credit_summary,
    farm_reasons,
    outlet_profiles,
    profiles_table,
    write_profiles_csv,
)

T, F, S, N = "ttimes.com", "farmnews.net", "syndic.org", "nowhere.com"  # N: no part in it
START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
F_LAGS = (3, 5, 7, 9)  # hours after T's story each of F's copies appeared: median 6
S_LAG = 24

GRAPHML = "{http://graphml.graphdrawing.org/xmlns}"
GEXF = "{http://gexf.net/1.3}"


def _vocabulary(rnd: random.Random, size: int = 3000) -> list[str]:
    syllables = ["ka", "lo", "mi", "ne", "tu", "ra", "si", "vo", "pe", "du", "ga", "fi", "zo"]
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rnd.choice(syllables) for _ in range(rnd.randint(2, 4))))
    return sorted(words)


def _text(rnd: random.Random, vocab: list[str], n: int = 200) -> str:
    words = [rnd.choice(vocab) for _ in range(n)]
    paragraphs = [" ".join(words[i : i + 40]).capitalize() + "." for i in range(0, n, 40)]
    return "\n\n".join(paragraphs)


def _article(outlet: str, n: int, text: str, published: datetime, **kw) -> Article:
    return Article(
        id=f"{outlet.split('.')[0]}-{n}",
        url=f"https://{outlet}/story/{n}",
        outlet=outlet,
        published=published,
        text=text,
        **kw,
    )


def corpus() -> list[Article]:
    """T (8 stories); F copies T1-T4 whole, uncredited; S republishes T5-T6 crediting
    "T Times"; F, S and N also have stories of their own."""
    rnd = random.Random(20260302)
    vocab = _vocabulary(rnd)
    day = timedelta(days=1)
    t_texts = [_text(rnd, vocab) for _ in range(8)]
    articles = [
        _article(T, i + 1, text, START + i * day, outlet_name="T Times")
        for i, text in enumerate(t_texts)
    ]
    for i, lag in enumerate(F_LAGS):
        articles.append(_article(F, i + 1, t_texts[i], START + i * day + timedelta(hours=lag)))
    for i in (4, 5):
        text = t_texts[i] + "\n\nThis story first appeared in T Times and is used with permission."
        articles.append(_article(S, i - 3, text, START + i * day + timedelta(hours=S_LAG)))
    when = START + 10 * day
    articles += [_article(F, n, _text(rnd, vocab), when + n * day) for n in (5, 6)]
    articles += [_article(S, 3, _text(rnd, vocab), when)]
    articles += [_article(N, n, _text(rnd, vocab), when + n * day) for n in (1, 2, 3)]
    return articles


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    desk = Desk(tmp_path_factory.mktemp("outlets") / "outlets.db", workers=1)
    summary = desk.ingest(corpus())
    assert summary.rejected == [] and summary.added == 20
    desk.scan()
    yield desk
    desk.close()


@pytest.fixture(scope="module")
def profiles(desk: Desk) -> dict[str, OutletProfile]:
    return {p.outlet: p for p in outlet_profiles(desk.store)}


def test_the_invented_corpus_gives_the_intended_verdicts(desk: Desk) -> None:
    pairs = {(v.article, m.source): m for v in desk.verdicts() for m in v.sources}
    want = {(f"farmnews-{i}", f"ttimes-{i}") for i in range(1, 5)}
    want |= {("syndic-1", "ttimes-5"), ("syndic-2", "ttimes-6")}
    assert set(pairs) == want
    assert {m.credit for (c, _), m in pairs.items() if c.startswith("farmnews")} == {"absent"}
    assert {m.credit for (c, _), m in pairs.items() if c.startswith("syndic")} == {"credited"}


def test_profiles_are_sorted_by_articles(profiles: dict[str, OutletProfile]) -> None:
    assert [(p, profiles[p].articles) for p in profiles] == [(T, 8), (F, 6), (N, 3), (S, 3)]


def test_the_farm_copying_without_credit_is_flagged(profiles: dict[str, OutletProfile]) -> None:
    f = profiles[F]
    assert (f.reusing, f.reused) == (4, 0)
    assert f.reuse_share == pytest.approx(4 / 6)
    assert f.top_sources == [(T, 4, 1.0)]
    assert f.top_copiers == []
    assert f.credit == credit_summary(0, 0, 4)
    assert f.credit["absent_rate"] == 1.0
    assert f.median_lag_hours == pytest.approx(6.0)
    assert f.first_publisher_rate == 0.0
    assert f.flagged
    assert f.reasons == [
        "67% of its 6 articles copy other outlets (4 articles), "
        "and 4 of 4 copies do not credit the source"
    ]


def test_the_original_outlet_is_reused_and_was_first(profiles: dict[str, OutletProfile]) -> None:
    t = profiles[T]
    assert (t.articles, t.reusing, t.reused) == (8, 0, 6)
    assert t.reused_share == pytest.approx(6 / 8)
    assert t.top_copiers == [(F, 4, pytest.approx(4 / 6)), (S, 2, pytest.approx(2 / 6))]
    assert t.top_sources == []
    assert t.credit["copies"] == 0 and t.credit["credited_rate"] is None
    assert t.median_lag_hours is None
    assert t.first_publisher_rate == 1.0
    assert not t.flagged and t.reasons == []


def test_the_syndicator_credits_and_is_not_flagged(profiles: dict[str, OutletProfile]) -> None:
    s = profiles[S]
    assert (s.articles, s.reusing, s.reused) == (3, 2, 0)
    assert s.top_sources == [(T, 2, 1.0)]
    assert s.credit == credit_summary(2, 0, 0)
    assert s.median_lag_hours == pytest.approx(S_LAG)
    assert not s.flagged


def test_an_outlet_outside_the_network(profiles: dict[str, OutletProfile]) -> None:
    o = profiles[N]
    assert (o.reusing, o.reused, o.top_sources, o.top_copiers) == (0, 0, [], [])
    assert o.first_publisher_rate is None and o.median_lag_hours is None
    assert not o.flagged


def test_profiles_to_json_is_plain_json(profiles: dict[str, OutletProfile]) -> None:
    obj = json.loads(json.dumps(profiles[F].to_json()))
    assert obj["outlet"] == F and obj["flagged"] is True
    assert obj["top_sources"] == [{"outlet": T, "copies": 4, "share": 1.0}]
    assert obj["credit"]["absent"] == 4 and obj["median_lag_hours"] == 6.0
    assert obj["reuse_share"] == 0.6667


def test_profiles_table_shows_flagged_reasons(profiles: dict[str, OutletProfile]) -> None:
    from rich.console import Console

    console = Console(width=250, record=True)
    console.print(profiles_table(profiles.values()))
    shown = console.export_text()
    assert "4 outlets, 1 flagged" in shown
    assert "4 of 4 copies do not credit the source" in shown
    assert F in shown and T in shown


def test_profiles_csv(profiles: dict[str, OutletProfile]) -> None:
    fh = io.StringIO()
    write_profiles_csv(profiles.values(), fh)
    rows = list(csv.DictReader(io.StringIO(fh.getvalue())))
    assert tuple(rows[0]) == PROFILE_CSV_COLUMNS
    by = {r["outlet"]: r for r in rows}
    assert by[F]["top_sources"] == f"{T}:4"
    assert by[T]["top_copiers"] == f"{F}:4;{S}:2"
    assert by[F]["flagged"] == "true" and by[T]["flagged"] == "false"
    assert by[F]["absent"] == "4" and by[F]["median_lag_hours"] == "6.0"
    assert by[T]["median_lag_hours"] == "" and by[T]["first_publisher_rate"] == "1.0"
    assert "do not credit" in by[F]["reasons"]


def test_stripped_credit_and_foreign_boilerplate_are_read_from_the_matches(
    tmp_path: Path,
) -> None:
    """The flag's other rules, on a store whose verdicts say "stripped" and carry
    ``foreign_boilerplate`` evidence (as credit and boilerplate forensics write them)."""
    desk = Desk(tmp_path / "stripped.db", workers=1)
    try:
        desk.ingest(corpus())
        desk.scan()
        db = desk.store.db
        keys = [k for (k,) in db.execute("SELECT key FROM articles WHERE id LIKE 'farmnews-%'")]
        marks = ",".join("?" * len(keys))
        db.execute(f"UPDATE matches SET credit = 'stripped' WHERE copy IN ({marks})", keys)
        row = db.execute(
            f"SELECT copy, source, data FROM matches WHERE copy IN ({marks}) LIMIT 1", keys
        ).fetchone()
        data = json.loads(row[2])
        data["evidence"].append(
            {"kind": "foreign_boilerplate", "text": "READ MORE", "outlet_of_origin": T}
        )
        db.execute(
            "UPDATE matches SET data = ? WHERE copy = ? AND source = ?",
            (json.dumps(data), row[0], row[1]),
        )
        # and one of F's own stories shows another outlet's furniture seen alone
        (original,) = db.execute("SELECT key FROM articles WHERE id = 'farmnews-5'").fetchone()
        signal = {"kind": "foreign_boilerplate", "text": "DON'T MISS:", "outlet_of_origin": T}
        db.execute(
            "INSERT OR REPLACE INTO signals (article, data) VALUES (?, ?)",
            (original, json.dumps([signal])),
        )
        profile = {p.outlet: p for p in outlet_profiles(desk.store)}[F]
    finally:
        desk.close()
    assert profile.credit == credit_summary(0, 4, 0)
    assert profile.foreign_boilerplate == 2
    assert profile.flagged
    assert profile.reasons[1:] == [
        "credit removed in 4 of 4 copies",
        "2 of its 6 articles (33%) carry other outlets' boilerplate",
    ]


def test_farm_rules_without_a_store() -> None:
    def profile(**kw) -> OutletProfile:
        base = {"outlet": "x.net", "articles": 10, "credit": credit_summary(0, 0, 0)}
        return OutletProfile(**{**base, **kw})

    assert farm_reasons(profile()) == []
    # few articles never flag
    assert farm_reasons(profile(articles=4, reusing=4, reuse_share=1.0)) == []
    # reuse share alone is not enough when the copies credit their sources
    credited = profile(reusing=9, reuse_share=0.9, credit=credit_summary(7, 0, 2))
    assert farm_reasons(credited) == []
    assert farm_reasons(profile(credit=credit_summary(3, 3, 4))) == [
        "credit removed in 3 of 10 copies"
    ]
    assert farm_reasons(profile(foreign_boilerplate=3)) == [
        "3 of its 10 articles (30%) carry other outlets' boilerplate"
    ]


def test_same_outlet_reuse_never_flags(demo_desk: Desk) -> None:
    """With an outlet's own reuse counted (footers, updates), the Northern Post reuses
    itself, but the flag still judges copying from other outlets only."""
    own = {p.outlet: p for p in outlet_profiles(demo_desk.store, include_same_outlet=True)}
    post = own["northernpost.co.uk"]
    assert post.reusing > 0
    assert post.top_sources[0][0] == "northernpost.co.uk"
    assert not post.flagged
    assert own["capitalsentinel.net"].flagged


# -- network -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def graph(desk: Desk) -> tuple[list[Node], list[Edge]]:
    return network(desk.store)


def test_network_nodes_and_edges(graph: tuple[list[Node], list[Edge]]) -> None:
    nodes, edges = graph
    assert {n.outlet: (n.articles, n.reusing, n.reused, n.flagged) for n in nodes} == {
        T: (8, 0, 6, False),
        F: (6, 4, 0, True),
        S: (3, 2, 0, False),
        N: (3, 0, 0, False),
    }
    assert [e.to_json() for e in edges] == [
        {
            "copier": F,
            "source": T,
            "weight": 4,
            "credited": 0,
            "stripped": 0,
            "absent": 4,
            "credit_rate": 0.0,
            "median_lag_hours": 6.0,
        },
        {
            "copier": S,
            "source": T,
            "weight": 2,
            "credited": 2,
            "stripped": 0,
            "absent": 0,
            "credit_rate": 1.0,
            "median_lag_hours": 24.0,
        },
    ]


def test_network_connected_only(desk: Desk) -> None:
    nodes, _ = network(desk.store, connected_only=True)
    assert {n.outlet for n in nodes} == {T, F, S}


def test_graphml(graph: tuple[list[Node], list[Edge]], tmp_path: Path) -> None:
    nodes, edges = graph
    path = write_graphml(nodes, edges, tmp_path / "net.graphml")
    root = ET.parse(path).getroot()
    assert root.tag == f"{GRAPHML}graphml"
    keys = {k.get("id"): k for k in root.iter(f"{GRAPHML}key")}
    assert keys["weight"].get("for") == "edge" and keys["weight"].get("attr.type") == "int"
    assert keys["flagged"].get("attr.type") == "boolean"
    assert keys["credit_rate"].get("attr.type") == "double"
    assert keys["label"].get("for") == "node"
    graph_el = root.find(f"{GRAPHML}graph")
    assert graph_el.get("edgedefault") == "directed"
    label = {}
    for node in graph_el.iter(f"{GRAPHML}node"):
        data = {d.get("key"): d.text for d in node.iter(f"{GRAPHML}data")}
        label[node.get("id")] = data["label"]
        assert set(data) == {"label", "articles", "reusing", "reused", "flagged"}
    assert sorted(label.values()) == sorted([T, F, S, N])
    got = {}
    for edge in graph_el.iter(f"{GRAPHML}edge"):
        data = {d.get("key"): d.text for d in edge.iter(f"{GRAPHML}data")}
        got[(label[edge.get("source")], label[edge.get("target")])] = data
    assert got[(F, T)]["weight"] == "4" and got[(F, T)]["median_lag_hours"] == "6.0"
    assert got[(S, T)]["credited"] == "2" and got[(S, T)]["credit_rate"] == "1.0"
    assert set(keys) >= {key for data in got.values() for key in data}


def test_graphml_reads_in_networkx(graph: tuple[list[Node], list[Edge]], tmp_path: Path) -> None:
    nx = _networkx()
    g = nx.read_graphml(write_graphml(*graph, tmp_path / "net.graphml"))
    assert g.is_directed()
    names = {n: attrs["label"] for n, attrs in g.nodes(data=True)}
    edge = {(names[a], names[b]): attrs for a, b, attrs in g.edges(data=True)}
    assert edge[(F, T)]["weight"] == 4 and edge[(F, T)]["absent"] == 4
    assert edge[(S, T)]["credit_rate"] == 1.0
    assert {names[n]: a["flagged"] for n, a in g.nodes(data=True)}[F] is True


def test_gexf(graph: tuple[list[Node], list[Edge]], tmp_path: Path) -> None:
    nodes, edges = graph
    path = write_gexf(nodes, edges, tmp_path / "net.gexf")
    root = ET.parse(path).getroot()
    assert root.tag == f"{GEXF}gexf" and root.get("version") == "1.3"
    graph_el = root.find(f"{GEXF}graph")
    assert graph_el.get("defaultedgetype") == "directed"
    declared = {
        (a.get("class"), d.get("id")): d.get("type")
        for a in graph_el.iter(f"{GEXF}attributes")
        for d in a.iter(f"{GEXF}attribute")
    }
    assert declared[("node", "flagged")] == "boolean"
    assert declared[("edge", "absent")] == "integer"
    assert declared[("edge", "median_lag_hours")] == "double"
    ids = {n.get("id"): n.get("label") for n in graph_el.iter(f"{GEXF}node")}
    assert ids == {x: x for x in (T, F, S, N)}
    got = {
        (e.get("source"), e.get("target")): (
            e.get("weight"),
            {v.get("for"): v.get("value") for v in e.iter(f"{GEXF}attvalue")},
        )
        for e in graph_el.iter(f"{GEXF}edge")
    }
    assert got[(F, T)][0] == "4" and got[(F, T)][1]["absent"] == "4"
    assert got[(S, T)][1]["credited"] == "2"
    for _, values in got.values():
        assert {name for cls, name in declared if cls == "edge"} >= set(values)


def test_gexf_reads_in_networkx(graph: tuple[list[Node], list[Edge]], tmp_path: Path) -> None:
    nx = _networkx()
    g = nx.read_gexf(write_gexf(*graph, tmp_path / "net.gexf"), version="1.3")
    assert g.is_directed() and set(g.nodes) == {T, F, S, N}
    assert g.edges[F, T]["weight"] == 4.0 and g.edges[F, T]["absent"] == 4
    assert g.nodes[F]["flagged"] is True


def test_xml_escapes_awkward_outlet_names(tmp_path: Path) -> None:
    odd = 'a&b <"quoted"> \x01ctrl'
    nodes = [Node(odd, 5, 1, 0, True), Node("plain.com", 1, 0, 1, False)]
    edges = [Edge(odd, "plain.com", 1, 0, 0, 1, 0.0, None)]
    for writer, suffix in ((write_graphml, "graphml"), (write_gexf, "gexf")):
        path = writer(nodes, edges, tmp_path / f"odd.{suffix}")
        text = path.read_text(encoding="utf-8")
        assert "a&amp;b &lt;" in text and "\x01" not in text
        root = ET.parse(path).getroot()  # well-formed
        assert any(
            (el.text or "").startswith('a&b <"quoted">') or el.get("label", "").startswith("a&b")
            for el in root.iter()
        )


def test_csv_round_trip(graph: tuple[list[Node], list[Edge]], tmp_path: Path) -> None:
    nodes, edges = graph
    edge_path, node_path = write_csv(nodes, edges, tmp_path / "net.csv")
    assert edge_path == tmp_path / "net.csv"
    assert node_path == tmp_path / "net-nodes.csv" == nodes_csv_path(edge_path)
    with edge_path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert tuple(rows[0]) == EDGE_CSV_COLUMNS
    back = [
        Edge(
            r["source"],
            r["target"],
            int(r["weight"]),
            int(r["credited"]),
            int(r["stripped"]),
            int(r["absent"]),
            float(r["credit_rate"]),
            float(r["median_lag_hours"]) if r["median_lag_hours"] else None,
        )
        for r in rows
    ]
    assert back == edges
    with node_path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert tuple(rows[0]) == NODE_CSV_COLUMNS
    back_nodes = [
        Node(
            r["id"], int(r["articles"]), int(r["reusing"]), int(r["reused"]), r["flagged"] == "true"
        )
        for r in rows
    ]
    assert back_nodes == nodes


def _networkx():
    return pytest.importorskip("networkx", reason="networkx is not installed (optional)")


# -- the demo corpus ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_profiles(tmp_path_factory: pytest.TempPathFactory) -> dict[str, OutletProfile]:
    from copydesk.demo import ARTICLES

    with Desk(tmp_path_factory.mktemp("demo-outlets") / "demo.db", workers=1) as desk:
        summary = desk.ingest_files([ARTICLES])
        assert summary.rejected == []
        desk.scan()
        return {p.outlet: p for p in outlet_profiles(desk.store)}


def test_demo_content_farm(demo_profiles: dict[str, OutletProfile]) -> None:
    cs = demo_profiles["capitalsentinel.net"]
    assert cs.articles == 5 and cs.reusing == 4  # cs-004's source is not in the corpus
    assert cs.top_sources[0] == ("dailyclarion.com", 3, 0.75)
    assert ("ambrelltimes.co.uk", 1, 0.25) in cs.top_sources
    assert cs.credit["credited"] == 0
    # cs-003 also counts against the chatbot rewrite it came out after (absent)
    assert cs.credit["stripped"] + cs.credit["absent"] == 5
    assert cs.flagged
    assert cs.reasons[0].startswith("80% of its 5 articles copy other outlets")
    clarion = demo_profiles["dailyclarion.com"]
    assert clarion.top_copiers == [("capitalsentinel.net", 3, 0.75), ("valleydigest.net", 1, 0.25)]
    assert clarion.first_publisher_rate == 1.0


def test_demo_syndication_partner_credits(demo_profiles: dict[str, OutletProfile]) -> None:
    vg = demo_profiles["wendvalleygazette.co.uk"]
    assert vg.credit["credited"] == 4 and vg.credit["credited_rate"] == 1.0
    assert dict((o, n) for o, n, _ in vg.top_sources) == {
        "northernpost.co.uk": 2,
        "mpa-wire.com": 2,
    }
    assert not vg.flagged
    assert UNKNOWN_OUTLET not in demo_profiles
    # The content farm, and the aggregator and the blog that copy almost all they post
    # without credit; never the partner paper or the originals.
    assert {o for o, p in demo_profiles.items() if p.flagged} == {
        "capitalsentinel.net", "headlinehive.net", "wendsidedispatch.org"
    }  # fmt: skip

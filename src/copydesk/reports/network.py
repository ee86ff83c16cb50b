"""The copy network: outlets as nodes, copying as weighted directed edges.

An edge runs from the **copier** to the **source outlet** whose articles it reuses (the
way a citation points), and its weight is the number of (copy article, source outlet)
pairs, as in :mod:`copydesk.reports.outlets`: an article that reuses three articles of one
outlet adds 1 to that edge. Each edge carries how those copies credit the source
(``credited``, ``stripped``, ``absent`` counts, ``credit_rate`` = credited / weight) and the
median lag in hours between source and copy (absent when no pair has both dates).
Nodes carry ``articles``, ``reusing``, ``reused`` and ``flagged`` (content-farm-like) from
the outlet profiles.

Writers (no networkx needed; the files are built with ``xml.etree.ElementTree``):

- :func:`write_graphml`: GraphML 1.0, every attribute declared as a ``<key>`` with its
  ``attr.type``. Node ids are ``n0``, ``n1``, ... (GraphML ids must be XML name tokens,
  outlet names need not be); the outlet is the node's ``label``. Edge ids are ``e0``, ...
- :func:`write_gexf`: GEXF 1.3 with node and edge attributes declared; node ids are the
  outlet names, the edge weight is GEXF's own ``weight``.
- :func:`write_csv`: the edges as CSV at the given path (``source`` = copier, ``target`` =
  source outlet, as Gephi's spreadsheet import expects) and the nodes as CSV next to it,
  named ``<stem>-nodes.csv`` (``network.csv`` → ``network-nodes.csv``; ``id`` = outlet).

Text that XML 1.0 cannot carry at all (control characters) is dropped from names;
everything else is escaped by ElementTree.
"""

from __future__ import annotations

import csv
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from copydesk.reports.outlets import collect, csv_cell
from copydesk.store import Store

GRAPHML_NS = "http://graphml.graphdrawing.org/xmlns"
GRAPHML_SCHEMA = "http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd"
GEXF_NS = "http://gexf.net/1.3"
GEXF_SCHEMA = "http://gexf.net/1.3/gexf.xsd"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"


@dataclass(slots=True)
class Node:
    """One outlet."""

    outlet: str
    articles: int
    reusing: int
    reused: int
    flagged: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "outlet": self.outlet,
            "articles": self.articles,
            "reusing": self.reusing,
            "reused": self.reused,
            "flagged": self.flagged,
        }


@dataclass(slots=True)
class Edge:
    """``copier`` reuses articles of ``source``; ``weight`` (copy article, source) pairs."""

    copier: str
    source: str
    weight: int
    credited: int
    stripped: int
    absent: int
    credit_rate: float
    median_lag_hours: float | None

    def to_json(self) -> dict[str, Any]:
        return {
            "copier": self.copier,
            "source": self.source,
            "weight": self.weight,
            "credited": self.credited,
            "stripped": self.stripped,
            "absent": self.absent,
            "credit_rate": round(self.credit_rate, 4),
            "median_lag_hours": (
                None if self.median_lag_hours is None else round(self.median_lag_hours, 2)
            ),
        }


def network(
    store: Store, *, include_same_outlet: bool = False, connected_only: bool = False
) -> tuple[list[Node], list[Edge]]:
    """Nodes (every outlet, most articles first; with ``connected_only`` only those on an
    edge) and edges (heaviest first). With ``include_same_outlet``, an outlet's reuse of
    its own text appears as a self-loop."""
    profiles, stats = collect(store, include_same_outlet=include_same_outlet, top=0)
    edges = [
        Edge(
            copier=e.copier,
            source=e.source,
            weight=e.copies,
            credited=e.credited,
            stripped=e.stripped,
            absent=e.absent,
            credit_rate=e.credited / e.copies if e.copies else 0.0,
            median_lag_hours=e.median_lag_hours,
        )
        for e in stats
    ]
    on_edge = {e.copier for e in edges} | {e.source for e in edges}
    nodes = [
        Node(p.outlet, p.articles, p.reusing, p.reused, p.flagged)
        for p in profiles
        if not connected_only or p.outlet in on_edge
    ]
    return nodes, edges


# -- XML ---------------------------------------------------------------------------------

# Characters XML 1.0 cannot represent, even escaped (C0 controls but tab/newline/CR,
# surrogates, U+FFFE and U+FFFF).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(round(value, 6))
    return _NOT_XML.sub("", str(value))


_NODE_ATTRS: tuple[tuple[str, str, str], ...] = (
    # (name, GraphML attr.type, GEXF type)
    ("articles", "int", "integer"),
    ("reusing", "int", "integer"),
    ("reused", "int", "integer"),
    ("flagged", "boolean", "boolean"),
)
_EDGE_ATTRS: tuple[tuple[str, str, str], ...] = (
    ("credited", "int", "integer"),
    ("stripped", "int", "integer"),
    ("absent", "int", "integer"),
    ("credit_rate", "double", "double"),
    ("median_lag_hours", "double", "double"),
)


def _write_xml(root: ET.Element, path: str | Path) -> Path:
    path = Path(path)
    ET.indent(root)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
    return path


def graphml_tree(nodes: list[Node], edges: list[Edge]) -> ET.Element:
    root = ET.Element(
        "graphml",
        {
            "xmlns": GRAPHML_NS,
            "xmlns:xsi": XSI_NS,
            "xsi:schemaLocation": f"{GRAPHML_NS} {GRAPHML_SCHEMA}",
        },
    )
    keys = [("node", "label", "string")] + [("node", n, t) for n, t, _ in _NODE_ATTRS]
    keys += [("edge", "weight", "int")] + [("edge", n, t) for n, t, _ in _EDGE_ATTRS]
    for for_, name, type_ in keys:
        ET.SubElement(root, "key", {"id": name, "for": for_, "attr.name": name, "attr.type": type_})
    graph = ET.SubElement(root, "graph", {"id": "copydesk", "edgedefault": "directed"})
    ids: dict[str, str] = {}
    for i, node in enumerate(nodes):
        ids[node.outlet] = f"n{i}"
        el = ET.SubElement(graph, "node", {"id": f"n{i}"})
        ET.SubElement(el, "data", {"key": "label"}).text = _xml(node.outlet)
        for name, _, _ in _NODE_ATTRS:
            ET.SubElement(el, "data", {"key": name}).text = _xml(getattr(node, name))
    for i, edge in enumerate(edges):
        el = ET.SubElement(
            graph,
            "edge",
            {"id": f"e{i}", "source": ids[edge.copier], "target": ids[edge.source]},
        )
        ET.SubElement(el, "data", {"key": "weight"}).text = _xml(edge.weight)
        for name, _, _ in _EDGE_ATTRS:
            value = getattr(edge, name)
            if value is not None:
                ET.SubElement(el, "data", {"key": name}).text = _xml(value)
    return root


def gexf_tree(nodes: list[Node], edges: list[Edge]) -> ET.Element:
    root = ET.Element(
        "gexf",
        {
            "xmlns": GEXF_NS,
            "xmlns:xsi": XSI_NS,
            "xsi:schemaLocation": f"{GEXF_NS} {GEXF_SCHEMA}",
            "version": "1.3",
        },
    )
    meta = ET.SubElement(root, "meta")
    ET.SubElement(meta, "creator").text = "copydesk"
    ET.SubElement(meta, "description").text = (
        "Copy network: an edge runs from the outlet that copies to the outlet it copies; "
        "weight = (copy article, source outlet) pairs."
    )
    graph = ET.SubElement(root, "graph", {"defaultedgetype": "directed", "mode": "static"})
    for class_, attrs in (("node", _NODE_ATTRS), ("edge", _EDGE_ATTRS)):
        declared = ET.SubElement(graph, "attributes", {"class": class_})
        for name, _, type_ in attrs:
            ET.SubElement(declared, "attribute", {"id": name, "title": name, "type": type_})
    node_els = ET.SubElement(graph, "nodes", {"count": str(len(nodes))})
    for node in nodes:
        name = _xml(node.outlet)
        el = ET.SubElement(node_els, "node", {"id": name, "label": name})
        values = ET.SubElement(el, "attvalues")
        for attr, _, _ in _NODE_ATTRS:
            ET.SubElement(values, "attvalue", {"for": attr, "value": _xml(getattr(node, attr))})
    edge_els = ET.SubElement(graph, "edges", {"count": str(len(edges))})
    for i, edge in enumerate(edges):
        el = ET.SubElement(
            edge_els,
            "edge",
            {
                "id": str(i),
                "source": _xml(edge.copier),
                "target": _xml(edge.source),
                "weight": _xml(edge.weight),
            },
        )
        values = ET.SubElement(el, "attvalues")
        for attr, _, _ in _EDGE_ATTRS:
            value = getattr(edge, attr)
            if value is not None:
                ET.SubElement(values, "attvalue", {"for": attr, "value": _xml(value)})
    return root


def write_graphml(nodes: list[Node], edges: list[Edge], path: str | Path) -> Path:
    """The network as GraphML (UTF-8) at ``path``."""
    return _write_xml(graphml_tree(nodes, edges), path)


def write_gexf(nodes: list[Node], edges: list[Edge], path: str | Path) -> Path:
    """The network as GEXF 1.3 (UTF-8) at ``path``."""
    return _write_xml(gexf_tree(nodes, edges), path)


EDGE_CSV_COLUMNS = (
    "source",
    "target",
    "weight",
    "credited",
    "stripped",
    "absent",
    "credit_rate",
    "median_lag_hours",
)
NODE_CSV_COLUMNS = ("id", "label", "articles", "reusing", "reused", "flagged")


def nodes_csv_path(path: str | Path) -> Path:
    """Where :func:`write_csv` puts the nodes: ``<stem>-nodes.csv`` next to ``path``."""
    path = Path(path)
    return path.with_name(f"{path.stem}-nodes.csv")


def write_csv(nodes: list[Node], edges: list[Edge], path: str | Path) -> tuple[Path, Path]:
    """Edges as CSV at ``path`` (``source`` is the copier, ``target`` the outlet copied) and
    nodes as CSV at ``<stem>-nodes.csv`` beside it. Returns (edges path, nodes path)."""
    path = Path(path)
    node_path = nodes_csv_path(path)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(EDGE_CSV_COLUMNS)
        for e in edges:
            writer.writerow(
                csv_cell(v)
                for v in (
                    e.copier,
                    e.source,
                    e.weight,
                    e.credited,
                    e.stripped,
                    e.absent,
                    e.credit_rate,
                    None if e.median_lag_hours is None else round(e.median_lag_hours, 2),
                )
            )
    with node_path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(NODE_CSV_COLUMNS)
        for n in nodes:
            writer.writerow(
                csv_cell(v)
                for v in (n.outlet, n.outlet, n.articles, n.reusing, n.reused, n.flagged)
            )
    return path, node_path


__all__ = [
    "EDGE_CSV_COLUMNS",
    "NODE_CSV_COLUMNS",
    "Edge",
    "Node",
    "gexf_tree",
    "graphml_tree",
    "network",
    "nodes_csv_path",
    "write_csv",
    "write_gexf",
    "write_graphml",
]

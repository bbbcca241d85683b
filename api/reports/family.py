"""The family report: one family across hubs, built from GraphQL answers.

- hubs x formats: how each hub publishes the family;
- releases x hubs: each release (architecture and size) with its parameters, per hub;
- lineage: fine-tunes, adapters, quantizations and merges below the family, per hub;
- the top models of each hub.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

from api.guard import MAX_COSTLY_FIELDS
from api.reports.build import _landscape_model  # the same model columns as the landscape
from api.reports.client import ReportError, Transport
from api.reports.data import (
    Bucket,
    FamilyReport,
    HubTop,
    Matrix,
    Meta,
    ReleaseRow,
)

RELATIONS = ("finetune", "adapter", "quantized", "merge")
# The API runs at most MAX_COSTLY_FIELDS searches or matrices per request: a release
# takes two (its family and its hubs), a hub's top models one.
RELEASES_PER_QUERY = MAX_COSTLY_FIELDS // 2
HUBS_PER_QUERY = MAX_COSTLY_FIELDS
MAX_RELEASES = 100

FAMILY = """
query Family($slug: String!) {
  family(slug: $slug) {
    slug name path kind modelCount
    children { slug name }
    derivatives { platform relation models }
  }
}
"""

MATRICES = """
query FamilyMatrices($slug: String!, $filter: ModelFilter!) {
  hubs: stats(filter: $filter, rows: PLATFORM) { rows { value label count } }
  formats: stats(filter: $filter, rows: FORMAT) { rows { value label count } }
  hubFormat: stats(filter: $filter, rows: PLATFORM, columns: FORMAT) {
    cells { row column count }
  }
  releases: families(parent: $slug, kind: "release", first: 100) {
    totalCount nodes { slug name }
  }
}
"""

MODEL_FIELDS = (
    "ref name author url parameters downloads likes license platform { slug } formats { slug }"
)


def build_family(
    transport: Transport, slug: str, *, top: int, meta: Meta, max_releases: int = MAX_RELEASES
) -> FamilyReport:
    """The family report of `slug`.

    Raises:
        ReportError: the family is unknown (with a hint to list families).
    """
    family = transport.execute(FAMILY, {"slug": slug})["family"]
    if family is None:
        raise ReportError(
            f"unknown family {slug!r}: list families with the API's `families(search: ...)` "
            "or see catalog/families/families.yaml"
        )
    data = transport.execute(MATRICES, {"slug": slug, "filter": {"families": [slug]}})
    # Totals count distinct models (a model in two formats counts once on its hub).
    hubs = tuple(_bucket(r) for r in data["hubs"]["rows"])
    formats = tuple(_bucket(r) for r in data["formats"]["rows"])
    hub_formats = _matrix("hub-format", "Hubs × formats", hubs, formats, data["hubFormat"])
    counts: dict[str, dict[str, int]] = {}
    for d in family["derivatives"]:
        counts.setdefault(d["platform"], {})[d["relation"]] = d["models"]
    lineage = _lineage(hubs, counts)
    releases = _releases(transport, data["releases"]["nodes"][:max_releases], hubs)
    return FamilyReport(
        meta=dataclasses.replace(meta, title=f"Family: {family['name']}"),
        slug=family["slug"],
        name=family["name"],
        path=tuple(family["path"]),
        family_kind=family["kind"],
        total=family["modelCount"],
        children=tuple(Bucket(c["slug"], c["name"], 0) for c in family["children"]),
        hubs=hubs,
        hub_formats=hub_formats,
        releases=releases,
        lineage=lineage,
        top=_top(transport, slug, hubs, top),
    )


def _bucket(raw: Mapping[str, Any]) -> Bucket:
    return Bucket(raw["value"], raw.get("label") or raw["value"], raw["count"])


def _matrix(
    key: str,
    title: str,
    rows: tuple[Bucket, ...],
    columns: tuple[Bucket, ...],
    pivot: Mapping[str, Any],
) -> Matrix:
    cells = {(c["row"], c["column"]): c["count"] for c in pivot["cells"]}
    counts = tuple(tuple(cells.get((r.value, c.value), 0) for c in columns) for r in rows)
    return Matrix(key, title, "hub", "format", rows, columns, counts)


def _lineage(hubs: Sequence[Bucket], counts: Mapping[str, Mapping[str, int]]) -> Matrix:
    rows = tuple(Bucket(h.value, h.label, sum(counts.get(h.value, {}).values())) for h in hubs)
    columns = tuple(Bucket(r, r, sum(c.get(r, 0) for c in counts.values())) for r in RELATIONS)
    cells = tuple(tuple(counts.get(h.value, {}).get(r, 0) for r in RELATIONS) for h in hubs)
    return Matrix("lineage", "Derivatives per hub", "hub", "relation", rows, columns, cells)


def _releases(
    transport: Transport, nodes: Sequence[Mapping[str, Any]], hubs: Sequence[Bucket]
) -> tuple[ReleaseRow, ...]:
    """Each release's model count per hub and the parameters of its top model."""
    rows = []
    for start in range(0, len(nodes), RELEASES_PER_QUERY):
        chunk = nodes[start : start + RELEASES_PER_QUERY]
        params = ", ".join(f"$s{i}: String!" for i in range(len(chunk)))
        fields = " ".join(
            f"r{i}: family(slug: $s{i}) {{ modelCount models(first: 1, sort: [DOWNLOADS]) "
            f"{{ edges {{ node {{ parameters }} }} }} }} "
            f"p{i}: stats(filter: {{families: [$s{i}]}}, rows: PLATFORM) "
            f"{{ rows {{ value count }} }}"
            for i in range(len(chunk))
        )
        variables = {f"s{i}": n["slug"] for i, n in enumerate(chunk)}
        data = transport.execute(f"query Releases({params}) {{ {fields} }}", variables)
        for i, node in enumerate(chunk):
            family = data[f"r{i}"]
            if not family or not family["modelCount"]:
                continue
            per = {r["value"]: r["count"] for r in data[f"p{i}"]["rows"]}
            edges = family["models"]["edges"]
            parameters = edges[0]["node"]["parameters"] if edges else None
            rows.append(
                ReleaseRow(
                    node["slug"],
                    node["name"],
                    parameters,
                    family["modelCount"],
                    tuple(per.get(h.value, 0) for h in hubs),
                )
            )
    return tuple(rows)


def _top(transport: Transport, slug: str, hubs: Sequence[Bucket], top: int) -> tuple[HubTop, ...]:
    if top <= 0:
        return ()
    found = []
    for start in range(0, len(hubs), HUBS_PER_QUERY):
        found += _top_of(transport, slug, hubs[start : start + HUBS_PER_QUERY], top)
    return tuple(found)


def _top_of(transport: Transport, slug: str, hubs: Sequence[Bucket], top: int) -> list[HubTop]:
    params = ", ".join(f"$p{i}: String!" for i in range(len(hubs)))
    fields = " ".join(
        f"t{i}: models(filter: {{families: [$slug], platforms: [$p{i}]}}, sort: [DOWNLOADS], "
        f"first: $top) {{ edges {{ node {{ {MODEL_FIELDS} }} }} }}"
        for i in range(len(hubs))
    )
    variables: dict[str, Any] = {f"p{i}": h.value for i, h in enumerate(hubs)}
    variables.update(slug=slug, top=top)
    query = f"query Top($slug: String!, $top: Int!, {params}) {{ {fields} }}"
    data = transport.execute(query, variables)
    found = []
    for i, hub in enumerate(hubs):
        models = tuple(
            _landscape_model(rank, e["node"]) for rank, e in enumerate(data[f"t{i}"]["edges"], 1)
        )
        found.append(HubTop(hub.value, hub.label, models))
    return found

"""Build report data from GraphQL answers: compare, landscape, coverage.

Each builder sends a few operations through a `Transport` and returns a plain report
dataclass; nothing here renders text or touches the database directly.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from api.reports import queries
from api.reports.client import ReportError, Transport
from api.reports.data import (
    Bucket,
    CompareReport,
    CompareRow,
    CoverageReport,
    LandscapeModel,
    LandscapeReport,
    Matrix,
    Meta,
    ModelColumn,
    Point,
    Series,
)

Clock = Callable[[], dt.datetime]
HISTORY_MODELS = 8  # lines on the downloads-over-time chart; more become unreadable
MAX_TOP = 100  # the API's page cap


def utc_now() -> dt.datetime:
    """The current time in UTC."""
    return dt.datetime.now(dt.UTC)


def _meta(title: str, transport: Transport, clock: Clock, **selection: str | None) -> Meta:
    chosen = tuple((k, v) for k, v in selection.items() if v)
    return Meta(title, clock().isoformat(timespec="seconds"), transport.source, chosen)


def _chunks(items: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def check_refs(transport: Transport, refs: Sequence[str]) -> None:
    """Make sure every ref names a model in the catalog.

    Raises:
        ReportError: one error listing every unknown ref, each with its close matches.
    """
    wellformed = [r for r in dict.fromkeys(refs) if _is_ref(r)]
    found: set[str] = set()
    for chunk in _chunks(wellformed, queries.REFS_PER_QUERY):
        variables = {f"r{i}": ref for i, ref in enumerate(chunk)}
        data = transport.execute(queries.exists_query(len(chunk)), variables)
        found |= {ref for i, ref in enumerate(chunk) if data.get(f"m{i}")}
    unknown = [r for r in dict.fromkeys(refs) if r not in found]
    if unknown:
        lines = "".join(f"\n  {_with_suggestions(transport, r)}" for r in unknown)
        raise ReportError(f"unknown model refs (write them as <platform>:<externalId>):{lines}")


def _is_ref(ref: str) -> bool:
    platform, sep, external_id = ref.partition(":")
    return bool(sep and platform.strip() and external_id.strip())


def _with_suggestions(transport: Transport, ref: str) -> str:
    matches = close_matches(ref, _candidates(transport, ref))
    return f"{ref}: did you mean {' or '.join(matches)}?" if matches else ref


def close_matches(ref: str, candidates: Sequence[str], n: int = 3) -> list[str]:
    """Candidates that look like `ref`, best first (case-insensitive).

    Ids are compared without their platform prefix, which every candidate of a hub
    shares and which would make any two of them look alike.
    """

    def key(value: str) -> str:
        return value.lower().partition(":")[2] or value.lower()

    def tail(value: str) -> str:
        return key(value).rpartition("/")[2]

    scored = [(_similarity(key(ref), key(c)), c) for c in candidates]
    found = [c for score, c in sorted(scored, key=lambda s: -s[0]) if score >= 0.6]
    if not found:  # a bare name ("bert-base") against "platform:org/bert-base-uncased"
        scored = [(_similarity(tail(ref), tail(c)), c) for c in candidates]
        found = [c for score, c in sorted(scored, key=lambda s: -s[0]) if score >= 0.7]
    return found[:n]


def _similarity(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b).ratio()


def _candidates(transport: Transport, ref: str) -> list[str]:
    """Refs of models a search for the ref's id finds (none when the search fails)."""
    external = ref.partition(":")[2] or ref
    author, _, tail = external.rpartition("/")
    # From the whole id down to its first word: a typo ("Previw") hides the model from a
    # search for the whole id, not from one for its author or family name.
    words = [external, tail, author, re.split(r"[-_.\s]", tail)[0]]
    terms = dict.fromkeys(t.strip() for t in words if len(t.strip()) >= 2)
    found: list[str] = []
    for term in terms:
        try:
            data = transport.execute(queries.SEARCH_REFS, {"search": term})
        except ReportError:
            continue  # suggestions are a courtesy; the unknown ref is still reported
        found += [e["node"]["ref"] for e in data["models"]["edges"]]
    return list(dict.fromkeys(found))


def build_compare(
    transport: Transport, refs: Sequence[str], *, clock: Clock = utc_now
) -> CompareReport:
    """The comparison table of `refs` (in the order given).

    Raises:
        ReportError: no refs, or unknown refs (all listed, with close matches).
    """
    if not refs:
        raise ReportError("compare needs at least one model ref (<platform>:<externalId>)")
    check_refs(transport, refs)
    table = transport.execute(queries.COMPARE, {"refs": list(refs)})["compare"]
    models = tuple(
        ModelColumn(m["ref"], m["name"], m["platform"]["slug"], m.get("url"))
        for m in table["models"]
    )
    rows = tuple(
        CompareRow(r["attribute"], r["label"], tuple(r["values"]), bool(r["differs"]))
        for r in table["rows"]
    )
    title = f"Comparison of {len(models)} model{'s' if len(models) != 1 else ''}"
    return CompareReport(_meta(title, transport, clock), models, rows)


def model_filter(
    *,
    task: str | None = None,
    modality: str | None = None,
    platforms: Sequence[str] = (),
    nsfw: bool = False,
) -> dict[str, Any]:
    """A GraphQL `ModelFilter` value for the report options that are set (models their
    hub flags not safe for work only with `nsfw`)."""
    flt: dict[str, Any] = {"nsfw": True} if nsfw else {}
    if task:
        flt["tasks"] = [task]
    if modality:
        flt["modalities"] = [modality]
    if platforms:
        flt["platforms"] = list(platforms)
    return flt


def build_landscape(
    transport: Transport,
    *,
    task: str | None = None,
    modality: str | None = None,
    platforms: Sequence[str] = (),
    top: int = 20,
    since: dt.datetime | None = None,
    nsfw: bool = False,
    clock: Clock = utc_now,
) -> LandscapeReport:
    """The top `top` models by downloads of a task/modality across platforms.

    Raises:
        ReportError: `top` out of range, or the API refused the selection (e.g. an
            unknown task slug; its message lists the valid ones).
    """
    if not 1 <= top <= MAX_TOP:
        raise ReportError(f"--top must be between 1 and {MAX_TOP}, got {top}")
    flt = model_filter(task=task, modality=modality, platforms=platforms, nsfw=nsfw)
    found = transport.execute(queries.LANDSCAPE, {"filter": flt, "top": top})["models"]
    models = tuple(_landscape_model(i, e["node"]) for i, e in enumerate(found["edges"], 1))
    facets = {f["field"]: tuple(_bucket(b) for b in f["buckets"]) for f in found["facets"]}
    licenses = facets.get("LICENSE", ())
    licensed = sum(b["count"] for f in found["licensed"] for b in f["buckets"])
    what = task or modality or "all models"
    meta = _meta(
        f"Landscape: {what}",
        transport,
        clock,
        task=task,
        modality=modality,
        platforms=", ".join(platforms),
        top=str(top),
        nsfw="included" if nsfw else None,
    )
    return LandscapeReport(
        meta=meta,
        total=found["totalCount"],
        models=models,
        platforms=facets.get("PLATFORM", ()),
        licenses=licenses,
        formats=facets.get("FORMAT", ()),
        history=_history(transport, models[:HISTORY_MODELS], since),
        other_licenses=max(licensed - sum(b.count for b in licenses), 0),
        without_license=max(found["totalCount"] - licensed, 0),
    )


def _landscape_model(rank: int, node: Mapping[str, Any]) -> LandscapeModel:
    return LandscapeModel(
        rank=rank,
        ref=node["ref"],
        name=node["name"],
        platform=node["platform"]["slug"],
        author=node.get("author"),
        url=node.get("url"),
        parameters=node.get("parameters"),
        downloads=node.get("downloads"),
        likes=node.get("likes"),
        license=node.get("license"),
        formats=tuple(f["slug"] for f in node.get("formats") or ()),
        uses=tuple(use for use, key in USES if (node.get(key) or {}).get("value") is True),
        memory_bytes=(node.get("memory") or {}).get("bytes"),
        effective_license=_effective(node.get("effectiveLicense")),
    )


# Usages as a landscape shows them, with the Model field that says each.
USES = (("features", "featureExtraction"), ("fine-tune", "fineTuning"), ("zero-shot", "zeroShot"))


def _effective(found: Mapping[str, Any] | None) -> str | None:
    if not found:
        return None
    return f"{', '.join(found['licenses']) or 'none stated'} ({found['licenseClass']})"


def _bucket(raw: Mapping[str, Any]) -> Bucket:
    return Bucket(raw["value"], raw.get("label") or raw["value"], raw["count"])


def _history(
    transport: Transport, models: Sequence[LandscapeModel], since: dt.datetime | None
) -> tuple[Series, ...]:
    """Download history of the models that were observed at least twice."""
    if not models:
        return ()
    variables: dict[str, Any] = {f"r{i}": m.ref for i, m in enumerate(models)}
    variables["since"] = since.isoformat() if since else None
    data = transport.execute(queries.history_query(len(models)), variables)
    series = []
    for i, model in enumerate(models):
        metrics = (data.get(f"m{i}") or {}).get("metrics") or []
        points = tuple(
            Point(p["observedAt"], int(p["downloads"]))
            for p in metrics
            if p.get("downloads") is not None
        )
        if len(points) >= 2:
            series.append(Series(model.ref, model.name, model.platform, points))
    return tuple(series)


MATRICES = (
    ("platform-format", "Platforms × formats", "platform", "format", "platforms", "formats"),
    (
        "platform-modality",
        "Platforms × modalities",
        "platform",
        "modality",
        "platforms",
        "modalities",
    ),
    ("task-platform", "Tasks × platforms", "task", "platform", "tasks", "platforms"),
)
PIVOTS = {
    "platform-format": "platformFormat",
    "platform-modality": "platformModality",
    "task-platform": "taskPlatform",
}


def build_coverage(
    transport: Transport,
    *,
    modality: str | None = None,
    platforms: Sequence[str] = (),
    max_tasks: int | None = None,
    nsfw: bool = False,
    clock: Clock = utc_now,
) -> CoverageReport:
    """Platform x format, platform x modality and task x platform counts matrices.

    Row and column totals count distinct models (a model with two formats counts once
    in its platform's total).
    """
    flt = model_filter(modality=modality, platforms=platforms, nsfw=nsfw)
    data = transport.execute(queries.COVERAGE, {"filter": flt})
    totals = {name: tuple(_bucket(k) for k in data[name]["rows"]) for name in _TOTALS}
    if max_tasks is not None:
        totals["tasks"] = totals["tasks"][:max_tasks]
    matrices = []
    for key, title, row_field, column_field, row_name, column_name in MATRICES:
        cells = {(c["row"], c["column"]): c["count"] for c in data[PIVOTS[key]]["cells"]}
        rows, columns = totals[row_name], totals[column_name]
        counts = tuple(tuple(cells.get((r.value, c.value), 0) for c in columns) for r in rows)
        matrices.append(Matrix(key, title, row_field, column_field, rows, columns, counts))
    meta = _meta(
        "Coverage: platforms, formats, modalities, tasks",
        transport,
        clock,
        modality=modality,
        platforms=", ".join(platforms),
        nsfw="included" if nsfw else None,
    )
    return CoverageReport(meta, data["models"]["totalCount"], tuple(matrices))


_TOTALS = ("platforms", "formats", "modalities", "tasks")

"""Accuracy of family assignment on real hub metadata, against hand labels.

    .venv/bin/python -m benchmarks.family_accuracy [--samples ../shared/samples] [--errors]

Every record of the samples folder (Hugging Face payloads, the ONNX manifest sample, the
TF Hub and PyTorch Hub archive samples, the ModelScope and Civitai recorded replies) is
normalized by the harvesters' own code and assigned a family in memory
(`catalog.families.records.assign_records`). The labels (`benchmarks/family_labels.json`)
give each record's root family, or none. Printed per split (tune, holdout, unseen, all):

- pairwise precision and recall across hubs: over pairs of records on different hubs,
  "same family" by the labels against "same root family" as assigned (tune and holdout:
  both records in the split; unseen, the hubs the vocabulary was not written against:
  every pair with at least one unseen record, so pairs with the other hubs' records
  count too);
- coverage: the share of records labelled with a family that get one;
- wrong: records assigned a root other than their label (a labelled "none" included).

Without the samples folder (a user's machine) it says so and exits 0.
"""

from __future__ import annotations

import argparse
import importlib
import itertools
import json
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from catalog.families.records import assign_records
from catalog.families.vocabulary import Vocabulary, load_vocabulary
from catalog.records import NormalizedModel
from catalog.settings import Settings
from harvesters.base import FetchContext
from harvesters.huggingface.parse import normalize_model
from harvesters.registry import harvester_class

REPO = Path(__file__).resolve().parent.parent
LABELS = REPO / "benchmarks" / "family_labels.json"
# ../shared/samples next to the checkout (or next to the folder of git worktrees).
CANDIDATES = (REPO.parent / "shared" / "samples", REPO.parent.parent / "shared" / "samples")
SPLITS = ("tune", "holdout", "unseen", "all")
# Splits whose pairs reach outside them: every cross-hub pair with one of their records.
OPEN_SPLITS = frozenset({"unseen"})
# Hubs whose samples are recorded replies read by their `demo_source` (harvesters/<hub>).
DEMO_SOURCE_HUBS = ("modelscope", "civitai")


def huggingface_records(folder: Path) -> list[NormalizedModel]:
    """The Hub payloads of the samples, one record per model id (detail beats list)."""
    payloads: dict[str, Any] = {}
    for item in json.loads((folder / "list_models_page.json").read_text()):
        payloads[item["id"]] = item
    for item in json.loads((folder / "model_info_full.json").read_text()):
        payloads[item["id"]] = item
    for recording in json.loads((folder / "model_info_recorded.json").read_text()):
        body = recording.get("body")
        if recording.get("status") == 200 and isinstance(body, dict) and "id" in body:
            payloads.setdefault(body["id"], body)
    return [normalize_model(p) for p in payloads.values()]


def archive_records(platform: str, location: Path) -> list[NormalizedModel]:
    """Records of an archive hub, fetched from a local copy and normalized by its
    harvester."""
    settings = Settings(harvesters={platform: {"url": str(location)}})
    harvester = harvester_class(platform).from_settings(settings)
    try:
        context = FetchContext(kind="full", since=None, resume=None, limit=None)
        return [harvester.normalize(r) for page in harvester.fetch(context) for r in page.records]
    finally:
        harvester.close()


def demo_source_records(package: str, samples: Path) -> list[NormalizedModel]:
    """Records of a hub whose samples its demo source reads, normalized by its parser
    (what its harvester's `normalize` calls); none when the samples lack the hub."""
    source = importlib.import_module(f"harvesters.{package}.demo_source").source(samples)
    if source is None:
        return []
    parse = importlib.import_module(f"harvesters.{package}.parse")
    return [parse.normalize_model(payload) for payload in source.payloads]


def sample_records(samples: Path) -> list[NormalizedModel]:
    """Every model record of the samples folder."""
    return [
        *(r for hub in DEMO_SOURCE_HUBS for r in demo_source_records(hub, samples)),
        *huggingface_records(samples / "huggingface"),
        *archive_records("onnx-model-zoo", samples / "onnx" / "manifest_sample.json"),
        *archive_records("tfhub", samples / "tfhub" / "tfhub.dev-master-sample.tar.gz"),
        *archive_records("pytorch-hub", samples / "pytorch_hub" / "hub-master-sample.tar.gz"),
    ]


@dataclass(frozen=True, slots=True)
class Scored:
    """One labelled record with its assignment."""

    ref: str
    platform: str
    label: str | None
    split: str
    assigned: str | None
    root: str | None
    evidence: str


@dataclass(frozen=True, slots=True)
class Figures:
    """Accuracy figures of one split."""

    records: int
    precision: float
    recall: float
    pairs: int
    coverage: float
    wrong: list[Scored]


def score(vocab: Vocabulary, records: Sequence[NormalizedModel], labels: list[dict[str, Any]]):  # noqa: ANN201
    """Assign every record and pair it with its label (unlabelled records are an error)."""
    found = assign_records(vocab, records)
    by_ref = {label["ref"]: label for label in labels}
    missing = sorted(set(found) - set(by_ref))
    stale = sorted(set(by_ref) - set(found))
    if missing or stale:
        raise SystemExit(
            f"labels and samples differ: unlabelled {missing[:5]}, labels without a record "
            f"{stale[:5]}; update {LABELS.name}"
        )
    scored = []
    for ref, verdict in found.items():
        slug = verdict.slug if verdict else None
        scored.append(
            Scored(
                ref=ref,
                platform=ref.split(":", 1)[0],
                label=by_ref[ref]["family"],
                split=by_ref[ref]["split"],
                assigned=slug,
                root=vocab.families[slug].root if slug else None,
                evidence=f"{verdict.method}: {verdict.evidence}" if verdict else "",
            )
        )
    return scored


def split_pairs(scored: Sequence[Scored], split: str) -> Iterable[tuple[Scored, Scored]]:
    """The cross-hub pairs a split is measured on (see the module docstring)."""
    if split == "all":
        pairs: Iterable[tuple[Scored, Scored]] = itertools.combinations(scored, 2)
    elif split in OPEN_SPLITS:
        pairs = (
            (a, b) for a, b in itertools.combinations(scored, 2) if split in (a.split, b.split)
        )
    else:
        pairs = itertools.combinations([s for s in scored if s.split == split], 2)
    return ((a, b) for a, b in pairs if a.platform != b.platform)


def figures(items: Sequence[Scored], pairs: Iterable[tuple[Scored, Scored]]) -> Figures:
    """Pairwise precision and recall over `pairs`, coverage and the wrong assignments of
    `items`."""
    tp = fp = fn = 0
    for a, b in pairs:
        same_label = a.label is not None and a.label == b.label
        same_root = a.root is not None and a.root == b.root
        tp += same_label and same_root
        fp += same_root and not same_label
        fn += same_label and not same_root
    labelled = [s for s in items if s.label is not None]
    covered = sum(1 for s in labelled if s.root is not None)
    return Figures(
        records=len(items),
        precision=tp / (tp + fp) if tp + fp else 1.0,
        recall=tp / (tp + fn) if tp + fn else 1.0,
        pairs=tp + fn,
        coverage=covered / len(labelled) if labelled else 1.0,
        wrong=[s for s in items if s.root is not None and s.root != s.label],
    )


def _report(scored: Sequence[Scored], show: Iterable[str]) -> None:
    print(
        f"{'split':8} {'records':>7} {'precision':>9} {'recall':>7} {'pairs':>6} "  # noqa: T201
        f"{'coverage':>8} {'wrong':>5}"
    )
    results = {}
    for split in SPLITS:
        items = [s for s in scored if split in ("all", s.split)]
        results[split] = f = figures(items, split_pairs(scored, split))
        print(
            f"{split:8} {f.records:7d} {f.precision:9.3f} {f.recall:7.3f} {f.pairs:6d} "  # noqa: T201
            f"{f.coverage:8.3f} {len(f.wrong):5d}"
        )
    for split in show:
        items = [s for s in scored if split in ("all", s.split)]
        print(f"\n{split}: wrong and unassigned")  # noqa: T201
        for s in sorted(items, key=lambda s: s.ref):
            if s.root != s.label:
                print(f"  {s.ref}: label {s.label}, assigned {s.assigned} ({s.evidence})")  # noqa: T201


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--samples",
        type=Path,
        default=next((c for c in CANDIDATES if c.is_dir()), CANDIDATES[0]),
        help="the samples folder (default: ../shared/samples)",
    )
    parser.add_argument(
        "--errors",
        choices=SPLITS,
        action="append",
        default=[],
        help="list the wrong and unassigned records of a split (tune while adjusting rules)",
    )
    args = parser.parse_args(argv)
    if not args.samples.is_dir():
        print(f"no samples at {args.samples}: nothing to measure (use --samples DIR)")  # noqa: T201
        return 0
    labels = json.loads(LABELS.read_text())["labels"]
    vocab = load_vocabulary()
    _report(score(vocab, sample_records(args.samples), labels), args.errors)
    return 0


if __name__ == "__main__":
    sys.exit(main())

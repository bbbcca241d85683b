"""Accuracy of family assignment on real hub metadata, against hand labels.

    .venv/bin/python -m benchmarks.family_accuracy [--samples ../shared/samples] [--errors]

Every record of the samples folder (Hugging Face payloads, the ONNX manifest sample, the
TF Hub and PyTorch Hub archive samples) is normalized by the harvesters' own code and
assigned a family in memory (`catalog.families.records.assign_records`). The labels
(`benchmarks/family_labels.json`) give each record's root family, or none. Printed per
split (tune, holdout, all):

- pairwise precision and recall across hubs: over pairs of records on different hubs,
  "same family" by the labels against "same root family" as assigned;
- coverage: the share of records labelled with a family that get one;
- wrong: records assigned a root other than their label (a labelled "none" included).

Without the samples folder (a user's machine) it says so and exits 0.
"""

from __future__ import annotations

import argparse
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
SPLITS = ("tune", "holdout", "all")


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


def archive_records(platform: str, **settings: str) -> list[NormalizedModel]:
    """Records of an archive hub, fetched and normalized by its harvester."""
    harvester = harvester_class(platform).from_settings(Settings(**settings), {})  # type: ignore[arg-type]
    try:
        context = FetchContext(kind="full", since=None, resume=None, limit=None)
        return [harvester.normalize(r) for page in harvester.fetch(context) for r in page.records]
    finally:
        harvester.close()


def sample_records(samples: Path) -> list[NormalizedModel]:
    """Every model record of the samples folder."""
    return [
        *huggingface_records(samples / "huggingface"),
        *archive_records(
            "onnx-model-zoo", onnx_manifest_url=str(samples / "onnx" / "manifest_sample.json")
        ),
        *archive_records(
            "tfhub",
            tfhub_archive_url=str(samples / "tfhub" / "tfhub.dev-master-sample.tar.gz"),
        ),
        *archive_records(
            "pytorch-hub",
            pytorch_hub_archive_url=str(samples / "pytorch_hub" / "hub-master-sample.tar.gz"),
        ),
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


def figures(items: Sequence[Scored]) -> Figures:
    """Pairwise precision and recall across hubs, coverage and the wrong assignments."""
    tp = fp = fn = 0
    for a, b in itertools.combinations(items, 2):
        if a.platform == b.platform:
            continue
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
        results[split] = f = figures(items)
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

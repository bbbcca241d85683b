"""Accuracy of the derived usage flags and memory footprints on real hub metadata.

    python -m benchmarks.usage_accuracy [--samples DIR] [--labels FILE] [--json]

Reads every model of ../shared/samples a harvester of this project can read (through
the hubs' own normalizers), derives it as the catalog does (lineage walked among the
samples), and compares:

- usage with the hand labels of `benchmarks/usage_labels.json`, per usage: precision
  of what the catalog decides (a decided value on a model labelled "cannot tell" counts
  as wrong), precision of true and of false, recall of true, and coverage (decided /
  all);
- memory footprints with file sizes known from the hubs: the footprint the catalog
  reports per variant (it must equal the files), and the `parameters x bits` estimate
  where the real size is known (int8 ONNX exports against their fp32 model's
  parameters; safetensors repos against the tensor bytes of the Hub's dtype counts).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.samples import default_samples, sample_records
from catalog.derive import Derivation
from catalog.derive.memory import DTYPE_BYTES, bits_per_weight, variant_label
from catalog.derive.offline import derive_records, ref_of
from catalog.derive.usage import USAGES
from catalog.records import NormalizedModel

LABELS = Path(__file__).with_name("usage_labels.json")
KEYS = {"feature-extraction": "feature_extraction", "fine-tuning": "fine_tuning",
        "zero-shot": "zero_shot"}  # fmt: skip
TARGET_PRECISION = 0.95
TARGET_MEMORY_ERROR = 0.10


@dataclass(frozen=True, slots=True)
class UsageScore:
    """Counts and rates of one usage."""

    usage: str
    total: int
    decided: int
    correct: int
    true_predicted: int
    true_correct: int
    false_predicted: int
    false_correct: int
    true_labelled: int

    @property
    def precision(self) -> float:
        """Share of decided values that match the label."""
        return self.correct / self.decided if self.decided else 1.0

    @property
    def coverage(self) -> float:
        """Share of models with a decided value."""
        return self.decided / self.total if self.total else 0.0

    @property
    def recall(self) -> float:
        """Share of models labelled true that the catalog says true."""
        return self.true_correct / self.true_labelled if self.true_labelled else 1.0


def score_usage(
    derived: Mapping[str, Derivation], labels: Mapping[str, Mapping[str, bool | None]]
) -> tuple[list[UsageScore], list[dict[str, Any]]]:
    """Scores per usage, and every decided value that disagrees with its label."""
    scores, misses = [], []
    for usage in USAGES:
        key = KEYS[usage]
        pairs = [(ref, d.usage[usage], labels[ref][key]) for ref, d in derived.items()]
        decided = [(ref, p, label) for ref, p, label in pairs if p.value is not None]
        misses += [
            {"ref": ref, "usage": usage, "derived": p.value, "label": label, "rule": p.rule}
            for ref, p, label in decided
            if p.value != label
        ]
        scores.append(
            UsageScore(
                usage=usage,
                total=len(pairs),
                decided=len(decided),
                correct=sum(p.value == label for _, p, label in decided),
                true_predicted=sum(p.value is True for _, p, _ in decided),
                true_correct=sum(p.value is True and label is True for _, p, label in decided),
                false_predicted=sum(p.value is False for _, p, _ in decided),
                false_correct=sum(p.value is False and label is False for _, p, label in decided),
                true_labelled=sum(label is True for *_, label in pairs),
            )
        )
    return scores, misses


@dataclass(frozen=True, slots=True)
class SizeCheck:
    """One footprint against a known size."""

    ref: str
    what: str
    footprint: int
    known: int

    @property
    def error(self) -> float:
        """Relative error against the known size."""
        return abs(self.footprint - self.known) / self.known


def reported_checks(
    records: Sequence[NormalizedModel], derived: Mapping[str, Derivation]
) -> Iterator[SizeCheck]:
    """Each reported variant footprint against the file sizes the hub gave for it."""
    for record in records:
        by_variant = {(f.format, f.variant): f for f in derived[ref_of(record)].footprints}
        for fmt in record.formats:
            for variant in fmt.variants:
                size = variant.get("bytes")
                if not isinstance(size, int) or size <= 0:
                    continue
                label = variant_label(variant)
                found = by_variant.get((fmt.slug, label))
                footprint = found.bytes if found else 0
                yield SizeCheck(ref_of(record), f"{fmt.slug} {label}", footprint, size)


def estimate_checks(records: Sequence[NormalizedModel]) -> Iterator[SizeCheck]:
    """The parameters x bits estimate against sizes known another way."""
    by_ref = {ref_of(r): r for r in records}
    for record in records:
        yield from _quantized_onnx(record, by_ref)
        yield from _safetensors(record)


def _onnx_bytes(record: NormalizedModel) -> int | None:
    sizes = [v.get("bytes") for f in record.formats for v in f.variants]
    known = [s for s in sizes if isinstance(s, int) and s > 0]
    return min(known) if known else None


def _quantized_onnx(
    record: NormalizedModel, by_ref: Mapping[str, NormalizedModel]
) -> Iterator[SizeCheck]:
    quantization = record.extra.get("quantization")
    bits = bits_per_weight(str(quantization)) if quantization else None
    for parent in record.lineage:
        full = by_ref.get(f"{parent.platform}:{parent.external_id}")
        full_bytes = _onnx_bytes(full) if full else None
        own = _onnx_bytes(record)
        if bits is None or full_bytes is None or own is None:
            continue
        parameters = full_bytes / 4  # an fp32 graph: four bytes per weight
        estimate = round(parameters * bits / 8)
        yield SizeCheck(ref_of(record), f"onnx {quantization} from fp32 parameters", estimate, own)


def _safetensors(record: NormalizedModel) -> Iterator[SizeCheck]:
    by_dtype = record.extra.get("parameters_by_dtype")
    if not isinstance(by_dtype, dict) or not record.parameters:
        return
    widths = [DTYPE_BYTES.get(str(d).upper()) for d in by_dtype]
    if None in widths:
        return
    known = round(sum(n * DTYPE_BYTES[str(d).upper()] for d, n in by_dtype.items()))
    dominant = max(by_dtype, key=lambda d: by_dtype[d])
    bits = bits_per_weight(str(dominant))
    if bits is None:
        return
    estimate = round(record.parameters * bits / 8)
    yield SizeCheck(ref_of(record), f"safetensors {dominant} from parameters", estimate, known)


def run(samples: Path, labels_path: Path) -> dict[str, Any]:
    """Every figure of the benchmark as a JSON-ready document."""
    records = sample_records(samples)
    derived = derive_records(records)
    labels = json.loads(labels_path.read_text("utf-8"))["labels"]
    unlabelled = sorted(set(derived) - set(labels))
    stale = sorted(set(labels) - set(derived))
    if unlabelled or stale:
        raise SystemExit(f"labels do not match the samples: unlabelled {unlabelled}, stale {stale}")
    scores, misses = score_usage(derived, labels)
    reported = list(reported_checks(records, derived))
    estimates = list(estimate_checks(records))
    return {
        "models": len(records),
        "usage": [_score_doc(s) for s in scores],
        "misses": misses,
        "memory_reported": _checks_doc(reported),
        "memory_estimated": _checks_doc(estimates),
    }


def _score_doc(s: UsageScore) -> dict[str, Any]:
    return {
        "usage": s.usage,
        "precision": round(s.precision, 3),
        "precision_true": round(s.true_correct / s.true_predicted, 3) if s.true_predicted else None,
        "precision_false": (
            round(s.false_correct / s.false_predicted, 3) if s.false_predicted else None
        ),
        "recall_true": round(s.recall, 3),
        "coverage": round(s.coverage, 3),
        "decided": s.decided,
        "models": s.total,
    }


def _checks_doc(checks: Sequence[SizeCheck]) -> dict[str, Any]:
    within = [c for c in checks if c.error <= TARGET_MEMORY_ERROR]
    return {
        "checked": len(checks),
        "within_10_percent": len(within),
        "max_error": round(max((c.error for c in checks), default=0.0), 4),
        "outside": [
            {"ref": c.ref, "what": c.what, "footprint": c.footprint, "known": c.known,
             "error": round(c.error, 3)}
            for c in checks if c.error > TARGET_MEMORY_ERROR
        ],
    }  # fmt: skip


def _print(doc: dict[str, Any]) -> None:
    print(f"{doc['models']} sample models\n")
    print(f"{'usage':<20}{'precision':>10}{'prec true':>11}{'prec false':>11}"
          f"{'recall true':>12}{'coverage':>10}{'decided':>9}")  # fmt: skip
    for s in doc["usage"]:
        cells = [s["precision"], s["precision_true"], s["precision_false"], s["recall_true"],
                 s["coverage"]]  # fmt: skip
        shown = ["-" if c is None else f"{c:.3f}" for c in cells]
        print(f"{s['usage']:<20}{shown[0]:>10}{shown[1]:>11}{shown[2]:>11}{shown[3]:>12}"
              f"{shown[4]:>10}{s['decided']:>5}/{s['models']}")  # fmt: skip
    print(f"\ntarget: precision >= {TARGET_PRECISION} per usage")
    for miss in doc["misses"]:
        print(f"  disagrees: {miss['ref']} {miss['usage']}: derived {miss['derived']} "
              f"({miss['rule']}), labelled {miss['label']}")  # fmt: skip
    for key, title in (
        ("memory_reported", "memory reported per variant vs the hub's file sizes"),
        ("memory_estimated", "parameters x bits estimate vs known sizes"),
    ):
        m = doc[key]
        print(f"\n{title} (weights only): {m['within_10_percent']}/{m['checked']} within 10%, "
              f"max error {m['max_error']:.1%}")  # fmt: skip
        for c in m["outside"]:
            print(f"  {c['ref']} {c['what']}: {c['footprint']:,} vs {c['known']:,} "
                  f"({c['error']:.0%})")  # fmt: skip


def main(argv: Sequence[str] | None = None) -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=Path, default=default_samples())
    parser.add_argument("--labels", type=Path, default=LABELS)
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args(argv)
    if args.samples is None or not args.samples.is_dir():
        sys.exit("no samples folder: pass --samples DIR (../shared/samples of the checkout)")
    doc = run(args.samples, args.labels)
    if args.json:
        print(json.dumps(doc, indent=2))
    else:
        _print(doc)


if __name__ == "__main__":
    main()

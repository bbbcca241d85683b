"""Rebuild the demo snapshots of this repository's hubs from public samples.

    python -m harvesters.demo.build [--samples DIR] [--kaggle-fixtures FILE]

Reads the real public hub metadata in `--samples` (by default `../shared/samples` next
to the checkout): the Hugging Face API replies, the TF Hub and PyTorch Hub archive
samples and the ONNX manifest sample, the archives through each hub's own `fetch`.
Kaggle has no recorded reply in the samples: its payloads are the project's test
fixtures (`tests/harvesters/kaggle/fixtures/models.json`), the made-up `fixture-*`
accounts left out. A hub may contribute its own source instead of a line here: a
`demo_source` module next to its harvester whose `source(samples)` returns a `Source`
(None when its samples are absent). Prose is taken out (`harvesters.demo.strip`, or the
hub's own `strip`), and every stripped payload must normalize to the same facts as the
original, or the build stops. The files are written into each hub's package
(`harvesters/<hub>/demo/`), reproducibly.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import importlib
import json
import sys
import tarfile
from collections.abc import Callable, Mapping
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

from catalog.records import NormalizedModel
from catalog.settings import Settings
from harvesters.base import FetchContext, Harvester, RawRecord
from harvesters.demo import strip
from harvesters.demo.snapshot import snapshot_location, write_snapshot
from harvesters.registry import harvester_class, harvester_classes

ROOT = Path(__file__).resolve().parents[2]
# ../shared/samples next to the checkout (a worktree may sit one level deeper).
SAMPLE_CANDIDATES = (ROOT.parent / "shared" / "samples", ROOT.parent.parent / "shared" / "samples")
KAGGLE_FIXTURES = ROOT / "tests" / "harvesters" / "kaggle" / "fixtures" / "models.json"
HF_FILES = ("list_models_page.json", "model_info_recorded.json", "model_info_full.json")
TFHUB_SAMPLE = ("tfhub", "tfhub.dev-master-sample.tar.gz")
PYTORCH_HUB_SAMPLE = ("pytorch_hub", "hub-master-sample.tar.gz")
ONNX_SAMPLE = ("onnx", "manifest_sample.json")
MADE_UP_OWNERS = ("fixture-",)


@dataclasses.dataclass(frozen=True, slots=True)
class Source:
    """One hub's original payloads and what to say about them."""

    platform: str
    payloads: list[Any]
    as_of: dt.date | None
    source: str
    strip: Callable[[Mapping[str, Any]], dict[str, Any]]


def default_samples() -> Path | None:
    """The samples folder next to the checkout, if there is one."""
    return next((c for c in SAMPLE_CANDIDATES if (c / "huggingface").is_dir()), None)


def hf_payloads(samples: Path) -> dict[str, dict[str, Any]]:
    """Hugging Face payloads by model id; later files (richer) replace earlier ones."""
    found: dict[str, dict[str, Any]] = {}
    for name in HF_FILES:
        for item in json.loads((samples / "huggingface" / name).read_text("utf-8")):
            payload = item.get("body", item) if "request" in item else item
            if isinstance(payload, dict) and isinstance(payload.get("id"), str):
                found[payload["id"]] = payload
    return found


def _recorded_date(samples: Path) -> dt.date | None:
    """The newest `Date` header of the recorded Hugging Face replies."""
    recorded = json.loads((samples / "huggingface" / HF_FILES[1]).read_text("utf-8"))
    dates = [
        parsedate_to_datetime(item["response_headers"]["Date"]).date()
        for item in recorded
        if isinstance(item.get("response_headers"), dict) and "Date" in item["response_headers"]
    ]
    return max(dates, default=None)


def _archive_date(archive: Path) -> dt.date | None:
    """The commit date GitHub stamps on a tarball's members."""
    with tarfile.open(archive) as tar:
        newest = max((member.mtime for member in tar.getmembers()), default=0)
    return dt.datetime.fromtimestamp(newest, dt.UTC).date() if newest else None


def _fetched(platform: str, location: Path) -> list[Any]:
    """The payloads the hub's own `fetch` yields from a local copy of its source."""
    settings = Settings(harvesters={platform: {"url": str(location)}})
    harvester = harvester_class(platform).from_settings(settings)
    try:
        return [r.payload for page in harvester.fetch(FetchContext()) for r in page.records]
    finally:
        harvester.close()


def sources(samples: Path, kaggle_fixtures: Path) -> list[Source]:
    """The original payloads of every hub, with their dates and provenance."""
    tfhub, pytorch_hub = samples.joinpath(*TFHUB_SAMPLE), samples.joinpath(*PYTORCH_HUB_SAMPLE)
    kaggle = [
        m
        for m in json.loads(kaggle_fixtures.read_text("utf-8"))
        if not str(m.get("ref", "")).startswith(MADE_UP_OWNERS)
    ]
    return [
        Source(
            "huggingface",
            list(hf_payloads(samples).values()),
            _recorded_date(samples),
            "Hugging Face Hub API: one GET /api/models page (2024-12-02), GET "
            "/api/models/{id}?full=True replies (December 2024) and replies recorded by "
            "huggingface_hub's tests (January to March 2025)",
            strip.huggingface,
        ),
        Source(
            "tfhub",
            _fetched("tfhub", tfhub),
            _archive_date(tfhub),
            "docs of github.com/tensorflow/tfhub.dev master (archived; Apache-2.0)",
            strip.tfhub,
        ),
        Source(
            "pytorch-hub",
            _fetched("pytorch-hub", pytorch_hub),
            _archive_date(pytorch_hub),
            "model pages of github.com/pytorch/hub master (front matter and torch.hub.load calls)",
            strip.pytorch_hub,
        ),
        Source(
            "onnx-model-zoo",
            _fetched("onnx-model-zoo", samples.joinpath(*ONNX_SAMPLE)),
            None,
            "ONNX_HUB_MANIFEST.json of github.com/onnx/models main (Apache-2.0; before the "
            "zoo moved to huggingface.co/onnxmodelzoo in 2025; day not recorded)",
            strip.onnx_zoo,
        ),
        Source(
            "kaggle",
            kaggle,
            None,
            "model-catalog's Kaggle test fixtures: real public Kaggle model refs, tags, "
            "frameworks and licenses in the shape of the Kaggle SDK's ApiModel; no "
            "recorded reply exists, so counts and sizes are illustrative",
            strip.kaggle,
        ),
    ]


def hub_sources(samples: Path) -> list[Source]:
    """The sources hubs contribute themselves (their `demo_source.source(samples)`)."""
    found = []
    for cls in harvester_classes().values():
        name = f"{cls.__module__.rpartition('.')[0]}.demo_source"
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise  # the module exists but imports something missing
            continue
        source = module.source(samples)
        if source is not None:
            found.append(source)
    return found


def facts(record: NormalizedModel) -> NormalizedModel:
    """A record without its prose (and the provenance notes that name the prose)."""
    return dataclasses.replace(record, summary=None, description=None, provenance=())


def stripped_payloads(harvester: Harvester, source: Source) -> list[Any]:
    """The hub's payloads without prose, sorted by external id.

    Raises:
        ValueError: a stripped payload normalizes to other facts than its original.
    """
    out: dict[str, Any] = {}
    for payload in source.payloads:
        before = harvester.normalize(RawRecord(None, payload))
        stripped = source.strip(payload)
        after = harvester.normalize(RawRecord(None, stripped))
        if facts(after) != facts(before):
            changed = [
                f.name
                for f in dataclasses.fields(NormalizedModel)
                if getattr(facts(after), f.name) != getattr(facts(before), f.name)
            ]
            raise ValueError(
                f"{source.platform}:{before.external_id}: stripping changed facts: {changed}"
            )
        out[after.external_id] = stripped
    return [out[key] for key in sorted(out)]


def build(samples: Path, kaggle_fixtures: Path) -> list[str]:
    """Write every hub's snapshot; returns one line per hub."""
    lines = []
    for source in [*sources(samples, kaggle_fixtures), *hub_sources(samples)]:
        cls = harvester_class(source.platform)
        location = snapshot_location(cls)
        assert location is not None, f"{source.platform} has no demo_snapshot path"
        path = Path(str(location[0])).joinpath(*location[1].parts)
        harvester = cls(cls.config_class.load({}, {}), Settings())
        try:
            payloads = stripped_payloads(harvester, source)
        finally:
            harvester.close()
        count, size = write_snapshot(
            path, source.platform, payloads, as_of=source.as_of, source=source.source
        )
        where = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
        lines.append(f"{source.platform}: {count} models, {size:,} bytes -> {where}")
    return lines


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", type=Path, default=default_samples())
    parser.add_argument("--kaggle-fixtures", type=Path, default=KAGGLE_FIXTURES)
    args = parser.parse_args(argv)
    if args.samples is None or not (args.samples / "huggingface").is_dir():
        print("error: no samples folder found: pass --samples DIR", file=sys.stderr)
        return 2
    for line in build(args.samples, args.kaggle_fixtures):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())

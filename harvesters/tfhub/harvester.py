"""Read the tfhub.dev docs (archive URL, local .tar.gz or directory) and page them out."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from catalog.records import NormalizedModel
from harvesters.base import FatalHarvestError, FetchContext, Harvester, Page, RawRecord
from harvesters.sources import (
    Problem,
    SourceFile,
    fetch_files,
    paginate,
)
from harvesters.tfhub.config import TfHubConfig
from harvesters.tfhub.docs import DocError, group_docs, parse_doc
from harvesters.tfhub.parse import PLATFORM, normalize_model

# Messages name the hub setting and the older name users may have set instead.
SETTING = "CATALOG_HARVESTERS__TFHUB__URL (or CATALOG_TFHUB_ARCHIVE_URL)"
WHAT = "TF Hub archive"
DOCS_DIR = "assets/docs/"


class TfHubHarvester(Harvester):
    """One model per TF Hub handle; versions, deployments, collections and publishers folded in."""

    name: ClassVar[str] = PLATFORM
    display_name: ClassVar[str] = "TensorFlow Hub"
    home_url: ClassVar[str] = "https://tfhub.dev"
    version: ClassVar[str] = "2"  # 2: provenance of every field
    config_class: ClassVar[type[TfHubConfig]] = TfHubConfig
    supports_incremental: ClassVar[bool] = False

    def fetch(self, ctx: FetchContext) -> Iterator[Page]:
        """Read every doc, group them per model handle, and yield pages of payloads."""
        config = self.config
        assert isinstance(config, TfHubConfig)
        location = config.url
        found = fetch_files(location, config, what=WHAT, setting=SETTING, suffixes=(".md",))
        docs, problems = parse_docs(found.files)
        payloads, group_problems = group_docs(docs)
        if not payloads:
            raise FatalHarvestError(
                f"The {WHAT} at {location} holds no TF Hub model docs "
                f"({DOCS_DIR}<publisher>/models/...md): set {SETTING} to the tfhub.dev "
                "repository archive or its assets/docs directory."
            )
        records = [RawRecord(external_id=p["handle"], payload=p) for p in payloads]
        all_problems = [*found.problems, *problems, *group_problems]
        yield from paginate(records, ctx, page_size=config.page_size, problems=all_problems)

    def normalize(self, raw: RawRecord) -> NormalizedModel:
        """Normalize one grouped payload (see `harvesters.tfhub.parse`)."""
        return normalize_model(raw.payload)


def parse_docs(files: list[SourceFile]) -> tuple[list[dict[str, Any]], list[Problem]]:
    """Parse the docs under `assets/docs/` (every .md file when there is no such folder)."""
    in_docs = [f for f in files if f"/{DOCS_DIR}" in f"/{f.path}"]
    docs: list[dict[str, Any]] = []
    problems: list[Problem] = []
    for file in in_docs or files:
        try:
            docs.append(parse_doc(file.path, file.text))
        except DocError as exc:
            problems.append((file.path, str(exc)))
    return docs, problems

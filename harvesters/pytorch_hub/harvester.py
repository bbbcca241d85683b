"""Read the PyTorch Hub pages (archive URL, local .tar.gz or directory) and page them out."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import ClassVar

from catalog.records import NormalizedModel
from harvesters.base import FatalHarvestError, FetchContext, Harvester, Page, RawRecord
from harvesters.pytorch_hub.config import PyTorchHubConfig
from harvesters.pytorch_hub.parse import PLATFORM, has_front_matter, normalize_page
from harvesters.sources import Problem, SourceFile, fetch_files, paginate

# Messages name the hub setting and the older name users may have set instead.
SETTING = "CATALOG_HARVESTERS__PYTORCH_HUB__URL (or CATALOG_PYTORCH_HUB_ARCHIVE_URL)"
WHAT = "PyTorch Hub archive"
# Root-level markdown files of pytorch/hub that are not model pages.
NOT_PAGES = frozenset({"readme.md", "contributing.md", "code_of_conduct.md", "template.md"})


class PyTorchHubHarvester(Harvester):
    """One model per PyTorch Hub page; its `torch.hub.load` entrypoints are the variants."""

    name: ClassVar[str] = PLATFORM
    display_name: ClassVar[str] = "PyTorch Hub"
    home_url: ClassVar[str] = "https://pytorch.org/hub"
    version: ClassVar[str] = "2"  # 2: provenance of every field
    config_class: ClassVar[type[PyTorchHubConfig]] = PyTorchHubConfig
    supports_incremental: ClassVar[bool] = False

    def fetch(self, ctx: FetchContext) -> Iterator[Page]:
        """Read every page at the root of the repository and yield pages of payloads."""
        config = self.config
        assert isinstance(config, PyTorchHubConfig)
        location = config.url
        found = fetch_files(location, config, what=WHAT, setting=SETTING, suffixes=(".md",))
        records, problems = model_pages(found.files)
        if not records:
            raise FatalHarvestError(
                f"The {WHAT} at {location} holds no model page (a .md file with YAML front "
                f"matter at the repository root): set {SETTING} to the pytorch/hub archive "
                "or a directory holding its pages."
            )
        all_problems = [*found.problems, *problems]
        yield from paginate(records, ctx, page_size=config.page_size, problems=all_problems)

    def normalize(self, raw: RawRecord) -> NormalizedModel:
        """Normalize one page (see `harvesters.pytorch_hub.parse`)."""
        return normalize_page(raw.payload)


def model_pages(files: list[SourceFile]) -> tuple[list[RawRecord], list[Problem]]:
    """Raw records of the root-level pages; the template and repository docs are skipped."""
    records: list[RawRecord] = []
    problems: list[Problem] = []
    for file in files:
        if "/" in file.path or file.path.lower() in NOT_PAGES:
            continue
        text = file.text
        if "<REQUIRED" in text:  # a copy of the template, not a model
            continue
        if not has_front_matter(text):
            problems.append((file.path, "skipped: no YAML front matter (not a model page)"))
            continue
        page = PurePosixPath(file.path).stem
        records.append(RawRecord(page, {"page": page, "path": file.path, "text": text}))
    return records, problems

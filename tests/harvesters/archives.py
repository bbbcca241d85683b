"""GitHub-style tarballs of fixture repositories, as `.../archive/<branch>.tar.gz` serves."""

from __future__ import annotations

import tarfile
from pathlib import Path


def github_tarball(target: Path, repo: Path, extra: dict[str, str] | None = None) -> Path:
    """Write `repo` under its own top-level name (e.g. `hub-master/`) plus `extra` files."""
    top = repo.name
    with tarfile.open(target, "w:gz") as archive:
        archive.add(repo, arcname=top)
        for name, text in (extra or {}).items():
            source = target.parent / "extra.tmp"
            source.write_text(text)
            archive.add(source, arcname=f"{top}/{name}")
            source.unlink()
    return target
